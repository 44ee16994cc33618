"""Exercises of chapter 07 (logistic regression): the sigmoid, two gradients, the log loss."""

from __future__ import annotations

import numpy as np

from .. import losses
from .._numerics import sigmoid as _sigmoid
from .._numerics import softmax as _softmax
from ._core import Exercise, Misconception, Property


def _float(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _reference_sigmoid(x):
    return _sigmoid(_float(x).copy())


def _naive_sigmoid(z):
    return 1 / (1 + np.exp(-z))


# ------------------------------------------------------------------------------ sigmoid
EXTREME_X = np.array([-800.0, 0.0, 800.0])
LEFT_TAIL_X = np.array([-30.0, -40.0, -100.0])


def _exact_at_extremes(outputs) -> bool:
    got = _float(outputs[0])
    want = _reference_sigmoid(EXTREME_X)
    # atol 1e-100: clipping x to [-500, 500] is fine here (sigma(-500) ~ 7e-218); the
    # left tail's relative precision is the other property's business
    return (got.shape == want.shape and bool(np.all(np.isfinite(got))) and got[1] == 0.5
            and bool(np.allclose(got, want, rtol=1e-12, atol=1e-100)))


def _precise_left_tail(outputs) -> bool:
    got = _float(outputs[0])
    want = _reference_sigmoid(LEFT_TAIL_X)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=1e-9, atol=0))


def _sigmoid_cases(rng):
    cases = []
    for scale in (1.0, 3.0, 8.0, 20.0):
        n = int(rng.integers(1, 30))
        cases.append((rng.normal(scale=scale, size=n),))
    cases.append((rng.normal(scale=4.0, size=(3, 4)),))  # element-wise on any shape
    cases.append((np.concatenate([[0.0], rng.uniform(-50, 50, size=6)]),))
    return cases


SIGMOID = Exercise(
    id="07.sigmoid", name="sigmoid", points=1,
    reference=_reference_sigmoid,
    public_cases=[(np.array([-2.0, -1.0, 0.0, 1.0, 2.0]),),
                  (np.array([[-5.0, 0.5], [3.0, -0.25]]),)],
    hidden_cases=_sigmoid_cases,
    misconceptions=[
        Misconception(lambda x: 1 / (1 + np.exp(_float(x))),
                      "you computed sigma(-x) = 1 / (1 + e^x) = 1 - sigma(x): the exponent is "
                      "-x, sigma(x) = 1 / (1 + e^-x), which tends to 1 for large x"),
        Misconception(lambda x: 1 / (1 - np.exp(-_float(x))),
                      "the denominator is 1 + e^-x, not 1 - e^-x"),
        Misconception(lambda x: np.tanh(_float(x)),
                      "tanh ranges over (-1, 1); the sigmoid is a shifted and scaled tanh: "
                      "sigma(x) = (1 + tanh(x / 2)) / 2"),
        Misconception(lambda x: 0.5 * (1 + np.tanh(_float(x))),
                      "(1 + tanh(x)) / 2 is sigma(2x): halve the argument, "
                      "sigma(x) = (1 + tanh(x / 2)) / 2"),
        Misconception(lambda x: np.exp(-_float(x)),
                      "e^-x alone is not a probability: sigma(x) = 1 / (1 + e^-x)"),
    ],
    properties=[
        Property(
            "at x = +-800 (or x = 0) it is not finite or not exact: e^x / (1 + e^x) gives "
            "inf / inf = nan for large x. Use 1 / (1 + e^-x) where x >= 0 and "
            "e^x / (1 + e^x) where x < 0 (np.where, or boolean masks), so that exp never "
            "sees a large positive number",
            cases=[(EXTREME_X,)], holds=_exact_at_extremes),
        Property(
            "for very negative x (-30, -40, -100) it loses the relative precision of "
            "sigma(x) ~ e^x: 1 - sigma(-x) and (1 + tanh(x / 2)) / 2 subtract numbers close "
            "to 1 and give 0 or a few correct digits (so does clipping x to a narrow range). "
            "Where x < 0 compute e^x / (1 + e^x)",
            cases=[(LEFT_TAIL_X,)], holds=_precise_left_tail),
    ],
)


