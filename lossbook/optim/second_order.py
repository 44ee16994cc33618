"""Newton's method and steepest descent with a backtracking line search (chapter 05).

    from lossbook.optim import newton, gradient_descent_line_search, problems
    problem = problems.rosenbrock()
    history = newton(problem)                        # (1, 1) in about 20 steps
    baseline = gradient_descent_line_search(problem) # the first-order method, for comparison

Both take a `Problem` (anything with value, value_and_grad, dim and x0; Newton also needs
hessian) and return a `History`, like `minimize`: params x_0..x_T, loss f(x_t), grad_norm,
lr (the accepted step sizes t), epoch_loss f(x_{t+1}), and message (why the run stopped).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._numerics import solve_spd
from .._validation import as_float, check_finite, check_integer, check_number
from .history import History
from .problems import _as_point


def _backtrack(f, x, direction, value, slope, step, shrink, c, max_shrinks):
    """The first t in step, step * shrink, ... that passes Armijo's test, and f(x + t d).

    None when none of the max_shrinks + 1 trial steps passes.
    """
    t = step
    for _ in range(max_shrinks + 1):
        try:
            trial = f(x + t * direction)
        except FloatingPointError:  # a lossbook loss that overflowed this far away
            trial = np.inf
        # A NaN or inf trial value (overflow far away) fails the comparison: step back.
        if trial <= value + c * t * slope:
            return t, trial
        t *= shrink
    return None


def _check_line_search(step, shrink, c, max_shrinks, where):
    return (
        check_number(step, "step", where, positive=True),
        check_number(shrink, "shrink", where, high=1.0, open_high=True, positive=True),
        check_number(c, "c", where, high=1.0, open_high=True, positive=True),
        check_integer(max_shrinks, "max_shrinks", where, low=0),
    )


def armijo(f: Callable[[np.ndarray], float], x, grad, direction, *, value: float | None = None,
           step: float = 1.0, shrink: float = 0.5, c: float = 1e-4,
           max_shrinks: int = 50) -> float:
    """Backtracking line search: the first step t of step, step * shrink, step * shrink^2, ...
    that satisfies Armijo's sufficient-decrease condition

        f(x + t d) <= f(x) + c t grad^T d,        0 < c < 1, 0 < shrink < 1

    f: the objective, a function of x. grad: the gradient of f at x. direction d must be a
    descent direction (grad^T d < 0), so that small enough steps always pass the test:
    f decreases at rate grad^T d, and the test only asks for the fraction c of that rate.
    value: f(x) if already known (saves one evaluation). Returns the accepted t.
    Nocedal & Wright, Numerical Optimization (2006), Algorithm 3.1.

    ValueError if grad^T d >= 0; RuntimeError if no step passes after max_shrinks halvings
    (shrinkings), which happens when f is not differentiable at x, when grad is not its
    gradient, or when x is already a minimizer to within rounding.
    """
    where = "armijo"
    step, shrink, c, max_shrinks = _check_line_search(step, shrink, c, max_shrinks, where)
    x = as_float(x, "x", where, np.dtype(np.float64))
    check_finite(x, "x", where)
    arrays = {}
    for name, arr in (("grad", grad), ("direction", direction)):
        arrays[name] = as_float(arr, name, where, np.dtype(np.float64))
        check_finite(arrays[name], name, where)
        if arrays[name].shape != x.shape:
            raise ValueError(f"{where}: {name} must have the shape of x, {x.shape}; got "
                             f"{arrays[name].shape}")
    slope = float(np.vdot(arrays["grad"], arrays["direction"]))
    if not slope < 0:
        raise ValueError(
            f"{where}: direction is not a descent direction: grad . direction = {slope:.3g} "
            ">= 0, so f does not decrease along it however small the step; use "
            "direction = -grad, or -H^-1 grad with H positive definite"
        )
    value = float(f(x)) if value is None else check_number(value, "value", where, low=-np.inf)
    found = _backtrack(f, x, arrays["direction"], value, slope, step, shrink, c, max_shrinks)
    if found is None:
        raise RuntimeError(
            f"{where}: no step in [{step * shrink**max_shrinks:.3g}, {step:.3g}] decreases f "
            "enough, although grad . direction < 0: f is not differentiable at x, grad is "
            "not its gradient (check it with lossbook.gradcheck), or x is a minimizer to "
            "within rounding"
        )
    return found[0]


def _newton_direction(hessian: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """d = -(H + tau I)^-1 grad, with tau = 0 when H is positive definite.

    Otherwise tau = beta, 2 beta, 4 beta, ... (beta = 1e-3 times the largest |H_ii|) until a
    Cholesky factorization H + tau I = L L^T exists; the factor then solves the system.
    A simple variant of Nocedal & Wright (2006), Algorithm 3.3.
    """
    return -solve_spd(hessian, grad, shift=1e-3)


def _start(problem, x0, where: str, need_hessian: bool) -> np.ndarray:
    needed = ("value", "value_and_grad", "dim", "x0") + (("hessian",) if need_hessian else ())
    missing = [name for name in needed if not hasattr(problem, name)]
    if missing:
        raise TypeError(
            f"{where}: problem must be a lossbook.optim.problems.Problem (or have "
            f"{', '.join(needed)}); {type(problem).__name__} has no {', '.join(missing)}"
        )
    return _as_point(problem.x0 if x0 is None else x0, problem.dim, "x0", where).copy()


def _steps(history: History) -> str:
    return "1 step" if history.steps == 1 else f"{history.steps} steps"


def _descend(problem, x, direction, *, tol, max_iter, line_search, step, grow, shrink, c,
             method) -> History:
    """The loop both methods share: x <- x + t d(x), t from Armijo's backtracking."""
    history = History(params=[x.copy()], method=method)
    t_trial = step
    for _ in range(max_iter):
        value, grad = problem.value_and_grad(x)
        with np.errstate(over="ignore"):  # a diverging gradient's norm may be inf
            grad_norm = float(np.linalg.norm(grad))
        if not (np.isfinite(value) and np.isfinite(grad_norm)):
            history.message = f"diverged: f or its gradient is not finite after {_steps(history)}"
            return history
        if grad_norm < tol:
            history.message = (
                f"converged: |grad f| = {grad_norm:.2g} < tol after {_steps(history)}"
            )
            return history
        d = direction(x, grad)
        slope = float(grad @ d)
        if not slope < 0:  # rounding in a nearly singular solve: fall back to -grad
            d, slope = -grad, -grad_norm**2
        if line_search:
            found = _backtrack(problem.value, x, d, value, slope, t_trial, shrink, c, 50)
            if found is None:
                history.message = (
                    f"stopped: the line search found no decrease at |grad f| = "
                    f"{grad_norm:.2g} >= tol = {tol:.2g} after {_steps(history)}; x is a "
                    "minimizer to within rounding (use a larger tol) or the gradient is wrong"
                )
                return history
            t, new_value = found
            t_trial = 2 * t if grow else step
        else:
            t, new_value = 1.0, problem.value(x + d)
        x = x + t * d
        history.params.append(x)
        history.loss.append(float(value))
        history.grad_norm.append(grad_norm)
        history.lr.append(t)
        history.epoch_loss.append(float(new_value))
    history.message = f"finished {_steps(history)} (max_iter)"
    return history


