"""Distribution and likelihood losses (chapters 02 and 03): KL divergence, Poisson and
Gaussian negative log-likelihoods, with torch's conventions."""

from __future__ import annotations

import numpy as np

from .._validation import as_float, check_finite, check_in_interval, check_number
from ._core import Pointwise, loss
from ._inputs import paired, rows, squeeze_row

HALF_LOG_2PI = 0.5 * np.log(2 * np.pi)


def _check_rows_sum_to_one(p, name, where):
    # A softmax computed in float32 sums to 1 only within a few ulps times k.
    tol = np.sqrt(np.finfo(p.dtype).eps) * max(1, p.shape[1]) ** 0.5
    total = p.sum(axis=1)
    bad = np.abs(total - 1) > tol
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{where}: each row of {name} must be a probability distribution summing to 1; "
            f"row {i} sums to {total[i]!r}. Normalize it (p / p.sum(axis=1, keepdims=True))"
        )


@loss(
    latex=r"\sum_c p_c \log \frac{p_c}{q_c}",
    task="distribution", convex=True, differentiable=True, robust=False,
    likelihood="categorical q, averaged over draws from p (cross-entropy minus entropy)",
    targets="probability rows (n, k)",
)
def kl_divergence(y_true, y_pred, need_grad, *, log_pred=False):
    """Kullback-Leibler divergence KL(p || q) of each row, p = y_true, q = y_pred (n, k):

        l_i = sum_c p_ic (log p_ic - log q_ic),  with 0 log 0 = 0

    "mean" averages over rows: torch `kl_div(log q, p, reduction="batchmean")`, the true
    KL per sample (torch's default "mean" divides by n k and is not a KL). Note torch's
    argument order (log q first); here the truth comes first, as everywhere in lossbook.
    With log_pred=True, y_pred holds log q (as torch expects) and `grad` is taken with respect
    to log q (-p); otherwise with respect to q (-p / q). q = 0 where p > 0 makes the divergence
    infinite and is reported as an error. Rows of p must sum to 1; q is used as given (it is
    not renormalized), so that its gradient can be checked by finite differences.
    """
    where = "kl_divergence"
    q, single = rows(y_pred, where, "y_pred")
    p = as_float(y_true, "y_true", where, q.dtype)
    if p.shape != np.shape(y_pred):
        raise ValueError(
            f"{where}: y_true (p) and y_pred (q) must have the same shape; got {p.shape} and "
            f"{np.shape(y_pred)}"
        )
    p = p.reshape(q.shape)
    check_finite(p, "y_true", where)
    check_in_interval(p, "y_true", where, 0, 1, "probabilities")
    _check_rows_sum_to_one(p, "y_true", where)
    if log_pred:
        log_q = q
    else:
        if (q < 0).any():
            raise ValueError(
                f"{where}: y_pred (q) holds probabilities and must be >= 0; found "
                f"{q[q < 0][0]!r}. For log-probabilities pass log_pred=True"
            )
        if ((q == 0) & (p > 0)).any():
            raise ValueError(
                f"{where}: y_pred (q) is 0 where y_true (p) is positive, so KL(p || q) is "
                "infinite; smooth q (e.g. mix in a small uniform share) or work with logits"
            )
        log_q = np.log(q)
    support = p > 0
    terms = np.where(support, p * (np.log(np.where(support, p, 1)) - log_q), 0)
    value = terms.sum(axis=1)
    grad = None
    if need_grad:
        grad = -p if log_pred else np.where(support, -p / np.where(support, q, 1), 0)
    return squeeze_row(Pointwise(value, grad), single)


