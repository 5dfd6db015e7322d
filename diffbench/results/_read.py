"""The one reader of results: result sets, Parquet files and pytest-benchmark JSON -> ``Results``.

A path may be a result-set folder, one Parquet file, any folder that contains result sets or
pytest-benchmark JSON files (searched recursively), or one such JSON file. The rules, each
written once here:

- a result set whose status is ``complete`` is read from its Parquet files, any other (still
  running, or killed) from its journal, so every finished case is there;
- a lone Parquet file is the table its name says (``runs.parquet``), else the table whose
  required columns it has (``schema.guess_table``); its metadata is its folder's
  ``metadata.json``, else the copy in its own Parquet schema;
- every table gets the metadata columns (``schema.META_COLUMNS``) that its rows do not already
  carry: ``result_set`` (``<machine>/<folder>``, ``#2`` appended when two sets share it),
  ``machine`` (``machine``, else the older ``machine_id``, else the parent folder's name),
  ``suite``, ``commit``, ``timestamp``, ``device_kind`` and ``calibration_s`` (the calibration
  seconds of the row's device platform: ``calibration_for``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .._errors import DiffbenchError
from ._journal import TABLES, entry_tables, is_table, read_journal
from ._pytest_benchmark import is_pytest_benchmark, read_pytest_benchmark
from ._store import (
    JOURNAL,
    _first_line,
    arrow_table,
    find_result_sets,
    read_metadata,
    study_tables,
)
from .schema import GRADIENT_COLUMNS, guess_table, required_columns


@dataclass
class Results:
    """The tables of one or more result sets, concatenated, with metadata columns.

    Attributes:
        gradients: One row per gradient measurement (docs/ARCHITECTURE.md, ``gradients``).
        runs: One row per optimizer run and target (``runs``).
        traces: Loss traces: one row per run and traced step (``traces``).
        sweeps: Step sweeps: one row per method and step (``sweeps``).
        studies: Study tables by table name (``study_saddles``: ``diffbench.studies``).
        metadata: One dict per result set, in load order, each with its ``result_set`` label.
    """

    gradients: pd.DataFrame = field(default_factory=pd.DataFrame)
    runs: pd.DataFrame = field(default_factory=pd.DataFrame)
    traces: pd.DataFrame = field(default_factory=pd.DataFrame)
    sweeps: pd.DataFrame = field(default_factory=pd.DataFrame)
    metadata: list[dict[str, Any]] = field(default_factory=list)
    studies: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        """Result-set labels in load order."""
        return [m["result_set"] for m in self.metadata]

    def table(self, name: str) -> pd.DataFrame:
        """Return the table ``name`` (one of the four, or ``study_<name>``; empty if absent)."""
        if name in TABLES:
            return getattr(self, name)
        return self.studies.get(name, pd.DataFrame())


def load_results(paths: list[str | Path]) -> Results:
    """Load result sets, Parquet files and pytest-benchmark JSON files into one ``Results``.

    Args:
        paths: Result-set folders, Parquet files, folders containing result sets, or
            pytest-benchmark JSON files.

    Returns:
        The concatenated tables with metadata columns.

    Raises:
        DiffbenchError: A path does not exist, holds no results, or cannot be read (one line).

    Example:
        >>> results = load_results(["results/runs"])  # doctest: +SKIP
    """
    units = [read_unit(unit) for raw in paths for unit in _expand(Path(raw))]
    seen: dict[str, int] = {}
    for meta, _ in units:  # two sets may share machine and folder name: keep labels apart
        seen[meta["result_set"]] = seen.get(meta["result_set"], 0) + 1
        if seen[meta["result_set"]] > 1:
            meta["result_set"] += f"#{seen[meta['result_set']]}"
    labelled = [{n: _with_meta(t, meta) for n, t in tables.items()} for meta, tables in units]
    joined = _concat(labelled)
    studies = {name: joined.pop(name) for name in list(joined) if name not in TABLES}
    return Results(**joined, metadata=[meta for meta, _ in units], studies=studies)


def load(*paths: str | Path, table: str = "gradients") -> pd.DataFrame:
    """Load one table of result sets into one DataFrame with metadata columns.

    Args:
        *paths: result-set folders, Parquet files, pytest-benchmark JSON, or folders that
            contain them (searched recursively).
        table: which table to read from folders: ``gradients``, ``runs``, ``traces``,
            ``sweeps`` or ``study_<name>`` (a lone Parquet file is read as the table it is).

    Returns:
        The rows of every set with the metadata columns of ``load_results``.

    Raises:
        DiffbenchError: an unknown table, a missing path, a folder without results, or a
            corrupt or foreign file (one line).

    Example:
        >>> df = load("results/runs")  # doctest: +SKIP
    """
    if not is_table(table):
        raise DiffbenchError(
            f"Unknown table `{table}`; tables are: {', '.join(TABLES)}, study_<name>."
        )
    results = load_results(list(paths))
    lone = [p for p in map(Path, paths) if p.suffix == ".parquet" and p.is_file()]
    if len(lone) == len(paths):  # only files: each is the table it is
        frames = [results.table(n) for n in (*TABLES, *results.studies)]
        return pd.concat([f for f in frames if not f.empty] or [pd.DataFrame()], ignore_index=True)
    return results.table(table)


def _concat(units: list[dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """The tables of several units, each concatenated (empty tables dropped)."""
    frames: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    for tables in units:
        for name, frame in tables.items():
            if not frame.empty:
                frames.setdefault(name, []).append(frame)
    return {
        name: pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        for name, parts in frames.items()
    }


def _expand(path: Path) -> list[Path]:
    """The result-set folders, Parquet files and JSON files that ``path`` names."""
    if not path.exists():
        raise DiffbenchError(f"No such results path: {path}.")
    if path.is_file():
        return [path]
    found = find_result_sets(path)
    found += sorted(p for p in path.rglob("*.json") if is_pytest_benchmark(p))
    if not found:
        raise DiffbenchError(
            f"{path} holds no diffbench result set (and no pytest-benchmark JSON)."
        )
    return found


def read_unit(path: Path) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """Return the labelled metadata and the tables of one result-set folder, Parquet file or
    pytest-benchmark JSON file (tables without metadata columns yet)."""
    if path.is_dir():
        meta = read_metadata(path)
        names = [*TABLES, *study_tables(path)]
        return _label(meta, path), {name: _read_set_table(path, meta, name) for name in names}
    if path.suffix == ".json":
        if not is_pytest_benchmark(path):
            raise DiffbenchError(f"{path} is neither diffbench results nor pytest-benchmark JSON.")
        meta, table = read_pytest_benchmark(path)
        return _label(meta, path), {"gradients": table}
    name = path.stem if is_table(path.stem) else guess_table(_read_schema(path).names, path)
    return _label(_file_meta(path), path.parent), {name: _read_parquet(path, name)}


def _read_set_table(folder: Path, meta: dict[str, Any], table: str) -> pd.DataFrame:
    """One table of a result set: its Parquet file when complete, else its journal."""
    parquet = folder / f"{table}.parquet"
    if meta.get("status") == "complete" and parquet.exists():
        return _read_parquet(parquet, table)
    rows = [r for e in read_journal(folder / JOURNAL) for r in entry_tables(e).get(table, [])]
    if not rows:
        return pd.DataFrame()
    return arrow_table(table, rows, folder / JOURNAL).to_pandas()


def _read_schema(path: Path) -> pa.Schema:
    try:
        return pq.read_schema(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for foreign files
        raise DiffbenchError(f"{path} is not a readable Parquet file: {_first_line(exc)}") from None


def _read_parquet(path: Path, table: str) -> pd.DataFrame:
    missing = required_columns(table) - set(_read_schema(path).names)
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


def _file_meta(path: Path) -> dict[str, Any]:
    """Metadata of a lone Parquet file: its folder's ``metadata.json``, else its own schema's."""
    try:
        return read_metadata(path.parent)
    except DiffbenchError:
        raw = _read_schema(path).metadata or {}
        try:
            meta = json.loads(raw.get(b"diffbench", b"{}"))
        except ValueError:
            return {}
        return meta if isinstance(meta, dict) else {}


def _label(meta: dict[str, Any], path: Path) -> dict[str, Any]:
    """A copy of ``meta`` with ``machine``, ``path`` and the label ``machine/folder``."""
    out = dict(meta)
    out["machine"] = meta.get("machine") or meta.get("machine_id") or path.parent.name
    out["path"] = str(path)
    out["result_set"] = f"{out['machine']}/{path.name}"
    return out


def _with_meta(table: pd.DataFrame, meta: dict[str, Any]) -> pd.DataFrame:
    """``table`` with the metadata columns it lacks set from ``meta`` (one result set)."""
    if table.empty:
        return table
    table = table.copy()
    for key in ("result_set", "machine", "suite", "commit", "timestamp", "device_kind"):
        if key not in table.columns:
            table[key] = meta.get(key)
    if "calibration_s" not in table.columns:
        devices = table["device"] if "device" in table else pd.Series("", index=table.index)
        table["calibration_s"] = [calibration_for(d, meta.get("calibration_s")) for d in devices]
    return table


def calibration_for(device: Any, calibration: Any) -> float:
    """The calibration seconds that apply to a row measured on ``device``.

    Args:
        device: The row's device (a platform such as ``cpu``, ``gpu``, or ``gpu:0``).
        calibration: The metadata's ``calibration_s``: a number, or ``{platform: seconds}``.

    Returns:
        Seconds, or nan when none applies.
    """
    if isinstance(calibration, dict):
        text = str(device)
        calibration = calibration.get(text, calibration.get(text.split(":")[0]))
    try:  # metadata is untrusted: anything but a number reads as "no calibration"
        return float(calibration) if not isinstance(calibration, str | bool) else float("nan")
    except (TypeError, ValueError, OverflowError):
        return float("nan")
