"""Link the first use of every glossary term in the page that teaches it to its glossary entry.

    .venv/bin/python scripts/link_terms.py [book/chNN_x.md ...]

The first use gives the Chinese name in parentheses after the English one. Whatever markup it had
(bold around both, bold English only, none), it becomes one form: **{term}`English`** (中文), with
``{term}`shown text <English>``` when the text differs from the entry (plural, capitals). Prints the
terms it could not find; tests/test_glossary.py fails while any term is unlinked.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnbook import glossary  # noqa: E402


def _role(shown: str, target: str) -> str:
    return f"{{term}}`{shown}`" if shown == target else f"{{term}}`{shown} <{target}>`"


def _stem_words(en: str) -> str:
    """A pattern for the English term in running text: exact words, the last one by its stem (diverges ~ divergence)."""
    words = re.sub(r"\s*\(.*\)$", "", en).split()
    last = words[-1]
    stem = re.escape(last[: max(4, len(last) - 3)]) + r"\w*"
    return r"\s+".join([re.escape(w) for w in words[:-1]] + [stem])


_SOFT = r"(?:[^*\n]|\n(?!\n))"  # any character but '*', a line break but not a blank line


def link_first_use(text: str, en: str, zh: str) -> str | None:
    """``text`` with the first use of the term linked, or None when no first use is found."""
    if f"<{en}>`" in text or f"{{term}}`{en}`" in text:
        return text
    par = r"\(((?:[^()]|\([^()]*\))*?" + re.escape(zh) + r"(?:[^()]|\([^()]*\))*?)\)"
    patterns = [
        re.compile(r"\*\*(" + _SOFT + r"+?)\s" + par + r"([.:]?)\*\*"),  # **term (中文)**
        re.compile(r"\*\*(" + _SOFT + r"+?)\*\*((?:\s[a-z]+)?)\s" + par),  # **term** [word] (中文)
        re.compile(r"(?<![\w*`{])(" + _stem_words(en) + r")\s" + par, re.I),  # term (中文)
    ]
    code = [m.span() for m in re.finditer(r"^```.*?^```", text, re.M | re.S)]

    def usable(m) -> bool:
        line_start = text.rfind("\n", 0, m.start()) + 1
        return (
            not any(a <= m.start() < b for a, b in code)
            and not text.startswith(("#", "|", "$$"), line_start)
            and "{term}" not in m.group(0)
            and "{doc}" not in m.group(1)
        )

    found = []
    for k, pat in enumerate(patterns):
        m = next((m for m in pat.finditer(text) if usable(m)), None)
        if m:
            found.append((m.start(), k, m))
    if not found:
        return None
    _, k, m = min(found, key=lambda f: (f[0], f[1]))
    shown = " ".join(m.group(1).split())
    if k == 0:
        repl = f"**{_role(shown, en)}** ({m.group(2)}){m.group(3)}"
    elif k == 1:
        repl = f"**{_role(shown, en)}**{m.group(2)} ({m.group(3)})"
    else:
        repl = f"**{_role(shown, en)}** ({m.group(2)})"
    return text[: m.start()] + repl + text[m.end() :]


def main(paths: list[str]) -> int:
    pages = {p: ROOT / "book" / f"{p}.md" for p in glossary.pages()}
    wanted = {Path(p).resolve() for p in paths}
    missing = []
    for page, path in pages.items():
        if wanted and path.resolve() not in wanted:
            continue
        text = path.read_text(encoding="utf-8")
        for t in glossary.terms(page):
            new = link_first_use(text, t.en, t.zh)
            if new is None:
                missing.append(f"{page}: {t.en} ({t.zh})")
            else:
                text = new
        path.write_text(text, encoding="utf-8")
    for m in missing:
        print(f"not linked: {m}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
