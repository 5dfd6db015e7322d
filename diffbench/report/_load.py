"""Reading result sets into tables for reports and comparisons.

A result set is a folder ``<timestamp>-<suite>/`` holding ``gradients.parquet``, ``runs.parquet``,
optional ``traces.parquet`` and ``sweeps.parquet``, and ``metadata.json``. A path given to the
report or to ``compare`` may be a result-set folder, one Parquet file (its folder's metadata is
read), any folder that contains result sets (searched recursively), or a pytest-benchmark JSON file.

Every table gets the metadata columns ``result_set`` (a short label), ``machine``, ``device_kind``,
``commit``, ``suite``, ``timestamp`` and ``calibration_s`` so that several result sets can stand
side by side.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .._errors import DiffbenchError
from ._calibration import calibration_for
from ._pytest_benchmark import is_pytest_benchmark, read_pytest_benchmark

TABLES = ("gradients", "runs", "traces", "sweeps")
META_COLUMNS = (
    "result_set",
    "machine",
    "device_kind",
    "commit",
    "suite",
    "timestamp",
    "calibration_s",
)
_META_ALIASES = {
    "machine": ("machine_id", "machine", "hostname"),
    "device_kind": ("device_kind", "backend"),
    "commit": ("commit", "git_commit", "git_sha"),
    "suite": ("suite",),
    "timestamp": ("timestamp", "datetime", "started"),
    "calibration_s": ("calibration_s",),
}


@dataclass
class Results:
    """The tables of one or more result sets, concatenated, with metadata columns.

    Attributes:
        gradients: One row per gradient measurement (DESIGN.md's ``gradients`` table).
        runs: One row per optimizer run and target (DESIGN.md's ``runs`` table).
        traces: Optional loss traces: ``run_id, step, loss, time_s`` (seconds since start).
        sweeps: Optional step sweeps: ``function, n, dtype, method, step, rel_err_max``.
        metadata: One dict per result set, in load order, each with a ``result_set`` label.
    """

    gradients: pd.DataFrame = field(default_factory=pd.DataFrame)
    runs: pd.DataFrame = field(default_factory=pd.DataFrame)
    traces: pd.DataFrame = field(default_factory=pd.DataFrame)
    sweeps: pd.DataFrame = field(default_factory=pd.DataFrame)
    metadata: list[dict[str, Any]] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        """Result-set labels in load order."""
        return [m["result_set"] for m in self.metadata]

    def empty(self) -> bool:
        """Whether no gradient or run rows were found."""
        return self.gradients.empty and self.runs.empty


def load_results(paths: list[str | Path]) -> Results:
    """Load result sets, Parquet files and pytest-benchmark JSON files into one ``Results``.

    Args:
        paths: Result-set folders, Parquet files, folders containing result sets, or
            pytest-benchmark JSON files.

    Returns:
        The concatenated tables with metadata columns.

    Raises:
        DiffbenchError: A path does not exist, holds no result set, or cannot be read.

    Example:
        >>> results = load_results(["results/runs"])  # doctest: +SKIP
    """
    units: list[tuple[dict[str, Any], dict[str, pd.DataFrame]]] = []
    for raw in paths:
        for unit in _expand(Path(raw)):
            units.append(_read_unit(unit))
    if not units:
        raise DiffbenchError(f"No result sets found in {', '.join(map(str, paths))}.")
    _unique_labels([meta for meta, _ in units])
    frames: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    for meta, tables in units:
        for name, table in tables.items():
            frames[name].append(_with_meta(table, meta))
    joined = {
        n: pd.concat(f, ignore_index=True) if f else pd.DataFrame() for n, f in frames.items()
    }
    return Results(**joined, metadata=[meta for meta, _ in units])


def _expand(path: Path) -> list[Path]:
    """Return the result-set folders or single files that ``path`` names."""
    if not path.exists():
        raise DiffbenchError(f"No such results path: {path}.")
    if path.is_file():
        return [path]
    if _is_result_set(path):
        return [path]
    found = sorted({p.parent for p in path.rglob("*.parquet") if _is_result_set(p.parent)})
    found += sorted(p for p in path.rglob("*.json") if is_pytest_benchmark(p))
    if not found:
        raise DiffbenchError(f"{path} holds no result set (no gradients.parquet or runs.parquet).")
    return found


def _is_result_set(folder: Path) -> bool:
    return any((folder / f"{name}.parquet").exists() for name in ("gradients", "runs"))


def _read_unit(path: Path) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """Read one result-set folder, Parquet file or pytest-benchmark JSON file."""
    if path.suffix == ".json":
        if not is_pytest_benchmark(path):
            raise DiffbenchError(f"{path} is neither a result set nor pytest-benchmark JSON.")
        meta, table = read_pytest_benchmark(path)
        return _normalize_meta(meta, path), {"gradients": table}
    if path.is_file():
        name = path.stem if path.stem in TABLES else "gradients"
        return _normalize_meta(_read_meta(path.parent), path.parent), {name: _read_parquet(path)}
    tables = {
        name: _read_parquet(path / f"{name}.parquet")
        for name in TABLES
        if (path / f"{name}.parquet").exists()
    }
    return _normalize_meta(_read_meta(path), path), tables


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for foreign or truncated files
        message = f"Cannot read {path}: {type(exc).__name__}: {exc}".split("\n")[0]
        raise DiffbenchError(message) from None


def _read_meta(folder: Path) -> dict[str, Any]:
    path = folder / "metadata.json"
    if not path.exists():
        return {}
    try:
        meta = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise DiffbenchError(f"Cannot read {path}: {exc}.") from None
    if not isinstance(meta, dict):
        raise DiffbenchError(f"{path} is not a JSON object.")
    return meta


def _normalize_meta(meta: dict[str, Any], path: Path) -> dict[str, Any]:
    """Copy ``meta`` and add the canonical metadata keys, with a label for the result set."""
    out = dict(meta)
    for key, aliases in _META_ALIASES.items():
        out[key] = next((meta[a] for a in aliases if meta.get(a) is not None), None)
    if out["machine"] is None and path.parent.name:
        out["machine"] = path.parent.name
    out["path"] = str(path)
    parts = [str(out["machine"] or ""), str(out["commit"] or "")[:7], path.name]
    out["result_set"] = "/".join(p for p in parts if p)
    return out


def _unique_labels(metas: list[dict[str, Any]]) -> None:
    """Make labels unique by appending ``#2``, ``#3`` ... to repeats."""
    seen: dict[str, int] = {}
    for meta in metas:
        label = meta["result_set"]
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            meta["result_set"] = f"{label}#{seen[label]}"


def _with_meta(table: pd.DataFrame, meta: dict[str, Any]) -> pd.DataFrame:
    table = table.copy()
    for key in META_COLUMNS:
        value = meta.get(key)
        if key == "calibration_s":
            devices = table.get("device", pd.Series("", index=table.index))
            table[key] = [calibration_for(d, value) for d in devices]
        else:
            table[key] = value
    return table
