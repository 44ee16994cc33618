"""Valid random inputs for every loss, shared by the test modules.

`inputs(name, rng, n)` returns (y_true, y_pred, params) drawn in the region where the loss is
defined (labels in the right set, probabilities inside [0, 1], rows summing to 1, ...), away
from kinks so that finite differences are meaningful.
"""

from __future__ import annotations

import numpy as np

K = 4  # classes for the multiclass and distribution losses


def _away_from(values, points, gap=1e-3):
    """Nudge values that fall within gap of a kink, so central differences do not straddle it."""
    values = np.array(values, dtype=float)
    for p in points:
        close = np.abs(values - p) < gap
        values[close] = p + 2 * gap
    return values


def inputs(name: str, rng: np.random.Generator, n: int = 6):
    y = rng.normal(size=n)
    signed = rng.choice([-1.0, 1.0], size=n)
    binary = rng.choice([0.0, 1.0], size=n)
    logits = rng.normal(scale=2, size=(n, K))
    classes = rng.integers(0, K, size=n)
    dist = rng.dirichlet(np.ones(K), size=n)
    if name in ("mse", "log_cosh"):
        return y, y + rng.normal(size=n), {}
    if name == "mae":
        return y, y + _away_from(rng.normal(size=n), [0]), {}
    if name == "huber":
        return y, y + _away_from(rng.normal(scale=2, size=n), [-0.8, 0.8]), {"delta": 0.8}
    if name == "quantile":
        return y, y + _away_from(rng.normal(size=n), [0]), {"tau": 0.3}
    if name == "epsilon_insensitive":
        return y, y + _away_from(rng.normal(size=n), [-0.2, 0, 0.2]), {"epsilon": 0.2}
    if name in ("hinge", "squared_hinge", "zero_one"):
        return signed, signed * _away_from(rng.normal(size=n), [0, 1]), {}
    if name in ("logistic", "exponential"):
        return signed, rng.normal(size=n), {}
    if name == "binary_cross_entropy":
        return rng.uniform(size=n), rng.uniform(0.05, 0.95, size=n), {}
    if name == "binary_cross_entropy_with_logits":
        return rng.uniform(size=n), rng.normal(scale=3, size=n), {"pos_weight": 2.5}
    if name == "focal":
        return binary, rng.normal(scale=2, size=n), {"alpha": 0.25, "gamma": 2.0}
    if name == "cross_entropy":
        return classes, logits, {"weight": rng.uniform(0.5, 2, K), "label_smoothing": 0.1}
    if name == "multiclass_hinge":
        return classes, logits, {}
    if name == "kl_divergence":
        # q away from 0, where central differences of -p log q stay accurate
        return dist, rng.dirichlet(np.full(K, 5.0), size=n), {}
    if name == "poisson_nll":
        return rng.poisson(2.0, size=n).astype(float), rng.normal(scale=0.5, size=n), {}
    if name == "gaussian_nll":
        return y, y + rng.normal(size=n), {"var": rng.uniform(0.5, 2.0, size=n)}
    raise KeyError(f"no test inputs for loss {name!r}")
