"""The diffbench command line: list, run, report, compare, continuous, study, env.

Bad usage (an unknown name, a bad option, a missing GPU, a corrupt results file) prints one
line on stderr and exits with code 2, without a traceback, and so does an environment error
(a full disk, a read-only output, ``--out`` naming a file). Exit code 1 means a regression
found by ``compare`` and nothing else: an unexpected error also exits with 2 (one line;
``DIFFBENCH_TRACEBACK=1`` shows the traceback). Ctrl-C exits with 130 and keeps every
finished case on disk (``--resume``). A plugin that fails
(it does not import, or its function, method or optimizer raises) is one line naming it and
exit code 2; the other cases still run.

``--help``, ``--version`` and ``list`` import neither JAX, SymPy nor pandas: every handler
imports what it needs when it runs. Subcommands live in ``COMMANDS``: a new one is a builder
of its arguments and a handler of the parsed namespace.

Example:
    $ diffbench list methods
    $ diffbench run smoke --dtype float64 --out results/runs
    $ diffbench report results/runs
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NoReturn

from ._argtypes import OneLineParser
from ._errors import DiffbenchError, first_line

LISTS = ("functions", "methods", "suites", "optimizers")

RUN_EXAMPLES = """\
examples:
  diffbench run smoke -f rosenbrock -m central -m 'forward*'   gradients of one function
  diffbench run smoke -o adam --dims 2                          optimizer runs only
  diffbench run suite.toml --plugin mybench.bench --max-time 60 your code, one minute
  diffbench run smoke --dtype float32 --quiet --no-report       CI logs

