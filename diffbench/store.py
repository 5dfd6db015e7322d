"""Result sets on disk: Parquet tables plus JSON metadata, written atomically, loaded together.

A result set is a folder ``<root>/<machine>/<timestamp>-<suite>/`` (root ``results/runs`` by
default) holding:

- ``metadata.json``: the environment fingerprint, the suite, the seed, ``status`` (``running``
  or ``complete``) and the diffbench ``format`` marker;
- ``cases.jsonl``: the journal. A session appends one line per finished case (the case key and
  its rows) and flushes it to disk (``fsync``) before starting the next case, so a crash, a
  Ctrl-C or a SIGKILL loses at most the case in flight; a torn last line is ignored;
- ``gradients.parquet`` (and ``runs.parquet``, ``traces.parquet``, ``sweeps.parquet`` and one
  ``study_<name>.parquet`` per study when the suite has them): the journal compacted into
  tables, rewritten atomically (temporary file + ``os.replace``) every ``checkpoint`` and when
  the session ends. Each carries the metadata in its Parquet schema under the key
  ``diffbench``, so a lone file still says where it came from.

``load(paths...)`` reads result-set folders, single Parquet files, or any folder containing
result sets (found recursively) into one DataFrame, with metadata columns so that several
sets can stand side by side.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ._errors import DiffbenchError
from ._journal import (
    STUDY_PREFIX,
    TABLES,
    entry_tables,
    is_table,
    jsonable,
    quarantine,
    read_journal,
    rows_to_arrow,
    scan_journal,
    trim_torn_line,
    write_json_atomic,
    write_parquet_atomic,
)
from ._lock import SetLock

FORMAT = "diffbench-result-set/1"
DEFAULT_ROOT = Path("results") / "runs"
JOURNAL = "cases.jsonl"
METADATA = "metadata.json"
META_COLUMNS = ("result_set", "machine", "suite", "commit", "timestamp", "device_kind")

_F, _I, _S = pa.float64(), pa.int64(), pa.string()
GRADIENT_SCHEMA = pa.schema(
    [("run_id", _S), ("function", _S), ("n", _I), ("dtype", _S), ("device", _S)]
    + [("method", _S), ("params", _S), ("status", _S), ("error", _S), ("compile_s", _F)]
    + [("time_median_s", _F), ("time_min_s", _F), ("time_iqr_s", _F), ("repeats", _I)]
    + [("samples", pa.list_(_F)), ("f_time_median_s", _F), ("cost_ratio", _F), ("flops", _F)]
    + [("bytes_accessed", _F), ("flops_ratio", _F), ("temp_bytes", _I), ("retraces", _I)]
    + [("abs_err_max", _F), ("rel_err_max", _F), ("rel_err_l2", _F), ("digits", _F)]
    + [("reference", _S), ("min_bytes", _F), ("gb_per_s", _F), ("bandwidth_fraction", _F)]
    + [("compiles", _I), ("devices", _I), ("processes", _I), ("process_id", _I)]
)
"""The ``gradients`` table of DESIGN.md: its columns, in order, with their Arrow types.

A file needs only the key and timing columns (``REQUIRED``) to be read; columns added to
the schema later read as missing values in older result sets.

