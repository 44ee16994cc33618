"""`lossbook build-site`: the course as a static website, offline, from stored outputs.

    lossbook build-site [--out build/site]

Sphinx with myst-nb and sphinx-book-theme (the `docs` extra) renders a staging copy of the
course: the chapters in order (never executed: their stored outputs are the content), the
exercise notebooks they link to, the glossary, the instructors' guide (the README's
section, so it is written once) and an API reference generated from the docstrings. Two
things are prepared in the copy, not in the repository:

- a widget cell's output is JavaScript that needs a kernel; in the copy it becomes the PNG
  of the widget's initial figure (taken from the widget state stored in the notebook) and a
  note that the figure is interactive in JupyterLab;
- MathJax comes from the jupyter-server-mathjax package and is served with the site, so
  formulas render with no network.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import pathlib
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
API_MODULES = ["lossbook.losses", "lossbook.penalties", "lossbook.risk", "lossbook.gradcheck",
               "lossbook.optim", "lossbook.models", "lossbook.datasets", "lossbook.exercises",
               "lossbook.widgets"]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = ("*This figure is interactive in JupyterLab: open the chapter there and move "
               "the controls. Here it shows its initial state.*")
INSTRUCTORS_HEADING = "## For instructors"


class SiteError(RuntimeError):
    """The site cannot be built (a missing extra, a chapter without a title, ...)."""


def _widget_pngs(state: dict, model_id: str, seen=None) -> list[str]:
    """The PNGs shown by a widget view and its children, from the stored widget state."""
    seen = seen if seen is not None else set()
    if model_id in seen or model_id not in state:
        return []
    seen.add(model_id)
    model = state[model_id].get("state", {})
    pngs = [o["data"]["image/png"] for o in model.get("outputs", [])
            if isinstance(o, dict) and "image/png" in o.get("data", {})]
    for child in model.get("children", []):
        if isinstance(child, str) and child.startswith("IPY_MODEL_"):
            pngs += _widget_pngs(state, child.removeprefix("IPY_MODEL_"), seen)
    return pngs


def static_widgets(notebook):
    """A copy of the notebook whose widget outputs are replaced by their figures and a note."""
    import nbformat

    notebook = copy.deepcopy(notebook)
    state = notebook.metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                outputs.append(output)
                continue
            pngs = _widget_pngs(state, view.get("model_id", ""))
            if not pngs:
                raise SiteError(f"a widget output has no stored figure (model "
                                f"{view.get('model_id')}): execute the chapter again with "
                                f"its widget state saved")
            outputs += [nbformat.v4.new_output("display_data", data={"image/png": png})
                        for png in pngs]
            outputs.append(nbformat.v4.new_output("display_data",
                                                  data={"text/markdown": WIDGET_NOTE}))
        cell.outputs = outputs
    notebook.metadata.pop("widgets", None)
    return notebook


def instructors_guide(readme: str) -> str:
    """The README's section for instructors, as a page of its own."""
    start = readme.find(INSTRUCTORS_HEADING)
    if start < 0:
        raise SiteError(f"README.md has no section starting with {INSTRUCTORS_HEADING!r}")
    end = readme.find("\n## ", start + 1)
    section = readme[start:end if end > 0 else None].strip()
    return "# Instructors' guide\n" + section.split("\n", 1)[1] + "\n"


def _public_names(module) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, v in vars(module).items() if not n.startswith("_")
                 and getattr(v, "__module__", "").startswith(module.__name__)]
    return sorted(names)


def api_page(module_name: str) -> str:
    """A page listing a module's public names with signature and docstring, verbatim."""
    module = importlib.import_module(module_name)
    lines = [f"# `{module_name}`", "", "```text", inspect.cleandoc(module.__doc__ or ""),
             "```", ""]
    for name in _public_names(module):
        value = getattr(module, name)
        try:
            signature = str(inspect.signature(value)) if callable(value) else ""
        except (TypeError, ValueError):
            signature = ""
        doc = inspect.getdoc(value) if (inspect.isclass(value) or inspect.isroutine(value)
                                        or callable(value)) else None
        lines += [f"## `{name}{signature}`", ""]
        if doc:
            lines += ["```text", doc, "```", ""]
    return "\n".join(lines)


