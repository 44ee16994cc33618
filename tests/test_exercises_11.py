"""Chapter 11's exercises: references against independent computations (mpmath, scipy,
brute-force loops, closed forms), plausible wrong answers beyond the catalog's
misconceptions get useful feedback, right answers in other forms pass, and the hidden cases
cover what they should. That every known mistake gets its hint is tested in
test_exercises.py."""

from __future__ import annotations

import itertools

import mpmath
import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from lossbook.exercises import EXERCISES, evaluate
from lossbook.exercises._core import PROPERTY_CREDIT, plan

BARRON = EXERCISES["11.barron_loss"]
UNCERTAINTY = EXERCISES["11.uncertainty_weighted_loss"]
GCE = EXERCISES["11.generalized_cross_entropy"]
PARETO = EXERCISES["11.pareto_front_mask"]
BAYES = EXERCISES["11.bayes_decision"]
SEEDS = range(8)


def all_args(exercise, seeds=SEEDS):
    """Every argument tuple the checker can use: public, hidden (several seeds), property."""
    args = [tuple(c) for c in exercise.public_cases]
    for seed in seeds:
        args += [tuple(c) for c in exercise.hidden_cases(np.random.default_rng(seed))]
    for prop in exercise.properties:
        args += [tuple(c) for c in prop.cases]
    return args


def learner(f):
    """f wrapped as a learner's function (defined here, not in lossbook)."""
    def function(*args):
        return f(*args)
    return function


# ----------------------------------------------------------------- independent solutions
def barron_mp(x, alpha, c):
    """Barron's rho in 50-digit arithmetic, the limits at 0 and 2 taken exactly."""
    mpmath.mp.dps = 50
    out = []
    for value in np.ravel(x):
        z = (mpmath.mpf(float(value)) / mpmath.mpf(c)) ** 2
        if alpha == 2:
            out.append(z / 2)
        elif alpha == 0:
            out.append(mpmath.log(z / 2 + 1))
        else:
            a = mpmath.mpf(alpha)
            b = abs(a - 2)
            out.append(b / a * ((z / b + 1) ** (a / 2) - 1))
    return np.array([float(v) for v in out]).reshape(np.shape(x))


def gce_mp(p, q):
    mpmath.mp.dps = 50
    if q == 0:
        terms = [-mpmath.log(mpmath.mpf(float(v))) for v in p]
    else:
        terms = [(1 - mpmath.mpf(float(v)) ** mpmath.mpf(q)) / mpmath.mpf(q) for v in p]
    return float(mpmath.fsum(terms) / len(terms))


def barron_piecewise(x, alpha, c):
    """Another right answer: the named closed forms where they exist, else expm1/log1p."""
    u = (np.asarray(x, dtype=float) / c) ** 2
    closed = {2.0: lambda: u / 2, 1.0: lambda: np.sqrt(u + 1) - 1,
              0.0: lambda: np.log1p(u / 2), -2.0: lambda: 2 * u / (u + 4)}
    if float(alpha) in closed:
        return closed[float(alpha)]()
    b = abs(alpha - 2)
    return b / alpha * np.expm1(alpha / 2 * np.log1p(u / b))


def uncertainty_sigma_form(losses, log_vars):
    """sum L / (2 sigma^2) + log sigma, written with sigma itself."""
    sigma = np.exp(np.asarray(log_vars) / 2)
    return float(np.sum(np.asarray(losses) / (2 * sigma**2) + np.log(sigma)))


def pareto_loop(points):
    points = np.asarray(points, dtype=float)
    keep = []
    for j, b in enumerate(points):
        dominated = any(np.all(a <= b) and np.any(a < b)
                        for i, a in enumerate(points) if i != j)
        keep.append(not dominated)
    return np.array(keep)


def bayes_loop(probs, cost):
    out = []
    for row in probs:
        expected = [sum(row[i] * cost[i, j] for i in range(len(row))) for j in range(len(row))]
        out.append(int(np.argmin(expected)))
    return np.array(out)


@pytest.mark.parametrize("exercise, solution", [
    (BARRON, barron_piecewise),
    (UNCERTAINTY, uncertainty_sigma_form),
    (GCE, lambda p, q: -np.mean(np.log(p)) if q == 0 else np.mean(
        -np.expm1(q * np.log(p)) / q)),
    (PARETO, pareto_loop),
    (BAYES, bayes_loop),
    (BAYES, lambda p, C: np.einsum("ni,ij->nj", p, C).argmin(axis=1).astype(float)),
])
def test_independent_solutions_pass_with_full_points(exercise, solution):
    result = evaluate(exercise, learner(solution))
    assert result.passed and result.score == 1.0, result.message


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_solutions_pass_on_the_graders_other_seeds(seed):
    for exercise, solution in [(BARRON, barron_piecewise), (UNCERTAINTY, uncertainty_sigma_form),
                               (PARETO, pareto_loop), (BAYES, bayes_loop)]:
        assert evaluate(exercise, learner(solution), seed=seed).passed


