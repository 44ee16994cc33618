"""Armijo backtracking, Newton's method and steepest descent with line search: the accepted
step against the closed form on a quadratic, Newton's optimum against np.linalg.lstsq and
scikit-learn, quadratic convergence, and the Hessian fallback where Newton points uphill."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from test_optim_problems import classification_data, regression_data

from lossbook.optim import problems
from lossbook.optim.history import History
from lossbook.optim.second_order import armijo, gradient_descent_line_search, newton

ROSENBROCK = problems.rosenbrock()
METHODS = {"newton": newton, "gradient descent": gradient_descent_line_search}


def passes_armijo(f, x, g, d, t, c):
    return f(x + t * d) <= f(x) + c * t * (g @ d)


def errors(history, x_star):
    return np.array([np.linalg.norm(x - x_star) for x in history.params])


def digits_double(errs):
    """Quadratic convergence: from an error below 1e-2 to below 1e-12 within 4 steps
    (2, 4, 8, 16 digits), each error at most 50 times the square of the one before."""
    start = np.flatnonzero(errs < 1e-2)[0]
    tail = errs[start:start + 5]
    squares_ok = all(e1 <= 50 * e0**2 for e0, e1 in zip(tail[:-1], tail[1:], strict=True)
                     if e1 > 1e-14)
    return bool(tail.min() < 1e-12 and squares_ok)


@pytest.mark.parametrize("lam, step, shrink, c", [
    (0.5, 1.0, 0.5, 1e-4), (3.0, 1.0, 0.5, 1e-4), (10.0, 1.0, 0.5, 1e-4),
    (1000.0, 1.0, 0.5, 1e-4), (10.0, 2.0, 0.3, 0.5), (7.0, 0.9, 0.8, 0.9),
])
def test_armijo_step_on_a_quadratic_is_the_closed_form(lam, step, shrink, c):
    # f = lam |x|^2 / 2, d = -g = -lam x: f(x + t d) <= f(x) - c t |g|^2 <=> t <= 2 (1 - c) / lam,
    # so backtracking accepts the first step * shrink^k below that bound.
    x = np.array([1.0, -2.0])
    expected = step
    while expected > 2 * (1 - c) / lam:
        expected *= shrink
    t = armijo(lambda v: lam * v @ v / 2, x, lam * x, -lam * x, step=step, shrink=shrink, c=c)
    assert t == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("name, problem", [
    ("rosenbrock", ROSENBROCK), ("quadratic", problems.quadratic(1e3, dim=4)),
    ("logistic", problems.logistic_regression(*classification_data(), alpha=0.1)),
])
def test_armijo_accepts_the_first_step_that_passes(name, problem):
    rng = np.random.default_rng(1)
    for _ in range(10):
        x = problem.x0 + rng.normal(size=problem.dim)
        g = problem.grad(x)
        d = rng.normal(size=problem.dim) * np.abs(g).max()
        d = d if g @ d < 0 else -d  # a random descent direction, not the gradient's
        t = armijo(problem.value, x, g, d, shrink=0.5)
        assert passes_armijo(problem.value, x, g, d, t, 1e-4)
        if t < 1.0:
            assert not passes_armijo(problem.value, x, g, d, 2 * t, 1e-4)


def test_armijo_uses_the_known_value_instead_of_evaluating_f_at_x():
    calls = []

    def f(v):
        calls.append(v)
        return 5 * v @ v

    x = np.array([1.0, 1.0])
    assert armijo(f, x, 10 * x, -10 * x, value=f(x)) == 0.125  # trials 1, 1/2, 1/4, 1/8
    assert len(calls) == 1 + 4


@pytest.mark.parametrize("direction", [[2.0, 2.0], [1.0, -1.0], [0.0, 0.0]],
                         ids=["ascent", "orthogonal", "zero"])
def test_armijo_rejects_directions_that_do_not_descend(direction):
    x = np.array([1.0, 1.0])
    with pytest.raises(ValueError, match="direction is not a descent direction"):
        armijo(lambda v: v @ v, x, 2 * x, np.array(direction))


def test_armijo_reports_when_no_step_decreases_f():
    # f = |x| is not differentiable at 0; the "gradient" 1 claims a descent f does not have.
    with pytest.raises(RuntimeError, match="no step in"):
        armijo(lambda v: abs(v[0]), np.zeros(1), np.ones(1), -np.ones(1), max_shrinks=10)


@pytest.mark.parametrize("kwargs, match", [
    ({"shrink": 1.0}, r"shrink must be a finite number in \[0, 1\)"),
    ({"c": 0.0}, "c must be a finite number"),
    ({"step": -1.0}, "step must be a finite number > 0"),
    ({"direction": np.ones(3)}, r"direction must have the shape of x, \(2,\)"),
])
def test_armijo_bad_arguments(kwargs, match):
    x = np.array([1.0, 1.0])
    args = {"direction": -x, **kwargs}
    with pytest.raises(ValueError, match=match):
        armijo(lambda v: v @ v, x, 2 * x, **args)


@pytest.mark.parametrize("method", METHODS)
def test_history_records_every_step(method):
    history = METHODS[method](ROSENBROCK, max_iter=15)
    assert isinstance(history, History) and history.steps == 15
    assert len(history.params) == 16 and len(history.epoch_loss) == len(history.lr) == 15
    np.testing.assert_array_equal(history.params[0], ROSENBROCK.x0)
    for t in range(15):
        value, grad = ROSENBROCK.value_and_grad(history.params[t])
        assert history.loss[t] == value
        assert history.grad_norm[t] == pytest.approx(np.linalg.norm(grad), rel=1e-15)
        assert history.epoch_loss[t] == ROSENBROCK.value(history.params[t + 1])
        assert history.epoch_loss[t] < history.loss[t]  # each step decreases f
    assert history.message == "finished 15 steps (max_iter)"


def test_newton_solves_a_quadratic_in_one_step():
    problem = problems.quadratic(1e4, dim=6, seed=4)
    history = newton(problem)
    assert history.steps == 1 and history.lr == [1.0] and history.method == "Newton"
    np.testing.assert_allclose(history.x, problem.x_star, atol=1e-10)
    assert history.message.startswith("converged")


@pytest.mark.parametrize("alpha", [0.0, 0.5])
def test_newton_solves_least_squares_in_one_step(alpha):
    X, y = regression_data()
    problem = problems.least_squares(X, y, alpha=alpha)
    history = newton(problem)
    assert history.steps == 1
    np.testing.assert_allclose(history.x, problem.x_star, rtol=1e-10)


@pytest.mark.parametrize("alpha", [0.005, 0.2])
def test_newton_finds_sklearns_logistic_regression(alpha):
    # C = 1 / (n alpha): derived in test_optim_problems.test_logistic_minimizer_is_sklearns.
    X, y = classification_data()
    history = newton(problems.logistic_regression(X, y, alpha=alpha))
    model = LogisticRegression(C=1 / (len(y) * alpha), solver="newton-cholesky", tol=1e-12,
                               max_iter=1000).fit(X, y)
    np.testing.assert_allclose(history.x, np.r_[model.coef_[0], model.intercept_], atol=1e-8)
    assert history.steps <= 10 and history.message.startswith("converged")


def test_newton_reaches_rosenbrocks_minimum_in_fewer_steps_than_gradient_descent():
    fast = newton(ROSENBROCK)
    slow = gradient_descent_line_search(ROSENBROCK)
    assert fast.steps <= 30 and np.linalg.norm(fast.x - ROSENBROCK.x_star) < 1e-10
    assert slow.steps > 10 * fast.steps
    assert np.linalg.norm(slow.x - ROSENBROCK.x_star) > 1e-6
    assert slow.method == "gradient descent (Armijo)"


def test_gradient_descent_lets_the_step_grow():
    # 1/L is about 2.8 here: starting from step=1, only the doubling of the trial step (at
    # most x2 per iteration) reaches steps above 1.
    problem = problems.logistic_regression(*classification_data(), alpha=0.1)
    lr = np.array(gradient_descent_line_search(problem, max_iter=30).lr)
    assert lr[0] == 1.0 and lr.max() > 2.0 and np.all(lr[1:] <= 2 * lr[:-1])


@pytest.mark.parametrize("problem", [
    ROSENBROCK, problems.rosenbrock(a=0.5, b=10.0), problems.rosenbrock(dim=3),
], ids=repr)
def test_newton_converges_quadratically(problem):
    assert digits_double(errors(newton(problem), problem.x_star))


def test_gradient_descent_converges_only_linearly():
    """The negative control of the test above: digits_double can fail."""
    problem = problems.quadratic(10.0)
    history = gradient_descent_line_search(problem, tol=1e-13)
    assert history.message.startswith("converged")
    assert not digits_double(errors(history, problem.x_star))


def test_newton_regularizes_a_hessian_that_is_not_positive_definite():
    x0 = np.array([0.0, 0.02])  # H = diag(-6, 200): the pure Newton direction climbs
    g, h = ROSENBROCK.grad(x0), ROSENBROCK.hessian(x0)
    assert np.linalg.eigvalsh(h)[0] < 0 and g @ -np.linalg.solve(h, g) > 0
    history = newton(ROSENBROCK, x0)
    # The documented shift: tau = 0.2, 0.4, 0.8, ... (1e-3 max|H_ii| doubled) until H + tau I
    # is positive definite; the first step goes along -(H + tau I)^-1 g.
    tau = 0.2
    while np.linalg.eigvalsh(h + tau * np.eye(2))[0] <= 0:
        tau *= 2
    expected = -np.linalg.solve(h + tau * np.eye(2), g)
    step = history.params[1] - x0
    assert step @ expected == pytest.approx(np.linalg.norm(step) * np.linalg.norm(expected))
    assert history.epoch_loss[0] < ROSENBROCK.value(x0)
    assert np.all(np.diff(history.epoch_loss) <= 0)
    np.testing.assert_allclose(history.x, ROSENBROCK.x_star, atol=1e-10)


def test_newton_without_line_search_takes_full_steps():
    history = newton(ROSENBROCK, line_search=False)
    assert history.method == "Newton (full steps)" and set(history.lr) == {1.0}
    assert max(np.diff(history.epoch_loss)) > 1000  # a full step overshoots (4.7 to 1412)
    np.testing.assert_allclose(history.x, ROSENBROCK.x_star, atol=1e-10)


@pytest.mark.parametrize("method", METHODS)
def test_a_start_at_the_minimizer_takes_no_step(method):
    history = METHODS[method](ROSENBROCK, ROSENBROCK.x_star)
    assert history.steps == 0 and len(history.params) == 1
    assert history.message == "converged: |grad f| = 0 < tol after 0 steps"


class WrongGradient(problems.Problem):
    """A problem of one's own with a sign error in its gradient: f = |x|^2 / 2, 'grad' = -x."""

    name, dim, x0 = "wrong_gradient", 2, np.array([1.0, 2.0])

    def _value_and_grad(self, x, batch):
        return x @ x / 2, -x

    def _hessian(self, x):
        return np.eye(2)


def test_a_wrong_gradient_stops_the_line_search_with_a_message():
    history = gradient_descent_line_search(WrongGradient())
    assert history.steps == 0 and history.message.startswith("stopped: the line search")
    assert "gradient is wrong" in history.message


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("kwargs, match", [
    ({"x0": np.zeros(3)}, r"x0 must be a vector of shape \(2,\)"),
    ({"x0": [np.inf, 0.0]}, "x0 contains inf"),
    ({"tol": -1.0}, "tol must be a finite number >= 0"),
    ({"max_iter": -1}, "max_iter must be an integer >= 0"),
])
def test_bad_arguments(method, kwargs, match):
    with pytest.raises(ValueError, match=match):
        METHODS[method](ROSENBROCK, **kwargs)


def test_a_problem_must_have_a_hessian_for_newton():
    class NoHessian:
        dim, x0 = 2, np.zeros(2)
        value = value_and_grad = staticmethod(ROSENBROCK.value)

    with pytest.raises(TypeError, match="has no hessian"):
        newton(NoHessian())
    with pytest.raises(TypeError, match="problem must be a lossbook.optim.problems.Problem"):
        newton(ROSENBROCK.value)
