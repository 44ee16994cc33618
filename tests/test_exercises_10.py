"""Chapter 10's exercises beyond the generic checks of test_exercises.py.

The references agree with the frameworks they imitate (torch's losses and Keras's
reductions, where installed) and with independent NumPy/SciPy computations; the instructor's
solutions and other correct forms pass on the grader's other seeds; wrong answers that no
misconception names still get a useful failure; and the hidden cases reach the edge cases
each exercise is about (zero weights, one sample, one output, ignored rows, ignore_index as a
class, multi-label pos_weight).
"""


import numpy as np
import pytest
from exercise_cases import all_cases, solution_functions
from scipy.special import log_softmax

from lossbook import losses
from lossbook.exercises import EXERCISES, evaluate
from lossbook.exercises._core import PROPERTY_CREDIT

REDUCTION = EXERCISES["10.reduction"]
KERAS_HUBER = EXERCISES["10.keras_huber"]
BCE = EXERCISES["10.bce_with_logits_pos_weight"]
CE = EXERCISES["10.torch_style_cross_entropy"]


def as_learner(fn):
    def learner(*args):  # a learner's function, not lossbook's
        return fn(*args)

    return learner


# ------------------------------------------------------------------------ other solutions
def reduction_by_average(values, mode, w):
    if mode == "none":
        return np.multiply(w, values)
    if mode == "mean":
        return float(np.average(values, weights=w))
    total = float(np.dot(w, values))
    return total if mode == "sum" else total / len(values)


def keras_huber_by_minimum(y, p, delta):
    # optax's form: q = min(|r|, delta), l = q^2 / 2 + delta (|r| - q)
    a = np.abs(p - y)
    q = np.minimum(a, delta)
    return np.mean(0.5 * q**2 + delta * (a - q), axis=-1)


def bce_by_logaddexp(y, x, pw):
    return float(np.mean(pw * y * np.logaddexp(0, -x) + (1 - y) * np.logaddexp(0, x)))


def ce_by_scipy(f, target, eps, ignore_index):
    lp = log_softmax(f, axis=1)
    kept = target != ignore_index
    q = (1 - eps) * np.eye(f.shape[1])[np.where(kept, target, 0)] + eps / f.shape[1]
    return float(-np.sum(q[kept] * lp[kept]) / kept.sum())


OTHER_SOLUTIONS = [(REDUCTION, reduction_by_average), (KERAS_HUBER, keras_huber_by_minimum),
                   (BCE, bce_by_logaddexp), (CE, ce_by_scipy)]


@pytest.mark.parametrize("exercise, solution", OTHER_SOLUTIONS, ids=lambda v: getattr(
    v, "id", getattr(v, "__name__", "")))
@pytest.mark.parametrize("seed", [None, 0, 1, 7])
def test_other_correct_forms_pass_on_every_seed(exercise, solution, seed):
    result = evaluate(exercise, as_learner(solution), seed=seed)
    assert result.passed and result.score == 1.0, result.message


@pytest.mark.parametrize("seed", [0, 3, 11])
def test_the_notebook_solutions_pass_on_the_graders_other_seeds(seed):
    namespace = solution_functions("10_frameworks.ipynb")
    for exercise in (REDUCTION, KERAS_HUBER, BCE, CE):
        assert evaluate(exercise, as_learner(namespace[exercise.name]), seed=seed).passed


# ------------------------------------------------------- references against independent values
def test_reduction_reference_matches_lossbook_sample_weight_semantics():
    # lossbook's mae of zeros against l >= 0 is l itself: its reductions are the reference's
    for values, mode, w in all_cases(REDUCTION):
        if mode == "sum_over_batch_size":
            want = losses.mae(np.zeros_like(values), values, reduction="sum",
                              sample_weight=w) / len(values)
        else:
            want = losses.mae(np.zeros_like(values), values, reduction=mode, sample_weight=w)
        assert np.allclose(REDUCTION.reference(values, mode, w), want, rtol=1e-12, atol=0)


