"""lossbook.optim against independent numbers, without torch.

* the worked iterates of reference/parity.md section 6.5 (torch's numbers for
  f(w) = (w - 3)^2 / 2 from w0 = 0);
* two steps of each update rule written out by hand on a 2-vector;
* the contract of `step`: inputs never mutated, same type/keys/shapes/dtype back, `reset()`,
  state per dict key;
* validation: bad hyper-parameters and bad inputs raise errors that name the culprit;
* learning-rate schedules at hand-computed points, and their argument checks.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal, assert_array_max_ulp

from lossbook.optim import SGD, Adagrad, Adam, AdamW, RMSprop, schedules

RTOL = 1e-14

# --------------------------------------------------------------------------- (a) parity.md 6.5


def row(cls, kwargs, iterates, dtype=np.float64):
    """The row for 0-d parameters and for shape (1,)."""
    label = ",".join(f"{k}={v}" for k, v in kwargs.items())
    label = f"{cls.__name__}({label}){'-float32' if dtype == np.float32 else ''}"
    return [pytest.param(cls, kwargs, iterates, dtype, shape, id=f"{label}-{shape}")
            for shape in ((), (1,))]


WORKED = [
    *row(SGD, {"lr": 0.1}, (0.30000000000000004, 0.5700000000000001, 0.8130000000000001)),
    *row(SGD, {"lr": 0.1, "momentum": 0.9},
        (0.30000000000000004, 0.8400000000000001, 1.5420000000000003)),
    *row(SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.5},
        (0.30000000000000004, 0.7050000000000002, 1.1842500000000002)),
    *row(SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True},
        (0.5700000000000001, 1.2747000000000002, 2.018037)),
    *row(SGD, {"lr": 0.1, "weight_decay": 0.1},
        (0.30000000000000004, 0.5670000000000001, 0.8046300000000001)),
    *row(SGD, {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1},
        (0.30000000000000004, 0.8370000000000002, 1.5282300000000004)),
    *row(Adagrad, {"lr": 0.5}, (0.49999999998333333, 0.8200921998086359, 1.0638011280356088)),
    *row(Adagrad, {"lr": 0.5, "lr_decay": 0.1, "initial_accumulator_value": 0.1},
        (0.49724515808236336, 0.7874780065074023, 0.9922954652774448)),
    *row(Adagrad, {"lr": 0.5, "weight_decay": 0.1},
        (0.49999999998333333, 0.8162672854077997, 1.0547653782443986)),
    *row(RMSprop, {"lr": 0.01}, (0.09999999666666673, 0.16968254807667624, 0.22611142758557562)),
    *row(RMSprop, {"lr": 0.1}, (0.9999999666666675, 1.5566302975689352, 1.931005061937178)),
    *row(RMSprop, {"lr": 0.1, "centered": True},
        (1.0050377815891791, 1.566090036514026, 1.9437756221024662)),
    *row(RMSprop, {"lr": 0.1, "momentum": 0.9},
        (0.9999999666666674, 2.4566302675689355, 3.9178617201573513)),
    *row(RMSprop, {"lr": 0.1, "alpha": 0.9},
        (0.3162277626835047, 0.5331792166690682, 0.7082342052627744)),
    *row(Adam, {"lr": 0.1}, (0.09999999966666667, 0.19989729224944813, 0.2996184760421756)),
    *row(Adam, {"lr": 0.1, "betas": (0.5, 0.9)},
        (0.09999999966666669, 0.19950953076889838, 0.2982350805006065)),
    *row(Adam, {"lr": 0.1, "amsgrad": True},
        (0.09999999966666667, 0.19989729224944813, 0.2996184760421756)),
    *row(Adam, {"lr": 0.1, "weight_decay": 0.1},
        (0.09999999966666667, 0.1998852214852417, 0.2995729794425311)),
    *row(AdamW, {"lr": 0.1, "weight_decay": 0.1},
        (0.09999999966666667, 0.19889729225278147, 0.2966311510313846)),
    *row(AdamW, {"lr": 0.1}, (0.09999999966666667, 0.1997972922497815, 0.2993188436801535)),
    *row(Adam, {"lr": 0.1}, (0.09999999403953552, 0.19989728927612305, 0.2996184825897217),
        np.float32),
]


def quadratic_iterates(cls, kwargs, n=3, dtype=np.float64, shape=()):
    """w_1 .. w_n of the optimizer on f(w) = (w - 3)^2 / 2 (gradient w - 3) from w_0 = 0."""
    opt = cls(**kwargs)
    w = np.zeros(shape, dtype)
    iterates = []
    for _ in range(n):
        w = opt.step(w, w - dtype(3))
        assert (type(w), w.shape, w.dtype) == (np.ndarray, shape, dtype)
        iterates.append(w.item())
    return np.array(iterates, dtype)


@pytest.mark.parametrize(("cls", "kwargs", "expected", "dtype", "shape"), WORKED)
def test_worked_iterates_of_parity_md(cls, kwargs, expected, dtype, shape):
    got = quadratic_iterates(cls, kwargs, dtype=dtype, shape=shape)
    if dtype == np.float64:
        assert_allclose(got, expected, rtol=RTOL, atol=0)
    else:
        # float32 iterates are only reproducible to the last bit on one machine: torch 2.13.0
        # itself gives w1 = 0.10000000149011612 (one ulp above the table) on AVX2/AVX512/DEFAULT
        # CPU kernels, because its addcmul rounds (1 - beta2) g first, then times g.
        assert_array_max_ulp(got, np.array(expected, np.float32), maxulp=1)


def test_amsgrad_first_differs_from_adam_at_iterate_34():
    """parity.md 6.5: on the quadratic with lr = 0.1 torch's AMSGrad leaves Adam at w_34."""
    plain = quadratic_iterates(Adam, {"lr": 0.1}, n=40)
    with_max = quadratic_iterates(Adam, {"lr": 0.1, "amsgrad": True}, n=40)
    assert np.flatnonzero(plain != with_max)[0] + 1 == 34