# ------------------------------------------------------------------------ barron_loss
def test_barron_reference_matches_mpmath_on_every_case():
    for x, alpha, c in all_args(BARRON):
        want = barron_mp(x, alpha, c)
        got = BARRON.reference(x, alpha, c)
        assert got.shape == np.shape(x)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)


def test_barron_reference_has_the_named_special_cases_and_limits():
    x = np.linspace(-30, 30, 601)
    u = x**2
    ref = BARRON.reference
    np.testing.assert_allclose(ref(x, 1.0, 1.0), np.sqrt(u + 1) - 1, rtol=1e-13)
    np.testing.assert_allclose(ref(x, -2.0, 1.0), 2 * u / (u + 4), rtol=1e-13)
    np.testing.assert_allclose(ref(x, -1e12, 1.0), -np.expm1(-u / 2), rtol=1e-9, atol=1e-15)
    for limit in (0.0, 2.0):
        for eps in (1e-7, -1e-7):
            gap = np.abs(ref(x, limit + eps, 1.0) - ref(x, limit, 1.0))
            assert gap.max() < 1e-4 * (1 + ref(x, limit, 1.0).max())
    # near 0 every member is (x/c)^2 / 2
    small = np.array([1e-4, -3e-4])
    for alpha in (-50.0, -2.0, 0.0, 0.5, 2.0, 7.0):
        np.testing.assert_allclose(ref(small, alpha, 0.7), (small / 0.7) ** 2 / 2, rtol=1e-6)


def test_barron_reference_increases_with_alpha():
    x = np.linspace(-20, 20, 81)
    values = np.array([BARRON.reference(x, a, 1.3) for a in np.linspace(-20, 6, 131)])
    assert np.all(np.diff(values, axis=0) >= -1e-14)


def test_barron_textbook_formula_gets_half_credit_with_the_alpha_2_hint():
    def textbook(x, alpha, c):
        b = abs(alpha - 2)
        return b / alpha * (((np.asarray(x) / c) ** 2 / b + 1) ** (alpha / 2) - 1)

    result = evaluate(BARRON, learner(textbook))
    assert result.status == "failed" and result.score == PROPERTY_CREDIT
    assert "alpha = 2" in result.message


def test_barron_with_limits_but_without_expm1_gets_the_digits_hint():
    def limits_only(x, alpha, c):
        z = (np.asarray(x) / c) ** 2
        if alpha == 2:
            return z / 2
        if alpha == 0:
            return np.log1p(z / 2)
        b = abs(alpha - 2)
        return b / alpha * ((z / b + 1) ** (alpha / 2) - 1)

    result = evaluate(BARRON, learner(limits_only))
    assert result.score == PROPERTY_CREDIT and "expm1" in result.message


def test_barron_other_mistakes_fail_with_a_message():
    def wrong_cauchy(x, alpha, c):  # log(u + 1) instead of log(u/2 + 1) at alpha = 0
        return np.log1p((np.asarray(x) / c) ** 2) if alpha == 0 else barron_piecewise(
            x, alpha, c)

    def huber_instead(x, alpha, c):
        r = np.abs(np.asarray(x) / c)
        return np.where(r <= 1, r**2 / 2, r - 0.5)

    result = evaluate(BARRON, learner(wrong_cauchy))
    assert result.score == PROPERTY_CREDIT and "alpha = 0" in result.message
    result = evaluate(BARRON, learner(huber_instead))
    assert result.score == 0 and "expected" in result.message


def test_barron_hidden_cases_vary():
    cases = [c for seed in SEEDS for c in BARRON.hidden_cases(np.random.default_rng(seed))]
    alphas = np.array([a for _, a, _ in cases])
    assert (alphas < 0).any() and ((alphas > 0) & (alphas < 2)).any() and (alphas > 2).any()
    assert not np.isin(alphas, [0.0, 2.0]).any()  # the limits are the properties' business
    assert len({c for _, _, c in cases}) > 20 and len({np.shape(x) for x, _, _ in cases}) > 10
    assert any(np.ndim(x) == 2 for x, _, _ in cases)


