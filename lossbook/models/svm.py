"""The soft-margin linear support vector machine of chapter 08: hinge loss, margin, slack.

`SoftMarginSVM(C)` minimizes the same objective as scikit-learn's `SVC(kernel="linear", C=C)`
(the intercept is not penalized; scikit-learn's `LinearSVC` penalizes it and is a different
optimum). Two solvers: SMO on the dual (exact, the default) and Pegasos on the primal
(stochastic sub-gradient, to watch a first-order method approach the same optimum).
"""

from __future__ import annotations

import warnings

import numpy as np

from .._validation import check_integer, check_number
from ..losses import hinge
from ._base import (
    ClassifierMixin,
    ConvergenceWarning,
    Estimator,
    check_sample_weight_fit,
    check_X,
    check_X_y,
    encode_labels,
)

SOLVERS = ("smo", "pegasos")

# Up to this many training samples SMO reads kernel rows from the precomputed Gram matrix
# X X^T (n^2 floats: 72 MB at 3000); beyond it, each row x_i . X is recomputed when needed.
GRAM_MAX_SAMPLES = 3000

# LIBSVM's curvature floor for a pair of identical points (a_ij = 0): the step stays finite.
_TAU = 1e-12

# SMO polishes (see `_polish`) every _POLISH_CHECK pair steps, or less often when F alphas are
# free: a polish costs eigendecompositions of size F + 1, about F^3 / _POLISH_COST pair steps,
# and it waits until the pair steps since the last one have cost as much.
_POLISH_CHECK = 10
_POLISH_COST = 100_000


