"""`lossbook grade`: grade a folder of submissions without trusting any of them.

For each submission, the code cells run in a separate process (`sandbox`) in a scratch
directory, with a memory limit and a time limit per cell; the learner's functions, found by
their names wherever they are defined, are called there on the public, hidden and property
cases. The outputs come back as data and are judged here, against this process's reference
implementations, so a submission that replaces `check`, monkeypatches `lossbook`, prints
"passed" or edits its check cells gains nothing.

A cell that kills the process (os._exit, a crash, an endless loop that ignores the alarm) is
skipped and the notebook run again without it, at most MAX_ATTEMPTS times, so the rest of the
work still counts. Results are written as each submission finishes: `grades.csv`,
`results.json` (every case) and `feedback/<student>.md` (verdicts and hints, never a hidden
input). A rerun skips the students whose notebook is unchanged, unless force=True.
"""

from __future__ import annotations

import json
import os
import secrets
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import SimpleNamespace

from ._core import Case, Exercise, Outcome, borrowed_from, judge, plan
from .codec import DecodeError, decode, encode
from .report import Gradebook
from .submissions import Submission, SubmissionError, code_cells, find_submissions

MAX_ATTEMPTS = 3
STARTUP_SECONDS = 60.0  # python + numpy + lossbook on a busy machine
MAX_MESSAGE_BYTES = 64 * 2**20


@dataclass
class Limits:
    timeout: float = 30.0  # seconds per cell and per exercise's checks
    memory_mb: int = 2048
    grace: float = 5.0  # beyond the timeout, before the watchdog kills a stuck process


@dataclass
class SandboxRun:
    """What one run of the sandbox reported, and how it ended."""

    events: list = field(default_factory=list)
    completed: bool = False
    ended: str = ""  # how the process ended when it did not complete
    cell: int | None = None  # the cell running when it ended (0-based)
    exercise: str | None = None  # the exercise being checked when it ended


def exercises_for(assignment: str) -> list[Exercise]:
    """The registered exercises of assignment "NN"; ValueError listing the known ones."""
    from . import EXERCISES

    chosen = [e for e in EXERCISES.values() if e.assignment == assignment]
    if not chosen:
        known = sorted({e.assignment for e in EXERCISES.values()})
        raise ValueError(f"grade: no exercises for assignment {assignment!r}; assignments with "
                         f"exercises: {', '.join(known)} (give the chapter number, e.g. 02)")
    return chosen


def _child_env(scratch: str) -> dict:
    keep = ("PATH", "LANG", "LC_ALL", "HOME", "VIRTUAL_ENV", "MPLCONFIGDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(TMPDIR=scratch, MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1",
               OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0",
               KERAS_BACKEND="torch")
    return env


def _describe_end(returncode: int | None, watchdog: bool, limits: Limits) -> str:
    if watchdog:
        return f"made no progress for {limits.timeout:g} s (an endless loop?) and was stopped"
    if returncode is not None and returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        if name == "SIGKILL":
            return "was killed (SIGKILL), probably for using too much memory"
        return f"crashed the Python process ({name})"
    return f"ended the Python process (exit status {returncode}, e.g. os._exit)"


def run_sandbox(cells: list[str], checks: list[tuple[Exercise, list[Case]]], scratch: str,
                limits: Limits, skip_cells=(), skip_exercises=()) -> SandboxRun:
    """Run the sandbox once and collect its events; the watchdog kills it when stuck."""
    job = {"cells": cells, "timeout": limits.timeout, "memory_mb": limits.memory_mb,
           "cpu_seconds": int(STARTUP_SECONDS + limits.timeout * (len(cells) + len(checks)
                                                                  + 2)),
           "skip_cells": sorted(skip_cells), "skip_exercises": sorted(skip_exercises),
           "exercises": [{"id": e.id, "name": e.name,
                          "cases": [encode(c.args) for c in cases]} for e, cases in checks]}
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-I", "-m", "lossbook.exercises.sandbox", str(write_end)],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        cwd=scratch, env=_child_env(scratch), pass_fds=(write_end,), start_new_session=True)
    os.close(write_end)
    run, watchdog = SandboxRun(), False
    try:
        try:
            process.stdin.write(json.dumps(job).encode())
            process.stdin.close()
        except BrokenPipeError:  # died before reading its job; the return code says why
            pass
        deadline, buffer, total = time.monotonic() + STARTUP_SECONDS, b"", 0
        with selectors.DefaultSelector() as selector:
            selector.register(read_end, selectors.EVENT_READ)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:  # stuck; after "done" only an exit handler can be left
                    watchdog = not run.completed
                    break
                if not selector.select(timeout=left):
                    continue
                chunk = os.read(read_end, 1 << 16)
                if not chunk:
                    break
                total += len(chunk)
                if total > MAX_MESSAGE_BYTES:
                    watchdog = True
                    break
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:  # a "done" ends nothing: only the end of the pipe does
                    deadline = _receive(run, line, limits)
    finally:
        os.close(read_end)
        _kill_group(process)
    if not run.completed:
        run.ended = _describe_end(process.returncode, watchdog, limits)
    return run


