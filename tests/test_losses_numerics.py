"""Precision and stability: float32 stays float32, extreme inputs stay finite, no warnings."""

import warnings

import numpy as np
import pytest
from loss_cases import inputs
from scipy import special

from lossbook import _numerics, losses
from lossbook.losses import ALL_LOSSES


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=lambda loss: loss.name)
def test_float32_stays_float32_and_agrees_with_float64(loss):
    y_true, y_pred, params = inputs(loss.name, np.random.default_rng(0), 8)
    y32 = np.asarray(y_pred, dtype=np.float32)
    for reduction in ("mean", "none"):
        value, grad = loss.value_and_grad(y_true, y32, reduction=reduction, **params)
        assert np.asarray(value).dtype == np.float32
        assert grad.dtype == np.float32
        ref_value, ref_grad = loss.value_and_grad(y_true, y32.astype(np.float64),
                                                  reduction=reduction, **params)
        np.testing.assert_allclose(value, ref_value, rtol=2e-5, atol=1e-6)
        np.testing.assert_allclose(grad, ref_grad, rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=lambda loss: loss.name)
def test_integer_and_list_inputs_compute_in_float64(loss):
    y_true, y_pred, params = inputs(loss.name, np.random.default_rng(0), 4)
    value = loss(np.asarray(y_true).tolist(), np.asarray(y_pred).tolist(), **params)
    assert isinstance(value, float) and np.asarray(value).dtype == np.float64


def test_scalar_inputs_give_scalar_results():
    assert losses.mse(3.0, 2.5) == 0.25
    assert losses.mse(3.0, 2.5, reduction="none").shape == ()
    assert losses.mse.grad(3.0, 2.5) == -1.0
    assert losses.cross_entropy(0, [2.0, 0.0]) == pytest.approx(np.log1p(np.exp(-2.0)))
    assert losses.cross_entropy.grad(0, [2.0, 0.0]).shape == (2,)
    assert losses.kl_divergence([0.5, 0.5], [0.5, 0.5], reduction="none") == 0


EXTREME = [-1e300, -1e10, -800.0, -40.0, 0.0, 40.0, 800.0, 1e10, 1e300]


LABEL_SETS = {"logistic": (1.0, -1.0), "hinge": (1.0, -1.0), "zero_one": (1.0, -1.0),
              "binary_cross_entropy_with_logits": (1.0, 0.0), "focal": (1.0, 0.0)}


@pytest.mark.parametrize("name", ["binary_cross_entropy_with_logits", "logistic", "focal",
                                  "log_cosh", "hinge", "huber", "mae", "quantile",
                                  "epsilon_insensitive", "zero_one"])
def test_extreme_finite_inputs_give_finite_values_and_gradients(name):
    loss = getattr(losses, name)
    x = np.array(EXTREME)
    for label in LABEL_SETS.get(name, (0.0,)):  # regression losses: residuals from 0
        value, grad = loss.value_and_grad(np.full_like(x, label), x, reduction="none")
        assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))


def test_cross_entropy_is_finite_for_logits_of_1e300():
    logits = np.array([[1e300, -1e300, 0.0], [-1e300, -1e300, -1e300], [5.0, 1e300, 1e300]])
    for target in ([0, 1, 2], [1, 0, 0]):
        value, grad = losses.cross_entropy.value_and_grad(target, logits, reduction="none")
        assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
    value = losses.cross_entropy([1, 0, 0], logits, reduction="none")
    assert value[0] == 2e300 and value[1] == pytest.approx(np.log(3))


def test_numerics_helpers_match_scipy_everywhere():
    x = np.array([-1e300, -745.0, -700.0, -30.0, -1e-10, 0.0, 1e-10, 30.0, 700.0, 1e300])
    sig, sig_neg = _numerics.sigmoid_pair(x)
    # atol covers exp(-745) = 5e-324, the smallest subnormal, which scipy flushes to 0
    np.testing.assert_allclose(sig, special.expit(x), rtol=1e-15, atol=1e-323)
    np.testing.assert_allclose(sig_neg, special.expit(-x), rtol=1e-15, atol=1e-323)
    np.testing.assert_allclose(_numerics.softplus(x), -special.log_expit(-x), rtol=1e-15)
    logits = np.random.default_rng(0).normal(scale=50, size=(20, 7))
    np.testing.assert_allclose(_numerics.log_softmax(logits), special.log_softmax(logits, axis=1),
                               rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(_numerics.softmax(logits), special.softmax(logits, axis=1),
                               rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=lambda loss: loss.name)
def test_no_numpy_warnings_escape(loss):
    y_true, y_pred, params = inputs(loss.name, np.random.default_rng(0), 6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss.value_and_grad(y_true, y_pred, **params)


def test_binary_cross_entropy_gradient_uses_torch_floor_at_saturated_probabilities():
    grad = losses.binary_cross_entropy.grad([1.0, 0.0], [0.0, 1.0], reduction="none")
    floor = float(np.float32(1e-12))  # torch's kernel constant is single precision
    np.testing.assert_array_equal(grad, [-1 / floor, 1 / floor])
