"""Speed of one lossbook.optim step on 10**6 float64 parameters, next to torch.optim.

Run from the repository root:

    python benchmarks/bench_optim.py                # full size, about 40 s
    python benchmarks/bench_optim.py --quick        # 1000 parameters, 1 repetition (smoke test)
    python benchmarks/bench_optim.py --output PATH  # default benchmarks/results/optim.md

What it measures, for SGD(lr=0.01, momentum=0.9), Adagrad(lr=0.01), RMSprop(lr=0.01),
Adam(lr=0.001) and AdamW(lr=0.001), with the same hyper-parameters in both libraries:

- the median wall time of `params = opt.step(params, grad)` (lossbook returns new parameters
  and never mutates its inputs) next to torch's `opt.step()` on one 10**6-element float64
  tensor whose .grad is a fixed gradient, on torch's single-tensor path (foreach=False) and
  its multi-tensor path (foreach=True), all three interleaved in the same run after a few
  warm-up steps, so that the optimizer state (momentum buffers, moving averages) exists and
  the ratios are meaningful on a busy machine even when the absolute times are not;
- the same again with torch on 1 thread, in a block of its own (numpy's element-wise
  operations run on one thread, so this compares like with like).

Before anything is timed, lossbook's iterates are checked against torch's (rtol 1e-10, both
paths) for a few steps from the same start with the same gradients, so a fast wrong update
can never show up as a win. torch is optional: without it the torch columns say so.
The markdown table is printed and written to --output with the date, versions and target.
"""

from __future__ import annotations

import dataclasses
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

from lossbook import optim

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "optim.md"
FULL_SIZE, QUICK_SIZE = 10**6, 1000
# lossbook time / torch single-tensor time (torch's default threads) must stay below this.
MAX_TORCH_RATIO = 2.0
# Both libraries apply the same float64 formulas; only rounding (e.g. fused multiply-adds in
# torch's vectorised kernels) may differ, by a few ulps of the update.
TORCH_RTOL = 1e-10
CHECK_STEPS = 3  # steps compared with torch: the first creates the state, the others use it
WARMUP_STEPS = 5  # untimed steps before timing, so that every candidate's state exists
# Repetitions per block: as many as fit in the budget, within these bounds. A step takes
# tens of ms, so the upper bound is what usually applies; the full run stays under a minute.
BLOCK_BUDGET_S = 4.0
MIN_REPEATS, MAX_REPEATS = 10, 40


@dataclass(frozen=True)
class Case:
    """One optimizer: its class name (the same in lossbook.optim and torch.optim) and the
    hyper-parameters given to both."""

    name: str
    hyper: dict

    def make_lossbook(self):
        return getattr(optim, self.name)(**self.hyper)

    def make_torch(self, params: list, foreach: bool):
        return getattr(torch.optim, self.name)(params, foreach=foreach, **self.hyper)

    def label(self) -> str:
        return ", ".join(f"{k}={v:g}" for k, v in self.hyper.items())


CASES = (
    Case("SGD", {"lr": 0.01, "momentum": 0.9}),
    Case("Adagrad", {"lr": 0.01}),
    Case("RMSprop", {"lr": 0.01}),
    Case("Adam", {"lr": 0.001}),
    Case("AdamW", {"lr": 0.001}),
)

# Names of the torch candidates, which key their times; the 1-thread block appends "1" and
# stores lossbook's time from that block as "lossbook_vs_torch1".
TORCH_KEYS = {False: "torch", True: "torch_foreach"}


def lossbook_candidate(case: Case, params: np.ndarray, grad: np.ndarray) -> Candidate:
    """`params = opt.step(params, grad)`, as a training loop writes it."""
    opt = case.make_lossbook()
    iterate = {"params": params, "new": None}

    def run():
        iterate["new"] = opt.step(iterate["params"], grad)
        return iterate["new"]

    def reset():
        # The previous iterate is released here, outside the timed region, as bench_losses
        # releases its results: what is timed is the step, not the allocator's free().
        iterate["params"] = iterate["new"]

    return Candidate("lossbook", run, reset)


def torch_candidate(case: Case, params: np.ndarray, grad: np.ndarray, foreach: bool) -> Candidate:
    """`opt.step()` on one float64 tensor holding a copy of params, with .grad fixed."""
    param = torch.tensor(params)  # a copy: torch updates its parameter in place
    param.grad = torch.tensor(grad)  # its own copy too, so torch can never touch lossbook's
    return Candidate(TORCH_KEYS[foreach], case.make_torch([param], foreach).step)


def candidates(case: Case, params: np.ndarray, grad: np.ndarray) -> list[Candidate]:
    out = [lossbook_candidate(case, params, grad)]
    if torch is not None:
        out += [torch_candidate(case, params, grad, foreach) for foreach in (False, True)]
    return out


def check_agreement(case: Case, params: np.ndarray, grads: list[np.ndarray], foreach: bool):
    """Stop the benchmark if lossbook's iterates leave torch's on one of its two paths."""
    opt, ours = case.make_lossbook(), params
    theirs = torch.tensor(params)
    torch_opt = case.make_torch([theirs], foreach)
    for t, grad in enumerate(grads, start=1):
        ours = opt.step(ours, grad)
        theirs.grad = torch.tensor(grad)
        torch_opt.step()
        np.testing.assert_allclose(
            ours, theirs.numpy(), rtol=TORCH_RTOL,
            err_msg=f"{case.name}: lossbook vs torch (foreach={foreach}) at step {t}",
        )