def _receive(run: SandboxRun, line: bytes, limits: Limits) -> float:
    """Record one event; return the watchdog's next deadline."""
    now = time.monotonic()
    try:
        event = json.loads(line)
        kind = event["event"]
    except (ValueError, TypeError, KeyError):  # garbage written to the channel: ignored
        return now + limits.timeout + limits.grace
    run.events.append(event)
    run.completed = kind == "done"  # only as the last word: a forged early "done" is undone
    if kind == "cell":
        run.cell = event.get("index")
        return now + limits.timeout + limits.grace
    if kind == "cell_done":
        run.cell = None
    elif kind == "evaluating":
        run.exercise = event.get("id")
        return now + limits.timeout + limits.grace
    elif kind == "exercise":
        run.exercise = None
    return now + limits.grace * 2


def _kill_group(process: subprocess.Popen) -> None:
    try:  # the learner's own child processes too
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _outcomes(event: dict) -> list[Outcome]:
    out = []
    for item in event.get("outcomes") or []:
        if not isinstance(item, dict):
            raise DecodeError("an outcome must be an object")
        line = item.get("line")
        out.append(Outcome(value=decode(item.get("value")),
                           error=str(item["error"])[:100] if item.get("error") else None,
                           message=str(item.get("message") or "")[:300],
                           line=line if isinstance(line, int) else None))
    return out


def _verdict(exercise: Exercise, cases: list[Case], event: dict | None, crash: str | None,
             limits: Limits) -> dict:
    def failed(message, status="failed"):
        return {"status": status, "message": message, "score": 0.0, "points": exercise.points,
                "cases": []}

    if crash:
        return failed(f"checking `{exercise.name}` {crash}")
    if event is None:
        return failed("the notebook did not get as far as defining it", "not graded")
    if not event.get("found"):
        return failed(f"no function named `{exercise.name}` is defined in the notebook",
                      "missing")
    if event.get("timed_out"):
        return failed(f"`{exercise.name}` ran longer than {limits.timeout:g} s on the checks")
    origin = borrowed_from(SimpleNamespace(__module__=event.get("origin")))
    if origin:
        return failed(f"`{exercise.name}` is lossbook's own function (from {origin}): "
                      f"write your own implementation")
    try:
        outcomes = _outcomes(event)
        result = judge(exercise, cases, outcomes)
    except (DecodeError, ValueError, KeyError) as error:
        return failed(f"the results of `{exercise.name}` could not be read ({error})")
    return {"status": result.status, "message": result.message, "score": result.earned,
            "points": exercise.points,
            "cases": [{"kind": k, "index": i, "passed": ok} for k, i, ok in result.cases]}


def cell_label(cells: list[str], index: int) -> str:
    """How the learner finds a cell: its number among code cells and its first line."""
    if not 0 <= index < len(cells):
        return f"code cell {index + 1}"
    first = next((line.strip() for line in cells[index].splitlines() if line.strip()), "")
    first = first if len(first) <= 40 else first[:37] + "..."
    return f"code cell {index + 1} (`{first}`)" if first else f"code cell {index + 1}"


