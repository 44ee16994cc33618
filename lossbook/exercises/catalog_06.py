"""Exercises of chapter 06 (linear regression): least squares by QR, ridge with an unpenalized
intercept, soft-thresholding, and one sweep of lasso coordinate descent."""

from __future__ import annotations

import numpy as np

from ..models import LinearRegression, Ridge
from ..penalties import soft_threshold as _soft_threshold
from ._core import Exercise, Misconception, Property

# ----------------------------------------------------------------------------------------------
# 06.least_squares_qr


def _least_squares(X, y):
    return LinearRegression(fit_intercept=False).fit(X, y).coef_


def _design(rng, n, d, *, intercept=True):
    """A well-conditioned design with columns of different scales and means."""
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 3, size=d) + rng.normal(scale=2, size=d)
    if intercept:
        X[:, 0] = 1.0
    return X


def _least_squares_cases(rng):
    cases = []
    for n, d in [(int(rng.integers(6, 40)), int(rng.integers(2, 7))), (7, 1), (5, 5),
                 (int(rng.integers(20, 60)), 3)]:
        X = _design(rng, n, d, intercept=d > 1)
        cases.append((X, X @ rng.normal(scale=2, size=d) + rng.normal(size=n)))
    x = np.sort(rng.uniform(-1, 1, 15))  # cubic polynomial features: mildly ill-conditioned
    cases.append((np.vander(x, 4, increasing=True), np.cos(3 * x) + 0.1 * rng.normal(size=15)))
    return cases


def _ill_conditioned_case():
    """Polynomial features 1, x, ..., x^9 on 30 points of [0, 1]: cond(X) is about 4e6."""
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(0, 1, 30))
    y = np.sin(2 * np.pi * x) + 0.1 * rng.normal(size=30)
    return np.vander(x, 10, increasing=True), y


ILL_CONDITIONED = _ill_conditioned_case()


def _accurate_on_ill_conditioned(outputs) -> bool:
    (got,) = outputs
    want = _least_squares(*ILL_CONDITIONED)
    got = np.asarray(got, dtype=float)
    return got.shape == want.shape and bool(
        np.linalg.norm(got - want) <= 1e-7 * np.linalg.norm(want))


def _per_column(X, y):
    return (X.T @ y) / np.einsum("ij,ij->j", X, X)


def _qr_parts(X, y):
    Q, R = np.linalg.qr(X)
    return Q, R, Q.T @ y


LEAST_SQUARES_QR = Exercise(
    id="06.least_squares_qr", name="least_squares_qr", points=2,
    reference=_least_squares,
    public_cases=[(np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]]),
                   np.array([1.0, 2.0, 2.0, 4.0]))],
    hidden_cases=_least_squares_cases,
    misconceptions=[
        Misconception(_per_column,
                      "you regressed y on each column separately (w_j = x_j . y / x_j . x_j); "
                      "that is right only when the columns are orthogonal. Solve for all "
                      "coefficients together: X = QR, then R w = Q^T y"),
        Misconception(lambda X, y: _qr_parts(X, y)[2],
                      "you return Q^T y: that is R w, not w. Solve the triangular system "
                      "R w = Q^T y (np.linalg.solve or scipy.linalg.solve_triangular)"),
        Misconception(lambda X, y: np.linalg.solve(_qr_parts(X, y)[1].T, _qr_parts(X, y)[2]),
                      "you solved R^T w = Q^T y; the system is R w = Q^T y (R is upper "
                      "triangular: back substitution)"),
        Misconception(lambda X, y: X @ _least_squares(X, y),
                      "you return the fitted values X w (one per sample); return the "
                      "coefficients w (one per column of X)"),
        Misconception(lambda X, y: np.linalg.solve(X[:X.shape[1]], y[:X.shape[1]]),
                      "you solved X w = y on the first d rows only, which fits those points "
                      "exactly and ignores the rest; least squares uses every row"),
    ],
    properties=[Property(
        "on an ill-conditioned design (polynomial features 1, x, ..., x^9 on [0, 1], "
        "cond(X) about 4e6) your coefficients are off by more than 1e-7 relative. Forming "
        "X^T X (normal equations, inv) squares the condition number; factor X itself with "
        "np.linalg.qr and solve R w = Q^T y",
        cases=[ILL_CONDITIONED], holds=_accurate_on_ill_conditioned)],
)

# ----------------------------------------------------------------------------------------------
# 06.ridge_fit


def _ridge(X, y, alpha):
    model = Ridge(alpha).fit(X, y)
    return model.coef_, model.intercept_


