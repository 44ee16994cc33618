"""Regression losses (chapter 02): a penalty on the residual r = y_pred - y_true.

Each function returns the per-element loss and its derivative with respect to y_pred; `Loss`
adds reductions and sample weights. Arguments are (y_true, y_pred), scikit-learn's order.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_number
from ._core import Pointwise, loss
from ._inputs import paired


@loss(
    latex=r"(\hat y - y)^2",
    task="regression", convex=True, differentiable=True, robust=False,
    likelihood="Gaussian noise with fixed variance", targets="real",
)
def mse(y_true, y_pred, need_grad):
    """Squared error, l = (y_pred - y_true)^2; "mean" is the mean squared error (MSE).

    No factor 1/2 (torch `mse_loss`, scikit-learn `mean_squared_error`), so the derivative is
    2 (y_pred - y_true). Taught in chapter 02; chapter 03 derives it as a Gaussian
    negative log-likelihood.
    """
    y, f = paired(y_true, y_pred, "mse")
    r = f - y
    # On large inputs every full-size array counts: the derivative 2 r reuses r, its factor 2
    # folded into the reduction's scaling, and r * r is formed only if per-sample values are
    # asked for (a plain mean needs only r . r).
    return Pointwise(Squares(r), r if need_grad else None, grad_scale=2.0)


class Squares:
    """The array r * r, formed only when asked for (np.asarray); its sum is r . r."""

    def __init__(self, r: np.ndarray):
        self.r = r
        self.shape, self.ndim, self.size, self.dtype = r.shape, r.ndim, r.size, r.dtype

    def sum(self):
        return np.vdot(self.r, self.r)  # one pass, no temporary array

    def __array__(self, dtype=None, copy=None):
        return np.multiply(self.r, self.r, dtype=dtype)


@loss(
    latex=r"|\hat y - y|",
    task="regression", convex=True, differentiable=False, robust=True,
    likelihood="Laplace noise", targets="real",
)
def mae(y_true, y_pred, need_grad):
    """Absolute error, l = |y_pred - y_true|; "mean" is the mean absolute error (MAE).

    Not differentiable at r = 0, where `grad` returns 0 (torch `l1_loss`'s sub-gradient,
    sign(0) = 0). The median minimizes it, which is why it resists outliers (chapter 02).
    """
    y, f = paired(y_true, y_pred, "mae")
    r = f - y
    return Pointwise(np.abs(r), np.sign(r) if need_grad else None)


@loss(
    latex=(r"\begin{cases}\tfrac12 r^2 & |r|<\delta\\ "
           r"\delta(|r|-\tfrac12\delta) & |r|\ge\delta\end{cases}"),
    task="regression", convex=True, differentiable=True, robust=True,
    likelihood="Huber's least favourable density (Gaussian centre, Laplace tails)",
    targets="real",
)
def huber(y_true, y_pred, need_grad, *, delta=1.0):
    """Huber loss with threshold delta > 0 (default 1.0), r = y_pred - y_true:

        l = r^2 / 2                 if |r| < delta
        l = delta (|r| - delta / 2) otherwise

    Values of torch `huber_loss(delta)`, optax `huber_loss` and Keras `huber`; note that
    torch `smooth_l1_loss(beta)` is huber(delta=beta) / beta. Computed as q = min(|r|, delta),
    l = q^2 / 2 + delta (|r| - q), one expression for both branches. The derivative is r
    clipped to [-delta, delta]: quadratic near 0, bounded pull far away (chapter 02).
    """
    delta = check_number(delta, "delta", "huber", positive=True)
    y, f = paired(y_true, y_pred, "huber")
    r = f - y
    z = np.abs(r)
    q = np.minimum(z, delta)
    value = 0.5 * q * q + delta * (z - q)
    return Pointwise(value, np.clip(r, -delta, delta) if need_grad else None)


@loss(
    latex=r"\log\cosh(\hat y - y)",
    task="regression", convex=True, differentiable=True, robust=True,
    likelihood="hyperbolic secant density sech(r) / pi", targets="real",
)
def log_cosh(y_true, y_pred, need_grad):
    """Log-cosh loss, l = log(cosh(r)) with r = y_pred - y_true; derivative tanh(r).

    Close to r^2 / 2 near 0 and to |r| - log 2 far away, smooth everywhere. cosh overflows for
    |r| > 710, so for |r| > 1 it is computed as |r| + log1p(exp(-2|r|)) - log 2 (the form of
    optax `log_cosh` and Keras `log_cosh`); near 0 that form cancels (at r = 1e-9 it gives 0
    instead of 5e-19), so for |r| <= 1 it is log1p(sinh(r)^2) / 2, since cosh^2 = 1 + sinh^2.
    Both are accurate to a few ulps.
    """
    y, f = paired(y_true, y_pred, "log_cosh")
    r = f - y
    z = np.abs(r)
    with np.errstate(over="ignore"):  # sinh overflows where the other branch is used
        small = 0.5 * np.log1p(np.sinh(z) ** 2)
    large = z + np.log1p(np.exp(-2 * z)) - np.log(2).astype(z.dtype)
    value = np.where(z <= 1, small, large)
    return Pointwise(value, np.tanh(r) if need_grad else None)


@loss(
    latex=r"\max(\tau (y - \hat y),\ (\tau - 1)(y - \hat y))",
    task="regression", convex=True, differentiable=False, robust=True,
    likelihood="asymmetric Laplace noise", targets="real",
)
def quantile(y_true, y_pred, need_grad, *, tau=0.5):
    """Quantile (pinball) loss for the tau-quantile, 0 < tau < 1 (default 0.5), d = y_true - y_pred:

        l = tau d          if d >= 0 (under-prediction costs tau per unit)
        l = (tau - 1) d    if d < 0  (over-prediction costs 1 - tau per unit)

    scikit-learn's `mean_pinball_loss(alpha=tau)`. With tau = 0.5 it is half the absolute
    error. At d = 0 `grad` returns 1/2 - tau, the average of the two one-sided slopes (what
    torch's autograd gives for max of two equal terms).
    """
    tau = check_number(tau, "tau", "quantile", positive=True)
    if not tau < 1:
        raise ValueError(f"quantile: tau must lie strictly between 0 and 1, got {tau!r}")
    y, f = paired(y_true, y_pred, "quantile")
    d = y - f
    value = np.maximum(tau * d, (tau - 1) * d)
    if not need_grad:
        return Pointwise(value, None)
    grad = np.where(d > 0, -tau, np.where(d < 0, 1 - tau, 0.5 - tau)).astype(value.dtype)
    return Pointwise(value, grad)


@loss(
    latex=r"\max(0,\ |\hat y - y| - \varepsilon)",
    task="regression", convex=True, differentiable=False, robust=True,
    likelihood="uniform core of width 2 epsilon with Laplace tails", targets="real",
)
def epsilon_insensitive(y_true, y_pred, need_grad, *, epsilon=0.1):
    """Epsilon-insensitive loss of support vector regression, epsilon >= 0 (default 0.1, as SVR):

        l = max(0, |y_pred - y_true| - epsilon)

    Errors inside the tube |r| <= epsilon cost nothing. `grad` is sign(r) where |r| >= epsilon
    (torch's sub-gradient for clamp at the edge of the tube) and 0 inside.
    """
    epsilon = check_number(epsilon, "epsilon", "epsilon_insensitive")
    y, f = paired(y_true, y_pred, "epsilon_insensitive")
    r = f - y
    excess = np.abs(r) - epsilon
    value = np.maximum(excess, 0)
    grad = np.where(excess >= 0, np.sign(r), 0).astype(value.dtype) if need_grad else None
    return Pointwise(value, grad)
