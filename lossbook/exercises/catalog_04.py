"""Exercises of chapter 04 (gradient descent): a gradient, a step size, batches, momentum."""

from __future__ import annotations

import numpy as np

from ..optim import problems
from ._core import Exercise, Misconception

# ------------------------------------------------------------------------ 04.mse_gradient


def _mse_gradient(w, b, X, y):
    """The reference: the gradient of lossbook's least-squares objective at theta = [w; b]."""
    grad = problems.least_squares(X, y).grad(np.append(np.asarray(w, dtype=float), b))
    return grad[:-1], float(grad[-1])


def _residual(w, b, X, y):
    return X @ w + b - y


def _mse_gradient_cases(rng):
    cases = []
    for n, d in [(1, 1), (int(rng.integers(2, 8)), 1), (int(rng.integers(5, 40)), 3),
                 (int(rng.integers(2, 6)), 6), (int(rng.integers(20, 60)), 2)]:
        X = rng.normal(scale=float(rng.uniform(0.5, 3)), size=(n, d))
        y = rng.normal(scale=2.0, size=n) + float(rng.normal(scale=3))
        w = rng.normal(size=d)
        cases.append((w, float(rng.normal()), X, y))
    return cases


MSE_GRADIENT = Exercise(
    id="04.mse_gradient", name="mse_gradient", points=2,
    reference=_mse_gradient,
    public_cases=[(np.array([0.5, -1.0, 2.0]), 1.0,
                   np.array([[1.0, 2.0, 0.0], [3.0, 0.0, 1.0], [0.0, -1.0, 2.0], [1.0, 1.0, 1.0]]),
                   np.array([1.0, 4.0, 0.5, 2.0]))],
    hidden_cases=_mse_gradient_cases,
    misconceptions=[
        Misconception(lambda w, b, X, y: tuple(-g for g in _mse_gradient(w, b, X, y)),
                      "your gradient has the wrong sign: with r = X w + b - y the gradient is "
                      "+2/n X^T r (if you used y - (X w + b), flip the sign); it points uphill, "
                      "and descent steps against it"),
        Misconception(lambda w, b, X, y: tuple(g / 2 for g in _mse_gradient(w, b, X, y)),
                      "you left out the factor 2: the derivative of r^2 is 2 r, so grad_w = "
                      "2/n X^T r and grad_b = 2/n sum(r)"),
        Misconception(lambda w, b, X, y: tuple(len(y) * g for g in _mse_gradient(w, b, X, y)),
                      "you summed over the samples instead of averaging: the loss is a mean, so "
                      "its gradient is divided by n too"),
        Misconception(lambda w, b, X, y: (_mse_gradient(w, b, X, y)[0], 0.0),
                      "grad_w is right but grad_b is 0: the intercept b is a parameter too, and "
                      "dL/db = 2/n sum(r), the mean of the per-sample derivatives 2 r_i"),
        Misconception(lambda w, b, X, y: (2 * X.T @ (X @ w - y) / len(y),
                                          2 * np.mean(X @ w - y)),
                      "your residual leaves out the intercept: the prediction is X w + b, so "
                      "r = X w + b - y"),
        Misconception(lambda w, b, X, y: (_mse_gradient(w, b, X, y)[0],
                                          2 * _residual(w, b, X, y) / len(y)),
                      "grad_b should be one number: you return the per-sample terms 2 r_i / n; "
                      "add them up"),
        Misconception(lambda w, b, X, y: (_mse_gradient(w, b, X, y)[0],
                                          np.array([_mse_gradient(w, b, X, y)[1]])),
                      "the values are right, but grad_b is an array of shape (1,): return it as "
                      "a number, e.g. float(2 * np.mean(r))"),
    ],
)

# ------------------------------------------------------------------------ 04.max_stable_lr


def _max_stable_lr(H):
    return float(2.0 / np.linalg.eigvalsh(np.asarray(H, dtype=float))[-1])


def _random_hessian(rng, dim, *, singular=False):
    """A symmetric positive (semi-)definite matrix with random eigen-directions."""
    q, r = np.linalg.qr(rng.normal(size=(dim, dim)))
    q = q * np.sign(np.diag(r))
    eigenvalues = np.exp(rng.uniform(np.log(0.05), np.log(50.0), size=dim))
    if singular:
        eigenvalues[0] = 0.0  # a flat direction: positive semi-definite, not definite
    h = (q * eigenvalues) @ q.T
    return (h + h.T) / 2