# ----------------------------------------------------------- uncertainty_weighted_loss
def test_uncertainty_reference_is_minimized_at_the_log_losses():
    for losses, log_vars in all_args(UNCERTAINTY):
        for i, L in enumerate(losses):
            if L == 0:
                continue

            def objective(s, i=i, losses=losses, log_vars=log_vars):
                trial = np.array(log_vars, dtype=float)
                trial[i] = s
                return UNCERTAINTY.reference(losses, trial)

            best = minimize_scalar(objective, bracket=(np.log(L) - 1, np.log(L) + 1), tol=1e-12)
            assert best.x == pytest.approx(np.log(L), abs=1e-5)
        positive = np.asarray(losses) > 0
        at_optimum = np.where(positive, np.log(np.where(positive, losses, 1.0)), 0.0)
        if positive.all():  # sum (1 + log L_i) / 2: the profile objective
            assert UNCERTAINTY.reference(losses, at_optimum) == pytest.approx(
                np.sum(1 + np.log(losses)) / 2, rel=1e-12, abs=1e-12)


def test_uncertainty_other_mistakes_fail():
    def sigma_squared_given(losses, log_vars):  # log_vars read as sigma^2 itself
        s = np.asarray(log_vars)
        return float(np.sum(np.asarray(losses) / (2 * s) + np.log(np.abs(s)) / 2))

    def product_instead(losses, log_vars):
        return float(np.prod(np.exp(-np.asarray(log_vars)) * losses / 2))

    for wrong in (sigma_squared_given, product_instead):
        result = evaluate(UNCERTAINTY, learner(wrong))
        assert result.status == "failed" and result.score == 0


def test_uncertainty_hidden_cases_vary_and_include_a_zero_loss():
    cases = [c for seed in SEEDS for c in UNCERTAINTY.hidden_cases(np.random.default_rng(seed))]
    assert {len(L) for L, _ in cases} >= {1, 2, 3, 4, 5, 6}
    assert any(np.any(np.asarray(L) == 0) for L, _ in cases)
    assert any(np.any(np.asarray(s) < -2) for _, s in cases)


# ------------------------------------------------------------- generalized_cross_entropy
def test_gce_reference_matches_mpmath_on_every_case():
    for p, q in all_args(GCE):
        assert GCE.reference(p, q) == pytest.approx(gce_mp(p, q), rel=1e-12, abs=1e-300)


def test_gce_interpolates_between_cross_entropy_and_mae():
    p = np.random.default_rng(0).uniform(0.01, 1, size=50)
    ce = -np.mean(np.log(p))
    for q in (1e-3, 1e-6, 1e-9):
        assert GCE.reference(p, q) == pytest.approx(ce, rel=10 * q * np.log(100))
    assert GCE.reference(p, 1.0) == pytest.approx(np.mean(1 - p), rel=1e-14)
    # MAE between the one-hot label and a probability vector is 2 (1 - p_y)
    probs = np.random.default_rng(1).dirichlet(np.ones(5), size=40)
    labels = np.random.default_rng(2).integers(0, 5, size=40)
    mae = np.mean(np.abs(np.eye(5)[labels] - probs).sum(axis=1))
    assert 2 * GCE.reference(probs[np.arange(40), labels], 1.0) == pytest.approx(mae, rel=1e-13)
    # decreasing in q for fixed p: (1 - p^q)/q falls as q grows
    values = [GCE.reference(p, q) for q in np.linspace(0, 1, 21)]
    assert np.all(np.diff(values) < 0)


def test_gce_naive_learners_get_half_credit_with_specific_hints():
    def naive(p, q):
        return np.mean((1 - p**q) / q)

    def limit_but_no_expm1(p, q):
        return -np.mean(np.log(p)) if q == 0 else np.mean((1 - p**q) / q)

    result = evaluate(GCE, learner(naive))
    assert result.score == PROPERTY_CREDIT and "q = 0" in result.message
    result = evaluate(GCE, learner(limit_but_no_expm1))
    assert result.score == PROPERTY_CREDIT and "expm1" in result.message


def test_gce_other_mistakes_fail():
    def always_cross_entropy(p, q):
        return -np.mean(np.log(p))

    def per_sample(p, q):
        return -np.expm1(q * np.log(p)) / q if q else -np.log(p)

    for wrong in (always_cross_entropy, per_sample):
        result = evaluate(GCE, learner(wrong))
        assert result.status == "failed" and result.score == 0


