"""The environment fingerprint stored beside every result set (docs/ARCHITECTURE.md).

Keys: ``versions`` (python, jax, jaxlib, optax, numpy, diffbench), ``backend``, ``devices``
(platform, kind and count per platform), ``device_kind`` and ``device_count`` of the default
backend, ``cpu_model``, ``threads`` (usable cores) and ``cpu_count``, ``commit`` and ``dirty``
of the benchmarked git tree (None outside a checkout), ``machine`` (``DIFFBENCH_MACHINE`` if
set, else the host name), ``platform``, ``xla_flags`` and ``calibration_s`` (seconds of a fixed
float64 matmul, to put machines on one scale).
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import subprocess
import time
from pathlib import Path
from typing import Any

PACKAGES = ("jax", "jaxlib", "optax", "numpy", "scipy", "numdifftools", "torch", "autograd")


def fingerprint(calibrate: bool = True) -> dict[str, Any]:
    """Return the environment fingerprint as a JSON-ready dict.

    Args:
        calibrate: also time the fixed calibration workload on each platform (about 50 ms
            each), as ``calibration_s = {platform: seconds}``.

    Example:
        >>> fp = fingerprint(calibrate=False)
        >>> {"diffbench", "jax", "jaxlib", "scipy"} <= set(fp["versions"])
        True
    """
    import jax

    default = jax.devices()
    commit, dirty = git_commit()
    info: dict[str, Any] = {
        "versions": versions(),
        "backend": jax.default_backend(),
        "devices": device_inventory(),
        "device_kind": default[0].device_kind if default else None,
        "device_count": len(default),
        "cpu_model": cpu_model(),
        "threads": threads(),
        "cpu_count": os.cpu_count(),
        "commit": commit,
        "dirty": dirty,
        "machine": machine_id(),
        "platform": platform.platform(),
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
        "x64": bool(jax.config.jax_enable_x64),
        "blas_threads": blas_threads(),
    }
    if calibrate:
        info["calibration_s"] = {
            d["platform"]: calibration_seconds(d["platform"]) for d in info["devices"]
        }
    return info


def blas_threads() -> str | None:
    """Return the BLAS/OpenMP thread settings of the environment (``OMP_NUM_THREADS=1 ...``)."""
    names = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    found = [f"{n}={os.environ[n]}" for n in names if n in os.environ]
    return " ".join(found) or None


def versions() -> dict[str, str | None]:
    """Return the versions of python, diffbench and ``PACKAGES`` (None: not installed)."""
    from .. import __version__

    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    found["diffbench"] = __version__
    return found


def device_inventory() -> list[dict[str, Any]]:
    """Return one entry per available platform: ``platform``, ``kind`` and ``count``."""
    inventory = []
    for name in ("cpu", "gpu", "tpu"):
        devices = available_devices(name)
        if devices:
            inventory.append(
                {"platform": name, "kind": devices[0].device_kind, "count": len(devices)}
            )
    return inventory


def available_devices(platform_name: str) -> list[Any]:
    """Return this process's JAX devices of ``platform_name`` (``cpu``, ``gpu``, ``tpu``); []
    if none. In a multi-process session (``jax.distributed``) the others' are not counted."""
    import jax

    try:
        return list(jax.local_devices(backend=platform_name))
    except RuntimeError:
        return []