class SoftMarginSVM(ClassifierMixin, Estimator):
    r"""Linear soft-margin support vector machine (chapter 08), two classes.

    Primal. With labels :math:`y_i \in \{-1, +1\}` (``classes_[1]`` is +1), sample weights
    :math:`s_i` (1 by default) and the decision function :math:`f(x) = w \cdot x + b`::

        minimize over (w, b)   1/2 ||w||^2 + C sum_i s_i max(0, 1 - y_i f(x_i))

    the hinge loss of chapter 02 (`lossbook.losses.hinge`) summed, not averaged, with the
    factor 1/2 on ||w||^2 and **no penalty on the intercept b**: this is the objective of
    scikit-learn's ``SVC(kernel="linear", C=C)``, not of ``LinearSVC`` (which adds b^2/2 and
    by default squares the hinge). Written with slack variables it is the soft-margin
    problem: minimize 1/2 ||w||^2 + C sum_i s_i xi_i subject to y_i f(x_i) >= 1 - xi_i and
    xi_i >= 0; at the optimum xi_i = max(0, 1 - y_i f(x_i)).

    Dual. With Q_ij = y_i y_j x_i . x_j (LIBSVM's form)::

        minimize over alpha   1/2 alpha^T Q alpha - sum_i alpha_i
        subject to            sum_i y_i alpha_i = 0,   0 <= alpha_i <= C_i = C s_i

    and w = sum_i alpha_i y_i x_i. The equality constraint is the price of the unpenalized
    intercept; b is recovered from the KKT conditions. The optimal primal value equals minus
    the optimal dual value (strong duality).

    KKT conditions, i.e. the meaning of alpha: alpha_i = 0 for points beyond the margin
    (y_i f(x_i) >= 1, no slack); 0 < alpha_i < C_i for points exactly on the margin
    (y_i f(x_i) = 1); alpha_i = C_i for points inside the margin or misclassified
    (y_i f(x_i) <= 1, slack xi_i = 1 - y_i f(x_i) >= 0). The **support vectors** are the
    points with alpha_i > 0: w depends on them alone. The **margin** is the band
    |f(x)| <= 1 around the boundary f(x) = 0; its half-width is 1 / ||w||, so shrinking
    ||w|| widens it and C sets the price of each unit of slack: small C, wide margin and
    many support vectors; large C, few margin violations.

    Parameters
    ----------
    C : float, > 0
        Price of one unit of slack (larger C: harder margin). Per sample C_i = C s_i.
    solver : {"smo", "pegasos"}
        ``"smo"``: sequential minimal optimization on the dual, as LIBSVM (the solver behind
        ``SVC``): each step moves one pair (i, j) along the line that keeps y^T alpha = 0,
        to the exact minimum on that line clipped to the box; i is the maximal violator and j
        is chosen by LIBSVM's second-order rule (Fan, Chen and Lin, JMLR 2005). It stops when
        the KKT violation m - M < tol, where m = max over I_up and M = min over I_low of
        -y_t G_t, G = Q alpha - 1 the dual gradient (I_up: alpha_t can move so that y_t alpha_t
        grows; I_low: so that it shrinks). b is the average of y_t - w . x_t over the free
        support vectors (0 < alpha_t < C_t), or, if none is free, the midpoint of the interval
        of values the KKT conditions allow (LIBSVM's rule). Pair steps alone zigzag for
        10^5 steps and more when C is large and the classes overlap or the features are badly
        scaled; so every 10 steps (less often when many alphas are free) the free alphas are
        moved together to the optimum of their face of the box by Newton steps (`_polish`),
        which typically cuts the count to a few hundred. It only accelerates: the pair steps
        decide which alphas leave their bounds, and the stopping test is SMO's, on scores
        recomputed from scratch.

        ``"pegasos"``: the primal stochastic sub-gradient method of Shalev-Shwartz, Singer,
        Srebro and Cotter (Pegasos, 2007/2011), for teaching; see Notes for the exact variant.
        It approaches the same optimum, only approximately.
    tol : float, > 0
        SMO: stop when the KKT violation m - M (in units of the decision function) is below
        tol, or below the rounding error of the scores when that is larger (about
        eps max_t ||x_t|| sum_t alpha_t ||x_t||, eps = 2.2e-16: large C on badly scaled
        features). Ignored by Pegasos.
    max_iter : int or None
        SMO: the most pair updates (None: max(10^6, 100 n)); reaching it raises a
        `ConvergenceWarning`. Pegasos: the number of epochs, passes over the data (None: 100).
    seed : int or None
        Pegasos: seed of the order in which samples are visited. SMO is deterministic.

    Attributes
    ----------
    classes_ : ndarray (2,)
        The two labels, sorted; ``classes_[1]`` is the positive class (y = +1).
    coef_ : ndarray (1, n_features)
        w = sum_i alpha_i y_i x_i.
    intercept_ : ndarray (1,)
        b.
    dual_coef_ : ndarray (1, n_SV)
        y_i alpha_i of the support vectors, scikit-learn's convention (SMO only).
    support_ : ndarray of int
        Indices of the support vectors, those of ``classes_[0]`` first, each group in
        increasing order (scikit-learn's order). SMO: alpha_i > 0. Pegasos (which has no
        alpha): the points on or inside the margin, y_i f(x_i) <= 1.
    support_vectors_ : ndarray (n_SV, n_features)
    n_support_ : ndarray (2,) of int32
        Support vectors per class.
    margin_ : float
        1 / ||w||, the half-width of the margin band (inf if w = 0).
    slack_ : ndarray (n_samples,)
        xi_i = max(0, 1 - y_i f(x_i)) on the training data.
    n_iter_ : int
        SMO: pair updates. Pegasos: epochs.
    history_ : list of float
        Pegasos only: the primal objective after each epoch.
    n_features_in_ : int

    Notes
    -----
    The Pegasos variant implemented here. Let lambda = 1 / (C n), so that the objective above
    divided by C n is lambda/2 ||w||^2 + (1/n) sum_i s_i max(0, 1 - y_i f(x_i)). Start from
    w = 0, b = 0, t = 0. Each epoch visits the n samples once, in a fresh random order
    (``seed``); for each sample i: t <- t + 1, eta = 1 / (lambda t), and, with the margin
    y_i (w . x_i + b) measured before the update,

        w <- (1 - eta lambda) w + eta s_i y_i x_i [y_i f(x_i) < 1]
        b <- b + eta s_i y_i [y_i f(x_i) < 1]

    i.e. both take a step along minus the sample's sub-gradient with the same step size; the
    sub-gradient of the hinge at margin exactly 1 is taken as 0 here (Pegasos' choice; the
    loss `hinge.grad` returns -y there, torch's choice). There is no projection step and no
    averaging: the model is the last iterate. Without a penalty the intercept gets no
    (1 - eta lambda) contraction, so it is the noisiest coordinate, and the large first steps
    (eta = C n at t = 1) make Pegasos slow for large C: compare ``history_`` with SMO's
    optimum to see it.
    """

    def __init__(self, C: float = 1.0, solver: str = "smo", tol: float = 1e-10,
                 max_iter: int | None = None, seed: int | None = 0):
        self.C = C
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.seed = seed

    # ----------------------------------------------------------------------------------- fit
    def fit(self, X, y, sample_weight=None):
        """Fit on X (n_samples, n_features) and two-class labels y; returns self."""
        where = f"{type(self).__name__}.fit"
        C = check_number(self.C, "C", where, positive=True)
        if self.solver not in SOLVERS:
            raise ValueError(f"{where}: unknown solver {self.solver!r}; use 'smo' (exact, "
                             "on the dual) or 'pegasos' (stochastic, on the primal)")
        tol = check_number(self.tol, "tol", where, positive=True)
        max_iter = None if self.max_iter is None else check_integer(
            self.max_iter, "max_iter", where)  # None: the solver's default
        X, y = check_X_y(X, y, where, classifier=True)
        classes, indices = encode_labels(y, where)
        if classes.size > 2:
            raise ValueError(
                f"{where}: y has {classes.size} classes ({_preview(classes)}); SoftMarginSVM "
                "is a binary classifier and one-vs-rest is out of scope here. Keep two "
                "classes, or wrap it: sklearn.multiclass.OneVsRestClassifier(SoftMarginSVM())"
            )
        s = check_sample_weight_fit(sample_weight, X.shape[0], where)
        s = np.ones(X.shape[0]) if s is None else s
        signed = np.where(indices == 1, 1.0, -1.0)
        if not ((s > 0) & (signed > 0)).any() or not ((s > 0) & (signed < 0)).any():
            raise ValueError(f"{where}: one class has only samples of weight 0; each of the "
                             "two classes needs at least one sample with a positive weight")
        self.classes_ = classes
        self.n_features_in_ = X.shape[1]
        upper = C * s

        if self.solver == "smo":
            alpha, b, self.n_iter_ = _smo(X, signed, upper, tol, max_iter, where)
            w = (alpha * signed) @ X
            support = _by_class(alpha > 0, indices)
            self.dual_coef_ = (alpha * signed)[support][None, :]
        else:
            rng = np.random.default_rng(self.seed)
            epochs = max_iter if max_iter is not None else 100
            w, b, self.history_ = _pegasos(X, signed, s, C, epochs, rng)
            self.n_iter_ = epochs
            support = _by_class(signed * (X @ w + b) <= 1, indices)
        self.coef_ = w[None, :]
        self.intercept_ = np.array([b])
        self.support_ = support
        self.support_vectors_ = X[support]
        self.n_support_ = np.array([np.sum(indices[support] == k) for k in (0, 1)],
                                   dtype=np.int32)
        self.slack_ = hinge(signed, X @ w + b, reduction="none")
        return self

    # ---------------------------------------------------------------------------- predict
    def decision_function(self, X) -> np.ndarray:
        """f(x) = w . x + b per sample, shape (n_samples,); > 0 means ``classes_[1]``."""
        self._check_fitted()
        X = check_X(X, f"{type(self).__name__}.decision_function", self.n_features_in_)
        return X @ self.coef_[0] + self.intercept_[0]

    def predict(self, X) -> np.ndarray:
        """The label of each sample: ``classes_[1]`` where f(x) > 0, else ``classes_[0]``."""
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(np.intp)]

    @property
    def margin_(self) -> float:
        """Half-width 1 / ||w|| of the margin band |f(x)| <= 1 (inf when w = 0)."""
        self._check_fitted()
        norm = float(np.linalg.norm(self.coef_))
        return 1 / norm if norm > 0 else float("inf")

    def slack(self, X, y) -> np.ndarray:
        """Slack xi_i = max(0, 1 - y_i f(x_i)) per sample, y in the original labels.

        0 beyond the margin, between 0 and 1 inside it on the right side, > 1 misclassified.
        """
        where = f"{type(self).__name__}.slack"
        signed, f = self._signed_scores(X, y, where)
        return hinge(signed, f, reduction="none")

    def objective(self, X, y, sample_weight=None) -> float:
        """The primal value 1/2 ||w||^2 + C sum_i s_i max(0, 1 - y_i f(x_i)) on (X, y)."""
        where = f"{type(self).__name__}.objective"
        signed, f = self._signed_scores(X, y, where)
        C = check_number(self.C, "C", where, positive=True)
        s = check_sample_weight_fit(sample_weight, f.shape[0], where)
        loss = hinge(signed, f, reduction="sum", sample_weight=s)
        return float(0.5 * np.sum(self.coef_ ** 2) + C * loss)

    def _signed_scores(self, X, y, where):
        self._check_fitted()
        X, y = check_X_y(X, y, where, classifier=True)
        check_X(X, where, self.n_features_in_)
        is_positive = y == self.classes_[1]
        unknown = ~(is_positive | (y == self.classes_[0]))
        if unknown.any():
            raise ValueError(f"{where}: y holds {_show(y[unknown][0])}, which is not one of "
                             f"the fitted classes {_preview(self.classes_)}")
        f = X @ self.coef_[0] + self.intercept_[0]
        return np.where(is_positive, 1.0, -1.0), f


