"""Fixtures shared by several test modules."""

import pytest


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The course website, built once per test session (tests/test_site.py, test_browser.py)."""
    pytest.importorskip("sphinx", reason="Sphinx comes with the docs extra (in the test extra)")
    from lossbook.site import build_site

    return build_site(tmp_path_factory.mktemp("site") / "html").parent


@pytest.fixture(autouse=True)
def _mpmath_precision_restored():
    """Tests that raise mpmath's working precision do not leak it into the next test."""
    try:
        import mpmath
    except ImportError:
        yield
        return
    dps = mpmath.mp.dps
    yield
    mpmath.mp.dps = dps
