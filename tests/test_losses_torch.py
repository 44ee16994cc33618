"""Parity of lossbook.losses with PyTorch: values and autograd gradients, every reduction.

Each row of CASES pairs a lossbook loss with the torch computation it claims to reproduce (a
torch.nn.functional loss, or the reference formula written with torch ops) and an input
generator. One parametrized test runs every row under the three reductions, with and without
sample weights. torch's (prediction, target) order is mapped onto lossbook's (truth,
prediction) inside the torch_* helpers. sample_weight is applied to torch's per-sample output
("mean" = sum s l / sum s, scikit-learn's meaning); test_sample_weight_is_torch_weight checks
it against torch's own `weight=` where torch has one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lossbook import losses

torch = pytest.importorskip(
    "torch", reason="the frameworks extra (torch) is not installed: torch parity tests skipped"
)
F = torch.nn.functional

pytestmark = pytest.mark.frameworks

REDUCTIONS = ("mean", "sum", "none")
RTOL = 1e-12
TINY = 1e-300  # absolute tolerance for entries that are exactly 0
EXTREME = (1e300, -1e300, 800.0, -800.0, 40.0, -40.0)


# --------------------------------------------------------------------------- torch side


def like(a, x):
    """a (array, number) as a tensor with x's dtype."""
    return torch.as_tensor(np.asarray(a), dtype=x.dtype)


def reduce(per, reduction):
    """torch's reductions for losses written with torch ops: mean over all elements."""
    if reduction == "none":
        return per
    return per.sum() if reduction == "sum" else per.mean()


def torch_mse(x, y, reduction, torch_weight=None):
    return F.mse_loss(x, like(y, x), reduction=reduction, weight=torch_weight)


def torch_mae(x, y, reduction, torch_weight=None):
    return F.l1_loss(x, like(y, x), reduction=reduction, weight=torch_weight)


def torch_huber(x, y, reduction, delta=1.0, torch_weight=None):
    return F.huber_loss(x, like(y, x), reduction=reduction, delta=delta, weight=torch_weight)


def torch_log_cosh(x, y, reduction):
    r = x - like(y, x)
    return reduce(torch.logaddexp(r, -r) - math.log(2), reduction)


def torch_quantile(x, y, reduction, tau=0.5):
    d = like(y, x) - x
    return reduce(torch.maximum(tau * d, (tau - 1) * d), reduction)


def torch_epsilon_insensitive(x, y, reduction, epsilon=0.1):
    return reduce(torch.clamp(torch.abs(x - like(y, x)) - epsilon, min=0), reduction)


def torch_bce(x, y, reduction, torch_weight=None):
    return F.binary_cross_entropy(x, like(y, x), weight=torch_weight, reduction=reduction)


def torch_bce_logits(x, y, reduction, pos_weight=None, torch_weight=None):
    pw = None if pos_weight is None else like(pos_weight, x)
    return F.binary_cross_entropy_with_logits(
        x, like(y, x), weight=torch_weight, reduction=reduction, pos_weight=pw
    )


def torch_bce_logits_logsigmoid(x, y, reduction, pos_weight=None):
    """The same function from F.logsigmoid, exact in both tails.

    F.binary_cross_entropy_with_logits computes (1 - y) x - log sigmoid(x), which cancels for
    y = 0 and x << 0 (it returns 0 at x = -40 where the loss is 4.2e-18).
    """
    t = like(y, x)
    pw = 1.0 if pos_weight is None else like(pos_weight, x)
    return reduce(-(pw * t * F.logsigmoid(x) + (1 - t) * F.logsigmoid(-x)), reduction)


def torch_cross_entropy(x, y, reduction, weight=None, label_smoothing=0.0, ignore_index=-100):
    y = np.asarray(y)
    target = like(y, x) if y.shape == tuple(x.shape) else torch.as_tensor(y, dtype=torch.long)
    return F.cross_entropy(
        x, target, weight=None if weight is None else like(weight, x), reduction=reduction,
        label_smoothing=label_smoothing, ignore_index=ignore_index,
    )


def cross_entropy_norm(y, weight=None, ignore_index=-100, **_):
    """Per-row denominator of torch's "mean" with index targets: w[y_i], 0 if ignored."""
    y = np.asarray(y).reshape(-1)
    kept = y != ignore_index
    w = np.ones(int(y.max()) + 1) if weight is None else np.asarray(weight)
    return np.where(kept, w[np.where(kept, y, 0)], 0.0)


