"""Bad input gets a ValueError or TypeError that says what was wrong and what is expected."""

import numpy as np
import pytest
from loss_cases import inputs

from lossbook import losses
from lossbook.losses import ALL_LOSSES

BY_NAME = {loss.name: loss for loss in ALL_LOSSES}


def valid(name, n=5):
    return inputs(name, np.random.default_rng(0), n)


ELEMENTWISE = [loss for loss in ALL_LOSSES if np.ndim(valid(loss.name)[1]) == 1]


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=lambda loss: loss.name)
def test_unknown_reduction_names_the_valid_ones(loss):
    y_true, y_pred, params = valid(loss.name)
    with pytest.raises(ValueError, match=r"unknown reduction 'avg'.*'mean', 'sum' or 'none'"):
        loss(y_true, y_pred, reduction="avg", **params)


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=lambda loss: loss.name)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("which", ["y_true", "y_pred"])
def test_nan_or_inf_is_rejected_with_its_position(loss, bad, which):
    y_true, y_pred, params = valid(loss.name)
    arrays = {"y_true": np.array(y_true, dtype=float), "y_pred": np.array(y_pred, dtype=float)}
    arrays[which].flat[1] = bad
    with pytest.raises(ValueError, match=r"(contains (nan|inf|-inf).*finite|must)"):
        loss(arrays["y_true"], arrays["y_pred"], **params)


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=lambda loss: loss.name)
def test_shape_mismatch_is_rejected(loss):
    y_true, y_pred, params = valid(loss.name)
    with pytest.raises(ValueError, match="shape"):
        loss(y_true[:-1], y_pred, **params)


@pytest.mark.parametrize("loss", ELEMENTWISE, ids=lambda loss: loss.name)
def test_column_vector_against_flat_vector_is_rejected_not_broadcast(loss):
    y_true, y_pred, params = valid(loss.name)
    with pytest.raises(ValueError, match=r"same shape.*reshape"):
        loss(np.reshape(y_true, (-1, 1)), y_pred, **params)


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=lambda loss: loss.name)
def test_unknown_parameter_lists_the_known_ones(loss):
    y_true, y_pred, params = valid(loss.name)
    with pytest.raises(TypeError, match=r"unexpected parameter\(s\) delt.*its parameters are"):
        loss(y_true, y_pred, delt=1.0, **params)


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=lambda loss: loss.name)
@pytest.mark.parametrize(
    "weights, message",
    [([1.0, 2.0], r"shape \(5,\)"), ([1, 1, -1, 1, 1], "non-negative"), ([0] * 5, "sums to 0"),
     ([1, np.nan, 1, 1, 1], "contains nan")],
)
def test_bad_sample_weight(loss, weights, message):
    y_true, y_pred, params = valid(loss.name)
    with pytest.raises(ValueError, match=message):
        loss(y_true, y_pred, sample_weight=weights, **params)


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=lambda loss: loss.name)
def test_non_numeric_input_is_a_type_error(loss):
    y_true, y_pred, params = valid(loss.name)
    with pytest.raises(TypeError, match="real numbers"):
        loss(y_true, np.array(["a"] * len(y_pred)), **params)
    with pytest.raises(TypeError, match="None"):
        loss(y_true, None, **params)


def test_empty_input_is_rejected():
    with pytest.raises(ValueError, match="empty"):
        losses.mse([], [])


@pytest.mark.parametrize("name", ["hinge", "squared_hinge", "logistic", "exponential",
                                  "zero_one"])
def test_margin_losses_reject_zero_one_labels_and_say_how_to_convert(name):
    with pytest.raises(ValueError, match=r"\{-1, 1\}.*y = 2 \* y - 1"):
        BY_NAME[name]([0, 1, 1], [0.3, -1.0, 2.0])


@pytest.mark.parametrize("name", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_binary_cross_entropies_reject_signed_labels_and_say_how_to_convert(name):
    with pytest.raises(ValueError, match=r"\[0, 1\].*y = \(y \+ 1\) / 2"):
        BY_NAME[name]([-1, 1, 1], [0.3, 0.6, 0.9])


def test_focal_needs_hard_labels():
    with pytest.raises(ValueError, match=r"\{0, 1\}"):
        losses.focal([0.5, 1], [0.3, -1.0])


@pytest.mark.parametrize("p", [-0.1, 1.2])
def test_binary_cross_entropy_rejects_probabilities_outside_unit_interval(p):
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0, 1\].*with_logits"):
        losses.binary_cross_entropy([1, 0], [p, 0.5])


