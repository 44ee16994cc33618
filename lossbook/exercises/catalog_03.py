"""Exercises of chapter 03 (losses as negative log-likelihoods): NLLs, the MLE of the noise
level, the entropy/KL split of the cross-entropy, and the MAP weights of a Gaussian prior."""

from __future__ import annotations

import math

import numpy as np

from .. import losses
from ..models import Ridge
from ._core import Exercise, Misconception, Property

HALF_LOG_2PI = 0.5 * np.log(2 * np.pi)


def _xlogy(x, y):
    """x log y with 0 log y = 0 (scipy.special.xlogy; the library does not import scipy)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return np.where(x > 0, x * np.log(np.where(x > 0, y, 1.0)), 0.0)


def _entropy(p):
    return -np.sum(_xlogy(p, p), axis=1)


def _log_factorial(y):
    return np.array([math.lgamma(v + 1) for v in np.ravel(y)]).reshape(np.shape(y))


def _residual(y, prediction):
    return np.asarray(prediction, dtype=float) - np.asarray(y, dtype=float)


# ------------------------------------------------------------------------- Gaussian NLL
def _gaussian_nll(y, mu, sigma):
    var = np.asarray(sigma, dtype=float) ** 2
    return losses.gaussian_nll(y, mu, var=var, full=True)


def _gaussian_variant(y, mu, sigma, *, sq_scale=0.5, log_factor=1.0, const=HALF_LOG_2PI,
                      sign=1.0, reduce=np.mean, variance=True):
    """A mistaken Gaussian NLL: each keyword changes one piece of the right formula,
    sq_scale r^2 / sigma^2 + log_factor log sigma + const (sigma for sigma^2 if not variance).
    """
    s = np.asarray(sigma, dtype=float)
    spread = s**2 if variance else s
    r = _residual(y, mu)
    return sign * reduce(sq_scale * r**2 / spread + log_factor * np.log(s) + const + 0 * r)


def _gaussian_cases(rng):
    cases = []
    for n, scalar in [(1, True), (3, False), (8, True), (15, False), (40, True), (25, False)]:
        y = rng.normal(scale=2, size=n)
        mu = y + rng.normal(scale=1.5, size=n)
        sigma = float(rng.uniform(0.2, 3)) if scalar else rng.uniform(0.1, 3, size=n)
        cases.append((y, mu, sigma))
    return cases


GAUSSIAN_NLL = Exercise(
    id="03.gaussian_nll", name="gaussian_nll", points=2,
    reference=_gaussian_nll,
    public_cases=[
        (np.array([1.0, 2.0, 0.5, -1.0]), np.array([0.5, 2.5, 0.0, 0.0]), 3.0),
        (np.array([1.0, 2.0, 0.5, -1.0]), np.array([0.5, 2.5, 0.0, 0.0]),
         np.array([0.5, 1.0, 2.0, 1.5])),
    ],
    hidden_cases=_gaussian_cases,
    misconceptions=[
        Misconception(lambda y, mu, s: _gaussian_variant(y, mu, s, const=0.0),
                      "you left out the constant log(2 pi) / 2: it does not move the "
                      "minimizer (torch's and lossbook's default full=False drops it too), "
                      "but the NLL asked for here is the full -log N(y | mu, sigma^2)"),
        Misconception(lambda y, mu, s: _gaussian_variant(y, mu, s, variance=False),
                      "the squared residual is divided by 2 sigma^2, the variance; you "
                      "divided it by 2 sigma"),
        Misconception(lambda y, mu, s: _gaussian_variant(y, mu, s, variance=False,
                                                         const=0.0),
                      "two mistakes: the squared residual is divided by 2 sigma^2 (not 2 "
                      "sigma), and the constant log(2 pi) / 2 is missing"),
        Misconception(lambda y, mu, s: _gaussian_variant(y, mu, s, sign=-1.0),
                      "wrong sign: that is the mean log-likelihood; the negative "
                      "log-likelihood is minus it"),
        Misconception(lambda y, mu, s: _gaussian_variant(y, mu, s, reduce=np.sum),
                      "you return the sum over the samples; return the mean"),
        Misconception(lambda y, mu, s: _gaussian_variant(y, mu, s, log_factor=2.0),
                      "the normalizing term is log sigma = log(sigma^2) / 2: you used "
                      "log(sigma^2) without the 1/2"),
        Misconception(lambda y, mu, s: _gaussian_variant(y, mu, s, const=2 * HALF_LOG_2PI),
                      "the constant is log(2 pi) / 2 (from the square root in 1 / sqrt(2 pi "
                      "sigma^2)); you added log(2 pi)"),
        Misconception(lambda y, mu, s: _gaussian_variant(y, mu, s, sq_scale=1.0),
                      "the squared term is (y - mu)^2 / (2 sigma^2): you left out the 1/2"),
    ],
)


# ---------------------------------------------------------------------------- sigma MLE
def _sigma_mle(y, y_pred):
    return float(np.sqrt(losses.mse(y, y_pred)))


def _sigma_cases(rng):
    cases = []
    for n in (1, 2, 5, 12, 30, 100):
        y = rng.normal(scale=3, size=n)
        offset = rng.normal()  # residuals whose mean is not 0, as off the fitted model
        cases.append((y, y + offset + rng.normal(scale=rng.uniform(0.1, 4), size=n)))
    return cases


SIGMA_MLE = Exercise(
    id="03.sigma_mle", name="sigma_mle", points=1,
    reference=_sigma_mle,
    public_cases=[(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([1.5, 1.0, 3.0, 5.0, 6.5]))],
    hidden_cases=_sigma_cases,
    misconceptions=[
        Misconception(lambda y, p: np.sqrt(np.sum(_residual(y, p) ** 2) / (np.size(y) - 1)),
                      "you divided by n - 1: that gives (the root of) the unbiased "
                      "variance estimate, not the maximum-likelihood one, which divides by n"),
        Misconception(lambda y, p: np.mean(_residual(y, p) ** 2),
                      "that is the MLE of the variance sigma^2; take its square root to get "
                      "sigma"),
        Misconception(lambda y, p: np.sum(_residual(y, p) ** 2) / (np.size(y) - 1),
                      "two mistakes: divide by n (not n - 1) and take the square root, "
                      "since the MLE of sigma is sqrt(mean squared residual)"),
        Misconception(lambda y, p: np.std(_residual(y, p)),
                      "np.std subtracts the mean of the residuals first; the noise model "
                      "y = y_pred + noise has mean 0 around the prediction, so average the "
                      "squared residuals themselves"),
        Misconception(lambda y, p: np.mean(np.abs(_residual(y, p))),
                      "that is the mean absolute residual, the MLE of the Laplace scale b; "
                      "for Gaussian noise square the residuals, average them and take the "
                      "root"),
        Misconception(lambda y, p: np.sqrt(np.sum(_residual(y, p) ** 2)),
                      "you took the root of the sum of squared residuals; divide the sum by "
                      "n before the root"),
    ],
)


# --------------------------------------------------------------------------- Poisson NLL
def _poisson_cases(rng):
    cases = []
    for n in (1, 4, 10, 25, 60):
        log_rate = rng.normal(0.5, 1.2, size=n)
        counts = rng.poisson(np.exp(log_rate)).astype(float)
        cases.append((counts, log_rate + rng.normal(scale=0.5, size=n)))
    cases.append((np.zeros(5), rng.normal(size=5)))  # all counts 0
    return cases


POISSON_NLL = Exercise(
    id="03.poisson_nll", name="poisson_nll", points=1,
    reference=lambda y, x: losses.poisson_nll(y, x),
    public_cases=[(np.array([0.0, 1.0, 3.0, 2.0]), np.array([0.2, 0.5, 1.0, 0.7])),
                  (np.array([4.0, 0.0, 1.0]), np.array([1.5, -1.0, -0.2]))],
    hidden_cases=_poisson_cases,
    misconceptions=[
        Misconception(lambda y, x: np.mean(np.exp(x) - y * x + _log_factorial(y)),
                      "you added log(y!): that is the exact NLL, but log(y!) does not depend "
                      "on the prediction, and poisson_nll (like torch's) leaves it out"),
        Misconception(lambda y, x: np.mean(x - y * np.log(x)),
                      "the input is the log-rate x = log(lambda), not the rate: the rate is "
                      "exp(x), so the loss is exp(x) - y x"),
        Misconception(lambda y, x: -np.mean(np.exp(x) - y * x),
                      "wrong sign: the NLL is exp(x) - y x (minus the log-likelihood "
                      "y x - exp(x) - log(y!))"),
        Misconception(lambda y, x: np.sum(np.exp(x) - y * x),
                      "you return the sum over the samples; return the mean"),
        Misconception(lambda y, x: np.mean(np.exp(x) + y * x),
                      "the second term is - y x: -log(lambda^y) = -y log(lambda) = -y x"),
        Misconception(lambda y, x: np.mean(np.exp(x) - y * np.exp(x)),
                      "log(lambda^y) = y log(lambda) = y x, not y exp(x): the second term "
                      "is - y x"),
    ],
)


# -------------------------------------------------- cross-entropy = entropy + KL divergence
def _entropy_parts(p, q):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    cross = -np.sum(_xlogy(p, q), axis=1)
    return cross, _entropy(p), losses.kl_divergence(p, q, reduction="none")


def _decomposition(p, q):
    cross, entropy, kl = _entropy_parts(p, q)
    return cross, entropy, kl


def _distributions(rng, n, k):
    return rng.dirichlet(np.ones(k), size=n), rng.dirichlet(np.ones(k), size=n)


def _decomposition_cases(rng):
    return [_distributions(rng, n, k) for n, k in [(1, 2), (3, 4), (5, 3), (8, 6), (2, 10)]]


ONE_HOT = (np.array([[1.0, 0.0, 0.0], [0.0, 0.3, 0.7], [0.0, 0.0, 1.0]]),
           np.array([[0.7, 0.2, 0.1], [0.2, 0.2, 0.6], [0.25, 0.25, 0.5]]))


def _exact_with_zeros(outputs) -> bool:
    (got,) = outputs
    want = _decomposition(*ONE_HOT)
    return len(got) == 3 and all(
        np.shape(g) == np.shape(w) and np.all(np.isfinite(g)) and np.allclose(g, w)
        for g, w in zip(got, want, strict=True))


CROSS_ENTROPY_DECOMPOSITION = Exercise(
    id="03.cross_entropy_decomposition", name="cross_entropy_decomposition", points=2,
    reference=_decomposition,
    public_cases=[(np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8], [0.25, 0.25, 0.5]]),
                   np.array([[0.4, 0.4, 0.2], [0.3, 0.3, 0.4], [0.6, 0.3, 0.1]]))],
    hidden_cases=_decomposition_cases,
    misconceptions=[
        Misconception(lambda p, q: (_entropy_parts(p, q)[0], _entropy_parts(p, q)[1],
                                    _entropy_parts(q, p)[2]),
                      "your KL divergence has p and q swapped: KL(p || q) = sum_c p_c "
                      "log(p_c / q_c), weighted by the truth p (it is not symmetric)"),
        Misconception(lambda p, q: tuple(v / np.log(2) for v in _entropy_parts(p, q)),
                      "you used log base 2 (bits); use the natural logarithm np.log (nats), "
                      "as the losses do"),
        Misconception(lambda p, q: (_entropy_parts(p, q)[0], _entropy(q),
                                    _entropy_parts(p, q)[2]),
                      "the entropy is that of the truth p, H(p) = -sum_c p_c log p_c, not "
                      "of the model q"),
        Misconception(lambda p, q: (_entropy_parts(p, q)[0], -_entropy(p),
                                    _entropy_parts(p, q)[2]),
                      "the entropy has a minus sign: H(p) = -sum_c p_c log p_c >= 0"),
        Misconception(lambda p, q: (_entropy_parts(q, p)[0], _entropy_parts(p, q)[1],
                                    _entropy_parts(p, q)[2]),
                      "your cross-entropy has p and q swapped: H(p, q) = -sum_c p_c log q_c, "
                      "the log of the model weighted by the truth"),
        Misconception(lambda p, q: tuple(float(np.mean(v)) for v in _entropy_parts(p, q)),
                      "you averaged over the rows; return one value per row (three arrays "
                      "of shape (n,))"),
    ],
    properties=[Property(
        "it is not finite (or not exact) when p has zeros, e.g. one-hot rows: use "
        "0 log 0 = 0 (np.where(p > 0, ...) or scipy.special.xlogy)",
        cases=[ONE_HOT], holds=_exact_with_zeros)],
)


# ----------------------------------------------------------------- MAP with a Gaussian prior
def _ridge_weights(X, y, alpha):
    return Ridge(alpha=alpha, fit_intercept=False).fit(X, y).coef_


def _map_weights(X, y, sigma, tau):
    return _ridge_weights(X, y, sigma**2 / tau**2)


def _map_cases(rng):
    cases = []
    for n, d in [(5, 1), (12, 3), (30, 5), (8, 6), (4, 6), (40, 2)]:  # (4, 6): d > n
        X = rng.normal(size=(n, d))
        y = X @ rng.normal(size=d) + rng.normal(scale=0.5, size=n)
        cases.append((X, y, float(rng.uniform(0.3, 3)), float(rng.uniform(0.2, 3))))
    return cases


def _n(X):
    return np.shape(X)[0]


MAP_WEIGHTS = Exercise(
    id="03.map_weights", name="map_weights", points=2,
    reference=_map_weights,
    public_cases=[(np.array([[1.0, 0.0], [0.5, 1.0], [-1.0, 2.0], [2.0, 1.0]]),
                   np.array([1.0, 2.0, 2.5, 3.0]), 1.5, 0.5)],
    hidden_cases=_map_cases,
    misconceptions=[
        Misconception(lambda X, y, sigma, tau: np.linalg.lstsq(X, y, rcond=None)[0],
                      "you left out the prior: that is the maximum-likelihood "
                      "(least-squares) fit; the Gaussian prior adds (sigma^2 / tau^2) I to "
                      "X^T X"),
        Misconception(lambda X, y, sigma, tau: _ridge_weights(X, y, tau**2 / sigma**2),
                      "the ratio is upside down: the penalty strength is sigma^2 / tau^2 "
                      "(more noise or a narrower prior means more shrinkage)"),
        Misconception(lambda X, y, sigma, tau: _ridge_weights(X, y, sigma / tau),
                      "use the variances: the penalty strength is sigma^2 / tau^2, not "
                      "sigma / tau"),
        Misconception(lambda X, y, sigma, tau: _ridge_weights(X, y, sigma**2 / (2 * tau**2)),
                      "a factor 2 is off: multiplying -log posterior = |y - Xw|^2 / (2 "
                      "sigma^2) + |w|^2 / (2 tau^2) by 2 sigma^2 gives the penalty "
                      "(sigma^2 / tau^2) |w|^2, with no 1/2"),
        Misconception(lambda X, y, sigma, tau: _ridge_weights(X, y, 2 * sigma**2 / tau**2),
                      "a factor 2 is off: the 1/2 in front of the squared errors and the one "
                      "in front of |w|^2 cancel, so the penalty strength is sigma^2 / tau^2"),
        Misconception(lambda X, y, sigma, tau: _ridge_weights(X, y, _n(X) * sigma**2 / tau**2),
                      "there is no factor n: the likelihood is a sum over samples, not a "
                      "mean, so the penalty strength is sigma^2 / tau^2"),
        Misconception(lambda X, y, sigma, tau: _ridge_weights(X, y, sigma**2 / (_n(X) * tau**2)),
                      "there is no factor 1/n: the likelihood is a sum over samples, not a "
                      "mean, so the penalty strength is sigma^2 / tau^2"),
    ],
)

EXERCISES = [GAUSSIAN_NLL, SIGMA_MLE, POISSON_NLL, CROSS_ENTROPY_DECOMPOSITION, MAP_WEIGHTS]