# ------------------------------------------------------------------ logistic gradient
def _reference_logistic_gradient(w, X, y):
    X, w, y = _float(X), _float(w), _float(y)
    # the mean loss's derivative in the scores is (sigma(z) - y) / n
    return X.T @ losses.binary_cross_entropy_with_logits.grad(y, X @ w)


def _pm_one_formula_on_01_labels(w, X, y):
    # -(1/n) sum_i y_i x_i sigma(-y_i x_i.w): right for y in {-1, +1}, not for {0, 1}
    X, w, y = _float(X), _float(w), _float(y)
    return -(X.T @ (y * _naive_sigmoid(-y * (X @ w)))) / len(y)


def _gradient_cases(rng):
    cases = []
    for n, d in [(1, 2), (5, 1), (12, 3), (30, 4), (int(rng.integers(2, 40)), 6)]:
        X = rng.normal(size=(n, d))
        w = rng.normal(scale=float(rng.choice([0.5, 2.0, 5.0])), size=d)
        cases.append((w, X, rng.integers(0, 2, size=n).astype(float)))
    n = int(rng.integers(3, 20))
    cases.append((rng.normal(size=2), rng.normal(size=(n, 2)), np.ones(n)))  # one class only
    return cases


EXTREME_SCORES = (np.array([1.0]), np.array([[800.0], [-800.0], [800.0], [-800.0]]),
                  np.array([1.0, 0.0, 0.0, 1.0]))


def _finite_at_extreme_scores(outputs) -> bool:
    got = _float(outputs[0])
    want = _reference_logistic_gradient(*EXTREME_SCORES)
    return got.shape == want.shape and bool(np.all(np.isfinite(got))) and bool(
        np.allclose(got, want))


LOGISTIC_GRADIENT = Exercise(
    id="07.logistic_gradient", name="logistic_gradient", points=2,
    reference=_reference_logistic_gradient,
    public_cases=[(np.array([0.5, -1.0]), np.array([[1.0, 2.0], [0.0, 1.0], [-1.0, 0.5]]),
                   np.array([1.0, 0.0, 1.0]))],
    hidden_cases=_gradient_cases,
    misconceptions=[
        Misconception(lambda w, X, y: -_reference_logistic_gradient(w, X, y),
                      "the sign is wrong: X^T (y - sigma(Xw)) / n is the gradient of the "
                      "log-likelihood (the direction to climb); the loss's gradient is "
                      "X^T (sigma(Xw) - y) / n"),
        Misconception(lambda w, X, y: len(y) * _reference_logistic_gradient(w, X, y),
                      "you return the gradient of the sum over the samples; the loss is the "
                      "mean, so divide by n = len(y)"),
        Misconception(_pm_one_formula_on_01_labels,
                      "you used the formula for labels in {-1, +1}, "
                      "-(1/n) sum_i y_i x_i sigma(-y_i x_i.w), with labels in {0, 1}: the "
                      "samples with y = 0 drop out. Use X^T (sigma(Xw) - y) / n, or convert "
                      "the labels with 2y - 1 first"),
        Misconception(lambda w, X, y: _float(X).T @ (_float(X) @ _float(w) - _float(y))
                      / len(y),
                      "you left out the sigmoid: X^T (Xw - y) / n is (half) the least-squares "
                      "gradient; the residual of logistic regression is sigma(Xw) - y"),
        Misconception(lambda w, X, y: _float(X).T @ (
            (_naive_sigmoid(_float(X) @ _float(w)) - _float(y))
            * _naive_sigmoid(_float(X) @ _float(w))
            * (1 - _naive_sigmoid(_float(X) @ _float(w)))) / len(y),
                      "you multiplied by sigma'(z) = sigma(z)(1 - sigma(z)): that is the "
                      "gradient of the squared error (sigma(z) - y)^2 / 2. For the "
                      "cross-entropy the sigma' cancels: d loss / dz = sigma(z) - y"),
    ],
    properties=[Property(
        "it is not finite (or not right) where the scores X w are +-800: compute the sigmoid "
        "without overflow (exercise 1); e^z / (1 + e^z) gives inf / inf = nan",
        cases=[EXTREME_SCORES], holds=_finite_at_extreme_scores)],
)


