"""Checking a learner's answer in place: one line of feedback, never an exception.

An `Exercise` knows the name the learner defines, a reference implementation, public cases
(shown in feedback), hidden cases drawn from a seed the learner never sees, property checks,
and misconception detectors: known wrong answers (a sum instead of a mean, a missing 1/2, a
naive log of the sigmoid, ...) that, when the learner's output matches them, turn a bare
"wrong" into a hint that names the mistake.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

RTOL, ATOL = 1e-7, 1e-10


@dataclass
class Misconception:
    """A known wrong answer and the hint to give when the learner's output matches it."""

    wrong: Callable
    hint: str


@dataclass
class Exercise:
    """One checkable exercise, identified as "NN.name" (chapter and name)."""

    id: str
    name: str
    points: int
    reference: Callable
    public_cases: list  # argument tuples, may be shown in feedback
    hidden_cases: Callable[[np.random.Generator], list]  # argument tuples, never shown
    misconceptions: list[Misconception] = field(default_factory=list)
    properties: list[tuple[str, Callable]] = field(default_factory=list)
    hidden_seed: int = 20261121


@dataclass
class CheckResult:
    """The verdict of `check`: status is "passed", "not attempted" or "failed"."""

    exercise: str
    status: str
    message: str
    score: float
    points: int

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return f"{self.exercise}: {self.status}. {self.message}".rstrip()

    __repr__ = __str__


def _same(got, want) -> bool:
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    want = np.asarray(want, dtype=float)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=RTOL, atol=ATOL))


def _describe(args) -> str:
    shown = ", ".join(np.array2string(np.asarray(a), precision=4, threshold=8) for a in args)
    return f"({shown})"


def evaluate(exercise: Exercise, candidate) -> CheckResult:
    """Run every check of `exercise` on `candidate` and return the verdict (never raises)."""

    def result(status, message, score=0.0):
        return CheckResult(exercise.id, status, message, score, exercise.points)

    if candidate is None or not callable(candidate):
        return result("not attempted", f"define the function `{exercise.name}` and run its cell")
    hidden = exercise.hidden_cases(np.random.default_rng(exercise.hidden_seed))
    cases = [(args, True) for args in exercise.public_cases] + [(a, False) for a in hidden]
    for i, (args, public) in enumerate(cases):
        copies = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
        try:
            got = candidate(*copies)
        except NotImplementedError:
            return result("not attempted", "replace the `raise NotImplementedError` with your code")
        except Exception as error:  # the learner's mistake, reported rather than raised
            where = traceback.extract_tb(error.__traceback__)[-1]
            return result("failed", f"your function raised {type(error).__name__}: {error} "
                                    f"(line {where.lineno})")
        want = exercise.reference(*args)
        if _same(got, want):
            continue
        for misconception in exercise.misconceptions:
            try:
                if _same(got, misconception.wrong(*args)):
                    return result("failed", misconception.hint)
            except Exception:  # a detector that does not apply to this case
                continue
        if np.shape(got) != np.shape(want):
            return result("failed", f"your result has shape {np.shape(got)}, expected "
                                    f"{np.shape(want)}")
        if public:
            return result("failed", f"for the inputs {_describe(args)} you return "
                                    f"{np.asarray(got)!r}, expected {np.asarray(want)!r}")
        return result("failed", f"your function passes the public examples but not hidden "
                                f"case {i - len(exercise.public_cases) + 1}; check edge cases")
    for description, holds in exercise.properties:
        try:
            ok = bool(holds(candidate))
        except Exception as error:
            ok, description = False, f"{description} (it raised {type(error).__name__})"
        if not ok:
            return result("failed", f"the values are right on ordinary inputs, but {description}")
    return result("passed", f"all {len(cases)} cases and {len(exercise.properties)} checks "
                            f"passed ({exercise.points}/{exercise.points} points)", 1.0)