def torch_focal(x, y, reduction, alpha=0.25, gamma=2.0):
    """torchvision.ops.sigmoid_focal_loss, line by line (alpha=None is its alpha=-1)."""
    targets = like(y, x)
    p = torch.sigmoid(x)
    ce_loss = F.binary_cross_entropy_with_logits(x, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha is not None:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return reduce(loss, reduction)


def torch_focal_tails(x, y, reduction, alpha=0.25, gamma=2.0):
    """The torchvision formula with 1 - p_t = sigmoid(+-x) and -log p_t = -logsigmoid(-+x).

    Mathematically identical; torchvision's 1 - p_t loses all digits once p_t rounds to 1.
    """
    t = like(y, x)
    toward_miss = (1 - 2 * t) * x  # x for negatives, -x for positives
    loss = -F.logsigmoid(-toward_miss) * torch.sigmoid(toward_miss) ** gamma
    if alpha is not None:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return reduce(loss, reduction)


def margin(x, y):
    return like(y, x) * x


def torch_hinge(x, y, reduction):
    return reduce(torch.clamp(1 - margin(x, y), min=0), reduction)


def torch_squared_hinge(x, y, reduction):
    return reduce(torch.clamp(1 - margin(x, y), min=0) ** 2, reduction)


def torch_logistic(x, y, reduction):
    # threshold=700 instead of 20: above its threshold softplus returns its argument and drops
    # log1p(exp(-z)), which is 2e-9 at z = 20, far above the tolerance of these tests
    return reduce(F.softplus(-margin(x, y), threshold=700), reduction)


def torch_exponential(x, y, reduction):
    return reduce(torch.exp(-margin(x, y)), reduction)


def torch_zero_one(x, y, reduction):
    # (0 * x keeps the autograd graph, so the derivative 0 is torch's too)
    return reduce((margin(x, y) <= 0).to(x.dtype) + 0 * x, reduction)


def torch_multiclass_hinge(x, y, reduction):
    target = torch.as_tensor(np.asarray(y), dtype=torch.long)[:, None]
    true_score = x.gather(1, target)[:, 0]
    rival = x.scatter(1, target, -math.inf).max(dim=1).values
    return reduce(torch.clamp(1 - true_score + rival, min=0), reduction)


def torch_kl(x, y, reduction, log_pred=False):
    log_q = x if log_pred else x.log()
    if reduction == "none":
        return F.kl_div(log_q, like(y, x), reduction="none").sum(dim=-1)
    return F.kl_div(log_q, like(y, x), reduction="batchmean" if reduction == "mean" else "sum")


def torch_poisson(x, y, reduction, log_input=True, full=False, eps=1e-8):
    return F.poisson_nll_loss(
        x, like(y, x), log_input=log_input, full=full, eps=eps, reduction=reduction
    )


def torch_gaussian(x, y, reduction, var, full=False, eps=1e-6):
    var = var if isinstance(var, float) else like(var, x)
    return F.gaussian_nll_loss(x, like(y, x), var, full=full, eps=eps, reduction=reduction)


# --------------------------------------------------------------------------- inputs


def fixed(y, f):
    return lambda rng: (np.asarray(y), np.asarray(f, dtype=float))


def dyadic(rng, shape):
    """Multiples of 1/8: y + r and (y + r) - y stay exact, so kinks are hit exactly."""
    return rng.integers(-32, 33, size=shape) / 8


def regression(shape=(8,), scale=2.0):
    def make(rng):
        y = rng.normal(size=shape)
        return y, y + scale * rng.normal(size=shape)

    return make


def residuals(*special, n=6, low=0.0, high=3.0):
    """Random residuals (|r| in [low, high]) plus the given ones, y_pred - y_true == r exactly."""

    def make(rng):
        r = rng.choice([-1, 1], n) * rng.uniform(low, high, n)
        r = np.concatenate([np.round(r * 64) / 64, special])
        y = dyadic(rng, r.shape)
        return y, y + r

    return make


def margins(*special, n=8, scale=2.0):
    """Labels in {-1, +1}, random scores, and scores with the given margins y f exactly."""

    def make(rng):
        m = np.concatenate([scale * rng.normal(size=n), special])
        y = rng.choice([-1.0, 1.0], size=m.shape)
        return y, y * m

    return make


def probabilities(soft=False, n=8):
    """p inside (0, 1), including 1e-10 against y = 0 (-log(1 - p) needs log1p there)."""

    def make(rng):
        p = np.concatenate([rng.uniform(0.01, 0.99, n), [1e-10, 1 - 1e-10]])
        y = rng.uniform(size=p.shape) if soft else rng.integers(0, 2, p.shape).astype(float)
        y[n] = 0
        return y, p

    return make


# p exactly 0 and 1 (each log clamped at -100) and p(1 - p) below 1e-12 (torch's floor of the
# derivative's denominator), against hard and soft targets
BCE_CLAMPS = fixed([0, 1, 0, 1, 1, 0, 0, 1, 0.3, 0.7, 0.25],
                   [0, 0, 1, 1, 1e-50, 1e-50, 1 - 1e-16, 1e-20, 0, 1, 1e-13])


def logits(shape=(8,), scale=3.0, soft=False):
    def make(rng):
        y = rng.uniform(size=shape) if soft else rng.integers(0, 2, shape).astype(float)
        return y, scale * rng.normal(size=shape)

    return make


def extreme_logits(*labels, values=EXTREME):
    """Every extreme logit against every label."""
    y, x = np.meshgrid(labels, values)
    return lambda rng: (y.ravel(), x.ravel())


def class_scores(n=6, k=4, probs=False, ignored=None, scale=2.0):
    """Logits (n, k) and class indices (rows 1 and 4 set to `ignored`) or probability rows."""

    def make(rng):
        f = scale * rng.normal(size=(n, k))
        if probs:
            return rng.dirichlet(np.ones(k), size=n), f
        y = rng.integers(0, k, size=n)
        if ignored is not None:
            y[[1, 4]] = ignored
        return y, f

    return make


def single_row(k=5, probs=False):
    def make(rng):
        f = 2 * rng.normal(size=k)
        return (rng.dirichlet(np.ones(k)) if probs else np.int64(rng.integers(k))), f

    return make


def distributions(n=5, k=4, log=False):
    """p with some zero entries (0 log 0 = 0), q strictly positive (or log q)."""

    def make(rng):
        p = rng.dirichlet(np.ones(k), size=n)
        p[rng.uniform(size=p.shape) < 0.25] = 0
        p[:, 0] += p.sum(axis=1) == 0
        p /= p.sum(axis=1, keepdims=True)
        q = rng.dirichlet(np.ones(k), size=n)
        return p, np.log(q) if log else q

    return make


def counts(log_input=True, n=8):
    def make(rng):
        y = np.concatenate([rng.poisson(3.0, n), [0, 1, 2, 5]]).astype(float)
        if log_input:
            return y, rng.normal(size=y.shape)
        lam = rng.uniform(0.1, 4, y.shape)
        lam[-4] = 0.0  # a zero rate with a zero count: l = 0 - 0 log(eps)
        return y, lam

    return make


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Case:
    id: str
    loss: losses.Loss
    torch_fn: Callable
    make: Callable
    params: dict = field(default_factory=dict)
    norm: Callable | None = None  # per-row weight in torch's "mean" denominator (cross_entropy)
    atol: float = TINY  # torch's own absolute rounding error where its formula cancels
    seed: int = 0


VAR = np.array([0.5, 2.0, 1e-9, 1.3, 0.7, 3.0, 1e-7, 0.2])  # two entries below eps: clamped
CE = losses.cross_entropy
CE_WEIGHT = np.array([0.5, 2.0, 1.0, 3.0])

CASES = [
    Case("mse", losses.mse, torch_mse, regression()),
    Case("mse_2d", losses.mse, torch_mse, regression((5, 3))),
    Case("mae_kinks", losses.mae, torch_mae, residuals(0.0, -0.0, 0.0)),
    Case("mae_2d", losses.mae, torch_mae, regression((4, 3))),
    Case("huber", losses.huber, torch_huber, regression()),
    Case("huber_kinks", losses.huber, torch_huber, residuals(0, 0.5, -0.5, 1.5),
         {"delta": 0.5}),
    Case("huber_2d", losses.huber, torch_huber, regression((4, 3), 3.0), {"delta": 2.0}),
    # log(cosh r) from logaddexp cancels for |r| < 0.1, hence the floor on the random ones
    Case("log_cosh", losses.log_cosh, torch_log_cosh,
         residuals(0.0, 30.0, -800.0, 1e300, -1e300, n=10, low=0.1, high=5.0)),
    Case("log_cosh_2d", losses.log_cosh, torch_log_cosh, regression((4, 3))),
    Case("quantile_tau0.1", losses.quantile, torch_quantile, residuals(0.0, 0.0), {"tau": 0.1}),
    Case("quantile_tau0.5", losses.quantile, torch_quantile, residuals(0.0), {"tau": 0.5}),
    Case("quantile_tau0.9_2d", losses.quantile, torch_quantile, regression((4, 3)),
         {"tau": 0.9}),
    Case("epsilon_insensitive", losses.epsilon_insensitive, torch_epsilon_insensitive,
         residuals(0, 0.5, -0.5, 0.25, 2.0), {"epsilon": 0.5}),
    Case("epsilon_insensitive_eps0", losses.epsilon_insensitive, torch_epsilon_insensitive,
         residuals(0.0, 0.0), {"epsilon": 0.0}),
    Case("epsilon_insensitive_default", losses.epsilon_insensitive, torch_epsilon_insensitive,
         regression((4, 3), 0.3)),
    Case("bce", losses.binary_cross_entropy, torch_bce, probabilities()),
    Case("bce_soft", losses.binary_cross_entropy, torch_bce, probabilities(soft=True)),
    Case("bce_clamps", losses.binary_cross_entropy, torch_bce, BCE_CLAMPS),
    Case("bce_2d", losses.binary_cross_entropy, torch_bce,
         lambda rng: (rng.integers(0, 2, (4, 3)).astype(float), rng.uniform(size=(4, 3)))),
    Case("bce_logits", losses.binary_cross_entropy_with_logits, torch_bce_logits, logits(),
         atol=1e-14),
    Case("bce_logits_soft_pw", losses.binary_cross_entropy_with_logits, torch_bce_logits,
         logits(soft=True), {"pos_weight": 3.0}, atol=1e-14),
    Case("bce_logits_2d_pw_columns", losses.binary_cross_entropy_with_logits, torch_bce_logits,
         logits((6, 3)), {"pos_weight": np.array([0.5, 1.0, 4.0])}, atol=1e-14),
    Case("bce_logits_extreme", losses.binary_cross_entropy_with_logits, torch_bce_logits,
         extreme_logits(0.0, 1.0, 0.3, values=EXTREME[:4])),
    Case("bce_logits_extreme_pw", losses.binary_cross_entropy_with_logits, torch_bce_logits,
         extreme_logits(0.0, 1.0, 0.3, values=EXTREME[:4]), {"pos_weight": 3.0}),
    Case("bce_logits_logsigmoid", losses.binary_cross_entropy_with_logits,
         torch_bce_logits_logsigmoid, logits((6, 3), 10.0),
         {"pos_weight": np.array([0.5, 1.0, 4.0])}),
    Case("bce_logits_logsigmoid_extreme", losses.binary_cross_entropy_with_logits,
         torch_bce_logits_logsigmoid, extreme_logits(0.0, 1.0, 0.3, values=EXTREME + (-30.0,)),
         {"pos_weight": 2.5}),
    Case("ce_index", CE, torch_cross_entropy, class_scores()),
    Case("ce_weight", CE, torch_cross_entropy, class_scores(), {"weight": CE_WEIGHT},
         cross_entropy_norm),
    Case("ce_smoothing", CE, torch_cross_entropy, class_scores(), {"label_smoothing": 0.2}),
    Case("ce_weight_smoothing", CE, torch_cross_entropy, class_scores(),
         {"weight": CE_WEIGHT, "label_smoothing": 0.1}, cross_entropy_norm),
    Case("ce_ignore_default", CE, torch_cross_entropy, class_scores(ignored=-100), {},
         cross_entropy_norm),
    Case("ce_ignore_custom", CE, torch_cross_entropy, class_scores(ignored=-1),
         {"ignore_index": -1}, cross_entropy_norm),
    Case("ce_ignore_a_class", CE, torch_cross_entropy, class_scores(n=8), {"ignore_index": 2},
         cross_entropy_norm),
    Case("ce_weight_smoothing_ignore", CE, torch_cross_entropy, class_scores(ignored=-100),
         {"weight": CE_WEIGHT, "label_smoothing": 0.3}, cross_entropy_norm),
    Case("ce_probs", CE, torch_cross_entropy, class_scores(probs=True)),
    Case("ce_probs_weight_smoothing", CE, torch_cross_entropy, class_scores(probs=True),
         {"weight": CE_WEIGHT, "label_smoothing": 0.15}),
    Case("ce_single_row", CE, torch_cross_entropy, single_row()),
    Case("ce_single_row_smoothing", CE, torch_cross_entropy, single_row(),
         {"label_smoothing": 0.1, "weight": np.arange(1.0, 6.0)}, cross_entropy_norm),
    Case("ce_single_row_probs", CE, torch_cross_entropy, single_row(probs=True)),
    # torch's log-sum-exp is log(1 + tiny) = 0 where lossbook keeps log1p(tiny) = 8e-18
    Case("ce_extreme", CE, torch_cross_entropy,
         fixed([0, 1, 3, 0, 1, 2], [[1e300, -1e300, 0, 5], [1e300, -1e300, 0, 5],
                                    [800, -800, 0, 1], [40, -40, 0, 0], [40, -40, 0, 0],
                                    [-1e300, 1e300, 1e300, -5]]),
         {"label_smoothing": 0.1}, cross_entropy_norm, atol=1e-15),
    Case("focal", losses.focal, torch_focal, logits(scale=1.5)),
    Case("focal_no_alpha", losses.focal, torch_focal, logits(scale=1.5),
         {"alpha": None, "gamma": 0.5}),
    Case("focal_gamma0_2d", losses.focal, torch_focal, logits((4, 3), 1.5),
         {"alpha": 0.7, "gamma": 0.0}),
    Case("focal_tails", losses.focal, torch_focal_tails, logits((5, 3), 12.0),
         {"alpha": 0.25, "gamma": 2.0}),
    Case("focal_extreme", losses.focal, torch_focal_tails, extreme_logits(0.0, 1.0),
         {"alpha": 0.25, "gamma": 2.0}),
    Case("focal_extreme_gamma1", losses.focal, torch_focal_tails, extreme_logits(0.0, 1.0),
         {"alpha": None, "gamma": 1.0}),
    Case("hinge", losses.hinge, torch_hinge, margins(1.0, 1.0, 0.0, 1e300, -1e300)),
    Case("squared_hinge", losses.squared_hinge, torch_squared_hinge,
         margins(1.0, 1.0, 0.0, 1e150, -1e150)),
    Case("logistic", losses.logistic, torch_logistic, margins(0.0, *EXTREME, 20.5, -20.5)),
    Case("logistic_moderate", losses.logistic, torch_logistic, margins(0.0, 20.5, -20.5)),
    Case("exponential", losses.exponential, torch_exponential, margins(0.0, 40, -40, -700)),
    Case("zero_one", losses.zero_one, torch_zero_one, margins(0.0, 0.0, 1e300, -1e300)),
    Case("multiclass_hinge", losses.multiclass_hinge, torch_multiclass_hinge,
         class_scores(n=8, scale=1.0)),
    # rows: margin exactly 1 (slack 0), a tie between two wrong classes, a tie with the truth
    Case("multiclass_hinge_kinks", losses.multiclass_hinge, torch_multiclass_hinge,
         fixed([0, 2, 1, 3], [[2, 1, 0.5, -1], [0, 3, 1, 3], [1, 1, 0, 0.5], [0, 0, 0, 0]])),
    Case("kl", losses.kl_divergence, torch_kl, distributions()),
    Case("kl_log_pred", losses.kl_divergence, torch_kl, distributions(log=True),
         {"log_pred": True}),
    Case("poisson", losses.poisson_nll, torch_poisson, counts()),
    Case("poisson_full", losses.poisson_nll, torch_poisson, counts(), {"full": True}),
    Case("poisson_rate", losses.poisson_nll, torch_poisson, counts(log_input=False),
         {"log_input": False}),
    Case("poisson_rate_full_eps", losses.poisson_nll, torch_poisson, counts(log_input=False),
         {"log_input": False, "full": True, "eps": 1e-3}),
    Case("gaussian_var_same_shape", losses.gaussian_nll, torch_gaussian, regression(),
         {"var": VAR}),
    Case("gaussian_var_per_row", losses.gaussian_nll, torch_gaussian, regression((8, 3)),
         {"var": VAR, "full": True}),
    Case("gaussian_var_column", losses.gaussian_nll, torch_gaussian, regression((8, 3)),
         {"var": VAR[:, None], "eps": 1e-3}),
    Case("gaussian_var_row", losses.gaussian_nll, torch_gaussian, regression((8, 3)),
         {"var": np.array([[0.5, 1e-8, 2.0]])}),
    Case("gaussian_var_scalar", losses.gaussian_nll, torch_gaussian, regression((4, 3)),
         {"var": 0.7, "full": True}),
]


def pick(*ids):
    chosen = [case for case in CASES if case.id in ids]
    assert len(chosen) == len(ids), "unknown case id"
    return [pytest.param(case, id=case.id) for case in chosen]


# --------------------------------------------------------------------------- comparison


def sample_weights(case, y, f, rng):
    """Weights in [0.25, 2), one of them 0, one per sample (torch's per-row output length)."""
    with torch.no_grad():
        per = case.torch_fn(torch.tensor(f), y, "none", **case.params)
    n = per.shape[0] if per.ndim else 1
    s = rng.uniform(0.25, 2.0, size=n)
    if n > 2:
        s[n // 2] = 0  # a zero weight drops the sample from the mean
    return s


def torch_value_and_grad(case, y, f, reduction, s=None, dtype=torch.float64):
    """torch's reduced loss and its autograd gradient with respect to the prediction.

    For "none" the gradient is the backward pass of a ones vector: the derivative of each
    per-sample value (every per-sample value depends on its own row only).
    """
    x = torch.tensor(f, dtype=dtype, requires_grad=True)
    if s is None:
        out = case.torch_fn(x, y, reduction, **case.params)
    else:
        per = case.torch_fn(x, y, "none", **case.params)
        rows = per.reshape(len(s), -1) * like(s, x)[:, None]
        if reduction == "none":
            out = rows.reshape(per.shape)
        elif reduction == "sum":
            out = rows.sum()
        else:
            norm = np.ones(len(s)) if case.norm is None else case.norm(y, **case.params)
            out = rows.sum() / float((s * norm).sum() * rows.shape[1])
    out.backward(torch.ones_like(out))
    return out.detach().numpy(), x.grad.numpy()


def assert_close(actual, expected, rtol=RTOL, atol=TINY):
    assert_allclose(actual, expected, rtol=rtol, atol=atol, strict=True)


def lossbook_all_ways(case, y, f, reduction, s):
    """value and grad through loss(), loss.grad() and loss.value_and_grad(), checked equal."""
    kwargs = dict(reduction=reduction, sample_weight=s, **case.params)
    value, grad = case.loss.value_and_grad(y, f, **kwargs)
    assert_allclose(case.loss(y, f, **kwargs), value, rtol=0, atol=0, strict=True)
    assert_allclose(case.loss.grad(y, f, **kwargs), grad, rtol=0, atol=0, strict=True)
    return value, grad


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "sample_weight"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in CASES])
def test_matches_torch(case, reduction, weighted):
    rng = np.random.default_rng(case.seed)
    y, f = case.make(rng)
    s = sample_weights(case, y, f, rng) if weighted else None
    value, grad = lossbook_all_ways(case, y, f, reduction, s)
    ref_value, ref_grad = torch_value_and_grad(case, y, f, reduction, s)
    assert np.isfinite(value).all() and np.isfinite(grad).all()
    assert_close(value, ref_value, atol=case.atol)
    assert_close(grad, ref_grad, atol=case.atol)


# torch 2.13's weight= under "mean": mse_loss and l1_loss divide by sum(weight), like lossbook's
# sample_weight; huber_loss, binary_cross_entropy(_with_logits) divide by numel.
TORCH_WEIGHTED_MEAN = {"mse_2d": "weight", "mae_kinks": "weight", "huber_2d": "numel",
                       "bce": "numel", "bce_2d": "numel", "bce_logits_2d_pw_columns": "numel"}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", pick(*TORCH_WEIGHTED_MEAN))
def test_sample_weight_is_torch_weight(case, reduction):
    """sample_weight s against torch's weight= (s broadcast over each row)."""
    rng = np.random.default_rng(1)
    y, f = case.make(rng)
    s = rng.uniform(0.25, 2.0, size=len(f))
    x = torch.tensor(f, requires_grad=True)
    w = like(s, x).reshape((-1,) + (1,) * (x.ndim - 1)).expand_as(x)
    out = case.torch_fn(x, y, reduction, torch_weight=w, **case.params)
    out.backward(torch.ones_like(out))
    value, grad = case.loss.value_and_grad(y, f, reduction=reduction, sample_weight=s,
                                           **case.params)
    if reduction == "mean" and TORCH_WEIGHTED_MEAN[case.id] == "numel":
        scale = s.sum() * (f.size // len(f)) / f.size  # lossbook divides by sum(s) * columns
        value, grad = value * scale, grad * scale
    assert_close(value, out.detach().numpy(), atol=case.atol)
    assert_close(grad, x.grad.numpy(), atol=case.atol)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [0.25, 1.0, 3.0])
def test_huber_over_delta_is_smooth_l1(delta, reduction):
    rng = np.random.default_rng(2)
    y, f = residuals(0.0, delta, -delta, n=12, high=4.0)(rng)
    x = torch.tensor(f, requires_grad=True)
    out = F.smooth_l1_loss(x, torch.tensor(y), reduction=reduction, beta=delta)
    out.backward(torch.ones_like(out))
    value, grad = losses.huber.value_and_grad(y, f, reduction=reduction, delta=delta)
    assert_close(value / delta, out.detach().numpy())
    assert_close(grad / delta, x.grad.numpy())


@pytest.mark.parametrize(
    ("shape", "var_shape"), [((4, 3), (3,)), ((4, 3), (1, 1)), ((2, 2, 3), (2, 1, 1))]
)
def test_gaussian_nll_rejects_var_shapes_torch_rejects(shape, var_shape):
    """torch accepts var of the input's shape, that shape without its last axis, or one that
    differs in a single axis of size 1; numpy broadcasting alone accepts more."""
    rng = np.random.default_rng(4)
    y, mu, var = rng.normal(size=shape), rng.normal(size=shape), rng.uniform(1, 2, var_shape)
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(torch.tensor(mu), torch.tensor(y), torch.tensor(var))
    with pytest.raises(ValueError, match="var"):
        losses.gaussian_nll(y, mu, var=var)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "sample_weight"])
