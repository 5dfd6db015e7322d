"""The optimization runner's arguments and outputs over a mesh (``minimize(devices=...)``).

The runner's arguments are ``(x0, lr, keys, targets, stop, data)`` (``optimize._inputs``): the
first three have the runs on axis 0 and are split over the mesh, padded to a multiple of its
devices; targets, the stopping rule and the data are replicated. Every output has the runs on
axis 0 except the trace (axis 1) and ``steps_done`` (a scalar); ``trim`` drops the padding.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh

from ..optimize._batched import Outputs
from ._mesh import mesh, pad_rows, padded, resolve, split


def runs_mesh(devices: Any, platform: str, runs: int) -> Mesh | None:
    """The mesh ``runs`` runs are split over, None for one device (the plain call).

    ``devices=None`` takes every local device of ``platform`` but at most one per run (a
    single long run is not copied onto idle devices); a count or a list is taken as given.
    """
    chosen = resolve(devices, platform)
    return mesh(chosen[:runs] if devices is None else chosen)


def place(host: tuple, m: Mesh) -> tuple:
    """The host arguments on the mesh: runs padded and split, the rest replicated.

    ``host[2]`` is raw PRNG key data, one row per run; it is made typed keys on the devices.
    """
    runs = host[0].shape[0]
    count = padded(runs, m.size)
    x0, lr, raw = (pad_rows(np.asarray(a), count) for a in host[:3])
    on_runs, whole = split(m, 0), split(m)
    x0, lr, raw = (jax.device_put(a, on_runs) for a in (x0, lr, raw))
    rest = jax.device_put(tuple(host[3:]), whole)
    return (x0, lr, jax.random.wrap_key_data(raw), *rest)


def jit_shardings(m: Mesh) -> dict[str, Any]:
    """``in_shardings`` and ``out_shardings`` of the runner, for ``jax.jit``."""
    on_runs, whole = split(m, 0), split(m)
    trace = split(m, None, 0)
    out = Outputs(
        x=on_runs,
        f_final=on_runs,
        trace=trace,
        trace_evals=trace,
        hit_step=on_runs,
        hit_evals=on_runs,
        diverged_at=on_runs,
        stopped_at=on_runs,
        evals=on_runs,
        steps_done=whole,
    )
    return {"in_shardings": (on_runs, on_runs, on_runs, whole, whole, whole), "out_shardings": out}


def trim(out: Outputs, runs: int) -> Outputs:
    """The outputs of the first ``runs`` runs (the padding dropped)."""
    return out._replace(
        **{name: getattr(out, name)[:runs] for name in _RUNS_FIRST},
        trace=out.trace[:, :runs],
        trace_evals=out.trace_evals[:, :runs],
    )


_RUNS_FIRST = ("x", "f_final", "hit_step", "hit_evals", "diverged_at", "stopped_at", "evals")
