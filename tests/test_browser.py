"""The widgets work where learners use them: JupyterLab in a real browser.

JupyterLab is started on 127.0.0.1 with no token on a copy of chapters/ (so that Lab's autosave
cannot touch the repository), Debian's Chromium is driven headless by Playwright, a chapter
that embeds widgets is opened and run, every widget must render its controls and its figure,
and moving a slider must change the figure. Every chapter must typeset all its math, in
JupyterLab and on the course site. Screenshots are kept in test-artifacts/.

Chromium is a system package (`apt-get install chromium`), which .ci/run installs; where it is
missing this test is skipped with that reason, unless LOSSBOOK_REQUIRE_BROWSER=1 (as in CI)
makes it a failure. Playwright never downloads a browser here: it is pointed at Chromium.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
# screenshots; docs/make_tour.py points this at docs/images for the README's tour
ARTIFACTS = pathlib.Path(os.environ.get("LOSSBOOK_ARTIFACTS", ROOT / "test-artifacts"))
CHROMIUM = os.environ.get("LOSSBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
LAB_SETTINGS = {  # no news popup; every cell in the page, so none needs scrolling into view
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def browser_or_skip():
    """Playwright's sync API, or a skip (a failure under LOSSBOOK_REQUIRE_BROWSER=1)."""
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"no Chromium at {CHROMIUM} (install it with `apt-get install "
                       "chromium`, or set LOSSBOOK_CHROMIUM)")
    try:
        from playwright import sync_api
    except ImportError:
        missing.append("Python Playwright is not installed (it comes with the test extra)")
    if missing:
        message = "browser test not run: " + "; ".join(missing)
        if os.environ.get("LOSSBOOK_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return sync_api


def widget_chapters() -> list[pathlib.Path]:
    """Chapters with a cell that displays a lossbook widget."""
    found = []
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        if any(c.cell_type == "code" and "lossbook.widgets" in c.source for c in cells):
            found.append(path)
    return found


def widget_view_count(path: pathlib.Path) -> int:
    """How many widgets the stored notebook displays (its widget-view outputs)."""
    return sum("application/vnd.jupyter.widget-view+json" in output.get("data", {})
               for cell in nbformat.read(path, as_version=4).cells
               if cell.cell_type == "code" for output in cell.outputs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a copy of the chapters: yields its base URL."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "course"
    shutil.copytree(ROOT / "chapters", root / "chapters")
    settings = base / "settings"
    for name, values in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(base / "config"),
               JUPYTER_DATA_DIR=str(base / "data"), JUPYTER_RUNTIME_DIR=str(base / "runtime"),
               IPYTHONDIR=str(base / "ipython"), JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"))
    env.pop("MPLBACKEND", None)  # the notebooks' figures need the inline backend
    port = free_port()
    log = open(base / "lab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=",
         "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={root}"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start:\n" + (base / "lab.log").read_text())
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def run_all_cells(page) -> None:
    page.wait_for_selector("#jp-main-statusbar >> text=Idle", timeout=60_000)
    page.click('#jp-MainMenu .lm-MenuBar-itemLabel:text-is("Run")')
    page.click('.lm-Menu-itemLabel:text-is("Run All Cells")')
    page.wait_for_timeout(500)
    page.wait_for_selector("#jp-main-statusbar >> text=Idle", timeout=120_000)


def figure_source(widget) -> str:
    image = widget.locator("img").first
    return image.get_attribute("src") or ""


def test_widgets_render_and_respond_in_jupyterlab(lab):
    sync_api = browser_or_skip()
    chapters = widget_chapters()
    assert chapters, "no chapter embeds a lossbook widget"
    chapter = chapters[0]
    expected = widget_view_count(chapter)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{lab}/lab/tree/chapters/{chapter.name}?reset")
            run_all_cells(page)
            views = ".jp-OutputArea-output > .jupyter-widgets.widget-box"
            widgets = page.locator(views)
            try:
                page.wait_for_function("([selector, n]) => document.querySelectorAll("
                                       "selector).length >= n", arg=[views, expected],
                                       timeout=60_000)
            finally:
                page.screenshot(path=str(ARTIFACTS / f"jupyterlab_{chapter.stem}.png"))
            assert widgets.count() == expected, f"{widgets.count()} of {expected} rendered"
            for i in range(expected):
                widget = widgets.nth(i)
                widget.scroll_into_view_if_needed()
                widget.locator("img").first.wait_for(timeout=30_000)
                assert figure_source(widget).startswith("data:image/png"), f"widget {i}"
            first = widgets.nth(0)
            first.scroll_into_view_if_needed()
            before = figure_source(first)
            readout = first.locator(".widget-readout").first
            value_before = readout.inner_text()
            handle = first.locator(".noUi-handle").first
            handle.focus()
            for _ in range(5):
                handle.press("ArrowRight")
            page.wait_for_function(
                "([el, src]) => { const img = el.querySelector('img');"
                " return img && img.getAttribute('src') !== src; }",
                arg=[first.element_handle(), before], timeout=30_000)
            assert readout.inner_text() != value_before
            assert figure_source(first) != before
            first.screenshot(path=str(ARTIFACTS / "widget.png"))
        finally:
            browser.close()


@pytest.fixture(scope="module")
def site_server(built_site):
    """The built site over HTTP on 127.0.0.1 (fonts do not load from file:// pages)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(built_site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_chapter_page_of_the_site_renders_its_math_and_figures(site_server):
    sync_api = browser_or_skip()
    chapter = (widget_chapters() or sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")))[0]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1100})
            requests = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(f"{site_server}/chapters/{chapter.stem}.html")
            page.wait_for_function("window.MathJax && MathJax.Hub && MathJax.Hub.queue"
                                   " && MathJax.Hub.queue.pending === 0", timeout=60_000)
            assert page.locator(".MathJax, .MathJax_Display").count() > 0, "no math rendered"
            images = page.locator("article img")
            assert images.count() > 0
            assert all(images.nth(i).evaluate("img => img.naturalWidth > 0")
                       for i in range(images.count())), "an image did not load"
            page.screenshot(path=str(ARTIFACTS / f"site_{chapter.stem}.png"))
        finally:
            browser.close()
    offsite = [url for url in requests if not url.startswith((site_server, "data:", "about:"))]
    assert not offsite, offsite


# What MathJax 2 leaves where it could not typeset: an error box (merror), the TeX shown
# as-is by the noErrors extension (noError), a processing error, or (noUndefined extension)
# an undefined macro's name in red.
MATH_ERRORS = ('.merror, .noError, .MathJax_Error, .MathJax .mtext[style*="color: red"]')
# Pages without math do not load MathJax at all.
MATHJAX_DONE = ("!document.querySelector('script[src*=\"MathJax.js\"]') || (window.MathJax"
                " && MathJax.Hub && MathJax.Hub.queue && MathJax.Hub.queue.pending === 0)")


def math_errors(page) -> list[str]:
    """The TeX of every formula on the page that MathJax could not typeset."""
    return page.locator(MATH_ERRORS).evaluate_all(
        "nodes => nodes.map(n => n.textContent.slice(0, 120))")


# Text a reader sees with a "$" in it: math that was never typeset (a markdown line that
# starts with "+ " inside $...$ becomes a list item, an HTML output not given to MathJax).
RAW_DOLLARS = """() => {
    const walker = document.createTreeWalker(document.querySelector('main') || document.body,
                                             NodeFilter.SHOW_TEXT);
    const found = [];
    while (walker.nextNode()) {
        const node = walker.currentNode;
        if (node.textContent.includes('$') && !node.parentElement.closest(
                'pre, code, script, style, .MathJax_Preview, .MJX_Assistive_MathML'))
            found.push(node.textContent.trim().slice(0, 120));
    }
    return found;
}"""


def test_every_page_of_the_site_typesets_all_its_math(site_server, built_site):
    sync_api = browser_or_skip()
    pages = [path.relative_to(built_site).as_posix() for path in sorted(built_site.rglob("*.html"))
             if not {"_static", "_sources"} & set(path.relative_to(built_site).parts)]
    chapters = [p for p in pages if p.startswith("chapters/")]
    assert len(chapters) >= 13, pages
    failures = {}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            # The check can fail: an undefined macro and an unbalanced brace are reported.
            page.goto(f"{site_server}/{chapters[1]}")
            page.wait_for_function(MATHJAX_DONE, timeout=60_000)
            for tex in ("\\notamacro{x}", "\\frac{1}{"):  # undefined; unbalanced
                page.evaluate("""tex => { const p = document.createElement('p');
                    p.className = 'math'; p.textContent = '\\\\(' + tex + '\\\\)';
                    document.body.appendChild(p);
                    MathJax.Hub.Queue(['Typeset', MathJax.Hub, p]); }""", tex)
            page.wait_for_function(MATHJAX_DONE, timeout=60_000)
            assert len(math_errors(page)) == 2, math_errors(page)
            page.evaluate("document.querySelector('main').append('costs $5 and $x$')")
            assert page.evaluate(RAW_DOLLARS) == ["costs $5 and $x$"]
            for path in pages:
                page.goto(f"{site_server}/{path}")
                page.wait_for_function(MATHJAX_DONE, timeout=60_000)
                if errors := math_errors(page) + page.evaluate(RAW_DOLLARS):
                    failures[path] = errors
        finally:
            browser.close()
    assert not failures, f"formulas MathJax could not typeset: {failures}"


# In JupyterLab (MathJax 3): an error box, or an undefined macro's name drawn in red.
LAB_MATH_ERRORS = 'mjx-merror, mjx-container [style*="color: red"]'
LAB_RAW_DOLLARS = """() => {
    const found = [];
    for (const area of document.querySelectorAll(
            '.jp-MarkdownOutput, .jp-RenderedHTMLCommon.jp-OutputArea-output')) {
        const walker = document.createTreeWalker(area, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const node = walker.currentNode;
            if (node.textContent.includes('$') && !node.parentElement.closest(
                    'pre, code, script, style, mjx-container, mjx-assistive-mml'))
                found.push(node.textContent.trim().slice(0, 120));
        }
    }
    return found;
}"""
SETTLED = """() => { const n = document.querySelectorAll('mjx-container').length;
    const settled = n > 0 && n === window._lossbookMath; window._lossbookMath = n;
    return settled; }"""


def lab_math_problems(page, url: str) -> list[str]:
    """Open a notebook in JupyterLab, let MathJax finish, return what did not typeset."""
    page.goto(url)
    page.wait_for_selector(".jp-MarkdownCell .jp-RenderedMarkdown", timeout=60_000)
    page.wait_for_function(SETTLED, polling=1500, timeout=120_000)
    errors = page.locator(LAB_MATH_ERRORS).evaluate_all(
        "nodes => nodes.map(n => n.textContent.slice(0, 120))")
    return errors + page.evaluate(LAB_RAW_DOLLARS)


def test_every_chapter_typesets_all_its_math_in_jupyterlab(lab):
    sync_api = browser_or_skip()
    # The check can fail: a notebook with an undefined macro, an unbalanced brace and
    # inline math broken by a line that starts with "+ " (markdown makes it a list item).
    bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "One $\\notamacro{x}$, two $\\frac{1}{$, three $a\n+ b$ and $x^2$.")])
    request = urllib.request.Request(
        f"{lab}/api/contents/chapters/zz_bad_math.ipynb", method="PUT",
        data=json.dumps({"type": "notebook", "content": bad}).encode(),
        headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=30)
    chapters = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
    failures = {}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            problems = lab_math_problems(page, f"{lab}/lab/tree/chapters/zz_bad_math.ipynb?reset")
            assert len(problems) == 3, problems
            for chapter in chapters:
                url = f"{lab}/lab/tree/chapters/{chapter.name}?reset"
                if problems := lab_math_problems(page, url):
                    failures[chapter.name] = problems
        finally:
            browser.close()
    assert not failures, f"math JupyterLab could not typeset: {failures}"
