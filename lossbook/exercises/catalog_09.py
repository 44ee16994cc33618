"""Exercises of chapter 09 (losses in practice): perplexity, distillation, CTC, a threshold.

The library has no CTC loss and no threshold search, so their references are written here
(in log space, and by counting) and are checked against torch and scikit-learn in
tests/test_exercises_09.py.
"""

from __future__ import annotations

import numpy as np

from .. import losses
from .._numerics import log_softmax as _log_softmax
from ._core import Exercise, Misconception, Property


def _float(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _close_and_finite(got, want) -> bool:
    got = float(np.asarray(got, dtype=float))
    return bool(np.isfinite(got)) and bool(np.isclose(got, want, rtol=1e-9, atol=0))


# ----------------------------------------------------------------------------- perplexity
def _perplexity(log_probs) -> float:
    return float(np.exp(-np.mean(_float(log_probs))))


def _perplexity_cases(rng):
    cases = []
    for _ in range(5):
        n = int(rng.integers(1, 200))
        p = rng.uniform(0.01, 1.0, size=n) ** float(rng.uniform(0.5, 3))
        cases.append((np.log(p),))
    vocabulary = int(rng.integers(2, 60))
    cases.append((np.full(int(rng.integers(1, 20)), -np.log(vocabulary)),))  # uniform: PPL = V
    cases.append((np.log(rng.uniform(0.2, 1.0, size=1)),))  # a single token
    return cases


LONG_TEXT = (np.log(np.random.default_rng(9).uniform(0.02, 0.3, size=3000)),)


PERPLEXITY = Exercise(
    id="09.perplexity", name="perplexity", points=1,
    reference=_perplexity,
    public_cases=[(np.log(np.array([0.5, 0.25, 0.125, 0.5])),),
                  (np.full(5, -np.log(27.0)),)],
    hidden_cases=_perplexity_cases,
    misconceptions=[
        Misconception(lambda lp: float(np.exp(np.mean(lp))),
                      "you return exp(mean log p), the geometric mean of the probabilities, "
                      "which is 1 / perplexity: the cross-entropy is minus the mean "
                      "log-probability, so return exp(-mean(log_probs))"),
        Misconception(lambda lp: float(-np.mean(lp)),
                      "that is the cross-entropy in nats (the mean negative log-probability); "
                      "the perplexity is its exponential, exp(-mean(log_probs))"),
        Misconception(lambda lp: float(np.exp(-np.sum(lp))),
                      "you exponentiated the sum of the negative log-probabilities; "
                      "perplexity uses their mean (the cross-entropy per token), so it does not "
                      "grow with the length of the text"),
        Misconception(lambda lp: float(np.mean(np.exp(-lp))),
                      "you averaged 1 / p (an arithmetic mean); perplexity is the geometric "
                      "mean of 1 / p, exp(-mean(log p)): average the logs, then exponentiate"),
        Misconception(lambda lp: float(2.0 ** (-np.mean(lp))),
                      "the log-probabilities are natural logarithms, so the base is e: "
                      "exp(-mean(log_probs)); 2 ** (...) is right only for log2 "
                      "probabilities (bits)"),
    ],
    properties=[Property(
        "it is not finite (or not exact) on a text of 3000 tokens: the product of 3000 "
        "probabilities underflows to 0; average the log-probabilities instead of multiplying "
        "probabilities",
        cases=[LONG_TEXT],
        holds=lambda outputs: _close_and_finite(outputs[0], _perplexity(*LONG_TEXT)))],
)


# ------------------------------------------------------------------ distillation loss
def _tempered_log_softmax(logits, T) -> np.ndarray:
    return _log_softmax(_float(logits) / T)


def _distillation(student_logits, teacher_logits, T) -> float:
    """T^2 mean_i KL(softmax(t_i / T) || softmax(s_i / T)), through lossbook's kl_divergence."""
    p = np.exp(_tempered_log_softmax(teacher_logits, T))
    log_q = _tempered_log_softmax(student_logits, T)
    return float(T**2 * losses.kl_divergence(p, log_q, log_pred=True))


def _kl_rows(log_p, log_q) -> np.ndarray:
    """KL(p || q) of each row from log-probabilities, with 0 log 0 = 0."""
    p = np.exp(log_p)
    return np.sum(np.where(p > 0, p * (log_p - log_q), 0.0), axis=1)


def _distillation_wrong(s, t, T, *, scale="T2", swap=False, teacher_T=True, student_T=True,
                        reduce="rows", cross_entropy=False):
    log_p = _tempered_log_softmax(t, T if teacher_T else 1.0)
    log_q = _tempered_log_softmax(s, T if student_T else 1.0)
    if swap:
        log_p, log_q = log_q, log_p
    per_row = (-np.sum(np.exp(log_p) * log_q, axis=1) if cross_entropy
               else _kl_rows(log_p, log_q))
    total = {"rows": np.mean(per_row), "sum": np.sum(per_row),
             "entries": np.sum(per_row) / np.size(log_p)}[reduce]
    factor = {"T2": T**2, "T": T, "1": 1.0}[scale]
    return float(factor * total)


def _distillation_cases(rng):
    cases = []
    for T in (1.0, 2.0, 4.0, 0.5, float(rng.uniform(1.5, 10))):
        n, k = int(rng.integers(1, 16)), int(rng.integers(2, 10))
        scale = float(rng.uniform(0.5, 6))
        teacher = rng.normal(scale=scale, size=(n, k))
        student = rng.normal(scale=scale, size=(n, k))
        cases.append((student, teacher, T))
    n, k = int(rng.integers(2, 8)), int(rng.integers(2, 6))
    teacher = rng.normal(scale=3, size=(n, k))
    cases.append((teacher + float(rng.normal()), teacher, 3.0))  # shifted logits: the loss is 0
    return cases


EXTREME_DISTILLATION = (np.array([[-1000.0, 1000.0, 0.0], [0.0, 0.0, 0.0]]),
                        np.array([[1000.0, 0.0, -1000.0], [2000.0, -500.0, 0.0]]), 1.0)


DISTILLATION_LOSS = Exercise(
    id="09.distillation_loss", name="distillation_loss", points=2,
    reference=_distillation,
    public_cases=[(np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 1.0]]),
                   np.array([[3.0, 1.0, -1.0], [0.5, 0.5, 2.0]]), 2.0),
                  (np.array([[0.2, -0.3, 1.1, 0.0]]), np.array([[2.0, 0.0, 1.0, -2.0]]), 1.0)],
    hidden_cases=_distillation_cases,
    misconceptions=[
        Misconception(lambda s, t, T: _distillation_wrong(s, t, T, scale="1"),
                      "you left out the factor T^2: the gradient of the tempered KL shrinks "
                      "like 1 / T^2, and T^2 restores its size so that the soft loss keeps "
                      "its weight when T changes"),
        Misconception(lambda s, t, T: _distillation_wrong(s, t, T, scale="T"),
                      "the factor is T^2, not T: the gradient of the tempered KL shrinks like "
                      "1 / T^2 (one 1/T from the softmax's derivative, one from the "
                      "difference of the two softened distributions)"),
        Misconception(lambda s, t, T: _distillation_wrong(s, t, T, swap=True),
                      "the KL arguments are swapped: the teacher's softened distribution is "
                      "the target p, so compute sum p (log p - log q) with p = softmax(t / T) "
                      "and q = softmax(s / T)"),
        Misconception(lambda s, t, T: _distillation_wrong(s, t, T, teacher_T=False),
                      "the teacher's logits must be divided by T too: the soft targets are "
                      "softmax(teacher_logits / T)"),
        Misconception(lambda s, t, T: _distillation_wrong(s, t, T, student_T=False),
                      "the student's logits must be divided by T too: compare "
                      "softmax(student_logits / T) with the soft targets"),
        Misconception(lambda s, t, T: _distillation_wrong(s, t, T, reduce="sum"),
                      "you return the sum over the rows; take the mean over the rows (one KL "
                      "per sample, torch's reduction='batchmean')"),
        Misconception(lambda s, t, T: _distillation_wrong(s, t, T, reduce="entries"),
                      "you averaged over all n * k entries (torch's kl_div with "
                      "reduction='mean', which is not a KL divergence): sum over the classes, "
                      "then average over the n rows"),
        Misconception(lambda s, t, T: _distillation_wrong(s, t, T, cross_entropy=True),
                      "you return the cross-entropy -sum p log q, which is the KL plus the "
                      "teacher's entropy: it has the same gradient in the student's logits but "
                      "not the same value; compute sum p (log p - log q)"),
    ],
    properties=[Property(
        "it is not finite (or not exact) at logits of +-1000 and beyond: compute log softmax as "
        "z - max(z) - log(sum(exp(z - max(z)))) and use the log-probabilities directly, never "
        "np.log of a softmax (a probability that underflows to 0 gives 0 * log 0 = nan)",
        cases=[EXTREME_DISTILLATION],
        holds=lambda outputs: _close_and_finite(outputs[0],
                                                _distillation(*EXTREME_DISTILLATION)))],
)


