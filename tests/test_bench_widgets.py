"""Smoke test of benchmarks/bench_widgets.py: it runs and writes its table (no timing asserted)."""

import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Rows per widget: descent_playground has one per problem.
WIDGET_ROWS = {"loss_explorer": 1, "outlier_explorer": 1, "likelihood_explorer": 1,
               "descent_playground": 3, "batch_size_explorer": 1, "margin_explorer": 1,
               "training_monitor": 1}


def test_bench_widgets_quick_writes_a_row_per_widget(tmp_path):
    output = tmp_path / "widgets.md"
    result = subprocess.run(
        [sys.executable, "benchmarks/bench_widgets.py", "--quick", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    text = output.read_text()
    assert "Mode: quick" in text
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert Counter(row.split("`")[1] for row in rows) == WIDGET_ROWS
    # every row has a number in its "change → PNG ms" column
    assert all(float(row.split(" | ")[3]) > 0 for row in rows)

