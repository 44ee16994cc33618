"""`outlier_explorer`: one point dragged away, and three lines that react differently (ch. 02, 06).

Least squares (MSE) follows the point without limit, least absolute deviations (MAE) does
not move once the point is far enough, and Huber's loss sits in between: its derivative is
bounded, so one point's pull on the fit is capped.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

from .. import datasets
from .._validation import as_float, check_finite, check_integer, check_number
from ..models import ConvergenceWarning, HuberRegressor, LinearRegression
from ._controls import (
    Explorer,
    FigureView,
    finite_range,
    float_slider,
    new_figure,
    settle_limits,
)

FITS = ("mse", "mae", "huber")
LABELS = {"mse": "MSE (least squares)", "mae": "MAE (least absolute deviations)",
          "huber": "Huber"}
COLORS = {"mse": "tab:red", "mae": "tab:green", "huber": "tab:blue"}


class Line(NamedTuple):
    """y = slope * x + intercept."""

    slope: float
    intercept: float


class OutlierFits(dict):
    """{"mse": Line, "mae": Line, "huber": Line}, plus how they were fitted: the data x, y
    (with the moved point at y[index]), index and Huber's epsilon."""

    def __init__(self, lines: dict, x: np.ndarray, y: np.ndarray, index: int, epsilon: float):
        super().__init__(lines)
        self.x, self.y, self.index, self.epsilon = x, y, index, epsilon


def _line_data(x, y, where):
    x = as_float(x, "x", where, np.dtype(np.float64))
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    y = as_float(y, "y", where, np.dtype(np.float64))
    if x.ndim != 1 or y.shape != x.shape:
        raise ValueError(f"{where}: x must have shape (n,) or (n, 1) and y shape (n,); got "
                         f"{x.shape} and {y.shape}")
    check_finite(x, "x", where)
    check_finite(y, "y", where)
    if x.size < 2 or np.all(x == x[0]):
        raise ValueError(f"{where}: a line needs at least two distinct x values")
    return x, y


def lad_line(x, y) -> Line:
    """The line minimizing the mean absolute error sum_i |y_i - slope x_i - intercept| / n.

    Exact, by a search over the slopes of the lines through two data points: for a fixed
    slope s the best intercept is a median of y - s x, and F(s) = min_b sum |y - s x - b|
    is convex (a partial minimum of a convex function) and linear between consecutive
    pairwise slopes (the order of the residuals, hence the median's index, changes only
    there). So a minimizer is one of those slopes, and the sequence of F at the sorted slopes
    is convex: a binary search finds it in O(n^2 log n). Least absolute deviations can have
    several minimizers; this returns one of them.
    """
    x, y = _line_data(x, y, "lad_line")
    i, j = np.triu_indices(x.size, 1)
    distinct = x[i] != x[j]
    i, j = i[distinct], j[distinct]
    slopes = np.unique((y[j] - y[i]) / (x[j] - x[i]))

    def cost(slope):
        residual = y - slope * x
        intercept = float(np.median(residual))
        return float(np.abs(residual - intercept).sum()), intercept

    low, high = 0, slopes.size - 1
    while low < high:  # the first k with F(s_k) <= F(s_{k+1}): a minimum of a convex sequence
        middle = (low + high) // 2
        if cost(slopes[middle])[0] <= cost(slopes[middle + 1])[0]:
            high = middle
        else:
            low = middle + 1
    return Line(float(slopes[low]), cost(slopes[low])[1])


def default_data(n_samples: int = 20, seed: int = 0):
    """x in [0, 5], y = 2 x + 1 + noise (lossbook.datasets.regression_with_outliers, no
    outliers: the explorer makes its own)."""
    X, y, _ = datasets.regression_with_outliers(n_samples, n_outliers=0, noise=0.5, seed=seed)
    return X[:, 0], y


