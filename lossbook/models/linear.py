"""Linear regression, four ways (chapter 06): least squares, ridge, lasso and Huber.

Each estimator minimizes the same objective as its scikit-learn namesake, with the same
scaling constants, and reaches its optimum to about 1e-8 by default:

    LinearRegression  ||y - Xw - b||^2
    Ridge(alpha)      ||y - Xw - b||^2 + alpha ||w||^2
    Lasso(alpha)      ||y - Xw - b||^2 / (2 n) + alpha ||w||_1
    HuberRegressor    sum_i (sigma + 2 sigma huber_eps(r_i / sigma)) + alpha ||w||^2

The intercept b is never penalized: it is removed by centring X and y (weighted means when
sample weights are given), the penalized problem is solved for w, and b = mean(y) - mean(X) w.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._validation import check_integer, check_number
from ..losses import huber, mse
from ..penalties import l1, l2, soft_threshold
from ._base import (
    ConvergenceWarning,
    Estimator,
    RegressorMixin,
    check_sample_weight_fit,
    check_X,
    check_X_y,
)

__all__ = ["ConvergenceWarning", "HuberRegressor", "Lasso", "LinearRegression", "Ridge"]


class _LinearModel(RegressorMixin, Estimator):
    """predict, objective and input checks shared by the linear regressors."""

    def predict(self, X) -> np.ndarray:
        """Xw + b for each row of X (shape (n_samples, n_features) as in fit)."""
        self._check_fitted()
        X = check_X(X, f"{type(self).__name__}.predict", self.n_features_in_)
        return X @ self.coef_ + self.intercept_

    def _fit_inputs(self, X, y, sample_weight):
        """(X, y, sample weights) in float64, validated; weights are ones when not given."""
        where = f"{type(self).__name__}.fit"
        _check_bool(self.fit_intercept, "fit_intercept", where)
        X, y = check_X_y(X, y, where)
        y = y.astype(np.float64, copy=False)
        s = check_sample_weight_fit(sample_weight, X.shape[0], where)
        s = np.ones(X.shape[0]) if s is None else s
        self.n_features_in_ = X.shape[1]
        return X, y, s

    def _residual(self, X, y, sample_weight, name: str):
        """(r, s): residuals of the fitted model on validated (X, y) and the sample weights."""
        self._check_fitted()
        where = f"{type(self).__name__}.{name}"
        X = check_X(X, where, self.n_features_in_)
        y = check_X_y(X, y, where)[1]
        s = check_sample_weight_fit(sample_weight, X.shape[0], where)
        return y - X @ self.coef_ - self.intercept_, np.ones(X.shape[0]) if s is None else s


class LinearRegression(_LinearModel):
    """Ordinary least squares (chapter 06), scikit-learn's `LinearRegression`:

        minimize over w, b:  sum_i s_i (y_i - x_i . w - b)^2      (s_i = 1 without weights)

    No factor 1/2 or 1/n: they would not move the minimizer. With fit_intercept the weighted
    means are subtracted from X and y, which removes b; then w solves the least-squares problem
    for sqrt(s) * centred X by `np.linalg.lstsq` (an SVD). Never through the normal equations
    (X^T X) w = X^T y with an explicit inverse: forming X^T X squares the condition number, so
    nearly collinear columns with cond(X) = 1e6 would lose about 12 of 16 digits instead of 6.
    The minimum-norm solution is returned when columns are exactly collinear (rank_ < d).

    scikit-learn (its `tol=1e-6`) drops singular values below 1e-6 times the largest; here only
    those at rounding level are dropped, so on designs with cond(X) > 1e6 the two differ.

    Attributes: coef_ (n_features,), intercept_ (float), n_features_in_, rank_ (rank of the
    centred, weighted X) and singular_ (its singular values, largest first).
    """

    def __init__(self, *, fit_intercept: bool = True):
        self.fit_intercept = fit_intercept

    def fit(self, X, y, sample_weight=None) -> LinearRegression:
        """Fit the least-squares coefficients; sample_weight (n_samples,) weights each square."""
        X, y, s = self._fit_inputs(X, y, sample_weight)
        Xc, yc, x_offset, y_offset = _centre_and_weight(X, y, s, self.fit_intercept)
        coef, _, rank, singular = np.linalg.lstsq(Xc, yc, rcond=None)
        self.coef_ = coef
        self.intercept_ = float(y_offset - x_offset @ coef)
        self.rank_, self.singular_ = int(rank), singular
        return self

    def objective(self, X, y, sample_weight=None) -> float:
        """sum_i s_i (y_i - x_i . w - b)^2 at the fitted coefficients."""
        r, s = self._residual(X, y, sample_weight, "objective")
        return float(s @ r**2)


class Ridge(_LinearModel):
    """Ridge regression (chapter 06), scikit-learn's `Ridge` objective exactly:

        minimize over w, b:  sum_i s_i (y_i - x_i . w - b)^2 + alpha ||w||_2^2

    No 1/n and no 1/2 (so Ridge(alpha) is `lossbook.penalties.l2` with 2 alpha added to the
    summed squared error), and the intercept b is not penalized. With the weighted centring that
    removes b, the solution of (X~^T X~ + alpha I) w = X~^T y~ with X~ = sqrt(s) * centred X.
    alpha > 0 bounds the condition number of that system by (d_max^2 + alpha) / alpha: when it
    is below 1e6 the small d x d system is solved through the eigendecomposition of X~^T X~
    (rounding error about eps times the condition number, 1e-10 at worst, and many times faster
    for tall X); otherwise through the thin SVD X~ = U diag(d) V^T, w = V diag(d / (d^2 +
    alpha)) U^T y~, which never squares the condition number. alpha = 0 gives
    LinearRegression's solution.

    Attributes: coef_ (n_features,), intercept_ (float), n_features_in_.
    """

    def __init__(self, alpha: float = 1.0, *, fit_intercept: bool = True):
        self.alpha = alpha
        self.fit_intercept = fit_intercept

    def fit(self, X, y, sample_weight=None) -> Ridge:
        """Fit w and b; sample_weight (n_samples,) multiplies each squared residual."""
        alpha = check_number(self.alpha, "alpha", "Ridge.fit")
        X, y, s = self._fit_inputs(X, y, sample_weight)
        Xc, yc, x_offset, y_offset = _centre_and_weight(X, y, s, self.fit_intercept)
        if alpha == 0:
            coef = np.linalg.lstsq(Xc, yc, rcond=None)[0]
        else:
            coef = _ridge_solve(Xc, yc, alpha)
        self.coef_ = coef
        self.intercept_ = float(y_offset - x_offset @ coef)
        return self

    def objective(self, X, y, sample_weight=None) -> float:
        """sum_i s_i (y_i - x_i . w - b)^2 + alpha ||w||^2 at the fitted coefficients."""
        r, s = self._residual(X, y, sample_weight, "objective")
        return float(mse(np.zeros_like(r), r, reduction="sum", sample_weight=s)
                     + l2(self.coef_, alpha=2 * self.alpha))


class Lasso(_LinearModel):
    """The lasso (chapter 06), scikit-learn's `Lasso` objective exactly:

        minimize over w, b:  1 / (2 n) sum_i s_i (y_i - x_i . w - b)^2 + alpha ||w||_1

    where the sample weights s are rescaled to sum to n (scikit-learn's rule), i.e. the loss is
    sum_i s_i r_i^2 / (2 sum_i s_i); without weights, ||y - Xw - b||^2 / (2 n). The intercept is
    not penalized (removed by weighted centring). Solvers, on the centred data:

    - "cd" (default): cyclic coordinate descent. Each w_j in turn is set to its exact
      minimizer given the others, soft_threshold(x_j . r_j, n alpha) / ||x_j||^2 with r_j the
      residual without feature j; the residual is updated in place (Friedman et al. 2010).
      On correlated columns CD crawls to the optimum (scikit-learn needs ~1e5 sweeps when two
      columns correlate at 0.99995), so once the signs of w stop changing it also tries the
      exact solution for those signs, X_S^T (y - X_S w_S) = n alpha sign(w_S) on the support
      S, and keeps it when the optimality (KKT) conditions confirm it: sign(w_S) as assumed,
      and |x_j . r| / n <= alpha + tol alpha_max off S, alpha_max = ||X^T y||_inf / n being
      the smallest alpha for which w = 0.
    - "ista": proximal gradient, w <- prox_{alpha l1 / L}(w - grad / L) with step 1 / L,
      L = ||X||_2^2 / n the gradient's Lipschitz constant; slower, shown in the chapter.
    - "fista": ISTA with Nesterov momentum (Beck and Teboulle 2009), restarted whenever the
      momentum points uphill (O'Donoghue and Candes 2015).

    Stopping rule (all solvers): an iteration (a full sweep for "cd") changes no coefficient by
    more than tol * max_j |w_j|, or ("cd") the exact solution on the support is confirmed.
    With the default tol = 1e-10 the coefficients are within about 1e-8 of the optimum; a
    ConvergenceWarning says when max_iter stopped the solver first.

    Attributes: coef_ (n_features,), intercept_ (float), n_iter_ (iterations run), history_
    (the objective after each iteration, to plot convergence), dual_gap_ (primal minus dual
    objective at the end, in the objective's units: a bound on the remaining suboptimality).
    """

    def __init__(self, alpha: float = 1.0, *, fit_intercept: bool = True,
                 max_iter: int = 10000, tol: float = 1e-10, solver: str = "cd"):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver

    def fit(self, X, y, sample_weight=None) -> Lasso:
        """Fit w and b; sample_weight (n_samples,) weights each squared residual."""
        where = "Lasso.fit"
        alpha = check_number(self.alpha, "alpha", where)
        tol = check_number(self.tol, "tol", where)
        max_iter = check_integer(self.max_iter, "max_iter", where, low=1)
        if self.solver not in _LASSO_SOLVERS:
            allowed = ", ".join(map(repr, _LASSO_SOLVERS))
            raise ValueError(f"{where}: solver must be one of {allowed}, got {self.solver!r}")
        X, y, s = self._fit_inputs(X, y, sample_weight)
        n = X.shape[0]
        Xc, yc, x_offset, y_offset = _centre_and_weight(X, y, s * (n / s.sum()),
                                                        self.fit_intercept)
        coef, history, converged = _LASSO_SOLVERS[self.solver](Xc, yc, alpha, max_iter, tol)
        self.coef_ = coef
        self.intercept_ = float(y_offset - x_offset @ coef)
        self.n_iter_ = len(history)
        self.history_ = np.asarray(history)
        self.dual_gap_ = _lasso_dual_gap(Xc, yc, coef, alpha)
        if not converged:
            warnings.warn(
                f"Lasso (solver={self.solver!r}) stopped at max_iter={max_iter} before the "
                f"coefficients settled to tol={tol:g} (duality gap {self.dual_gap_:.3g}); "
                "increase max_iter, or use solver='cd', which converges fastest",
                ConvergenceWarning, stacklevel=2)
        return self

    def objective(self, X, y, sample_weight=None) -> float:
        """sum_i s_i r_i^2 / (2 sum_i s_i) + alpha ||w||_1 at the fitted coefficients."""
        r, s = self._residual(X, y, sample_weight, "objective")
        return float(0.5 * mse(np.zeros_like(r), r, sample_weight=s)
                     + l1(self.coef_, alpha=self.alpha))


class HuberRegressor(_LinearModel):
    """Robust regression with the Huber loss and a jointly estimated scale (chapter 06).

    The objective of scikit-learn's `HuberRegressor` (Huber's "concomitant scale" estimate;
    Owen 2006), over w, b and sigma > 0, with r_i = y_i - x_i . w - b:

        sum_i s_i (sigma + H_eps(r_i / sigma) sigma) + alpha ||w||_2^2,
        H_eps(z) = z^2 if |z| <= eps, else 2 eps |z| - eps^2,

    i.e. H_eps = 2 huber_eps with `lossbook.losses.huber(delta=eps)` of chapter 02. Samples
    with |r_i| > eps sigma are outliers: their pull on w is capped. Estimating sigma makes eps
    independent of the units of y. epsilon must be > 1: for epsilon <= 1 the objective never
    increases as sigma shrinks, so sigma collapses to 0 and the fit degenerates to least
    absolute deviations (scikit-learn accepts epsilon = 1). alpha ||w||^2 has no 1/2; b is not
    penalized; s_i = 1 without sample weights.

    The objective is convex and once differentiable; it is minimized by a damped (semismooth)
    Newton method on (w, b, sigma): Newton steps with a backtracking (Armijo) line search,
    started from the least-squares fit and a robust scale of its residuals (1.4826 times their
    median absolute value). Stops when a full Newton step moves no parameter by more than
    tol * max(|w|, |b|, sigma); near the optimum the convergence is quadratic.

    Attributes: coef_ (n_features,), intercept_ (float), scale_ (sigma), outliers_ (boolean,
    |r_i| > epsilon * scale_), n_iter_ (Newton iterations), n_features_in_.
    """

    def __init__(self, *, epsilon: float = 1.35, alpha: float = 0.0001,
                 fit_intercept: bool = True, max_iter: int = 100, tol: float = 1e-10):
        self.epsilon = epsilon
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y, sample_weight=None) -> HuberRegressor:
        """Fit w, b and sigma; sample_weight (n_samples,) multiplies each sample's term."""
        where = "HuberRegressor.fit"
        epsilon = check_number(self.epsilon, "epsilon", where)
        if epsilon <= 1:
            raise ValueError(
                f"{where}: epsilon must be a finite number > 1, got {epsilon!r}: with "
                "epsilon <= 1 the scale collapses to 0 (least absolute deviations). The "
                "default 1.35 keeps 95% of least squares' efficiency on Gaussian noise")
        alpha = check_number(self.alpha, "alpha", where)
        tol = check_number(self.tol, "tol", where)
        max_iter = check_integer(self.max_iter, "max_iter", where, low=1)
        X, y, s = self._fit_inputs(X, y, sample_weight)
        design = np.column_stack([X, np.ones(len(y))]) if self.fit_intercept else X
        problem = _HuberProblem(design, y, s, epsilon, alpha, X.shape[1])
        theta, n_iter, status = problem.minimize(max_iter, tol)
        d = X.shape[1]
        self.coef_ = theta[:d]
        self.intercept_ = float(theta[d]) if self.fit_intercept else 0.0
        self.scale_ = float(theta[-1])
        self.n_iter_ = n_iter
        self.outliers_ = np.abs(y - X @ self.coef_ - self.intercept_) > epsilon * self.scale_
        if status == "max_iter":
            warnings.warn(f"HuberRegressor stopped at max_iter={max_iter} before the Newton "
                          f"steps fell below tol={tol:g}; increase max_iter",
                          ConvergenceWarning, stacklevel=2)
        elif status == "stalled":
            warnings.warn(
                f"HuberRegressor: the line search stalled after {n_iter} Newton steps, before "
                f"they met tol={tol:g} (scale_={self.scale_:.3g}). The usual cause is a scale "
                "going to 0 because some samples can be fitted exactly (e.g. n_samples <= "
                "n_features + 1): the objective then degenerates to least absolute deviations "
                "and the result is approximate. Use fewer features or more samples",
                ConvergenceWarning, stacklevel=2)
        return self

    def objective(self, X, y, sample_weight=None) -> float:
        """sum_i s_i (sigma + H_eps(r_i / sigma) sigma) + alpha ||w||^2 at the fitted values."""
        r, s = self._residual(X, y, sample_weight, "objective")
        sigma = self.scale_
        h = huber(np.zeros_like(r), r / sigma, reduction="sum", sample_weight=s,
                  delta=self.epsilon)
        return float(sigma * (s.sum() + 2 * h) + l2(self.coef_, alpha=2 * self.alpha))


# ----------------------------------------------------------------------------------------------
# Shared helpers


def _check_bool(value, name: str, where: str) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {name} must be True or False, got {value!r}")


def _centre_and_weight(X, y, s, fit_intercept):
    """(sqrt(s) (X - x_offset), sqrt(s) (y - y_offset), x_offset, y_offset).

    The offsets are the s-weighted means when fitting an intercept, else zeros; then the
    weighted squared error sum_i s_i (y_i - x_i . w - b)^2 at b = y_offset - x_offset . w equals
    the plain ||y~ - X~ w||^2 of the returned arrays.
    """
    unweighted = bool(np.all(s == 1.0))  # then two full passes over X are not needed
    if fit_intercept:
        x_offset, y_offset = np.average(X, axis=0, weights=None if unweighted else s), \
            np.average(y, weights=None if unweighted else s)
    else:
        x_offset, y_offset = np.zeros(X.shape[1]), 0.0
    if unweighted:
        return X - x_offset, y - y_offset, x_offset, y_offset
    root = np.sqrt(s)
    return (X - x_offset) * root[:, None], (y - y_offset) * root, x_offset, y_offset


# ----------------------------------------------------------------------------------------------
# Lasso solvers: each minimizes ||y - Xw||^2 / (2 n) + alpha ||w||_1 for centred (X, y) and
# returns (w, objective after each iteration, converged).


def _lasso_objective(r, w, alpha, n):
    return 0.5 * (r @ r) / n + alpha * np.abs(w).sum()


def _coef_scale(X, y) -> float:
    """The size of a one-feature least-squares coefficient: what "small" is measured against."""
    col_sq = np.einsum("ij,ij->j", X, X)
    used = col_sq > 0
    return float(np.abs((X.T @ y)[used] / col_sq[used]).max(initial=0.0))


def _settled(change: float, w: np.ndarray, tol: float, scale: float) -> bool:
    # The floor (rounding error at the coefficients' natural scale) matters when w is all but
    # zero: at alpha = alpha_max a coefficient can flip between 0 and 1e-17 forever.
    return change <= max(tol * np.abs(w).max(), 16 * np.finfo(float).eps * scale)


def _lasso_cd(X, y, alpha, max_iter, tol):
    n, d = X.shape
    X = np.asfortranarray(X)  # contiguous columns: each update reads one column
    col_sq = np.einsum("ij,ij->j", X, X)
    kkt_tol = tol * np.abs(X.T @ y).max(initial=0.0) / n  # tol relative to the smallest
    w, r = np.zeros(d), y.copy()                           # alpha that gives w = 0
    signs, stable, next_try = np.zeros(d), 0, 1
    scale = _coef_scale(X, y)
    history = []
    for _ in range(max_iter):
        change = 0.0
        for j in np.flatnonzero(col_sq):  # a constant column keeps w_j = 0
            old = w[j]
            # x_j . (r + x_j w_j): the correlation of x_j with the residual that excludes j.
            new = float(soft_threshold(X[:, j] @ r + col_sq[j] * old, n * alpha)) / col_sq[j]
            if new != old:
                r -= (new - old) * X[:, j]
                w[j] = new
                change = max(change, abs(new - old))
        # coefficients at rounding level are noise: near alpha_max one would flip between 0
        # and 1e-17 forever, and its sign would keep the exact solve below from starting
        w[np.abs(w) <= 16 * np.finfo(float).eps * scale] = 0.0
        r = y - X @ w  # drop the rounding that in-place updates accumulate
        settled = _settled(change, w, tol, scale)
        # Once the signs of w stop changing, try the exact solution for those signs (doubling
        # the wait after each failed try): it ends the slow final approach of CD on correlated
        # columns, and is kept only if the optimality conditions verify it.
        stable = stable + 1 if np.array_equal(np.sign(w), signs) else 0
        signs = np.sign(w)
        try_exact = stable >= next_try
        if settled or try_exact:
            w, verified = _lasso_on_signs(X, y, w, alpha, kkt_tol)
            r = y - X @ w
            if verified:
                settled = True
            elif not np.array_equal(np.sign(w), signs):  # moved to a sign change
                signs, stable, next_try, settled = np.sign(w), 0, 1, False
            elif try_exact:
                next_try *= 2
        history.append(_lasso_objective(r, w, alpha, n))
        if settled:
            return w, history, True
    return w, history, False


def _lasso_on_signs(X, y, w, alpha, kkt_tol):
    """(w', verified): the lasso solution with the signs of w, or a step towards it.

    On the support S with signs s the lasso is smooth: X_S^T (y - X_S v_S) = n alpha s, solved
    through the SVD of X_S. v is optimal iff sign(v_S) = s and every feature off the support
    has |x_j . r| / n <= alpha (up to kkt_tol): then (v, True). If some v_j has the wrong
    sign, the objective still decreases from w towards v up to the first sign change: that
    point, with that coefficient set to 0, is returned, unverified. Otherwise (w, False).
    """
    n = X.shape[0]
    signs = np.sign(w)
    support = np.flatnonzero(signs)
    v = np.zeros(X.shape[1])
    if support.size:
        U, d, Vt = np.linalg.svd(X[:, support], full_matrices=False)
        if d[-1] <= d[0] * support.size * np.finfo(float).eps:
            return w, False  # collinear columns in the support: the optimum is not unique
        v[support] = Vt.T @ ((U.T @ y) / d - n * alpha * (Vt @ signs[support]) / d**2)
        flipped = support[np.sign(v[support]) != signs[support]]
        if flipped.size:
            # Along w + t (v - w) the objective is the smooth one until a coordinate reaches 0.
            t = w[flipped] / (w[flipped] - v[flipped])
            first = flipped[np.argmin(t)]
            moved = w + t.min() * (v - w)
            moved[first] = 0.0
            return moved, False
    correlation = np.abs(X.T @ (y - X @ v)) / n
    correlation[support] = 0.0
    if correlation.max(initial=0.0) <= alpha + kkt_tol:
        return v, True
    return w, False


def _lasso_proximal(X, y, alpha, max_iter, tol, accelerate):
    n, d = X.shape
    lipschitz = np.linalg.norm(X, 2) ** 2 / n
    w = np.zeros(d)
    if lipschitz == 0:  # every column is constant: nothing to fit
        return w, [_lasso_objective(y, w, alpha, n)], True
    step = 1 / lipschitz
    scale = _coef_scale(X, y)
    point, t = w, 1.0  # extrapolated point and momentum sequence (FISTA)
    history = []
    for _ in range(max_iter):
        grad = -(X.T @ (y - X @ point)) / n
        new = l1.prox(point - step * grad, step, alpha=alpha)
        change = np.abs(new - w).max()
        if accelerate:
            if (point - new) @ (new - w) > 0:  # momentum points uphill: restart it
                t = 1.0
            t_next = (1 + np.sqrt(1 + 4 * t * t)) / 2
            point, t = new + (t - 1) / t_next * (new - w), t_next
        else:
            point = new
        w = new
        history.append(_lasso_objective(y - X @ w, w, alpha, n))
        if _settled(change, w, tol, scale):
            return w, history, True
    return w, history, False


_LASSO_SOLVERS = {
    "cd": _lasso_cd,
    "ista": lambda X, y, alpha, max_iter, tol: _lasso_proximal(X, y, alpha, max_iter, tol, False),
    "fista": lambda X, y, alpha, max_iter, tol: _lasso_proximal(X, y, alpha, max_iter, tol, True),
}


def _lasso_dual_gap(X, y, w, alpha) -> float:
    """Primal minus dual objective, both divided by n, at w (>= 0, 0 only at the optimum).

    Dual: max over theta of (||y||^2 - ||y - theta||^2) / (2 n) subject to
    ||X^T theta||_inf <= n alpha; theta is the residual scaled into that set.
    """
    n = X.shape[0]
    r = y - X @ w
    correlation = np.abs(X.T @ r).max(initial=0.0)
    theta = r if correlation <= n * alpha else r * (n * alpha / correlation)
    dual = (y @ y - (y - theta) @ (y - theta)) / (2 * n)
    return float(max(_lasso_objective(r, w, alpha, n) - dual, 0.0))


# ----------------------------------------------------------------------------------------------
# Huber: damped Newton on theta = (w, [b], sigma)


class _HuberProblem:
    """F(theta) = sum_i s_i sigma (1 + 2 huber_eps(z_i)) + alpha ||w||^2, z = r / sigma.

    Derivatives, with psi = huber_eps' = clip(z, -eps, eps), a_i = (x_i, [1]) and
    "in" the samples with |z_i| <= eps:
        dF/dbeta   = -2 sum_i s_i psi_i a_i + 2 alpha (w, [0])        beta = (w, [b])
        dF/dsigma  = sum_i s_i (1 + 2 huber_eps(z_i) - 2 z_i psi_i)
        Hessian    = (2 / sigma) sum_in s_i (a_i, z_i)(a_i, z_i)^T + 2 alpha on the w block.
    """

    def __init__(self, A, y, s, epsilon, alpha, n_coef):
        self.A, self.y, self.s = A, y, s
        self.epsilon, self.alpha, self.n_coef = epsilon, alpha, n_coef
        self.penalized = np.zeros(A.shape[1] + 1)
        self.penalized[:n_coef] = 2 * alpha
        # sigma must stay positive; this floor only matters when y is fitted exactly.
        self.sigma_min = 10 * np.finfo(float).eps * (np.abs(y).max() or 1.0)

    def value(self, theta) -> float:
        beta, sigma = theta[:-1], theta[-1]
        z = (self.y - self.A @ beta) / sigma
        h = huber(np.zeros_like(z), z, reduction="none", delta=self.epsilon)
        w = beta[:self.n_coef]
        return float(sigma * (self.s @ (1 + 2 * h)) + self.alpha * (w @ w))

    def derivatives(self, theta):
        beta, sigma = theta[:-1], theta[-1]
        z = (self.y - self.A @ beta) / sigma
        h, psi = huber.value_and_grad(np.zeros_like(z), z, reduction="none", delta=self.epsilon)
        # huber's derivative is taken in y_pred = z; psi(z) = clip(z, -eps, eps) either way.
        grad = np.empty(len(theta))
        grad[:-1] = -2 * (self.A.T @ (self.s * psi))
        grad[-1] = self.s @ (1 + 2 * h - 2 * z * psi)
        grad += self.penalized * theta
        inlier = np.abs(z) <= self.epsilon
        B = np.column_stack([self.A[inlier], z[inlier]])
        hessian = (2 / sigma) * (B.T * self.s[inlier]) @ B
        hessian[np.diag_indices_from(hessian)] += self.penalized
        return grad, hessian

    def start(self):
        """Least-squares fit (weighted) and 1.4826 median |residual|, a robust scale."""
        root = np.sqrt(self.s)
        beta = np.linalg.lstsq(self.A * root[:, None], self.y * root, rcond=None)[0]
        r = np.abs(self.y - self.A @ beta)[self.s > 0]
        sigma = 1.4826 * np.median(r)
        if not sigma > self.sigma_min:
            sigma = max(r.mean(), self.sigma_min)
        return np.append(beta, sigma)

    def newton_step(self, theta, grad, hessian):
        """The Newton direction, with sigma held on its floor while it presses against it."""
        free = np.ones(len(theta), dtype=bool)
        free[-1] = theta[-1] > self.sigma_min or grad[-1] < 0
        step = np.zeros(len(theta))
        H, g = hessian[np.ix_(free, free)], grad[free]
        try:
            step[free] = -np.linalg.solve(H, g)
        except np.linalg.LinAlgError:  # exactly singular: too few inliers
            step[free] = -np.linalg.lstsq(H, g, rcond=None)[0]
        if not (np.all(np.isfinite(step)) and grad @ step < 0):
            step[free] = -g
        return step

    def minimize(self, max_iter, tol):
        """(theta, iterations, status) from damped Newton steps.

        status is "converged", "max_iter", or "stalled": the line search found no decrease
        along a descent direction, which happens only at the degenerate optimum sigma -> 0.
        """
        theta = self.start()
        value = self.value(theta)
        for iteration in range(1, max_iter + 1):
            rounding = 16 * np.finfo(float).eps * abs(value)
            grad, hessian = self.derivatives(theta)
            step = self.newton_step(theta, grad, hessian)
            slope = grad @ step
            if not slope < 0:  # zero (projected) gradient: optimal
                return theta, iteration, "converged"
            t = 1.0
            if theta[-1] + step[-1] < 0.1 * theta[-1]:  # sigma shrinks at most tenfold a step
                t = 0.9 * theta[-1] / -step[-1]
            # Armijo backtracking. The allowance for rounding accepts the last, tiny Newton
            # steps, whose exact decrease is below what floating point resolves in F.
            while True:
                candidate = theta + t * step
                candidate[-1] = max(candidate[-1], self.sigma_min)
                new_value = self.value(candidate)
                if new_value <= value + 1e-4 * t * slope + rounding:
                    break
                t /= 2
                if t < 1e-12:  # no decrease along a descent direction
                    return theta, iteration, "stalled"
            moved = np.abs(candidate - theta).max()
            theta, value = candidate, new_value
            if t == 1.0 and moved <= tol * np.abs(theta).max():
                return theta, iteration, "converged"
        return theta, max_iter, "max_iter"


RIDGE_MAX_CONDITION = 1e6  # above it, the SVD: the Gram route's error grows with the condition


def _ridge_solve(Xc, yc, alpha):
    """w solving (Xc^T Xc + alpha I) w = Xc^T yc, alpha > 0 (see Ridge's docstring)."""
    eigval, V = np.linalg.eigh(Xc.T @ Xc)
    eigval = np.maximum(eigval, 0.0)  # rounding can make the smallest slightly negative
    if eigval[-1] + alpha <= RIDGE_MAX_CONDITION * (eigval[0] + alpha):
        return V @ ((V.T @ (Xc.T @ yc)) / (eigval + alpha))
    U, d, Vt = np.linalg.svd(Xc, full_matrices=False)
    return Vt.T @ (d / (d * d + alpha) * (U.T @ yc))
