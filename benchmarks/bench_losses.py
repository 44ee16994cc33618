"""Speed and memory of lossbook's value + gradient on large float64 inputs.

Run from the repository root:

    python benchmarks/bench_losses.py                # full sizes, about 30 s
    python benchmarks/bench_losses.py --quick        # tiny sizes, 1 repetition (smoke test)
    python benchmarks/bench_losses.py --output PATH  # default benchmarks/results/losses.md

What it measures, for mse (10**6 elements), binary_cross_entropy_with_logits (10**6 logits,
0/1 targets) and cross_entropy (logits (100000, 100), class indices):

- the median wall time of `loss.value_and_grad(y_true, y_pred)` (mean loss and its gradient
  from one evaluation), next to torch CPU float64 forward + backward and the naive textbook
  numpy formula with its hand-written gradient, all three timed in the same run and
  interleaved, so the reported ratios are meaningful on a busy machine even when the
  absolute times are not;
- the peak memory allocated during one lossbook call and one naive call (tracemalloc, which
  numpy reports its array buffers to), as a multiple of the bytes of y_pred.

Before anything is timed, lossbook's value and gradient are checked against torch (rtol 1e-10)
and the naive formula against lossbook, so a fast wrong answer can never show up as a win.
torch is optional: without it the torch columns say so and the rest still runs.
The markdown table is printed and written to --output with the date, versions and targets.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from _timing import (
    INTERLEAVING_NOTE,
    NO_TORCH,
    Candidate,
    choose_repeats,
    median_times,
    milliseconds,
    run_benchmark,
    table_line,
    torch,
    torch_threads,
)

from lossbook.losses import binary_cross_entropy_with_logits, cross_entropy, mse

# torch itself comes from _timing, the one place that copes with its absence.
F = torch.nn.functional if torch is not None else None

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "losses.md"
MEMORY_TARGET = 3.0  # peak extra memory of one call, in copies of y_pred
# tracemalloc also counts Python's own bookkeeping (a few KB per call): not an array copy.
MEMORY_SLACK = 0.01
# Agreement with torch: both compute the same float64 formulas, so only rounding may differ.
TORCH_RTOL = 1e-10
# The naive formula adds 1e-15 inside its logs, so it may differ from the exact loss in
# the ~15th digit; anything beyond 1e-6 would mean it computes something else.
NAIVE_RTOL = 1e-6
# Repetitions of each case: as many as fit in the time budget, within these bounds, so that
# the median is stable while the full run stays well under a minute on a slow machine.
CASE_BUDGET_S = 8.0
MIN_REPEATS, MAX_REPEATS = 5, 25


@dataclass
class Case:
    """One loss to benchmark: its inputs, its three implementations and its speed target."""

    name: str
    lossbook: object  # a lossbook Loss with value_and_grad
    torch_name: str  # the torch.nn.functional equivalent, called as (pred, target)
    naive: Callable  # (y_true, y_pred) -> (mean loss, gradient)
    make_inputs: Callable  # (rng, quick) -> (y_true, y_pred)
    max_torch_ratio: float | None  # lossbook time / torch time must stay below this


# Naive textbook formulas, as a learner would first write them: no stabilisation and one
# temporary array per operation. They are the "what does the careful version cost" baseline.


def naive_mse(y, p):
    diff = p - y  # shared by value and gradient, as anyone writing both by hand would
    return np.mean(diff**2), 2 * diff / diff.size


def naive_bce_with_logits(y, x):
    p = 1 / (1 + np.exp(-x))
    value = -np.mean(y * np.log(p + 1e-15) + (1 - y) * np.log(1 - p + 1e-15))
    return value, (p - y) / x.size


def naive_cross_entropy(y, logits):
    e = np.exp(logits)  # no max-shift: overflows for logits > 709, fine for these inputs
    p = e / e.sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    value = -np.mean(np.log(p[rows, y]))
    grad = p.copy()
    grad[rows, y] -= 1
    return value, grad / len(y)


def regression_inputs(rng, quick):
    n = 1000 if quick else 10**6
    return rng.standard_normal(n), rng.standard_normal(n)


def binary_inputs(rng, quick):
    n = 1000 if quick else 10**6
    # Standard normal logits keep sigmoid away from 0 and 1, where torch's sigmoid(x) - y
    # would lose relative precision and the rtol 1e-10 agreement check would be unfair.
    return (rng.random(n) < 0.5).astype(np.float64), rng.standard_normal(n)


def multiclass_inputs(rng, quick):
    n, k = (100, 10) if quick else (100_000, 100)
    return rng.integers(0, k, size=n), rng.standard_normal((n, k))


CASES = (
    Case("mse", mse, "mse_loss", naive_mse, regression_inputs, 1.2),
    Case(
        "binary_cross_entropy_with_logits", binary_cross_entropy_with_logits,
        "binary_cross_entropy_with_logits", naive_bce_with_logits, binary_inputs, None,
    ),
    Case(
        "cross_entropy", cross_entropy, "cross_entropy", naive_cross_entropy,
        multiclass_inputs, 1.5,
    ),
)


def torch_candidate(case: Case, y_true, y_pred, name: str = "torch") -> Candidate:
    """Forward + backward in torch on tensors sharing memory with the numpy inputs."""
    loss_fn = getattr(F, case.torch_name)
    pred = torch.from_numpy(y_pred).requires_grad_(True)
    target = torch.from_numpy(y_true)

    def run():
        loss = loss_fn(pred, target)
        loss.backward()
        return loss.item(), pred.grad

    def reset():
        pred.grad = None  # otherwise backward accumulates into the previous gradient

    return Candidate(name, run, reset)


def candidates(case: Case, y_true, y_pred) -> list[Candidate]:
    out = [
        Candidate("lossbook", lambda: case.lossbook.value_and_grad(y_true, y_pred)),
        Candidate("naive", lambda: case.naive(y_true, y_pred)),
    ]
    if torch is not None:
        out.insert(1, torch_candidate(case, y_true, y_pred))
    return out


def as_numpy(result):
    """(value, gradient) of any candidate as (float, float64 ndarray)."""
    value, grad = result
    if torch is not None and isinstance(grad, torch.Tensor):
        grad = grad.numpy()
    return float(value), np.asarray(grad)


def check_agreement(name: str, result, reference, rtol: float, what: str) -> None:
    """Stop the benchmark if a candidate's value or gradient differs from the reference."""
    (value, grad), (ref_value, ref_grad) = as_numpy(result), as_numpy(reference)
    np.testing.assert_allclose(value, ref_value, rtol=rtol, err_msg=f"{name}: {what} value")
    np.testing.assert_allclose(grad, ref_grad, rtol=rtol, err_msg=f"{name}: {what} gradient")


