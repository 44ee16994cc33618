"""Exercises of chapter 01 (empirical risk minimization): risks of a model, by hand.

The references follow the library's conventions: the squared loss is `losses.mse` (mean of
r^2, no factor 1/2), the 0-1 loss counts y f <= 0 as an error, and the structural risk adds
`penalties.l2` (alpha / 2 ||w||^2) on the weights only, never on the intercept.
"""

from __future__ import annotations

import numpy as np

from .. import losses, penalties
from ..risk import empirical_risk as _risk
from ._core import Exercise, Misconception


def _linear_risk(w, b, X, y, alpha=0.0):
    """(1/n) sum (x_i w + b - y_i)^2 + alpha / 2 ||w||^2, through lossbook.risk."""
    risk = _risk(losses.mse, np.asarray(X, dtype=float), np.asarray(y, dtype=float),
                 penalty=penalties.l2, alpha=float(alpha))
    return risk({"w": np.asarray(w, dtype=float), "b": np.float64(b)})


def _residual(w, b, X, y):
    return np.asarray(X) @ np.asarray(w) + b - np.asarray(y)


def _regression_case(rng, n=None, d=None, b=None):
    """(w, b, X, y): a random linear model and data that it does not fit exactly."""
    n = int(rng.integers(1, 40)) if n is None else n
    d = int(rng.integers(1, 6)) if d is None else d
    X = rng.normal(scale=float(rng.uniform(0.5, 3)), size=(n, d))
    w = rng.normal(scale=2, size=d)
    b = float(rng.normal(scale=3)) if b is None else b
    y = X @ rng.normal(size=d) + rng.normal(scale=2) + rng.normal(size=n)
    return w, b, X, y


def _regression_cases(rng):
    cases = [_regression_case(rng) for _ in range(5)]
    cases.append(_regression_case(rng, n=1))  # a single sample: the mean is that sample
    cases.append(_regression_case(rng, n=int(rng.integers(50, 200)), d=1))
    cases.append(_regression_case(rng, b=0.0))  # no intercept to forget
    w, b, X, _ = _regression_case(rng)
    cases.append((w, b, X, X @ w + b))  # a perfect fit: risk 0
    return cases


# -- 01.empirical_risk --------------------------------------------------------------------

EMPIRICAL_RISK = Exercise(
    id="01.empirical_risk", name="empirical_risk", points=1,
    reference=lambda w, b, X, y: _linear_risk(w, b, X, y),
    public_cases=[(np.array([0.5, -1.0]), 2.0,
                   np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]]),
                   np.array([1.0, 2.0, 4.0]))],
    hidden_cases=_regression_cases,
    misconceptions=[
        Misconception(lambda w, b, X, y: np.sum(_residual(w, b, X, y) ** 2),
                      "you return the sum of the squared errors; the empirical risk is their "
                      "mean: divide by the number of samples n (np.mean)"),
        Misconception(lambda w, b, X, y: np.mean((np.asarray(X) @ w - y) ** 2),
                      "you left out the intercept: the prediction is f(x) = x . w + b, so the "
                      "residual is X @ w + b - y"),
        Misconception(lambda w, b, X, y: 0.5 * np.mean(_residual(w, b, X, y) ** 2),
                      "you included a factor 1/2; the squared loss here is losses.mse, "
                      "(f(x) - y)^2 without the 1/2"),
        Misconception(lambda w, b, X, y: np.mean(_residual(w, b, X, y)) ** 2,
                      "you squared the mean residual; square each residual first, then take "
                      "the mean: np.mean(r ** 2), not np.mean(r) ** 2"),
        Misconception(lambda w, b, X, y: np.sqrt(np.mean(_residual(w, b, X, y) ** 2)),
                      "that is the root of the mean squared error (RMSE): leave out the square "
                      "root"),
        Misconception(lambda w, b, X, y: np.mean(np.abs(_residual(w, b, X, y))),
                      "that is the mean absolute error: square the residuals instead of taking "
                      "their absolute value"),
    ],
)


# -- 01.zero_one_risk ---------------------------------------------------------------------

def _zero_one_cases(rng):
    cases = []
    for _ in range(6):
        n = int(rng.integers(1, 40))
        y = rng.choice([-1.0, 1.0], size=n)
        # integer scores make exact zeros common: the edge case of the 0-1 loss
        scores = np.round(rng.normal(scale=2, size=n)) if rng.uniform() < 0.5 else \
            rng.normal(size=n) + 0.8 * y
        cases.append((y, scores))
    n = int(rng.integers(5, 30))
    y = rng.choice([-1.0, 1.0], size=n)
    cases.append((y, 3 * y))  # every sample right: error 0
    cases.append((y, -0.5 * y))  # every sample wrong: error 1
    cases.append((y, np.zeros(n)))  # every score 0: every sample is an error
    return cases


