"""Argument types shared by the command-line parsers (light: no JAX, pandas or SciPy)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence


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