def check_case(case: Case, timed: list[Candidate]) -> None:
    """lossbook against torch (when present), naive against lossbook."""
    results = {c.name: c.run() for c in timed}
    if "torch" in results:
        check_agreement(case.name, results["lossbook"], results["torch"], TORCH_RTOL,
                        "lossbook vs torch")
    check_agreement(case.name, results["naive"], results["lossbook"], NAIVE_RTOL,
                    "naive vs lossbook")
    for candidate in timed:
        candidate.reset()


def peak_extra_bytes(fn: Callable[[], object]) -> int:
    """Peak bytes allocated during fn(), its result included (the gradient is one copy)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run_case(case: Case, rng, quick: bool) -> dict:
    y_true, y_pred = case.make_inputs(rng, quick)
    timed = candidates(case, y_true, y_pred)
    check_case(case, timed)
    repeats = choose_repeats(timed, quick, budget_s=CASE_BUDGET_S,
                             min_repeats=MIN_REPEATS, max_repeats=MAX_REPEATS)
    seconds = median_times(timed, repeats)
    if torch is not None:
        # numpy's element-wise operations use one core: time torch on one core too, in a
        # block of its own, against lossbook again, so that this ratio compares like with like.
        with torch_threads(1):
            single = median_times([timed[0], torch_candidate(case, y_true, y_pred, "torch1")],
                                  repeats)
        seconds["torch1"] = single["torch1"]
        seconds["lossbook_vs_torch1"] = single["lossbook"]
    # tracemalloc sees numpy's buffers but not torch's, so only the numpy candidates get one.
    memory = {c.name: peak_extra_bytes(c.run) / y_pred.nbytes
              for c in timed if not c.name.startswith("torch")}
    return {"case": case, "shape": y_pred.shape, "seconds": seconds, "memory": memory,
            "repeats": repeats}


def target_status(row: dict) -> str:
    case, seconds, memory = row["case"], row["seconds"], row["memory"]
    misses = []
    if case.max_torch_ratio is not None and "torch" in seconds:
        ratio = seconds["lossbook"] / seconds["torch"]
        if ratio > case.max_torch_ratio:
            misses.append(f"time {ratio:.2f}x > {case.max_torch_ratio}x torch")
    if memory["lossbook"] > MEMORY_TARGET + MEMORY_SLACK:
        misses.append(f"memory {memory['lossbook']:.2f} > {MEMORY_TARGET:g} copies")
    if misses:
        return "no: " + "; ".join(misses)
    if case.max_torch_ratio is not None and "torch" not in seconds:
        return "memory yes; time n/a (" + NO_TORCH + ")"
    return "yes"


def table_row(row: dict) -> str:
    seconds, memory = row["seconds"], row["memory"]
    lossbook = seconds["lossbook"]
    has_torch = "torch" in seconds
    cells = [
        f"`{row['case'].name}`",
        " x ".join(str(d) for d in row["shape"]),
        milliseconds(lossbook),
        milliseconds(seconds["torch"]) if has_torch else NO_TORCH,
        milliseconds(seconds["torch1"]) if has_torch else NO_TORCH,
        milliseconds(seconds["naive"]),
        f"{lossbook / seconds['torch']:.2f}" if has_torch else NO_TORCH,
        f"{seconds['lossbook_vs_torch1'] / seconds['torch1']:.2f}" if has_torch else NO_TORCH,
        f"{lossbook / seconds['naive']:.2f}",
        f"{memory['lossbook']:.2f}",
        f"{memory['naive']:.2f}",
        str(row["repeats"]),
        target_status(row),
    ]
    return table_line(cells)


HEADER = (
    "| loss | y_pred shape | lossbook ms | torch ms | torch 1-thread ms | naive ms "
    "| lossbook / torch | lossbook / torch 1-thread | lossbook / naive "
    "| lossbook peak mem (x input) | naive peak mem (x input) | repetitions | target met |"
)


def method_text() -> str:
    return (
        "Times are medians of interleaved repetitions (lossbook, torch, naive, lossbook, ...) "
        "after a warm-up, float64 on the CPU, value and gradient of the mean loss. "
        + INTERLEAVING_NOTE
    )


def targets_text() -> list[str]:
    return [
        "- `cross_entropy`: lossbook time within 1.5x of torch (default threads)",
        "- `mse`: lossbook time within 1.2x of torch (default threads)",
        f"- every loss: peak extra memory of one lossbook call <= {MEMORY_TARGET:g} copies of "
        "y_pred (its gradient is one of them)",
    ]


def main(argv=None) -> None:
    run_benchmark(argv, doc=__doc__, default_output=DEFAULT_OUTPUT, cases=CASES,
                  run_case=run_case, header=HEADER, table_row=table_row,
                  title="lossbook loss benchmark", targets=targets_text(), method=method_text())


if __name__ == "__main__":
    main()
