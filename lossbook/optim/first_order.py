"""Gradient descent with momentum (chapter 04): `SGD`, with torch.optim.SGD's update rule."""

from __future__ import annotations

import numpy as np

from .._validation import check_number
from ._base import Optimizer


class SGD(Optimizer):
    """(Stochastic) gradient descent with momentum, dampening, Nesterov and weight decay.

    torch.optim.SGD's update, with g the gradient and t the step count:

        g <- g + weight_decay * p                          (L2 penalty, coupled)
        b <- g                              if t = 1       (momentum buffer, no dampening)
        b <- momentum * b + (1 - dampening) * g  otherwise
        d <- g + momentum * b   if nesterov, else b        (d = g when momentum = 0)
        p <- p - lr * d

    Defaults as torch: lr=0.001, momentum=0, dampening=0, weight_decay=0, nesterov=False.
    Nesterov needs momentum > 0 and dampening = 0.
    """

    def __init__(self, lr=0.001, momentum=0, dampening=0, weight_decay=0, nesterov=False):
        super().__init__()
        self.lr = lr
        self.momentum = check_number(momentum, "momentum", "SGD")
        self.dampening = check_number(dampening, "dampening", "SGD")
        self.weight_decay = check_number(weight_decay, "weight_decay", "SGD")
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                "SGD: nesterov=True needs momentum > 0 and dampening = 0, got "
                f"momentum={momentum!r}, dampening={dampening!r}"
            )

    def _update(self, p, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * p
        if self.momentum:
            if state["step"] == 1:
                buf = state["momentum_buffer"] = np.array(g)  # an array even for 0-d params
            else:
                buf = state["momentum_buffer"]
                buf *= self.momentum
                buf += (1 - self.dampening) * g
            g = g + self.momentum * buf if self.nesterov else buf
        return p - np.asarray(self.lr, p.dtype) * g
