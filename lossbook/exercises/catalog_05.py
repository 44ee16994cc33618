"""Exercises of chapter 05 (adaptive optimizers): the bias correction, and one step of AdaGrad,
RMSprop, Adam and AdamW in torch.optim's conventions.

The references take one step with the optimizers of `lossbook.optim` (which reproduce
torch.optim) from the state the exercise gives, written into the optimizer's per-parameter
state the way torch keeps it: `state[None]` is the state of a parameter passed as a bare
array, with the step count and the arrays under torch's names ("sum", "square_avg",
"exp_avg", "exp_avg_sq"). tests/test_exercises_05.py checks them against torch.optim and
against the formulas written out.
"""

from __future__ import annotations

import numpy as np

from .. import optim
from ._core import Exercise, Misconception, Property

# --------------------------------------------------------------------------------- helpers


def _arrays(*values):
    return [np.array(v, dtype=float) for v in values]  # float64 copies the optimizer may modify


def _from_state(optimizer, w, g, steps_before: int, **state):
    """One step of `optimizer` from the given state: (new w, the optimizer's new state)."""
    w, g = _arrays(w, g)
    optimizer.state[None] = {"step": steps_before, "shape": w.shape,
                             **{k: np.array(v, dtype=float) for k, v in state.items()}}
    return optimizer.step(w, g), optimizer.state[None]


def _log_uniform(rng, low, high):
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def _vector(rng, n, scale):
    return rng.normal(scale=scale, size=n)


def _unchanged_and_finite(w):
    """A property check: the first output (the new w) equals w exactly and is finite."""
    def holds(outputs):
        (got,) = outputs
        new_w = np.asarray(got[0], dtype=float)
        return new_w.shape == w.shape and bool(np.all(np.isfinite(new_w))) and bool(
            np.allclose(new_w, w, rtol=1e-12, atol=0))
    return holds


# The eps values of the hidden cases: torch's defaults, and large ones that make the place
# of eps (inside or outside the square root, before or after the bias correction) visible.
EPS_CHOICES = (1e-10, 1e-8, 1e-3, 0.1)

# ----------------------------------------------------------------------- 05.bias_correction


def _bias_correction(beta, t):
    # torch.optim.Adam: bias_correction1 = 1 - beta1 ** step, with step counted from 1
    return 1 - float(beta) ** int(t)


def _bias_correction_cases(rng):
    cases = [(float(rng.uniform(0.5, 0.99)), 1),
             (0.999, int(rng.integers(2, 50))),
             (float(rng.uniform(0.9, 0.9999)), int(rng.integers(100, 100_000))),
             (0.0, int(rng.integers(1, 10)))]
    cases += [(float(rng.uniform(0, 1)), int(rng.integers(1, 1000))) for _ in range(3)]
    return cases


BIAS_CORRECTION = Exercise(
    id="05.bias_correction", name="bias_correction", points=1,
    reference=_bias_correction,
    public_cases=[(0.9, 1), (0.999, 10), (0.9, 44)],
    hidden_cases=_bias_correction_cases,
    misconceptions=[
        Misconception(lambda beta, t: beta ** t,
                      "you return beta**t, the weight that is still on the zero start; the "
                      "correction factor is what the other weights add up to: 1 - beta**t"),
        Misconception(lambda beta, t: 1 - beta ** (t - 1),
                      "you used the exponent t - 1: t is the number of the step, counted from 1, "
                      "so the factor is 1 - beta**t (1 - 0.9 = 0.1 at the first step)"),
        Misconception(lambda beta, t: 1 - beta ** (t + 1),
                      "you used the exponent t + 1: t already counts from 1 (t = 1 at the first "
                      "step), so the factor is 1 - beta**t"),
        Misconception(lambda beta, t: 1 / (1 - beta ** t),
                      "you return 1 / (1 - beta**t), the factor the average is multiplied by; "
                      "return the bias correction itself, 1 - beta**t, which it is divided by"),
        Misconception(lambda beta, t: 1 - beta * t,
                      "you multiplied beta by t: the factor is 1 - beta to the power t, "
                      "1 - beta**t"),
    ],
)

# ------------------------------------------------------------------------- 05.adagrad_step


def _adagrad_step(w, g, state_sum, lr, eps):
    w_new, state = _from_state(optim.Adagrad(lr=lr, eps=eps), w, g, 0, sum=state_sum)
    return w_new, state["sum"]


