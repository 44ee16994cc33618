"""Cross-entropy losses (chapters 02, 03 and 07): negative log-likelihoods of class labels.

Targets are 0/1 (or soft probabilities) for the binary losses and class indices (or
probability rows) for `cross_entropy`. Logit forms are computed through softplus and a
shifted log-sum-exp, so they are exact for any finite logit, +-1e300 included.
"""

from __future__ import annotations

import numpy as np

from .._numerics import (
    exp_neg_abs,
    exp_rest_,
    log1p_exp_neg_abs,
    shift_rows,
    sigmoid,
    sigmoid_pair,
)
from .._validation import (
    as_class_indices,
    as_float,
    as_weights,
    check_finite,
    check_in_interval,
    check_number,
)
from ._core import Pointwise, loss
from ._inputs import binary_targets, rows, squeeze_row

LOG_FLOOR = -100.0  # torch clamps each log term of binary_cross_entropy at -100
# and the denominator p (1 - p) of its derivative at 1e-12, a single-precision constant in
# torch's kernel, so the exact floor is float32(1e-12) = 9.99999996e-13 even for float64.
GRAD_FLOOR = float(np.float32(1e-12))


@loss(
    latex=r"-[y \log p + (1 - y) \log(1 - p)]",
    task="binary", convex=True, differentiable=True, robust=False,
    likelihood="Bernoulli with P(y = 1) = p", targets="{0, 1} or probabilities in [0, 1]",
)
def binary_cross_entropy(y_true, y_pred, need_grad):
    """Binary cross-entropy on probabilities p = y_pred in [0, 1], y in [0, 1]:

        l = -[y max(log p, -100) + (1 - y) max(log(1 - p), -100)]

    torch `binary_cross_entropy`: each log is clamped at -100, so p = 0 or 1 gives at most 100
    instead of inf (scikit-learn's `log_loss` clips p to [eps, 1 - eps] instead, capping at
    36.04). The derivative (p - y) / max(p (1 - p), 1e-12) is torch's. Probabilities lose
    precision near 0 and 1; prefer `binary_cross_entropy_with_logits` (chapter 02).
    """
    y, p = binary_targets(y_true, y_pred, "binary_cross_entropy", hard=False)
    check_in_interval(p, "y_pred", "binary_cross_entropy", 0, 1,
                      "probabilities; for raw scores use binary_cross_entropy_with_logits")
    log_p = np.maximum(np.log(p), LOG_FLOOR)
    log_q = np.maximum(np.log1p(-p), LOG_FLOOR)
    value = -(y * log_p + (1 - y) * log_q) + 0.0  # + 0.0: a perfect prediction gives 0, not -0
    grad = (p - y) / np.maximum(p * (1 - p), GRAD_FLOOR) if need_grad else None
    return Pointwise(value, grad)


def _pos_weight(pos_weight, shape, dtype, where):
    """pos_weight as an array broadcastable against the last (class) axis of the targets."""
    if pos_weight is None:
        return None
    pw = as_weights(pos_weight, "pos_weight", None, dtype, where, "")
    if pw.ndim > 1 or (pw.ndim == 1 and (not shape or pw.shape[0] not in (1, shape[-1]))):
        raise ValueError(
            f"{where}: pos_weight must be a number or have one entry per column of y_pred "
            f"(shape ({shape[-1] if shape else 1},)); got shape {pw.shape}"
        )
    return pw