# ------------------------------------------------------------------------------------ SMO
def _smo(X, y, upper, tol, max_iter, where):
    """Minimize 1/2 a^T Q a - 1^T a s.t. y^T a = 0, 0 <= a <= upper; returns (a, b, steps).

    Q_ij = y_i y_j x_i . x_j and G = Q a - 1 is the gradient; the loop tracks the scores
    m = -y G = y - X w (w = sum_t a_t y_t x_t). A step moves a pair along d (d_i = y_i,
    d_j = -y_j, so y^T d = 0): along a + t d the objective is a parabola with slope
    -(m_i - m_j) and curvature ||x_i - x_j||^2 at t = 0, minimized in closed form and clipped
    to the box.
    """
    n = y.shape[0]
    gram = X @ X.T if n <= GRAM_MAX_SAMPLES else None

    def row(i):  # K[i] = X x_i
        return gram[i] if gram is not None else X @ X[i]

    def exact_state(alpha):  # the scores from scratch (incremental updates drift by rounding)
        return y - X @ ((alpha * y) @ X), *_working_sets(alpha, y, upper)

    def attainable(alpha):  # tol, or the rounding error of the scores when that is larger
        return max(tol, np.finfo(float).eps * norms.max() * (alpha @ norms))

    sq_norm = np.einsum("ij,ij->i", X, X)
    norms = np.sqrt(sq_norm)
    positive, bound = (y > 0).tolist(), upper.tolist()  # Python scalars: the loop is scalar work
    alpha = np.zeros(n)
    score, in_up, in_low = exact_state(alpha)
    max_iter = max_iter if max_iter is not None else max(1_000_000, 100 * n)
    steps, last_polish, exact = 0, 0, True
    while True:
        if steps - last_polish >= _POLISH_CHECK and steps % _POLISH_CHECK == 0:
            n_free = int(np.count_nonzero(in_up & in_low))
            if (steps - last_polish) * _POLISH_COST >= n_free ** 3:
                alpha, last_polish = _polish(X, y, upper, alpha, score), steps
                (score, in_up, in_low), exact = exact_state(alpha), True
        i = int(np.argmax(np.where(in_up, score, -np.inf)))
        low_score = np.where(in_low, score, np.inf)
        m_i = float(score[i])
        gap = m_i - float(low_score.min())
        if gap < tol or exact and gap < attainable(alpha):
            if exact:
                break
            (score, in_up, in_low), exact = exact_state(alpha), True  # confirm before stopping
            continue
        if steps >= max_iter:
            score = exact_state(alpha)[0]  # for b
            warnings.warn(f"{where}: SMO stopped after max_iter={max_iter} pair updates with "
                          f"KKT violation {gap:.3g} > tol={tol:g}. Standardize the features "
                          "(sklearn.preprocessing.StandardScaler: SMO is slow when their scales "
                          "differ a lot and C is large), or raise max_iter or tol",
                          ConvergenceWarning, stacklevel=3)
            break
        k_i = row(i)
        # Second-order choice of j (Fan, Chen and Lin 2005): among t in I_low with m_t < m_i,
        # the largest decrease (m_i - m_t)^2 / (2 a_it) of the objective along the pair's line.
        gain = np.maximum(m_i - low_score, 0)
        curvature = np.maximum(sq_norm + (sq_norm[i] - 2 * k_i), _TAU)
        j = int(np.argmax(gain * gain / curvature))
        a_i, a_j = float(alpha[i]), float(alpha[j])
        room_i = bound[i] - a_i if positive[i] else a_i
        room_j = a_j if positive[j] else bound[j] - a_j
        t = min(float(gain[j] / curvature[j]), room_i, room_j)
        alpha[i] = _move(a_i, t, positive[i], t == room_i, bound[i])
        alpha[j] = _move(a_j, t, not positive[j], t == room_j, bound[j])
        for k in (i, j):
            in_up[k] = alpha[k] < bound[k] if positive[k] else alpha[k] > 0
            in_low[k] = alpha[k] > 0 if positive[k] else alpha[k] < bound[k]
        score -= t * (k_i - row(j))
        steps, exact = steps + 1, False
    return alpha, _intercept(alpha, y, -y * score, upper), steps