def _adagrad_cases(rng):
    cases = []
    for first_step in (True, False, False, False, False, True):
        n = int(rng.integers(1, 20))
        g = _vector(rng, n, _log_uniform(rng, 1e-4, 10))
        state_sum = np.zeros(n) if first_step else rng.exponential(
            _log_uniform(rng, 1e-6, 100), size=n)
        cases.append((_vector(rng, n, 2.0), g, state_sum, _log_uniform(rng, 1e-3, 1.0),
                      float(rng.choice(EPS_CHOICES))))
    return cases


ADAGRAD_STEP = Exercise(
    id="05.adagrad_step", name="adagrad_step", points=2,
    reference=_adagrad_step,
    public_cases=[(np.array([1.0, -2.0, 0.5]), np.array([0.5, -1.0, 2.0]),
                   np.array([0.0, 4.0, 1.0]), 0.1, 1e-10),
                  (np.array([0.3, 0.0]), np.array([2e-4, -0.3]), np.array([1e-8, 0.5]), 0.5,
                   0.1)],
    hidden_cases=_adagrad_cases,
    misconceptions=[
        Misconception(lambda w, g, s, lr, eps: (w - lr * g / np.sqrt(s + g * g + eps), s + g * g),
                      "eps is inside the square root (as in optax and Keras); torch adds it "
                      "after: w - lr * g / (sqrt(state_sum) + eps)"),
        Misconception(lambda w, g, s, lr, eps: (w - lr * g / np.sqrt(s + g * g), s + g * g),
                      "you left out eps: divide by sqrt(state_sum) + eps; it matters when the "
                      "sum is tiny, and it keeps a zero gradient from giving 0/0"),
        Misconception(lambda w, g, s, lr, eps: (w - lr * g / (np.sqrt(s) + eps), s + g * g),
                      "you divided by the old sum: add g**2 to state_sum first, then divide "
                      "by the square root of the new sum (at the first step it already "
                      "holds g**2)"),
        Misconception(lambda w, g, s, lr, eps: (w - lr * g / (s + g * g + eps), s + g * g),
                      "you divided by the sum itself: divide by its square root, "
                      "sqrt(state_sum) + eps, so that the step does not depend on the scale of "
                      "the gradient"),
        Misconception(lambda w, g, s, lr, eps: (_adagrad_step(w, g, s, lr, eps)[0], s),
                      "the new w is right, but you returned the old state_sum: return the "
                      "accumulated one, state_sum + g**2, for the next step"),
        Misconception(lambda w, g, s, lr, eps: (2 * w - _adagrad_step(w, g, s, lr, eps)[0],
                                                s + g * g),
                      "your step goes uphill: subtract lr * g / (sqrt(state_sum) + eps) from w"),
        Misconception(lambda w, g, s, lr, eps: _adagrad_step(w, g, s, lr, eps)[::-1],
                      "the values are right but in the wrong order: return (w_new, "
                      "state_sum_new)"),
    ],
    properties=[Property(
        "a coordinate whose gradients have all been 0 (g = 0, state_sum = 0) gives 0/0: add "
        "eps after the square root, sqrt(state_sum) + eps, so that it stays where it is",
        cases=[(np.array([1.5, -0.5]), np.zeros(2), np.zeros(2), 0.1, 1e-10)],
        holds=_unchanged_and_finite(np.array([1.5, -0.5])))],
)

# ------------------------------------------------------------------------- 05.rmsprop_step


def _rmsprop_step(w, g, square_avg, lr, alpha, eps):
    # steps_before=1: the optimizer must not start a fresh (zero) average
    w_new, state = _from_state(optim.RMSprop(lr=lr, alpha=alpha, eps=eps), w, g, 1,
                               square_avg=square_avg)
    return w_new, state["square_avg"]


def _rmsprop_cases(rng):
    cases = []
    for first_step in (True, False, False, False, False):
        n = int(rng.integers(1, 20))
        g = _vector(rng, n, _log_uniform(rng, 1e-4, 10))
        square_avg = np.zeros(n) if first_step else rng.exponential(
            _log_uniform(rng, 1e-6, 100), size=n)
        alpha = float(rng.choice([0.99, 0.9, float(rng.uniform(0.5, 0.999))]))
        cases.append((_vector(rng, n, 2.0), g, square_avg, _log_uniform(rng, 1e-4, 0.1), alpha,
                      float(rng.choice(EPS_CHOICES))))
    return cases


def _rmsprop_with(average):
    """A wrong RMSprop whose new average is average(v, g, alpha); the step uses it as torch does."""
    def step(w, g, v, lr, alpha, eps):
        v_new = average(v, g, alpha)
        return w - lr * g / (np.sqrt(v_new) + eps), v_new
    return step


