"""Values as JSON, for the grader's sandbox: inputs go in, the learner's outputs come out.

Nothing is unpickled: what a submission sends back is data (numbers, arrays, tuples, lists,
dicts with string keys, short strings), decoded with a size limit and a list of allowed array
dtypes, so a hostile submission cannot run code in the grader by crafting its output.
Arrays keep their dtype and shape; floats round-trip exactly (JSON carries repr(float)).
"""

from __future__ import annotations

import math

import numpy as np

MAX_ELEMENTS = 1_000_000  # per array: far more than any exercise returns
DTYPES = {"float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"}


class DecodeError(ValueError):
    """A message that is not a value this codec writes."""


def encode(value, *, depth: int = 0):
    """A JSON-ready form of value; anything else becomes {"unsupported": type name}."""
    if depth > 20:
        return {"unsupported": "nesting deeper than 20"}
    if value is None or isinstance(value, (bool, str)):
        return value if not isinstance(value, str) else value[:1000]
    if isinstance(value, (int, float, np.generic, np.ndarray)):
        array = np.asarray(value)
        if array.dtype.name not in DTYPES:
            return {"unsupported": f"array of dtype {array.dtype.name}"}
        if array.size > MAX_ELEMENTS:
            return {"unsupported": f"array of {array.size} elements"}
        data = array.ravel().tolist()
        kind = "scalar" if not isinstance(value, np.ndarray) else "array"
        return {kind: array.dtype.name, "shape": list(array.shape), "data": data}
    if isinstance(value, (tuple, list)):
        return {type(value).__name__: [encode(v, depth=depth + 1) for v in value[:10_000]]}
    if isinstance(value, dict):
        return {"dict": {str(k): encode(v, depth=depth + 1) for k, v in list(value.items())[
            :10_000]}}
    try:  # array-likes (a torch tensor, a memoryview): their values, if numpy can read them
        return encode(np.asarray(value, dtype=float), depth=depth + 1)
    except Exception:
        return {"unsupported": type(value).__name__[:100]}


class Unsupported:
    """A value the learner returned that the codec does not carry (shown by its type)."""

    def __init__(self, what: str):
        self.what = str(what)[:200]

    def __repr__(self) -> str:
        return f"<{self.what}>"


def decode(data, *, depth: int = 0):
    """The value encode() described; raises DecodeError on anything else."""
    if depth > 21:
        raise DecodeError("nesting too deep")
    if data is None or isinstance(data, (bool, str)):
        return data
    if not isinstance(data, dict) or len(data) not in (1, 3):
        raise DecodeError(f"unexpected {type(data).__name__}")
    if "unsupported" in data:
        return Unsupported(data["unsupported"])
    if "tuple" in data or "list" in data:
        items = data.get("tuple", data.get("list"))
        if not isinstance(items, list):
            raise DecodeError("a sequence must be a list")
        out = [decode(v, depth=depth + 1) for v in items]
        return tuple(out) if "tuple" in data else out
    if "dict" in data:
        if not isinstance(data["dict"], dict):
            raise DecodeError("a dict must be an object")
        return {str(k): decode(v, depth=depth + 1) for k, v in data["dict"].items()}
    kind = "array" if "array" in data else "scalar" if "scalar" in data else None
    if kind is None:
        raise DecodeError(f"unknown value kind {sorted(data)}")
    dtype, shape, values = data[kind], data.get("shape"), data.get("data")
    if dtype not in DTYPES:
        raise DecodeError(f"dtype {dtype!r} is not allowed")
    if not (isinstance(shape, list) and all(isinstance(s, int) and s >= 0 for s in shape)
            and isinstance(values, list)):
        raise DecodeError("malformed array")
    if math.prod(shape) != len(values) or len(values) > MAX_ELEMENTS:
        raise DecodeError("array size does not match its shape")
    if not all(isinstance(v, (int, float, bool)) for v in values):
        raise DecodeError("array elements must be numbers")
    array = np.array(values, dtype=dtype).reshape(shape)
    return array if kind == "array" else array[()]
