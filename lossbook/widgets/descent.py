"""`descent_playground`: optimizers racing on 2-D objectives (chapters 04-05).

The objectives are `lossbook.optim.problems`: a quadratic bowl whose condition number sets
how narrow the valley is, Rosenbrock's curved valley, and logistic regression with one
feature (parameters: weight w and intercept b). The trajectories are those of
`lossbook.optim.minimize`, full-batch, exactly.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .. import datasets
from ..optim import SGD, Adagrad, Adam, History, RMSprop, minimize, newton, problems
from ..optim._base import Optimizer
from ..optim.problems import Problem
from ._controls import (
    Explorer,
    FigureView,
    dropdown,
    finite_range,
    float_slider,
    int_slider,
    log_slider,
    new_figure,
    settle_limits,
    show,
)

PROBLEMS = ("quadratic", "rosenbrock", "logistic regression")
OPTIMIZERS = ("SGD", "SGD + momentum", "Adagrad", "RMSprop", "Adam")

# Learning rates that make a good first picture: fast, stable, yet not trivial. Each is
# set when the problem or the optimizer changes; the slider then explores around it.
DEFAULT_LR = {
    "quadratic": {"SGD": 0.15, "SGD + momentum": 0.05, "Adagrad": 1.0, "RMSprop": 0.05,
                  "Adam": 0.2},
    "rosenbrock": {"SGD": 0.001, "SGD + momentum": 0.0005, "Adagrad": 0.5, "RMSprop": 0.01,
                   "Adam": 0.1},
    "logistic regression": {"SGD": 2.0, "SGD + momentum": 0.5, "Adagrad": 1.0,
                            "RMSprop": 0.05, "Adam": 0.2},
}


@functools.lru_cache(maxsize=32)
def make_problem(name: str, condition_number: float = 10.0) -> Problem:
    """The 2-D objective called `name` (one of PROBLEMS).

    "quadratic": `problems.quadratic(condition_number)` (tilted ellipses);
    "rosenbrock": `problems.rosenbrock()` (a=1, b=100);
    "logistic regression": `problems.logistic_regression` on the first feature of
    `datasets.blobs(100, separation=2.0, seed=0)`, parameters (w, b).
    The same arguments give the same (cached) object.
    """
    if name == "quadratic":
        return problems.quadratic(condition_number, dim=2, seed=0)
    if name == "rosenbrock":
        return problems.rosenbrock()
    if name == "logistic regression":
        X, y = datasets.blobs(100, separation=2.0, seed=0)
        return problems.logistic_regression(X[:, :1], y)
    raise ValueError(f"make_problem: unknown problem {name!r}; choose one of "
                     f"{', '.join(PROBLEMS)}")


def make_optimizer(name: str, lr: float, *, momentum: float = 0.9) -> Optimizer:
    """A fresh optimizer called `name` (one of OPTIMIZERS) with learning rate lr; torch's
    defaults otherwise. "SGD + momentum" is SGD(lr, momentum=momentum)."""
    if name == "SGD":
        return SGD(lr=lr)
    if name == "SGD + momentum":
        return SGD(lr=lr, momentum=momentum)
    if name in ("Adagrad", "RMSprop", "Adam"):
        return {"Adagrad": Adagrad, "RMSprop": RMSprop, "Adam": Adam}[name](lr=lr)
    raise ValueError(f"make_optimizer: unknown optimizer {name!r}; choose one of "
                     f"{', '.join(OPTIMIZERS)}")


def _problem_name(problem) -> str:
    return problem if isinstance(problem, str) else problem.name


def start_point(problem) -> np.ndarray:
    """Where the descent starts: problem.x0, except for logistic regression (x0 = 0 is
    already close to its minimizer), which starts at (w, b) = (1, 2)."""
    problem = make_problem(problem) if isinstance(problem, str) else problem
    if problem.name == "logistic_regression":
        return np.array([1.0, 2.0])
    return np.array(problem.x0, dtype=np.float64)


@functools.lru_cache(maxsize=32)
def minimizer(problem: Problem) -> np.ndarray:
    """x* of a problem: its x_star, or Newton's method's last iterate (logistic regression
    has no closed form; Newton reaches it to machine precision in a few steps)."""
    if problem.x_star is not None:
        return np.asarray(problem.x_star, dtype=np.float64)
    return newton(problem).x


def minimum_value(problem: Problem) -> float:
    """f* of a problem: its f_star, or the value at `minimizer(problem)`."""
    if problem.f_star is not None:
        return float(problem.f_star)
    return float(problem.value(minimizer(problem)))


@dataclass
class DescentPath:
    """A full-batch run of `minimize` on a 2-D problem, ready to plot.

    history: the `History` that minimize returned; path: its iterates, shape (T + 1, 2);
    values: f(x_t) for t = 0..T (f(x_T) is nan if the run diverged before evaluating it);
    f_star: the minimum value, to plot f(x_t) - f_star on a log scale.
    """

    problem: Problem
    optimizer: str
    history: History
    path: np.ndarray
    values: np.ndarray
    f_star: float


def descent_path(problem, optimizer: str, lr: float, steps: int, *, momentum: float = 0.9,
                 x0=None, condition_number: float = 10.0) -> DescentPath:
    """Run `lossbook.optim.minimize(problem, x0, optimizer, steps=steps)` and return its
    history with the iterates as an array.

    problem: a name of PROBLEMS (built by `make_problem(name, condition_number)`) or a 2-D
    `Problem`. optimizer: a name of OPTIMIZERS (built by `make_optimizer(optimizer, lr,
    momentum=momentum)`). x0: the start (default `start_point(problem)`).
    """
    where = "descent_path"
    if isinstance(problem, str):
        problem = make_problem(problem, condition_number)
    if problem.dim != 2:
        raise ValueError(f"{where}: the playground draws 2-D problems; {problem!r} has "
                         f"dim={problem.dim}")
    x0 = start_point(problem) if x0 is None else np.asarray(x0, dtype=np.float64)
    # Too large a learning rate is one of the lessons here: a diverging run overflows on
    # its way out, and minimize reports it in history.message, so numpy need not warn.
    with np.errstate(over="ignore", invalid="ignore"):
        history = minimize(problem, x0, make_optimizer(optimizer, lr, momentum=momentum),
                           steps=steps)
    final = history.epoch_loss[-1] if history.epoch_loss else np.nan  # nan: diverged
    values = np.array(history.loss + [final], dtype=np.float64)
    return DescentPath(problem, optimizer, history, history.path(), values,
                       minimum_value(problem))


def view_bounds(problem: Problem) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) of the contour plot: the start and the minimizer with
    room around them."""
    if problem.name == "rosenbrock":
        return (-2.0, 2.0, -1.0, 3.0)
    if problem.name == "logistic_regression":
        return (-4.5, 1.5, -3.0, 3.0)
    centre = np.asarray(problem.x_star if problem.x_star is not None else problem.x0)
    radius = 1.2 * float(np.abs(start_point(problem) - centre).max())
    return (centre[0] - radius, centre[0] + radius, centre[1] - radius, centre[1] + radius)