def _ridge_centred(X, y, alpha, *, scale=1.0, intercept="centred"):
    """Ridge with a given scaling of alpha, and a given (wrong) way of handling b."""
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    w = np.linalg.solve(Xc.T @ Xc + scale * alpha * np.eye(X.shape[1]), Xc.T @ yc)
    b = y_mean if intercept == "mean_y" else y_mean - x_mean @ w
    return w, b


def _ridge_uncentred(X, y, alpha, *, b_from_means):
    w = np.linalg.solve(X.T @ X + alpha * np.eye(X.shape[1]), X.T @ y)
    return w, (y.mean() - X.mean(axis=0) @ w) if b_from_means else 0.0


def _ridge_penalized_intercept(X, y, alpha):
    A = np.column_stack([X, np.ones(len(y))])
    theta = np.linalg.solve(A.T @ A + alpha * np.eye(A.shape[1]), A.T @ y)
    return theta[:-1], theta[-1]


def _ridge_cases(rng):
    cases = []
    for n, d, alpha in [(int(rng.integers(8, 40)), int(rng.integers(2, 7)), 0.0),
                        (int(rng.integers(8, 40)), int(rng.integers(1, 7)),
                         float(rng.uniform(0.1, 5))),
                        (5, 9, float(rng.uniform(0.5, 3))),      # more features than samples
                        (30, 4, float(rng.uniform(200, 2000))),   # strong shrinkage
                        (1 + int(rng.integers(2, 4)), 1, float(rng.uniform(0, 2)))]:
        X = rng.normal(size=(n, d)) * rng.uniform(0.5, 3, size=d) + rng.normal(scale=3, size=d)
        y = X @ rng.normal(size=d) + rng.normal(scale=4) + rng.normal(size=n)
        cases.append((X, y, alpha))
    X = rng.normal(size=(12, 3)) + 2.0
    X[:, 1] = 5.0  # a constant column: centred it is zero, so its coefficient is 0
    cases.append((X, X @ np.array([1.0, 0.0, -2.0]) + 1 + rng.normal(size=12), 1.0))
    return cases


RIDGE_FIT = Exercise(
    id="06.ridge_fit", name="ridge_fit", points=2,
    reference=_ridge,
    public_cases=[(np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 4.0], [4.0, 3.0], [5.0, 6.0]]),
                   np.array([3.0, 2.0, 7.0, 6.0, 12.0]), 2.0)],
    hidden_cases=_ridge_cases,
    misconceptions=[
        Misconception(_ridge_penalized_intercept,
                      "you penalized the intercept: a column of ones inside the penalty "
                      "shrinks b towards 0 as well. Centre X and y, solve "
                      "(Xc^T Xc + alpha I) w = Xc^T yc, then b = mean(y) - mean(X) . w"),
        Misconception(lambda X, y, a: _ridge_uncentred(X, y, a, b_from_means=True),
                      "you forgot to centre X and y before solving for w, so the penalty "
                      "also acts on the part of w that stands in for the intercept. Solve "
                      "(Xc^T Xc + alpha I) w = Xc^T yc with Xc = X - mean(X), yc = y - mean(y)"),
        Misconception(lambda X, y, a: _ridge_uncentred(X, y, a, b_from_means=False),
                      "your model has no intercept (b = 0). Centre X and y, solve for w, then "
                      "b = mean(y) - mean(X) . w"),
        Misconception(lambda X, y, a: _ridge_centred(X, y, a, scale=len(y)),
                      "you scaled alpha by n, as for the objective mean((y - Xw - b)^2) + "
                      "alpha |w|^2. lossbook's (and scikit-learn's) Ridge sums the squared "
                      "errors: (Xc^T Xc + alpha I) w = Xc^T yc, no n"),
        Misconception(lambda X, y, a: _ridge_centred(X, y, a, scale=0.5),
                      "you used alpha / 2, the convention of lossbook.penalties.l2 "
                      "(alpha/2 |w|^2). Ridge's penalty is alpha |w|^2 with no 1/2, so the "
                      "system is (Xc^T Xc + alpha I) w = Xc^T yc"),
        Misconception(lambda X, y, a: _ridge_centred(X, y, a, scale=2.0),
                      "you used 2 alpha: the gradient of alpha |w|^2 is 2 alpha w, but so is "
                      "the factor 2 in the gradient of the squared error; they cancel, "
                      "leaving (Xc^T Xc + alpha I) w = Xc^T yc"),
        Misconception(lambda X, y, a: _ridge_centred(X, y, a, intercept="mean_y"),
                      "your w is right but b is not: b = mean(y) - mean(X) . w, not mean(y) "
                      "(that holds only when the columns of X have mean 0)"),
        Misconception(lambda X, y, a: tuple(reversed(_ridge(X, y, a))),
                      "you return (b, w); return (w, b): the coefficients first"),
    ],
)