ZERO_ONE_RISK = Exercise(
    id="01.zero_one_risk", name="zero_one_risk", points=1,
    reference=lambda y, scores: losses.zero_one(y, scores),
    public_cases=[(np.array([1.0, -1.0, 1.0, -1.0, 1.0, 1.0, -1.0, 1.0, -1.0, 1.0, 1.0]),
                   np.array([2.0, -0.5, -1.0, 0.0, 0.0, 0.3, 1.5, 0.7, -2.0, 0.0, 1.2]))],
    hidden_cases=_zero_one_cases,
    misconceptions=[
        Misconception(lambda y, f: np.mean(np.asarray(y) * f < 0),
                      "a score of exactly 0 is an error too: count y * f <= 0, not y * f < 0 "
                      "(a classifier that answers 0 has not decided the sign)"),
        Misconception(lambda y, f: np.sum(np.asarray(y) * f <= 0),
                      "you return the number of errors; the 0-1 risk is their rate: divide by "
                      "the number of samples (np.mean)"),
        Misconception(lambda y, f: np.mean(np.asarray(y) * f > 0),
                      "that is the accuracy, the rate of right answers; the 0-1 risk is the "
                      "rate of errors, 1 - accuracy"),
        Misconception(lambda y, f: np.mean((np.asarray(f) > 0) != (np.asarray(y) > 0)),
                      "you predict -1 whenever f <= 0, so a score of 0 is right for y = -1; "
                      "a score of exactly 0 is an error whatever the label: count y * f <= 0"),
        Misconception(lambda y, f: np.mean((np.asarray(f) >= 0) != (np.asarray(y) > 0)),
                      "you predict +1 whenever f >= 0, so a score of 0 is right for y = +1; "
                      "a score of exactly 0 is an error whatever the label: count y * f <= 0"),
        Misconception(lambda y, f: np.mean(np.maximum(0, 1 - np.asarray(y) * f)),
                      "that is the hinge risk, a surrogate; the 0-1 loss is 1 when y * f <= 0 "
                      "and 0 otherwise"),
    ],
)


# -- 01.structural_risk -------------------------------------------------------------------

def _structural_cases(rng):
    cases = [args + (float(rng.choice([0.01, 0.1, 1.0, 5.0]) * rng.uniform(0.5, 2)),)
             for args in _regression_cases(rng)]
    cases.append(_regression_case(rng) + (0.0,))  # no penalty: the empirical risk
    return cases


STRUCTURAL_RISK = Exercise(
    id="01.structural_risk", name="structural_risk", points=2,
    reference=_linear_risk,
    public_cases=[(np.array([0.5, -1.0]), 2.0,
                   np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]]),
                   np.array([1.0, 2.0, 4.0]), 0.3)],
    hidden_cases=_structural_cases,
    misconceptions=[
        Misconception(lambda w, b, X, y, alpha: _linear_risk(w, b, X, y) + alpha / 2 * (
            np.sum(np.square(w)) + b ** 2),
                      "you penalized the intercept b as well; the penalty acts on the weights "
                      "w only: alpha / 2 * np.sum(w ** 2)"),
        Misconception(lambda w, b, X, y, alpha: _linear_risk(w, b, X, y) + alpha * np.sum(
            np.square(w)),
                      "you left out the 1/2 of the penalty: lossbook.penalties.l2 is "
                      "alpha / 2 * ||w||^2, whose gradient is alpha * w"),
        Misconception(lambda w, b, X, y, alpha: _linear_risk(w, b, X, y) + alpha * np.sum(
            np.abs(w)),
                      "you used the L1 norm sum |w_j|; the penalty is the squared L2 norm, "
                      "alpha / 2 * np.sum(w ** 2)"),
        Misconception(lambda w, b, X, y, alpha: _linear_risk(w, b, X, y) + alpha / 2 * np.sum(
            np.abs(w)),
                      "you used the L1 norm sum |w_j|; the penalty is the squared L2 norm, "
                      "alpha / 2 * np.sum(w ** 2)"),
        Misconception(lambda w, b, X, y, alpha: _linear_risk(w, b, X, y) + alpha / 2 * np.sqrt(
            np.sum(np.square(w))),
                      "you used the norm ||w|| itself; the penalty is its square, "
                      "alpha / 2 * np.sum(w ** 2)"),
        Misconception(lambda w, b, X, y, alpha: np.sum(_residual(w, b, X, y) ** 2)
                      + alpha / 2 * np.sum(np.square(w)),
                      "your data term is the sum of the squared errors; it is their mean (the "
                      "empirical risk): divide it by n, but not the penalty"),
        Misconception(lambda w, b, X, y, alpha: _linear_risk(w, b, X, y)
                      + alpha / 2 * np.sum(np.square(w)) / len(y),
                      "you divided the penalty by n; only the data term is a mean, the penalty "
                      "alpha / 2 * ||w||^2 is added once"),
        Misconception(lambda w, b, X, y, alpha: np.mean((np.asarray(X) @ w - y) ** 2)
                      + alpha / 2 * np.sum(np.square(w)),
                      "you left out the intercept in the predictions: the residual is "
                      "X @ w + b - y"),
        Misconception(lambda w, b, X, y, alpha: _linear_risk(w, b, X, y),
                      "you left out the penalty: add alpha / 2 * np.sum(w ** 2) to the mean "
                      "squared error"),
    ],
)