# ------------------------------------------------------------------------------ CTC loss
def _ctc(log_probs, target, *, separate_repeats=True, end="both", start="both",
         skips=True) -> float:
    """The CTC negative log-likelihood of `target` (blank = 0), by the log-space alpha recursion.

    The keyword arguments switch on known mistakes (for the misconception detectors).
    """
    lp = _float(log_probs)
    y = np.asarray(target, dtype=np.int64).reshape(-1)
    n_frames, n_labels = lp.shape[0], y.size
    extended = np.zeros(2 * n_labels + 1, dtype=np.int64)  # blank, y1, blank, y2, ..., blank
    extended[1::2] = y
    can_skip = np.zeros(extended.size, dtype=bool)  # from s - 2 to s: only onto a label ...
    if skips:
        can_skip[3::2] = (y[1:] != y[:-1]) if separate_repeats else True  # ... unlike the last
    alpha = np.full(extended.size, -np.inf)
    alpha[0] = lp[0, 0] if start in ("both", "blank") else -np.inf
    if n_labels and start in ("both", "label"):
        alpha[1] = lp[0, extended[1]]
    for t in range(1, n_frames):
        step = np.full_like(alpha, -np.inf)  # from s - 1
        step[1:] = alpha[:-1]
        skip = np.full_like(alpha, -np.inf)  # from s - 2, where allowed
        skip[2:] = alpha[:-2]
        skip[~can_skip] = -np.inf
        alpha = np.logaddexp(np.logaddexp(alpha, step), skip) + lp[t, extended]
    if n_labels == 0 or end == "blank":
        log_likelihood = alpha[-1]
    elif end == "label":
        log_likelihood = alpha[-2]
    else:
        log_likelihood = np.logaddexp(alpha[-1], alpha[-2])
    return float(-log_likelihood)


