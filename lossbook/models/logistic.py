"""Logistic regression, binary and multinomial (chapter 07), solved by Newton's method.

    from lossbook.models import LogisticRegression
    model = LogisticRegression(C=1.0).fit(X, y)     # any two (or K) distinct labels
    model.predict_proba(X_new)                      # (n, K) probabilities, rows sum to 1

It minimizes scikit-learn's objective, C sum_i s_i l_i + |W|^2 / 2, to near machine precision:
the coefficients agree with scikit-learn's `LogisticRegression(C=C)` (lbfgs, newton-cg,
newton-cholesky, sag, saga; not liblinear, which also penalizes the intercept) to the accuracy
of scikit-learn's own solver.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .. import penalties
from .._numerics import log_softmax, sigmoid, softmax, softplus, solve_spd
from .._validation import check_integer, check_number
from ..losses import binary_cross_entropy_with_logits, cross_entropy
from ._base import (
    ClassifierMixin,
    ConvergenceWarning,
    Estimator,
    check_sample_weight_fit,
    check_X,
    check_X_y,
    encode_labels,
)

ARMIJO_C = 1e-4  # sufficient-decrease constant of the line search (Nocedal & Wright)
MIN_STEP = 2.0**-40  # a line search that must shrink further has hit rounding: stop
# Separability with C = inf is tested on the margins relative to |x_i| |W|: a margin below
# this fraction of its largest possible size counts as a tie (0 up to rounding).
TIE_TOL = 1e-9


class LogisticRegression(ClassifierMixin, Estimator):
    """L2-penalized logistic regression, binary or multinomial (chapter 07).

    The objective is scikit-learn's `LogisticRegression(C=C)`, sample weights s_i included:

        F(W, b) = C sum_i s_i l_i(W, b) + 1/2 |W|^2          (the intercepts b not penalized)

    - 2 classes: l_i = softplus(f_i) - y_i f_i with f_i = x_i . w + b and y_i = 1 for
      classes_[1], 0 for classes_[0] (`lossbook.losses.binary_cross_entropy_with_logits`);
      coef_ has shape (1, d), intercept_ (1,).
    - K >= 3 classes: l_i = log sum_k exp(f_ik) - f_i,y_i with f_ik = x_i . w_k + b_k, the
      softmax cross-entropy (`lossbook.losses.cross_entropy`), |W|^2 the squared Frobenius
      norm of all K rows; coef_ (K, d), intercept_ (K,). The K rows are identifiable thanks
      to the penalty (at the optimum every column of W sums to 0); adding one constant to
      every intercept changes nothing, so the intercepts are centred to sum to 0, as
      scikit-learn's are.

    Divided by C S, with S = sum_i s_i (n without weights), F is the mean form

        F / (C S) = sum_i s_i l_i / S + (1 / (C S)) |W|^2 / 2,

    a mean loss plus `lossbook.penalties.l2` with alpha = 1 / (C S): the same minimizer as
    the mean-loss models of chapter 06 with that alpha (SGDClassifier's alpha = 1 / (C n)).
    C is an inverse penalty strength whose effect shrinks as data accumulate; doubling every
    sample weight is the same as doubling C.

    Solver: Newton's method on the mean form, from W = 0, b = 0: solve H d = -g by Cholesky
    (never H^-1), g and H the exact gradient and Hessian (binary: D^T diag(s p (1 - p)) D / S
    plus the penalty; multinomial: the full K (d + 1) square matrix), then an Armijo
    backtracking line search from the full step t = 1. It stops when both the Euclidean norm
    of the mean form's gradient |g| (so tol does not depend on C or on the weights' scale)
    and the Newton decrement sqrt(g^T H^-1 g) (the estimated distance to the optimum in the
    Hessian's norm) are below tol, usually after 4 to 10 steps (up to ~30 for nearly
    separable classes with a large C); at max_iter it warns with a `ConvergenceWarning`.

    C = np.inf: no penalty, plain maximum likelihood. The minimizer then exists only if the
    classes overlap. If the weighted samples are linearly separable (or separable up to
    samples lying exactly on the boundary), the loss decreases forever as the coefficients
    grow and fit raises a ValueError: use a finite C. Separation is detected exactly when
    an iterate classifies every sample correctly, and up to ties of relative size 1e-9 at the
    end. With collinear features the unpenalized minimizer is not unique; fit returns one.
    Likewise, with an intercept every class needs a positive total sample weight (else its
    intercept would go to -inf): fit raises a ValueError otherwise.

    Parameters: C > 0 (np.inf for no penalty), fit_intercept, max_iter (Newton steps),
    tol (>= 0). fit(X, y, sample_weight=None) accepts any labels np.unique can sort
    (strings, {-1, 1}, {3, 7}, ...). Learned: classes_, coef_, intercept_, n_iter_ (Newton
    steps taken), n_features_in_.
    """

    def __init__(self, C: float = 1.0, fit_intercept: bool = True, max_iter: int = 100,
                 tol: float = 1e-10):
        self.C = C
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y, sample_weight=None) -> LogisticRegression:
        """Minimize the objective above on (X, y); returns self."""
        where = f"{type(self).__name__}.fit"
        C = _check_C(self.C, where)
        tol = check_number(self.tol, "tol", where)
        max_iter = check_integer(self.max_iter, "max_iter", where, low=0)
        X, y = check_X_y(X, y, where, classifier=True)
        n, d = X.shape
        s = check_sample_weight_fit(sample_weight, n, where)
        s = np.ones(n) if s is None else s
        classes, indices = encode_labels(y, where)
        class_weight = np.bincount(indices, weights=s, minlength=len(classes))
        if self.fit_intercept and not np.all(class_weight > 0):
            absent = classes[np.flatnonzero(class_weight <= 0)[0]].item()
            raise ValueError(
                f"{where}: class {absent!r} has total sample_weight 0, so its (unpenalized) "
                "intercept would decrease forever and the loss has no minimizer; drop its "
                "samples from X and y, or give them a positive weight"
            )
        design = np.hstack([X, np.ones((n, 1))]) if self.fit_intercept else X
        problem = _Objective(design, indices, s, len(classes), d, 1 / (C * s.sum()))
        theta, self.n_iter_ = _newton(problem, tol, max_iter, where)
        coef = theta.reshape(problem.rows, -1)
        self.classes_ = classes
        self.coef_ = coef[:, :d].copy()
        self.intercept_ = coef[:, d].copy() if self.fit_intercept else np.zeros(problem.rows)
        self.n_features_in_ = d
        return self

    def decision_function(self, X) -> np.ndarray:
        """The scores f = X W^T + b: shape (n,) for 2 classes (> 0 means classes_[1]),
        (n, K) for K >= 3 (the logits of predict_proba)."""
        self._check_fitted()
        X = check_X(X, f"{type(self).__name__}.decision_function", self.n_features_in_)
        scores = X @ self.coef_.T + self.intercept_
        return scores[:, 0] if len(self.classes_) == 2 else scores

    def predict(self, X) -> np.ndarray:
        """The most probable class of each row, as labels from classes_."""
        scores = self.decision_function(X)
        best = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[best]

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (n, K), columns in the order of classes_: [1 - p, p] for two
        classes with p = sigmoid(f), softmax(f) for K >= 3."""
        scores = self.decision_function(X)
        if scores.ndim == 2:
            return softmax(scores)
        # sigmoid(-f) rather than 1 - sigmoid(f), which would lose every digit for f > 37
        return np.column_stack([sigmoid(scores, negate=True), sigmoid(scores)])

    def predict_log_proba(self, X) -> np.ndarray:
        """log predict_proba(X), computed from the scores (finite even where a probability
        rounds to 0): [-softplus(f), -softplus(-f)] for two classes, log_softmax(f) else."""
        scores = self.decision_function(X)
        if scores.ndim == 2:
            return log_softmax(scores)
        return -np.column_stack([softplus(scores), softplus(-scores)])


