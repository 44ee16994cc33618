"""`lossbook build-exercises`: write exercises/NN_slug.ipynb from solutions/NN_slug.ipynb.

The instructor's notebook is the only source. In code cells, the lines from
`### BEGIN SOLUTION` to `### END SOLUTION` become `raise NotImplementedError`, indented like
the marker, so the signature and docstring above them stay; in markdown cells the region
becomes "_Your answer here._". The student notebook is then executed, so its stored outputs
are what nbval will see ("not attempted yet" from every check). `--check` compares the
sources only (outputs depend on execution) and fails when exercises/ is stale.
"""

from __future__ import annotations

import copy
import pathlib
import re

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
CODE_STUB = "raise NotImplementedError  # your code here"
MARKDOWN_STUB = "_Your answer here._"


class MarkerError(ValueError):
    """A solution region that is not closed, or an END without a BEGIN."""


def strip_solutions(source: str, cell_type: str, where: str) -> str:
    """The cell source with each solution region replaced by its stub."""
    out, inside = [], False
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise MarkerError(f"{where}, line {number}: {BEGIN} inside another region")
            inside = True
            indent = re.match(r"\s*", line).group(0)
            stub = CODE_STUB if cell_type == "code" else MARKDOWN_STUB
            out.append(f"{indent}{stub}\n")
        elif stripped == END:
            if not inside:
                raise MarkerError(f"{where}, line {number}: {END} without {BEGIN}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise MarkerError(f"{where}: {BEGIN} is never closed by {END}")
    result = "".join(out)
    # cell sources usually lack a final newline: the stub line must not add one
    return result if source.endswith("\n") else result.rstrip("\n")


def student_notebook(solution, name: str):
    """A copy of the solution notebook (an nbformat node) with every region stubbed."""
    notebook = copy.deepcopy(solution)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type not in ("code", "markdown"):
            continue
        stubbed = strip_solutions(cell.source, cell.cell_type, f"{name} cell {index}")
        if stubbed != cell.source:
            cell.source = stubbed
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
    return notebook


def _sources(notebook) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


def build_exercises(solutions: pathlib.Path, exercises: pathlib.Path, *, check: bool = False,
                    execute: bool = True, timeout: int = 600) -> list[str]:
    """Write (or, with check=True, only compare) exercises/ from solutions/.

    Returns the names of the notebooks that were written (check=False) or are stale or
    missing (check=True); exercises without a solution count as stale too.
    """
    import nbformat

    solutions, exercises = pathlib.Path(solutions), pathlib.Path(exercises)
    changed = []
    for path in sorted(solutions.glob("*.ipynb")):
        wanted = student_notebook(nbformat.read(path, as_version=4), path.name)
        target = exercises / path.name
        if check:
            if not target.exists() or _sources(nbformat.read(target, as_version=4)) != \
                    _sources(wanted):
                changed.append(path.name)
            continue
        exercises.mkdir(parents=True, exist_ok=True)
        if execute:  # from exercises/, as a learner (and nbval) will run it
            from nbclient import NotebookClient

            NotebookClient(wanted, timeout=timeout, kernel_name="python3", record_timing=False,
                           resources={"metadata": {"path": str(exercises)}}).execute()
        nbformat.write(wanted, target)
        changed.append(path.name)
    if check:
        known = {p.name for p in solutions.glob("*.ipynb")}
        changed += sorted(p.name for p in exercises.glob("*.ipynb") if p.name not in known)
    return changed
