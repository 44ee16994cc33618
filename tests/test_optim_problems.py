"""Test problems: values against independent formulas and SciPy's Rosenbrock, gradients and
Hessians against central differences, optima against np.linalg.lstsq and scikit-learn."""

import numpy as np
import pytest
from scipy import optimize
from sklearn.linear_model import LogisticRegression, Ridge

from lossbook.gradcheck import check_gradient
from lossbook.optim import problems


def regression_data(n=60, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X, X @ np.linspace(1.0, -1.0, d) + 0.5 + 0.3 * rng.normal(size=n)


def classification_data(n=80, d=3, seed=0):
    """Overlapping classes, so that the unpenalized logistic loss has a minimizer too."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X, (X @ np.linspace(1.0, -0.5, d) + 0.3 + rng.normal(size=n) > 0).astype(float)


X_REG, Y_REG = regression_data()
X_CLS, Y_CLS = classification_data()
PROBLEMS = {
    "quadratic": problems.quadratic(),
    "quadratic-6d": problems.quadratic(100.0, dim=6, seed=3),
    "rosenbrock": problems.rosenbrock(),
    "rosenbrock-5d": problems.rosenbrock(a=0.5, b=10.0, dim=5),
    "least_squares": problems.least_squares(X_REG, Y_REG, alpha=0.1),
    "least_squares-no-intercept": problems.least_squares(X_REG, Y_REG, fit_intercept=False),
    "logistic": problems.logistic_regression(X_CLS, Y_CLS, alpha=0.05),
    "logistic-unpenalized": problems.logistic_regression(X_CLS, Y_CLS),
}
DATA = [name for name, p in PROBLEMS.items() if p.n_samples is not None]
ANALYTIC = [name for name in PROBLEMS if name not in DATA]
CONVEX = [name for name, p in PROBLEMS.items() if p.strong_convexity is not None]


def points(problem, n=3, seed=0):
    """x0 and a few random points around it."""
    rng = np.random.default_rng(seed)
    return [problem.x0] + [problem.x0 + 0.7 * rng.normal(size=problem.dim) for _ in range(n)]


def hessian_by_differences(grad, x, h=1e-5):
    """Column i is (grad(x + h e_i) - grad(x - h e_i)) / 2h."""
    steps = h * np.eye(len(x))
    return np.column_stack([(grad(x + e) - grad(x - e)) / (2 * h) for e in steps])


@pytest.mark.parametrize("name", PROBLEMS)
def test_gradient_matches_central_differences(name):
    problem = PROBLEMS[name]
    for x in points(problem):
        value, grad = problem.value_and_grad(x)
        assert value == problem.value(x)
        np.testing.assert_array_equal(grad, problem.grad(x))
        result = check_gradient(problem.value, grad, x, n_checks=None)
        assert result.passed, result


@pytest.mark.parametrize("name", DATA)
def test_batch_gradient_matches_central_differences(name):
    problem, batch = PROBLEMS[name], np.array([3, 7, 7, 20])
    for x in points(problem):
        result = check_gradient(lambda v: problem.value(v, batch), problem.grad(x, batch), x,
                                n_checks=None)
        assert result.passed, result


@pytest.mark.parametrize("name", PROBLEMS)
def test_hessian_matches_differences_of_the_gradient(name):
    problem = PROBLEMS[name]
    for x in points(problem):
        hessian = problem.hessian(x)
        numeric = hessian_by_differences(problem.grad, x)
        np.testing.assert_allclose(hessian, numeric, rtol=1e-6, atol=1e-7 * np.abs(numeric).max())


@pytest.mark.parametrize("dim", [2, 5])
def test_rosenbrock_is_scipys(dim):
    problem = problems.rosenbrock(dim=dim)
    for x in points(problem, seed=dim):
        assert problem.value(x) == pytest.approx(optimize.rosen(x), rel=1e-14)
        np.testing.assert_allclose(problem.grad(x), optimize.rosen_der(x), rtol=1e-12)
        np.testing.assert_allclose(problem.hessian(x), optimize.rosen_hess(x), rtol=1e-12)
    np.testing.assert_array_equal(problem.x0, np.resize([-1.2, 1.0], dim))


@pytest.mark.parametrize("name", [name for name, p in PROBLEMS.items() if p.x_star is not None])
def test_known_minimizer_is_a_minimizer(name):
    problem = PROBLEMS[name]
    assert problem.value(problem.x_star) == pytest.approx(problem.f_star, abs=1e-14)
    np.testing.assert_allclose(problem.grad(problem.x_star), 0, atol=1e-10)
    for x in points(problem, seed=1)[1:]:
        nearby = problem.x_star + 1e-3 * (x - problem.x0)
        assert problem.value(nearby) > problem.f_star


@pytest.mark.parametrize("a, b, dim, x_star", [
    (1.0, 100.0, 2, [1.0, 1.0]), (0.5, 10.0, 2, [0.5, 0.25]), (-2.0, 3.0, 2, [-2.0, 4.0]),
    (1.0, 100.0, 4, [1.0] * 4), (0.0, 7.0, 3, [0.0] * 3),
])
def test_rosenbrock_minimizer(a, b, dim, x_star):
    problem = problems.rosenbrock(a=a, b=b, dim=dim)
    np.testing.assert_array_equal(problem.x_star, x_star)
    assert problem.f_star == 0 and problem.value(x_star) == 0


def test_rosenbrock_minimum_is_unknown_when_the_chain_cannot_hold():
    problem = problems.rosenbrock(a=0.5, dim=3)
    assert problem.x_star is None and problem.f_star is None
    assert problem.value(np.full(3, 0.5)) > 0  # (a, ..., a) is not a zero of f


def test_quadratic_spectrum():
    problem = problems.quadratic(1000.0, dim=5, seed=2)
    eigenvalues = np.linalg.eigvalsh(problem.hessian(problem.x0))
    np.testing.assert_allclose(eigenvalues, np.geomspace(1, 1000, 5), rtol=1e-12)
    assert problem.lipschitz == pytest.approx(eigenvalues[-1], rel=1e-12)
    assert problem.strong_convexity == pytest.approx(eigenvalues[0], rel=1e-12)
    # x0 = x* + 2 (sum of the eigenvectors): f(x0) = 1/2 * 4 * sum of the eigenvalues
    assert problem.value(problem.x0) == pytest.approx(2 * eigenvalues.sum(), rel=1e-12)


def test_quadratic_2d_has_a_fixed_tilt_and_seeded_minimizer():
    first, second = problems.quadratic(seed=0), problems.quadratic(seed=1)
    np.testing.assert_array_equal(first.A, second.A)
    assert abs(first.A[0, 1]) > 0.2 * np.abs(first.A).max()  # visibly tilted
    assert not np.allclose(first.x_star, second.x_star)
    np.testing.assert_array_equal(first.x_star, problems.quadratic(seed=0).x_star)


def test_quadratic_rotation_is_seeded_above_2d():
    first, again, other = (problems.quadratic(dim=4, seed=s) for s in (5, 5, 6))
    np.testing.assert_array_equal(first.A, again.A)
    assert not np.allclose(first.A, other.A)
    np.testing.assert_allclose(first.rotation.T @ first.rotation, np.eye(4), atol=1e-14)


@pytest.mark.parametrize("name", CONVEX)
def test_gradient_is_lipschitz_and_strongly_monotone(name):
    """|g(x) - g(z)| <= L |x - z| and (g(x) - g(z)) . (x - z) >= mu |x - z|^2."""
    problem = PROBLEMS[name]
    rng = np.random.default_rng(7)
    for _ in range(20):
        x, z = problem.x0 + rng.normal(size=(2, problem.dim))
        dg, dx = problem.grad(x) - problem.grad(z), x - z
        assert np.linalg.norm(dg) <= problem.lipschitz * np.linalg.norm(dx) * (1 + 1e-12)
        assert dg @ dx >= problem.strong_convexity * (dx @ dx) * (1 - 1e-12)


def test_least_squares_value_and_constants():
    w, b, alpha = np.array([0.3, -1.0, 2.0]), 0.7, 0.1
    problem = PROBLEMS["least_squares"]
    expected = np.mean((X_REG @ w + b - Y_REG) ** 2) + alpha / 2 * w @ w
    assert problem.value(np.r_[w, b]) == pytest.approx(expected, rel=1e-14)
    # Without a penalty the Hessian is 2 D^T D / n: its extreme eigenvalues are 2 s^2 / n for
    # the extreme singular values s of D = [X, 1].
    plain = problems.least_squares(X_REG, Y_REG)
    s = np.linalg.svd(np.c_[X_REG, np.ones(len(Y_REG))], compute_uv=False)
    assert plain.lipschitz == pytest.approx(2 * s[0] ** 2 / len(Y_REG), rel=1e-12)
    assert plain.strong_convexity == pytest.approx(2 * s[-1] ** 2 / len(Y_REG), rel=1e-12)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_least_squares_optimum_is_lstsq(fit_intercept):
    problem = problems.least_squares(X_REG, Y_REG, fit_intercept=fit_intercept)
    design = np.c_[X_REG, np.ones(len(Y_REG))] if fit_intercept else X_REG
    expected, residuals = np.linalg.lstsq(design, Y_REG, rcond=None)[:2]
    np.testing.assert_allclose(problem.x_star, expected, rtol=1e-12)
    assert problem.f_star == pytest.approx(residuals[0] / len(Y_REG), rel=1e-12)


@pytest.mark.parametrize("alpha", [0.01, 0.1, 3.0])
def test_ridge_optimum_is_sklearns(alpha):
    # Ours: (1/n) |y - X w - b|^2 + (alpha/2) |w|^2. Times n: |y - X w - b|^2 + (n alpha/2) |w|^2,
    # which is scikit-learn's Ridge objective |y - X w - b|^2 + a |w|^2 with a = n alpha / 2.
    problem = problems.least_squares(X_REG, Y_REG, alpha=alpha)
    ridge = Ridge(alpha=len(Y_REG) * alpha / 2).fit(X_REG, Y_REG)
    np.testing.assert_allclose(problem.x_star, np.r_[ridge.coef_, ridge.intercept_], rtol=1e-10)


def test_least_squares_rank_deficient_gives_the_minimum_norm_minimizer():
    X = np.c_[X_REG[:, :1], X_REG[:, :1]]  # two identical columns
    problem = problems.least_squares(X, Y_REG, fit_intercept=False)
    np.testing.assert_allclose(problem.x_star, np.linalg.pinv(X) @ Y_REG, rtol=1e-10)
    assert problem.strong_convexity == pytest.approx(0, abs=1e-12)


def test_logistic_value_is_the_mean_log_loss_plus_penalty():
    w, b, alpha = np.array([0.3, -1.0, 2.0]), 0.7, 0.05
    s = X_CLS @ w + b
    expected = np.mean(np.logaddexp(0, s) - Y_CLS * s) + alpha / 2 * w @ w
    assert PROBLEMS["logistic"].value(np.r_[w, b]) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("alpha", [0.005, 0.05, 1.0])
def test_logistic_minimizer_is_sklearns(alpha):
    # scikit-learn minimizes C sum_i l_i + |w|^2 / 2 (intercept not penalized). Divided by
    # n C: (1/n) sum_i l_i + |w|^2 / (2 n C), ours with alpha = 1 / (n C), so C = 1 / (n alpha).
    # Our gradient must vanish at scikit-learn's minimizer.
    problem = problems.logistic_regression(X_CLS, Y_CLS, alpha=alpha)
    model = LogisticRegression(C=1 / (len(Y_CLS) * alpha), solver="newton-cholesky", tol=1e-12,
                               max_iter=1000).fit(X_CLS, Y_CLS)
    theta = np.r_[model.coef_[0], model.intercept_]
    np.testing.assert_allclose(problem.grad(theta), 0, atol=1e-10)


def test_logistic_lipschitz_bound():
    problem = PROBLEMS["logistic"]
    for x in points(problem, n=10):
        assert np.linalg.eigvalsh(problem.hessian(x))[-1] <= problem.lipschitz
    # At theta = 0 every p (1 - p) is 1/4, where the bound is tight up to the penalty.
    assert np.linalg.eigvalsh(problem.hessian(problem.x0))[-1] >= problem.lipschitz - 0.05
    assert problems.logistic_regression(X_CLS, Y_CLS, fit_intercept=False,
                                        alpha=0.2).strong_convexity == 0.2


def test_logistic_strong_convexity_is_the_curvature_left_far_from_the_data():
    # With an intercept b = 40 every p (1 - p) is below 1e-17: only the penalty curves f, and
    # not along b, so mu = 0. Without an intercept, w = 40 (1, 1, 1) leaves about alpha.
    for problem, far in [(PROBLEMS["logistic"], np.r_[0.0, 0.0, 0.0, 40.0]),
                         (problems.logistic_regression(X_CLS, Y_CLS, alpha=0.05,
                                                       fit_intercept=False), np.full(3, 40.0))]:
        lowest = np.linalg.eigvalsh(problem.hessian(far))[0]
        assert problem.strong_convexity <= lowest < problem.strong_convexity + 1e-3


@pytest.mark.parametrize("name", DATA)
def test_batches_of_a_partition_average_to_the_full_objective(name):
    problem = PROBLEMS[name]
    parts = np.split(np.random.default_rng(0).permutation(problem.n_samples), 4)
    x = points(problem)[1]
    values, grads = zip(*(problem.value_and_grad(x, part) for part in parts), strict=True)
    assert np.mean(values) == pytest.approx(problem.value(x), rel=1e-13)
    np.testing.assert_allclose(np.mean(grads, axis=0), problem.grad(x), rtol=1e-12, atol=1e-15)
    assert problem.value(x, np.arange(problem.n_samples)) == pytest.approx(problem.value(x))


def test_repr():
    assert repr(problems.quadratic()) == "quadratic(condition_number=10.0, dim=2, seed=0)"
    assert repr(problems.rosenbrock(dim=3)) == "rosenbrock(a=1.0, b=100.0, dim=3)"
    assert repr(PROBLEMS["logistic"]) == \
        "logistic_regression(n_samples=80, n_features=3, alpha=0.05)"


QUAD, LSQ = PROBLEMS["quadratic"], PROBLEMS["least_squares"]
BAD_INPUTS = {
    "x shape": (lambda: QUAD.value(np.zeros(3)), r"x must be a vector of shape \(2,\)"),
    "x column": (lambda: QUAD.hessian(np.zeros((2, 1))), r"x must be a vector of shape \(2,\)"),
    "x intercept hint": (lambda: LSQ.grad(np.zeros(3)), r"shape \(4,\).*intercept last"),
    "x nan": (lambda: QUAD.grad([np.nan, 1.0]), "x contains nan at index"),
    "batch analytic": (lambda: QUAD.value(QUAD.x0, [0]), "batch must be None"),
    "batch range": (lambda: LSQ.value(LSQ.x0, [0, 60]), r"sample indices in \[0, 60\)"),
    "batch float": (lambda: LSQ.value(LSQ.x0, [0.5]), "integer sample indices"),
    "batch mask": (lambda: LSQ.value(LSQ.x0, Y_REG > 0), "np.flatnonzero"),
    "batch empty": (lambda: LSQ.value(LSQ.x0, []), "batch is empty"),
    "X 1-D": (lambda: problems.least_squares(X_REG[:, 0], Y_REG), r"X\.reshape\(-1, 1\)"),
    "X nan": (lambda: problems.least_squares(np.where(X_REG > 2, np.nan, X_REG), Y_REG),
              "X contains nan"),
    "y length": (lambda: problems.least_squares(X_REG, Y_REG[:-1]),
                 r"y must have shape \(60,\), one target per row of X"),
    "labels": (lambda: problems.logistic_regression(X_CLS, 2 * Y_CLS - 1),
               r"y must contain only labels in \{0, 1\}.*y = \(y \+ 1\) / 2"),
    "alpha": (lambda: problems.logistic_regression(X_CLS, Y_CLS, alpha=-0.1),
              "alpha must be a finite number >= 0"),
    "condition number": (lambda: problems.quadratic(0.5), "condition_number must be .* >= 1"),
    "dim 1": (lambda: problems.quadratic(10.0, dim=1), "dim=1 there is a single eigenvalue"),
    "rosenbrock dim": (lambda: problems.rosenbrock(dim=1), "dim must be an integer >= 2"),
    "b": (lambda: problems.rosenbrock(b=-1.0), "b must be a finite number >= 0"),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_inputs_raise_value_errors_naming_the_argument(name):
    call, match = BAD_INPUTS[name]
    with pytest.raises(ValueError, match=match):
        call()


def test_non_integer_sizes_are_type_errors():
    with pytest.raises(TypeError, match="dim must be an integer"):
        problems.quadratic(dim=2.5)
    with pytest.raises(TypeError, match="seed must be an integer"):
        problems.quadratic(seed=True)


def test_a_diverging_run_on_a_quadratic_warns_about_nothing():
    import warnings

    from lossbook.optim import SGD, minimize, quadratic

    q = quadratic(100.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = minimize(q, q.x0, SGD(lr=1), steps=200)
    assert not np.isfinite(history.loss[-1]) or history.loss[-1] > history.loss[0]


@pytest.mark.parametrize("make, loss", [
    (problems.least_squares, "mse"), (problems.logistic_regression,
                                      "binary_cross_entropy_with_logits")])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_linear_problems_equal_the_library_loss_plus_l2_penalty(make, loss, alpha):
    from lossbook import losses, penalties

    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 3)) * [1.0, 10.0, 0.1]
    y = (rng.random(40) < 0.5).astype(float)
    problem = make(X, y, alpha=alpha)
    theta = rng.normal(size=4) * 3
    batch = rng.choice(40, size=7, replace=False)
    for rows in (None, batch):
        D = np.hstack([X, np.ones((40, 1))])[rows if rows is not None else slice(None)]
        t = y[rows if rows is not None else slice(None)]
        value, grad_s = getattr(losses, loss).value_and_grad(t, D @ theta)
        want_value = value + penalties.l2(theta[:3], alpha=alpha)
        want_grad = D.T @ grad_s
        want_grad[:3] += penalties.l2.grad(theta[:3], alpha=alpha)
        got_value, got_grad = problem.value_and_grad(theta, rows)
        np.testing.assert_allclose(got_value, want_value, rtol=1e-13)
        np.testing.assert_allclose(got_grad, want_grad, rtol=1e-12, atol=1e-15)
