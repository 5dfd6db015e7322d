"""Print what a new callable or a new ``step`` per call costs ``diffbench.gradient`` (issue 16).

Four ways to call ``gradient(f, x, method="central")`` at n = 64, interleaved call by call in
one process, in a new random order each round, so that machine load hits them alike (medians
of per-call wall times, each call ending in ``block_until_ready``):

- ``same f``: one function object, one step: the compiled function is reused (the floor);
- ``new lambda``: a new ``lambda v: (v**2).sum()`` per call (same code);
- ``new step``: the same function with a new ``step`` per call;
- ``recompile``: ``jax.jit`` of a fresh lambda per call: what every call cost when the cache
  was keyed by the function object and the step (the reference).

Then the resident memory (RSS) before and after 300 calls with a new lambda and a new step
each. Targets: ``new lambda`` and ``new step`` within 2x of ``same f``, far below
``recompile``; RSS growth a few MB at most.

Run: ``python benchmarks/recompile_ratios.py`` (about 20 s on a 2-core machine).
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np

import diffbench
from diffbench.methods.finite_difference import STENCILS, stencil_gradient

jax.config.update("jax_enable_x64", True)
X = jnp.linspace(-1.0, 1.0, 64, dtype=jnp.float64)
CALLS = 30


def _square_sum(v):
    return (v**2).sum()


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * 4096 / 2**20


def _timed(call) -> float:
    start = time.perf_counter()
    jax.block_until_ready(call())
    return time.perf_counter() - start


def main() -> None:
    """Print the per-call medians, their ratios to ``same f`` and the RSS growth."""
    diffbench.gradient(_square_sum, X, method="central")  # compile the floor once
    samples: dict[str, list[float]] = {"same f": [], "new lambda": [], "new step": []}
    samples["recompile"] = []
    rng = np.random.default_rng(0)
    for _ in range(CALLS):
        step = float(rng.uniform(1e-7, 1e-5))
        fresh = jax.jit(lambda x, s=step: stencil_gradient(_square_sum, x, STENCILS["central"], s))
        calls = {
            "same f": lambda: diffbench.gradient(_square_sum, X, "central"),
            "new lambda": lambda: diffbench.gradient(lambda v: (v**2).sum(), X, "central"),
            "new step": lambda s=step: diffbench.gradient(_square_sum, X, "central", step=s),
            "recompile": lambda f=fresh: f(X),
        }
        for name in rng.permutation(list(calls)):  # a new order each round: no position bias
            samples[name].append(_timed(calls[name]))
    floor = np.median(samples["same f"])
    for name, values in samples.items():
        median = np.median(values)
        print(f"{name:>11}: {median * 1e3:8.3f} ms/call  x{median / floor:7.1f} of same f")
    before = _rss_mb()
    for i in range(300):
        diffbench.gradient(lambda v: (v**2).sum(), X, method="central", step=1e-6 * (1 + i))
    print(f"RSS after 300 new lambdas and steps: {_rss_mb() - before:+.1f} MB")


if __name__ == "__main__":
    main()
