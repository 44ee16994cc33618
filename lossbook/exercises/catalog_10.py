"""Exercises of chapter 10 (the same losses in PyTorch and Keras): the frameworks' conventions,
reproduced in plain NumPy so that they can be checked without torch or keras installed.

    reduction                   lossbook / scikit-learn, torch and Keras reductions with weights
    keras_huber                 a Keras loss function: Huber, mean over the last axis
    bce_with_logits_pos_weight  torch BCEWithLogitsLoss(pos_weight=...), "mean"
    torch_style_cross_entropy   torch CrossEntropyLoss(label_smoothing=..., ignore_index=...)
"""

from __future__ import annotations

import numpy as np

from .. import losses
from ._core import Exercise, Misconception, Property


def _float(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _softplus(x):
    return np.logaddexp(0.0, x)  # log(1 + e^x), exact for any finite x


# ------------------------------------------------------------------------------ reduction
MODES = ("none", "sum", "mean", "sum_over_batch_size")


def _reference_reduction(values, mode, sample_weight):
    """w l per sample ("none"), sum w l ("sum"), sum w l / sum w ("mean", lossbook's and
    scikit-learn's), sum w l / n ("sum_over_batch_size", Keras's default)."""
    v, w = _float(values), _float(sample_weight)
    weighted = w * v
    if mode == "none":
        return weighted
    if mode == "sum":
        return float(np.sum(weighted))
    if mode == "mean":
        return float(np.sum(weighted) / np.sum(w))
    if mode == "sum_over_batch_size":
        return float(np.sum(weighted) / v.size)
    raise ValueError(f"reduction: unknown mode {mode!r}")


def _reduction_with(values, mode, sample_weight, **changes):
    """The reference with one mode replaced by a wrong formula (a misconception)."""
    v, w = _float(values), _float(sample_weight)
    if mode in changes:
        return changes[mode](v, w)
    return _reference_reduction(v, mode, w)


def _reduction_cases(rng):
    cases = []
    for mode in MODES:
        for kind in ("uniform", "zeros", "integers"):
            n = int(rng.integers(1, 25)) if kind != "zeros" else int(rng.integers(3, 25))
            values = rng.exponential(scale=float(rng.uniform(0.2, 5)), size=n)
            if kind == "uniform":
                w = rng.uniform(0.1, 3.0, size=n)
            elif kind == "zeros":  # some samples switched off, as Keras masks do
                w = rng.uniform(0.5, 2.0, size=n)
                w[rng.random(n) < 0.4] = 0.0
                w[0] = 1.0  # at least one sample counts
            else:
                w = rng.integers(1, 5, size=n).astype(float)
            cases.append((values, mode, w))
    n = int(rng.integers(2, 20))  # unit weights: every convention is a plain mean or sum
    cases += [(rng.exponential(size=n), mode, np.ones(n)) for mode in MODES]
    order = rng.permutation(len(cases))
    return [cases[i] for i in order]


_VALUES = np.array([0.5, 2.0, 1.0, 4.0])
_WEIGHTS = np.array([1.0, 3.0, 0.0, 0.5])

REDUCTION = Exercise(
    id="10.reduction", name="reduction", points=2,
    reference=_reference_reduction,
    # "mean" first: a learner who ignores the weights is told so before anything else
    public_cases=[(_VALUES, "mean", _WEIGHTS), (_VALUES, "sum_over_batch_size", _WEIGHTS),
                  (_VALUES, "sum", _WEIGHTS), (_VALUES, "none", _WEIGHTS)],
    hidden_cases=_reduction_cases,
    misconceptions=[
        Misconception(lambda v, m, w: _reduction_with(
            v, m, w, mean=lambda v, w: float(np.sum(w * v) / v.size)),
                      "for \"mean\" you divided the weighted sum by the number of samples; "
                      "lossbook's and scikit-learn's weighted mean divides by the sum of the "
                      "weights, sum(w l) / sum(w) (dividing by n is Keras's "
                      "sum_over_batch_size)"),
        Misconception(lambda v, m, w: _reduction_with(
            v, m, w, sum_over_batch_size=lambda v, w: float(np.sum(w * v) / np.sum(w))),
                      "for \"sum_over_batch_size\" you divided by the sum of the weights; "
                      "Keras divides the weighted sum by the number of values, n, whatever "
                      "the weights (that is why a zero weight lowers Keras's loss)"),
        Misconception(lambda v, m, w: _reduction_with(v, m, w, none=lambda v, w: v),
                      "for \"none\" you returned the values without their weights; the "
                      "per-sample values are weighted too: w * values"),
        Misconception(lambda v, m, w: _reference_reduction(v, m, np.ones_like(_float(w))),
                      "you ignored sample_weight: every mode weights each value by its w_i "
                      "(\"mean\" is then sum(w l) / sum(w))"),
        Misconception(lambda v, m, w: _reduction_with(
            v, m, w, sum=lambda v, w: float(np.sum(w * v) / v.size)),
                      "\"sum\" is the plain weighted sum, sum(w l): do not divide it"),
    ],
)


# ---------------------------------------------------------------------------- keras_huber
def _huber_terms(y_true, y_pred, delta, *, half=True, linear="torch"):
    r = _float(y_pred) - _float(y_true)
    a = np.abs(r)
    quadratic = 0.5 * r**2 if half else r**2
    if linear == "torch":
        far = delta * (a - 0.5 * delta)
    elif linear == "no_half":
        far = delta * (a - delta)
    else:  # "smooth_l1": no factor delta
        far = a - 0.5 * delta
    return np.where(a <= delta, quadratic, far)


def _reference_keras_huber(y_true, y_pred, delta):
    return np.mean(losses.huber(_float(y_true), _float(y_pred), delta=delta,
                                reduction="none"), axis=-1)


def _keras_huber_cases(rng):
    cases = []
    for n, d in [(1, 1), (1, 4), (5, 1), (3, 3)] + [
            (int(rng.integers(2, 20)), int(rng.integers(2, 7))) for _ in range(4)]:
        y = rng.normal(scale=2.0, size=(n, d))
        delta = float(rng.uniform(0.2, 3.0))
        r = rng.standard_t(df=2, size=(n, d)) * float(rng.uniform(0.3, 3.0))
        r[rng.random((n, d)) < 0.15] = delta  # exactly on the seam of the two branches
        cases.append((y, y + r, delta))
    return cases


KERAS_HUBER = Exercise(
    id="10.keras_huber", name="keras_huber", points=2,
    reference=_reference_keras_huber,
    public_cases=[
        (np.zeros((2, 3)), np.array([[0.5, -2.0, 1.0], [3.0, 0.0, -0.25]]), 1.0),
        (np.array([[1.0, 2.0], [0.0, 0.0], [-1.0, 4.0]]),
         np.array([[1.5, -1.0], [2.5, 0.1], [-1.0, 4.0]]), 2.0),
    ],
    hidden_cases=_keras_huber_cases,
    misconceptions=[
        Misconception(lambda y, p, delta: np.mean(_huber_terms(y, p, delta, half=False),
                                                  axis=-1),
                      "the quadratic branch is r^2 / 2: you left out the 1/2, so the two "
                      "branches do not meet at |r| = delta"),
        Misconception(lambda y, p, delta: np.mean(_huber_terms(y, p, delta, linear="no_half"),
                                                  axis=-1),
                      "the linear branch is delta (|r| - delta / 2), not delta (|r| - delta): "
                      "with the 1/2 it meets the quadratic branch r^2 / 2 at |r| = delta"),
        Misconception(lambda y, p, delta: np.mean(_huber_terms(y, p, delta,
                                                               linear="smooth_l1"), axis=-1),
                      "the linear branch is delta (|r| - delta / 2): you left out the factor "
                      "delta (that is torch's smooth_l1 with beta = delta, which equals "
                      "Huber only when delta = 1)"),
        Misconception(lambda y, p, delta: np.sum(_huber_terms(y, p, delta), axis=-1),
                      "a Keras loss function returns the mean over the last axis, not the sum"),
        Misconception(lambda y, p, delta: float(np.mean(_huber_terms(y, p, delta))),
                      "you reduced to one number; a Keras loss function returns one value per "
                      "sample (the mean over the last axis, shape (n,)) and leaves the "
                      "reduction over the batch to the Loss object"),
        Misconception(lambda y, p, delta: np.mean(_huber_terms(y, p, delta), axis=0),
                      "you averaged over axis 0, the samples; Keras averages over the last "
                      "axis (axis=-1), so that one value per sample remains"),
    ],
)


# -------------------------------------------------------------- bce_with_logits_pos_weight
def _bce_terms(y, x, pos_weight, *, on="positive"):
    """Per-element BCE on logits with pos_weight placed on the positive (right) or negative
    term, or on both."""
    y, x, pw = _float(y), _float(x), _float(pos_weight)
    positive, negative = y * _softplus(-x), (1 - y) * _softplus(x)
    if on == "positive":
        return pw * positive + negative
    if on == "negative":
        return positive + pw * negative
    return pw * (positive + negative)


def _reference_bce(y_true, logits, pos_weight):
    return losses.binary_cross_entropy_with_logits(_float(y_true), _float(logits),
                                                   pos_weight=_float(pos_weight))


def _bce_weighted_mean(y, x, pos_weight):
    """pos_weight taken as a sample weight of the positives, lossbook's sum(w l) / sum(w)."""
    y, pw = _float(y), _float(pos_weight)
    w = np.where(y == 1, 1.0 * pw, 1.0) * np.ones_like(y)
    return float(np.sum(_bce_terms(y, x, 1.0) * w) / np.sum(w))


def _bce_sum_over_labels(y, x, pos_weight):
    """Multi-label targets (n, k) summed over the labels, then averaged over the samples."""
    terms = _bce_terms(y, x, pos_weight)
    return float(np.mean(np.sum(terms, axis=-1) if terms.ndim == 2 else terms))


def _bce_cases(rng):
    cases = []
    for _ in range(4):  # one label per sample, a number as pos_weight
        n = int(rng.integers(1, 30))
        y = (rng.random(n) < float(rng.uniform(0.1, 0.6))).astype(float)
        x = rng.normal(loc=float(rng.normal()), scale=float(rng.uniform(0.5, 6)), size=n)
        cases.append((y, x, float(rng.choice([0.3, 1.0, 2.5, 9.0]))))
    for _ in range(4):  # multi-label: one pos_weight per column, as torch broadcasts it
        n, k = int(rng.integers(1, 15)), int(rng.integers(2, 6))
        y = (rng.random((n, k)) < 0.3).astype(float)
        x = rng.normal(scale=float(rng.uniform(0.5, 6)), size=(n, k))
        cases.append((y, x, rng.uniform(0.5, 10.0, size=k)))
    return cases


EXTREME_BCE = (np.array([1.0, 0.0, 1.0, 0.0, 1.0]), np.array([-800.0, 800.0, 800.0, -800.0,
                                                              30.0]), 4.0)


def _exact_at_extreme_bce(outputs) -> bool:
    (got,) = outputs
    return bool(np.isfinite(got)) and bool(np.isclose(got, _reference_bce(*EXTREME_BCE),
                                                      rtol=1e-9, atol=0))


BCE_POS_WEIGHT = Exercise(
    id="10.bce_with_logits_pos_weight", name="bce_with_logits_pos_weight", points=2,
    reference=_reference_bce,
    public_cases=[
        (np.array([1.0, 0.0, 1.0, 0.0]), np.array([2.0, -1.0, 0.0, 1.5]), 3.0),
        (np.array([[1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]),
         np.array([[1.0, -2.0], [0.5, 0.5], [-1.0, 2.0]]), np.array([1.0, 4.0])),
    ],
    hidden_cases=_bce_cases,
    misconceptions=[
        Misconception(lambda y, x, pw: float(np.mean(_bce_terms(y, x, pw, on="negative"))),
                      "pos_weight multiplies the positive term, y log(1 + e^-x) (the loss of "
                      "the samples labelled 1), not the negative one"),
        Misconception(lambda y, x, pw: float(np.mean(_bce_terms(y, x, pw, on="both"))),
                      "you multiplied the whole loss by pos_weight; it weights only the "
                      "positive term y log(1 + e^-x)"),
        Misconception(lambda y, x, pw: float(np.mean(_bce_terms(y, x, 1.0))),
                      "you left out pos_weight: multiply the positive term y log(1 + e^-x) "
                      "by it"),
        Misconception(_bce_weighted_mean,
                      "you divided by the sum of the weights, as for a sample weight; torch's "
                      "\"mean\" divides by the number of elements, whatever pos_weight is"),
        Misconception(lambda y, x, pw: float(np.sum(_bce_terms(y, x, pw))),
                      "you return the sum; torch's default reduction is the mean over all "
                      "elements"),
        Misconception(_bce_sum_over_labels,
                      "with several labels per sample torch averages over all n * k "
                      "elements; you summed over the labels first"),
    ],
    properties=[Property(
        "it is not finite (or not exact) at logits of +-800: compute log(1 + e^-x) as a "
        "softplus, np.logaddexp(0, -x), never as the log of a sigmoid",
        cases=[EXTREME_BCE], holds=_exact_at_extreme_bce)],
)


# -------------------------------------------------------------- torch_style_cross_entropy
def _log_softmax(f):
    f = _float(f)
    m = f.max(axis=1, keepdims=True)
    return f - m - np.log(np.sum(np.exp(f - m), axis=1, keepdims=True))


def _softmax(f):
    return np.exp(_log_softmax(f))


def _reference_torch_ce(logits, target, label_smoothing, ignore_index):
    return losses.cross_entropy(np.asarray(target), _float(logits),
                                label_smoothing=label_smoothing, ignore_index=ignore_index)


def _ce_variant(logits, target, eps, ignore_index, *, smoothing_over="k", smooth_ignored=False,
                true_weight="1-eps", divide_by="kept", total="mean"):
    """torch's cross-entropy with one convention changed (for the misconceptions)."""
    lp = _log_softmax(logits)
    y = np.asarray(target)
    n, k = lp.shape
    kept = y != ignore_index
    y_safe = np.where(kept, y, 0)
    nll = -lp[np.arange(n), y_safe]
    if smoothing_over == "k":
        smooth = -lp.sum(axis=1) / k
        coef = 1 - eps if true_weight == "1-eps" else 1.0
        rows = coef * nll + eps * smooth
    else:  # eps spread over the k - 1 wrong classes, 1 - eps on the true one
        wrong = (-lp.sum(axis=1) - nll) / (k - 1)
        rows = (1 - eps) * nll + eps * wrong
    if smooth_ignored:
        rows = np.where(kept, rows, eps * smooth)
    else:
        rows = np.where(kept, rows, 0.0)
    if total == "sum":
        return float(rows.sum())
    return float(rows.sum() / (kept.sum() if divide_by == "kept" else n))


def _ce_cases(rng):
    cases = []
    for i in range(8):
        n, k = int(rng.integers(2, 20)), int(rng.integers(2, 8))
        logits = rng.normal(scale=float(rng.uniform(0.5, 8)), size=(n, k))
        target = rng.integers(0, k, size=n)
        if i % 2:  # ignore a class: every row labelled with it drops out
            ignore_index = int(rng.integers(0, k))
            target[0] = (ignore_index + 1) % k  # at least one row counts
        else:
            ignore_index = -100
            target[rng.random(n) < 0.3] = -100
            target[0] = int(rng.integers(0, k))
        eps = float(rng.choice([0.0, 0.05, 0.1, 0.3])) if i > 1 else float(0.1 * i)
        cases.append((logits, target, eps, ignore_index))
    return cases


EXTREME_CE = (np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, -1000.0],
                        [-1000.0, 1000.0, 0.0], [5.0, 1.0, 0.0]]),
              np.array([0, 0, 2, -100]), 0.1, -100)


