"""Fixtures shared by several test modules."""

import pytest


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The course website, built once per test session (tests/test_site.py, test_browser.py)."""
    pytest.importorskip("sphinx", reason="Sphinx comes with the docs extra (in the test extra)")
    from lossbook.site import build_site

    return build_site(tmp_path_factory.mktemp("site") / "html").parent
