"""Responsiveness of lossbook.widgets: from a control change to the finished PNG frame.

Run from the repository root:

    python benchmarks/bench_widgets.py                # print the table, about a minute
    python benchmarks/bench_widgets.py --write        # ... and write benchmarks/results/widgets.md
    python benchmarks/bench_widgets.py --quick        # 1 repetition (smoke test)
    python benchmarks/bench_widgets.py --output PATH  # write the table there

What it measures, for each widget and the control a learner moves most:

- "change": setting the control's `.value` from Python, as the frontend does, until the
  widget's handler returns, i.e. the pure function recomputed, the moving artists updated,
  the frame drawn with Agg and encoded to PNG, and the Output widget's image replaced. Each
  repetition sets a new value of a fixed cycle, so nothing is served from a cache;
- "pure function": the computation alone, on the same values;
- "naive": the same update drawn the simple way, by `fig.savefig(format="png")` (every
  artist, ticks and legends included, drawn again and encoded by Pillow), on a second
  instance of the widget so that the two do not share axis limits: the reference for the
  ratio, measured in the same run and interleaved (see benchmarks/_timing.py);
- the share of changes that rebuilt the static background (axis limits moved);
- the CPU time of a change (time.process_time), next to its wall time: on a machine busy
  with other processes the wall time grows with the load, the CPU time much less.

Targets (absolute medians, the issue's): below 50 ms per change, below 150 ms for
descent_playground at 500 steps. training_monitor has no control to move: its row times a
whole run (Start), for information.
"""

from __future__ import annotations

import argparse
import datetime
import io
import itertools
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ipywidgets
import matplotlib
import numpy as np
from _timing import (
    Candidate,
    choose_repeats,
    markdown_table,
    median_times,
    milliseconds,
    publish,
    table_line,
)

from lossbook import widgets
from lossbook.optim import History, LivePlot, minimize

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "widgets.md"
TARGET_MS, DESCENT_TARGET_MS = 50.0, 150.0
# Repetitions per row: as many as fit in the budget, within these bounds (a change takes
# 10-150 ms, so the whole run stays around a minute on a slow machine).
ROW_BUDGET_S = 4.0
MIN_REPEATS, MAX_REPEATS = 9, 30


@dataclass
class Case:
    """One widget, the control that is moved, the values it takes in turn, its target."""

    name: str
    make: Callable[[], object]  # builds the widget
    control: str
    values: list
    target_ms: float | None
    setup: dict = field(default_factory=dict)  # control values set before timing
    note: str = ""


def back_and_forth(values) -> list:
    """a, b, ..., z, y, ..., b: a cycle in which consecutive values always differ."""
    values = list(values)
    return values + values[-2:0:-1]


CASES = [
    Case("loss_explorer", widgets.loss_explorer, "delta",
         back_and_forth(np.linspace(0.2, 2.9, 12)), TARGET_MS,
         note="mse, mae, huber; 601 points"),
    Case("outlier_explorer", widgets.outlier_explorer, "outlier_y",
         back_and_forth(np.linspace(-9.0, 39.0, 12)), TARGET_MS,
         note="20 points; OLS, exact LAD, Huber"),
    Case("likelihood_explorer", widgets.likelihood_explorer, "prediction",
         back_and_forth(np.linspace(-3.0, 3.0, 12)), TARGET_MS, note="gaussian"),
    Case("descent_playground", widgets.descent_playground, "lr",
         back_and_forth(np.geomspace(0.02, 0.3, 12)), DESCENT_TARGET_MS,
         setup={"optimizer": "Adam", "steps": 500}, note="quadratic, Adam, 500 steps"),
    Case("descent_playground", widgets.descent_playground, "lr",
         back_and_forth(np.geomspace(0.01, 0.1, 12)), DESCENT_TARGET_MS,
         setup={"problem": "rosenbrock", "optimizer": "Adam", "steps": 500},
         note="rosenbrock, Adam, 500 steps"),
    Case("descent_playground", widgets.descent_playground, "lr",
         back_and_forth(np.geomspace(0.02, 0.3, 12)), DESCENT_TARGET_MS,
         setup={"problem": "logistic regression", "optimizer": "Adam", "steps": 500},
         note="logistic regression (100 samples), Adam, 500 steps"),
    Case("batch_size_explorer", widgets.batch_size_explorer, "lr",
         back_and_forth(np.geomspace(0.01, 0.2, 12)), TARGET_MS,
         note="batch sizes 1, 8, 40; 3 epochs (138 steps)"),
    Case("margin_explorer", widgets.margin_explorer, "C",
         back_and_forth(np.geomspace(0.01, 100.0, 12)), TARGET_MS,
         note="40 points, SMO"),
]
MONITOR_STEPS, MONITOR_EVERY = 100, 10
QUICK_MONITOR_STEPS = 20  # --quick: the monitor row only has to run


