"""Power of the paired gate, measured: planted regressions as real throwaway revisions.

The script clones the repository into a scratch folder, commits one revision per entry of
``gate_plants.REVISIONS`` on top of BASE (default: HEAD), and runs ``diffbench continuous BASE
REVISION`` on each ``--runs`` times, plus A/A runs (BASE against itself), in rotation (one run
of each scenario, then the next round), so whatever time the machine gives is spread evenly.
Plants that do not interact share one revision (``combined``: three plants on disjoint cases),
so one paired run tests each of them; ``gate_plants.score`` says which flagged unit finds
which plant and which is a false alarm. With ``--cost-runs N`` it also runs the ``combined``
and ``forward_retraces`` revisions with ``--no-timing`` N times each (the deterministic gate
alone).

Every run is appended to ``--out/runs.jsonl`` as it ends (scenario, exit code, seconds, the
load average before and after, the findings), so a partial measurement survives; ``--recount``
prints the tally from that file. Two streams can run at once on a 2-core machine if each is
pinned to its own core (``taskset -c 0 ...`` and ``taskset -c 1 ...``: the gate pins both
workers of a run to the last core the process may use) and writes to its own ``--out``.

Run (the gate's suite; a paired run took 78-143 s on the 2-core machine at load 10-20, a
cost-only one 81-123 s, one with a re-tracing method ~3-4 min; the figures of 2026-12-01 are
in ``benchmarks/results/gate_power_2026-12-01.md``):
    PYTHONPATH=$PWD python benchmarks/gate_power.py --runs 20 --cost-runs 20 \
        --out /tmp/gate-power > /tmp/gate-power.txt
    PYTHONPATH=$PWD python benchmarks/gate_power.py --recount --out /tmp/gate-power
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

from gate_plants import PLANTS, REVISIONS, score

ROOT = str(Path(__file__).resolve().parents[1])
_ENTRY = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); from diffbench.cli import main; "
    "sys.exit(main())"
)
"""Run the gate of this checkout (not the clone's copy) from inside the scratch clone."""
COST_ONLY = ("combined", "forward_retraces")


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo``; return stdout (raises on failure)."""
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def plant(clone: Path, base: str, name: str) -> str:
    """Commit revision ``name`` on top of ``base`` in ``clone``; return the commit."""
    git(clone, "checkout", "-q", "--detach", base)
    for file, anchor, replacement in REVISIONS[name]:
        path = clone / file
        text = path.read_text(encoding="utf-8")
        if text.count(anchor) != 1:
            raise SystemExit(f"{name}: the anchor in {file} is not found once; update the plant.")
        path.write_text(text.replace(anchor, replacement), encoding="utf-8")
    git(clone, "-c", "user.name=gate-power", "-c", "user.email=gate@power", "commit", "-qam",
        f"planted: {name}")  # fmt: skip
    return git(clone, "rev-parse", "HEAD")


def gate(clone: Path, base: str, head: str, out: Path, extra: list[str]) -> dict:
    """Run the paired gate once; return its comparison.json plus exit code, seconds, load."""
    before = set(out.glob("*"))
    env = dict(os.environ, PYTHONPATH=ROOT)
    load = os.getloadavg()[0]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _ENTRY, ROOT, "continuous", base, head, "--quiet", "--out",
         str(out), *extra], cwd=clone, env=env, capture_output=True, text=True,
    )  # fmt: skip
    meta = {"code": done.returncode, "seconds": time.perf_counter() - start,
            "load": [load, os.getloadavg()[0]]}  # fmt: skip
    made = sorted(set(out.glob("*")) - before)
    if not made or not (made[-1] / "comparison.json").exists():
        return {**meta, "error": done.stderr[-300:]}
    result = json.loads((made[-1] / "comparison.json").read_text())
    return {**result, **meta, "folder": str(made[-1])}


def main() -> None:
    """Plant, run in rotation, append each run to runs.jsonl, print the tally."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cost-runs", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "gate-power")
    parser.add_argument("--only", nargs="*", help="scenarios: aa and revisions (default: all)")
    parser.add_argument(
        "--recount", action="store_true", help="score again every comparison.json under --out"
    )
    args = parser.parse_args()
    log = args.out / "runs.jsonl"
    if args.recount:
        return print(tally(recount(args.out)))
    repo = Path(git(Path.cwd(), "rev-parse", "--show-toplevel"))
    clone = Path(tempfile.mkdtemp(prefix="gate-power-")) / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    base = git(clone, "rev-parse", git(repo, "rev-parse", args.base))
    scenarios = args.only or ["aa", *REVISIONS]
    heads = {name: base if name == "aa" else plant(clone, base, name) for name in scenarios}
    args.out.mkdir(parents=True, exist_ok=True)
    jobs = []
    for index in range(max(args.runs, args.cost_runs)):  # rotation: every scenario in turn
        jobs += [(n, []) for n in scenarios if index < args.runs]
        if index < args.cost_runs:
            jobs += [(n, ["--no-timing"]) for n in COST_ONLY if n in scenarios]
    records = []
    for name, extra in jobs:
        result = gate(clone, base, heads[name], args.out / name, extra)
        record = {"scenario": name, "cost_only": bool(extra), "head": heads[name],
                  **{k: result.get(k) for k in ("code", "seconds", "load", "folder", "error")},
                  **score(name, result)}  # fmt: skip
        records.append(record)
        with open(log, "a") as handle:
            handle.write(json.dumps(record) + "\n")
        print(time.strftime("%H:%M:%S"), tally(records), flush=True)


