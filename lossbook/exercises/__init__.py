"""Exercises that learners check in place (`check`), with feedback that names the mistake.

    from lossbook.exercises import check
    check("02.huber", huber)      # prints one line: passed / not attempted / failed + hint

The registry holds each exercise's reference, public and hidden cases, property checks and
misconception detectors (`_core.Exercise`); chapters add theirs in `catalog_NN.py` modules.
`build` writes the student notebooks from the instructor's (`lossbook build-exercises`);
`grade` grades folders of submissions in a sandboxed process (`lossbook grade`).
"""

from __future__ import annotations

from ._core import CheckResult, Exercise, Misconception, Property, evaluate
from .catalog_02 import EXERCISES as _CHAPTER_02

EXERCISES: dict[str, Exercise] = {e.id: e for e in _CHAPTER_02}


def check(exercise_id: str, obj) -> CheckResult:
    """Check the learner's `obj` against exercise `exercise_id`: print one line, return it.

    Never raises because of the learner's code (its exceptions are reported in the line); an
    unknown exercise id is a ValueError listing the known ones.
    """
    if exercise_id not in EXERCISES:
        raise ValueError(f"check: unknown exercise {exercise_id!r}; known exercises: "
                         f"{', '.join(sorted(EXERCISES))}")
    result = evaluate(EXERCISES[exercise_id], obj)
    print(result)
    result._printed = True  # so that a cell ending in check(...) does not show it twice
    return result


__all__ = ["check", "CheckResult", "Exercise", "Misconception", "Property", "EXERCISES",
           "evaluate"]
