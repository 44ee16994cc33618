"""Diagnosing a run that does not converge (chapter 12): `diagnose` and `lr_range_test`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .history import History

SUGGESTIONS = {
    "diverging": "Lower the learning rate (try 10 times smaller), check the gradient with "
                 "lossbook.gradcheck, and standardize the features.",
    "oscillating": "Lower the learning rate (about half), or reduce the momentum; a schedule "
                   "that decays the rate also settles the iterates.",
    "plateau": "The loss is flat although the gradient is not small: raise the learning rate, "
               "try an adaptive optimizer (Adam, RMSprop) or rescale the features.",
    "converged": "Nothing to fix: the gradient is (almost) zero.",
    "decreasing": "Still improving: run more steps, or raise the learning rate a little.",
    "too short": "Run at least a few steps before asking for a diagnosis.",
}


@dataclass
class Diagnosis:
    """A verdict on a run, in words: what happened, why we think so, and what to try."""

    verdict: str
    explanation: str
    suggestion: str
    evidence: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Diagnosis({self.verdict}: {self.explanation} Suggestion: {self.suggestion})"


def _diagnosis(verdict, explanation, **evidence):
    return Diagnosis(verdict, explanation, SUGGESTIONS[verdict], evidence)


def _zigzag(history: History, window: int) -> float:
    """The mean cosine between consecutive steps x_{t+1} - x_t over the window: near -1 when
    each step undoes the previous one (a learning rate close to 2/L in some direction)."""
    path = history.path()[-(window + 1):]
    steps = np.diff(path, axis=0)
    norms = np.linalg.norm(steps, axis=1)
    ok = (norms[1:] > 0) & (norms[:-1] > 0)
    if not ok.any():
        return 0.0
    cos = np.einsum("ij,ij->i", steps[1:], steps[:-1])[ok] / (norms[1:] * norms[:-1])[ok]
    return float(cos.mean())


def diagnose(history: History, *, window: int | None = None, grad_tol: float = 1e-6,
             flat_tol: float = 1e-2) -> Diagnosis:
    """Read a History's loss curve and gradient norms and say what went on.

    Checked in this order, on the last `window` losses (default: the last half of the run),
    that is the window - 1 steps between them:
    - diverging: a non-finite loss (however short the run), or a loss that ends above where
      it started and grew over the window (a step size beyond 2/L makes the error grow
      geometrically);
    - converged: the last gradient norm is below grad_tol times the first;
    - oscillating: the loss goes up as often as down (at least 40% of the steps go up)
      without a clear net decrease, or the iterates zig-zag (consecutive steps point in
      nearly opposite directions: mean cosine below -0.5);
    - plateau: the loss changed by less than flat_tol (relative, default 1%) over the window
      although the gradient is not small (a learning rate too small for this problem, or an
      ill-conditioned problem);
    - decreasing: otherwise.
    """
    loss = np.asarray(history.loss, dtype=float)
    grad = np.asarray(history.grad_norm, dtype=float)
    if not np.all(np.isfinite(loss)):  # even in a short run: blowing up is an answer
        first_bad = int(np.flatnonzero(~np.isfinite(loss))[0])
        return _diagnosis("diverging", f"the loss became {loss[first_bad]} at step {first_bad}.",
                          step=first_bad)
    if loss.size < 4:
        return _diagnosis("too short", f"only {loss.size} steps were recorded.", steps=loss.size)
    window = max(3, loss.size // 2) if window is None else min(int(window), loss.size)
    recent = loss[-window:]
    scale = max(abs(loss[0]), abs(recent).max(), 1e-300)
    net_change = (recent[-1] - recent[0]) / scale
    ups = float(np.mean(np.diff(recent) > 0))
    if loss[-1] > loss[0] and net_change > 0 and ups > 0.5:
        return _diagnosis(
            "diverging",
            f"the loss grew from {loss[0]:.4g} to {loss[-1]:.4g}, and rose in {ups:.0%} of the "
            f"last {window - 1} steps.",
            first=loss[0], last=loss[-1], fraction_up=ups)
    if grad[-1] <= grad_tol * max(grad[0], 1e-300):
        return _diagnosis(
            "converged",
            f"the gradient norm fell from {grad[0]:.3g} to {grad[-1]:.3g}.",
            first_grad=grad[0], last_grad=grad[-1])
    if ups >= 0.4 and net_change > -flat_tol:
        return _diagnosis(
            "oscillating",
            f"the loss rose in {ups:.0%} of the last {window - 1} steps without settling "
            f"(net change {net_change:+.2%}).",
            fraction_up=ups, net_change=net_change)
    zigzag = _zigzag(history, window)
    if zigzag < -0.5:
        return _diagnosis(
            "oscillating",
            f"the iterates zig-zag: consecutive steps point in nearly opposite directions "
            f"(mean cosine {zigzag:.2f} over the last {window} steps).",
            mean_cosine=zigzag, net_change=net_change)
    if abs(net_change) < flat_tol:
        return _diagnosis(
            "plateau",
            f"over the last {window} steps the loss changed by {net_change:+.1e} (relative) "
            f"while the gradient norm is still {grad[-1]:.3g}.",
            net_change=net_change, last_grad=grad[-1])
    return _diagnosis("decreasing", f"the loss fell by {-net_change:.2%} over the last "
                      f"{window} steps.", net_change=net_change)


@dataclass
class LRRangeTest:
    """The result of `lr_range_test`: learning rates, the loss after each, a suggested rate."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggested_lr: float

    def plot(self, ax=None):
        """Loss against learning rate (log scale), with the suggested rate marked."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(self.lrs, self.losses, alpha=0.4, label="loss")
        ax.plot(self.lrs, self.smoothed, label="smoothed")
        ax.axvline(self.suggested_lr, color="k", linestyle="--",
                   label=f"suggested lr = {self.suggested_lr:.2g}")
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("loss")
        ax.legend()
        return ax


def lr_range_test(objective, x0, make_optimizer, *, lr_min: float = 1e-6,
                  lr_max: float = 10.0, steps: int = 100, batch_size: int | None = None,
                  n_samples: int | None = None, seed: int = 0, smoothing: float = 0.9,
                  stop_factor: float = 4.0) -> LRRangeTest:
    """Sweep the learning rate geometrically from lr_min to lr_max, one step each (L. Smith).

    make_optimizer(lr) builds the optimizer (e.g. `lambda lr: SGD(lr=lr, momentum=0.9)`);
    the run continues from the current iterate as the rate grows, records the loss of each
    step, smooths it with an exponential moving average (bias-corrected), and stops once the
    smoothed loss exceeds stop_factor times its minimum. The suggested learning rate is a
    tenth of the rate at the smoothed minimum: the largest rates that still decrease the loss
    sit just below the minimum, and a margin keeps training stable.
    """
    from .minimize import _batches, _objective_function

    if not 0 < lr_min < lr_max:
        raise ValueError(f"lr_range_test: need 0 < lr_min < lr_max, got {lr_min!r}, {lr_max!r}")
    fun = _objective_function(objective)
    n_samples = n_samples if n_samples is not None else getattr(objective, "n_samples", None)
    if batch_size is not None and n_samples is None:
        raise ValueError("lr_range_test: batch_size needs n_samples (or objective.n_samples)")
    rng = np.random.default_rng(seed)
    lrs = np.geomspace(lr_min, lr_max, steps)
    optimizer = make_optimizer(lrs[0])
    params, losses, smoothed, average, batches = x0, [], [], 0.0, []
    for t, lr in enumerate(lrs):
        if not batches:
            batches = _batches(n_samples, batch_size, rng) if batch_size else [None]
        value, grad = fun(params, batches.pop())
        value = float(value)
        if not np.isfinite(value):
            break
        average = smoothing * average + (1 - smoothing) * value
        losses.append(value)
        smoothed.append(average / (1 - smoothing ** (t + 1)))
        if smoothed[-1] > stop_factor * min(smoothed):
            break
        optimizer.lr = lr
        params = optimizer.step(params, grad)
    k = len(losses)
    best = int(np.argmin(smoothed)) if smoothed else 0
    return LRRangeTest(lrs[:k], np.array(losses), np.array(smoothed), float(lrs[best] / 10))
