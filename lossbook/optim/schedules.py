"""Learning-rate schedules (chapter 04): the learning rate as a function of the step t.

    from lossbook.optim import schedules
    lr_at = schedules.cosine(0.1, T_max=100)
    lr_at(0), lr_at(50)        # 0.1, 0.05
    lr_at.values(100)          # the first 100 learning rates, to plot

t counts scheduler steps from 0, as torch.optim.lr_scheduler counts its `step()` calls; each
schedule names the torch scheduler whose learning rates it reproduces.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._validation import check_integer, check_number


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule: call it with the step t = 0, 1, 2, ... to get the rate."""

    name: str
    rule: Callable[[int], float]
    params: dict

    def __call__(self, t: int) -> float:
        if isinstance(t, (bool, np.bool_)) or not isinstance(t, (int, np.integer)) or t < 0:
            raise ValueError(f"{self.name}: the step t must be an integer >= 0, got {t!r}")
        return float(self.rule(int(t)))

    def values(self, n: int) -> np.ndarray:
        """The learning rates of steps 0 .. n-1."""
        return np.array([self(t) for t in range(n)])

    def __repr__(self) -> str:
        return f"{self.name}({', '.join(f'{k}={v!r}' for k, v in self.params.items())})"


def _lr(lr, name):
    return check_number(lr, "lr", name)


def constant(lr: float) -> Schedule:
    """lr_t = lr: the same rate at every step."""
    lr = _lr(lr, "constant")
    return Schedule("constant", lambda t: lr, {"lr": lr})


def step(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    """lr_t = lr * gamma^floor(t / step_size): divide by 1/gamma every step_size steps (StepLR)."""
    lr = _lr(lr, "step")
    step_size = check_integer(step_size, "step_size", "step")
    gamma = check_number(gamma, "gamma", "step")
    return Schedule("step", lambda t: lr * gamma ** (t // step_size),
                    {"lr": lr, "step_size": step_size, "gamma": gamma})


def exponential(lr: float, gamma: float) -> Schedule:
    """lr_t = lr * gamma^t (ExponentialLR)."""
    lr = _lr(lr, "exponential")
    gamma = check_number(gamma, "gamma", "exponential")
    return Schedule("exponential", lambda t: lr * gamma**t, {"lr": lr, "gamma": gamma})


def inverse_time(lr: float, decay: float) -> Schedule:
    """lr_t = lr / (1 + decay * t), the classic Robbins-Monro rate of stochastic descent.

    torch has no class for it: LambdaLR(lambda t: 1 / (1 + decay * t)) gives the same rates.
    """
    lr = _lr(lr, "inverse_time")
    decay = check_number(decay, "decay", "inverse_time")
    return Schedule("inverse_time", lambda t: lr / (1 + decay * t), {"lr": lr, "decay": decay})


def _cosine_rate(lr, eta_min, t, T_max):
    return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2


def cosine(lr: float, T_max: int, eta_min: float = 0.0) -> Schedule:
    """lr_t = eta_min + (lr - eta_min) (1 + cos(pi t / T_max)) / 2 (CosineAnnealingLR).

    Falls from lr at t = 0 to eta_min at t = T_max (and rises again after, as torch's does).
    """
    lr = _lr(lr, "cosine")
    T_max = check_integer(T_max, "T_max", "cosine")
    eta_min = check_number(eta_min, "eta_min", "cosine")
    return Schedule("cosine", lambda t: _cosine_rate(lr, eta_min, t, T_max),
                    {"lr": lr, "T_max": T_max, "eta_min": eta_min})


def warmup_cosine(lr: float, warmup_steps: int, total_steps: int, start_factor: float = 0.1,
                  eta_min: float = 0.0) -> Schedule:
    """Linear warm-up from start_factor * lr to lr over warmup_steps, then cosine decay to
    eta_min at total_steps:

        lr_t = lr (start_factor + (1 - start_factor) t / warmup_steps)      t < warmup_steps
        lr_t = cosine(lr, T_max = total_steps - warmup_steps)(t - warmup_steps)  otherwise

    torch: SequentialLR([LinearLR(start_factor, total_iters=warmup_steps),
    CosineAnnealingLR(T_max=total_steps - warmup_steps, eta_min)], milestones=[warmup_steps]).
    """
    where = "warmup_cosine"
    lr = _lr(lr, where)
    warmup_steps = check_integer(warmup_steps, "warmup_steps", where)
    total_steps = check_integer(total_steps, "total_steps", where)
    if total_steps <= warmup_steps:
        raise ValueError(f"{where}: total_steps ({total_steps}) must exceed warmup_steps "
                         f"({warmup_steps})")
    start_factor = check_number(start_factor, "start_factor", where, high=1.0, positive=True)
    # (0, 1]: a zero start would make the first step a no-op, and torch refuses it too
    eta_min = check_number(eta_min, "eta_min", where)
    T_max = total_steps - warmup_steps

    def rule(t):
        if t < warmup_steps:
            return lr * (start_factor + (1 - start_factor) * t / warmup_steps)
        return _cosine_rate(lr, eta_min, t - warmup_steps, T_max)

    return Schedule(where, rule, {"lr": lr, "warmup_steps": warmup_steps,
                                  "total_steps": total_steps, "start_factor": start_factor,
                                  "eta_min": eta_min})