def _random_log_probs(rng, n_frames, n_classes, scale):
    return _log_softmax(rng.normal(scale=scale, size=(n_frames, n_classes)))


def _ctc_cases(rng):
    cases = []
    for _ in range(7):
        n_frames, n_classes = int(rng.integers(1, 25)), int(rng.integers(2, 7))
        n_labels = int(rng.integers(0, min(n_frames, 6) + 1))
        target = rng.integers(1, n_classes, size=n_labels)
        if n_labels >= 2 and rng.random() < 0.5:  # a repeated label, as in "hello"
            i = int(rng.integers(1, n_labels))
            target[i] = target[i - 1]
        cases.append((_random_log_probs(rng, n_frames, n_classes, float(rng.uniform(0.5, 4))),
                      target))
    cases.append((_random_log_probs(rng, 6, 3, 2.0), np.array([2, 2, 2])))  # needs 5 frames
    cases.append((_random_log_probs(rng, 4, 4, 1.0), np.zeros(0, dtype=np.int64)))
    return cases


def _long_ctc_case():
    rng = np.random.default_rng(4)
    log_probs = _random_log_probs(rng, 2000, 6, 1.0)
    return log_probs, rng.integers(1, 6, size=300)


LONG_CTC = _long_ctc_case()


CTC_PUBLIC = [
    (np.log(np.array([[0.5, 0.4, 0.1], [0.3, 0.3, 0.4], [0.6, 0.1, 0.3]])), np.array([1, 2])),
    (np.log(np.array([[0.2, 0.8], [0.7, 0.3], [0.4, 0.6], [0.5, 0.5]])), np.array([1, 1])),
    (np.log(np.array([[0.2, 0.8], [0.7, 0.3]])), np.array([1, 1])),  # too short: inf
]