def test_gce_hidden_cases_include_q_1_and_certain_answers():
    cases = [c for seed in SEEDS for c in GCE.hidden_cases(np.random.default_rng(seed))]
    qs = np.array([q for _, q in cases])
    assert (qs == 1.0).any() and (qs < 0.5).any() and not (qs == 0).any()
    assert any(np.any(np.asarray(p) == 1.0) for p, _ in cases)
    assert len({len(p) for p, _ in cases}) > 10


# -------------------------------------------------------------------- pareto_front_mask
def test_pareto_reference_matches_a_loop_and_the_definition():
    for (points,) in all_args(PARETO):
        mask = PARETO.reference(points)
        np.testing.assert_array_equal(mask, pareto_loop(points))
        front, rest = points[mask], points[~mask]
        assert mask.any()  # a finite set always has a non-dominated point
        for a, b in itertools.product(front, front):  # no front point dominates another
            assert not (np.all(a <= b) and np.any(a < b))
        for b in rest:  # every other point is dominated by a point of the front
            assert any(np.all(a <= b) and np.any(a < b) for a in front)


def test_pareto_of_a_sorted_sweep_agrees_without_ties():
    rng = np.random.default_rng(0)
    for _ in range(20):
        points = rng.normal(size=(int(rng.integers(1, 60)), 2))
        order = np.argsort(points[:, 0])
        running = np.minimum.accumulate(points[order, 1])
        sweep = np.zeros(len(points), dtype=bool)
        sweep[order] = points[order, 1] <= running
        np.testing.assert_array_equal(PARETO.reference(points), sweep)


def test_pareto_other_mistakes_fail_with_a_message():
    def sorted_sweep_ignoring_ties(points):  # wrong when the first objective ties
        order = np.argsort(points[:, 0], kind="stable")
        best, keep = np.inf, np.zeros(len(points), dtype=bool)
        for i in order:
            if points[i, 1] < best:
                keep[i], best = True, points[i, 1]
        return keep

    def everything(points):
        return np.ones(len(points), dtype=bool)

    for wrong in (sorted_sweep_ignoring_ties, everything):
        result = evaluate(PARETO, learner(wrong))
        assert result.status == "failed" and result.score == 0
        assert "expected" in result.message or "hidden case" in result.message


def test_pareto_hidden_cases_have_ties_duplicates_and_a_single_point():
    cases = [c[0] for seed in SEEDS for c in PARETO.hidden_cases(np.random.default_rng(seed))]
    assert any(len(P) == 1 for P in cases)
    assert any(len(np.unique(P, axis=0)) < len(P) for P in cases)  # duplicates
    assert any(len(np.unique(P[:, 0])) < len(P) for P in cases if len(P) > 1)  # ties
    assert len({len(P) for P in cases}) > 15


# ----------------------------------------------------------------------- bayes_decision
def test_bayes_reference_matches_a_loop_and_is_optimal_on_average():
    for probs, cost in all_args(BAYES):
        decisions = BAYES.reference(probs, cost)
        np.testing.assert_array_equal(decisions, bayes_loop(probs, cost))
        expected = probs @ cost
        chosen = expected[np.arange(len(probs)), decisions]
        assert np.all(chosen <= expected.min(axis=1) + 1e-12)


def test_bayes_zero_one_cost_is_argmax_and_binary_cost_is_a_threshold():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(4), size=200)
    np.testing.assert_array_equal(BAYES.reference(probs, 1 - np.eye(4)), probs.argmax(axis=1))
    p = rng.uniform(size=500)
    cost = np.array([[0.0, 1.0], [10.0, 0.0]])
    threshold = cost[0, 1] / (cost[0, 1] + cost[1, 0])
    decisions = BAYES.reference(np.column_stack([1 - p, p]), cost)
    clear = np.abs(p - threshold) > 1e-12
    np.testing.assert_array_equal(decisions[clear], (p > threshold)[clear].astype(int))


def test_bayes_hidden_cases_have_no_near_ties_and_vary():
    cases = [c for seed in SEEDS for c in BAYES.hidden_cases(np.random.default_rng(seed))]
    for probs, cost in cases:
        expected = np.sort(probs @ cost, axis=1)
        if len(expected):
            assert np.all(expected[:, 1] - expected[:, 0] > 1e-7)
    assert {C.shape[0] for _, C in cases} == {2, 3, 4, 5}
    assert any(np.any(np.diag(C) > 0) for _, C in cases)


def test_plan_has_the_property_cases_of_barron_and_gce():
    for exercise, n_props in [(BARRON, 3), (GCE, 2)]:
        kinds = [c.kind for c in plan(exercise)]
        assert kinds.count("property") == sum(len(p.cases) for p in exercise.properties)
        assert len(exercise.properties) == n_props
