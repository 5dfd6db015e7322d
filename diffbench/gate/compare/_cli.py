"""``diffbench compare BASE NEW``: its arguments (``build``) and its run (``main``).

``diffbench.cli`` lists it in ``COMMANDS`` like every other command (``build`` imports neither
pandas nor SciPy, so ``diffbench --help`` stays light); ``main_compare(argv)`` runs
it from a list of arguments. Bad input (a missing path, a corrupt or foreign file,
``--normalize`` without calibration) prints one line to stderr and returns 2; a regression in
the ``--fail-on`` kinds returns 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..._argtypes import environment_error, kind_list, parse_or_exit_code
from ..._errors import DiffbenchError
from ._kinds import KINDS


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


def build(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``diffbench compare`` to ``parser``."""
    parser.description = "Compare NEW against BASE. Exit 1 if anything regressed, 2 if bad input."
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


def main(args: argparse.Namespace) -> int:
    """Run ``diffbench compare`` with parsed ``args``; return 0, 1 (regressed) or 2 (bad input)."""
    from ...results._journal import write_bytes_atomic
    from ._compare import compare
    from ._render import to_json, to_markdown

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


def main_compare(argv: list[str]) -> int:
    """Run ``diffbench compare`` with ``argv``; return the exit code (0, 1 regressed, 2 bad input).

    Example:
        >>> main_compare(["results/baselines/cpu", "results/runs"])  # doctest: +SKIP
        0
    """
    args = parse_or_exit_code(build, "diffbench compare", argv)
    return args if isinstance(args, int) else main(args)