Patterns are shell globs (fnmatch). -m without -o leaves optimizer runs out, -o without -m
leaves gradient cases out; a filter repeated keeps what matches any of its patterns.
"""


@dataclass(frozen=True)
class Command:
    """One subcommand.

    Attributes:
        help: one line for ``diffbench --help``.
        build: adds the subcommand's arguments to its parser.
        handle: runs it; returns the exit code.
    """

    help: str
    build: Callable[[argparse.ArgumentParser], None]
    handle: Callable[[argparse.Namespace], int]


def _plugin_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="MODULE",
        help="import MODULE (or module:attribute) first, to register your functions, methods "
        "or optimizers (repeatable; installed diffbench.plugins entry points load anyway)",
    )


def _build_list(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", nargs="?", choices=LISTS, help="what to list (default: all)")
    parser.add_argument("--tag", action="append", help="only functions with this tag")
    parser.add_argument("--json", action="store_true", help="as JSON: {section: [rows]}")
    _plugin_option(parser)


def _build_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "suite", help="a built-in suite (smoke, standard, full, gpu) or a TOML path"
    )
    pick = parser.add_argument_group("selecting cases")
    for short, long, what in (
        ("-f", "--function", "functions"),
        ("-m", "--method", "gradient methods"),
        ("-o", "--optimizer", "optimizers"),
    ):
        pick.add_argument(
            short, long, action="append", default=[], metavar="GLOB", help=f"only these {what}"
        )
    pick.add_argument("--dims", type=_dims, default=(), metavar="N[,N...]", help="only these n")
    pick.add_argument("--dtype", choices=("float32", "float64", "all"), help="default: all")
    pick.add_argument("--device", choices=("cpu", "gpu", "all"), help="default: the suite's")
    pick.add_argument(
        "--max-time",
        type=float,
        metavar="SECONDS",
        help="start no case after this budget; finish later with --resume",
    )
    parser.add_argument("--out", default=None, help="results root (default: results/runs)")
    parser.add_argument("--resume", action="store_true", help="continue the newest unfinished set")
    parser.add_argument("--quiet", action="store_true", help="no progress bar (CI logs)")
    parser.add_argument(
        "--no-report", action="store_true", help="skip writing <result set>/report/ at the end"
    )
    _plugin_option(parser)
    _processes_options(parser)


def _processes_options(parser: argparse.ArgumentParser) -> None:
    """Options of a session shared among processes (``diffbench.distributed``)."""
    group = parser.add_argument_group(
        "several processes (jax.distributed; process 0 writes the one result set)"
    )
    group.add_argument(
        "--processes", type=int, metavar="N", help="run the session in N local processes"
    )
    group.add_argument("--coordinator", metavar="HOST:PORT", help="process 0's address (cluster)")
    group.add_argument(
        "--num-processes", type=int, metavar="N", help="processes in all (default: $SLURM_NTASKS)"
    )
    group.add_argument(
        "--process-id", type=int, metavar="I", help="this process, 0 ... N-1 ($SLURM_PROCID)"
    )


def _build_env(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="as JSON")


def _dims(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected whole numbers like 2,8; got {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive whole numbers; got {text!r}")
    return values


def build_parser() -> argparse.ArgumentParser:
    """Return the ``diffbench`` argument parser with its subcommands."""
    from . import __version__

    parser = OneLineParser(prog="diffbench", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"diffbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, command in COMMANDS.items():
        extra = {"epilog": RUN_EXAMPLES} if name == "run" else {}
        command.build(
            sub.add_parser(
                name,
                help=command.help,
                formatter_class=argparse.RawDescriptionHelpFormatter,
                **extra,
            )
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    as_program, argv = argv is None, list(sys.argv[1:] if argv is None else argv)
    _warnings_to_stderr()
    try:
        args = build_parser().parse_args(argv)
        args.argv = argv  # the command line as given (``--processes`` relaunches it)
        return COMMANDS[args.command].handle(args)
    except DiffbenchError as exc:
        print(f"diffbench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "diffbench: interrupted; finished cases are saved (rerun with --resume).",
            file=sys.stderr,
        )
        if as_program:
            _exit_now(130)
        return 130
    except OSError as exc:  # ENOSPC, a read-only mount, a file where a folder should be
        where = f" {exc.filename}" if exc.filename else ""
        print(f"diffbench: error: cannot use{where}: {exc.strerror or exc}.", file=sys.stderr)
        return 2
    except MemoryError:
        print("diffbench: error: out of memory; use smaller dims, starts, steps.", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - one line unless asked for the traceback
        if os.environ.get("DIFFBENCH_TRACEBACK"):
            traceback.print_exc()
        first = first_line(exc)
        print(
            f"diffbench: internal error: {type(exc).__name__}: {first} "
            "(set DIFFBENCH_TRACEBACK=1 for the traceback)",
            file=sys.stderr,
        )
        return 2  # exit 1 is reserved for a regression


def _exit_now(code: int) -> NoReturn:
    """Flush the output and end the process without the interpreter's teardown.

    After a Ctrl-C, XLA's threads may still be running; tearing the interpreter down under
    them could crash the process (exit -11 instead of 130). Every finished case is already on
    disk (the journal is fsync-ed, the set is closed), so there is nothing left to clean up.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