RMSPROP_STEP = Exercise(
    id="05.rmsprop_step", name="rmsprop_step", points=2,
    reference=_rmsprop_step,
    public_cases=[(np.array([1.0, -2.0, 0.5]), np.array([0.5, -1.0, 2.0]),
                   np.array([0.0, 0.25, 1.0]), 0.01, 0.99, 1e-8),
                  (np.array([0.3, 0.0]), np.array([2e-4, -0.3]), np.array([1e-8, 0.5]), 0.05,
                   0.9, 0.1)],
    hidden_cases=_rmsprop_cases,
    misconceptions=[
        Misconception(lambda w, g, v, lr, a, eps: (
            w - lr * g / np.sqrt(a * v + (1 - a) * g * g + eps), a * v + (1 - a) * g * g),
                      "eps is inside the square root (optax's default); torch adds it after: "
                      "w - lr * g / (sqrt(square_avg) + eps)"),
        Misconception(lambda w, g, v, lr, a, eps: (
            w - lr * g / np.sqrt(a * v + (1 - a) * g * g), a * v + (1 - a) * g * g),
                      "you left out eps: divide by sqrt(square_avg) + eps; it matters when the "
                      "average is tiny, and it keeps a zero gradient from giving 0/0"),
        Misconception(_rmsprop_with(lambda v, g, a: (1 - a) * v + a * g * g),
                      "the weights of the average are swapped: alpha (0.99 by default) keeps "
                      "the old average, square_avg = alpha * square_avg + (1 - alpha) * g**2"),
        Misconception(_rmsprop_with(lambda v, g, a: a * v + g * g),
                      "the new squared gradient needs the weight 1 - alpha: square_avg = "
                      "alpha * square_avg + (1 - alpha) * g**2, an average, not a decaying sum"),
        Misconception(lambda w, g, v, lr, a, eps: (w - lr * g / (np.sqrt(v) + eps),
                                                   a * v + (1 - a) * g * g),
                      "you divided by the old average: update square_avg first, then divide "
                      "by the square root of the new one"),
        Misconception(lambda w, g, v, lr, a, eps: (
            w - lr * g / (a * v + (1 - a) * g * g + eps), a * v + (1 - a) * g * g),
                      "you divided by the average of the squares itself: divide by its square "
                      "root (the root mean square that gives RMSprop its name)"),
        Misconception(lambda w, g, v, lr, a, eps: (_rmsprop_step(w, g, v, lr, a, eps)[0], v),
                      "the new w is right, but you returned the old square_avg: return the "
                      "updated average for the next step"),
        Misconception(lambda w, g, v, lr, a, eps: _rmsprop_step(w, g, v, lr, a, eps)[::-1],
                      "the values are right but in the wrong order: return (w_new, "
                      "square_avg_new)"),
    ],
    properties=[Property(
        "a coordinate whose gradients have all been 0 (g = 0, square_avg = 0) gives 0/0: add "
        "eps after the square root, sqrt(square_avg) + eps, so that it stays where it is",
        cases=[(np.array([1.5, -0.5]), np.zeros(2), np.zeros(2), 0.01, 0.99, 1e-8)],
        holds=_unchanged_and_finite(np.array([1.5, -0.5])))],
)

# ---------------------------------------------------------------------------- 05.adam_step


def _adam_step(w, g, m, v, t, lr, beta1, beta2, eps):
    # the optimizer counts t itself: t - 1 steps before this one (at t = 1 it starts m = v = 0,
    # which is the state the exercise gives there)
    w_new, state = _from_state(optim.Adam(lr=lr, betas=(beta1, beta2), eps=eps), w, g,
                               int(t) - 1, exp_avg=m, exp_avg_sq=v)
    return w_new, state["exp_avg"], state["exp_avg_sq"]


def _adam_like(w, g, m, v, t, lr, beta1, beta2, eps, *, correct_m=True, correct_v=True,
               t_used=None, eps_inside=False, eps_before_correction=False, no_eps=False,
               store_hat=False):
    """Adam written out, with switches that reproduce the typical mistakes."""
    m_new = beta1 * m + (1 - beta1) * g
    v_new = beta2 * v + (1 - beta2) * g * g
    s = t if t_used is None else t_used
    bc1 = (1 - beta1 ** s) if correct_m else 1.0
    bc2 = (1 - beta2 ** s) if correct_v else 1.0
    m_hat, v_hat = m_new / bc1, v_new / bc2
    if no_eps:
        denom = np.sqrt(v_hat)
    elif eps_inside:
        denom = np.sqrt(v_hat + eps)
    elif eps_before_correction:
        denom = (np.sqrt(v_new) + eps) / np.sqrt(bc2)
    else:
        denom = np.sqrt(v_hat) + eps
    w_new = w - lr * m_hat / denom
    return (w_new, m_hat, v_hat) if store_hat else (w_new, m_new, v_new)


