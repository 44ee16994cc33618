"""The machinery every loss shares: parameters, reductions, sample weights, gradients.

A loss is written once, as a small function that returns per-sample values and their
derivative with respect to the prediction; `Loss` wraps it into the callable that the course
uses everywhere (DESIGN.md, "lossbook.losses"):

    loss(y_true, y_pred, *, reduction="mean", sample_weight=None, **params)
    loss.grad(...)            # gradient of the reduced value with respect to y_pred
    loss.value_and_grad(...)  # both at the cost of one evaluation
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import numpy as np

from .._validation import check_sample_weight

REDUCTIONS = ("mean", "sum", "none")
TASKS = ("regression", "binary", "multiclass", "distribution")


@dataclass
class Pointwise:
    """What a loss function returns before reduction.

    value: one value per element (element-wise losses, shape of y_pred) or per row (row-wise
        losses such as cross_entropy, shape (n,)); an array or an array-like that forms its
        entries only when they are needed (see regression.Squares).
    grad: d value / d y_pred, shape of y_pred, or None when it was not requested.
    norm: optional per-sample weight of the "mean" denominator; cross_entropy uses it for
        torch's class-weighted mean, sum(w_y * loss) / sum(w_y). None means 1 per element.
    grad_scale: the derivative is grad_scale * grad; folding a constant factor into the
        reduction's own scaling saves one pass over a large gradient.
    """

    value: np.ndarray
    grad: np.ndarray | None
    norm: np.ndarray | None = None
    grad_scale: float = 1.0


class Loss:
    """A loss function with its gradient, reductions and catalog metadata.

    Attributes: name, latex (the per-sample formula), task (regression / binary / multiclass /
    distribution), convex, differentiable, robust (its derivative in the prediction is bounded,
    so one outlier's pull on the fit is capped), likelihood (the model it is the negative
    log-likelihood of, or None), targets (the label convention), params (defaults).
    """

    def __init__(self, fn, *, latex, task, convex, differentiable, robust, likelihood, targets):
        if task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {task!r}")
        self._fn = fn
        self.name = fn.__name__
        self.__name__ = fn.__name__
        self.__doc__ = fn.__doc__
        self.latex = latex
        self.task = task
        self.convex = convex
        self.differentiable = differentiable
        self.robust = robust
        self.likelihood = likelihood
        self.targets = targets
        keyword_only = [
            p for p in inspect.signature(fn).parameters.values() if p.kind is p.KEYWORD_ONLY
        ]
        self.params = {p.name: p.default for p in keyword_only if p.default is not p.empty}
        self._required = [p.name for p in keyword_only if p.default is p.empty]

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"<loss {self.name}({params}): {self.task}>"

    def __call__(self, y_true, y_pred, *, reduction="mean", sample_weight=None, **params):
        """The loss, reduced as asked: a scalar for "mean"/"sum", per-sample values for "none"."""
        return self._evaluate(y_true, y_pred, reduction, sample_weight, params, need_grad=False)[0]

    def grad(self, y_true, y_pred, *, reduction="mean", sample_weight=None, **params):
        """Gradient of the reduced loss with respect to y_pred (same shape as y_pred).

        For reduction="none" it is the element-wise derivative of each per-sample value.
        """
        return self._evaluate(y_true, y_pred, reduction, sample_weight, params, need_grad=True)[1]

    def value_and_grad(self, y_true, y_pred, *, reduction="mean", sample_weight=None, **params):
        """(value, grad) from a single evaluation: what an optimizer needs at each step."""
        return self._evaluate(y_true, y_pred, reduction, sample_weight, params, need_grad=True)

    def _check_params(self, params: dict) -> dict:
        unknown = sorted(set(params) - set(self.params) - set(self._required))
        if unknown:
            allowed = ", ".join(list(self._required) + list(self.params)) or "none"
            raise TypeError(
                f"{self.name} got unexpected parameter(s) {', '.join(unknown)}; "
                f"its parameters are: {allowed}"
            )
        missing = [name for name in self._required if name not in params]
        if missing:
            raise TypeError(f"{self.name} needs the keyword argument(s) {', '.join(missing)}")
        return params

    def _evaluate(self, y_true, y_pred, reduction, sample_weight, params, need_grad):
        if reduction not in REDUCTIONS:
            raise ValueError(
                f"{self.name}: unknown reduction {reduction!r}; use 'mean', 'sum' or 'none'"
            )
        params = self._check_params(params)
        # Overflow and log(0) are handled inside each loss (clamps, stable forms) or reported
        # below as a clear error; numpy's warnings would only add noise to a notebook.
        with np.errstate(all="ignore"):
            out = self._fn(y_true, y_pred, need_grad, **params)
            value, grad = _reduce(out, reduction, sample_weight, self.name)
        if np.ndim(y_pred) == 0:  # a scalar prediction gets scalar-shaped results back
            value = value.reshape(()) if isinstance(value, np.ndarray) else value
            grad = None if grad is None else grad.reshape(())
        _check_output(value, "value", self.name)
        if grad is not None:
            _check_output(grad, "gradient", self.name)
        return value, grad


def _reduce(out: Pointwise, reduction: str, sample_weight, where: str):
    """Apply sample weights and the reduction to a loss's per-sample values and derivatives."""
    value, grad = out.value, out.grad
    n = value.shape[0] if value.ndim else 1
    if n == 0:
        raise ValueError(f"{where}: got empty inputs; pass at least one sample")
    dtype = value.dtype
    s = None if sample_weight is None else check_sample_weight(sample_weight, n, dtype, where)
    # value.sum() is all a plain mean or sum needs; np.asarray forms a lazy value's entries.
    # Both happen before the gradient is scaled in place, which a lazy value may share.
    if reduction == "none":
        value = np.asarray(value)
        reduced, factor = (value if s is None else _scale_rows(value, s)), 1.0
    else:
        reduced, factor = _reduce_value(value, s, out.norm, reduction, where)
    if grad is not None:
        # Every loss returns a fresh gradient, so it is scaled in place: on large inputs the
        # cost is mostly allocating and touching memory, and this saves a full-size array.
        factor *= out.grad_scale
        if s is not None:
            _scale_rows(grad, (s * factor).astype(dtype), out=grad)
        elif factor != 1:
            grad *= dtype.type(factor)
    return reduced, grad