def newton(problem, x0=None, *, tol: float = 1e-10, max_iter: int = 50,
           line_search: bool = True) -> History:
    """Newton's method with the exact Hessian H = hessian(x) (chapter 05):

        solve H d = -grad f(x)         (the Newton direction; never H^-1 itself)
        x <- x + t d                   i.e. x <- x - t H^-1 grad f(x)

    t = 1 (a pure Newton step), shrunk by `armijo` backtracking until f decreases enough
    when line_search (the default); near a minimizer with H positive definite t = 1 is
    accepted and the error roughly squares at each step (quadratic convergence). Stops when
    |grad f(x)| < tol, after max_iter steps, or when no step decreases f any more (rounding);
    history.message says which.

    Where H is not positive definite (Rosenbrock away from its valley) the Newton direction
    may point uphill, so H is regularized: d solves (H + tau I) d = -grad f with the smallest
    tau of beta, 2 beta, 4 beta, ... (beta = 1e-3 max|H_ii|) that makes H + tau I positive
    definite, a descent direction between Newton's (tau = 0) and a short gradient step
    (large tau); a simple variant of Nocedal & Wright (2006), Algorithm 3.3.

    problem: a `lossbook.optim.problems.Problem` (or any object with value, value_and_grad,
    hessian, dim and x0). x0: the start (default problem.x0). Returns a `History` with
    method "Newton" (or "Newton (full steps)" without line search).
    """
    where = "newton"
    x = _start(problem, x0, where, need_hessian=True)
    tol = check_number(tol, "tol", where)
    max_iter = check_integer(max_iter, "max_iter", where, low=0)

    def direction(x, grad):
        hessian = np.asarray(problem.hessian(x), dtype=float)
        if hessian.shape != (len(x),) * 2 or not np.isfinite(hessian).all():
            raise ValueError(f"{where}: the Hessian at x must be a finite matrix of shape "
                             f"{(len(x),) * 2}; got shape {hessian.shape}")
        return _newton_direction(hessian, grad)

    return _descend(problem, x, direction, tol=tol, max_iter=max_iter,
                    line_search=bool(line_search), step=1.0, grow=False, shrink=0.5, c=1e-4,
                    method="Newton" if line_search else "Newton (full steps)")


def gradient_descent_line_search(problem, x0=None, *, tol: float = 1e-6, max_iter: int = 1000,
                                 step: float = 1.0, shrink: float = 0.5,
                                 c: float = 1e-4) -> History:
    """Steepest descent with Armijo backtracking, the first-order baseline of chapter 05:

        d = -grad f(x)
        x <- x + t d                   i.e. x <- x - t grad f(x)

    with t the first of t0, t0 * shrink, t0 * shrink^2, ... such that
    f(x - t grad) <= f(x) - c t |grad|^2 (`armijo`). The first trial t0 is `step` at the
    first iteration, then twice the step accepted last time, so the step can grow back after
    a region that needed a short one. No learning rate to tune, at the price of a few extra
    evaluations of f per step. Stops when |grad f(x)| < tol, after max_iter steps, or when no
    step decreases f any more (rounding); history.message says which.

    problem: a `lossbook.optim.problems.Problem` (or any object with value, value_and_grad,
    dim and x0). x0: the start (default problem.x0). Returns a `History` with method
    "gradient descent (Armijo)".
    """
    where = "gradient_descent_line_search"
    x = _start(problem, x0, where, need_hessian=False)
    tol = check_number(tol, "tol", where)
    max_iter = check_integer(max_iter, "max_iter", where, low=0)
    step, shrink, c, _ = _check_line_search(step, shrink, c, 0, where)
    return _descend(problem, x, lambda x, grad: -grad, tol=tol, max_iter=max_iter,
                    line_search=True, step=step, grow=True, shrink=shrink, c=c,
                    method="gradient descent (Armijo)")


__all__ = ["armijo", "newton", "gradient_descent_line_search"]
