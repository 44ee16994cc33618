"""LogisticRegression (chapter 07) against scikit-learn's LogisticRegression, against an
independent scipy minimization of the objective written out here, against the worked numbers
of parity.md section 5 (fixture C), and inside scikit-learn's tools (clone, Pipeline,
cross_val_score, GridSearchCV); then its label handling, sample weights, C = inf and errors."""

import warnings

import mpmath
import numpy as np
import pytest
from scipy import optimize, special
from sklearn.base import clone, is_classifier
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from lossbook.models._base import NotFittedError
from lossbook.models.logistic import ConvergenceWarning, LogisticRegression

# A fit that stops short of its tolerance would make every comparison below meaningless.
pytestmark = pytest.mark.filterwarnings("error::lossbook.models.logistic.ConvergenceWarning")

# parity.md section 5, fixture C
XC = np.array([[0.5, 1], [1, -0.5], [1.5, 2], [-1, 0.3], [-0.5, -1.5], [2, 0], [-2, 1], [0, 0]])
YC = np.array([1, 0, 1, 0, 0, 1, 0, 1])
YC3 = np.array([0, 1, 2, 0, 1, 2, 0, 2])

# (n_samples, n_features, n_classes, seed): overlapping classes (label noise, small class
# separation), so that every optimum is finite; features shifted and scaled so that the
# intercept and the feature scales matter.
DATASETS = {
    "binary-n30-d2": (30, 2, 2, 0),
    "binary-n200-d5": (200, 5, 2, 1),
    "binary-n500-d20": (500, 20, 2, 2),
    "3class-n150-d4": (150, 4, 3, 3),
    "3class-n60-d12": (60, 12, 3, 4),
    "4class-n300-d10": (300, 10, 4, 5),
    "4class-n500-d20": (500, 20, 4, 6),
}
CS = [0.01, 1.0, 100.0]


def make_data(n, d, k, seed):
    X, y = make_classification(
        n_samples=n, n_features=d, n_informative=min(d, max(2, k)), n_redundant=0,
        n_repeated=0, n_classes=k, n_clusters_per_class=1, class_sep=0.7, flip_y=0.15,
        random_state=seed,
    )
    rng = np.random.default_rng(seed)
    return X * rng.uniform(0.5, 3, d) + rng.normal(0, 2, d), y


def dataset(name):
    if name == "fixture-C":
        return XC, YC
    if name == "fixture-C-3class":
        return XC, YC3
    return make_data(*DATASETS[name])


ALL_DATA = ["fixture-C", "fixture-C-3class", *DATASETS]


def sklearn_fit(X, y, C, sample_weight=None, **kwargs):
    # newton-cholesky: at tol=1e-12 it reaches the optimum to ~1e-15; lbfgs stops ~1e-5 away
    # on some of these datasets (its gradient there is ~1e-7), too far for a tight reference.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        model = SkLogisticRegression(C=C, tol=1e-12, max_iter=10_000, solver="newton-cholesky",
                                     **kwargs)
        return model.fit(X, y, sample_weight=sample_weight)


def rel_diff(a, b):
    return float(np.max(np.abs(np.asarray(a) - b)) / max(np.max(np.abs(b)), 1e-300))


def assert_same_model(ours, theirs, X, coef_rtol=1e-7, proba_atol=1e-9):
    assert ours.coef_.shape == theirs.coef_.shape
    assert ours.intercept_.shape == theirs.intercept_.shape
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    params = np.column_stack([ours.coef_, ours.intercept_])
    reference = np.column_stack([theirs.coef_, theirs.intercept_])
    assert rel_diff(params, reference) < coef_rtol
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=0,
                               atol=proba_atol)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


# ---- the objective, written out independently (scipy.special, no lossbook) -------------------

def split(theta, k, d, fit_intercept):
    rows = 1 if k == 2 else k
    params = theta.reshape(rows, d + int(fit_intercept))
    return params[:, :d], (params[:, d] if fit_intercept else np.zeros(rows))


