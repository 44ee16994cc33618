"""Exercises of chapter 06: the references agree with independent computations (mpmath,
scikit-learn, scipy, brute force), other wrong answers than the known misconceptions get
useful feedback, and the hidden cases cover the edge cases they are meant to."""

import numpy as np
import pytest

from lossbook import penalties
from lossbook.exercises import EXERCISES, evaluate
from lossbook.exercises._core import PROPERTY_CREDIT
from lossbook.exercises.catalog_06 import ILL_CONDITIONED, _cd_sweep
from lossbook.models import Lasso

SEEDS = [0, 1, 2, 3, 20261121]


def cases(exercise_id, seed):
    return EXERCISES[exercise_id].hidden_cases(np.random.default_rng(seed))


def all_cases(exercise_id, seeds=SEEDS):
    exercise = EXERCISES[exercise_id]
    return [tuple(c) for c in exercise.public_cases] + [
        c for seed in seeds for c in cases(exercise_id, seed)]


# ----------------------------------------------------------------------------------------------
# 06.least_squares_qr


def mpmath_least_squares(X, y, digits=60):
    mp = pytest.importorskip("mpmath")
    with mp.workdps(digits):
        A = mp.matrix(X.tolist())
        b = mp.matrix(y.tolist())
        w = mp.lu_solve(A.T * A, A.T * b)  # exact enough at 60 digits despite cond^2 = 1e13
        return np.array([float(v) for v in w])


def test_least_squares_reference_matches_mpmath_on_the_ill_conditioned_design():
    X, y = ILL_CONDITIONED
    assert 1e6 < np.linalg.cond(X) < 1e7  # the property's description says "about 4e6"
    exact = mpmath_least_squares(X, y)
    reference = EXERCISES["06.least_squares_qr"].reference(X, y)
    assert np.linalg.norm(reference - exact) <= 1e-9 * np.linalg.norm(exact)


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_least_squares_reference_matches_mpmath_on_hidden_cases(seed):
    for X, y in cases("06.least_squares_qr", seed):
        np.testing.assert_allclose(EXERCISES["06.least_squares_qr"].reference(X, y),
                                   mpmath_least_squares(X, y), rtol=1e-10, atol=1e-12)


def normal_equations(X, y):
    return np.linalg.inv(X.T @ X) @ X.T @ y


def classical_gram_schmidt(X, y):
    # orthogonalizes each column against the original columns: loses orthogonality
    # like cond(X)^2, so it is as inaccurate as the normal equations
    n, d = X.shape
    Q, R = np.zeros((n, d)), np.zeros((d, d))
    for j in range(d):
        R[:j, j] = Q[:, :j].T @ X[:, j]
        v = X[:, j] - Q[:, :j] @ R[:j, j]
        R[j, j] = np.linalg.norm(v)
        Q[:, j] = v / R[j, j]
    return np.linalg.solve(R, Q.T @ y)


@pytest.mark.parametrize("learner", [normal_equations, classical_gram_schmidt])
def test_unstable_methods_are_right_on_ordinary_cases_but_fail_the_conditioning_property(
        learner):
    result = evaluate(EXERCISES["06.least_squares_qr"], learner)
    assert result.status == "failed" and result.score == PROPERTY_CREDIT
    assert "ill-conditioned" in result.message and "np.linalg.qr" in result.message


def test_stable_alternatives_to_qr_pass():
    def by_svd(X, y):
        U, s, Vt = np.linalg.svd(X, full_matrices=False)
        return Vt.T @ ((U.T @ y) / s)

    def by_householder_qr_of_the_augmented_matrix(X, y):
        R = np.linalg.qr(np.column_stack([X, y]), mode="r")
        d = X.shape[1]
        return np.linalg.solve(R[:d, :d], R[:d, d])

    for learner in (by_svd, by_householder_qr_of_the_augmented_matrix):
        assert evaluate(EXERCISES["06.least_squares_qr"], learner).passed


