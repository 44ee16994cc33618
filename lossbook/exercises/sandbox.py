"""The grader's child process: run one submission's code cells, call its functions.

    python -I -m lossbook.exercises.sandbox FD  < job.json

The job (on stdin, read whole before any learner code runs) holds the code cells, the names
to look up and the argument tuples to call them with. Progress and results go out as JSON
lines on file descriptor FD, an inherited pipe; the learner's own prints go nowhere.

This process only *computes*: the grader compares the outputs with the reference in its own
process. Limits: address space and file size through setrlimit, a per-cell and per-exercise
alarm that interrupts pure-Python loops, and the grader's own watchdog, which kills the
process group when a cell makes no progress (a C loop, a handler that swallows the alarm).
"""

from __future__ import annotations

import builtins
import io
import json
import os
import re
import resource
import signal
import sys
import time
import warnings

KEPT_OUTPUT = 2000  # characters of the learner's printed output kept for the record
SAFE_CELL_MAGICS = {"time", "timeit", "capture"}  # their body is plain Python


class CellTimeout(BaseException):
    """Raised by the alarm: a BaseException so `except Exception` in learner code lets it by."""


class _CappedOutput(io.TextIOBase):
    """Stands in for sys.stdout and sys.stderr: counts what is printed, keeps the start."""

    def __init__(self):
        self.kept, self.count = [], 0

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        text = str(text)
        if self.count < KEPT_OUTPUT:
            self.kept.append(text[:KEPT_OUTPUT - self.count])
        self.count += len(text)
        return len(text)


def python_source(cell: str) -> str | None:
    """The cell as Python: line magics and shell escapes become `pass`; None to skip the cell.

    A cell magic other than %%time, %%timeit or %%capture (e.g. %%bash, %%writefile) has no
    Python body, so the whole cell is skipped.
    """
    lines = cell.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split(maxsplit=1)
        if not magic or magic[0] not in SAFE_CELL_MAGICS:
            return None
        lines = lines[1:]
    out = []
    for line in lines:
        match = re.match(r"(\s*)([%!])", line)
        out.append(f"{match.group(1)}pass" if match else line)
    return "\n".join(out)


def _set_limits(memory_mb: int, cpu_seconds: int) -> None:
    limits = [(resource.RLIMIT_AS, memory_mb * 2**20), (resource.RLIMIT_FSIZE, 64 * 2**20),
              (resource.RLIMIT_CORE, 0), (resource.RLIMIT_CPU, cpu_seconds)]
    for kind, value in limits:
        try:
            resource.setrlimit(kind, (value, value))  # hard too: the learner cannot raise it
        except (ValueError, OSError):  # a limit this system does not allow lowering
            pass


def _alarm(seconds: float) -> None:
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.0))


def _on_alarm(signum, frame):
    raise CellTimeout


def main(argv: list[str]) -> int:
    channel = os.fdopen(os.dup(int(argv[1])), "w", buffering=1)
    os.close(int(argv[1]))  # keep only a private copy of the pipe

    def send(**message) -> None:
        channel.write(json.dumps(message) + "\n")

    job = json.load(sys.stdin)
    sys.stdin.close()
    # imported before the limits and before any learner code can replace them
    from lossbook.exercises._core import Outcome, call
    from lossbook.exercises.codec import decode, encode

    _set_limits(job["memory_mb"], job["cpu_seconds"])
    timeout = float(job["timeout"])
    signal.signal(signal.SIGALRM, _on_alarm)
    warnings.simplefilter("ignore")
    printed = _CappedOutput()
    sys.stdout = sys.stderr = printed
    namespace = {"__name__": "__main__", "__builtins__": builtins,
                 "display": lambda *args, **kwargs: None, "get_ipython": lambda: None}
    sys.path.insert(0, os.getcwd())  # as in a kernel: the learner's own modules import
    send(event="start")
    for index, cell in enumerate(job["cells"]):
        if index in job["skip_cells"]:
            continue
        source = python_source(cell)
        if source is None:
            send(event="cell_done", index=index, error="skipped",
                 message="a cell magic without a Python body")
            continue
        send(event="cell", index=index)
        error = message = None
        started = time.perf_counter()
        try:
            _alarm(timeout)
            exec(compile(source, f"<cell {index + 1}>", "exec"), namespace)
        except CellTimeout:
            error, message = "timeout", f"stopped after {timeout:g} s"
        except BaseException as exc:  # noqa: BLE001 - sys.exit, KeyboardInterrupt, MemoryError...
            error, message = type(exc).__name__, str(exc)[:300]
        finally:
            _alarm(0)
            sys.stdout = sys.stderr = printed  # a cell may have replaced them
        send(event="cell_done", index=index, error=error, message=message,
             seconds=round(time.perf_counter() - started, 3))
    for exercise in job["exercises"]:
        if exercise["id"] in job["skip_exercises"]:
            continue
        send(event="evaluating", id=exercise["id"])
        candidate = namespace.get(exercise["name"])
        found = callable(candidate)
        origin = getattr(candidate, "__module__", None) if found else None
        outcomes = []
        if found:
            try:
                _alarm(timeout)
                for args in exercise["cases"]:
                    try:
                        outcome = call(candidate, decode(args))
                    except CellTimeout:
                        raise
                    except BaseException as exc:  # noqa: BLE001 - sys.exit inside the function
                        outcome = Outcome(error=type(exc).__name__, message=str(exc)[:300])
                    outcomes.append({"value": encode(outcome.value), "error": outcome.error,
                                     "message": outcome.message, "line": outcome.line})
            except CellTimeout:
                outcomes = None
            finally:
                _alarm(0)
                sys.stdout = sys.stderr = printed
        send(event="exercise", id=exercise["id"], found=found, origin=origin,
             timed_out=outcomes is None, outcomes=outcomes or [])
    send(event="done", output_chars=printed.count, output="".join(printed.kept))
    channel.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
