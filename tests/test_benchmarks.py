"""Smoke test of the benchmark script: it runs and writes its table (no timing assertions)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOSSES = ("mse", "binary_cross_entropy_with_logits", "cross_entropy")


def test_bench_losses_quick_writes_a_row_per_loss(tmp_path):
    output = tmp_path / "losses.md"
    result = subprocess.run(
        [sys.executable, "benchmarks/bench_losses.py", "--quick", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    rows = [line for line in output.read_text().splitlines() if line.startswith("| `")]
    assert sorted(row.split("`")[1] for row in rows) == sorted(LOSSES)
