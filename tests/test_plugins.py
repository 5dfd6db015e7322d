"""Plugins: registering functions, methods and optimizers, loading them, and failing politely."""

import json
import textwrap

import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import rosen_der

import diffbench
from diffbench import plugins
from diffbench.cli import main


@pytest.fixture(autouse=True)
def fresh_plugin_state(monkeypatch):
    """Each test sees no plugin loaded or failed; what it registers is gone afterwards.

    (Later test modules run suites with ``methods = ["*"]``: a plugin method left behind
    would join them.)
    """
    from diffbench.functions import _registry
    from diffbench.optimize import _optimizers

    for name in ("_loaded", "_failures", "_origin"):
        monkeypatch.setattr(plugins, name, {})
    tables = [
        _registry._REGISTRY,
        _optimizers._OPTIMIZERS,
        *diffbench.methods._TABLES.values(),
    ]
    saved = [dict(table) for table in tables]
    yield
    for table, before in zip(tables, saved, strict=True):
        table.clear()
        table.update(before)


@pytest.fixture
def plugin_dir(tmp_path, monkeypatch):
    """A folder on sys.path; ``write(name, source)`` adds a module to it."""
    monkeypatch.syspath_prepend(str(tmp_path))

    def write(name, source):
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
        return name

    return write


def test_a_plugin_method_and_function_agree_with_independent_truths(plugin_dir):
    name = plugin_dir(
        "plug_good",
        """
        import jax, diffbench
        diffbench.register("method", "plug_grad", lambda f: jax.grad(f), kind="exact",
                           description="jax.grad as a plugin", replace=True)
        diffbench.register("function", name="plug_cubic", fn=lambda xp, x: xp.sum(x**3),
                           replace=True)
        """,
    )
    assert plugins.load(name)
    x = jnp.array([0.3, -1.2, 2.0, 0.7], dtype=jnp.float64)
    got = diffbench.gradient("rosenbrock", x, method="plug_grad")
    np.testing.assert_allclose(got, rosen_der(np.asarray(x)), rtol=1e-13)
    cubic = diffbench.gradient("plug_cubic", x, method="central")
    np.testing.assert_allclose(cubic, 3 * np.asarray(x) ** 2, rtol=1e-8)
    assert plugins.origin("method", "plug_grad") == name
    assert plugins.origin("function", "plug_cubic") == name


def test_module_attribute_registers_a_record_or_calls_a_hook(plugin_dir):
    name = plugin_dir(
        "plug_attrs",
        """
        import diffbench
        QUAD = diffbench.functions.TestFunction("plug_quad", lambda xp, x: xp.sum(2.0 * x**2))
        CALLED = []
        def hook():
            CALLED.append(True)
        """,
    )
    assert plugins.load(f"{name}:QUAD")
    assert plugins.load(f"{name}:hook")
    assert __import__(name).CALLED == [True]
    g = diffbench.gradient("plug_quad", jnp.array([1.0, -3.0], dtype=jnp.float64))
    assert g.tolist() == [4.0, -12.0]


def test_an_optimizer_factory_runs_an_optax_chain():
    import optax

    plugins.register_optimizer(
        "plug_clipped_sgd",
        lambda lr: optax.chain(optax.clip_by_global_norm(1.0), optax.sgd(lr)),
        replace=True,
    )
    x0 = np.array([3.0, 4.0])  # |grad sphere| = 10: every step is clipped to length lr
    res = diffbench.optimize.minimize("sphere", "plug_clipped_sgd", 2, x0=x0, lr=0.5)
    np.testing.assert_allclose(np.asarray(res.x_final).ravel(), x0 * (1 - 2 * 0.5 / 5.0))


def test_a_jax_only_function_is_scored_against_float64_reverse_mode():
    diffbench.register(
        "function",
        name="plug_logsumexp",
        jax_fn=lambda x: jnp.log(jnp.sum(jnp.exp(x))),
        replace=True,
    )
    x = np.array([0.1, -0.4, 1.3])
    truth, name = diffbench.accuracy.reference_gradient("plug_logsumexp", x)
    assert name == "reverse_ad_f64"
    np.testing.assert_allclose(truth, np.exp(x) / np.exp(x).sum(), rtol=1e-14)  # softmax
    with pytest.raises(diffbench.Skipped, match="jax.numpy only"):
        diffbench.gradient("plug_logsumexp", x, method="symbolic")