def test_least_squares_with_an_extra_intercept_is_caught_on_the_public_case():
    def with_intercept(X, y):  # fits its own intercept and drops it: a different model
        Xc = X - X.mean(axis=0)
        return np.linalg.lstsq(Xc, y - y.mean(), rcond=None)[0]

    result = evaluate(EXERCISES["06.least_squares_qr"], with_intercept)
    assert result.status == "failed" and "for the inputs" in result.message


def test_least_squares_hidden_cases_include_square_single_column_and_polynomial_designs():
    shapes = {X.shape for seed in SEEDS for X, _ in cases("06.least_squares_qr", seed)}
    assert (5, 5) in shapes and (7, 1) in shapes and (15, 4) in shapes
    assert len({s for s in shapes if s not in {(5, 5), (7, 1), (15, 4)}}) >= 5


# ----------------------------------------------------------------------------------------------
# 06.ridge_fit


@pytest.mark.parametrize("seed", SEEDS)
def test_ridge_reference_matches_sklearn(seed):
    sk = pytest.importorskip("sklearn.linear_model")
    for X, y, alpha in cases("06.ridge_fit", seed):
        w, b = EXERCISES["06.ridge_fit"].reference(X, y, alpha)
        theirs = sk.Ridge(alpha=alpha, solver="svd").fit(X, y) if alpha > 0 else \
            sk.LinearRegression().fit(X, y)
        np.testing.assert_allclose(w, theirs.coef_, rtol=1e-8, atol=1e-10)
        assert b == pytest.approx(theirs.intercept_, rel=1e-8, abs=1e-10)


def test_ridge_reference_solves_the_augmented_system_with_an_unpenalized_intercept():
    # an independent route: no centring, the intercept's diagonal entry of the penalty is 0
    for X, y, alpha in all_cases("06.ridge_fit"):
        A = np.column_stack([np.ones(len(y)), X])
        penalty = alpha * np.eye(A.shape[1])
        penalty[0, 0] = 0.0
        theta = np.linalg.lstsq(A.T @ A + penalty, A.T @ y, rcond=None)[0]
        w, b = EXERCISES["06.ridge_fit"].reference(X, y, alpha)
        if alpha > 0:  # unique solution
            np.testing.assert_allclose(np.r_[b, w], theta, rtol=1e-7, atol=1e-8)


def test_ridge_hidden_cases_cover_the_edge_cases():
    hidden = [c for seed in SEEDS for c in cases("06.ridge_fit", seed)]
    assert any(alpha == 0 for _, _, alpha in hidden)
    assert any(X.shape[1] > X.shape[0] for X, _, _ in hidden)  # more features than samples
    assert any(alpha > 100 for _, _, alpha in hidden)
    assert any(np.ptp(X, axis=0).min() == 0 for X, _, _ in hidden)  # a constant column
    assert any(X.shape[1] == 1 for X, _, _ in hidden)
    # and the columns are not centred, so a forgotten centring shows
    assert all(np.abs(X.mean(axis=0)).max() > 0.5 for X, _, _ in hidden)


def test_ridge_centred_on_the_wrong_axis_fails_with_the_public_case_shown():
    def wrong_axis(X, y, alpha):
        Xc = X - X.mean(axis=1, keepdims=True)
        w = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ (y - y.mean()))
        return w, y.mean() - X.mean(axis=0) @ w

    result = evaluate(EXERCISES["06.ridge_fit"], wrong_axis)
    assert result.status == "failed" and "for the inputs" in result.message


def test_ridge_by_unconverged_gradient_descent_fails():
    def few_steps(X, y, alpha):
        w, b = np.zeros(X.shape[1]), 0.0
        step = 0.5 / (np.linalg.norm(np.column_stack([X, np.ones(len(y))]), 2) ** 2 + alpha)
        for _ in range(50):
            r = y - X @ w - b
            w, b = w + step * 2 * (X.T @ r - alpha * w), b + step * 2 * r.sum()
        return w, b

    assert evaluate(EXERCISES["06.ridge_fit"], few_steps).status == "failed"


def test_ridge_returning_a_dict_gets_feedback_not_a_crash():
    result = evaluate(EXERCISES["06.ridge_fit"],
                      lambda X, y, a: {"w": np.zeros(X.shape[1]), "b": 0.0})
    assert result.status == "failed" and result.score == 0


