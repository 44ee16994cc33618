"""Exercises of chapter 02 (the loss catalog): write losses, and one gradient, by hand."""

from __future__ import annotations

import numpy as np

from .. import losses
from ._core import Exercise, Misconception, Property


def _regression_cases(rng, n_cases=5):
    out = []
    for _ in range(n_cases):
        n = int(rng.integers(1, 30))
        y = rng.normal(scale=3, size=n)
        out.append((y, y + rng.standard_t(df=2, size=n)))
    return out


def _binary_cases(rng, n_cases=5):
    out = []
    for _ in range(n_cases):
        n = int(rng.integers(1, 30))
        out.append((rng.integers(0, 2, size=n).astype(float), rng.normal(scale=4, size=n)))
    return out


MSE = Exercise(
    id="02.mse", name="mse", points=1,
    reference=lambda y, p: losses.mse(y, p),
    public_cases=[(np.array([3.0, -0.5, 2.0, 7.0]), np.array([2.5, 0.0, 2.0, 8.0]))],
    hidden_cases=_regression_cases,
    misconceptions=[
        Misconception(lambda y, p: np.sum((p - y) ** 2),
                      "you return the sum of squared errors; the MSE is their mean: divide by "
                      "the number of samples (np.mean)"),
        Misconception(lambda y, p: 0.5 * np.mean((p - y) ** 2),
                      "you included a factor 1/2; that convention (handy for derivatives) is "
                      "not the MSE of torch and scikit-learn"),
        Misconception(lambda y, p: np.sqrt(np.mean((p - y) ** 2)),
                      "that is the root of the MSE (RMSE): leave out the square root"),
        Misconception(lambda y, p: np.mean(np.abs(p - y)),
                      "that is the mean absolute error: square the residuals instead of taking "
                      "their absolute value"),
    ],
)

HUBER = Exercise(
    id="02.huber", name="huber", points=2,
    reference=lambda y, p, delta=1.0: losses.huber(y, p, delta=delta),
    public_cases=[(np.zeros(6), np.array([0.0, 0.5, 1.0, 1.5, 3.0, -2.0])),
                  (np.zeros(3), np.array([0.5, 1.5, -3.0]), 2.0)],
    hidden_cases=lambda rng: [args + (float(rng.uniform(0.2, 3)),)
                              for args in _regression_cases(rng)],
    misconceptions=[
        Misconception(lambda y, p, delta=1.0: np.sum(losses.huber(y, p, delta=delta,
                                                                  reduction="none")),
                      "you return the sum over the samples; return the mean"),
        Misconception(lambda y, p, delta=1.0: np.mean(np.where(
            np.abs(p - y) < delta, (p - y) ** 2, delta * (np.abs(p - y) - delta / 2))),
                      "the quadratic branch is r^2 / 2: you left out the 1/2, so the two "
                      "branches do not meet at |r| = delta"),
        Misconception(lambda y, p, delta=1.0: np.mean(np.where(
            np.abs(p - y) < delta, 0.5 * (p - y) ** 2, np.abs(p - y) - delta / 2)),
                      "the linear branch is delta (|r| - delta / 2): you left out the factor "
                      "delta (this is torch's smooth_l1 with beta=1 only when delta = 1)"),
        Misconception(lambda y, p, delta=1.0: np.mean(np.where(
            np.abs(p - y) < delta, delta * (np.abs(p - y) - delta / 2), 0.5 * (p - y) ** 2)),
                      "the branches are swapped: quadratic near 0 (|r| < delta), linear far "
                      "away"),
    ],
)


EXTREME_LOGITS = (np.array([1.0, 0.0, 1.0, 0.0]), np.array([-800.0, 800.0, 800.0, -800.0]))


def _exact_at_extreme_logits(outputs) -> bool:
    (got,) = outputs
    return bool(np.isfinite(got)) and bool(np.isclose(
        got, losses.binary_cross_entropy_with_logits(*EXTREME_LOGITS)))


BCE_WITH_LOGITS = Exercise(
    id="02.binary_cross_entropy_with_logits", name="binary_cross_entropy_with_logits", points=2,
    reference=lambda y, x: losses.binary_cross_entropy_with_logits(y, x),
    public_cases=[(np.array([1.0, 0.0, 1.0]), np.array([2.0, -1.0, 0.0]))],
    hidden_cases=_binary_cases,
    misconceptions=[
        Misconception(lambda y, x: -losses.binary_cross_entropy_with_logits(y, x),
                      "your loss has the wrong sign: it is minus the log-likelihood, "
                      "-[y log p + (1 - y) log(1 - p)], which is >= 0"),
        Misconception(lambda y, x: np.sum(losses.binary_cross_entropy_with_logits(
            y, x, reduction="none")), "you return the sum over the samples; return the mean"),
        Misconception(lambda y, x: losses.binary_cross_entropy_with_logits(1 - y, x),
                      "the labels are swapped: y = 1 should pay -log sigmoid(x)"),
    ],
    properties=[Property(
        "it is not finite (or not exact) at logits of +-800: compute log(1 + e^x) as "
        "max(x, 0) + log1p(exp(-|x|)) instead of taking the log of a sigmoid",
        cases=[EXTREME_LOGITS], holds=_exact_at_extreme_logits)],
)