def _working_sets(alpha, y, upper):
    """I_up (y_t alpha_t can grow) and I_low (it can shrink), as boolean masks."""
    below, above = alpha < upper, alpha > 0
    return np.where(y > 0, below, above), np.where(y > 0, above, below)


def _move(value, t, grows, to_bound, upper):
    """value +- t, landing exactly on the bound (0 or upper) when the step was clipped."""
    if to_bound:
        return upper if grows else 0.0
    return min(value + t, upper) if grows else max(value - t, 0.0)


def _polish(X, y, upper, alpha, score):
    """Solve the dual on the face of the box where only the free alphas (0 < a < C_i) move.

    Pair steps zigzag for a long time when free alphas are coupled through an ill-conditioned
    block of Q (large C, overlapping classes, badly scaled features: LIBSVM then needs 10^5 to
    10^7 steps). With the bounded alphas held fixed, the dual is a quadratic in the free ones
    under y_F^T a_F = const: an active-set loop takes Newton steps on it (`_face_step`),
    and each time one stops at a bound, that alpha leaves the face and the loop goes on with
    the others. Every step is feasible and does not increase the objective; releasing alphas
    from their bounds is left to the pair steps, and the stopping test is SMO's.
    """
    face = np.flatnonzero((alpha > 0) & (alpha < upper))
    alpha = alpha.copy()
    y_face = y[face]
    q_face = (X[face] @ X[face].T) * np.outer(y_face, y_face)
    grad_face = -y_face * score[face]  # G = -y m, kept current on the face
    members = np.arange(face.size)  # the positions in face of the alphas still free
    while members.size:
        sub = face[members]
        before = alpha[sub]
        after, blocked = _face_step(q_face[np.ix_(members, members)], grad_face[members],
                                    y[sub], before, upper[sub])
        alpha[sub] = after
        grad_face += q_face[:, members] @ (after - before)
        if not blocked:
            break
        members = members[(after > 0) & (after < upper[sub])]
    return alpha


