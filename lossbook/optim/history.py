"""`History`: what an optimization run leaves behind, to inspect and to plot (chapters 04-05)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np


@dataclass
class History:
    """The record of one run of `minimize` (or of `newton`).

    params: the iterates x_0, x_1, ..., x_T (arrays, or dicts of arrays), x_0 included.
    loss: the objective at x_t on the batch used for step t (T values).
    grad_norm: the Euclidean norm of that step's gradient (over all parameters).
    lr: the learning rate used at each step.
    epoch_loss: the full objective after each epoch (for full-batch runs, after every step).
    method: a short label for legends, e.g. "Adam(lr=0.1)".
    message: how the run ended ("finished 100 steps", "diverged: ...").
    """

    params: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    epoch_loss: list = field(default_factory=list)
    method: str = ""
    message: str = ""

    @property
    def x(self):
        """The last iterate."""
        return self.params[-1]

    @property
    def steps(self) -> int:
        return len(self.loss)

    def path(self) -> np.ndarray:
        """The iterates as one array of shape (T + 1, d), for plotting a trajectory."""
        return np.array([flatten(p) for p in self.params])

    def plot(self, ax=None, *, per: str = "step", log: bool = True, label: str | None = None):
        """Plot the loss curve against the step (per="step") or the epoch (per="epoch")."""
        import matplotlib.pyplot as plt

        if per not in ("step", "epoch"):
            raise ValueError(f"History.plot: per must be 'step' or 'epoch', got {per!r}")
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        values = self.loss if per == "step" else self.epoch_loss
        label = label or _short_name(self.method)
        ax.plot(np.arange(1, len(values) + 1), values, label=label or None)
        if log and len(values) and min(values) > 0:
            ax.set_yscale("log")
        ax.set_xlabel(per)
        ax.set_ylabel("loss")
        if label:
            ax.legend()
        return ax


def _short_name(method: str) -> str:
    """"Adam(lr=0.1, betas=(0.9, 0.999), ...)" -> "Adam(lr=0.1)": a legend entry that fits."""
    if not method:
        return ""
    lr = re.search(r"\blr=([^,)]+)", method)
    name = method.split("(", 1)[0]
    return f"{name}(lr={lr.group(1)})" if lr else name


def flatten(params) -> np.ndarray:
    """One flat float array from an array or a dict of arrays (keys in sorted order)."""
    if isinstance(params, dict):
        return np.concatenate([np.ravel(params[k]) for k in sorted(params)])
    return np.ravel(params)
