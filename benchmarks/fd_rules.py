"""The two finite-difference rules at every point of every built-in suite.

A point is a (function, n, dtype) where a built-in suite (smoke, standard, full, gate, gpu)
runs ``central4`` or ``richardson``, at the function's start ``x0(n)`` as a session places it.
At each point ``central``, ``central4`` and ``richardson`` at their defaults are scored against
the reference (``diffbench.accuracy.reference_gradient``), and:

- ``richardson`` >= min(central, ceiling) - 0.3 digit;
- ``central4`` >= min(central, ceiling) - 1 digit;

where ``ceiling`` is central's rounding floor at the point: the digits left by f's rounding,
``-log10(|| eps |f(x)| / (2 h) ||_2 / ||g||_2)`` with h central's steps. A central difference
that beats it had its rounding errors cancel (every coordinate of ``x0`` is alike, so nothing
averages them out) or is exact on a quadratic: that is luck, not a figure another method can
be held to. The ``raw`` margins (against central itself) are printed beside.

Usage (from the repository root; minutes on two cores):
    python benchmarks/fd_rules.py                # every point with n <= 128
    python benchmarks/fd_rules.py --max-n 10     # the small points only
    python benchmarks/fd_rules.py --csv out.csv  # also write one row per point

Exit status: 0 when both rules hold at every point, 1 when one fails.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
METHODS = ("central", "central4", "richardson")
RULES = {"richardson": 0.3, "central4": 1.0}
"""Method -> the most digits it may fall below min(central, ceiling)."""


def suite_points(max_n: int) -> list[tuple[str, int, str]]:
    """Return the sorted (function, n, dtype) of every built-in suite running central4 or
    richardson, with n <= max_n."""
    from diffbench.harness.cases import GradientCase
    from diffbench.harness.suites import load_suite, suite_names

    points = {
        (case.function, case.n, case.dtype)
        for suite in suite_names()
        for case in load_suite(suite).cases(["cpu"])
        if isinstance(case, GradientCase)
        and case.method in RULES
        and case.n <= max_n
        and case.params in ("{}", _default_params(case.method))
    }
    return sorted(points)


def _default_params(method: str) -> str:
    from diffbench import methods
    from diffbench.harness.cases import canonical

    return canonical(methods.get(method).defaults)


def central_ceiling(function: str, x: np.ndarray, truth: np.ndarray) -> float:
    """Return the digits f's rounding leaves ``central`` at ``x`` (see the module docstring)."""
    from diffbench import accuracy, functions
    from diffbench.methods import finite_difference as fd

    tf = functions.get(function)
    eps = float(np.finfo(x.dtype).eps)
    steps = np.asarray(fd.coordinate_steps(x, fd.stencil_step(fd.STENCILS["central"], x.dtype)))
    value = abs(float(tf(x.astype(np.float64))))  # f in float64 (JAX: some are jax-only)
    rounding = eps * value / (2.0 * steps.astype(np.float64))
    norm = float(np.linalg.norm(truth))
    if norm == 0.0:
        return accuracy.MAX_DIGITS
    return accuracy.digits_from_error(float(np.linalg.norm(rounding)) / norm)


def point_digits(function: str, n: int, dtype: str) -> dict[str, float]:
    """Return the digits of each method in ``METHODS`` and ``ceiling`` at one point.

    The three gradients are compiled together, once.
    """
    import jax
    import jax.numpy as jnp

    from diffbench import accuracy, functions, methods

    x = jnp.asarray(functions.get(function).x0(n), dtype=dtype)
    fns = [methods.get(m).build(function, n, np.dtype(dtype)) for m in METHODS]
    grads = jax.jit(lambda v: tuple(fn(v) for fn in fns))(x)
    truth, _ = accuracy.reference_gradient(function, x)
    out = {m: accuracy.errors(g, truth)["digits"] for m, g in zip(METHODS, grads, strict=True)}
    out["ceiling"] = central_ceiling(function, np.asarray(x), truth)
    return out


def margins(digits: dict[str, float]) -> dict[str, float]:
    """Return, per rule, the method's digits minus min(central, ceiling), and the raw ones."""
    held = min(digits["central"], digits["ceiling"])
    out = {method: digits[method] - held for method in RULES}
    out.update({f"{method}_raw": digits[method] - digits["central"] for method in RULES})
    return out


def measure(max_n: int) -> Iterator[dict[str, object]]:
    """Yield one row per suite point: identity, digits, ceiling and margins."""
    for function, n, dtype in suite_points(max_n):
        digits = point_digits(function, n, dtype)
        yield {"function": function, "n": n, "dtype": dtype, **digits, **margins(digits)}


def summary(rows: list[dict[str, object]]) -> tuple[list[str], bool]:
    """Return the printed lines (the least margin per rule and dtype, and where) and whether
    every rule held."""
    lines, ok = [], True
    for method, allowed in RULES.items():
        for dtype in ("float32", "float64"):
            mine = [r for r in rows if r["dtype"] == dtype]
            if not mine:
                continue
            worst = min(mine, key=lambda r: r[method])
            raw = min(r[f"{method}_raw"] for r in mine)
            held = worst[method] >= -allowed
            ok &= held
            lines.append(
                f"{method:<10} {dtype}: least margin {worst[method]:+.2f} (allowed -{allowed}) at "
                f"{worst['function']} n={worst['n']}; raw vs central {raw:+.2f}; "
                f"{len(mine)} points; {'ok' if held else 'FAILS'}"
            )
    return lines, ok


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=int, default=128, help="largest n measured")
    parser.add_argument("--csv", type=Path, help="write one row per point here")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "tests"))
    import conftest  # noqa: F401 - x64 and strict promotion, as in the tests

    rows = list(measure(args.max_n))
    lines, ok = summary(rows)
    print("\n".join(lines))
    if args.csv:
        import pandas as pd

        pd.DataFrame(rows).to_csv(args.csv, index=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
