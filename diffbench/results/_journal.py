"""Files that survive a crash: atomic replacement, and the append-only journal of a session.

- ``write_json_atomic`` / ``write_parquet_atomic`` / ``write_bytes_atomic`` write to a
  temporary file in the same folder, ``fsync`` it, ``os.replace`` it over the target and
  ``fsync`` the folder: a reader sees the old file or the new one, never half of one (a target
  that exists and is not a regular file, such as ``/dev/stdout``, is written into instead);
- the journal (``cases.jsonl``) gets one JSON line per finished case, flushed and
  ``fsync``-ed before the next case starts; a line torn by a kill is the last one, and
  ``read_journal`` drops it, ``trim_torn_line`` cuts it before new lines are appended;
- any other bad line (not UTF-8, not JSON, a wrong type, a table that is not one of
  ``TABLES``) is skipped with a warning by readers and moved to ``cases.quarantine.jsonl``
  by a writer (``quarantine``): one bad line never makes the other cases unreachable.

Used by ``diffbench.store``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .._errors import DiffbenchError

TABLES = ("gradients", "runs", "traces", "sweeps")
STUDY_PREFIX = "study_"
_STUDY_TABLE = re.compile(r"study_[a-z0-9_]{1,64}")


def is_table(name: Any) -> bool:
    """Whether ``name`` is a result-set table: one of ``TABLES`` or ``study_<name>``.

    The name becomes a file name (``<name>.parquet``) inside the set, so a study table's name
    is lower-case letters, digits and underscores only: no path can be spelled with it.
    """
    return isinstance(name, str) and (name in TABLES or _STUDY_TABLE.fullmatch(name) is not None)


"""The tables a result set may hold: the only names a journal line may give a table."""
QUARANTINE = "cases.quarantine.jsonl"
"""Where bad journal lines are set aside (beside ``cases.jsonl``) when a set is resumed."""
LOG = logging.getLogger("diffbench")


def write_json_atomic(path: Path, obj: Any) -> None:
    """Write ``obj`` as JSON to ``path`` atomically (temporary file, fsync, ``os.replace``)."""
    data = json.dumps(obj, indent=2, sort_keys=True, default=jsonable).encode()
    _replace_atomic(path, lambda tmp: tmp.write_bytes(data))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a reader or a kill never sees half a file."""
    _replace_atomic(path, lambda tmp: tmp.write_bytes(data))


def write_parquet_atomic(table: pa.Table, path: Path, metadata: dict[str, Any]) -> None:
    """Write an Arrow table to ``path`` atomically, with ``metadata`` in the Parquet schema."""
    extra = {b"diffbench": json.dumps(metadata, sort_keys=True, default=jsonable).encode()}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **extra})
    _replace_atomic(path, lambda tmp: pq.write_table(table, tmp))


def _replace_atomic(path: Path, write: Any) -> None:
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):
        write(path)  # a device or a pipe (/dev/stdout): written into, never replaced
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def jsonable(value: Any) -> Any:
    """Turn NumPy scalars and arrays (and anything else) into JSON values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def entry_tables(entry: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Return ``{table: rows}`` of one journal entry (its own table and any others)."""
    return {entry["table"]: entry["rows"], **entry.get("more", {})}


@dataclass
class JournalScan:
    """What a journal holds: its good entries and the lines set aside.

    Attributes:
        entries: the valid entries, in file order.
        bad: ``(line number, raw bytes, reason)`` of every line that is not a valid entry
            (not UTF-8, not JSON, a wrong type, or a table outside ``TABLES``); a torn last
            line (a kill mid-write) is not counted: it is an expected, harmless remnant.
    """

    entries: list[dict[str, Any]] = field(default_factory=list)
    bad: list[tuple[int, bytes, str]] = field(default_factory=list)

    def summary(self, path: Path) -> str:
        """One line naming how many lines of ``path`` were set aside, and the first reason."""
        number, _, reason = self.bad[0]
        return (
            f"{path}: {len(self.bad)} bad journal line(s) skipped (line {number}: {reason}); "
            "every other case is kept."
        )


