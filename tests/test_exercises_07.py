"""Chapter 07's exercises: references against independent computations (mpmath, scipy,
scikit-learn, torch, central differences), wrong answers beyond the catalog's misconceptions
get useful feedback, and the hidden cases cover what they should."""

import mpmath
import numpy as np
import pytest
from scipy.special import expit, log_softmax, softmax

from lossbook.exercises import EXERCISES, evaluate
from lossbook.exercises._core import PROPERTY_CREDIT, plan
from lossbook.gradcheck import numerical_gradient

SIGMOID = EXERCISES["07.sigmoid"]
GRADIENT = EXERCISES["07.logistic_gradient"]
SOFTMAX_GRAD = EXERCISES["07.softmax_cross_entropy_grad"]
LOG_LOSS = EXERCISES["07.log_loss"]


# ----------------------------------------------------------------- independent solutions
def stable_sigmoid(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def logistic_gradient(w, X, y):
    return X.T @ (expit(X @ w) - y) / len(y)


def softmax_cross_entropy_grad(logits, y):
    return (softmax(logits, axis=1) - np.eye(logits.shape[1])[y]) / len(y)


def log_loss(y, p):
    with np.errstate(divide="ignore"):
        terms = y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log1p(-p), -100)
    return -np.mean(terms)


@pytest.mark.parametrize("exercise, solution", [
    (SIGMOID, stable_sigmoid), (SIGMOID, expit), (GRADIENT, logistic_gradient),
    (SOFTMAX_GRAD, softmax_cross_entropy_grad), (LOG_LOSS, log_loss)])
def test_independent_solutions_pass_with_full_points(exercise, solution):
    def learner(*args):  # a learner's function, not lossbook's
        return solution(*args)

    result = evaluate(exercise, learner)
    assert result.passed and result.score == 1.0, result.message


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_solutions_pass_on_the_graders_other_seeds(seed):
    for exercise, solution in [(SIGMOID, stable_sigmoid), (GRADIENT, logistic_gradient),
                               (SOFTMAX_GRAD, softmax_cross_entropy_grad),
                               (LOG_LOSS, log_loss)]:
        assert evaluate(exercise, lambda *a, f=solution: f(*a), seed=seed).passed


# --------------------------------------------------- references against independent values
def test_sigmoid_reference_matches_mpmath_to_the_last_digits():
    x = np.array([-745.0, -700.0, -100.0, -40.0, -30.0, -5.0, -1e-9, 0.0, 1e-9, 0.5, 3.0,
                  36.0, 40.0, 800.0])
    exact = np.array([float(1 / (1 + mpmath.exp(-mpmath.mpf(v)))) for v in x])
    got = SIGMOID.reference(x)
    normal = np.abs(exact) > 1e-300  # denormals carry few digits: compare them absolutely
    assert np.allclose(got[normal], exact[normal], rtol=4e-16, atol=0)
    assert np.allclose(got[~normal], exact[~normal], rtol=0, atol=1e-300)


def test_logistic_gradient_reference_is_the_derivative_of_the_mean_cross_entropy():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(25, 4)), rng.integers(0, 2, size=25).astype(float)
    w = rng.normal(size=4)

    def mean_loss(v):  # log(1 + e^z) - y z with numpy's logaddexp, not lossbook
        z = X @ v
        return np.mean(np.logaddexp(0, z) - y * z)

    assert np.allclose(GRADIENT.reference(w, X, y), numerical_gradient(mean_loss, w),
                       rtol=1e-7, atol=1e-10)


def test_softmax_gradient_reference_is_the_derivative_of_the_mean_cross_entropy():
    rng = np.random.default_rng(4)
    logits, y = rng.normal(scale=2, size=(7, 4)), rng.integers(0, 4, size=7)

    def mean_loss(f):
        f = f.reshape(7, 4)
        return -np.mean(log_softmax(f, axis=1)[np.arange(7), y])

    numeric = numerical_gradient(mean_loss, logits.ravel()).reshape(7, 4)
    assert np.allclose(SOFTMAX_GRAD.reference(logits, y), numeric, rtol=1e-6, atol=1e-10)


def test_log_loss_reference_matches_scikit_learn_away_from_its_clip():
    from sklearn.metrics import log_loss as sklearn_log_loss

    rng = np.random.default_rng(5)
    y, p = rng.integers(0, 2, size=40).astype(float), rng.uniform(1e-6, 1 - 1e-6, size=40)
    assert np.isclose(LOG_LOSS.reference(y, p), sklearn_log_loss(y, p, labels=[0, 1]),
                      rtol=1e-12)


def test_references_match_torch_including_the_clamp():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(6)

    X, y = rng.normal(size=(9, 3)), rng.integers(0, 2, size=9).astype(float)
    w = torch.tensor(rng.normal(size=3), requires_grad=True)
    F.binary_cross_entropy_with_logits(torch.tensor(X) @ w, torch.tensor(y)).backward()
    assert np.allclose(GRADIENT.reference(w.detach().numpy(), X, y), w.grad.numpy(),
                       rtol=1e-12, atol=1e-15)

    logits, labels = rng.normal(scale=3, size=(6, 5)), rng.integers(0, 5, size=6)
    f = torch.tensor(logits, requires_grad=True)
    F.cross_entropy(f, torch.tensor(labels)).backward()
    assert np.allclose(SOFTMAX_GRAD.reference(logits, labels), f.grad.numpy(), rtol=1e-12,
                       atol=1e-15)

    for y, p in [LOG_LOSS.public_cases[1], (np.array([1.0, 0.0, 1.0, 0.0]),
                                            np.array([1.0, 0.0, 0.0, 1.0]))]:
        want = F.binary_cross_entropy(torch.tensor(p), torch.tensor(y)).item()
        assert np.isclose(LOG_LOSS.reference(y, p), want, rtol=1e-12)