def cycling(values) -> Callable[[], object]:
    """Each call returns the next value of the cycle."""
    iterator = itertools.cycle(values)
    return lambda: next(iterator)


def naive_frame(widget, values: dict) -> bytes:
    """The simple way: compute, update the plot, and savefig the whole figure as PNG."""
    state = widget.compute(values)
    widget.plot.update(state)
    buffer = io.BytesIO()
    widget.figure.savefig(buffer, format="png", dpi=widget.figure.dpi)
    return buffer.getvalue()


def widget_candidates(case: Case, quick: bool) -> tuple[list[Candidate], object]:
    widget = case.make()
    # --quick only checks that everything runs: one instance does for both.
    reference = widget if quick else case.make()
    for w in (widget, reference):
        for key, value in case.setup.items():
            w.controls[key].value = value
    base = widget.values
    next_change, next_compute, next_naive = (cycling(case.values) for _ in range(3))

    def change():
        widget.controls[case.control].value = next_change()
        return widget.png

    def compute():
        return widget.compute({**base, case.control: next_compute()})

    def naive():
        return naive_frame(reference, {**base, case.control: next_naive()})

    candidates = [Candidate("change", change), Candidate("compute", compute),
                  Candidate("naive", naive)]
    return candidates, widget


def monitor_candidates(steps: int) -> tuple[list[Candidate], object]:
    monitor = widgets.training_monitor(steps=steps, every=MONITOR_EVERY)
    problem, lr = monitor.problem, monitor.controls["lr"].value

    def start():
        return monitor.start()

    def compute():
        return minimize(problem, problem.x0, widgets.make_optimizer("Adam", lr), steps=steps)

    class SavefigLivePlot(LivePlot):
        """LivePlot's figure, each redraw rendered by savefig (the naive reference)."""

        def update(self, history: History, final: bool = False) -> None:
            if history.loss and (final or history.steps % self.every == 0):
                self.figure(history).savefig(io.BytesIO(), format="png")

    def naive():
        return minimize(problem, problem.x0, widgets.make_optimizer("Adam", lr),
                        steps=steps, live=SavefigLivePlot(MONITOR_EVERY))

    return [Candidate("change", start), Candidate("compute", compute),
            Candidate("naive", naive)], monitor


def with_cpu_time(candidate: Candidate, samples: list) -> Candidate:
    """The same candidate, also recording the CPU time of each call into samples."""

    def run():
        start = time.process_time()
        result = candidate.run()
        samples.append(time.process_time() - start)
        return result

    return Candidate(candidate.name, run, candidate.reset)


def run_row(candidates, widget, quick: bool) -> dict:
    cpu = []
    candidates = [with_cpu_time(candidates[0], cpu), *candidates[1:]]
    repeats = choose_repeats(candidates, quick, budget_s=ROW_BUDGET_S,
                             min_repeats=MIN_REPEATS, max_repeats=MAX_REPEATS)
    cpu.clear()  # the warm-up call is not a sample
    view = getattr(getattr(widget, "plot", None), "view", None)
    draws_before = view.full_draws if view is not None else 0
    seconds = median_times(candidates, repeats)
    rebuilt = (view.full_draws - draws_before) / repeats if view is not None else None
    return {"seconds": seconds, "cpu": statistics.median(cpu), "repeats": repeats,
            "rebuilt": rebuilt}


