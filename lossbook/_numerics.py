"""Numerically stable building blocks shared by the losses (chapter 02, "numerical stability").

Every function here is exact to a few ulps for every finite input: nothing overflows to inf or
turns into NaN, and small results keep their relative precision instead of rounding to 0.
"""

from __future__ import annotations

import numpy as np


def exp_neg_abs(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """exp(-|x|), in (0, 1] for every finite x (never overflows), written into out if given."""
    e = np.abs(x, out=np.empty_like(x) if out is None else out)  # an array even for 0-d x
    np.negative(e, out=e)
    return np.exp(e, out=e)


def log1p_exp_neg_abs(x: np.ndarray) -> np.ndarray:
    """log(1 + exp(-|x|)), the shared tail of softplus(x) and softplus(-x); always in [0, log 2]."""
    return np.log1p(exp_neg_abs(x))


def softplus(x: np.ndarray) -> np.ndarray:
    """softplus(x) = log(1 + exp(x)), written as max(x, 0) + log1p(exp(-|x|)).

    exp(x) overflows for x > 709 (float64); the rewritten form never exponentiates a positive
    number, and for very negative x it returns exp(x) to full relative precision.
    """
    return np.maximum(x, 0) + log1p_exp_neg_abs(x)


def sigmoid(x: np.ndarray, *, negate: bool = False, out: np.ndarray | None = None):
    """sigmoid(x) = 1 / (1 + exp(-x)) (or sigmoid(-x) with negate=True), exact for every x.

    The direct formula is already safe: for x < -709, exp(-x) overflows to inf and the result
    is 0, the correctly rounded value; for large x it rounds to 1 as it should. What must be
    avoided is 1 - sigmoid(x) in place of sigmoid(-x), which loses every digit for x > 37.
    """
    s = np.empty_like(x) if out is None else out
    with np.errstate(over="ignore"):
        if negate:
            np.exp(x, out=s)
        else:
            np.exp(np.negative(x, out=s), out=s)
    s += 1
    return np.reciprocal(s, out=s)


def sigmoid_pair(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sigmoid(x), sigmoid(-x)), both to full relative precision, without overflow."""
    return sigmoid(x), sigmoid(x, negate=True)


def shift_rows(x: np.ndarray):
    """Logits x (n, k) minus each row's maximum, and the column of that maximum.

    After the shift every entry is <= 0, so exp cannot overflow, whatever the logits.
    """
    top = x.argmax(axis=1)
    return x - x[np.arange(x.shape[0]), top][:, None], top


def exp_rest_(s: np.ndarray, top: np.ndarray) -> np.ndarray:
    """Turn shifted logits s into exp(s) in place, with the row maximum's entry set to 0;
    return rest = the row sums, so that logsumexp = max + log1p(rest) and
    softmax = (s + onehot(top)) / (1 + rest).

    Keeping the maximum's exp(0) = 1 apart keeps log1p(rest) exact when one logit dominates:
    log(1 + rest) would round to 0 as soon as rest < 1e-16.
    """
    np.exp(s, out=s)
    s[np.arange(s.shape[0]), top] = 0
    return s.sum(axis=1)


def log_softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax of logits x of shape (n, k): x - logsumexp(x)."""
    s, top = shift_rows(x)
    rest = exp_rest_(s.copy(), top)
    return s - np.log1p(rest)[:, None]


def softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits x of shape (n, k)."""
    e, top = shift_rows(x)
    rest = exp_rest_(e, top)
    e[np.arange(x.shape[0]), top] = 1
    return e / (1 + rest)[:, None]


def solve_spd(matrix: np.ndarray, rhs: np.ndarray, *, shift: float = 1e-12) -> np.ndarray:
    """(matrix + tau I)^-1 rhs through a Cholesky factor, never an explicit inverse.

    tau = 0 when the symmetric matrix is positive definite; otherwise tau = beta, 2 beta,
    4 beta, ... with beta = shift times the largest |diagonal entry|, until the factorization
    exists (Nocedal & Wright 2006, Algorithm 3.3). A tiny shift only absorbs rounding; a
    larger one (1e-3) turns an indefinite Newton system into a descent direction.
    """
    identity = np.eye(len(rhs))
    beta = shift * max(float(np.abs(np.diag(matrix)).max()), np.finfo(float).tiny)
    tau = 0.0
    while True:
        try:
            lower = np.linalg.cholesky(matrix + tau * identity)
            break
        except np.linalg.LinAlgError:
            tau = max(2 * tau, beta)
    return np.linalg.solve(lower.T, np.linalg.solve(lower, rhs))
