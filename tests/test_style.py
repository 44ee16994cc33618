"""The code is ruff clean (the rules are in pyproject.toml)."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).parent.parent


def test_ruff_clean():
    pytest.importorskip("ruff", reason="ruff comes with the test extra")
    paths = [p for p in ("lossbook", "tests", "benchmarks", "conftest.py") if (ROOT / p).exists()]
    result = subprocess.run([sys.executable, "-m", "ruff", "check", *paths], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
