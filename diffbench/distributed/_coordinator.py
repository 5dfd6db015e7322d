"""Process 0 of a multi-process session: the one writer of the result set.

It opens the set (``resume`` as a one-process session does), publishes the cases to do,
measures its own share and, between its cases and then until every other process sent its
done mark, appends the cases the others sent to the journal (``_session._Inbox``). The set is
``complete`` only when every case to do has its journal line; otherwise ``interrupted``, for
``--resume``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from ._session import POLL_S, PREFIX, Cluster, _Inbox, _Sink, share


def coordinate(
    client: Any,
    cluster: Cluster,
    spec: Any,
    cases: list[Any],
    devices: list[str],
    out: str | Path,
    resume: bool,
    quiet: bool,
    budget_s: float | None,
    started: float,
) -> Any:
    """Run process 0's part of the session; return its ``SessionResult``."""
    from ..harness.session import _open

    results = _open(spec, out, resume, devices)
    try:
        todo = [c for c in cases if c.key() not in results.done(c.table)]
        _publish(client, results, todo)
        ran = _measure_and_collect(
            client, cluster, results, todo, len(cases), quiet, budget_s, started
        )
        missing = [c for c in todo if c.key() not in results.done(c.table)]
        results.metadata.update(
            wall_s=time.perf_counter() - started,
            processes=cluster.num_processes,
            process_environments=_environments(client, cluster),
        )
    except BaseException:
        results.close(status="interrupted")
        raise
    results.close(status="interrupted" if missing else "complete")
    import jax

    jax.distributed.shutdown()
    return _summary(results, ran, len(cases) - len(todo), started, len(missing))


def _publish(client: Any, results: Any, todo: list[Any]) -> None:
    """The plan every other process waits for: the cases to do, the run id, the calibration."""
    plan = {
        "todo": [[c.table, c.key()] for c in todo],
        "run_id": results.run_id,
        "metadata": {"copy_bandwidth_gbs": results.metadata.get("copy_bandwidth_gbs") or {}},
    }
    client.key_value_set(f"{PREFIX}/plan", json.dumps(plan))


def _measure_and_collect(
    client: Any,
    cluster: Cluster,
    results: Any,
    todo: list[Any],
    total: int,
    quiet: bool,
    budget_s: float | None,
    started: float,
) -> int:
    """Measure process 0's share, journaling the others' cases as they come; return how
    many cases this session journaled."""
    from ..harness.progress import progress_bar
    from ..harness.session import CHECKPOINT_S, _Runner

    inbox = _Inbox(client, results)
    runner = _Runner(_Sink(results.append, results.run_id, results.metadata, cluster))
    checkpoint, ran = time.monotonic(), 0
    with progress_bar(total, total - len(todo), quiet) as bar:
        for case in share(todo, cluster.num_processes, 0):
            if budget_s is not None and time.perf_counter() - started > budget_s:
                break
            bar.start(case.label())
            runner.run(case)
            ran += _advance(bar, 1 + inbox.drain())
            if time.monotonic() - checkpoint > CHECKPOINT_S:
                results.write_tables()
                checkpoint = time.monotonic()
        bar.start("waiting for the other processes")
        others = range(1, cluster.num_processes)
        while len(inbox.finished(others)) < len(others):
            ran += _advance(bar, inbox.drain())
            time.sleep(POLL_S)
        ran += _advance(bar, inbox.drain())  # a done mark follows its process's last case
        bar.finish()
    return ran


def _advance(bar: Any, count: int) -> int:
    for _ in range(count):
        bar.advance()
    return count


def _environments(client: Any, cluster: Cluster) -> dict[str, Any]:
    """``{process id: environment}`` of every process that sent one."""
    found = dict(client.key_value_dir_get(f"{PREFIX}/env/"))
    return {
        str(i): json.loads(found[f"{PREFIX}/env/{i}"])
        for i in range(cluster.num_processes)
        if f"{PREFIX}/env/{i}" in found
    }


def _summary(results: Any, ran: int, already: int, started: float, left: int) -> Any:
    from ..harness.session import SessionResult, _statuses

    return SessionResult(
        path=results.path,
        statuses=_statuses(results),
        ran=ran,
        skipped_done=already,
        wall_s=time.perf_counter() - started,
        left=left,
    )
