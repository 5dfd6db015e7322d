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
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
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
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = [_row(_table(bench, "benchmark")) for bench in _table(data, "file")["benchmarks"]]
        return _metadata(data), pd.DataFrame(rows)
    except (OSError, ValueError, KeyError, TypeError, OverflowError, RecursionError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise DiffbenchError(f"{path} is not valid pytest-benchmark JSON ({first}).") from None


def _metadata(data: dict[str, Any]) -> dict[str, Any]:
    """The metadata of a file: machine, CPU, commit and time, each as text."""
    machine = _table(data.get("machine_info") or {}, "machine_info")
    commit = _table(data.get("commit_info") or {}, "commit_info")
    return {
        "machine": _text(machine.get("node")),
        "cpu_model": _text(_table(machine.get("cpu") or {}, "cpu").get("brand_raw")),
        "device_kind": "cpu",
        "commit": _text(commit.get("id")),
        "timestamp": _text(data.get("datetime")),
        "suite": "pytest-benchmark",
        "versions": {"pytest_benchmark": _text(data.get("version"))},
    }


def _table(value: Any, what: str = "field") -> dict[str, Any]:
    """``value`` if it is a JSON object; a wrong type is a ``TypeError`` naming ``what``."""
    if not isinstance(value, dict):
        raise TypeError(f"a {what} is {type(value).__name__}, not an object")
    return value


def _text(value: Any) -> str | None:
    """A metadata value as text (None stays None): a file cannot smuggle in other types."""
    return None if value is None else str(value)


def _key(name: str, value: Any) -> Any:
    """A key column's value: text, a number or None; anything else makes the file invalid."""
    if value is None or isinstance(value, str | int | float) and not isinstance(value, bool):
        return value
    raise TypeError(f"extra_info.{name} is {type(value).__name__}, not text or a number")


def _row(bench: dict[str, Any]) -> dict[str, Any]:
    """One gradients row from one pytest-benchmark entry."""
    stats = _table(bench["stats"], "stats")
    extra = _table(bench.get("extra_info") or {}, "extra_info")
    fullname = _key("fullname", bench["fullname"])
    if extra.get("function") is not None and extra.get("method") is not None:
        row: dict[str, Any] = {name: _key(name, extra.get(name)) for name in _KEY_FIELDS}
    else:  # not a diffbench case: the benchmark's full name is its key
        row = {name: None for name in _KEY_FIELDS} | {"function": fullname}
    row.update(
        benchmark=fullname,
        status="ok",
        time_median_s=float(stats["median"]),
        time_min_s=float(stats["min"]),
        time_iqr_s=float(stats.get("iqr", float("nan"))),
        repeats=int(stats.get("rounds", 0)),
        samples=[float(v) for v in stats.get("data", [])],
    )
    for name in ("digits", "rel_err_max"):
        if name in extra:
            row[name] = float(extra[name]) if extra[name] is not None else None
    return row