def _max_stable_lr_cases(rng):
    return [
        (np.array([[float(rng.uniform(0.1, 10))]]),),
        (np.diag(rng.uniform(0.1, 10, size=4)),),
        (_random_hessian(rng, 2),),
        (_random_hessian(rng, 3),),
        (_random_hessian(rng, 6),),
        (_random_hessian(rng, 4, singular=True),),  # a valley with a flat floor
    ]


def _eigen(H):
    return np.linalg.eigvalsh(np.asarray(H, dtype=float))


MAX_STABLE_LR = Exercise(
    id="04.max_stable_lr", name="max_stable_lr", points=1,
    reference=_max_stable_lr,
    public_cases=[(np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]]),),
                  (np.array([[2.0, 0.0, 0.0], [0.0, 8.0, 0.0], [0.0, 0.0, 0.5]]),)],
    hidden_cases=_max_stable_lr_cases,
    misconceptions=[
        Misconception(lambda H: 1.0 / _eigen(H)[-1],
                      "1/L is a good, safe step (the largest guaranteed decrease), but not the "
                      "limit: the error along the steepest direction is multiplied by 1 - lr L, "
                      "which stays in (-1, 1) up to lr = 2/L"),
        Misconception(lambda H: 2.0 / _eigen(H)[0],
                      "you used the smallest eigenvalue: the steepest direction (the largest "
                      "eigenvalue L) is the first to blow up, so the limit is 2/L"),
        Misconception(lambda H: 2.0 / (_eigen(H)[0] + _eigen(H)[-1]),
                      "2/(L + mu) is the best constant step (fastest convergence), not the "
                      "largest stable one: return 2/L"),
        Misconception(lambda H: 2.0 / np.trace(H),
                      "the trace is the sum of all the eigenvalues, which overestimates L: use "
                      "the largest eigenvalue (np.linalg.eigvalsh(H)[-1])"),
        Misconception(lambda H: 2.0 / np.max(np.diag(H)),
                      "the largest diagonal entry is the curvature along a coordinate axis, but "
                      "the steepest direction need not be an axis: use the largest eigenvalue"),
        Misconception(lambda H: 2.0 / np.linalg.norm(H),
                      "np.linalg.norm(H) is the Frobenius norm (the root of the sum of squared "
                      "eigenvalues), not L: use the largest eigenvalue"),
    ],
)

# ------------------------------------------------------------------------ 04.minibatch_indices


def _minibatch_indices(permutation, batch_size):
    permutation = np.asarray(permutation)
    return [permutation[i:i + batch_size] for i in range(0, permutation.size, batch_size)]


def _minibatch_cases(rng):
    cases = []
    for n, b in [(1, 1), (int(rng.integers(5, 30)), 1), (12, 4), (int(rng.integers(20, 50)), 7),
                 (int(rng.integers(3, 10)), 50), (int(rng.integers(30, 60)), 16), (9, 9)]:
        cases.append((rng.permutation(n), b))
    return cases


