"""Test problems for the optimizers (chapters 04-05): objectives with exact gradients and Hessians.

    from lossbook.optim import problems
    problem = problems.rosenbrock()
    f, g = problem.value_and_grad(problem.x0)
    H = problem.hessian(problem.x0)
    problem.x_star, problem.f_star          # (1, 1) and 0

Two analytic functions, `quadratic` (its condition number is the knob that makes gradient
descent slow) and `rosenbrock` (a curved valley), and two empirical risks on a data set,
`least_squares` and `logistic_regression`, whose value and gradient go through the losses of
`lossbook.losses`. For a data problem, `batch` (an array of sample indices) gives the
mini-batch objective that stochastic gradient descent sees: the mean loss over those samples
plus the full penalty, so that averaging over random batches gives back the full objective.
"""

from __future__ import annotations

import numpy as np

from .._numerics import sigmoid, sigmoid_pair, softplus
from .._validation import as_float, check_finite, check_integer, check_labels, check_number
from ..losses import binary_cross_entropy_with_logits, mse


def _as_point(x, dim: int, name: str, where: str, layout: str = "") -> np.ndarray:
    """x as a finite float64 vector of shape (dim,); layout describes its entries if useful."""
    arr = as_float(x, name, where, np.dtype(np.float64))
    if arr.shape != (dim,):
        raise ValueError(
            f"{where}: {name} must be a vector of shape ({dim},), one entry per parameter"
            f"{layout}; got shape {arr.shape}"
        )
    check_finite(arr, name, where)
    return arr


class Problem:
    """An objective f: R^dim -> R to minimize, with its exact gradient and Hessian.

    value_and_grad(x, batch=None) -> (f(x), grad f(x)); value(x, batch=None); grad(x, batch=None);
    hessian(x) -> the (dim, dim) matrix of second derivatives of the full objective.

    Attributes: name; dim; x0 (a sensible start); x_star and f_star (the exact minimizer and
    minimum, None when not known in closed form); lipschitz (L: the gradient is L-Lipschitz,
    so gradient descent is stable for lr < 2 / L; None when unbounded or unknown);
    strong_convexity (mu: f - mu/2 |x|^2 is convex; 0 when f is convex but not strongly,
    None when f is not convex); n_samples (None for analytic problems, which take no batch).

    A problem of your own subclasses Problem, sets these attributes and implements
    `_value_and_grad(x, batch)` and `_hessian(x)` (optionally `_value(x, batch)`, when the
    value alone is cheaper); the public methods check x and batch before calling them.
    """

    name = "problem"
    dim: int
    x0: np.ndarray
    x_star: np.ndarray | None = None
    f_star: float | None = None
    lipschitz: float | None = None
    strong_convexity: float | None = None
    n_samples: int | None = None
    _layout = ""  # what the entries of x are, for error messages
    _params: dict = {}  # the arguments that built the problem, for repr

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"{self.name}({args})"

    def value_and_grad(self, x, batch=None) -> tuple[float, np.ndarray]:
        """(f(x), grad f(x)), on the samples in batch if given (data problems only)."""
        where = f"{self.name}.value_and_grad"
        return self._value_and_grad(self._check_x(x, where), self._check_batch(batch, where))

    def value(self, x, batch=None) -> float:
        """f(x), on the samples in batch if given (data problems only)."""
        where = f"{self.name}.value"
        return self._value(self._check_x(x, where), self._check_batch(batch, where))

    def grad(self, x, batch=None) -> np.ndarray:
        """grad f(x), on the samples in batch if given (data problems only)."""
        return self.value_and_grad(x, batch)[1]

    def hessian(self, x) -> np.ndarray:
        """The Hessian matrix of the full objective at x, shape (dim, dim)."""
        return self._hessian(self._check_x(x, f"{self.name}.hessian"))

    def _value(self, x: np.ndarray, batch) -> float:
        return self._value_and_grad(x, batch)[0]

    def _value_and_grad(self, x: np.ndarray, batch) -> tuple[float, np.ndarray]:
        raise NotImplementedError

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _check_x(self, x, where: str) -> np.ndarray:
        return _as_point(x, self.dim, "x", where, self._layout)

    def _check_batch(self, batch, where: str):
        """None, or a non-empty 1-D array of sample indices in [0, n_samples)."""
        if batch is None:
            return None
        if self.n_samples is None:
            raise ValueError(
                f"{where}: batch must be None: {self.name} is an analytic function, "
                "with no samples to draw a batch from"
            )
        n = self.n_samples
        idx = np.asarray(batch)
        if idx.size == 0:
            raise ValueError(f"{where}: batch is empty; pass at least one sample index")
        if idx.ndim != 1 or idx.dtype.kind not in "iu":
            hint = "; for a boolean mask pass np.flatnonzero(mask)" if idx.dtype == bool else ""
            raise ValueError(
                f"{where}: batch must be a 1-D array of integer sample indices in [0, {n}), "
                f"got an array of shape {idx.shape} and dtype {idx.dtype}{hint}"
            )
        if idx.min() < 0 or idx.max() >= n:
            bad = idx[(idx < 0) | (idx >= n)][0]
            raise ValueError(
                f"{where}: batch holds sample indices in [0, {n}) ({n} samples); found {bad}"
            )
        return idx