def _adam_cases(rng, n_cases=6):
    cases = []
    for k in range(n_cases):
        n = int(rng.integers(1, 20))
        t = 1 if k in (0, 3) else int(rng.choice([2, int(rng.integers(3, 30)),
                                                  int(rng.integers(30, 5000))]))
        g = _vector(rng, n, _log_uniform(rng, 1e-4, 10))
        if t == 1:
            m, v = np.zeros(n), np.zeros(n)  # the state before the first step
        else:
            scale = _log_uniform(rng, 1e-4, 10)
            m, v = rng.normal(scale=scale, size=n), rng.exponential(scale**2, size=n)
        beta1 = float(rng.choice([0.9, float(rng.uniform(0.5, 0.95))]))
        beta2 = float(rng.choice([0.999, float(rng.uniform(0.9, 0.9999))]))
        cases.append((_vector(rng, n, 2.0), g, m, v, t, _log_uniform(rng, 1e-4, 0.3), beta1,
                      beta2, float(rng.choice(EPS_CHOICES))))
    return cases


def _adam_misconceptions(step):
    """The mistakes of Adam's update, for adam_step and (through step) adamw_step."""
    def wrong(**switches):
        return lambda *args: step(*args, **switches)

    return [
        Misconception(wrong(correct_m=False, correct_v=False),
                      "you forgot the bias correction: m and v start at 0, so divide them by "
                      "1 - beta1**t and 1 - beta2**t (m_hat, v_hat) before the step; return "
                      "the uncorrected m and v as the new state"),
        Misconception(wrong(correct_v=False),
                      "you corrected m but not v: the step uses m_hat / (sqrt(v_hat) + eps) "
                      "with v_hat = v / (1 - beta2**t) too"),
        Misconception(wrong(correct_m=False),
                      "you corrected v but not m: the step uses m_hat = m / (1 - beta1**t) "
                      "too"),
        Misconception(wrong(eps_inside=True),
                      "eps is inside the square root: torch divides by sqrt(v_hat) + eps, with "
                      "eps added after the root"),
        Misconception(wrong(eps_before_correction=True),
                      "you added eps to sqrt(v) before the bias correction (as Keras does); "
                      "torch adds it after: sqrt(v_hat) + eps with v_hat = v / (1 - beta2**t)"),
        Misconception(wrong(no_eps=True),
                      "you left out eps: divide by sqrt(v_hat) + eps; it matters when v is "
                      "tiny, and it keeps a zero gradient from giving 0/0"),
        Misconception(wrong(t_used="t+1"),
                      "your bias correction uses t + 1: t is already the number of this step, "
                      "counted from 1, so divide by 1 - beta**t"),
        Misconception(wrong(t_used="t-1"),
                      "your bias correction uses t - 1: t is the number of this step, counted "
                      "from 1 (t = 1 at the first step), so divide by 1 - beta**t"),
        Misconception(wrong(store_hat=True),
                      "the new w is right, but you returned the bias-corrected m_hat and v_hat "
                      "as the state: return the raw averages m and v; the correction is "
                      "recomputed from t at every step"),
        Misconception(wrong(swap_betas=True),
                      "beta1 and beta2 are swapped: beta1 (0.9) averages the gradients in m, "
                      "beta2 (0.999) averages their squares in v"),
    ]


def _adam_switched(w, g, m, v, t, lr, beta1, beta2, eps, *, t_used=None, swap_betas=False,
                   **switches):
    """_adam_like with the "t+1" / "t-1" / swapped-betas switches resolved."""
    if swap_betas:
        beta1, beta2 = beta2, beta1
    s = {None: None, "t+1": t + 1, "t-1": t - 1}[t_used]
    return _adam_like(w, g, m, v, t, lr, beta1, beta2, eps, t_used=s, **switches)


