"""Chapter 02's exercises beyond the generic checks of test_exercises.py.

The references agree with independent computations (scipy, mpmath at 50 digits, central
differences, torch autograd); the hidden cases are varied and reach the edge cases each
exercise is about (ties, margins of exactly 1, gamma = 0); other correct forms pass; and
wrong answers that no misconception detector names still get a useful failure.
"""


import mpmath
import numpy as np
import pytest
from exercise_cases import all_cases, solution_functions
from scipy.special import expit, log_expit, logsumexp

from lossbook.exercises import EXERCISES, evaluate

NEW = ("02.cross_entropy", "02.hinge_grad", "02.focal")
SEEDS = range(12)


# ------------------------------------------------------------------ references, independently
def test_cross_entropy_reference_matches_scipy_logsumexp():
    for y, f in all_cases("02.cross_entropy"):
        want = np.mean(logsumexp(f, axis=1) - f[np.arange(len(y)), y])
        assert EXERCISES["02.cross_entropy"].reference(y, f) == pytest.approx(want, rel=1e-12)


def test_cross_entropy_property_case_is_exact_to_50_digits():
    from lossbook.exercises.catalog_02 import EXTREME_CLASS_LOGITS

    y, f = EXTREME_CLASS_LOGITS
    mpmath.mp.dps = 50
    rows = [mpmath.log(sum(mpmath.exp(mpmath.mpf(v)) for v in row)) - mpmath.mpf(row[c])
            for row, c in zip(f.tolist(), y.tolist(), strict=True)]
    exact = float(sum(rows) / len(rows))
    assert EXERCISES["02.cross_entropy"].reference(y, f) == pytest.approx(exact, rel=1e-15)


def mean_hinge(y, f):
    return np.mean(np.maximum(0, 1 - y * f))


def test_hinge_grad_reference_matches_central_differences_away_from_the_kink():
    h = 1e-6
    for y, f in all_cases("02.hinge_grad"):
        grad = EXERCISES["02.hinge_grad"].reference(y, f)
        smooth = np.abs(y * f - 1) > 10 * h  # central differences straddle the kink otherwise
        numeric = np.array([(mean_hinge(y, f + h * e) - mean_hinge(y, f - h * e)) / (2 * h)
                            for e in np.eye(len(f))])
        np.testing.assert_allclose(grad[smooth], numeric[smooth], atol=1e-8)


def test_hinge_grad_reference_takes_minus_y_over_n_at_the_kink():
    # the statement's convention; torch's autograd agrees (test below)
    y = np.array([1.0, -1.0, 1.0])
    f = y.copy()  # margins exactly 1
    np.testing.assert_array_equal(EXERCISES["02.hinge_grad"].reference(y, f), -y / 3)


@pytest.mark.frameworks
def test_hinge_grad_reference_matches_torch_autograd_at_every_case():
    torch = pytest.importorskip("torch")
    for y, f in all_cases("02.hinge_grad"):
        scores = torch.tensor(f, requires_grad=True)
        torch.clamp(1 - torch.from_numpy(y) * scores, min=0).mean().backward()
        np.testing.assert_allclose(EXERCISES["02.hinge_grad"].reference(y, f),
                                   scores.grad.numpy(), rtol=1e-15, atol=0)


@pytest.mark.frameworks
def test_cross_entropy_reference_matches_torch():
    torch = pytest.importorskip("torch")
    for y, f in all_cases("02.cross_entropy"):
        want = torch.nn.functional.cross_entropy(torch.from_numpy(f),
                                                 torch.from_numpy(y.astype(np.int64)))
        assert EXERCISES["02.cross_entropy"].reference(y, f) == pytest.approx(want.item(),
                                                                              rel=1e-12)