def test_a_complex_method_skips_non_analytic_functions_and_kinds_are_checked():
    plugins.register_method(
        "plug_complex_step",
        lambda f: lambda x: diffbench.methods.finite_difference.complex_step_gradient(f, x, 1e-20),
        kind="finite_difference",
        order=2,
        needs_complex=True,
        replace=True,
    )
    x = np.array([0.5, -1.5])
    with pytest.raises(diffbench.Skipped, match="relu is not"):
        diffbench.gradient("relu", x, method="plug_complex_step")
    np.testing.assert_allclose(diffbench.gradient("sphere", x, method="plug_complex_step"), 2 * x)
    with pytest.raises(diffbench.DiffbenchError, match="kind must be exact or finite_difference"):
        plugins.register_method("plug_bad_kind", lambda f: f, kind="magic")
    with pytest.raises(diffbench.DiffbenchError, match="factory of the learning rate"):
        import optax

        plugins.register_optimizer("plug_ready", optax.adam(0.1))


def test_an_import_error_is_recorded_with_the_plugin_name(plugin_dir):
    name = plugin_dir("plug_broken", "import no_such_module_anywhere\n")
    assert not plugins.load(name)
    assert plugins.failures() == {
        name: "ModuleNotFoundError: No module named 'no_such_module_anywhere'"
    }


def test_list_with_a_failing_plugin_lists_the_rest_and_exits_2(plugin_dir, capsys):
    name = plugin_dir("plug_broken_list", "raise RuntimeError('boom')\n")
    assert main(["list", "optimizers", "--plugin", name]) == 2
    out, err = capsys.readouterr()
    assert "adam" in out
    assert err.strip() == f"diffbench: error: plugin `{name}`: RuntimeError: boom"


def test_list_has_headers_json_hessians_and_extras(capsys):
    assert main(["list", "methods", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["methods"]
    by_name = {(r["name"], r["derivative"]): r for r in rows}
    assert ("forward_over_reverse", "hessian") in by_name
    assert by_name[("central", "gradient")]["order"] == 2
    for peer in diffbench.methods.peers.ALL_PEER_NAMES:
        installed = peer in diffbench.methods.names()
        assert by_name[(peer, "gradient")]["needs"] == ("" if installed else "peers")
    assert main(["list", "optimizers"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "DEFAULT_LR", "DESCRIPTION"]
    assert "Adam (Kingma & Ba 2015)" in "\n".join(lines)


SUITE = """
[suite]
dtypes = ["float64"]
plugins = ["plug_missing", "plug_raises", "plug_shape"]

[timing]
budget_s = 0.001
sample_s = 0.0005
min_repeats = 1
max_repeats = 2
warmup = 1

[[gradients]]
functions = ["sphere", "plug_raising", "plug_from_missing"]
dims = [2]
methods = ["central", "reverse_ad", "plug_bad_shape"]
"""


def test_bad_plugins_are_one_line_each_exit_2_and_the_other_cases_run(plugin_dir, tmp_path, capsys):
    plugin_dir("plug_missing", "import no_such_module_either\n")
    plugin_dir(
        "plug_raises",
        """
        import diffbench
        def broken(xp, x):
            raise ValueError("model not fitted")
        diffbench.register("function", name="plug_raising", fn=broken, replace=True)
        """,
    )
    plugin_dir(
        "plug_shape",
        """
        import diffbench, jax.numpy as jnp
        diffbench.register("method", "plug_bad_shape", lambda f: lambda x: jnp.sum(x)[None],
                           kind="exact", replace=True)
        """,
    )
    suite = tmp_path / "plugged.toml"
    suite.write_text(SUITE)
    code = main(["run", str(suite), "--out", str(tmp_path / "runs"), "--quiet", "--no-report"])
    out, err = capsys.readouterr()
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 3
    assert [line.split("`")[1] for line in lines] == ["plug_missing", "plug_raises", "plug_shape"]
    assert "ValueError: model not fitted" in lines[1]
    assert "returned shape (1,) for x of shape (2,); expected (2,)" in lines[2]
    rows = pd.read_parquet(next((tmp_path / "runs").rglob("gradients.parquet")))
    status = rows.set_index(["function", "method"])["status"].to_dict()
    assert status == {
        ("sphere", "central"): "ok",
        ("sphere", "reverse_ad"): "ok",
        ("sphere", "plug_bad_shape"): "error",
        ("plug_raising", "central"): "error",
        ("plug_raising", "reverse_ad"): "error",
        ("plug_raising", "plug_bad_shape"): "error",
    }
    good = rows[(rows.function == "sphere") & (rows.method == "central")].iloc[0]
    assert good.digits > 8 and good.reference == "mpmath34"


def test_run_filters_select_cases(tmp_path, capsys):
    argv = ["run", "smoke", "-f", "sph*", "-m", "central", "--dims", "2", "--dtype", "float64"]
    assert main([*argv, "--out", str(tmp_path), "--quiet", "--no-report"]) == 0
    rows = pd.read_parquet(next(tmp_path.rglob("gradients.parquet")))
    assert rows[["function", "n", "dtype", "method"]].values.tolist() == [
        ["sphere", 2, "float64", "central"]
    ]
    assert (
        not list(tmp_path.rglob("runs.parquet"))
        or pd.read_parquet(next(tmp_path.rglob("runs.parquet"))).empty
    )
