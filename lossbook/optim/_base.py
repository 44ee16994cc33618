"""What every optimizer shares: parameters as an array or a dict of arrays, per-parameter
state, validation of hyper-parameters, and never mutating the caller's arrays."""

from __future__ import annotations

import inspect

import numpy as np

from .._validation import as_float, check_finite, check_number


class Optimizer:
    """Base class: `step(params, grads)` returns new parameters and keeps its own state.

    params and grads are both ndarrays of one shape, or both dicts with the same keys. The
    inputs are never modified; float32 parameters stay float32. State (momentum buffers,
    accumulators, the step count t) is kept per parameter and cleared by `reset()`.
    """

    def __init__(self):
        self.state: dict = {}

    def reset(self) -> None:
        """Forget all state, as if the optimizer had just been created."""
        self.state = {}

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({hyper})"

    def hyperparameters(self) -> dict:
        """The constructor's arguments and their current values."""
        names = list(inspect.signature(type(self).__init__).parameters)[1:]
        return {name: getattr(self, name) for name in names}

    @property
    def lr(self) -> float:
        """The learning rate; schedules change it between steps, so it is checked on assignment."""
        return self._lr

    @lr.setter
    def lr(self, value) -> None:
        self._lr = check_number(value, "lr", type(self).__name__)

    def step(self, params, grads):
        """One update; returns the new parameters (same type and shapes as params)."""
        name = type(self).__name__
        if isinstance(params, dict) or isinstance(grads, dict):
            if not (isinstance(params, dict) and isinstance(grads, dict)):
                raise TypeError(f"{name}.step: params and grads must both be arrays or both dicts")
            if set(params) != set(grads):
                raise ValueError(
                    f"{name}.step: params and grads must have the same keys; params has "
                    f"{sorted(params)}, grads has {sorted(grads)}"
                )
            # every entry is checked before any state changes: a bad gradient for one key
            # must not leave the others one step ahead
            checked = {k: self._checked(k, params[k], grads[k]) for k in params}
            return {k: self._step_one(k, *checked[k]) for k in params}
        return self._step_one(None, *self._checked(None, params, grads))

    def _checked(self, key, p, g):
        where = f"{type(self).__name__}.step" + ("" if key is None else f" [{key!r}]")
        p = as_float(p, "params", where)
        g = as_float(g, "grads", where, p.dtype)
        if p.shape != g.shape:
            raise ValueError(
                f"{where}: params has shape {p.shape} but grads has shape {g.shape}; "
                "each gradient must have its parameter's shape"
            )
        check_finite(p, "params", where)
        check_finite(g, "grads", where)
        previous = self.state.get(key)
        if previous is not None and previous["shape"] != p.shape:
            raise ValueError(
                f"{where}: params has shape {p.shape} but had shape {previous['shape']} at the "
                "previous steps; call reset() (or use a new optimizer) for other parameters"
            )
        return p, g

    def _step_one(self, key, p, g):
        state = self.state.setdefault(key, {"step": 0, "shape": p.shape})
        state["step"] += 1
        # np.asarray: arithmetic on a 0-d array gives a numpy scalar; keep returning arrays
        return np.asarray(self._update(p, g, state))

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict) -> np.ndarray:
        """Return the new parameter as a new array; p and g are the caller's: never modify them.

        Only the optimizer's own state arrays are updated in place.
        """
        raise NotImplementedError
