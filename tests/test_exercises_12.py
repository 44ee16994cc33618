"""Chapter 12's exercises beyond the generic checks of test_exercises.py.

The references agree with independent computations (lossbook.optim.diagnose on real runs,
scikit-learn's StandardScaler, f1_score and precision_recall_curve); the hidden cases reach
the edges each exercise is about (every verdict, ties at the threshold, zero division, ties
between thresholds); other correct forms pass; and wrong answers that no misconception
detector names still get a useful failure.
"""


import numpy as np
import pytest
from exercise_cases import all_cases, solution_functions
from sklearn.metrics import f1_score, precision_recall_curve
from sklearn.preprocessing import StandardScaler

from lossbook.exercises import EXERCISES, evaluate
from lossbook.exercises._core import PROPERTY_CREDIT
from lossbook.exercises.catalog_12 import CONSTANT_COLUMNS, VERDICTS, _rules
from lossbook.optim import SGD, Adam, diagnose, minimize, problems

DIAGNOSE = EXERCISES["12.diagnose_run"]
STANDARDIZE = EXERCISES["12.standardize"]
F1 = EXERCISES["12.f1_at_threshold"]
BEST = EXERCISES["12.best_threshold"]


def learner(fn):
    def function(*args):  # a learner's function, not lossbook's
        return fn(*args)

    return function


@pytest.mark.parametrize("exercise", [DIAGNOSE, STANDARDIZE, F1, BEST], ids=lambda e: e.id)
@pytest.mark.parametrize("seed", [0, 1, 2, 12345])
def test_the_solutions_notebook_passes_on_the_graders_other_seeds(exercise, seed):
    function = solution_functions("12_troubleshooting.ipynb")[exercise.name]
    result = evaluate(exercise, learner(function), seed=seed)
    assert result.passed and result.score == 1.0, result.message


