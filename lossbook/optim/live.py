"""`LivePlot`: the loss curve redrawn in the notebook while a model trains.

This is the in-notebook counterpart of TensorBoard's or Visdom's scalar plots (chapter 10):
no server, just one figure whose output is replaced every few steps.
"""

from __future__ import annotations

import numpy as np


class LivePlot:
    """Redraw the loss curve of a running `minimize` every `every` steps.

        minimize(objective, x0, Adam(lr=0.1), steps=200, live=LivePlot(every=20))

    Works in Jupyter (the figure's output is updated in place through a display handle);
    elsewhere each redraw is displayed as text. figure(history) is the pure part: it returns
    the matplotlib figure for a history, without displaying anything.
    """

    def __init__(self, every: int = 10, *, log: bool = True, title: str = "training loss"):
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"LivePlot: every must be an integer >= 1, got {every!r}")
        self.every, self.log, self.title = int(every), log, title
        self._handle = None
        self._figure = None
        self._drawn_at = None  # the step last drawn: the final redraw skips a repeat

    def figure(self, history):
        """The loss curve of history as a matplotlib Figure (not shown by pyplot)."""
        from matplotlib.figure import Figure

        if self._figure is None:
            self._figure = Figure(figsize=(6, 3.5), layout="constrained")  # room for labels
            self._figure.add_subplot()
        ax = self._figure.axes[0]
        ax.clear()
        history.plot(ax, log=self.log)
        ax.set_title(f"{self.title}: step {history.steps}, loss {history.loss[-1]:.4g}"
                     if history.loss else self.title)
        return self._figure

    def update(self, history, final: bool = False) -> None:
        """Redraw if `every` steps have passed since the last redraw (always when final)."""
        if not history.loss or (not final and history.steps % self.every):
            return
        if history.steps == self._drawn_at:
            return
        self._drawn_at = history.steps
        from IPython.display import display

        figure = self.figure(history)
        if self._handle is None:
            self._handle = display(figure, display_id=True)
        elif self._handle is not None:
            self._handle.update(figure)
