"""Wall time of every chapter, run top to bottom in a fresh kernel, as a learner runs it.

Run from the repository root:

    python benchmarks/bench_chapters.py                # every chapter, then the reference
    python benchmarks/bench_chapters.py --quick        # chapter 00 only (smoke test)
    python benchmarks/bench_chapters.py --output PATH  # default benchmarks/results/chapters.md

Each notebook is executed by nbclient in a new kernel, in its own folder, with matplotlib's
inline backend, exactly as "Restart kernel and run all cells" does in JupyterLab.

The reference, measured in the same run, is the floor every chapter pays: a fresh kernel that
runs one cell importing numpy, matplotlib and lossbook and drawing one small figure. Target
(issues 7-9): every chapter under 30 s on a quiet 2-core machine.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import _timing
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "benchmarks" / "results" / "chapters.md"
BUDGET_S = 30.0
FLOOR_CELL = """\
import matplotlib.pyplot as plt
import numpy as np
import lossbook
fig, ax = plt.subplots()
ax.plot(np.arange(10))
plt.show()
"""


def run_notebook(notebook, folder: Path) -> float:
    """Seconds to start a kernel and execute every cell of notebook."""
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}})
    started = time.perf_counter()
    client.execute()
    return time.perf_counter() - started


def floor_time() -> float:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_CELL)])
    return run_notebook(notebook, ROOT / "chapters")


def main(argv=None) -> None:
    args = _timing.parse_args(__doc__.splitlines()[0], DEFAULT_OUTPUT, argv)
    os.environ.pop("MPLBACKEND", None)  # a headless default (Agg) would hide the figure cost
    os.environ.setdefault("KERAS_BACKEND", "torch")
    chapters = sorted((ROOT / "chapters").glob("*.ipynb"))
    if args.quick:
        chapters = chapters[:1]
    seconds = {path.name: run_notebook(nbformat.read(path, as_version=4), path.parent)
               for path in chapters}
    floor = floor_time()
    rows = [_timing.table_line([f"`{name}`", f"{s:.1f}", f"{s / floor:.1f}",
                                "yes" if s < BUDGET_S else "**no**"])
            for name, s in seconds.items()]
    table = _timing.markdown_table(
        f"| chapter | seconds | ratio to the reference ({floor:.1f} s) | under {BUDGET_S:g} s |",
        rows)
    method = ("Each chapter runs once, top to bottom, in a fresh kernel (kernel start "
              "included). The reference is a fresh kernel that imports numpy, matplotlib and "
              "lossbook and draws one figure; the ratio, measured in the same run, is what "
              "survives a busy machine. Chapter 10 includes importing torch and Keras.")
    text = _timing.report("Chapters in a fresh kernel", args.quick,
                          [f"- every chapter under {BUDGET_S:g} s on a quiet 2-core machine"],
                          method, table)
    _timing.publish(text, args.output)


if __name__ == "__main__":
    main()
