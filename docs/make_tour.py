"""Produce the README's tour images with the project's own commands (none is drawn by hand).

    .venv/bin/python docs/make_tour.py

- docs/images/widget.png and docs/images/site_<chapter>.png: the browser tests
  (tests/test_browser.py) run JupyterLab and the built site in Chromium and save their
  screenshots here instead of test-artifacts/;
- docs/images/grading.png: `lossbook grade` grades three sample submissions (the solutions,
  the untouched exercises, and the solutions with a wrong MSE), and one learner's feedback
  file, rendered to HTML, is photographed in the same headless Chromium.

Needs the test extra and Debian's Chromium, like the browser tests.
"""

from __future__ import annotations

import csv
import os
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
WRONG_MSE = "import numpy as np\ndef mse(y_true, y_pred):\n    " \
            "return float(np.sum((np.asarray(y_pred) - y_true) ** 2))"


def browser_images() -> None:
    env = dict(os.environ, LOSSBOOK_ARTIFACTS=str(IMAGES), LOSSBOOK_REQUIRE_BROWSER="1")
    subprocess.run([sys.executable, "-m", "pytest", "tests/test_browser.py", "-q",
                    "-p", "no:randomly"], cwd=ROOT, env=env, check=True)
    for extra in IMAGES.glob("jupyterlab_*.png"):  # the whole Lab window: not for the README
        extra.unlink()


def grading_image(folder: pathlib.Path) -> None:
    import nbformat
    from markdown_it import MarkdownIt
    from playwright.sync_api import sync_playwright

    inbox = folder / "inbox"
    inbox.mkdir()
    solution = nbformat.read(ROOT / "solutions" / "02_loss_catalog.ipynb", as_version=4)
    nbformat.write(solution, inbox / "ada.ipynb")
    (inbox / "ben.ipynb").write_bytes((ROOT / "exercises" / "02_loss_catalog.ipynb")
                                      .read_bytes())
    for cell in solution.cells:
        if "def mse(" in cell.source:
            cell.source = WRONG_MSE
    solution.cells.insert(1, nbformat.v4.new_code_cell("while True:\n    pass"))
    nbformat.write(solution, inbox / "cleo.ipynb")
    out = folder / "grades"
    subprocess.run([sys.executable, "-m", "lossbook.cli", "grade", str(inbox),
                    "--assignment", "02", "--out", str(out), "--timeout", "3", "--seed", "1"],
                   check=True)
    with open(out / "grades.csv") as handle:
        rows = list(csv.reader(handle))
    table = "\n".join("| " + " | ".join(cell.removeprefix("02.") for cell in row) + " |"
                      for row in rows[:1] + [["---"] * len(rows[0])] + rows[1:])
    feedback = (out / "feedback" / "cleo.md").read_text()
    page = MarkdownIt("commonmark").enable("table").render(
        "```text\n$ lossbook grade inbox/ --assignment 02\n```\n\n**grades.csv**\n\n"
        + table + "\n\n**feedback/cleo.md**\n\n" + feedback.replace("# ", "### ", 1))
    html = folder / "report.html"
    html.write_text("<html><body style='font-family: sans-serif; max-width: 1100px; "
                    "margin: 20px; font-size: 15px'><style>table{border-collapse:collapse}"
                    "td,th{border:1px solid #bbb;padding:4px 10px}pre{background:#f4f4f4;"
                    "padding:10px;white-space:pre-wrap}</style>" + page + "</body></html>")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1140, "height": 600})
        page.goto(html.as_uri())
        page.screenshot(path=str(IMAGES / "grading.png"), full_page=True)
        browser.close()


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    browser_images()
    with tempfile.TemporaryDirectory() as folder:
        grading_image(pathlib.Path(folder))
    print("wrote", ", ".join(sorted(p.name for p in IMAGES.glob("*.png"))))


if __name__ == "__main__":
    main()
