"""Estimators of the case-study chapters, scikit-learn style, solved to high precision.

Chapter 06: LinearRegression, Ridge, Lasso, HuberRegressor. Chapter 07: LogisticRegression.
Chapter 08: SoftMarginSVM. Chapters 01 and 06-08: ERMRegressor, ERMClassifier (any loss +
any penalty + any lossbook.optim optimizer). They follow scikit-learn's API and work inside
its clone, Pipeline, cross_val_score and GridSearchCV, without needing scikit-learn.
"""

from ._base import ConvergenceWarning, NotFittedError
from .erm import ERMClassifier, ERMRegressor
from .linear import HuberRegressor, Lasso, LinearRegression, Ridge
from .logistic import LogisticRegression
from .svm import SoftMarginSVM

__all__ = [
    "LinearRegression", "Ridge", "Lasso", "HuberRegressor", "LogisticRegression",
    "SoftMarginSVM", "ERMRegressor", "ERMClassifier", "ConvergenceWarning", "NotFittedError",
]
