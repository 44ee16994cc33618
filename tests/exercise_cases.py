"""Inputs of a checked exercise, and the functions of its solution notebook, for the tests.

`all_cases(exercise, seeds)` is the public cases plus the hidden cases the grader would draw
with each seed; `exercise` is an `Exercise` or its id ("09.ctc_loss"). `solution_functions(name)`
runs the code cells of `solutions/<name>` (except the `check(...)` calls) as a learner would,
and returns the names they define.
"""

from __future__ import annotations

import pathlib

import nbformat
import numpy as np

from lossbook.exercises import EXERCISES

ROOT = pathlib.Path(__file__).parent.parent


def _exercise(exercise):
    return EXERCISES[exercise] if isinstance(exercise, str) else exercise


def hidden_cases(exercise, seeds=range(12)):
    exercise = _exercise(exercise)
    return [tuple(args) for seed in seeds
            for args in exercise.hidden_cases(np.random.default_rng(seed))]


def all_cases(exercise, seeds=range(12)):
    exercise = _exercise(exercise)
    return [tuple(args) for args in exercise.public_cases] + hidden_cases(exercise, seeds)


def solution_functions(notebook_name):
    notebook = nbformat.read(ROOT / "solutions" / notebook_name, as_version=4)
    namespace = {}
    for cell in notebook.cells:
        if cell.cell_type == "code" and "check(" not in cell.source:
            exec(cell.source, namespace)  # noqa: S102 - our own notebook
    return namespace
