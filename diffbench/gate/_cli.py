"""``diffbench continuous BASE [HEAD] --suite SUITE``: the paired regression gate.

Exit codes: 0 no regression of the kinds in ``--fail-on``; 1 a regression; 2 bad usage or
environment (an unknown revision, a suite that does not load, a worker that cannot start);
130 interrupted (what finished is written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .._argtypes import kind_list
from .._errors import DiffbenchError
from ._kinds import KINDS

DEFAULT_OUT = Path("results") / "continuous"


def build(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``diffbench continuous`` to ``parser``."""
    parser.add_argument("base", help="BASE revision (a commit, tag, branch, HEAD~1)")
    parser.add_argument(
        "head",
        nargs="?",
        default="HEAD",
        help="HEAD revision (default: HEAD, as committed)",
    )
    parser.add_argument("--suite", default="gate", help="suite name or TOML path (default: gate)")
    parser.add_argument("--rounds", type=_positive, default=15, help="paired rounds (default 15)")
    parser.add_argument("--samples", type=_positive, default=15, help="samples per round (15)")
    parser.add_argument(
        "--sample-s",
        type=float,
        default=0.0003,
        help="seconds per sample (0.0003: short enough that most fit in one scheduler slice)",
    )
    parser.add_argument("--no-pin", action="store_true", help="do not pin both workers to one core")
    parser.add_argument(
        "--fail-on",
        type=kind_list(KINDS),
        default=KINDS,
        help=f"regression kinds that fail (comma-separated from {','.join(KINDS)}; default all)",
    )
    parser.add_argument(
        "--no-timing", action="store_true", help="compile and count only (deterministic gates)"
    )
    parser.add_argument("--alpha", type=float, default=0.01, help="false-alarm level (0.01)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the round order")
    parser.add_argument("--python", default=None, help="interpreter of both workers")
    for side in ("base", "head"):
        parser.add_argument(
            f"--python-{side}",
            default=None,
            metavar="PYTHON",
            help=f"interpreter of the {side.upper()} worker, e.g. a virtual environment's "
            "bin/python with that side's dependencies (default: --python, else this one)",
        )
    parser.add_argument(
        "--path",
        action="append",
        default=[],
        help="import path added to each side (repeat); a relative one is taken inside each "
        "side's checkout (e.g. src: each side imports its own revision of your package)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where runs are written")
    parser.add_argument("--output", type=Path, help="also write the report to this file")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"needs a positive integer; got {text}")
    return value


def _check_measured(run: Any, folder: Path) -> None:
    """Refuse a run in which no case worked on either side: there is nothing to judge."""
    for name, info in run.fingerprints.items():
        for plugin, why in (info.get("plugin_failures") or {}).items():
            print(f"diffbench: error: {name}: plugin `{plugin}`: {why}", file=sys.stderr)
    if run.interrupted or any(
        record.setup.get(side, {}).get("status") == "ok"
        for record in run.records
        for side in ("base", "head")
    ):
        return
    first = next((r.setup.get("base", {}).get("error") for r in run.records), None)
    raise DiffbenchError(
        f"No case ran on either side, so there is nothing to compare (first error: {first}); "
        f"see {folder}."
    )


def main(args: argparse.Namespace) -> int:
    """Run the paired gate for parsed ``args``; return the exit code."""
    from ..harness.session import resolve_devices
    from ..harness.suites import load_suite
    from ._render import render, write_json
    from ._results import run_folder, write_sides
    from ._revisions import checkouts, repository_root
    from ._runner import Plan, run_paired
    from ._verdicts import evaluate
    from ._workers import default_python

    spec = load_suite(args.suite)
    every = spec.cases(resolve_devices(list(spec.devices)))
    cases = [c for c in every if c.table == "gradients"]
    runs = tuple(c for c in every if c.table == "runs")
    if not cases:
        raise DiffbenchError(f"Suite {spec.name} has no gradient case to compare.")
    plan = Plan(
        rounds=args.rounds,
        samples=args.samples,
        sample_s=args.sample_s,
        seed=args.seed,
        timing=not args.no_timing,
        pin=not args.no_pin,
        plugins=tuple(spec.plugins),
    )
    repo = repository_root()
    with checkouts(repo, [("base", args.base), ("head", args.head)], args.path) as sides:
        folder = run_folder(args.out, spec.name, sides)
        shared = args.python or default_python()
        python = {"base": args.python_base or shared, "head": args.python_head or shared}
        run = run_paired(sides, cases, plan, python, folder, args.quiet, runs)
        write_sides(run, folder, spec.name)
    _check_measured(run, folder)
    result = evaluate(run, alpha=args.alpha)
    text = render(result, args.fail_on)
    (folder / "comparison.md").write_text(text, encoding="utf-8")
    write_json(result, args.fail_on, folder / "comparison.json")
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    print(text)
    print(f"written: {folder}", file=sys.stderr)
    if run.interrupted:
        return 130
    return 1 if result.failed(args.fail_on) else 0