def scan_journal(path: Path) -> JournalScan:
    """Return the valid entries of a journal and the bad lines, without raising on content.

    A line is valid when it is UTF-8 JSON of the form ``{"table": T, "key": str, "rows":
    [dict, ...], "more": {T: [dict, ...]}}`` with every ``T`` in ``TABLES``: a journal is
    untrusted input (result sets are shared), so a table name never becomes a file name
    unless it is one of ours.
    """
    scan = JournalScan()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return scan
    except OSError as exc:
        raise DiffbenchError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    lines = data.split(b"\n")
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        entry, reason = _parse_line(raw)
        if reason is None:
            scan.entries.append(entry)
        elif not (number == len(lines) and reason == _NOT_JSON):  # a torn last line: dropped
            scan.bad.append((number, raw, reason))
    return scan


_NOT_JSON = "not JSON"


def _parse_line(raw: bytes) -> tuple[Any, str | None]:
    """Return ``(entry, None)`` for a valid line, else ``(None, reason)``."""
    try:
        entry = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "not UTF-8"
    except (json.JSONDecodeError, RecursionError):
        return None, _NOT_JSON
    return (entry, None) if (reason := entry_problem(entry)) is None else (None, reason)


def entry_problem(entry: Any) -> str | None:
    """Return why ``entry`` is not a valid journal entry, or None when it is."""
    if not isinstance(entry, dict) or not {"table", "key", "rows"} <= set(entry):
        return "not a journal entry (needs table, key, rows)"
    if not isinstance(entry["key"], str):
        return "key is not a string"
    more = entry.get("more", {})
    if not isinstance(more, dict):
        return "more is not an object"
    for table, rows in [(entry["table"], entry["rows"]), *more.items()]:
        if not is_table(table):
            return f"unknown table {str(table)[:60]!r}"
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            return f"rows of {table} are not a list of objects"
    return None


def read_journal(path: Path) -> list[dict[str, Any]]:
    """Return the valid entries of a journal; bad lines are skipped with a logged warning.

    The warning is logged once per journal and content (a reader reads a set once per table).
    """
    scan = scan_journal(path)
    if scan.bad:
        seen = (str(path.resolve()), tuple(number for number, _, _ in scan.bad), len(scan.entries))
        if seen not in _WARNED:
            _WARNED.add(seen)
            LOG.warning(scan.summary(path))
    return scan.entries


_WARNED: set[tuple[str, tuple[int, ...], int]] = set()


def quarantine(path: Path, scan: JournalScan) -> Path | None:
    """Move the bad lines of the journal at ``path`` aside; return the quarantine file.

    The bad lines are appended, byte for byte, to ``cases.quarantine.jsonl`` beside the
    journal (and flushed) before the journal is rewritten atomically with the good lines
    only, so a crash in between duplicates a line at worst and never loses one. Returns
    None when there was nothing to move.
    """
    if not scan.bad:
        return None
    aside = path.with_name(QUARANTINE)
    with open(aside, "ab") as handle:
        handle.write(b"".join(raw + b"\n" for _, raw, _ in scan.bad))
        handle.flush()
        os.fsync(handle.fileno())
    good = b"".join(json.dumps(e, default=jsonable).encode() + b"\n" for e in scan.entries)
    _replace_atomic(path, lambda tmp: tmp.write_bytes(good))
    LOG.warning(f"{scan.summary(path)} They were moved to {aside.name}.")
    return aside


def rows_to_arrow(rows: list[dict[str, Any]], schema: pa.Schema | None, source: Path) -> pa.Table:
    """Return rows as an Arrow table; rows whose values do not fit a column are dropped.

    A journal is untrusted: a row with, say, a string where the schema has a number is
    skipped with a warning rather than making the whole set unreadable.
    """
    try:
        return pa.Table.from_pylist(rows, schema=schema)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        pass
    kept = []
    for row in rows:
        try:
            pa.Table.from_pylist([row], schema=schema)
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            continue
        kept.append(row)
    LOG.warning(f"{source}: {len(rows) - len(kept)} row(s) with values of the wrong type skipped.")
    try:
        return pa.Table.from_pylist(kept, schema=schema)
    except (pa.ArrowException, TypeError, ValueError, OverflowError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DiffbenchError(f"{source} holds rows of mixed types: {first}.") from None


def trim_torn_line(path: Path) -> None:
    """Cut a journal back to its last complete line so new lines start clean."""
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        with open(path, "r+b") as handle:
            handle.truncate(data.rfind(b"\n") + 1)