def outlier_fits(outlier_y: float, *, data=None, index: int | None = None,
                 epsilon: float = 1.35) -> OutlierFits:
    """Lines fitted by MSE, MAE and Huber after point `index` is moved to y = outlier_y.

    data: (x, y), x of shape (n,) or (n, 1) (default: `default_data()`, 20 points around
    y = 2 x + 1); index: the moved point (default: the one with the largest x, where a
    point has the most leverage on the slope).
    Fits: "mse", `lossbook.models.LinearRegression`; "mae", `lad_line` (the exact least
    absolute deviations line); "huber", `lossbook.models.HuberRegressor(epsilon=epsilon,
    alpha=0)` (Huber's loss with a jointly estimated scale, scikit-learn's objective without
    its ridge term). Returns an `OutlierFits`: {name: Line(slope, intercept)} with the
    modified data as attributes x, y, index.
    """
    where = "outlier_fits"
    x, y = _line_data(*(default_data() if data is None else data), where)
    index = int(np.argmax(x)) if index is None else check_integer(index, "index", where, low=0)
    if index >= x.size:
        raise ValueError(f"{where}: index must be below the number of points ({x.size}), "
                         f"got {index}")
    y = y.copy()
    y[index] = check_number(outlier_y, "outlier_y", where, low=-np.inf)
    X = x[:, None]
    mse = LinearRegression().fit(X, y)
    with warnings.catch_warnings():
        # Near-exact fits can stall the scale estimate; the line is still the one to show.
        warnings.simplefilter("ignore", ConvergenceWarning)
        huber = HuberRegressor(epsilon=epsilon, alpha=0.0).fit(X, y)
    lines = {
        "mse": Line(float(mse.coef_[0]), float(mse.intercept_)),
        "mae": lad_line(x, y),
        "huber": Line(float(huber.coef_[0]), float(huber.intercept_)),
    }
    return OutlierFits(lines, x, y, index, epsilon)


def slope_sweep(outlier_ys, *, data=None, index: int | None = None,
                epsilon: float = 1.35) -> dict[str, np.ndarray]:
    """The slope of each fit of `outlier_fits` as the moved point's y runs over outlier_ys:
    {name: slopes}. An empirical influence curve: unbounded for MSE, bounded for MAE and
    Huber."""
    fits = [outlier_fits(v, data=data, index=index, epsilon=epsilon) for v in outlier_ys]
    return {name: np.array([f[name].slope for f in fits]) for name in FITS}


