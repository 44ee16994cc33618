"""Optimizers (chapters 04 and 05), plain numpy with torch.optim's names, defaults and rules.

    from lossbook.optim import Adam, minimize
    opt = Adam(lr=0.1)
    w = opt.step(w, grad)      # returns new parameters; w and grad are left untouched
    history = minimize(objective, w0, Adam(lr=0.1), steps=200)
    history.plot(); diagnose(history)

Chapter 04: SGD, minimize (full-batch, stochastic, mini-batch), schedules, History, LivePlot.
Chapter 05: Adagrad, RMSprop, Adam, AdamW, and Newton's method as the second-order reference.
Chapter 12: diagnose and lr_range_test. Test problems with exact derivatives: problems.
"""

from . import problems, schedules
from .adaptive import Adagrad, Adam, AdamW, RMSprop
from .diagnostics import Diagnosis, LRRangeTest, diagnose, lr_range_test
from .first_order import SGD
from .history import History
from .live import LivePlot
from .minimize import minimize
from .problems import Problem, least_squares, logistic_regression, quadratic, rosenbrock
from .second_order import armijo, gradient_descent_line_search, newton

__all__ = [
    "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "schedules", "minimize", "History",
    "LivePlot", "diagnose", "Diagnosis", "lr_range_test", "LRRangeTest", "problems", "Problem",
    "quadratic", "rosenbrock", "least_squares", "logistic_regression", "newton", "armijo",
    "gradient_descent_line_search",
]
