"""Loss values against independent references: scikit-learn metrics, SciPy and mpmath."""

import mpmath
import numpy as np
import pytest
from scipy import special, stats
from sklearn import metrics

from lossbook import losses

RNG = np.random.default_rng(0)
N = 50


def regression_data(seed=0, shape=(N,)):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=shape)
    return y, y + rng.standard_t(df=2, size=shape), rng.uniform(0.1, 3, size=shape[0])


@pytest.mark.parametrize("weighted", [False, True])
def test_mse_and_mae_match_sklearn(weighted):
    y, f, w = regression_data()
    w = w if weighted else None
    assert losses.mse(y, f, sample_weight=w) == pytest.approx(
        metrics.mean_squared_error(y, f, sample_weight=w), rel=1e-13)
    assert losses.mae(y, f, sample_weight=w) == pytest.approx(
        metrics.mean_absolute_error(y, f, sample_weight=w), rel=1e-13)


def test_mse_on_multioutput_targets_matches_sklearn_uniform_average():
    y, f, w = regression_data(shape=(N, 3))
    for weights in (None, w):
        assert losses.mse(y, f, sample_weight=weights) == pytest.approx(
            metrics.mean_squared_error(y, f, sample_weight=weights), rel=1e-13)
    assert losses.mse(y, f, reduction="none").shape == (N, 3)


@pytest.mark.parametrize("tau", [0.1, 0.5, 0.9])
def test_quantile_matches_sklearn_pinball(tau):
    y, f, w = regression_data(1)
    for weights in (None, w):
        assert losses.quantile(y, f, tau=tau, sample_weight=weights) == pytest.approx(
            metrics.mean_pinball_loss(y, f, alpha=tau, sample_weight=weights), rel=1e-13)


def test_quantile_at_one_half_is_half_the_absolute_error():
    y, f, _ = regression_data(2)
    assert losses.quantile(y, f, tau=0.5) == pytest.approx(losses.mae(y, f) / 2, rel=1e-14)


@pytest.mark.parametrize("delta", [0.3, 1.0, 2.5])
def test_huber_matches_scipy(delta):
    y, f, _ = regression_data(3)
    np.testing.assert_allclose(losses.huber(y, f, delta=delta, reduction="none"),
                               special.huber(delta, f - y), rtol=1e-14)


def test_log_cosh_matches_mpmath_including_huge_residuals():
    r = np.array([0.0, 1e-9, -1e-200, 0.5, 0.99, 1.01, -2.0, 30.0, -700.0, 1000.0, 1e300])
    got = losses.log_cosh(np.zeros_like(r), r, reduction="none")
    with mpmath.workdps(50):  # at 15 digits cosh(1e-9) rounds to 1 and its log to 0
        want = [float(mpmath.log(mpmath.cosh(mpmath.mpf(x)))) for x in r]
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-300)
    assert np.all(np.isfinite(got))


def test_epsilon_insensitive_is_zero_inside_the_tube_and_linear_outside():
    r = np.array([0.05, -0.3, 0.1, 1.0, -0.1])
    got = losses.epsilon_insensitive(np.zeros(5), r, epsilon=0.1, reduction="none")
    np.testing.assert_allclose(got, [0, 0.2, 0, 0.9, 0], atol=1e-16)
    grad = losses.epsilon_insensitive.grad(np.zeros(5), r, epsilon=0.1, reduction="none")
    np.testing.assert_array_equal(grad, [0, -1, 1, 1, -1])


@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy_matches_sklearn_log_loss(weighted):
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, size=N)
    p = rng.uniform(0.01, 0.99, size=N)
    w = rng.uniform(0.1, 3, size=N) if weighted else None
    want = metrics.log_loss(y, p, sample_weight=w)
    assert losses.binary_cross_entropy(y, p, sample_weight=w) == pytest.approx(want, rel=1e-13)
    logits = special.logit(p)
    assert losses.binary_cross_entropy_with_logits(y, logits, sample_weight=w) == pytest.approx(
        want, rel=1e-12)
    assert losses.logistic(2 * y - 1, logits, sample_weight=w) == pytest.approx(want, rel=1e-12)


def test_binary_cross_entropy_clamps_log_at_minus_100_like_torch_not_like_sklearn():
    y = np.array([1.0, 0.0, 1.0, 0.0])
    p = np.array([0.0, 1.0, 1e-50, 0.0])
    got = losses.binary_cross_entropy(y, p, reduction="none")
    np.testing.assert_array_equal(got, [100.0, 100.0, 100.0, 0.0])
    # scikit-learn clips p at machine epsilon instead, capping the loss at -log(eps) = 36.04.
    assert metrics.log_loss([1, 0], [0.0, 0.0]) == pytest.approx(-np.log(np.finfo(float).eps) / 2)