The last three are bandwidth accounting: ``min_bytes`` is the least a gradient must move
(read x, write the gradient: ``2 n itemsize``), ``gb_per_s`` that over the median time, and
``bandwidth_fraction`` that over the device's copy bandwidth measured by the session.
``compiles`` counts the XLA compilations a case caused (``jax.monitoring`` events), so a change
that compiles twice per case shows as a number, not only as seconds.
``devices`` is how many devices one gradient was split over, ``processes`` how many processes
shared the session and ``process_id`` which one measured the row (``diffbench.distributed``).
"""

GRADIENT_COLUMNS = tuple(GRADIENT_SCHEMA.names)
REQUIRED = {
    "gradients": {"run_id", "function", "n", "dtype", "device", "method", "params", "status"}
    | {"time_median_s", "samples"},
    "runs": {"run_id", "function", "n", "optimizer"},
    "traces": {"run_id"},
    "sweeps": {"function", "method"},
}
"""Study tables are named ``study_<name>`` (``diffbench.studies.table_name``); each needs only
its ``study`` column. ``is_table`` (from ``_journal``) is the one rule for table names."""


def study_tables(folder: str | Path) -> list[str]:
    """The study tables a result-set folder holds (from its Parquet files or its journal)."""
    folder = Path(folder)
    names = {p.stem for p in folder.glob(f"{STUDY_PREFIX}*.parquet")}
    names |= {
        table
        for entry in read_journal(folder / JOURNAL)
        for table in entry_tables(entry)
        if table.startswith(STUDY_PREFIX)
    }
    return sorted(n for n in names if is_table(n))


def _required(table: str) -> set[str]:
    return REQUIRED.get(table, {"study"})


# -- the result set -------------------------------------------------------------------------------


def timestamp_now() -> str:
    """Return the UTC time as ``YYYYMMDDTHHMMSSZ``: sortable and file-name safe."""
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


class ResultSet:
    """One result-set folder: its metadata, its journal of finished cases and its tables.

    Create one with ``ResultSet.create`` (which holds its write lock), reopen one with
    ``ResultSet(path)`` (read-only until ``open_for_writing`` or the first ``append``). Only
    one writer at a time: a second gets a one-line ``DiffbenchError``.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.metadata = read_metadata(self.path)
        self.lock = SetLock(self.path)
        self._journal: Any = None
        self._entries: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] | None = None

    @classmethod
    def create(cls, root: str | Path, suite: str, metadata: dict[str, Any]) -> ResultSet:
        """Make ``<root>/<machine>/<timestamp>-<suite>/`` and write its metadata.

        Args:
            root: the results folder (``results/runs`` by convention).
            suite: the suite name (part of the folder name).
            metadata: the fingerprint; must hold ``machine``.
        """
        stamp = timestamp_now()
        base = Path(root) / safe_name(str(metadata["machine"]), "machine")
        base.mkdir(parents=True, exist_ok=True)
        name, suffix = f"{stamp}-{safe_name(suite, 'suite')}", 1
        while True:  # mkdir is the atomic claim: two processes never get one folder
            path = base / (name if suffix == 1 else f"{name}-{suffix}")
            try:
                path.mkdir()
                break
            except FileExistsError:
                suffix += 1
        lock = SetLock(path)
        lock.acquire()
        meta = {**metadata, "format": FORMAT, "suite": suite, "timestamp": stamp}
        meta.setdefault("run_id", f"{meta['machine']}/{path.name}")
        meta.setdefault("status", "running")
        write_json_atomic(path / METADATA, meta)
        results = cls(path)
        results.lock = lock
        return results

    def open_for_writing(self) -> None:
        """Take the write lock and move bad journal lines aside (``cases.quarantine.jsonl``).

        Raises:
            DiffbenchError: another process is writing this set.
        """
        if self._journal is not None:
            return
        self.lock.acquire()
        journal = self.path / JOURNAL
        trim_torn_line(journal)
        quarantine(journal, scan_journal(journal))
        self._entries = None
        self._journal = open(journal, "a", encoding="utf-8")  # noqa: SIM115

    @property
    def run_id(self) -> str:
        """The id every row of this set carries in its ``run_id`` column."""
        return str(self.metadata.get("run_id") or self.path.name)

    def update_metadata(self, **fields: Any) -> None:
        """Merge ``fields`` into ``metadata.json`` (atomically)."""
        self.metadata.update(fields)
        write_json_atomic(self.path / METADATA, self.metadata)

    def entries(self) -> dict[tuple[str, str], dict[str, list[dict[str, Any]]]]:
        """Return ``{(table, case key): {table: rows}}`` of every finished case (last one wins).

        A case's rows belong to its own table and possibly to others (an optimizer case
        writes ``runs`` rows and ``traces`` rows).
        """
        if self._entries is None:
            self._entries = {}
            for entry in read_journal(self.path / JOURNAL):
                self._entries[(entry["table"], entry["key"])] = entry_tables(entry)
        return self._entries

    def done(self, table: str) -> set[str]:
        """Return the keys of the cases of ``table`` already on disk."""
        return {key for (name, key) in self.entries() if name == table}

    def append(
        self,
        table: str,
        key: str,
        rows: list[dict[str, Any]],
        more: dict[str, list[dict[str, Any]]] | None = None,
    ) -> None:
        """Append one finished case to the journal and flush it to disk before returning.

        Args:
            table: the case's table; ``key`` is unique within it.
            key: the case's identity (what ``--resume`` matches).
            rows: its rows of ``table``.
            more: its rows of other tables, written in the same line (all or nothing).
        """
        if not all(is_table(t) for t in [table, *(more or {})]):
            names = ", ".join([table, *(more or {})])
            raise DiffbenchError(
                f"Unknown table among {names}; tables are {', '.join(TABLES)}, study_<name>."
            )
        self.open_for_writing()
        entry = {"table": table, "key": key, "rows": rows, "more": more or {}}
        self._journal.write(json.dumps(entry, default=jsonable) + "\n")
        self._journal.flush()
        os.fsync(self._journal.fileno())
        self.entries()[(table, key)] = entry_tables(entry)

    def write_tables(self) -> dict[str, Path]:
        """Compact the journal into one Parquet file per table (atomically); return their paths.

        Only the names of ``TABLES`` become files, inside the set's folder.
        """
        rows: dict[str, list[dict[str, Any]]] = {}
        for tables in self.entries().values():
            for table, case_rows in tables.items():
                rows.setdefault(table, []).extend(case_rows)
        written = {}
        for table, table_rows in rows.items():
            arrow = arrow_table(table, table_rows, self.path / JOURNAL)
            written[table] = self.path / f"{table}.parquet"
            write_parquet_atomic(arrow, written[table], self.metadata)
        return written

    def close(self, status: str = "complete") -> None:
        """Write the tables, mark the metadata with ``status``, close the journal, unlock.

        Raises:
            DiffbenchError: another process is writing this set.
        """
        self.lock.acquire()
        try:
            self.metadata.update(status=status, finished=timestamp_now())
            self.write_tables()  # the tables carry the final status in their own metadata
            self.update_metadata()
        finally:
            if self._journal is not None:
                self._journal.close()
                self._journal = None
            self.lock.release()