def status(ms: float, cpu_ms: float, target: float | None) -> str:
    if target is None:
        return "n/a (information)"
    if ms < target:
        return "yes"
    busy = f"; CPU {cpu_ms:.0f} ms < {target:g}: the machine was busy" if cpu_ms < target else ""
    return f"no: {ms:.0f} ms > {target:g} ms{busy}"


def table_row(name, control, note, result, target) -> str:
    seconds = result["seconds"]
    rebuilt = result["rebuilt"]
    return table_line([
        f"`{name}`", control, note, milliseconds(seconds["change"]),
        milliseconds(result["cpu"]), milliseconds(seconds["compute"]),
        milliseconds(seconds["naive"]), f"{seconds['change'] / seconds['naive']:.2f}",
        "-" if rebuilt is None else f"{rebuilt:.0%}",
        "-" if target is None else f"< {target:g}", str(result["repeats"]),
        status(seconds["change"] * 1e3, result["cpu"] * 1e3, target),
    ])


HEADER = ("| widget | control changed | setting | change → PNG ms | change CPU ms "
          "| pure function ms | naive (savefig) ms | change / naive | background rebuilt "
          "| target ms | repetitions | target met |")


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (1 min), {five:.1f} (5 min)"


def environment(load_before: str) -> list[str]:
    return [
        f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}",
        f"- python {platform.python_version()}, numpy {np.__version__}, matplotlib "
        f"{matplotlib.__version__} (Agg), ipywidgets {ipywidgets.__version__}",
        f"- CPU count: {os.cpu_count()}; load average before the run {load_before}, "
        f"after it {load()}",
    ]


METHOD = (
    "Times are medians of interleaved repetitions (change, pure function, naive, change, "
    "...) after a warm-up round. \"change\" sets the control's value in Python, which runs "
    "the widget's handler synchronously: pure function, plot update, Agg drawing of the "
    "moving artists over the cached static background, PNG encoding, Output update; no "
    "browser is involved, so the time to send the PNG to the frontend and paint it is not "
    "included. \"naive\" draws the same update by `savefig` on a second instance of the "
    "widget. \"change CPU\" is the CPU time of the same calls (time.process_time), which "
    "other processes' load inflates much less than the wall time. "
    "\"background rebuilt\" is the share of changes after which the axis limits "
    "moved and the whole figure had to be drawn again. The training_monitor row times one "
    f"Start ({MONITOR_STEPS} steps of Adam on its logistic regression, a frame every "
    f"{MONITOR_EVERY} steps plus the final one); its naive reference renders each of "
    "LivePlot's frames with savefig. Compare the ratios, measured in the same run; the "
    "absolute times depend on the machine and its load."
)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="one repetition, to check that the script runs")
    parser.add_argument("--write", action="store_true",
                        help=f"write the table to --output (default {DEFAULT_OUTPUT})")
    parser.add_argument("--output", type=Path, default=None,
                        help="where to write the table (implies --write)")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    load_before = load()
    lines = []
    for case in CASES:
        candidates, widget = widget_candidates(case, args.quick)
        result = run_row(candidates, widget, args.quick)
        lines.append(table_row(case.name, case.control, case.note, result, case.target_ms))
    steps = QUICK_MONITOR_STEPS if args.quick else MONITOR_STEPS
    candidates, monitor = monitor_candidates(steps)
    result = run_row(candidates, monitor, args.quick)
    lines.append(table_row("training_monitor", "Start button",
                           f"Adam, {steps} steps, {steps // MONITOR_EVERY + 1} frames",
                           result, None))
    mode = ("quick (1 repetition: a smoke test, not a measurement)" if args.quick else "full")
    targets = [f"- every widget: a control change gives a finished frame in < {TARGET_MS:g} ms "
               "(median)",
               f"- descent_playground at 500 steps: < {DESCENT_TARGET_MS:g} ms (median)"]
    text = "\n".join(["# lossbook widget benchmark", "", f"Mode: {mode}", "",
                      *environment(load_before),
                      "", "Targets:", *targets, "", METHOD, "",
                      markdown_table(HEADER, lines), ""])
    if args.write or args.output is not None:
        publish(text, args.output or DEFAULT_OUTPUT)
    else:
        print(text)


if __name__ == "__main__":
    main()