# ------------------------------------------------------------ softmax cross-entropy on logits
def _softmax_rows(f, axis=1):
    e = np.exp(f - f.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _classification_cases(rng, n_cases=6):
    out = []
    for _ in range(n_cases):
        n, k = int(rng.integers(1, 25)), int(rng.integers(2, 9))
        logits = rng.normal(scale=float(rng.uniform(0.5, 10)), size=(n, k))
        if rng.random() < 0.3:  # ties between logits: the maximum is not unique
            logits[:, -1] = logits[:, 0]
        out.append((rng.integers(0, k, size=n), logits))
    return out


def _picked(f, y):
    return f[np.arange(len(y)), y]


def _logsumexp_rows(f):
    m = f.max(axis=1)
    return m + np.log(np.sum(np.exp(f - m[:, None]), axis=1))


EXTREME_CLASS_LOGITS = (np.array([0, 0, 2]),
                        np.array([[1000.0, 0.0, -1000.0],
                                  [0.0, 1000.0, -1000.0],
                                  [-1000.0, 1000.0, 0.0]]))


def _exact_at_extreme_class_logits(outputs) -> bool:
    (got,) = outputs
    return bool(np.isfinite(got)) and bool(np.isclose(
        got, losses.cross_entropy(*EXTREME_CLASS_LOGITS)))


CROSS_ENTROPY = Exercise(
    id="02.cross_entropy", name="cross_entropy", points=2,
    reference=lambda y, f: losses.cross_entropy(y, f),
    public_cases=[(np.array([0, 2, 1]), np.array([[2.0, 1.0, 0.1],
                                                  [0.5, 0.5, 3.0],
                                                  [1.0, -1.0, 0.0]]))],
    hidden_cases=_classification_cases,
    misconceptions=[
        Misconception(lambda y, f: float(np.sum(_logsumexp_rows(f) - _picked(f, y))),
                      "you return the sum over the samples; return the mean over the rows"),
        Misconception(lambda y, f: float(np.mean(_logsumexp_rows(f) - _picked(f, y))
                                         / f.shape[1]),
                      "you averaged over all n * k entries of the matrix; the loss has one "
                      "value per row (only the true class's log-probability counts), so "
                      "divide by the number of rows n"),
        Misconception(lambda y, f: -losses.cross_entropy(y, f),
                      "your loss has the wrong sign: it is minus the log-probability of the "
                      "true class, -log softmax(f)_y, which is >= 0"),
        Misconception(lambda y, f: float(np.mean(
            np.log(np.sum(np.exp(f - f.max(axis=1, keepdims=True)), axis=1)) - _picked(f, y))),
                      "you subtracted the row maximum m inside the exponential but did not add "
                      "it back: logsumexp(f) = m + log(sum(exp(f - m)))"),
        Misconception(lambda y, f: float(np.mean(-np.log(_picked(_softmax_rows(f, axis=0), y)))),
                      "your softmax normalizes the columns (axis=0); each row is one sample's "
                      "distribution over the k classes: normalize along axis=1"),
    ],
    properties=[Property(
        "it is not finite (or not exact) at logits of +-1000: compute log(sum(exp(f))) as "
        "m + log(sum(exp(f - m))) with m the row maximum, never exp of a raw logit",
        cases=[EXTREME_CLASS_LOGITS], holds=_exact_at_extreme_class_logits)],
)


# ------------------------------------------------------------------- hinge sub-gradient
def _margin_cases(rng, n_cases=6):
    out = []
    for _ in range(n_cases):
        n = int(rng.integers(1, 30))
        y = rng.choice([-1.0, 1.0], size=n)
        margin = rng.normal(scale=2, size=n)
        margin[rng.random(n) < 0.25] = 1.0  # exactly on the margin: the kink
        out.append((y, y * margin))  # y * (y m) = m exactly, since y = +-1
    return out


def _active(y, f, threshold=1.0, strict=False):
    z = y * f
    return (z < threshold if strict else z <= threshold).astype(float)


HINGE_GRAD = Exercise(
    id="02.hinge_grad", name="hinge_grad", points=2,
    reference=lambda y, f: losses.hinge.grad(y, f),
    public_cases=[(np.array([1.0, -1.0, 1.0, -1.0, 1.0]),
                   np.array([2.0, 0.5, 1.0, -3.0, 0.3]))],
    hidden_cases=_margin_cases,
    misconceptions=[
        Misconception(lambda y, f: -y * _active(y, f),
                      "that is the gradient of the sum; the mean divides every entry by the "
                      "number of samples n"),
        Misconception(lambda y, f: -y * _active(y, f, strict=True) / len(y),
                      "at a margin y f of exactly 1 the hinge has a kink: use the convention "
                      "of torch and scikit-learn and count it as active (y f <= 1, not < 1)"),
        Misconception(lambda y, f: y * _active(y, f) / len(y),
                      "the sign is wrong: where y f <= 1 the loss 1 - y f decreases as y f "
                      "grows, so its derivative in f is -y (divided by n)"),
        Misconception(lambda y, f: -_active(y, f) / len(y),
                      "that is the derivative in the margin z = y f; by the chain rule the "
                      "derivative in the score f is that times dz/df = y"),
        Misconception(lambda y, f: -y * _active(y, f, threshold=0.0) / len(y),
                      "the hinge is active up to a margin of 1, not 0: max(0, 1 - y f) still "
                      "pulls on points that are right but with a margin below 1 (that is what "
                      "makes it a margin loss, unlike the perceptron's max(0, -y f))"),
    ],
)


# ------------------------------------------------------------------------- focal loss
def _focal_cases(rng, n_cases=6):
    out = []
    for y, x in _binary_cases(rng, n_cases):
        gamma = float(rng.choice([0.0, 0.5, 1.0, 2.0, 3.7]))
        out.append((y, x, gamma, float(rng.uniform(0.05, 0.95))))
    return out


def _focal_terms(y, x, gamma, alpha, *, swap_alpha=False, no_alpha=False, easy=False):
    """Per-sample focal terms with a chosen mistake, computed stably."""
    p = 1 / (1 + np.exp(-x))
    p_t = np.where(y == 1, p, 1 - p)
    ce = np.where(y == 1, np.logaddexp(0, -x), np.logaddexp(0, x))  # -log p_t
    a = 1 - alpha if swap_alpha else alpha
    alpha_t = 1.0 if no_alpha else np.where(y == 1, a, 1 - a)
    modulator = p_t**gamma if easy else (1 - p_t) ** gamma
    return alpha_t * modulator * ce


EXTREME_FOCAL = (np.array([1.0, 0.0, 1.0, 0.0]), np.array([-800.0, 800.0, 800.0, -800.0]))


def _exact_at_extreme_focal(outputs) -> bool:
    (got,) = outputs
    return bool(np.isfinite(got)) and bool(np.isclose(got, losses.focal(*EXTREME_FOCAL)))


FOCAL = Exercise(
    id="02.focal", name="focal", points=3,
    reference=lambda y, x, gamma=2.0, alpha=0.25: losses.focal(y, x, gamma=gamma, alpha=alpha),
    public_cases=[(np.array([1.0, 0.0, 1.0, 0.0]), np.array([2.0, -1.0, -0.5, 1.5])),
                  (np.array([1.0, 1.0, 0.0]), np.array([0.5, 3.0, 0.2]), 1.0, 0.6)],
    hidden_cases=_focal_cases,
    misconceptions=[
        Misconception(lambda y, x, gamma=2.0, alpha=0.25: float(np.sum(
            _focal_terms(y, x, gamma, alpha))),
                      "you return the sum over the samples; return the mean"),
        Misconception(lambda y, x, gamma=2.0, alpha=0.25: float(np.mean(
            _focal_terms(y, x, gamma, alpha, swap_alpha=True))),
                      "alpha weights the positives (y = 1) and 1 - alpha the negatives; you "
                      "have them the other way round"),
        Misconception(lambda y, x, gamma=2.0, alpha=0.25: float(np.mean(
            _focal_terms(y, x, gamma, alpha, no_alpha=True))),
                      "you left out the class weight alpha_t: alpha for y = 1, 1 - alpha for "
                      "y = 0"),
        Misconception(lambda y, x, gamma=2.0, alpha=0.25: float(np.mean(
            _focal_terms(y, x, gamma, alpha, easy=True))),
                      "the modulating factor is (1 - p_t)^gamma, small for easy examples "
                      "(p_t near 1); p_t^gamma does the opposite and weights easy examples "
                      "up"),
        Misconception(lambda y, x, gamma=2.0, alpha=0.25: float(np.mean(
            alpha * _focal_terms(y, x, gamma, alpha, no_alpha=True))),
                      "alpha_t depends on the class: alpha for y = 1 but 1 - alpha for y = 0; "
                      "you multiplied every sample by alpha"),
    ],
    properties=[Property(
        "it is not finite (or not exact) at logits of +-800: compute -log p_t from the logit "
        "(softplus: np.logaddexp(0, -x) for y = 1, np.logaddexp(0, x) for y = 0), never as "
        "the log of a probability",
        cases=[EXTREME_FOCAL], holds=_exact_at_extreme_focal)],
)

EXERCISES = [MSE, HUBER, BCE_WITH_LOGITS, CROSS_ENTROPY, HINGE_GRAD, FOCAL]
