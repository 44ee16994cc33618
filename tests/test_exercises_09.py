"""Chapter 09's exercises beyond the generic checks of test_exercises.py.

The references agree with independent computations (brute-force sums over alignments,
torch's ctc_loss and kl_div, scikit-learn's precision_recall_curve, mpmath at 50 digits);
the hidden cases reach the edge cases each exercise is about (repeated labels, empty and
impossible targets, tied scores, temperatures below and above 1); other correct forms pass;
and wrong answers that no misconception detector names still get a useful failure.
"""

import itertools

import mpmath
import numpy as np
import pytest
from exercise_cases import all_cases, hidden_cases, solution_functions
from scipy.special import log_softmax, softmax
from sklearn.metrics import precision_recall_curve

from lossbook import losses
from lossbook.exercises import EXERCISES, evaluate

IDS = ("09.perplexity", "09.distillation_loss", "09.ctc_loss", "09.best_f1_threshold")


def reference(exercise_id):
    return EXERCISES[exercise_id].reference


# ----------------------------------------------------------------- references, independently
def brute_force_ctc(log_probs, target):
    """-log of the sum of the probabilities of every path that collapses to target."""
    n_frames, n_symbols = log_probs.shape
    total = -np.inf
    for path in itertools.product(range(n_symbols), repeat=n_frames):
        collapsed = [s for s, _ in itertools.groupby(path) if s != 0]
        if collapsed == list(target):
            total = np.logaddexp(total, log_probs[np.arange(n_frames), path].sum())
    return -total


def test_ctc_reference_matches_brute_force_on_every_small_case():
    checked = 0
    for log_probs, target in all_cases("09.ctc_loss"):
        if log_probs.shape[1] ** log_probs.shape[0] > 50_000:
            continue
        want, got = brute_force_ctc(log_probs, target), reference("09.ctc_loss")(log_probs, target)
        if np.isinf(want):
            assert got == np.inf
        else:
            assert got == pytest.approx(want, rel=1e-12)
        checked += 1
    assert checked >= 20


def torch_ctc(torch, log_probs, target):
    return torch.nn.functional.ctc_loss(
        torch.from_numpy(log_probs)[:, None, :], torch.from_numpy(np.asarray(target, np.int64)),
        torch.tensor([log_probs.shape[0]]), torch.tensor([len(target)]),
        reduction="sum").item()


def test_ctc_reference_matches_torch_including_the_long_property_case():
    torch = pytest.importorskip("torch")
    cases = all_cases("09.ctc_loss") + [tuple(EXERCISES["09.ctc_loss"].properties[0].cases[0])]
    for log_probs, target in cases:
        want, got = torch_ctc(torch, log_probs, target), reference("09.ctc_loss")(log_probs, target)
        if np.isinf(want):
            assert got == np.inf
        else:
            assert got == pytest.approx(want, rel=1e-10)


def test_ctc_long_property_case_underflows_in_probability_space():
    log_probs, target = EXERCISES["09.ctc_loss"].properties[0].cases[0]
    nll = reference("09.ctc_loss")(log_probs, target)
    assert np.isfinite(nll) and nll > 745  # exp(-nll) is below the smallest double


def test_distillation_reference_matches_torch_kl_div_batchmean():
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    for s, t, T in all_cases("09.distillation_loss"):
        want = T**2 * functional.kl_div(
            functional.log_softmax(torch.from_numpy(s) / T, dim=1),
            functional.log_softmax(torch.from_numpy(t) / T, dim=1),
            reduction="batchmean", log_target=True).item()
        assert reference("09.distillation_loss")(s, t, T) == pytest.approx(want, rel=1e-9,
                                                                            abs=1e-12)


def test_distillation_reference_is_cross_entropy_minus_entropy():
    for s, t, T in all_cases("09.distillation_loss"):
        p, log_q = softmax(t / T, axis=1), log_softmax(s / T, axis=1)
        entropy = -np.sum(p * log_softmax(t / T, axis=1), axis=1).mean()
        cross = losses.cross_entropy(p, s / T)  # probability rows as targets, logits s / T
        assert reference("09.distillation_loss")(s, t, T) == pytest.approx(
            T**2 * (cross - entropy), rel=1e-9, abs=1e-12)
        assert np.isfinite(log_q).all()


def test_distillation_extreme_case_is_exact_to_50_digits():
    s, t, T = EXERCISES["09.distillation_loss"].properties[0].cases[0]
    mpmath.mp.dps = 50

    def log_softmax_mp(row):
        z = [mpmath.mpf(v) / T for v in row]
        log_total = mpmath.log(sum(mpmath.exp(v) for v in z))
        return [v - log_total for v in z]

    rows = []
    for s_row, t_row in zip(s.tolist(), t.tolist(), strict=True):
        log_p, log_q = log_softmax_mp(t_row), log_softmax_mp(s_row)
        rows.append(sum(mpmath.exp(a) * (a - b) for a, b in zip(log_p, log_q, strict=True)))
    exact = float(T**2 * sum(rows) / len(rows))
    assert reference("09.distillation_loss")(s, t, T) == pytest.approx(exact, rel=1e-14)