def _face_step(q, grad, y_f, a, upper):
    """One Newton step for min 1/2 a^T q a + ... over a with y_f^T a fixed, 0 <= a <= upper.

    The Newton direction p solves [q y_f; y_f^T 0] [p; nu] = [-grad; 0]. The matrix is
    singular when there are more free points than dimensions + 1; then p is the
    pseudo-inverse solution, and the part of the right-hand side in the null space is a
    direction of zero curvature along which the objective decreases linearly. Each direction
    is followed to the minimum along it or to the first bound. Returns (new a, whether a bound
    stopped a step).
    """
    size = y_f.size
    kkt = np.zeros((size + 1, size + 1))
    kkt[:size, :size], kkt[:size, size], kkt[size, :size] = q, y_f, y_f
    values, vectors = np.linalg.eigh(kkt)
    in_range = np.abs(values) > kkt.shape[0] * np.finfo(float).eps * np.abs(values).max()
    coords = vectors.T @ np.append(-grad, 0.0)
    newton = vectors[:, in_range] @ (coords[in_range] / values[in_range])
    flat = vectors[:, ~in_range] @ coords[~in_range]
    a, blocked = a.copy(), False
    for direction in (newton[:-1], flat[:-1]):
        p = direction - y_f * (y_f @ direction) / size  # keeps y^T alpha exactly
        slope, curvature = grad @ p, p @ q @ p
        if not slope < -1e-12 * np.sqrt((grad @ grad) * (p @ p)):
            continue  # not a descent direction beyond rounding
        with np.errstate(divide="ignore", invalid="ignore"):
            room = np.where(p > 0, (upper - a) / p, np.where(p < 0, -a / p, np.inf))
        limit = int(np.argmin(room))
        t = min(-slope / curvature if curvature > 0 else np.inf, room[limit])
        if not np.isfinite(t):
            continue
        a = np.clip(a + t * p, 0, upper)
        if t == room[limit]:
            a[limit] = upper[limit] if p[limit] > 0 else 0.0
            blocked = True
        grad = grad + t * (q @ p)
    return a, blocked


