"""Chapter 01 exercises: the references agree with independent computations (scikit-learn,
Monte Carlo), right answers written differently pass, other wrong answers get a useful
failure, and the hidden cases cover the edge cases they are meant to."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge as SklearnRidge
from sklearn.metrics import mean_squared_error, zero_one_loss

from lossbook.exercises import EXERCISES, evaluate

EMPIRICAL, ZERO_ONE = EXERCISES["01.empirical_risk"], EXERCISES["01.zero_one_risk"]
STRUCTURAL, GAUSSIAN = EXERCISES["01.structural_risk"], EXERCISES["01.gaussian_risk"]


def hidden(exercise, seed=0):
    return exercise.hidden_cases(np.random.default_rng(seed))


def all_cases(exercise):
    return list(exercise.public_cases) + hidden(exercise) + hidden(exercise, seed=1)


# -- the references against independent computations ---------------------------------------

def test_empirical_risk_is_sklearns_mean_squared_error():
    for w, b, X, y in all_cases(EMPIRICAL):
        want = mean_squared_error(y, X @ w + b)
        assert EMPIRICAL.reference(w, b, X, y) == pytest.approx(want, rel=1e-12, abs=1e-14)


def test_zero_one_risk_is_sklearns_zero_one_loss_of_the_signs():
    # np.sign(0) = 0 is neither label, so scikit-learn counts a zero score as an error too
    for y, scores in all_cases(ZERO_ONE):
        want = zero_one_loss(y.astype(int), np.sign(scores).astype(int))
        assert ZERO_ONE.reference(y, scores) == pytest.approx(want, abs=1e-15)


def test_structural_risk_is_sklearn_ridge_objective_divided_by_n():
    # sklearn's Ridge minimizes ||y - Xw - b||^2 + a ||w||^2 = n (mse + (2a/n)/2 ||w||^2):
    # its optimum must minimize structural_risk with alpha = 2a/n, and the values match
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 4))
    y = X @ rng.normal(size=4) + 1.5 + rng.normal(size=30)
    a = 2.5
    fit = SklearnRidge(alpha=a, solver="svd").fit(X, y)
    alpha = 2 * a / len(y)
    at_opt = STRUCTURAL.reference(fit.coef_, fit.intercept_, X, y, alpha)
    objective = np.sum((y - X @ fit.coef_ - fit.intercept_) ** 2) + a * fit.coef_ @ fit.coef_
    assert at_opt == pytest.approx(objective / len(y), rel=1e-12)
    for j in range(5):  # moving any coordinate, the intercept included, increases the risk
        for step in (1e-3, -1e-3):
            w, b = fit.coef_.copy(), fit.intercept_
            if j < 4:
                w[j] += step
            else:
                b += step
            assert STRUCTURAL.reference(w, b, X, y, alpha) > at_opt


@pytest.mark.parametrize("case", range(4))
def test_gaussian_risk_matches_a_monte_carlo_estimate(case):
    w, b, w_true, b_true, sigma = (list(GAUSSIAN.public_cases) + hidden(GAUSSIAN))[case]
    rng = np.random.default_rng(case)
    n = 400_000
    X = rng.normal(size=(n, len(w)))
    y = X @ w_true + b_true + sigma * rng.normal(size=n)
    squared = (X @ w + b - y) ** 2
    standard_error = squared.std() / np.sqrt(n)
    assert abs(squared.mean() - GAUSSIAN.reference(w, b, w_true, b_true, sigma)) \
        < 5 * standard_error


# -- right answers written differently pass -------------------------------------------------

RIGHT = {
    "01.empirical_risk": [
        lambda w, b, X, y: np.mean((y - X @ w - b) ** 2),  # the residual's sign is irrelevant
        lambda w, b, X, y: sum((xi @ w + b - yi) ** 2 for xi, yi in zip(X, y, strict=True))
        / len(y),
    ],
    "01.zero_one_risk": [
        lambda y, f: np.count_nonzero(np.sign(f) != y) / len(y),
        lambda y, f: float(np.mean(np.where(y * f > 0, 0.0, 1.0))),
    ],
    "01.structural_risk": [
        lambda w, b, X, y, alpha: np.mean((y - X @ w - b) ** 2)
        + alpha * np.linalg.norm(w) ** 2 / 2,
        lambda w, b, X, y, alpha: (np.sum((X @ w + b - y) ** 2) + len(y) * alpha / 2 * w @ w)
        / len(y),
    ],
    "01.gaussian_risk": [
        lambda w, b, wt, bt, s: np.sum(np.append(w - wt, b - bt) ** 2) + s * s,
    ],
}


@pytest.mark.parametrize("exercise_id, index", [
    (e, i) for e, fns in RIGHT.items() for i in range(len(fns))])
def test_a_right_answer_in_another_form_passes(exercise_id, index):
    def learner(*args):
        return RIGHT[exercise_id][index](*args)

    result = evaluate(EXERCISES[exercise_id], learner)
    assert result.passed and result.score == 1, result.message


# -- other wrong answers get a useful failure -----------------------------------------------

@pytest.mark.parametrize("exercise, wrong, expected", [
    (EMPIRICAL, lambda w, b, X, y: np.sum((X @ w + b - y) ** 2) / (len(y) - 1), "expected"),
    (EMPIRICAL, lambda w, b, X, y: np.mean((X @ w + b - y) ** 2, axis=0, keepdims=True),
     "shape"),
    (ZERO_ONE, lambda y, f: 100 * np.mean(y * f <= 0), "expected"),  # a percentage
    (STRUCTURAL, lambda w, b, X, y, alpha: np.mean((X @ w + b - y) ** 2) + alpha / 2 * w @ w
     if len(y) == 3 else 0.0, "hidden case"),
    (GAUSSIAN, lambda w, b, wt, bt, s: (b - bt) ** 2 + (w - wt) @ (w - wt) + s ** 2
     if len(w) == 2 else np.nan, "expected"),
])
def test_an_unlisted_mistake_is_still_explained(exercise, wrong, expected):
    def learner(*args):
        return wrong(*args)

    result = evaluate(exercise, learner)
    assert result.status == "failed" and result.score == 0
    assert expected in result.message


def test_zero_one_through_predicted_labels_with_a_tie_rule_fails_with_the_tie_hint():
    # labels predicted first, with f = 0 sent to one class: the zero scores are the mistake
    def learner(y, f):
        predicted = np.where(f > 0, 1.0, -1.0)
        return np.mean(predicted != y)

    result = evaluate(ZERO_ONE, learner)
    assert not result and "a score of exactly 0 is an error" in result.message


# -- the hidden cases are varied and cover the edge cases -----------------------------------

def test_hidden_regression_cases_vary_and_include_the_edge_cases():
    cases = hidden(EMPIRICAL)
    sizes = {X.shape for _, _, X, _ in cases}
    assert len(sizes) >= 6 and {n for n, _ in sizes} >= {1} and max(n for n, _ in sizes) >= 50
    assert any(b == 0 for _, b, _, _ in cases)  # forgetting b is invisible there, not everywhere
    assert any(EMPIRICAL.reference(*c) == 0 for c in cases)  # a perfect fit
    assert any(b != 0 for _, b, _, _ in cases)
    # another seed draws other cases (the grader draws its own seed)
    assert [EMPIRICAL.reference(*c) for c in hidden(EMPIRICAL, 1)] != \
        [EMPIRICAL.reference(*c) for c in cases]


def test_hidden_zero_one_cases_hold_zero_scores_and_the_extremes():
    cases = hidden(ZERO_ONE)
    values = [ZERO_ONE.reference(*c) for c in cases]
    assert 0.0 in values and 1.0 in values
    assert sum(np.any(f == 0) for _, f in cases) >= 2
    # on a case with zero scores, "< 0" and "<= 0" differ: the edge case is really tested
    assert any(np.mean(y * f < 0) != v for (y, f), v in zip(cases, values, strict=True))


def test_hidden_structural_cases_include_no_penalty_and_a_range_of_alphas():
    alphas = [c[-1] for c in hidden(STRUCTURAL)]
    assert 0.0 in alphas and max(alphas) > 1 and 0 < min(a for a in alphas if a > 0) < 0.1


def test_hidden_gaussian_cases_include_the_true_model():
    cases = hidden(GAUSSIAN)
    assert any(GAUSSIAN.reference(*c) == pytest.approx(c[4] ** 2) for c in cases)
    assert len({len(c[0]) for c in cases}) >= 3


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_a_right_answer_passes_whatever_seed_the_grader_draws(exercise_id):
    def learner(*args):
        return RIGHT[exercise_id][0](*args)

    for seed in range(1, 30):
        result = evaluate(EXERCISES[exercise_id], learner, seed=seed)
        assert result.passed, (seed, result.message)