class _Quadratic(Problem):
    name = "quadratic"

    def __init__(self, condition_number, dim, seed):
        where = "quadratic"
        kappa = check_number(condition_number, "condition_number", where, low=1.0)
        dim = check_integer(dim, "dim", where, low=1)
        seed = check_integer(seed, "seed", where, low=0)
        if dim == 1 and kappa != 1:
            raise ValueError(
                f"{where}: with dim=1 there is a single eigenvalue, so condition_number must "
                f"be 1; got {condition_number!r} (use dim >= 2)"
            )
        rng = np.random.default_rng(seed)
        self._params = {"condition_number": kappa, "dim": dim, "seed": seed}
        self.dim = dim
        self.eigenvalues = np.geomspace(1.0, kappa, dim)
        self.x_star = rng.uniform(-1.0, 1.0, dim)
        if dim == 2:
            # A fixed 30-degree tilt: the valley is visibly diagonal on a contour plot, so
            # that gradient descent's zig-zag does not line up with the axes.
            c, s = np.cos(np.pi / 6), np.sin(np.pi / 6)
            self.rotation = np.array([[c, -s], [s, c]])
        else:
            # QR of a Gaussian matrix, with R's diagonal made positive: a uniformly random
            # rotation (Mezzadri 2007), so no eigen-direction is favoured.
            q, r = np.linalg.qr(rng.standard_normal((dim, dim)))
            self.rotation = q * np.sign(np.diag(r))
        a = (self.rotation * self.eigenvalues) @ self.rotation.T
        self.A = (a + a.T) / 2  # exactly symmetric, whatever the rounding of the product
        self.f_star = 0.0
        self.lipschitz = kappa
        self.strong_convexity = 1.0
        # Two units along every eigenvector: each direction, steep or flat, has work to do.
        self.x0 = self.x_star + 2.0 * self.rotation.sum(axis=1)

    def _value_and_grad(self, x, batch):
        r = x - self.x_star
        # a diverging run overflows to inf, which minimize reports as divergence: no warning
        with np.errstate(over="ignore", invalid="ignore"):
            g = self.A @ r
            return 0.5 * float(r @ g), g

    def _hessian(self, x):
        return self.A.copy()


def quadratic(condition_number: float = 10.0, dim: int = 2, seed: int = 0) -> Problem:
    """A convex quadratic bowl with a chosen condition number (chapters 04-05):

        f(x) = 1/2 (x - x*)^T A (x - x*),   A = Q diag(lambda_1, ..., lambda_dim) Q^T

    The eigenvalues of A are spaced geometrically (evenly on a log scale) from 1 to kappa =
    condition_number >= 1, so L = kappa, mu = 1 and kappa = L / mu is the condition number:
    gradient descent with lr = 1/L shrinks the error by about 1 - 1/kappa per step, while
    Newton's method lands on x* in one step. Q is a rotation: a fixed 30-degree one for
    dim=2 (a tilted ellipse), a random one drawn with `seed` otherwise. x* is drawn uniformly
    in [-1, 1]^dim with `seed`; f* = 0; x0 = x* plus 2 along every eigenvector. The matrix
    is the attribute `A`, its eigenvalues `eigenvalues`, its eigenvectors the columns of
    `rotation`.
    """
    return _Quadratic(condition_number, dim, seed)


