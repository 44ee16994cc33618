"""What every lossbook estimator shares: scikit-learn's conventions without scikit-learn.

`__init__` only stores hyper-parameters; `fit` validates, learns attributes ending in `_` and
returns self; get_params / set_params read the constructor's signature, so scikit-learn's
`clone`, `Pipeline`, `cross_val_score` and `GridSearchCV` work on these classes. scikit-learn
is imported only inside `__sklearn_tags__`, which only scikit-learn calls.
"""

from __future__ import annotations

import inspect

import numpy as np

from .._validation import as_float, check_finite


class Estimator:
    """Base class: parameters from the constructor, a readable repr, scikit-learn tags."""

    _estimator_type: str | None = None  # "regressor" or "classifier"

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [p.name for p in signature.parameters.values()
                if p.name != "self" and p.kind is not p.VAR_KEYWORD]

    def get_params(self, deep: bool = True) -> dict:
        """The constructor's parameters and their current values."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Change parameters by name (what GridSearchCV does); returns self."""
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"{type(self).__name__}.set_params: unknown parameter {name!r}; "
                    f"valid parameters are {', '.join(valid)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {p.name: p.default for p in inspect.signature(type(self).__init__)
                    .parameters.values() if p.name != "self"}
        changed = {k: v for k, v in self.get_params().items()
                   if not _same(v, defaults.get(k, inspect.Parameter.empty))}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    def __sklearn_tags__(self):
        # scikit-learn >= 1.6 asks estimators for their tags; imported lazily so that lossbook
        # never needs scikit-learn unless scikit-learn itself is calling.
        from sklearn.utils import ClassifierTags, RegressorTags, Tags, TargetTags

        tags = Tags(estimator_type=self._estimator_type, target_tags=TargetTags(required=True))
        if self._estimator_type == "classifier":
            tags.classifier_tags = ClassifierTags()
        elif self._estimator_type == "regressor":
            tags.regressor_tags = RegressorTags()
        return tags

    def _check_fitted(self, attribute: str = "coef_") -> None:
        if not hasattr(self, attribute):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet: call fit(X, y) before using it"
            )


class NotFittedError(ValueError, AttributeError):
    """Raised when an estimator is used before fit (a ValueError, like scikit-learn's)."""


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped (at max_iter, or stalled) before meeting its tolerance."""


def _same(a, b) -> bool:
    try:
        return bool(a == b) if not isinstance(a, np.ndarray) else False
    except (TypeError, ValueError):
        return False


class RegressorMixin:
    _estimator_type = "regressor"

    def score(self, X, y, sample_weight=None) -> float:
        """The coefficient of determination R^2 of predict(X) against y."""
        y = as_float(y, "y", f"{type(self).__name__}.score")
        pred = self.predict(X)
        _check_score_lengths(pred, y, type(self).__name__)
        w = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, float)
        residual = np.sum(w * (y - pred) ** 2)
        total = np.sum(w * (y - np.average(y, weights=w)) ** 2)
        return float(1 - residual / total) if total > 0 else float(residual == 0)


class ClassifierMixin:
    _estimator_type = "classifier"

    def score(self, X, y, sample_weight=None) -> float:
        """The accuracy of predict(X) against y."""
        pred, y = self.predict(X), np.asarray(y)
        _check_score_lengths(pred, y, type(self).__name__)
        correct = (pred == y).astype(float)
        return float(np.average(correct, weights=sample_weight))


def _check_score_lengths(pred, y, name):
    if np.shape(y) != np.shape(pred):
        raise ValueError(f"{name}.score: X has {len(pred)} samples but y has shape "
                         f"{np.shape(y)}; pass one target per row of X")


def check_X(X, where: str, n_features: int | None = None) -> np.ndarray:
    """X as a finite float array of shape (n_samples, n_features)."""
    X = as_float(X, "X", where, np.dtype(np.float64))  # estimators compute in float64
    if X.ndim != 2:
        raise ValueError(f"{where}: X must have shape (n_samples, n_features), got {X.shape}; "
                         "for a single feature use X.reshape(-1, 1)")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{where}: X has shape {X.shape}; it needs at least one sample and "
                         "one feature")
    check_finite(X, "X", where)
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"{where}: X has {X.shape[1]} features, but the estimator was fitted "
                         f"with {n_features}")
    return X


def check_X_y(X, y, where: str, *, classifier: bool = False):
    """Validated (X, y): matching lengths, finite values; y float for regression."""
    X = check_X(X, where)
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{where}: y must have shape (n_samples,), got {y.shape}")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"{where}: X has {X.shape[0]} samples but y has {y.shape[0]}")
    if not classifier:
        y = as_float(y, "y", where)
        check_finite(y, "y", where)
    elif y.dtype.kind == "f":
        check_finite(y, "y", where)
    return X, y


def check_sample_weight_fit(sample_weight, n: int, where: str):
    if sample_weight is None:
        return None
    from .._validation import check_sample_weight

    return check_sample_weight(sample_weight, n, np.dtype(np.float64), where)


def encode_labels(y, where: str, *, min_classes: int = 2):
    """(classes_, indices): the sorted distinct labels and each sample's index into them."""
    y = np.asarray(y)
    if y.dtype.kind == "f" and not np.all(y == np.round(y)):
        raise ValueError(f"{where}: y holds continuous values such as {y[y != np.round(y)][0]!r}; "
                         "a classifier needs class labels (use a regressor for real targets)")
    classes, indices = np.unique(y, return_inverse=True)
    if classes.size < min_classes:
        raise ValueError(
            f"{where}: y has {classes.size} class ({classes.tolist()}); a classifier needs at "
            f"least {min_classes} distinct labels"
        )
    return classes, indices
