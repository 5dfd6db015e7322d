"""Reading pytest-benchmark JSON (``--benchmark-json`` / ``--benchmark-autosave``) as gradient rows.

Each benchmark becomes one row of the ``gradients`` table: ``time_median_s``, ``time_min_s``,
``time_iqr_s`` and ``repeats`` from its ``stats``, and ``samples`` from ``stats.data`` when the file
was saved with ``--benchmark-save-data`` (otherwise ``samples`` is empty and ``compare`` can only
apply the threshold). The key columns come from ``extra_info`` when a benchmark records diffbench's
fields there (``function`` and ``method`` at least; ``n``, ``dtype``, ``device``, ``params``);
otherwise ``function`` is the benchmark's ``fullname`` and the other key columns are empty.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from .._errors import DiffbenchError

_KEY_FIELDS = ("function", "n", "dtype", "device", "method", "params")


def is_pytest_benchmark(path: Path) -> bool:
    """Whether ``path`` is a JSON file written by pytest-benchmark."""
    if path.suffix != ".json" or not path.is_file():
        return False
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and isinstance(data.get("benchmarks"), list)


def read_pytest_benchmark(path: Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """Read a pytest-benchmark JSON file.

    Args:
        path: The JSON file.

    Returns:
        ``(metadata, gradients)``: metadata with ``machine``, ``commit``, ``timestamp`` and
        ``suite="pytest-benchmark"``; one gradients row per benchmark, times in seconds.

    Raises:
        DiffbenchError: The file is not valid pytest-benchmark JSON.
    """
    try:
        data = json.loads(path.read_text())
        rows = [_row(bench) for bench in data["benchmarks"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DiffbenchError(f"{path} is not valid pytest-benchmark JSON ({exc}).") from None
    machine = data.get("machine_info") or {}
    commit = data.get("commit_info") or {}
    meta = {
        "machine": machine.get("node"),
        "cpu_model": (machine.get("cpu") or {}).get("brand_raw"),
        "device_kind": "cpu",
        "commit": commit.get("id"),
        "timestamp": data.get("datetime"),
        "suite": "pytest-benchmark",
        "versions": {"pytest_benchmark": data.get("version")},
    }
    return meta, pd.DataFrame(rows)


def _row(bench: dict[str, Any]) -> dict[str, Any]:
    """One gradients row from one pytest-benchmark entry."""
    stats = bench["stats"]
    extra = bench.get("extra_info") or {}
    if extra.get("function") is not None and extra.get("method") is not None:
        row: dict[str, Any] = {name: extra.get(name) for name in _KEY_FIELDS}
    else:  # not a diffbench case: the benchmark's full name is its key
        row = {name: None for name in _KEY_FIELDS} | {"function": bench["fullname"]}
    row.update(
        benchmark=bench["fullname"],
        status="ok",
        time_median_s=float(stats["median"]),
        time_min_s=float(stats["min"]),
        time_iqr_s=float(stats.get("iqr", float("nan"))),
        repeats=int(stats.get("rounds", 0)),
        samples=[float(v) for v in stats.get("data", [])],
    )
    for name in ("digits", "rel_err_max"):
        if name in extra:
            row[name] = extra[name]
    return row
