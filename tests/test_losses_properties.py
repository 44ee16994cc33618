"""Properties every loss claims, checked by hypothesis on random inputs: non-negativity, zero
loss at a perfect prediction, convexity along segments (and non-convexity where the catalog
says so), bounded derivatives for the losses marked robust, and gradient = finite differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from loss_cases import inputs
from scipy import special

from lossbook import losses
from lossbook.gradcheck import check_gradient
from lossbook.losses import ALL_LOSSES

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True)
seeds = st.integers(0, 2**32 - 1)
CAN_BE_NEGATIVE = {"poisson_nll", "gaussian_nll"}  # densities above 1 give negative NLL


def draw(loss, seed, n=6, scale=1.0):
    y_true, y_pred, params = inputs(loss.name, np.random.default_rng(seed), n)
    if loss.name in ("binary_cross_entropy", "kl_divergence", "multiclass_hinge",
                     "cross_entropy", "zero_one", "hinge", "squared_hinge"):
        return y_true, y_pred, params
    return y_true, np.asarray(y_pred) * scale, params


@pytest.mark.parametrize("loss", [f for f in ALL_LOSSES if f.name not in CAN_BE_NEGATIVE],
                         ids=lambda loss: loss.name)
@SETTINGS
@given(seed=seeds, scale=st.sampled_from([1e-3, 1.0, 50.0]))
def test_non_negative(loss, seed, scale):
    y_true, y_pred, params = draw(loss, seed, scale=scale)
    assert np.all(loss(y_true, y_pred, reduction="none", **params) >= 0)


def test_likelihood_losses_can_be_negative_as_stated():
    assert losses.gaussian_nll([0.0], [0.0], var=0.01) < 0
    assert losses.poisson_nll([3.0], [np.log(3.0)]) < 0


PERFECT = {
    "mse": lambda y: (y, y), "mae": lambda y: (y, y), "huber": lambda y: (y, y),
    "log_cosh": lambda y: (y, y), "quantile": lambda y: (y, y),
    "epsilon_insensitive": lambda y: (y, y + 0.05),  # anywhere inside the tube
    "hinge": lambda y: (np.sign(y) + (y == 0), (np.sign(y) + (y == 0)) * (1 + np.abs(y))),
    "squared_hinge": lambda y: (np.sign(y) + (y == 0), (np.sign(y) + (y == 0)) * 1.0),
    "zero_one": lambda y: (np.sign(y) + (y == 0), (np.sign(y) + (y == 0)) * 0.1),
    "kl_divergence": lambda y: (special.softmax(y), special.softmax(y)),
}


@pytest.mark.parametrize("name", sorted(PERFECT))
@SETTINGS
@given(y=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=8).map(np.array))
def test_zero_loss_at_a_perfect_prediction(name, y):
    y_true, y_pred = PERFECT[name](y)
    assert getattr(losses, name)(y_true, y_pred, reduction="sum") == 0


CONVEX = [loss for loss in ALL_LOSSES if loss.convex]


@pytest.mark.parametrize("loss", CONVEX, ids=lambda loss: loss.name)
@SETTINGS
@given(seed=seeds, t=st.floats(0.05, 0.95))
def test_convex_along_random_segments(loss, seed, t):
    y_true, a, params = draw(loss, seed)
    _, b, _ = draw(loss, seed + 1)
    mid = t * a + (1 - t) * b
    f = lambda p: loss(y_true, p, reduction="sum", **params)  # noqa: E731
    assert f(mid) <= t * f(a) + (1 - t) * f(b) + 1e-10 * (1 + abs(f(a)) + abs(f(b)))


@pytest.mark.parametrize(
    "name, y_true, a, b",
    [("zero_one", [1.0], [-1.0], [1.0]),  # 0-1 loss jumps: the midpoint 0 counts as an error
     # focal: (1 - p)^gamma bends the loss of a badly misclassified positive downwards
     ("focal", [1.0], [-10.0], [-4.0])],
)
def test_the_non_convex_losses_have_a_witness(name, y_true, a, b):
    loss = getattr(losses, name)
    assert not loss.convex
    mid = (np.array(a) + np.array(b)) / 2
    assert loss(y_true, mid) > (loss(y_true, a) + loss(y_true, b)) / 2


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=lambda loss: loss.name)
def test_robust_flag_means_a_bounded_derivative(loss):
    # Push the prediction far away in both directions: a robust loss's derivative stays
    # bounded, the others' grows without limit.
    rng = np.random.default_rng(0)
    y_true, y_pred, params = inputs(loss.name, rng, 6)
    shape = np.shape(y_pred)
    if loss.name in ("binary_cross_entropy", "kl_divergence"):  # probabilities towards 0
        far = [np.clip(np.asarray(y_pred) * 1e-6, 1e-300, None)]
    else:
        signs = rng.choice([-1.0, 1.0], size=shape)
        far = [300.0 * signs, -300.0 * signs]
    slope = max(np.abs(loss.grad(y_true, p, reduction="none", **params)).max() for p in far)
    assert (slope <= 10) == loss.robust, slope


SMOOTH = [loss for loss in ALL_LOSSES if loss.differentiable]


@pytest.mark.parametrize("loss", SMOOTH, ids=lambda loss: loss.name)
@SETTINGS
@given(seed=seeds)
def test_gradient_equals_finite_differences_at_random_points(loss, seed):
    y_true, y_pred, params = draw(loss, seed)
    result = check_gradient(lambda p: loss(y_true, p, **params),
                            loss.grad(y_true, y_pred, **params), y_pred, n_checks=None,
                            tol=1e-5)
    assert result.passed, result
