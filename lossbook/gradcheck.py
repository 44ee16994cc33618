"""Numerical gradient checks by central differences (chapter 00 shows how to use them).

    from lossbook.gradcheck import check_gradient
    check_gradient(f, grad_f, x)        # GradientCheck(passed, max relative error 3.1e-10, ...)

The relative error |analytic - numeric| / max(|analytic|, |numeric|) is reported per checked
coordinate, as in CS231n: below about 1e-7 the gradient is right; above 1e-4 it is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_float, check_finite


def numerical_gradient(f, x, *, h: float = 1e-5, indices=None) -> np.ndarray:
    """Central-difference gradient of a scalar function f at x: (f(x + h e_i) - f(x - h e_i)) / 2h.

    Its error is O(h^2) from truncation plus O(eps |f| / h) from rounding; h = 1e-5, about
    eps^(1/3), balances the two in float64. Only the flat `indices` are computed when given
    (the other entries stay 0).
    """
    x = as_float(x, "x", "numerical_gradient", np.dtype(np.float64)).copy()
    grad = np.zeros_like(x)
    flat, out = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size) if indices is None else indices:
        old = flat[i]
        flat[i] = old + h
        up = float(f(x))
        flat[i] = old - h
        down = float(f(x))
        flat[i] = old
        out[i] = (up - down) / (2 * h)
    return grad


def relative_error(analytic, numeric, *, floor: float = 1e-10) -> np.ndarray:
    """|a - n| / max(|a|, |n|, floor), element-wise; the floor keeps 0 vs 1e-17 from counting."""
    a, n = np.asarray(analytic, float), np.asarray(numeric, float)
    return np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), floor)


@dataclass
class GradientCheck:
    """The outcome of `check_gradient`; true when it passed."""

    passed: bool
    max_relative_error: float
    worst_index: tuple
    analytic: float
    numeric: float
    n_checked: int
    tolerance: float

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        return (
            f"GradientCheck({verdict}: max relative error {self.max_relative_error:.1e} over "
            f"{self.n_checked} coordinates, tolerance {self.tolerance:.0e}; at {self.worst_index} "
            f"analytic {self.analytic:.6g} vs numeric {self.numeric:.6g})"
        )


def check_gradient(f, grad, x, *, h: float = 1e-5, n_checks: int | None = 20, seed: int = 0,
                   tol: float = 1e-6, atol: float = 1e-9) -> GradientCheck:
    """Compare an analytic gradient with central differences of f at x.

    f: scalar function of an array x. grad: the analytic gradient at x (an array) or a
    function of x returning it. n_checks coordinates are drawn at random (seeded) from x;
    None checks all of them. Passed when every coordinate has a relative error below tol or
    an absolute error below atol (central differences cannot resolve much below 1e-10 on a
    function of size 1, so tiny gradient entries are judged absolutely).
    """
    x = as_float(x, "x", "check_gradient", np.dtype(np.float64))
    check_finite(x, "x", "check_gradient")
    g = np.asarray(grad(x.copy()) if callable(grad) else grad, dtype=float)
    if g.shape != x.shape:
        raise ValueError(
            f"check_gradient: the analytic gradient has shape {g.shape} but x has shape "
            f"{x.shape}; a gradient has one entry per coordinate of x"
        )
    size = x.size
    if n_checks is None or n_checks >= size:
        indices = np.arange(size)
    else:
        indices = np.random.default_rng(seed).choice(size, size=n_checks, replace=False)
    numeric = numerical_gradient(f, x, h=h, indices=indices).reshape(-1)[indices]
    analytic = g.reshape(-1)[indices]
    errors = relative_error(analytic, numeric)
    worst = int(np.argmax(errors))
    return GradientCheck(
        passed=bool(np.all((errors < tol) | (np.abs(analytic - numeric) < atol))),
        max_relative_error=float(errors.max()),
        worst_index=tuple(int(i) for i in np.unravel_index(int(indices[worst]), x.shape)),
        analytic=float(analytic[worst]),
        numeric=float(numeric[worst]),
        n_checked=int(indices.size),
        tolerance=tol,
    )