@pytest.mark.frameworks
def test_reduction_reference_matches_keras_and_torch():
    keras = pytest.importorskip("keras")
    torch = pytest.importorskip("torch")
    keras_mode = {"none": None, "sum": "sum", "mean": "mean_with_sample_weight",
                  "sum_over_batch_size": "sum_over_batch_size"}
    for values, mode, w in all_cases(REDUCTION, seeds=range(3)):
        # MAE of (n, 1) columns: one value per sample, l_i itself
        loss = keras.losses.MeanAbsoluteError(reduction=keras_mode[mode], dtype="float64")
        got = keras.ops.convert_to_numpy(loss(np.zeros((len(values), 1)), values[:, None],
                                              sample_weight=w))
        assert np.allclose(got, REDUCTION.reference(values, mode, w), rtol=1e-5, atol=1e-7)
        # torch 2.13's weight= under 'mean': l1_loss divides by sum(w), huber_loss by numel
        # (with a huge delta, huber of sqrt(2 l) against 0 is l)
        zeros, t_w = torch.zeros(len(values), dtype=torch.float64), torch.tensor(w)
        torch_mean = {
            "mean": torch.nn.functional.l1_loss(torch.tensor(values), zeros, weight=t_w),
            "sum_over_batch_size": torch.nn.functional.huber_loss(
                torch.tensor(np.sqrt(2 * values)), zeros, weight=t_w, delta=1e6),
        }
        if mode in torch_mean:
            assert np.isclose(torch_mean[mode].item(), REDUCTION.reference(values, mode, w),
                              rtol=1e-12)


@pytest.mark.frameworks
def test_keras_huber_reference_is_keras_huber():
    keras = pytest.importorskip("keras")
    for y, p, delta in all_cases(KERAS_HUBER, seeds=range(3)):
        got = keras.ops.convert_to_numpy(keras.losses.huber(y, p, delta=delta))
        assert np.allclose(got, KERAS_HUBER.reference(y, p, delta), rtol=1e-5, atol=1e-6)


@pytest.mark.frameworks
def test_keras_huber_reference_averages_torch_huber_over_the_last_axis():
    torch = pytest.importorskip("torch")
    for y, p, delta in all_cases(KERAS_HUBER):
        per_element = torch.nn.functional.huber_loss(torch.tensor(p), torch.tensor(y),
                                                     reduction="none", delta=delta)
        assert np.allclose(per_element.mean(dim=-1).numpy(),
                           KERAS_HUBER.reference(y, p, delta), rtol=1e-12, atol=0)


@pytest.mark.frameworks
def test_bce_reference_is_torch_bce_with_logits_with_pos_weight():
    torch = pytest.importorskip("torch")
    from lossbook.exercises.catalog_10 import EXTREME_BCE

    for y, x, pw in all_cases(BCE) + [EXTREME_BCE]:
        want = torch.nn.functional.binary_cross_entropy_with_logits(
            torch.tensor(x), torch.tensor(y), pos_weight=torch.as_tensor(
                pw, dtype=torch.float64))
        # torch computes (1 - y) x + ... - log sigmoid, which rounds differently: 1e-12
        assert BCE.reference(y, x, pw) == pytest.approx(want.item(), rel=1e-12)


@pytest.mark.frameworks
def test_cross_entropy_reference_is_torch_cross_entropy():
    torch = pytest.importorskip("torch")
    from lossbook.exercises.catalog_10 import EXTREME_CE

    for f, target, eps, ignore_index in all_cases(CE) + [EXTREME_CE]:
        want = torch.nn.functional.cross_entropy(
            torch.tensor(f), torch.tensor(target), label_smoothing=eps,
            ignore_index=ignore_index)
        assert CE.reference(f, target, eps, ignore_index) == pytest.approx(want.item(),
                                                                           rel=1e-12)


def test_cross_entropy_reference_matches_scipy_with_smoothed_targets():
    for args in all_cases(CE):
        assert CE.reference(*args) == pytest.approx(ce_by_scipy(*args), rel=1e-12)


# ------------------------------------------------------- wrong answers without a named hint
def test_a_keepdims_huber_is_told_its_shape():
    def keepdims(y, p, delta):
        return keras_huber_by_minimum(y, p, delta)[:, None]

    result = evaluate(KERAS_HUBER, keepdims)
    assert not result and "shape (2, 1), expected (2,)" in result.message


def test_a_strict_inequality_at_the_seam_still_passes():
    # the two branches of Huber meet at |r| = delta, so < and <= give the same values
    def strict(y, p, delta):
        r = p - y
        a = np.abs(r)
        return np.mean(np.where(a < delta, 0.5 * r**2, delta * (a - delta / 2)), axis=-1)

    assert evaluate(KERAS_HUBER, strict).passed


def test_a_naive_log_sigmoid_gets_half_credit_and_the_softplus_hint():
    def naive(y, x, pw):
        s = 1 / (1 + np.exp(-x))
        return float(np.mean(-(pw * y * np.log(s) + (1 - y) * np.log(1 - s))))

    result = evaluate(BCE, naive)
    assert result.status == "failed" and result.score == PROPERTY_CREDIT
    assert "softplus" in result.message