# --------------------------------------------------------------------------- (b) by hand

P0 = np.array([1.0, -2.0])
G1 = np.array([0.5, -1.0])
G2 = np.array([0.25, 0.1])  # |G2| < |G1| in the second entry: Adam's v falls, AMSGrad keeps max


def sgd_by_hand():
    # SGD(lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.1)
    d1 = G1 + 0.1 * P0                   # [0.6, -1.2]; first buffer = d1, no dampening
    p1 = P0 - 0.1 * d1                   # [0.94, -1.88]
    buf = 0.9 * d1 + 0.5 * (G2 + 0.1 * p1)
    return p1, p1 - 0.1 * buf


def nesterov_by_hand():
    # SGD(lr=0.1, momentum=0.9, nesterov=True)
    p1 = P0 - 0.1 * (G1 + 0.9 * G1)      # buffer = G1
    buf = 0.9 * G1 + G2
    return p1, p1 - 0.1 * (G2 + 0.9 * buf)


def adagrad_by_hand():
    # Adagrad(lr=0.1, lr_decay=0.5, initial_accumulator_value=0.25, eps=1e-3)
    s1 = 0.25 + G1**2
    p1 = P0 - 0.1 * G1 / (np.sqrt(s1) + 1e-3)
    s2 = s1 + G2**2
    return p1, p1 - 0.1 / (1 + 0.5) * G2 / (np.sqrt(s2) + 1e-3)


def rmsprop_by_hand():
    # RMSprop(lr=0.01, alpha=0.9, eps=1e-3, momentum=0.5, centered=True)
    v1, m1 = 0.1 * G1**2, 0.1 * G1
    b1 = G1 / (np.sqrt(v1 - m1**2) + 1e-3)
    p1 = P0 - 0.01 * b1
    v2, m2 = 0.9 * v1 + 0.1 * G2**2, 0.9 * m1 + 0.1 * G2
    b2 = 0.5 * b1 + G2 / (np.sqrt(v2 - m2**2) + 1e-3)
    return p1, p1 - 0.01 * b2


def adam_by_hand():
    # Adam(lr=0.01, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1, amsgrad=True)
    g1 = G1 + 0.1 * P0
    m1, v1 = 0.2 * g1, 0.1 * g1**2
    p1 = P0 - 0.01 / (1 - 0.8) * m1 / (np.sqrt(v1) / np.sqrt(1 - 0.9) + 1e-3)
    g2 = G2 + 0.1 * p1
    m2, v2 = 0.8 * m1 + 0.2 * g2, 0.9 * v1 + 0.1 * g2**2
    v_max = np.maximum(v1, v2)
    assert (v2 < v1).any()  # the example does exercise the maximum
    return p1, p1 - 0.01 / (1 - 0.8**2) * m2 / (np.sqrt(v_max) / np.sqrt(1 - 0.9**2) + 1e-3)


