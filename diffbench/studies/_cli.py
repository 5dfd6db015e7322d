"""``diffbench study NAME...``: run studies into a result set and write its report.

The parser is built without importing JAX or the studies (``build``); ``main`` imports
them. A study's table goes to ``<out>/<machine>/<timestamp>-study-<name>/study_<name>.parquet``
with the usual metadata, and the report (``report/report.html``) gets a section per study.

Example:
    $ diffbench study saddles
    $ diffbench study all --size small --out /tmp/runs
    $ diffbench study list
"""

from __future__ import annotations

import argparse


def build(study: argparse.ArgumentParser) -> None:
    """Add the arguments of ``diffbench study`` to ``study``."""
    study.add_argument("names", nargs="+", metavar="NAME", help="study names, `all` or `list`")
    study.add_argument(
        "--size", default="default", choices=("default", "small"), help="default: default"
    )
    study.add_argument("--device", default="cpu", choices=("cpu", "gpu"), help="default: cpu")
    study.add_argument("--out", default=None, help="results root (default: results/runs)")
    study.add_argument("--quiet", action="store_true", help="no progress bar (CI logs)")
    study.add_argument(
        "--no-report", action="store_true", help="skip writing <result set>/report/ at the end"
    )


def main(args: argparse.Namespace) -> int:
    """Run the studies ``args.names`` (or list them); return the exit code."""
    from .. import studies

    if args.names == ["list"]:
        for name in studies.names():
            print(f"{name:<22}{studies.get(name).description}")
        return 0
    names = studies.names() if "all" in args.names else [studies.get(n).name for n in args.names]
    return _run(list(dict.fromkeys(names)), args)


def _run(names: list[str], args: argparse.Namespace) -> int:
    from ..harness import run_suite
    from ..harness.blocks import StudiesBlock
    from ..harness.suites import Suite
    from ..results import DEFAULT_ROOT

    label = names[0] if len(names) == 1 else "all" if len(names) > 2 else "-".join(names)
    suite = Suite(
        name=f"study-{label}",
        description=f"diffbench study {' '.join(names)} --size {args.size}",
        devices=(args.device,),
        source="diffbench study",
        studies=(StudiesBlock(names=tuple(names), size=args.size),),
    )
    result = run_suite(suite, out=args.out or DEFAULT_ROOT, quiet=args.quiet)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(result.statuses.items()))
    print(
        f"{len(names)} stud{'y' if len(names) == 1 else 'ies'} in {result.wall_s:.1f} s: {counts}"
    )
    print(result.path)
    if not args.no_report:
        from ..report._cli import write_session_report

        write_session_report(result.path)
    return 0 if result.statuses.get("error", 0) == 0 else 2
