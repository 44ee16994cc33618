"""Checking a learner's answer: one line of feedback, never an exception.

An `Exercise` knows the name the learner defines, a reference implementation, public cases
(shown in feedback), hidden cases drawn from a seed the learner never sees, property checks,
and misconception detectors: known wrong answers (a sum instead of a mean, a missing 1/2, a
naive log of the sigmoid, ...) that, when the learner's output matches them, turn a bare
"wrong" into a hint that names the mistake.

Checking has three steps, kept apart so that the grader can run the middle one in a sandboxed
process and the other two in its own:

1. `plan(exercise, seed)`: the argument tuples to call the learner's function with;
2. `run(candidate, cases)`: the learner's outputs (or the exceptions it raised);
3. `judge(exercise, cases, outcomes)`: the verdict, computed only from those outputs and the
   reference, so nothing the learner's code does to its own process can change it.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

RTOL, ATOL = 1e-7, 1e-10
PROPERTY_CREDIT = 0.5


@dataclass
class Misconception:
    """A known wrong answer and the hint to give when the learner's output matches it."""

    wrong: Callable
    hint: str


@dataclass
class Property:
    """A check beyond matching values: call the function on `cases`, then `holds(outputs)`.

    `description` completes the sentence "the values are right on ordinary inputs, but ..."
    and is the hint when the property fails. `holds` receives the list of outputs, one per
    case, and runs in the checking process, never in the learner's.
    """

    description: str
    cases: list
    holds: Callable[[list], bool]


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
    properties: list[Property] = field(default_factory=list)
    hidden_seed: int = 20261121  # check() in a notebook; the grader draws its own seed

    @property
    def assignment(self) -> str:
        return self.id.split(".", 1)[0]


@dataclass
class Case:
    """One call of the learner's function: kind is "public", "hidden" or "property"."""

    kind: str
    index: int  # position within its kind (property cases: index of the property)
    args: tuple


@dataclass
class Outcome:
    """What one call gave: a value, or the exception it raised (type, message, line)."""

    value: object = None
    error: str | None = None  # exception type name
    message: str = ""
    line: int | None = None

    @property
    def not_implemented(self) -> bool:
        return self.error == "NotImplementedError"


@dataclass
class CheckResult:
    """The verdict of `check`: status is "passed", "not attempted" or "failed".

    score is the fraction of the points earned: 1 when everything passes, PROPERTY_CREDIT when
    every value is right but a property fails (right, but not robust at extreme inputs), else
    0. `cases` lists every case as (kind, index, passed) for the grader's records.
    """

    exercise: str
    status: str
    message: str
    score: float
    points: int
    cases: list = field(default_factory=list, repr=False)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def earned(self) -> float:
        return round(self.score * self.points, 2)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return f"{self.exercise}: {self.status}. {self.message}".rstrip()

    __repr__ = __str__

    def _ipython_display_(self) -> None:
        # check() already printed the line: a cell ending in check(...) shows it once
        if getattr(self, "_printed", False):
            self._printed = False
        else:
            print(self)


def same(got, want) -> bool:
    """Whether got equals want to RTOL/ATOL, elementwise, through tuples, lists and dicts."""
    if isinstance(want, str):  # a verdict or a name: exact
        return isinstance(got, str) and got == want
    if isinstance(want, Mapping):
        return isinstance(got, Mapping) and set(got) == set(want) and all(
            same(got[k], want[k]) for k in want)
    if isinstance(want, (tuple, list)) and not _numeric_sequence(want):
        return isinstance(got, (tuple, list)) and len(got) == len(want) and all(
            same(g, w) for g, w in zip(got, want, strict=True))
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    want = np.asarray(want, dtype=float)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=RTOL, atol=ATOL,
                                                        equal_nan=False))


def _numeric_sequence(value) -> bool:
    try:
        return np.asarray(value).dtype.kind in "biuf"
    except (TypeError, ValueError):
        return False


def plan(exercise: Exercise, seed: int | None = None) -> list[Case]:
    """Every call to make: public cases, hidden cases drawn from `seed`, property cases."""
    seed = exercise.hidden_seed if seed is None else seed
    hidden = exercise.hidden_cases(np.random.default_rng(seed))
    cases = [Case("public", i, tuple(a)) for i, a in enumerate(exercise.public_cases)]
    cases += [Case("hidden", i, tuple(a)) for i, a in enumerate(hidden)]
    for p, prop in enumerate(exercise.properties):
        cases += [Case("property", p, tuple(a)) for a in prop.cases]
    return cases


def call(candidate, args: tuple) -> Outcome:
    """Call candidate on copies of args (so it cannot change the cases) and record the result."""
    copies = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    try:
        with np.errstate(all="ignore"):  # overflow is judged from the value, not a warning
            return Outcome(value=candidate(*copies))
    except Exception as error:  # the learner's mistake, reported rather than raised
        frames = traceback.extract_tb(error.__traceback__)
        return Outcome(error=type(error).__name__, message=str(error)[:300],
                       line=frames[-1].lineno if frames else None)


