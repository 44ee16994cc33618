"""Exercises of chapter 08 (support vector machines): the margin width, slacks, the primal
objective, support vectors read from the primal, one Pegasos step, and (w, b) from the dual."""

from __future__ import annotations

import numpy as np

from .. import datasets, losses
from ..models import SoftMarginSVM
from ._core import Exercise, Misconception


def _float(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _scores(w, b, X):
    return _float(X) @ _float(w) + float(b)


def _signs(rng, n):
    """n labels in {-1, +1}, both present when n >= 2."""
    y = rng.choice([-1.0, 1.0], size=n)
    if n >= 2 and abs(y.sum()) == n:
        y[0] = -y[0]
    return y


def _linear_problem(rng, n, d, *, w_scale=1.5):
    """Random (w, b, X, y): margins y f spread over both sides of 0 and 1."""
    w = rng.normal(scale=w_scale, size=d)
    b = float(rng.normal())
    X = rng.normal(scale=1.5, size=(n, d))
    return w, b, X, _signs(rng, n)


# ----------------------------------------------------------------------------------------------
# 08.margin_width
def _margin_width(w):
    return 2.0 / float(np.linalg.norm(_float(w)))


def _width_cases(rng):
    cases = []
    for d, scale in [(1, 1.0), (2, 0.05), (3, 1.0), (5, 20.0), (int(rng.integers(6, 12)), 3.0)]:
        w = rng.normal(scale=scale, size=d)
        cases.append((w,))
    cases.append((np.array([-float(rng.uniform(0.2, 4))]),))  # one negative weight
    return cases


MARGIN_WIDTH = Exercise(
    id="08.margin_width", name="margin_width", points=1,
    reference=_margin_width,
    public_cases=[(np.array([0.5, -1.0, 2.0]),), (np.array([3.0, 4.0]),)],
    hidden_cases=_width_cases,
    misconceptions=[
        Misconception(lambda w: 1.0 / np.linalg.norm(_float(w)),
                      "1 / ||w|| is the half-width, the distance from the boundary f = 0 to one "
                      "margin boundary; the margin spans from f = -1 to f = +1: 2 / ||w||"),
        Misconception(lambda w: 2.0 / np.sum(_float(w) ** 2),
                      "you divided by ||w||^2 (the squared norm); the width is 2 / ||w||, with "
                      "||w|| = sqrt(sum of w_j^2)"),
        Misconception(lambda w: 2.0 / np.sum(np.abs(_float(w))),
                      "you used the L1 norm sum |w_j|; distances in the plane are Euclidean: "
                      "||w|| = sqrt(sum of w_j^2) (np.linalg.norm)"),
        Misconception(lambda w: np.linalg.norm(_float(w)) / 2.0,
                      "the fraction is upside down: a larger ||w|| gives a narrower margin, "
                      "2 / ||w||"),
        Misconception(lambda w: 2.0 / np.sum(_float(w)),
                      "you divided by the sum of the weights; the width is 2 / ||w||, with the "
                      "Euclidean norm ||w|| = sqrt(sum of w_j^2)"),
    ],
)


# ----------------------------------------------------------------------------------------------
# 08.slack_values
def _slack_values(w, b, X, y):
    return losses.hinge(_float(y), _scores(w, b, X), reduction="none")


def _slack_cases(rng):
    cases = []
    for n, d in [(1, 2), (int(rng.integers(5, 15)), 1), (int(rng.integers(10, 40)), 3),
                 (int(rng.integers(2, 30)), 5)]:
        cases.append(_linear_problem(rng, n, d))
    w, b, X, y = _linear_problem(rng, 12, 2)
    y = np.sign(_scores(w, b, X))  # every point on its correct side ...
    cases.append((8 * w, b * 8, X, np.where(y == 0, 1.0, y)))  # ... and mostly beyond the margin
    return cases


_PUBLIC_W, _PUBLIC_B = np.array([1.0, -2.0]), 0.5
_PUBLIC_X = np.array([[2.0, 0.0], [0.25, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, -0.5],
                      [0.0, -2.0]])
_PUBLIC_Y = np.array([1.0, 1.0, 1.0, -1.0, -1.0, -1.0])

SLACK_VALUES = Exercise(
    id="08.slack_values", name="slack_values", points=1,
    reference=_slack_values,
    public_cases=[(_PUBLIC_W, _PUBLIC_B, _PUBLIC_X, _PUBLIC_Y)],
    hidden_cases=_slack_cases,
    misconceptions=[
        Misconception(lambda w, b, X, y: np.maximum(0, 1 - _float(y) * (_float(X) @ _float(w))),
                      "you left out the intercept: the score is f(x) = X w + b"),
        Misconception(lambda w, b, X, y: np.maximum(0, 1 + _float(y) * _scores(w, b, X)),
                      "the sign is wrong: the slack is max(0, 1 - y f), which is 0 when the "
                      "margin y f is at least 1"),
        Misconception(lambda w, b, X, y: 1 - _float(y) * _scores(w, b, X),
                      "you left out the max: a slack is never negative, xi = max(0, 1 - y f) "
                      "(np.maximum, element-wise)"),
        Misconception(lambda w, b, X, y: np.maximum(0, 1 - _scores(w, b, X)),
                      "you left out the label: the slack is max(0, 1 - y f), with y in "
                      "{-1, +1}, so a negative point wants f <= -1"),
        Misconception(lambda w, b, X, y: np.maximum(0, -_float(y) * _scores(w, b, X)),
                      "that is the perceptron's max(0, -y f), zero as soon as the sign is "
                      "right; the SVM also charges correct points inside the margin: "
                      "max(0, 1 - y f)"),
        Misconception(lambda w, b, X, y: np.sum(_slack_values(w, b, X, y)),
                      "you return the sum; return one slack per point, an array of length n"),
    ],
)


# ----------------------------------------------------------------------------------------------
# 08.svm_objective
def _svm_objective(w, b, X, y, C):
    w = _float(w)
    return float(0.5 * w @ w + C * np.sum(_slack_values(w, b, X, y)))


def _objective_cases(rng):
    cases = []
    for n, d in [(1, 1), (int(rng.integers(5, 20)), 2), (int(rng.integers(20, 50)), 4),
                 (int(rng.integers(2, 10)), 6)]:
        C = float(rng.choice([0.01, 0.3, 1.0, 7.5, 100.0]))
        cases.append(_linear_problem(rng, n, d) + (C,))
    return cases


def _hinge_sum(w, b, X, y):
    return np.sum(_slack_values(w, b, X, y))


SVM_OBJECTIVE = Exercise(
    id="08.svm_objective", name="svm_objective", points=2,
    reference=_svm_objective,
    public_cases=[(_PUBLIC_W, _PUBLIC_B, _PUBLIC_X, _PUBLIC_Y, 2.0)],
    hidden_cases=_objective_cases,
    misconceptions=[
        Misconception(lambda w, b, X, y, C: 0.5 * _float(w) @ _float(w) + C * np.mean(
            _slack_values(w, b, X, y)),
                      "you averaged the hinge losses; SVC's objective sums them: "
                      "1/2 ||w||^2 + C sum_i max(0, 1 - y_i f(x_i))"),
        Misconception(lambda w, b, X, y, C: _float(w) @ _float(w) + C * _hinge_sum(w, b, X, y),
                      "you left out the 1/2 in front of ||w||^2"),
        Misconception(lambda w, b, X, y, C: _svm_objective(w, b, X, y, C) + 0.5 * b * b,
                      "you penalized the intercept too; the penalty is 1/2 ||w||^2 over the "
                      "weights only (b is free, as in SVC; LinearSVC is the model that "
                      "penalizes b)"),
        Misconception(lambda w, b, X, y, C: 0.5 * C * _float(w) @ _float(w)
                      + _hinge_sum(w, b, X, y),
                      "C multiplies the slack term, not the penalty: "
                      "1/2 ||w||^2 + C sum_i xi_i (large C = slack is expensive)"),
        Misconception(lambda w, b, X, y, C: _svm_objective(w, b, X, y, C) / (C * len(y)),
                      "you returned the mean form, divided by C n (mean hinge + lambda/2 "
                      "||w||^2 with lambda = 1/(C n)); it has the same minimizer, but return "
                      "1/2 ||w||^2 + C sum_i xi_i"),
        Misconception(lambda w, b, X, y, C: 0.5 * _float(w) @ _float(w) + C * np.sum(
            losses.squared_hinge(_float(y), _scores(w, b, X), reduction="none")),
                      "you squared the hinge (LinearSVC's default loss); SVC's objective uses "
                      "max(0, 1 - y f) itself"),
        Misconception(lambda w, b, X, y, C: 0.5 * _float(w) @ _float(w) + C * np.sum(
            np.maximum(0, 1 - _float(y) * (_float(X) @ _float(w)))),
                      "you left out the intercept in the scores: f(x) = X w + b"),
        Misconception(lambda w, b, X, y, C: 0.5 * np.linalg.norm(_float(w))
                      + C * _hinge_sum(w, b, X, y),
                      "the penalty is 1/2 ||w||^2, the squared norm (w @ w), not the norm"),
    ],
)


# ----------------------------------------------------------------------------------------------
# 08.support_vector_indices
def _support_vector_indices(w, b, X, y, tol=1e-8):
    return np.flatnonzero(_float(y) * _scores(w, b, X) <= 1 + tol)


def _on_margin(w, b, X, y, rows, offsets):
    """X with the given rows moved along w so that y f = 1 + offset there."""
    X = _float(X).copy()
    w = _float(w)
    for row, offset in zip(rows, offsets, strict=True):
        target = y[row] * (1 + offset)  # f with y f = 1 + offset (y = +-1)
        X[row] += (target - (X[row] @ w + b)) * w / (w @ w)
    return X


def _support_cases(rng):
    cases = []
    for n, d, tol in [(int(rng.integers(8, 20)), 2, 1e-8), (int(rng.integers(20, 40)), 3, 1e-6),
                      (int(rng.integers(6, 15)), 1, 1e-3), (int(rng.integers(10, 30)), 4, 1e-8)]:
        w, b, X, y = _linear_problem(rng, n, d)
        rows = rng.choice(n, size=4, replace=False)
        # just above 1 (inside tol), exactly 1 (up to rounding), just below, above tol
        X = _on_margin(w, b, X, y, rows, [tol / 100, 0.0, -tol / 100, 50 * tol])
        cases.append((w, b, X, y, tol))
    w, b, X, y = _linear_problem(rng, 10, 2)
    y = np.sign(_scores(w, b, X))
    y[y == 0] = 1.0
    cases.append((20 * w, 20 * b, X, y, 1e-8))  # scaled far up: often no point within margin
    return cases


# y f = 3, 1 (exactly), 0.5, -1.5 (f = 1.5 on the wrong side), -0.25, 2.5, 1.4, 1.5
_SV_W, _SV_B = np.array([2.0, 0.0]), -1.0
_SV_X = np.array([[2.0, 0.0], [1.0, 3.0], [0.75, -1.0], [1.25, 0.5], [0.375, 0.0],
                  [-0.75, 2.0], [1.2, -2.0], [-0.25, 1.0]])
_SV_Y = np.array([1.0, 1.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0])


def _mask(w, b, X, y, tol=1e-8):
    return _float(y) * _scores(w, b, X) <= 1 + tol


SUPPORT_VECTOR_INDICES = Exercise(
    id="08.support_vector_indices", name="support_vector_indices", points=2,
    reference=_support_vector_indices,
    public_cases=[(_SV_W, _SV_B, _SV_X, _SV_Y), (_SV_W, _SV_B, _SV_X, _SV_Y, 0.6)],
    hidden_cases=_support_cases,
    misconceptions=[
        Misconception(lambda w, b, X, y, tol=1e-8: np.flatnonzero(
            _float(y) * _scores(w, b, X) <= 1),
                      "you ignored tol: a solver leaves points on the margin at y f = 1 only "
                      "up to rounding (1 + 1e-12, say), so compare with 1 + tol: "
                      "y f <= 1 + tol"),
        Misconception(lambda w, b, X, y, tol=1e-8: np.flatnonzero(
            _float(y) * _scores(w, b, X) < 1),
                      "points exactly on the margin (y f = 1) are support vectors too: use "
                      "<= 1 + tol, not < 1"),
        Misconception(lambda w, b, X, y, tol=1e-8: np.flatnonzero(
            np.abs(_float(y) * _scores(w, b, X) - 1) <= tol),
                      "you kept only the points on the margin boundary (y f = 1, the free "
                      "support vectors); the points inside the margin or misclassified "
                      "(y f < 1) are support vectors too: y f <= 1 + tol"),
        Misconception(lambda w, b, X, y, tol=1e-8: np.flatnonzero(_scores(w, b, X) <= 1 + tol),
                      "you left out the label: the condition is on the margin y f, so that a "
                      "negative point counts when f >= -1 - tol"),
        Misconception(lambda w, b, X, y, tol=1e-8: np.flatnonzero(
            np.abs(_scores(w, b, X)) <= 1 + tol),
                      "|f| <= 1 keeps the points inside the band, but misses misclassified "
                      "points beyond the other margin boundary (|f| > 1 with the wrong sign); "
                      "test the margin y f <= 1 + tol"),
        Misconception(lambda w, b, X, y, tol=1e-8: np.flatnonzero(
            _float(y) * (_float(X) @ _float(w)) <= 1 + tol),
                      "you left out the intercept: the score is f(x) = X w + b"),
        Misconception(lambda w, b, X, y, tol=1e-8: np.flatnonzero(
            _float(y) * _scores(w, b, X) >= 1 - tol),
                      "the inequality is reversed: points with y f >= 1 are beyond the "
                      "margin and do not support it; keep y f <= 1 + tol"),
        Misconception(lambda w, b, X, y, tol=1e-8: np.flatnonzero(
            _float(y) * _scores(w, b, X) <= tol),
                      "y f <= 0 selects the misclassified points; the margin ends at y f = 1, "
                      "so keep y f <= 1 + tol"),
        Misconception(_mask,
                      "you returned a boolean mask; return the indices of the support "
                      "vectors (np.flatnonzero(mask))"),
    ],
)


# ----------------------------------------------------------------------------------------------
# 08.pegasos_step
def _pegasos_step(w, b, x, y, lam, t):
    w, x = _float(w), _float(x)
    eta = 1.0 / (lam * t)
    violated = y * (w @ x + b) < 1  # the margin before the step; 0 is the sub-gradient at 1
    if not violated:
        return (1 - eta * lam) * w, float(b)
    return (1 - eta * lam) * w + eta * y * x, float(b + eta * y)


def _pegasos_variant(*, condition="strict", shrink="always", eta_of=None, shrink_b=False,
                     bias_in_margin=True, sign=1.0, update_b=True, margin_after=False):
    """A wrong Pegasos step: each keyword names one way of getting it wrong."""
    def step(w, b, x, y, lam, t):
        w, x = _float(w), _float(x)
        eta = 1.0 / (lam * t) if eta_of is None else eta_of(lam, t)
        shrunk = (1 - eta * lam) * w
        tested = shrunk if margin_after else w
        margin = y * (tested @ x + (b if bias_in_margin else 0.0))
        violated = {"strict": margin < 1, "loose": margin <= 1, "inverted": margin >= 1}[
            condition]
        base = shrunk if shrink == "always" or (shrink == "violated" and violated) else w
        w_new = base + (sign * eta * y * x if violated else 0.0)
        b_base = (1 - eta * lam) * b if shrink_b else b
        b_new = b_base + (sign * eta * y if violated and update_b else 0.0)
        return w_new, float(b_new)

    return step


def _pegasos_cases(rng):
    cases = []
    for d in (1, 2, 3, 5, int(rng.integers(6, 10))):
        w = rng.normal(scale=2, size=d)
        x = rng.normal(size=d)
        y = float(rng.choice([-1.0, 1.0]))
        # aim the margin y f at a chosen value: violated, satisfied or barely either
        target = float(rng.choice([-2.0, 0.3, 0.99, 1.01, 1.2, 4.0]))
        b = y * target - float(w @ x)
        cases.append((w, b, x, y, float(rng.choice([1e-3, 0.01, 0.5, 2.0])),
                      int(rng.integers(1, 2000))))
    w = rng.normal(size=3)
    cases.append((w, 0.3, rng.normal(size=3), -1.0, 0.1, 1))  # t = 1: the shrinkage is 0
    return cases


PEGASOS_STEP = Exercise(
    id="08.pegasos_step", name="pegasos_step", points=3,
    reference=_pegasos_step,
    public_cases=[
        # violated: y f = 0.2 < 1
        (np.array([1.0, -0.5]), 0.2, np.array([0.5, 1.0]), 1.0, 0.1, 5),
        # a negative point, violated (y f = 0.5), with b != 0
        (np.array([0.5, 1.5, -1.0]), 2.5, np.array([1.0, -1.0, 2.0]), -1.0, 0.2, 3),
        # satisfied: y f = 2
        (np.array([2.0, 0.0]), 0.0, np.array([1.0, 3.0]), 1.0, 0.5, 4),
        # y f = 1.2, but 0.6 after the shrinkage: the test uses the margin before the step
        (np.array([2.0, 0.0]), 0.0, np.array([0.6, 0.0]), 1.0, 0.5, 2),
        # exactly on the margin: y f = 1
        (np.array([0.5, 0.25]), 0.25, np.array([1.0, 1.0]), 1.0, 0.25, 2),
    ],
    hidden_cases=_pegasos_cases,
    misconceptions=[
        Misconception(_pegasos_variant(condition="loose"),
                      "at a margin of exactly 1 the hinge has a kink; Pegasos (and "
                      "SoftMarginSVM's pegasos solver) takes the sub-gradient 0 there: step "
                      "only when y f < 1, strictly"),
        Misconception(_pegasos_variant(margin_after=True),
                      "measure the margin y (w . x + b) with the w you were given, before the "
                      "shrinkage: the sub-gradient is taken at the current point"),
        Misconception(_pegasos_variant(bias_in_margin=False),
                      "the margin test needs the intercept: y (w . x + b) < 1"),
        Misconception(_pegasos_variant(condition="inverted"),
                      "the condition is reversed: the hinge pulls only when the margin is "
                      "violated, y (w . x + b) < 1; points with y f >= 1 only get the "
                      "shrinkage"),
        Misconception(_pegasos_variant(shrink="violated"),
                      "the shrinkage (1 - eta lambda) w is the penalty's step and happens at "
                      "every step, also when the margin is not violated"),
        Misconception(_pegasos_variant(shrink="never"),
                      "you forgot the shrinkage: the penalty lambda/2 ||w||^2 contributes "
                      "lambda w to the sub-gradient, so every step starts from "
                      "(1 - eta lambda) w"),
        Misconception(_pegasos_variant(eta_of=lambda lam, t: 1.0 / t),
                      "the step size is eta = 1 / (lambda t), not 1 / t"),
        Misconception(_pegasos_variant(eta_of=lambda lam, t: 1.0 / (lam * (t + 1))),
                      "t counts from 1: the step size of step t is 1 / (lambda t), so the "
                      "first step has eta = 1 / lambda and shrinks w to 0"),
        Misconception(_pegasos_variant(eta_of=lambda lam, t: lam / t),
                      "the step size is eta = 1 / (lambda t): lambda divides, it does not "
                      "multiply"),
        Misconception(_pegasos_variant(shrink_b=True),
                      "you shrank the intercept too; it is not penalized, so b only moves by "
                      "eta y when the margin is violated"),
        Misconception(_pegasos_variant(sign=-1.0),
                      "the sign of the hinge step is wrong: its sub-gradient is -y x, so the "
                      "step adds + eta y x to w (and + eta y to b)"),
        Misconception(_pegasos_variant(update_b=False),
                      "the intercept takes the same step as w: b + eta y when the margin is "
                      "violated"),
    ],
)


# ----------------------------------------------------------------------------------------------
# 08.primal_from_dual
def _primal_from_dual(alpha, X, y, C):
    alpha, X, y = _float(alpha), _float(X), _float(y)
    w = (alpha * y) @ X
    free = (alpha > 0) & (alpha < C)
    return w, float(np.mean(y[free] - X[free] @ w))


def _fitted_alpha(X, y, C):
    model = SoftMarginSVM(C=C).fit(X, y)
    alpha = np.zeros(len(y))
    alpha[model.support_] = np.abs(model.dual_coef_[0])
    return alpha


def _dual_problem(rng, n, d, C):
    """(alpha, X, y, C) from an exact fit, with at least one free and one bound multiplier."""
    while True:
        seed = int(rng.integers(0, 2**31))
        X, classes = datasets.blobs(n, separation=float(rng.uniform(1.5, 3.5)),
                                    n_features=max(d, 2), seed=seed)
        X = X[:, :d] if d >= 2 else X[:, :1] + 0.3 * X[:, 1:]
        y = 2.0 * classes - 1
        alpha = _fitted_alpha(X, y, C)
        if np.any((alpha > 0) & (alpha < C)) and np.any(alpha == C):
            return alpha, X, y, C


def _dual_cases(rng):
    return [_dual_problem(rng, n, d, C) for n, d, C in
            [(int(rng.integers(12, 30)), 2, 1.0), (int(rng.integers(30, 60)), 3, 0.1),
             (int(rng.integers(20, 40)), 1, 5.0), (int(rng.integers(40, 80)), 4, 0.5)]]


_DUAL_X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5], [1.5, -1.0], [3.0, 2.0], [0.5, 2.0],
                    [2.5, -0.5], [1.0, 0.0]])