@loss(
    latex=r"-[w_+ y \log \sigma(x) + (1 - y) \log(1 - \sigma(x))]",
    task="binary", convex=True, differentiable=True, robust=True,
    likelihood="Bernoulli with P(y = 1) = sigmoid(x)", targets="{0, 1} or probabilities in [0, 1]",
)
def binary_cross_entropy_with_logits(y_true, y_pred, need_grad, *, pos_weight=None):
    """Binary cross-entropy on logits x = y_pred, y in [0, 1], optional pos_weight w+ >= 0:

        l = w+ y softplus(-x) + (1 - y) softplus(x),   softplus(x) = log(1 + e^x)

    torch `binary_cross_entropy_with_logits` (pos_weight multiplies the positive term only and
    broadcasts over the last axis). softplus(+-x) = max(+-x, 0) + log1p(exp(-|x|)) is exact
    for any finite x; the derivative (1 - y) sigmoid(x) - w+ y sigmoid(-x) keeps both tails to
    full relative precision (torch's sigmoid(x) - y rounds to 0 where y = 1 and x > 37).
    """
    where = "binary_cross_entropy_with_logits"
    y, x = binary_targets(y_true, y_pred, where, hard=False)
    pw = _pos_weight(pos_weight, x.shape, x.dtype, where)
    pos_coef = y if pw is None else pw * y  # the weight of softplus(-x) = -log sigmoid(x)
    # softplus(+-x) = max(+-x, 0) + log1p(exp(-|x|)): exact for any finite x. Large inputs make
    # memory traffic the cost, so two buffers are reused in place and (1 - y) is never formed.
    value = np.maximum(x, 0)
    buf = value * y
    value -= buf  # (1 - y) max(x, 0), exactly 0 for y = 1
    np.minimum(x, 0, out=buf)
    buf *= pos_coef
    value -= buf  # + w+ y max(-x, 0)
    tail = np.log1p(exp_neg_abs(x, out=buf), out=buf)  # shared by softplus(x) and softplus(-x)
    if pw is not None:
        tail *= 1 - y + pos_coef
    value += tail  # added last, so that a tiny tail is not lost next to cancelling terms
    if not need_grad:
        return Pointwise(value, None)
    # d/dx = (1 - y) sigmoid(x) - w+ y sigmoid(-x), each sigmoid computed directly (no 1 - s).
    grad = sigmoid(x)
    np.multiply(grad, y, out=buf)
    grad -= buf
    sigmoid(x, negate=True, out=buf)
    buf *= pos_coef
    grad -= buf
    return Pointwise(value, grad)


@loss(
    latex=r"-\alpha_t (1 - p_t)^\gamma \log p_t",
    task="binary", convex=False, differentiable=True, robust=True,
    likelihood=None, targets="{0, 1}",
)
def focal(y_true, y_pred, need_grad, *, alpha=0.25, gamma=2.0):
    """Sigmoid focal loss on logits x = y_pred with labels y in {0, 1} (torchvision defaults):

        p = sigmoid(x),  p_t = p if y = 1 else 1 - p,  alpha_t = alpha if y = 1 else 1 - alpha
        l = alpha_t (1 - p_t)^gamma * (-log p_t)

    torchvision `sigmoid_focal_loss` (alpha=0.25 weights positives by 0.25 and negatives by
    0.75; alpha=None switches the weighting off, like torchvision's alpha=-1 and optax's
    default). gamma >= 0 down-weights easy examples; gamma=0 is alpha-weighted cross-entropy.
    -log p_t and 1 - p_t are computed from logits (softplus, sigmoid tails), never from p.
    """
    if gamma is None:
        raise TypeError("focal: gamma must be a number >= 0")
    gamma = check_number(gamma, "gamma", "focal")
    if alpha is not None:
        alpha = check_number(alpha, "alpha", "focal")
        if alpha > 1:
            raise ValueError(
                f"focal: alpha must lie in [0, 1] (or be None for no weighting), got {alpha!r}"
            )
    y, x = binary_targets(y_true, y_pred, "focal", hard=True)
    positive = y == 1
    tail = log1p_exp_neg_abs(x)
    ce = np.where(positive, np.maximum(-x, 0), np.maximum(x, 0)) + tail  # -log p_t
    sig_pos, sig_neg = sigmoid_pair(x)
    p_t = np.where(positive, sig_pos, sig_neg)
    miss = np.where(positive, sig_neg, sig_pos)  # 1 - p_t without cancellation
    modulator = miss**gamma
    weight = 1 if alpha is None else np.where(positive, alpha, 1 - alpha).astype(x.dtype)
    value = weight * modulator * ce
    if not need_grad:
        return Pointwise(value, None)
    # d/dx: (1 - p_t) changes at rate (1 - 2y) p_t (1 - p_t) and -log p_t at rate p - y.
    p_minus_y = np.where(positive, -sig_neg, sig_pos)
    grad = weight * modulator * (gamma * (1 - 2 * y) * p_t * ce + p_minus_y)
    return Pointwise(value, grad)


def _class_weight(weight, k, dtype, where):
    if weight is None:
        return None
    return as_weights(weight, "weight", (k,), dtype, where, "one entry per class")


