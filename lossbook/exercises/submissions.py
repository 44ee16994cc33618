"""Finding submissions and reading their code cells, trusting nothing about them.

A submission is a notebook file (the student id is its name without `.ipynb`) or a folder
per student (the id is the folder's name; the notebook inside is the one named after the
assignment, `NN_*.ipynb`, or else the only notebook there). A folder given on the command
line that does not hold the assignment's notebook is a folder of submissions and is expanded
into them, so `lossbook grade inbox/` and `lossbook grade inbox/*` mean the same.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import re
from dataclasses import dataclass

MAX_NOTEBOOK_BYTES = 200 * 2**20  # stored outputs can be large; beyond this it is not work


class SubmissionError(ValueError):
    """A submission that cannot be read as a notebook (the reason is the message)."""


@dataclass
class Submission:
    student: str
    path: pathlib.Path  # what was handed in: a notebook file or a folder
    notebook: pathlib.Path | None  # the notebook to grade, None when there is none
    problem: str | None = None  # why there is no notebook

    @property
    def folder(self) -> pathlib.Path | None:
        return self.path if self.path.is_dir() else None

    def fingerprint(self) -> str:
        """sha256 of the notebook's bytes ("" when there is none): reruns skip unchanged work."""
        if self.notebook is None:
            return ""
        return hashlib.sha256(self.notebook.read_bytes()).hexdigest()


def _notebooks(folder: pathlib.Path) -> list[pathlib.Path]:
    return sorted(p for p in folder.glob("*.ipynb") if p.is_file())


def _student_notebook(folder: pathlib.Path, assignment: str) -> tuple[pathlib.Path | None, str]:
    notebooks = _notebooks(folder)
    named = [p for p in notebooks if p.name.startswith(f"{assignment}_")]
    if named:
        return named[0], ""
    if len(notebooks) == 1:
        return notebooks[0], ""
    if not notebooks:
        return None, "the folder holds no notebook (.ipynb)"
    return None, (f"the folder holds {len(notebooks)} notebooks and none is named "
                  f"{assignment}_*.ipynb: keep only the one to grade")


def _is_student_folder(folder: pathlib.Path, assignment: str) -> bool:
    """A folder named on the command line is one student's when it holds the assignment's
    notebook (NN_*.ipynb) or nothing at all; otherwise it is a folder of submissions."""
    entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    return not entries or any(p.name.startswith(f"{assignment}_") and p.suffix == ".ipynb"
                              for p in entries)


def find_submissions(paths, assignment: str, *, _inside: bool = False) -> list[Submission]:
    """The submissions named by paths (files, student folders or folders of submissions).

    Inside a folder of submissions, every subfolder is one student's.
    """
    found = []
    for path in map(pathlib.Path, paths):
        if not path.exists():
            raise FileNotFoundError(f"grade: {path} does not exist")
        if path.is_file():
            found.append(Submission(path.stem, path, path))
        elif _inside or _is_student_folder(path, assignment):
            notebook, problem = _student_notebook(path, assignment)
            found.append(Submission(path.name, path, notebook, problem or None))
        else:
            entries = sorted(p for p in path.iterdir() if not p.name.startswith(".")
                             and (p.is_dir() or p.suffix == ".ipynb"))
            found += find_submissions(entries, assignment, _inside=True)
    return _unique_ids(found) if not _inside else found


def _unique_ids(submissions: list[Submission]) -> list[Submission]:
    seen: dict[str, int] = {}
    for submission in submissions:
        base = submission.student
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:  # alice.ipynb and alice/ both handed in: keep both, apart
            submission.student = f"{base}~{seen[base]}"
    return submissions


def safe_name(student: str) -> str:
    """The student id as a file name: anything but letters, digits, '.', '-', '_' becomes '_'."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", student).lstrip(".")
    return name or "_"


def code_cells(notebook: pathlib.Path) -> list[str]:
    """The code cells' sources, in order, from any nbformat version 3 or 4 notebook.

    Parses the JSON itself rather than through nbformat's validator: a notebook with an odd
    field or an old minor version still grades; only what cannot hold code is refused.
    """
    if notebook.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise SubmissionError(f"the notebook is larger than {MAX_NOTEBOOK_BYTES >> 20} MB")
    try:
        data = json.loads(notebook.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SubmissionError(f"the file is not valid notebook JSON ({error})") from None
    if not isinstance(data, dict):
        raise SubmissionError("the file is JSON but not a notebook (no cells)")
    version = data.get("nbformat")
    if version == 4 or (version is None and "cells" in data):
        cells, field = data.get("cells"), "source"
    elif version == 3:  # cells live in worksheets and their code under "input"
        cells = [c for sheet in data.get("worksheets") or [] if isinstance(sheet, dict)
                 for c in sheet.get("cells") or []]
        field = "input"
    else:
        raise SubmissionError(f"nbformat {version!r} is not supported (3 and 4 are): save "
                              f"the notebook again from JupyterLab")
    if not isinstance(cells, list):
        raise SubmissionError("the notebook has no list of cells")
    sources = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get(field, "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if isinstance(source, str):
            sources.append(source)
    return sources