def focal_mpmath(y, x, gamma, alpha):
    mpmath.mp.dps = 50
    total = mpmath.mpf(0)
    for label, logit in zip(y.tolist(), x.tolist(), strict=True):
        s = mpmath.mpf(logit) if label == 1 else -mpmath.mpf(logit)
        p_t, miss = 1 / (1 + mpmath.exp(-s)), 1 / (1 + mpmath.exp(s))  # no 1 - p rounding
        a_t = alpha if label == 1 else 1 - alpha
        total += -a_t * miss**gamma * mpmath.log(p_t)
    return float(total / len(y))


def test_focal_reference_matches_the_formula_at_50_digits():
    from lossbook.exercises.catalog_02 import EXTREME_FOCAL

    exercise = EXERCISES["02.focal"]
    cases = all_cases("02.focal", seeds=range(4)) + [EXTREME_FOCAL]
    for case in cases:
        y, x, *params = case
        gamma, alpha = (params + [2.0, 0.25][len(params):])
        assert exercise.reference(*case) == pytest.approx(
            focal_mpmath(y, x, gamma, alpha), rel=1e-12, abs=1e-300)


# ------------------------------------------------------------------ hidden cases are varied
def test_cross_entropy_hidden_cases_vary_in_size_classes_scale_and_ties():
    cases = all_cases("02.cross_entropy")[1:]
    assert len({f.shape[0] for _, f in cases}) > 8
    assert len({f.shape[1] for _, f in cases}) >= 5
    assert any(np.any(f[:, 0] == f[:, -1]) for _, f in cases)  # tied logits
    assert max(np.abs(f).max() for _, f in cases) > 20
    for y, f in cases:
        assert y.dtype.kind == "i" and 0 <= y.min() and y.max() < f.shape[1]


def test_hinge_grad_hidden_cases_reach_the_kink_and_both_sides():
    cases = all_cases("02.hinge_grad")[1:]
    margins = np.concatenate([y * f for y, f in cases])
    assert np.sum(margins == 1.0) > 10
    assert np.sum(margins < 0) > 10 and np.sum((margins > 0) & (margins < 1)) > 10
    assert np.sum(margins > 1) > 10
    assert len({len(y) for y, _ in cases}) > 8
    for seed in SEEDS:  # every draw the grader may use tests the kink
        cases = EXERCISES["02.hinge_grad"].hidden_cases(np.random.default_rng(seed))
        assert any(np.any(y * f == 1.0) for y, f in cases)


def test_focal_hidden_cases_vary_gamma_and_alpha():
    cases = all_cases("02.focal")[2:]
    gammas = {c[2] for c in cases}
    assert 0.0 in gammas and 2.0 in gammas and any(g % 1 for g in gammas)
    assert len({round(c[3], 6) for c in cases}) == len(cases)
    assert all({0.0, 1.0} >= set(np.unique(c[0])) for c in cases)


# ------------------------------------------------------------------ other correct forms pass
def test_the_solution_notebook_functions_pass_for_every_seed():
    functions = solution_functions("02_loss_catalog.ipynb")
    for exercise_id in NEW:
        exercise = EXERCISES[exercise_id]
        for seed in SEEDS:
            result = evaluate(exercise, functions[exercise.name], seed=seed)
            assert result.passed, (exercise_id, seed, result.message)


def test_other_correct_forms_pass():
    def cross_entropy(y, f):
        return float(np.mean(logsumexp(f, axis=1) - np.take_along_axis(
            f, y[:, None], axis=1)[:, 0]))

    def hinge_grad(y, f):
        out = np.zeros_like(f)
        for i, (label, score) in enumerate(zip(y, f, strict=True)):
            if label * score <= 1:
                out[i] = -label / len(f)
        return list(out)  # a list is accepted as well as an array

    def focal(y, x, gamma=2.0, alpha=0.25):
        # p_t and 1 - p_t through expit; 1 - p_t is computed as 1 - expit(...), which loses
        # relative precision only where the term is negligible: still within tolerance
        s = np.where(y == 1, x, -x)
        weight = np.where(y == 1, alpha, 1 - alpha)
        return float(np.mean(-weight * (1 - expit(s)) ** gamma * log_expit(s)))

    for exercise_id, fn in zip(NEW, (cross_entropy, hinge_grad, focal), strict=True):
        result = evaluate(EXERCISES[exercise_id], fn)
        assert result.passed and result.score == 1.0, (exercise_id, result.message)