class _Rosenbrock(Problem):
    name = "rosenbrock"

    def __init__(self, a, b, dim):
        where = "rosenbrock"
        self.a = check_number(a, "a", where, low=-np.inf)
        self.b = check_number(b, "b", where)
        self.dim = check_integer(dim, "dim", where, low=2)
        self._params = {"a": self.a, "b": self.b, "dim": self.dim}
        self.x0 = np.resize([-1.2, 1.0], self.dim)
        if self.dim == 2:
            self.x_star, self.f_star = np.array([self.a, self.a**2]), 0.0
        elif self.a in (0.0, 1.0):
            # The chain x_{i+1} = x_i^2 with every x_i = a is consistent only for a = a^2.
            self.x_star, self.f_star = np.full(self.dim, self.a), 0.0

    def _value_and_grad(self, x, batch):
        a, b = self.a, self.b
        head, tail = x[:-1], x[1:]
        # Far from the valley the terms overflow to inf, which a line search reads as "too
        # far"; numpy's overflow warning would only add noise.
        with np.errstate(over="ignore", invalid="ignore"):
            bend = tail - head**2  # x_{i+1} - x_i^2, zero along the valley floor
            miss = a - head
            value = float(np.sum(b * bend**2 + miss**2))
            grad = np.zeros_like(x)
            grad[:-1] = -4 * b * head * bend - 2 * miss
            grad[1:] += 2 * b * bend
        return value, grad

    def _hessian(self, x):
        b, head, tail = self.b, x[:-1], x[1:]
        diagonal = np.zeros_like(x)
        diagonal[:-1] = 12 * b * head**2 - 4 * b * tail + 2
        diagonal[1:] += 2 * b
        off = -4 * b * head  # d^2 f / dx_i dx_{i+1}
        i = np.arange(self.dim - 1)
        h = np.diag(diagonal)
        h[i, i + 1] = h[i + 1, i] = off
        return h


def rosenbrock(a: float = 1.0, b: float = 100.0, dim: int = 2) -> Problem:
    """Rosenbrock's banana-shaped valley, the chained n-dimensional form (chapter 05):

        f(x) = sum_{i=1}^{dim-1} [ b (x_{i+1} - x_i^2)^2 + (a - x_i)^2 ]

    For a=1, b=100 this is scipy.optimize.rosen. Not convex: the Hessian is indefinite away
    from the valley, so lipschitz and strong_convexity are None. x0 = (-1.2, 1, -1.2, 1, ...),
    the classic start. The minimum is f* = 0 at x* = (a, a^2) for dim=2, and at (a, ..., a)
    for dim > 2 when a is 0 or 1; for other a the chain x_{i+1} = x_i^2 cannot hold with
    every x_i = a, the minimum is not 0 and x_star, f_star are None. For 4 <= dim <= 7 there
    is a second, local minimum near (-1, 1, ..., 1), where descent from x0 may end.
    References: Rosenbrock (1960), The Computer Journal 3(3); Kok and Sandrock (2009),
    Evolutionary Computation 17(3), on the local minimum.
    """
    return _Rosenbrock(a, b, dim)