def objective_values(problem: Problem, points) -> np.ndarray:
    """f at each row of points (m, dim), the full objective, in one vectorized evaluation.

    Written from the problem's own data for the problems of `lossbook.optim.problems`: A
    and x* of the quadratic, a and b of Rosenbrock, the design matrix, targets, loss and
    alpha of the linear-model problems (least squares, logistic regression); any other
    problem is evaluated point by point with problem.value.
    """
    points = np.asarray(points, dtype=np.float64)
    if problem.name == "quadratic":
        r = points - problem.x_star
        return 0.5 * np.einsum("mi,ij,mj->m", r, problem.A, r)
    if problem.name == "rosenbrock":
        head, tail = points[:, :-1], points[:, 1:]
        return np.sum(problem.b * (tail - head**2) ** 2 + (problem.a - head) ** 2, axis=1)
    if problem.name in ("least_squares", "logistic_regression"):
        scores = problem.design @ points.T  # (n, m): every sample's score at every point
        targets = np.broadcast_to(problem.y[:, None], scores.shape)
        values = problem.loss(targets, scores, reduction="none").mean(axis=0)
        weights = points[:, :problem.n_features]  # the penalty is on w, not on b
        return values + 0.5 * problem.alpha * np.sum(weights**2, axis=1)
    return np.array([problem.value(p) for p in points])


def objective_grid(problem: Problem, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """f at every point of the grid xs x ys of a 2-D problem, shape (len(ys), len(xs)), as
    matplotlib's contour expects."""
    gx, gy = np.meshgrid(xs, ys)
    return objective_values(problem, np.stack([gx.ravel(), gy.ravel()], axis=1)).reshape(gx.shape)


@functools.lru_cache(maxsize=32)
def _contours(problem: Problem, resolution: int = 120):
    x_min, x_max, y_min, y_max = view_bounds(problem)
    xs, ys = np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution)
    return xs, ys, objective_grid(problem, xs, ys)


