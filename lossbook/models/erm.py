"""ERMRegressor and ERMClassifier: the course's central idea as an estimator (chapters 01, 06-08).

A model is fitted by minimizing the empirical risk, mean loss + alpha * penalty(w): pick a loss
from the catalog, a penalty, an optimizer from lossbook.optim, and `fit` runs
`lossbook.optim.minimize` on `lossbook.risk.empirical_risk`.
"""

from __future__ import annotations

import copy

import numpy as np

from .. import losses, penalties
from .._numerics import sigmoid, softmax
from .._validation import check_number
from ..optim import Adam, minimize
from ..optim._base import Optimizer
from ..risk import empirical_risk
from ._base import (
    ClassifierMixin,
    Estimator,
    RegressorMixin,
    check_X,
    check_X_y,
    encode_labels,
)

# Losses whose score turns into a probability, and how.
PROBABILISTIC = {"logistic": "sigmoid", "binary_cross_entropy_with_logits": "sigmoid",
                 "focal": "sigmoid", "cross_entropy": "softmax"}


def _resolve(value, module, kind, where):
    """A loss or penalty given by name ("mse") or as the object itself."""
    if isinstance(value, str):
        found = getattr(module, value, None)
        if found is None or not hasattr(found, "name"):
            raise ValueError(f"{where}: unknown {kind} {value!r}; the names are those of "
                             f"{module.__name__}")
        return found
    if not hasattr(value, "name"):
        raise TypeError(f"{where}: {kind} must be a name or a lossbook {kind}, got {value!r}")
    return value


class _ERM(Estimator):
    """Shared fitting: the risk of a linear model, minimized by a copy of `optimizer`."""

    def __init__(self, loss, penalty=None, alpha=0.0, optimizer=None, steps=1000, epochs=None,
                 batch_size=None, schedule=None, seed=0, loss_params=None):
        self.loss, self.penalty, self.alpha = loss, penalty, alpha
        self.optimizer, self.steps, self.epochs = optimizer, steps, epochs
        self.batch_size, self.schedule, self.seed = batch_size, schedule, seed
        self.loss_params = loss_params

    def _minimize(self, X, targets, loss, sample_weight):
        where = f"{type(self).__name__}.fit"
        penalty = None if self.penalty is None else _resolve(self.penalty, penalties, "penalty",
                                                             where)
        alpha = check_number(self.alpha, "alpha", where)
        optimizer = Adam(lr=0.01) if self.optimizer is None else self.optimizer
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{where}: optimizer must be a lossbook.optim optimizer, "
                            f"got {optimizer!r}")
        optimizer = copy.deepcopy(optimizer)  # fit twice, get the same model twice
        optimizer.reset()
        risk = empirical_risk(loss, X, targets, penalty=penalty, alpha=alpha,
                              sample_weight=sample_weight, **(self.loss_params or {}))
        full_batch = self.batch_size is None
        self.history_ = minimize(
            risk, risk.model.init(), optimizer, steps=self.steps if full_batch else None,
            epochs=None if full_batch else (self.epochs or 10), batch_size=self.batch_size,
            schedule=self.schedule, seed=self.seed)
        params = self.history_.x
        self.n_features_in_ = X.shape[1]
        self.n_iter_ = self.history_.steps
        return params

    def _scores(self, X):
        self._check_fitted()
        X = check_X(X, f"{type(self).__name__}.predict", self.n_features_in_)
        return X @ self.coef_.T + self.intercept_


