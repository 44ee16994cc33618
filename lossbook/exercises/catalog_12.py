"""Exercises of chapter 12 (troubleshooting): read a loss curve, scale features, score a
classifier with F1 and pick its threshold."""

from __future__ import annotations

import numpy as np

from ..optim import History, diagnose
from ._core import Exercise, Misconception, Property, same

# ------------------------------------------------------------------------- diagnose_run
# The verdicts of lossbook.optim.diagnose, numbered in the order its rules are checked.
VERDICTS = ("too short", "diverging", "converged", "oscillating", "plateau", "decreasing")
GRAD_TOL, FLAT_TOL = 1e-6, 1e-2


def _diagnose_run(losses, grad_norms):
    """lossbook.optim.diagnose on a run given by its losses and gradient norms alone.

    The parameters are not given, so the iterates are recorded as constant: diagnose's
    zig-zag rule (which needs them) never fires, and the other rules are the statement's.
    """
    losses = [float(v) for v in np.asarray(losses, dtype=float).ravel()]
    grads = [float(v) for v in np.asarray(grad_norms, dtype=float).ravel()]
    history = History(params=[np.zeros(1)] * (len(losses) + 1), loss=losses, grad_norm=grads)
    return VERDICTS.index(diagnose(history, grad_tol=GRAD_TOL, flat_tol=FLAT_TOL).verdict)


