"""check(): right answers pass, stubs are "not attempted", every known mistake gets its hint,
and the learner's exceptions become feedback instead of tracebacks."""

import pathlib
import re

import nbformat
import numpy as np
import pytest

from lossbook import losses
from lossbook.exercises import EXERCISES, check, evaluate

SOLUTIONS = {
    "02.mse": lambda y, p: np.mean((p - y) ** 2),
    "02.huber": lambda y, p, delta=1.0: np.mean(np.where(
        np.abs(p - y) < delta, 0.5 * (p - y) ** 2, delta * (np.abs(p - y) - delta / 2))),
    "02.binary_cross_entropy_with_logits": lambda y, x: np.mean(
        np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))),
}


ROOT = pathlib.Path(__file__).parent.parent


def test_every_exercise_belongs_to_a_solutions_notebook_that_defines_it():
    # that the solution scores full marks is tested by grading it (test_grading.py)
    for exercise in EXERCISES.values():
        assert re.fullmatch(r"\d\d\.\w+", exercise.id), exercise.id
        notebooks = list((ROOT / "solutions").glob(f"{exercise.assignment}_*.ipynb"))
        assert len(notebooks) == 1, exercise.id
        source = "".join(c.source for c in nbformat.read(notebooks[0], as_version=4).cells)
        assert f"def {exercise.name}(" in source and f'check("{exercise.id}"' in source


@pytest.mark.parametrize("exercise_id", sorted(SOLUTIONS))
def test_a_correct_solution_passes_with_full_points(exercise_id, capsys):
    result = check(exercise_id, SOLUTIONS[exercise_id])
    assert result.passed and result.score == 1.0
    assert capsys.readouterr().out.count("\n") == 1  # exactly one line


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_a_stub_is_not_attempted(exercise_id):
    def stub(*args):
        raise NotImplementedError

    assert evaluate(EXERCISES[exercise_id], stub).status == "not attempted"
    assert evaluate(EXERCISES[exercise_id], None).status == "not attempted"


@pytest.mark.parametrize("exercise, misconception", [
    (e, m) for e in EXERCISES.values() for m in e.misconceptions])
def test_each_known_mistake_gets_its_hint(exercise, misconception):
    def learner(*args):  # defined here, as a learner's would be, not in lossbook
        return misconception.wrong(*args)

    result = evaluate(exercise, learner)
    assert result.status == "failed" and result.message == misconception.hint
    assert result.score == 0


def test_the_naive_log_of_a_sigmoid_is_caught_by_the_extreme_logit_property():
    def naive(y, x):
        p = 1 / (1 + np.exp(-x))
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    result = evaluate(EXERCISES["02.binary_cross_entropy_with_logits"], naive)
    assert not result and "log1p" in result.message


def test_exceptions_in_learner_code_become_feedback():
    def broken(y, p):
        return y.nonexistent

    result = evaluate(EXERCISES["02.mse"], broken)
    assert result.status == "failed" and "AttributeError" in result.message


def test_feedback_on_a_hidden_case_does_not_reveal_its_inputs():
    exercise = EXERCISES["02.mse"]

    def right_on_public_only(y, p):
        return losses.mse(y, p) if len(y) == 4 else 0.0

    result = evaluate(exercise, right_on_public_only)
    assert "hidden case" in result.message and "[" not in result.message


def test_a_wrong_answer_on_a_public_case_shows_that_case():
    result = evaluate(EXERCISES["02.mse"], lambda y, p: 42.0)
    assert "for the inputs" in result.message and "expected" in result.message


def test_the_learner_cannot_change_the_cases_by_mutating_its_inputs():
    def vandal(y, p):
        y[:] = 0
        p[:] = 0
        return 0.0

    evaluate(EXERCISES["02.mse"], vandal)
    assert evaluate(EXERCISES["02.mse"], SOLUTIONS["02.mse"]).passed


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown exercise '02.hubr'.*02.huber"):
        check("02.hubr", SOLUTIONS["02.huber"])


def test_string_answers_are_compared_exactly():
    from lossbook.exercises._core import same

    assert same("plateau", "plateau")
    assert not same("Plateau", "plateau") and not same(1.0, "plateau")
