"""Exercises of chapter 02 (the loss catalog): write three losses by hand."""

from __future__ import annotations

import numpy as np

from .. import losses
from ._core import Exercise, Misconception, Property


def _regression_cases(rng, n_cases=5):
    out = []
    for _ in range(n_cases):
        n = int(rng.integers(1, 30))
        y = rng.normal(scale=3, size=n)
        out.append((y, y + rng.standard_t(df=2, size=n)))
    return out


def _binary_cases(rng, n_cases=5):
    out = []
    for _ in range(n_cases):
        n = int(rng.integers(1, 30))
        out.append((rng.integers(0, 2, size=n).astype(float), rng.normal(scale=4, size=n)))
    return out


MSE = Exercise(
    id="02.mse", name="mse", points=1,
    reference=lambda y, p: losses.mse(y, p),
    public_cases=[(np.array([3.0, -0.5, 2.0, 7.0]), np.array([2.5, 0.0, 2.0, 8.0]))],
    hidden_cases=_regression_cases,
    misconceptions=[
        Misconception(lambda y, p: np.sum((p - y) ** 2),
                      "you return the sum of squared errors; the MSE is their mean: divide by "
                      "the number of samples (np.mean)"),
        Misconception(lambda y, p: 0.5 * np.mean((p - y) ** 2),
                      "you included a factor 1/2; that convention (handy for derivatives) is "
                      "not the MSE of torch and scikit-learn"),
        Misconception(lambda y, p: np.sqrt(np.mean((p - y) ** 2)),
                      "that is the root of the MSE (RMSE): leave out the square root"),
        Misconception(lambda y, p: np.mean(np.abs(p - y)),
                      "that is the mean absolute error: square the residuals instead of taking "
                      "their absolute value"),
    ],
)

HUBER = Exercise(
    id="02.huber", name="huber", points=2,
    reference=lambda y, p, delta=1.0: losses.huber(y, p, delta=delta),
    public_cases=[(np.zeros(6), np.array([0.0, 0.5, 1.0, 1.5, 3.0, -2.0])),
                  (np.zeros(3), np.array([0.5, 1.5, -3.0]), 2.0)],
    hidden_cases=lambda rng: [args + (float(rng.uniform(0.2, 3)),)
                              for args in _regression_cases(rng)],
    misconceptions=[
        Misconception(lambda y, p, delta=1.0: np.sum(losses.huber(y, p, delta=delta,
                                                                  reduction="none")),
                      "you return the sum over the samples; return the mean"),
        Misconception(lambda y, p, delta=1.0: np.mean(np.where(
            np.abs(p - y) < delta, (p - y) ** 2, delta * (np.abs(p - y) - delta / 2))),
                      "the quadratic branch is r^2 / 2: you left out the 1/2, so the two "
                      "branches do not meet at |r| = delta"),
        Misconception(lambda y, p, delta=1.0: np.mean(np.where(
            np.abs(p - y) < delta, 0.5 * (p - y) ** 2, np.abs(p - y) - delta / 2)),
                      "the linear branch is delta (|r| - delta / 2): you left out the factor "
                      "delta (this is torch's smooth_l1 with beta=1 only when delta = 1)"),
        Misconception(lambda y, p, delta=1.0: np.mean(np.where(
            np.abs(p - y) < delta, delta * (np.abs(p - y) - delta / 2), 0.5 * (p - y) ** 2)),
                      "the branches are swapped: quadratic near 0 (|r| < delta), linear far "
                      "away"),
    ],
)


EXTREME_LOGITS = (np.array([1.0, 0.0, 1.0, 0.0]), np.array([-800.0, 800.0, 800.0, -800.0]))


def _exact_at_extreme_logits(outputs) -> bool:
    (got,) = outputs
    return bool(np.isfinite(got)) and bool(np.isclose(
        got, losses.binary_cross_entropy_with_logits(*EXTREME_LOGITS)))


BCE_WITH_LOGITS = Exercise(
    id="02.binary_cross_entropy_with_logits", name="binary_cross_entropy_with_logits", points=2,
    reference=lambda y, x: losses.binary_cross_entropy_with_logits(y, x),
    public_cases=[(np.array([1.0, 0.0, 1.0]), np.array([2.0, -1.0, 0.0]))],
    hidden_cases=_binary_cases,
    misconceptions=[
        Misconception(lambda y, x: -losses.binary_cross_entropy_with_logits(y, x),
                      "your loss has the wrong sign: it is minus the log-likelihood, "
                      "-[y log p + (1 - y) log(1 - p)], which is >= 0"),
        Misconception(lambda y, x: np.sum(losses.binary_cross_entropy_with_logits(
            y, x, reduction="none")), "you return the sum over the samples; return the mean"),
        Misconception(lambda y, x: losses.binary_cross_entropy_with_logits(1 - y, x),
                      "the labels are swapped: y = 1 should pay -log sigmoid(x)"),
    ],
    properties=[Property(
        "it is not finite (or not exact) at logits of +-800: compute log(1 + e^x) as "
        "max(x, 0) + log1p(exp(-|x|)) instead of taking the log of a sigmoid",
        cases=[EXTREME_LOGITS], holds=_exact_at_extreme_logits)],
)

EXERCISES = [MSE, HUBER, BCE_WITH_LOGITS]