# ----------------------------------------------------------------------------------------------
# 06.soft_threshold


def test_soft_threshold_reference_is_the_minimizer_found_by_grid_search():
    grid = np.linspace(-12, 12, 240001)  # step 1e-4
    for z, t in all_cases("06.soft_threshold", seeds=[0]):
        z = z[np.abs(z) < 10]
        objective = 0.5 * (grid[:, None] - z) ** 2 + t * np.abs(grid[:, None])
        brute = grid[np.argmin(objective, axis=0)]
        np.testing.assert_allclose(EXERCISES["06.soft_threshold"].reference(z, t), brute,
                                   atol=1e-4)


@pytest.mark.frameworks
def test_soft_threshold_reference_matches_torch_softshrink():
    torch = pytest.importorskip("torch")
    for z, t in all_cases("06.soft_threshold"):
        theirs = torch.nn.functional.softshrink(torch.from_numpy(z), t).numpy()
        np.testing.assert_allclose(EXERCISES["06.soft_threshold"].reference(z, t), theirs,
                                   rtol=1e-15, atol=0)


def test_soft_threshold_hidden_cases_hit_the_threshold_exactly_and_include_t_zero():
    hidden = cases("06.soft_threshold", 0)
    assert any(t == 0 for _, t in hidden)
    assert sum(bool(np.any(np.abs(z) == t)) for z, t in hidden if t > 0) >= 4
    assert len({len(z) for z, _ in hidden}) >= 3


def test_soft_threshold_with_strict_and_non_strict_inequalities_both_pass():
    def strict(z, t):
        return np.where(z > t, z - t, np.where(z < -t, z + t, 0.0))

    def clip_form(z, t):
        return z - np.clip(z, -t, t)

    for learner in (strict, clip_form):
        assert evaluate(EXERCISES["06.soft_threshold"], learner).passed


def test_handing_in_lossbooks_soft_threshold_does_not_count():
    result = evaluate(EXERCISES["06.soft_threshold"], penalties.soft_threshold)
    assert result.status == "failed" and "lossbook's own function" in result.message


def test_soft_threshold_that_forgets_to_return_gets_a_shape_hint():
    def forgot_return(z, t):
        np.sign(z) * np.maximum(np.abs(z) - t, 0.0)

    result = evaluate(EXERCISES["06.soft_threshold"], forgot_return)
    assert result.status == "failed" and "shape" in result.message


# ----------------------------------------------------------------------------------------------
# 06.coordinate_descent_sweep


def lasso_objective(w, X, y, alpha):
    r = y - X @ w
    return r @ r / (2 * len(y)) + alpha * np.abs(w).sum()


def sweep_by_scipy(w0, X, y, alpha):
    """One sweep in which scipy's scalar minimizer sets each coordinate in turn."""
    scipy_optimize = pytest.importorskip("scipy.optimize")
    w = np.array(w0, dtype=float)

    def along(v, j):
        trial = w.copy()
        trial[j] = v
        return lasso_objective(trial, X, y, alpha)

    for j in range(X.shape[1]):
        w[j] = scipy_optimize.minimize_scalar(along, args=(j,), bracket=(-50, 50),
                                              options={"xtol": 1e-12}).x
    return w