def run(candidate, cases: list[Case]) -> list[Outcome]:
    """The learner's outcome on every case, in order."""
    return [call(candidate, case.args) for case in cases]


def _show(value) -> str:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return repr(value)[:200]
    return f"{float(array):.6g}" if array.ndim == 0 else np.array2string(
        array, precision=4, threshold=8)


def _describe(args) -> str:
    return "(" + ", ".join(_show(a) for a in args) + ")"


def _shape(value):
    try:
        return np.shape(value)
    except (TypeError, ValueError):  # ragged or exotic output: no shape to report
        return None


def judge(exercise: Exercise, cases: list[Case], outcomes: list[Outcome]) -> CheckResult:
    """The verdict from the learner's outcomes; hidden inputs never appear in the message."""
    if len(outcomes) != len(cases):
        raise ValueError(f"judge: {len(outcomes)} outcomes for {len(cases)} cases")
    if any(o.not_implemented for o in outcomes):
        return CheckResult(exercise.id, "not attempted",
                           "replace the `raise NotImplementedError` with your code", 0.0,
                           exercise.points, [(c.kind, c.index, False) for c in cases])
    verdicts, first_problem = [], None
    for case, outcome in zip(cases, outcomes, strict=True):
        if case.kind == "property":
            continue
        ok, problem = _judge_value(exercise, case, outcome)
        verdicts.append((case.kind, case.index, ok))
        if first_problem is None and not ok:
            first_problem = problem
    for p, prop in enumerate(exercise.properties):
        outs = [o for c, o in zip(cases, outcomes, strict=True)
                if c.kind == "property" and c.index == p]
        ok = all(o.error is None for o in outs)
        if ok:
            try:
                with np.errstate(all="ignore"):
                    ok = bool(prop.holds([o.value for o in outs]))
            except Exception:  # an output of the wrong kind fails the property
                ok = False
        verdicts.append(("property", p, ok))
        if first_problem is None and not ok:
            first_problem = f"the values are right on ordinary inputs, but {prop.description}"
    values_right = all(ok for kind, _, ok in verdicts if kind != "property")
    if first_problem is None:
        n_props = len(exercise.properties)
        checks = f" and {n_props} property check{'s' * (n_props != 1)}" if n_props else ""
        return CheckResult(exercise.id, "passed",
                           f"all {len(verdicts) - n_props} cases{checks} passed "
                           f"({exercise.points}/{exercise.points} points)",
                           1.0, exercise.points, verdicts)
    return CheckResult(exercise.id, "failed", first_problem,
                       PROPERTY_CREDIT if values_right else 0.0, exercise.points, verdicts)


def _judge_value(exercise: Exercise, case: Case, outcome: Outcome) -> tuple[bool, str]:
    public = case.kind == "public"
    if outcome.error is not None:
        where = f" (line {outcome.line})" if outcome.line else ""
        if public:
            return False, f"your function raised {outcome.error}: {outcome.message}{where}"
        # the message may quote hidden inputs, so only the type and the line are shown
        return False, f"your function raised {outcome.error} on hidden case " \
                      f"{case.index + 1}{where}; check edge cases"
    got, want = outcome.value, exercise.reference(*case.args)
    if same(got, want):
        return True, ""
    for misconception in exercise.misconceptions:
        try:
            with np.errstate(all="ignore"):
                if same(got, misconception.wrong(*case.args)):
                    return False, misconception.hint
        except Exception:  # a detector that does not apply to this case
            continue
    if _shape(got) != _shape(want):
        return False, f"your result has shape {_shape(got)}, expected {_shape(want)}"
    if public:
        return False, f"for the inputs {_describe(case.args)} you return {_show(got)}, " \
                      f"expected {_show(want)}"
    return False, f"your function passes the public examples but not hidden case " \
                  f"{case.index + 1}; check edge cases"


def borrowed_from(candidate) -> str | None:
    """The lossbook module candidate comes from, if it is the library's own code."""
    origin = str(getattr(candidate, "__module__", None) or "")
    return origin if origin == "lossbook" or origin.startswith("lossbook.") else None


def evaluate(exercise: Exercise, candidate, seed: int | None = None) -> CheckResult:
    """Run every check of `exercise` on `candidate` and return the verdict (never raises)."""
    if candidate is None or not callable(candidate):
        return CheckResult(exercise.id, "not attempted",
                           f"define the function `{exercise.name}` and run its cell", 0.0,
                           exercise.points)
    origin = borrowed_from(candidate)
    if origin:
        return CheckResult(exercise.id, "failed", f"that is lossbook's own function (from "
                           f"{origin}): write your own implementation", 0.0, exercise.points)
    cases = plan(exercise, seed)
    return judge(exercise, cases, run(candidate, cases))
