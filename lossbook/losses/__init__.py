"""The loss catalog (chapter 02): every loss of the course, with value, gradient and metadata.

    from lossbook.losses import huber
    huber(y_true, y_pred, delta=2.0)              # mean loss, a float
    huber(y_true, y_pred, reduction="none")       # one value per element
    huber.grad(y_true, y_pred)                    # d(mean loss) / d y_pred
    catalog()                                     # the table of all losses
"""

from ._core import REDUCTIONS, Loss, LossOverflowError
from .catalog import Catalog, catalog
from .cross_entropy import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    focal,
)
from .likelihood import gaussian_nll, kl_divergence, poisson_nll
from .margin import exponential, hinge, logistic, multiclass_hinge, squared_hinge, zero_one
from .regression import epsilon_insensitive, huber, log_cosh, mae, mse, quantile

ALL_LOSSES = (
    mse, mae, huber, log_cosh, quantile, epsilon_insensitive,
    binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, focal,
    hinge, squared_hinge, multiclass_hinge, logistic, exponential, zero_one,
    kl_divergence, poisson_nll, gaussian_nll,
)

__all__ = ["REDUCTIONS", "Loss", "LossOverflowError", "Catalog", "catalog", "ALL_LOSSES"] + [
    loss.name for loss in ALL_LOSSES
]