class _Objective:
    """The mean form G = sum_i s_i l_i / S + alpha/2 |W|^2 (alpha = 1/(C S)) in the flat
    parameter theta: the rows of [W, b] (one row for two classes, K rows otherwise)."""

    def __init__(self, design, indices, s, n_classes, n_features, alpha):
        self.design, self.s, self.alpha = design, s, alpha
        self.binary = n_classes == 2
        self.rows = 1 if self.binary else n_classes
        self.cols = design.shape[1]
        self.dim = self.rows * self.cols
        self.indices = indices
        self.target = indices.astype(np.float64) if self.binary else indices
        self.loss = binary_cross_entropy_with_logits if self.binary else cross_entropy
        self.n_features = n_features
        self.weight_mask = (np.arange(self.cols) < n_features).astype(np.float64)

    def unflatten(self, theta):
        return theta.reshape(self.rows, self.cols)

    def scores(self, theta):
        f = self.design @ self.unflatten(theta).T
        return f[:, 0] if self.binary else f

    def _weights(self, theta):
        return self.unflatten(theta)[:, :self.n_features]

    def value(self, theta) -> float:
        loss = self.loss(self.target, self.scores(theta), sample_weight=self.s)
        return loss + penalties.l2(self._weights(theta), alpha=self.alpha)

    def value_and_grad(self, theta):
        # reduction "mean" with sample weights: sum_i s_i l_i / S, and d/df_i = s_i l_i' / S
        loss, grad_scores = self.loss.value_and_grad(self.target, self.scores(theta),
                                                     sample_weight=self.s)
        if self.binary:
            grad = (self.design.T @ grad_scores)[None, :]
        else:
            grad = grad_scores.T @ self.design  # (K, d + 1): the chain rule through f = D W^T
        weights = self._weights(theta)
        grad[:, :self.n_features] += penalties.l2.grad(weights, alpha=self.alpha)
        return loss + penalties.l2(weights, alpha=self.alpha), grad.ravel()

    def hessian(self, theta):
        f = self.scores(theta)
        relative = self.s / self.s.sum()
        if self.binary:
            curvature = relative * sigmoid(f) * sigmoid(f, negate=True)  # s p (1 - p) / S
            # B'B with B = sqrt(c) D: numpy hands a product of a matrix with its own
            # transpose to BLAS's symmetric routine, half the work of D' (c D)
            scaled = self.design * np.sqrt(curvature)[:, None]
            h = scaled.T @ scaled
        else:
            # d^2 l_i / df_ik df_il = p_ik [k = l] - p_ik p_il, so the (k, l) block of H is
            # D^T diag(s (p_k [k = l] - p_k p_l) / S) D
            # Since sum_l (p_k [k = l] - p_k p_l) = 0, each diagonal block is minus the sum of
            # the off-diagonal blocks of its row: K (K - 1) / 2 products instead of K (K + 1) / 2.
            p = softmax(f)
            h = np.zeros((self.rows, self.cols, self.rows, self.cols))
            for k in range(self.rows):
                for m in range(k + 1, self.rows):
                    block = self.design.T @ ((relative * p[:, k] * p[:, m])[:, None] *
                                             self.design)
                    h[k, :, m, :] = h[m, :, k, :] = -block
                    h[k, :, k, :] += block
                    h[m, :, m, :] += block
            h = h.reshape(self.dim, self.dim)
        h[np.diag_indices(self.dim)] += self.alpha * np.tile(self.weight_mask, self.rows)
        return h

    def center(self, theta):
        """Remove the common part of the K rows: the direction softmax cannot see."""
        if self.binary:
            return theta
        rows = self.unflatten(theta)
        return (rows - rows.mean(axis=0)).ravel()

    def null_projector(self):
        """The orthogonal projector onto the common-row directions (None for two classes).

        The multinomial Hessian is singular along "add the same vector to every row" (for
        the intercepts always, for W too when C = inf). The gradient is orthogonal to those
        directions, so adding the projector makes H positive definite without changing the
        Newton step on the rest: the step of the centred problem, which has a unique optimum.
        """
        if self.binary:
            return None
        return np.kron(np.full((self.rows, self.rows), 1 / self.rows), np.eye(self.cols))

    def separation(self, theta):
        """(strict, up_to_ties): does theta classify every weighted sample correctly?"""
        f = self.scores(theta)
        kept = self.s > 0
        if self.binary:
            diffs = ((2 * self.target - 1) * f)[:, None]
        else:
            own = f[np.arange(len(f)), self.indices]
            diffs = own[:, None] - f
            diffs[np.arange(len(f)), self.indices] = np.inf  # a class is not its own rival
        diffs = diffs[kept]
        strict = bool(np.all(diffs > 0))
        scale = TIE_TOL * np.linalg.norm(self.design[kept], axis=1) * np.linalg.norm(theta)
        finite = np.where(np.isinf(diffs), 0.0, diffs)
        ties = bool(np.all(diffs >= -scale[:, None]) and np.any(finite > scale[:, None]))
        return strict, ties


