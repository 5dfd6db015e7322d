"""The true size of each planted regression, timed directly: BASE and planted code side by side.

``gate_power.py`` counts how often the paired gate finds a plant; this script says how big the
plant really is, without the gate: in one process, on one core with single-threaded XLA (as
the gate's workers), it compiles BASE's gradient of each planted case and the planted one
(the planted source of ``gate_plants.REVISIONS`` applied in memory and executed as a module
beside BASE's), then times them interleaved: ``--rounds`` rounds, alternating which goes
first, each round's figure the fastest of ``--samples`` samples of ~2 ms. It prints, per case,
the median over rounds of planted / BASE time and the quartiles of the per-round ratio.

Run (from the repository root, BASE = the working tree):
    PYTHONPATH=$PWD python benchmarks/gate_plant_effects.py --cpu 1 > /tmp/effects.txt
"""

from __future__ import annotations

import argparse
import ast
import functools
import math
import os
import sys
import time
import types
from pathlib import Path

import numpy as np
from gate_plants import CLASSIC, FD, PLANTS, REVISIONS, parse_label, suite_labels

ROOT = Path(__file__).resolve().parents[1]


def planted_source(revision: str, file: str) -> str:
    """The text of ``file`` in ``revision``: BASE's text with the revision's edits applied."""
    text = (ROOT / file).read_text(encoding="utf-8")
    for target, anchor, replacement in REVISIONS[revision]:
        if target == file:
            text = text.replace(anchor, replacement)
    return text


@functools.cache
def planted_module(revision: str) -> types.ModuleType:
    """The planted finite_difference module, executed beside BASE's (same package)."""
    module = types.ModuleType(f"diffbench.methods._planted_{revision}")
    module.__package__ = "diffbench.methods"
    sys.modules[module.__name__] = module
    exec(compile(planted_source(revision, FD), "planted_fd", "exec"), module.__dict__)  # noqa: S102
    return module


def planted_function(revision: str, name: str):
    """``xp, x -> value``: the planted definition of test function ``name``."""
    source = planted_source(revision, CLASSIC)
    node = next(
        n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == name
    )
    space: dict = {}
    exec(ast.get_source_segment(source, node), space)  # noqa: S102
    return space[name]


def gradients(revision: str, case: dict):
    """(BASE gradient, planted gradient) of one case, both ``x -> grad``."""
    import jax.numpy as jnp

    from diffbench import functions, methods
    from diffbench._objective import as_objective
    from diffbench.methods import finite_difference

    n, dtype, method = case["n"], np.dtype(case["dtype"]), case["method"]
    if revision == "ackley_more":
        base_fn = functions.get(case["function"]).fn
        new_fn = planted_function(revision, case["function"])
        build = methods.get(method).build
        return (
            build(lambda x: base_fn(jnp, x), n, dtype),
            build(lambda x: new_fn(jnp, x), n, dtype),
        )
    objective = as_objective(case["function"])
    new = planted_module(revision)._stencil_factory(method)
    return (
        finite_difference._stencil_factory(method)(objective, n, dtype),
        new(objective, n, dtype),
    )


def side_by_side(calls: list, x, rounds: int, samples: int) -> np.ndarray:
    """Per-round fastest seconds per call of each compiled call, interleaved: (calls, rounds)."""
    import jax

    executables = [jax.jit(c).lower(x).compile() for c in calls]
    one = []
    for run in executables:
        jax.block_until_ready(run(x))
        start = time.perf_counter()
        for _ in range(10):
            run(x)
        jax.block_until_ready(run(x))
        one.append((time.perf_counter() - start) / 11)
    batch = max(1, math.ceil(0.002 / max(one)))
    out = np.empty((len(calls), rounds))
    for r in range(rounds):
        order = range(len(calls)) if r % 2 == 0 else reversed(range(len(calls)))
        for i in order:
            best = math.inf
            for _ in range(samples):
                start = time.perf_counter()
                for _ in range(batch - 1):
                    executables[i](x)
                jax.block_until_ready(executables[i](x))
                best = min(best, (time.perf_counter() - start) / batch)
            out[i, r] = best
    return out


def main() -> None:
    """Time every planted case of the chosen revisions against BASE; print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", nargs="*", default=["combined", "ackley_more"])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--cpu", type=int, default=-1, help="core to pin to (default: none)")
    args = parser.parse_args()
    os.environ["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    if args.cpu >= 0:
        os.sched_setaffinity(0, {args.cpu})
    import jax

    jax.config.update("jax_enable_x64", True)
    from diffbench import functions

    print(f"load average {os.getloadavg()[0]:.1f}; {args.rounds} rounds x {args.samples} samples")
    for plant, (revision, hit) in PLANTS.items():
        if revision not in args.revisions:
            continue
        for label in suite_labels():
            case = parse_label(label)
            if not hit(case):
                continue
            x = jax.numpy.asarray(
                np.asarray(functions.get(case["function"]).x0(case["n"]), dtype=case["dtype"])
            )
            t = side_by_side(list(gradients(revision, case)), x, args.rounds, args.samples)
            ratio = t[1] / t[0]
            q1, mid, q3 = np.quantile(ratio, [0.25, 0.5, 0.75])
            print(
                f"{plant:14s} {label:36s} base {np.median(t[0]) * 1e6:7.1f} us  "
                f"planted/base {mid:.3f} [{q1:.3f}, {q3:.3f}]",
                flush=True,
            )
    print(f"load average {os.getloadavg()[0]:.1f}", file=sys.stderr)


if __name__ == "__main__":
    main()
