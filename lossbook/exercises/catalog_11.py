"""Exercises of chapter 11 (frontiers): Barron's robust loss, uncertainty weighting, the
generalized cross-entropy, the Pareto front and cost-sensitive decisions."""

from __future__ import annotations

import numpy as np

from ._core import Exercise, Misconception, Property


def _float(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


# --------------------------------------------------------------------------- barron_loss
def _barron(x, alpha, c):
    """Barron's rho(x, alpha, c), exact at alpha = 0 and 2 and for any finite alpha."""
    z = (_float(x) / c) ** 2
    alpha = float(alpha)
    if alpha == 2.0:
        return 0.5 * z
    if alpha == 0.0:
        return np.log1p(0.5 * z)
    b = abs(alpha - 2.0)
    # (1 + t)^(alpha/2) - 1 as expm1(alpha/2 log1p(t)): no cancellation near alpha = 0 or
    # for huge |alpha|, where the power is within rounding of 1
    return b / alpha * np.expm1(0.5 * alpha * np.log1p(z / b))


def _barron_naive(x, alpha, c, *, exponent=None, prefactor=None, minus_one=True, scale=None):
    """The formula written directly, with an optional mistake."""
    x = _float(x)
    u = x / c if scale is None else scale(x, c)
    b = abs(alpha - 2)
    power = (u**2 / b + 1) ** (alpha / 2 if exponent is None else exponent(alpha))
    factor = b / alpha if prefactor is None else prefactor(alpha)
    return factor * (power - 1 if minus_one else power)


BARRON_X = np.array([-3.0, -1.0, 0.0, 0.5, 2.0, 10.0])


def _barron_cases(rng):
    cases = []
    for _ in range(7):
        n = int(rng.integers(1, 25))
        x = rng.normal(scale=float(rng.choice([0.5, 3.0, 20.0])), size=n)
        alpha = float(rng.choice([rng.uniform(-12, -0.2), rng.uniform(0.2, 1.8),
                                  rng.uniform(2.2, 6.0)]))
        cases.append((x, alpha, float(rng.uniform(0.2, 5.0))))
    cases.append((rng.normal(size=(3, 4)), -1.5, 0.8))  # element-wise on any shape
    return cases


BARRON_SPECIAL_X = np.array([-4.0, -0.5, 0.0, 0.1, 1.0, 30.0])


def _matches_barron(cases):
    def holds(outputs) -> bool:
        for args, got in zip(cases, outputs, strict=True):
            got, want = _float(got), _barron(*args)
            if got.shape != want.shape or not np.all(np.isfinite(got)):
                return False
            if not np.allclose(got, want, rtol=1e-9, atol=1e-300):
                return False
        return True
    return holds


BARRON_AT_2 = [(BARRON_SPECIAL_X, 2.0, 1.0), (BARRON_SPECIAL_X, 2.0, 0.7)]
BARRON_AT_0 = [(BARRON_SPECIAL_X, 0.0, 1.0), (BARRON_SPECIAL_X, 0.0, 2.5)]
BARRON_EXTREME = [(BARRON_SPECIAL_X[1:5], 1e-10, 1.0), (BARRON_SPECIAL_X[1:5], -1e-10, 1.0),
                  (BARRON_SPECIAL_X[1:5], 1e12, 1.0), (BARRON_SPECIAL_X, -1e12, 1.0)]

BARRON_LOSS = Exercise(
    id="11.barron_loss", name="barron_loss", points=3,
    reference=_barron,
    public_cases=[(BARRON_X, 1.0, 1.0), (BARRON_X, -2.0, 0.5), (BARRON_X, 0.5, 2.0),
                  (BARRON_X, 4.0, 1.5)],
    hidden_cases=_barron_cases,
    misconceptions=[
        Misconception(lambda x, alpha, c: _barron(x, alpha, 1.0),
                      "you left out the scale c: the loss is a function of x / c, so every x "
                      "is divided by c before squaring"),
        Misconception(lambda x, alpha, c: _barron_naive(x, alpha, c,
                                                       scale=lambda x, c: x * c),
                      "the scale divides: use x / c, not x * c (a larger c makes the "
                      "quadratic bowl wider)"),
        Misconception(lambda x, alpha, c: _barron_naive(x, alpha, c,
                                                       prefactor=lambda a: 1.0),
                      "you left out the factor |alpha - 2| / alpha in front: without it the "
                      "curves do not have the same curvature (x/c)^2 / 2 near 0, and the "
                      "loss is negative for alpha < 0"),
        Misconception(lambda x, alpha, c: _barron_naive(x, alpha, c,
                                                       prefactor=lambda a: (a - 2) / a),
                      "the factor in front is |alpha - 2| / alpha, with an absolute value: "
                      "with (alpha - 2) / alpha the loss turns negative for alpha < 2"),
        Misconception(lambda x, alpha, c: _barron_naive(x, alpha, c, exponent=lambda a: a),
                      "the exponent is alpha / 2, not alpha"),
        Misconception(lambda x, alpha, c: _barron_naive(x, alpha, c, minus_one=False),
                      "you forgot the - 1 inside the bracket: rho(0) must be 0"),
        Misconception(lambda x, alpha, c: float(np.mean(_barron(x, alpha, c))),
                      "return one value per element of x (the same shape as x), not their "
                      "mean"),
    ],
    properties=[
        Property("at alpha = 2 exactly it is not (x/c)^2 / 2: there |alpha - 2| = 0 and the "
                 "formula divides by zero (nan). Return its limit, the L2 loss "
                 "(x/c)^2 / 2, in a branch of its own",
                 cases=BARRON_AT_2, holds=_matches_barron(BARRON_AT_2)),
        Property("at alpha = 0 exactly it is not log((x/c)^2 / 2 + 1): there the formula is "
                 "0 / 0 (nan). Return its limit, the Cauchy (log) loss "
                 "log1p((x/c)^2 / 2), in a branch of its own",
                 cases=BARRON_AT_0, holds=_matches_barron(BARRON_AT_0)),
        Property("at alpha = +-1e-10 or +-1e12 it loses digits: (1 + t)^(alpha/2) is then "
                 "within rounding of 1, and subtracting 1 cancels them. Compute "
                 "(1 + t)^(alpha/2) - 1 as np.expm1(alpha / 2 * np.log1p(t))",
                 cases=BARRON_EXTREME, holds=_matches_barron(BARRON_EXTREME)),
    ],
)


# ------------------------------------------------------------- uncertainty_weighted_loss
def _uncertainty(losses, log_vars):
    L, s = _float(losses), _float(log_vars)
    return float(np.sum(np.exp(-s) * L / 2 + s / 2))


def _uncertainty_cases(rng):
    cases = []
    for _ in range(6):
        t = int(rng.integers(1, 7))
        cases.append((np.exp(rng.normal(scale=2.0, size=t)), rng.normal(scale=2.0, size=t)))
    cases.append((np.array([0.0, 3.0]), np.array([1.5, -0.5])))  # a task with zero loss
    return cases


UNCERTAINTY_WEIGHTED_LOSS = Exercise(
    id="11.uncertainty_weighted_loss", name="uncertainty_weighted_loss", points=1,
    reference=_uncertainty,
    public_cases=[(np.array([0.5, 2.0, 0.1]), np.array([0.0, 1.0, -2.0]))],
    hidden_cases=_uncertainty_cases,
    misconceptions=[
        Misconception(lambda L, s: float(np.sum(np.exp(-_float(s)) * _float(L) / 2)),
                      "you forgot the regularizer log sigma = s / 2: without it every "
                      "sigma would grow without bound and switch all the losses off"),
        Misconception(lambda L, s: float(np.sum(np.exp(-2 * _float(s)) * _float(L) / 2
                                                + _float(s))),
                      "s is the log of the variance sigma^2, not of sigma: the weight is "
                      "1 / (2 sigma^2) = exp(-s) / 2 and the regularizer log sigma = s / 2"),
        Misconception(lambda L, s: float(np.sum(np.exp(-_float(s)) * _float(L)
                                                + _float(s))),
                      "both terms carry a factor 1/2: exp(-s) L / 2 + s / 2 (from "
                      "L / (2 sigma^2) + log sigma with s = log sigma^2)"),
        Misconception(lambda L, s: float(np.sum(np.exp(-_float(s)) * _float(L) / 2
                                                + _float(s))),
                      "the regularizer is log sigma = s / 2, not s: with s = log sigma^2, "
                      "log sigma is half of s"),
        Misconception(lambda L, s: float(np.sum(np.exp(_float(s)) * _float(L) / 2
                                                + _float(s) / 2)),
                      "the weight is 1 / sigma^2 = exp(-s), not exp(s): a task with a large "
                      "variance counts less"),
        Misconception(lambda L, s: float(np.mean(np.exp(-_float(s)) * _float(L) / 2
                                                 + _float(s) / 2)),
                      "you averaged over the tasks; the objective is their sum"),
    ],
)


# ------------------------------------------------------------- generalized_cross_entropy
def _gce(p, q):
    p, q = _float(p), float(q)
    log_p = np.log(p)
    if q == 0.0:
        return float(-np.mean(log_p))
    # 1 - p^q = -expm1(q log p): exact even when p^q is within rounding of 1
    return float(np.mean(-np.expm1(q * log_p) / q))


def _gce_cases(rng):
    cases = []
    for q in (float(rng.uniform(0.05, 0.5)), float(rng.uniform(0.5, 1.0)), 1.0,
              float(rng.uniform(0.05, 1.0)), float(rng.uniform(0.05, 1.0))):
        n = int(rng.integers(1, 30))
        p = rng.uniform(0.001, 1.0, size=n)
        p[rng.random(n) < 0.15] = 1.0  # a certain right answer: loss 0
        cases.append((p, q))
    return cases


GCE_P = np.array([0.9, 0.5, 0.1, 1.0, 1e-4])
GCE_AT_0 = [(GCE_P, 0.0)]
GCE_TINY_Q = [(GCE_P, 1e-12), (np.array([0.3, 1e-200]), 1e-9)]


def _matches_gce(cases):
    def holds(outputs) -> bool:
        return all(np.ndim(got) == 0 and np.isfinite(float(got))
                   and np.isclose(float(got), _gce(*args), rtol=1e-9, atol=0)
                   for args, got in zip(cases, outputs, strict=True))
    return holds


GENERALIZED_CROSS_ENTROPY = Exercise(
    id="11.generalized_cross_entropy", name="generalized_cross_entropy", points=2,
    reference=_gce,
    public_cases=[(np.array([0.9, 0.6, 0.2, 0.05]), 0.7), (np.array([0.9, 0.6, 0.2, 0.05]), 1.0)],
    hidden_cases=_gce_cases,
    misconceptions=[
        Misconception(lambda p, q: float(np.mean(1 - _float(p) ** q)),
                      "you left out the division by q: L_q = (1 - p^q) / q (the 1/q makes it "
                      "tend to -log p as q -> 0)"),
        Misconception(lambda p, q: float(np.mean(1 - _float(p) ** q / q)),
                      "operator precedence: 1 - p**q / q divides only p^q; write "
                      "(1 - p**q) / q"),
        Misconception(lambda p, q: float(np.mean((_float(p) ** q - 1) / q)),
                      "the sign is wrong: (1 - p^q) / q is >= 0 and falls as p grows"),
        Misconception(lambda p, q: float(np.sum((1 - _float(p) ** q) / q)),
                      "you return the sum over the samples; return the mean"),
        Misconception(lambda p, q: float(np.mean((1 - _float(p)) ** q / q)),
                      "the power is on p, not on 1 - p: L_q = (1 - p^q) / q"),
        Misconception(lambda p, q: float(np.mean(2 * (1 - _float(p) ** q) / q)),
                      "no factor 2: L_q = (1 - p^q) / q, which at q = 1 is 1 - p, half the "
                      "MAE between the one-hot label and the probabilities"),
    ],
    properties=[
        Property("at q = 0 exactly it is not the cross-entropy -mean(log p): there "
                 "(1 - p^q) / q is 0 / 0 (nan). Return its limit q -> 0, -mean(log p), in a "
                 "branch of its own",
                 cases=GCE_AT_0, holds=_matches_gce(GCE_AT_0)),
        Property("for tiny q (1e-12) it loses digits: p^q is within rounding of 1, so "
                 "1 - p^q cancels. Compute 1 - p^q as -np.expm1(q * np.log(p))",
                 cases=GCE_TINY_Q, holds=_matches_gce(GCE_TINY_Q)),
    ],
)


# -------------------------------------------------------------------- pareto_front_mask
def _dominates(a, b, *, strict_all=False, weak=False):
    """dom[i, j]: point i dominates point j (minimization), with optional mistakes."""
    le = np.all(a[:, None, :] <= b[None, :, :], axis=-1)
    lt = np.any(a[:, None, :] < b[None, :, :], axis=-1)
    if strict_all:
        return np.all(a[:, None, :] < b[None, :, :], axis=-1)
    if weak:
        return le & ~np.eye(len(a), dtype=bool)
    return le & lt


def _pareto(points, **mistake):
    P = _float(points)
    return ~np.any(_dominates(P, P, **mistake), axis=0)


def _pareto_cases(rng):
    cases = []
    for _ in range(5):  # small integers: ties and duplicates are common
        n = int(rng.integers(2, 30))
        cases.append((rng.integers(0, 6, size=(n, 2)).astype(float),))
    for _ in range(3):
        n = int(rng.integers(1, 40))
        cases.append((rng.normal(size=(n, 2)) * rng.uniform(0.1, 10, size=2),))
    t = np.sort(rng.uniform(0, 1, size=8))  # a whole front, plus one dominated point
    front = np.column_stack([t, 1 - np.sqrt(t)])
    cases.append((np.vstack([front, front[3] + [0.1, 0.1]]),))
    cases.append((np.array([[1.0, 2.0]]),))
    return cases


PARETO_PUBLIC = np.array([[1.0, 5.0], [2.0, 3.0], [3.0, 4.0], [4.0, 1.0], [2.0, 3.0],
                          [2.0, 6.0], [5.0, 1.0], [0.5, 7.0]])

PARETO_FRONT_MASK = Exercise(
    id="11.pareto_front_mask", name="pareto_front_mask", points=2,
    reference=_pareto,
    public_cases=[(PARETO_PUBLIC,)],
    hidden_cases=_pareto_cases,
    misconceptions=[
        Misconception(lambda P: _pareto(-_float(P)),
                      "you kept the points that are best when both objectives are "
                      "maximized; losses are minimized: a point dominates another if it is "
                      "<= in both objectives and < in at least one"),
        Misconception(lambda P: ~_pareto(P),
                      "your mask is inverted: True should mark the non-dominated points"),
        Misconception(lambda P: _pareto(P, weak=True),
                      "an identical point does not dominate: domination needs <= in every "
                      "objective and < in at least one, so duplicates on the front both "
                      "stay"),
        Misconception(lambda P: _pareto(P, strict_all=True),
                      "a point is also dominated by one that ties in one objective and is "
                      "better in the other: domination is <= everywhere and < somewhere, not "
                      "< everywhere"),
        Misconception(lambda P: np.flatnonzero(_pareto(P)),
                      "return a boolean mask with one entry per point, not the indices of the "
                      "front"),
        Misconception(lambda P: _float(P)[_pareto(P)],
                      "return a boolean mask with one entry per point, not the points of the "
                      "front"),
    ],
)


# ------------------------------------------------------------------------ bayes_decision
def _bayes(probs, cost_matrix):
    return np.argmin(_float(probs) @ _float(cost_matrix), axis=1)


def _clear_rows(probs, cost, margin=1e-6):
    """Rows whose best expected cost beats the runner-up by more than margin (no near-ties,
    where two correct ways of summing could round to different answers)."""
    expected = np.sort(probs @ cost, axis=1)
    return expected[:, 1] - expected[:, 0] > margin * (1 + np.abs(expected[:, 0]))


def _bayes_cases(rng):
    cases = []
    for _ in range(7):
        k, n = int(rng.integers(2, 6)), int(rng.integers(1, 20))
        cost = rng.uniform(0, 10, size=(k, k))
        if rng.random() < 0.7:
            np.fill_diagonal(cost, 0.0)  # a right answer usually costs nothing
        probs = rng.dirichlet(np.full(k, 0.7), size=3 * n)
        probs = probs[_clear_rows(probs, cost)][:n]
        cases.append((probs, cost))
    return cases


BAYES_PROBS = np.array([[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.05, 0.15, 0.8],
                        [0.4, 0.35, 0.25]])
BAYES_COST = np.array([[0.0, 1.0, 2.0], [5.0, 0.0, 1.0], [20.0, 4.0, 0.0]])

BAYES_DECISION = Exercise(
    id="11.bayes_decision", name="bayes_decision", points=2,
    reference=_bayes,
    public_cases=[(BAYES_PROBS, BAYES_COST), (BAYES_PROBS, 1.0 - np.eye(3))],
    hidden_cases=_bayes_cases,
    misconceptions=[
        Misconception(lambda p, C: np.argmin(_float(p) @ _float(C).T, axis=1),
                      "the cost matrix is transposed: C[i, j] is the cost of predicting j "
                      "when the truth is i, so the expected cost of predicting j is "
                      "sum_i p_i C[i, j], i.e. probs @ C"),
        Misconception(lambda p, C: np.argmax(_float(p) @ _float(C), axis=1),
                      "you picked the class with the largest expected cost; pick the one "
                      "with the smallest (np.argmin)"),
        Misconception(lambda p, C: np.argmax(_float(p), axis=1),
                      "you predicted the most probable class and ignored the costs: that is "
                      "the Bayes decision only for the 0-1 cost matrix"),
    ],
)

EXERCISES = [BARRON_LOSS, UNCERTAINTY_WEIGHTED_LOSS, GENERALIZED_CROSS_ENTROPY,
             PARETO_FRONT_MASK, BAYES_DECISION]