def _newton(problem: _Objective, tol: float, max_iter: int, where: str):
    """Damped Newton from 0; returns (theta, number of steps). Warns at max_iter.

    Converged when both |g| < tol and the Newton decrement sqrt(g^T H^-1 g) < tol: the
    gradient alone can be small where the curvature is small too (nearly separable classes
    and a large C) while the optimum is still far; the decrement measures that distance in
    the Hessian's norm, whatever the scaling of the features.
    """
    theta = np.zeros(problem.dim)
    projector = problem.null_projector()
    unpenalized = problem.alpha == 0
    stalled = converged = False
    for step in range(max_iter + 1):
        value, grad = problem.value_and_grad(theta)
        if unpenalized and problem.separation(theta)[0]:
            raise _separable_error(where, ties=False)
        grad_norm = float(np.linalg.norm(grad))
        direction = None
        if grad_norm < tol:
            direction = _newton_direction(problem, theta, grad, projector)
            converged = np.sqrt(max(-float(grad @ direction), 0.0)) < tol
        if converged or step == max_iter:
            break
        if direction is None:
            direction = _newton_direction(problem, theta, grad, projector)
        slope = float(grad @ direction)  # -(Newton decrement)^2 < 0
        t = 1.0
        # Once the predicted decrease -slope / 2 is at the rounding level of the value, the
        # Armijo test only compares rounding errors; the full Newton step is then accepted.
        if -slope > 64 * np.finfo(float).eps * abs(value):
            while problem.value(theta + t * direction) > value + ARMIJO_C * t * slope:
                t /= 2
                if t < MIN_STEP:
                    break
            if t < MIN_STEP:
                stalled = True
                break
        theta = problem.center(theta + t * direction)
    if unpenalized and problem.separation(theta)[1]:
        raise _separable_error(where, ties=True)
    if not converged:
        reason = ("the line search found no decrease (rounding)" if stalled
                  else f"max_iter={max_iter} Newton steps were taken")
        warnings.warn(
            f"{where}: did not converge: {reason} with |gradient| = {grad_norm:.3g}, tol = "
            f"{tol:.3g} (for the objective / (C sum(sample_weight)), gradient and Newton "
            "decrement must both fall below tol). Increase max_iter, loosen tol, or "
            "standardize the features.",
            ConvergenceWarning, stacklevel=3,
        )
    return theta, step