def test_multiclass_hinge_matches_sklearn(weighted):
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    y, f = class_scores(n=12, k=4, scale=1.0)(rng)
    s = rng.uniform(0.25, 2.0, size=12) if weighted else None
    expected = metrics.hinge_loss(y, f, labels=np.arange(4), sample_weight=s)
    assert_allclose(losses.multiclass_hinge(y, f, sample_weight=s), expected, rtol=RTOL)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "sample_weight"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "case",
    pick("mse_2d", "huber", "log_cosh_2d", "bce", "bce_logits_soft_pw", "ce_weight_smoothing",
         "ce_probs", "focal", "logistic_moderate", "kl", "poisson", "gaussian_var_per_row"),
)
def test_float32_stays_float32_and_matches_torch(case, reduction, weighted):
    rng = np.random.default_rng(case.seed)
    y, f = case.make(rng)
    f = f.astype(np.float32)
    s = sample_weights(case, y, f.astype(float), rng) if weighted else None
    value, grad = lossbook_all_ways(case, y, f, reduction, s)
    ref_value, ref_grad = torch_value_and_grad(case, y, f, reduction, s, dtype=torch.float32)
    assert np.asarray(value).dtype == np.float32 and grad.dtype == np.float32
    assert_close(value, ref_value, rtol=1e-5, atol=1e-6)
    assert_close(grad, ref_grad, rtol=1e-5, atol=1e-6)


