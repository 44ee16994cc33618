"""Margin losses for classification (chapters 02 and 08): a penalty on the margin z = y f.

Binary margin losses take labels y in {-1, +1} and real scores f of the same shape; the
margin z = y f is positive when the sign of f is right, and large when it is right with room
to spare. `multiclass_hinge` takes class indices and a score matrix.
"""

from __future__ import annotations

import numpy as np

from .._numerics import sigmoid_pair, softplus
from .._validation import as_class_indices
from ._core import Pointwise, loss
from ._inputs import rows, signed_labels, squeeze_row


@loss(
    latex=r"\max(0,\ 1 - y f)",
    task="binary", convex=True, differentiable=False, robust=True, targets="{-1, +1}",
)
def hinge(y_true, y_pred, need_grad):
    """Hinge loss of the support vector machine, l = max(0, 1 - y f), y in {-1, +1}.

    Zero once the margin y f reaches 1. At y f = 1 exactly, `grad` returns -y, the
    sub-gradient of torch's clamp(1 - y f, min=0) and the choice of scikit-learn's SGD, so a
    point on the margin still counts as a support vector (chapter 08).
    """
    y, f = signed_labels(y_true, y_pred, "hinge")
    slack = 1 - y * f
    value = np.maximum(slack, 0)
    return Pointwise(value, np.where(slack >= 0, -y, 0) if need_grad else None)


@loss(
    latex=r"\max(0,\ 1 - y f)^2",
    task="binary", convex=True, differentiable=True, robust=False, targets="{-1, +1}",
)
def squared_hinge(y_true, y_pred, need_grad):
    """Squared hinge loss, l = max(0, 1 - y f)^2 with y in {-1, +1} and no factor 1/2.

    The default loss of scikit-learn's `LinearSVC`; differentiable, derivative
    -2 y max(0, 1 - y f).
    """
    y, f = signed_labels(y_true, y_pred, "squared_hinge")
    slack = np.maximum(1 - y * f, 0)
    return Pointwise(slack * slack, -2 * y * slack if need_grad else None)


@loss(
    latex=r"\log(1 + e^{-y f})",
    task="binary", convex=True, differentiable=True, robust=True,
    likelihood="Bernoulli with P(y = +1) = sigmoid(f)", targets="{-1, +1}",
)
def logistic(y_true, y_pred, need_grad):
    """Logistic loss in margin form, l = log(1 + exp(-y f)) = softplus(-y f), y in {-1, +1}.

    The same function as binary_cross_entropy_with_logits after relabelling y -> (y + 1) / 2.
    Computed as softplus, exact for any finite margin; derivative -y sigmoid(-y f).
    """
    y, f = signed_labels(y_true, y_pred, "logistic")
    z = y * f
    grad = -y * sigmoid_pair(z)[1] if need_grad else None
    return Pointwise(softplus(-z), grad)


@loss(
    latex=r"e^{-y f}",
    task="binary", convex=True, differentiable=True, robust=False, targets="{-1, +1}",
)
def exponential(y_true, y_pred, need_grad):
    """Exponential loss of AdaBoost, l = exp(-y f), y in {-1, +1}; derivative -y exp(-y f).

    It grows exponentially with a wrong margin, which makes it very sensitive to mislabelled
    points; exp(-y f) exceeds float64 for y f < -709, and that is reported as an overflow.
    """
    y, f = signed_labels(y_true, y_pred, "exponential")
    value = np.exp(-y * f)
    return Pointwise(value, -y * value if need_grad else None)


@loss(
    latex=r"\mathbb{1}[y f \le 0]",
    task="binary", convex=False, differentiable=False, robust=True, targets="{-1, +1}",
)
def zero_one(y_true, y_pred, need_grad):
    """0-1 loss, l = 1 if y f <= 0 else 0, y in {-1, +1}; "mean" is the error rate.

    A score of exactly 0 counts as an error. Its derivative is 0 wherever it exists, which is
    why it is not minimized directly but through a convex surrogate (chapter 01).
    """
    y, f = signed_labels(y_true, y_pred, "zero_one")
    value = (y * f <= 0).astype(f.dtype)
    return Pointwise(value, np.zeros_like(f) if need_grad else None)


@loss(
    latex=r"\max(0,\ 1 - f_y + \max_{j \ne y} f_j)",
    task="multiclass", convex=True, differentiable=False, robust=True,
    targets="class indices 0..k-1",
)
def multiclass_hinge(y_true, y_pred, need_grad):
    """Crammer-Singer multiclass hinge, l = max(0, 1 - (f_y - max_{j != y} f_j)).

    y_true holds class indices (n,), y_pred scores (n, k) with k >= 2. scikit-learn's
    multiclass `hinge_loss` (which sorts arbitrary labels into columns; here column j is
    class j). Sub-gradient: -1 on the true class and +1 on the strongest wrong class (the first
    one on ties) when the loss is >= 0 as in `hinge`; 0 otherwise.
    """
    f, single = rows(y_pred, "multiclass_hinge")
    n, k = f.shape
    if k < 2:
        raise ValueError("multiclass_hinge: y_pred needs at least 2 columns (one per class)")
    y = as_class_indices(np.reshape(y_true, -1) if single else y_true, k, "y_true",
                         "multiclass_hinge")
    if y.shape != (n,):
        raise ValueError(
            f"multiclass_hinge: y_true must hold one class index per row of y_pred, shape "
            f"({n},); got {y.shape}"
        )
    idx = np.arange(n)
    others = f.copy()
    others[idx, y] = -np.inf
    rival = others.argmax(axis=1)
    slack = 1 - f[idx, y] + f[idx, rival]
    value = np.maximum(slack, 0)
    grad = None
    if need_grad:
        active = (slack >= 0).astype(f.dtype)
        grad = np.zeros_like(f)
        grad[idx, y] -= active
        grad[idx, rival] += active
    return squeeze_row(Pointwise(value, grad), single)
