"""The `lossbook` command: `lossbook build-exercises [--check]`."""

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
    args = parser.parse_args(argv)

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


if __name__ == "__main__":
    sys.exit(main())