# ------------------------------------------------------------------ other wrong answers
def test_a_naive_softmax_gets_the_log_sum_exp_hint_and_half_the_points():
    def naive(y, f):
        p = np.exp(f) / np.exp(f).sum(axis=1, keepdims=True)
        return float(np.mean(-np.log(p[np.arange(len(y)), y])))

    result = evaluate(EXERCISES["02.cross_entropy"], naive)
    assert result.status == "failed" and result.score == 0.5
    assert "m + log(sum(exp(f - m)))" in result.message


def test_an_epsilon_inside_the_log_fails():
    # log(p + 1e-15) is off by up to 1e-15 / p: beyond the tolerance for small p, which the
    # hidden cases reach (logits up to 10 standard deviations); the extreme logits catch the
    # rest
    def patched(y, f):
        shifted = f - f.max(axis=1, keepdims=True)
        p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        return float(np.mean(-np.log(p[np.arange(len(y)), y] + 1e-15)))

    result = evaluate(EXERCISES["02.cross_entropy"], patched)
    assert not result and result.score == 0


def test_per_row_losses_instead_of_their_mean_get_a_shape_hint():
    def per_row(y, f):
        return logsumexp(f, axis=1) - f[np.arange(len(y)), y]

    result = evaluate(EXERCISES["02.cross_entropy"], per_row)
    assert not result and "shape (3,)" in result.message and "expected ()" in result.message


def test_indexing_the_wrong_axis_fails_on_the_public_case_and_shows_it():
    def columns(y, f):
        return float(np.mean(logsumexp(f, axis=1) - f[:, y]))  # an (n, n) matrix, averaged

    result = evaluate(EXERCISES["02.cross_entropy"], columns)
    assert not result and "for the inputs" in result.message and "expected" in result.message


def test_a_half_way_sub_gradient_at_the_kink_fails_with_the_public_case():
    def half(y, f):
        z = y * f
        return np.where(z < 1, -y, np.where(z == 1, -y / 2, 0.0)) / len(y)

    result = evaluate(EXERCISES["02.hinge_grad"], half)
    assert not result and "for the inputs" in result.message


def test_returning_the_loss_instead_of_the_gradient_fails():
    result = evaluate(EXERCISES["02.hinge_grad"], lambda y, f: np.maximum(0, 1 - y * f))
    assert not result and result.score == 0


def test_a_naive_focal_loss_gets_the_stability_hint_and_half_the_points():
    def naive(y, x, gamma=2.0, alpha=0.25):
        p = 1 / (1 + np.exp(-x))
        p_t = np.where(y == 1, p, 1 - p)
        alpha_t = np.where(y == 1, alpha, 1 - alpha)
        return float(np.mean(-alpha_t * (1 - p_t) ** gamma * np.log(p_t)))

    result = evaluate(EXERCISES["02.focal"], naive)
    assert result.status == "failed" and result.score == 0.5
    assert "logaddexp" in result.message


def test_focal_with_gamma_ignored_fails_on_a_public_case():
    def no_modulator(y, x, gamma=2.0, alpha=0.25):
        alpha_t = np.where(y == 1, alpha, 1 - alpha)
        return float(np.mean(alpha_t * np.where(y == 1, np.logaddexp(0, -x),
                                                np.logaddexp(0, x))))

    result = evaluate(EXERCISES["02.focal"], no_modulator)
    assert not result and "for the inputs" in result.message


def test_misconception_hints_differ_and_name_a_fix():
    for exercise_id in NEW:
        hints = [m.hint for m in EXERCISES[exercise_id].misconceptions]
        assert len(set(hints)) == len(hints)
        assert all(len(h) > 40 for h in hints)
