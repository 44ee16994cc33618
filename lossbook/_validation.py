"""Input checks with messages that say what was wrong and how to fix it.

Every public function of lossbook validates its arguments here, so that a learner gets a
ValueError or TypeError naming the argument, the problem and the remedy, never a silent NaN.
"""

from __future__ import annotations

import numpy as np


def as_numeric(x, name: str, where: str) -> np.ndarray:
    """x as an ndarray of a real numeric dtype (bool, int or float), else a TypeError."""
    if x is None:
        raise TypeError(f"{where}: {name} is None; pass an array of numbers")
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{where}: {name} must hold real numbers, got dtype {arr.dtype}; "
            "convert it with np.asarray(..., dtype=float)"
        )
    return arr


def float_dtype(arr: np.ndarray) -> np.dtype:
    """The dtype a computation on arr runs in: float32 stays float32, everything else is float64."""
    return np.dtype(np.float32) if arr.dtype == np.float32 else np.dtype(np.float64)


def as_float(x, name: str, where: str, dtype: np.dtype | None = None) -> np.ndarray:
    """x as a float array (float32 kept, anything else float64 unless dtype is given)."""
    arr = as_numeric(x, name, where)
    return arr.astype(dtype or float_dtype(arr), copy=False)


def check_finite(arr: np.ndarray, name: str, where: str) -> None:
    """Raise a ValueError if arr holds a NaN or an infinity, naming the first bad position."""
    if arr.dtype.kind != "f":
        return
    # One NaN or inf makes the sum non-finite, so a single fast reduction clears the common
    # case; only a non-finite sum (or a sum that merely overflowed) pays for the full scan.
    if np.isfinite(np.add.reduce(arr, axis=None)):
        return
    bad = ~np.isfinite(arr)
    if bad.any():
        index = np.unravel_index(int(np.flatnonzero(bad)[0]), arr.shape)
        where_in = f" at index {tuple(int(i) for i in index)}" if arr.ndim else ""
        raise ValueError(
            f"{where}: {name} contains {arr[index]}{where_in}; inputs must be finite: "
            "drop or impute missing values first"
        )


def check_same_shape(a: np.ndarray, b: np.ndarray, names: tuple[str, str], where: str) -> None:
    """Shapes must match exactly: broadcasting (n,) against (n, 1) would build an (n, n) table."""
    if a.shape != b.shape:
        hint = ""
        if a.size == b.size:
            hint = f"; reshape one of them, e.g. {names[0]}.reshape({b.shape})"
        raise ValueError(
            f"{where}: {names[0]} has shape {a.shape} but {names[1]} has shape {b.shape}; "
            f"they must have the same shape{hint}"
        )


def check_in_interval(arr, name: str, where: str, low: float, high: float, what: str) -> None:
    """Every entry of arr must lie in [low, high]."""
    if arr.size and (arr.min() < low or arr.max() > high):
        bad = arr[(arr < low) | (arr > high)][0].item()  # a plain number in the message
        raise ValueError(f"{where}: {name} must lie in [{low:g}, {high:g}] ({what}); found {bad!r}")


def check_labels(arr: np.ndarray, allowed: tuple, name: str, where: str, hint: str) -> None:
    """Every entry of arr must be one of the allowed labels."""
    ok = np.zeros(arr.shape, dtype=bool)
    for value in allowed:
        ok |= arr == value
    if not ok.all():
        found = np.unique(arr[~ok])[:5]
        allowed_text = ", ".join(f"{v:g}" for v in allowed)
        raise ValueError(
            f"{where}: {name} must contain only labels in {{{allowed_text}}}; "
            f"found {', '.join(f'{v:g}' for v in found)}. {hint}"
        )


def as_class_indices(y, n_classes: int, name: str, where: str, ignore_index: int | None = None):
    """y as an int64 array of class indices in [0, n_classes), ignore_index allowed too."""
    arr = as_numeric(y, name, where)
    if arr.dtype.kind == "f":
        check_finite(arr, name, where)
        if not np.all(arr == np.round(arr)):
            raise ValueError(
                f"{where}: {name} holds class indices, which must be whole numbers; found "
                f"{arr[arr != np.round(arr)][0].item()!r}. For probability targets pass an "
                "array with the same shape as the scores"
            )
    arr = arr.astype(np.int64)
    valid = (arr >= 0) & (arr < n_classes)
    if ignore_index is not None:
        valid |= arr == ignore_index
    if not valid.all():
        raise ValueError(
            f"{where}: {name} must be class indices in [0, {n_classes - 1}] for scores with "
            f"{n_classes} columns; found {arr[~valid][0]}"
        )
    return arr


def as_weights(values, name: str, shape, dtype: np.dtype, where: str, what: str) -> np.ndarray:
    """Finite, non-negative weights of the given shape (shape None: any shape)."""
    w = as_float(values, name, where, dtype)
    if shape is not None and w.shape != shape:
        raise ValueError(f"{where}: {name} must have shape {shape}, {what}; got {w.shape}")
    check_finite(w, name, where)
    if (w < 0).any():
        raise ValueError(f"{where}: {name} must be non-negative; found {w[w < 0][0].item()!r}")
    return w


def check_sample_weight(sample_weight, n: int, dtype: np.dtype, where: str) -> np.ndarray:
    """sample_weight as a finite, non-negative (n,) array with a positive sum."""
    w = as_weights(sample_weight, "sample_weight", (n,), dtype, where, "one weight per sample")
    if not w.sum() > 0:
        raise ValueError(f"{where}: sample_weight sums to 0, so there is nothing to average")
    return w


def check_number(value, name: str, where: str, *, low=0.0, high=None, open_high=False,
                 positive=False) -> float:
    """A finite real number in [low, high] (or [low, high)), > 0 if positive; as a float.

    The one validator of scalar parameters: learning rates, deltas, alphas, C, ...
    """
    if isinstance(value, (bool, np.bool_, str, bytes)) or np.ndim(value) != 0:
        raise TypeError(f"{where}: {name} must be a number, got {value!r}")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: {name} must be a number, got {value!r}") from None
    too_high = high is not None and (value >= high if open_high else value > high)
    if not np.isfinite(value) or value < low or too_high or (positive and value == 0):
        if high is None:
            allowed = "> 0" if positive else f">= {low:g}" if np.isfinite(low) else "(not NaN)"
        else:
            allowed = f"in [{low:g}, {high:g}{')' if open_high else ']'}"
        raise ValueError(f"{where}: {name} must be a finite number {allowed}, got {value!r}")
    return value


def check_integer(value, name: str, where: str, *, low: int = 1) -> int:
    """An integer >= low (bools and floats refused: steps=2.5 is a mistake, not a request)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{where}: {name} must be an integer >= {low}, got {value!r}")
    if value < low:
        raise ValueError(f"{where}: {name} must be an integer >= {low}, got {value!r}")
    return int(value)
