"""`minimize`: full-batch, stochastic and mini-batch descent with any optimizer (chapter 04)."""

from __future__ import annotations

import numpy as np

from .._validation import check_integer
from ._base import Optimizer
from .history import History, flatten
from .schedules import Schedule


def _objective_function(objective):
    """objective(params, batch) -> (value, grad), from a function or an object that has it."""
    fun = getattr(objective, "value_and_grad", objective)
    if not callable(fun):
        raise TypeError(
            "minimize: objective must be a function objective(params, batch) -> (value, grad) "
            f"or have a value_and_grad method; got {type(objective).__name__}"
        )
    return fun


def _batches(n_samples: int, batch_size: int | None, rng: np.random.Generator):
    """The batches of one epoch: everything at once, or a fresh shuffle cut into pieces."""
    if batch_size is None:
        return [None]
    order = rng.permutation(n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]


def _check_count(value, name):
    return None if value is None else check_integer(value, name, "minimize")


def minimize(objective, x0, optimizer: Optimizer, *, steps: int | None = None,
             epochs: int | None = None, batch_size: int | None = None,
             n_samples: int | None = None, seed: int = 0, schedule: Schedule | None = None,
             schedule_per: str = "step", callback=None, live=None) -> History:
    """Minimize an objective with `optimizer`, recording every step in a `History`.

    objective: objective(params, batch) -> (value, grad), or an object with such a
        `value_and_grad` method (`lossbook.optim.problems`, `lossbook.risk.empirical_risk`).
        batch is None for the whole data set, else an array of sample indices.
    x0: the starting parameters, an array or a dict of arrays (not modified).
    Full-batch descent (batch_size=None) takes `steps` steps. Stochastic (batch_size=1) and
    mini-batch descent run `epochs` passes over n_samples samples (default:
    objective.n_samples), reshuffled at each epoch by np.random.default_rng(seed); `steps`
    then caps the total number of steps. The last batch of an epoch may be smaller.
    schedule: a learning-rate schedule, evaluated at the step count (schedule_per="step") or
        the epoch count ("epoch") and written into optimizer.lr before each step.
    callback(history) is called after every step; a true return value stops the run.
    live: a `LivePlot` (or True for a default one) redrawn while the run goes on.
    The run stops early if the loss or the gradient stops being finite (divergence); the
    reason is in history.message.
    """
    fun = _objective_function(objective)
    steps, epochs = _check_count(steps, "steps"), _check_count(epochs, "epochs")
    batch_size = _check_count(batch_size, "batch_size")
    if schedule_per not in ("step", "epoch"):
        raise ValueError(f"minimize: schedule_per must be 'step' or 'epoch', got {schedule_per!r}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"minimize: optimizer must be a lossbook.optim optimizer, got {optimizer!r}"
        )
    if batch_size is None:
        if steps is None:
            raise ValueError("minimize: full-batch descent needs steps=...")
        epochs, n_samples = steps, None
    else:
        n_samples = _check_count(n_samples if n_samples is not None
                                 else getattr(objective, "n_samples", None), "n_samples")
        if n_samples is None:
            raise ValueError("minimize: batch_size needs the number of samples: pass "
                             "n_samples=... (or an objective with an n_samples attribute)")
        if epochs is None:
            raise ValueError("minimize: stochastic or mini-batch descent needs epochs=...")
    if live is True:
        from .live import LivePlot

        live = LivePlot()

    rng = np.random.default_rng(seed)
    history = History(method=repr(optimizer), params=[x0])
    params, t = x0, 0
    for epoch in range(epochs):
        for batch in _batches(n_samples, batch_size, rng):
            if steps is not None and t >= steps:
                break
            try:
                value, grad = fun(params, batch)
                with np.errstate(over="ignore"):  # a diverging gradient's norm may be inf
                    value, norm = float(value), float(np.linalg.norm(flatten(grad)))
            except FloatingPointError:  # a lossbook loss whose value overflowed
                value, norm = float("inf"), float("inf")
            history.loss.append(value)
            history.grad_norm.append(norm)
            if not (np.isfinite(value) and np.isfinite(norm)):
                history.message = f"diverged: the loss or its gradient is not finite at step {t}"
                return _finish(history, live)
            if schedule is not None:
                optimizer.lr = schedule(t if schedule_per == "step" else epoch)
            history.lr.append(optimizer.lr)
            params = optimizer.step(params, grad)
            history.params.append(params)
            t += 1
            if live is not None:
                live.update(history)
            if callback is not None and callback(history):
                history.message = f"stopped by the callback after step {t}"
                return _finish(history, live, fun if batch_size is None else None)
        if batch_size is not None:
            history.epoch_loss.append(float(fun(params, None)[0]))
    history.message = f"finished {t} steps"
    return _finish(history, live, fun if batch_size is None else None)


def _finish(history: History, live, full_batch_fun=None) -> History:
    """Complete a run: for full-batch runs the loss after each step (the loss measured before
    the next one, plus one last evaluation), and a final redraw of a live plot."""
    if full_batch_fun is not None:
        history.epoch_loss = history.loss[1:] + [float(full_batch_fun(history.x, None)[0])]
    if live is not None:
        live.update(history, final=True)
    return history