def _exact_at_extreme_ce(outputs) -> bool:
    (got,) = outputs
    return bool(np.isfinite(got)) and bool(np.isclose(got, _reference_torch_ce(*EXTREME_CE),
                                                      rtol=1e-12, atol=0))


_LOGITS = np.array([[1.2, -0.8, -0.5], [0.9, -1.2, 1.1], [0.0, 0.5, 2.0], [1.0, 1.0, 1.0]])

TORCH_CE = Exercise(
    id="10.torch_style_cross_entropy", name="torch_style_cross_entropy", points=3,
    reference=_reference_torch_ce,
    public_cases=[(_LOGITS, np.array([0, 1, 2, 1]), 0.0, -100),
                  (_LOGITS, np.array([0, -100, 2, 1]), 0.1, -100),
                  (_LOGITS, np.array([0, 1, 2, 1]), 0.2, 1)],
    hidden_cases=_ce_cases,
    misconceptions=[
        Misconception(lambda f, y, eps, ii: _reference_torch_ce(_softmax(f), y, eps, ii),
                      "you applied a softmax before the loss (a double softmax): "
                      "CrossEntropyLoss takes raw logits and applies log_softmax itself"),
        Misconception(lambda f, y, eps, ii: _ce_variant(f, y, eps, ii, total="sum"),
                      "you return the sum over the rows; torch's default is the mean over the "
                      "rows that are not ignored"),
        Misconception(lambda f, y, eps, ii: _ce_variant(f, y, eps, ii, divide_by="all"),
                      "you divided by all n rows; the ignored rows (target == ignore_index) "
                      "are left out of the mean's denominator too"),
        Misconception(lambda f, y, eps, ii: _ce_variant(f, y, eps, ii, smooth_ignored=True),
                      "ignored rows still pay the smoothing term; a row whose target is "
                      "ignore_index contributes nothing at all"),
        Misconception(lambda f, y, eps, ii: _ce_variant(f, y, eps, ii, smoothing_over="k-1"),
                      "torch spreads the smoothing eps over all k classes, the true one "
                      "included: the target is (1 - eps) one_hot + eps / k, not eps / (k - 1) "
                      "on the wrong classes"),
        Misconception(lambda f, y, eps, ii: _ce_variant(f, y, 0.0, ii),
                      "you left out label_smoothing: add eps / k times the sum over all "
                      "classes of -log p_c, and weight the true class's term by 1 - eps"),
        Misconception(lambda f, y, eps, ii: _ce_variant(f, y, eps, ii, true_weight="1"),
                      "the true class's term is weighted by 1 - eps: the smoothed target "
                      "(1 - eps) one_hot + eps / k sums to 1"),
    ],
    properties=[Property(
        "it is not finite (or not exact) at logits of +-1000: compute log_softmax as "
        "f - m - log(sum(exp(f - m))) with m the row maximum, never the log of a softmax",
        cases=[EXTREME_CE], holds=_exact_at_extreme_ce)],
)

EXERCISES = [REDUCTION, KERAS_HUBER, BCE_POS_WEIGHT, TORCH_CE]
