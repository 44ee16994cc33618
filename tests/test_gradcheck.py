"""The gradient checker itself: right gradients pass, wrong ones fail, with a useful report."""

import numpy as np
import pytest

from lossbook.gradcheck import check_gradient, numerical_gradient, relative_error


def test_numerical_gradient_of_known_functions():
    x = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(np.sin(v)), x), np.cos(x),
                               rtol=1e-9)
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    X = np.array([[0.5, -1.0], [2.0, 0.1]])
    np.testing.assert_allclose(numerical_gradient(lambda M: np.sum(A * M**2), X), 2 * A * X,
                               rtol=1e-9)


def test_a_correct_gradient_passes_and_a_wrong_one_fails():
    rng = np.random.default_rng(0)
    y, p = rng.normal(size=10), rng.normal(size=10)

    def mse(q):
        return np.mean((q - y) ** 2)

    good = check_gradient(mse, 2 * (p - y) / 10, p)
    assert good and good.max_relative_error < 1e-8
    bad = check_gradient(mse, (p - y) / 10, p)  # forgot the factor 2
    assert not bad and bad.max_relative_error == pytest.approx(0.5, rel=1e-6)
    assert "FAILED" in repr(bad) and "passed" in repr(good)


def test_a_callable_gradient_and_a_random_subset_of_coordinates():
    x = np.linspace(-1, 1, 200)
    result = check_gradient(lambda v: np.sum(v**3), lambda v: 3 * v**2, x, n_checks=7, seed=3)
    assert result.passed and result.n_checked == 7


def test_shape_mismatch_is_explained():
    with pytest.raises(ValueError, match="one entry per coordinate"):
        check_gradient(lambda v: np.sum(v), np.ones(3), np.ones(4))


def test_relative_error_has_a_floor_for_zeros():
    assert relative_error(0.0, 0.0) == 0
    assert relative_error(1.0, 1.1) == pytest.approx(0.1 / 1.1)
