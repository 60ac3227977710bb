import re
from pathlib import Path

import matplotlib.pyplot as plt

from nnbook.timeline import ERAS, MILESTONES, timeline_figure

BIB = Path(__file__).resolve().parent.parent / "book" / "references.bib"


def test_every_milestone_is_dated_in_order_and_cited_in_the_bibliography():
    keys = set(re.findall(r"^@\w+\{([^,]+),", BIB.read_text(encoding="utf-8"), flags=re.M))
    assert [m.year for m in MILESTONES] == sorted(m.year for m in MILESTONES)
    assert all(m.cite in keys for m in MILESTONES), [m.cite for m in MILESTONES if m.cite not in keys]
    assert all(m.era in ERAS for m in MILESTONES)


def test_bibliography_years_match_the_milestones():
    text = BIB.read_text(encoding="utf-8")
    for m in MILESTONES:
        entry = text[text.index("{" + m.cite + ",") :]
        entry = entry[: entry.index("\n}")]
        assert re.search(rf"year\s*=\s*\{{?{m.year}\}}?", entry), m


def test_timeline_figure_has_one_marker_per_milestone():
    fig = timeline_figure()
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(texts) == len(MILESTONES) and texts[0].startswith("1943")
    plt.close(fig)