def _chapter_title(notebook, name: str) -> str:
    first = notebook.cells[0] if notebook.cells else None
    if first is None or first.cell_type != "markdown" or not first.source.startswith("# "):
        raise SiteError(f"{name}: the first cell must be a markdown '# Title' cell")
    return first.source.splitlines()[0][2:].strip()


def stage(source: pathlib.Path, staging: pathlib.Path) -> list[str]:
    """Write the Sphinx source tree into staging; returns the chapter page names."""
    import nbformat

    if staging.exists():
        shutil.rmtree(staging)
    (staging / "api").mkdir(parents=True)
    shutil.copy(source / "docs" / "conf.py", staging / "conf.py")
    pages = {}
    for folder in ("chapters", "exercises"):  # chapters link to their exercise notebooks
        (staging / folder).mkdir(exist_ok=True)
        pages[folder] = []
        for path in sorted((source / folder).glob("[0-9][0-9]_*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            _chapter_title(notebook, path.name)
            nbformat.write(static_widgets(notebook), staging / folder / path.name)
            pages[folder].append(f"{folder}/{path.stem}")
    shutil.copy(source / "lossbook" / "glossary.md", staging / "glossary.md")
    (staging / "instructors.md").write_text(
        instructors_guide((source / "README.md").read_text(encoding="utf-8")))
    api = []
    for module in API_MODULES:
        (staging / "api" / f"{module}.md").write_text(api_page(module))
        api.append(f"api/{module}")
    (staging / "api" / "index.md").write_text(
        "# API reference\n\nThe public names of each module of `lossbook`, with their "
        "signatures and docstrings.\n\n```{toctree}\n:maxdepth: 1\n\n"
        + "\n".join(a.removeprefix("api/") for a in api) + "\n```\n")
    index = (source / "docs" / "index.md").read_text(encoding="utf-8")
    toc = "".join(f"```{{toctree}}\n:caption: {caption}\n:maxdepth: 1\n\n"
                  + "\n".join(entries) + "\n```\n\n"
                  for caption, entries in [("Chapters", pages["chapters"]),
                                           ("Exercises", pages["exercises"]),
                                           ("Reference", ["glossary", "instructors",
                                                          "api/index"])])
    (staging / "index.md").write_text(index.rstrip() + "\n\n" + toc)
    return pages["chapters"]


def _mathjax(staging: pathlib.Path) -> None:
    try:
        import jupyter_server_mathjax
    except ImportError:
        raise SiteError("jupyter-server-mathjax is missing: install the docs extra "
                        "(pip install -e '.[docs]')") from None
    static = pathlib.Path(jupyter_server_mathjax.__file__).parent / "static"
    shutil.copytree(static, staging / "_static" / "mathjax")


def build_site(out: pathlib.Path, *, source: pathlib.Path = ROOT, quiet: bool = True) -> \
        pathlib.Path:
    """Build the site into out (its index.html is returned); warnings are errors."""
    try:
        from sphinx.cmd.build import build_main
    except ImportError:
        raise SiteError("Sphinx is missing: install the docs extra "
                        "(pip install -e '.[docs]')") from None
    out = pathlib.Path(out).resolve()
    staging = out.parent / (out.name + "-source")
    stage(pathlib.Path(source), staging)
    _mathjax(staging)
    args = [str(staging), str(out), "-b", "html", "-W", "--keep-going", "-E", "-j", "1"]
    if quiet:
        args.append("-q")
    if build_main(args) != 0:
        raise SiteError("sphinx-build reported warnings or errors (above)")
    return out / "index.html"


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="lossbook build-site", description=__doc__)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "build" / "site")
    args = parser.parse_args(argv)
    try:
        index = build_site(args.out)
    except SiteError as error:
        print(f"lossbook build-site: {error}", file=sys.stderr)
        return 1
    print(f"the site is in {index.parent}; open {index}")
    return 0