def adamw_by_hand():
    # AdamW(lr=0.01, weight_decay=0.5): shrink p by 1 - lr wd, then Adam on the raw gradient
    m1, v1 = 0.1 * G1, 0.001 * G1**2
    p1 = P0 * (1 - 0.005) - 0.01 / 0.1 * m1 / (np.sqrt(v1) / np.sqrt(0.001) + 1e-8)
    m2, v2 = 0.9 * m1 + 0.1 * G2, 0.999 * v1 + 0.001 * G2**2
    bc1, bc2 = 1 - 0.9**2, 1 - 0.999**2
    return p1, p1 * (1 - 0.005) - 0.01 / bc1 * m2 / (np.sqrt(v2) / np.sqrt(bc2) + 1e-8)


BY_HAND = [
    (SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.5, "weight_decay": 0.1}, sgd_by_hand),
    (SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}, nesterov_by_hand),
    (Adagrad, {"lr": 0.1, "lr_decay": 0.5, "initial_accumulator_value": 0.25, "eps": 1e-3},
     adagrad_by_hand),
    (RMSprop, {"lr": 0.01, "alpha": 0.9, "eps": 1e-3, "momentum": 0.5, "centered": True},
     rmsprop_by_hand),
    (Adam, {"lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-3, "weight_decay": 0.1, "amsgrad": True},
     adam_by_hand),
    (AdamW, {"lr": 0.01, "weight_decay": 0.5}, adamw_by_hand),
]


@pytest.mark.parametrize(("cls", "kwargs", "by_hand"), BY_HAND,
                         ids=[by_hand.__name__ for _, _, by_hand in BY_HAND])
def test_two_steps_by_hand(cls, kwargs, by_hand):
    opt = cls(**kwargs)
    p1 = opt.step(P0, G1)
    p2 = opt.step(p1, G2)
    expected1, expected2 = by_hand()
    assert_allclose(p1, expected1, rtol=1e-13)
    assert_allclose(p2, expected2, rtol=1e-13)


# --------------------------------------------------------------------------- (c) the contract

CONFIGS = [
    pytest.param(SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1},
                 id="SGD"),
    pytest.param(SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}, id="SGD-nesterov"),
    pytest.param(Adagrad, {"lr": 0.1, "lr_decay": 0.1, "weight_decay": 0.1,
                           "initial_accumulator_value": 0.1}, id="Adagrad"),
    pytest.param(RMSprop, {"lr": 0.01, "weight_decay": 0.1, "momentum": 0.5, "centered": True},
                 id="RMSprop"),
    pytest.param(Adam, {"lr": 0.1, "weight_decay": 0.1, "amsgrad": True}, id="Adam"),
    pytest.param(AdamW, {"lr": 0.1, "weight_decay": 0.1, "amsgrad": True}, id="AdamW"),
]
ALL_CLASSES = [SGD, Adagrad, RMSprop, Adam, AdamW]


def dict_problem(seed=0, dtype=np.float64):
    """Parameters {"w": (3, 2), "b": (2,)} and a gradient function (of a non-quadratic f)."""
    rng = np.random.default_rng(seed)
    params = {"w": rng.normal(size=(3, 2)).astype(dtype), "b": rng.normal(size=2).astype(dtype)}

    def grad(p):
        return {k: np.tanh(v - 0.5).astype(dtype) for k, v in p.items()}

    return params, grad


def array_problem(seed=0, dtype=np.float64):
    params, grad = dict_problem(seed, dtype)
    return params["w"], lambda p: grad({"w": p})["w"]


PROBLEMS = {"array": array_problem, "dict": dict_problem}


def trajectory(opt, params, grad, n=5):
    """The n iterates of opt from params."""
    out = []
    for _ in range(n):
        params = opt.step(params, grad(params))
        out.append(params)
    return out


def as_dict(x):
    return x if isinstance(x, dict) else {"": x}


def flat(x):
    return np.concatenate([np.ravel(v) for v in as_dict(x).values()])


def copy_of(x):
    return {k: v.copy() for k, v in x.items()} if isinstance(x, dict) else x.copy()