def _cell_notes(run: SandboxRun, cells: list[str]) -> list[str]:
    notes = []
    for event in run.events:
        if event.get("event") != "cell_done" or not event.get("error"):
            continue
        index = event.get("index")
        where = cell_label(cells, index if isinstance(index, int) else -1)
        error = str(event["error"])[:100]
        message = str(event.get("message") or "")[:200]
        if error == "timeout":
            notes.append(f"{where} ran too long and was stopped ({message})")
        elif error == "skipped":
            notes.append(f"{where} was not run: {message}")
        elif error == "SystemExit":
            notes.append(f"{where} called sys.exit(); the grader went on with the next cell")
        else:
            notes.append(f"{where} raised {error}: {message}".rstrip(": "))
    return notes


def grade_submission(submission: Submission, exercises: list[Exercise], seed: int,
                     limits: Limits) -> dict:
    """Grade one submission: its record for results.json (never raises for its content)."""
    started = time.perf_counter()
    record = {"student": submission.student, "source": str(submission.path),
              "notebook": str(submission.notebook) if submission.notebook else None,
              "sha256": submission.fingerprint(), "seed": seed,
              "graded_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "notes": [], "attempts": 0,
              "exercises": {}}

    def finish(verdicts: dict) -> dict:
        record["exercises"] = verdicts
        record["total"] = round(sum(v["score"] for v in verdicts.values()), 2)
        record["out_of"] = sum(e.points for e in exercises)
        record["seconds"] = round(time.perf_counter() - started, 2)
        return record

    def nothing(reason: str) -> dict:
        record["notes"].append(reason)
        return finish({e.id: {"status": "not graded", "message": reason, "score": 0.0,
                              "points": e.points, "cases": []} for e in exercises})

    if submission.notebook is None:
        return nothing(submission.problem or "no notebook found")
    try:
        cells = code_cells(submission.notebook)
    except SubmissionError as error:
        return nothing(str(error))
    checks = [(e, plan(e, seed)) for e in exercises]
    skip_cells, crashes, results = set(), {}, {}
    scratch = tempfile.mkdtemp(prefix="lossbook-grade-")
    try:
        if submission.folder is not None:  # the learner's data files, where the notebook had them
            shutil.copytree(submission.folder, scratch, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.ipynb"))
        for attempt in range(1, MAX_ATTEMPTS + 1):
            record["attempts"] = attempt
            run = run_sandbox(cells, checks, scratch, limits, skip_cells, set(crashes))
            for event in run.events:
                if event.get("event") == "exercise" and isinstance(event.get("id"), str):
                    results[event["id"]] = event
            if run.completed:
                break
            if run.cell is not None and isinstance(run.cell, int):
                record["notes"].append(f"{cell_label(cells, run.cell)} {run.ended}; it was "
                                       f"skipped and the notebook run again without it")
                skip_cells.add(run.cell)
            elif run.exercise is not None:
                crashes[run.exercise] = run.ended
            else:
                record["notes"].append(f"the notebook {run.ended} before running any cell")
                break
        else:
            record["notes"].append(f"gave up after {MAX_ATTEMPTS} runs")
        record["notes"] += _cell_notes(run, cells)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return finish({e.id: _verdict(e, cases, results.get(e.id), crashes.get(e.id), limits)
                   for e, cases in checks})


def grade(paths, assignment: str, out, *, jobs: int = 1, limits: Limits | None = None,
          force: bool = False, seed: int | None = None,
          log: Callable[[str], None] = print) -> Gradebook:
    """Grade every submission under paths into out/; returns the gradebook."""
    limits = limits or Limits()
    exercises = exercises_for(assignment)
    submissions = find_submissions(paths, assignment)
    if not submissions:
        raise ValueError("grade: no submissions found (give notebooks or folders)")
    book = Gradebook(out, assignment, exercises)
    todo = [s for s in submissions if force or not book.is_current(s)]
    if len(todo) < len(submissions):
        log(f"{len(submissions) - len(todo)} submission(s) already graded and unchanged: "
            f"skipped (use --force to grade them again)")
    seed = secrets.randbits(32) if seed is None else seed

    def work(submission: Submission) -> None:
        record = grade_submission(submission, exercises, seed, limits)
        done = book.add(record)
        log(f"[{done}/{len(todo)}] {record['student']}: {record['total']:g}/"
            f"{record['out_of']} ({record['seconds']:.1f} s)")

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for future in [pool.submit(work, s) for s in todo]:
            future.result()
    return book
