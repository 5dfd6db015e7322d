"""Scale-out: strong and weak scaling efficiency of runs split over devices, and of sessions
split over processes.

A ``runs`` row carries ``devices`` (the devices its call was split over), ``runs`` (the runs of
the call) and ``steps_per_s`` (run-steps a second: the call's throughput). For one
configuration (function, n, dtype, optimizer, steps, learning rate, batch):

- strong scaling: the same runs on ``D`` devices against one device,
  ``E = throughput(D) / (D * throughput(1))`` (1: D devices finish D times sooner);
- weak scaling: ``D`` times the runs on ``D`` devices against the per-device share on one,
  ``E = time(1) / time(D)`` with time the call's step time ``runs / throughput``, which is
  again ``throughput(D) / (D * throughput(1))`` (1: the time stays flat as work and devices
  grow together).

Sessions: result sets of one suite run with different ``processes`` give
``E = wall(1) / (P * wall(P))`` (strong: the same cases shared by P processes).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import _format as fmt
from ._model import Table

CONFIG = ("result_set", "function", "n", "dtype", "device", "optimizer", "steps", "lr", "batch")
"""The columns that name one configuration of runs."""


def efficiencies(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per configuration, scaling kind and device count with a one-device baseline.

    Returns:
        The ``CONFIG`` columns, ``scale`` (``strong`` or ``weak``), ``devices``, ``runs``,
        ``throughput`` (run-steps a second) and ``efficiency`` (1 is perfect); empty when no
        configuration was measured on one device and on more.
    """
    cases = _cases(runs)
    out = []
    for _, part in cases.groupby([c for c in CONFIG if c in cases], sort=False, dropna=False):
        base = part[part["devices"] == 1].set_index("runs")["throughput"]
        for row in part[part["devices"] > 1].itertuples(index=False):
            d = int(row.devices)
            for scale, share in (("strong", row.runs), ("weak", row.runs // d)):
                if share in base.index and (scale == "strong" or row.runs % d == 0):
                    one = float(base[share])
                    out.append(
                        {**row._asdict(), "scale": scale, "efficiency": row.throughput / (d * one)}
                    )
    return pd.DataFrame(out)


def _cases(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per measured call (the ``runs`` rows repeat it per run and target)."""
    if runs.empty or not {"devices", "runs", "steps_per_s"} <= set(runs):
        return pd.DataFrame()
    ok = runs[runs.get("status", "ok").astype(str) != "error"]
    ok = ok[np.isfinite(ok["steps_per_s"].astype(float)) & ok["devices"].notna()]
    keep = [c for c in CONFIG if c in ok] + ["devices", "runs"]
    cases = ok.drop_duplicates(keep)[keep + ["steps_per_s"]].copy()
    cases["devices"] = cases["devices"].astype(int)
    cases["runs"] = cases["runs"].astype(int)
    return cases.rename(columns={"steps_per_s": "throughput"})


def devices_table(table: pd.DataFrame) -> Table | None:
    """The efficiencies as a report table (None when there are none)."""
    if table.empty:
        return None
    rows = [
        [
            str(r["function"]),
            str(r["n"]),
            str(r["optimizer"]),
            str(r["scale"]),
            str(r["devices"]),
            f"{r['runs']:,}",
            fmt.number(r["throughput"]),
            f"{r['efficiency']:.0%}",
        ]
        for _, r in table.sort_values(["function", "scale", "devices"]).iterrows()
    ]
    header = ["function", "n", "optimizer", "scale", "devices", "runs", "run-steps/s", "efficiency"]
    return Table(header, rows, title="Runs split over devices", align_left=4)


def processes_table(metadata: list[dict[str, Any]]) -> Table | None:
    """Strong scaling of sessions: sets of one suite with different process counts."""
    rows: dict[str, dict[int, float]] = {}
    for meta in metadata:
        wall = meta.get("wall_s")
        if isinstance(wall, (int, float)) and wall > 0 and meta.get("status") == "complete":
            count = int(meta.get("processes") or 1)
            rows.setdefault(str(meta.get("suite")), {}).setdefault(count, float(wall))
    out = []
    for suite, walls in rows.items():
        if 1 not in walls or len(walls) < 2:
            continue
        for count, wall in sorted(walls.items()):
            out.append([suite, str(count), fmt.number(wall), f"{walls[1] / (count * wall):.0%}"])
    if not out:
        return None
    return Table(
        ["suite", "processes", "wall s", "efficiency"], out, title="Sessions split over processes"
    )


TEXT = (
    "Scaling efficiency of optimizer runs split over devices (minimize(devices=...)): strong, "
    "the same runs on D devices against one (1 = D times faster); weak, D times the runs on D "
    "devices against the per-device share on one (1 = as fast). Forced CPU devices "
    "(XLA_FLAGS=--xla_force_host_platform_device_count) share the host's cores: there the "
    "figure measures the overhead of splitting, not more hardware."
)
