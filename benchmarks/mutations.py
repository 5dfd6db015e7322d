"""Apply one-line mutations to a scratch copy of the tree and report which ones the tests catch.

Each mutation replaces one exact piece of source text (failing loudly if the text has moved),
then runs the tests that guard it in the scratch copy. A mutation is *caught* when pytest
fails. The working tree is never touched.

Usage (from the repository root):
    python benchmarks/mutations.py            # all mutations
    python benchmarks/mutations.py rastrigin  # the ones whose name contains "rastrigin"

Exit status: 0 when every selected mutation is caught, 1 when one is missed, 2 when a
mutation no longer applies (its source text changed: update the table below).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent


class Mutation(NamedTuple):
    name: str
    path: str
    before: str
    after: str
    tests: tuple[str, ...]


MUTATIONS = [
    Mutation(
        "rastrigin frequency 2 pi -> pi",
        "diffbench/functions/classic.py",
        "xp.cos(2 * xp.pi * x))",
        "xp.cos(xp.pi * x))",
        ("tests/test_published_values.py",),
    ),
    Mutation(
        "central default step eps^(1/3) -> sqrt(eps)",
        "diffbench/methods/finite_difference.py",
        "return stencil.step_scale * default_step(stencil.order, dtype)",
        "return stencil.step_scale * default_step(1, dtype)",
        ("tests/test_finite_difference.py",),
    ),
    Mutation(
        "errors() one digit too many",
        "diffbench/accuracy.py",
        '"digits": digits_from_error(rel_l2),',
        '"digits": digits_from_error(rel_l2 / 10),',
        ("tests/test_finite_difference.py",),
    ),
    Mutation(
        "timing blocks on the first result of a batch",
        "diffbench/harness/timing.py",
        "    for _ in range(batch - 1):\n        call(*args)\n"
        "    jax.block_until_ready(call(*args))",
        "    jax.block_until_ready(call(*args))\n"
        "    for _ in range(batch - 1):\n        call(*args)",
        ("tests/test_harness_timing.py::test_every_call_of_a_sample_has_run_when_its_timer_stops",),
    ),
    Mutation(
        "Benjamini-Hochberg removed",
        "diffbench/gate/compare/_timing.py",
        'stats["q_value"] = benjamini_hochberg(stats["p_value"].to_numpy(float))',
        'stats["q_value"] = stats["p_value"].to_numpy(float)',
        ("tests/test_gate_statistics.py",),
    ),
    Mutation(
        "bootstrap 99% interval is really 90%",
        "diffbench/gate/compare/_stats.py",
        "tail = 50.0 * (1.0 - confidence)",
        "tail = 500.0 * (1.0 - confidence)",
        ("tests/test_gate_statistics.py",),
    ),
    Mutation(
        "reverse mode scaled by (1 + 1e-9) from n = 100",
        "diffbench/methods/autodiff.py",
        "    return jax.grad(objective.jax_fn)\n",
        "    return (lambda x: jax.grad(objective.jax_fn)(x) * (1 + 1e-9)) if n >= 100 "
        "else jax.grad(objective.jax_fn)\n",
        (
            "tests/test_reference.py::test_reverse_ad_at_large_n_is_scored_against_an_independent_truth",
        ),
    ),
]


def scratch_copy(target: Path) -> Path:
    """Copy the tracked and untracked-but-not-ignored files of the tree into ``target``."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not name.startswith("results/"):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def run(mutation: Mutation, tree: Path) -> str:
    """Return ``caught`` or ``missed`` for one mutation applied to a fresh scratch copy."""
    path = tree / mutation.path
    original = path.read_text()
    if original.count(mutation.before) != 1:
        raise LookupError(f"{mutation.name}: the text to mutate is not in {mutation.path} once")
    path.write_text(original.replace(mutation.before, mutation.after))
    try:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
        result = subprocess.run(
            [*command, *mutation.tests], cwd=tree, env=env, capture_output=True, text=True
        )
    finally:
        path.write_text(original)
    return (
        "caught"
        if result.returncode == 1
        else ("missed" if result.returncode == 0 else f"error (pytest exit {result.returncode})")
    )


def main(argv: list[str]) -> int:
    """Run the selected mutations; print one line per mutation and a summary."""
    selected = [m for m in MUTATIONS if not argv or any(a in m.name for a in argv)]
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="diffbench-mutations-") as scratch:
        tree = scratch_copy(Path(scratch))
        for mutation in selected:
            try:
                outcome = run(mutation, tree)
            except LookupError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            outcomes.append(outcome)
            print(f"{outcome:8s} {mutation.name}  ({', '.join(mutation.tests)})", flush=True)
    missed = sum(o != "caught" for o in outcomes)
    print(f"{len(outcomes) - missed}/{len(outcomes)} caught")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
