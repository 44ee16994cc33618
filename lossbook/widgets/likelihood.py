"""`likelihood_explorer`: a noise model, its negative log-likelihood, and the loss it becomes
(chapter 03).

Maximum likelihood picks the prediction that makes the observation most probable; taking
minus the logarithm turns the product over samples into a sum of per-sample terms, and each
term is a loss of the catalog up to a scale and a constant that do not move the minimizer:
Gaussian noise gives the squared error, Laplace noise the absolute error, a Bernoulli label
the logistic (binary cross-entropy) loss, a Poisson count `poisson_nll`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.collections import LineCollection

from .. import losses
from .._validation import check_number
from ._controls import (
    Explorer,
    FigureView,
    dropdown,
    finite_range,
    float_slider,
    new_figure,
    settle_limits,
    show,
)

NOISE_MODELS = ("gaussian", "laplace", "bernoulli", "poisson")
HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
POISSON_MAX_COUNT = 30  # counts drawn for the Poisson distribution (rates up to about 15)


@dataclass
class ModelSetup:
    """How a noise model is presented: its prediction, outcomes and default grids."""

    parameter: str  # what the model predicts
    discrete: bool
    predictions: tuple[float, float]  # range of the prediction grid (and of its slider)
    outcomes: tuple[float, float]  # range of the outcomes drawn
    observed: tuple[float, float, float]  # slider range and step of the observation
    loss: str  # the lossbook loss it turns into
    relation: str


SETUPS = {
    "gaussian": ModelSetup("mean μ", False, (-4.0, 4.0), (-6.0, 6.0), (-3.0, 3.0, 0.1), "mse",
                           "−log p(y | μ) = mse(y, μ) / (2σ²) + log(σ√(2π))"),
    "laplace": ModelSetup("mean μ", False, (-4.0, 4.0), (-6.0, 6.0), (-3.0, 3.0, 0.1), "mae",
                          "−log p(y | μ) = mae(y, μ) / b + log(2b)"),
    "bernoulli": ModelSetup("logit f", True, (-6.0, 6.0), (0.0, 1.0), (0.0, 1.0, 1.0),
                            "binary_cross_entropy_with_logits",
                            "−log p(y | f) = binary_cross_entropy_with_logits(y, f)"),
    "poisson": ModelSetup("log-rate log λ", True, (-2.0, 2.7), (0.0, POISSON_MAX_COUNT),
                          (0.0, 20.0, 1.0), "poisson_nll",
                          "−log p(y | log λ) = poisson_nll(y, log λ) + log(y!)"),
}


@dataclass
class LikelihoodCurves:
    """What `likelihood_curves` computes (all arrays float64).

    outcomes, probability: the distribution of the outcome y given the prediction, a
        density (gaussian, laplace) or a probability mass (bernoulli, poisson);
    predictions, nll: -log p(observed | prediction) for each prediction of the grid;
    loss: the catalog loss `loss_name`(observed, prediction) on the same grid, with
        nll = loss_scale * loss + constant (exactly, up to rounding);
    relation: that identity in words; parameter: what the prediction is.
    """

    model: str
    parameter: str
    prediction: float
    observed: float
    scale: float
    discrete: bool
    outcomes: np.ndarray
    probability: np.ndarray
    predictions: np.ndarray
    nll: np.ndarray
    loss_name: str
    loss: np.ndarray
    loss_scale: float
    constant: float
    relation: str


def _log_factorial(k: np.ndarray) -> np.ndarray:
    return np.array([math.lgamma(v + 1) for v in np.ravel(k)]).reshape(np.shape(k))


def _softplus(x):
    return np.logaddexp(0.0, x)  # log(1 + e^x) without overflow


def likelihood_curves(model: str, *, prediction: float = 0.0, observed: float = 1.0,
                      scale: float = 1.0, predictions=None) -> LikelihoodCurves:
    """A noise model's distribution, the negative log-likelihood of one observation, and the
    catalog loss it equals up to a scale and a constant.

    model: "gaussian" (y ~ N(mu, sigma^2), sigma = scale), "laplace" (density
    exp(-|y - mu| / b) / (2b), b = scale), "bernoulli" (P(y = 1) = sigmoid(f)) or "poisson"
    (P(y = k) = lambda^k e^-lambda / k!, with log-rate x = log lambda, torch's log_input).
    prediction: the mean, logit or log-rate at which the distribution is drawn.
    observed: the observation y whose negative log-likelihood is drawn against the
    prediction (0 or 1 for bernoulli, a count for poisson).
    predictions: the grid of predictions (default: the model's usual range, 401 points).

    The negative log-likelihoods are written from the densities here; the losses come from
    `lossbook.losses`:
        gaussian:  (y - mu)^2 / (2 sigma^2) + log sigma + log(2 pi) / 2 = mse / (2 sigma^2) + c
        laplace:   |y - mu| / b + log(2b)                               = mae / b + c
        bernoulli: log(1 + e^f) - y f              = binary_cross_entropy_with_logits
        poisson:   e^x - y x + log(y!)             = poisson_nll + log(y!)
    """
    where = "likelihood_curves"
    if model not in SETUPS:
        raise ValueError(f"{where}: unknown noise model {model!r}; choose one of "
                         f"{', '.join(NOISE_MODELS)}")
    setup = SETUPS[model]
    theta0 = check_number(prediction, "prediction", where, low=-np.inf)
    obs = check_number(observed, "observed", where, low=-np.inf)
    sigma = check_number(scale, "scale", where, positive=True)
    theta = (np.linspace(*setup.predictions, 401) if predictions is None
             else np.asarray(predictions, dtype=np.float64))
    if theta.ndim != 1 or not np.isfinite(theta).all():
        raise ValueError(f"{where}: predictions must be a 1-D array of finite numbers")
    y = np.full_like(theta, obs)
    loss_fn = getattr(losses, setup.loss)
    if model == "gaussian":
        outcomes = np.linspace(*setup.outcomes, 601)
        probability = (np.exp(-0.5 * ((outcomes - theta0) / sigma) ** 2)
                       / (sigma * math.sqrt(2 * math.pi)))
        nll = 0.5 * ((obs - theta) / sigma) ** 2 + math.log(sigma) + HALF_LOG_2PI
        loss_scale, constant = 1 / (2 * sigma**2), math.log(sigma) + HALF_LOG_2PI
    elif model == "laplace":
        outcomes = np.linspace(*setup.outcomes, 601)
        probability = np.exp(-np.abs(outcomes - theta0) / sigma) / (2 * sigma)
        nll = np.abs(obs - theta) / sigma + math.log(2 * sigma)
        loss_scale, constant = 1 / sigma, math.log(2 * sigma)
    elif model == "bernoulli":
        if obs not in (0.0, 1.0):
            raise ValueError(f"{where}: a Bernoulli observation is 0 or 1, got {observed!r}")
        outcomes = np.array([0.0, 1.0])
        # P(0) = 1 - sigmoid(f) = exp(-softplus(f)), P(1) = exp(-softplus(-f)): no 1 - p.
        probability = np.exp(-_softplus(np.array([theta0, -theta0])))
        nll = _softplus(theta) - obs * theta
        loss_scale, constant = 1.0, 0.0
    else:
        if obs < 0 or obs != round(obs):
            raise ValueError(f"{where}: a Poisson observation is a count 0, 1, 2, ..., "
                             f"got {observed!r}")
        outcomes = np.arange(POISSON_MAX_COUNT + 1, dtype=np.float64)
        probability = np.exp(outcomes * theta0 - math.exp(theta0) - _log_factorial(outcomes))
        log_y_factorial = math.lgamma(obs + 1)
        nll = np.exp(theta) - obs * theta + log_y_factorial
        loss_scale, constant = 1.0, log_y_factorial
    loss = np.asarray(loss_fn(y, theta, reduction="none"), dtype=np.float64)
    return LikelihoodCurves(
        model=model, parameter=setup.parameter, prediction=theta0, observed=obs,
        scale=sigma, discrete=setup.discrete, outcomes=outcomes, probability=probability,
        predictions=theta, nll=nll, loss_name=setup.loss, loss=loss, loss_scale=loss_scale,
        constant=constant, relation=setup.relation,
    )


# ----------------------------------------------------------------------------------- figure
class LikelihoodPlot:
    """Left: the distribution of y at the current prediction, the observation marked.
    Right: -log p(observed | prediction) against the prediction, and the catalog loss scaled
    and shifted onto it (the two curves coincide: that is the point)."""

    def __init__(self, figure=None):
        self.figure = figure if figure is not None else new_figure(9.5, 3.8)
        self.view = FigureView(self.figure)
        view = self.view
        self.ax_dist, self.ax_nll = self.figure.subplots(1, 2)
        self.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.8, wspace=0.25)
        self.density = view.animate(self.ax_dist.plot([], [], color="tab:blue", lw=2)[0])
        self.stems = view.animate(self.ax_dist.add_collection(
            LineCollection([], colors="tab:blue", lw=2)))
        self.masses = view.animate(self.ax_dist.plot([], [], "o", color="tab:blue")[0])
        self.observed = view.animate(self.ax_dist.axvline(0, color="tab:orange", lw=1.5))
        self.nll = view.animate(self.ax_nll.plot([], [], color="k", lw=3, alpha=0.35,
                                                 label="−log p(observed y | prediction)")[0])
        self.loss = view.animate(self.ax_nll.plot([], [], "--", color="tab:orange", lw=1.5,
                                                  label="scale · loss + constant")[0])
        self.current = view.animate(self.ax_nll.plot([], [], "o", color="tab:blue",
                                                     label="current prediction")[0])
        self.dist_title = self.ax_dist.set_title("")
        self.nll_title = self.ax_nll.set_title("", fontsize=9)
        # The numbers of the identity change with the scale and the observation: the only
        # text drawn at every frame, so it is kept short.
        self.identity = view.animate(self.ax_nll.text(
            0.5, 0.96, "", transform=self.ax_nll.transAxes, ha="center", va="top", fontsize=9,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8}))
        self.figure.legend(handles=[self.nll, self.loss, self.current], loc="upper center",
                           ncol=3, frameon=False)
        for ax in (self.ax_dist, self.ax_nll):
            ax.grid(alpha=0.3)
        self.ax_dist.set_xlabel("outcome y")
        self._model = None

    def update(self, state: LikelihoodCurves) -> LikelihoodPlot:
        changed = False
        if state.model != self._model:
            self._model = state.model
            low, high = state.outcomes[0], state.outcomes[-1]
            pad = 0.5 if state.discrete else 0.0
            self.ax_dist.set_xlim(low - pad, high + pad)
            self.ax_dist.set_ylabel("probability" if state.discrete else "density")
            self.ax_nll.set_xlim(state.predictions[0], state.predictions[-1])
            self.ax_nll.set_xlabel(f"prediction: {state.parameter}")
            self.ax_dist.set_ylim(0, 1)
            changed = True
        continuous = not state.discrete
        self.density.set_visible(continuous)
        self.stems.set_visible(state.discrete)
        self.masses.set_visible(state.discrete)
        if continuous:
            self.density.set_data(state.outcomes, state.probability)
        else:
            self.stems.set_segments([[(k, 0.0), (k, p)] for k, p
                                     in zip(state.outcomes, state.probability, strict=True)])
            self.masses.set_data(state.outcomes, state.probability)
        self.observed.set_xdata([state.observed])
        self.nll.set_data(state.predictions, state.nll)
        self.loss.set_data(state.predictions, state.loss_scale * state.loss + state.constant)
        at = np.interp(state.prediction, state.predictions, state.nll)
        self.current.set_data([state.prediction], [at])
        self.view.set_text(self.dist_title, f"{state.model}: p(y | {state.parameter})")
        self.view.set_text(self.nll_title, state.relation)
        self.identity.set_text(f"= {state.loss_scale:.3g} · {state.loss_name} + "
                               f"{state.constant:.3g}")
        changed |= settle_limits(self.ax_dist, "y", 0.0, float(state.probability.max()),
                                 shrink=0.4)
        changed |= settle_limits(self.ax_nll, "y", *finite_range(state.nll), shrink=0.4)
        if changed:
            self.view.invalidate()
        return self


# ----------------------------------------------------------------------------------- widget
def _set_range(slider, low: float, high: float, step: float, value: float) -> None:
    """Give a slider a new range: widen first, so that min <= value <= max holds throughout."""
    slider.max = max(high, slider.max)
    slider.min = min(low, slider.min)
    slider.value = value
    slider.step = step
    slider.min, slider.max = low, high


def likelihood_explorer(model: str = "gaussian") -> Explorer:
    """Pick a noise model; see its distribution, its negative log-likelihood, and the loss.

    Plotted: left, the distribution of the outcome y given the prediction (density or
    probability mass) with the observed y marked; right, -log p(observed | prediction)
    against the prediction, with the catalog loss (mse, mae,
    binary_cross_entropy_with_logits, poisson_nll) scaled and shifted on top of it, and the
    identity between them. Controls: noise model, prediction (mean, logit or log-rate),
    observed y, and the scale (sigma or b) of the continuous models.
    The state is the `likelihood_curves` result.
    """
    if model not in SETUPS:
        raise ValueError(f"likelihood_explorer: unknown noise model {model!r}; choose one of "
                         f"{', '.join(NOISE_MODELS)}")
    controls = {
        "model": dropdown("noise model", NOISE_MODELS, model),
        "prediction": float_slider("prediction", 0.0, -4.0, 4.0, 0.05),
        "observed": float_slider("observed y", 1.0, -3.0, 3.0, 0.1, readout_format=".1f"),
        "scale": float_slider("scale σ or b", 1.0, 0.2, 3.0, 0.05),
    }

    def adjust(explorer, key):
        if key not in ("", "model"):
            return
        chosen = explorer.controls["model"].value
        setup = SETUPS[chosen]
        prediction, observed = explorer.controls["prediction"], explorer.controls["observed"]
        prediction.description = setup.parameter
        _set_range(prediction, *setup.predictions, 0.05, 0.0 if chosen != "poisson" else 1.0)
        low, high, step = setup.observed
        _set_range(observed, low, high, step, {"poisson": 3.0}.get(chosen, 1.0))
        show(explorer.controls["scale"], not setup.discrete)

    def compute(values):
        return likelihood_curves(values["model"], prediction=values["prediction"],
                                 observed=values["observed"], scale=values["scale"])

    return Explorer("likelihood_explorer", controls, compute, LikelihoodPlot(), adjust=adjust)
