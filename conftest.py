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
