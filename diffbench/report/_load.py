"""Reading results into tables for reports and comparisons, on top of ``diffbench.store``.

A path may be a result-set folder, one Parquet file, any folder that contains result sets
(searched recursively), or a pytest-benchmark JSON file (or a folder of them). Result sets are
read with ``diffbench.store.load`` (so a set still running is read from its journal); every table
gets the metadata columns ``result_set``, ``machine``, ``suite``, ``commit``, ``timestamp``,
``device_kind`` and ``calibration_s`` (the calibration seconds of the row's device platform, from
the metadata's ``calibration_s``: a number, or ``{platform: seconds}``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from .. import store
from .._errors import DiffbenchError
from ._pytest_benchmark import is_pytest_benchmark, read_pytest_benchmark

TABLES = store.TABLES
_GUESS = (  # table: columns that identify it in a lone Parquet file
    ("gradients", {"function", "method", "time_median_s"}),
    ("runs", {"function", "optimizer"}),
    ("traces", {"run_id", "step", "loss"}),
    ("sweeps", {"function", "method", "step", "rel_err_max"}),
)


@dataclass
class Results:
    """The tables of one or more result sets, concatenated, with metadata columns.

    Attributes:
        gradients: One row per gradient measurement (DESIGN.md's ``gradients`` table).
        runs: One row per optimizer run and target (DESIGN.md's ``runs`` table).
        traces: Optional loss traces: ``run_id, step, loss, time_s`` (seconds since start).
        sweeps: Optional step sweeps: ``function, n, dtype, method, step, rel_err_max``.
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
    units = [_read_unit(unit) for raw in paths for unit in _expand(Path(raw))]
    seen: dict[str, int] = {}
    for meta, _ in units:  # two sets may share machine and folder name: keep labels apart
        seen[meta["result_set"]] = seen.get(meta["result_set"], 0) + 1
        if seen[meta["result_set"]] > 1:
            meta["result_set"] += f"#{seen[meta['result_set']]}"
    frames: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    for meta, tables in units:
        for name, table in tables.items():
            if not table.empty:
                frames.setdefault(name, []).append(_with_meta(table, meta))
    joined = {
        name: pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        for name, parts in frames.items()
    }
    studies = {name: joined.pop(name) for name in list(joined) if name not in TABLES}
    return Results(**joined, metadata=[meta for meta, _ in units], studies=studies)


def _expand(path: Path) -> list[Path]:
    """The result-set folders, Parquet files and JSON files that ``path`` names."""
    if not path.exists():
        raise DiffbenchError(f"No such results path: {path}.")
    if path.is_file():
        return [path]
    found = store.find_result_sets(path)
    found += sorted(p for p in path.rglob("*.json") if is_pytest_benchmark(p))
    if not found:
        raise DiffbenchError(f"{path} holds no diffbench result set or pytest-benchmark JSON.")
    return found


def _read_unit(path: Path) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """Metadata and tables of one result-set folder, Parquet file or pytest-benchmark JSON."""
    if path.is_dir():
        meta = store.read_metadata(path)
        names = [*TABLES, *store.study_tables(path)]
        tables = {name: store.load(path, table=name) for name in names}
        return _label(meta, path), tables
    if path.suffix == ".json":
        if not is_pytest_benchmark(path):
            raise DiffbenchError(f"{path} is neither diffbench results nor pytest-benchmark JSON.")
        meta, table = read_pytest_benchmark(path)
        return _label(meta, path), {"gradients": table}
    frame = store.load(path)
    return _label(_file_meta(path), path.parent), {_guess_table(path, frame): frame}


def _guess_table(path: Path, frame: pd.DataFrame) -> str:
    if store.is_table(path.stem):
        return path.stem
    for name, columns in _GUESS:
        if columns <= set(frame.columns):
            return name
    raise DiffbenchError(f"{path} is not a diffbench table (columns: {', '.join(frame.columns)}).")


def _file_meta(path: Path) -> dict[str, Any]:
    """Metadata of a lone Parquet file: its folder's ``metadata.json``, else its own schema's."""
    try:
        return store.read_metadata(path.parent)
    except DiffbenchError:
        raw = pq.read_schema(path).metadata or {}
        return json.loads(raw.get(b"diffbench", b"{}"))


def _label(meta: dict[str, Any], path: Path) -> dict[str, Any]:
    """A copy of ``meta`` with ``machine``, ``path`` and the label ``machine/folder``."""
    out = dict(meta)
    out["machine"] = meta.get("machine") or meta.get("machine_id") or path.parent.name
    out["path"] = str(path)
    out["result_set"] = f"{out['machine']}/{path.name}"
    return out


def _with_meta(table: pd.DataFrame, meta: dict[str, Any]) -> pd.DataFrame:
    """``table`` with the metadata columns set from ``meta`` (one result set)."""
    table = table.copy()
    for key in ("result_set", "machine", "suite", "commit", "timestamp", "device_kind"):
        table[key] = meta.get(key)
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
