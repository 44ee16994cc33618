"""ERMRegressor / ERMClassifier: empirical risk minimization reaches the exact solvers' optima."""

import numpy as np
import pytest
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from lossbook import datasets
from lossbook.models._base import NotFittedError
from lossbook.models.erm import ERMClassifier, ERMRegressor
from lossbook.optim import SGD, Adam, schedules

X_BIN, Y_BIN = datasets.blobs(200, separation=1.5, seed=0)
X3, Y3 = datasets.blobs(300, n_classes=3, separation=2.0, seed=1)
RNG = np.random.default_rng(0)
X_REG = RNG.normal(size=(150, 3))
Y_REG = X_REG @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.2 * RNG.normal(size=150)
STEPS = 1500


def annealed_adam(lr=0.1):
    return dict(optimizer=Adam(lr=lr), steps=STEPS, schedule=schedules.cosine(lr, STEPS))


@pytest.mark.parametrize("C", [0.1, 1.0])
def test_logistic_loss_with_l2_reaches_sklearn_logistic_regression(C):
    # sklearn: C sum(l) + |w|^2 / 2  ==  n C [mean(l) + |w|^2 / (2 C n)]: alpha = 1 / (C n)
    n = len(Y_BIN)
    ours = ERMClassifier(loss="logistic", penalty="l2", alpha=1 / (C * n),
                         **annealed_adam()).fit(X_BIN, Y_BIN)
    ref = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X_BIN, Y_BIN)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ours.predict_proba(X_BIN), ref.predict_proba(X_BIN), atol=1e-7)


def test_multiclass_cross_entropy_reaches_sklearn_multinomial():
    n, C = len(Y3), 1.0
    ours = ERMClassifier(loss="cross_entropy", penalty="l2", alpha=1 / (C * n),
                         **annealed_adam()).fit(X3, Y3)
    ref = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X3, Y3)
    np.testing.assert_allclose(ours.predict_proba(X3), ref.predict_proba(X3), atol=1e-6)
    assert ours.coef_.shape == (3, 2)


@pytest.mark.parametrize("alpha", [0.0, 0.5])
def test_mse_with_l2_reaches_least_squares_and_ridge(alpha):
    # mean((y - Xw - b)^2) + (alpha / 2)|w|^2 == (1 / n)[|r|^2 + (n alpha / 2)|w|^2]
    n = len(Y_REG)
    ours = ERMRegressor(loss="mse", penalty="l2", alpha=alpha, **annealed_adam()).fit(X_REG, Y_REG)
    ref = (Ridge(alpha=n * alpha / 2) if alpha else LinearRegression()).fit(X_REG, Y_REG)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-7)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-7)
    assert ours.score(X_REG, Y_REG) == pytest.approx(ref.score(X_REG, Y_REG), rel=1e-9)


def test_huber_loss_resists_outliers_that_pull_least_squares():
    X, y, _ = datasets.regression_with_outliers(seed=3)
    robust = ERMRegressor(loss="huber", **annealed_adam()).fit(X, y)
    squares = ERMRegressor(loss="mse", **annealed_adam()).fit(X, y)
    assert abs(robust.coef_[0] - 2.0) < 0.3 < abs(squares.coef_[0] - 2.0)


def test_any_labels_and_margin_losses():
    words = np.where(Y_BIN == 1, "spam", "ham")
    signed = 2 * Y_BIN - 1
    models = [ERMClassifier(loss="hinge", penalty="l2", alpha=0.01, **annealed_adam())
              .fit(X_BIN, labels) for labels in (Y_BIN, words, signed)]
    for model in models[1:]:
        np.testing.assert_allclose(model.coef_, models[0].coef_)
    assert set(models[1].predict(X_BIN)) <= {"spam", "ham"}
    with pytest.raises(AttributeError, match="does not model probabilities"):
        models[0].predict_proba(X_BIN)


def test_sample_weights_act_like_repeated_samples():
    counts = np.random.default_rng(2).integers(1, 4, size=len(Y_REG))
    weighted = ERMRegressor(**annealed_adam()).fit(X_REG, Y_REG, sample_weight=counts)
    repeated = ERMRegressor(**annealed_adam()).fit(np.repeat(X_REG, counts, axis=0),
                                                   np.repeat(Y_REG, counts))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-6)


