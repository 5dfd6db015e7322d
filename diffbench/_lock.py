"""An exclusive, advisory lock on a result set while a process writes to it.

``SetLock(folder).acquire()`` takes ``fcntl.flock`` on ``<folder>/.lock`` without waiting; a
second writer (another process, or a second ``ResultSet`` in this one) gets a one-line
``DiffbenchError`` naming the holder's pid. The operating system drops the lock when the
holder exits, however it exits (SIGKILL included), so a stale lock never blocks ``--resume``.
Readers (``load``, ``report``, ``compare``) take no lock: every file they read is written
atomically or append-only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from ._errors import DiffbenchError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, writers are not kept apart
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = ".lock"


class SetLock:
    """The write lock of one result-set folder."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / LOCK_FILE
        self._handle: IO[str] | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._handle is not None

    def acquire(self) -> None:
        """Take the lock now, or raise ``DiffbenchError`` if another writer holds it."""
        if self._handle is not None or fcntl is None:
            return
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise DiffbenchError(
                f"{self.path.parent} is being written by another writer "
                f"(pid {holder}); wait for it to finish, or run without --resume."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Drop the lock (closing the file releases it)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
