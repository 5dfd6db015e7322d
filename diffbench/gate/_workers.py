"""The parent's handle on one worker process: start it on a side's import path, ask, close."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from .._errors import DiffbenchError
from ._revisions import Side

WORKER_FILE = Path(__file__).with_name("_worker.py")
SINGLE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
"""XLA:CPU flags of both workers: one thread per computation (see ``gate_cpu``)."""
_LAUNCH = "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__')"


class WorkerProcess:
    """One long-lived worker: ``ask(request) -> answer`` over JSON lines.

    Both workers are pinned to one core (``cpu``) and XLA runs each computation on one
    thread: the two sides then take turns on the same core and caches, and a computation
    cannot be stretched by one of its threads waiting for a core another process holds (on a
    shared 2-core machine that made one side 2x slower for seconds at a time). The worker runs
    in its own session (Ctrl-C in the terminal reaches only the parent, which
    keeps what finished) with ``PYTHONPATH`` set to the side's import path and its stderr
    written to ``log``.
    """

    def __init__(self, side: Side, python: str, log: Path, cpu: int) -> None:
        self.side = side
        self.log = log
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(side.pythonpath)
        env.pop("JAX_LOG_COMPILES", None)
        env["XLA_FLAGS"] = f"{env.get('XLA_FLAGS', '')} {SINGLE_THREAD}".strip()
        env["DIFFBENCH_GATE_CPU"] = str(cpu)
        self._log_file = open(log, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            [python, "-c", _LAUNCH, str(WORKER_FILE)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log_file,
            text=True,
            cwd=side.root,
            env=env,
            start_new_session=True,
        )

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send one request and return the answer.

        Raises:
            DiffbenchError: the worker died (the message names its log).
        """
        self.send(request)
        return self.receive()

    def send(self, request: dict[str, Any]) -> None:
        """Send one request without waiting for its answer."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass  # receive() reports the dead worker

    def receive(self) -> dict[str, Any]:
        """Return the answer to the oldest request sent.

        Raises:
            DiffbenchError: the worker died (the message names its log).
        """
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise DiffbenchError(
                f"The {self.side.name} worker ({self.side.spec}) stopped; see {self.log}."
            )
        return json.loads(line)

    def close(self) -> None:
        """Ask the worker to quit; kill it if it does not within 10 s."""
        try:
            if self.proc.poll() is None and self.proc.stdin is not None:
                self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (BrokenPipeError, OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self._log_file.close()


def default_python() -> str:
    """The interpreter both sides run with unless ``--python`` says otherwise."""
    return sys.executable


def gate_cpu() -> int:
    """The core both workers are pinned to: the last one this process may run on."""
    try:
        return max(os.sched_getaffinity(0))
    except AttributeError:  # not Linux: no pinning
        return -1
