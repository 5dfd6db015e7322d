"""Print the optimization runners' performance ratios, every figure measured side by side.

``minimize`` is timed as a user calls it: its defaults (the loss of every step checked against
the 11 targets, ``repeats=1``: one run of the loop), the wall time of the whole call (argument
preparation, the compiled runner, results back to NumPy) after a first call that compiled it.
Issues 4 and 10's targets, each measured in interleaved rounds (A, B, A, B, ...; medians over
rounds) so that load from other processes on a shared machine hits every contender alike:

1. 2-D rosenbrock, 20,000 GD steps: ``minimize`` against a Python loop calling a jitted optax
   step (target >= 100x) and a hand-written ``lax.scan``; and the fixed cost of a call
   (a 10-step call, target <= 0.3 ms).
2. 10,000 starts x 1,000 GD steps of 2-D rastrigin: ``minimize`` against a hand-written
   ``jit(vmap(scan))`` of the same optax optimizer that records nothing (target >= 0.8x), and
   against one that tracks each run's best loss (the same loss evaluations as the records).
3. 2-D rosenbrock, the same 10,000 x 1,000 multi-start: ``minimize`` against a Python loop over
   per-start jitted scans (target >= 10x).
4. rosenbrock at n = 1e6 and 1e7, float64, GD: bytes moved per step (read x + write x) over the
   per-step time (``OptimizeResult.gb_per_s``: the runner's own median step time), against
   NumPy ``copyto`` into a pre-faulted buffer of the same size and of 1e7 float64 (out of
   cache: the DRAM figure); target: default records at >= 60% of the DRAM copy bandwidth at
   n = 1e6. At 1e6 the arrays fit this machine's 32 MiB L3 and copyto runs at cache speed,
   so both references are printed.
5. the fixed cost of a call: a 10-step 2-D call, median of 50 back to back (target <= 0.3 ms).

Cases 2 and 4 also time the hand-written loop that computes the loss every step compiled with
the runner's own XLA options (``PLANS``): the ceiling of a per-step loss on this backend.

Run: ``python benchmarks/optimize_ratios.py`` (about two minutes on a 2-core machine;
``--quick`` shrinks every case about 10x to check the script itself). On a loaded machine,
``--clock process`` times CPU seconds of this process instead of wall seconds (steadier; for
case 4, whose XLA kernels run on two threads, read the wall figures).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import optax

import diffbench
from diffbench import functions, optimize

jax.config.update("jax_enable_x64", True)  # figures in float64; diffbench no longer sets it

LR = 1e-3
CLOCK = time.perf_counter  # ``--clock process``: CPU seconds of this process (all threads)


def definition(name: str) -> Callable[[jax.Array], jax.Array]:
    """The registry's definition of ``name`` bound to ``jax.numpy``."""
    fn = functions.get(name).fn
    return lambda x: fn(jnp, x)


def seconds(call: Callable[[], object]) -> float:
    """Wall seconds of one call, blocking on its result."""
    start = CLOCK()
    jax.block_until_ready(call())
    return CLOCK() - start