def _reduce_value(value, s, norm, reduction, where):
    """The "mean" or "sum" of the values, and the factor d(result)/d(sum of w * value)."""
    dtype, n = value.dtype, (value.shape[0] if value.ndim else 1)
    if s is None and norm is None:
        total, denominator = value.sum(), value.size
    else:
        weights = np.ones(n, dtype) if s is None else s
        total = weights @ np.asarray(value).reshape(n, -1).sum(axis=1)
        counted = weights if norm is None else weights * norm
        denominator = counted.sum() * (value.size // n)  # (n, m) targets count m each
    return _mean_or_sum(total, denominator, reduction, dtype, where)


def _mean_or_sum(total, denominator, reduction, dtype, where):
    if reduction == "sum":
        return _scalar(total, dtype), 1.0
    if not denominator > 0:
        raise ValueError(
            f"{where}: the mean has nothing to average (every sample is ignored or has "
            "weight 0); use reduction='sum' or keep at least one sample"
        )
    factor = 1 / float(denominator)
    return _scalar(total * dtype.type(factor), dtype), factor


def _scalar(value, dtype: np.dtype):
    """A reduced loss: a Python float for float64 (it prints as 1.5, not np.float64(1.5)),
    a numpy float32 scalar for float32 so that float32 stays float32."""
    return float(value) if dtype == np.float64 else dtype.type(value)


def _scale_rows(a: np.ndarray, w: np.ndarray, out=None) -> np.ndarray:
    """Multiply sample i of a (its first axis; a 0-d a is one sample) by w[i]."""
    if a.ndim == 0:
        return a * w[0]
    return np.multiply(a, w.reshape((-1,) + (1,) * (a.ndim - 1)), out=out)


class LossOverflowError(ValueError, FloatingPointError):
    """A loss or its gradient exceeds the floating-point range for finite inputs.

    A ValueError for the learner; a FloatingPointError for an optimizer, which records a
    diverging run instead of stopping with an exception (lossbook.optim.minimize).
    """


def _check_output(arr, what: str, where: str) -> None:
    """Inputs were checked to be finite, so a non-finite result can only be an overflow."""
    if np.isfinite(np.add.reduce(arr, axis=None)) or np.isfinite(arr).all():
        return
    raise LossOverflowError(
        f"{where}: the {what} overflows the floating-point range (its exact value exceeds "
        f"{np.finfo(np.asarray(arr).dtype).max:.3g}); rescale the inputs or use float64"
    )


def loss(*, latex, task, convex, differentiable, robust, likelihood=None, targets):
    """Decorator turning a per-sample loss function into a `Loss` with its catalog metadata."""

    def wrap(fn):
        return Loss(
            fn,
            latex=latex,
            task=task,
            convex=convex,
            differentiable=differentiable,
            robust=robust,
            likelihood=likelihood,
            targets=targets,
        )

    return wrap
