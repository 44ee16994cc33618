"""Every notebook is committed as run top to bottom in one fresh kernel, outputs stored.

nbval compares each cell's fresh output with the stored one, so a notebook committed without
outputs would pass it while showing the learner (and the course site) nothing. A run in a
fresh kernel numbers the code cells 1, 2, 3, ... in order; anything else means cells were
skipped, rerun or run out of order.
"""

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted([*ROOT.glob("chapters/*.ipynb"), *ROOT.glob("solutions/*.ipynb"),
                    *ROOT.glob("exercises/*.ipynb")])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_code_cells_were_run_once_in_order(path):
    notebook = nbformat.read(path, as_version=4)
    counts = [cell.execution_count for cell in notebook.cells if cell.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts}; run it top to bottom in a fresh kernel "
        "(`jupyter nbconvert --to notebook --execute --inplace`) and commit the outputs")