# --------------------------------------------------------- softmax cross-entropy gradient
def _reference_softmax_ce_grad(logits, y):
    return losses.cross_entropy.grad(np.asarray(y), _float(logits))


def _onehot(y, k):
    return np.eye(k)[np.asarray(y)]


def _probabilities(logits):
    return _softmax(_float(logits))


def _unshifted_softmax(logits, axis=1):
    e = np.exp(_float(logits))
    return e / e.sum(axis=axis, keepdims=True)


def _softmax_cases(rng):
    cases = []
    for n, k in [(1, 3), (4, 2), (10, 5), (int(rng.integers(2, 25)), int(rng.integers(3, 7)))]:
        logits = rng.normal(scale=float(rng.choice([0.5, 2.0, 6.0])), size=(n, k))
        cases.append((logits, rng.integers(0, k, size=n)))
    cases.append((rng.normal(size=(6, 4)), np.full(6, 3)))  # every sample in the last class
    return cases


LARGE_LOGITS = (np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 500.0],
                          [-1000.0, -1000.0, -999.0]]), np.array([0, 2, 1]))


def _finite_at_large_logits(outputs) -> bool:
    got = _float(outputs[0])
    want = _reference_softmax_ce_grad(*LARGE_LOGITS)
    return got.shape == want.shape and bool(np.all(np.isfinite(got))) and bool(
        np.allclose(got, want))


SOFTMAX_CE_GRAD = Exercise(
    id="07.softmax_cross_entropy_grad", name="softmax_cross_entropy_grad", points=2,
    reference=_reference_softmax_ce_grad,
    public_cases=[(np.array([[2.0, 1.0, -1.0], [0.5, 0.5, 0.5], [-1.0, 3.0, 0.0],
                             [1.0, -2.0, 4.0]]), np.array([0, 2, 1, 0]))],
    hidden_cases=_softmax_cases,
    misconceptions=[
        Misconception(lambda f, y: _probabilities(f) - _onehot(y, np.shape(f)[1]),
                      "you return the gradient of the sum over the samples; the loss is the "
                      "mean, so divide by n, the number of rows"),
        Misconception(lambda f, y: _probabilities(f) / np.shape(f)[0],
                      "you left out the one-hot target: the gradient is (softmax - onehot) / n, "
                      "where onehot[i, y_i] = 1 (np.eye(k)[y])"),
        Misconception(lambda f, y: (_onehot(y, np.shape(f)[1]) - _probabilities(f))
                      / np.shape(f)[0],
                      "the sign is wrong: the derivative of -log softmax(f)_y in f is "
                      "softmax(f) - onehot(y)"),
        Misconception(lambda f, y: (_unshifted_softmax(f, axis=0) - _onehot(y, np.shape(f)[1]))
                      / np.shape(f)[0],
                      "your softmax normalizes each column (over the samples); normalize each "
                      "row, over the classes: sum with axis=1, keepdims=True"),
        Misconception(lambda f, y: (_probabilities(f) - np.asarray(y, dtype=float)[:, None])
                      / np.shape(f)[0],
                      "you subtracted the class index from every column; subtract a one-hot "
                      "row instead: onehot = np.eye(k)[y]"),
        Misconception(lambda f, y: (np.log(_probabilities(f)) - _onehot(y, np.shape(f)[1]))
                      / np.shape(f)[0],
                      "you used log softmax; the derivative of log sum_j e^(f_j) is the "
                      "softmax itself, so the gradient is (softmax - onehot) / n"),
    ],
    properties=[Property(
        "it is not finite (or not right) for logits such as 1000: e^1000 overflows. Subtract "
        "each row's maximum before exponentiating (the softmax does not change)",
        cases=[LARGE_LOGITS], holds=_finite_at_large_logits)],
)