def assert_same(a, b):
    """Equal to the last bit, with the same type, keys, shapes and dtypes."""
    assert type(a) is type(b)
    a, b = as_dict(a), as_dict(b)
    assert list(a) == list(b)
    for key in a:
        assert a[key].dtype == b[key].dtype, key
        assert_array_equal(a[key], b[key], err_msg=key)


def read_only(x):
    for v in as_dict(x).values():
        v.flags.writeable = False
    return x


@pytest.mark.parametrize("form", PROBLEMS)
@pytest.mark.parametrize(("cls", "kwargs"), CONFIGS)
def test_step_never_mutates_its_inputs(cls, kwargs, form):
    params, grad = PROBLEMS[form]()
    opt = cls(**kwargs)
    for _ in range(4):
        grads = grad(params)
        saved_params, saved_grads = copy_of(params), copy_of(grads)
        new = opt.step(read_only(params), read_only(grads))  # in-place writes would raise
        assert_same(params, saved_params)
        assert_same(grads, saved_grads)
        for key, value in as_dict(new).items():
            assert value.flags.writeable, key
            assert not np.shares_memory(value, as_dict(params)[key]), key
            assert not np.shares_memory(value, as_dict(grads)[key]), key
        params = new


@pytest.mark.parametrize("form", PROBLEMS)
@pytest.mark.parametrize(("cls", "kwargs"), CONFIGS)
def test_no_aliasing_between_calls(cls, kwargs, form):
    """Earlier results are not rewritten by later steps, and a caller who reuses one gradient
    buffer (overwriting it in place after each step) gets the same iterates as one who
    allocates fresh gradients: the optimizer keeps no reference to either."""
    params, grad = PROBLEMS[form]()
    opt, current, fresh, snapshots = cls(**kwargs), params, [], []
    for _ in range(5):
        current = opt.step(current, grad(current))
        fresh.append(current)
        snapshots.append(copy_of(current))
    opt, buffer, current, reused = cls(**kwargs), copy_of(grad(params)), params, []
    for _ in range(len(fresh)):
        for key, value in as_dict(grad(current)).items():
            as_dict(buffer)[key][...] = value
        current = opt.step(current, buffer)
        reused.append(current)
        for key in as_dict(buffer):
            as_dict(buffer)[key][...] = np.nan  # the caller scribbles over its buffer
    for a, b, c in zip(fresh, snapshots, reused, strict=True):
        assert_same(a, b)
        assert_same(a, c)


@pytest.mark.parametrize("form", PROBLEMS)
@pytest.mark.parametrize(("cls", "kwargs"), CONFIGS)
def test_caller_may_edit_the_returned_params_in_place(cls, kwargs, form):
    """Projected descent clips each result in place: the optimizer's state must not see it."""
    params, grad = PROBLEMS[form]()
    runs = []
    for in_place in (False, True):
        opt, current, path = cls(**kwargs), params, []
        for _ in range(5):
            current = opt.step(current, grad(current))
            if in_place:
                for value in as_dict(current).values():
                    np.clip(value, -0.5, 0.5, out=value)
            else:
                current = ({k: np.clip(v, -0.5, 0.5) for k, v in current.items()}
                           if form == "dict" else np.clip(current, -0.5, 0.5))
            path.append(copy_of(current))
        runs.append(path)
    for a, b in zip(*runs, strict=True):
        assert_same(a, b)


@pytest.mark.parametrize(("cls", "kwargs"), CONFIGS)
def test_step_returns_the_same_type_keys_shapes_and_dtype(cls, kwargs):
    for dtype in (np.float64, np.float32):
        params, grad = dict_problem(dtype=dtype)
        params = {"b": params["b"], "w": params["w"], "s": np.asarray(0.5, dtype)}
        g = grad(params)
        grads = {"s": g["s"], "w": g["w"], "b": g["b"]}  # not in params' key order
        opt = cls(**kwargs)
        for _ in range(3):
            new = opt.step(params, grads)
            assert type(new) is dict
            assert list(new) == list(params)
            for key, value in new.items():
                assert type(value) is np.ndarray, key
                assert (value.shape, value.dtype) == (params[key].shape, dtype), key
            array = opt.step(params["w"], grads["w"])
            assert type(array) is np.ndarray
            assert (array.shape, array.dtype) == ((3, 2), dtype)
            params = new


