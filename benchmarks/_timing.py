"""What the benchmark scripts share: interleaved timing, torch's thread count, the report.

Not a benchmark itself: `bench_losses.py`, `bench_optim.py` and `bench_models.py` import it
(Python puts the script's folder, benchmarks/, on sys.path, so `import _timing` works when
they are run as `python benchmarks/bench_*.py` from the repository root).

The timing method: every candidate runs once as a warm-up, then all candidates run in turn
(a, b, c, a, b, c, ...) and each one's median is kept, so that load from other processes
hits all of them alike and the ratios measured in one run stay meaningful.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

try:
    import torch
except ImportError:  # torch is an optional extra ("frameworks"); the benchmarks run without it
    torch = None

NO_TORCH = "torch not installed"

# Why lossbook / torch moves between runs even though the candidates are interleaved; every
# report says it after its own description of what was timed.
INTERLEAVING_NOTE = (
    "Compare the ratios, measured in the same run; the absolute times depend on the machine's "
    "load. Interleaving does not cancel one effect: torch's multi-threaded kernels slow down far "
    "more than numpy's single-threaded ones when other processes keep the cores busy, so "
    "lossbook / torch is only comparable between runs on an equally idle machine. The "
    "1-thread torch column compares like with like."
)


@dataclass
class Candidate:
    """A timed implementation; reset runs after each call, outside the timed region."""

    name: str
    run: Callable[[], object]
    reset: Callable[[], None] = lambda: None


@contextlib.contextmanager
def torch_threads(n: int):
    """torch on n threads; switched once per block, since waking a resized thread pool on
    every call would be timed too."""
    default = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(default)


def time_call(candidate: Candidate) -> float:
    start = time.perf_counter()
    result = candidate.run()
    elapsed = time.perf_counter() - start
    del result  # freed outside the timed region, like torch's gradient in reset()
    candidate.reset()
    return elapsed


def choose_repeats(candidates: list[Candidate], quick: bool, *, budget_s: float,
                   min_repeats: int, max_repeats: int) -> int:
    """Run every candidate once as warm-up; its duration sizes the number of repetitions."""
    round_time = sum(time_call(c) for c in candidates)
    if quick:
        return 1
    return int(np.clip(budget_s // max(round_time, 1e-9), min_repeats, max_repeats))


def median_times(candidates: list[Candidate], repeats: int) -> dict[str, float]:
    """Median seconds per candidate, interleaved so that machine noise hits all of them alike."""
    samples = {c.name: [] for c in candidates}
    for _ in range(repeats):
        for candidate in candidates:
            samples[candidate.name].append(time_call(candidate))
    return {name: statistics.median(times) for name, times in samples.items()}


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1e3:.3g}"  # 3 significant digits: 257, 11.4, and 0.0412 in --quick


def table_line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def markdown_table(header: str, lines: list[str]) -> str:
    """header ("| a | b |") and its separator, then the lines built with table_line."""
    separator = "|" + "---|" * header.count(" | ") + "---|"
    return "\n".join([header, separator, *lines])


def environment(extra: tuple[str, ...] = ()) -> list[str]:
    """Date, versions and CPU count as markdown list items, then the script's own extra items
    (e.g. the versions of the library it compares with)."""
    torch_version = torch.__version__ if torch is not None else NO_TORCH
    threads = str(torch.get_num_threads()) if torch is not None else NO_TORCH
    return [
        f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}",
        f"- python {platform.python_version()}, numpy {np.__version__}, torch {torch_version}",
        f"- CPU count: {os.cpu_count()}; torch threads: {threads} (torch's default; numpy's "
        "element-wise operations run on one thread)",
        *extra,
    ]


def report(title: str, quick: bool, targets: list[str], method: str, table: str,
           extra_environment: tuple[str, ...] = ()) -> str:
    """The markdown document: title, mode, environment, targets, method, then the table."""
    mode = "quick (tiny sizes, 1 repetition: a smoke test, not a measurement)" if quick else "full"
    lines = [f"# {title}", "", f"Mode: {mode}", "", *environment(extra_environment), "",
             "Targets:", *targets, "", method, "", table, ""]
    return "\n".join(lines)


def parse_args(description: str, default_output: Path, argv=None) -> argparse.Namespace:
    """The flags every benchmark takes: --quick and --output."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes and one repetition, to check that the script runs")
    parser.add_argument("--output", type=Path, default=default_output,
                        help=f"where to write the markdown table (default {default_output})")
    return parser.parse_args(argv)


def publish(text: str, output: Path) -> None:
    """Print the report and write it to output (its folder is created if needed)."""
    print(text)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)


def run_benchmark(argv, *, doc: str, default_output: Path, cases, run_case: Callable,
                  header: str, table_row: Callable, title: str, targets: list[str],
                  method: str, extra_environment: tuple[str, ...] = ()) -> None:
    """A benchmark script's main: parse the flags, run_case(case, rng, quick) for each case,
    then print and write the report with one table_row(result) per case; extra_environment
    adds list items after the standard environment lines."""
    args = parse_args(doc.splitlines()[0], default_output, argv)
    rng = np.random.default_rng(0)  # fixed inputs, so runs differ only by machine noise
    rows = [run_case(case, rng, args.quick) for case in cases]
    table = markdown_table(header, [table_row(r) for r in rows])
    text = report(title, args.quick, targets, method, table, extra_environment)
    publish(text, args.output)