class _LinearModel(Problem):
    """The empirical risk of a linear model with scores s = X w + b (theta = [w; b]):

        f(theta) = mean_i loss(y_i, s_i) + alpha / 2 |w|^2      (the intercept b not penalized)

    the values of `loss` and `lossbook.penalties.l2`, written out in `_data_term` so that a
    step does not re-validate the data; the gradient is the chain rule design^T grad_s, with
    design = [X, 1] (or X without an intercept).
    """

    loss = None  # a lossbook.losses loss of (y_true, scores)

    def __init__(self, X, y, alpha, fit_intercept):
        where = self.name
        X = as_float(X, "X", where, np.dtype(np.float64))
        if X.ndim != 2:
            hint = "; for a single feature use X.reshape(-1, 1)" if X.ndim == 1 else ""
            raise ValueError(
                f"{where}: X must be a 2-D array of shape (n_samples, n_features), got shape "
                f"{X.shape}{hint}"
            )
        n, d = X.shape
        if n == 0 or d == 0:
            raise ValueError(f"{where}: X has shape {X.shape}; it needs at least one sample "
                             "and one feature")
        check_finite(X, "X", where)
        y = as_float(y, "y", where, np.dtype(np.float64))
        if y.shape != (n,):
            raise ValueError(
                f"{where}: y must have shape ({n},), one target per row of X; got shape "
                f"{y.shape}"
            )
        check_finite(y, "y", where)
        self._check_targets(y)
        self.alpha = check_number(alpha, "alpha", where)
        self.fit_intercept = bool(fit_intercept)
        self.y = y
        self.design = np.hstack([X, np.ones((n, 1))]) if self.fit_intercept else X.copy()
        self.n_samples, self.n_features = n, d
        self.dim = self.design.shape[1]
        self._params = {"n_samples": n, "n_features": d, "alpha": self.alpha}
        if not self.fit_intercept:
            self._params["fit_intercept"] = False
        self._layout = " (theta = [w; b], the intercept last)" if self.fit_intercept else ""
        self.x0 = np.zeros(self.dim)

    def _check_targets(self, y):
        pass

    def _rows(self, batch):
        if batch is None:
            return self.design, self.y
        return self.design[batch], self.y[batch]

    def _data_term(self, y, scores) -> tuple[float, np.ndarray]:
        """(mean loss, its gradient with respect to the scores), on validated arrays.

        The same numbers as self.loss.value_and_grad (tests/test_optim_problems.py checks
        it), without re-validating the data at every step: descent calls this thousands of
        times, and the checks cost more than the arithmetic on small problems.
        """
        raise NotImplementedError

    def _value(self, theta, batch):
        return self._value_and_grad(theta, batch)[0]

    def _value_and_grad(self, theta, batch):
        design, y = self._rows(batch)
        w = theta[:self.n_features]
        value, grad_scores = self._data_term(y, design @ theta)
        grad = design.T @ grad_scores  # chain rule: d scores / d theta = design
        # penalties.l2 (alpha / 2 |w|^2), written out for the same reason as _data_term
        grad[:self.n_features] += self.alpha * w
        return value + 0.5 * self.alpha * float(w @ w), grad

    def _penalty_hessian(self) -> np.ndarray:
        """alpha on the diagonal entries of the weights, 0 for the intercept."""
        return np.diag(np.where(np.arange(self.dim) < self.n_features, self.alpha, 0.0))


class _LeastSquares(_LinearModel):
    name = "least_squares"
    loss = mse

    def _data_term(self, y, scores):
        residual = scores - y
        m = residual.shape[0]
        return float(residual @ residual) / m, (2.0 / m) * residual

    def __init__(self, X, y, alpha, fit_intercept):
        super().__init__(X, y, alpha, fit_intercept)
        n, d = self.n_samples, self.n_features
        self._h = 2 * self.design.T @ self.design / n + self._penalty_hessian()
        eigenvalues = np.linalg.eigvalsh(self._h)
        self.lipschitz = float(eigenvalues[-1])
        self.strong_convexity = max(float(eigenvalues[0]), 0.0)  # >= 0 up to rounding
        # f = (1/n) |[y; 0] - [design; sqrt(n alpha / 2) [I_d 0]] theta|^2 is one least-squares
        # problem: lstsq solves it by SVD, without forming design^T design (which would
        # square the condition number). Rank-deficient X: the minimum-norm minimizer.
        rows, targets = [self.design], [self.y]
        if self.alpha > 0:
            rows.append(np.sqrt(n * self.alpha / 2) * np.eye(d, self.dim))
            targets.append(np.zeros(d))
        self.x_star = np.linalg.lstsq(np.vstack(rows), np.concatenate(targets), rcond=None)[0]
        self.f_star = self._value(self.x_star, None)

    def _hessian(self, theta):
        return self._h.copy()