@pytest.mark.parametrize(("cls", "kwargs"), CONFIGS)
def test_dtype_follows_the_params(cls, kwargs):
    w = np.array([1.0, -2.0, 0.5])
    g = np.array([0.3, 0.1, -0.2])
    cases = [(w.astype(np.float32), g, np.float32), (w, g.astype(np.float32), np.float64),
             (np.array([1, -2, 3]), g, np.float64), (w.tolist(), g.tolist(), np.float64)]
    for params, grads, dtype in cases:
        assert cls(**kwargs).step(params, grads).dtype == dtype


@pytest.mark.parametrize("form", PROBLEMS)
@pytest.mark.parametrize(("cls", "kwargs"), CONFIGS)
def test_reset_makes_the_next_run_repeat_the_first(cls, kwargs, form):
    params, grad = PROBLEMS[form]()
    opt = cls(**kwargs)
    first = trajectory(opt, params, grad)
    again = trajectory(opt, params, grad)
    assert not np.array_equal(flat(first[0]), flat(again[0]))  # without reset, state carries
    opt.reset()
    for a, b in zip(first, trajectory(opt, params, grad), strict=True):
        assert_same(a, b)


@pytest.mark.parametrize(("cls", "kwargs"), CONFIGS)
def test_state_is_kept_per_key(cls, kwargs):
    """Stepping {"w", "b"} together = stepping each alone with its own optimizer, even when
    one key's gradient is much larger than the other's (shared accumulators would show)."""
    params, _ = dict_problem()
    scale = {"w": 100.0, "b": 1.0}

    def lopsided(p):
        return {k: scale[k] * np.tanh(v - 0.5) for k, v in p.items()}

    together = trajectory(cls(**kwargs), params, lopsided)
    for key in params:
        alone = trajectory(cls(**kwargs), params[key], lambda p, k=key: lopsided({k: p})[k])
        for a, b in zip(together, alone, strict=True):
            assert_array_equal(a[key], b, err_msg=key)


@pytest.mark.parametrize("form", PROBLEMS)
@pytest.mark.parametrize(("cls", "kwargs"), CONFIGS)
def test_params_of_a_new_shape_are_refused_or_stepped_as_they_are(cls, kwargs, form):
    """Reusing an optimizer on parameters of another shape without reset(): a ValueError, or a
    result of the new shape, never the old state broadcast into the new parameters."""
    params, grad = PROBLEMS[form]()
    opt = cls(**kwargs)
    trajectory(opt, params, grad, n=2)
    smaller = {k: v[:1] for k, v in as_dict(params).items()}
    smaller = smaller if form == "dict" else smaller[""]
    try:
        new = opt.step(smaller, grad(smaller))
    except ValueError:
        return
    for key, value in as_dict(new).items():
        assert value.shape == as_dict(smaller)[key].shape, key


# --------------------------------------------------------------------------- (d) validation


def bad(cls, kwargs, error, name):
    return pytest.param(cls, kwargs, error, name,
                        id=f"{cls.__name__}-{','.join(f'{k}={v!r}' for k, v in kwargs.items())}")


NUMERIC = {
    SGD: ("lr", "momentum", "dampening", "weight_decay"),
    Adagrad: ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"),
    RMSprop: ("lr", "alpha", "eps", "weight_decay", "momentum"),
    Adam: ("lr", "eps", "weight_decay"),
    AdamW: ("lr", "eps", "weight_decay"),
}

BAD_HYPER = [
    *(bad(cls, {name: value}, ValueError, name)
      for cls, names in NUMERIC.items() for name in names
      for value in (-0.1, float("nan"), float("inf"))),
    *(bad(cls, {name: value}, TypeError, name)
      for cls, names in NUMERIC.items() for name in names
      for value in ("fast", "0.1", b"0.1", None, True, [0.1])),
    bad(RMSprop, {"alpha": 1.5}, ValueError, "alpha"),
    *(bad(cls, {"betas": betas}, ValueError, "betas")
      for cls in (Adam, AdamW)
      for betas in ((1.0, 0.999), (0.9, 1.0), (-0.1, 0.999), (0.9, -0.1), (0.9, 0.999, 0.5),
                    (0.9,), 0.9, (0.9, float("nan")))),
    bad(Adam, {"betas": ("0.9", 0.999)}, TypeError, "betas"),
    bad(AdamW, {"betas": (0.9, None)}, TypeError, "betas"),
    bad(SGD, {"nesterov": True}, ValueError, "nesterov"),
    bad(SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, ValueError, "nesterov"),
]