# ----------------------------------------------------------------------------------- figure
class DescentPlot:
    """Left: contours of f (log-spaced above f*), the minimizer, the start and the path.
    Right: f(x_t) - f* against the step t, on a log scale."""

    def __init__(self, figure=None):
        self.figure = figure if figure is not None else new_figure(9.5, 4.2)
        self.view = FigureView(self.figure)
        view = self.view
        self.ax_path, self.ax_loss = self.figure.subplots(1, 2)
        self.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.12, top=0.9, wspace=0.25)
        self.contours = None
        self.star = self.ax_path.plot([], [], "*", color="k", ms=12, zorder=4)[0]
        self.start = self.ax_path.plot([], [], "s", color="k", ms=6, zorder=4)[0]
        self.path = view.animate(self.ax_path.plot([], [], "-o", color="tab:red", lw=1.2,
                                                   ms=2.5, zorder=5)[0])
        self.end = view.animate(self.ax_path.plot([], [], "o", color="tab:red", ms=7,
                                                  zorder=6)[0])
        self.curve = view.animate(self.ax_loss.semilogy([], [], color="tab:red")[0])
        self.title = view.animate(self.ax_loss.set_title("", fontsize=9))
        self.ax_path.set_aspect("auto")
        self.ax_loss.set_xlabel("step t")
        self.ax_loss.set_ylabel("f(x_t) − f*")
        self.ax_loss.grid(alpha=0.3, which="both")
        self._problem = None

    def _draw_problem(self, state: DescentPath) -> None:
        problem = state.problem
        xs, ys, values = _contours(problem)
        if self.contours is not None:
            self.contours.remove()
        # f - f* spans many decades (Rosenbrock: 0 to 10^3): log-spaced levels show both the
        # valley floor and the walls.
        gap = np.maximum(values - state.f_star, 0)
        top = float(gap.max())
        levels = np.geomspace(top * 1e-5, top, 18)
        self.contours = self.ax_path.contour(xs, ys, gap, levels=levels, cmap="viridis",
                                             linewidths=0.8, zorder=1)
        x_min, x_max, y_min, y_max = view_bounds(problem)
        self.ax_path.set_xlim(x_min, x_max)
        self.ax_path.set_ylim(y_min, y_max)
        x_star = minimizer(problem)
        self.star.set_data([x_star[0]], [x_star[1]])
        self.start.set_data([state.path[0, 0]], [state.path[0, 1]])
        names = ("w", "b") if problem.name == "logistic_regression" else ("x₁", "x₂")
        self.ax_path.set_xlabel(names[0])
        self.ax_path.set_ylabel(names[1])
        self.ax_path.set_title(repr(problem), fontsize=9)

    def update(self, state: DescentPath) -> DescentPlot:
        key = (state.problem, tuple(state.path[0]))
        new_problem = key != self._problem
        if new_problem:
            self._problem = key
            self._draw_problem(state)
        # A diverging path runs off to 1e300; Agg draws it better clipped near the view.
        x_min, x_max, y_min, y_max = view_bounds(state.problem)
        span = max(x_max - x_min, y_max - y_min)
        path = np.clip(state.path, min(x_min, y_min) - 10 * span, max(x_max, y_max) + 10 * span)
        path = np.where(np.isfinite(path), path, np.nan)
        self.path.set_data(path[:, 0], path[:, 1])
        self.end.set_data(path[-1:, 0], path[-1:, 1])
        # Below about 1e-16 |f*| the gap is rounding, not progress: the axis stops there,
        # and a run that gets there stays on the bottom edge.
        floor = 1e-16 * max(1.0, abs(state.f_star))
        gap = np.maximum(state.values - state.f_star, floor)
        self.curve.set_data(np.arange(gap.size), gap)
        history = state.history
        # Short: text is the slowest thing to draw at every frame.
        self.title.set_text(f"diverged at step {history.steps}" if np.isnan(state.values[-1])
                            else f"f(x_T) − f* = {gap[-1]:.3g}")
        changed = new_problem
        changed |= settle_limits(self.ax_loss, "x", 0, max(history.steps, 1), pad=0, shrink=1)
        # A diverging run would stretch the axis to 1e300: it leaves the top of the chart.
        top = min(finite_range(gap)[1], 1e6 * max(gap[0], floor))
        changed |= settle_limits(self.ax_loss, "y", floor, top, pad=0.02,
                                 shrink=1.0 if new_problem else 0.5)
        if changed:
            self.view.invalidate()
        return self


# ----------------------------------------------------------------------------------- widget
def descent_playground(problem: str = "quadratic", optimizer: str = "SGD") -> Explorer:
    """Choose an objective and an optimizer; see the trajectory and the loss curve.

    Plotted: left, contours of the objective with the minimizer (star), the start (square)
    and the iterates of `minimize`; right, f(x_t) - f* per step on a log scale (a straight
    line is linear convergence). Controls: problem, condition number (quadratic only),
    optimizer, learning rate, momentum (SGD + momentum only), number of steps.
    The state is the `descent_path` result (its `history` is minimize's History).
    """
    make_problem(problem)  # reject unknown names before building anything
    controls = {
        "problem": dropdown("problem", PROBLEMS, problem),
        "condition_number": log_slider("condition number κ", 10.0, 1.0, 1000.0, step=0.1),
        "optimizer": dropdown("optimizer", OPTIMIZERS, optimizer),
        "lr": log_slider("learning rate", DEFAULT_LR[problem][optimizer], 1e-4, 5.0),
        "momentum": float_slider("momentum", 0.9, 0.0, 0.99, 0.01),
        "steps": int_slider("steps", 200, 10, 1000, 10),
    }

    def adjust(explorer, key):
        values = explorer.values
        if key in ("problem", "optimizer"):
            explorer.controls["lr"].value = DEFAULT_LR[values["problem"]][values["optimizer"]]
        show(explorer.controls["condition_number"], values["problem"] == "quadratic")
        show(explorer.controls["momentum"], values["optimizer"] == "SGD + momentum")

    def compute(values):
        return descent_path(values["problem"], values["optimizer"], values["lr"],
                            values["steps"], momentum=values["momentum"],
                            condition_number=values["condition_number"])

    return Explorer("descent_playground", controls, compute, DescentPlot(), adjust=adjust)
