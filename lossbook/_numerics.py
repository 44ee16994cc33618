"""Numerically stable building blocks shared by the losses (chapter 02, "numerical stability").

Every function here is exact to a few ulps for every finite input: nothing overflows to inf or
turns into NaN, and small results keep their relative precision instead of rounding to 0.
"""

from __future__ import annotations

import numpy as np


def log1p_exp_neg_abs(x: np.ndarray) -> np.ndarray:
    """log(1 + exp(-|x|)), the shared tail of softplus(x) and softplus(-x); always in [0, log 2]."""
    return np.log1p(np.exp(-np.abs(x)))


def softplus(x: np.ndarray) -> np.ndarray:
    """softplus(x) = log(1 + exp(x)), written as max(x, 0) + log1p(exp(-|x|)).

    exp(x) overflows for x > 709 (float64); the rewritten form never exponentiates a positive
    number, and for very negative x it returns exp(x) to full relative precision.
    """
    return np.maximum(x, 0) + log1p_exp_neg_abs(x)


def sigmoid_pair(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sigmoid(x), sigmoid(-x)), both to full relative precision.

    1 - sigmoid(x) would lose every digit once sigmoid(x) rounds to 1 (x > 37), so the two
    tails are computed separately from e = exp(-|x|), which never overflows.
    """
    e = np.exp(-np.abs(x))
    big = 1 / (1 + e)  # sigmoid(|x|)
    small = e * big  # sigmoid(-|x|)
    positive = x >= 0
    return np.where(positive, big, small), np.where(positive, small, big)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """sigmoid(x) = 1 / (1 + exp(-x)), without overflow for any finite x."""
    return sigmoid_pair(x)[0]


def shifted_exp_rows(x: np.ndarray):
    """Row-wise softmax ingredients for logits x of shape (n, k), exact for any finite logits.

    Returns (s, e, rest, top): s = x - max_j x_j (so s <= 0 and exp(s) cannot overflow),
    e = exp(s) with the entry of the row maximum set to 0, rest = sum of e over the row, and
    top = the column of each row's maximum.
    Then logsumexp(x) = max + log1p(rest) and softmax(x) = (e + onehot(argmax)) / (1 + rest).
    Keeping the 1 of the maximum apart keeps log1p(rest) exact when one logit dominates:
    log(1 + rest) would round to 0 as soon as rest < 1e-16.
    """
    rows = np.arange(x.shape[0])
    top = x.argmax(axis=1)
    s = x - x[rows, top][:, None]
    e = np.exp(s)
    e[rows, top] = 0
    return s, e, e.sum(axis=1), top


def log_softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax of logits x of shape (n, k): x - logsumexp(x)."""
    s, _, rest, _ = shifted_exp_rows(x)
    return s - np.log1p(rest)[:, None]


def softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits x of shape (n, k)."""
    _, e, rest, top = shifted_exp_rows(x)
    e[np.arange(x.shape[0]), top] = 1
    return e / (1 + rest)[:, None]