def objective_and_grad(theta, X, y, s, C, k, fit_intercept=True):
    """scikit-learn's C sum_i s_i l_i + |W|^2 / 2 and its gradient, in theta = rows of [W, b]."""
    n, d = X.shape
    W, b = split(theta, k, d, fit_intercept)
    if k == 2:
        f = X @ W[0] + b[0]
        loss = np.logaddexp(0, f) - y * f
        residual = (special.expit(f) - y)[:, None]
    else:
        F = X @ W.T + b
        loss = special.logsumexp(F, axis=1) - F[np.arange(n), y]
        residual = special.softmax(F, axis=1) - np.eye(k)[y]
    value = C * s @ loss + 0.5 * np.sum(W**2)
    grad_f = C * s[:, None] * residual  # (n, rows)
    grad = np.column_stack([grad_f.T @ X + W] + ([grad_f.sum(axis=0)] if fit_intercept else []))
    return value, grad.ravel()


def flat(model):
    return np.column_stack([model.coef_, model.intercept_]).ravel()


# ---- agreement with scikit-learn ----------------------------------------------------------

@pytest.mark.parametrize("C", CS)
@pytest.mark.parametrize("name", ALL_DATA)
def test_matches_sklearn(name, C):
    X, y = dataset(name)
    ours = LogisticRegression(C=C).fit(X, y)
    assert_same_model(ours, sklearn_fit(X, y, C), X)
    assert ours.n_iter_ <= 25  # Newton: a handful of steps, not thousands


@pytest.mark.parametrize("seed", [118, 858, 1134])
def test_nearly_separable_with_large_c(seed):
    # Few samples, features of very different scales, C ~ 1e4-1e5: from 0, pure Newton
    # steps overshoot and never settle on these; the Armijo line search makes them converge.
    rng = np.random.default_rng(seed)
    n, d, k = (int(rng.integers(4, 15)), int(rng.integers(1, 4)), int(rng.integers(2, 4)))
    X = rng.normal(size=(n, d)) * np.exp(2 * rng.normal(size=d))
    y = rng.integers(0, k, n)
    C = 10 ** rng.uniform(-2, 6)
    ours = LogisticRegression(C=C).fit(X, y)
    assert_same_model(ours, sklearn_fit(X, y, C), X)
    assert np.abs(ours.coef_).max() > 10  # the optimum is far from the start


@pytest.mark.parametrize("name", ["binary-n200-d5", "3class-n150-d4", "4class-n300-d10"])
@pytest.mark.parametrize("C", [0.1, 10.0])
def test_matches_sklearn_with_sample_weights(name, C):
    X, y = dataset(name)
    weights = np.random.default_rng(7).uniform(0, 3, len(y))
    weights[::10] = 0
    ours = LogisticRegression(C=C).fit(X, y, sample_weight=weights)
    assert_same_model(ours, sklearn_fit(X, y, C, sample_weight=weights), X)


@pytest.mark.parametrize("name", ["binary-n200-d5", "3class-n150-d4"])
def test_matches_sklearn_without_intercept(name):
    X, y = dataset(name)
    ours = LogisticRegression(C=1.0, fit_intercept=False).fit(X, y)
    theirs = sklearn_fit(X, y, 1.0, fit_intercept=False)
    assert_same_model(ours, theirs, X)
    assert np.all(ours.intercept_ == 0)


@pytest.mark.parametrize("name", ["binary-n200-d5", "4class-n300-d10"])
def test_no_penalty_matches_sklearn_when_classes_overlap(name):
    X, y = dataset(name)
    ours = LogisticRegression(C=np.inf).fit(X, y)
    assert_same_model(ours, sklearn_fit(X, y, np.inf), X, coef_rtol=1e-6)


@pytest.mark.parametrize("C, y, coef, intercept, rtol", [
    # newton-cholesky rows of parity.md: agree to the last digits
    (1.0, YC, [[0.8701586707812268, 0.6883000766385116]], [-0.3198500167642745], 1e-13),
    # the C = 0.1 and 3-class rows came from lbfgs at tol=1e-12, accurate to about 1e-8
    (0.1, YC, [[0.24584606631513914, 0.1498632599437502]], [-0.08839069592714592], 1e-7),
    (1.0, YC3,
     [[-0.6858611679849418, 0.594112128011654], [0.09613362867190232, -0.9061706539109566],
      [0.5897275393130397, 0.3120585258993027]],
     [0.16093876261992843, -0.14333082184189244, -0.017607940778035708], 1e-7),
])
def test_parity_fixture_c(C, y, coef, intercept, rtol):
    model = LogisticRegression(C=C).fit(XC, y)
    np.testing.assert_allclose(model.coef_, coef, rtol=rtol, atol=0)
    np.testing.assert_allclose(model.intercept_, intercept, rtol=rtol, atol=0)