def interleaved(contenders: dict[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """Median over ``rounds`` of each contender's seconds-per-step, taken in turn."""
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, measure in contenders.items():
            samples[name].append(measure())
    return {name: statistics.median(values) for name, values in samples.items()}


def report(title: str, per_step: dict[str, float], baseline: str, unit: str = "us") -> None:
    """Print each contender's time per step and its speed-up over ``baseline``."""
    print(f"\n{title}")
    scale = {"us": 1e6, "ms": 1e3}[unit]
    for name, t in per_step.items():
        ratio = per_step[baseline] / t
        print(f"  {name:<46} {t * scale:10.3f} {unit}/step   {ratio:8.1f}x vs {baseline}")


def minimize_call_s(name: str, steps: int, **kwargs) -> Callable[[], float]:
    """A contender: the wall seconds per step of a whole ``minimize`` call, its defaults
    unless ``kwargs`` say otherwise (its runner compiled by a first call, then cached)."""
    kwargs.setdefault("lr", LR)
    optimize.minimize(name, "sgd", steps, **kwargs)  # compile, warm
    return lambda: seconds(lambda: optimize.minimize(name, "sgd", steps, **kwargs)) / steps


def minimize_step_s(name: str, steps: int, **kwargs) -> Callable[[], float]:
    """A contender: the median step time of ``minimize``'s compiled runner (one run a call);
    with ``--clock process``, the CPU seconds of the whole call over its steps."""
    kwargs.setdefault("lr", LR)
    optimize.minimize(name, "sgd", steps, **kwargs)  # compile, warm
    if CLOCK is time.process_time:
        return minimize_call_s(name, steps, **kwargs)
    return lambda: optimize.minimize(name, "sgd", steps, **kwargs).step_time_s


def sgd_step(f: Callable, opt: optax.GradientTransformation) -> Callable:
    """One optax step that also returns the loss (what a hand-written loop would track)."""

    def step(x, state):
        loss, grad = jax.value_and_grad(f)(x)
        updates, state = opt.update(grad, state, x)
        return optax.apply_updates(x, updates), state, loss

    return step


def scan_of(step: Callable, opt: optax.GradientTransformation, steps: int) -> Callable:
    """A hand-written ``lax.scan`` of ``step`` from one start, returning the loss per step."""

    def run(x):
        def body(carry, _):
            x, state, loss = step(*carry)
            return (x, state), loss

        return jax.lax.scan(body, (x, opt.init(x)), None, length=steps)

    return run


def rosenbrock_single(steps: int, rounds: int) -> None:
    """Case 1: one run of 2-D rosenbrock."""
    f, opt = definition("rosenbrock"), optax.sgd(LR)
    step = sgd_step(f, opt)
    jitted_step, scan = jax.jit(step), jax.jit(scan_of(step, opt, steps))
    x0 = jnp.asarray(functions.get("rosenbrock").x0(2))
    jax.block_until_ready((jitted_step(x0, opt.init(x0)), scan(x0)))

    def python_loop() -> float:
        x, state = x0, opt.init(x0)
        start = CLOCK()
        for _ in range(steps):
            x, state, _ = jitted_step(x, state)
        jax.block_until_ready(x)
        return (CLOCK() - start) / steps

    loop = "Python loop of a jitted optax step"
    fixed = "minimize, a 10-step call (per call, not per step)"
    per_step = interleaved(
        {
            loop: python_loop,
            "hand-written lax.scan (loss per step)": lambda: seconds(lambda: scan(x0)) / steps,
            "minimize, defaults (whole call)": minimize_call_s("rosenbrock", steps),
            fixed: lambda: minimize_call_s("rosenbrock", 10)() * 10,
        },
        rounds,
    )
    call = per_step.pop(fixed)
    report(f"1. rosenbrock n=2, {steps:,} GD steps, float64", per_step, loop)
    print(f"  {fixed:<46} {call * 1e3:10.3f} ms/call")


def starts_in_box(name: str, count: int) -> np.ndarray:
    """``count`` seeded starts, uniform in the function's box, shape ``(count, 2)``."""
    lo, hi = functions.get(name).bounds(2)
    return np.random.default_rng(0).uniform(lo, hi, size=(count, 2))


def hand_vmap(name: str, steps: int, track_loss: bool) -> Callable:
    """Hand-written ``jit(vmap(scan))`` of optax SGD; optionally tracking each run's best loss."""
    f, opt = definition(name), optax.sgd(LR)

    def one(x):
        def body(carry, _):
            x, state, best = carry
            if track_loss:
                loss, grad = jax.value_and_grad(f)(x)
                best = jnp.minimum(best, loss)
            else:
                grad = jax.grad(f)(x)
            updates, state = opt.update(grad, state, x)
            return (optax.apply_updates(x, updates), state, best), None

        init = (x, opt.init(x), jnp.asarray(jnp.inf, x.dtype))
        x, _, best = jax.lax.scan(body, init, None, length=steps)[0]
        return x, jnp.minimum(best, f(x))

    return jax.jit(jax.vmap(one))


def rastrigin_multistart(count: int, steps: int, rounds: int) -> None:
    """Case 2: 10,000 starts x 1,000 steps of 2-D rastrigin."""
    x0 = starts_in_box("rastrigin", count)
    xj = jnp.asarray(x0)
    plain, tracked = hand_vmap("rastrigin", steps, False), hand_vmap("rastrigin", steps, True)
    options = dict(optimize.PLANS["cpu"].options)  # the runner's compiler options, for a ceiling
    ceiling = tracked.lower(xj).compile(compiler_options=options or None)
    jax.block_until_ready((plain(xj), tracked(xj), ceiling(xj)))
    hand = "hand-written jit(vmap(scan)), gradient only"
    per_step = interleaved(
        {
            hand: lambda: seconds(lambda: plain(xj)) / steps,
            "hand-written, tracking each run's best loss": lambda: (
                seconds(lambda: tracked(xj)) / steps
            ),
            "the same, compiled with the runner's options": lambda: (
                seconds(lambda: ceiling(xj)) / steps
            ),
            "minimize, defaults (loss + 11 targets a step)": minimize_call_s(
                "rastrigin", steps, x0=x0
            ),
            f"minimize, check_every={steps} (records nothing)": minimize_call_s(
                "rastrigin", steps, x0=x0, check_every=steps
            ),
        },
        rounds,
    )
    report(f"2. rastrigin n=2, {count:,} starts x {steps:,} GD steps", per_step, hand, "ms")


def rosenbrock_multistart(count: int, steps: int, rounds: int) -> None:
    """Case 3: the same multi-start on 2-D rosenbrock, against a Python loop over starts."""
    x0 = starts_in_box("rosenbrock", count)
    xj = jnp.asarray(x0)
    f, opt = definition("rosenbrock"), optax.sgd(LR)
    single = jax.jit(scan_of(sgd_step(f, opt), opt, steps))
    batched = hand_vmap("rosenbrock", steps, True)
    rows = [jnp.asarray(x) for x in x0]  # one device array per start, made before timing
    jax.block_until_ready((single(rows[0]), batched(xj), rows))

    def python_loop() -> float:
        start = CLOCK()
        jax.block_until_ready([single(x) for x in rows])
        return (CLOCK() - start) / steps

    loop = "Python loop over per-start jitted scans"
    per_step = interleaved(
        {
            loop: python_loop,
            "hand-written jit(vmap(scan)), best loss": lambda: seconds(lambda: batched(xj)) / steps,
            "minimize, defaults (whole call)": minimize_call_s("rosenbrock", steps, x0=x0),
        },
        max(1, rounds - 1),
    )
    report(f"3. rosenbrock n=2, {count:,} starts x {steps:,} GD steps", per_step, loop, "ms")


def copy_seconds(n: int, repeats: int = 21) -> float:
    """Median seconds of ``np.copyto`` of n float64 into a pre-faulted buffer."""
    src, dst = np.random.default_rng(0).random(n), np.empty(n)
    dst[:] = 1.0  # fault the pages in before timing
    samples = []
    for _ in range(repeats):
        start = CLOCK()
        np.copyto(dst, src)
        samples.append(CLOCK() - start)
    return statistics.median(samples)


def marginal_step_s(steps: int, kwargs: dict) -> Callable[[], float]:
    """A contender: the cost of one more step, from ``minimize`` at two budgets.

    A run evaluates the loss at its start and end (two reductions that XLA:CPU computes far
    slower than a gradient step); the difference of two budgets leaves the step alone.
    """
    short = minimize_step_s("rosenbrock", steps, check_every=steps, **kwargs)
    long = minimize_step_s("rosenbrock", 2 * steps, check_every=2 * steps, **kwargs)
    return lambda: (2 * steps * long() - steps * short()) / steps


def rosenbrock_bandwidth(n: int, steps: int, rounds: int, dram_gbs: float) -> None:
    """Case 4: GD on rosenbrock at large n; bytes = read x + write x per step."""
    f = definition("rosenbrock")
    x0 = functions.get("rosenbrock").x0(n)
    xj = jnp.asarray(x0)

    def gd(x):
        return jax.lax.scan(lambda x, _: (x - 1e-4 * jax.grad(f)(x), None), x, None, steps)[0]

    def gd_loss(x):
        def body(carry, _):
            x, best = carry
            loss, grad = jax.value_and_grad(f)(x)
            return (x - 1e-4 * grad, jnp.minimum(best, loss)), None

        return jax.lax.scan(body, (x, jnp.asarray(jnp.inf, x.dtype)), None, steps)[0]

    hand, hand_loss = jax.jit(gd), jax.jit(gd_loss)
    options = dict(optimize.PLANS["cpu"].options)  # the runner's compiler options, for a ceiling
    hand_plan = jax.jit(gd_loss).lower(xj).compile(compiler_options=options or None)
    jax.block_until_ready((hand(xj), hand_loss(xj), hand_plan(xj)))
    kwargs = dict(x0=x0, lr=1e-4)
    limit = "numpy copyto, same n, pre-faulted"
    per_step = interleaved(
        {
            limit: lambda: copy_seconds(n),
            "hand-written lax.scan, gradient only": lambda: seconds(lambda: hand(xj)) / steps,
            "hand-written, value_and_grad + best loss": lambda: (
                seconds(lambda: hand_loss(xj)) / steps
            ),
            "the same, compiled with the runner's options": lambda: (
                seconds(lambda: hand_plan(xj)) / steps
            ),
            "minimize, defaults (loss + targets a step)": minimize_step_s(
                "rosenbrock", steps, **kwargs
            ),
            f"minimize, check_every={steps} (records nothing)": minimize_step_s(
                "rosenbrock", steps, check_every=steps, **kwargs
            ),
            "minimize, one more step (marginal)": marginal_step_s(steps, kwargs),
        },
        rounds,
    )
    print(f"\n4. rosenbrock n={n:.0e}, float64, {steps} GD steps: bytes/step = 2 x 8n")
    print(f"  {'':<46} {'ms/step':>9} {'GB/s':>7} {'of copy':>8} {'of DRAM copy':>13}")
    same = 16 * n / per_step[limit]
    for name, t in per_step.items():
        rate = 16 * n / t
        print(
            f"  {name:<46} {t * 1e3:9.3f} {rate / 1e9:7.1f} {rate / same:8.0%} "
            f"{rate / 1e9 / dram_gbs:13.0%}"
        )


def bandwidth_cases(q: int, rounds: int) -> None:
    """Case 4 at n = 1e6 (in the 32 MiB L3 of this machine) and 1e7 (in DRAM)."""
    dram_gbs = 16 * 10_000_000 / copy_seconds(10_000_000) / 1e9
    print(f"\nDRAM copy bandwidth (numpy copyto of 1e7 float64, pre-faulted): {dram_gbs:.1f} GB/s")
    rosenbrock_bandwidth(1_000_000 // q, 200, rounds, dram_gbs)
    rosenbrock_bandwidth(10_000_000 // q, 60, rounds, dram_gbs)


def fixed_cost(calls: int = 50) -> None:
    """Case 5: the fixed cost of a call, a 10-step 2-D call repeated back to back."""
    measure = minimize_call_s("rosenbrock", 10)
    median = statistics.median(measure() * 10 for _ in range(calls))
    print(f"\n5. fixed cost: a 10-step 2-D rosenbrock call, median of {calls} back to back")
    print(f"  {median * 1e3:.3f} ms/call")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shrink every case ~10x")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per case")
    parser.add_argument("--case", type=int, nargs="*", default=[1, 2, 3, 4, 5], help="cases to run")
    parser.add_argument(
        "--clock",
        choices=["wall", "process"],
        default="wall",
        help="wall seconds (default) or this process's CPU seconds, steadier on a loaded machine",
    )
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.clock == "process" else time.perf_counter
    q = 10 if args.quick else 1
    print(f"diffbench {diffbench.__version__}, jax {jax.__version__}, optax {optax.__version__}")
    print(f"device {jax.devices()[0].platform}, {len(jax.devices())} device(s); load average")
    print(f"  at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; clock: {args.clock}")
    cases = {
        1: lambda: rosenbrock_single(20_000 // q, args.rounds),
        2: lambda: rastrigin_multistart(10_000 // q, 1_000, args.rounds),
        3: lambda: rosenbrock_multistart(10_000 // q, 1_000, args.rounds),
        4: lambda: bandwidth_cases(q, args.rounds),
        5: fixed_cost,
    }
    for case in args.case:
        cases[case]()
    print(f"\nload average at end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
