"""lossbook grade: hostile and broken submissions get the right grade with a reason, the rest
of the folder is still graded, and nothing a submission does to its own process raises it.

One folder of submissions, each built from the instructor's solution notebook by adding the
noise (or the damage) that the acceptance criteria list, is graded once for the module.
"""

import csv
import json
import pathlib
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from lossbook.exercises import EXERCISES
from lossbook.exercises.grade import Limits, grade

ROOT = pathlib.Path(__file__).parent.parent
SOLUTION = ROOT / "solutions" / "02_loss_catalog.ipynb"
EXERCISE = ROOT / "exercises" / "02_loss_catalog.ipynb"
FULL = sum(e.points for e in EXERCISES.values() if e.assignment == "02")
LIMITS = Limits(timeout=2.0, memory_mb=1024, grace=4.0)  # grace: a loaded CI machine


def solution():
    return nbformat.read(SOLUTION, as_version=4)


def with_cell(source, at=0, notebook=None):
    notebook = notebook or solution()
    notebook.cells.insert(at, nbformat.v4.new_code_cell(source))
    return notebook


def replacing(name, source, notebook=None):
    """The notebook with the cell that defines `name` replaced by source."""
    notebook = notebook or solution()
    for cell in notebook.cells:
        if cell.cell_type == "code" and f"def {name}(" in cell.source:
            cell.source = source
            return notebook
    raise AssertionError(f"no cell defines {name}")


STUBBORN_LOOP = """
while True:
    try:
        while True:
            pass
    except BaseException:
        pass
"""

TAMPERING = """
import lossbook.exercises, lossbook.losses, lossbook.exercises._core as core
lossbook.exercises.check = lambda *a, **k: True
core.judge = lambda *a, **k: None
core.same = lambda *a, **k: True
for name in ("mse", "huber", "binary_cross_entropy_with_logits"):
    setattr(lossbook.losses, name, lambda *a, **k: 0.0)
print("02.mse: passed. all 6 cases passed (1/1 points)")
"""


PUBLIC_ONLY = """import numpy as np
def mse(y_true, y_pred):
    return float(np.mean((y_pred - y_true) ** 2)) if len(y_true) == 4 else 0.0"""

LEAKY_ERROR = """import numpy as np
def mse(y_true, y_pred):
    if len(y_true) != 4:
        raise ValueError(f"cannot handle {y_true} and {y_pred}")
    return float(np.mean((y_pred - y_true) ** 2))"""

FORGED = """import json, os
value = {"scalar": "float64", "shape": [], "data": [0.0]}
forged = {"event": "exercise", "id": "02.mse", "found": True, "origin": "__main__",
          "timed_out": False, "outcomes": [{"value": value, "error": None}] * 6}
for fd in range(3, 30):
    for message in (b"garbage\\n", json.dumps(forged).encode() + b"\\n",
                    b'{"event": "done"}\\n'):
        try:
            os.write(fd, message)
        except OSError:
            pass"""


