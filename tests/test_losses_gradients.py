"""Every loss's gradient against central finite differences, for all reductions and weights."""

import numpy as np
import pytest
from loss_cases import inputs

from lossbook.gradcheck import check_gradient
from lossbook.losses import ALL_LOSSES

SMOOTH_ENOUGH = [loss for loss in ALL_LOSSES if loss.name != "zero_one"]


@pytest.mark.parametrize("loss", SMOOTH_ENOUGH, ids=lambda loss: loss.name)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "sample_weight"])
def test_grad_matches_finite_differences(loss, reduction, weighted):
    rng = np.random.default_rng(1)
    y_true, y_pred, params = inputs(loss.name, rng, n=6)
    weights = rng.uniform(0.2, 3.0, size=6) if weighted else None
    kwargs = dict(reduction=reduction, sample_weight=weights, **params)
    result = check_gradient(
        lambda p: loss(y_true, p, **kwargs), loss.grad(y_true, y_pred, **kwargs), y_pred,
        n_checks=None, tol=1e-6,
    )
    assert result.passed, result


@pytest.mark.parametrize("loss", SMOOTH_ENOUGH, ids=lambda loss: loss.name)
def test_none_reduction_gives_per_sample_derivatives(loss):
    # The gradient of sample i's loss involves only row i of y_pred, so the "none" gradient
    # of sample i must equal the gradient of the sum restricted to that row.
    rng = np.random.default_rng(2)
    y_true, y_pred, params = inputs(loss.name, rng, n=5)
    per_sample = loss.grad(y_true, y_pred, reduction="none", **params)
    for i in range(5):
        def value_i(p, i=i):
            full = y_pred.copy()
            full[i] = p
            return loss(y_true, full, reduction="none", **params)[i]

        result = check_gradient(value_i, per_sample[i], y_pred[i], n_checks=None, tol=1e-6)
        assert result.passed, (i, result)


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=lambda loss: loss.name)
def test_value_and_grad_equals_separate_calls(loss):
    rng = np.random.default_rng(3)
    y_true, y_pred, params = inputs(loss.name, rng)
    weights = rng.uniform(0.5, 2.0, size=len(y_pred))
    for reduction in ("mean", "sum", "none"):
        kwargs = dict(reduction=reduction, sample_weight=weights, **params)
        value, grad = loss.value_and_grad(y_true, y_pred, **kwargs)
        np.testing.assert_array_equal(value, loss(y_true, y_pred, **kwargs))
        np.testing.assert_array_equal(grad, loss.grad(y_true, y_pred, **kwargs))


@pytest.mark.parametrize("loss", ALL_LOSSES, ids=lambda loss: loss.name)
def test_reductions_and_sample_weight_follow_sklearn_semantics(loss):
    # "mean" with weights is sum(w l) / sum(w) (np.average), "sum" is sum(w l) and "none"
    # returns w l; element-wise losses on (n, m) targets count m elements per sample.
    rng = np.random.default_rng(4)
    y_true, y_pred, params = inputs(loss.name, rng, n=6)
    w = rng.uniform(0.5, 2.0, size=6)
    per = loss(y_true, y_pred, reduction="none", **params)
    assert per.shape == (6,)
    np.testing.assert_allclose(loss(y_true, y_pred, reduction="none", sample_weight=w, **params),
                               w * per, rtol=1e-14)
    np.testing.assert_allclose(loss(y_true, y_pred, reduction="sum", sample_weight=w, **params),
                               np.sum(w * per), rtol=1e-13)
    if loss.name != "cross_entropy":  # class weights change its denominator, tested vs torch
        np.testing.assert_allclose(
            loss(y_true, y_pred, sample_weight=w, **params), np.average(per, weights=w),
            rtol=1e-13,
        )
        np.testing.assert_allclose(loss(y_true, y_pred, **params), np.mean(per), rtol=1e-13)
    # Integer weights act like repeating samples.
    counts = rng.integers(1, 4, size=6)
    per_sample_params = {k: np.repeat(v, counts) if k == "var" else v for k, v in params.items()}
    repeated = loss(np.repeat(y_true, counts, axis=0), np.repeat(y_pred, counts, axis=0),
                    **per_sample_params)
    np.testing.assert_allclose(loss(y_true, y_pred, sample_weight=counts, **params), repeated,
                               rtol=1e-13)