def recount(out: Path) -> list[dict]:
    """Records scored again from ``out/<scenario>/<run>/comparison.json`` (a cost-only run has
    0 rounds); seconds and load from the ``runs.jsonl`` files under ``out`` where they name
    the run's folder."""
    logged = {}
    for path in out.rglob("runs.jsonl"):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            logged[Path(record.get("folder") or "-").name] = record
    records = []
    for path in sorted(out.rglob("comparison.json"), key=lambda p: p.parent.name):
        result = json.loads(path.read_text())
        scenario = path.parent.parent.name
        meta = logged.get(path.parent.name, {})
        nan = float("nan")
        records.append({"scenario": scenario, "cost_only": not result["rounds"],
                        "code": 1 if result["failed"] else 0, "folder": str(path.parent),
                        "seconds": meta.get("seconds", nan), "load": meta.get("load", [nan]),
                        **score(scenario, result)})  # fmt: skip
    return records


def tally(records: list[dict]) -> str:
    """Per scenario and plant: runs, found by timing and by cost, false alarms, run seconds."""
    lines = []
    for cost_only in (False, True):
        for scenario in dict.fromkeys(r["scenario"] for r in records):
            rows = [r for r in records if r["scenario"] == scenario and r["cost_only"] == cost_only]
            done = [r for r in rows if r.get("folder")]
            if not rows:
                continue
            seconds = sorted(r["seconds"] for r in done if r["seconds"] == r["seconds"])
            seconds = seconds or [float("nan")]
            loads = [x for r in done for x in r["load"] if x == x] or [float("nan")]
            head = f"{scenario}{' (cost only)' if cost_only else ''}"
            false = sum(len(r["false"]) for r in done)
            lines.append(
                f"{head}: {len(done)} runs ({len(rows) - len(done)} failed), exit codes "
                f"{sorted({r['code'] for r in rows})}, runs with a false timing alarm "
                f"{sum(bool(r['false']) for r in done)}, false units {false}, "
                f"run {seconds[0]:.0f}-{seconds[len(seconds) // 2]:.0f}-{seconds[-1]:.0f} s "
                f"(min-median-max), load {min(loads):.1f}-{max(loads):.1f}"
            )
            for plant_name, (revision, _) in PLANTS.items():
                if revision == scenario:
                    timing = sum(r["timing"][plant_name] for r in done)
                    cost = sum(r["cost"][plant_name] for r in done)
                    kind = "" if cost_only else f"timing {timing}/{len(done)}, "
                    lines.append(f"  {plant_name}: {kind}cost {cost}/{len(done)}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