def _newton_direction(problem: _Objective, theta, grad, projector):
    """d solving H d = -g; for K >= 3 classes, on the centred rows (see null_projector)."""
    hessian = problem.hessian(theta)
    if projector is not None:
        hessian += np.trace(hessian) / problem.dim * projector
    return solve_spd(hessian, -grad)  # a tiny shift absorbs rounding at extreme C


def _separable_error(where: str, ties: bool) -> ValueError:
    how = ("separable up to samples lying exactly on the boundary (quasi-complete separation)"
           if ties else "linearly separable")
    return ValueError(
        f"{where}: with C=inf (no penalty) the classes are {how}, so the cross-entropy "
        "keeps decreasing as the coefficients grow and has no minimizer; use a finite C "
        "(e.g. C=1e4 for a weak penalty)"
    )


def _check_C(C, where: str) -> float:
    if isinstance(C, numbers.Real) and not isinstance(C, bool) and C == np.inf:
        return np.inf
    try:
        return check_number(C, "C", where, positive=True)
    except ValueError:
        raise ValueError(
            f"{where}: C must be a number > 0 (the inverse penalty strength: smaller C means "
            f"a stronger penalty; C=np.inf for none), got {C!r}"
        ) from None


__all__ = ["LogisticRegression", "ConvergenceWarning"]