def mp_softplus(x):
    return mpmath.log1p(mpmath.exp(mpmath.mpf(x)))


def test_logit_losses_are_exact_at_extreme_logits():
    mpmath.mp.dps = 50
    x = np.array([-1e300, -800.0, -40.0, -1e-8, 0.0, 3.0, 40.0, 800.0, 1e300])
    for label in (0.0, 1.0, 0.3):
        y = np.full_like(x, label)
        got = losses.binary_cross_entropy_with_logits(y, x, reduction="none")
        want = [float(label * mp_softplus(-v) + (1 - label) * mp_softplus(v)) for v in x]
        np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)
        grad = losses.binary_cross_entropy_with_logits.grad(y, x, reduction="none")
        want_grad = [float(1 / (1 + mpmath.exp(-mpmath.mpf(v))) - label) for v in x]
        np.testing.assert_allclose(grad, want_grad, rtol=1e-15, atol=1e-300)


def test_cross_entropy_matches_sklearn_log_loss_and_scipy_log_softmax():
    rng = np.random.default_rng(5)
    logits = rng.normal(scale=3, size=(N, 5))
    y = rng.integers(0, 5, size=N)
    w = rng.uniform(0.1, 3, size=N)
    probs = special.softmax(logits, axis=1)
    for weights in (None, w):
        want = metrics.log_loss(y, probs, labels=range(5), sample_weight=weights)
        assert losses.cross_entropy(y, logits, sample_weight=weights) == pytest.approx(
            want, rel=1e-12)
    np.testing.assert_allclose(
        losses.cross_entropy(y, logits, reduction="none"),
        -special.log_softmax(logits, axis=1)[np.arange(N), y], rtol=1e-13)
    # Probability targets: the expected negative log-probability under q.
    q = rng.dirichlet(np.ones(5), size=N)
    np.testing.assert_allclose(
        losses.cross_entropy(q, logits, reduction="none"),
        -(q * special.log_softmax(logits, axis=1)).sum(axis=1), rtol=1e-12)


def test_cross_entropy_keeps_relative_precision_when_one_logit_dominates():
    mpmath.mp.dps = 60
    logits = np.array([[50.0, 0.0, -3.0], [1e300, 0.0, -1e300], [0.0, 40.0, 39.0]])
    y = np.array([0, 0, 2])
    got = losses.cross_entropy(y, logits, reduction="none")
    want = []
    for row, target in zip(logits, y, strict=True):
        lse = mpmath.log(sum(mpmath.exp(mpmath.mpf(v)) for v in row))
        want.append(float(lse - mpmath.mpf(row[target])))
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)


@pytest.mark.parametrize("weighted", [False, True])
def test_hinge_matches_sklearn_binary_and_multiclass(weighted):
    rng = np.random.default_rng(6)
    y = rng.choice([-1.0, 1.0], size=N)
    f = rng.normal(size=N)
    w = rng.uniform(0.1, 3, size=N) if weighted else None
    assert losses.hinge(y, f, sample_weight=w) == pytest.approx(
        metrics.hinge_loss(y, f, sample_weight=w), rel=1e-13)
    classes = rng.integers(0, 4, size=N)
    scores = rng.normal(size=(N, 4))
    assert losses.multiclass_hinge(classes, scores, sample_weight=w) == pytest.approx(
        metrics.hinge_loss(classes, scores, labels=range(4), sample_weight=w), rel=1e-13)


def test_zero_one_matches_sklearn_and_counts_a_zero_score_as_an_error():
    rng = np.random.default_rng(7)
    y = rng.choice([-1.0, 1.0], size=N)
    f = rng.normal(size=N)
    assert losses.zero_one(y, f) == pytest.approx(
        metrics.zero_one_loss(y, np.where(f > 0, 1.0, -1.0)), rel=1e-15)
    assert losses.zero_one([1, -1], [0.0, 0.0], reduction="sum") == 2


def test_margin_losses_match_their_closed_forms():
    rng = np.random.default_rng(8)
    y = rng.choice([-1.0, 1.0], size=N)
    f = rng.normal(scale=3, size=N)
    z = y * f
    np.testing.assert_allclose(losses.logistic(y, f, reduction="none"), np.logaddexp(0, -z),
                               rtol=1e-14)
    np.testing.assert_allclose(losses.exponential(y, f, reduction="none"), np.exp(-z), rtol=1e-15)
    np.testing.assert_allclose(losses.squared_hinge(y, f, reduction="none"),
                               np.maximum(0, 1 - z) ** 2, rtol=1e-15)


