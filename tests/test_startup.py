"""What ``import diffbench`` and a quick command cost: no heavy imports, no global JAX settings.

Each check runs in a fresh interpreter (this test process already imported JAX and turned x64 on
in conftest).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("jax", "jaxlib", "sympy", "pandas", "optax", "scipy", "mpmath", "matplotlib", "pyarrow")

PROBE = """
import json, sys
from diffbench.cli import main
HEAVY = sys.argv.pop(1).split(",")
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def _python(code: str, *argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("JAX_ENABLE_X64", None)
    return subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["list"], ["list", "--json"]])
def test_quick_commands_import_no_jax_sympy_or_pandas(argv):
    done = _python(PROBE, ",".join(HEAVY), *argv)
    probe = json.loads(done.stderr.strip().splitlines()[-1])
    assert probe == {"code": 0, "heavy": []}, done.stderr


X64 = """
import jax, numpy as np
before = jax.config.jax_enable_x64
import diffbench
for name in ("functions", "methods", "optimize", "harness", "accuracy", "report", "plugins"):
    getattr(diffbench, name)
g = diffbench.gradient("sphere", np.array([1.0, 2.0]), method="central")
res = diffbench.optimize.minimize("sphere", "adam", 3, x0=np.array([1.0, 2.0]), lr=0.1)
print(before, jax.config.jax_enable_x64, g.dtype, res.x_final.dtype, jax.numpy.ones(1).dtype)
"""


def test_import_diffbench_leaves_jax_enable_x64_alone_and_its_calls_use_float64():
    done = _python(X64)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False", "float64", "float64", "float32"]
