"""The gate's worker: one long-lived process per side, measuring one revision's cases on demand.

This file is run as a script (``python -P _worker.py``) with ``PYTHONPATH`` set to a checkout
of the revision being measured, so ``import diffbench`` imports *that* revision. It therefore
imports nothing from the gate and uses only what every revision since the harness has:
``diffbench.functions.get``, ``diffbench.methods.get(...).build`` and, where present,
``diffbench.harness.timing.compile_jit`` (the revision's own way of compiling a case, so a
change there, such as one that compiles twice, is measured).

Protocol: one JSON object per line on stdin, one JSON answer per line on the stdout that the
worker was started with (anything the libraries print goes to stderr). Requests:

- ``{"op": "hello", "plugins": [...]}``: load the suite's plugins (a revision that has
  ``diffbench.plugins``), answer the environment fingerprint of this side and the plugins
  that failed;
- ``{"op": "setup", "id": ..., "case": {function, n, dtype, device, method, params}, "sample_s"}``:
  build, compile and warm the case once; answer its status, ``setup_s`` (seconds from build to
  a warm executable), ``compile_s``, ``compiles`` and ``traces`` (XLA compilations and jaxpr
  traces during setup, from ``jax.monitoring`` events), ``flops``, ``bytes_accessed``,
  ``temp_bytes``, the calls per sample and ``recompiles`` (a warm call compiled again);
- ``{"op": "time", "id": ..., "samples": k, "batch": b}``: ``k`` samples of the compiled
  case, each a batch of ``b`` calls (default: this worker's calibration) ending with
  ``block_until_ready``, as seconds per call; plus the compilations
  and traces that happened while timing (a re-tracing method shows them here, and is
  sampled once per request: each of its calls compiles);
- ``{"op": "optimize", "case": {function, n, dtype, device, optimizer, lr, steps, starts,
  seed, batch}}``: one seeded optimizer run (``diffbench.optimize.minimize``); answer its
  ``runs`` rows (``steps_to_target`` per start and target: exact for one environment);
- ``{"op": "quit"}``.

SIGINT is ignored: the parent owns Ctrl-C and closes stdin, which ends the worker.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sys
import time
import traceback
from typing import Any

COMPILE_EVENT = "/jax/core/compile/backend_compile_duration"
TRACE_EVENT = "/jax/core/compile/jaxpr_trace_duration"
MAX_BATCH = 10_000


class _Counts:
    """Counts XLA compilations and jaxpr traces as ``jax.monitoring`` reports them."""

    def __init__(self) -> None:
        self.compiles = 0
        self.traces = 0

    def listen(self, event: str, _duration: float, **_kwargs: Any) -> None:
        if event == COMPILE_EVENT:
            self.compiles += 1
        elif event == TRACE_EVENT:
            self.traces += 1

    def snapshot(self) -> tuple[int, int]:
        return self.compiles, self.traces


class Worker:
    """Holds the compiled cases of one revision between requests."""

    def __init__(self) -> None:
        import jax

        import diffbench  # noqa: F401 - the revision's package

        # Older revisions turned float64 on when imported; newer ones scope it to their own
        # calls. The worker builds and compiles cases itself, so it turns it on for its process.
        jax.config.update("jax_enable_x64", True)

        self.jax = jax
        self.counts = _Counts()
        jax.monitoring.register_event_duration_secs_listener(self.counts.listen)
        self.cases: dict[str, dict[str, Any]] = {}

    def hello(self, request: dict[str, Any]) -> dict[str, Any]:
        import diffbench

        failed = _load_plugins(request.get("plugins") or [])

        try:
            from diffbench.harness.environment import fingerprint

            info = fingerprint(calibrate=False)
        except Exception as exc:  # noqa: BLE001 - an old revision may lack it
            info = {"error": f"{type(exc).__name__}: {exc}"}
        info["diffbench_path"] = os.path.dirname(diffbench.__file__)
        info["python_executable"] = sys.executable
        info["pid"] = os.getpid()
        info["plugin_failures"] = failed
        return info

    def setup(self, request: dict[str, Any]) -> dict[str, Any]:
        case = request["case"]
        before = self.counts.snapshot()
        start = time.perf_counter()
        try:
            answer = self._build(request["id"], case, float(request.get("sample_s", 0.002)))
        except Exception as exc:  # noqa: BLE001 - a failing case is a row, not a crash
            answer = {"status": _status_of(exc), "error": _describe(exc)}
        answer["setup_s"] = time.perf_counter() - start
        compiles, traces = self.counts.snapshot()
        answer.update(compiles=compiles - before[0], traces=traces - before[1])
        return answer

    def _build(self, case_id: str, case: dict[str, Any], sample_s: float) -> dict[str, Any]:
        import numpy as np

        from diffbench import functions, methods

        jax = self.jax
        dtype = np.dtype(case["dtype"])
        method = methods.get(case["method"])
        grad_fn = method.build(case["function"], case["n"], dtype, **json.loads(case["params"]))
        x0 = np.asarray(functions.get(case["function"]).x0(case["n"]), dtype=dtype)
        answer: dict[str, Any] = {"status": "ok", "error": None}
        if method.jittable:
            x = jax.device_put(x0, jax.devices(case["device"])[0])
            call, executable, answer["compile_s"] = _compile(jax, grad_fn, x)
            answer.update(_costs(executable))
        else:
            x, call, answer["compile_s"] = x0, grad_fn, 0.0
        jax.block_until_ready(call(x))  # warm: the first call may still compile (counted)
        before = self.counts.compiles
        jax.block_until_ready(call(x))
        recompiles = self.counts.compiles > before  # compiles on every call: time one at a time
        batch = 1 if recompiles else _calibrate(jax, call, x, sample_s)
        self.cases[case_id] = {"call": call, "x": x, "batch": batch, "recompiles": recompiles}
        answer.update(batch=batch, recompiles=recompiles)
        return answer

    def optimize(self, request: dict[str, Any]) -> dict[str, Any]:
        from diffbench import optimize

        case = request["case"]
        try:
            result = optimize.minimize(
                case["function"], case["optimizer"], case["steps"], n=case["n"],
                starts=case["starts"], lr=case["lr"], key=case["seed"], dtype=case["dtype"],
                batch=case["batch"], repeats=1, device=case["device"],
            )  # fmt: skip
            rows = json.loads(result.table().to_json(orient="records"))
        except Exception as exc:  # noqa: BLE001 - a failing case is a row, not a crash
            return {"status": _status_of(exc), "error": _describe(exc), "rows": []}
        return {"status": "ok", "error": None, "rows": rows}

    def time(self, request: dict[str, Any]) -> dict[str, Any]:
        held = self.cases.get(request["id"])
        if held is None:
            return {"samples": [], "compiles": 0, "traces": 0}
        batch = 1 if held["recompiles"] else int(request.get("batch") or held["batch"])
        before = self.counts.snapshot()
        samples: list[float] = []
        while len(samples) < int(request.get("samples", 3)):
            samples.append(_sample(self.jax, held["call"], held["x"], batch) / batch)
            if self.counts.compiles > before[0]:
                break  # it compiles while timed: one sample shows it; more would take minutes
        compiles, traces = self.counts.snapshot()
        calls = batch * len(samples)
        return {
            "samples": samples,
            "calls": calls,
            "compiles": compiles - before[0],
            "traces": traces - before[1],
        }


def _load_plugins(specs: list[str]) -> dict[str, str]:
    """Load the suite's plugins in this revision; return ``{plugin: why it failed}``."""
    if not specs:
        return {}
    try:
        from diffbench import plugins
    except ImportError:
        return dict.fromkeys(specs, "this revision of diffbench has no plugins")
    plugins.load_all(specs, entry_points=False, source="diffbench continuous")
    return dict(plugins.failures())


