"""Adaptive learning-rate optimizers (chapter 05): Adagrad, RMSprop, Adam and AdamW.

Each follows torch.optim's update rule exactly, including where eps is added and how the
moving averages are written (torch's lerp form m + (1 - beta) (g - m) rounds differently
from beta m + (1 - beta) g, and we want the same iterates to the last bits).
"""

from __future__ import annotations

import math

import numpy as np

from .._validation import check_number
from ._base import Optimizer


def _lerp(a: np.ndarray, b: np.ndarray, weight: float) -> None:
    """a <- a + weight (b - a) in place, rounded as torch.lerp_ rounds it."""
    if weight < 0.5:
        a += weight * (b - a)
    else:
        a[...] = b - (b - a) * (1 - weight)


class Adagrad(Optimizer):
    """AdaGrad: each coordinate's step shrinks with its accumulated squared gradients.

    torch.optim.Adagrad, t = step count:

        g <- g + weight_decay * p
        lr_t = lr / (1 + (t - 1) * lr_decay)
        s <- s + g^2                       (s starts at initial_accumulator_value)
        p <- p - lr_t * g / (sqrt(s) + eps)

    Defaults as torch: lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
    eps=1e-10 (added after the square root; optax and Keras add it inside and start s at 0.1).
    """

    def __init__(self, lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10):
        super().__init__()
        self.lr = lr
        self.lr_decay = check_number(lr_decay, "lr_decay", "Adagrad")
        self.weight_decay = check_number(weight_decay, "weight_decay", "Adagrad")
        self.initial_accumulator_value = check_number(
            initial_accumulator_value, "initial_accumulator_value", "Adagrad")
        self.eps = check_number(eps, "eps", "Adagrad")

    def _update(self, p, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * p
        if "sum" not in state:
            state["sum"] = np.full_like(p, self.initial_accumulator_value)
        lr_t = self.lr / (1 + (state["step"] - 1) * self.lr_decay)
        state["sum"] += g * g
        std = np.sqrt(state["sum"]) + np.asarray(self.eps, p.dtype)
        return p - np.asarray(lr_t, p.dtype) * (g / std)


class RMSprop(Optimizer):
    """RMSprop: divide the step by a moving root-mean-square of recent gradients.

    torch.optim.RMSprop:

        g <- g + weight_decay * p
        v <- alpha * v + (1 - alpha) * g^2                 (v starts at 0, no bias correction)
        m <- m + (1 - alpha) (g - m);  a = sqrt(v - m^2) + eps   if centered
        a = sqrt(v) + eps                                        otherwise
        b <- momentum * b + g / a;  p <- p - lr * b              if momentum > 0
        p <- p - lr * g / a                                      otherwise

    Defaults as torch: lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False. Since v starts at 0 the first step is about lr / sqrt(1 - alpha), ten
    times lr for alpha = 0.99.
    """

    def __init__(self, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False):
        super().__init__()
        self.lr = lr
        self.alpha = check_number(alpha, "alpha", "RMSprop", high=1.0)
        self.eps = check_number(eps, "eps", "RMSprop")
        self.weight_decay = check_number(weight_decay, "weight_decay", "RMSprop")
        self.momentum = check_number(momentum, "momentum", "RMSprop")
        self.centered = bool(centered)

    def _update(self, p, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * p
        if state["step"] == 1:
            state["square_avg"] = np.zeros_like(p)
            if self.centered:
                state["grad_avg"] = np.zeros_like(p)
            if self.momentum > 0:
                state["momentum_buffer"] = np.zeros_like(p)
        v = state["square_avg"]
        v *= self.alpha
        v += (1 - self.alpha) * (g * g)
        if self.centered:
            m = state["grad_avg"]
            _lerp(m, g, 1 - self.alpha)
            avg = np.sqrt(v - m * m)
        else:
            avg = np.sqrt(v)
        avg += np.asarray(self.eps, p.dtype)
        lr = np.asarray(self.lr, p.dtype)
        if self.momentum > 0:
            buf = state["momentum_buffer"]
            buf *= self.momentum
            buf += g / avg
            return p - lr * buf
        return p - lr * (g / avg)


class Adam(Optimizer):
    """Adam: momentum (first moment) + RMSprop (second moment) + bias correction.

    torch.optim.Adam, t = step count:

        g <- g + weight_decay * p                    (L2 penalty, passes through the moments)
        m <- m + (1 - beta1) (g - m)                 (= beta1 m + (1 - beta1) g)
        v <- beta2 v + (1 - beta2) g^2
        v_max <- max(v_max, v)  and use v_max for v  if amsgrad (max of the raw v)
        p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    Defaults as torch: lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    amsgrad=False. m and v start at 0; the divisions by 1 - beta^t undo that start's bias.
    """

    decoupled = False

    def __init__(self, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False):
        super().__init__()
        name = type(self).__name__
        self.lr = lr
        if np.ndim(betas) != 1 or len(betas) != 2:
            raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (check_number(betas[0], "betas[0]", name, high=1.0, open_high=True),
                      check_number(betas[1], "betas[1]", name, high=1.0, open_high=True))
        self.eps = check_number(eps, "eps", name)
        self.weight_decay = check_number(weight_decay, "weight_decay", name)
        self.amsgrad = bool(amsgrad)

    def _update(self, p, g, state):
        beta1, beta2 = self.betas
        dtype = p.dtype
        if self.weight_decay:
            if self.decoupled:
                p = p * np.asarray(1 - self.lr * self.weight_decay, dtype)
            else:
                g = g + self.weight_decay * p
        if state["step"] == 1:
            state["exp_avg"] = np.zeros_like(p)
            state["exp_avg_sq"] = np.zeros_like(p)
            if self.amsgrad:
                state["max_exp_avg_sq"] = np.zeros_like(p)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        _lerp(m, g, 1 - beta1)
        v *= beta2
        v += (1 - beta2) * (g * g)
        if self.amsgrad:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        t = state["step"]
        step_size = self.lr / (1 - beta1**t)
        denom = np.sqrt(v) / np.asarray(math.sqrt(1 - beta2**t), dtype)
        denom += np.asarray(self.eps, dtype)
        return p - np.asarray(step_size, dtype) * (m / denom)


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay (Loshchilov & Hutter).

    torch.optim.AdamW: first p <- p (1 - lr * weight_decay), then the Adam step on the
    unchanged gradient. Unlike Adam's weight_decay (an L2 penalty whose gradient is rescaled
    by the adaptive denominator), the decay here shrinks every weight by the same factor.
    Defaults as torch: lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, amsgrad=False.
    """

    decoupled = True

    def __init__(self, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01,
                 amsgrad=False):
        super().__init__(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)
