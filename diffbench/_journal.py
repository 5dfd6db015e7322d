"""Files that survive a crash: atomic replacement, and the append-only journal of a session.

- ``write_json_atomic`` / ``write_parquet_atomic`` write to a temporary file in the same
  folder, ``fsync`` it, ``os.replace`` it over the target and ``fsync`` the folder: a reader
  sees the old file or the new one, never half of one;
- the journal (``cases.jsonl``) gets one JSON line per finished case, flushed and
  ``fsync``-ed before the next case starts; a line torn by a kill is the last one, and
  ``read_journal`` drops it, ``trim_torn_line`` cuts it before new lines are appended.

Used by ``diffbench.store``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ._errors import DiffbenchError


def write_json_atomic(path: Path, obj: Any) -> None:
    """Write ``obj`` as JSON to ``path`` atomically (temporary file, fsync, ``os.replace``)."""
    data = json.dumps(obj, indent=2, sort_keys=True, default=jsonable).encode()
    _replace_atomic(path, lambda tmp: tmp.write_bytes(data))


def write_parquet_atomic(table: pa.Table, path: Path, metadata: dict[str, Any]) -> None:
    """Write an Arrow table to ``path`` atomically, with ``metadata`` in the Parquet schema."""
    extra = {b"diffbench": json.dumps(metadata, sort_keys=True, default=jsonable).encode()}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **extra})
    _replace_atomic(path, lambda tmp: pq.write_table(table, tmp))


def _replace_atomic(path: Path, write: Any) -> None:
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


def read_journal(path: Path) -> list[dict[str, Any]]:
    """Return the entries of a journal; a torn last line (a kill mid-write) is dropped."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").split("\n")
    entries = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            if number == len(lines):  # the unterminated last line: a write cut short
                break
            raise DiffbenchError(f"{path} is corrupt at line {number}.") from None
        if not isinstance(entry, dict) or not {"table", "key", "rows"} <= set(entry):
            raise DiffbenchError(f"{path} is not a diffbench journal (line {number}).")
        entries.append(entry)
    return entries


def trim_torn_line(path: Path) -> None:
    """Cut a journal back to its last complete line so new lines start clean."""
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        with open(path, "r+b") as handle:
            handle.truncate(data.rfind(b"\n") + 1)