def test_each_coordinate_update_is_the_exact_one_dimensional_minimizer():
    for w0, X, y, alpha in all_cases("06.coordinate_descent_sweep", seeds=[0, 1]):
        np.testing.assert_allclose(_cd_sweep(w0, X, y, alpha), sweep_by_scipy(w0, X, y, alpha),
                                   atol=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_sweeps_never_increase_the_objective(seed):
    for w0, X, y, alpha in cases("06.coordinate_descent_sweep", seed):
        before = lasso_objective(w0, X, y, alpha)
        after = lasso_objective(_cd_sweep(w0, X, y, alpha), X, y, alpha)
        assert after <= before + 1e-12 * max(1.0, before)


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_repeated_sweeps_converge_to_lossbooks_and_sklearns_lasso(seed):
    sk = pytest.importorskip("sklearn.linear_model")
    for w0, X, y, alpha in cases("06.coordinate_descent_sweep", seed):
        if alpha == 0 or np.linalg.matrix_rank(X) < X.shape[1]:
            continue  # least squares without a unique solution, or slow CD: not the point
        w = w0
        for _ in range(20000):
            new = _cd_sweep(w, X, y, alpha)
            if np.abs(new - w).max() <= 1e-14 * max(1.0, np.abs(new).max()):
                break
            w = new
        ours = Lasso(alpha=alpha, fit_intercept=False).fit(X, y).coef_
        theirs = sk.Lasso(alpha=alpha, fit_intercept=False, tol=1e-14,
                          max_iter=200_000).fit(X, y).coef_
        np.testing.assert_allclose(new, ours, atol=1e-7)
        np.testing.assert_allclose(new, theirs, atol=1e-7)


def test_a_proximal_gradient_step_instead_of_exact_coordinate_minimization_fails():
    def ista_step(w, X, y, alpha):
        n = len(y)
        step = n / np.linalg.norm(X, 2) ** 2
        grad = -X.T @ (y - X @ w) / n
        return penalties.l1.prox(w - step * grad, step, alpha=alpha)

    result = evaluate(EXERCISES["06.coordinate_descent_sweep"],
                      lambda w, X, y, a: ista_step(w, X, y, a))
    assert result.status == "failed" and result.score == 0


def test_a_sweep_that_updates_w_in_place_and_returns_nothing_gets_a_shape_hint():
    def in_place(w, X, y, alpha):
        w[:] = _cd_sweep(w, X, y, alpha)

    result = evaluate(EXERCISES["06.coordinate_descent_sweep"], in_place)
    assert result.status == "failed" and "shape" in result.message


def test_a_sweep_that_skips_zero_columns_without_zeroing_them_fails_the_property():
    def keeps_zero_column(w, X, y, alpha):
        w = np.array(w, dtype=float)
        n, r = len(y), y - X @ w
        for j in range(X.shape[1]):
            norm_sq = X[:, j] @ X[:, j]
            if norm_sq == 0:
                continue  # leaves w_j where it was: not the minimizer
            new = penalties.soft_threshold(X[:, j] @ r + norm_sq * w[j], n * alpha) / norm_sq
            r -= (new - w[j]) * X[:, j]
            w[j] = new
        return w

    result = evaluate(EXERCISES["06.coordinate_descent_sweep"], keeps_zero_column)
    assert result.status == "failed" and result.score == PROPERTY_CREDIT
    assert "column of zeros" in result.message


def test_sweep_hidden_cases_cover_alpha_zero_large_alpha_one_column_and_a_zero_start():
    hidden = [c for seed in SEEDS for c in cases("06.coordinate_descent_sweep", seed)]
    alpha_max = [np.abs(X.T @ y).max() / len(y) for _, X, y, _ in hidden]
    assert any(alpha == 0 for *_, alpha in hidden)
    assert any(alpha > a_max for (*_, alpha), a_max in zip(hidden, alpha_max, strict=True))
    assert any(X.shape[1] == 1 for _, X, _, _ in hidden)
    assert any(not np.any(w0) for w0, *_ in hidden)
    # columns of unequal norms, so dividing by n instead of |x_j|^2 shows
    assert all(np.ptp(np.einsum("ij,ij->j", X, X)) > 0 for _, X, _, _ in hidden
               if X.shape[1] > 1)
    # and some coordinates end exactly at zero, others not
    outputs = [_cd_sweep(*c) for c in hidden]
    assert any(np.any(o == 0) and np.any(o != 0) for o in outputs)


def test_the_reference_does_not_modify_its_inputs():
    w0, X, y, alpha = cases("06.coordinate_descent_sweep", 0)[0]
    copies = [a.copy() for a in (w0, X, y)]
    _cd_sweep(w0, X, y, alpha)
    for original, copy in zip((w0, X, y), copies, strict=True):
        np.testing.assert_array_equal(original, copy)
