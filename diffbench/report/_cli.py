"""Entry points of ``diffbench report`` and ``diffbench compare``: argv in, exit code out.

``diffbench.cli`` hands its remaining arguments to ``main_report`` / ``main_compare``. Bad input (a
missing path, a corrupt or foreign file, ``--normalize`` without calibration) prints one line to
stderr and returns 2, with no traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from .._argtypes import kind_list
from .._errors import DiffbenchError
from ..results._journal import write_bytes_atomic
from ._compare import KINDS, compare
from ._compare_render import to_json, to_markdown


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _threshold(text: str) -> float:
    value = float(text.rstrip("%")) / (100.0 if text.endswith("%") else 1.0)
    if not 0.0 <= value < 10.0:
        raise argparse.ArgumentTypeError(f"threshold must be in [0, 10); got {text}")
    return value


def _confidence(text: str) -> float:
    try:
        value = float(text.rstrip("%")) / (100.0 if text.endswith("%") else 1.0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"confidence must be a number; got {text}") from None
    if not 0.5 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"confidence must be in [0.5, 1), e.g. 0.99; got {text}")
    return value


def environment_error(command: str, exc: OSError) -> int:
    """Print an unreadable or unwritable path (ENOSPC, read-only, a file as a folder) as one
    line; return 2, the exit code of usage and environment errors."""
    where = f" {exc.filename}" if exc.filename else ""
    print(f"diffbench {command}: cannot use{where}: {exc.strerror or exc}.", file=sys.stderr)
    return 2


def compare_parser() -> argparse.ArgumentParser:
    """The argument parser of ``diffbench compare``."""
    parser = _Parser(
        prog="diffbench compare",
        description="Compare NEW against BASE. Exit 1 if anything regressed, 2 if bad input.",
    )
    parser.add_argument(
        "base", help="BASE: result set, folder of result sets, Parquet or pytest-benchmark JSON"
    )
    parser.add_argument("new", help="NEW: the same kinds of path")
    parser.add_argument(
        "--threshold",
        type=_threshold,
        default=0.10,
        help="relative timing change that counts: 0.10 or 10%% (default 0.10)",
    )
    parser.add_argument(
        "--confidence",
        type=_confidence,
        default=0.99,
        help="bootstrap interval coverage, in [0.5, 1); U-test level is 1 - this (0.99)",
    )
    parser.add_argument("--format", choices=("md", "json"), default="md", help="output format")
    parser.add_argument(
        "--normalize", action="store_true", help="divide timings by each result set's calibration_s"
    )
    parser.add_argument(
        "--fail-on",
        type=kind_list(KINDS),
        default=KINDS,
        metavar="KINDS",
        help="regression kinds that give exit 1, comma-separated "
        "(default timing,accuracy,status,cost; CI on shared machines: accuracy,status,cost)",
    )
    parser.add_argument(
        "--no-noise-floor",
        action="store_true",
        help="do not raise the threshold to the session-to-session noise measured across rows",
    )
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="rows of BASE absent from NEW are listed, not status regressions",
    )
    parser.add_argument(
        "--across-machines",
        action="store_true",
        help="judge timings even when BASE and NEW ran on different machines",
    )
    parser.add_argument("--output", type=Path, help="also write the output to this file")
    return parser


def main_compare(argv: list[str]) -> int:
    """Run ``diffbench compare`` with ``argv``; return the exit code (0, 1 regressed, 2 bad input).

    Example:
        >>> main_compare(["results/baselines/cpu", "results/runs"])  # doctest: +SKIP
        0
    """
    try:
        args = compare_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed its message
        return int(exc.code or 0)
    try:
        result = compare(
            [args.base],
            [args.new],
            threshold=args.threshold,
            confidence=args.confidence,
            normalize=args.normalize,
            noise_floor=not args.no_noise_floor,
            allow_missing=args.allow_missing,
            across_machines=args.across_machines,
        )
    except DiffbenchError as exc:
        print(f"diffbench compare: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        return environment_error("compare", exc)
    text = (to_json if args.format == "json" else to_markdown)(result, args.fail_on)
    if args.output:
        try:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(args.output, text.encode("utf-8"))
        except OSError as exc:
            return environment_error("compare", exc)
    print(text, end="" if text.endswith("\n") else "\n")
    return 1 if result.failed(args.fail_on) else 0


def report_parser() -> argparse.ArgumentParser:
    """The argument parser of ``diffbench report``."""
    parser = _Parser(
        prog="diffbench report",
        description="Write report.md and a self-contained report.html (figures embedded).",
    )
    parser.add_argument(
        "results",
        nargs="+",
        help="result sets, folders of them, Parquet files "
        "or pytest-benchmark JSON; several are shown side by side",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("report"), help="output folder (default: ./report)"
    )
    parser.add_argument(
        "--no-sweeps",
        action="store_true",
        help="do not compute a step sweep when the results have none",
    )
    return parser


def main_report(argv: list[str]) -> int:
    """Run ``diffbench report`` with ``argv``; return the exit code (0, or 2 on bad input).

    Example:
        >>> main_report(["results/runs", "--out", "out/report"])  # doctest: +SKIP
        0
    """
    from ._report import build_report

    try:
        args = report_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        report = build_report(args.results, args.out, compute_sweeps=not args.no_sweeps)
    except DiffbenchError as exc:
        print(f"diffbench report: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        return environment_error("report", exc)
    print(f"wrote {report.markdown} and {report.html}")
    return 0