def test_perplexity_reference_is_the_exponential_of_the_library_cross_entropy():
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3, size=(50, 7))
    targets = rng.integers(0, 7, size=50)
    log_probs = log_softmax(logits, axis=1)[np.arange(50), targets]
    assert reference("09.perplexity")(log_probs) == pytest.approx(
        np.exp(losses.cross_entropy(targets, logits)), rel=1e-12)


def test_perplexity_long_text_is_the_geometric_mean_to_50_digits():
    (log_probs,) = EXERCISES["09.perplexity"].properties[0].cases[0]
    mpmath.mp.dps = 50
    product = mpmath.fprod(mpmath.exp(mpmath.mpf(v)) for v in log_probs.tolist())
    exact = float(product ** (-mpmath.mpf(1) / len(log_probs)))
    assert float(np.prod(np.exp(log_probs))) == 0.0  # the naive product underflows
    assert reference("09.perplexity")(log_probs) == pytest.approx(exact, rel=1e-12)


def test_best_f1_reference_matches_scikit_learn():
    for scores, labels in all_cases("09.best_f1_threshold"):
        precision, recall, thresholds = precision_recall_curve(labels, scores)
        with np.errstate(invalid="ignore"):
            f1 = np.where(precision + recall > 0,
                          2 * precision * recall / (precision + recall), 0.0)[:-1]
        best = f1.max()
        threshold, got_f1 = reference("09.best_f1_threshold")(scores, labels)
        assert got_f1 == pytest.approx(best, rel=1e-12)
        assert threshold == thresholds[np.isclose(f1, best, rtol=1e-12, atol=0)].max()


# ----------------------------------------------------------------------- hidden cases vary
def test_ctc_hidden_cases_reach_repeats_empty_and_impossible_targets():
    cases = hidden_cases("09.ctc_loss")
    targets = [np.asarray(t) for _, t in cases]
    assert any(len(t) == 0 for t in targets)
    assert sum(bool(np.any(t[1:] == t[:-1])) for t in targets if len(t) > 1) >= 5
    values = [reference("09.ctc_loss")(lp, t) for lp, t in cases]
    assert any(np.isinf(v) for v in values) and sum(np.isfinite(v) for v in values) > 40
    assert len({lp.shape for lp, _ in cases}) > 30  # frames and classes vary


def test_distillation_hidden_cases_vary_temperature_and_shape():
    cases = hidden_cases("09.distillation_loss")
    temperatures = {T for _, _, T in cases}
    assert min(temperatures) < 1 < max(temperatures) and len(temperatures) > 10
    assert len({s.shape for s, _, _ in cases}) > 20


def test_best_f1_hidden_cases_have_tied_scores_and_varied_sizes():
    cases = hidden_cases("09.best_f1_threshold")
    assert sum(len(np.unique(s)) < len(s) for s, _ in cases) >= 5
    assert len({len(s) for s, _ in cases}) > 20
    assert all(np.asarray(y).any() for _, y in cases)  # F1 needs at least one anomaly


def test_perplexity_hidden_cases_include_a_uniform_model_and_one_token():
    cases = hidden_cases("09.perplexity")
    assert any(len(lp) == 1 for (lp,) in cases)
    uniform = [lp for (lp,) in cases if len(lp) > 1 and np.all(lp == lp[0])]
    assert uniform and all(reference("09.perplexity")(lp) == pytest.approx(np.exp(-lp[0]))
                           for lp in uniform)


# ----------------------------------------------------------------- other right and wrong forms
def test_the_solution_notebook_functions_pass_for_every_seed():
    functions = solution_functions("09_losses_in_practice.ipynb")
    for exercise_id in IDS:
        exercise = EXERCISES[exercise_id]
        for seed in (1, 2, 3):
            assert evaluate(exercise, functions[exercise.name], seed=seed).passed, exercise_id