def _intercept(alpha, y, grad, upper):
    """b from the KKT conditions, as LIBSVM: free SVs, else the middle of the feasible range.

    For every t, y_t G_t = w . x_t - y_t; at the optimum -b = y_t G_t on free points,
    -b <= y_t G_t for points that could raise y_t alpha_t, -b >= y_t G_t for the others.
    """
    yg = y * grad
    active = upper > 0  # points of weight 0 do not constrain b
    free = active & (alpha > 0) & (alpha < upper)
    if free.any():
        return float(-yg[free].mean())
    at_upper = active & (alpha >= upper)
    raise_ok = active & ~at_upper & (y > 0) | at_upper & (y < 0)
    lower_ok = active & ~at_upper & (y < 0) | at_upper & (y > 0)
    high = yg[raise_ok].min() if raise_ok.any() else np.inf
    low = yg[lower_ok].max() if lower_ok.any() else -np.inf
    if not np.isfinite(high):
        high = low
    if not np.isfinite(low):
        low = high
    return float(-(high + low) / 2)


# -------------------------------------------------------------------------------- Pegasos
def _pegasos(X, y, s, C, epochs, rng):
    """Pegasos with an unpenalized intercept (the variant in SoftMarginSVM's Notes)."""
    n = X.shape[0]
    lam = 1 / (C * n)
    w, b, t = np.zeros(X.shape[1]), 0.0, 0
    history = []
    for _ in range(epochs):
        for i in rng.permutation(n):
            t += 1
            eta = 1 / (lam * t)
            violated = y[i] * (X[i] @ w + b) < 1
            w *= 1 - 1 / t  # = 1 - eta * lam
            if violated:
                w += (eta * s[i] * y[i]) * X[i]
                b += eta * s[i] * y[i]
        xi = np.maximum(0, 1 - y * (X @ w + b))
        history.append(float(0.5 * w @ w + C * (s @ xi)))
    return w, b, history


# -------------------------------------------------------------------------------- helpers
def _by_class(mask, indices):
    """Indices where mask holds, those of class 0 first (scikit-learn's order of SVs)."""
    return np.concatenate([np.flatnonzero(mask & (indices == k)) for k in (0, 1)])


def _show(value) -> str:
    """repr of a label, as the user wrote it: 2, not np.int64(2)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _preview(values, limit=5) -> str:
    shown = ", ".join(_show(v) for v in values[:limit])
    return f"[{shown}{', ...' if len(values) > limit else ''}]"
