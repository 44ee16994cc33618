"""Exercises that learners check in place (`check`), with feedback that names the mistake.

    from lossbook.exercises import check
    check("02.huber", huber)      # prints one line: passed / not attempted / failed + hint

The registry holds each exercise's reference, public and hidden cases, property checks and
misconception detectors (`_core.Exercise`); chapters add theirs in `catalog_NN.py` modules.
`build` writes the student notebooks from the instructor's (`lossbook build-exercises`);
`grade` grades folders of submissions in a sandboxed process (`lossbook grade`).
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from ._core import CheckResult, Exercise, Misconception, Property, evaluate


def _registry() -> dict[str, Exercise]:
    """Every chapter's exercises: module catalog_NN defines EXERCISES, a list, for chapter NN."""
    registry = {}
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        if re.fullmatch(r"catalog_\d\d", module):
            for exercise in importlib.import_module(f"{__name__}.{module}").EXERCISES:
                if exercise.id in registry:
                    raise RuntimeError(f"exercise {exercise.id} is defined twice")
                registry[exercise.id] = exercise
    return registry


EXERCISES: dict[str, Exercise] = _registry()


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
