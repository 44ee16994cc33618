"""Exercises of chapter 08: the references agree with independent computations (scikit-learn's
SVC, scipy, torch autograd, lossbook's fitted SoftMarginSVM), solutions written differently
pass, other wrong answers than the known misconceptions get useful feedback, and the hidden
cases cover the edge cases they are meant to."""

import numpy as np
import pytest
from scipy.optimize import minimize

from lossbook import datasets
from lossbook.exercises import EXERCISES, evaluate
from lossbook.exercises._core import plan
from lossbook.models import SoftMarginSVM

SEEDS = [0, 1, 2, 3, 20261121]
WIDTH = EXERCISES["08.margin_width"]
SLACK = EXERCISES["08.slack_values"]
OBJECTIVE = EXERCISES["08.svm_objective"]
SUPPORT = EXERCISES["08.support_vector_indices"]
PEGASOS = EXERCISES["08.pegasos_step"]
DUAL = EXERCISES["08.primal_from_dual"]
ALL = [WIDTH, SLACK, OBJECTIVE, SUPPORT, PEGASOS, DUAL]


def hidden(exercise, seed):
    return [c.args for c in plan(exercise, seed) if c.kind == "hidden"]


def learner(fn):
    def function(*args):  # a learner's function, not lossbook's
        return fn(*args)

    return function


def overlapping(n=60, seed=0, separation=2.5):
    X, classes = datasets.blobs(n, separation=separation, seed=seed)
    return X, 2.0 * classes - 1


def alphas(model, n):
    alpha = np.zeros(n)
    alpha[model.support_] = np.abs(model.dual_coef_[0])
    return alpha


# ------------------------------------------------------------------- solutions written otherwise
def width_by_loop(w):
    return 2 / sum(v * v for v in w) ** 0.5


def width_by_hypot(w):
    return 2 / np.hypot.reduce(w)  # the norm without overflow in the squares


def slack_by_loop(w, b, X, y):
    return np.array([max(0.0, 1 - yi * (sum(wj * xj for wj, xj in zip(w, xi, strict=True)) + b))
                     for xi, yi in zip(X, y, strict=True)])


def objective_with_clip(w, b, X, y, C):
    return 0.5 * np.dot(w, w) + C * np.clip(1 - y * (X @ w + b), 0, None).sum()


def support_as_list(w, b, X, y, tol=1e-8):
    return [i for i, (xi, yi) in enumerate(zip(X, y, strict=True)) if yi * (xi @ w + b) - 1 <= tol]


def pegasos_as_list(w, b, x, y, lam, t):
    eta = 1 / (lam * t)
    hinge_active = y * (np.dot(w, x) + b) < 1
    grad_w = lam * w - (y * x if hinge_active else 0)
    grad_b = -y if hinge_active else 0.0
    return [w - eta * grad_w, b - eta * grad_b]


def dual_with_tolerances(alpha, X, y, C):
    w = np.einsum("i,i,ij->j", alpha, y, X)
    free = (alpha > 1e-9 * C) & (alpha < C * (1 - 1e-9))
    return w, float(np.median(y[free] - X[free] @ w))  # all equal at the optimum


OTHER_SOLUTIONS = [(WIDTH, width_by_loop), (WIDTH, width_by_hypot), (SLACK, slack_by_loop),
                   (OBJECTIVE, objective_with_clip), (SUPPORT, support_as_list),
                   (PEGASOS, pegasos_as_list), (DUAL, dual_with_tolerances)]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exercise, solution", OTHER_SOLUTIONS,
                         ids=lambda v: getattr(v, "id", getattr(v, "__name__", "")))
def test_solutions_written_otherwise_pass_on_every_seed(exercise, solution, seed):
    result = evaluate(exercise, learner(solution), seed=seed)
    assert result.passed and result.score == 1.0, result.message


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("exercise", ALL, ids=lambda e: e.id)
def test_each_misconception_gets_its_hint_on_other_seeds_too(exercise, seed):
    # the grader draws its own seed: the hint must not depend on the hidden cases drawn
    for misconception in exercise.misconceptions:
        result = evaluate(exercise, learner(misconception.wrong), seed=seed)
        assert result.message == misconception.hint and result.score == 0


