"""The progress display of a session: current case, count, elapsed time and ETA (rich).

It draws on stderr, so stdout keeps only the session's result; ``quiet`` draws nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class _Bar:
    """A rich progress task, or nothing when quiet."""

    def __init__(self, progress: Any, task: Any) -> None:
        self.progress = progress
        self.task = task

    def start(self, label: str) -> None:
        """Show ``label`` as the case in flight."""
        if self.progress is not None:
            self.progress.update(self.task, description=label)

    def finish(self) -> None:
        """Replace the last case's label once every case is done."""
        self.start("done")

    def advance(self) -> None:
        """Count one more finished case."""
        if self.progress is not None:
            self.progress.advance(self.task)


@contextmanager
def progress_bar(total: int, done: int = 0, quiet: bool = False) -> Iterator[_Bar]:
    """Yield a bar over ``total`` cases of which ``done`` are already finished.

    Args:
        total: all cases of the session.
        done: cases already on disk (resume).
        quiet: draw nothing (CI logs).
    """
    if quiet:
        yield _Bar(None, None)
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.description}", markup=False),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        task = progress.add_task("starting", total=total, completed=done)
        yield _Bar(progress, task)