def test_parity_fixture_c_doubled_weights_equal_doubled_c():
    expected = [[1.0823599005531523, 0.9743305394019008]]  # parity.md: sample_weight=2 = C=2
    weighted = LogisticRegression(C=1.0).fit(XC, YC, sample_weight=np.full(8, 2.0))
    doubled = LogisticRegression(C=2.0).fit(XC, YC)
    np.testing.assert_allclose(weighted.coef_, expected, rtol=1e-8)
    np.testing.assert_allclose(doubled.coef_, expected, rtol=1e-8)


# ---- the optimum itself, without scikit-learn -----------------------------------------------

@pytest.mark.parametrize("C", CS)
@pytest.mark.parametrize("name", ["binary-n30-d2", "binary-n200-d5", "3class-n150-d4",
                                  "4class-n300-d10"])
def test_gradient_vanishes_at_the_solution(name, C):
    # KKT: the objective is smooth and convex, so the optimum is where its gradient is 0;
    # relative to C sum(s), the scale of the loss term's gradient.
    X, y = dataset(name)
    s = np.random.default_rng(3).uniform(0.5, 2, len(y))
    model = LogisticRegression(C=C).fit(X, y, sample_weight=s)
    _, grad = objective_and_grad(flat(model), X, y, s, C, len(model.classes_))
    assert np.linalg.norm(grad) / (C * s.sum()) < 1e-10
    # a perturbed point is not stationary (the check above can fail); a random perturbation,
    # since adding one constant to every multinomial row changes nothing but the penalty
    nudge = 1e-3 * np.random.default_rng(4).normal(size=flat(model).shape)
    _, moved = objective_and_grad(flat(model) + nudge, X, y, s, C, len(model.classes_))
    assert np.linalg.norm(moved) / (C * s.sum()) > 1e-6


@pytest.mark.parametrize("C", CS)
@pytest.mark.parametrize("name", ["fixture-C", "binary-n200-d5", "3class-n60-d12",
                                  "4class-n300-d10"])
def test_matches_scipy_minimize(name, C):
    X, y = dataset(name)
    k = len(np.unique(y))
    s = np.ones(len(y))
    dim = (1 if k == 2 else k) * (X.shape[1] + 1)

    def scaled(theta):  # the objective / (C n): same minimizer, gradients of order 1
        value, grad = objective_and_grad(theta, X, y, s, C, k)
        return value / (C * len(y)), grad / (C * len(y))

    result = optimize.minimize(scaled, np.zeros(dim), jac=True, method="BFGS",
                               options={"gtol": 1e-11, "maxiter": 20_000})
    model = LogisticRegression(C=C).fit(X, y)
    W, b = split(result.x, k, X.shape[1], True)
    b = b - b.mean() if k > 2 else b  # the K-row intercepts are defined up to a constant
    assert rel_diff(model.coef_, W) < 1e-5
    np.testing.assert_allclose(model.intercept_, b, rtol=0, atol=1e-5 * np.abs(W).max())
    # and ours is at least as low as scipy's, up to rounding
    ours = scaled(flat(model))[0]
    assert ours <= scaled(result.x)[0] + 1e-13


@pytest.mark.parametrize("C", [1e3, 1e6, 1e9])
def test_large_c_on_separable_classes_reaches_the_exact_optimum(C):
    # Separable classes and a large C: the curvature at the optimum is tiny (~1/C), so a
    # gradient below 1e-10 alone is still ~1e-4 away; the Newton decrement criterion is not.
    # The reference: the stationarity equations solved by mpmath with 40 digits, starting
    # from scikit-learn's solution.
    x, y = [0, 1, 2, 3], [0, 0, 1, 1]
    X = np.array(x, float)[:, None]
    model = LogisticRegression(C=C).fit(X, y)
    start = sklearn_fit(X, y, C)
    c = mpmath.mpf(C)

    def stationarity(w, b):
        residuals = [1 / (1 + mpmath.exp(-(w * xi + b))) - yi for xi, yi in zip(x, y, strict=True)]
        return [c * mpmath.fsum(r * xi for r, xi in zip(residuals, x, strict=True)) + w,
                c * mpmath.fsum(residuals)]

    with mpmath.workdps(40):
        w, b = mpmath.findroot(stationarity, (mpmath.mpf(start.coef_[0, 0]),
                                              mpmath.mpf(start.intercept_[0])))
    np.testing.assert_allclose(model.coef_[0, 0], float(w), rtol=1e-8)
    np.testing.assert_allclose(model.intercept_[0], float(b), rtol=1e-8)


