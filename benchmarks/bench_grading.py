"""Wall time of `lossbook grade` on a folder of 40 submissions of one assignment.

Run from the repository root:

    python benchmarks/bench_grading.py                # 40 submissions, --jobs 2 and 1
    python benchmarks/bench_grading.py --quick        # 4 submissions (smoke test)
    python benchmarks/bench_grading.py --output PATH  # default benchmarks/results/grading.md

The folder mixes what an instructor receives for assignment 02: complete solutions, untouched
exercise notebooks, a wrong answer, and noisy notebooks (an exception, an endless loop that
the per-cell time limit stops after --timeout seconds, a sys.exit). Each is graded in its own
sandboxed process, as `lossbook grade` does.

The reference, measured in the same run, is the floor of that design: the same number of
fresh `python -I -c "import lossbook.exercises"` processes on the same number of workers.
Target (issue 5): under 120 s for 40 submissions with --jobs 2 on a 2-core machine.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import _timing
import nbformat

from lossbook.exercises.grade import Limits, grade

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "benchmarks" / "results" / "grading.md"
SOLUTION = ROOT / "solutions" / "02_loss_catalog.ipynb"
EXERCISE = ROOT / "exercises" / "02_loss_catalog.ipynb"
TIMEOUT = 3.0  # seconds per cell: what the endless loops cost


def _noisy(source: str):
    notebook = nbformat.read(SOLUTION, as_version=4)
    notebook.cells.insert(1, nbformat.v4.new_code_cell(source))
    return notebook


def make_inbox(folder: Path, n: int) -> Path:
    """n submissions: mostly complete, some untouched, some wrong, a few noisy."""
    kinds = [lambda: nbformat.read(SOLUTION, as_version=4),
             lambda: nbformat.read(EXERCISE, as_version=4),
             lambda: _noisy("1 / 0"),
             lambda: _noisy("import sys\nsys.exit()"),
             lambda: nbformat.read(SOLUTION, as_version=4),
             lambda: _noisy("def mse(y, p):\n    return 0.0\nmse = mse"),
             lambda: nbformat.read(SOLUTION, as_version=4),
             lambda: nbformat.read(SOLUTION, as_version=4),
             lambda: nbformat.read(SOLUTION, as_version=4),
             lambda: _noisy("while True:\n    pass")]
    inbox = folder / "inbox"
    inbox.mkdir()
    for i in range(n):
        nbformat.write(kinds[i % len(kinds)](), inbox / f"student{i:03d}.ipynb")
    return inbox


def grading_time(inbox: Path, out: Path, jobs: int) -> float:
    started = time.perf_counter()
    grade([inbox], "02", out, jobs=jobs, limits=Limits(timeout=TIMEOUT), seed=0,
          log=lambda line: None)
    return time.perf_counter() - started


def reference_time(n: int, jobs: int) -> float:
    command = [sys.executable, "-I", "-c", "import lossbook.exercises"]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(lambda _: subprocess.run(command, check=True), range(n)))
    return time.perf_counter() - started


def main(argv=None) -> None:
    args = _timing.parse_args(__doc__.splitlines()[0], DEFAULT_OUTPUT, argv)
    n = 4 if args.quick else 40
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        inbox = make_inbox(Path(folder), n)
        for jobs in (2, 1):
            seconds = grading_time(inbox, Path(folder) / f"out{jobs}", jobs)
            floor = reference_time(n, jobs)
            rows.append(_timing.table_line([
                f"`grade --jobs {jobs}`", str(n), f"{seconds:.1f}", f"{seconds / n:.2f}",
                f"{floor:.1f}", f"{seconds / floor:.1f}"]))
    table = _timing.markdown_table(
        "| command | submissions | seconds | s per submission | reference: bare processes (s) "
        "| ratio |", rows)
    method = (f"Each submission is graded from scratch (no earlier results); cells get "
              f"--timeout {TIMEOUT:g} s, so each notebook with an endless loop costs that "
              "much. The reference starts the same number of bare Python processes that "
              "import lossbook.exercises, on the same number of workers; the ratio, measured "
              "in the same run, is what survives a busy machine.")
    text = _timing.report("Grading a folder of submissions", args.quick,
                          ["- 40 submissions with --jobs 2: under 120 s"], method, table)
    _timing.publish(text, args.output)


if __name__ == "__main__":
    main()