def test_kl_divergence_matches_scipy_entropy():
    rng = np.random.default_rng(9)
    p = rng.dirichlet(np.ones(6), size=N)
    p[0, 2] = 0  # a zero in p contributes 0 log 0 = 0
    p[0] /= p[0].sum()
    q = rng.dirichlet(np.ones(6), size=N)
    want = stats.entropy(p, q, axis=1)
    np.testing.assert_allclose(losses.kl_divergence(p, q, reduction="none"), want, rtol=1e-13)
    assert losses.kl_divergence(p, q) == pytest.approx(want.mean(), rel=1e-13)
    assert losses.kl_divergence(p, np.log(q), log_pred=True) == pytest.approx(want.mean(),
                                                                              rel=1e-13)
    assert losses.kl_divergence(p, p) == 0


def test_poisson_nll_is_the_negative_log_pmf_up_to_log_factorial():
    rng = np.random.default_rng(10)
    counts = rng.poisson(3.0, size=N).astype(float)
    log_rate = rng.normal(size=N)
    want = -stats.poisson.logpmf(counts, np.exp(log_rate)) - special.gammaln(counts + 1)
    np.testing.assert_allclose(losses.poisson_nll(counts, log_rate, reduction="none"), want,
                               rtol=1e-12, atol=1e-13)
    rate = np.exp(log_rate)
    np.testing.assert_allclose(
        losses.poisson_nll(counts, rate, log_input=False, eps=0.0, reduction="none"), want,
        rtol=1e-12, atol=1e-13)


def test_poisson_full_adds_stirling_only_above_one():
    counts = np.array([0.0, 1.0, 2.0, 7.0])
    x = np.zeros(4)
    extra = (losses.poisson_nll(counts, x, full=True, reduction="none")
             - losses.poisson_nll(counts, x, reduction="none"))
    stirling = [float(c * mpmath.log(c) - c + mpmath.log(2 * mpmath.pi * c) / 2) if c > 1 else 0
                for c in counts]
    np.testing.assert_allclose(extra, stirling, rtol=1e-13, atol=1e-15)


def test_gaussian_nll_is_the_negative_log_density():
    rng = np.random.default_rng(11)
    y = rng.normal(size=N)
    mu = rng.normal(size=N)
    var = rng.uniform(0.1, 4, size=N)
    want = -stats.norm.logpdf(y, mu, np.sqrt(var))
    np.testing.assert_allclose(
        losses.gaussian_nll(y, mu, var=var, full=True, reduction="none"), want, rtol=1e-13)
    # Per-sample variance for (n, d) targets, and a single number.
    y2, mu2 = y.reshape(-1, 2), mu.reshape(-1, 2)
    var2 = var[: N // 2]
    np.testing.assert_allclose(
        losses.gaussian_nll(y2, mu2, var=var2, full=True, reduction="none"),
        -stats.norm.logpdf(y2, mu2, np.sqrt(var2)[:, None]), rtol=1e-13)
    assert losses.gaussian_nll(y, mu, var=2.0, full=True) == pytest.approx(
        -stats.norm.logpdf(y, mu, np.sqrt(2.0)).mean(), rel=1e-13)


def test_focal_reduces_to_weighted_cross_entropy_at_gamma_zero():
    rng = np.random.default_rng(12)
    y = rng.integers(0, 2, size=N).astype(float)
    x = rng.normal(scale=3, size=N)
    ce = losses.binary_cross_entropy_with_logits(y, x, reduction="none")
    np.testing.assert_allclose(losses.focal(y, x, gamma=0, alpha=None, reduction="none"), ce,
                               rtol=1e-15)
    alpha_t = np.where(y == 1, 0.25, 0.75)
    np.testing.assert_allclose(losses.focal(y, x, gamma=0, reduction="none"), alpha_t * ce,
                               rtol=1e-15)


def test_focal_matches_mpmath_at_extreme_logits():
    mpmath.mp.dps = 50
    x = np.array([-1e300, -800.0, -30.0, 0.0, 2.0, 30.0, 800.0, 1e300])
    for label in (0.0, 1.0):
        got = losses.focal(np.full_like(x, label), x, reduction="none")
        want = []
        for v in x:
            p = 1 / (1 + mpmath.exp(-mpmath.mpf(v)))
            p_t = p if label else 1 - p
            alpha_t = 0.25 if label else 0.75
            want.append(float(alpha_t * (1 - p_t) ** 2 * -mpmath.log(p_t)) if p_t > 0 else
                        float(alpha_t * (mp_softplus(-v) if label else mp_softplus(v))))
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=0)