# ------------------------------------------------------------------------- diagnose_run
def _history_runs():
    """Real runs of minimize, each with diagnose's own verdict."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    y = X @ np.array([1.5, -2.0]) + 0.7 + 0.5 * rng.normal(size=120)
    problem = problems.least_squares(X, y)
    L = problem.lipschitz
    runs = [minimize(problem, problem.x0, SGD(lr=lr * (1 / L)), steps=steps)
            for lr, steps in [(2.2, 60), (1.0, 60), (1e-5, 200), (1e-3, 100), (0.3, 5),
                              (0.1, 40), (2.05, 30)]]
    quad = problems.quadratic(condition_number=30.0)
    runs += [minimize(quad, quad.x0, SGD(lr=lr, momentum=m), steps=80)
             for lr, m in [(0.01, 0.0), (0.05, 0.9), (0.3, 0.0)]]
    logistic = problems.logistic_regression(*_blobs())
    runs += [minimize(logistic, logistic.x0, Adam(lr=lr), steps=150) for lr in (0.01, 0.5)]
    return runs


def _blobs():
    from lossbook import datasets

    return datasets.blobs(100, separation=2.0, seed=3)


def test_diagnose_run_reference_is_diagnose_on_real_runs_when_the_zigzag_rule_is_silent():
    runs = _history_runs()
    compared = set()
    for history in runs:
        verdict = diagnose(history)
        got = VERDICTS[DIAGNOSE.reference(history.loss, history.grad_norm)]
        if "zig-zag" in verdict.explanation:  # needs the parameters, which the exercise lacks
            assert got in ("plateau", "decreasing", "oscillating")
            continue
        assert got == verdict.verdict, (history.method, verdict)
        compared.add(got)
    assert {"diverging", "converged", "plateau", "decreasing"} <= compared


def test_diagnose_run_statement_rules_equal_the_reference_everywhere():
    for losses, grads in all_cases(DIAGNOSE, range(40)):
        assert _rules(losses, grads) == DIAGNOSE.reference(losses, grads)


def test_diagnose_run_hidden_cases_reach_every_verdict_and_varied_lengths():
    verdicts, lengths = set(), set()
    for seed in range(3):
        for losses, grads in DIAGNOSE.hidden_cases(np.random.default_rng(seed)):
            verdicts.add(DIAGNOSE.reference(losses, grads))
            lengths.add(len(losses))
    assert verdicts == set(range(len(VERDICTS)))
    assert min(lengths) < 4 and max(lengths) > 40


def test_diagnose_run_boundaries_are_those_of_the_statement():
    # exactly half of the window's steps up, ending above the start: not diverging (u > 0.5)
    half_up = np.array([1.0, 0.5, 0.4, 0.3, 0.2, 1.1, 1.5, 1.3, 1.8, 1.7])
    window = half_up[-max(3, half_up.size // 2):]
    assert np.mean(np.diff(window) > 0) == 0.5 and half_up[-1] > half_up[0]
    assert window[-1] > window[0]
    assert VERDICTS[DIAGNOSE.reference(half_up, np.ones(10))] == "oscillating"
    # exactly 40% up with no net decrease: oscillating (u >= 0.4)
    forty = np.array([5.0, 4.0, 3.0, 2.0, 2.1, 2.0, 2.0, 2.2, 2.1, 2.3, 2.2, 2.1])
    window = forty[-max(3, forty.size // 2):]
    assert np.mean(np.diff(window) > 0) == 0.4
    assert VERDICTS[DIAGNOSE.reference(forty, np.ones(12))] == "oscillating"


def test_diagnose_run_returning_the_verdict_name_gets_a_useful_failure():
    def by_name(losses, grads):
        return VERDICTS[_rules(losses, grads)]

    result = evaluate(DIAGNOSE, learner(by_name))
    assert not result and "expected 5" in result.message and "'decreasing'" in result.message


def test_diagnose_run_an_absolute_window_size_fails():
    def fixed_window(losses, grads):
        loss = np.asarray(losses, dtype=float)
        if loss.size < 4:
            return 0
        if not np.all(np.isfinite(loss)):
            return 1
        return _rules(loss[-10:] if loss.size > 10 else loss, grads)

    assert not evaluate(DIAGNOSE, learner(fixed_window))


# --------------------------------------------------------------------------- standardize
def _sklearn_standardize(X_train, X_test):
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)


def test_standardize_reference_matches_scikit_learn_standard_scaler():
    for X_train, X_test in all_cases(STANDARDIZE) + [CONSTANT_COLUMNS]:
        got, want = STANDARDIZE.reference(X_train, X_test), _sklearn_standardize(X_train,
                                                                                 X_test)
        for g, w in zip(got, want, strict=True):
            assert np.allclose(g, w, rtol=1e-12, atol=1e-12)


def test_standardize_scaler_passes_and_the_constant_column_rounding_is_real():
    assert evaluate(STANDARDIZE, learner(_sklearn_standardize)).passed
    column = CONSTANT_COLUMNS[0][:, 1]
    assert np.ptp(column) == 0 and column.std() != 0  # rounding: 0.1 is not a float


def test_standardize_testing_std_for_zero_gets_half_credit_and_the_range_hint():
    def std_is_zero(X_train, X_test):
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        std = np.where(std == 0, 1.0, std)
        return (X_train - mean) / std, (X_test - mean) / std

    result = evaluate(STANDARDIZE, learner(std_is_zero))
    assert not result and "np.ptp" in result.message and result.score == PROPERTY_CREDIT


def test_standardize_hidden_cases_have_no_constant_column_and_varied_shapes():
    shapes, spread = set(), 1.0
    for X_train, X_test in all_cases(STANDARDIZE):
        assert np.all(np.ptp(X_train, axis=0) > 0)
        assert X_train.shape[1] == X_test.shape[1]
        shapes.add((X_train.shape[0] < 5, X_test.shape[0] == 1, X_train.shape[1] == 1))
        scales = X_train.std(axis=0)
        spread = max(spread, scales.max() / scales.min())
    assert len(shapes) >= 4 and spread > 1e3  # features in very different units


# ----------------------------------------------------------------------- f1_at_threshold
def test_f1_reference_matches_scikit_learn_with_zero_division_0():
    for y, p, t in all_cases(F1):
        want = f1_score(y, (p >= t).astype(int), labels=[0, 1], zero_division=0)
        assert F1.reference(y, p, t) == pytest.approx(want, rel=1e-12, abs=0)


def test_f1_hidden_cases_hold_ties_and_zero_division():
    ties = empty = high = 0
    for y, p, t in all_cases(F1):
        ties += bool(np.any(p == t))
        predicted = p >= t
        empty += not np.any(predicted) and not np.any(y == 1)
        high += not np.any(predicted)
    assert ties >= 10 and empty >= 5 and high >= 10


def test_f1_the_precision_recall_form_with_its_own_zero_handling_passes():
    def from_precision_and_recall(y, p, t):
        predicted, positive = p >= t, y == 1
        tp = np.sum(predicted & positive)
        if tp == 0:
            return 0.0
        precision, recall = tp / predicted.sum(), tp / positive.sum()
        return 2 * precision * recall / (precision + recall)

    assert evaluate(F1, learner(from_precision_and_recall)).passed


def test_f1_a_nan_for_zero_division_gets_a_useful_failure():
    def nan_when_empty(y, p, t):
        predicted, positive = p >= t, y == 1
        tp = np.sum(predicted & positive)
        with np.errstate(invalid="ignore", divide="ignore"):
            precision, recall = tp / predicted.sum(), tp / positive.sum()
            return 2 * precision * recall / (precision + recall)

    result = evaluate(F1, learner(nan_when_empty))
    assert not result and "nan" in result.message and "expected 0" in result.message


# ------------------------------------------------------------------------ best_threshold
def _best_by_brute_force(y, p):
    candidates = np.unique(p)
    scores = [f1_score(y, (p >= t).astype(int), labels=[0, 1], zero_division=0)
              for t in candidates]
    best = max(scores)
    return float(min(t for t, s in zip(candidates, scores, strict=True)
                     if np.isclose(s, best, rtol=1e-12, atol=0)))


def test_best_threshold_reference_matches_a_brute_force_over_scikit_learn():
    for y, p in all_cases(BEST):
        assert BEST.reference(y, p) == _best_by_brute_force(y, p)


def test_best_threshold_matches_the_chapters_precision_recall_curve_when_unique():
    # precision_recall_curve drops thresholds above the last positive; with at least one
    # positive its argmax of F1 over increasing thresholds is the same smallest best one
    for y, p in all_cases(BEST):
        if not np.any(y == 1):
            continue
        precision, recall, thresholds = precision_recall_curve(y, p)
        f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1],
                                                           1e-300)
        best = f1.max()
        assert BEST.reference(y, p) == pytest.approx(
            thresholds[np.flatnonzero(np.isclose(f1, best, rtol=1e-12, atol=0))[0]])


def test_best_threshold_hidden_cases_hold_ties_between_thresholds_and_edge_labels():
    tied = all_negative = single = 0
    for y, p in all_cases(BEST):
        scores = [F1.reference(y, p, t) for t in np.unique(p)]
        tied += scores.count(max(scores)) > 1
        all_negative += not np.any(y == 1)
        single += len(y) == 1
    assert tied >= 10 and all_negative >= 5 and single >= 5


def test_best_threshold_a_scikit_learn_loop_passes():
    def sklearn_loop(y, p):
        candidates = np.unique(p)
        scores = [f1_score(y, (p >= t).astype(int), labels=[0, 1], zero_division=0)
                  for t in candidates]
        return float(candidates[int(np.argmax(scores))])

    assert evaluate(BEST, learner(sklearn_loop)).passed


def test_best_threshold_a_threshold_between_samples_gets_a_useful_failure():
    def midpoints(y, p):  # a common variant: thresholds halfway between sorted scores
        values = np.unique(p)
        candidates = (values[:-1] + values[1:]) / 2 if values.size > 1 else values
        scores = [F1.reference(y, p, t) for t in candidates]
        return float(candidates[int(np.argmax(scores))])

    result = evaluate(BEST, learner(midpoints))
    assert not result and result.message.startswith("for the inputs")
