"""Sharded runs and gradients on four forced CPU devices equal the unsharded calls.

XLA reads ``--xla_force_host_platform_device_count`` when JAX starts, so the sharded calls run
in one child process (``_CHILD``) that computes each case both ways and saves the arrays; the
tests compare them here. The unsharded call (``devices=1``) is the truth: the same runs with
the same seeds on one device.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import diffbench
from diffbench import optimize

ROOT = Path(__file__).resolve().parents[1]

_CHILD = textwrap.dedent(
    """
    import sys
    import numpy as np
    import jax
    from diffbench import optimize

    assert len(jax.devices()) == 4, jax.devices()
    out = {}
    CASES = {
        # 6 runs on 4 devices: padded to 8, trimmed back
        "budget": ("rosenbrock", "adam", 200, dict(starts=3, n=3, lr=[1e-3, 3e-3])),
        # tolerance loop: 10 runs (padded to 12) stop at different steps, the loop ends when
        # the last one does; a padding run that never stopped would keep it going to 400
        "tolerance": ("rosenbrock", "momentum", 400, dict(
            x0=[[-1.2, 1], [0.3, 0.1], [0.5, 0.5], [1.5, 2], [-0.5, 0.5]], lr=[1e-3, 2e-3],
            tol=1.0)),
        # minibatch SGD: each run's PRNG key drives its batches
        "minibatch": ("logistic_regression", "sgd", 60, dict(starts=3, lr=[1e-2, 1e-1],
                                                              batch=8, seeds=[0, 1, 2])),
    }
    for name, (f, opt, steps, kw) in CASES.items():
        both = (("one", 1), ("four", 4), ("default", None))[: 3 if name == "budget" else 2]
        for label, devices in both:
            res = optimize.minimize(f, opt, steps, devices=devices, **kw)
            for field in ("x_final", "f_final", "trace", "hit_step", "stopped_at", "evals"):
                out[f"{name}/{label}/{field}"] = np.asarray(getattr(res, field))
            out[f"{name}/{label}/devices"] = np.asarray(res.devices)
            out[f"{name}/{label}/steps_done"] = np.asarray(res.steps_done)
    from diffbench.distributed import sharded_gradient

    x = np.linspace(-1.5, 1.5, 64)
    for method in ("reverse_ad", "central"):
        for devices in (1, 4):
            g = sharded_gradient("rosenbrock", 64, "float64", method, devices)(x)
            out[f"grad/{method}/{devices}"] = np.asarray(g)
            out[f"grad/{method}/{devices}/shard"] = np.asarray(
                [s.data.shape[0] for s in g.addressable_shards])
    np.savez(sys.argv[1], **out)
    """
)


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    """The child's arrays: ``{case}/{one|four|default}/{field}``."""
    path = tmp_path_factory.mktemp("sharded") / "out.npz"
    env = {
        **os.environ,
        "XLA_FLAGS": "--xla_force_host_platform_device_count=4",
        "PYTHONPATH": str(ROOT),
        "JAX_PLATFORMS": "cpu",
    }
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    with np.load(path) as data:
        return dict(data)


@pytest.mark.parametrize(
    "case, label",
    [("budget", "four"), ("budget", "default"), ("tolerance", "four"), ("minibatch", "four")],
)
def test_sharded_runs_equal_unsharded(sharded: dict, case: str, label: str) -> None:
    one = {k.split("/")[2]: v for k, v in sharded.items() if k.startswith(f"{case}/one/")}
    got = {k.split("/")[2]: v for k, v in sharded.items() if k.startswith(f"{case}/{label}/")}
    assert int(one["devices"]) == 1 and int(got["devices"]) == 4
    for field in ("x_final", "f_final", "trace"):
        assert got[field].shape == one[field].shape, field
        np.testing.assert_allclose(got[field], one[field], rtol=0, atol=1e-12, err_msg=field)
    for field in ("hit_step", "stopped_at", "evals", "steps_done"):
        np.testing.assert_array_equal(got[field], one[field], err_msg=field)


def test_tolerance_case_really_stops_early(sharded: dict) -> None:
    """The tolerance case exercises frozen runs and the loop's early exit."""
    stopped_at = sharded["tolerance/four/stopped_at"]
    assert (stopped_at >= 0).all() and len(set(stopped_at.tolist())) > 5
    assert int(sharded["tolerance/four/steps_done"]) < 400


def test_sharded_reverse_ad_equals_unsharded(sharded: dict) -> None:
    """x and the gradient are split 4 x 16; the values are the one-device gradient's."""
    one, four = sharded["grad/reverse_ad/1"], sharded["grad/reverse_ad/4"]
    np.testing.assert_array_equal(sharded["grad/reverse_ad/4/shard"], [16] * 4)
    np.testing.assert_allclose(four, one, rtol=1e-12, atol=0)
    x = np.linspace(-1.5, 1.5, 64)
    np.testing.assert_allclose(one, rosen_der_truth(x), rtol=1e-12)


def rosen_der_truth(x: np.ndarray) -> np.ndarray:
    """SciPy's closed-form rosenbrock gradient: the independent truth."""
    from scipy.optimize import rosen_der

    return rosen_der(x)


def test_sharded_central_difference_within_its_rounding(sharded: dict) -> None:
    """Each device evaluates its 16 directions; f at the shifted points may round in another
    order (another vmap batch size), so the two agree to the stencil's rounding error,
    ``eps |f| / h``, not bit for bit."""
    from scipy.optimize import rosen

    one, four = sharded["grad/central/1"], sharded["grad/central/4"]
    x = np.linspace(-1.5, 1.5, 64)
    h = np.finfo(np.float64).eps ** (1 / 3) * np.maximum(1.0, np.abs(x))
    rounding = 8 * np.finfo(np.float64).eps * rosen(x) / h
    assert np.all(np.abs(four - one) <= rounding)
    np.testing.assert_allclose(four, rosen_der_truth(x), rtol=1e-6)


def test_bandwidth_per_device() -> None:
    from diffbench.distributed import bandwidth

    got = bandwidth("reverse_ad", 1000, 8, 4, 1e-3)
    assert got == {
        "min_bytes": 16000.0,
        "bytes_per_device": 4000.0,
        "gb_per_s": 16000.0 / 1e-3 / 1e9,
        "gb_per_s_per_device": 4000.0 / 1e-3 / 1e9,
    }
    assert bandwidth("central", 1000, 8, 4, 1e-3)["bytes_per_device"] == (1000 + 250) * 8


def test_sharded_gradient_needs_n_a_multiple_of_devices() -> None:
    from diffbench.distributed import sharded_gradient

    with pytest.raises(diffbench.DiffbenchError, match="unknown|takes"):
        sharded_gradient("rosenbrock", 8, method="adjoint", devices=1)


def test_devices_beyond_this_process_is_one_line_error() -> None:
    import jax

    have = len(jax.local_devices(backend="cpu"))
    for bad in (0, have + 1, "all", [object()]):
        with pytest.raises(diffbench.DiffbenchError, match="devices"):
            optimize.minimize("sphere", "sgd", 2, n=2, lr=0.1, devices=bad)


def test_devices_column_in_runs_table() -> None:
    res = optimize.minimize("sphere", "sgd", 2, n=2, lr=0.1, devices=1)
    table = res.table()
    assert (table["devices"] == 1).all() and (table["processes"] == 1).all()
