"""The `lossbook` command: `build-exercises [--check]`, `grade ...` and `build-site`."""

from __future__ import annotations

import argparse
import pathlib
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="lossbook", description="lossbook course tools")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser(
        "build-exercises", help="write exercises/ from the solution notebooks in solutions/")
    build.add_argument("--check", action="store_true",
                       help="only check that exercises/ is up to date (exit 1 if not)")
    build.add_argument("--solutions", type=pathlib.Path, default=pathlib.Path("solutions"))
    build.add_argument("--exercises", type=pathlib.Path, default=pathlib.Path("exercises"))
    grade = commands.add_parser(
        "grade", help="grade submitted notebooks (files, student folders or folders of them)")
    grade.add_argument("submissions", nargs="+", type=pathlib.Path,
                       help="notebooks or folders; the student id is the file or folder name")
    grade.add_argument("--assignment", required=True, help="the chapter number, e.g. 02")
    grade.add_argument("--out", type=pathlib.Path, default=None,
                       help="where grades.csv, results.json and feedback/ go "
                            "(default: grades_NN)")
    grade.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel")
    grade.add_argument("--timeout", type=float, default=30.0,
                       help="seconds allowed per cell and per exercise's checks (default 30)")
    grade.add_argument("--memory", type=int, default=2048,
                       help="memory limit per submission in MB (default 2048)")
    grade.add_argument("--force", action="store_true",
                       help="grade again the submissions already graded and unchanged")
    grade.add_argument("--seed", type=int, default=None,
                       help="seed of the hidden cases (default: a fresh random one, recorded)")
    site = commands.add_parser("build-site", help="build the course website (docs extra)")
    site.add_argument("--out", type=pathlib.Path, default=pathlib.Path("build") / "site")
    args = parser.parse_args(argv)
    if args.command == "grade":
        return _grade(args)
    if args.command == "build-site":
        from .site import main as build_site

        return build_site(["--out", str(args.out)])

    from .exercises.build import MarkerError, build_exercises

    try:
        changed = build_exercises(args.solutions, args.exercises, check=args.check)
    except MarkerError as error:
        print(f"lossbook build-exercises: {error}", file=sys.stderr)
        return 2
    if args.check:
        if changed:
            print("exercises/ is out of date for: " + ", ".join(changed)
                  + "\nrun `lossbook build-exercises` and commit the result", file=sys.stderr)
            return 1
        print("exercises/ is up to date with solutions/")
        return 0
    print(f"wrote {len(changed)} exercise notebook(s)" + (": " + ", ".join(changed)
                                                           if changed else ""))
    return 0


def _grade(args) -> int:
    from .exercises.grade import Limits, grade

    if args.jobs < 1 or args.timeout <= 0 or args.memory < 256:
        print("lossbook grade: --jobs must be >= 1, --timeout > 0 and --memory >= 256",
              file=sys.stderr)
        return 2
    out = args.out or pathlib.Path(f"grades_{args.assignment}")
    try:
        book = grade(args.submissions, args.assignment, out, jobs=args.jobs,
                     limits=Limits(timeout=args.timeout, memory_mb=args.memory),
                     force=args.force, seed=args.seed)
    except (ValueError, FileNotFoundError) as error:
        print(f"lossbook {error}", file=sys.stderr)
        return 2
    print(f"{len(book.students)} student(s) in {out / 'grades.csv'}; "
          f"feedback in {out / 'feedback'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
