"""The course's EN/ZH glossary, as data: `lookup`, `table`, `TERMS`.

    from lossbook import glossary
    glossary.lookup("huber")          # the terms whose English or Chinese name matches
    glossary.table(chapter="03")      # the terms chapter 03 introduces, as a table

The one source is `glossary.md` beside this module (chapters/glossary.md links to it, and the
website shows it as its Glossary page): a markdown table English | 中文 | Introduced | Meaning.
"""

from __future__ import annotations

import html
import pathlib
import re
from dataclasses import dataclass

SOURCE = pathlib.Path(__file__).with_name("glossary.md")
_CELL = re.compile(r"(?<!\\)\|")  # a column separator; "\|" is a literal bar inside a cell


@dataclass(frozen=True)
class Term:
    english: str
    chinese: str
    chapter: str  # "NN", the chapter that introduces it
    meaning: str


def _parse(text: str) -> list[Term]:
    terms, in_table = [], False
    for line in text.splitlines():
        if line.startswith("| English |"):
            in_table = True
            continue
        if not in_table or not line.startswith("|") or set(line) <= set("|- "):
            continue
        cells = [c.strip().replace("\\|", "|") for c in _CELL.split(line)[1:-1]]
        if len(cells) != 4:
            raise ValueError(f"glossary.md: a row needs 4 cells, got {len(cells)}: {line}")
        terms.append(Term(*cells))
    return terms


TERMS: list[Term] = _parse(SOURCE.read_text(encoding="utf-8"))


class Table(list):
    """A list of Terms that shows itself as a table in a notebook (and as text elsewhere)."""

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{html.escape(t.english)}</td><td>{html.escape(t.chinese)}</td>"
                       f"<td>{t.chapter}</td><td>{html.escape(t.meaning)}</td></tr>"
                       for t in self)
        return ("<table><thead><tr><th>English</th><th>中文</th><th>chapter</th>"
                f"<th>meaning</th></tr></thead><tbody>{rows}</tbody></table>")

    def __str__(self) -> str:
        return "\n".join(f"{t.english} ({t.chinese}), ch. {t.chapter}: {t.meaning}"
                         for t in self) or "(no terms)"

    __repr__ = __str__


def table(chapter: str | int | None = None) -> Table:
    """All terms, or those that chapter (e.g. "03" or 3) introduces."""
    if chapter is None:
        return Table(TERMS)
    if isinstance(chapter, bool) or not isinstance(chapter, (str, int)):
        raise TypeError(f"glossary.table: chapter must be a number like 3 or '03', got "
                        f"{chapter!r}")
    wanted = f"{int(chapter):02d}" if str(chapter).isdigit() else None
    if wanted is None or not 0 <= int(wanted) <= 12:
        raise ValueError(f"glossary.table: chapter must be 0 to 12, got {chapter!r}")
    return Table(t for t in TERMS if t.chapter == wanted)


def lookup(text: str) -> Table:
    """The terms whose English or Chinese name contains text (case-insensitive)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("glossary.lookup: give a non-empty word, e.g. lookup('entropy')")
    needle = text.strip().lower()
    return Table(t for t in TERMS if needle in t.english.lower() or needle in t.chinese)