# ----------------------------------------------------------------------------------- figure
class OutlierPlot:
    """Left: the data, the moved point and the three fitted lines. Right: each line's slope
    as a function of the moved point's y over `sweep` (`slope_sweep`, recomputed only when
    Huber's epsilon changes), with the current value.
    """

    def __init__(self, sweep: np.ndarray, figure=None):
        self.figure = figure if figure is not None else new_figure(9.5, 3.8)
        self.view = FigureView(self.figure)
        self.ax_fit, self.ax_slope = self.figure.subplots(
            1, 2, gridspec_kw={"width_ratios": [1.4, 1]})
        self.figure.subplots_adjust(left=0.06, right=0.98, bottom=0.13, top=0.82, wspace=0.22)
        view = self.view
        self.points = view.animate(self.ax_fit.scatter([], [], s=18, color="0.35", zorder=3))
        self.moved = view.animate(self.ax_fit.scatter([], [], s=70, color="tab:orange",
                                                      edgecolor="k", zorder=4,
                                                      label="moved point"))
        self.lines, self.markers, self.sweep_lines = {}, {}, {}
        for name in FITS:
            self.lines[name] = view.animate(
                self.ax_fit.plot([], [], color=COLORS[name], lw=2, label=LABELS[name])[0])
            self.sweep_lines[name] = self.ax_slope.plot([], [], color=COLORS[name], lw=1.5)[0]
            self.markers[name] = view.animate(
                self.ax_slope.plot([], [], "o", color=COLORS[name], ms=7)[0])
        self.cursor = view.animate(self.ax_slope.axvline(0, color="tab:orange", lw=1))
        # Outside the axes, so that it belongs to the static background: a legend drawn
        # again at every frame would cost more than everything else together.
        self.figure.legend(handles=[self.moved, *self.lines.values()], loc="upper center",
                           ncol=4, frameon=False)
        self.ax_fit.set_xlabel("x")
        self.ax_fit.set_ylabel("y")
        self.ax_fit.set_title("fitted lines")
        self.ax_slope.set_xlabel("y of the moved point")
        self.ax_slope.set_title("slope of each fit")
        self.ax_slope.set_xlim(sweep[0], sweep[-1])
        self.ax_slope.grid(alpha=0.3)
        self._sweep = sweep
        self._swept = None  # (data, index, epsilon) of the curves on the right

    def update(self, fits: OutlierFits) -> OutlierPlot:
        x, y, index = fits.x, fits.y, fits.index
        changed = False
        rest = np.delete(y, index)
        swept = (x.tobytes(), rest.tobytes(), index, fits.epsilon)
        if swept != self._swept:
            self._swept = swept
            slopes = slope_sweep(self._sweep, data=(x, y), index=index, epsilon=fits.epsilon)
            for name, line in self.sweep_lines.items():
                line.set_data(self._sweep, slopes[name])
            changed = True
        others = np.delete(np.column_stack([x, y]), index, axis=0)
        self.points.set_offsets(others)
        self.moved.set_offsets([[x[index], y[index]]])
        span = np.array([x.min(), x.max()])
        span = span + np.array([-0.05, 0.05]) * (span[1] - span[0])
        for name, line in self.lines.items():
            slope, intercept = fits[name]
            line.set_data(span, slope * span + intercept)
            self.markers[name].set_data([y[index]], [slope])
        self.cursor.set_xdata([y[index]])
        changed |= settle_limits(self.ax_fit, "x", *span, pad=0.02, shrink=1)
        changed |= settle_limits(self.ax_fit, "y", min(rest.min(), self._sweep[0]),
                                 max(rest.max(), self._sweep[-1]), shrink=1)
        changed |= settle_limits(self.ax_slope, "y", *_slope_range(fits, self.ax_slope))
        if changed:
            self.view.invalidate()
        return self


def _slope_range(fits, ax):
    """The slope axis's data range: the swept curves plus the current slopes."""
    values = [line.get_ydata() for line in ax.get_lines() if not line.get_animated()]
    return finite_range(*values, [fits[name].slope for name in FITS])


# ----------------------------------------------------------------------------------- widget
def outlier_explorer(data=None, *, index: int | None = None, low: float = -10.0,
                     high: float = 40.0) -> Explorer:
    """Move one point's y with a slider; see the MSE, MAE and Huber lines respond.

    Plotted: left, the data, the moved point and the three fitted lines (`outlier_fits`);
    right, the slope of each fit as a function of the moved point's y over [low, high]
    (computed once), with the current position: MSE's slope grows without bound, MAE's and
    Huber's level off. Controls: the moved point's y, and Huber's epsilon (the threshold in
    units of the estimated noise scale beyond which a point counts as an outlier).
    The state is the `outlier_fits` result.
    """
    x, y = _line_data(*(default_data() if data is None else data), "outlier_explorer")
    index = int(np.argmax(x)) if index is None else index
    sweep = np.linspace(low, high, 41)
    start = float(np.clip(y[index] + 15.0, low, high))  # as far as the dataset's outliers
    controls = {
        "outlier_y": float_slider("moved point's y", start, low, high, 0.5,
                                  readout_format=".1f"),
        "epsilon": float_slider("Huber ε", 1.35, 1.05, 3.0, 0.05),
    }

    def compute(values):
        return outlier_fits(values["outlier_y"], data=(x, y), index=index,
                            epsilon=values["epsilon"])

    return Explorer("outlier_explorer", controls, compute, OutlierPlot(sweep))
