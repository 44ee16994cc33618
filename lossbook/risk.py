"""Empirical risk (chapter 01): the mean loss of a model over a data set, plus a penalty.

    from lossbook.risk import empirical_risk
    risk = empirical_risk(losses.mse, X, y, penalty=penalties.l2, alpha=0.1)
    value, grads = risk.value_and_grad(params)          # params = risk.model.init()
    minimize(risk, risk.model.init(), SGD(lr=0.1), epochs=5, batch_size=16)

R(theta) = (1/n) sum_i loss(y_i, f(x_i; theta)) + alpha * penalty(w): a loss from the catalog,
a model, a penalty; `lossbook.optim.minimize` minimizes it with any optimizer.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float, check_finite, check_sample_weight


class Linear:
    """The linear model f(x) = x w + b.

    One output: params {"w": (d,), "b": ()} and predictions of shape (n,).
    k outputs (multiclass scores): params {"w": (d, k), "b": (k,)}, predictions (n, k).
    """

    def __init__(self, n_features: int, n_outputs: int | None = None):
        self.n_features, self.n_outputs = int(n_features), n_outputs

    def __repr__(self) -> str:
        return f"Linear(n_features={self.n_features}, n_outputs={self.n_outputs})"

    def init(self) -> dict:
        """All-zero parameters: the usual start for a convex risk."""
        shape = () if self.n_outputs is None else (self.n_outputs,)
        return {"w": np.zeros((self.n_features,) + shape), "b": np.zeros(shape)}

    def predict(self, params: dict, X: np.ndarray) -> np.ndarray:
        return X @ params["w"] + params["b"]

    def backward(self, params: dict, X: np.ndarray, grad_pred: np.ndarray) -> dict:
        """The gradient of a function of the predictions, given its gradient grad_pred."""
        return {"w": X.T @ grad_pred, "b": grad_pred.sum(axis=0)}


class EmpiricalRisk:
    """R(params) = mean loss over the samples (or a batch of them) + alpha * penalty(w).

    With sample weights s the mean is the weighted mean sum(s l) / sum(s), as in every loss.

    The penalty acts on the weights "w" only: the intercept "b" is not penalized. A batch's
    risk is its mean loss plus the full penalty, so its expectation over random batches is
    the full risk (what stochastic gradient descent relies on).
    """

    def __init__(self, loss, X, y, *, model=None, penalty=None, alpha: float = 0.0,
                 sample_weight=None, loss_params: dict | None = None):
        self.X = as_float(X, "X", "empirical_risk")
        if self.X.ndim != 2:
            raise ValueError(f"empirical_risk: X must have shape (n_samples, n_features), got "
                             f"{self.X.shape}")
        check_finite(self.X, "X", "empirical_risk")
        self.y = np.asarray(y)
        if self.y.shape[:1] != self.X.shape[:1]:
            raise ValueError(f"empirical_risk: X has {self.X.shape[0]} samples but y has "
                             f"{self.y.shape[0] if self.y.ndim else 0}")
        if alpha < 0 or not np.isfinite(alpha):
            raise ValueError(f"empirical_risk: alpha must be a finite number >= 0, got {alpha!r}")
        self.loss, self.penalty, self.alpha = loss, penalty, float(alpha)
        self.loss_params = dict(loss_params or {})
        self.model = model if model is not None else Linear(self.X.shape[1],
                                                            _n_outputs(loss, self.y))
        self.n_samples = self.X.shape[0]
        self.sample_weight = None if sample_weight is None else check_sample_weight(
            sample_weight, self.n_samples, np.dtype(np.float64), "empirical_risk")

    def __repr__(self) -> str:
        penalty = "" if self.penalty is None else f" + {self.alpha:g} {self.penalty.name}"
        return f"EmpiricalRisk({self.loss.name} of {self.model!r}{penalty})"

    def value_and_grad(self, params: dict, batch=None):
        X, y, s = self.X, self.y, self.sample_weight
        if batch is not None:
            X, y, s = X[batch], y[batch], None if s is None else s[batch]
        value, grad_pred = self.loss.value_and_grad(y, self.model.predict(params, X),
                                                    sample_weight=s, **self.loss_params)
        grads = self.model.backward(params, X, grad_pred)
        if self.penalty is not None and self.alpha:
            value += self.penalty(params["w"], alpha=self.alpha)
            grads["w"] = grads["w"] + self.penalty.grad(params["w"], alpha=self.alpha)
        return value, grads

    def __call__(self, params: dict, batch=None) -> float:
        return self.value_and_grad(params, batch)[0]


def _n_outputs(loss, y):
    """One output, except for multiclass losses: one score per class."""
    if loss.task != "multiclass":
        return None
    return y.shape[1] if y.ndim == 2 else int(np.max(y)) + 1


def empirical_risk(loss, X, y, *, model=None, penalty=None, alpha: float = 0.0,
                   sample_weight=None, **loss_params) -> EmpiricalRisk:
    """The empirical risk of `model` (default: linear) under `loss` on (X, y); see EmpiricalRisk."""
    return EmpiricalRisk(loss, X, y, model=model, penalty=penalty, alpha=alpha,
                         sample_weight=sample_weight, loss_params=loss_params)
