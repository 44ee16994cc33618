"""Linear regressors of chapter 06 against scikit-learn, the optimality conditions, and bad inputs.

scikit-learn's estimators are the reference for the objectives (parity.md section 5); where
they stop early (HuberRegressor's L-BFGS-B, Lasso's CD on correlated columns) the optimality
conditions and a high-precision SciPy solve of the same objective are checked instead.
"""

import warnings

import numpy as np
import pytest
from scipy import optimize
from sklearn import linear_model as sk
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from lossbook import datasets
from lossbook.models._base import NotFittedError
from lossbook.models.linear import (
    ConvergenceWarning,
    HuberRegressor,
    Lasso,
    LinearRegression,
    Ridge,
)


def make_data(seed, n, d, *, collinear=False, outliers=False):
    """Features of unequal scales and offsets, a sparse truth, noise (and shifted samples)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 3.0, d) + rng.normal(size=d)
    if collinear:  # column 1 = column 0 up to 1e-4: cond(centred X) ~ 4e4
        X[:, 1] = X[:, 0] + 1e-4 * rng.normal(size=n)
    coef = rng.normal(size=d)
    coef[rng.random(d) < 0.4] = 0.0
    y = X @ coef + 0.5 + 0.3 * rng.normal(size=n)
    if outliers:
        y[: n // 10] += 20.0
    return X, y


# Fixture R of parity.md section 5
X_R = np.array([[1, 2], [2, 0.5], [3, 3.5], [4, 1], [5, 4], [6, 2.5]])
Y_R = np.array([1, 2, 2.5, 4, 5.5, 5.0])
W_R = np.array([1, 2, 1, 3, 1, 2.0])

DATA = {
    "R": (X_R, Y_R),
    "n30_d2": make_data(0, 30, 2),
    "n200_d10": make_data(1, 200, 10),
    "n500_d20": make_data(2, 500, 20),
    "collinear": make_data(3, 100, 5, collinear=True),
}


def weights(y, weighted):
    return np.random.default_rng(9).uniform(0.2, 3.0, len(y)) if weighted else None


def rel_diff(ours, theirs) -> float:
    ours, theirs = np.atleast_1d(ours), np.atleast_1d(theirs)
    return float(np.abs(ours - theirs).max() / max(np.abs(theirs).max(), 1e-300))


def assert_same_fit(ours, theirs, rtol, y):
    """coef_ within rtol of the largest coefficient; intercept_ within rtol of the scale of y."""
    assert rel_diff(ours.coef_, theirs.coef_) <= rtol
    assert abs(ours.intercept_ - theirs.intercept_) <= rtol * np.abs(y).max()


def centred(X, y, s):
    """Weighted centring and sqrt-weight scaling of (X, y), written out independently."""
    s = np.ones(len(y)) if s is None else s
    Xc = (X - s @ X / s.sum()) * np.sqrt(s)[:, None]
    return Xc, (y - s @ y / s.sum()) * np.sqrt(s)


def alpha_max(X, y):
    Xc, yc = centred(X, y, None)
    return np.abs(Xc.T @ yc).max() / len(y)


# ----------------------------------------------------------------------------------------------
# LinearRegression and Ridge: closed forms, 1e-8 of scikit-learn


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", DATA)
def test_least_squares_matches_sklearn(name, weighted):
    X, y = DATA[name]
    s = weights(y, weighted)
    ours = LinearRegression().fit(X, y, sample_weight=s)
    theirs = sk.LinearRegression().fit(X, y, sample_weight=s)
    assert_same_fit(ours, theirs, 1e-8, y)
    assert ours.rank_ == theirs.rank_ == X.shape[1]
    assert rel_diff(ours.singular_, theirs.singular_) <= 1e-12
    assert ours.n_features_in_ == X.shape[1] and isinstance(ours.intercept_, float)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("solver", ["cholesky", "svd"])
@pytest.mark.parametrize("alpha", [0.1, 1.0, 10.0])
@pytest.mark.parametrize("name", DATA)
def test_ridge_matches_sklearn(name, alpha, solver, weighted):
    X, y = DATA[name]
    s = weights(y, weighted)
    ours = Ridge(alpha).fit(X, y, sample_weight=s)
    theirs = sk.Ridge(alpha, solver=solver).fit(X, y, sample_weight=s)
    assert_same_fit(ours, theirs, 1e-8, y)


@pytest.mark.parametrize("estimator, s, coef, intercept", [
    (LinearRegression(), None, [0.8969780219780226, 0.05769230769230774], 0.0641025641025621),
    (Ridge(1.0), None, [0.8422053231939165, 0.07984790874524711], 0.20595690747782003),
    (Ridge(10.0), None, [0.5590054428500743, 0.11949529935675407], 1.1079498598053772),
    (Ridge(1.0), W_R, [0.8228185469149325, 0.02504563709382977], 0.4092369477911646),
    (Lasso(0.1), None, [0.8788461538462519, 0.003846153846098955], 0.24871794871772934),
    (Lasso(0.5), None, [0.7428571428571429, 0.0], 0.7333333333333334),
], ids=["ols", "ridge1", "ridge10", "ridge1_weighted", "lasso0.1", "lasso0.5"])
def test_worked_coefficients_of_parity_fixture_R(estimator, s, coef, intercept):
    fitted = estimator.fit(X_R, Y_R, sample_weight=s)
    np.testing.assert_allclose(fitted.coef_, coef, rtol=1e-9, atol=1e-11)
    assert fitted.intercept_ == pytest.approx(intercept, rel=1e-9)


@pytest.mark.parametrize("name", DATA)
def test_ridge_solves_its_normal_equations_and_alpha_zero_is_least_squares(name):
    X, y = DATA[name]
    s = weights(y, True)
    fitted = Ridge(3.0).fit(X, y, sample_weight=s)
    Xc, yc = centred(X, y, s)  # Ridge: sum_i s_i r_i^2 + alpha |w|^2, weights as given
    np.testing.assert_allclose((Xc.T @ Xc + 3.0 * np.eye(X.shape[1])) @ fitted.coef_,
                               Xc.T @ yc, rtol=1e-9, atol=1e-9 * np.abs(Xc.T @ yc).max())
    assert_same_fit(Ridge(0.0).fit(X, y), LinearRegression().fit(X, y), 1e-12, y)


def test_least_squares_is_accurate_where_the_normal_equations_are_not():
    # cond(X) ~ 1e7: forming X^T X (cond ~ 1e14) leaves about 2 correct digits; the SVD keeps ~9.
    rng = np.random.default_rng(4)
    X = rng.normal(size=(50, 3))
    X[:, 2] = X[:, 0] + X[:, 1] + 1e-7 * rng.normal(size=50)
    truth = np.array([1.0, -2.0, 3.0])
    y = X @ truth  # noiseless: the exact answer is known
    fitted = LinearRegression(fit_intercept=False).fit(X, y)
    assert rel_diff(fitted.coef_, truth) < 1e-6
    normal = np.linalg.inv(X.T @ X) @ (X.T @ y)
    assert rel_diff(normal, truth) > 100 * rel_diff(fitted.coef_, truth)


@pytest.mark.parametrize("ours, theirs", [
    (LinearRegression(fit_intercept=False), sk.LinearRegression(fit_intercept=False)),
    (Ridge(2.0, fit_intercept=False), sk.Ridge(2.0, fit_intercept=False, solver="svd")),
    (Lasso(0.05, fit_intercept=False), sk.Lasso(0.05, fit_intercept=False, tol=1e-12,
                                                 max_iter=100_000)),
], ids=["ols", "ridge", "lasso"])
def test_without_intercept_matches_sklearn(ours, theirs):
    X, y = DATA["n200_d10"]
    ours.fit(X, y)
    theirs.fit(X, y)
    assert ours.intercept_ == 0.0
    assert_same_fit(ours, theirs, 1e-8, y)


# ----------------------------------------------------------------------------------------------
# Lasso: scikit-learn with tol=1e-12, and the KKT conditions directly


def assert_lasso_kkt(fitted, X, y, s=None, rtol=1e-9):
    """(1/n) Xc^T r = alpha sign(w) on the support, |(1/n) Xc^T r| <= alpha off it."""
    Xc, yc = centred(X, y, None if s is None else s / s.mean())  # Lasso: weights sum to n
    w, alpha = fitted.coef_, fitted.alpha
    correlation = Xc.T @ (yc - Xc @ w) / len(y)
    slack = rtol * alpha_max(X, y)
    on = w != 0
    np.testing.assert_allclose(correlation[on], alpha * np.sign(w[on]), rtol=0, atol=slack)
    assert np.all(np.abs(correlation[~on]) <= alpha + slack)


LASSO_FRACTIONS = [0.01, 0.1, 0.5]  # alpha / alpha_max


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fraction", LASSO_FRACTIONS)
@pytest.mark.parametrize("name", DATA)
def test_lasso_matches_sklearn_with_the_same_support(name, fraction, weighted):
    X, y = DATA[name]
    s = weights(y, weighted)
    alpha = fraction * alpha_max(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ours = Lasso(alpha).fit(X, y, sample_weight=s)
    theirs = sk.Lasso(alpha, tol=1e-12, max_iter=1_000_000).fit(X, y, sample_weight=s)
    assert_same_fit(ours, theirs, 1e-7, y)
    np.testing.assert_array_equal(ours.coef_ != 0, theirs.coef_ != 0)
    assert_lasso_kkt(ours, X, y, s)
    assert ours.dual_gap_ <= 1e-12 * np.var(y)


@pytest.mark.parametrize("correlation_noise", [1e-2, 1e-3])
def test_lasso_on_strongly_correlated_columns_converges_by_default(correlation_noise):
    # Columns 0 and 1 correlate at 0.99995 / 0.9999995: scikit-learn's CD needs ~2e5-3e5
    # sweeps; the default Lasso must reach the optimum without a warning.
    rng = np.random.default_rng(3)
    X = rng.normal(size=(100, 5))
    X[:, 1] = X[:, 0] + correlation_noise * rng.normal(size=100)
    y = X @ np.array([1.0, 2.0, 0.0, -1.0, 0.5]) + 0.3 * rng.normal(size=100)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ours = Lasso(1e-3).fit(X, y)
    assert ours.n_iter_ < 100
    assert_lasso_kkt(ours, X, y, rtol=1e-10)
    theirs = sk.Lasso(1e-3, tol=1e-12, max_iter=1_000_000).fit(X, y)
    assert_same_fit(ours, theirs, 1e-6, y)


@pytest.mark.parametrize("solver, rtol", [("ista", 1e-6), ("fista", 1e-6)])
@pytest.mark.parametrize("fraction", LASSO_FRACTIONS)
@pytest.mark.parametrize("name", ["R", "n30_d2", "n200_d10", "n500_d20"])
def test_proximal_gradient_reaches_the_coordinate_descent_optimum(name, fraction, solver, rtol):
    # ISTA and FISTA stop on the same coefficient-change rule as CD, which, for these linearly
    # converging methods, leaves them within about 1e-9 of the optimum; 1e-6 is the promise.
    X, y = DATA[name]
    alpha = fraction * alpha_max(X, y)
    exact = Lasso(alpha).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        proximal = Lasso(alpha, solver=solver, max_iter=20_000).fit(X, y)
    assert_same_fit(proximal, exact, rtol, y)
    assert_lasso_kkt(proximal, X, y, rtol=1e-6)


@pytest.mark.parametrize("solver", ["cd", "ista", "fista"])
def test_lasso_history_records_the_objective_of_each_iteration(solver):
    X, y = DATA["n200_d10"]
    fitted = Lasso(0.05, solver=solver).fit(X, y)
    history = fitted.history_
    assert history.shape == (fitted.n_iter_,)
    assert history[-1] == pytest.approx(fitted.objective(X, y), rel=1e-12)
    assert history[-1] <= history.min() + 1e-12 * abs(history[-1])
    if solver != "fista":  # CD and ISTA never increase the objective; FISTA may
        assert np.all(np.diff(history) <= 1e-12 * abs(history[0]))


def test_lasso_stopped_early_warns_and_reports_its_duality_gap():
    X, y = DATA["n200_d10"]
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        early = Lasso(0.01, solver="ista", max_iter=3).fit(X, y)
    assert early.n_iter_ == 3 and early.dual_gap_ > 1e-6
    assert early.objective(X, y) - Lasso(0.01).fit(X, y).objective(X, y) <= early.dual_gap_


def test_lasso_limits():
    X, y = DATA["n200_d10"]
    top = alpha_max(X, y)
    zero = Lasso(1.0001 * top).fit(X, y)
    assert np.all(zero.coef_ == 0) and zero.intercept_ == pytest.approx(y.mean(), rel=1e-12)
    assert np.count_nonzero(Lasso(0.99 * top).fit(X, y).coef_) == 1
    assert_same_fit(Lasso(0.0).fit(X, y), LinearRegression().fit(X, y), 1e-8, y)


@pytest.mark.parametrize("estimator", [Ridge(0.5), Lasso(0.05), HuberRegressor()],
                         ids=["ridge", "lasso", "huber"])
def test_integer_weights_equal_repeated_samples(estimator):
    X, y = DATA["n30_d2"]
    counts = np.random.default_rng(5).integers(0, 4, len(y))
    weighted = clone(estimator).fit(X, y, sample_weight=counts)
    repeated = clone(estimator).fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    assert_same_fit(weighted, repeated, 1e-9, y)


# ----------------------------------------------------------------------------------------------
# HuberRegressor: scikit-learn's objective, reached more precisely than scikit-learn


def huber_objective(coef, intercept, scale, X, y, epsilon, alpha, s=None):
    """sum_i s_i (sigma + H(r_i / sigma) sigma) + alpha |w|^2, H(z) = z^2 or 2 eps |z| - eps^2."""
    s = np.ones(len(y)) if s is None else s
    z = np.abs(y - X @ coef - intercept) / scale
    H = np.where(z <= epsilon, z**2, 2 * epsilon * z - epsilon**2)
    return float(s @ (scale + H * scale) + alpha * coef @ coef)


HUBER_DATA = {
    "outliers_n100": datasets.regression_with_outliers(100, seed=0)[:2],
    "outliers_n40": datasets.regression_with_outliers(40, n_outliers=5, seed=1)[:2],
    "outliers_n200_d10": make_data(1, 200, 10, outliers=True),
    "outliers_collinear": make_data(3, 100, 5, collinear=True, outliers=True),
}
HUBER_PARAMS = [(1.35, 1e-4), (1.1, 0.0), (2.0, 1.0)]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("epsilon, alpha", HUBER_PARAMS)
@pytest.mark.parametrize("name", HUBER_DATA)
def test_huber_reaches_sklearn_objective_or_better(name, epsilon, alpha, weighted):
    X, y = HUBER_DATA[name]
    s = weights(y, weighted)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ours = HuberRegressor(epsilon=epsilon, alpha=alpha).fit(X, y, sample_weight=s)
    theirs = sk.HuberRegressor(epsilon=epsilon, alpha=alpha, tol=1e-12,
                               max_iter=100_000).fit(X, y, sample_weight=s)
    f_ours = huber_objective(ours.coef_, ours.intercept_, ours.scale_, X, y, epsilon, alpha, s)
    f_theirs = huber_objective(theirs.coef_, theirs.intercept_, theirs.scale_, X, y, epsilon,
                               alpha, s)
    assert f_ours <= f_theirs * (1 + 1e-13)
    assert ours.objective(X, y, sample_weight=s) == pytest.approx(f_ours, rel=1e-13)
    if name != "outliers_collinear":  # there L-BFGS-B stops far away (coefficients 10x off)
        assert_same_fit(ours, theirs, 1e-3, y)
        assert ours.scale_ == pytest.approx(theirs.scale_, rel=1e-2)
        np.testing.assert_array_equal(ours.outliers_, theirs.outliers_)
    assert ours.n_iter_ <= 30


def sklearn_huber_gradient():
    try:
        from sklearn.linear_model._huber import _huber_loss_and_gradient
    except ImportError:  # a private function: its absence skips, never fails
        pytest.skip("scikit-learn moved _huber_loss_and_gradient")
    return _huber_loss_and_gradient


@pytest.mark.parametrize("epsilon, alpha", HUBER_PARAMS)
@pytest.mark.parametrize("name", HUBER_DATA)
def test_huber_gradient_of_sklearn_objective_vanishes_at_our_fit(name, epsilon, alpha):
    # The objective is convex, so a zero gradient (sigma > 0) certifies the optimum.
    loss_and_gradient = sklearn_huber_gradient()
    X, y = HUBER_DATA[name]
    fitted = HuberRegressor(epsilon=epsilon, alpha=alpha).fit(X, y)
    theta = np.r_[fitted.coef_, fitted.intercept_, fitted.scale_]
    value, grad = loss_and_gradient(theta, X, y, epsilon, alpha, np.ones(len(y)))
    assert value == pytest.approx(fitted.objective(X, y), rel=1e-13)
    # Gradient scale: the sum over samples of |x_i|, i.e. how large one unit of pull is.
    scale = np.abs(np.c_[X, np.ones(len(y))]).sum(axis=0).max()
    assert np.abs(grad).max() <= 1e-9 * scale


@pytest.mark.parametrize("name, epsilon, alpha", [("outliers_n100", 1.35, 1e-4),
                                                  ("outliers_collinear", 1.35, 1e-4)])
def test_huber_matches_a_high_precision_solve_of_sklearn_objective(name, epsilon, alpha):
    loss_and_gradient = sklearn_huber_gradient()
    X, y = HUBER_DATA[name]
    theta = np.r_[np.zeros(X.shape[1] + 1), 1.0]
    bounds = [(None, None)] * (X.shape[1] + 1) + [(1e-12, None)]
    for _ in range(3):  # restarts refresh L-BFGS-B's memory
        theta = optimize.minimize(loss_and_gradient, theta, jac=True, method="L-BFGS-B",
                                  args=(X, y, epsilon, alpha, np.ones(len(y))), bounds=bounds,
                                  options=dict(maxiter=100_000, ftol=0, gtol=1e-13)).x
    fitted = HuberRegressor(epsilon=epsilon, alpha=alpha).fit(X, y)
    assert rel_diff(fitted.coef_, theta[:-2]) <= 1e-6
    assert fitted.intercept_ == pytest.approx(theta[-2], rel=1e-6, abs=1e-6)
    assert fitted.scale_ == pytest.approx(theta[-1], rel=1e-6)


def test_huber_resists_outliers_that_pull_least_squares():
    X, y, outlier = datasets.regression_with_outliers(100, noise=0.5, seed=0)
    robust_error = abs(HuberRegressor().fit(X, y).coef_[0] - 2.0)  # 2 is the true slope
    least_squares_error = abs(LinearRegression().fit(X, y).coef_[0] - 2.0)
    assert robust_error < 0.15 and least_squares_error > 10 * robust_error
    assert np.all(HuberRegressor().fit(X, y).outliers_[outlier])


def test_huber_is_equivariant_to_the_units_of_y():
    X, y = HUBER_DATA["outliers_n40"]
    base = HuberRegressor(alpha=0.0).fit(X, y)
    scaled = HuberRegressor(alpha=0.0).fit(X, 1000.0 * y)
    np.testing.assert_allclose(scaled.coef_, 1000.0 * base.coef_, rtol=1e-9)
    assert scaled.scale_ == pytest.approx(1000.0 * base.scale_, rel=1e-9)
    np.testing.assert_array_equal(scaled.outliers_, base.outliers_)


def test_huber_on_exactly_linear_data_recovers_it():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = X @ np.array([1.0, 2.0, 3.0]) + 4.0
    y[:3] += 100.0  # three gross outliers, the rest exact: the scale goes to 0
    fitted = HuberRegressor().fit(X, y)
    np.testing.assert_allclose(fitted.coef_, [1.0, 2.0, 3.0], rtol=1e-9)
    assert fitted.intercept_ == pytest.approx(4.0, rel=1e-9)
    assert fitted.outliers_[:3].all() and fitted.scale_ < 1e-9


def test_huber_stopped_early_warns():
    X, y = HUBER_DATA["outliers_n100"]
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        HuberRegressor(max_iter=1).fit(X, y)


# ----------------------------------------------------------------------------------------------
# scikit-learn's tools


ESTIMATORS = [LinearRegression(), Ridge(2.0), Lasso(0.05), Lasso(0.05, solver="fista"),
              HuberRegressor(epsilon=1.5)]
SKLEARN_TWINS = [sk.LinearRegression(), sk.Ridge(2.0),
                 sk.Lasso(0.05, tol=1e-12, max_iter=100_000),
                 sk.Lasso(0.05, tol=1e-12, max_iter=100_000), None]
IDS = ["ols", "ridge", "lasso", "lasso_fista", "huber"]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_clone_get_params_and_set_params(estimator):
    copy = clone(estimator)
    assert copy is not estimator and copy.get_params() == estimator.get_params()
    assert copy.set_params(fit_intercept=False) is copy and copy.fit_intercept is False
    assert estimator.fit_intercept is True
    assert "fit_intercept=False" in repr(copy) and "fit_intercept" not in repr(estimator)
    with pytest.raises(ValueError, match="unknown parameter 'C'"):
        copy.set_params(C=1.0)


@pytest.mark.parametrize("estimator, twin", list(zip(ESTIMATORS, SKLEARN_TWINS, strict=True)),
                         ids=IDS)
def test_pipeline_and_cross_val_score(estimator, twin):
    X, y = DATA["n200_d10"]
    folds = KFold(5, shuffle=True, random_state=0)
    pipe = Pipeline([("scale", StandardScaler()), ("model", estimator)])
    scores = cross_val_score(pipe, X, y, cv=folds)
    assert scores.shape == (5,) and np.all(scores > 0.5)
    if twin is not None:
        reference = cross_val_score(Pipeline([("scale", StandardScaler()), ("model", twin)]),
                                    X, y, cv=folds)
        np.testing.assert_allclose(scores, reference, rtol=1e-9)


def test_grid_search_picks_the_alpha_sklearn_picks():
    X, y = DATA["n30_d2"]
    grid = {"alpha": [0.01, 0.1, 1.0, 10.0, 100.0]}
    folds = KFold(5, shuffle=True, random_state=0)
    ours = GridSearchCV(Ridge(), grid, cv=folds).fit(X, y)
    theirs = GridSearchCV(sk.Ridge(), grid, cv=folds).fit(X, y)
    assert ours.best_params_ == theirs.best_params_
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                               theirs.cv_results_["mean_test_score"], rtol=1e-10)
    assert isinstance(ours.best_estimator_, Ridge)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_predict_and_score(estimator):
    X, y = DATA["n200_d10"]
    fitted = clone(estimator).fit(X.tolist(), y.tolist())  # lists work like arrays
    prediction = fitted.predict(X)
    np.testing.assert_allclose(prediction, X @ fitted.coef_ + fitted.intercept_, rtol=1e-14)
    residual = np.sum((y - prediction) ** 2) / np.sum((y - y.mean()) ** 2)
    assert fitted.score(X, y) == pytest.approx(1 - residual, rel=1e-12)


# ----------------------------------------------------------------------------------------------
# Bad inputs: each raises, naming what was wrong


X_OK, Y_OK = DATA["n30_d2"]
X_NAN = X_OK.copy()
X_NAN[3, 1] = np.nan
Y_INF = Y_OK.copy()
Y_INF[5] = np.inf


@pytest.mark.parametrize("make", [LinearRegression, Ridge, Lasso, HuberRegressor],
                         ids=lambda c: c.__name__)
@pytest.mark.parametrize("X, y, message", [
    (X_NAN, Y_OK, r"X contains nan at index \(3, 1\)"),
    (X_OK, Y_INF, r"y contains inf at index \(5,\)"),
    (X_OK, Y_OK[:-1], "X has 30 samples but y has 29"),
    (X_OK[:, 0], Y_OK, r"X\.reshape\(-1, 1\)"),
    (X_OK[:, :0], Y_OK, r"X has shape \(30, 0\); it needs at least one sample and one feature"),
], ids=["nan_X", "inf_y", "lengths", "1d_X", "no_features"])
def test_fit_rejects_bad_data(make, X, y, message):
    with pytest.raises(ValueError, match=message):
        make().fit(X, y)


@pytest.mark.parametrize("estimator, message", [
    (Ridge(-1.0), "alpha must be a finite number >= 0, got -1.0"),
    (Lasso(-0.1), "alpha must be a finite number >= 0, got -0.1"),
    (HuberRegressor(alpha=-1.0), "alpha must be a finite number >= 0"),
    (HuberRegressor(epsilon=1.0), "epsilon must be a finite number > 1, got 1.0"),
    (HuberRegressor(epsilon=0.5), "epsilon must be a finite number > 1, got 0.5"),
    (Lasso(solver="newton"), "solver must be one of 'cd', 'ista', 'fista', got 'newton'"),
    (Lasso(max_iter=0), "max_iter must be an integer >= 1, got 0"),
    (Lasso(tol=-1.0), "tol must be a finite number >= 0"),
    (Ridge(np.nan), "alpha must be a finite number >= 0, got nan"),
], ids=["ridge_alpha", "lasso_alpha", "huber_alpha", "epsilon_1", "epsilon_0.5", "solver",
        "max_iter_0", "tol", "alpha_nan"])
def test_fit_rejects_bad_hyper_parameters(estimator, message):
    with pytest.raises(ValueError, match=message):
        estimator.fit(X_OK, Y_OK)


@pytest.mark.parametrize("estimator", [Ridge(fit_intercept="yes"), Ridge(alpha="1"),
                                       HuberRegressor(max_iter=2.5)],
                         ids=["fit_intercept", "alpha", "max_iter_float"])
def test_fit_rejects_wrong_types(estimator):
    with pytest.raises(TypeError, match="must be (True or False|a number|an integer)"):
        estimator.fit(X_OK, Y_OK)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_predict_before_fit_and_with_the_wrong_features(estimator):
    fresh = clone(estimator)
    with pytest.raises(NotFittedError, match="is not fitted yet: call fit"):
        fresh.predict(X_OK)
    fresh.fit(X_OK, Y_OK)
    with pytest.raises(ValueError, match="X has 3 features, but the estimator was fitted with 2"):
        fresh.predict(np.c_[X_OK, X_OK[:, 0]])
    with pytest.raises(ValueError, match="sample_weight must have shape"):
        clone(estimator).fit(X_OK, Y_OK, sample_weight=np.ones(3))


@pytest.mark.parametrize("alpha", [1e-9, 1e-3, 10.0])
def test_ridge_gram_and_svd_routes_agree_with_sklearn_svd(alpha):
    # A nearly collinear design: small alpha takes the SVD route (condition > 1e6), larger
    # alpha the d x d eigendecomposition; both must give scikit-learn's SVD solution.
    rng = np.random.default_rng(7)
    base = rng.normal(size=(60, 3))
    X = np.column_stack([base, base[:, 0] + 1e-5 * rng.normal(size=60)])
    y = X @ np.array([1.0, -1.0, 0.5, 2.0]) + 0.1 * rng.normal(size=60)
    ours = Ridge(alpha).fit(X, y)
    ref = sk.Ridge(alpha=alpha, solver="svd").fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-7, atol=1e-9)


def test_lasso_at_exactly_alpha_max_stops_at_zero_without_a_warning():
    # at alpha_max a coefficient used to flip between 0 and 1e-17 until max_iter
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 8)), rng.normal(size=50)
    alpha_max = np.abs((X - X.mean(0)).T @ (y - y.mean())).max() / 50
    for solver in ("cd", "ista", "fista"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model = Lasso(alpha=alpha_max, solver=solver).fit(X, y)
        assert model.n_iter_ < 1000, solver
        np.testing.assert_allclose(model.coef_, 0.0, atol=1e-12)