def test_a_log_of_softmax_gets_half_credit_and_the_log_softmax_hint():
    def log_of_softmax(f, target, eps, ignore_index):
        e = np.exp(f)
        lp = np.log(e / e.sum(axis=1, keepdims=True))
        kept = target != ignore_index
        y = np.where(kept, target, 0)
        rows = (1 - eps) * -lp[np.arange(len(f)), y] - eps * lp.mean(axis=1)
        return float(rows[kept].mean())

    result = evaluate(CE, log_of_softmax)
    assert result.status == "failed" and result.score == PROPERTY_CREDIT
    assert "row maximum" in result.message


def test_ignored_rows_given_a_zero_loss_but_counted_is_named():
    # keeping the ignored rows in the mean is the commonest ignore_index bug
    def counted(f, target, eps, ignore_index):
        lp = log_softmax(f, axis=1)
        kept = target != ignore_index
        y = np.where(kept, target, 0)
        rows = (1 - eps) * -lp[np.arange(len(f)), y] - eps * lp.mean(axis=1)
        return float(np.where(kept, rows, 0).mean())

    result = evaluate(CE, counted)
    assert not result and "denominator" in result.message


def test_a_reduction_that_rejects_unknown_modes_loudly_still_passes():
    def strict(values, mode, w):
        if mode not in ("none", "sum", "mean", "sum_over_batch_size"):
            raise ValueError(mode)
        return reduction_by_average(values, mode, w)

    assert evaluate(REDUCTION, strict).passed


def test_mixing_up_keras_mean_with_lossbook_mean_is_caught():
    # Keras's reduction="mean" is sum_over_batch_size: a learner who uses it for "mean"
    def keras_mean(values, mode, w):
        if mode == "mean":
            mode = "sum_over_batch_size"
        return reduction_by_average(values, mode, w)

    result = evaluate(REDUCTION, keras_mean)
    assert not result and "sum of the weights" in result.message


# ------------------------------------------------------------------------ hidden cases
def test_reduction_hidden_cases_cover_every_mode_with_telling_weights():
    for seed in range(5):
        cases = REDUCTION.hidden_cases(np.random.default_rng(seed))
        modes = {mode for _, mode, _ in cases}
        assert modes == {"none", "sum", "mean", "sum_over_batch_size"}
        for mode in modes:
            weights = [w for _, m, w in cases if m == mode]
            assert any(np.any(w == 0) for w in weights)  # a masked sample
            assert any(np.all(w == 1) for w in weights)  # the unweighted case
            # at least one case where the two means differ
            assert any(not np.isclose(w.sum(), len(w)) for w in weights)
        assert all(np.sum(w) > 0 for _, _, w in cases)
    sizes = {len(v) for v, _, _ in all_cases(REDUCTION)}
    assert 1 in sizes and max(sizes) >= 20


def test_keras_huber_hidden_cases_reach_both_branches_and_the_seam():
    cases = KERAS_HUBER.hidden_cases(np.random.default_rng(0))
    shapes = {y.shape for y, _, _ in cases}
    assert (1, 1) in shapes and any(s[1] == 1 for s in shapes) and any(s[0] == 1 for s in shapes)
    residuals = [(np.abs(p - y), d) for y, p, d in cases]
    assert any(np.any(a < d) for a, d in residuals) and any(np.any(a > d) for a, d in residuals)
    assert any(np.any(np.isclose(a, d)) for a, d in residuals)
    assert len({round(d, 6) for _, _, d in cases}) == len(cases)  # a new delta every time


def test_bce_hidden_cases_have_scalar_and_per_column_pos_weight():
    cases = BCE.hidden_cases(np.random.default_rng(0))
    assert any(np.ndim(y) == 1 and np.ndim(pw) == 0 for y, _, pw in cases)
    assert any(np.ndim(y) == 2 and np.shape(pw) == (y.shape[1],) for y, _, pw in cases)
    assert all(set(np.unique(y)) <= {0.0, 1.0} for y, _, _ in cases)


def test_cross_entropy_hidden_cases_ignore_rows_both_ways_and_keep_one():
    for seed in range(5):
        cases = CE.hidden_cases(np.random.default_rng(seed))
        assert any(ii == -100 and np.any(t == -100) for _, t, _, ii in cases)
        assert any(0 <= ii < f.shape[1] and np.any(t == ii) for f, t, _, ii in cases)
        assert all(np.any(t != ii) for _, t, _, ii in cases)  # never all ignored
        assert any(eps == 0 for _, _, eps, _ in cases)
        assert any(eps > 0 for _, _, eps, _ in cases)
        assert {f.shape[1] for f, _, _, _ in cases} != {2}  # several class counts
