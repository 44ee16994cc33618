"""Interactive figures for the chapters: ipywidgets front ends over pure functions.

    from lossbook.widgets import loss_explorer
    loss_explorer()            # in a notebook: sliders above a figure that follows them

Each widget is a thin layer: a pure function computes what is plotted from the control
values (tested without a browser), a plot object draws it on a matplotlib Figure, and the
widget shows the Figure as a PNG that is replaced at every change (plain JupyterLab, no
ipympl). Every widget function returns an `Explorer` (an ipywidgets VBox) whose `controls`,
`state` (the pure function's latest result) and `figure` are there to inspect.

    widget                   pure function                        chapter
    loss_explorer            loss_curves                          02 the loss catalog
    outlier_explorer         outlier_fits, lad_line, slope_sweep  02, 06
    likelihood_explorer      likelihood_curves                    03 losses as likelihoods
    descent_playground       descent_path, objective_grid         04, 05 optimizers
    batch_size_explorer      batch_size_runs, gradient_noise      04 stochastic descent
    margin_explorer          svm_margin                           08 support vector machines
    training_monitor         (lossbook.optim.minimize + LivePlot)  04, 10
"""

from ._controls import Explorer, FigureView, encode_png
from .batches import (
    BatchRun,
    GradientNoise,
    batch_size_explorer,
    batch_size_runs,
    gradient_noise,
    least_squares_problem,
)
from .curves import Curve, curve_losses, curve_variable, loss_curves, loss_explorer
from .descent import (
    OPTIMIZERS,
    PROBLEMS,
    DescentPath,
    descent_path,
    descent_playground,
    make_optimizer,
    make_problem,
    objective_grid,
    objective_values,
)
from .likelihood import NOISE_MODELS, LikelihoodCurves, likelihood_curves, likelihood_explorer
from .margin import MarginState, margin_explorer, svm_margin
from .monitor import TrainingMonitor, WidgetLivePlot, training_monitor
from .outliers import Line, OutlierFits, lad_line, outlier_explorer, outlier_fits, slope_sweep

__all__ = [
    "Explorer", "FigureView", "encode_png",
    "loss_explorer", "loss_curves", "curve_losses", "curve_variable", "Curve",
    "outlier_explorer", "outlier_fits", "lad_line", "slope_sweep", "Line", "OutlierFits",
    "likelihood_explorer", "likelihood_curves", "LikelihoodCurves", "NOISE_MODELS",
    "descent_playground", "descent_path", "DescentPath", "make_problem", "make_optimizer",
    "objective_grid", "objective_values", "PROBLEMS", "OPTIMIZERS",
    "batch_size_explorer", "batch_size_runs", "gradient_noise", "least_squares_problem",
    "BatchRun", "GradientNoise",
    "margin_explorer", "svm_margin", "MarginState",
    "training_monitor", "TrainingMonitor", "WidgetLivePlot",
]
