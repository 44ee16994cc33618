"""diagnose and lr_range_test on runs whose behaviour is known from theory: gradient descent
on f(x) = x' A x / 2 with eigenvalues 1 and L converges for a step below 2/L, zig-zags just
below 2/L, diverges above it, and crawls when the step is tiny."""

import matplotlib
import numpy as np
import pytest

from lossbook.optim import SGD, Adam, History, problems
from lossbook.optim.diagnostics import diagnose, lr_range_test
from lossbook.optim.minimize import minimize

matplotlib.use("Agg")
L = 100.0
A = np.diag([1.0, L])


def quadratic(params, batch=None):
    return 0.5 * params @ A @ params, A @ params


def run(lr, steps=100, optimizer=SGD):
    return minimize(quadratic, np.ones(2), optimizer(lr=lr), steps=steps)


def test_a_step_above_two_over_L_diverges_and_is_diagnosed():
    diagnosis = diagnose(run(2.2 / L))
    assert diagnosis.verdict == "diverging"
    assert "Lower the learning rate" in diagnosis.suggestion


def test_a_step_just_below_two_over_L_zigzags():
    diagnosis = diagnose(run(1.98 / L))
    assert diagnosis.verdict == "oscillating" and "zig-zag" in diagnosis.explanation


def test_a_tiny_step_is_a_plateau_with_a_large_gradient():
    diagnosis = diagnose(run(1e-6))
    assert diagnosis.verdict == "plateau" and "raise the learning rate" in diagnosis.suggestion


def test_a_good_run_converges():
    assert diagnose(run(1 / L, steps=3000)).verdict == "converged"
    assert diagnose(run(0.1, steps=400, optimizer=Adam)).verdict == "converged"


def test_a_loss_that_goes_up_and_down_is_oscillating():
    history = History(loss=[5.0, 3, 4, 3, 4, 3, 4, 3, 4, 3.5], grad_norm=[1.0] * 10,
                      params=[np.zeros(2)] * 11)
    assert diagnose(history).verdict == "oscillating"


def test_non_finite_loss_and_short_runs():
    history = History(loss=[1.0, 2.0, float("inf"), 3.0], grad_norm=[1.0] * 4)
    diagnosis = diagnose(history)
    assert diagnosis.verdict == "diverging" and "step 2" in diagnosis.explanation
    assert diagnose(History(loss=[1.0], grad_norm=[1.0])).verdict == "too short"
    assert "Diagnosis(diverging" in repr(diagnosis)


def test_lr_range_test_suggests_a_stable_rate_and_plots():
    result = lr_range_test(quadratic, np.ones(2), lambda lr: SGD(lr=lr), lr_min=1e-5,
                           lr_max=1.0, steps=200)
    assert 1e-4 < result.suggested_lr < 2 / L
    assert diagnose(run(result.suggested_lr, steps=2000)).verdict == "converged"
    assert result.smoothed[-1] > 4 * result.smoothed.min() or len(result.lrs) == 200
    ax = result.plot()
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "learning rate"
    with pytest.raises(ValueError, match="lr_min < lr_max"):
        lr_range_test(quadratic, np.ones(2), lambda lr: SGD(lr=lr), lr_min=1.0, lr_max=0.1)


@pytest.mark.parametrize("kappa", [2.0, 10.0, 100.0])
def test_gradient_descent_with_step_one_over_L_contracts_by_one_minus_one_over_kappa(kappa):
    # On f(x) = (x - x*)' A (x - x*) / 2 with mu = 1 and L = kappa, each step of size 1/L
    # multiplies the error by I - A / L, whose norm is 1 - mu / L = 1 - 1 / kappa.
    problem = problems.quadratic(condition_number=kappa, dim=4, seed=1)
    history = minimize(problem, problem.x0, SGD(lr=1 / problem.lipschitz), steps=50)
    errors = np.linalg.norm(history.path() - problem.x_star, axis=1)
    resolved = errors[:-1] > 1e-9 * errors[0]  # below that, rounding of x* dominates
    ratios = (errors[1:] / errors[:-1])[resolved]
    assert ratios.max() <= 1 - 1 / kappa + 1e-12
    assert ratios.max() > 1 - 1 / kappa - 0.05  # and the bound is nearly attained


def test_a_step_above_two_over_L_diverges_on_a_rotated_quadratic():
    problem = problems.quadratic(condition_number=50.0, dim=3, seed=2)
    history = minimize(problem, problem.x0, SGD(lr=2.05 / problem.lipschitz), steps=300)
    errors = np.linalg.norm(history.path() - problem.x_star, axis=1)
    assert errors[-1] > 100 * errors[0]
    assert diagnose(history).verdict == "diverging"


def test_a_run_that_blows_up_in_its_first_steps_is_diverging_not_too_short():
    history = History(params=[np.zeros(1)] * 3, loss=[1.0, float("nan")],
                      grad_norm=[1.0, float("nan")])
    assert diagnose(history).verdict == "diverging"