def test_other_correct_forms_pass():
    def perplexity_in_bits(log_probs):
        return 2 ** (-np.mean(log_probs / np.log(2)))

    def ctc_with_rescaling(log_probs, target):
        # Graves' rescaled probability-space recursion: correct, and it does not underflow
        probs, target = np.exp(log_probs), np.asarray(target)
        extended = np.zeros(2 * len(target) + 1, dtype=int)
        extended[1::2] = target
        skip = np.zeros(len(extended), dtype=bool)
        skip[3::2] = target[1:] != target[:-1]
        alpha = np.zeros(len(extended))
        alpha[:2] = probs[0, extended[:2]]
        log_scale = 0.0
        for t in range(1, len(probs)):
            new = alpha.copy()
            new[1:] += alpha[:-1]
            new[skip] += alpha[np.flatnonzero(skip) - 2]
            alpha = new * probs[t, extended]
            total = alpha.sum()
            if total == 0:
                return np.inf
            alpha, log_scale = alpha / total, log_scale + np.log(total)
        end = alpha[-1] + (alpha[-2] if len(target) else 0.0)
        return np.inf if end == 0 else -(np.log(end) + log_scale)

    def best_f1_sorted(scores, labels):
        order = np.argsort(-scores, kind="stable")
        s, y = scores[order], labels[order].astype(bool)
        last_of_group = np.r_[s[1:] != s[:-1], True]
        tp = np.cumsum(y)[last_of_group]
        flagged = (np.arange(len(s)) + 1)[last_of_group]
        f1 = 2 * tp / (flagged + y.sum())
        best = int(np.argmax(f1))
        return float(s[last_of_group][best]), float(f1[best])

    assert evaluate(EXERCISES["09.perplexity"], perplexity_in_bits).passed
    assert evaluate(EXERCISES["09.ctc_loss"], ctc_with_rescaling).passed
    assert evaluate(EXERCISES["09.best_f1_threshold"], best_f1_sorted).passed


def test_ctc_in_probability_space_gets_the_log_space_hint_and_half_the_points():
    def ctc_probabilities(log_probs, target):
        probs, target = np.exp(log_probs), np.asarray(target)
        extended = np.zeros(2 * len(target) + 1, dtype=int)
        extended[1::2] = target
        skip = np.zeros(len(extended), dtype=bool)
        skip[3::2] = target[1:] != target[:-1]
        alpha = np.zeros(len(extended))
        alpha[:2] = probs[0, extended[:2]]
        for t in range(1, len(probs)):
            new = alpha.copy()
            new[1:] += alpha[:-1]
            new[skip] += alpha[np.flatnonzero(skip) - 2]
            alpha = new * probs[t, extended]
        return -np.log(alpha[-1] + (alpha[-2] if len(target) else 0.0))

    result = evaluate(EXERCISES["09.ctc_loss"], ctc_probabilities)
    assert result.status == "failed" and "logaddexp" in result.message
    assert result.score == 0.5


def test_naive_softmax_distillation_gets_the_stability_hint_and_half_the_points():
    def naive(student_logits, teacher_logits, T):
        p = np.exp(teacher_logits / T)
        p /= p.sum(axis=1, keepdims=True)
        q = np.exp(student_logits / T)
        q /= q.sum(axis=1, keepdims=True)
        return T**2 * np.mean(np.sum(p * np.log(p / q), axis=1))

    result = evaluate(EXERCISES["09.distillation_loss"], naive)
    assert result.status == "failed" and "log softmax" in result.message
    assert result.score == 0.5


def test_perplexity_from_the_product_of_probabilities_gets_the_underflow_hint():
    def product_form(log_probs):
        return np.prod(np.exp(log_probs)) ** (-1 / len(log_probs))

    result = evaluate(EXERCISES["09.perplexity"], product_form)
    assert result.status == "failed" and "underflows" in result.message
    assert result.score == 0.5


def test_a_blank_at_the_last_index_fails_on_a_public_case_and_shows_it():
    def blank_last(log_probs, target):
        # the learner put the blank at index C - 1 (TensorFlow's default), not 0
        n_classes = log_probs.shape[1]
        relabelled = np.roll(log_probs, -1, axis=1)  # old index 0 moves to C - 1
        return reference("09.ctc_loss")(relabelled, (np.asarray(target) + 1) % n_classes)

    result = evaluate(EXERCISES["09.ctc_loss"], blank_last)
    assert result.status == "failed" and "for the inputs" in result.message


def test_swapping_the_order_of_the_returned_pair_fails_on_a_public_case():
    def swapped(scores, labels):
        threshold, f1 = reference("09.best_f1_threshold")(scores, labels)
        return f1, threshold

    result = evaluate(EXERCISES["09.best_f1_threshold"], swapped)
    assert result.status == "failed" and "expected" in result.message


def test_an_epsilon_inside_the_log_of_the_distillation_loss_fails():
    def epsilon_log(student_logits, teacher_logits, T):
        p = softmax(teacher_logits / T, axis=1)
        q = softmax(student_logits / T, axis=1)
        return T**2 * np.mean(np.sum(p * np.log((p + 1e-7) / (q + 1e-7)), axis=1))

    assert not evaluate(EXERCISES["09.distillation_loss"], epsilon_log).passed


def test_misconception_hints_differ_and_name_a_fix():
    for exercise_id in IDS:
        hints = [m.hint for m in EXERCISES[exercise_id].misconceptions]
        assert len(hints) == len(set(hints)), exercise_id
        assert all(len(h) > 60 for h in hints)