@loss(
    latex=r"-\sum_c q_c \log \mathrm{softmax}(f)_c",
    task="multiclass", convex=True, differentiable=True, robust=True,
    likelihood="categorical with P(y = c) = softmax(f)_c",
    targets="class indices 0..k-1 (n,) or probability rows (n, k)",
)
def cross_entropy(y_true, y_pred, need_grad, *, weight=None, label_smoothing=0.0,
                  ignore_index=-100):
    """Softmax cross-entropy of logits f = y_pred (n, k), torch `cross_entropy` semantics.

    With class indices y (n,): l_i = -w_{y_i} log softmax(f_i)_{y_i}; rows whose target equals
    ignore_index (default -100) count 0 and are left out of the mean. With class weights w,
    "mean" is sum_i w_{y_i} l_i / sum_i w_{y_i} (torch's weighted mean).
    With label_smoothing eps: l_i = (1 - eps) w_{y_i} (-log p_{i y_i})
    + (eps / k) sum_c w_c (-log p_ic), still divided by sum_i w_{y_i} under "mean".
    With probability rows q (same shape as y_pred): q <- (1 - eps) q + eps / k and
    l_i = -sum_c w_c q_ic log p_ic; "mean" then divides by the number of rows, not by weights.
    sample_weight s multiplies each row on top (mean: sum s w_y l / sum s w_y).
    The gradient of l_i is (sum_c a_ic) softmax(f_i) - a_i, where a_ic are the coefficients of
    -log p_ic above. log-sum-exp is shifted by the row maximum and kept exact (chapter 02).
    """
    where = "cross_entropy"
    f, single = rows(y_pred, where)
    n, k = f.shape
    eps = check_number(label_smoothing, "label_smoothing", where)
    if eps > 1:
        raise ValueError(f"{where}: label_smoothing must lie in [0, 1], got {eps!r}")
    w = _class_weight(weight, k, f.dtype, where)
    target = np.asarray(y_true)
    if target.shape == np.shape(y_pred):
        if ignore_index >= 0:  # as torch: a class to ignore makes no sense for probabilities
            raise ValueError(f"{where}: ignore_index only applies to class-index targets")
        out = _cross_entropy_probs(target, f, w, eps, need_grad)
    else:
        if single:
            target = target.reshape(-1)
        out = _cross_entropy_index(target, f, w, eps, ignore_index, need_grad)
    return squeeze_row(out, single)


def _cross_entropy_index(target, f, w, eps, ignore_index, need_grad):
    where = "cross_entropy"
    n, k = f.shape
    y = as_class_indices(target, k, "y_true", where, ignore_index=ignore_index)
    if y.shape != (n,):
        raise ValueError(
            f"{where}: y_true must be class indices of shape ({n},) or probabilities of shape "
            f"{f.shape}; got shape {y.shape}"
        )
    kept = y != ignore_index
    y_safe = np.where(kept, y, 0)
    idx = np.arange(n)
    # l_i = sum_c a_ic (log_z_i - s_ic) with coefficients a_i = c_i onehot(y_i) + b, where
    # s = f - rowmax and log_z = logsumexp(s). The s terms are gathered first, because the
    # (n, k) buffer of s is then turned into exp(s) and finally into the gradient in place.
    s, top = shift_rows(f)
    target_weight = kept.astype(f.dtype) if w is None else np.where(kept, w[y_safe], 0)
    c = (1 - eps) * target_weight
    value = c * -s[idx, y_safe]
    total_coef = c
    if eps:
        b_row = (np.ones(k, f.dtype) if w is None else w) * (eps / k)
        value -= kept * (s @ b_row)
        total_coef = c + kept * b_row.sum()
    e = s
    rest = exp_rest_(e, top)
    value += total_coef * np.log1p(rest)
    out = Pointwise(value.astype(f.dtype, copy=False), None, norm=target_weight)
    if need_grad:
        # gradient = (sum_c a_ic) softmax(f_i) - a_i
        scale = (total_coef / (1 + rest)).astype(f.dtype)
        e *= scale[:, None]
        e[idx, top] += scale  # the row maximum's exp(0) = 1, kept apart in exp_rest_
        e[idx, y_safe] -= c
        if eps:
            e -= b_row
            e[~kept] += b_row  # ignored rows have no coefficients at all
        out.grad = e
    return out


def _cross_entropy_probs(target, f, w, eps, need_grad):
    where = "cross_entropy"
    n, k = f.shape
    q = as_float(target, "y_true", where, f.dtype).reshape(f.shape)
    check_finite(q, "y_true", where)
    check_in_interval(q, "y_true", where, 0, 1, "probability targets, one row per sample")
    if eps:
        q = q * (1 - eps) + eps / k
    a = q if w is None else q * w
    s, top = shift_rows(f)
    total_coef = a.sum(axis=1)
    value = -np.einsum("ij,ij->i", a, s)
    e = s
    rest = exp_rest_(e, top)
    value += total_coef * np.log1p(rest)
    out = Pointwise(value, None)
    if need_grad:
        scale = total_coef / (1 + rest)
        e *= scale[:, None]
        e[np.arange(n), top] += scale
        e -= a
        out.grad = e
    return out
