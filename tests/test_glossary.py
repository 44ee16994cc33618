"""The glossary: well-formed, complete for every chapter's terms table, and searchable."""

import pathlib
import re

import nbformat
import pytest

from lossbook import glossary

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))


def key(term: str) -> str:
    """A term without markup, parentheses, case, hyphens or spaces: "Sub-gradient (次梯度)" and
    "subgradient" are the same entry."""
    term = re.sub(r"[*`]", "", term)
    return re.sub(r"[^0-9a-z]", "", re.sub(r"\([^)]*\)", "", term.lower()))


def chapter_terms(path: pathlib.Path) -> list[str]:
    """The English column of the chapter's last EN/ZH table (its "Terms" section)."""
    tables = [c.source for c in nbformat.read(path, as_version=4).cells
              if c.cell_type == "markdown" and "中文" in c.source and "|" in c.source]
    assert tables, f"{path.name} has no EN/ZH terms table"
    terms = []
    for line in tables[-1].splitlines():
        if line.startswith("|") and not set(line) <= set("|-: "):
            first = re.split(r"(?<!\\)\|", line)[1].strip()
            if key(first) not in ("english", "term"):
                terms.append(first)
    return terms


def test_every_row_is_complete_sorted_and_unique():
    assert len(glossary.TERMS) > 150
    chapters = {p.name[:2] for p in CHAPTERS}
    for term in glossary.TERMS:
        assert all([term.english, term.chinese, term.meaning]), term
        assert re.search(r"[\u4e00-\u9fff]", term.chinese), term  # a Chinese name
        assert term.chapter in chapters, f"{term.english}: chapter {term.chapter} has no file"
    names = [t.english.lower() for t in glossary.TERMS]
    assert names == sorted(names) and len(set(names)) == len(names)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_term_a_chapter_introduces_is_in_the_glossary(path):
    known = {key(t.english) for t in glossary.TERMS}
    missing = [t for t in chapter_terms(path) if key(t) not in known]
    assert not missing, f"add to lossbook/glossary.md: {missing}"


def test_lookup_and_table():
    assert any(t.english == "Huber loss" for t in glossary.lookup("HUBER"))
    assert any("交叉熵" in t.chinese for t in glossary.lookup("交叉熵"))
    terms = glossary.table(chapter=3)
    assert terms and all(t.chapter == "03" for t in terms)
    assert terms == glossary.table(chapter="03")
    assert "<table>" in terms._repr_html_() and "中文" in terms._repr_html_()
    with pytest.raises(ValueError, match="0 to 12"):
        glossary.table(chapter=13)
    with pytest.raises(TypeError):
        glossary.table(chapter=2.5)
    with pytest.raises(ValueError, match="non-empty"):
        glossary.lookup(" ")


def test_the_chapters_folder_shows_the_same_file():
    assert (ROOT / "chapters" / "glossary.md").read_text(encoding="utf-8") == \
        glossary.SOURCE.read_text(encoding="utf-8")
