"""``diffbench compare``: planted regressions are caught, unchanged reruns are not flagged."""

import json

import numpy as np
import pandas as pd
import pytest
from _synthetic import write_result_set

from diffbench.gate.compare import compare, main_compare


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    root = tmp_path_factory.mktemp("sets")
    return {
        "base": write_result_set(root / "base", seed=1),
        "rerun": write_result_set(root / "rerun", seed=2),
        "slow": write_result_set(root / "slow", seed=3, slowdown={"central": 1.3}),
    }


def _edit(folder, table, where, **changes):
    """Rewrite ``table`` in ``folder`` with ``changes`` applied to the rows ``where`` selects."""
    path = folder / f"{table}.parquet"
    frame = pd.read_parquet(path)
    mask = where(frame)
    for column, value in changes.items():
        frame.loc[mask, column] = value(frame.loc[mask, column]) if callable(value) else value
    frame.to_parquet(path)
    return int(mask.sum())


def _copy(src, dst):
    dst.mkdir()
    for path in src.iterdir():
        (dst / path.name).write_bytes(path.read_bytes())
    return dst


def test_planted_30_percent_slowdown_exits_1(sets, capsys):
    assert main_compare([str(sets["base"]), str(sets["slow"])]) == 1
    out = capsys.readouterr().out
    assert "regressions found" in out and "central" in out
    result = compare([sets["base"]], [sets["slow"]])
    regressed = result.rows[result.rows.verdict == "regressed"]
    assert set(regressed["method"]) == {"central"}
    assert (regressed["kinds"] == "timing").all()
    central = result.rows[(result.rows.method == "central") & (result.rows.table == "gradients")]
    assert (central["verdict"] == "regressed").all()  # every central row, all 48
    assert (central["ci_low"] > 1.1).all()
    assert 1.2 < central["ratio"].median() < 1.4  # 1.3 times the two sessions' load ratio


def test_unchanged_reruns_give_no_timing_regressions(tmp_path, sets):
    for seed in range(10, 15):  # five reruns of the unchanged tree
        rerun = write_result_set(tmp_path / f"rerun{seed}", seed=seed, extras=False)
        result = compare([sets["base"]], [rerun])
        assert result.counts()["regressed"] == 0, result.regressions()


def test_noise_floor_absorbs_a_noisy_shared_machine(tmp_path, sets, capsys):
    """Every row of the rerun moved by its own session factor (sigma 30%): not regressions."""
    noisy = _copy(sets["rerun"], tmp_path / "noisy")
    path = noisy / "gradients.parquet"
    frame = pd.read_parquet(path)
    factors = np.exp(np.random.default_rng(0).normal(0.0, 0.3, len(frame)))
    frame["samples"] = [
        None if s is None else s * f for s, f in zip(frame["samples"], factors, strict=True)
    ]
    frame["time_median_s"] *= factors
    frame.to_parquet(path)
    plain = compare([sets["base"]], [noisy], noise_floor=False, corroborate=False)
    assert plain.counts()["regressed"] > 20
    assert compare([sets["base"]], [noisy], corroborate=False).counts()["regressed"] == 0
    # Independent per-row shifts leave every method's median in place: corroboration alone
    # absorbs them too.
    assert compare([sets["base"]], [noisy], noise_floor=False).counts()["regressed"] == 0
    result = compare([sets["base"]], [noisy])
    assert result.counts()["regressed"] == 0
    assert result.effective_threshold > 0.5 and 0.2 < result.noise_sigma < 0.4
    assert main_compare([str(sets["base"]), str(noisy)]) == 0
    assert "was raised to" in capsys.readouterr().out


def test_a_single_case_shift_is_a_note_unless_its_method_moved(tmp_path, sets):
    lone = _copy(sets["rerun"], tmp_path / "lone")
    first = pd.read_parquet(lone / "gradients.parquet").iloc[0]
    _edit(
        lone,
        "gradients",
        lambda f: (
            (f["function"] == first["function"])
            & (f["n"] == first["n"])
            & (f["dtype"] == first["dtype"])
            & (f["method"] == first["method"])
        ),
        samples=lambda s: s.map(lambda v: v * 3.0),
        time_median_s=lambda t: t * 3.0,
    )
    result = compare([sets["base"]], [lone])
    assert result.counts()["regressed"] == 0
    row = result.rows[result.rows.reasons.str.contains("single-case shift", na=False)]
    assert len(row) == 1 and row.iloc[0]["method"] == first["method"]


