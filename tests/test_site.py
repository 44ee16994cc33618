"""The course website: it builds from the stored outputs with no warning, every chapter has
a page, every internal link resolves, no page asks the internet for an asset, and each
widget is replaced by the figure of its initial state."""

import base64
import html.parser
import pathlib
import urllib.parse

import nbformat
import pytest

from lossbook.site import WIDGET_NOTE, SiteError, instructors_guide, static_widgets

ROOT = pathlib.Path(__file__).resolve().parent.parent
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n fake").decode()


class Links(html.parser.HTMLParser):
    """The ids a page defines and the (tag, attribute, url) references it makes."""

    def __init__(self):
        super().__init__()
        self.ids, self.refs = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name):
                self.refs.append((tag, attrs.get("rel", ""), attrs[name]))


def parse(page: pathlib.Path) -> Links:
    links = Links()
    links.feed(page.read_text(encoding="utf-8"))
    return links


def pages(site):
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.parts)


def test_every_chapter_exercise_and_reference_page_is_built(built_site):
    expected = [f"chapters/{p.stem}.html" for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")]
    expected += [f"exercises/{p.stem}.html"
                 for p in (ROOT / "exercises").glob("[0-9][0-9]_*.ipynb")]
    expected += ["index.html", "glossary.html", "instructors.html", "api/index.html",
                 "api/lossbook.losses.html", "api/lossbook.widgets.html"]
    missing = [page for page in expected if not (built_site / page).exists()]
    assert not missing and len(expected) > 8, missing
    index = (built_site / "index.html").read_text(encoding="utf-8")
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")):
        assert f'href="chapters/{path.stem}.html"' in index, path.name


def test_every_internal_link_resolves(built_site):
    broken = []
    cache = {}
    for page in pages(built_site):
        for tag, _, url in parse(page).refs:
            parts = urllib.parse.urlsplit(url)
            if parts.scheme or url.startswith("//") or url.startswith("mailto:"):
                continue
            target = (page.parent / urllib.parse.unquote(parts.path)).resolve() \
                if parts.path else page
            if not target.exists():
                broken.append(f"{page.relative_to(built_site)}: {url}")
            elif parts.fragment and target.suffix == ".html" and tag == "a":
                ids = cache.setdefault(target, parse(target).ids)
                if parts.fragment not in ids:
                    broken.append(f"{page.relative_to(built_site)}: {url} (no such anchor)")
    assert not broken, broken[:20]


def test_no_page_fetches_an_asset_from_the_internet(built_site):
    remote = []
    for page in pages(built_site):
        for tag, rel, url in parse(page).refs:
            is_asset = tag in ("script", "img", "iframe", "source") or (
                tag == "link" and ("stylesheet" in rel or "preload" in rel or "icon" in rel))
            if is_asset and (url.startswith(("http:", "https:", "//"))):
                remote.append(f"{page.relative_to(built_site)}: <{tag}> {url}")
    assert not remote, remote[:20]
    assert (built_site / "_static" / "mathjax" / "MathJax.js").exists()


def test_widget_cells_show_their_initial_figure_and_say_they_are_interactive(built_site):
    with_widgets = [p for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")
                    if "lossbook.widgets" in p.read_text(encoding="utf-8")]
    if not with_widgets:
        pytest.fail("no chapter embeds a widget")
    for chapter in with_widgets:
        page = (built_site / "chapters" / f"{chapter.stem}.html").read_text(encoding="utf-8")
        assert "interactive in JupyterLab" in page, chapter.name
        assert "widget-view" not in page, chapter.name


def widget_notebook(with_figure=True):
    state = {"box": {"state": {"children": ["IPY_MODEL_out"]}},
             "out": {"state": {"outputs": [{"output_type": "display_data",
                                            "data": {"image/png": PNG}}]
                               if with_figure else []}}}
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("loss_explorer()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "box", "version_major": 2,
                                                     "version_minor": 0},
        "text/plain": "Explorer(...)"})]
    notebook.cells = [cell]
    notebook.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {"state": state}}
    return notebook


def test_static_widgets_replaces_a_view_by_its_stored_figure_and_a_note():
    notebook = widget_notebook()
    static = static_widgets(notebook)
    outputs = static.cells[0].outputs
    assert [o["data"].get("image/png") for o in outputs][0] == PNG
    assert outputs[1]["data"]["text/markdown"] == WIDGET_NOTE
    assert "widgets" not in static.metadata
    assert "widgets" in notebook.metadata  # the original is left alone


def test_a_widget_without_a_stored_figure_stops_the_build_with_a_reason():
    with pytest.raises(SiteError, match="no stored figure"):
        static_widgets(widget_notebook(with_figure=False))


def test_the_instructors_guide_is_the_readme_section():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = instructors_guide(readme)
    assert guide.startswith("# Instructors' guide\n")
    assert "lossbook grade" in guide
    assert not any(line.startswith("## ") for line in guide.splitlines())  # one section only