def test_multiclass_rows_and_intercepts_are_centred():
    X, y = dataset("4class-n300-d10")
    model = LogisticRegression(C=1.0).fit(X, y)
    # every column of W sums to 0 at the optimum (the penalty picks the centred rows);
    # the unpenalized intercepts are centred to match scikit-learn's
    assert np.abs(model.coef_.sum(axis=0)).max() < 1e-12 * np.abs(model.coef_).max()
    assert abs(model.intercept_.sum()) < 1e-12 * np.abs(model.intercept_).max()


# ---- sample weights --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["binary-n200-d5", "3class-n150-d4"])
def test_doubling_the_weights_is_doubling_c(name):
    X, y = dataset(name)
    s = np.random.default_rng(11).uniform(0.2, 2, len(y))
    weighted = LogisticRegression(C=0.7).fit(X, y, sample_weight=2 * s)
    doubled = LogisticRegression(C=1.4).fit(X, y, sample_weight=s)
    single = LogisticRegression(C=0.7).fit(X, y, sample_weight=s)
    assert rel_diff(flat(weighted), flat(doubled)) < 1e-10
    assert rel_diff(flat(weighted), flat(single)) > 1e-3  # the weights' scale does matter


@pytest.mark.parametrize("name", ["binary-n30-d2", "3class-n150-d4"])
def test_integer_weights_repeat_rows_and_zero_weights_drop_them(name):
    X, y = dataset(name)
    counts = np.random.default_rng(5).integers(0, 4, len(y))
    counts[:3] = [0, 1, 2]
    weighted = LogisticRegression(C=0.5).fit(X, y, sample_weight=counts)
    repeated = LogisticRegression(C=0.5).fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    assert rel_diff(flat(weighted), flat(repeated)) < 1e-10
    unweighted = LogisticRegression(C=0.5).fit(X, y)
    assert rel_diff(flat(weighted), flat(unweighted)) > 1e-3


# ---- labels ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, mapping", [
    ("binary-n200-d5", {0: "no", 1: "yes"}),
    ("binary-n200-d5", {0: -1, 1: 1}),
    ("binary-n200-d5", {0: 3, 1: 7}),
    ("binary-n200-d5", {0: False, 1: True}),
    ("3class-n150-d4", {0: "a", 1: "b", 2: "c"}),
    ("3class-n150-d4", {0: -5, 1: 3, 2: 10}),
])
def test_any_labels_give_the_same_model(name, mapping):
    # increasing maps keep the order of classes_, hence the rows of coef_
    X, y = dataset(name)
    labels = np.array([mapping[v] for v in y])
    reference = LogisticRegression().fit(X, y)
    model = LogisticRegression().fit(X, labels)
    np.testing.assert_array_equal(model.classes_, sorted(mapping.values()))
    np.testing.assert_allclose(flat(model), flat(reference), rtol=1e-14, atol=0)
    np.testing.assert_array_equal(model.predict(X), [mapping[v] for v in reference.predict(X)])
    assert model.score(X, labels) == reference.score(X, y)
    assert_same_model(model, sklearn_fit(X, labels, 1.0), X)


def test_binary_positive_class_is_the_larger_label():
    X, y = dataset("binary-n200-d5")
    labels = np.where(y == 1, "pos", "neg")  # "pos" > "neg": classes_[1] is "pos"
    model = LogisticRegression().fit(X, labels)
    scores = model.decision_function(X)
    assert scores.shape == (len(y),)
    np.testing.assert_array_equal(model.predict(X), np.where(scores > 0, "pos", "neg"))
    np.testing.assert_allclose(model.predict_proba(X)[:, 1], special.expit(scores), rtol=1e-14)


