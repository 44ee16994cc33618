"""`margin_explorer`: the soft-margin SVM as its price of slack C changes (chapter 08).

Small C buys a wide margin with many points inside it (each paying slack); large C narrows
the margin until few points violate it. The support vectors are the points on or inside the
margin: the boundary depends on them alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.collections import LineCollection

from .. import datasets
from ..models import SoftMarginSVM
from ._controls import Explorer, FigureView, log_slider, new_figure, settle_limits


def default_data(n_samples: int = 40, seed: int = 3):
    """Two overlapping Gaussian blobs in 2-D (`lossbook.datasets.blobs`), labels 0 and 1."""
    return datasets.blobs(n_samples, separation=2.5, spread=0.9, seed=seed)


@dataclass
class MarginState:
    """A fitted soft-margin SVM, as drawn by the explorer.

    X, y: the data, y in {-1, +1} (+1 is the larger of the two labels); w, b: the boundary
    w . x + b = 0; support: indices of the support vectors (SoftMarginSVM.support_);
    slack: xi_i = max(0, 1 - y_i f(x_i)); margin: the half-width 1 / |w| (the distance from
    the boundary to each margin line); width = 2 / |w|; scores: y_i f(x_i) (the margins).
    """

    C: float
    X: np.ndarray
    y: np.ndarray
    w: np.ndarray
    b: float
    support: np.ndarray
    slack: np.ndarray
    margin: float
    width: float
    scores: np.ndarray


def svm_margin(C: float, *, data=None) -> MarginState:
    """Fit `lossbook.models.SoftMarginSVM(C=C)` (scikit-learn's SVC(kernel="linear", C=C)
    optimum) on data = (X, labels) (default `default_data()`) and collect what the margin
    figure shows: w, b, the support vectors, the slacks and the margin width."""
    X, labels = default_data() if data is None else data
    X = np.asarray(X, dtype=np.float64)
    model = SoftMarginSVM(C=C).fit(X, labels)
    w, b = model.coef_[0].copy(), float(model.intercept_[0])
    y = np.where(np.asarray(labels) == model.classes_[1], 1.0, -1.0)
    norm = float(np.linalg.norm(w))
    return MarginState(
        C=float(C), X=X, y=y, w=w, b=b, support=model.support_.copy(),
        slack=model.slack_.copy(), margin=model.margin_, width=2 / norm if norm else np.inf,
        scores=y * (X @ w + b),
    )


def line_points(w: np.ndarray, b: float, level: float, reach: float) -> np.ndarray:
    """Two points of the line w . x + b = level, `reach` away on each side of its point
    nearest the origin (far enough to cross the whole view)."""
    norm2 = float(w @ w)
    foot = (level - b) * w / norm2
    along = np.array([-w[1], w[0]]) / np.sqrt(norm2)
    return np.array([foot - reach * along, foot + reach * along])


# ----------------------------------------------------------------------------------- figure
class MarginPlot:
    """Left: the data, the boundary f(x) = 0, the margins f(x) = +-1, the support vectors
    (ringed) and each point's slack as a segment to its own margin line (length
    xi / |w|). Right: every point's slack against its margin y f(x), on the hinge
    max(0, 1 - y f): the slack is the hinge loss of chapter 02."""

    def __init__(self, X: np.ndarray, y: np.ndarray, figure=None):
        self.figure = figure if figure is not None else new_figure(9.5, 4.2)
        self.view = FigureView(self.figure)
        view = self.view
        self.ax_data, self.ax_hinge = self.figure.subplots(
            1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
        self.figure.subplots_adjust(left=0.06, right=0.98, bottom=0.12, top=0.84, wspace=0.22)
        colors = {-1.0: "tab:blue", 1.0: "tab:red"}
        for label, color in colors.items():
            self.ax_data.scatter(*X[y == label].T, s=22, color=color, zorder=3,
                                 label=f"y = {label:+.0f}")
        self.boundary = view.animate(self.ax_data.plot([], [], color="k", lw=2,
                                                       label="boundary f(x) = 0")[0])
        self.margins = [view.animate(self.ax_data.plot([], [], "--", color=colors[s], lw=1.2,
                                                       label=f"margin f(x) = {s:+.0f}")[0])
                        for s in (-1.0, 1.0)]
        self.rings = view.animate(self.ax_data.scatter(
            [], [], s=110, facecolors="none", edgecolors="k", lw=1.2, zorder=4,
            label="support vectors"))
        self.slack_segments = view.animate(self.ax_data.add_collection(
            LineCollection([], colors="0.3", lw=1, zorder=2)))
        lows, highs = X.min(axis=0), X.max(axis=0)
        pad = 0.1 * (highs - lows)
        self.ax_data.set_xlim(lows[0] - pad[0], highs[0] + pad[0])
        self.ax_data.set_ylim(lows[1] - pad[1], highs[1] + pad[1])
        self._reach = 2 * float(np.linalg.norm(highs - lows) + np.abs(X).max())
        self.ax_data.set_xlabel("x₁")
        self.ax_data.set_ylabel("x₂")
        self.title = view.animate(self.ax_data.set_title("", fontsize=9))

        grid = np.linspace(-4, 6, 201)
        self.ax_hinge.plot(grid, np.maximum(0, 1 - grid), color="0.6", lw=2,
                           label="hinge max(0, 1 − y f)")
        self.ax_hinge.axvline(0, color="0.85", lw=1)
        self.ax_hinge.axvline(1, color="0.85", lw=1)
        self.points = {label: view.animate(self.ax_hinge.plot([], [], "o", color=color,
                                                              ms=5)[0])
                       for label, color in colors.items()}
        self.hinge_rings = view.animate(self.ax_hinge.scatter(
            [], [], s=90, facecolors="none", edgecolors="k", lw=1.0))
        self.ax_hinge.set_xlabel("margin y·f(x)")
        self.ax_hinge.set_ylabel("slack ξ")
        self.ax_hinge.set_title("slack = hinge loss of the margin", fontsize=9)
        self.ax_hinge.grid(alpha=0.3)
        handles = [*self.ax_data.collections[:2], self.boundary, *self.margins, self.rings]
        self.figure.legend(handles=handles, loc="upper center", ncol=6, frameon=False,
                           fontsize=8)

    def update(self, state: MarginState) -> MarginPlot:
        w, b, X, y = state.w, state.b, state.X, state.y
        if np.any(w):
            for line, level in ((self.boundary, 0.0), *zip(self.margins, (-1.0, 1.0),
                                                            strict=True)):
                points = line_points(w, b, level, self._reach)
                line.set_data(points[:, 0], points[:, 1])
            # Each violating point's slack as the segment to its own margin line f = y_i:
            # moving along w changes f by |w|^2 per unit, so the length is xi / |w|.
            inside = state.slack > 0
            targets = X[inside] + (state.slack[inside] * y[inside])[:, None] * w / (w @ w)
            self.slack_segments.set_segments(np.stack([X[inside], targets], axis=1))
        self.rings.set_offsets(X[state.support])
        for label, line in self.points.items():
            chosen = y == label
            line.set_data(state.scores[chosen], state.slack[chosen])
        self.hinge_rings.set_offsets(np.column_stack([state.scores, state.slack])[state.support])
        # Short: text is the slowest thing to draw at every frame.
        self.title.set_text(f"width 2/‖w‖ = {state.width:.3g} · {state.support.size} SVs · "
                            f"Σξ = {state.slack.sum():.3g}")
        # Generous padding: the margins drift with C, and each change of limits costs a
        # full redraw.
        changed = settle_limits(self.ax_hinge, "x", min(state.scores.min(), -1.0),
                                max(state.scores.max(), 2.0), pad=0.2, shrink=0.15)
        changed |= settle_limits(self.ax_hinge, "y", 0.0, max(state.slack.max(), 1.0),
                                 pad=0.2, shrink=0.15)
        if changed:
            self.view.invalidate()
        return self


# ----------------------------------------------------------------------------------- widget
def margin_explorer(data=None) -> Explorer:
    """Change C; see the soft-margin SVM's boundary, margins, support vectors and slacks.

    Plotted: left, the 2-D data (default `default_data()`), the boundary w . x + b = 0, the
    margins w . x + b = +-1, the support vectors ringed and each margin violation as a
    segment to its margin line; right, each point's slack against its margin y f(x), on the
    hinge. Control: C (log scale). The state is the `svm_margin` result.
    """
    X, labels = default_data() if data is None else data
    X = np.asarray(X, dtype=np.float64)
    y = np.where(np.asarray(labels) == np.max(labels), 1.0, -1.0)
    controls = {"C": log_slider("C (price of slack)", 1.0, 1e-3, 1e3, step=0.1)}

    def compute(values):
        return svm_margin(values["C"], data=(X, labels))

    return Explorer("margin_explorer", controls, compute, MarginPlot(X, y), columns=1)