@pytest.mark.parametrize(("cls", "kwargs", "error", "name"), BAD_HYPER)
def test_bad_hyperparameters_are_rejected_by_name(cls, kwargs, error, name):
    with pytest.raises(error, match=re.escape(name)):
        cls(**kwargs)


@pytest.mark.parametrize(("cls", "kwargs"), [
    (SGD, {"lr": 0, "momentum": 0, "dampening": 1, "weight_decay": 0}),
    (SGD, {"momentum": 1e-3, "nesterov": True}),
    (Adagrad, {"lr": 0, "lr_decay": 0, "initial_accumulator_value": 0, "eps": 0}),
    (RMSprop, {"alpha": 0}), (RMSprop, {"alpha": 1}), (RMSprop, {"eps": 0}),
    (Adam, {"betas": (0, 0), "eps": 0}), (Adam, {"betas": [0.5, 0.5]}),
    (AdamW, {"betas": (0.999, 0.0), "weight_decay": 0}),
])
def test_boundary_hyperparameters_are_accepted(cls, kwargs):
    """torch accepts these too: validation must not be stricter than the rule needs."""
    assert np.isfinite(cls(**kwargs).step(np.ones(2), np.ones(2))).all()


BAD_STEP = {
    "shapes differ": (np.zeros(3), np.zeros(4), ValueError, "shape"),
    "transposed": (np.zeros((3, 2)), np.zeros((2, 3)), ValueError, "shape"),
    "(n,) vs (n, 1)": (np.zeros(3), np.zeros((3, 1)), ValueError, "shape"),
    "dict shapes differ": ({"w": np.zeros(2)}, {"w": np.zeros(3)}, ValueError, "shape"),
    "keys differ": ({"w": np.zeros(2)}, {"v": np.zeros(2)}, ValueError, "keys"),
    "extra key": ({"w": np.zeros(2)}, {"w": np.zeros(2), "b": np.zeros(1)}, ValueError, "keys"),
    "array params, dict grads": (np.zeros(2), {"w": np.zeros(2)}, TypeError, "dict"),
    "dict params, array grads": ({"w": np.zeros(2)}, np.zeros(2), TypeError, "dict"),
    "NaN in grads": (np.zeros(3), np.array([0.0, np.nan, 1.0]), ValueError, "grads"),
    "inf in grads": (np.zeros(3), np.array([0.0, 1.0, -np.inf]), ValueError, "grads"),
    "NaN in dict grads": ({"w": np.zeros(2)}, {"w": np.array([np.nan, 0.0])}, ValueError,
                          "grads"),
    "NaN in params": (np.array([np.nan, 0.0]), np.zeros(2), ValueError, "params"),
    "text grads": (np.zeros(2), np.array(["a", "b"]), TypeError, "grads"),
    "None grads": (np.zeros(2), None, TypeError, "grads"),
}


@pytest.mark.parametrize("cls", ALL_CLASSES)
@pytest.mark.parametrize(("params", "grads", "error", "name"), BAD_STEP.values(), ids=BAD_STEP)
def test_bad_step_inputs_are_rejected_by_name(cls, params, grads, error, name):
    with pytest.raises(error, match=re.escape(name)):
        cls().step(params, grads)


@pytest.mark.parametrize("form", ["array", "dict"])
def test_a_rejected_step_leaves_the_optimizer_unchanged(form):
    """After a ValueError the optimizer behaves as if the failed call had not happened."""
    params = {"w": np.zeros(2), "b": np.zeros(1)}
    grads = {"w": np.ones(2), "b": np.ones(1)}
    broken = {"w": np.ones(2), "b": np.array([np.nan])}
    if form == "array":
        params, grads, broken = params["b"], grads["b"], broken["b"]
    opt = SGD(lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="grads"):
        opt.step(params, broken)
    assert_same(opt.step(params, grads), SGD(lr=0.1, momentum=0.9).step(params, grads))


# --------------------------------------------------------------------------- (e) schedules

HALF_SQRT2 = np.sqrt(2) / 2