# ---- predictions -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["binary-n200-d5", "4class-n300-d10"])
def test_prediction_methods_are_consistent(name):
    X, y = dataset(name)
    model = LogisticRegression().fit(X, y)
    k = len(model.classes_)
    proba, log_proba = model.predict_proba(X), model.predict_log_proba(X)
    scores = model.decision_function(X)
    assert proba.shape == log_proba.shape == (len(y), k)
    assert scores.shape == ((len(y),) if k == 2 else (len(y), k))
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-14)
    np.testing.assert_allclose(log_proba, np.log(proba), rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])
    assert model.score(X, y) == np.mean(model.predict(X) == y)


@pytest.mark.parametrize("name", ["binary-n200-d5", "4class-n300-d10"])
def test_log_proba_stays_finite_far_from_the_data(name):
    X, y = dataset(name)
    model = LogisticRegression(C=100.0).fit(X, y)
    far = np.vstack([1e6 * X[:3], -1e6 * X[:3]])
    log_proba = model.predict_log_proba(far)
    assert np.isfinite(log_proba).all()
    assert log_proba.min() < -1000  # probabilities that round to 0, logs that do not
    assert np.all(log_proba <= 0)
    np.testing.assert_allclose(special.logsumexp(log_proba, axis=1), 0, atol=1e-12)


# ---- scikit-learn's tools --------------------------------------------------------------------

def test_is_a_scikit_learn_classifier_and_clones():
    assert is_classifier(LogisticRegression())
    model = LogisticRegression(C=3.0, fit_intercept=False, max_iter=7, tol=1e-8)
    copy = clone(model.fit(XC, YC))
    assert copy.get_params() == {"C": 3.0, "fit_intercept": False, "max_iter": 7, "tol": 1e-8}
    assert not hasattr(copy, "coef_")
    assert repr(LogisticRegression(C=0.5)) == "LogisticRegression(C=0.5)"


def test_init_only_stores_and_fit_returns_self():
    model = LogisticRegression(C=-1)  # validated by fit, not by __init__ (sklearn's rule)
    assert model.C == -1
    fitted = LogisticRegression()
    assert fitted.fit(XC, YC) is fitted
    assert fitted.set_params(C=0.1) is fitted and fitted.C == 0.1


@pytest.mark.parametrize("name", ["binary-n200-d5", "3class-n150-d4"])
def test_pipeline_with_standard_scaler(name):
    X, y = dataset(name)
    ours = make_pipeline(StandardScaler(), LogisticRegression(C=0.5)).fit(X, y)
    theirs = make_pipeline(StandardScaler(), sklearn_fit(X, y, 0.5)).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-9)
    np.testing.assert_allclose(ours[-1].coef_, theirs[-1].coef_, rtol=1e-7)


def test_cross_val_score_stratifies_like_sklearn():
    X, y = dataset("binary-n200-d5")
    order = np.argsort(y, kind="stable")  # sorted labels: unstratified folds would be lopsided
    X, y = X[order], y[order]
    ours = cross_val_score(LogisticRegression(), X, y, cv=5)
    theirs = cross_val_score(sklearn_fit(X, y, 1.0), X, y, cv=5)
    np.testing.assert_array_equal(ours, theirs)
    unstratified = cross_val_score(LogisticRegression(), X, y, cv=KFold(5))
    assert not np.array_equal(ours, unstratified)


@pytest.mark.parametrize("scoring", [None, "neg_log_loss"])
@pytest.mark.parametrize("name", ["binary-n200-d5", "3class-n150-d4"])
def test_grid_search_picks_the_same_c(name, scoring):
    X, y = dataset(name)
    grid = {"C": [1e-3, 1e-2, 0.1, 1.0, 10.0]}
    ours = GridSearchCV(LogisticRegression(), grid, scoring=scoring, cv=3).fit(X, y)
    theirs = GridSearchCV(sklearn_fit(X, y, 1.0), grid, scoring=scoring, cv=3).fit(X, y)
    assert ours.best_params_ == theirs.best_params_
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                               theirs.cv_results_["mean_test_score"], rtol=1e-8)
    assert isinstance(ours.best_estimator_, LogisticRegression)


# ---- C = inf: no penalty ---------------------------------------------------------------------

