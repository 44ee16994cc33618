"""The sandbox's pieces: values cross the process boundary as data (never pickles) and
unchanged, and notebook magics become Python that compiles."""

import json

import numpy as np
import pytest

from lossbook.exercises.codec import DecodeError, Unsupported, decode, encode
from lossbook.exercises.sandbox import python_source


@pytest.mark.parametrize("value", [
    np.float64(0.1) + np.float64(0.2), np.float32(1e-30), 3, -0.0, np.inf, True, None, "s",
    np.arange(6, dtype=np.int32).reshape(2, 3), np.array([1e-300, -np.inf, np.nan]),
    (np.ones(2), 1.5), [np.zeros((0, 3)), 2], {"w": np.ones(3), "b": 0.5},
])
def test_values_round_trip_exactly_through_json(value):
    back = decode(json.loads(json.dumps(encode(value))))
    if isinstance(value, dict):
        assert set(back) == set(value)
        for k in value:
            np.testing.assert_array_equal(back[k], value[k])
    elif isinstance(value, (tuple, list)):
        assert type(back) is type(value) and len(back) == len(value)
        for b, v in zip(back, value, strict=True):
            np.testing.assert_array_equal(b, v)
    elif value is None or isinstance(value, (bool, str)):
        assert back == value
    else:
        np.testing.assert_array_equal(back, value)
        assert np.asarray(back).dtype == np.asarray(value).dtype
        assert np.signbit(back).tolist() == np.signbit(value).tolist()


def test_what_json_cannot_carry_is_named_not_executed():
    assert isinstance(decode(encode(object())), Unsupported)
    assert "object" in repr(decode(encode(np.array([object()]))))


@pytest.mark.parametrize("message", [
    {"array": "object", "shape": [1], "data": [1]},
    {"array": "float64", "shape": [2], "data": [1.0]},
    {"array": "float64", "shape": [1], "data": ["__import__('os')"]},
    {"pickle": "gASVAAAAAAAAAAA="},
    [1, 2],
    {"tuple": "not a list"},
])
def test_malformed_or_hostile_messages_are_refused(message):
    with pytest.raises(DecodeError):
        decode(message)


def test_magics_and_shell_escapes_become_python():
    source = "%matplotlib inline\nx = 1\nif x:\n    !ls\n    y = 2"
    converted = python_source(source)
    namespace = {}
    exec(compile(converted, "<cell>", "exec"), namespace)
    assert namespace["y"] == 2
    assert python_source("%%timeit\nz = 3") == "z = 3"
    assert python_source("%%bash\nls -l") is None
