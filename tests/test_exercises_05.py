"""The exercises of chapter 05 (adaptive optimizers): the references against torch.optim and
against the formulas written out, their step count and state conventions over many steps,
the variety of the hidden cases, and useful failures for wrong answers that no misconception
names (each misconception's hint is tested for every exercise in test_exercises.py)."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from numpy.testing import assert_allclose

from lossbook import optim
from lossbook.exercises import EXERCISES, evaluate

BIAS, ADAGRAD, RMSPROP, ADAM, ADAMW = (EXERCISES[f"05.{name}"] for name in (
    "bias_correction", "adagrad_step", "rmsprop_step", "adam_step", "adamw_step"))
STEPS = (ADAGRAD, RMSPROP, ADAM, ADAMW)


def all_cases(exercise, seeds=range(10)):
    """Public cases and the hidden cases of several seeds."""
    cases = [tuple(case) for case in exercise.public_cases]
    for seed in seeds:
        cases += [tuple(case) for case in exercise.hidden_cases(np.random.default_rng(seed))]
    return cases


# ----------------------------------------------------------------- the formulas, written out


def adagrad_formula(w, g, s, lr, eps):
    s = s + g**2
    return w - lr * g / (np.sqrt(s) + eps), s


def rmsprop_formula(w, g, v, lr, alpha, eps):
    v = alpha * v + (1 - alpha) * g**2
    return w - lr * g / (np.sqrt(v) + eps), v


def adam_formula(w, g, m, v, t, lr, beta1, beta2, eps, weight_decay=0.0):
    w = w * (1 - lr * weight_decay)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


FORMULAS = {ADAGRAD.id: adagrad_formula, RMSPROP.id: rmsprop_formula, ADAM.id: adam_formula,
            ADAMW.id: adam_formula}


@pytest.mark.parametrize("exercise", STEPS, ids=lambda e: e.id)
def test_each_reference_is_the_formula_of_the_chapter(exercise):
    for case in all_cases(exercise):
        want = FORMULAS[exercise.id](*case)
        got = exercise.reference(*case)
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert_allclose(g, w, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("exercise", STEPS, ids=lambda e: e.id)
def test_references_do_not_modify_their_inputs(exercise):
    for case in all_cases(exercise, seeds=[0]):
        copies = [np.copy(a) if isinstance(a, np.ndarray) else a for a in case]
        exercise.reference(*case)
        for before, after in zip(copies, case, strict=True):
            assert np.array_equal(before, after)


def test_bias_correction_against_mpmath_and_adams_own_averages():
    mpmath.mp.dps = 40
    for beta, t in all_cases(BIAS):
        exact = 1 - mpmath.mpf(beta) ** t
        assert BIAS.reference(beta, t) == pytest.approx(float(exact), rel=1e-12, abs=1e-300)
    # Fed a constant gradient, Adam's raw averages are exactly (1 - beta^t) g and (1 - beta^t) g^2
    adam, g = optim.Adam(lr=0.1, betas=(0.8, 0.99)), np.array([3.0])
    x = np.zeros(1)
    for t in range(1, 300):
        x = adam.step(x, g)
        state = adam.state[None]
        assert state["exp_avg"][0] / 3 == pytest.approx(BIAS.reference(0.8, t), rel=1e-12)
        assert state["exp_avg_sq"][0] / 9 == pytest.approx(BIAS.reference(0.99, t), rel=1e-12)


# --------------------------------------------------------------------------- torch.optim


def torch_one_step(exercise_id, case):
    """One step of the torch optimizer from the state in case: the torch side of the parity."""
    torch = pytest.importorskip("torch")
    tensor = lambda a: torch.tensor(np.array(a, dtype=float), dtype=torch.float64)  # noqa: E731
    w, g = case[0], case[1]
    param = tensor(w).requires_grad_(True)
    if exercise_id == ADAGRAD.id:
        _, _, s, lr, eps = case
        opt = torch.optim.Adagrad([param], lr=lr, eps=eps)
        opt.state[param]["sum"] = tensor(s)
        keys = ["sum"]
    elif exercise_id == RMSPROP.id:
        _, _, v, lr, alpha, eps = case
        opt = torch.optim.RMSprop([param], lr=lr, alpha=alpha, eps=eps)
        opt.state[param] = {"step": torch.tensor(1.0), "square_avg": tensor(v)}
        keys = ["square_avg"]
    else:
        _, _, m, v, t, lr, beta1, beta2, eps, *wd = case
        if exercise_id == ADAMW.id:
            opt = torch.optim.AdamW([param], lr=lr, betas=(beta1, beta2), eps=eps,
                                    weight_decay=wd[0])
        else:
            opt = torch.optim.Adam([param], lr=lr, betas=(beta1, beta2), eps=eps)
        opt.state[param] = {"step": torch.tensor(float(t - 1)), "exp_avg": tensor(m),
                            "exp_avg_sq": tensor(v)}
        keys = ["exp_avg", "exp_avg_sq"]
    param.grad = tensor(g)
    opt.step()
    return (param.detach().numpy(), *(opt.state[param][k].numpy() for k in keys))


@pytest.mark.frameworks
@pytest.mark.parametrize("exercise", STEPS, ids=lambda e: e.id)
def test_each_reference_is_one_step_of_torch_optim(exercise):
    for case in all_cases(exercise, seeds=range(5)):
        want = torch_one_step(exercise.id, case)
        for got, expected in zip(exercise.reference(*case), want, strict=True):
            assert_allclose(got, expected, rtol=1e-12, atol=1e-300)


# ------------------------------------------------------- many steps: t and the state chain


def run_reference(exercise, optimizer, w, grad_fn, steps, hyper):
    """Chain the reference step from the zero state; compare with the optimizer at every step."""
    n = w.size
    state = {ADAGRAD.id: [np.zeros(n)], RMSPROP.id: [np.zeros(n)]}.get(
        exercise.id, [np.zeros(n), np.zeros(n)])
    x = w.copy()
    for t in range(1, steps + 1):
        g = grad_fn(w)
        if exercise.id in (ADAM.id, ADAMW.id):
            w, *state = exercise.reference(w, g, *state, t, *hyper)
        else:
            w, *state = exercise.reference(w, g, *state, *hyper)
        x = optimizer.step(x, grad_fn(x))
        assert_allclose(w, x, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("exercise, optimizer, hyper", [
    (ADAGRAD, optim.Adagrad(lr=0.3, eps=1e-10), (0.3, 1e-10)),
    (RMSPROP, optim.RMSprop(lr=0.01, alpha=0.9, eps=1e-8), (0.01, 0.9, 1e-8)),
    (ADAM, optim.Adam(lr=0.05, betas=(0.8, 0.99), eps=1e-8), (0.05, 0.8, 0.99, 1e-8)),
    (ADAMW, optim.AdamW(lr=0.05, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.3),
     (0.05, 0.9, 0.999, 1e-8, 0.3)),
], ids=lambda v: getattr(v, "id", ""))
def test_chaining_the_reference_reproduces_a_run_of_the_optimizer(exercise, optimizer, hyper):
    # Rosenbrock's gradient: not constant, so every step sees a new gradient
    problem = optim.rosenbrock(dim=3)
    run_reference(exercise, optimizer, problem.x0.copy(), problem.grad, 60, hyper)


# ------------------------------------------------------------------------- hidden cases


@pytest.mark.parametrize("exercise", STEPS, ids=lambda e: e.id)
def test_hidden_cases_vary_in_size_scale_eps_and_step(exercise):
    cases = all_cases(exercise, seeds=range(20))[len(exercise.public_cases):]
    sizes = {case[0].size for case in cases}
    eps = {case[-2] if exercise is ADAMW else case[-1] for case in cases}
    gradient_scales = {int(np.floor(np.log10(np.abs(case[1]).max()))) for case in cases}
    assert len(sizes) >= 8 and min(sizes) == 1
    assert min(eps) <= 1e-8 and max(eps) >= 1e-3  # where eps goes must show in the values
    assert len(gradient_scales) >= 4
    if exercise in (ADAM, ADAMW):
        ts = [case[4] for case in cases]
        assert 1 in ts and 2 in ts and max(ts) > 1000
        for case in cases:  # the state before the first step is zero
            if case[4] == 1:
                assert not case[2].any() and not case[3].any()
    else:
        assert any(not case[2].any() for case in cases)  # a first step
        assert any(case[2].all() for case in cases)  # a later one
    seeds = [exercise.hidden_cases(np.random.default_rng(s)) for s in (1, 2)]
    assert not all(np.array_equal(a[1], b[1]) for a, b in zip(*seeds, strict=False))


def test_bias_correction_hidden_cases_include_the_first_step_and_late_steps():
    cases = all_cases(BIAS, seeds=range(20))
    ts = [t for _, t in cases]
    assert 1 in ts and max(ts) >= 1000 and any(beta == 0 for beta, _ in cases)


# --------------------------------------------------------- wrong answers no hint names


def failed(exercise, function):
    result = evaluate(exercise, function)
    assert result.status == "failed" and result.score == 0, result
    return result.message


def test_adam_that_forgets_the_given_state_fails():
    # starts m and v from zero at every call: right at t = 1, wrong afterwards
    def learner(w, g, m, v, t, lr, beta1, beta2, eps):
        return adam_formula(w, g, np.zeros_like(m), np.zeros_like(v), t, lr, beta1, beta2, eps)

    message = failed(ADAM, learner)
    assert "for the inputs" in message and "expected" in message


def test_adam_returning_only_the_new_weights_is_told_the_shape():
    def learner(w, g, m, v, t, lr, beta1, beta2, eps):
        return adam_formula(w, g, m, v, t, lr, beta1, beta2, eps)[0]

    assert "shape" in failed(ADAM, learner)


def test_adagrad_that_stores_the_root_of_the_sum_fails():
    def learner(w, g, s, lr, eps):
        w_new, s_new = adagrad_formula(w, g, s, lr, eps)
        return w_new, np.sqrt(s_new)

    failed(ADAGRAD, learner)


def test_rmsprop_with_adams_bias_correction_fails():
    # divides the average by 1 - alpha, as if t were always 1: torch's RMSprop has no correction
    def learner(w, g, v, lr, alpha, eps):
        v = alpha * v + (1 - alpha) * g**2
        return w - lr * g / (np.sqrt(v / (1 - alpha)) + eps), v

    failed(RMSPROP, learner)


def test_adamw_with_a_decay_that_ignores_the_sign_of_w_fails():
    def learner(w, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
        w_new, m, v = adam_formula(w, g, m, v, t, lr, beta1, beta2, eps)
        return w_new - lr * weight_decay * np.abs(w), m, v

    failed(ADAMW, learner)


def test_an_in_place_update_of_the_state_still_passes():
    # the grader hands the learner copies, so updating m and v in place cannot corrupt a case
    def learner(w, g, m, v, t, lr, beta1, beta2, eps):
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g * g
        return w - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v

    assert evaluate(ADAM, learner).passed


def test_a_float32_adam_is_not_accurate_enough():
    def learner(w, g, m, v, t, lr, beta1, beta2, eps):
        args = [np.float32(a) if np.isscalar(a) else np.asarray(a, np.float32)
                for a in (w, g, m, v)]
        return adam_formula(*args, t, np.float32(lr), np.float32(beta1), np.float32(beta2),
                            np.float32(eps))

    failed(ADAM, learner)
