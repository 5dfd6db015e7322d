"""``diffbench report RESULTS...``: its arguments (``build``) and its run (``main``).

``diffbench.cli`` lists it in ``COMMANDS``; ``main_report(argv)`` runs it from a list of
arguments, and ``write_session_report`` is the report ``run`` and ``study`` write at the end of
a session. Bad input (a missing path, a corrupt or foreign file) prints one line to stderr and
returns 2, with no traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._argtypes import environment_error, parse_or_exit_code
from .._errors import DiffbenchError


def build(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``diffbench report`` to ``parser``."""
    parser.description = "Write report.md and a self-contained report.html (figures embedded)."
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


def main(args: argparse.Namespace) -> int:
    """Run ``diffbench report`` with parsed ``args``; return 0, or 2 on bad input."""
    from ._report import build_report

    try:
        report = build_report(args.results, args.out, compute_sweeps=not args.no_sweeps)
    except DiffbenchError as exc:
        print(f"diffbench report: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        return environment_error("report", exc)
    print(f"wrote {report.markdown} and {report.html}")
    return 0


def main_report(argv: list[str]) -> int:
    """Run ``diffbench report`` with ``argv``; return the exit code (0, or 2 on bad input).

    Example:
        >>> main_report(["results/runs", "--out", "out/report"])  # doctest: +SKIP
        0
    """
    args = parse_or_exit_code(build, "diffbench report", argv)
    return args if isinstance(args, int) else main(args)


def write_session_report(path: Path) -> None:
    """Write a result set's report into ``<path>/report``; a failure is a warning only (the
    results are saved; the report is extra)."""
    from ._report import build_report

    try:
        report = build_report([path], path / "report", compute_sweeps=False)
    except Exception as exc:  # noqa: BLE001 - the results are saved; the report is extra
        first = (str(exc).strip().splitlines() or [""])[0]
        print(f"diffbench: warning: no report ({type(exc).__name__}: {first})", file=sys.stderr)
        return
    print(f"report: {report.html}")