# ----------------------------------------------------------------------------------------------
# 06.soft_threshold


def _threshold_cases(rng):
    cases = []
    for _ in range(4):
        t = float(rng.uniform(0.1, 3))
        z = np.concatenate([rng.normal(scale=2 * t, size=int(rng.integers(1, 20))),
                            [t, -t, 0.0, 2 * t, -0.5 * t]])
        cases.append((rng.permutation(z), t))
    cases.append((rng.normal(size=5), 0.0))  # no threshold: nothing changes
    cases.append((np.array([-1e6, 3.0, -2.5]), 10.0))
    return cases


SOFT_THRESHOLD = Exercise(
    id="06.soft_threshold", name="soft_threshold", points=1,
    reference=lambda z, t: _soft_threshold(z, t),
    public_cases=[(np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0]), 1.0)],
    hidden_cases=_threshold_cases,
    misconceptions=[
        Misconception(lambda z, t: np.where(np.abs(z) > t, z, 0.0),
                      "that is hard thresholding (keep z when |z| > t, else 0). Soft "
                      "thresholding also moves the survivors towards 0 by t: "
                      "sign(z) max(|z| - t, 0)"),
        Misconception(lambda z, t: np.maximum(np.abs(z) - t, 0.0),
                      "you lost the sign: max(|z| - t, 0) is the size of the result; multiply "
                      "by sign(z)"),
        Misconception(lambda z, t: np.maximum(z - t, 0.0),
                      "max(z - t, 0) handles only positive z; negative z below -t must "
                      "become z + t. Use sign(z) max(|z| - t, 0)"),
        Misconception(lambda z, t: z - t * np.sign(z),
                      "you shrink by t but do not stop at 0, so small entries cross to the "
                      "other side; clip at 0: sign(z) max(|z| - t, 0)"),
        Misconception(lambda z, t: _soft_threshold(z, 2 * t),
                      "your threshold is 2t: the minimizer of (w - z)^2 / 2 + t |w| is "
                      "soft-thresholding at t (the 1/2 and the slope t of t|w| set it)"),
        Misconception(lambda z, t: _soft_threshold(z, t / 2),
                      "your threshold is t / 2: the minimizer of (w - z)^2 / 2 + t |w| is "
                      "soft-thresholding at t"),
    ],
)

# ----------------------------------------------------------------------------------------------
# 06.coordinate_descent_sweep


def _cd_sweep(w, X, y, alpha):
    """Reference: one cyclic sweep j = 0, ..., d-1 of exact coordinate minimization of
    |y - Xw|^2 / (2n) + alpha |w|_1 (lossbook's Lasso objective with fit_intercept=False)."""
    w = np.array(w, dtype=float)
    n = X.shape[0]
    col_sq = np.einsum("ij,ij->j", X, X)
    r = y - X @ w
    for j in range(X.shape[1]):
        if col_sq[j] == 0:  # only the penalty depends on w_j: its minimizer is 0
            w[j] = 0.0
            continue
        new = float(_soft_threshold(X[:, j] @ r + col_sq[j] * w[j], n * alpha)) / col_sq[j]
        r -= (new - w[j]) * X[:, j]
        w[j] = new
    return w


def _jacobi_sweep(w, X, y, alpha):
    w0 = np.array(w, dtype=float)
    n = X.shape[0]
    col_sq = np.einsum("ij,ij->j", X, X)
    rho = X.T @ (y - X @ w0) + col_sq * w0
    return _soft_threshold(rho, n * alpha) / col_sq


def _variant(w, X, y, alpha, *, divide="column", threshold=1.0, exclude_own=True,
             reverse=False):
    w = np.array(w, dtype=float)
    n, d = X.shape
    col_sq = np.einsum("ij,ij->j", X, X)
    r = y - X @ w
    for j in reversed(range(d)) if reverse else range(d):
        rho = X[:, j] @ r + (col_sq[j] * w[j] if exclude_own else 0.0)
        shrunk = float(_soft_threshold(rho, threshold * n * alpha))
        new = {"column": shrunk / col_sq[j], "n": shrunk / n, "none": shrunk}[divide]
        r -= (new - w[j]) * X[:, j]
        w[j] = new
    return w