# ---------------------------------------------------------- references against fitted models
@pytest.mark.parametrize("C", [0.05, 1.0, 20.0])
def test_references_agree_with_a_fitted_soft_margin_svm(C):
    X, y = overlapping(seed=4)
    model = SoftMarginSVM(C=C).fit(X, y)
    w, b = model.coef_[0], model.intercept_[0]
    assert np.isclose(WIDTH.reference(w), 2 * model.margin_, rtol=1e-14)
    assert np.allclose(SLACK.reference(w, b, X, y), model.slack_, rtol=1e-14, atol=0)
    assert np.isclose(OBJECTIVE.reference(w, b, X, y, C), model.objective(X, y), rtol=1e-14)
    # the SMO solution has no degenerate point on the margin with alpha = 0 here
    support = SUPPORT.reference(w, b, X, y)
    assert np.array_equal(support, np.sort(model.support_))
    w_dual, b_dual = DUAL.reference(alphas(model, len(y)), X, y, C)
    assert np.allclose(w_dual, w, rtol=1e-12, atol=1e-12)
    assert np.isclose(b_dual, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("C", [0.3, 1.0, 10.0])  # at C = 0.1 this data has no free SV
def test_references_agree_with_sklearn_svc(C):
    from sklearn.metrics import hinge_loss
    from sklearn.svm import SVC

    X, y = overlapping(seed=5)
    svc = SVC(kernel="linear", C=C, tol=1e-12).fit(X, y)
    w, b = svc.coef_[0], svc.intercept_[0]
    scores = svc.decision_function(X)
    assert np.isclose(np.mean(SLACK.reference(w, b, X, y)), hinge_loss(y, scores), rtol=1e-12)
    alpha = np.zeros(len(y))
    alpha[svc.support_] = np.abs(svc.dual_coef_[0])
    w_dual, b_dual = DUAL.reference(alpha, X, y, C)
    assert np.allclose(w_dual, w, atol=1e-12)
    assert np.isclose(b_dual, b, atol=1e-6)  # LIBSVM averages over free SVs the same way
    assert np.array_equal(SUPPORT.reference(w, b, X, y, 1e-6), np.sort(svc.support_))
    # strong duality at SVC's optimum: the primal value is the dual value
    G = (y[:, None] * X) @ (y[:, None] * X).T
    dual_value = alpha.sum() - 0.5 * alpha @ G @ alpha
    assert np.isclose(OBJECTIVE.reference(w, b, X, y, C), dual_value, rtol=1e-6)


def nearest_points_on_the_margin_hyperplanes(w, b, start):
    """min |p - q| over p with f(p) = +1 and q with f(q) = -1, by a generic solver."""
    d = len(w)
    constraints = [{"type": "eq", "fun": lambda v: v[:d] @ w + b - 1},
                   {"type": "eq", "fun": lambda v: v[d:] @ w + b + 1}]
    found = minimize(lambda v: np.sum((v[:d] - v[d:]) ** 2), start, constraints=constraints,
                     method="SLSQP", options={"ftol": 1e-14})
    return np.sqrt(found.fun)


def test_margin_width_is_the_distance_between_the_margin_hyperplanes():
    rng = np.random.default_rng(0)
    for d in (2, 3, 5):
        w, b = rng.normal(size=d), float(rng.normal())
        distance = nearest_points_on_the_margin_hyperplanes(w, b, rng.normal(size=2 * d))
        assert np.isclose(distance, WIDTH.reference(w), rtol=1e-6)


def test_objective_reference_is_minimized_by_the_svm_solution():
    X, y = overlapping(seed=6)
    C = 0.7
    model = SoftMarginSVM(C=C).fit(X, y)
    v = np.r_[model.coef_[0], model.intercept_]
    best = OBJECTIVE.reference(v[:2], v[2], X, y, C)
    rng = np.random.default_rng(1)
    for _ in range(200):
        u = v + rng.normal(scale=rng.choice([1e-4, 1e-2, 1.0]), size=3)
        assert OBJECTIVE.reference(u[:2], u[2], X, y, C) >= best - 1e-12


# ----------------------------------------------------------------------------- pegasos step
def test_pegasos_steps_reproduce_the_librarys_pegasos_solver():
    X, y = overlapping(n=40, seed=7)
    C, epochs = 0.5, 5
    lam = 1 / (C * len(y))
    order = np.random.default_rng(3)
    w, b, t = np.zeros(2), 0.0, 0
    for _ in range(epochs):
        for i in order.permutation(len(y)):
            t += 1
            w, b = PEGASOS.reference(w, b, X[i], y[i], lam, t)
    model = SoftMarginSVM(C=C, solver="pegasos", max_iter=epochs, seed=3).fit(X, y)
    assert np.allclose(w, model.coef_[0], rtol=1e-10, atol=1e-12)
    assert np.isclose(b, model.intercept_[0], rtol=1e-10, atol=1e-12)


def test_pegasos_step_is_a_step_along_minus_torchs_gradient_away_from_the_kink():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    for _ in range(20):
        d = int(rng.integers(1, 6))
        w0, x = rng.normal(size=d), rng.normal(size=d)
        b0, y = float(rng.normal()), float(rng.choice([-1.0, 1.0]))
        lam, t = float(rng.uniform(0.01, 1)), int(rng.integers(1, 50))
        if abs(y * (w0 @ x + b0) - 1) < 1e-6:
            continue  # at the kink torch takes -y, Pegasos 0
        w = torch.tensor(w0, requires_grad=True)
        b = torch.tensor(b0, requires_grad=True)
        objective = lam / 2 * (w @ w) + torch.clamp(1 - y * (w @ torch.tensor(x) + b), min=0)
        objective.backward()
        eta = 1 / (lam * t)
        w_new, b_new = PEGASOS.reference(w0, b0, x, y, lam, t)
        assert np.allclose(w_new, w0 - eta * w.grad.numpy(), rtol=1e-12, atol=1e-12)
        assert np.isclose(b_new, b0 - eta * b.grad.item(), rtol=1e-12, atol=1e-12)


def test_pegasos_with_the_optional_projection_fails():
    # the original paper's optional projection onto the ball of radius 1/sqrt(lam) is not
    # part of this variant (nor of SoftMarginSVM's)
    def projected(w, b, x, y, lam, t):
        w_new, b_new = pegasos_as_list(w, b, x, y, lam, t)
        radius = 1 / np.sqrt(lam)
        return w_new * min(1.0, radius / max(np.linalg.norm(w_new), 1e-300)), b_new

    result = evaluate(PEGASOS, learner(projected))
    assert not result and result.score == 0


def test_pegasos_returning_b_as_an_array_shows_both_results():
    def array_b(w, b, x, y, lam, t):
        w_new, b_new = pegasos_as_list(w, b, x, y, lam, t)
        return w_new, np.array([b_new])

    result = evaluate(PEGASOS, learner(array_b))
    assert not result and "array([2.2])" in result.message and "expected" in result.message


# --------------------------------------------------------------------- other wrong answers
def test_slack_clipped_at_one_fails_on_the_public_case():
    # the ramp loss min(1, hinge) is a different (non-convex) loss
    def ramp(w, b, X, y):
        return np.clip(1 - y * (X @ w + b), 0, 1)

    result = evaluate(SLACK, learner(ramp))
    assert not result and result.message.startswith("for the inputs")


def test_support_indices_with_a_hard_coded_tolerance_get_the_tol_hint():
    def fixed_tol(w, b, X, y, tol=1e-8):
        return np.flatnonzero(y * (X @ w + b) <= 1 + 1e-8)

    result = evaluate(SUPPORT, learner(fixed_tol))
    assert not result and "tol" in result.message


def test_support_indices_from_alpha_like_positive_slack_only_miss_the_margin_points():
    def positive_slack(w, b, X, y, tol=1e-8):
        return np.flatnonzero(1 - y * (X @ w + b) > 0)  # "slack > 0": same as y f < 1

    result = evaluate(SUPPORT, learner(positive_slack))
    assert not result and "exactly on the margin" in result.message


def test_objective_returned_as_a_one_element_array_passes():
    # a 0-d or 1-element answer is the same number; the shape check only rejects real vectors
    result = evaluate(OBJECTIVE, learner(lambda *a: np.asarray(objective_with_clip(*a))))
    assert result.passed


def test_dual_with_b_from_the_first_bound_vector_fails():
    def first_support(alpha, X, y, C):
        w = (alpha * y) @ X
        i = int(np.flatnonzero(alpha > 0)[0])
        return w, float(y[i] - X[i] @ w)

    result = evaluate(DUAL, learner(first_support))
    assert not result and result.score == 0


# ---------------------------------------------------------------------------- hidden cases
@pytest.mark.parametrize("exercise", ALL, ids=lambda e: e.id)
def test_hidden_cases_change_with_the_seed_and_vary_in_size(exercise):
    a, b = hidden(exercise, 1), hidden(exercise, 2)
    assert len(a) >= 4
    assert any(not np.array_equal(x[0], z[0]) for x, z in zip(a, b, strict=True))
    sizes = {np.shape(args[0]) for seed in SEEDS for args in hidden(exercise, seed)}
    assert len(sizes) >= 3


def test_support_hidden_cases_put_points_just_inside_and_outside_the_tolerance():
    for seed in SEEDS:
        for w, b, X, y, tol in hidden(SUPPORT, seed)[:-1]:
            excess = y * (X @ w + b) - 1
            assert np.any((excess > 0) & (excess <= tol))  # on the margin, above 1
            assert np.any((excess > tol) & (excess < 100 * tol))  # just beyond the tolerance
        tols = {args[4] for args in hidden(SUPPORT, seed)}
        assert len(tols) >= 3


def test_pegasos_hidden_cases_cover_violated_satisfied_and_t_one():
    for seed in SEEDS:
        margins = [y * (np.dot(w, x) + b) for w, b, x, y, lam, t in hidden(PEGASOS, seed)]
        assert any(m < 1 for m in margins) and any(m >= 1 for m in margins)
        assert any(t == 1 for *_, t in hidden(PEGASOS, seed))
        assert {y for _, _, _, y, _, _ in hidden(PEGASOS, seed)} <= {-1.0, 1.0}


def test_dual_hidden_cases_are_exact_optima_with_free_and_bound_multipliers():
    for seed in SEEDS[:2]:
        for alpha, X, y, C in hidden(DUAL, seed):
            assert np.any((alpha > 0) & (alpha < C)) and np.any(alpha == C)
            assert abs(alpha @ y) < 1e-8 and np.all((alpha >= 0) & (alpha <= C))
            # stationarity and complementary slackness hold at the reference's (w, b)
            w, b = DUAL.reference(alpha, X, y, C)
            margins = y * (X @ w + b)
            free = (alpha > 0) & (alpha < C)
            assert np.allclose(margins[free], 1, atol=1e-7)
            assert np.all(margins[alpha == 0] >= 1 - 1e-7)
            assert np.all(margins[alpha == C] <= 1 + 1e-7)


def test_slack_hidden_cases_include_a_single_point_and_an_all_zero_answer():
    for seed in SEEDS:
        args = hidden(SLACK, seed)
        assert any(len(y) == 1 for *_, y in args)
        assert any(np.all(SLACK.reference(*a) == 0) for a in args)
        assert any(np.any(SLACK.reference(*a) > 1) for a in args)