# -- 01.gaussian_risk ---------------------------------------------------------------------

def _gaussian_risk(w, b, w_true, b_true, sigma):
    """R = (b - b*)^2 + ||w - w*||^2 + sigma^2 for x ~ N(0, I), y = x w* + b* + N(0, sigma^2)."""
    dw = np.asarray(w, dtype=float) - np.asarray(w_true, dtype=float)
    return float((b - b_true) ** 2 + dw @ dw + sigma ** 2)


def _gaussian_cases(rng):
    cases = []
    for _ in range(6):
        d = int(rng.integers(1, 8))
        cases.append((rng.normal(size=d), float(rng.normal()), rng.normal(scale=2, size=d),
                      float(rng.normal(scale=2)), float(rng.uniform(0.05, 3))))
    w_true = rng.normal(size=3)
    cases.append((w_true.copy(), 0.7, w_true, 0.7, 1.3))  # the true model: risk sigma^2
    cases.append((rng.normal(size=4), 0.0, rng.normal(size=4), 1.5, 0.4))
    return cases


GAUSSIAN_RISK = Exercise(
    id="01.gaussian_risk", name="gaussian_risk", points=2,
    reference=_gaussian_risk,
    public_cases=[(np.array([1.5, -0.8]), 1.2, np.array([2.0, -1.0]), 0.5, 0.5),
                  (np.array([0.2, 0.1, -0.3]), -1.0, np.array([1.0, 0.0, 1.0]), 0.5, 2.0)],
    hidden_cases=_gaussian_cases,
    misconceptions=[
        Misconception(lambda w, b, wt, bt, s: _gaussian_risk(w, b, wt, bt, s) - s ** 2 + s,
                      "the noise adds its variance sigma^2 to the risk, not its standard "
                      "deviation sigma"),
        Misconception(lambda w, b, wt, bt, s: _gaussian_risk(w, b, wt, bt, s) - s ** 2,
                      "you left out the noise: even the true model has risk sigma^2, since "
                      "E[eps^2] = sigma^2"),
        Misconception(lambda w, b, wt, bt, s: _gaussian_risk(w, b, wt, bt, s) - (b - bt) ** 2,
                      "you left out the intercept: a wrong b shifts every prediction and adds "
                      "(b - b_true)^2"),
        Misconception(lambda w, b, wt, bt, s: (b - bt) ** 2 + np.mean(
            (np.asarray(w) - wt) ** 2) + s ** 2,
                      "you averaged (w_j - w_true_j)^2 over the features; E[(x . dw)^2] = "
                      "||dw||^2 is their sum"),
        Misconception(lambda w, b, wt, bt, s: (b - bt) ** 2 + np.sum(
            np.asarray(w) - wt) ** 2 + s ** 2,
                      "you squared the sum of w - w_true; with independent features the "
                      "variance of x . dw is the sum of the squares, ||dw||^2"),
        Misconception(lambda w, b, wt, bt, s: ((b - bt) + np.linalg.norm(
            np.asarray(w) - wt)) ** 2 + s ** 2,
                      "the cross term vanishes: E[x] = 0, so E[(x . dw + db)^2] = "
                      "||dw||^2 + db^2, without 2 db ||dw||"),
    ],
)

EXERCISES = [EMPIRICAL_RISK, ZERO_ONE_RISK, STRUCTURAL_RISK, GAUSSIAN_RISK]
