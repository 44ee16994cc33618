"""Root pytest configuration, so that `pytest` works from any folder."""

import importlib.util
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).parent


def pytest_configure(config):
    # nbval resolves --nbval-sanitize-with from the working directory: pass an absolute path.
    if not getattr(config.option, "nbval_sanitize_with", None):
        config.option.nbval_sanitize_with = str(ROOT / "tests" / "nbval_sanitize.cfg")
    os.environ.setdefault("KERAS_BACKEND", "torch")
    # CI sets this so that a missing frameworks extra fails loudly instead of skipping the
    # PyTorch/Keras parity tests.
    if os.environ.get("LOSSBOOK_REQUIRE_FRAMEWORKS") and not all(
        importlib.util.find_spec(name) for name in ("torch", "keras")
    ):
        raise pytest.UsageError(
            "LOSSBOOK_REQUIRE_FRAMEWORKS is set but torch or keras is missing: "
            "pip install torch==2.13.0 keras"
        )


FRAMEWORK_NOTEBOOK = "10_"  # chapter 10 runs PyTorch and Keras code in its cells


def pytest_collection_modifyitems(config, items):
    """Without the frameworks extra, skip (with the reason) what needs torch or keras: tests
    marked `frameworks` and the cells of chapter 10's notebooks. CI installs the extra and
    sets LOSSBOOK_REQUIRE_FRAMEWORKS, so there nothing is skipped."""
    missing = [name for name in ("torch", "keras") if importlib.util.find_spec(name) is None]
    if not missing:
        return
    reason = (f"needs the frameworks extra ({' and '.join(missing)} not installed): "
              f"pip install torch==2.13.0 keras")
    for item in items:
        path = pathlib.Path(str(item.fspath))
        if item.get_closest_marker("frameworks") or (
                path.suffix == ".ipynb" and path.name.startswith(FRAMEWORK_NOTEBOOK)):
            item.add_marker(pytest.mark.skip(reason=f"{path.name}: {reason}"))