CTC_LOSS = Exercise(
    id="09.ctc_loss", name="ctc_loss", points=3,
    reference=_ctc,
    public_cases=CTC_PUBLIC,
    hidden_cases=_ctc_cases,
    misconceptions=[
        Misconception(lambda lp, y: _ctc(lp, y, separate_repeats=False),
                      "your recursion skips the blank between two identical labels: a path "
                      "a, a collapses to one a, so between equal consecutive labels the jump "
                      "from s - 2 to s is not allowed (only when extended[s] != "
                      "extended[s - 2])"),
        Misconception(lambda lp, y: _ctc(lp, y, skips=False),
                      "your paths never jump over a blank (from s - 2 to s): between two "
                      "different labels the blank is optional"),
        Misconception(lambda lp, y: _ctc(lp, y, end="label"),
                      "a path may end on the trailing blank as well as on the last label: the "
                      "likelihood is alpha_T(S - 1) + alpha_T(S - 2), added in log space"),
        Misconception(lambda lp, y: _ctc(lp, y, end="blank"),
                      "a path may end on the last label as well as on the trailing blank: the "
                      "likelihood is alpha_T(S - 1) + alpha_T(S - 2), added in log space"),
        Misconception(lambda lp, y: _ctc(lp, y, start="blank"),
                      "a path may start on the first label as well as on the leading blank: "
                      "initialize alpha_1 at both states 0 and 1"),
        Misconception(lambda lp, y: _ctc(lp, y, start="label"),
                      "a path may start on the leading blank as well as on the first label: "
                      "initialize alpha_1 at both states 0 and 1"),
        Misconception(lambda lp, y: -_ctc(lp, y),
                      "your result has the wrong sign: return the negative log-likelihood "
                      "-log p(target | x), which is >= 0"),
        Misconception(lambda lp, y: float(np.exp(-_ctc(lp, y))),
                      "you return the probability p(target | x); the loss is its negative "
                      "logarithm"),
        Misconception(lambda lp, y: _ctc(lp, y) / max(len(y), 1),
                      "you divided by the target length (torch's ctc_loss does so with "
                      "reduction='mean'); return the negative log-likelihood of the whole "
                      "sequence"),
    ],
    properties=[Property(
        "it is not finite (or not exact) on a sequence of 2000 frames: the probabilities of "
        "the alignments underflow to 0; run the recursion on log-probabilities and add them "
        "with np.logaddexp",
        cases=[LONG_CTC],
        holds=lambda outputs: _close_and_finite(outputs[0], _ctc(*LONG_CTC)))],
)


