"""Penalties on the weights (chapter 06): L1, L2 and elastic net, for structural risk.

Each penalty has the same three operations, all keyword-only in their strengths:

    l1(w, alpha=0.1)                 # value
    l1.grad(w, alpha=0.1)            # (sub)gradient
    l1.prox(v, step, alpha=0.1)      # proximal operator: argmin_w penalty(w) + |w - v|^2 / (2 step)

The proximal operator is what proximal gradient descent (ISTA) applies after each gradient step
on the loss; for L1 it is soft-thresholding, which sets small weights exactly to zero.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float, check_finite, check_number


def _weights(w, where):
    arr = as_float(w, "w", where)
    check_finite(arr, "w", where)
    return arr


def soft_threshold(v: np.ndarray, threshold: float) -> np.ndarray:
    """sign(v) max(|v| - threshold, 0): shrink towards 0, and stop exactly at 0."""
    # + 0.0 turns the -0.0 of a shrunk negative entry into 0.0, which prints as "0."
    return np.sign(v) * np.maximum(np.abs(v) - threshold, 0) + 0.0


class Penalty:
    """A penalty R(w) with value, (sub)gradient and proximal operator."""

    def __init__(self, name, latex, value, grad, prox, params):
        self.name, self.latex, self.params = name, latex, params
        self._value, self._grad, self._prox = value, grad, prox
        self.__name__ = name

    def __repr__(self):
        return f"<penalty {self.name}({', '.join(f'{k}={v!r}' for k, v in self.params.items())})>"

    def _args(self, params):
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            raise TypeError(
                f"{self.name} got unexpected parameter(s) {', '.join(unknown)}; "
                f"its parameters are: {', '.join(self.params)}"
            )
        merged = {**self.params, **params}
        return {
            k: check_number(v, k, self.name, high=1.0 if k == "l1_ratio" else None)
            for k, v in merged.items()
        }

    def __call__(self, w, **params) -> float:
        arr = _weights(w, self.name)
        value = self._value(arr, **self._args(params))
        return float(value) if arr.dtype == np.float64 else arr.dtype.type(value)

    def grad(self, w, **params) -> np.ndarray:
        return self._grad(_weights(w, self.name), **self._args(params))

    def prox(self, v, step, **params) -> np.ndarray:
        step = check_number(step, "step", self.name)
        return self._prox(_weights(v, self.name), step, **self._args(params))


l1 = Penalty(
    "l1", r"\alpha \lVert w \rVert_1",
    value=lambda w, alpha: alpha * np.abs(w).sum(),
    grad=lambda w, alpha: alpha * np.sign(w),  # sub-gradient 0 at w = 0
    prox=lambda v, step, alpha: soft_threshold(v, step * alpha),
    params={"alpha": 1.0},
)
l1.__doc__ = """L1 penalty (lasso), R(w) = alpha sum_j |w_j|.

Sub-gradient alpha sign(w) (0 at w = 0); prox = soft-thresholding at step * alpha.
"""

l2 = Penalty(
    "l2", r"\tfrac{\alpha}{2} \lVert w \rVert_2^2",
    value=lambda w, alpha: 0.5 * alpha * np.vdot(w, w),
    grad=lambda w, alpha: alpha * w,
    prox=lambda v, step, alpha: v / (1 + step * alpha),
    params={"alpha": 1.0},
)
l2.__doc__ = """L2 penalty (ridge, weight decay), R(w) = alpha / 2 sum_j w_j^2.

The 1/2 makes the gradient alpha w (Bishop's convention, and SGDClassifier's); scikit-learn's
Ridge writes alpha |w|^2 without it, so Ridge(alpha) matches l2 with 2 alpha on a summed loss
(chapter 06). prox = v / (1 + step * alpha).
"""

elastic_net = Penalty(
    "elastic_net",
    r"\alpha\left(\rho \lVert w \rVert_1 + \tfrac{1-\rho}{2} \lVert w \rVert_2^2\right)",
    value=lambda w, alpha, l1_ratio: alpha * (
        l1_ratio * np.abs(w).sum() + 0.5 * (1 - l1_ratio) * np.vdot(w, w)
    ),
    grad=lambda w, alpha, l1_ratio: alpha * (l1_ratio * np.sign(w) + (1 - l1_ratio) * w),
    prox=lambda v, step, alpha, l1_ratio: soft_threshold(v, step * alpha * l1_ratio)
    / (1 + step * alpha * (1 - l1_ratio)),
    params={"alpha": 1.0, "l1_ratio": 0.5},
)
elastic_net.__doc__ = """Elastic net, R(w) = alpha (rho |w|_1 + (1 - rho) / 2 |w|_2^2).

rho = l1_ratio in [0, 1] (default 0.5).

scikit-learn's ElasticNet penalty exactly. prox = soft-threshold at step alpha rho, then
divide by 1 + step alpha (1 - rho).
"""

__all__ = ["Penalty", "l1", "l2", "elastic_net", "soft_threshold"]
