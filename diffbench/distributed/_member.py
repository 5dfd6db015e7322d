"""One process of a multi-process session: process 0 coordinates, the others measure their
share and send each finished case to it (``_session``, ``_coordinator``)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._errors import DiffbenchError
from .._x64 import x64
from ._coordinator import coordinate
from ._session import (
    PLAN_TIMEOUT_S,
    PREFIX,
    Cluster,
    _Outbox,
    _Sink,
    environment_entry,
    join,
    share,
)


@x64
def run_member(
    cluster: Cluster,
    suite: Any,
    *,
    device: str | None = None,
    dtype: str | None = None,
    out: str | Path,
    resume: bool = False,
    quiet: bool = False,
    select: Callable[[Any], bool] | None = None,
    budget_s: float | None = None,
) -> Any:
    """Run this process's share of a suite; return process 0's ``SessionResult`` (None on
    the others). The arguments are ``run_suite``'s.

    Raises:
        DiffbenchError: the suite has no case, a process could not join, or the cases to
            do never came from process 0.
    """
    started = time.perf_counter()
    client = join(cluster)
    from ..harness.session import check_root, resolve_devices
    from ..harness.suites import Suite, load_suite

    spec = suite if isinstance(suite, Suite) else load_suite(suite)
    devices = resolve_devices([device] if device else list(spec.devices))
    dtypes = None if dtype in (None, "all") else [dtype]
    cases = [c for c in spec.cases(devices, dtypes) if select is None or select(c)]
    if not cases:
        raise DiffbenchError(f"Suite {spec.name} has no case for devices {devices}, {dtype}.")
    client.key_value_set(
        f"{PREFIX}/env/{cluster.process_id}", json.dumps(environment_entry(cluster), default=str)
    )
    if cluster.process_id == 0:
        check_root(Path(out))
        return coordinate(
            client, cluster, spec, cases, devices, out, resume, quiet, budget_s, started
        )
    _work(client, cluster, cases, budget_s, started)
    return None


def _work(client: Any, cluster: Cluster, cases: list[Any], budget_s: Any, started: float) -> None:
    """A worker: wait for the plan, measure its share, send each case, then its done mark."""
    from ..harness.session import _Runner

    try:
        plan = json.loads(client.blocking_key_value_get(f"{PREFIX}/plan", PLAN_TIMEOUT_S * 1000))
    except Exception as exc:  # noqa: BLE001 - a timeout or a lost coordinator, in one line
        first = (str(exc).strip().splitlines() or [""])[0]
        raise DiffbenchError(
            f"process {cluster.process_id} got no cases from process 0 at {cluster.coordinator} "
            f"within {PLAN_TIMEOUT_S} s ({first}); is process 0 running the same command?"
        ) from None
    by_id = {(c.table, c.key()): c for c in cases}
    todo = [by_id[(t, k)] for t, k in plan["todo"] if (t, k) in by_id]
    mine = share(todo, cluster.num_processes, cluster.process_id)
    sink = _Sink(_Outbox(client, cluster.process_id), plan["run_id"], plan["metadata"], cluster)
    runner = _Runner(sink)  # type: ignore[arg-type] - the runner needs append/run_id/metadata
    done = 0
    for case in mine:
        if budget_s is not None and time.perf_counter() - started > budget_s:
            break
        runner.run(case)
        done += 1
    mark = json.dumps({"left": len(mine) - done, "ran": done})
    client.key_value_set(f"{PREFIX}/done/{cluster.process_id}", mark)
    import jax

    jax.distributed.shutdown()
