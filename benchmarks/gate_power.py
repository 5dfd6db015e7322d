"""Power of the paired gate, measured: planted regressions as real throwaway revisions.

The script clones the repository into a scratch folder, commits one revision per planted
regression on top of BASE (default: HEAD), and runs ``diffbench continuous BASE PLANT`` on each
``--runs`` times, plus A/A runs (BASE against itself), in rotation (one run of each scenario,
then the next round), so whatever time the machine gives is spread evenly. It prints, per
scenario, how many runs detected the plant (and through which kind of verdict), and writes
every run's ``comparison.json`` under ``--out``.

Planted (each a textual edit of BASE's source; the script stops if an anchor is missing):

- ``central_twice``: ``central`` evaluates its stencil twice (on ``x`` and on ``x``
  in a form XLA cannot prove equal, so it cannot merge the two);
- ``ackley_more``: ackley's definition gains a ``0 * mean(sin(c x))`` term: its value is
  unchanged, its gradient does more arithmetic (~30% more transcendental work);
- ``forward_retraces``: ``forward`` jits a fresh closure on every call (traces and compiles
  every call);
- ``one_case``: rosenbrock n=64 float32 ``central`` alone evaluates half its stencil again;
- ``forward_ad_more``: ``forward_ad`` evaluates ~20-25% more basis directions (ceil(n/5)).

Detection rules: a timing regression of a unit that contains the plant (timing), a
deterministic finding on a case of it (cost). A/A: any timing regression is a false alarm.
With ``--cost-runs N`` it also runs the central_twice and forward_retraces plants with
``--no-timing`` N times each (the deterministic gate alone).

Run (the gate's suite; ~40 s per paired run on the 2-core machine; under load, longer):
    PYTHONPATH=$PWD python benchmarks/gate_power.py --runs 20 --cost-runs 20 \
        --out /tmp/gate-power > /tmp/gate-power.txt
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OPAQUE = "(1 + 0 * {x}[0]) * {x}"
"""``x`` again, in a form XLA cannot prove equal to ``x`` (``0 * v`` is not folded for floats,
as ``v`` may be NaN), so work done on it is not merged with the same work on ``x``."""
AGAIN = OPAQUE.format(x="x")
FD = "diffbench/methods/finite_difference.py"
AD = "diffbench/methods/autodiff.py"
CLASSIC = "diffbench/functions/classic.py"
STENCIL_LINE = "        return lambda x: stencil_gradient(objective.jax_fn, x, stencil, h)\n"

PLANTS = {
    "central_twice": [
        (
            FD,
            STENCIL_LINE,
            '        if name == "central":  # planted: the stencil evaluated twice\n'
            "            return lambda x: 0.5 * (\n"
            "                stencil_gradient(objective.jax_fn, x, stencil, h)\n"
            f"                + stencil_gradient(objective.jax_fn, {AGAIN}, stencil, h)\n"
            "            )\n" + STENCIL_LINE,
        )
    ],
    "ackley_more": [
        (
            CLASSIC,
            "xp.exp(xp.mean(xp.cos(c * x))) + a + xp.e\n",
            "xp.exp(xp.mean(xp.cos(c * x))) + a + xp.e + 0.0 * xp.mean(xp.sin(c * x))\n",
        )
    ],
    "forward_retraces": [
        (
            FD,
            STENCIL_LINE,
            '        if name == "forward":  # planted: a fresh jit (trace + compile) per call\n'
            "            return lambda x: jax.jit(\n"
            "                lambda y: stencil_gradient(objective.jax_fn, y, stencil, h)\n"
            "            )(x)\n" + STENCIL_LINE,
        ),
        (
            FD,
            '        defaults={"step": None},\n        description=_DESCRIPTIONS[name],',
            '        defaults={"step": None},\n        jittable=name != "forward",\n'
            "        description=_DESCRIPTIONS[name],",
        ),
    ],
    "one_case": [
        (
            FD,
            STENCIL_LINE,
            '        tf = getattr(objective, "definition", None)\n'
            '        if (name, n, np.dtype(dtype), getattr(tf, "name", "")) == (\n'
            '            "central", 64, np.dtype("float32"), "rosenbrock"\n'
            "        ):  # planted: this one case evaluates half its stencil again\n"
            "            half = Stencil((1.0,), (1.0,), 1)\n"
            "            return lambda x: stencil_gradient(\n"
            "                objective.jax_fn, x, stencil, h\n"
            f"            ) + 0.0 * stencil_gradient(objective.jax_fn, {AGAIN}, half, h)\n"
            + STENCIL_LINE,
        )
    ],
    "forward_ad_more": [
        (
            AD,
            "    return lambda x: forward_mode_gradient(objective.jax_fn, x)\n",
            "    extra = -(-n // 5)  # planted: ceil(n/5) more basis directions\n\n"
            "    def grad(x):\n"
            "        g = forward_mode_gradient(objective.jax_fn, x)\n"
            f"        xb = {AGAIN}\n"
            "        basis = jax.numpy.eye(n, dtype=x.dtype)[:extra]\n"
            "        more = jax.vmap(lambda v: jax.jvp(objective.jax_fn, (xb,), (v,))[1])(basis)\n"
            "        return g + 0.0 * more.sum()\n\n"
            "    return grad\n",
        )
    ],
}
"""Scenario -> [(file, anchor text, replacement)]."""

ROOT = str(Path(__file__).resolve().parents[1])
_ENTRY = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); from diffbench.cli import main; "
    "sys.exit(main())"
)
"""Run the gate of this checkout (not the clone's copy) from inside the scratch clone."""

TARGETS = {
    "central_twice": lambda unit: unit.endswith("central") or unit == "central",
    "ackley_more": lambda unit: "ackley" in unit,
    "forward_retraces": lambda unit: unit.endswith(" forward") or unit == "forward",
    "one_case": lambda unit: (
        unit
        in ("rosenbrock n=64 float32 cpu central", "rosenbrock n<=256 float32 central", "central")
    ),
    "forward_ad_more": lambda unit: unit.endswith("forward_ad"),
}
"""Scenario -> which verdict units count as having found the plant."""


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo``; return stdout (raises on failure)."""
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def plant(clone: Path, base: str, name: str) -> str:
    """Commit scenario ``name`` on top of ``base`` in ``clone``; return the commit."""
    git(clone, "checkout", "-q", "--detach", base)
    for file, anchor, replacement in PLANTS[name]:
        path = clone / file
        text = path.read_text(encoding="utf-8")
        if text.count(anchor) != 1:
            raise SystemExit(f"{name}: the anchor in {file} is not found once; update the plant.")
        path.write_text(text.replace(anchor, replacement), encoding="utf-8")
    git(clone, "-c", "user.name=gate-power", "-c", "user.email=gate@power", "commit", "-qam",
        f"planted: {name}")  # fmt: skip
    return git(clone, "rev-parse", "HEAD")


def gate(clone: Path, base: str, head: str, out: Path, extra: list[str]) -> dict:
    """Run the paired gate once; return its comparison.json plus its exit code and seconds."""
    before = set(out.glob("*"))
    env = dict(os.environ, PYTHONPATH=ROOT)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _ENTRY, ROOT, "continuous", base, head, "--quiet", "--out",
         str(out), *extra], cwd=clone, env=env, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    made = sorted(set(out.glob("*")) - before)
    if not made or not (made[-1] / "comparison.json").exists():
        return {"code": done.returncode, "seconds": seconds, "error": done.stderr[-300:]}
    result = json.loads((made[-1] / "comparison.json").read_text())
    return {**result, "code": done.returncode, "seconds": seconds}


def found(name: str, result: dict) -> tuple[bool, bool, bool]:
    """(timing found the plant, cost found it, any timing false alarm elsewhere)."""
    bad = [v["unit"] for v in result.get("timing", []) if v["verdict"] == "regressed"]
    if name == "aa":
        return False, False, bool(bad)
    hit = TARGETS[name]
    timing = any(hit(u) for u in bad)
    cost = any(hit(f["case"]) or hit(f["case"].rsplit(" ", 1)[0]) for f in result.get("cost", []))
    return timing, cost, any(not hit(u) for u in bad)


def main() -> None:
    """Plant, run in rotation, print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cost-runs", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "gate-power")
    parser.add_argument("--only", nargs="*", help="scenarios (default: all and aa)")
    parser.add_argument(
        "--recount", action="store_true", help="count the comparison.json files under --out"
    )
    args = parser.parse_args()
    if args.recount:
        return recount(args.out)
    repo = Path(git(Path.cwd(), "rev-parse", "--show-toplevel"))
    scratch = Path(tempfile.mkdtemp(prefix="gate-power-"))
    clone = scratch / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    base = git(clone, "rev-parse", git(repo, "rev-parse", args.base))
    scenarios = args.only or ["aa", *PLANTS]
    heads = {name: base if name == "aa" else plant(clone, base, name) for name in scenarios}
    tally = {name: {"runs": 0, "timing": 0, "cost": 0, "false": 0, "s": []} for name in scenarios}
    log = args.out / "runs.jsonl"
    args.out.mkdir(parents=True, exist_ok=True)
    cost = [n for n in ("central_twice", "forward_retraces") if n in scenarios]
    jobs = []
    for index in range(max(args.runs, args.cost_runs)):  # rotation: every scenario in turn
        jobs += [(n, []) for n in scenarios if index < args.runs]
        jobs += [(n, ["--no-timing"]) for n in cost if index < args.cost_runs]
    for name, extra in jobs:
        result = gate(clone, base, heads[name], args.out / name, extra)
        timing, cost, false = found(name, result)
        key = name if not extra else f"{name} (cost only)"
        row = tally.setdefault(key, {"runs": 0, "timing": 0, "cost": 0, "false": 0, "s": []})
        row["runs"] += 1
        row["timing"] += timing
        row["cost"] += cost
        row["false"] += false
        row["s"].append(result["seconds"])
        with open(log, "a") as handle:
            handle.write(json.dumps({"scenario": key, "timing": timing, "cost": cost,
                                     "false": false, "code": result["code"],
                                     "seconds": result["seconds"],
                                     "units": _effects(name, result)}) + "\n")  # fmt: skip
        _print(tally)


def recount(out: Path) -> None:
    """Print the counts from the runs' comparison.json files (cost-only runs: 0 rounds)."""
    tally: dict = {}
    for path in sorted(out.glob("*/*/comparison.json")):
        name = path.parent.parent.name
        result = json.loads(path.read_text())
        key = name if result["rounds"] else f"{name} (cost only)"
        timing, cost, false = found(name, result)
        row = tally.setdefault(key, {"runs": 0, "timing": 0, "cost": 0, "false": 0, "s": [0.0]})
        row["runs"] += 1
        row["timing"] += timing
        row["cost"] += cost
        row["false"] += false
    _print(tally)


def _effects(name: str, result: dict) -> list:
    if name == "aa":
        return []
    return [
        (v["level"], v["unit"], round(v["ratio"], 3), v["verdict"])
        for v in result.get("timing", [])
        if TARGETS[name](v["unit"]) and v["level"] in ("case", "method", "function", "group")
    ][:6]


def _print(tally: dict) -> None:
    print(time.strftime("%H:%M:%S"), flush=True)
    for name, row in tally.items():
        if row["runs"]:
            median_s = sorted(row["s"])[len(row["s"]) // 2]
            print(
                f"  {name:28s} runs {row['runs']:2d}  timing found {row['timing']:2d}  "
                f"cost found {row['cost']:2d}  false timing alarms {row['false']:2d}  "
                f"median run {median_s:.0f} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