# ------------------------------------------------------------- other wrong answers, hints
def learner(fn):
    def function(*args):
        return fn(*args)

    return function


def test_the_ratio_form_of_the_sigmoid_is_caught_at_large_x():
    with np.errstate(all="ignore"):
        result = evaluate(SIGMOID, learner(lambda x: np.exp(x) / (1 + np.exp(x))))
    assert not result and "nan" in result.message and "np.where" in result.message
    assert result.score == PROPERTY_CREDIT  # its values are right on ordinary inputs


@pytest.mark.parametrize("imprecise", [
    lambda x: 1 - 1 / (1 + np.exp(np.asarray(x, dtype=float))),  # 1 - sigma(-x)
    lambda x: 0.5 * (1 + np.tanh(np.asarray(x, dtype=float) / 2)),
])
def test_forms_that_lose_the_left_tail_get_the_precision_hint(imprecise):
    result = evaluate(SIGMOID, learner(imprecise))
    assert not result and "relative precision" in result.message
    assert result.score == PROPERTY_CREDIT


def test_the_plain_formula_and_clipped_inputs_pass_because_their_values_are_right():
    # 1 / (1 + e^-x) only warns at x = -800 (0 is the right value there); the check sees
    # values, not warnings, so it passes, as the exercise statement says.
    assert evaluate(SIGMOID, learner(lambda x: 1 / (1 + np.exp(-np.asarray(x, float))))).passed
    clipped = learner(lambda x: stable_sigmoid(np.clip(x, -500, 500)))
    assert evaluate(SIGMOID, clipped).passed


def test_a_gradient_per_sample_instead_of_over_the_features_reports_the_shape():
    result = evaluate(GRADIENT, learner(lambda w, X, y: (expit(X @ w) - y) / len(y)))
    assert not result and "shape" in result.message and "expected (2,)" in result.message


def test_the_plus_minus_one_formula_with_converted_labels_passes():
    def converted(w, X, y):
        s = 2 * y - 1
        return -(X.T @ (s * expit(-s * (X @ w)))) / len(y)

    assert evaluate(GRADIENT, learner(converted)).passed


def test_an_unshifted_softmax_gets_the_overflow_hint():
    def unshifted(logits, y):
        e = np.exp(logits)
        return (e / e.sum(axis=1, keepdims=True) - np.eye(logits.shape[1])[y]) / len(y)

    result = evaluate(SOFTMAX_GRAD, learner(unshifted))
    assert not result and "maximum" in result.message and result.score == PROPERTY_CREDIT


def test_an_unclamped_log_loss_gets_the_clamp_hint():
    def unclamped(y, p):
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    result = evaluate(LOG_LOSS, learner(unclamped))
    assert not result and "-100" in result.message and result.score == PROPERTY_CREDIT


def test_adding_an_epsilon_inside_the_log_fails_on_the_public_tiny_probability():
    def padded(y, p):
        return -np.mean(y * np.log(p + 1e-15) + (1 - y) * np.log(1 - p + 1e-15))

    result = evaluate(LOG_LOSS, learner(padded))
    assert not result and result.message.startswith("for the inputs")
    assert result.score == 0


# ----------------------------------------------------------------------- hidden cases
def hidden(exercise, seed):
    return [c.args for c in plan(exercise, seed) if c.kind == "hidden"]


def test_hidden_cases_change_with_the_seed_and_vary_in_size():
    for exercise in (SIGMOID, GRADIENT, SOFTMAX_GRAD, LOG_LOSS):
        a, b = hidden(exercise, 1), hidden(exercise, 2)
        assert len(a) >= 5
        assert any(not np.array_equal(x[0], z[0]) for x, z in zip(a, b, strict=True))
        assert len({np.shape(args[0]) for args in a}) >= 3


def test_hidden_cases_cover_the_edges():
    sigmoid_args = hidden(SIGMOID, 7)
    assert any(np.ndim(x) == 2 for (x,) in sigmoid_args)
    assert any(np.any(x == 0) for (x,) in sigmoid_args)
    gradient_args = hidden(GRADIENT, 7)
    assert any(len(y) == 1 for _, _, y in gradient_args)
    assert any(np.all(y == 1) for _, _, y in gradient_args)
    assert any(X.shape[1] == 1 for _, X, _ in gradient_args)
    softmax_args = hidden(SOFTMAX_GRAD, 7)
    assert any(f.shape[1] == 2 for f, _ in softmax_args)
    assert any(f.shape[0] == 1 for f, _ in softmax_args)
    assert all(np.asarray(y).dtype.kind == "i" for _, y in softmax_args)


def test_log_loss_hidden_probabilities_stay_inside_zero_one():
    # exact 0 and 1 belong to the property, whose hint names the clamp
    for seed in range(20):
        for y, p in hidden(LOG_LOSS, seed):
            assert np.all((p > 0) & (p < 1)) and set(np.unique(y)) <= {0.0, 1.0}
