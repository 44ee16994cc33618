"""`batch_size_explorer`: stochastic, mini-batch and full-batch descent side by side (ch. 04).

A batch of b samples gives an unbiased but noisy gradient; the noise shrinks like 1/b. With
a constant learning rate, that noise is why stochastic descent stalls at a noise floor
instead of converging, while each of its steps costs 1/n of a full-batch step.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .. import datasets
from .._validation import check_integer
from ..optim import SGD, History, minimize, problems
from ..optim.problems import Problem
from ._controls import (
    Explorer,
    FigureView,
    finite_range,
    int_slider,
    log_slider,
    new_figure,
    settle_limits,
)
from .descent import objective_values

RUN_LABELS = ("stochastic (b = 1)", "mini-batch (b = k)", "full batch (b = n)")
RUN_COLORS = ("tab:red", "tab:blue", "k")


@functools.lru_cache(maxsize=8)
def least_squares_problem(n_samples: int = 40, seed: int = 0) -> Problem:
    """`problems.least_squares` on y = 2 x + 1 + noise (`datasets.regression_with_outliers`
    without outliers, noise 1), x standardized: the valley is round, so what differs between
    batch sizes is the gradient noise, not the conditioning."""
    X, y, _ = datasets.regression_with_outliers(n_samples, n_outliers=0, noise=1.0, seed=seed)
    return problems.least_squares((X - X.mean()) / X.std(), y)


@dataclass
class BatchRun:
    """One run of `minimize` with batch_size b.

    history: minimize's History; epochs: samples processed so far / n at each iterate
    (0 for the start); gap: f(theta_t) - f* of the full objective at each iterate.
    """

    batch_size: int
    history: History
    epochs: np.ndarray
    gap: np.ndarray


def batch_size_runs(batch_sizes, *, lr: float = 0.05, epochs: int = 3,
                    problem: Problem | None = None, seed: int = 0) -> dict[int, BatchRun]:
    """SGD(lr) with each batch size for `epochs` passes over the data.

    Each run is `minimize(problem, problem.x0, SGD(lr=lr), epochs=epochs, batch_size=b,
    seed=seed)`: the samples are reshuffled at each epoch and cut into batches of b (the
    last one may be smaller), so b = n is full-batch gradient descent, one step per epoch.
    problem: a data problem of `lossbook.optim.problems` (default `least_squares_problem()`).
    Returns {b: BatchRun}, the full objective measured at every iterate, against the
    samples processed, so that runs with different b are compared at equal cost.
    """
    where = "batch_size_runs"
    problem = least_squares_problem() if problem is None else problem
    n = problem.n_samples
    f_star = problem.f_star if problem.f_star is not None else 0.0
    runs = {}
    for b in batch_sizes:
        b = check_integer(b, "batch size", where, low=1)
        if b > n:
            raise ValueError(f"{where}: a batch size is at most the number of samples ({n}), "
                             f"got {b}")
        # Too large a learning rate diverges (a lesson, not an error): minimize reports it
        # in history.message, and the overflowing values are drawn off the chart.
        with np.errstate(over="ignore", invalid="ignore"):
            history = minimize(problem, problem.x0, SGD(lr=lr), epochs=epochs, batch_size=b,
                               seed=seed)
            sizes = [b] * (n // b) + ([n % b] if n % b else [])  # the batches of one epoch
            processed = np.tile(sizes, epochs)[:history.steps]
            seen = np.concatenate([[0.0], np.cumsum(processed) / n])
            values = objective_values(problem, np.array(history.params[:seen.size]))
        runs[b] = BatchRun(b, history, seen, values - f_star)
    return runs


@dataclass
class GradientNoise:
    """Mean squared distance between a batch gradient and the full gradient, per batch size.

    predicted: the exact expectation E|g_B - g|^2 over uniform batches of size b drawn
    without replacement, (sigma^2 / b) (n - b) / (n - 1), where sigma^2 = mean_i |g_i - g|^2
    is the spread of the per-sample gradients g_i; measured: its average over n_draws random
    batches (a check of the formula, and what an experiment would see).
    """

    batch_sizes: np.ndarray
    predicted: np.ndarray
    measured: np.ndarray
    per_sample_variance: float
    n_samples: int


def gradient_noise(batch_sizes=None, *, problem: Problem | None = None, at=None,
                   n_draws: int = 200, seed: int = 0) -> GradientNoise:
    """How noisy the batch gradient of `problem` is at `at`, as a function of the batch size.

    at: the parameters (default: the minimizer x_star, where the full gradient is 0 but the
    batch gradients are not: the noise that keeps constant-step SGD from settling).
    batch_sizes: default 1, 2, 4, ... up to n. Gradients come from problem.grad(at, batch).
    """
    where = "gradient_noise"
    problem = least_squares_problem() if problem is None else problem
    n = problem.n_samples
    at = problem.x_star if at is None else np.asarray(at, dtype=np.float64)
    if batch_sizes is None:
        batch_sizes = np.unique(np.r_[2 ** np.arange(int(np.log2(n)) + 1), n])
    sizes = np.array([check_integer(b, "batch size", where, low=1) for b in batch_sizes])
    if sizes.max() > n:
        raise ValueError(f"{where}: a batch size is at most the number of samples ({n})")
    full = problem.grad(at)
    per_sample = np.array([problem.grad(at, np.array([i])) for i in range(n)])
    variance = float(np.mean(np.sum((per_sample - per_sample.mean(axis=0)) ** 2, axis=1)))
    # n = 1 has no spread to correct: one sample is the whole data set.
    correction = (n - sizes) / (n - 1) if n > 1 else np.zeros(sizes.size)
    predicted = variance / sizes * correction
    rng = np.random.default_rng(seed)
    measured = np.array([
        np.mean([np.sum((problem.grad(at, rng.choice(n, size=b, replace=False)) - full) ** 2)
                 for _ in range(n_draws)])
        for b in sizes
    ])
    return GradientNoise(sizes, predicted, measured, variance, n)


# ----------------------------------------------------------------------------------- figure
class BatchSizePlot:
    """Left: f(theta) - f* against epochs (samples processed / n) for the three batch sizes.
    Right: the gradient noise against the batch size (exact curve and measured points, fixed
    by the data), with the three batch sizes marked."""

    def __init__(self, noise: GradientNoise, figure=None):
        self.figure = figure if figure is not None else new_figure(9.5, 4.0)
        self.view = FigureView(self.figure)
        view = self.view
        self.ax_runs, self.ax_noise = self.figure.subplots(1, 2)
        self.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.13, top=0.78, wspace=0.28)
        self.curves = [view.animate(self.ax_runs.semilogy([], [], color=color, lw=1.3,
                                                          label=label)[0])
                       for label, color in zip(RUN_LABELS, RUN_COLORS, strict=True)]
        self.title = view.animate(self.ax_runs.set_title("", fontsize=9))
        self.ax_runs.set_xlabel("epochs (samples processed / n)")
        self.ax_runs.set_ylabel("f(θ) − f*")
        self.ax_runs.grid(alpha=0.3, which="both")
        n = noise.n_samples
        sizes = np.arange(1, n)  # b = n has no noise at all: off a log axis
        exact = noise.per_sample_variance / sizes * (n - sizes) / (n - 1)
        self.ax_noise.loglog(sizes, exact, color="0.4", label="exact E|g_B − g|²")
        shown = noise.batch_sizes < n
        self.ax_noise.loglog(noise.batch_sizes[shown], noise.measured[shown], "o", color="0.4",
                             mfc="none", label="measured (random batches)")
        self.marks = [view.animate(self.ax_noise.plot([], [], "o", color=color, ms=8)[0])
                      for color in RUN_COLORS]
        self.ax_noise.set_xlabel("batch size b")
        self.ax_noise.set_ylabel("E|g_B − g|² at θ*")
        self.ax_noise.set_title(f"gradient noise (0 at b = n = {n})", fontsize=9)
        self.ax_noise.grid(alpha=0.3, which="both")
        self.figure.legend(handles=self.curves + self.ax_noise.get_lines()[:2],
                           loc="upper center", ncol=3, frameon=False, fontsize=9)
        self._noise = noise

    def update(self, runs: dict[int, BatchRun]) -> BatchSizePlot:
        noise = self._noise
        n = noise.n_samples
        ordered = [runs[b] for b in sorted(runs)]
        for curve, run in zip(self.curves, ordered, strict=False):
            curve.set_data(run.epochs, np.maximum(run.gap, 1e-16))
        for mark, run in zip(self.marks, ordered, strict=False):
            b = run.batch_size
            value = noise.per_sample_variance / b * (n - b) / (n - 1) if b < n else np.nan
            mark.set_data([b], [value])
        # Short: text is the slowest thing to draw at every frame.
        self.title.set_text("final f − f*: " + " · ".join(f"{max(run.gap[-1], 0.0):.2g}"
                                                        for run in ordered))
        gaps = [run.gap for run in ordered]
        changed = settle_limits(self.ax_runs, "x", 0, max(r.epochs[-1] for r in ordered),
                                pad=0, shrink=1)
        high = finite_range(*gaps)[1]
        high = min(high, 1e6 * max(ordered[0].gap[0], 1e-16))  # a diverging run leaves the top
        # The bottom stays at 1e-16, where the gap is rounding: the lowest curve moves by
        # decades with the learning rate, and each change of limits costs a full redraw.
        changed |= settle_limits(self.ax_runs, "y", 1e-16, high, shrink=0.25)
        if changed:
            self.view.invalidate()
        return self


# ----------------------------------------------------------------------------------- widget
def batch_size_explorer(n_samples: int = 40) -> Explorer:
    """Compare batch sizes 1, k and n on a least-squares problem; see the gradient noise.

    Plotted: left, the full objective f(theta) - f* (log scale) along SGD runs with batch
    sizes 1, k and n, against the number of epochs (samples processed / n, i.e. equal
    cost); right, the mean squared error of the batch gradient at the minimizer against the
    batch size (`gradient_noise`), with 1, k, n marked. Controls: learning rate, k, epochs,
    shuffling seed. The state is the `batch_size_runs` result {b: BatchRun}.
    """
    problem = least_squares_problem(n_samples)
    noise = gradient_noise(problem=problem)
    controls = {
        "lr": log_slider("learning rate", 0.05, 1e-3, 0.5),
        "k": int_slider("mini-batch size k", 8, 2, n_samples - 1),
        "epochs": int_slider("epochs", 3, 1, 20),
        "seed": int_slider("shuffling seed", 0, 0, 20),
    }

    def compute(values):
        return batch_size_runs((1, values["k"], n_samples), lr=values["lr"],
                               epochs=values["epochs"], problem=problem, seed=values["seed"])

    return Explorer("batch_size_explorer", controls, compute, BatchSizePlot(noise))