ADAM_STEP = Exercise(
    id="05.adam_step", name="adam_step", points=3,
    reference=_adam_step,
    public_cases=[(np.array([1.0, -2.0, 0.5]), np.array([0.5, -1.0, 2.0]),
                   np.array([0.1, -0.2, 0.3]), np.array([0.01, 0.04, 0.5]), 3, 0.01, 0.9, 0.999,
                   1e-8),
                  (np.array([0.3, -0.7]), np.array([1e-3, -0.4]), np.zeros(2), np.zeros(2), 1,
                   0.1, 0.9, 0.999, 1e-8),
                  (np.array([0.3, 0.0]), np.array([2e-4, -0.3]), np.array([1e-4, -0.1]),
                   np.array([1e-8, 0.02]), 20, 0.05, 0.8, 0.99, 1e-3)],
    hidden_cases=_adam_cases,
    misconceptions=_adam_misconceptions(_adam_switched) + [
        Misconception(lambda *args: _adam_step(*args)[::-1],
                      "the values are right but in the wrong order: return (w_new, m_new, "
                      "v_new)"),
    ],
    properties=[Property(
        "a first step with a zero gradient (m = v = 0, g = 0) gives 0/0: add eps after the "
        "square root, sqrt(v_hat) + eps, so that the weight stays where it is",
        cases=[(np.array([1.5, -0.5]), np.zeros(2), np.zeros(2), np.zeros(2), 1, 0.1, 0.9, 0.999,
                1e-8)],
        holds=_unchanged_and_finite(np.array([1.5, -0.5])))],
)

# --------------------------------------------------------------------------- 05.adamw_step


def _adamw_step(w, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
    w_new, state = _from_state(
        optim.AdamW(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay), w, g,
        int(t) - 1, exp_avg=m, exp_avg_sq=v)
    return w_new, state["exp_avg"], state["exp_avg_sq"]


def _adamw_cases(rng):
    return [args + (_log_uniform(rng, 0.01, 1.0),) for args in _adam_cases(rng, 5)]


def _adamw_switched(w, g, m, v, t, lr, beta1, beta2, eps, weight_decay, *, decay="before",
                    **switches):
    """AdamW written out, with the decay done right (before the step) or wrong."""
    if decay == "coupled":  # Adam's weight_decay: the L2 gradient goes into the moments
        return _adam_switched(w, g + weight_decay * w, m, v, t, lr, beta1, beta2, eps,
                              **switches)
    shrink = {"before": 1 - lr * weight_decay, "no lr": 1 - weight_decay,
              "none": 1.0, "after": 1.0}[decay]
    w_new, m_new, v_new = _adam_switched(w * shrink, g, m, v, t, lr, beta1, beta2, eps,
                                         **switches)
    if decay == "after":
        w_new = w_new * (1 - lr * weight_decay)
    return w_new, m_new, v_new


def _adamw_wrong(decay):
    return lambda *args: _adamw_switched(*args, decay=decay)


ADAMW_STEP = Exercise(
    id="05.adamw_step", name="adamw_step", points=2,
    reference=_adamw_step,
    public_cases=[(np.array([1.0, -2.0, 0.5]), np.array([0.5, -1.0, 2.0]),
                   np.array([0.1, -0.2, 0.3]), np.array([0.01, 0.04, 0.5]), 3, 0.05, 0.9, 0.999,
                   1e-8, 0.1),
                  (np.array([0.3, -0.7]), np.array([1e-3, -0.4]), np.zeros(2), np.zeros(2), 1,
                   0.1, 0.9, 0.999, 1e-8, 0.5)],
    hidden_cases=_adamw_cases,
    misconceptions=[
        Misconception(_adamw_wrong("coupled"),
                      "that is Adam(weight_decay=...), the L2 penalty: you added "
                      "weight_decay * w to the gradient, so it went through m and v. AdamW "
                      "decays the weight directly, w * (1 - lr * weight_decay), and the moments "
                      "see the plain gradient"),
        Misconception(_adamw_wrong("after"),
                      "you applied the decay after the Adam step; torch shrinks w first, "
                      "w * (1 - lr * weight_decay), then subtracts the Adam step"),
        Misconception(_adamw_wrong("no lr"),
                      "the decay factor is 1 - lr * weight_decay: in torch's AdamW the decay "
                      "is scaled by the learning rate"),
        Misconception(_adamw_wrong("none"),
                      "you left out the weight decay: first shrink w by the factor "
                      "1 - lr * weight_decay, then take the Adam step"),
    ] + _adam_misconceptions(
        lambda *args, **switches: _adamw_switched(*args, decay="before", **switches))[:6],
)

EXERCISES = [BIAS_CORRECTION, ADAGRAD_STEP, RMSPROP_STEP, ADAM_STEP, ADAMW_STEP]
