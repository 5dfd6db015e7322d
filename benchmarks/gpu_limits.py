"""Measure diffbench against the device's physical limit: copy bandwidth and dispatch cost.

Every figure comes from one process, side by side:

- ``copy``: the device's copy bandwidth, jitted ``x * 1.0001`` (bytes = read + write);
- ``dispatch``: seconds for one jitted call of a 1-element function from Python, blocking;
- ``reverse_ad`` and ``f`` of rosenbrock at the largest n (bytes = read x + write the
  gradient; read x for f), with the fraction of the copy bandwidth;
- ``forward_ad / reverse_ad`` time at n = 1e5 (1e4 on a CPU);
- the GD, momentum and Adam runners (``diffbench.optimize.minimize``) at the largest n, per
  step (bytes = read + write of x and of each optimizer moment), with their default records
  and with the loss checked once (``check_every=steps``);
- multi-start: ``starts`` x 1000 steps of 2-D rastrigin, in step-evaluations per second.

Run ``python benchmarks/gpu_limits.py [--out FILE.json] [--small]``; ``--small`` (default on
a CPU) uses sizes a 2-core machine finishes in about a minute.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import jax
import jax.numpy as jnp
import numpy as np

import diffbench
from diffbench.harness import TimingPolicy, compile_jit, time_calls

jax.config.update("jax_enable_x64", True)  # figures in float64; diffbench no longer sets it

POLICY = TimingPolicy(budget_s=1.0, sample_s=0.02, min_repeats=20, max_repeats=200)
SIZES = {  # large (GPU) and small (CPU) sizes
    "copy": (2**30, 2**25),
    "grad": (10**8, 10**7),
    "jacfwd": (10**5, 10**4),
    "runner": (10**8, 10**6),
    "starts": (10**6, 10**4),
}
MOMENTS = {"sgd": 0, "momentum": 1, "adam": 2}


def median_seconds(fn, *args) -> float:
    """Median seconds per call of a jitted ``fn`` (compiled apart, blocking, >= 20 samples)."""
    compiled = compile_jit(fn, *args)
    return time_calls(compiled.call, args, POLICY, traces=lambda: compiled.counter.count).median_s


def copy_bandwidth(size: int) -> dict:
    x = jnp.ones(size, jnp.float32)
    seconds = median_seconds(lambda v: v * jnp.float32(1.0001), x)
    return {"bytes": 2 * 4 * size, "seconds": seconds, "gb_per_s": 8 * size / seconds / 1e9}


def dispatch_seconds() -> float:
    x = jnp.ones(1, jnp.float32)
    fn = jax.jit(lambda v: v + jnp.float32(1.0))
    jax.block_until_ready(fn(x))
    samples = []
    for _ in range(2000):
        start = time.perf_counter()
        jax.block_until_ready(fn(x))
        samples.append(time.perf_counter() - start)
    return float(np.median(samples))


def gradient_figures(n: int, limit_gbs: float) -> dict:
    tf = diffbench.functions.get("rosenbrock")
    x = jnp.asarray(np.linspace(-1.5, 1.5, n), jnp.float32)
    grad_fn = diffbench.methods.get("reverse_ad").build(tf, n, np.dtype("float32"))
    grad_s = median_seconds(grad_fn, x)
    f_s = median_seconds(tf.__call__, x)
    return {
        "n": n,
        "reverse_ad_s": grad_s,
        "reverse_ad_fraction": 8 * n / grad_s / 1e9 / limit_gbs,
        "f_s": f_s,
        "f_fraction": 4 * n / f_s / 1e9 / limit_gbs,
        "cost_ratio": grad_s / f_s,
    }


def jacfwd_ratio(n: int) -> dict:
    tf = diffbench.functions.get("rosenbrock")
    x = jnp.asarray(np.linspace(-1.5, 1.5, n), jnp.float32)
    times = {}
    for method in ("forward_ad", "reverse_ad"):
        fn = diffbench.methods.get(method).build(tf, n, np.dtype("float32"))
        times[method] = median_seconds(fn, x)
    return {"n": n, **times, "ratio": times["forward_ad"] / times["reverse_ad"]}


def runner_figures(n: int, limit_gbs: float, steps: int = 200) -> dict:
    """GD, momentum and Adam at ``n``: ``minimize``'s defaults (the loss of every step checked
    against the targets) and, for comparison, ``check_every=steps`` (the loss at the start
    only); bytes a step are ``OptimizeResult.min_bytes`` (read + write x and each moment)."""
    out = {}
    x0 = np.linspace(-1.5, 1.5, n)
    for name in MOMENTS:
        for label, extra in (("default", {}), ("check_once", {"check_every": steps})):
            res = diffbench.optimize.minimize(
                "rosenbrock",
                name,
                steps,
                x0=x0,
                lr=1e-6,
                dtype="float32",
                warmup=1,
                repeats=5,
                **extra,
            )
            out[f"{name}_{label}"] = {
                "step_s": res.step_time_s,
                "gb_per_s": res.gb_per_s,
                "fraction": res.gb_per_s / limit_gbs,
            }
    return out


def multistart(starts: int, steps: int = 1000) -> dict:
    res = diffbench.optimize.minimize(
        "rastrigin",
        "sgd",
        steps,
        starts=starts,
        n=2,
        lr=1e-3,
        dtype="float32",
        trace_every=steps,
        check_every=steps,
        repeats=3,
    )
    return {
        "starts": starts,
        "steps": steps,
        "step_s": res.step_time_s,
        "step_evals_per_s": starts / res.step_time_s,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write the figures as JSON here")
    parser.add_argument("--small", action="store_true", help="CPU-sized problems")
    args = parser.parse_args(argv)
    device = jax.devices()[0]
    small = args.small or device.platform == "cpu"
    size = {key: pair[1 if small else 0] for key, pair in SIZES.items()}
    copy = copy_bandwidth(size["copy"])
    limit = copy["gb_per_s"]
    figures = {
        "device": device.device_kind,
        "platform": device.platform,
        "jax": jax.__version__,
        "host": platform.node(),
        "copy": copy,
        "dispatch_s": dispatch_seconds(),
        "gradient": gradient_figures(size["grad"], limit),
        "jacfwd": jacfwd_ratio(size["jacfwd"]),
        "runners": runner_figures(size["runner"], limit),
        "multistart": multistart(size["starts"]),
    }
    print(json.dumps(figures, indent=2))
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(figures, fh, indent=2)
    return figures


if __name__ == "__main__":
    main()
