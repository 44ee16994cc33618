"""build-exercises: solution regions become stubs, the student notebook runs, --check sees
stale exercises; and the repository's exercises/ is up to date with its solutions/."""

import pathlib
import subprocess
import sys

import nbformat
import pytest

from lossbook.cli import main
from lossbook.exercises.build import MarkerError, build_exercises, strip_solutions

ROOT = pathlib.Path(__file__).parent.parent

SOLUTION_CODE = '''import numpy as np


def mse(y_true, y_pred):
    """Mean squared error."""
    ### BEGIN SOLUTION
    r = np.asarray(y_pred) - np.asarray(y_true)
    return np.mean(r * r)
    ### END SOLUTION'''


def solution_notebook(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Exercises\nWhy square?\n### BEGIN SOLUTION\n"
                                      "Big errors cost more.\n### END SOLUTION"),
        nbformat.v4.new_code_cell(SOLUTION_CODE),
        nbformat.v4.new_code_cell("from lossbook.exercises import check\n"
                                  "check('02.mse', mse)"),
    ]
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    nbformat.write(notebook, solutions / "02_demo.ipynb")
    return solutions


def test_a_region_becomes_a_stub_that_keeps_signature_and_docstring():
    stubbed = strip_solutions(SOLUTION_CODE, "code", "demo")
    assert 'def mse(y_true, y_pred):\n    """Mean squared error."""\n' in stubbed
    assert stubbed.endswith("    raise NotImplementedError  # your code here")
    assert "np.mean" not in stubbed and "BEGIN" not in stubbed


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n### END SOLUTION", "without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
])
def test_broken_markers_are_reported_with_their_place(source, message):
    with pytest.raises(MarkerError, match=message):
        strip_solutions(source, "code", "02_demo.ipynb cell 3")


def test_build_executes_the_student_version_and_check_detects_staleness(tmp_path):
    solutions, exercises = solution_notebook(tmp_path), tmp_path / "exercises"
    assert build_exercises(solutions, exercises) == ["02_demo.ipynb"]
    student = nbformat.read(exercises / "02_demo.ipynb", as_version=4)
    assert "Big errors" not in student.cells[0].source
    assert "_Your answer here._" in student.cells[0].source
    output = "".join(o.get("text", "") for o in student.cells[2].outputs)
    assert output.strip() == "02.mse: not attempted. replace the `raise NotImplementedError` " \
        "with your code"
    assert build_exercises(solutions, exercises, check=True) == []
    solution = nbformat.read(solutions / "02_demo.ipynb", as_version=4)
    solution.cells[1].source = solution.cells[1].source.replace("Mean squared", "The mean")
    nbformat.write(solution, solutions / "02_demo.ipynb")
    assert build_exercises(solutions, exercises, check=True) == ["02_demo.ipynb"]
    assert main(["build-exercises", "--check", "--solutions", str(solutions),
                 "--exercises", str(exercises)]) == 1


def test_the_repository_exercises_are_up_to_date():
    result = subprocess.run([sys.executable, "-m", "lossbook.cli", "build-exercises", "--check"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
