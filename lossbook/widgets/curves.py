"""`loss_explorer`: the shapes of the catalog's losses and of their derivatives (chapter 02).

Regression losses are drawn against the residual r = y_pred - y_true (y_true = 0,
y_pred = r); classification losses against the margin m = y f, positive when the score f
has the right sign (label +1, score m). The derivative is what gradient descent feels: how
hard one sample pulls on the prediction.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from ipywidgets import Layout, SelectMultiple
from matplotlib import colormaps

from .. import losses
from .._validation import as_float, check_finite
from ._controls import (
    CONTROL_WIDTH,
    STYLE,
    Explorer,
    FigureView,
    dropdown,
    finite_range,
    float_slider,
    new_figure,
    settle_limits,
    show,
)

RESIDUAL, MARGIN = "residual", "margin"
DEFAULT_GRID = np.linspace(-3.0, 3.0, 601)


class Curve(NamedTuple):
    """One loss on a grid: x (residual or margin), the loss value and its derivative at x."""

    x: np.ndarray
    value: np.ndarray
    derivative: np.ndarray


def _residual(loss):
    """Per-sample value and derivative of a regression loss at y_true = 0, y_pred = x."""

    def evaluate(x, params):
        zero = np.zeros_like(x)
        return (loss(zero, x, reduction="none", **params),
                loss.grad(zero, x, reduction="none", **params))

    return evaluate


def _margin(loss, positive_label):
    """A binary loss at label +1 (written positive_label in the loss's convention) and
    score x: the margin y f is then x itself, and d/dx is the derivative in the margin."""

    def evaluate(x, params):
        label = np.full_like(x, positive_label)
        return (loss(label, x, reduction="none", **params),
                loss.grad(label, x, reduction="none", **params))

    return evaluate


def _two_classes(loss):
    """A multiclass loss with two classes, logits (0, x) and true class 1: the margin
    f_1 - f_0 is x, and only the second logit moves, so d/dx is its gradient column."""

    def evaluate(x, params):
        logits = np.column_stack([np.zeros_like(x), x])
        target = np.ones(x.shape, dtype=np.int64)
        value = loss(target, logits, reduction="none", **params)
        return value, loss.grad(target, logits, reduction="none", **params)[:, 1]

    return evaluate


# The losses that are a function of one number, and how to evaluate them there. The others
# (binary_cross_entropy on probabilities, kl_divergence, poisson_nll, gaussian_nll) need a
# probability, a distribution, a count or a variance: they appear in likelihood_explorer.
_EVALUATE = {
    "mse": (RESIDUAL, _residual(losses.mse)),
    "mae": (RESIDUAL, _residual(losses.mae)),
    "huber": (RESIDUAL, _residual(losses.huber)),
    "log_cosh": (RESIDUAL, _residual(losses.log_cosh)),
    "quantile": (RESIDUAL, _residual(losses.quantile)),
    "epsilon_insensitive": (RESIDUAL, _residual(losses.epsilon_insensitive)),
    "binary_cross_entropy_with_logits": (
        MARGIN, _margin(losses.binary_cross_entropy_with_logits, 1.0)),
    "cross_entropy": (MARGIN, _two_classes(losses.cross_entropy)),
    "focal": (MARGIN, _margin(losses.focal, 1.0)),
    "hinge": (MARGIN, _margin(losses.hinge, 1.0)),
    "squared_hinge": (MARGIN, _margin(losses.squared_hinge, 1.0)),
    "multiclass_hinge": (MARGIN, _two_classes(losses.multiclass_hinge)),
    "logistic": (MARGIN, _margin(losses.logistic, 1.0)),
    "exponential": (MARGIN, _margin(losses.exponential, 1.0)),
    "zero_one": (MARGIN, _margin(losses.zero_one, 1.0)),
}


def curve_losses(variable: str | None = None) -> tuple[str, ...]:
    """Names of the losses `loss_curves` can draw, in catalog order.

    variable: "residual" (regression losses), "margin" (classification losses) or None (all).
    """
    if variable not in (None, RESIDUAL, MARGIN):
        raise ValueError(f"curve_losses: variable must be 'residual', 'margin' or None, "
                         f"got {variable!r}")
    return tuple(row["name"] for row in losses.catalog()
                 if row["name"] in _EVALUATE
                 and variable in (None, _EVALUATE[row["name"]][0]))


def curve_variable(name: str) -> str:
    """"residual" or "margin": what a loss of `loss_curves` is drawn against."""
    return _lookup(name, "curve_variable")[0]


def _lookup(name, where):
    if name not in _EVALUATE:
        raise ValueError(
            f"{where}: {name!r} has no curve against a residual or a margin; the losses "
            f"with one are: {', '.join(curve_losses())}"
        )
    return _EVALUATE[name]


def loss_curves(names, *, delta: float = 1.0, tau: float = 0.5, epsilon: float = 0.1,
                gamma: float = 2.0, alpha: float | None = None, label_smoothing: float = 0.0,
                grid=None) -> dict[str, Curve]:
    """Value and derivative of each named loss on a grid, computed by `lossbook.losses`.

    names: loss names from `curve_losses()` (a single name is accepted too).
    Regression losses are evaluated at y_true = 0 and y_pred = x, so x is the residual
    r = y_pred - y_true; binary losses at label +1 and score x, so x is the margin y f; the
    multiclass losses (cross_entropy, multiclass_hinge) with two classes, logits (0, x) and
    true class 1, so x is the margin f_1 - f_0. The derivative is `loss.grad(...,
    reduction="none")`, d loss / dx (the sub-gradient that torch's autograd gives at kinks).
    Parameters go to the losses that take them: huber `delta`, quantile `tau`,
    epsilon_insensitive `epsilon`, focal `gamma` and `alpha` (None here by default, so that
    focal with gamma = 0 is the logistic curve; the library's default is 0.25),
    cross_entropy `label_smoothing`. grid: the x values (default 601 points on [-3, 3]).
    Returns {name: Curve(x, value, derivative)}, float64 arrays.
    """
    where = "loss_curves"
    if isinstance(names, str):
        names = [names]
    x = DEFAULT_GRID if grid is None else as_float(grid, "grid", where, np.dtype(np.float64))
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"{where}: grid must be a non-empty 1-D array of x values, got shape "
                         f"{x.shape}")
    check_finite(x, "grid", where)
    params = {"delta": delta, "tau": tau, "epsilon": epsilon, "gamma": gamma, "alpha": alpha,
              "label_smoothing": label_smoothing}
    curves = {}
    for name in names:
        _, evaluate = _lookup(name, where)
        loss = getattr(losses, name)
        own = {key: value for key, value in params.items() if key in loss.params}
        value, derivative = evaluate(x, own)
        curves[name] = Curve(x.copy(), np.asarray(value, dtype=np.float64),
                             np.asarray(derivative, dtype=np.float64))
    return curves


# ----------------------------------------------------------------------------------- figure
AXIS_LABELS = {RESIDUAL: "residual r = ŷ − y", MARGIN: "margin m = y·f"}


class LossCurvesPlot:
    """Loss (left) and derivative (right) of the losses in a `loss_curves` result.

    One line per drawable loss exists from the start, hidden until selected, so that a
    change of parameters only moves lines (set_data). update(curves) returns self.
    """

    def __init__(self, figure=None):
        self.figure = figure if figure is not None else new_figure(9.5, 3.6)
        self.view = FigureView(self.figure)
        self.ax_value, self.ax_derivative = self.figure.subplots(1, 2)
        self.figure.subplots_adjust(left=0.07, right=0.78, bottom=0.16, top=0.9, wspace=0.28)
        # Only one family is shown at a time: colours are distinct within a family.
        colors = colormaps["tab10"].colors
        position = {name: i for variable in (RESIDUAL, MARGIN)
                    for i, name in enumerate(curve_losses(variable))}
        self.lines, self.derivative_lines = {}, {}
        for name in curve_losses():
            color = colors[position[name] % len(colors)]
            self.lines[name] = self.view.animate(
                self.ax_value.plot([], [], color=color, lw=2, label=name, visible=False)[0])
            self.derivative_lines[name] = self.view.animate(
                self.ax_derivative.plot([], [], color=color, lw=2, visible=False)[0])
        for ax in (self.ax_value, self.ax_derivative):
            ax.axhline(0, color="0.8", lw=0.8, zorder=0)
            ax.axvline(0, color="0.8", lw=0.8, zorder=0)
            ax.grid(alpha=0.3)
        self.ax_value.set_title("loss ℓ")
        self.ax_derivative.set_title("derivative dℓ/dx")
        self._shown: tuple = ()
        self._variable = None

    def update(self, curves: dict[str, Curve]) -> LossCurvesPlot:
        shown = tuple(curves)
        for name, line in self.lines.items():
            selected = name in curves
            line.set_visible(selected)
            self.derivative_lines[name].set_visible(selected)
            if selected:
                x, value, derivative = curves[name]
                line.set_data(x, value)
                self.derivative_lines[name].set_data(x, derivative)
        changed = False
        if shown != self._shown:
            self._shown = shown
            handles = [self.lines[name] for name in shown]
            self.figure.legends.clear()
            if handles:
                self.figure.legend(handles=handles, loc="center left",
                                   bbox_to_anchor=(0.79, 0.5), frameon=False)
            changed = True
        variable = curve_variable(shown[0]) if shown else self._variable
        if variable != self._variable:
            self._variable = variable
            for ax in (self.ax_value, self.ax_derivative):
                ax.set_xlabel(AXIS_LABELS[variable])
            changed = True
        if curves:
            x = next(iter(curves.values())).x
            changed |= settle_limits(self.ax_value, "x", x.min(), x.max(), pad=0, shrink=1)
            changed |= settle_limits(self.ax_derivative, "x", x.min(), x.max(), pad=0, shrink=1)
            changed |= settle_limits(self.ax_value, "y",
                                     *finite_range(*(c.value for c in curves.values())))
            changed |= settle_limits(self.ax_derivative, "y",
                                     *finite_range(*(c.derivative for c in curves.values())))
        if changed:
            self.view.invalidate()
        return self


# ----------------------------------------------------------------------------------- widget
DEFAULT_SELECTION = {RESIDUAL: ("mse", "mae", "huber"), MARGIN: ("zero_one", "hinge", "logistic")}
# Which parameter slider matters for which family of losses.
PARAMETERS = {RESIDUAL: ("delta", "tau", "epsilon"), MARGIN: ("gamma", "label_smoothing")}


def loss_explorer(variable: str = RESIDUAL, names=None) -> Explorer:
    """Pick losses from the catalog and their parameters; see each loss and its derivative.

    Plotted: left, the loss of one sample against the residual r = y_pred - y_true
    (regression losses) or the margin m = y f (classification losses); right, its
    derivative, i.e. the pull of that sample on the prediction. Computed by `loss_curves`;
    the state is its result ({name: (x, value, derivative)}).
    Controls: family (residual or margin), losses (multi-select), huber delta, quantile tau,
    epsilon_insensitive epsilon, focal gamma, cross_entropy label smoothing (only the
    family's own parameters are shown), and the half-width of the x range.
    """

    if variable not in (RESIDUAL, MARGIN):
        raise ValueError(f"loss_explorer: variable must be 'residual' or 'margin', "
                         f"got {variable!r}")
    selection = tuple(names) if names is not None else DEFAULT_SELECTION[variable]
    for name in selection:
        if curve_variable(name) != variable:
            raise ValueError(f"loss_explorer: {name} is drawn against the "
                             f"{curve_variable(name)}, not the {variable}")
    family = dropdown("plotted against", [("residual (regression)", RESIDUAL),
                                          ("margin (classification)", MARGIN)], variable)
    chosen = SelectMultiple(options=curve_losses(variable), value=selection, rows=6,
                            description="losses", style=STYLE,
                            layout=Layout(width=CONTROL_WIDTH))
    controls = {
        "variable": family,
        "names": chosen,
        "delta": float_slider("huber δ", 1.0, 0.1, 3.0, 0.05),
        "tau": float_slider("quantile τ", 0.5, 0.05, 0.95, 0.05),
        "epsilon": float_slider("insensitive ε", 0.1, 0.0, 1.5, 0.05),
        "gamma": float_slider("focal γ", 2.0, 0.0, 5.0, 0.1),
        "label_smoothing": float_slider("label smoothing", 0.0, 0.0, 0.9, 0.05),
        "x_max": float_slider("x range ±", 3.0, 1.0, 10.0, 0.5, readout_format=".1f"),
    }

    def adjust(explorer, key):
        family_now = explorer.controls["variable"].value
        if key == "variable":
            chosen.options = curve_losses(family_now)
            chosen.value = DEFAULT_SELECTION[family_now]
        for group, params in PARAMETERS.items():
            for param in params:
                show(explorer.controls[param], group == family_now)

    def compute(values):
        grid = np.linspace(-values["x_max"], values["x_max"], 601)
        return loss_curves(values["names"], delta=values["delta"], tau=values["tau"],
                           epsilon=values["epsilon"], gamma=values["gamma"],
                           label_smoothing=values["label_smoothing"], grid=grid)

    return Explorer("loss_explorer", controls, compute, LossCurvesPlot(), adjust=adjust)
