"""One session, several processes: the cases shared out, one result set written by process 0.

Every process joins ``jax.distributed`` (``join``) and expands the suite the same way.
Process 0 opens the result set (a fresh one, or with ``resume`` the newest unfinished one),
publishes the cases still to do and where the set is, and takes its own share of them. The
others measure theirs with the session's own case runner and send each finished case, with
the rows of every table it wrote, to process 0 through the key-value store of JAX's
coordination service, which process 0 hosts. Process 0 alone appends to the journal (between
its own cases and while it waits for the others), so the set has one writer, its lock and
its ``--resume`` rules unchanged: a case is done exactly when its journal line is on disk.

Why the key-value store rather than a socket or a queue: ``jax.distributed.initialize``
already connects every process to process 0 (the same address on one machine or a cluster),
so rows need no second channel, port or serializer of ours; a row is a short JSON string.

A process that dies loses only its cases not yet journaled: the launcher of
``--processes N`` (``_launch``) then stops the session with a one-line error (exit 2) and
``--resume`` runs what is missing, each case once. Every row carries ``process_id`` and
``processes``; ``metadata.json`` keeps each process's environment under
``process_environments``.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._errors import DiffbenchError
from ..results._journal import jsonable

PREFIX = "diffbench"
"""Namespace of this session's keys in the coordination service's key-value store."""
PLAN_TIMEOUT_S = 600
"""How long a process waits for process 0 to publish the cases (its set, calibration)."""
POLL_S = 0.2
"""How often process 0 looks for finished cases while it waits for the others."""


@dataclass(frozen=True)
class Cluster:
    """Where this process sits: the coordinator ``HOST:PORT``, how many processes, which one."""

    coordinator: str
    num_processes: int
    process_id: int


def cluster_from(
    coordinator: str | None,
    num_processes: int | None,
    process_id: int | None,
    environ: dict[str, str] | None = None,
) -> Cluster | None:
    """The cluster of the command line; SLURM's ``SLURM_NTASKS`` and ``SLURM_PROCID`` fill
    ``--num-processes`` and ``--process-id`` when they are not given. None without a
    ``--coordinator`` (a one-process session).

    Raises:
        DiffbenchError: a missing or bad value (one line naming the option).
    """
    env = os.environ if environ is None else environ
    if coordinator is None:
        if num_processes is not None or process_id is not None:
            raise DiffbenchError("--num-processes and --process-id need --coordinator HOST:PORT.")
        return None
    host, _, port = coordinator.rpartition(":")
    if not host or not port.isdigit():
        raise DiffbenchError(f"--coordinator must be HOST:PORT; got {coordinator!r}.")
    count = _from_env(num_processes, env, "SLURM_NTASKS", "--num-processes")
    index = _from_env(process_id, env, "SLURM_PROCID", "--process-id")
    if count < 1 or not 0 <= index < count:
        raise DiffbenchError(
            f"--process-id must be 0 ... {count - 1} for {count} processes; got {index}."
        )
    return Cluster(coordinator, count, index)


def _from_env(value: int | None, env: Any, name: str, option: str) -> int:
    if value is not None:
        return int(value)
    if env.get(name, "").isdigit():
        return int(env[name])
    raise DiffbenchError(f"{option} is needed (or ${name}, set by SLURM) with --coordinator.")


def join(cluster: Cluster) -> Any:
    """Join the session's ``jax.distributed`` runtime (CPU collectives over gloo); return the
    key-value client. Must run before JAX starts a backend."""
    import jax
    from jax._src import distributed

    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    try:
        jax.distributed.initialize(cluster.coordinator, cluster.num_processes, cluster.process_id)
    except Exception as exc:  # noqa: BLE001 - a connection failure, in one line
        first = (str(exc).strip().splitlines() or [""])[0]
        raise DiffbenchError(
            f"process {cluster.process_id} could not join {cluster.coordinator}: {first}"
        ) from None
    return distributed.global_state.client


class _Sink:
    """What the session's case runner writes to: rows stamped with this process, then
    ``send(table, key, rows, more)`` (the journal on process 0, the key-value store else)."""

    def __init__(self, send: Callable[..., None], run_id: str, metadata: dict, cluster: Cluster):
        self.send, self.run_id, self.metadata = send, run_id, metadata
        self.stamp = {"process_id": cluster.process_id, "processes": cluster.num_processes}

    def append(self, table: str, key: str, rows: list[dict], more: dict | None = None) -> None:
        """Stamp ``rows`` (and ``more``'s) with the process, then hand them on."""
        rows = [{**row, **self.stamp} for row in rows]
        more = {t: [{**row, **self.stamp} for row in r] for t, r in (more or {}).items()}
        self.send(table, key, rows, more)

    def write_tables(self) -> None:
        """Process 0's loop checkpoints the set (``_coordinator``); the runner's call is a no-op."""


class _Outbox:
    """A worker's finished cases, one key each: ``diffbench/entry/<process>/<sequence>``."""

    def __init__(self, client: Any, process_id: int) -> None:
        self.client, self.process_id, self.sent = client, process_id, 0

    def __call__(self, table: str, key: str, rows: list[dict], more: dict) -> None:
        entry = {"table": table, "key": key, "rows": rows, "more": more}
        name = f"{PREFIX}/entry/{self.process_id}/{self.sent:09d}"
        self.client.key_value_set(name, json.dumps(entry, default=jsonable))
        self.sent += 1


class _Inbox:
    """Process 0's side: journals every case the others sent, once each, in arrival order."""

    def __init__(self, client: Any, results: Any) -> None:
        self.client, self.results, self.seen = client, results, set()

    def drain(self) -> int:
        """Append the cases sent since the last call to the journal; return how many."""
        count = 0
        for name, value in sorted(self.client.key_value_dir_get(f"{PREFIX}/entry/")):
            if name in self.seen:
                continue
            entry = json.loads(value)
            self.results.append(entry["table"], entry["key"], entry["rows"], entry["more"])
            self.seen.add(name)
            self.client.key_value_delete(name)
            count += 1
        return count

    def finished(self, others: range) -> dict[int, dict]:
        """The done markers (``{"left": cases not started}``) of the processes that sent one."""
        marks = dict(self.client.key_value_dir_get(f"{PREFIX}/done/"))
        return {
            i: json.loads(marks[f"{PREFIX}/done/{i}"])
            for i in others
            if f"{PREFIX}/done/{i}" in marks
        }


def share(cases: list[Any], count: int, index: int) -> list[Any]:
    """Process ``index``'s cases of ``count``: whole groups (gradient cases that share a
    point and a timing of f stay together), dealt out in turn, in the suite's order."""
    groups: dict[Any, int] = {}
    for case in cases:
        groups.setdefault(getattr(case, "group", (case.table, case.key())), len(groups))
    return [c for c in cases if groups[getattr(c, "group", (c.table, c.key()))] % count == index]


def environment_entry(cluster: Cluster) -> dict[str, Any]:
    """This process's environment for ``metadata.json``: its fingerprint (versions, devices,
    CPU, machine), host name and pid."""
    from ..harness.environment import fingerprint

    info = fingerprint(calibrate=False)
    return {
        **info,
        "process_id": cluster.process_id,
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }
