"""`training_monitor`: press Start, watch the loss curve redrawn while a model trains
(chapters 04 and 10).

It is `lossbook.optim.live.LivePlot` in a widget: `minimize` calls the plot's update every
step, and every `every` steps the curve is drawn again and shown in the widget's output.
"""

from __future__ import annotations

import ipywidgets as widgets

from .. import datasets
from ..optim import History, LivePlot, minimize, problems
from ..optim.problems import Problem
from ._controls import (
    FigureView,
    dropdown,
    int_slider,
    log_slider,
    png_output,
)
from .descent import OPTIMIZERS, make_optimizer


class WidgetLivePlot(LivePlot):
    """A LivePlot whose redraws go to a callback (the widget's output) instead of
    IPython's display: same figure (`LivePlot.figure`), same redraw rhythm."""

    def __init__(self, show, every: int = 10):
        super().__init__(every)
        self._show = show

    def update(self, history, final: bool = False) -> None:
        if not history.loss or (not final and history.steps % self.every):
            return
        if history.steps == self._drawn_at:  # the final redraw of an already drawn step
            return
        self._drawn_at = history.steps
        self._show(self.figure(history))


def default_problem() -> Problem:
    """Logistic regression (L2, alpha = 0.01) on two overlapping 2-D blobs: a small model to
    train, whose loss curve flattens visibly."""
    X, y = datasets.blobs(200, separation=2.0, seed=0)
    return problems.logistic_regression(X, y, alpha=0.01)


class TrainingMonitor(widgets.VBox):
    """Controls, a Start button, and the loss curve of the latest run.

    Attributes: controls (optimizer, lr, steps, every), start_button, output, live (the
    `WidgetLivePlot`), figure (its Figure), state (the History of the latest run, None
    before the first), png (the latest frame), frames (redraws shown during the last run).
    start() runs the training, as the button does.
    """

    def __init__(self, problem: Problem | None = None, *, optimizer: str = "Adam",
                 lr: float = 0.1, steps: int = 200, every: int = 10):
        make_optimizer(optimizer, lr)  # reject unknown names before building anything
        self.problem = default_problem() if problem is None else problem
        self.controls = {
            "optimizer": dropdown("optimizer", OPTIMIZERS, optimizer),
            "lr": log_slider("learning rate", lr, 1e-4, 5.0),
            "steps": int_slider("steps", steps, 10, 2000, 10),
            "every": int_slider("redraw every", every, 1, 100),
        }
        self.start_button = widgets.Button(description="Start", button_style="primary",
                                           icon="play")
        self.start_button.on_click(lambda _: self.start())
        self.output = widgets.Output()
        self.state: History | None = None
        self.png = b""
        self.frames = 0
        self.live = WidgetLivePlot(self._show, every)
        self.figure = self.live.figure(History(method="press Start"))
        self._view = FigureView(self.figure)
        self._show(self.figure)
        grid = widgets.GridBox([*self.controls.values(), self.start_button],
                               layout=widgets.Layout(grid_template_columns="repeat(2, 360px)"))
        super().__init__([grid, self.output])

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={c.value!r}" for k, c in self.controls.items())
        return f"training_monitor({args})"

    def _show(self, figure) -> None:
        # LivePlot clears and redraws its axes each time: nothing is static, draw it all.
        self._view.invalidate()
        self.png = self._view.png()
        self.output.outputs = (png_output(self.png, "<training_monitor figure>"),)
        self.frames += 1

    def start(self) -> History:
        """Train: minimize(problem, problem.x0, optimizer, steps=steps, live=self.live)."""
        values = {key: control.value for key, control in self.controls.items()}
        self.live.every = values["every"]
        self.frames = 0
        self.start_button.disabled = True  # one run at a time
        try:
            self.state = minimize(self.problem, self.problem.x0,
                                  make_optimizer(values["optimizer"], values["lr"]),
                                  steps=values["steps"], live=self.live)
        finally:
            self.start_button.disabled = False
        return self.state


def training_monitor(problem: Problem | None = None, *, optimizer: str = "Adam",
                     lr: float = 0.1, steps: int = 200, every: int = 10) -> TrainingMonitor:
    """A live training monitor: pick an optimizer, press Start, watch the loss fall.

    Plotted: the loss at each step of `minimize` (log scale when positive), redrawn every
    `every` steps while the run goes on, by `lossbook.optim.LivePlot`. problem: any
    objective of `lossbook.optim.problems` (default: `default_problem()`, a logistic
    regression). The state is the History of the latest run.
    """
    return TrainingMonitor(problem, optimizer=optimizer, lr=lr, steps=steps, every=every)
