"""Input preparation shared by the losses: dtype, shape, finiteness and label conventions."""

from __future__ import annotations

import numpy as np

from .._validation import (
    as_float,
    as_numeric,
    check_finite,
    check_in_interval,
    check_labels,
    check_same_shape,
    float_dtype,
)


def paired(y_true, y_pred, where: str, names=("y_true", "y_pred")):
    """Two finite float arrays of the same shape, in y_pred's precision (float32 stays float32).

    Scalars become arrays of shape (1,), so that in-place arithmetic works on them; `Loss`
    gives scalar inputs scalar-shaped results back.
    """
    y_pred = np.atleast_1d(as_numeric(y_pred, names[1], where))
    dtype = float_dtype(y_pred)
    y_pred = y_pred.astype(dtype, copy=False)
    y_true = np.atleast_1d(as_float(y_true, names[0], where, dtype))
    check_same_shape(y_true, y_pred, names, where)
    check_finite(y_true, names[0], where)
    check_finite(y_pred, names[1], where)
    return y_true, y_pred


def signed_labels(y_true, scores, where: str):
    """Labels in {-1, +1} and real scores of the same shape (margin losses)."""
    y, f = paired(y_true, scores, where, ("y_true", "y_pred"))
    check_labels(
        y, (-1, 1), "y_true", where,
        "Margin losses use y in {-1, +1}; from labels in {0, 1} convert with y = 2 * y - 1.",
    )
    return y, f


def binary_targets(y_true, y_pred, where: str, *, hard: bool):
    """Targets in {0, 1} (hard=True) or in [0, 1] (soft targets), and y_pred of the same shape."""
    y, p = paired(y_true, y_pred, where)
    if hard:
        check_labels(
            y, (0, 1), "y_true", where,
            "This loss uses y in {0, 1}; from labels in {-1, +1} convert with y = (y + 1) / 2.",
        )
    else:
        check_in_interval(
            y, "y_true", where, 0, 1,
            "targets are probabilities of the positive class; from labels in {-1, +1} convert "
            "with y = (y + 1) / 2",
        )
    return y, p


def rows(y_pred, where: str, name: str = "y_pred"):
    """Scores or probabilities as a finite float array of shape (n, k); 1-D means one row.

    Returns the 2-D array and whether the input was a single 1-D row (to squeeze results back).
    """
    arr = as_float(y_pred, name, where)
    check_finite(arr, name, where)
    single = arr.ndim == 1
    if single:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(
            f"{where}: {name} must have shape (n_samples, n_classes), got {arr.shape}; for "
            "extra dimensions move the class axis last and reshape to (-1, n_classes)"
        )
    if arr.shape[1] == 0:
        raise ValueError(f"{where}: {name} has no columns; it needs one column per class")
    return arr, single


def squeeze_row(out, single: bool):
    """Undo the promotion of a single 1-D row to shape (1, k)."""
    if single:
        out.value = out.value[0]
        if out.grad is not None:
            out.grad = out.grad[0]
        if out.norm is not None:
            out.norm = out.norm[0:1]
    return out
