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
_LAUNCH = "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__')"


class WorkerProcess:
    """One long-lived worker: ``ask(request) -> answer`` over JSON lines.

    The worker runs in its own session (Ctrl-C in the terminal reaches only the parent, which
    keeps what finished) with ``PYTHONPATH`` set to the side's import path and its stderr
    written to ``log``.
    """

    def __init__(self, side: Side, python: str, log: Path) -> None:
        self.side = side
        self.log = log
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(side.pythonpath)
        env.pop("JAX_LOG_COMPILES", None)
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
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except BrokenPipeError:
            line = ""
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
