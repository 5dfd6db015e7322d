"""Argument types shared by the command-line parsers (light: no JAX, pandas or SciPy)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn


def kind_list(known: Sequence[str]) -> Callable[[str], tuple[str, ...]]:
    """Return an argparse type that reads ``"a,b"`` into ``("a", "b")``, each one of ``known``.

    Example:
        >>> kind_list(("timing", "cost"))("cost, timing")
        ('cost', 'timing')
    """

    def parse(text: str) -> tuple[str, ...]:
        kinds = tuple(k.strip() for k in text.split(",") if k.strip())
        unknown = [k for k in kinds if k not in known]
        if unknown:
            raise argparse.ArgumentTypeError(
                f"unknown kind(s) {', '.join(unknown)}; choose from {', '.join(known)}"
            )
        return kinds

    return parse


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def parse_or_exit_code(
    build: Callable[[argparse.ArgumentParser], None], prog: str, argv: list[str]
) -> argparse.Namespace | int:
    """Parse ``argv`` with a ``OneLineParser`` named ``prog`` that ``build`` filled; return the
    namespace, or the exit code argparse chose (0 after ``--help``, 2 after an error)."""
    parser = OneLineParser(prog=prog)
    build(parser)
    try:
        return parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed its message
        return int(exc.code or 0)


def environment_error(command: str, exc: OSError) -> int:
    """Print an unreadable or unwritable path (ENOSPC, read-only, a file as a folder) as one
    line; return 2, the exit code of usage and environment errors."""
    where = f" {exc.filename}" if exc.filename else ""
    print(f"diffbench {command}: cannot use{where}: {exc.strerror or exc}.", file=sys.stderr)
    return 2