def test_with_several_sessions_a_slowdown_must_show_in_every_pair(tmp_path):
    """A load burst in one NEW session is not a regression; a slowdown in both is."""
    for k in (1, 2):
        write_result_set(tmp_path / "base" / "m" / f"s{k}", seed=k, extras=False)
        write_result_set(tmp_path / "burst" / "m" / f"s{k}", seed=10 + k, extras=False,
                         slowdown={"central": 2.0} if k == 1 else None)  # fmt: skip
        write_result_set(tmp_path / "slow" / "m" / f"s{k}", seed=20 + k, extras=False,
                         slowdown={"central": 1.3})  # fmt: skip
    burst = compare([tmp_path / "base"], [tmp_path / "burst"])
    assert len(burst.base_labels) == len(burst.new_labels) == 2
    assert burst.counts()["regressed"] == 0
    central = burst.rows[burst.rows["method"] == "central"]
    assert (central["ratio"] > 1.3).all()  # pooled: the burst shows ...
    assert central["reasons"].str.contains("not significant|not in all 4 session pairs").all()
    slow = compare([tmp_path / "base"], [tmp_path / "slow"])
    assert set(slow.regressions()["method"]) == {"central"}
    assert slow.counts()["regressed"] >= 40


def test_timing_only_fails_when_asked(sets, capsys):
    args = [str(sets["base"]), str(sets["slow"]), "--fail-on", "accuracy,status"]
    assert main_compare(args) == 0
    out = capsys.readouterr().out
    assert "48 regressed" in out and "🟠" in out  # reported, not failing


def test_accuracy_loss_of_more_than_one_digit_regresses(tmp_path, sets):
    new = _copy(sets["rerun"], tmp_path / "new")
    lost = _edit(
        new, "gradients", lambda f: f.method.eq("central4") & f.n.eq(8), digits=lambda d: d - 1.5
    )
    small = _edit(
        new, "gradients", lambda f: f.method.eq("central") & f.n.eq(8), digits=lambda d: d - 0.6
    )
    assert lost == small == 12
    result = compare([sets["base"]], [new])
    bad = result.regressions(("accuracy",))
    assert len(bad) == 12 and set(bad["method"]) == {"central4"}
    assert main_compare([str(sets["base"]), str(new), "--fail-on", "accuracy"]) == 1


def test_status_change_and_new_and_missing(tmp_path, sets):
    new = _copy(sets["rerun"], tmp_path / "new")
    _edit(new, "gradients", lambda f: f.method.eq("reverse_ad") & f.n.eq(2), status="error")
    path = new / "gradients.parquet"
    frame = pd.read_parquet(path)
    frame.loc[frame.method.eq("forward"), "method"] = "forward_fd"
    frame.to_parquet(path)
    result = compare([sets["base"]], [new], allow_missing=True)
    counts = result.counts()
    assert counts["new"] == counts["missing"] == 48
    status = result.regressions(("status",))
    assert len(status) == 12 and (status["status_new"] == "error").all()
    assert "status ok -> error" in status["reasons"].iloc[0]
    strict = compare([sets["base"]], [new]).regressions(("status",))  # missing rows count
    assert len(strict) == 12 + 48
    assert set(strict[strict.verdict == "missing"]["method"]) == {"forward"}
    assert main_compare([str(sets["base"]), str(new), "--fail-on", "status"]) == 1


def test_runs_lost_targets_and_divergence_regress(tmp_path, sets):
    new = _copy(sets["rerun"], tmp_path / "new")
    adam = lambda f: f.optimizer.eq("adam") & f.function.eq("sphere") & f.start.eq(0)  # noqa: E731
    _edit(new, "runs", lambda f: adam(f) & f.f_target.lt(1e-3), hit_target=False)
    _edit(new, "runs", lambda f: f.optimizer.eq("sgd") & f.start.eq(2) & f.n.eq(10), diverged=True)
    result = compare([sets["base"]], [new])
    runs = result.rows[result.rows.table == "runs"]
    accuracy = runs[runs.kinds.str.contains("accuracy")]
    assert set(zip(accuracy.function, accuracy.method, strict=True)) == {("sphere", "adam")}
    assert "start 0: targets reached" in accuracy["reasons"].iloc[0]
    status = runs[runs.kinds.str.contains("status")]
    assert set(status.method) == {"sgd"} and (status.n == "10").all()


