"""Empirical risk: values and gradients against scikit-learn and finite differences."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from lossbook import losses, penalties
from lossbook.gradcheck import check_gradient
from lossbook.risk import Linear, empirical_risk

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 3))
Y_REG = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * RNG.normal(size=40)
Y_CLASS = RNG.integers(0, 3, size=40)


def flat(params):
    return np.concatenate([np.ravel(params["w"]), np.ravel(params["b"])])


def unflat(theta, like):
    w_size = like["w"].size
    return {"w": theta[:w_size].reshape(like["w"].shape),
            "b": theta[w_size:].reshape(like["b"].shape)}


@pytest.mark.parametrize("loss, y, penalty", [
    (losses.mse, Y_REG, penalties.l2), (losses.huber, Y_REG, penalties.l1),
    (losses.cross_entropy, Y_CLASS, penalties.elastic_net),
    (losses.binary_cross_entropy_with_logits, (Y_REG > 0).astype(float), None),
])
def test_gradient_matches_finite_differences(loss, y, penalty):
    risk = empirical_risk(loss, X, y, penalty=penalty, alpha=0.3 if penalty else 0.0)
    params = risk.model.init()
    params = unflat(np.random.default_rng(1).normal(size=flat(params).size), params)
    _, grads = risk.value_and_grad(params)
    result = check_gradient(lambda t: risk(unflat(t, params)), flat(grads), flat(params),
                            n_checks=None)
    assert result.passed, result


def test_mse_risk_is_minimized_where_sklearn_puts_least_squares():
    fit = LinearRegression().fit(X, Y_REG)
    risk = empirical_risk(losses.mse, X, Y_REG)
    _, grads = risk.value_and_grad({"w": fit.coef_, "b": np.array(fit.intercept_)})
    assert np.abs(flat(grads)).max() < 1e-12


def test_batch_risk_is_the_mean_loss_over_the_batch_plus_the_full_penalty():
    risk = empirical_risk(losses.mse, X, Y_REG, penalty=penalties.l2, alpha=0.5)
    params = {"w": np.array([0.5, 0.1, -0.2]), "b": np.array(0.4)}
    batch = np.array([3, 7, 11])
    want = (losses.mse(Y_REG[batch], X[batch] @ params["w"] + 0.4)
            + penalties.l2(params["w"], alpha=0.5))
    assert risk(params, batch) == pytest.approx(want, rel=1e-14)


def test_the_intercept_is_not_penalized():
    risk = empirical_risk(losses.mse, X, Y_REG, penalty=penalties.l2, alpha=10.0)
    base = {"w": np.zeros(3), "b": np.array(0.0)}
    shifted = {"w": np.zeros(3), "b": np.array(5.0)}
    diff = risk(shifted) - risk(base)
    assert diff == pytest.approx(losses.mse(Y_REG, np.full(40, 5.0)) - losses.mse(Y_REG, 0 * Y_REG))


def test_multiclass_losses_get_one_score_per_class():
    risk = empirical_risk(losses.cross_entropy, X, Y_CLASS)
    assert risk.model.init()["w"].shape == (3, 3)
    assert isinstance(risk.model, Linear)


def test_bad_data_is_explained():
    with pytest.raises(ValueError, match="X has 40 samples but y has 39"):
        empirical_risk(losses.mse, X, Y_REG[:-1])
    with pytest.raises(ValueError, match=r"shape \(n_samples, n_features\)"):
        empirical_risk(losses.mse, X[:, 0], Y_REG)
    with pytest.raises(ValueError, match="alpha"):
        empirical_risk(losses.mse, X, Y_REG, penalty=penalties.l2, alpha=-1)
