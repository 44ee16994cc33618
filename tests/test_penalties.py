"""Penalties: values against numpy norms, gradients against finite differences, proximal
operators against a direct numerical minimization (SciPy)."""

import numpy as np
import pytest
from scipy import optimize

from lossbook import penalties
from lossbook.gradcheck import check_gradient

W = np.array([1.5, -0.2, 0.0, 3.0, -2.5])
PENALTIES = [(penalties.l1, {"alpha": 0.7}), (penalties.l2, {"alpha": 0.7}),
             (penalties.elastic_net, {"alpha": 0.7, "l1_ratio": 0.3})]


def test_values_match_norms():
    assert penalties.l1(W, alpha=0.7) == pytest.approx(0.7 * np.linalg.norm(W, 1))
    assert penalties.l2(W, alpha=0.7) == pytest.approx(0.35 * np.linalg.norm(W) ** 2)
    assert penalties.elastic_net(W, alpha=0.7, l1_ratio=0.3) == pytest.approx(
        0.7 * (0.3 * np.linalg.norm(W, 1) + 0.35 * np.linalg.norm(W) ** 2))
    assert penalties.elastic_net(W, alpha=2.0, l1_ratio=1.0) == penalties.l1(W, alpha=2.0)
    assert penalties.elastic_net(W, alpha=2.0, l1_ratio=0.0) == penalties.l2(W, alpha=2.0)


@pytest.mark.parametrize("penalty, params", PENALTIES, ids=lambda p: getattr(p, "name", ""))
def test_gradient_matches_finite_differences_away_from_zero(penalty, params):
    w = np.array([1.5, -0.2, 0.3, 3.0, -2.5])
    result = check_gradient(lambda v: penalty(v, **params), penalty.grad(w, **params), w,
                            n_checks=None)
    assert result.passed, result


def test_l1_subgradient_is_zero_at_zero():
    assert penalties.l1.grad(np.zeros(3), alpha=2.0).tolist() == [0, 0, 0]


@pytest.mark.parametrize("penalty, params", PENALTIES, ids=lambda p: getattr(p, "name", ""))
@pytest.mark.parametrize("step", [0.1, 1.0, 3.0])
def test_prox_is_the_minimizer_of_penalty_plus_distance(penalty, params, step):
    v = np.array([1.5, -0.2, 0.05, 3.0, -2.5])
    prox = penalty.prox(v, step, **params)

    def objective(w):
        return penalty(w, **params) + np.sum((w - v) ** 2) / (2 * step)

    # Powell needs no gradient, so the kink of |w| at 0 does not stop it.
    found = optimize.minimize(objective, np.zeros_like(v), method="Powell",
                              options={"xtol": 1e-10, "ftol": 1e-14, "maxfev": 100000}).x
    np.testing.assert_allclose(prox, found, atol=1e-6)
    assert objective(prox) <= objective(found) + 1e-12


def test_l1_prox_sets_small_weights_exactly_to_zero():
    out = penalties.l1.prox(np.array([0.05, -0.09, 0.5]), 1.0, alpha=0.1)
    assert out[0] == 0 and out[1] == 0 and out[2] == pytest.approx(0.4)


def test_bad_arguments():
    with pytest.raises(ValueError, match="alpha must be a finite number >= 0"):
        penalties.l1(W, alpha=-1)
    with pytest.raises(ValueError, match=r"l1_ratio must be a finite number in \[0, 1\]"):
        penalties.elastic_net(W, l1_ratio=2)
    with pytest.raises(TypeError, match="unexpected parameter"):
        penalties.l2(W, lam=1)
    with pytest.raises(ValueError, match="contains nan"):
        penalties.l2([1.0, np.nan])
    with pytest.raises(ValueError, match="step"):
        penalties.l1.prox(W, -1.0)


def test_prox_of_a_negative_weight_shrunk_to_zero_is_plus_zero():
    out = penalties.l1.prox(np.array([-0.05]), 1.0, alpha=0.1)
    assert out[0] == 0 and not np.signbit(out[0])
