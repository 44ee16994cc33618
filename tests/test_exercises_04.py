"""Exercises of chapter 04: the references agree with independent computations (central
differences, eigen-solvers, lossbook's and torch's optimizers, minimize's own batches), other
plausible wrong answers fail with useful feedback, right answers in other forms pass, and the
hidden cases are varied. That every known mistake gets its hint is tested in
test_exercises.py."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

from lossbook.exercises import EXERCISES, evaluate
from lossbook.optim import SGD, minimize, problems, schedules

SEEDS = range(8)


def hidden(exercise_id, seed):
    return EXERCISES[exercise_id].hidden_cases(np.random.default_rng(seed))


def all_cases(exercise_id, seeds=SEEDS):
    exercise = EXERCISES[exercise_id]
    cases = [tuple(c) for c in exercise.public_cases]
    for seed in seeds:
        cases += [tuple(c) for c in hidden(exercise_id, seed)]
    return cases


# ------------------------------------------------------------------------ 04.mse_gradient
def mse(w, b, X, y):
    return np.mean((X @ w + b - y) ** 2)


def test_mse_gradient_reference_matches_central_differences():
    h = 1e-6
    for w, b, X, y in all_cases("04.mse_gradient"):
        grad_w, grad_b = EXERCISES["04.mse_gradient"].reference(w, b, X, y)
        numeric_w = np.array([(mse(w + h * e, b, X, y) - mse(w - h * e, b, X, y)) / (2 * h)
                              for e in np.eye(w.size)])
        numeric_b = (mse(w, b + h, X, y) - mse(w, b - h, X, y)) / (2 * h)
        scale = 1 + np.abs(np.append(numeric_w, numeric_b)).max()
        np.testing.assert_allclose(grad_w, numeric_w, atol=1e-6 * scale)
        assert abs(grad_b - numeric_b) < 1e-6 * scale
        assert np.shape(grad_w) == w.shape and np.ndim(grad_b) == 0


@pytest.mark.frameworks
def test_mse_gradient_reference_matches_torch_autograd():
    torch = pytest.importorskip("torch")
    for w, b, X, y in all_cases("04.mse_gradient"):
        tw = torch.tensor(w, requires_grad=True)
        tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
        prediction = torch.from_numpy(X) @ tw + tb
        torch.nn.functional.mse_loss(prediction, torch.from_numpy(y)).backward()
        grad_w, grad_b = EXERCISES["04.mse_gradient"].reference(w, b, X, y)
        np.testing.assert_allclose(grad_w, tw.grad.numpy(), rtol=1e-12, atol=1e-12)
        assert grad_b == pytest.approx(tb.grad.item(), rel=1e-12, abs=1e-12)


def test_mse_gradient_in_other_forms_passes():
    def as_lists(w, b, X, y):
        r = X @ w + b - y
        return [list(2 * X.T @ r / len(y)), 2 * float(np.mean(r))]

    def by_loop(w, b, X, y):
        grad_w, grad_b = np.zeros_like(w), 0.0
        for x_i, y_i in zip(X, y, strict=True):
            r_i = x_i @ w + b - y_i
            grad_w += 2 * r_i * x_i / len(y)
            grad_b += 2 * r_i / len(y)
        return grad_w, grad_b

    for learner in (as_lists, by_loop):
        assert evaluate(EXERCISES["04.mse_gradient"], learner).passed


def test_mse_gradient_other_mistakes_fail_with_a_message():
    def intercept_as_array(w, b, X, y):  # grad_b of shape (1,): not the number asked for
        r = X @ w + b - y
        return 2 * X.T @ r / len(y), np.array([2 * np.mean(r)])

    def half_sum(w, b, X, y):  # the gradient of sum(r^2) / 2
        r = X @ w + b - y
        return X.T @ r, np.sum(r)

    def over_all_entries(w, b, X, y):  # divided by n * d, the number of entries of X
        r = X @ w + b - y
        return 2 * X.T @ r / X.size, 2 * np.sum(r) / X.size

    for learner in (intercept_as_array, half_sum, over_all_entries):
        result = evaluate(EXERCISES["04.mse_gradient"], learner)
        assert result.status == "failed" and result.score == 0
        assert "expected" in result.message or "shape" in result.message


def test_mse_gradient_hidden_cases_vary_and_include_one_sample_and_one_feature():
    shapes = {c[2].shape for seed in SEEDS for c in hidden("04.mse_gradient", seed)}
    assert (1, 1) in shapes
    assert len(shapes) >= 15
    assert len({d for _, d in shapes}) >= 4


# ------------------------------------------------------------------------ 04.max_stable_lr
def test_max_stable_lr_reference_matches_scipy_and_the_spectral_norm():
    for (H,) in all_cases("04.max_stable_lr"):
        reference = EXERCISES["04.max_stable_lr"].reference(H)
        assert reference == pytest.approx(2 / scipy.linalg.eigh(H, eigvals_only=True)[-1],
                                          rel=1e-12)
        assert reference == pytest.approx(2 / np.linalg.norm(H, 2), rel=1e-10)


def test_max_stable_lr_separates_convergence_from_divergence():
    rng = np.random.default_rng(0)
    for (H,) in all_cases("04.max_stable_lr"):
        bound = EXERCISES["04.max_stable_lr"].reference(H)
        x0 = rng.normal(size=H.shape[0])
        for factor, stable in [(0.99, True), (1.01, False)]:
            x = x0.copy()
            for _ in range(2000):
                x = x - factor * bound * (H @ x)  # gradient descent on x^T H x / 2
            # stable: no error coordinate grows (a flat one of a singular H stays put);
            # unstable: the steepest one is multiplied by |1 - 2.02| = 1.02 at every step
            grew = np.linalg.norm(x) > 1e3 * np.linalg.norm(x0)
            assert grew != stable and (np.linalg.norm(x) <= np.linalg.norm(x0)) == stable


def test_max_stable_lr_of_the_chapter_quadratics_is_two_over_lipschitz():
    for kappa, dim in [(10.0, 2), (50.0, 2), (300.0, 5)]:
        bowl = problems.quadratic(condition_number=kappa, dim=dim)
        bound = EXERCISES["04.max_stable_lr"].reference(bowl.hessian(bowl.x0))
        assert bound == pytest.approx(2 / bowl.lipschitz, rel=1e-12)


def test_max_stable_lr_with_other_eigen_solvers_passes():
    def general_eig(H):
        return 2 / np.max(np.linalg.eig(H)[0].real)

    def spectral_norm(H):
        return 2 / np.linalg.norm(H, 2)

    for learner in (general_eig, spectral_norm):
        assert evaluate(EXERCISES["04.max_stable_lr"], learner).passed


def test_max_stable_lr_other_mistakes_fail():
    def gershgorin(H):  # a bound on L, not L
        return 2 / np.max(np.sum(np.abs(H), axis=1))

    def largest_entry(H):
        return 2 / np.max(np.abs(H))

    for learner in (gershgorin, largest_entry):
        result = evaluate(EXERCISES["04.max_stable_lr"], learner)
        assert result.status == "failed" and result.score == 0


def test_max_stable_lr_hidden_cases_include_one_by_one_diagonal_and_singular_matrices():
    cases = [H for seed in SEEDS for (H,) in hidden("04.max_stable_lr", seed)]
    assert all(np.array_equal(H, H.T) for H in cases)
    assert all(np.linalg.eigvalsh(H)[0] > -1e-9 for H in cases)  # positive semi-definite
    assert any(H.shape == (1, 1) for H in cases)
    assert any(np.count_nonzero(H - np.diag(np.diag(H))) == 0 and H.shape[0] > 1 for H in cases)
    assert any(abs(np.linalg.eigvalsh(H)[0]) < 1e-9 for H in cases)
    assert len({H.shape for H in cases}) >= 5


# ------------------------------------------------------------------------ 04.minibatch_indices
def test_minibatch_indices_reference_is_what_minimize_uses():
    problem = problems.least_squares(np.arange(23.0).reshape(-1, 1), np.ones(23))
    for batch_size, seed in [(1, 0), (5, 1), (7, 2), (23, 3), (40, 4)]:
        seen = []

        def objective(params, batch, seen=seen):
            seen.append(np.asarray(batch))
            return problem.value_and_grad(params, batch)

        epochs = 3
        minimize(objective, problem.x0, SGD(lr=1e-4), epochs=epochs, batch_size=batch_size,
                 n_samples=23, seed=seed)
        rng = np.random.default_rng(seed)  # minimize shuffles with this generator, once an epoch
        expected = [batch for _ in range(epochs) for batch in
                    EXERCISES["04.minibatch_indices"].reference(rng.permutation(23), batch_size)]
        batches = [b for b in seen if b.ndim == 1]  # the epoch-end evaluations pass None
        assert len(batches) == len(expected)
        for got, want in zip(batches, expected, strict=True):
            np.testing.assert_array_equal(got, want)


def test_minibatch_indices_reference_uses_every_index_once():
    for permutation, batch_size in all_cases("04.minibatch_indices"):
        batches = EXERCISES["04.minibatch_indices"].reference(permutation, batch_size)
        assert len(batches) == -(-permutation.size // batch_size)
        np.testing.assert_array_equal(np.concatenate(batches), permutation)
        assert all(b.size == batch_size for b in batches[:-1]) and 0 < batches[-1].size


def test_minibatch_indices_as_lists_or_by_array_split_passes():
    def as_lists(permutation, batch_size):
        p = list(permutation)
        return [p[i:i + batch_size] for i in range(0, len(p), batch_size)]

    def by_split_points(permutation, batch_size):
        return np.split(permutation, range(batch_size, len(permutation), batch_size))

    for learner in (as_lists, by_split_points):
        assert evaluate(EXERCISES["04.minibatch_indices"], learner).passed


def test_minibatch_indices_other_mistakes_fail_without_crashing():
    def generator(permutation, batch_size):  # not a list
        return (permutation[i:i + batch_size] for i in range(0, len(permutation), batch_size))

    def reshuffled(permutation, batch_size):  # shuffles again instead of using the order given
        p = np.random.default_rng(0).permutation(permutation)
        return [p[i:i + batch_size] for i in range(0, len(p), batch_size)]

    def reversed_batches(permutation, batch_size):
        p = permutation
        return [p[i:i + batch_size] for i in range(0, len(p), batch_size)][::-1]

    for learner in (generator, reshuffled, reversed_batches):
        result = evaluate(EXERCISES["04.minibatch_indices"], learner)
        assert result.status == "failed" and result.score == 0 and result.message


def test_minibatch_indices_hidden_cases_cover_the_edge_cases():
    cases = [c for seed in SEEDS for c in hidden("04.minibatch_indices", seed)]
    assert any(p.size == 1 for p, _ in cases)
    assert any(b == 1 and p.size > 1 for p, b in cases)
    assert any(b > p.size for p, b in cases)
    assert any(b == p.size for p, b in cases)
    assert any(p.size % b == 0 and b < p.size for p, b in cases)
    assert sum(p.size % b != 0 and b < p.size for p, b in cases) >= 8
    assert len({p.size for p, _ in cases}) >= 10
    assert all(np.array_equal(np.sort(p), np.arange(p.size)) for p, _ in cases)


# ------------------------------------------------------------------------ 04.momentum_step
def iterate(step, grad, w0, lr, momentum, steps):
    w, v, path = w0, np.zeros_like(w0), []
    for t in range(steps):
        w, v = step(w, v, grad(w), lr(t) if callable(lr) else lr, momentum)
        path.append(w)
    return np.array(path)


def test_momentum_step_reproduces_the_parity_table():
    # reference/parity.md 6.5: f(w) = (w - 3)^2 / 2 from w = 0, torch SGD(lr=0.1, momentum=0.9)
    path = iterate(EXERCISES["04.momentum_step"].reference, lambda w: w - 3, np.array([0.0]),
                   0.1, 0.9, 3)
    assert path.ravel().tolist() == [0.30000000000000004, 0.8400000000000001,
                                     1.5420000000000003]


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
def test_momentum_step_iterated_is_lossbook_sgd(momentum):
    bowl = problems.quadratic(condition_number=30.0, dim=4, seed=1)
    ours = iterate(EXERCISES["04.momentum_step"].reference, bowl.grad, bowl.x0, 0.02, momentum,
                   60)
    history = minimize(bowl, bowl.x0, SGD(lr=0.02, momentum=momentum), steps=60)
    np.testing.assert_allclose(ours, history.path()[1:], rtol=1e-13, atol=1e-13)


@pytest.mark.frameworks
def test_momentum_step_iterated_is_torch_sgd_even_when_the_rate_changes():
    torch = pytest.importorskip("torch")
    bowl = problems.quadratic(condition_number=30.0, dim=4, seed=1)
    rate = schedules.step(0.03, step_size=10, gamma=0.3)
    ours = iterate(EXERCISES["04.momentum_step"].reference, bowl.grad, bowl.x0, rate, 0.9, 40)
    parameter = torch.tensor(bowl.x0, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=0.03, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.3)
    theirs = []
    for _ in range(40):
        optimizer.zero_grad()
        parameter.grad = torch.from_numpy(bowl.grad(parameter.detach().numpy()))
        optimizer.step()
        scheduler.step()
        theirs.append(parameter.detach().numpy().copy())
    np.testing.assert_allclose(ours, np.array(theirs), rtol=1e-12, atol=1e-12)


def test_lr_inside_the_velocity_agrees_only_while_the_rate_is_constant():
    exercise = EXERCISES["04.momentum_step"]
    inside = next(m.wrong for m in exercise.misconceptions if "inside the velocity" in m.hint)
    bowl = problems.quadratic(condition_number=10.0)

    def lr_inside(w, u, g, lr, momentum):  # u = lr * v: the step is the velocity itself
        return inside(w, u, g, lr, momentum)

    constant = [iterate(f, bowl.grad, bowl.x0, 0.05, 0.9, 30)
                for f in (exercise.reference, lr_inside)]
    np.testing.assert_allclose(constant[0], constant[1], rtol=1e-12, atol=1e-12)
    cut = schedules.step(0.05, step_size=10, gamma=0.1)
    changing = [iterate(f, bowl.grad, bowl.x0, cut, 0.9, 30)
                for f in (exercise.reference, lr_inside)]
    np.testing.assert_allclose(changing[0][:10], changing[1][:10], rtol=1e-12, atol=1e-12)
    assert np.abs(changing[0][10:] - changing[1][10:]).max() > 0.1


def test_momentum_step_on_any_shape_and_in_place_variants_pass():
    def in_place(w, v, g, lr, momentum):
        v = v.copy()
        v *= momentum
        v += g
        return w - lr * v, v

    def as_list(w, v, g, lr, momentum):
        v_new = momentum * v + g
        return [w - lr * v_new, v_new]

    for learner in (in_place, as_list):
        assert evaluate(EXERCISES["04.momentum_step"], learner).passed


def test_momentum_step_other_mistakes_fail():
    def decayed_gradient(w, v, g, lr, momentum):  # the gradient scaled by the momentum
        v_new = v + momentum * g
        return w - lr * v_new, v_new

    def velocity_not_returned(w, v, g, lr, momentum):
        return w - lr * (momentum * v + g), v

    for learner in (decayed_gradient, velocity_not_returned):
        result = evaluate(EXERCISES["04.momentum_step"], learner)
        assert result.status == "failed" and result.score == 0


def test_momentum_step_hidden_cases_include_the_first_step_no_momentum_and_2d_arrays():
    cases = [c for seed in SEEDS for c in hidden("04.momentum_step", seed)]
    assert any(not np.any(v) for _, v, _, _, _ in cases)
    assert any(m == 0 for *_, m in cases)
    assert any(w.ndim == 2 for w, *_ in cases)
    assert len({w.shape for w, *_ in cases}) >= 6
    assert len({round(lr, 12) for *_, lr, _ in cases}) == len(cases)