def least_squares(X, y, *, alpha: float = 0.0, fit_intercept: bool = True) -> Problem:
    """Least squares (ridge when alpha > 0) for the linear model X w + b (chapters 04-06):

        f(theta) = 1/n sum_i (x_i^T w + b - y_i)^2 + alpha / 2 |w|^2,   theta = [w; b]

    The data term is `lossbook.losses.mse` (no factor 1/2), the penalty
    `lossbook.penalties.l2`; the intercept b (the last entry of theta) is not penalized.
    scikit-learn's Ridge(alpha=a) minimizes |y - X w - b|^2 + a |w|^2, the same minimizer as
    alpha = 2 a / n here. The Hessian H = 2 D^T D / n + alpha diag(1, ..., 1, 0), with
    D = [X, 1], does not depend on theta: lipschitz and strong_convexity are its largest and
    smallest eigenvalues. x_star is the minimizer from np.linalg.lstsq (the minimum-norm one
    when X is rank deficient and alpha = 0), f_star its value. x0 = 0.
    fit_intercept=False drops b (theta = w).
    """
    return _LeastSquares(X, y, alpha, fit_intercept)


class _Logistic(_LinearModel):
    name = "logistic_regression"
    loss = binary_cross_entropy_with_logits

    def __init__(self, X, y, alpha, fit_intercept):
        super().__init__(X, y, alpha, fit_intercept)
        # p (1 - p) <= 1/4, so H <= D^T D / (4n) + alpha: the 2-norm of D is its largest
        # singular value, computed without forming D^T D.
        self.lipschitz = np.linalg.norm(self.design, 2) ** 2 / (4 * self.n_samples) + self.alpha
        # Far from the data every p (1 - p) tends to 0, leaving only the penalty's curvature,
        # which the intercept does not have.
        self.strong_convexity = 0.0 if self.fit_intercept else self.alpha

    def _data_term(self, y, scores):
        m = scores.shape[0]
        # softplus(s) - y s, stable for any finite score; its derivative is sigmoid(s) - y
        return float(np.mean(softplus(scores) - y * scores)), (sigmoid(scores) - y) / m

    def _check_targets(self, y):
        check_labels(
            y, (0, 1), "y", self.name,
            "Logistic regression uses y in {0, 1}; from labels in {-1, +1} convert with "
            "y = (y + 1) / 2.",
        )

    def _hessian(self, theta):
        p, q = sigmoid_pair(self.design @ theta)  # p and 1 - p, each to full precision
        weights = p * q / self.n_samples
        return self.design.T @ (self.design * weights[:, None]) + self._penalty_hessian()


def logistic_regression(X, y, *, alpha: float = 0.0, fit_intercept: bool = True) -> Problem:
    """(L2-regularized) logistic regression for labels y in {0, 1} (chapters 05 and 07):

        f(theta) = 1/n sum_i [softplus(s_i) - y_i s_i] + alpha / 2 |w|^2,   s_i = x_i^T w + b

    the mean of `lossbook.losses.binary_cross_entropy_with_logits` plus
    `lossbook.penalties.l2` on w (the intercept b, last in theta, is not penalized).
    scikit-learn's LogisticRegression(C) minimizes C sum_i l_i + |w|^2 / 2, the same
    minimizer as alpha = 1 / (n C) here. The Hessian is D^T diag(p (1 - p)) D / n +
    alpha diag(1, ..., 1, 0), with D = [X, 1] and p = sigmoid(s); since p (1 - p) <= 1/4,
    lipschitz = lambda_max(D^T D) / (4n) + alpha bounds its largest eigenvalue everywhere.
    strong_convexity is alpha without an intercept, 0 with one (the loss flattens far from
    the data). There is no closed-form minimizer: x_star and f_star are None; `newton` finds
    it to machine precision in a few steps when alpha > 0 (with alpha = 0 and separable
    classes there is none: |w| grows forever). x0 = 0. fit_intercept=False drops b.
    """
    return _Logistic(X, y, alpha, fit_intercept)


__all__ = ["Problem", "quadratic", "rosenbrock", "least_squares", "logistic_regression"]
