"""Sphinx configuration of the course website; `lossbook build-site` copies it into the
staging folder next to the prepared chapters (see lossbook/site.py)."""

project = "lossbook"
author = "the lossbook developers"
copyright = "2026, the lossbook developers"

extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# The chapters are shown with the outputs stored in them: building never runs a kernel.
nb_execution_mode = "off"
nb_merge_streams = True
# Widgets are replaced by their figures when staging: no widget JavaScript from a CDN.
nb_ipywidgets_js = {}
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type"]

html_theme = "sphinx_book_theme"
html_title = "lossbook: loss functions in machine learning"
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
}
html_static_path = ["_static"]
html_show_sourcelink = False

# MathJax 2 served with the site (copied from jupyter-server-mathjax): no network needed.
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
# myst-nb marks notebook sections tex2jax_ignore and the math in them with class "math".
# HTML outputs ("output text_html", e.g. the loss catalog table) write $...$ as JupyterLab
# reads it, so they are processed too, with $ as an inline delimiter.
mathjax2_config = {"tex2jax": {"inlineMath": [["\\(", "\\)"], ["$", "$"]],
                               "displayMath": [["\\[", "\\]"]], "processEscapes": True,
                               "processClass": "tex2jax_process|mathjax_process|math|text_html",
                               "ignoreClass": "tex2jax_ignore|mathjax_ignore"},
                   # the package ships the STIX web fonts only (not MathJax's TeX fonts)
                   "HTML-CSS": {"availableFonts": ["STIX-Web"], "webFont": "STIX-Web",
                                "preferredFont": "STIX-Web", "imageFont": None},
                   "messageStyle": "none"}