def read_metadata(folder: Path) -> dict[str, Any]:
    """Return the metadata of a result-set folder; a corrupt or foreign file is an error."""
    path = Path(folder) / METADATA
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DiffbenchError(f"{folder} is not a result set (no {METADATA}).") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise DiffbenchError(f"{path} is corrupt: {_first_line(exc)}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise DiffbenchError(f"{path} is not diffbench metadata (no format {FORMAT!r}).")
    wrong = [k for k in _TEXT_FIELDS if k in meta and not isinstance(meta[k], str | None)]
    if wrong:
        raise DiffbenchError(f"{path} is corrupt: {', '.join(wrong)} must be text.")
    return meta


_TEXT_FIELDS = ("machine", "suite", "commit", "timestamp", "device_kind", "run_id", "status")


def safe_name(text: str, what: str) -> str:
    """Return ``text`` if it is usable as one folder name, else raise a one-line error."""
    if not text or text in (".", "..") or any(c in text for c in "/\\\0") or len(text) > 200:
        raise DiffbenchError(f"The {what} name {text[:80]!r} cannot name a folder.")
    return text


def find_result_sets(path: str | Path) -> list[Path]:
    """Return the result-set folders at or under ``path`` (sorted)."""
    path = Path(path)
    if (path / METADATA).exists():
        return [path]
    return sorted(p.parent for p in path.rglob(METADATA) if _is_ours(p))


def latest_result_set(
    root: str | Path, suite: str, machine: str, unfinished: bool = False
) -> Path | None:
    """Return the newest result set of ``suite`` on ``machine`` under ``root``, or None.

    With ``unfinished``, only sets whose status is not ``complete`` count (``--resume``).
    """
    folder = Path(root) / machine
    if not folder.is_dir():
        return None
    metas = {p: read_metadata(p) for p in find_result_sets(folder)}
    found = [
        p
        for p, meta in metas.items()
        if meta.get("suite") == suite and not (unfinished and meta.get("status") == "complete")
    ]
    return max(found, key=lambda p: str(metas[p].get("timestamp")) + p.name, default=None)


def _is_ours(path: Path) -> bool:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("format") == FORMAT
    except (OSError, ValueError, AttributeError):
        return False


# -- loading ------------------------------------------------------------------------------------


def load(*paths: str | Path, table: str = "gradients") -> pd.DataFrame:
    """Load result sets into one DataFrame with metadata columns.

    Args:
        *paths: result-set folders, Parquet files, or folders that contain result sets
            (searched recursively).
        table: which table to read from folders: ``gradients``, ``runs``, ``traces`` or
            ``sweeps`` (a Parquet file is read as the table it is).

    Returns:
        The rows of every set, each with ``result_set`` (``<machine>/<folder>``), ``machine``,
        ``suite``, ``commit``, ``timestamp`` and ``device_kind``. A set still running (or
        killed) is read from its journal, so every finished case is there.

    Raises:
        DiffbenchError: a missing path, a folder without result sets, or a corrupt or
            foreign file (one line).

    Example:
        >>> df = load("results/runs")  # doctest: +SKIP
    """
    if not is_table(table):
        raise DiffbenchError(
            f"Unknown table `{table}`; tables are: {', '.join(TABLES)}, study_<name>."
        )
    frames = [_load_one(Path(p), table) for p in paths]
    frames = [f for group in frames for f in group if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _load_one(path: Path, table: str) -> list[pd.DataFrame]:
    if not path.exists():
        raise DiffbenchError(f"No such results path: {path}.")
    if path.is_file():
        return [_load_parquet_file(path)]
    sets = find_result_sets(path)
    if not sets:
        raise DiffbenchError(f"{path} holds no diffbench result set.")
    return [_load_set(folder, table) for folder in sets]


def _load_set(folder: Path, table: str) -> pd.DataFrame:
    meta = read_metadata(folder)
    parquet = folder / f"{table}.parquet"
    if meta.get("status") == "complete" and parquet.exists():
        return _with_meta(_read_parquet(parquet, table), meta, folder)
    entries = read_journal(folder / JOURNAL)
    rows = [r for e in entries for r in entry_tables(e).get(table, [])]
    if not rows:
        return pd.DataFrame()
    return _with_meta(arrow_table(table, rows, folder / JOURNAL).to_pandas(), meta, folder)


def arrow_table(table: str, rows: list[dict[str, Any]], source: Path) -> pa.Table:
    """Rows as an Arrow table: ``gradients`` with its schema, others with the union of the
    rows' columns in order of first appearance (a study's parts have different columns).
    Rows whose values do not fit a column are dropped with a warning (``rows_to_arrow``)."""
    if table == "gradients":
        return rows_to_arrow(rows, GRADIENT_SCHEMA, source)
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return rows_to_arrow([{c: row.get(c) for c in columns} for row in rows], None, source)


def _load_parquet_file(path: Path) -> pd.DataFrame:
    name = path.stem if is_table(path.stem) else _guess_table(path)
    frame = _read_parquet(path, name)
    try:
        meta = read_metadata(path.parent)
    except DiffbenchError:
        raw = pq.read_schema(path).metadata or {}
        meta = json.loads(raw.get(b"diffbench", b"{}"))
    return _with_meta(frame, meta, path.parent)


def _guess_table(path: Path) -> str:
    columns = set(_read_schema(path).names)
    for name in TABLES:
        if REQUIRED[name] <= columns:
            return name
    found = ", ".join(sorted(columns))
    raise DiffbenchError(f"{path} is not a diffbench table (its columns: {found}).")


def _read_schema(path: Path) -> pa.Schema:
    try:
        return pq.read_schema(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for foreign files
        raise DiffbenchError(f"{path} is not a readable Parquet file: {_first_line(exc)}") from None


def _read_parquet(path: Path, table: str) -> pd.DataFrame:
    missing = _required(table) - set(_read_schema(path).names)
    if missing:
        raise DiffbenchError(
            f"{path} is not a diffbench {table} table (missing: {', '.join(sorted(missing))})."
        )
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001
        raise DiffbenchError(f"{path} is not a readable Parquet file: {_first_line(exc)}") from None
    if table == "gradients":  # older sets lack columns added since: they read as missing
        for column in GRADIENT_COLUMNS:
            if column not in frame.columns:
                frame[column] = None
    return frame


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ") + "."


def _with_meta(frame: pd.DataFrame, meta: dict[str, Any], folder: Path) -> pd.DataFrame:
    frame = frame.copy()
    machine = meta.get("machine") or folder.parent.name
    values = {
        "result_set": f"{machine}/{folder.name}",
        "machine": machine,
        "suite": meta.get("suite"),
        "commit": meta.get("commit"),
        "timestamp": meta.get("timestamp"),
        "device_kind": meta.get("device_kind"),
    }
    for column in META_COLUMNS:
        if column not in frame.columns:
            frame[column] = values[column]
    return frame
