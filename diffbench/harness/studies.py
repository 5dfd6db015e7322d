"""Running a ``StudyCase`` in a session: the study's table as journal rows."""

from __future__ import annotations

import math
from typing import Any

from .cases import StudyCase


def measure_study(case: StudyCase, run_id: str) -> list[dict[str, Any]]:
    """Run the study on the case's device; return its rows with ``run_id``, ``device``, ``size``
    and ``status`` (``ok``) added. Missing values are None (JSON has no NaN)."""
    import jax

    from .. import studies

    with jax.default_device(jax.local_devices(backend=case.device)[0]):
        table = studies.run(case.study, case.size)
    extra = {"run_id": run_id, "device": case.device, "size": case.size}
    rows = [{k: _plain(v) for k, v in row.items()} for row in table.to_dict("records")]
    return [extra | row | {"status": "ok"} for row in rows]


def study_error_row(case: StudyCase, run_id: str, message: str) -> dict[str, Any]:
    """The one row of a study that failed: its identity, ``status="error"`` and the message."""
    return {"run_id": run_id, "device": case.device, "size": case.size, "status": "error"} | {
        "study": case.study,
        "error": message,
    }


def _plain(value: Any) -> Any:
    """NumPy scalars as Python values; NaN as None."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