@loss(
    latex=r"e^{x} - y x",
    task="regression", convex=True, differentiable=True, robust=False,
    likelihood="Poisson counts with rate exp(x)", targets="counts y >= 0",
)
def poisson_nll(y_true, y_pred, need_grad, *, log_input=True, full=False, eps=1e-8):
    """Poisson negative log-likelihood of counts y given the log-rate x = y_pred (torch defaults):

        l = exp(x) - y x                      (log_input=True)
        l = lam - y log(lam + eps)             (log_input=False, y_pred = lam >= 0)

    full=True adds Stirling's approximation of log(y!), y log y - y + log(2 pi y) / 2, where
    y > 1 (torch masks it to 0 for y <= 1). eps (default 1e-8) is used only when
    log_input=False. Derivative: exp(x) - y, or 1 - y / (lam + eps).
    """
    where = "poisson_nll"
    y, x = paired(y_true, y_pred, where)
    if (y < 0).any():
        raise ValueError(f"{where}: y_true holds counts and must be >= 0; found {y[y < 0][0]!r}")
    if log_input:
        rate = np.exp(x)
        value = rate - y * x
        grad = rate - y if need_grad else None
    else:
        eps = check_number(eps, "eps", where)
        if (x < 0).any():
            raise ValueError(f"{where}: with log_input=False, y_pred is a rate and must be >= 0")
        value = x - y * np.log(x + eps)
        grad = 1 - y / (x + eps) if need_grad else None
    if full:
        big = y > 1
        safe = np.where(big, y, 1)
        stirling = safe * np.log(safe) - safe + 0.5 * np.log(2 * np.pi * safe)
        value = value + np.where(big, stirling, 0)
    return Pointwise(value, grad)


def _variance(var, shape, dtype, where):
    """var shaped like the input, following torch's gaussian_nll_loss broadcasting rules."""
    v = as_float(var, "var", where, dtype)
    check_finite(v, "var", where)
    if (v < 0).any():
        raise ValueError(f"{where}: var must be non-negative; found {v[v < 0][0]!r}")
    if v.ndim and v.shape == shape[:-1]:
        v = v[..., None]  # one variance per sample for (n, d) targets
    differing = [a != b for a, b in zip(v.shape, shape, strict=False)]
    size_one_axis = (v.ndim == len(shape) and sum(differing) == 1
                     and v.shape[differing.index(True)] == 1)
    if v.ndim == 0 or v.shape == shape or size_one_axis:
        return np.broadcast_to(v, shape)
    raise ValueError(
        f"{where}: var has shape {v.shape}, which does not fit the input shape {shape}; give "
        "a number, the input's shape, the input's shape without its last axis, or the input's "
        "shape with one axis of size 1 (torch's rules)"
    )


@loss(
    latex=r"\tfrac12\left(\log \sigma^2 + \frac{(\mu - y)^2}{\sigma^2}\right)",
    task="regression", convex=True, differentiable=True, robust=False,
    likelihood="Gaussian with predicted mean and variance", targets="real",
)
def gaussian_nll(y_true, y_pred, need_grad, *, var, full=False, eps=1e-6):
    """Gaussian negative log-likelihood of y given mean mu = y_pred and variance var (torch):

        l = (log v + (mu - y)^2 / v) / 2,  v = max(var, eps),  + log(2 pi) / 2 if full

    var has the input's shape, the input's shape without its last axis, a size-1 axis where
    the input has more, or is a number. Like torch, var is clamped at eps (default 1e-6), not
    shifted by it. `grad` is with respect to the mean: (mu - y) / v. Convex in the mean for a
    fixed variance.
    """
    where = "gaussian_nll"
    y, mu = paired(y_true, y_pred, where, ("y_true", "mean"))
    eps = check_number(eps, "eps", where)
    v = np.maximum(_variance(var, mu.shape, mu.dtype, where), eps)
    if (v == 0).any():
        raise ValueError(f"{where}: var is 0 and eps is 0, so the likelihood is degenerate")
    r = mu - y
    value = 0.5 * (np.log(v) + r * r / v)
    if full:
        value = value + HALF_LOG_2PI.astype(mu.dtype)
    return Pointwise(value, r / v if need_grad else None)