def test_cross_entropy_rejects_class_index_out_of_range():
    with pytest.raises(ValueError, match=r"class indices in \[0, 2\].*found 3"):
        losses.cross_entropy([0, 3], np.zeros((2, 3)))
    with pytest.raises(ValueError, match="whole numbers"):
        losses.cross_entropy([0, 1.5], np.zeros((2, 3)))
    with pytest.raises(ValueError, match="found -1"):
        losses.cross_entropy([0, -1], np.zeros((2, 3)))


def test_cross_entropy_with_every_target_ignored_raises_instead_of_nan():
    with pytest.raises(ValueError, match="nothing to average"):
        losses.cross_entropy([-100, -100], np.zeros((2, 3)))
    assert losses.cross_entropy([-100, -100], np.zeros((2, 3)), reduction="sum") == 0


def test_cross_entropy_checks_weights_and_probability_targets():
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\), one entry per class"):
        losses.cross_entropy([0, 1], np.zeros((2, 3)), weight=[1, 2])
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        losses.cross_entropy(np.full((2, 3), 2.0), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="ignore_index only applies"):
        losses.cross_entropy(np.full((2, 3), 1 / 3), np.zeros((2, 3)), ignore_index=0)
    with pytest.raises(ValueError, match="3 dimensions|n_samples, n_classes"):
        losses.cross_entropy([0], np.zeros((1, 3, 2)))


def test_kl_divergence_explains_infinite_divergence_and_unnormalized_targets():
    with pytest.raises(ValueError, match="infinite"):
        losses.kl_divergence([[0.5, 0.5]], [[1.0, 0.0]])
    with pytest.raises(ValueError, match="sums to"):
        losses.kl_divergence([[0.5, 0.7]], [[0.5, 0.5]])
    with pytest.raises(ValueError, match="log_pred=True"):
        losses.kl_divergence([[0.5, 0.5]], [[-0.7, -0.7]])


@pytest.mark.parametrize(
    "name, params, message",
    [("huber", {"delta": 0}, "delta must be a finite number > 0"),
     ("huber", {"delta": "one"}, "must be a number"),
     ("quantile", {"tau": 1.0}, "strictly between 0 and 1"),
     ("epsilon_insensitive", {"epsilon": -0.1}, ">= 0"),
     ("focal", {"gamma": -1}, "gamma"),
     ("focal", {"alpha": 1.5}, "alpha=None|alpha must"),
     ("cross_entropy", {"label_smoothing": 1.5}, "label_smoothing"),
     ("binary_cross_entropy_with_logits", {"pos_weight": [1.0, 2.0, 3.0]}, "pos_weight")],
)
def test_bad_parameters(name, params, message):
    y_true, y_pred, _ = valid(name)
    with pytest.raises((ValueError, TypeError), match=message):
        BY_NAME[name](y_true, y_pred, **params)


def test_gaussian_nll_needs_a_variance_of_a_compatible_shape():
    with pytest.raises(TypeError, match="needs the keyword argument"):
        losses.gaussian_nll([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="non-negative"):
        losses.gaussian_nll([1.0, 2.0], [1.0, 2.0], var=[-1.0, 1.0])
    with pytest.raises(ValueError, match="does not fit"):
        losses.gaussian_nll([1.0, 2.0], [1.0, 2.0], var=[1.0, 1.0, 1.0])


def test_poisson_nll_needs_non_negative_counts():
    with pytest.raises(ValueError, match="counts"):
        losses.poisson_nll([-1.0, 2.0], [0.0, 0.0])


def test_overflow_is_reported_instead_of_returning_inf():
    with pytest.raises(ValueError, match="overflows"):
        losses.exponential([1.0], [-800.0])
    with pytest.raises(ValueError, match="overflows"):
        losses.mse([0.0], [1e200])


def test_overflow_error_is_both_a_value_error_and_a_floating_point_error():
    with pytest.raises(losses.LossOverflowError) as raised:
        losses.exponential([1.0], [-800.0])
    assert isinstance(raised.value, ValueError) and isinstance(raised.value, FloatingPointError)