MINIBATCH_INDICES = Exercise(
    id="04.minibatch_indices", name="minibatch_indices", points=1,
    reference=_minibatch_indices,
    public_cases=[(np.array([3, 0, 4, 1, 2]), 2), (np.array([5, 2, 0, 3, 1, 4]), 3)],
    hidden_cases=_minibatch_cases,
    misconceptions=[
        Misconception(lambda p, b: [p[i:i + b] for i in range(0, len(p) - b + 1, b)],
                      "you dropped the last, smaller batch: every sample must be used once per "
                      "epoch, so keep the remainder as a final batch of len(permutation) % "
                      "batch_size samples"),
        Misconception(lambda p, b: _minibatch_indices(np.arange(len(p)), b),
                      "your batches are 0, 1, 2, ... in order: cut the given permutation, not "
                      "np.arange(n); shuffling is what makes each batch a random sample"),
        Misconception(lambda p, b: [p[i:i + b + 1] for i in range(0, len(p), b)],
                      "consecutive batches overlap by one index: the slice p[i:i + b] already "
                      "stops before i + b, so do not add 1"),
        Misconception(lambda p, b: [p[k * b:(k + 1) * b] for k in range(len(p) // b + 1)],
                      "when batch_size divides the number of samples your last batch is empty: "
                      "there are ceil(n / batch_size) batches, not n // batch_size + 1"),
        Misconception(lambda p, b: list(np.array_split(p, b)),
                      "np.array_split(p, k) makes k batches; batch_size is the number of "
                      "samples in each batch, not the number of batches"),
        Misconception(lambda p, b: [np.resize(np.roll(p, -i), b) for i in range(0, len(p), b)],
                      "you padded the last batch to full size with indices from the start, so "
                      "those samples count twice in this epoch: keep the last batch short"),
        Misconception(lambda p, b: [np.sort(s) for s in _minibatch_indices(p, b)],
                      "the batches hold the right indices but you sorted them: keep the order "
                      "of the permutation"),
    ],
)

# ------------------------------------------------------------------------ 04.momentum_step


def _momentum_step(w, v, g, lr, momentum):
    v_new = momentum * v + g
    return w - lr * v_new, v_new


def _momentum_cases(rng):
    cases = []
    # (shape, momentum, whether v starts at 0 as at the first step)
    size = int(rng.integers(2, 8))
    for shape, momentum, first in [((1,), 0.9, False), ((size,), 0.0, False),
                                   ((size + 1,), float(rng.uniform(0.5, 0.99)), False),
                                   ((2, int(rng.integers(2, 5))), 0.9, True),
                                   ((size,), float(rng.uniform(0.1, 0.99)), False)]:
        w, g = rng.normal(size=shape), rng.normal(size=shape)
        v = np.zeros(shape) if first else rng.normal(size=shape)
        lr = float(np.exp(rng.uniform(np.log(1e-3), np.log(0.5))))
        cases.append((w, v, g, lr, momentum))
    return cases


MOMENTUM_STEP = Exercise(
    id="04.momentum_step", name="momentum_step", points=2,
    reference=_momentum_step,
    public_cases=[(np.array([1.0, -2.0]), np.array([0.5, 0.25]), np.array([0.2, -0.4]), 0.1, 0.9)],
    hidden_cases=_momentum_cases,
    misconceptions=[
        Misconception(lambda w, v, g, lr, m: (w - (m * v + lr * g), m * v + lr * g),
                      "you put the learning rate inside the velocity (v = m v + lr g, w = w - v): "
                      "torch's SGD, and lossbook's, keep it outside: v = m v + g, then "
                      "w = w - lr v. The two agree only while lr stays constant"),
        Misconception(lambda w, v, g, lr, m: (w + (m * v - lr * g), m * v - lr * g),
                      "that is the 'velocity' form v = m v - lr g, w = w + v, with the learning "
                      "rate inside and the sign flipped: torch's convention is v = m v + g, "
                      "w = w - lr v"),
        Misconception(lambda w, v, g, lr, m: (w - lr * v, m * v + g),
                      "you moved w with the old velocity: update v = m v + g first, then take "
                      "the step w - lr v with the new v"),
        Misconception(lambda w, v, g, lr, m: (w - lr * (m * v + (1 - m) * g),
                                              m * v + (1 - m) * g),
                      "that is an exponential moving average, v = m v + (1 - m) g (SGD with "
                      "dampening = momentum); plain momentum adds the whole gradient: "
                      "v = m v + g"),
        Misconception(lambda w, v, g, lr, m: (w + lr * (m * v + g), m * v + g),
                      "the velocity is right but the step goes uphill: w = w - lr v"),
        Misconception(lambda w, v, g, lr, m: (w - lr * (g + m * (m * v + g)), m * v + g),
                      "that is the Nesterov step (w = w - lr (g + m v)); plain momentum steps "
                      "along the velocity: w = w - lr v"),
        Misconception(lambda w, v, g, lr, m: _momentum_step(w, v, g, lr, m)[::-1],
                      "the values are right but in the wrong order: return (w_new, v_new)"),
    ],
)

EXERCISES = [MSE_GRADIENT, MAX_STABLE_LR, MINIBATCH_INDICES, MOMENTUM_STEP]