# Worked numbers of /work/shared/reference/parity.md (torch 2.13.0 float64, or the formula
# evaluated with torch ops): both lossbook and the torch reference of the row must give them.
REG = ([3, -0.5, 2, 7], [2.5, 0, 2, 8])  # (target, prediction)
HUBER = (np.zeros(6), [0.0, 0.5, 1.0, 1.5, 3.0, -2.0])
BCE = ([1, 0, 0], [0.9, 0.2, 0.6])
BCE_LOGITS = ([1, 0, 1, 0, 1, 1], [2, -1, 0, 30, -30, 100])
FOCAL = ([1, 0, 1, 0, 1], [2, -1, 0, 3, -2])
CE_LOGITS = [[1.2, -0.8, -0.5], [0.9, -1.2, 1.1], [0.0, 0.5, 2.0], [1.0, 1.0, 1.0]]
CE_W = {"weight": np.array([1, 2, 0.5])}
KL = ([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]], [[0.3, 0.3, 0.4], [0.25, 0.25, 0.5]])
POISSON_Y = [1, 0, 3, 2]
GAUSS = ([1.5, 1, 0], [1, 2, 0])
GAUSS_VAR = {"var": np.array([0.5, 2, 1e-9])}
WORKED = [
    ("mse_mean", torch_mse, *REG, {}, "mean", 0.375),
    ("mse_sum", torch_mse, *REG, {}, "sum", 1.5),
    ("mae_mean", torch_mae, *REG, {}, "mean", 0.5),
    ("huber_d1", torch_huber, *HUBER, {}, "none", [0, 0.125, 0.5, 1.0, 2.5, 1.5]),
    ("huber_d2", torch_huber, *HUBER, {"delta": 2.0}, "none", [0, 0.125, 0.5, 1.125, 4.0, 2.0]),
    ("huber_d0.5", torch_huber, *HUBER, {"delta": 0.5}, "none",
     [0, 0.125, 0.375, 0.625, 1.375, 0.875]),
    ("log_cosh", torch_log_cosh, np.zeros(6), [0, 0.5, 1, -2, 10, 1000], {}, "none",
     [0.0, 0.12011450695827752, 0.4337808304830272, 1.3250027473578645, 9.306852821501208,
      999.3068528194401]),
    ("epsilon", torch_epsilon_insensitive, np.zeros(4), [0.05, -0.3, 0.1, 1.0], {}, "none",
     [0, 0.2, 0, 0.9]),
    ("bce_none", torch_bce, *BCE, {}, "none",
     [0.10536051565782628, 0.22314355131420976, 0.916290731874155]),
    ("bce_mean", torch_bce, *BCE, {}, "mean", 0.41493159961539705),
    ("bce_clamps", torch_bce, [1, 0, 1, 0.3], [0, 1, 1e-50, 0.6], {}, "none",
     [100.0, 100.0, 100.0, 0.7946511994417057]),
    ("bce_logits", torch_bce_logits, *BCE_LOGITS, {}, "none",
     [0.1269280110429725, 0.3132616875182228, 0.6931471805599453, 30.000000000000092,
      30.000000000000092, 3.720075976020836e-44]),
    ("bce_logits_pw", torch_bce_logits, *BCE_LOGITS, {"pos_weight": 3.0}, "none",
     [0.3807840331289175, 0.3132616875182228, 2.0794415416798357, 30.000000000000092,
      90.00000000000028, 1.1160227928062509e-43]),
    ("bce_logits_pw_columns", torch_bce_logits, [[1, 1], [0, 1]], [[1, -2], [0.5, 0.5]],
     {"pos_weight": np.array([1.0, 4.0])}, "mean", 2.922839663147662),
    ("focal", torch_focal, *FOCAL, {}, "none",
     [0.00045089070881009483, 0.016993543131350493, 0.04332169878499658, 2.0747103307689474,
      0.41251954485535225]),
    ("focal_sum", torch_focal, *FOCAL, {}, "sum", 2.5479960082494566),
    ("focal_no_alpha", torch_focal, *FOCAL, {"alpha": None}, "none",
     [0.0018035628352403793, 0.022658057508467326, 0.17328679513998632, 2.766280441025263,
      1.650078179421409]),
    ("focal_gamma0", torch_focal, *FOCAL, {"gamma": 0.0}, "none",
     [0.031732002760743123, 0.2349462656386671, 0.17328679513998632, 2.2864405136803065,
      0.5317320027607432]),
    ("ce_weight_mean", torch_cross_entropy, [0, 1, 2, 1], CE_LOGITS, CE_W, "mean",
     1.5509326783100328),
    ("ce_smoothing_ignore", torch_cross_entropy, [0, -100, 2, 1], CE_LOGITS,
     {"label_smoothing": 0.1}, "mean", 0.6403659021475979),
    ("ce_ignore_class_1", torch_cross_entropy, [0, 1, 2, 1], CE_LOGITS, {"ignore_index": 1},
     "mean", 0.29124270888734205),
    ("ce_probs_weight", torch_cross_entropy,
     [[0.7, 0.2, 0.1], [0, 1, 0], [0.25, 0.25, 0.5], [1 / 3, 1 / 3, 1 / 3]], CE_LOGITS, CE_W,
     "mean", 2.4860542005237067),
    ("kl_batchmean", torch_kl, *KL, {}, "mean", 0.11161175552861473),
    ("kl_rows", torch_kl, *KL, {}, "none", [0.030478754035472025, 0.19274475702175753]),
    ("poisson_full", torch_poisson, POISSON_Y, [0.5, 1, 2, 0], {"full": True}, "none",
     [1.1487212707001282, 2.718281828459045, 3.153137642473707, 1.651806484604536]),
    ("poisson_rate", torch_poisson, POISSON_Y, [0.5, 1, 2, 1e-12], {"log_input": False},
     "none", [1.1931471605599455, 1.0, -0.07944155667983566, 36.84116149790507]),
    ("gaussian_full", torch_gaussian, *GAUSS, {**GAUSS_VAR, "full": True}, "none",
     [0.8223649429247, 1.5155121234846454, -5.988816745777465]),
    ("gaussian_mean", torch_gaussian, *GAUSS, GAUSS_VAR, "mean", -2.135918426327379),
    ("multiclass_hinge", torch_multiclass_hinge, [0, 1, 2, 1],
     [[1, 0.2, -0.5], [0.3, 0.4, 0.1], [-1, 0, 2.5], [0.5, 0.5, 0.5]], {}, "none",
     [0.2, 0.9, 0, 1.0]),
]
LOSS_OF = {
    torch_mse: losses.mse, torch_mae: losses.mae, torch_huber: losses.huber,
    torch_log_cosh: losses.log_cosh, torch_epsilon_insensitive: losses.epsilon_insensitive,
    torch_bce: losses.binary_cross_entropy,
    torch_bce_logits: losses.binary_cross_entropy_with_logits,
    torch_focal: losses.focal, torch_cross_entropy: losses.cross_entropy,
    torch_kl: losses.kl_divergence, torch_poisson: losses.poisson_nll,
    torch_gaussian: losses.gaussian_nll, torch_multiclass_hinge: losses.multiclass_hinge,
}


@pytest.mark.parametrize(
    ("torch_fn", "y", "f", "params", "reduction", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in WORKED],
)
def test_worked_numbers_of_the_parity_reference(torch_fn, y, f, params, reduction, expected):
    y, f = np.asarray(y), np.asarray(f, dtype=float)
    with torch.no_grad():
        reference = torch_fn(torch.tensor(f), y, reduction, **params).numpy()
    value = LOSS_OF[torch_fn](y, f, reduction=reduction, **params)
    assert_allclose(reference, expected, rtol=1e-12, atol=TINY)
    assert_allclose(value, expected, rtol=1e-12, atol=TINY)