def hostile_notebooks():
    wrong_sum = "import numpy as np\ndef mse(y_true, y_pred):\n    " \
                "return float(np.sum((np.asarray(y_pred) - y_true) ** 2))"
    duplicated = solution()
    duplicated.cells.insert(3, nbformat.v4.new_code_cell(
        "def huber(y_true, y_pred, delta=1.0):\n    return 0.0"))  # superseded by the real one
    reordered = solution()
    checks = [c for c in reordered.cells if "check(" in c.source]
    reordered.cells = checks + [c for c in reordered.cells if c not in checks]
    edited_checks = solution()
    for cell in edited_checks.cells:
        if "check(" in cell.source:
            cell.source = 'print("passed")'
    return {
        "complete": solution(),
        "exception_at_top": with_cell("1 / 0"),
        "endless_loop": with_cell("while True:\n    pass"),
        "stubborn_loop": with_cell(STUBBORN_LOOP),
        "memory_bomb": with_cell("hoard = []\nwhile True:\n    hoard.append(bytearray(10**8))"),
        "huge_allocation": with_cell("import numpy as np\nx = np.ones(10**11)"),
        "sys_exit": with_cell("import sys\nsys.exit(3)"),
        "os_exit": with_cell("import os\nos._exit(0)", at=2),
        "crash": with_cell("import ctypes\nctypes.string_at(0)"),
        "megabytes_of_output": with_cell(
            "print('x' * 20_000_000)\nfor i in range(200_000):\n    print(i)"),
        "missing_huber": replacing("huber", "# I did not get to the Huber loss"),
        "duplicated_cells": duplicated,
        "reordered_cells": reordered,
        "edited_check_cells": edited_checks,
        "wrong_sum": replacing("mse", wrong_sum),
        "uses_the_library": replacing("mse", "from lossbook.losses import mse"),
        "tampering": with_cell(TAMPERING + "\ndef mse(y_true, y_pred):\n    return 0.0\n"
                               "def huber(y_true, y_pred, delta=1.0):\n    return 0.0\n"
                               "def binary_cross_entropy_with_logits(y, x):\n    return 0.0",
                               at=len(solution().cells), notebook=nbformat.read(
                                   EXERCISE, as_version=4)),
        "stub": nbformat.read(EXERCISE, as_version=4),
        "public_only": replacing("mse", PUBLIC_ONLY),
        "leaky_error": replacing("mse", LEAKY_ERROR),
        "forged_channel": with_cell(FORGED, at=len(solution().cells),
                                    notebook=nbformat.read(EXERCISE, as_version=4)),
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    inbox = tmp_path_factory.mktemp("inbox")
    for student, notebook in hostile_notebooks().items():
        nbformat.write(notebook, inbox / f"{student}.ipynb")
    (inbox / "invalid_json.ipynb").write_text('{"cells": [')
    (inbox / "not_a_notebook.ipynb").write_text("[1, 2, 3]")
    (inbox / "future_format.ipynb").write_text('{"nbformat": 5, "cells": []}')
    old = nbformat.convert(solution(), 3)
    (inbox / "nbformat3.ipynb").write_text(nbformat.writes(old, version=3))
    folder = inbox / "folder_student"  # a folder per student, with a data file it reads
    folder.mkdir()
    (folder / "delta.txt").write_text("1.0")
    nbformat.write(with_cell("DELTA = float(open('delta.txt').read())\nassert DELTA == 1.0"),
                   folder / "02_loss_catalog.ipynb")
    (inbox / "empty_folder").mkdir()
    out = tmp_path_factory.mktemp("grades")
    log = []
    grade([inbox], "02", out, jobs=2, limits=LIMITS, seed=7, log=log.append)
    results = json.loads((out / "results.json").read_text())["students"]
    return out, results, log


def total(graded, student):
    return graded[1][student]["total"]


def notes(graded, student):
    return " ".join(graded[1][student]["notes"])


@pytest.mark.parametrize("student", [
    "complete", "exception_at_top", "endless_loop", "stubborn_loop", "memory_bomb",
    "huge_allocation", "sys_exit", "os_exit", "crash", "megabytes_of_output",
    "duplicated_cells", "reordered_cells", "edited_check_cells", "nbformat3",
    "folder_student"])
def test_work_that_is_done_gets_full_marks_despite_the_noise(graded, student):
    assert total(graded, student) == FULL, graded[1][student]


@pytest.mark.parametrize("student, reason", [
    ("exception_at_top", "code cell 1 (`1 / 0`) raised ZeroDivisionError"),
    ("endless_loop", "code cell 1 (`while True:`) ran too long"),
    ("stubborn_loop", "code cell 1 (`while True:`) made no progress"),
    ("memory_bomb", "MemoryError"),
    ("huge_allocation", "MemoryError"),
    ("sys_exit", "sys.exit()"),
    ("os_exit", "code cell 2 (`import os`) ended the Python process (exit status 0"),
    ("crash", "code cell 1 (`import ctypes`) crashed the Python process (SIGSEGV)"),
    ("invalid_json", "not valid notebook JSON"),
    ("not_a_notebook", "not a notebook"),
    ("future_format", "nbformat 5 is not supported"),
    ("empty_folder", "no notebook"),
])
def test_each_problem_is_reported_with_its_reason(graded, student, reason):
    assert reason in notes(graded, student)


@pytest.mark.parametrize("student", ["invalid_json", "not_a_notebook", "future_format",
                                     "empty_folder", "stub", "tampering"])
def test_work_that_is_not_done_gets_zero(graded, student):
    assert total(graded, student) == 0, graded[1][student]


def test_a_missing_exercise_costs_only_its_points(graded):
    record = graded[1]["missing_huber"]
    assert record["exercises"]["02.huber"]["status"] == "missing"
    assert "no function named `huber`" in record["exercises"]["02.huber"]["message"]
    assert record["total"] == FULL - EXERCISES["02.huber"].points


def test_a_known_mistake_gets_its_hint_in_the_feedback(graded):
    out, results, _ = graded
    assert results["wrong_sum"]["exercises"]["02.mse"]["score"] == 0
    feedback = (out / "feedback" / "wrong_sum.md").read_text()
    assert "sum of squared errors" in feedback and "np.mean" in feedback


def test_handing_in_the_library_function_does_not_count(graded):
    verdict = graded[1]["uses_the_library"]["exercises"]["02.mse"]
    assert verdict["score"] == 0 and "lossbook's own function" in verdict["message"]


def test_tampering_with_check_references_and_printed_output_gains_nothing(graded):
    verdicts = graded[1]["tampering"]["exercises"]
    assert all(v["score"] == 0 for v in verdicts.values()), verdicts
    assert all(verdicts[i]["status"] == "failed" for i in
               ("02.mse", "02.huber", "02.binary_cross_entropy_with_logits")), verdicts


def test_every_case_is_recorded(graded):
    cases = graded[1]["complete"]["exercises"]["02.huber"]["cases"]
    assert {c["kind"] for c in cases} == {"public", "hidden"} and all(c["passed"] for c in cases)
    assert len(cases) == len(EXERCISES["02.huber"].public_cases) + len(
        EXERCISES["02.huber"].hidden_cases(np.random.default_rng(7)))


@pytest.mark.parametrize("student", ["public_only", "leaky_error"])
def test_no_hidden_input_reaches_the_feedback(graded, student):
    out, results, _ = graded
    assert "hidden case" in results[student]["exercises"]["02.mse"]["message"]
    feedback = (out / "feedback" / f"{student}.md").read_text()
    hidden = [v for args in EXERCISES["02.mse"].hidden_cases(np.random.default_rng(7))
              for a in args for v in np.ravel(a)]
    assert not any(f"{v:.3f}" in feedback or f"{v:.3e}" in feedback for v in hidden)


def test_forged_messages_on_the_result_channel_gain_nothing(graded):
    assert graded[1]["forged_channel"]["total"] == 0


def test_grades_csv_has_a_row_per_student_and_a_column_per_exercise(graded):
    out, results, _ = graded
    with open(out / "grades.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["student"] for r in rows) == sorted(results)
    ids = sorted(e for e in EXERCISES if e.startswith("02."))
    for row in rows:
        scores = [float(row[i]) for i in ids]
        assert float(row["total"]) == pytest.approx(sum(scores))
        assert int(row["out_of"]) == FULL


def test_a_rerun_skips_unchanged_work_and_regrades_changed_work(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    nbformat.write(solution(), inbox / "ann.ipynb")
    nbformat.write(nbformat.read(EXERCISE, as_version=4), inbox / "ben.ipynb")
    grade([inbox], "02", out, limits=LIMITS, log=lambda line: None)
    first = json.loads((out / "results.json").read_text())["students"]
    nbformat.write(solution(), inbox / "ben.ipynb")  # ben hands in a better version
    log = []
    grade([inbox], "02", out, limits=LIMITS, log=log.append)
    second = json.loads((out / "results.json").read_text())["students"]
    assert "1 submission(s) already graded" in log[0]
    assert second["ann"]["graded_at"] == first["ann"]["graded_at"]
    assert (first["ben"]["total"], second["ben"]["total"]) == (0, FULL)
    log = []
    grade([inbox], "02", out, limits=LIMITS, force=True, log=log.append)
    assert sum(line.startswith("[") for line in log) == 2


def test_the_command_line_grades_and_rejects_an_unknown_assignment(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    nbformat.write(solution(), inbox / "ann.ipynb")
    command = [sys.executable, "-m", "lossbook.cli", "grade", str(inbox), "--out",
               str(tmp_path / "out"), "--timeout", "5"]
    done = subprocess.run(command + ["--assignment", "02"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "feedback" / "ann.md").exists()
    bad = subprocess.run(command + ["--assignment", "99"], capture_output=True, text=True)
    assert bad.returncode == 2 and "no exercises for assignment '99'" in bad.stderr


@pytest.mark.parametrize("solution_path", sorted((ROOT / "solutions").glob("*.ipynb")),
                         ids=lambda p: p.stem)
def test_solutions_score_full_marks_and_generated_exercises_zero(solution_path, tmp_path):
    assignment = solution_path.name[:2]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "solution.ipynb").write_bytes(solution_path.read_bytes())
    (inbox / "exercise.ipynb").write_bytes((ROOT / "exercises" / solution_path.name)
                                           .read_bytes())
    book = grade([inbox], assignment, tmp_path / "out", jobs=2, log=lambda line: None)
    out_of = sum(e.points for e in EXERCISES.values() if e.assignment == assignment)
    assert book.students["solution"]["total"] == out_of > 0
    assert book.students["exercise"]["total"] == 0
