"""Dated milestones of neural-network research, each with its source, and the timeline figure."""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

__all__ = ["Milestone", "MILESTONES", "ERAS", "timeline_figure"]


@dataclass(frozen=True)
class Milestone:
    year: int
    label: str
    cite: str  # BibTeX key in book/references.bib
    era: str  # one of ERAS


MILESTONES: tuple[Milestone, ...] = (
    Milestone(1943, "McCulloch & Pitts: threshold logic neuron", "mcculloch1943logical", "first wave"),
    Milestone(1948, "Turing: unorganised machines", "turing1948intelligent", "first wave"),
    Milestone(1949, "Hebb: learning by strengthening connections", "hebb1949organization", "first wave"),
    Milestone(1958, "Rosenblatt: the perceptron", "rosenblatt1958perceptron", "first wave"),
    Milestone(1960, "Widrow & Hoff: ADALINE, the LMS rule", "widrow1960adaptive", "first wave"),
    Milestone(1969, "Minsky & Papert: Perceptrons (limits of one layer)", "minsky1969perceptrons", "first winter"),
    Milestone(1974, "Werbos: backpropagation proposed for networks", "werbos1974beyond", "first winter"),
    Milestone(1982, "Hopfield: associative memory network", "hopfield1982neural", "second wave"),
    Milestone(1985, "Hopfield & Tank: networks for the TSP", "hopfield1985neural", "second wave"),
    Milestone(1986, "Rumelhart, Hinton & Williams: backprop popularised", "rumelhart1986learning", "second wave"),
    Milestone(1989, "Cybenko: universal approximation", "cybenko1989approximation", "second wave"),
    Milestone(1995, "Cortes & Vapnik: support-vector networks", "cortes1995support", "SVM years"),
    Milestone(1997, "Hochreiter & Schmidhuber: LSTM", "hochreiter1997long", "SVM years"),
    Milestone(1998, "LeCun et al.: LeNet-5, document recognition", "lecun1998gradient", "SVM years"),
    Milestone(2006, "Hinton, Osindero & Teh: deep belief nets", "hinton2006fast", "deep learning"),
    Milestone(2012, "Krizhevsky et al.: AlexNet wins ImageNet", "krizhevsky2012imagenet", "deep learning"),
    Milestone(2014, "Goodfellow et al.: generative adversarial nets", "goodfellow2014generative", "deep learning"),
    Milestone(2016, "Silver et al.: AlphaGo", "silver2016mastering", "deep learning"),
    Milestone(2017, "Vaswani et al.: the transformer", "vaswani2017attention", "deep learning"),
)

# Eras as the field's attention rose and fell; research never stopped in the quieter ones.
ERAS = {
    "first wave": "#0072B2",
    "first winter": "#7f7f7f",
    "second wave": "#009E73",
    "SVM years": "#CC79A7",
    "deep learning": "#D55E00",
}


def timeline_figure(milestones=MILESTONES) -> Figure:
    """One row per milestone, dated on a shared time axis and coloured by era."""
    import matplotlib.pyplot as plt

    ms = sorted(milestones, key=lambda m: m.year)
    fig, ax = plt.subplots(figsize=(9.0, 0.32 * len(ms) + 1.2))
    for i, m in enumerate(ms):
        y = len(ms) - i
        ax.plot([1940, m.year], [y, y], color="#dddddd", lw=0.8, zorder=0)
        ax.plot(m.year, y, "o", color=ERAS[m.era], ms=7)
        ax.text(m.year + 0.8, y, f"{m.year}  {m.label}", va="center", fontsize=8.5)
    for era, c in ERAS.items():
        ax.plot([], [], "o", color=c, label=era)
    ax.set(
        xlim=(1940, 2045),
        ylim=(0.3, len(ms) + 0.7),
        yticks=[],
        xlabel="year",
        title="Eighty years of neural networks: two waves and two quieter periods before deep learning",
    )
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