SCHEDULE_POINTS = [
    (schedules.constant(0.3), {0: 0.3, 1: 0.3, 1000: 0.3}),
    (schedules.step(0.1, step_size=10, gamma=0.5), {0: 0.1, 9: 0.1, 10: 0.05, 25: 0.025}),
    (schedules.step(0.2, step_size=3), {2: 0.2, 3: 0.02, 6: 0.002}),
    (schedules.exponential(0.1, gamma=0.5), {0: 0.1, 1: 0.05, 3: 0.0125}),
    (schedules.inverse_time(0.1, decay=0.5), {0: 0.1, 2: 0.05, 8: 0.02}),
    (schedules.cosine(0.1, T_max=100), {0: 0.1, 50: 0.05, 100: 0.0, 150: 0.05, 200: 0.1}),
    (schedules.cosine(0.1, T_max=100, eta_min=0.02),
     {0: 0.1, 50: 0.06, 100: 0.02, 200: 0.1, 25: 0.02 + 0.08 * (1 + HALF_SQRT2) / 2}),
    (schedules.cosine(1.0, T_max=3), {1: 0.75, 2: 0.25, 3: 0.0, 4: 0.25}),
    (schedules.warmup_cosine(1.0, warmup_steps=10, total_steps=30),
     {0: 0.1, 5: 0.55, 9: 0.91, 10: 1.0, 20: 0.5, 25: (1 - HALF_SQRT2) / 2, 30: 0.0}),
    (schedules.warmup_cosine(2.0, warmup_steps=4, total_steps=8, start_factor=0.5,
                             eta_min=0.4),
     {0: 1.0, 2: 1.5, 4: 2.0, 6: 1.2, 8: 0.4}),
]


@pytest.mark.parametrize(("schedule", "points"), SCHEDULE_POINTS, ids=repr)
def test_schedule_at_hand_computed_points(schedule, points):
    for t, expected in points.items():
        assert_allclose(schedule(t), expected, rtol=RTOL, atol=1e-17, err_msg=f"t={t}")
    n = max(points) + 1
    values = schedule.values(n)
    assert values.shape == (n,)
    assert_allclose(values[list(points)], list(points.values()), rtol=RTOL, atol=1e-17)


NOT_AN_INTEGER = (TypeError, ValueError)

BAD_SCHEDULES = {  # label: (call, the argument the message must name, exception)
    "step_size 0": (lambda: schedules.step(0.1, step_size=0), "step_size", ValueError),
    "step_size 2.5": (lambda: schedules.step(0.1, step_size=2.5), "step_size", NOT_AN_INTEGER),
    "step gamma < 0": (lambda: schedules.step(0.1, 2, gamma=-0.5), "gamma", ValueError),
    "negative lr": (lambda: schedules.constant(-0.1), "lr", ValueError),
    "exponential gamma < 0": (lambda: schedules.exponential(0.1, gamma=-0.5), "gamma",
                              ValueError),
    "inverse_time decay < 0": (lambda: schedules.inverse_time(0.1, decay=-1.0), "decay",
                               ValueError),
    "T_max 0": (lambda: schedules.cosine(0.1, T_max=0), "T_max", ValueError),
    "eta_min < 0": (lambda: schedules.cosine(0.1, T_max=10, eta_min=-0.1), "eta_min",
                    ValueError),
    "total = warmup": (lambda: schedules.warmup_cosine(0.1, 10, 10), "total_steps", ValueError),
    "total < warmup": (lambda: schedules.warmup_cosine(0.1, 10, 5), "total_steps", ValueError),
    "warmup 0": (lambda: schedules.warmup_cosine(0.1, 0, 5), "warmup_steps", ValueError),
    "start_factor 0": (lambda: schedules.warmup_cosine(0.1, 2, 5, start_factor=0),
                       "start_factor", ValueError),
    "start_factor > 1": (lambda: schedules.warmup_cosine(0.1, 2, 5, start_factor=1.5),
                         "start_factor", ValueError),
    "negative t": (lambda: schedules.cosine(0.1, T_max=10)(-1), r"\bt\b", ValueError),
    "fractional t": (lambda: schedules.step(0.1, step_size=2)(1.5), r"\bt\b", NOT_AN_INTEGER),
}


@pytest.mark.parametrize(("make", "name", "error"), BAD_SCHEDULES.values(), ids=BAD_SCHEDULES)
def test_bad_schedule_arguments_are_rejected_by_name(make, name, error):
    with pytest.raises(error, match=name):
        make()
