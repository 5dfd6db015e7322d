"""Row keys shared by reports and comparisons: canonical ``params`` and key columns.

``params`` may arrive as a dict (a Parquet struct), a JSON string, a plain string, ``None``, or as
columns of their own prefixed ``p_`` (benchopt's convention); all become one canonical string such
as ``order=4,step=1e-05`` so that equal parameters match however they were stored.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

GRADIENT_KEY = ("function", "n", "dtype", "device", "method", "params")
RUN_CONFIG = ("function", "n", "dtype", "device", "optimizer", "lr", "batch", "steps")
START_COLUMNS = ("start", "seed")


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return value is pd.NA or value is pd.NaT


def format_value(value: Any) -> str:
    """A short, stable text for one key value (``""`` for missing; floats as ``%g``)."""
    if _is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"
    return str(value)


def params_key(value: Any) -> str:
    """Canonical text of a ``params`` value: ``k=v`` pairs sorted by key, missing values dropped.

    Example:
        >>> params_key({"step": 1e-5, "order": 4})
        'order=4,step=1e-05'
        >>> params_key('{"step": 1e-05, "order": 4}')
        'order=4,step=1e-05'
    """
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        value = parsed if isinstance(parsed, dict) else value
    if isinstance(value, dict):
        pairs = sorted((str(k), format_value(v)) for k, v in value.items())
        return ",".join(f"{k}={v}" for k, v in pairs if v != "")
    if isinstance(value, list | tuple | np.ndarray) and all(len(p) == 2 for p in value):
        return params_key(dict(value))  # pyarrow maps arrive as lists of (key, value)
    return format_value(value)


def canonical_params(table: pd.DataFrame) -> pd.Series:
    """The canonical ``params`` text of every row, folding in ``p_*`` columns."""
    base = table["params"] if "params" in table else pd.Series(None, index=table.index)
    extra = [c for c in table.columns if c.startswith("p_")]
    out = []
    for i, value in enumerate(base):
        text = params_key(value)
        more = params_key({c[2:]: table[c].iloc[i] for c in extra}) if extra else ""
        out.append(",".join(t for t in (text, more) if t))
    return pd.Series(out, index=table.index, dtype=object)


def key_frame(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """The key columns of ``table`` as canonical text (missing columns become ``""``)."""
    out = pd.DataFrame(index=table.index)
    for column in columns:
        if column == "params":
            out[column] = canonical_params(table)
        elif column in table:
            out[column] = table[column].map(format_value).astype(object)
        else:
            out[column] = ""
    return out


def start_column(table: pd.DataFrame) -> str | None:
    """The column that identifies a run's starting point (``start`` or ``seed``), if any."""
    return next((c for c in START_COLUMNS if c in table), None)