class _StderrHandler(logging.Handler):
    """Warnings of the ``diffbench`` logger as ``diffbench: warning: ...`` on the current
    stderr (looked up at each record, so redirections and test captures see them)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"diffbench: warning: {record.getMessage()}", file=sys.stderr)


def _warnings_to_stderr() -> None:
    logger = logging.getLogger("diffbench")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        logger.addHandler(_StderrHandler(logging.WARNING))


def _load_plugins(specs: list[str]) -> None:
    from . import plugins

    plugins.load_all(specs)


def _plugin_failures() -> int:
    """Print one line per failed plugin; return 2 if any failed, else 0."""
    from . import plugins

    for name, reason in plugins.failures().items():
        print(f"diffbench: error: plugin `{name}`: {reason}", file=sys.stderr)
    return 2 if plugins.failures() else 0


def _list(args: argparse.Namespace) -> int:
    from .harness import listing

    if args.tag and args.what not in (None, "functions"):
        raise DiffbenchError(f"--tag filters functions; it does not apply to {args.what}.")
    _load_plugins(args.plugin)
    sections = [args.what] if args.what else list(LISTS)
    found = {section: listing.rows(section, args.tag) for section in sections}
    if args.json:
        print(listing.to_json(found))
        return _plugin_failures()
    for section, rows in found.items():
        lines = listing.render(rows)
        if len(sections) > 1:
            print(f"{section}:")
            lines = [f"  {line}" for line in lines]
        print("\n".join(lines))
    return _plugin_failures()


def _run(args: argparse.Namespace) -> int:
    from .harness import run_suite
    from .harness.selection import Selection
    from .results import DEFAULT_ROOT

    _load_plugins(args.plugin)
    select = Selection(
        tuple(args.function), tuple(args.method), tuple(args.optimizer), tuple(args.dims)
    )
    if args.processes is not None:
        if args.coordinator is not None:
            raise DiffbenchError("Give --processes N (one machine) or --coordinator, not both.")
        from .distributed._launch import launch

        return launch(args.argv, args.processes)
    session = dict(
        device=args.device,
        dtype=args.dtype,
        out=args.out or DEFAULT_ROOT,
        resume=args.resume,
        quiet=args.quiet,
        select=None if select.empty else select,
        budget_s=args.max_time,
    )
    from .distributed._member import run_member
    from .distributed._session import cluster_from

    cluster = cluster_from(args.coordinator, args.num_processes, args.process_id)
    if cluster is None:
        result = run_suite(args.suite, **session)
    else:
        result = run_member(cluster, args.suite, **session)
        if result is None:  # not process 0: its cases are in process 0's result set
            return _plugin_failures()
    counts = ", ".join(f"{n} {status}" for status, n in sorted(result.statuses.items()))
    resumed = f" ({result.skipped_done} already done)" if result.skipped_done else ""
    left = f"; {result.left} left for --resume (time budget)" if result.left else ""
    print(f"{result.ran} cases{resumed} in {result.wall_s:.1f} s: {counts or 'no rows'}{left}")
    print(result.path)
    if not args.no_report:
        from .report._cli import write_session_report

        write_session_report(result.path)
    return _plugin_failures()


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    from .report._cli import build

    build(parser)


def _report(args: argparse.Namespace) -> int:
    from .report._cli import main as report_main

    return report_main(args)


def _compare_arguments(parser: argparse.ArgumentParser) -> None:
    from .gate.compare._cli import build

    build(parser)


def _compare(args: argparse.Namespace) -> int:
    from .gate.compare._cli import main as compare_main

    return compare_main(args)


def _continuous_arguments(parser: argparse.ArgumentParser) -> None:
    from .gate._cli import build

    build(parser)


def _continuous(args: argparse.Namespace) -> int:
    from .gate._cli import main as gate_main

    return gate_main(args)


def _study_arguments(parser: argparse.ArgumentParser) -> None:
    from .studies._cli import build

    build(parser)


def _study(args: argparse.Namespace) -> int:
    from .studies._cli import main as study_main

    return study_main(args)


def _env(args: argparse.Namespace) -> int:
    from .harness.environment import fingerprint, summary_lines

    info = fingerprint()
    print(json.dumps(info, indent=2) if args.json else "\n".join(summary_lines(info)))
    return 0


COMMANDS: dict[str, Command] = {
    "list": Command("list functions, methods, suites or optimizers", _build_list, _list),
    "run": Command("run a suite and write a result set", _build_run, _run),
    "report": Command("write a report of result sets", _report_arguments, _report),
    "compare": Command(
        "compare two result sets; exit 1 on a regression", _compare_arguments, _compare
    ),
    "continuous": Command(
        "paired A/B run of two revisions; gate on timing, cost and status",
        _continuous_arguments,
        _continuous,
    ),
    "study": Command(
        "run studies of the seed texts' phenomena (`diffbench study list` names them)",
        _study_arguments,
        _study,
    ),
    "env": Command("print the environment fingerprint", _build_env, _env),
}
"""The subcommands, in the order ``--help`` lists them."""