@pytest.mark.parametrize("X, y, sample_weight, what", [
    ([[0.0], [1], [2], [3]], [0, 0, 1, 1], None, "linearly separable"),
    ([[-1.0], [0], [0], [1]], [0, 0, 1, 1], None, "quasi-complete"),
    ([[0.0, 0], [1, 0], [0, 1], [0.1, 0.1], [1.1, 0], [0, 1.1]], [0, 1, 2, 0, 1, 2], None,
     "linearly separable"),
    ([[-2.0], [-1], [0], [0], [1], [2], [5], [6]], [0, 0, 0, 1, 1, 1, 2, 2], None,
     "quasi-complete"),
    # the sample at 10 would make the classes overlap, but it has weight 0
    ([[0.0], [1], [2], [3], [10]], ["a", "a", "b", "b", "a"], [1, 1, 1, 1, 0],
     "linearly separable"),
])
def test_no_penalty_on_separable_classes_raises(X, y, sample_weight, what):
    with pytest.raises(ValueError, match=f"C=inf.*{what}.*finite C"):
        LogisticRegression(C=np.inf).fit(X, y, sample_weight=sample_weight)
    # the same data with a penalty have a minimizer
    LogisticRegression(C=1e3).fit(X, y, sample_weight=sample_weight)


# ---- convergence and errors ------------------------------------------------------------------

@pytest.mark.filterwarnings("default::lossbook.models.logistic.ConvergenceWarning")
def test_max_iter_warns():
    X, y = dataset("4class-n300-d10")
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        model = LogisticRegression(max_iter=2).fit(X, y)
    assert model.n_iter_ == 2
    assert issubclass(ConvergenceWarning, UserWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogisticRegression().fit(X, y)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba",
                                    "decision_function"])
def test_use_before_fit_raises(method):
    with pytest.raises(NotFittedError, match="not fitted yet: call fit"):
        getattr(LogisticRegression(), method)(XC)
    with pytest.raises(ValueError):  # scikit-learn's NotFittedError is a ValueError too
        getattr(LogisticRegression(), method)(XC)


@pytest.mark.parametrize("params, X, y, sample_weight, error, match", [
    ({}, np.where(XC == 0.3, np.nan, XC), YC, None, ValueError, "X contains nan.*finite"),
    ({}, np.where(XC == 0.3, np.inf, XC), YC, None, ValueError, "X contains inf"),
    ({}, XC, YC[:-1], None, ValueError, "8 samples but y has 7"),
    ({}, XC, np.ones(8), None, ValueError, "1 class.*at least 2"),
    ({}, XC[:, 0], YC, None, ValueError, r"reshape\(-1, 1\)"),
    ({}, XC, YC, np.ones(7), ValueError, "sample_weight must have shape"),
    ({}, XC, YC, -np.ones(8), ValueError, "sample_weight must be non-negative"),
    ({}, XC, YC, np.zeros(8), ValueError, "sample_weight sums to 0"),
    ({}, XC, YC3, (YC3 != 1).astype(float), ValueError, "class 1 has total sample_weight 0"),
    ({"C": 0}, XC, YC, None, ValueError, "C must be a number > 0.*np.inf for none"),
    ({"C": -1.0}, XC, YC, None, ValueError, "C must be a number > 0"),
    ({"C": np.nan}, XC, YC, None, ValueError, "C must be a number > 0"),
    ({"C": -np.inf}, XC, YC, None, ValueError, "C must be a number > 0"),
    ({"C": [1.0]}, XC, YC, None, TypeError, "C must be a number"),
    ({"tol": -1e-3}, XC, YC, None, ValueError, "tol must be"),
    ({"max_iter": 2.5}, XC, YC, None, TypeError, "max_iter must be an integer >= 0"),
    ({"max_iter": -1}, XC, YC, None, ValueError, "max_iter must be an integer >= 0"),
])
def test_bad_fit_inputs_raise(params, X, y, sample_weight, error, match):
    with pytest.raises(error, match=match):
        LogisticRegression(**params).fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("y", [YC, YC3])
@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba",
                                    "decision_function", "score"])
def test_wrong_number_of_features_raises(y, method):
    model = LogisticRegression().fit(XC, y)
    args = (np.ones((3, 3)),) + ((y[:3],) if method == "score" else ())
    with pytest.raises(ValueError, match="X has 3 features, but the estimator was fitted with 2"):
        getattr(model, method)(*args)
    bad = np.ones((3, 2))
    bad[1, 1] = np.nan
    with pytest.raises(ValueError, match="X contains nan"):
        model.predict(bad)