_DUAL_Y = np.array([-1.0, -1.0, 1.0, 1.0, 1.0, -1.0, 1.0, 1.0])
_DUAL_C = 1.0


def _w_without_labels(alpha, X, y, C):
    alpha, X, y = _float(alpha), _float(X), _float(y)
    w = alpha @ X
    free = (alpha > 0) & (alpha < C)
    return w, float(np.mean(y[free] - X[free] @ w))


def _b_over(selection):
    def wrong(alpha, X, y, C):
        alpha, X, y = _float(alpha), _float(X), _float(y)
        w = (alpha * y) @ X
        chosen = selection(alpha, C)
        return w, float(np.mean(y[chosen] - X[chosen] @ w))

    return wrong


def _b_sign_flipped(alpha, X, y, C):
    w, b = _primal_from_dual(alpha, X, y, C)
    return w, -b


PRIMAL_FROM_DUAL = Exercise(
    id="08.primal_from_dual", name="primal_from_dual", points=2,
    reference=_primal_from_dual,
    public_cases=[(_fitted_alpha(_DUAL_X, _DUAL_Y, _DUAL_C), _DUAL_X, _DUAL_Y, _DUAL_C)],
    hidden_cases=_dual_cases,
    misconceptions=[
        Misconception(_w_without_labels,
                      "w = sum_i alpha_i y_i x_i: each multiplier is signed by its label "
                      "((alpha * y) @ X); alpha @ X leaves the labels out"),
        Misconception(_b_over(lambda alpha, C: alpha > 0),
                      "you averaged b over all support vectors; only the free ones "
                      "(0 < alpha < C) lie exactly on the margin, y f = 1. Bound ones "
                      "(alpha = C) have y f <= 1 and would bias b"),
        Misconception(_b_over(lambda alpha, C: np.ones(alpha.shape, dtype=bool)),
                      "you averaged b over all points; only the free support vectors "
                      "(0 < alpha < C) satisfy y f = 1, which is what determines b"),
        Misconception(_b_sign_flipped,
                      "the sign of b is wrong: on the margin y (w . x + b) = 1, so "
                      "b = y - w . x (using 1 / y = y for y = +-1)"),
        Misconception(lambda alpha, X, y, C: (_primal_from_dual(alpha, X, y, C)[0], 0.0),
                      "b is not 0 here: recover it from the free support vectors, "
                      "b = mean of y_i - w . x_i over 0 < alpha_i < C"),
    ],
)

EXERCISES = [MARGIN_WIDTH, SLACK_VALUES, SVM_OBJECTIVE, SUPPORT_VECTOR_INDICES, PEGASOS_STEP,
             PRIMAL_FROM_DUAL]
