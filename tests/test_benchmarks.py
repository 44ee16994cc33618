"""Smoke tests of the benchmark scripts: they run and write their tables (no timing assertions)."""

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOSSES = ("mse", "binary_cross_entropy_with_logits", "cross_entropy")
OPTIMIZERS = ("SGD", "Adagrad", "RMSprop", "Adam", "AdamW")
# Rows of bench_models.py per estimator: LogisticRegression has four (2 and 3 classes, each
# against scikit-learn's lbfgs and newton-cholesky solvers).
MODEL_ROWS = {"LinearRegression": 1, "Ridge": 1, "Lasso": 1, "HuberRegressor": 1,
              "LogisticRegression": 4, "SoftMarginSVM": 1}


def quick_run_row_names(script: str, output: Path) -> list[str]:
    """Run `python benchmarks/<script> --quick --output output`; the names of its table rows."""
    result = subprocess.run(
        [sys.executable, f"benchmarks/{script}", "--quick", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    rows = [line for line in output.read_text().splitlines() if line.startswith("| `")]
    return sorted(row.split("`")[1] for row in rows)


def test_bench_losses_quick_writes_a_row_per_loss(tmp_path):
    assert quick_run_row_names("bench_losses.py", tmp_path / "losses.md") == sorted(LOSSES)


def test_bench_optim_quick_writes_a_row_per_optimizer(tmp_path):
    assert quick_run_row_names("bench_optim.py", tmp_path / "optim.md") == sorted(OPTIMIZERS)


def test_bench_models_quick_writes_rows_for_every_estimator(tmp_path):
    pytest.importorskip("sklearn", reason="scikit-learn comes with the test extra")
    names = quick_run_row_names("bench_models.py", tmp_path / "models.md")
    assert Counter(names) == MODEL_ROWS


def test_bench_grading_quick_writes_a_row_per_job_count(tmp_path):
    names = quick_run_row_names("bench_grading.py", tmp_path / "grading.md")
    assert names == ["grade --jobs 1", "grade --jobs 2"]


def test_bench_chapters_quick_writes_a_row_for_the_first_chapter(tmp_path):
    assert quick_run_row_names("bench_chapters.py", tmp_path / "chapters.md") == [
        "00_welcome.ipynb"]