def _lasso_problem(rng, n, d):
    """Correlated columns of unequal norms, a sparse truth, and a start w0 with some zeros."""
    Z = rng.normal(size=(n, d))
    X = (Z + 0.6 * Z[:, [0]]) * rng.uniform(0.3, 3, size=d)
    truth = rng.normal(scale=2, size=d) * (rng.uniform(size=d) < 0.6)
    y = X @ truth + rng.normal(size=n)
    w0 = rng.normal(size=d) * (rng.uniform(size=d) < 0.7)
    alpha_max = np.abs(X.T @ y).max() / n
    return w0, X, y, alpha_max


def _sweep_cases(rng):
    cases = []
    for fraction in (0.1, 0.4, 0.0, 1.5):
        w0, X, y, alpha_max = _lasso_problem(rng, int(rng.integers(5, 40)),
                                             int(rng.integers(2, 9)))
        cases.append((w0, X, y, float(fraction * alpha_max)))
    w0, X, y, alpha_max = _lasso_problem(rng, 12, 1)
    cases.append((w0, X, y, float(0.3 * alpha_max)))
    w0, X, y, alpha_max = _lasso_problem(rng, 20, 6)
    cases.append((np.zeros(6), X, y, float(0.2 * alpha_max)))
    return cases


_W0 = np.array([0.5, 0.0, -1.0])
_X = np.array([[1.0, 2.0, 0.5], [2.0, 0.0, 1.0], [0.0, 1.0, 3.0], [1.0, 1.0, -1.0],
               [3.0, -1.0, 0.0]])
_Y = np.array([2.0, 3.0, 1.0, 0.0, 5.0])
_ZERO_COLUMN = (np.array([0.3, 0.7, -0.2]), np.column_stack([_X[:, 0], np.zeros(5), _X[:, 2]]),
                _Y, 0.1)


def _zero_column_handled(outputs) -> bool:
    (got,) = outputs
    got = np.asarray(got, dtype=float)
    want = _cd_sweep(*_ZERO_COLUMN)
    return got.shape == want.shape and bool(np.all(np.isfinite(got))) and bool(
        np.allclose(got, want, rtol=1e-7, atol=1e-10))


COORDINATE_DESCENT_SWEEP = Exercise(
    id="06.coordinate_descent_sweep", name="coordinate_descent_sweep", points=3,
    reference=_cd_sweep,
    public_cases=[(_W0, _X, _Y, 0.2)],
    hidden_cases=_sweep_cases,
    misconceptions=[
        Misconception(_jacobi_sweep,
                      "you computed every coordinate from the residual at the start of the "
                      "sweep (a Jacobi update). Coordinate descent is Gauss-Seidel: after "
                      "changing w_j, update the residual r -= (new - old) x_j before w_{j+1}"),
        Misconception(lambda w, X, y, a: _variant(w, X, y, a, divide="none"),
                      "you forgot to divide by the squared column norm: w_j = "
                      "S(x_j . r_j, n alpha) / (x_j . x_j)"),
        Misconception(lambda w, X, y, a: _variant(w, X, y, a, divide="n"),
                      "you divided by n instead of x_j . x_j (the two agree only for "
                      "standardized columns): w_j = S(x_j . r_j, n alpha) / (x_j . x_j)"),
        Misconception(lambda w, X, y, a: _variant(w, X, y, a, threshold=1 / X.shape[0]),
                      "your threshold is alpha; with the 1 / (2n) in front of the squared "
                      "error it is n alpha: w_j = S(x_j . r_j, n alpha) / (x_j . x_j)"),
        Misconception(lambda w, X, y, a: _variant(w, X, y, a, threshold=0.5),
                      "your threshold is n alpha / 2, the one for the loss |r|^2 / n; "
                      "lossbook's Lasso has |r|^2 / (2n), so the threshold is n alpha"),
        Misconception(lambda w, X, y, a: _variant(w, X, y, a, exclude_own=False),
                      "you correlated x_j with the full residual r, which still contains "
                      "feature j's own contribution: use the partial residual, "
                      "x_j . r_j = x_j . r + (x_j . x_j) w_j"),
        Misconception(lambda w, X, y, a: _variant(w, X, y, a, reverse=True),
                      "you swept the coordinates in reverse; the cyclic order is j = 0, 1, "
                      "..., d-1"),
    ],
    properties=[Property(
        "a column of zeros gives 0 / 0 (or leaves w_j where it was): only the penalty "
        "depends on that w_j, so its minimizer is w_j = 0; set it to 0 when x_j . x_j = 0",
        cases=[_ZERO_COLUMN], holds=_zero_column_handled)],
)

EXERCISES = [LEAST_SQUARES_QR, RIDGE_FIT, SOFT_THRESHOLD, COORDINATE_DESCENT_SWEEP]
