"""The grader's outputs: results.json (every case), grades.csv, feedback/<student>.md.

All three are rewritten after each submission (results.json atomically), so an interrupted
run loses nothing already graded and a rerun knows what to skip.
"""

from __future__ import annotations

import csv
import json
import os
import pathlib
import threading

from ._core import Exercise
from .submissions import Submission, safe_name


class Gradebook:
    """The grades of one assignment in one output folder, safe to update from threads."""

    def __init__(self, out, assignment: str, exercises: list[Exercise]):
        self.out = pathlib.Path(out)
        self.assignment, self.exercises = assignment, exercises
        self._lock, self._done = threading.Lock(), 0
        self.results = {"assignment": assignment,
                        "exercises": {e.id: {"name": e.name, "points": e.points}
                                      for e in exercises},
                        "students": {}}
        path = self.out / "results.json"
        if path.exists():
            try:
                previous = json.loads(path.read_text())
            except ValueError as error:
                raise ValueError(f"grade: {path} is not readable JSON ({error}); move it away "
                                 f"or choose another --out") from None
            if previous.get("assignment") != assignment:
                raise ValueError(f"grade: {self.out} holds grades of assignment "
                                 f"{previous.get('assignment')!r}, not {assignment!r}: choose "
                                 f"another --out")
            self.results["students"] = previous.get("students", {})

    @property
    def students(self) -> dict:
        return self.results["students"]

    def is_current(self, submission: Submission) -> bool:
        """Whether this submission, unchanged, is already graded here."""
        record = self.students.get(submission.student)
        return record is not None and record.get("sha256") == submission.fingerprint()

    def add(self, record: dict) -> int:
        """Store one student's record and rewrite every output; returns how many so far."""
        with self._lock:
            self.students[record["student"]] = record
            self.out.mkdir(parents=True, exist_ok=True)
            temporary = self.out / "results.json.partial"
            temporary.write_text(json.dumps(self.results, indent=1, sort_keys=True))
            os.replace(temporary, self.out / "results.json")
            self._write_csv()
            feedback = self.out / "feedback"
            feedback.mkdir(exist_ok=True)
            (feedback / f"{safe_name(record['student'])}.md").write_text(
                feedback_markdown(record, self.assignment))
            self._done += 1
            return self._done

    def _write_csv(self) -> None:
        ids = [e.id for e in self.exercises]
        with open(self.out / "grades.csv", "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["student", *ids, "total", "out_of", "notes"])
            for student in sorted(self.students):
                record = self.students[student]
                scores = [record["exercises"].get(i, {}).get("score", 0.0) for i in ids]
                writer.writerow([student, *(f"{s:g}" for s in scores), f"{record['total']:g}",
                                 record["out_of"], "; ".join(record["notes"])[:500]])


def feedback_markdown(record: dict, assignment: str) -> str:
    """The learner's report: score, a table of verdicts, the hints, notes on the notebook."""
    lines = [f"# Feedback for {record['student']}: assignment {assignment}", "",
             f"Score: **{record['total']:g} / {record['out_of']}**", "",
             "| exercise | points | verdict |", "|---|---|---|"]
    for exercise_id, verdict in record["exercises"].items():
        lines.append(f"| {exercise_id} | {verdict['score']:g} / {verdict['points']} | "
                     f"{verdict['status']} |")
    for exercise_id, verdict in record["exercises"].items():
        if verdict["status"] != "passed":
            lines += ["", f"## {exercise_id}: {verdict['status']}", "", verdict["message"]]
    if record["notes"]:
        lines += ["", "## About your notebook", ""] + [f"- {note}" for note in record["notes"]]
    return "\n".join(lines) + "\n"