def warm_up(timed: list[Candidate]) -> None:
    for _ in range(WARMUP_STEPS):
        for candidate in timed:
            candidate.run()
            candidate.reset()


def one_thread_block(timed: list[Candidate], repeats: int) -> dict[str, float]:
    """lossbook against torch on 1 thread, interleaved; the thread count is switched once,
    around the whole block, never inside a timed call."""
    lossbook, *torch_ones = timed
    renamed = [dataclasses.replace(c, name=c.name + "1") for c in torch_ones]
    with torch_threads(1):
        warm_up(renamed)  # the first calls after resizing the pool are not representative
        seconds = median_times([lossbook, *renamed], repeats)
    seconds["lossbook_vs_torch1"] = seconds.pop("lossbook")
    return seconds


def run_case(case: Case, rng, quick: bool) -> dict:
    n = QUICK_SIZE if quick else FULL_SIZE
    params = rng.standard_normal(n)
    grads = [rng.standard_normal(n) for _ in range(CHECK_STEPS)]
    if torch is not None:
        for foreach in (False, True):
            check_agreement(case, params, grads, foreach)
    timed = candidates(case, params, grads[0])
    warm_up(timed)
    repeats = choose_repeats(timed, quick, budget_s=BLOCK_BUDGET_S,
                             min_repeats=MIN_REPEATS, max_repeats=MAX_REPEATS)
    seconds = median_times(timed, repeats)
    if torch is not None:
        seconds |= one_thread_block(timed, repeats)
    return {"case": case, "size": n, "seconds": seconds, "repeats": repeats}


def ms(seconds: dict, key: str) -> str:
    return milliseconds(seconds[key]) if key in seconds else NO_TORCH


def ratio(seconds: dict, lossbook_key: str, torch_key: str) -> str:
    if torch_key not in seconds:
        return NO_TORCH
    return f"{seconds[lossbook_key] / seconds[torch_key]:.2f}"


def target_status(seconds: dict, lossbook_key: str, torch_key: str) -> str:
    """Whether lossbook's step is within MAX_TORCH_RATIO of torch's single-tensor step."""
    if torch_key not in seconds:
        return f"n/a ({NO_TORCH})"
    value = seconds[lossbook_key] / seconds[torch_key]
    if value > MAX_TORCH_RATIO:
        return f"no: {value:.2f}x > {MAX_TORCH_RATIO:g}x"
    return "yes"


def table_row(row: dict) -> str:
    seconds = row["seconds"]
    cells = [
        f"`{row['case'].name}`",
        row["case"].label(),
        str(row["size"]),
        milliseconds(seconds["lossbook"]),
        ms(seconds, "torch"),
        ms(seconds, "torch_foreach"),
        ms(seconds, "torch1"),
        ms(seconds, "torch_foreach1"),
        ratio(seconds, "lossbook", "torch"),
        ratio(seconds, "lossbook", "torch_foreach"),
        ratio(seconds, "lossbook_vs_torch1", "torch1"),
        ratio(seconds, "lossbook_vs_torch1", "torch_foreach1"),
        str(row["repeats"]),
        target_status(seconds, "lossbook", "torch"),
        # The same test against torch on one thread, which does not swing with the load.
        target_status(seconds, "lossbook_vs_torch1", "torch1"),
    ]
    return table_line(cells)


HEADER = (
    "| optimizer | hyper-parameters | parameters | lossbook ms | torch single-tensor ms "
    "| torch foreach ms | torch 1-thread single-tensor ms | torch 1-thread foreach ms "
    "| lossbook / torch single-tensor | lossbook / torch foreach "
    "| lossbook / torch 1-thread single-tensor | lossbook / torch 1-thread foreach "
    f"| repetitions | target met | within {MAX_TORCH_RATIO:g}x of torch 1-thread single-tensor |"
)


def method_text() -> str:
    return (
        "Times are medians of interleaved repetitions (lossbook, torch single-tensor, torch "
        "foreach, lossbook, ...) of one optimizer step with a fixed float64 gradient, after "
        f"{WARMUP_STEPS} warm-up steps. lossbook's step returns new parameters (its inputs are "
        "never modified) and the previous ones are released outside the timed region; torch "
        "updates its parameter in place. The 1-thread columns come from a second block, with "
        "lossbook timed again beside them and torch's thread count set once around the block. "
        + INTERLEAVING_NOTE
    )


def targets_text() -> list[str]:
    return [f"- every optimizer: lossbook step time within {MAX_TORCH_RATIO:g}x of torch's "
            "single-tensor path (foreach=False, torch's default threads); the last column "
            "applies the same test to torch on 1 thread"]


def main(argv=None) -> None:
    run_benchmark(argv, doc=__doc__, default_output=DEFAULT_OUTPUT, cases=CASES,
                  run_case=run_case, header=HEADER, table_row=table_row,
                  title="lossbook optimizer benchmark", targets=targets_text(),
                  method=method_text())


if __name__ == "__main__":
    main()