class ERMRegressor(RegressorMixin, _ERM):
    """Linear regression by empirical risk minimization with any regression loss.

        minimize over w, b:  (1 / sum s) sum_i s_i loss(y_i, x_i w + b) + alpha * penalty(w)

    loss: a regression loss of lossbook.losses or its name (default "mse"); penalty: None,
    "l1", "l2", "elastic_net" or a lossbook.penalties object; the intercept is not penalized.
    optimizer: any lossbook.optim optimizer (default Adam(lr=0.01)), copied at each fit;
    steps full-batch steps, or epochs of mini-batches of batch_size; schedule: an optional
    learning-rate schedule. Learned: coef_ (d,), intercept_, history_ (the optimization run).
    """

    def __init__(self, loss="mse", penalty=None, alpha=0.0, optimizer=None, steps=1000,
                 epochs=None, batch_size=None, schedule=None, seed=0, loss_params=None):
        super().__init__(loss, penalty, alpha, optimizer, steps, epochs, batch_size, schedule,
                         seed, loss_params)

    def fit(self, X, y, sample_weight=None):
        where = "ERMRegressor.fit"
        loss = _resolve(self.loss, losses, "loss", where)
        if loss.task != "regression":
            raise ValueError(f"{where}: {loss.name} is a {loss.task} loss; use ERMClassifier "
                             "or a regression loss (mse, mae, huber, ...)")
        X, y = check_X_y(X, y, where)
        params = self._minimize(X, y, loss, sample_weight)
        self.coef_, self.intercept_ = params["w"], float(params["b"])
        return self

    def predict(self, X):
        return self._scores(X)


class ERMClassifier(ClassifierMixin, _ERM):
    """Linear classification by empirical risk minimization with any classification loss.

        minimize over w, b:  (1 / sum s) sum_i s_i loss(t_i, x_i w + b) + alpha * penalty(w)

    Any two (or k) distinct labels are accepted; classes_ holds them sorted, and the targets
    t_i follow each loss's convention: {-1, +1} for the margin losses (hinge, logistic, ...),
    {0, 1} for the binary cross-entropies and focal, class indices with one score per class
    for cross_entropy and multiclass_hinge (coef_ (k, d)). Binary models have coef_ (1, d).
    Everything else as ERMRegressor; default loss "logistic". With loss="logistic",
    penalty="l2" and alpha = 1 / (C n), the optimum is scikit-learn's LogisticRegression(C).
    """

    def __init__(self, loss="logistic", penalty=None, alpha=0.0, optimizer=None, steps=1000,
                 epochs=None, batch_size=None, schedule=None, seed=0, loss_params=None):
        super().__init__(loss, penalty, alpha, optimizer, steps, epochs, batch_size, schedule,
                         seed, loss_params)

    def fit(self, X, y, sample_weight=None):
        where = "ERMClassifier.fit"
        loss = _resolve(self.loss, losses, "loss", where)
        if loss.task not in ("binary", "multiclass"):
            raise ValueError(f"{where}: {loss.name} is a {loss.task} loss; use a classification "
                             "loss (logistic, hinge, cross_entropy, ...)")
        X, y = check_X_y(X, y, where, classifier=True)
        self.classes_, index = encode_labels(y, where)
        if loss.task == "binary":
            if self.classes_.size != 2:
                raise ValueError(f"{where}: {loss.name} is a binary loss but y has "
                                 f"{self.classes_.size} classes; use cross_entropy")
            targets = 2.0 * index - 1 if "-1" in loss.targets else index.astype(float)
        else:
            targets = index
        params = self._minimize(X, targets, loss, sample_weight)
        self.coef_ = np.atleast_2d(params["w"].T)
        self.intercept_ = np.atleast_1d(params["b"])
        self._link = PROBABILISTIC.get(loss.name)
        return self

    def decision_function(self, X):
        scores = self._scores(X)
        return scores[:, 0] if self.coef_.shape[0] == 1 else scores

    def predict(self, X):
        scores = self.decision_function(X)
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]

    def predict_proba(self, X):
        """Class probabilities, for losses that are negative log-likelihoods (logistic,
        binary_cross_entropy_with_logits, focal's sigmoid, cross_entropy)."""
        self._check_fitted()
        if self._link is None:
            raise AttributeError(f"predict_proba: the {self.loss} loss does not model "
                                 "probabilities; use decision_function")
        scores = self.decision_function(X)
        if scores.ndim == 1:
            # sigmoid(-f), not 1 - sigmoid(f): the class-0 probability keeps its digits
            return np.column_stack([sigmoid(scores, negate=True), sigmoid(scores)])
        return softmax(scores)
