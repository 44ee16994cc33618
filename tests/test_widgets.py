"""lossbook.widgets: the pure functions against independent references, and the widgets built
without a browser (ipywidgets works without a frontend; figures are rendered with Agg)."""

import base64
import io
import itertools
import math

import numpy as np
import pytest
from PIL import Image
from scipy import optimize, stats
from scipy.special import expit

from lossbook import datasets, losses
from lossbook.models import SoftMarginSVM
from lossbook.optim import SGD, Adagrad, Adam, RMSprop, minimize, problems
from lossbook.widgets import (
    batch_size_explorer,
    batch_size_runs,
    curve_losses,
    curve_variable,
    descent_path,
    descent_playground,
    encode_png,
    gradient_noise,
    lad_line,
    likelihood_curves,
    likelihood_explorer,
    loss_curves,
    loss_explorer,
    margin_explorer,
    objective_grid,
    outlier_explorer,
    outlier_fits,
    svm_margin,
    training_monitor,
)
from lossbook.widgets.outliers import default_data as outlier_data


def decode(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    image.load()
    return np.asarray(image)


def line_labelled(ax, label):
    (line,) = [line for line in ax.get_lines() if line.get_label() == label]
    return line


# ------------------------------------------------------------------------------- rendering
def test_encode_png_round_trips_pixels():
    rgba = np.random.default_rng(0).integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    assert np.array_equal(decode(encode_png(rgba)), rgba)


def test_incremental_frame_matches_a_full_savefig():
    w = loss_explorer()
    w.controls["delta"].value = 2.3  # an incremental frame: background + moving lines
    buffer = io.BytesIO()
    w.figure.savefig(buffer, format="png", dpi=w.figure.dpi)  # everything drawn at once
    ours, full = decode(w.png).astype(int), decode(buffer.getvalue()).astype(int)
    assert ours.shape == full.shape
    # Only where a moving line crosses a static artist drawn above it in a full draw
    # (spines, tick marks) may the order differ.
    assert np.mean(np.any(ours != full, axis=-1)) < 0.005


# ------------------------------------------------------------------------------ loss curves
def test_huber_curve_is_the_huber_loss_and_its_derivative():
    x = np.linspace(-4, 4, 801)
    (curve,) = loss_curves(["huber"], delta=1.7, grid=x).values()
    expected = np.where(np.abs(x) < 1.7, 0.5 * x**2, 1.7 * (np.abs(x) - 0.85))
    np.testing.assert_allclose(curve.value, expected, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(curve.value, losses.huber(np.zeros_like(x), x, reduction="none",
                                                         delta=1.7), rtol=1e-15)
    h = 1e-6
    plus = loss_curves(["huber"], delta=1.7, grid=x + h)["huber"].value
    minus = loss_curves(["huber"], delta=1.7, grid=x - h)["huber"].value
    # at |x| = delta the curvature jumps: the central difference is off by O(h) there
    np.testing.assert_allclose(curve.derivative, (plus - minus) / (2 * h), atol=1e-6)


# Kinks (sub-gradients) and, for squared_hinge, a jump of curvature: no clean central
# difference at these points.
KINKS = {"mae": [0.0], "quantile": [0.0], "epsilon_insensitive": [-0.3, 0.3], "hinge": [1.0],
         "multiclass_hinge": [1.0], "zero_one": [0.0], "squared_hinge": [1.0]}


@pytest.mark.parametrize("name", curve_losses())
def test_every_curve_derivative_matches_finite_differences(name):
    x = np.linspace(-2.5, 2.5, 251)
    for kink in KINKS.get(name, []):
        x = x[np.abs(x - kink) > 1e-3]
    params = {"delta": 0.8, "tau": 0.3, "epsilon": 0.3, "gamma": 1.5, "label_smoothing": 0.2}
    curve = loss_curves([name], grid=x, **params)[name]
    h = 1e-6
    plus = loss_curves([name], grid=x + h, **params)[name].value
    minus = loss_curves([name], grid=x - h, **params)[name].value
    np.testing.assert_allclose(curve.derivative, (plus - minus) / (2 * h), rtol=1e-6,
                               atol=1e-7)


def test_margin_curves_against_closed_forms():
    m = np.linspace(-5, 5, 101)
    eps = 0.3
    curves = loss_curves(["logistic", "hinge", "cross_entropy", "focal"], grid=m,
                         gamma=0.0, label_smoothing=eps)
    softplus = np.logaddexp(0, -m)  # log(1 + exp(-m))
    np.testing.assert_allclose(curves["logistic"].value, softplus, rtol=1e-14)
    np.testing.assert_allclose(curves["hinge"].value, np.maximum(0, 1 - m), rtol=1e-15)
    # two classes, smoothing eps: (1 - eps/2) (-log p_true) + (eps/2) (-log p_other)
    smoothed = (1 - eps / 2) * softplus + eps / 2 * np.logaddexp(0, m)
    np.testing.assert_allclose(curves["cross_entropy"].value, smoothed, rtol=1e-13)
    # focal without class weights and gamma = 0 is plain cross-entropy
    np.testing.assert_allclose(curves["focal"].value, softplus, rtol=1e-13)


def test_quantile_curve_against_scikit_learn_pinball_loss():
    metrics = pytest.importorskip("sklearn.metrics")
    x = np.array([-2.0, -0.5, 0.0, 0.7, 3.0])
    curve = loss_curves("quantile", tau=0.2, grid=x)["quantile"]
    expected = [metrics.mean_pinball_loss([0.0], [r], alpha=0.2) for r in x]
    np.testing.assert_allclose(curve.value, expected, rtol=1e-14)


def test_loss_curves_names_and_variables():
    assert set(curve_losses("residual")) == {"mse", "mae", "huber", "log_cosh", "quantile",
                                             "epsilon_insensitive"}
    assert "hinge" in curve_losses("margin") and "mse" not in curve_losses("margin")
    assert curve_variable("logistic") == "margin"
    with pytest.raises(ValueError, match="kl_divergence"):
        loss_curves(["kl_divergence"])
    with pytest.raises(ValueError, match="grid"):
        loss_curves(["mse"], grid=np.zeros((2, 2)))


# ---------------------------------------------------------------------------------- outliers
def lad_optimum_linprog(x, y):
    """min sum u_i over (slope, intercept, u) s.t. -u <= y - slope x - intercept <= u."""
    n = x.size
    cost = np.r_[0.0, 0.0, np.ones(n)]
    design = np.column_stack([x, np.ones(n)])
    a_ub = np.block([[-design, -np.eye(n)], [design, -np.eye(n)]])
    b_ub = np.r_[-y, y]
    bounds = [(None, None)] * 2 + [(0, None)] * n
    result = optimize.linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    assert result.status == 0
    return result.fun


def lad_objective(line, x, y):
    return np.abs(y - line.slope * x - line.intercept).sum()


@pytest.mark.parametrize("seed, n", [(0, 7), (1, 20), (2, 35), (3, 60)])
def test_lad_line_reaches_the_linear_programming_optimum(seed, n):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, n)
    y = 1.5 * x - 2 + rng.standard_t(df=1.5, size=n)  # heavy tails: outliers on both sides
    assert abs(lad_objective(lad_line(x, y), x, y) - lad_optimum_linprog(x, y)) < 1e-6


def test_lad_line_with_repeated_x_values():
    x = np.array([0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 3.0])
    y = np.array([0.0, 1.0, 1.0, 5.0, 2.0, 2.5, 9.0])
    assert abs(lad_objective(lad_line(x, y), x, y) - lad_optimum_linprog(x, y)) < 1e-6
    with pytest.raises(ValueError, match="distinct"):
        lad_line([1.0, 1.0, 1.0], [0.0, 1.0, 2.0])


def test_outlier_fits_against_references():
    x, y = outlier_data()
    k = int(np.argmax(x))
    fits = outlier_fits(30.0)
    moved = y.copy()
    moved[k] = 30.0
    slope, intercept = np.polyfit(x, moved, 1)
    assert fits["mse"].slope == pytest.approx(slope, rel=1e-12)
    assert fits["mse"].intercept == pytest.approx(intercept, rel=1e-10)
    assert abs(lad_objective(fits["mae"], x, moved) - lad_optimum_linprog(x, moved)) < 1e-6
    sklearn = pytest.importorskip("sklearn.linear_model")
    huber = sklearn.HuberRegressor(epsilon=1.35, alpha=0.0, tol=1e-12, max_iter=10000)
    huber.fit(x[:, None], moved)
    assert fits["huber"].slope == pytest.approx(huber.coef_[0], abs=1e-4)
    assert fits["huber"].intercept == pytest.approx(huber.intercept_, abs=1e-4)


def test_only_the_least_squares_slope_follows_the_outlier():
    x, _ = outlier_data()
    k = int(np.argmax(x))
    near, far = outlier_fits(100.0), outlier_fits(1000.0)
    # least squares: d slope / d y_k = (x_k - mean x) / sum (x_i - mean x)^2
    leverage = (x[k] - x.mean()) / np.sum((x - x.mean()) ** 2)
    assert far["mse"].slope - near["mse"].slope == pytest.approx(900 * leverage, rel=1e-9)
    # a point already above the MAE and Huber lines pulls them no harder when moved further
    assert far["mae"].slope == pytest.approx(near["mae"].slope, abs=1e-9)
    assert far["huber"].slope == pytest.approx(near["huber"].slope, abs=1e-6)


# -------------------------------------------------------------------------------- likelihood
def test_gaussian_nll_is_mse_over_two_sigma_squared_plus_a_constant():
    sigma, observed = 1.7, 0.4
    state = likelihood_curves("gaussian", prediction=0.5, observed=observed, scale=sigma)
    mu = state.predictions
    reference = -stats.norm.logpdf(observed, loc=mu, scale=sigma)
    np.testing.assert_allclose(state.nll, reference, rtol=1e-13)
    gap = reference - losses.mse(np.full_like(mu, observed), mu, reduction="none") / (2 * sigma**2)
    assert np.ptp(gap) < 1e-12  # constant in the residual
    assert gap[0] == pytest.approx(math.log(sigma * math.sqrt(2 * math.pi)), rel=1e-13)
    np.testing.assert_allclose(state.probability,
                               stats.norm.pdf(state.outcomes, loc=0.5, scale=sigma), rtol=1e-13)


def test_laplace_nll_against_scipy():
    b, observed = 0.6, -1.2
    state = likelihood_curves("laplace", prediction=1.0, observed=observed, scale=b)
    reference = -stats.laplace.logpdf(observed, loc=state.predictions, scale=b)
    np.testing.assert_allclose(state.nll, reference, rtol=1e-13)
    gap = reference - losses.mae(np.full_like(state.predictions, observed), state.predictions,
                                 reduction="none") / b
    assert np.ptp(gap) < 1e-12
    np.testing.assert_allclose(state.probability,
                               stats.laplace.pdf(state.outcomes, loc=1.0, scale=b), rtol=1e-13)


@pytest.mark.parametrize("observed", [0.0, 1.0])
def test_bernoulli_nll_against_scipy(observed):
    state = likelihood_curves("bernoulli", prediction=-0.7, observed=observed)
    reference = -stats.bernoulli.logpmf(observed, expit(state.predictions))
    np.testing.assert_allclose(state.nll, reference, rtol=1e-12)
    np.testing.assert_allclose(state.loss, reference, rtol=1e-12)  # the loss itself, no shift
    np.testing.assert_allclose(state.probability, stats.bernoulli.pmf([0, 1], expit(-0.7)),
                               rtol=1e-13)


def test_poisson_nll_against_scipy():
    observed = 4.0
    state = likelihood_curves("poisson", prediction=1.3, observed=observed)
    reference = -stats.poisson.logpmf(observed, np.exp(state.predictions))
    np.testing.assert_allclose(state.nll, reference, rtol=1e-12)
    gap = reference - losses.poisson_nll(np.full_like(state.predictions, observed),
                                         state.predictions, reduction="none")
    assert np.ptp(gap) < 1e-12
    assert gap[0] == pytest.approx(math.log(math.factorial(4)), rel=1e-12)
    np.testing.assert_allclose(state.probability,
                               stats.poisson.pmf(state.outcomes, np.exp(1.3)), rtol=1e-12)


@pytest.mark.parametrize("model", ["gaussian", "laplace", "bernoulli", "poisson"])
def test_the_stated_identity_holds(model):
    state = likelihood_curves(model, prediction=0.3, observed=1.0, scale=0.8)
    np.testing.assert_allclose(state.loss_scale * state.loss + state.constant, state.nll,
                               rtol=1e-12, atol=1e-12)


def test_likelihood_rejects_impossible_observations():
    with pytest.raises(ValueError, match="0 or 1"):
        likelihood_curves("bernoulli", observed=0.5)
    with pytest.raises(ValueError, match="count"):
        likelihood_curves("poisson", observed=2.5)
    with pytest.raises(ValueError, match="noise model"):
        likelihood_curves("cauchy")


# ----------------------------------------------------------------------------------- descent
def logistic_problem():
    X, y = datasets.blobs(100, separation=2.0, seed=0)
    return problems.logistic_regression(X[:, :1], y)


@pytest.mark.parametrize("name, problem, x0", [
    ("quadratic", lambda: problems.quadratic(10.0, dim=2, seed=0), None),
    ("rosenbrock", problems.rosenbrock, None),
    ("logistic regression", logistic_problem, [1.0, 2.0]),
])
@pytest.mark.parametrize("optimizer, reference", [
    ("SGD", lambda lr: SGD(lr=lr)),
    ("SGD + momentum", lambda lr: SGD(lr=lr, momentum=0.8)),
    ("Adagrad", lambda lr: Adagrad(lr=lr)),
    ("RMSprop", lambda lr: RMSprop(lr=lr)),
    ("Adam", lambda lr: Adam(lr=lr)),
])
def test_descent_path_is_minimize(name, problem, x0, optimizer, reference):
    problem = problem()
    x0 = problem.x0 if x0 is None else np.array(x0)
    lr = 1e-3 if name == "rosenbrock" else 0.05
    state = descent_path(name, optimizer, lr, 40, momentum=0.8)
    history = minimize(problem, x0, reference(lr), steps=40)
    np.testing.assert_array_equal(state.path, np.array(history.params))
    np.testing.assert_array_equal(state.values[:-1], history.loss)
    assert state.values[-1] == problem.value(history.x)


@pytest.mark.parametrize("problem, lr, kappa", [("rosenbrock", 0.1, 10.0),
                                                ("quadratic", 0.15, 300.0)])
def test_descent_path_reports_divergence(problem, lr, kappa):
    # pyproject turns lossbook's RuntimeWarnings into errors: a diverging run must not warn
    state = descent_path(problem, "SGD", lr, 200, condition_number=kappa)
    assert state.history.message.startswith("diverged")
    assert np.isnan(state.values[-1])


def test_objective_grid_is_the_objective():
    xs, ys = np.linspace(-2, 1, 7), np.linspace(-1, 3, 5)
    for problem in (problems.quadratic(30.0, dim=2, seed=0), problems.rosenbrock(),
                    logistic_problem()):
        grid = objective_grid(problem, xs, ys)
        expected = [[problem.value([x, y]) for x in xs] for y in ys]
        np.testing.assert_allclose(grid, expected, rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------------------------- batch sizes
def tiny_least_squares(n=7):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(n, 1))
    return problems.least_squares(X, 2 * X[:, 0] + 1 + rng.normal(size=n))


def test_batch_size_runs_are_minimize_runs():
    problem = tiny_least_squares(10)
    runs = batch_size_runs((1, 3, 10), lr=0.05, epochs=3, problem=problem, seed=2)
    for b, run in runs.items():
        history = minimize(problem, problem.x0, SGD(lr=0.05), epochs=3, batch_size=b, seed=2)
        np.testing.assert_array_equal(np.array(run.history.params), np.array(history.params))
        expected_gap = [problem.value(p) - problem.f_star for p in history.params]
        np.testing.assert_allclose(run.gap, expected_gap, rtol=1e-10, atol=1e-13)
        assert run.epochs[0] == 0 and run.epochs[-1] == pytest.approx(3.0)
        assert run.epochs.size == len(history.params)


def test_gradient_noise_formula_against_every_possible_batch():
    problem = tiny_least_squares(7)
    at = np.array([0.3, -0.2])
    noise = gradient_noise(range(1, 8), problem=problem, at=at, n_draws=1)
    full = problem.grad(at)
    exact = [np.mean([np.sum((problem.grad(at, np.array(batch)) - full) ** 2)
                      for batch in itertools.combinations(range(7), b)]) for b in range(1, 8)]
    np.testing.assert_allclose(noise.predicted, exact, rtol=1e-10, atol=1e-14)


def test_gradient_noise_measured_matches_predicted():
    noise = gradient_noise((1, 4, 16), n_draws=1500, seed=1)
    np.testing.assert_allclose(noise.measured, noise.predicted, rtol=0.15)


# -------------------------------------------------------------------------------------- SVM
@pytest.mark.parametrize("C", [0.05, 1.0, 20.0])
def test_svm_margin_is_the_soft_margin_svm(C):
    X, labels = datasets.blobs(40, separation=2.5, spread=0.9, seed=3)
    state = svm_margin(C, data=(X, labels))
    model = SoftMarginSVM(C=C).fit(X, labels)
    np.testing.assert_allclose(state.w, model.coef_[0], rtol=1e-12)
    assert state.b == pytest.approx(model.intercept_[0], rel=1e-12, abs=1e-12)
    np.testing.assert_array_equal(np.sort(state.support), np.sort(model.support_))
    y = np.where(labels == 1, 1.0, -1.0)
    margins = y * (X @ model.coef_[0] + model.intercept_[0])
    assert np.all(margins[state.support] <= 1 + 1e-7)
    outside = np.setdiff1d(np.arange(len(y)), state.support)
    assert np.all(margins[outside] >= 1 - 1e-7)
    np.testing.assert_allclose(state.slack, np.maximum(0, 1 - margins), atol=1e-12)
    assert state.width == pytest.approx(2 / np.linalg.norm(model.coef_[0]), rel=1e-12)
    assert state.margin == pytest.approx(state.width / 2, rel=1e-12)


def test_svm_margin_matches_scikit_learn_svc():
    svm = pytest.importorskip("sklearn.svm")
    X, labels = datasets.blobs(40, separation=2.5, spread=0.9, seed=3)
    state = svm_margin(1.0, data=(X, labels))
    reference = svm.SVC(kernel="linear", C=1.0, tol=1e-10).fit(X, labels)
    np.testing.assert_allclose(state.w, reference.coef_[0], rtol=1e-5, atol=1e-6)
    assert state.b == pytest.approx(reference.intercept_[0], abs=1e-5)


# ----------------------------------------------------------------------------------- widgets
def shown_png(widget):
    (output,) = widget.output.outputs
    return base64.b64decode(output["data"]["image/png"])


def check_rendered(widget):
    assert widget.png.startswith(b"\x89PNG")
    assert shown_png(widget) == widget.png
    assert widget.status.value == ""


def test_loss_explorer_follows_its_controls():
    w = loss_explorer()
    check_rendered(w)
    assert "loss_explorer(" in repr(w) and "model_id" not in repr(w)
    before = w.png
    huber = line_labelled(w.figure.axes[0], "huber")
    old = huber.get_ydata().copy()
    w.controls["delta"].value = 2.5
    expected = loss_curves(["mse", "mae", "huber"], delta=2.5)["huber"]
    np.testing.assert_array_equal(w.state["huber"].value, expected.value)
    assert not np.array_equal(huber.get_ydata(), old)
    np.testing.assert_array_equal(huber.get_ydata(), expected.value)
    np.testing.assert_array_equal(w.figure.axes[1].get_lines()[2].get_xdata(), expected.x)
    assert w.png != before
    check_rendered(w)

    w.controls["variable"].value = "margin"
    assert set(w.controls["names"].options) == set(curve_losses("margin"))
    assert all(curve_variable(name) == "margin" for name in w.state)
    visible = {line.get_label() for line in w.figure.axes[0].get_lines()
               if line.get_visible() and not line.get_label().startswith("_")}
    assert visible == set(w.state)
    w.controls["label_smoothing"].value = 0.4
    w.controls["names"].value = ("cross_entropy",)
    expected = loss_curves(["cross_entropy"], label_smoothing=0.4)["cross_entropy"]
    np.testing.assert_array_equal(
        line_labelled(w.figure.axes[0], "cross_entropy").get_ydata(), expected.value)


def test_outlier_explorer_follows_its_controls():
    w = outlier_explorer()
    check_rendered(w)
    w.controls["outlier_y"].value = 35.0
    expected = outlier_fits(35.0)
    assert w.state == expected
    mse_line = line_labelled(w.figure.axes[0], "MSE (least squares)")
    xs = mse_line.get_xdata()
    np.testing.assert_allclose(mse_line.get_ydata(),
                               expected["mse"].slope * xs + expected["mse"].intercept)
    assert w.plot.moved.get_offsets()[0][1] == 35.0
    w.controls["epsilon"].value = 2.0
    assert w.state["huber"] == outlier_fits(35.0, epsilon=2.0)["huber"]
    check_rendered(w)


def test_likelihood_explorer_follows_its_controls():
    w = likelihood_explorer()
    check_rendered(w)
    w.controls["model"].value = "poisson"
    values = w.values
    assert values["observed"] == float(int(values["observed"]))  # the slider became integral
    expected = likelihood_curves("poisson", prediction=values["prediction"],
                                 observed=values["observed"])
    np.testing.assert_array_equal(w.state.nll, expected.nll)
    np.testing.assert_array_equal(w.plot.nll.get_ydata(), expected.nll)
    w.controls["prediction"].value = 2.0
    np.testing.assert_allclose(w.plot.masses.get_ydata(),
                               stats.poisson.pmf(np.arange(31), np.exp(2.0)), rtol=1e-12)
    check_rendered(w)
    # an impossible value is reported, and the last good figure stays
    w.controls["model"].value = "bernoulli"
    good = w.state
    w.controls["observed"].value = 0.5
    assert "0 or 1" in w.status.value and w.state is good


def test_descent_playground_follows_its_controls():
    w = descent_playground()
    check_rendered(w)
    w.controls["lr"].value = 0.03
    expected = descent_path("quadratic", "SGD", 0.03, w.values["steps"])
    np.testing.assert_array_equal(w.state.path, expected.path)
    np.testing.assert_array_equal(w.plot.path.get_xdata(), expected.path[:, 0])
    w.controls["problem"].value = "rosenbrock"
    assert w.values["lr"] == pytest.approx(0.001)  # the problem's default rate was set
    w.controls["optimizer"].value = "Adam"
    w.controls["steps"].value = 300
    expected = descent_path("rosenbrock", "Adam", w.values["lr"], 300)
    np.testing.assert_array_equal(w.plot.path.get_ydata(), expected.path[:, 1])
    assert w.plot.curve.get_xdata().size == 301
    check_rendered(w)


def test_batch_size_explorer_follows_its_controls():
    w = batch_size_explorer()
    check_rendered(w)
    w.controls["k"].value = 5
    assert sorted(w.state) == [1, 5, 40]
    expected = batch_size_runs((1, 5, 40), lr=w.values["lr"], epochs=w.values["epochs"])
    np.testing.assert_allclose(w.plot.curves[1].get_ydata(),
                               np.maximum(expected[5].gap, 1e-16), rtol=1e-12)
    check_rendered(w)


def test_margin_explorer_follows_its_controls():
    w = margin_explorer()
    check_rendered(w)
    w.controls["C"].value = 0.05
    expected = svm_margin(0.05)
    np.testing.assert_allclose(w.state.w, expected.w)
    xs, ys = w.plot.boundary.get_xdata(), w.plot.boundary.get_ydata()
    np.testing.assert_allclose(expected.w[0] * xs + expected.w[1] * ys + expected.b, 0,
                               atol=1e-9)
    np.testing.assert_array_equal(w.plot.rings.get_offsets(), expected.X[expected.support])
    check_rendered(w)


def test_training_monitor_redraws_while_training(capsys):
    w = training_monitor(optimizer="SGD + momentum", lr=0.5, steps=60, every=20)
    assert w.png.startswith(b"\x89PNG") and w.state is None
    w.start_button.click()
    X, y = datasets.blobs(200, separation=2.0, seed=0)
    problem = problems.logistic_regression(X, y, alpha=0.01)
    history = minimize(problem, problem.x0, SGD(lr=0.5, momentum=0.9), steps=60)
    np.testing.assert_array_equal(w.state.loss, history.loss)
    np.testing.assert_array_equal(w.figure.axes[0].get_lines()[0].get_ydata(), history.loss)
    assert w.frames == 60 // 20  # every 20 steps; the final redraw does not repeat step 60
    assert shown_png(w) == w.png and not w.start_button.disabled
    assert capsys.readouterr().out == ""  # nothing went to IPython's display or stdout
