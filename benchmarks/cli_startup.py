"""Print how long the quick commands take to answer, against ``python -c pass`` in the same run.

Each round starts, in a shuffled order, one fresh interpreter per command: ``python -c pass``
(the floor any command pays), ``diffbench --help``, ``--version``, ``list`` and, for scale,
``python -c "import jax"`` (what every command paid before imports were lazy). A sample is
the wall time from ``subprocess.run`` to exit; the table gives the median over rounds, the
interquartile range and the ratio to ``python -c pass``. Target (issue 12): ``--help`` under
0.5 s.

Run: ``python benchmarks/cli_startup.py [--rounds 15]`` from the repository root (about
30 s on a 2-core machine). Commands use this checkout (``PYTHONPATH``), not an installed copy.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "diffbench --help": ["-m", "diffbench", "--help"],
    "diffbench --version": ["-m", "diffbench", "--version"],
    "diffbench list": ["-m", "diffbench", "list"],
    "python -c 'import jax'": ["-c", "import jax"],
}


def wall_seconds(argv: list[str], env: dict[str, str]) -> float:
    """Return the seconds from starting ``python argv`` to its exit (output discarded)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, *argv], env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def measure(rounds: int) -> dict[str, list[float]]:
    """Return the samples (seconds) of every command, interleaved in shuffled rounds."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for argv in COMMANDS.values():  # warm the file cache once, untimed
        wall_seconds(argv, env)
    rng = random.Random(0)
    for _ in range(rounds):
        order = list(COMMANDS)
        rng.shuffle(order)
        for name in order:
            samples[name].append(wall_seconds(COMMANDS[name], env))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    samples = measure(args.rounds)
    anchor = statistics.median(samples["python -c pass"])
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"{'command':<26} {'median_s':>9} {'iqr_s':>7} {'x python -c pass':>17}")
    for name, values in samples.items():
        q1, _, q3 = statistics.quantiles(values, n=4)
        median = statistics.median(values)
        print(f"{name:<26} {median:9.3f} {q3 - q1:7.3f} {median / anchor:17.1f}")


if __name__ == "__main__":
    main()
