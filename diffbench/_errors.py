"""Errors raised at diffbench's public boundary, each a one-line reason a user can act on."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class DiffbenchError(ValueError):
    """Bad input to diffbench: an unknown name, an unsupported size, a corrupt file.

    The message is one line that says what was received and what to do; the CLI prints it
    without a traceback and exits with code 2.
    """


class Skipped(DiffbenchError):
    """A method is impractical or invalid for this case; the message says why.

    A session records it as a row with ``status="skipped"`` and the message. Defined here, beside
    ``DiffbenchError``, so that ``_objective`` raises it without importing ``methods`` (which
    imports ``_objective``); ``diffbench.methods.Skipped`` is this class.
    """


class UnknownNameError(DiffbenchError, KeyError):
    """A function, method, suite or optimizer name that is not registered."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def first_line(message: object, default: str = "") -> str:
    """Return the first non-empty line of ``message`` (an exception or text), stripped.

    Returns ``default`` when the message is empty or blank (``str(KeyError())`` is ``""``), so
    a caller never indexes an empty list.
    """
    lines = [line.strip() for line in str(message).strip().splitlines()]
    return next((line for line in lines if line), default)


def describe(exc: BaseException) -> str:
    """Return ``"TypeName: first line"`` of an exception (just ``"TypeName"`` for an empty one)."""
    return f"{type(exc).__name__}: {first_line(exc)}".rstrip(": ")


def closest(name: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """Return up to ``limit`` candidates closest to ``name`` (best first)."""
    candidates = list(candidates)
    found = difflib.get_close_matches(name, candidates, n=limit, cutoff=0.5)
    prefixed = [c for c in candidates if c.startswith(name[:3]) and c not in found]
    return (found + sorted(prefixed))[:limit]


def unknown(kind: str, name: str, candidates: Iterable[str]) -> UnknownNameError:
    """Build the error for an unknown ``kind`` name, suggesting the nearest registered ones."""
    candidates = sorted(candidates)
    near = closest(str(name), candidates)
    hint = f" Did you mean: {', '.join(near)}?" if near else f" Known: {', '.join(candidates)}."
    return UnknownNameError(f"Unknown {kind} `{name}`.{hint}")