def _rules(losses, grad_norms, *, whole_run=False, skip_nan=False, absolute_grad=False,
           ups_only=False, absolute_flat=False, scale_first=False, converged_first=False):
    """The statement's rules with one chosen mistake (for the misconception detectors)."""
    loss = np.asarray(losses, dtype=float)
    grad = np.asarray(grad_norms, dtype=float)
    if loss.size < 4:
        return 0
    if not skip_nan and not np.all(np.isfinite(loss)):
        return 1
    window = loss.size if whole_run else max(3, loss.size // 2)
    recent = loss[-window:]
    scale = abs(loss[0]) if scale_first else max(abs(loss[0]), np.abs(recent).max(), 1e-300)
    net = (recent[-1] - recent[0]) / scale
    ups = float(np.mean(np.diff(recent) > 0))
    converged = (grad[-1] <= GRAD_TOL if absolute_grad
                 else grad[-1] <= GRAD_TOL * max(grad[0], 1e-300))
    if converged_first and converged:
        return 2
    if loss[-1] > loss[0] and net > 0 and ups > 0.5:
        return 1
    if converged:
        return 2
    if ups >= 0.4 and (ups_only or net > -FLAT_TOL):
        return 3
    change = recent[-1] - recent[0] if absolute_flat else net
    if abs(change) < FLAT_TOL:
        return 4
    return 5


def _run(values, grads=None):
    values = np.asarray(values, dtype=float)
    if grads is None:
        grads = np.geomspace(1.0, 0.1, values.size)
    return values, np.asarray(grads, dtype=float)


_t = np.arange(20.0)
DIAGNOSE_PUBLIC = [
    # 0 healthy: the loss falls steadily
    _run(5.0 * 0.9**_t + 1.0),
    # 1 diverging: a learning rate beyond 2/L multiplies the error at every step
    _run(2.0 * 1.3**_t, 3.0 * 1.3**_t),
    # 2 diverging: the loss became NaN at step 6 (log(0) in a loss)
    _run([0.7, 0.5, 0.4, 0.35, 0.3, 0.28, np.nan]),
    # 3 converged: the gradient norm fell by more than 10^6 (from 300, not from 1)
    _run(0.25 + 4.0 * 0.3**_t, 300.0 * 0.3**_t),
    # 4 oscillating: up as often as down, going nowhere (22 steps: the window holds 11)
    _run(1.0 + 0.2 * (-1.0) ** np.arange(22.0)),
    # 5 decreasing although noisy: half of the steps go up, but the loss falls by 40%
    _run(np.linspace(2.0, 0.8, 20) + 0.15 * (-1.0) ** _t),
    # 6 plateau on a large scale: from 1000 the loss moves by 2 over the last 10 steps
    _run(1000.0 - 0.2 * _t, np.full(20, 5.0)),
    # 7 plateau after a fast start: flat over the last half, not over the whole run
    _run(np.concatenate([[10.0, 5.0, 2.0, 1.2], 1.0 + 0.001 * 0.5 ** np.arange(12.0)])),
    # 8 too short
    _run([1.0, 0.5, 0.25]),
    # 9 converged in absolute terms only: the gradient fell from 1e-4 to 1e-7, a factor 1e3
    _run(0.5 + 0.3 * 0.7**_t, 1e-4 * 0.7**_t),
    # 10 plateau at a higher level: the loss jumped from 1 to 100 and then hardly moved
    _run(np.concatenate([[1.0, 20.0, 60.0], 100.0 - 0.05 * np.arange(9.0)]), np.full(12, 2.0)),
    # 11 diverging while the gradient vanishes (a saturated model): rule 1 comes before rule 2
    _run(1.0 + 0.1 * _t, np.geomspace(1.0, 1e-8, 20)),
]


def _diagnose_hidden(rng):
    cases = []
    for kind in ("decreasing", "diverging", "nan", "converged", "oscillating", "noisy",
                 "plateau", "short", "random", "random", "plateau", "oscillating"):
        n = int(rng.integers(4, 60))
        t = np.arange(float(n))
        scale = float(10.0 ** rng.uniform(-3, 3))
        floor = scale * float(rng.uniform(0, 1))
        grads = scale * np.geomspace(1.0, float(10.0 ** rng.uniform(-4, 0)), n)
        if kind == "decreasing":
            values = floor + scale * float(rng.uniform(0.5, 0.97)) ** t
        elif kind == "diverging":
            rate = float(rng.uniform(1.02, 1.5))
            values, grads = scale * rate**t, scale * rate**t
        elif kind == "nan":
            values = floor + scale * 0.9**t
            values[int(rng.integers(1, n)):] = rng.choice([np.nan, np.inf])
        elif kind == "converged":
            rate = float(rng.uniform(0.2, 0.6))
            values = floor + scale * rate**t
            grads = scale * np.maximum(rate**t, 1e-300)
            grads[-1] = grads[0] * float(10.0 ** rng.uniform(-9, -6.1))
        elif kind == "oscillating":
            values = floor + scale * (1 + float(rng.uniform(0.05, 0.5)) * (-1.0) ** t)
        elif kind == "noisy":
            values = floor + scale * (np.linspace(2.0, float(rng.uniform(0.2, 1.5)), n)
                                      + float(rng.uniform(0.01, 0.3)) * rng.normal(size=n))
        elif kind == "plateau":
            values = floor + scale * (1 + float(rng.uniform(0, 0.009)) * 0.9**t)
        elif kind == "short":
            n = int(rng.integers(0, 4))
            values, grads = scale * rng.random(n), scale * rng.random(n)
        else:
            values = scale * rng.random(n)
        cases.append((values, grads))
    return cases


DIAGNOSE_RUN = Exercise(
    id="12.diagnose_run", name="diagnose_run", points=3,
    reference=_diagnose_run,
    public_cases=DIAGNOSE_PUBLIC,
    hidden_cases=_diagnose_hidden,
    misconceptions=[
        Misconception(lambda loss, grad: _rules(loss, grad, skip_nan=True),
                      "a run whose loss contains NaN or inf is diverging, whatever the rest "
                      "of the curve: check np.all(np.isfinite(losses)) first (comparisons "
                      "with NaN are all False, so the later rules cannot see it)"),
        Misconception(lambda loss, grad: _rules(loss, grad, scale_first=True),
                      "the scale of the relative change is max(|loss[0]|, max |recent|), "
                      "not |loss[0]| alone"),
        Misconception(lambda loss, grad: _rules(loss, grad, whole_run=True),
                      "the rules look at the last W = max(3, T // 2) losses only, not at the "
                      "whole run: a fast start followed by a flat second half is a plateau"),
        Misconception(lambda loss, grad: _rules(loss, grad, absolute_grad=True),
                      "'converged' compares the last gradient norm with the first one: "
                      "grad_norms[-1] <= 1e-6 * grad_norms[0], not with 1e-6 itself"),
        Misconception(lambda loss, grad: _rules(loss, grad, ups_only=True),
                      "'oscillating' needs both conditions: at least 40% of the steps go up "
                      "AND the net change is above -1%; a noisy curve that still falls is "
                      "'decreasing'"),
        Misconception(lambda loss, grad: _rules(loss, grad, absolute_flat=True),
                      "the plateau test is relative: divide the change over the window by "
                      "the scale max(|loss[0]|, max |recent|) before comparing with 0.01"),
        Misconception(lambda loss, grad: _rules(loss, grad, converged_first=True),
                      "check the rules in the order given: 'diverging' before 'converged'"),
    ],
)


# --------------------------------------------------------------------------- standardize
def _standardize(X_train, X_test):
    X_train, X_test = np.asarray(X_train, dtype=float), np.asarray(X_test, dtype=float)
    mean = X_train.mean(axis=0)
    scale = X_train.std(axis=0)
    # all training values equal: leave the column centred, divided by 1 (its std may be
    # 1e-17 rather than 0 after rounding, so test the range, not the std)
    scale[np.ptp(X_train, axis=0) == 0] = 1.0
    return (X_train - mean) / scale, (X_test - mean) / scale


def _standardize_wrong(X_train, X_test, *, ddof=0, own_test=False, pooled=False, rows=False,
                       center_only=False, variance=False):
    X_train, X_test = np.asarray(X_train, dtype=float), np.asarray(X_test, dtype=float)

    def stats(X, axis=0):
        mean, std = X.mean(axis=axis, keepdims=rows), X.std(axis=axis, ddof=ddof,
                                                           keepdims=rows)
        if variance:
            std = std**2
        return mean, (1.0 if center_only else std)

    if rows:
        (m1, s1), (m2, s2) = stats(X_train, 1), stats(X_test, 1)
        return (X_train - m1) / s1, (X_test - m2) / s2
    source = np.vstack([X_train, X_test]) if pooled else X_train
    mean, std = stats(source)
    test_mean, test_std = stats(X_test) if own_test else (mean, std)
    return (X_train - mean) / std, (X_test - test_mean) / test_std


def _feature_matrix(rng, n, d):
    scales = 10.0 ** rng.uniform(-2, 3, size=d)
    offsets = rng.normal(scale=5.0, size=d) * scales
    return offsets + scales * rng.normal(size=(n, d))


def _standardize_hidden(rng):
    cases = []
    for _ in range(6):
        d = int(rng.integers(1, 7))
        rows = rng.normal(size=(int(rng.integers(2, 40)) + int(rng.integers(1, 20)), d))
        n_train = int(rng.integers(2, rows.shape[0]))
        X = _feature_matrix(rng, rows.shape[0], d)
        cases.append((X[:n_train], X[n_train:]))
    return cases


CONSTANT_COLUMNS = (np.array([[1.0, 0.1, 7.0], [2.0, 0.1, 7.0], [4.0, 0.1, 7.0]]),
                    np.array([[3.0, 0.2, 7.0], [0.0, 0.1, 5.0]]))


def _constant_columns_right(outputs) -> bool:
    (got,) = outputs
    return same(got, _standardize(*CONSTANT_COLUMNS))


STANDARDIZE = Exercise(
    id="12.standardize", name="standardize", points=2,
    reference=_standardize,
    public_cases=[(np.array([[1.0, 100.0], [2.0, 300.0], [3.0, 200.0], [6.0, 400.0]]),
                   np.array([[0.0, 250.0], [4.0, 1000.0]]))],
    hidden_cases=_standardize_hidden,
    misconceptions=[
        Misconception(lambda a, b: _standardize_wrong(a, b, own_test=True),
                      "the test set must be scaled with the TRAINING mean and standard "
                      "deviation; you used the test set's own statistics (the model was fitted "
                      "on features scaled the training way)"),
        Misconception(lambda a, b: _standardize_wrong(a, b, pooled=True),
                      "you computed the statistics on training and test data together: that "
                      "leaks the test set into the preprocessing; use X_train only"),
        Misconception(lambda a, b: _standardize_wrong(a, b, ddof=1),
                      "use the population standard deviation, ddof=0 (np.std's default, as "
                      "scikit-learn's StandardScaler), not ddof=1"),
        Misconception(lambda a, b: _standardize_wrong(a, b, rows=True),
                      "the statistics are per column (feature), axis=0; you computed them per "
                      "row (sample)"),
        Misconception(lambda a, b: _standardize_wrong(a, b, center_only=True),
                      "you only subtracted the mean: also divide by the standard deviation"),
        Misconception(lambda a, b: _standardize_wrong(a, b, variance=True),
                      "divide by the standard deviation, not by the variance"),
    ],
    properties=[Property(
        "a column whose training values are all equal must come out centred and divided by "
        "1; yours does not (NaN or inf from a division by 0, or +-1 from a standard deviation "
        "that rounding made 1e-17 instead of 0): test np.ptp(column) == 0, not std == 0",
        cases=[CONSTANT_COLUMNS], holds=_constant_columns_right)],
)


# ------------------------------------------------------------------------ f1_at_threshold
def _counts(y_true, p, threshold, *, strict=False, positive=1):
    y = np.asarray(y_true) == positive
    p = np.asarray(p, dtype=float)
    predicted = p > threshold if strict else p >= threshold
    if positive == 0:
        predicted = ~predicted
    tp = int(np.sum(predicted & y))
    fp = int(np.sum(predicted & ~y))
    fn = int(np.sum(~predicted & y))
    tn = int(np.sum(~predicted & ~y))
    return tp, fp, fn, tn


def _f1(y_true, p, threshold, *, strict=False, positive=1, empty=0.0):
    tp, fp, fn, _ = _counts(y_true, p, threshold, strict=strict, positive=positive)
    denominator = 2 * tp + fp + fn
    return empty if denominator == 0 else 2 * tp / denominator


def _ratio(a, b):
    return a / b if b else 0.0


def _precision(y, p, t):
    tp, fp, _, _ = _counts(y, p, t)
    return _ratio(tp, tp + fp)


def _recall(y, p, t):
    tp, _, fn, _ = _counts(y, p, t)
    return _ratio(tp, tp + fn)


def _accuracy(y, p, t):
    tp, _, _, tn = _counts(y, p, t)
    return (tp + tn) / len(np.asarray(y))


def _f1_hidden(rng):
    cases = []
    for kind in ("random", "random", "ties", "ties", "rounded", "no positives", "all positive",
                 "high threshold", "random"):
        n = int(rng.integers(1, 60))
        y = (rng.random(n) < rng.uniform(0.05, 0.6)).astype(np.int64)
        p = np.clip(0.35 * y + 0.65 * rng.random(n), 0, 1)
        threshold = float(rng.uniform(0.05, 0.95))
        if kind == "ties":
            threshold = float(rng.choice(p))
        elif kind == "rounded":
            p = np.round(p, 1)
            threshold = float(rng.choice(np.arange(1, 10)) / 10)
        elif kind == "no positives":
            y = np.zeros(n, dtype=np.int64)
            threshold = float(rng.choice([0.0, 0.5, 1.01]))
        elif kind == "all positive":
            y = np.ones(n, dtype=np.int64)
        elif kind == "high threshold":
            threshold = 1.5
        cases.append((y, p, threshold))
    return cases


F1_PUBLIC = [
    (np.array([1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0]),
     np.array([0.9, 0.8, 0.7, 0.4, 0.3, 0.6, 0.2, 0.1, 0.55, 0.05, 0.15, 0.35]), 0.5),
    # a tie: two samples sit exactly at the threshold and count as predicted positive
    (np.array([1, 0, 1, 0, 1, 0]), np.array([0.9, 0.7, 0.7, 0.2, 0.4, 0.7]), 0.7),
    # nothing to find and nothing predicted: F1 is defined as 0
    (np.array([0, 0, 0, 0]), np.array([0.1, 0.3, 0.2, 0.4]), 0.5),
]

F1_AT_THRESHOLD = Exercise(
    id="12.f1_at_threshold", name="f1_at_threshold", points=2,
    reference=lambda y, p, t: _f1(y, p, t),
    public_cases=F1_PUBLIC,
    hidden_cases=_f1_hidden,
    misconceptions=[
        Misconception(lambda y, p, t: _f1(y, p, t, strict=True),
                      "a sample whose probability equals the threshold counts as predicted "
                      "positive: use p >= threshold, not p > threshold"),
        Misconception(lambda y, p, t: _f1(y, p, t, empty=1.0),
                      "with no positive samples and no positive predictions, 2TP + FP + FN = 0 "
                      "and the convention here is F1 = 0 (scikit-learn's zero_division=0), "
                      "not 1"),
        Misconception(_accuracy,
                      "that is the accuracy, (TP + TN) / n; F1 leaves the true negatives out: "
                      "2 TP / (2 TP + FP + FN)"),
        Misconception(_precision,
                      "that is the precision TP / (TP + FP); F1 is the harmonic mean of "
                      "precision and recall, 2 TP / (2 TP + FP + FN)"),
        Misconception(_recall,
                      "that is the recall TP / (TP + FN); F1 is the harmonic mean of precision "
                      "and recall, 2 TP / (2 TP + FP + FN)"),
        Misconception(lambda y, p, t: (_precision(y, p, t) + _recall(y, p, t)) / 2,
                      "F1 is the harmonic mean of precision and recall, 2PR / (P + R), not "
                      "their arithmetic mean (P + R) / 2"),
        Misconception(lambda y, p, t: _f1(y, p, t, positive=0),
                      "that is the F1 of class 0; score class 1 (y = 1, p >= threshold) as the "
                      "positive class"),
    ],
)


# ------------------------------------------------------------------------- best_threshold
def _best_threshold(y_true, p, *, strict=False, largest=False, score=_f1, grid=False,
                    return_score=False):
    p = np.asarray(p, dtype=float)
    candidates = np.linspace(0.0, 1.0, 101) if grid else np.unique(p)
    scores = np.array([score(y_true, p, t, strict=strict) if score is _f1
                       else score(y_true, p, t) for t in candidates])
    best = np.flatnonzero(scores == scores.max())
    index = best[-1] if largest else best[0]
    return float(scores[index]) if return_score else float(candidates[index])


def _best_hidden(rng):
    cases = []
    for kind in ("random", "random", "rounded", "rounded", "no positives", "all positive",
                 "one sample", "random"):
        n = 1 if kind == "one sample" else int(rng.integers(2, 60))
        y = (rng.random(n) < rng.uniform(0.05, 0.6)).astype(np.int64)
        p = np.clip(float(rng.uniform(0.1, 0.5)) * y + 0.7 * rng.random(n), 0, 1)
        if kind == "rounded":  # repeated values, and often several thresholds tie
            p = np.round(p, 1)
        elif kind == "no positives":
            y = np.zeros(n, dtype=np.int64)
        elif kind == "all positive":
            y = np.ones(n, dtype=np.int64)
        cases.append((y, p))
    return cases


BEST_PUBLIC = [
    (np.array([1, 1, 0, 1, 0, 0, 0, 0, 0]),
     np.array([0.49, 0.41, 0.68, 0.66, 0.08, 0.44, 0.54, 0.43, 0.64])),
    # thresholds 0.3 and 0.9 tie at F1 = 2/3: the smaller one wins
    (np.array([1, 0, 0, 1, 0]), np.array([0.9, 0.8, 0.5, 0.3, 0.2])),
]

BEST_THRESHOLD = Exercise(
    id="12.best_threshold", name="best_threshold", points=2,
    reference=lambda y, p: _best_threshold(y, p),
    public_cases=BEST_PUBLIC,
    hidden_cases=_best_hidden,
    misconceptions=[
        Misconception(lambda y, p: _best_threshold(y, p, largest=True),
                      "when several thresholds give the same best F1, return the smallest "
                      "(np.argmax over the thresholds sorted increasingly does that)"),
        Misconception(lambda y, p: _best_threshold(y, p, strict=True),
                      "predict positive when p >= threshold, not p > threshold (with >, the "
                      "threshold equal to a sample's p leaves that sample out)"),
        Misconception(lambda y, p: _best_threshold(y, p, score=_accuracy),
                      "you maximized the accuracy; the task is to maximize F1, "
                      "2 TP / (2 TP + FP + FN)"),
        Misconception(lambda y, p: _best_threshold(y, p, grid=True),
                      "the candidate thresholds are the distinct values of p (np.unique(p)), "
                      "not a fixed grid: F1 only changes where the threshold passes a p"),
        Misconception(lambda y, p: _best_threshold(y, p, return_score=True),
                      "return the threshold that gives the best F1, not the best F1 itself"),
    ],
)

EXERCISES = [DIAGNOSE_RUN, STANDARDIZE, F1_AT_THRESHOLD, BEST_THRESHOLD]