def cpu_model() -> str:
    """Return the CPU model name (from ``/proc/cpuinfo`` on Linux, else ``platform``)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        text = ""
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    if match:
        return match.group(1).strip()
    return platform.processor() or platform.machine()


def threads() -> int:
    """Return the number of cores this process may run on (affinity-aware)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def git_commit(path: Path | None = None) -> tuple[str | None, bool | None]:
    """Return ``(commit, dirty)`` of the git tree holding ``path`` (the package by default).

    Both are None when ``path`` is not in a git checkout or git is missing.
    """
    where = str(path or Path(__file__).resolve().parents[2])
    try:
        commit = _git(where, "rev-parse", "HEAD")
        status = _git(where, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None, None
    return commit or None, bool(status)


def _git(where: str, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", where, *args], capture_output=True, text=True, timeout=10, check=True
    )
    return done.stdout.strip()


def machine_id() -> str:
    """Return a file-name-safe machine id: ``$DIFFBENCH_MACHINE`` or the host name."""
    raw = os.environ.get("DIFFBENCH_MACHINE") or platform.node() or "unknown"
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", raw).strip("-.") or "unknown"


def calibration_seconds(platform_name: str = "cpu", size: int = 256, repeats: int = 31) -> float:
    """Return the median seconds of a fixed jitted kernel on one platform: a machine yardstick.

    The kernel is 256 steps of ``v <- tanh(A v) + v / 2`` with a ``size x size`` float32
    matrix inside one ``fori_loop``: long enough (~0.7 ms on a 2-core CPU) that dispatch and
    timer noise vanish, small enough to stay in cache. Three sessions on one loaded machine
    gave 0.651-0.661 ms, where a single matmul gave 0.24-0.72 ms. ``compare --normalize``
    divides timings by it.
    """
    import jax
    import jax.numpy as jnp

    device = available_devices(platform_name)[0]
    a = jax.device_put(jnp.linspace(-1.0, 1.0, size * size, dtype=jnp.float32), device)
    a = a.reshape(size, size) / jnp.float32(size)
    v = jax.device_put(jnp.ones(size, jnp.float32), device)

    def kernel(m: Any, w: Any) -> Any:
        return jax.lax.fori_loop(0, 256, lambda _, u: jnp.tanh(m @ u) + 0.5 * u, w)

    compiled = jax.jit(kernel).lower(a, v).compile()
    jax.block_until_ready(compiled(a, v))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(compiled(a, v))
        samples.append(time.perf_counter() - start)
    return float(sorted(samples)[len(samples) // 2])


COPY_ELEMENTS = {"cpu": 2**24, "gpu": 2**28}
"""float32 elements of the copy-bandwidth probe: 64 MiB on a CPU, 1 GiB on a GPU."""


def copy_bandwidth_gbs(platform_name: str = "cpu", repeats: int = 20) -> float:
    """Return the device's copy bandwidth in GB/s: a jitted ``x * 1.0001`` (read + write).

    This is the limit a memory-bound gradient or optimizer step is measured against: XLA's
    own best at streaming an array through the device, fresh output buffer included.
    """
    import jax
    import jax.numpy as jnp

    from .timing import TimingPolicy, time_calls

    size = COPY_ELEMENTS.get(platform_name, COPY_ELEMENTS["gpu"])
    x = jax.device_put(jnp.ones(size, jnp.float32), available_devices(platform_name)[0])
    scale = jax.jit(lambda v: v * jnp.float32(1.0001)).lower(x).compile()
    # Calibrated batches, as every case is timed: a blocking call per sample would add the
    # dispatch round trip (~0.1 ms on a GPU, 15% of a 1 GiB copy) to the limit.
    policy = TimingPolicy(budget_s=0.5, sample_s=0.02, min_repeats=repeats, max_repeats=200)
    return 8 * size / 1e9 / time_calls(scale, (x,), policy).median_s


def dispatch_seconds(platform_name: str = "cpu", repeats: int = 200) -> float:
    """Return the median seconds of one blocking call of a 1-element jitted function.

    Below it a per-call timing measures dispatch, not the device: read small-n timings
    against this figure.
    """
    import jax
    import jax.numpy as jnp

    x = jax.device_put(jnp.ones(1, jnp.float32), available_devices(platform_name)[0])
    bump = jax.jit(lambda v: v + jnp.float32(1.0)).lower(x).compile()
    return _median_call_s(bump, x, repeats)


def _median_call_s(call: Any, x: Any, repeats: int) -> float:
    import jax

    jax.block_until_ready(call(x))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(call(x))
        samples.append(time.perf_counter() - start)
    return float(sorted(samples)[len(samples) // 2])


def summary_lines(info: dict[str, Any]) -> list[str]:
    """Return ``key: value`` lines for printing a fingerprint (nested dicts flattened)."""
    lines = []
    for key, value in info.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        elif isinstance(value, list):
            value = "; ".join(
                " ".join(str(v) for v in item.values()) if isinstance(item, dict) else str(item)
                for item in value
            )
        lines.append(f"{key}: {value}")
    return lines