def _compile(jax: Any, grad_fn: Any, x: Any) -> tuple[Any, Any, float]:
    """Compile with the revision's own ``compile_jit`` where it has one."""
    try:
        from diffbench.harness.timing import compile_jit
    except ImportError:
        compile_jit = None
    if compile_jit is not None:
        compiled = compile_jit(grad_fn, x)
        return compiled.call, compiled.executable, float(compiled.compile_s)
    jitted = jax.jit(grad_fn)
    start = time.perf_counter()
    executable = jitted.lower(x).compile()
    return jitted, executable, time.perf_counter() - start


def _costs(executable: Any) -> dict[str, Any]:
    """XLA's FLOPs, bytes accessed and temporary bytes of one call (None where unreported)."""
    out: dict[str, Any] = {"flops": None, "bytes_accessed": None, "temp_bytes": None}
    try:
        analysis = executable.cost_analysis()
        if isinstance(analysis, list | tuple):
            analysis = analysis[0] if analysis else {}
        out["flops"] = _finite(analysis.get("flops"))
        out["bytes_accessed"] = _finite(analysis.get("bytes accessed"))
    except Exception:  # noqa: BLE001, S110 - a backend without the analysis reports nothing
        pass
    try:
        temp = executable.memory_analysis().temp_size_in_bytes
        out["temp_bytes"] = int(temp) if temp is not None and temp >= 0 else None
    except Exception:  # noqa: BLE001, S110
        pass
    return out


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) and value >= 0 else None


def _calibrate(jax: Any, call: Any, x: Any, sample_s: float) -> int:
    """Return the calls per sample that make one sample last about ``sample_s`` seconds."""
    few = 3
    one = _sample(jax, call, x, few) / few
    return int(max(1, min(MAX_BATCH, math.ceil(sample_s / max(one, 1e-9)))))


def _sample(jax: Any, call: Any, x: Any, batch: int) -> float:
    """Seconds of ``batch`` calls, the last result blocked on inside the timed region."""
    start = time.perf_counter()
    for _ in range(batch - 1):
        call(x)
    jax.block_until_ready(call(x))
    return time.perf_counter() - start


def _status_of(exc: BaseException) -> str:
    return "skipped" if type(exc).__name__ == "Skipped" else "error"


def _describe(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    message = f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    frames = traceback.extract_tb(exc.__traceback__)
    if frames and _status_of(exc) == "error":
        message += f" (at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno})"
    return message


def serve(requests: Any, answers: Any) -> None:
    """Answer requests (JSON lines) until ``quit`` or end of input."""
    worker = Worker()
    handlers = {
        "hello": worker.hello,
        "setup": worker.setup,
        "time": worker.time,
        "optimize": worker.optimize,
    }
    for line in requests:
        request = json.loads(line)
        if request.get("op") == "quit":
            break
        try:
            answer = handlers[request["op"]](request)
        except Exception as exc:  # noqa: BLE001 - the parent decides what a failure means
            answer = {"status": "error", "error": _describe(exc)}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


def main() -> None:
    """Serve on stdin/stdout; library output is redirected to stderr."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    cpu = int(os.environ.get("DIFFBENCH_GATE_CPU", "-1"))
    if cpu >= 0 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    serve(sys.stdin, answers)


if __name__ == "__main__":
    main()