# --------------------------------------------------------------------- best-F1 threshold
def _f1_by_threshold(scores, labels, *, strict=False):
    """Every distinct score as a threshold, highest first, and the F1 of flagging >= it."""
    s = _float(scores).reshape(-1)
    positive = np.asarray(labels).reshape(-1).astype(bool)
    thresholds = np.unique(s)[::-1]
    flags = s[None, :] > thresholds[:, None] if strict else s[None, :] >= thresholds[:, None]
    tp = (flags & positive).sum(axis=1)
    # F1 = 2 TP / (2 TP + FP + FN) = 2 TP / (flagged + positives): integers, so ties are exact
    f1 = 2 * tp / (flags.sum(axis=1) + positive.sum())
    return thresholds, f1, flags, positive


def _best_f1(scores, labels, *, strict=False, smallest=False):
    thresholds, f1, _, _ = _f1_by_threshold(scores, labels, strict=strict)
    best = len(f1) - 1 - int(np.argmax(f1[::-1])) if smallest else int(np.argmax(f1))
    return float(thresholds[best]), float(f1[best])


def _best_by(scores, labels, metric):
    thresholds, f1, flags, positive = _f1_by_threshold(scores, labels)
    tp = (flags & positive).sum(axis=1)
    flagged, n_pos = flags.sum(axis=1), positive.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(flagged > 0, tp / np.maximum(flagged, 1), 0.0)
        recall = tp / n_pos
        value = {"mean": (precision + recall) / 2,
                 "accuracy": 1 - (flagged - tp + n_pos - tp) / positive.size}[metric]
    best = int(np.argmax(value))
    return float(thresholds[best]), float(value[best] if metric == "mean" else f1[best])


def _threshold_cases(rng):
    cases = []
    for _ in range(6):
        n = int(rng.integers(5, 120))
        labels = rng.random(n) < float(rng.uniform(0.05, 0.5))
        labels[int(rng.integers(n))] = True  # at least one anomaly
        scores = rng.normal(size=n) + float(rng.uniform(0, 3)) * labels
        if rng.random() < 0.5:
            scores = np.round(scores, 1)  # ties between scores
        cases.append((scores, labels))
    cases.append((rng.exponential(size=7), np.ones(7, dtype=bool)))  # every sample an anomaly
    cases.append((np.array([0.3]), np.array([True])))
    return cases


BEST_F1_THRESHOLD = Exercise(
    id="09.best_f1_threshold", name="best_f1_threshold", points=2,
    reference=_best_f1,
    public_cases=[(np.array([0.1, 0.9, 0.35, 0.8, 0.4, 0.05]),
                   np.array([False, True, False, True, True, False])),
                  (np.array([2.0, 1.0, 1.0, 3.0, 0.5, 1.0]),
                   np.array([True, False, True, False, False, False])),
                  (np.array([0.9, 0.7, 0.6, 0.2, 0.1]),  # F1 = 2/3 at 0.9 and at 0.2
                   np.array([True, False, False, True, False]))],
    hidden_cases=_threshold_cases,
    misconceptions=[
        Misconception(lambda s, y: _best_f1(s, y, strict=True),
                      "flag the samples whose score is >= the threshold: with score > "
                      "threshold the sample at the threshold itself (and its ties) is left "
                      "out"),
        Misconception(lambda s, y: _best_f1(s, y, smallest=True),
                      "when several thresholds give the same best F1, return the largest of "
                      "them (it flags the fewest samples)"),
        Misconception(lambda s, y: _best_by(s, y, "mean"),
                      "F1 is the harmonic mean of precision and recall, "
                      "2 P R / (P + R) = 2 TP / (2 TP + FP + FN), not their average "
                      "(P + R) / 2"),
        Misconception(lambda s, y: _best_by(s, y, "accuracy"),
                      "you chose the threshold of the best accuracy; choose the one with the "
                      "best F1 (with rare anomalies, accuracy rewards flagging nothing)"),
    ],
)


EXERCISES = [PERPLEXITY, DISTILLATION_LOSS, CTC_LOSS, BEST_F1_THRESHOLD]