def test_normalize_cancels_a_uniformly_slower_machine(tmp_path, sets):
    rng_free = {m: 1.4 for m in ("symbolic", "forward", "central", "central4", "complex_step")}
    rng_free |= {m: 1.4 for m in ("richardson", "forward_ad", "reverse_ad", "runs")}
    slow = write_result_set(tmp_path / "slow", seed=4, slowdown=rng_free, calibration_s=1.4e-3)
    plain = compare([sets["base"]], [slow])
    assert plain.counts()["regressed"] > 300
    normalized = compare([sets["base"]], [slow], normalize=True)
    assert normalized.counts()["regressed"] == 0
    assert normalized.normalized


def test_normalize_without_calibration_is_bad_input(tmp_path, sets, capsys):
    bare = write_result_set(tmp_path / "bare", seed=5, calibration_s=None, extras=False)
    assert main_compare([str(sets["base"]), str(bare), "--normalize"]) == 2
    err = capsys.readouterr().err
    assert "calibration_s" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda p: p / "missing",
        lambda p: (p / "x.parquet").write_text("not parquet") and p / "x.parquet",
        lambda p: (p / "y.json").write_text("{}") and p / "y.json",
        lambda p: p,  # an empty folder
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, sets, capsys, make):
    target = make(tmp_path)
    assert main_compare([str(sets["base"]), str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("diffbench compare: ") and captured.err.count("\n") == 1
    assert "Traceback" not in captured.err


def test_json_output_and_threshold_in_percent(sets, capsys):
    assert (
        main_compare(
            [str(sets["base"]), str(sets["slow"]), "--format", "json", "--threshold", "40%"]
        )
        == 0
    )
    payload = json.loads(capsys.readouterr().out)
    assert payload["threshold"] == pytest.approx(0.4) and payload["failed"] is False
    assert payload["counts"]["regressed"] == 0
    row = next(r for r in payload["rows"] if r["method"] == "central" and r["table"] == "gradients")
    assert 1.2 < row["ratio"] < 1.4 and row["kinds"] == []


def test_params_stored_differently_still_match(tmp_path, sets):
    new = _copy(sets["rerun"], tmp_path / "new")
    path = new / "gradients.parquet"
    frame = pd.read_parquet(path)
    frame["params"] = [
        json.dumps(json.loads(p), indent=1, sort_keys=False) for p in frame["params"]
    ]
    frame.to_parquet(path)
    assert compare([sets["base"]], [new]).counts()["new"] == 0


def test_false_positive_rate_over_many_reruns(tmp_path, sets):
    """Ten simulated reruns of an unchanged tree (new seed: new session load and sample noise).

    A session's load factor is log-normal with sigma 2%, so now and then two sessions differ by
    almost 10% everywhere and a noisy row tips over; the rate must stay below 1 in 1000 rows.
    """
    timing_rows, regressed = 0, 0
    for seed in range(100, 110):
        rerun = write_result_set(tmp_path / f"r{seed}", seed=seed, extras=False)
        rows = compare([sets["base"]], [rerun]).rows
        timing_rows += int(np.isfinite(rows["p_value"]).sum())
        regressed += int((rows["verdict"] == "regressed").sum())
    assert timing_rows > 10 * 300
    assert regressed <= timing_rows / 1000


def test_doubled_flops_and_an_extra_compile_are_cost_regressions(tmp_path, sets):
    base = _copy(sets["base"], tmp_path / "base")
    new = _copy(sets["rerun"], tmp_path / "new")
    everything = lambda f: f.n.gt(0)  # noqa: E731
    _edit(base, "gradients", everything, compiles=1)
    _edit(new, "gradients", everything, compiles=1)
    central = lambda f: f.method.eq("central")  # noqa: E731
    doubled = _edit(new, "gradients", central, flops=lambda v: 2 * v)
    recompiled = _edit(new, "gradients", lambda f: f.method.eq("reverse_ad"), compiles=2)
    result = compare([base], [new])
    cost = result.regressions(("cost",))
    assert doubled == 48 and recompiled == 48
    assert set(cost["method"]) == {"central", "reverse_ad"} and len(cost) == 96
    assert cost[cost.method == "central"]["reasons"].str.contains("flops").all()
    assert main_compare([str(base), str(new), "--fail-on", "cost"]) == 1
    assert main_compare([str(sets["base"]), str(sets["rerun"]), "--fail-on", "cost"]) == 0