def test_mini_batch_fit_is_seeded_and_fits_twice_the_same():
    model = ERMRegressor(optimizer=SGD(lr=0.05), epochs=20, batch_size=16, seed=4)
    first = model.fit(X_REG, Y_REG).coef_.copy()
    np.testing.assert_array_equal(model.fit(X_REG, Y_REG).coef_, first)
    assert len(model.history_.epoch_loss) == 20
    np.testing.assert_allclose(first, LinearRegression().fit(X_REG, Y_REG).coef_, atol=0.05)


def test_works_inside_sklearn_tools():
    assert is_classifier(ERMClassifier()) and is_regressor(ERMRegressor())
    model = ERMClassifier(penalty="l2", alpha=0.01, steps=300, optimizer=Adam(lr=0.1))
    assert repr(clone(model)) == repr(model)
    pipe = Pipeline([("scale", StandardScaler()), ("erm", model)])
    scores = cross_val_score(pipe, X_BIN, Y_BIN, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.7
    search = GridSearchCV(ERMRegressor(steps=300, optimizer=Adam(lr=0.1), penalty="l2"),
                          {"alpha": [0.0, 100.0]}, cv=3).fit(X_REG, Y_REG)
    assert search.best_params_ == {"alpha": 0.0}


@pytest.mark.parametrize("make, X, y, error, message", [
    (lambda: ERMClassifier(loss="mse"), X_BIN, Y_BIN, ValueError, "regression loss"),
    (lambda: ERMRegressor(loss="hinge"), X_REG, Y_REG, ValueError, "use ERMClassifier"),
    (lambda: ERMClassifier(loss="nope"), X_BIN, Y_BIN, ValueError, "unknown loss 'nope'"),
    (lambda: ERMClassifier(loss="hinge"), X3, Y3, ValueError, "3 classes; use cross_entropy"),
    (lambda: ERMClassifier(), X_BIN, np.zeros(200), ValueError, "1 class"),
    (lambda: ERMRegressor(alpha=-1.0, penalty="l2"), X_REG, Y_REG, ValueError, "alpha"),
    (lambda: ERMRegressor(optimizer="adam"), X_REG, Y_REG, TypeError, "lossbook.optim"),
    (lambda: ERMRegressor(), X_REG, Y_REG[:-1], ValueError, "150 samples but y has 149"),
])
def test_bad_input(make, X, y, error, message):
    with pytest.raises(error, match=message):
        make().fit(X, y)


def test_nan_and_predict_before_fit():
    X = X_REG.copy()
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="contains nan"):
        ERMRegressor().fit(X, Y_REG)
    with pytest.raises(NotFittedError, match="call fit"):
        ERMRegressor().predict(X_REG)


def test_score_checks_that_y_matches_X():
    model = ERMRegressor(steps=10).fit(X_REG, Y_REG)
    with pytest.raises(ValueError, match="150 samples but y has shape"):
        model.score(X_REG, Y_REG[:-1])
    classifier = ERMClassifier(steps=10).fit(X_BIN, Y_BIN)
    with pytest.raises(ValueError, match="200 samples but y has shape"):
        classifier.score(X_BIN, Y_BIN[:5])


def test_predict_proba_keeps_the_digits_of_a_small_class_zero_probability():
    X = np.array([[-1.0], [1.0], [-2.0], [2.0]])
    y = np.array([0, 1, 0, 1])
    model = ERMClassifier(loss="logistic", alpha=0.0, steps=5).fit(X, y)
    scores = model.decision_function(np.array([[200.0]]))
    proba = model.predict_proba(np.array([[200.0]]))
    # P(class 0) = 1 / (1 + e^f) = e^-f / (1 + e^-f), relative to float precision
    np.testing.assert_allclose(proba[0, 0], np.exp(-scores[0]) / (1 + np.exp(-scores[0])),
                               rtol=1e-12)
    assert proba[0, 0] > 0
