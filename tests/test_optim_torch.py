"""Parity of lossbook.optim with torch.optim: the same iterates, step for step.

Every row of CASES names an optimizer (the same class name in lossbook.optim and torch.optim)
and keyword arguments both constructors accept. One parametrized test runs each row for
STEPS steps on three non-quadratic objectives, with the gradient written in numpy:

* "scalar": log cosh(x - 1) + x^2 / 10 of a 0-d parameter;
* "array": a scaled Rosenbrock function of a (4,) vector, lossbook stepping a bare ndarray;
* "dict": a two-output logistic regression with parameters {"w": (3, 2), "b": (2,)},
  lossbook stepping a dict and torch an optimizer over two tensors.

At each step the gradient is computed from torch's current parameters and the very same
gradient is handed to both optimizers, so the two trajectories only differ by what the two
implementations do with it; every iterate is compared. The learning-rate schedules are
compared with torch.optim.lr_scheduler, alone and driving an optimizer.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lossbook import optim
from lossbook.optim import schedules

torch = pytest.importorskip(
    "torch",
    reason="the frameworks extra (torch) is not installed: torch.optim parity tests skipped",
)
lr_scheduler = torch.optim.lr_scheduler

pytestmark = pytest.mark.frameworks

STEPS = 100
TOL = {np.float64: {"rtol": 1e-12, "atol": 1e-14}, np.float32: {"rtol": 1e-6, "atol": 1e-6}}


# --------------------------------------------------------------------------- objectives


@dataclass(frozen=True)
class Objective:
    """A differentiable function of named arrays: start point and exact numpy gradient."""

    start: dict[str, np.ndarray]
    grad: Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]


def rosenbrock_grad(params, b=10.0, scale=0.1):
    """Gradient of scale * sum_i b (x_{i+1} - x_i^2)^2 + (1 - x_i)^2."""
    x = params["x"]
    g = np.zeros_like(x)
    inner = x[1:] - x[:-1] ** 2
    g[:-1] += -4 * b * x[:-1] * inner - 2 * (1 - x[:-1])
    g[1:] += 2 * b * inner
    return {"x": scale * g}


def _logistic_data(n=30, seed=0):
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n, 3))
    logits = features @ np.array([[1.5, -2.0], [0.5, 1.0], [-1.0, 0.3]]) + np.array([0.2, -0.4])
    labels = (rng.random((n, 2)) < 1 / (1 + np.exp(-logits))).astype(float)
    return features, labels


FEATURES, LABELS = _logistic_data()


def logistic_grad(params):
    """Gradient of the mean binary cross-entropy of sigmoid(X w + b) for two outputs."""
    residual = 1 / (1 + np.exp(-(FEATURES @ params["w"] + params["b"]))) - LABELS
    residual /= len(FEATURES)
    return {"w": FEATURES.T @ residual, "b": residual.sum(axis=0)}


def log_cosh_grad(params):
    """Gradient of log cosh(x - 1) + x^2 / 10 for a scalar x."""
    return {"x": np.tanh(params["x"] - 1) + params["x"] / 5}


OBJECTIVES = {
    "scalar": Objective({"x": np.array(-2.0)}, log_cosh_grad),
    "array": Objective({"x": np.array([-1.2, 1.0, -0.5, 0.8])}, rosenbrock_grad),
    "dict": Objective({"w": np.array([[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2]]),
                       "b": np.array([0.1, -0.3])}, logistic_grad),
}


# --------------------------------------------------------------------------- the cases


def case(name, **kwargs):
    return name, kwargs


def grid(cases, forms):
    """pytest params (name, kwargs, form) for every case on every form of parameters."""
    params = []
    for name, kwargs in cases:
        label = ",".join(f"{k}={v}" for k, v in kwargs.items()) or "defaults"
        params += [pytest.param(name, kwargs, form, id=f"{name}({label})-{form}")
                   for form in forms]
    return params


CASES = [
    case("SGD"),
    case("SGD", lr=0.05, momentum=0.9),
    case("SGD", lr=0.05, momentum=0.9, dampening=0.5),
    case("SGD", lr=0.05, momentum=0.5, dampening=1.0),
    case("SGD", lr=0.05, dampening=0.3),
    case("SGD", lr=0.05, momentum=0.9, nesterov=True),
    case("SGD", lr=0.05, weight_decay=0.1),
    case("SGD", lr=0.05, momentum=0.9, weight_decay=0.1),
    case("SGD", lr=0.05, momentum=0.8, dampening=0.2, weight_decay=0.05),
    case("SGD", lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1),
    case("Adagrad"),
    case("Adagrad", lr=0.1, lr_decay=0.05),
    case("Adagrad", lr=0.1, weight_decay=0.1),
    case("Adagrad", lr=0.1, initial_accumulator_value=0.5),
    case("Adagrad", lr=0.1, eps=1e-3),
    case("Adagrad", lr=0.1, lr_decay=0.02, weight_decay=0.05, initial_accumulator_value=0.1,
         eps=1e-6),
    case("RMSprop"),
    case("RMSprop", lr=0.01, alpha=0.9),
    case("RMSprop", lr=0.01, alpha=0.5),
    case("RMSprop", lr=0.01, eps=1e-3),
    case("RMSprop", lr=0.01, weight_decay=0.1),
    case("RMSprop", lr=0.005, momentum=0.9),
    case("RMSprop", lr=0.01, centered=True),
    case("RMSprop", lr=0.005, momentum=0.9, centered=True),
    case("RMSprop", lr=0.005, alpha=0.95, eps=1e-6, weight_decay=0.05, momentum=0.5,
         centered=True),
    case("Adam"),
    case("Adam", lr=0.05, betas=(0.5, 0.9)),
    case("Adam", lr=0.05, betas=(0.0, 0.99)),
    case("Adam", lr=0.05, eps=1e-3),
    case("Adam", lr=0.05, weight_decay=0.1),
    case("Adam", lr=0.05, amsgrad=True),
    case("Adam", lr=0.05, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.05, amsgrad=True),
    case("AdamW"),
    case("AdamW", lr=0.05, weight_decay=0.1),
    case("AdamW", lr=0.05, weight_decay=0.0),
    case("AdamW", lr=0.05, amsgrad=True),
    case("AdamW", lr=0.05, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.2, amsgrad=True),
]

FLOAT32_CASES = [
    case("SGD", lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1),
    case("Adagrad", lr=0.1, lr_decay=0.02, weight_decay=0.05, initial_accumulator_value=0.1),
    case("RMSprop", lr=0.005, momentum=0.9, centered=True),
    case("Adam", lr=0.05, amsgrad=True),
    case("AdamW", lr=0.05, weight_decay=0.1),
]


# --------------------------------------------------------------------------- the harness


def flat(params):
    """An array, or a dict of arrays as one vector (keys in sorted order)."""
    if isinstance(params, dict):
        return np.concatenate([np.ravel(params[k]) for k in sorted(params)])
    return np.ravel(params)


def assert_same_trajectory(ours, theirs, tol, label):
    """ours, theirs: (steps, n) iterates; on failure name the first step and entry that differ."""
    ours, theirs = np.array(ours), np.array(theirs)
    assert np.isfinite(theirs).all(), f"{label}: torch diverged, pick a lower lr"
    bad = ~np.isclose(ours, theirs, **tol)
    if bad.any():
        step, entry = np.argwhere(bad)[0]
        pytest.fail(f"{label}: {bad.any(axis=1).sum()} of {len(bad)} iterates differ, the first "
                    f"at step {step + 1}, entry {entry}: lossbook {ours[step, entry]!r}, "
                    f"torch {theirs[step, entry]!r}")


def run_both(name, kwargs, form, dtype=np.float64, steps=STEPS, schedule=None):
    """Step lossbook's and torch's optimizer side by side; assert every iterate agrees.

    schedule: optional (lossbook Schedule, torch scheduler factory) pair; lossbook's lr is
    set to schedule(t) before step t, torch's scheduler steps after each optimizer step.
    Returns lossbook's last iterate.
    """
    objective = OBJECTIVES[form]
    tensors = {k: torch.tensor(v.astype(dtype)) for k, v in objective.start.items()}
    ours = {k: v.astype(dtype) for k, v in objective.start.items()}
    if form != "dict":
        ours = ours["x"]
    theirs = getattr(torch.optim, name)(list(tensors.values()), **kwargs)
    mine = getattr(optim, name)(**kwargs)
    scheduler = None if schedule is None else schedule[1](theirs)
    our_path, their_path = [], []
    for t in range(steps):
        current = {k: v.numpy().astype(np.float64) for k, v in tensors.items()}
        grads = {k: g.astype(dtype) for k, g in objective.grad(current).items()}
        for key, tensor in tensors.items():
            tensor.grad = torch.tensor(grads[key])
        if schedule is not None:
            mine.lr = schedule[0](t)
        theirs.step()
        if scheduler is not None:
            scheduler.step()
        ours = mine.step(ours, grads if form == "dict" else grads["x"])
        our_path.append(flat(ours))
        their_path.append(flat({k: v.numpy() for k, v in tensors.items()}))
        assert all(a.dtype == dtype and a.shape == objective.start[k].shape
                   for k, a in (ours.items() if form == "dict" else [("x", ours)]))
    label = f"{name}({kwargs}) {form} {dtype.__name__}"
    assert_same_trajectory(our_path, their_path, TOL[dtype], label)
    return ours


@pytest.mark.parametrize(("name", "kwargs", "form"), grid(CASES, OBJECTIVES))
def test_iterates_match_torch_float64(name, kwargs, form):
    run_both(name, kwargs, form)


@pytest.mark.parametrize(("name", "kwargs", "form"), grid(FLOAT32_CASES, OBJECTIVES))
def test_iterates_match_torch_float32(name, kwargs, form):
    run_both(name, kwargs, form, dtype=np.float32)


def test_amsgrad_rows_exercise_the_running_maximum():
    """The amsgrad rows above are only a test of the maximum if v actually decreases."""
    kwargs = {"lr": 0.05}
    for form in OBJECTIVES:
        plain = run_both("Adam", kwargs, form)
        with_max = run_both("Adam", {**kwargs, "amsgrad": True}, form)
        assert not np.allclose(flat(plain), flat(with_max), rtol=1e-6), form


TORCH_ONLY = {"params", "foreach", "maximize", "capturable", "differentiable", "fused",
              "decoupled_weight_decay"}


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"])
def test_constructor_signature_and_defaults_are_torchs(name):
    ours = inspect.signature(getattr(optim, name)).parameters
    theirs = {k: p for k, p in inspect.signature(getattr(torch.optim, name)).parameters.items()
              if k not in TORCH_ONLY}
    assert list(ours) == list(theirs)
    for key, parameter in theirs.items():
        assert ours[key].default == parameter.default, key


# --------------------------------------------------------------------------- schedules

BASE_LR = 0.1


def warmup_then_cosine(warmup_steps, total_steps, start_factor=0.1, eta_min=0.0):
    """torch's warm-up + cosine, as lossbook's warmup_cosine documents it."""
    def make(opt):
        return lr_scheduler.SequentialLR(opt, [
            lr_scheduler.LinearLR(opt, start_factor=start_factor, total_iters=warmup_steps),
            lr_scheduler.CosineAnnealingLR(opt, T_max=total_steps - warmup_steps,
                                           eta_min=eta_min),
        ], milestones=[warmup_steps])
    return make


SCHEDULES = {  # label: (lossbook schedule, torch scheduler on an optimizer with lr=BASE_LR)
    "constant": (schedules.constant(BASE_LR),
                 lambda opt: lr_scheduler.LambdaLR(opt, lambda t: 1.0)),
    "step": (schedules.step(BASE_LR, step_size=7),
             lambda opt: lr_scheduler.StepLR(opt, step_size=7)),
    "step-gamma": (schedules.step(BASE_LR, step_size=5, gamma=0.5),
                   lambda opt: lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)),
    "exponential": (schedules.exponential(BASE_LR, gamma=0.95),
                    lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.95)),
    "inverse_time": (schedules.inverse_time(BASE_LR, decay=0.3),
                     lambda opt: lr_scheduler.LambdaLR(opt, lambda t: 1 / (1 + 0.3 * t))),
    "cosine": (schedules.cosine(BASE_LR, T_max=20),
               lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=20)),
    "cosine-odd-eta_min": (
        schedules.cosine(BASE_LR, T_max=13, eta_min=0.01),
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=13, eta_min=0.01)),
    "warmup_cosine": (schedules.warmup_cosine(BASE_LR, warmup_steps=10, total_steps=40),
                      warmup_then_cosine(10, 40)),
    "warmup_cosine-options": (
        schedules.warmup_cosine(BASE_LR, warmup_steps=7, total_steps=30, start_factor=0.25,
                                eta_min=0.005),
        warmup_then_cosine(7, 30, start_factor=0.25, eta_min=0.005)),
}


def torch_rates(make_scheduler, n):
    """The learning rate torch's optimizer uses at each of its first n steps."""
    param = torch.zeros(1, dtype=torch.float64)
    opt = torch.optim.SGD([param], lr=BASE_LR)
    scheduler = make_scheduler(opt)
    rates = []
    for _ in range(n):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return np.array(rates)


@pytest.mark.parametrize(("ours", "theirs"), SCHEDULES.values(), ids=SCHEDULES)
def test_schedule_matches_torch_scheduler(ours, theirs):
    n = 70  # beyond T_max (and total_steps): the cosines rise again, as torch's do
    expected = torch_rates(theirs, n)
    assert_allclose(ours.values(n), expected, rtol=1e-12, atol=1e-300)
    assert_allclose([ours(t) for t in range(n)], expected, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize(("name", "kwargs", "form"), grid([
    case("SGD", momentum=0.9),
    case("Adagrad", lr_decay=0.01),
    case("RMSprop", momentum=0.5, centered=True),
    case("Adam", amsgrad=True),
    case("AdamW", weight_decay=0.1),
], ["dict"]))
@pytest.mark.parametrize(("ours", "theirs"),
                         [SCHEDULES["step-gamma"], SCHEDULES["warmup_cosine"]],
                         ids=["step-gamma", "warmup_cosine"])
def test_optimizer_driven_by_a_schedule_matches_torch(name, kwargs, form, ours, theirs):
    run_both(name, {**kwargs, "lr": BASE_LR}, form, steps=60, schedule=(ours, theirs))
