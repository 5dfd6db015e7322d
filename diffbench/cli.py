"""The command line: ``diffbench list | run | report | compare | continuous | env``.

Bad usage (an unknown name, a bad option, a missing GPU, a corrupt results file) prints one
line on stderr and exits with code 2, without a traceback; ``DIFFBENCH_TRACEBACK=1`` shows
tracebacks of unexpected errors (exit code 1). Ctrl-C exits with 130 and keeps every
finished case on disk (continue with ``--resume``).

Example:
    $ diffbench list methods
    $ diffbench run smoke --dtype float64 --out results/runs
    $ diffbench report results/runs
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from ._errors import DiffbenchError

LISTS = ("functions", "methods", "suites", "optimizers")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the ``diffbench`` argument parser with its subcommands."""
    from . import __version__

    parser = _Parser(prog="diffbench", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"diffbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    listing = sub.add_parser("list", help="list functions, methods, suites or optimizers")
    listing.add_argument("what", nargs="?", choices=LISTS, help="what to list (default: all)")
    listing.add_argument("--tag", action="append", help="only functions with this tag")
    run = sub.add_parser("run", help="run a suite and write a result set")
    run.add_argument("suite", help="a built-in suite (smoke, standard, full, gpu) or a TOML path")
    run.add_argument("--device", choices=("cpu", "gpu", "all"), help="default: the suite's")
    run.add_argument("--dtype", choices=("float32", "float64", "all"), help="default: all")
    run.add_argument("--out", default=None, help="results root (default: results/runs)")
    run.add_argument("--resume", action="store_true", help="continue the newest unfinished set")
    run.add_argument("--quiet", action="store_true", help="no progress bar (CI logs)")
    run.add_argument(
        "--no-report", action="store_true", help="skip writing <result set>/report/ at the end"
    )
    env = sub.add_parser("env", help="print the environment fingerprint")
    env.add_argument("--json", action="store_true", help="as JSON")
    from .gate._cli import add_parser as add_continuous

    add_continuous(sub)
    for name, text in (("report", "write a report"), ("compare", "compare two result sets")):
        sub.add_parser(name, help=f"{text} (see diffbench {name} --help)", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in ("report", "compare"):
            return _delegate(argv[0], argv[1:])
        args = build_parser().parse_args(argv)
        return {"list": _list, "run": _run, "env": _env, "continuous": _continuous}[args.command](
            args
        )
    except DiffbenchError as exc:
        print(f"diffbench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "diffbench: interrupted; finished cases are saved (rerun with --resume).",
            file=sys.stderr,
        )
        return 130
    except Exception as exc:  # noqa: BLE001 - one line unless asked for the traceback
        if os.environ.get("DIFFBENCH_TRACEBACK"):
            traceback.print_exc()
        first = (str(exc).strip().splitlines() or [""])[0]
        print(
            f"diffbench: internal error: {type(exc).__name__}: {first} "
            "(set DIFFBENCH_TRACEBACK=1 for the traceback)",
            file=sys.stderr,
        )
        return 1


def _delegate(command: str, argv: list[str]) -> int:
    """Hand ``report`` / ``compare`` to ``diffbench.report``."""
    try:
        from . import report
    except ImportError as exc:
        raise DiffbenchError(f"`{command}` needs diffbench.report, which failed: {exc}.") from None
    entry = getattr(report, f"main_{command}", None)
    if entry is None:
        raise DiffbenchError(
            f"`{command}` is not available: diffbench.report has no main_{command}."
        )
    return int(entry(argv) or 0)


def _list(args: argparse.Namespace) -> int:
    from .harness import listing

    if args.tag and args.what not in (None, "functions"):
        raise DiffbenchError(f"--tag filters functions; it does not apply to {args.what}.")
    sections = [args.what] if args.what else list(LISTS)
    code = 0
    for section in sections:
        lines, ok = listing.section(section, args.tag)
        if len(sections) > 1:
            print(f"{section}:")
            lines = [f"  {line}" for line in lines]
        print("\n".join(lines))
        code = code or (0 if ok or len(sections) > 1 else 1)
    return code


def _run(args: argparse.Namespace) -> int:
    from .harness import run_suite
    from .store import DEFAULT_ROOT

    result = run_suite(
        args.suite,
        device=args.device,
        dtype=args.dtype,
        out=args.out or DEFAULT_ROOT,
        resume=args.resume,
        quiet=args.quiet,
    )
    counts = ", ".join(f"{n} {status}" for status, n in sorted(result.statuses.items()))
    resumed = f" ({result.skipped_done} already done)" if result.skipped_done else ""
    print(f"{result.ran} cases{resumed} in {result.wall_s:.1f} s: {counts or 'no rows'}")
    print(result.path)
    if not args.no_report:
        _write_report(result.path)
    return 0


def _write_report(path: Path) -> None:
    """Write the result set's report into ``<path>/report``; a failure is a warning only."""
    from .report import build_report

    try:
        report = build_report([path], path / "report", compute_sweeps=False)
    except Exception as exc:  # noqa: BLE001 - the results are saved; the report is extra
        first = (str(exc).strip().splitlines() or [""])[0]
        print(f"diffbench: warning: no report ({type(exc).__name__}: {first})", file=sys.stderr)
        return
    print(f"report: {report.html}")


def _continuous(args: argparse.Namespace) -> int:
    from .gate import main as gate_main

    return gate_main(args)


def _env(args: argparse.Namespace) -> int:
    from .harness.environment import fingerprint, summary_lines

    info = fingerprint()
    print(json.dumps(info, indent=2) if args.json else "\n".join(summary_lines(info)))
    return 0