# ------------------------------------------------------------------------------ log loss
def _reference_log_loss(y, p):
    return losses.binary_cross_entropy(_float(y), _float(p))


def _clipped(eps):
    def log_loss_clipped(y, p):
        y, q = _float(y), np.clip(_float(p), eps, 1 - eps)
        return -np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))

    return log_loss_clipped


def _log_loss_cases(rng):
    cases = []
    for scale in (1.0, 4.0, 12.0, 20.0):
        n = int(rng.integers(1, 30))
        # sigma of a score up to +-20 keeps p inside (0, 1): exact 0 and 1 are the property's
        p = 1 / (1 + np.exp(-np.clip(rng.normal(scale=scale, size=n), -20, 20)))
        cases.append((rng.integers(0, 2, size=n).astype(float), p))
    n = int(rng.integers(2, 20))
    cases.append((np.zeros(n), rng.uniform(0.01, 0.99, size=n)))
    return cases


EXACT_PROBABILITIES = (np.array([1.0, 0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0, 1.0]))


def _clamped_at_0_and_1(outputs) -> bool:
    got = outputs[0]
    want = _reference_log_loss(*EXACT_PROBABILITIES)  # (0 + 0 + 100 + 100) / 4
    return bool(np.isfinite(got)) and bool(np.isclose(got, want))


LOG_LOSS = Exercise(
    id="07.log_loss", name="log_loss", points=1,
    reference=_reference_log_loss,
    public_cases=[(np.array([1.0, 0.0, 1.0, 0.0]), np.array([0.9, 0.2, 0.6, 0.45])),
                  (np.array([1.0, 0.0, 1.0]), np.array([1e-20, 1 - 1e-12, 0.3]))],
    hidden_cases=_log_loss_cases,
    misconceptions=[
        Misconception(lambda y, p: -_reference_log_loss(y, p),
                      "the sign is wrong: the loss is minus the log-likelihood, "
                      "-[y log p + (1 - y) log(1 - p)], which is >= 0"),
        Misconception(lambda y, p: len(y) * _reference_log_loss(y, p),
                      "you return the sum over the samples; return the mean"),
        Misconception(lambda y, p: _reference_log_loss(1 - _float(y), p),
                      "the labels are swapped: a sample with y = 1 pays -log p, one with "
                      "y = 0 pays -log(1 - p)"),
        Misconception(lambda y, p: _reference_log_loss(y, p) / np.log(10),
                      "you used log10; the cross-entropy uses the natural logarithm (np.log)"),
        Misconception(_clipped(1e-15),
                      "you clipped p to [1e-15, 1 - 1e-15], as older scikit-learn log_loss did; "
                      "this loss keeps p as it is and clamps each log at -100 instead "
                      "(torch's convention): np.maximum(np.log(p), -100)"),
        Misconception(_clipped(np.finfo(float).eps),
                      "you clipped p to [eps, 1 - eps] with the machine epsilon, as "
                      "scikit-learn's log_loss does; this loss keeps p as it is and clamps "
                      "each log at -100 instead (torch's convention)"),
        Misconception(_clipped(1e-7),
                      "you clipped p to [1e-7, 1 - 1e-7], as Keras does; this loss keeps p as "
                      "it is and clamps each log at -100 instead (torch's convention)"),
        Misconception(_clipped(1e-12),
                      "you clipped p to [1e-12, 1 - 1e-12]; this loss keeps p as it is and "
                      "clamps each log at -100 instead (torch's convention)"),
    ],
    properties=[Property(
        "with p exactly 0 or 1 it is not the clamped value: clamp each log at -100, "
        "np.maximum(np.log(p), -100) and np.maximum(np.log(1 - p), -100), so that a "
        "confident mistake costs 100 and a confident right answer costs 0 (without the "
        "clamp, 0 * log 0 is nan and -log 0 is inf)",
        cases=[EXACT_PROBABILITIES], holds=_clamped_at_0_and_1)],
)

EXERCISES = [SIGMOID, LOGISTIC_GRADIENT, SOFTMAX_CE_GRAD, LOG_LOSS]
