"""``diffbench run SUITE --processes N``: N local processes of one session, watched.

The launcher is not a JAX process: it picks a free port on 127.0.0.1, starts
``python -m diffbench run ... --coordinator 127.0.0.1:PORT --num-processes N --process-id I``
for every I (the same command line otherwise; the workers quiet and without a report) and
waits. If a process dies (a kill, an out-of-memory, an error), the launcher stops the others
(process 0 with SIGINT, so it closes the result set as ``interrupted``), prints one line
naming the process and how it ended, and exits 2; ``--resume --processes N`` then runs the
cases that have no journal line, each once.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from typing import Any

from .._errors import DiffbenchError

STOP_WAIT_S = 30.0
"""How long the others get to stop (process 0 to close the set) before they are killed."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_argv(argv: list[str], processes: int, index: int, port: int) -> list[str]:
    """The command line of process ``index``: ``argv`` without ``--processes``, plus where
    the coordinator is; the workers (index > 0) quiet and without a report."""
    kept, skip = [], False
    for token in argv:
        name = token.split("=", 1)[0]
        if skip:
            skip = False
        elif name in ("--processes", "--processe"):
            skip = "=" not in token
        else:
            kept.append(token)
    where = ["--coordinator", f"127.0.0.1:{port}", "--num-processes", str(processes)]
    quiet = ["--quiet", "--no-report"] if index else []
    return [sys.executable, "-m", "diffbench", *kept, *where, "--process-id", str(index), *quiet]


def launch(argv: list[str], processes: int) -> int:
    """Run the session in ``processes`` local processes; return process 0's exit code.

    Raises:
        DiffbenchError: ``processes`` below 1, or a process died (which one, and how).
    """
    if processes < 1:
        raise DiffbenchError(f"--processes must be at least 1; got {processes}.")
    port = free_port()
    children = [subprocess.Popen(child_argv(argv, processes, i, port)) for i in range(processes)]
    try:
        failed = _watch(children)
    except KeyboardInterrupt:
        _stop(children)
        raise
    if failed:
        _stop(children)
        raise DiffbenchError(_failure_line(failed, children, processes))
    return int(children[0].returncode)


def _watch(children: list[subprocess.Popen]) -> list[int]:
    """Wait until every process ended well, or one ended badly; return the bad ones."""
    while True:
        codes = [c.poll() for c in children]
        failed = [i for i, code in enumerate(codes) if code not in (None, 0)]
        if failed or all(code == 0 for code in codes):
            return failed
        time.sleep(0.2)


def _stop(children: list[subprocess.Popen]) -> None:
    """Ask the live processes to stop (process 0 first, with SIGINT), then kill stragglers."""
    for i, child in enumerate(children):
        if child.poll() is None:
            child.send_signal(signal.SIGINT if i == 0 else signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT_S
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _failure_line(failed: list[int], children: list[Any], processes: int) -> str:
    first = failed[0]
    return (
        f"process {first} of {processes} {_how(children[first].returncode)}; the session "
        f"stopped and its finished cases are saved: rerun with --resume --processes {processes}."
    )


def _how(code: int) -> str:
    if code < 0:
        try:
            return f"was killed ({signal.Signals(-code).name})"
        except ValueError:
            return f"was killed (signal {-code})"
    return f"exited with code {code}"
