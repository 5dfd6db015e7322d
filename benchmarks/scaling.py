"""Weak and strong scaling efficiency of multi-start runs on 1, 2 and 4 forced CPU devices.

Runs the built-in ``scaling`` suite (``diffbench/suites/scaling.toml``: 2-D rastrigin, Adam,
500 steps; weak: 4,096 starts per device, strong: 12,288 starts in all) as a session with
``XLA_FLAGS=--xla_force_host_platform_device_count=4`` set before JAX starts, then prints the
efficiencies the report computes from the suite's own ``runs`` rows
(``diffbench.report._scale_out``) and the load average while it ran. Each case is timed by
the session (one warm-up call, then ``repeats`` timed calls of the compiled runner; the
median step time), the cases of one configuration back to back.

Then ``reverse_ad`` of rosenbrock at n = 2^22 with x split over 1, 2 and 4 devices
(``diffbench.distributed.sharded_gradient``), the compiled gradients timed in interleaved
rounds: median time, strong-scaling efficiency, and the bandwidth accounting per device
(``bandwidth``: read x, write the gradient, ``2 n / D`` itemsize a device).

Forced CPU devices are threads of one process sharing the host's cores: on a 2-core machine
two devices can at best double the throughput and four cannot beat two. The figure is
honest about the host it ran on, not a promise for real devices.

Run: ``python benchmarks/scaling.py [--out DIR] [--devices 4]`` (about a minute on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import tempfile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None, help="results root (default: a temporary folder)")
    parser.add_argument("--devices", type=int, default=4, help="forced CPU devices")
    parser.add_argument("--n", type=int, default=2**22, help="the gradient's dimension")
    parser.add_argument("--rounds", type=int, default=15, help="interleaved gradient rounds")
    args = parser.parse_args()
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "") + f" --xla_force_host_platform_device_count={args.devices}"
    ).strip()
    import diffbench
    from diffbench.report import _scale_out

    out = args.out or tempfile.mkdtemp(prefix="diffbench-scaling-")
    before = os.getloadavg()
    result = diffbench.run_suite("scaling", out=out, quiet=True)
    after = os.getloadavg()
    runs = diffbench.store.load(result.path, table="runs")
    table = _scale_out.efficiencies(runs)
    cases = _scale_out._cases(runs)
    print(f"result set: {result.path} ({result.statuses})")
    print(
        f"load average before {before[0]:.1f}, after {after[0]:.1f} (1 min); {os.cpu_count()} CPUs"
    )
    print(cases[["devices", "runs", "throughput"]].to_string(index=False))
    print(table[["scale", "devices", "runs", "throughput", "efficiency"]].to_string(index=False))
    gradients(args.devices, args.n, args.rounds)


def gradients(most: int, n: int, rounds: int) -> None:
    """Strong scaling of ``reverse_ad`` with x split over 1, 2, ... ``most`` devices: the
    compiled gradients timed in interleaved rounds (median), bandwidth per device."""
    import statistics
    import time

    import jax
    import numpy as np

    from diffbench.distributed import bandwidth, sharded_gradient

    counts = [d for d in (1, 2, 4, 8) if d <= most]
    grads = {d: sharded_gradient("rosenbrock", n, "float64", "reverse_ad", d) for d in counts}
    x = np.linspace(-1.0, 1.0, n)
    placed = {d: g.put(x) for d, g in grads.items()}
    samples: dict[int, list[float]] = {d: [] for d in counts}
    for _ in range(rounds + 1):  # the first round warms up
        for d in counts:
            start = time.perf_counter()
            jax.block_until_ready(grads[d].executable(placed[d]))
            samples[d].append(time.perf_counter() - start)
    print(f"reverse_ad, rosenbrock n = {n:,}, float64, median of {rounds} interleaved rounds")
    one = statistics.median(samples[1][1:])
    for d in counts:
        t = statistics.median(samples[d][1:])
        bw = bandwidth("reverse_ad", n, 8, d, t)
        print(
            f"  {d} devices: {t * 1e3:8.2f} ms, efficiency {one / (d * t):5.0%}, "
            f"{bw['gb_per_s']:6.2f} GB/s in all, {bw['gb_per_s_per_device']:6.2f} GB/s a device "
            f"({bw['bytes_per_device'] / 2**20:.0f} MiB a device)"
        )


if __name__ == "__main__":
    main()
