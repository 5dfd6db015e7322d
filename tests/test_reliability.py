"""Issue 16: hostile input and a flaky machine. One test (or a few) per numbered item.

Each test states the item it guards. The cheap ones call ``diffbench.cli.main`` in-process;
those that need a process of their own (an abort, a kill, a lock held elsewhere) start one.
"""

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import diffbench
from diffbench import cli, store

ROOT = Path(__file__).resolve().parents[1]
MACHINE = "reliability"
TINY = """
[suite]
dtypes = ["float64"]
[timing]
budget_s = 0.01
sample_s = 0.001
min_repeats = 1
max_repeats = 3
[[gradients]]
functions = ["sphere"]
dims = [2]
methods = ["reverse_ad"]
"""


@pytest.fixture(autouse=True)
def _machine(monkeypatch):
    monkeypatch.setenv("DIFFBENCH_MACHINE", MACHINE)


def _row(method="central", **extra):
    row = dict.fromkeys(store.GRADIENT_COLUMNS)
    row.update(run_id="r", function="sphere", n=2, dtype="float64", device="cpu", method=method)
    row.update(params="{}", status="ok", repeats=3, samples=[1e-6, 2e-6, 3e-6], retraces=0)
    row.update(time_median_s=2e-6, digits=12.0, **extra)
    return row


def _set(root, rows=3, suite="demo", close=True, **row_extra):
    results = store.ResultSet.create(root, suite, {"machine": MACHINE, "commit": "abc"})
    for i in range(rows):
        results.append("gradients", f"case{i}", [_row(method=f"m{i}", **row_extra)])
    if close:
        results.close()
    else:  # what a SIGKILL leaves: the journal as written, the lock dropped by the OS
        if results._journal is not None:
            results._journal.close()
        results.lock.release()
    return results.path


def _main(args, capsys):
    try:
        code = cli.main([str(a) for a in args])
    except SystemExit as exc:  # argparse's own exit, as the program would exit
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(err):
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def _files(root):
    return {p for p in Path(root).rglob("*") if p.is_file()}


def _program(args, cwd, **popen):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DIFFBENCH_MACHINE": MACHINE}
    return subprocess.Popen(
        [sys.executable, "-m", "diffbench", *map(str, args)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


# -- 1. a journal line cannot write outside its set ---------------------------------------------


def test_1_journal_table_names_never_become_paths(tmp_path):
    path = _set(tmp_path / "runs", close=False)
    hostile = [
        {"table": str(tmp_path / "pwned"), "key": "a", "rows": [{"x": 1}]},
        {"table": "../../../escaped", "key": "b", "rows": [{"x": 1}]},
        {"table": "gradients", "key": "c", "rows": [_row()], "more": {"../../more": [{"x": 1}]}},
    ]
    with open(path / store.JOURNAL, "a") as handle:
        handle.writelines(json.dumps(e) + "\n" for e in hostile)
    before = _files(tmp_path) - _files(path)
    written = store.ResultSet(path).write_tables()  # what --resume and a checkpoint do
    assert set(written) == {"gradients"}
    assert _files(tmp_path) - _files(path) == before  # nothing new outside the set
    assert not list(tmp_path.rglob("pwned*")) and not list(tmp_path.rglob("escaped*"))
    assert len(store.load(path)) == 3  # the good cases are all there


# -- 2. sizes are checked before XLA sees them ----------------------------------------------------


def test_2_a_huge_batch_of_starts_is_a_one_line_error_not_an_abort(tmp_path):
    suite = tmp_path / "huge.toml"
    suite.write_text(
        '[suite]\ndtypes = ["float64"]\n[[runs]]\nfunctions = ["sphere"]\ndims = [2]\n'
        "steps = 5\nstarts = 1000000000000\n"
    )
    proc = _program(["run", suite, "--out", tmp_path / "runs", "--quiet"], tmp_path)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 2, err
    assert "starts" in _one_line(err)
    assert not list((tmp_path / "runs").rglob(store.METADATA))  # no set left at `running`


def test_2_minimize_checks_the_batch_size_before_compiling(monkeypatch):
    with pytest.raises(diffbench.DiffbenchError, match="starts"):
        diffbench.optimize.minimize("sphere", "sgd", steps=5, starts=10**12)
    monkeypatch.setattr("diffbench._limits.memory_bytes", lambda device=None: 2**30)
    with pytest.raises(diffbench.DiffbenchError, match=r"starts=100,000,000 .* GiB"):
        diffbench.optimize.minimize("sphere", "sgd", steps=5, starts=10**8)  # before drawing
    with pytest.raises(diffbench.DiffbenchError, match="GiB"):  # 10^7 learning rates x n=2
        diffbench.optimize.minimize("sphere", "sgd", steps=5, x0=[1.0, 2.0], lr=np.full(10**7, 0.1))
    with pytest.raises(diffbench.DiffbenchError, match="at most"):
        diffbench.optimize.minimize("sphere", "sgd", steps=10**12)


# -- 3. the gate cannot pass on missing data -----------------------------------------------------


def test_3_a_new_set_without_rows_or_not_complete_fails_the_gate(tmp_path, capsys):
    base = _set(tmp_path / "base", rows=3)
    empty = _set(tmp_path / "empty", rows=0)
    partial = _set(tmp_path / "partial", rows=1, close=False)  # interrupted: 1 case of 3
    code, out, _ = _main(["compare", base, empty], capsys)
    assert code == 1 and "no measurements" in out
    code, out, _ = _main(["compare", base, partial, "--format", "json"], capsys)
    assert code == 1 and json.loads(out)["failed"] is True
    assert "'running'" in json.loads(out)["incomplete"][0]
    code, out, _ = _main(["compare", base, base], capsys)  # a complete set still passes
    assert code == 0, out
    code, _, err = _main(["compare", base, tmp_path / "nothing-here"], capsys)
    assert code == 2 and "No such results path" in _one_line(err)


# -- 4. exit 1 means a regression; usage and environment errors are exit 2 with one line --------


def test_4_usage_and_environment_errors_exit_2_with_one_line(tmp_path, capsys):
    base = _set(tmp_path / "base")
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    cases = [
        ["compare", base, base, "--confidence", "5"],
        ["compare", base, base, "--output", "/dev/full"],  # ENOSPC
        ["compare", base, base, "--output", a_file / "below-a-file.md"],
        ["report", base, "--out", a_file, "--no-sweeps"],
        ["run", tmp_path / "suite.toml", "--out", a_file],
        ["list", "nothing"],
    ]
    (tmp_path / "suite.toml").write_text(TINY)
    for args in cases:
        code, _, err = _main(args, capsys)
        assert code == 2, (args, err)
        _one_line(err)


def test_4_a_read_only_output_is_exit_2(tmp_path, capsys, monkeypatch):
    (tmp_path / "suite.toml").write_text(TINY)

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "ro"))

    monkeypatch.setattr("tempfile.TemporaryFile", read_only)
    code, _, err = _main(["run", tmp_path / "suite.toml", "--out", tmp_path / "ro"], capsys)
    assert code == 2 and "Read-only file system" in _one_line(err)


@pytest.mark.slow
def test_4_a_disk_that_fills_during_a_run_is_exit_2_and_keeps_every_case(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)]
    if subprocess.run(mount, capture_output=True).returncode != 0:
        pytest.skip("needs permission to mount a 2 MB tmpfs")
    try:
        stats = os.statvfs(disk)
        (disk / "filler").write_bytes(b"\0" * (stats.f_bavail * stats.f_frsize - 12 * 1024))
        suite = tmp_path / "suite.toml"
        suite.write_text(TINY.replace("dims = [2]", "dims = [2, 3, 4, 5, 6, 7, 8]"))
        proc = _program(["run", suite, "--out", disk / "runs", "--quiet", "--no-report"], tmp_path)
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 2, err
        assert "No space left on device" in _one_line(err)
        for folder in store.find_result_sets(disk / "runs"):  # what was written still reads
            store.load(folder)
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


def test_4_a_read_only_mount_is_exit_2_before_any_measurement(tmp_path):
    disk = tmp_path / "ro"
    disk.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(disk)]
    if subprocess.run(mount, capture_output=True).returncode != 0:
        pytest.skip("needs permission to mount a read-only tmpfs")
    try:
        (tmp_path / "suite.toml").write_text(TINY)
        for out in (disk, disk / "runs"):
            args = ["run", tmp_path / "suite.toml", "--out", out, "--quiet", "--no-report"]
            proc = _program(args, tmp_path)
            _, err = proc.communicate(timeout=300)
            assert proc.returncode == 2 and "Read-only file system" in _one_line(err)
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


# -- 5. a bad journal line is set aside; every good case is kept ---------------------------------


BAD_LINES = [
    b"\xff\xfe not utf-8\n",
    b"{not json}\n",
    b'{"table": "gradients", "key": 5, "rows": []}\n',
    b'{"table": "gradients", "key": "k", "rows": "nope"}\n',
    b'{"table": "gradients", "key": "k", "rows": [1, 2]}\n',
    b'{"table": "gradients", "key": "k", "rows": [], "more": []}\n',
    b"[1, 2, 3]\n",
]


def test_5_bad_journal_lines_are_quarantined_and_good_cases_kept(tmp_path, capsys):
    base = _set(tmp_path / "base", rows=3)
    path = _set(tmp_path / "new", rows=3, close=False)
    journal = path / store.JOURNAL
    good = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(good[0] + b"".join(BAD_LINES) + b"".join(good[1:]))
    assert len(store.load(path)) == 3
    code, _, err = _main(["compare", base, path], capsys)
    assert code == 1  # still interrupted (item 3), but readable: not exit 2
    assert err.count(f"{len(BAD_LINES)} bad journal line(s) skipped") == 1  # said once
    reopened = store.ResultSet(path)  # --resume: the bad lines go aside, new cases append
    reopened.append("gradients", "case3", [_row(method="m3")])
    assert reopened.done("gradients") == {"case0", "case1", "case2", "case3"}
    assert (path / "cases.quarantine.jsonl").read_bytes() == b"".join(BAD_LINES)
    assert journal.read_bytes().count(b"\n") == 4  # the journal holds the good lines only


def test_5_a_row_of_the_wrong_type_is_skipped_not_fatal(tmp_path):
    path = _set(tmp_path, rows=2, close=False)
    with open(path / store.JOURNAL, "a") as handle:
        bad = {"table": "gradients", "key": "x", "rows": [_row(n="not a number")]}
        handle.write(json.dumps(bad) + "\n")
    assert len(store.load(path)) == 2


# -- 6. suite and API validation -----------------------------------------------------------------


@pytest.mark.parametrize(
    "toml, message",
    [
        ('[timing]\nbudget_s = "0.1"\n', "budget_s"),
        ("[timing]\nwarmup = -1\n", "warmup"),
        ("[timing]\nmin_repeats = inf\n", "min_repeats"),
        ("[suite]\nseed = 18446744073709551616\n", "64-bit"),
        ("", "dims"),  # with dims = [10**12], below
    ],
)
def test_6_suite_values_are_checked_with_one_line(tmp_path, toml, message):
    from diffbench.harness import load_suite

    dims = "[1000000000000]" if message == "dims" else "[2]"
    block = f'[[gradients]]\nfunctions = ["sphere"]\ndims = {dims}\nmethods = ["central"]\n'
    path = tmp_path / "s.toml"
    path.write_text(toml + block)
    with pytest.raises(diffbench.DiffbenchError, match=message) as info:
        load_suite(path)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("step", ["nan", "-1.0", "0.0", '"a"', "[[1e-3]]"])
def test_6_suite_steps_must_be_positive_numbers(tmp_path, step):
    from diffbench.harness import load_suite

    path = tmp_path / "s.toml"
    path.write_text(
        '[[gradients]]\nfunctions = ["sphere"]\ndims = [2]\nmethods = ["central"]\n'
        f"params = {{ central = {{ step = {step} }} }}\n"
    )
    with pytest.raises(diffbench.DiffbenchError, match="step"):
        load_suite(path)


def test_6_a_suite_that_is_not_utf8_or_has_huge_runs_is_a_one_line_error(tmp_path):
    from diffbench.harness import load_suite

    path = tmp_path / "latin1.toml"
    path.write_bytes('[suite]\ndescription = "café"\n'.encode("latin-1"))
    with pytest.raises(diffbench.DiffbenchError, match="UTF-8"):
        load_suite(path)
    path = tmp_path / "steps.toml"
    path.write_text('[[runs]]\nfunctions = ["sphere"]\ndims = [2]\nsteps = 1000000000000\n')
    with pytest.raises(diffbench.DiffbenchError, match="steps"):
        load_suite(path)


X = jnp.array([1.0, -2.0, 3.0])


@pytest.mark.parametrize("step", [float("nan"), -1.0, 0.0, [1e-3], "a", True, float("inf")])
def test_6_gradient_rejects_a_bad_step_in_one_line(step):
    with pytest.raises(diffbench.DiffbenchError, match="step must be a finite number > 0"):
        diffbench.gradient("sphere", X, method="central", step=step)


def test_6_api_errors_are_diffbench_errors():
    with pytest.raises(diffbench.DiffbenchError, match="float32 or float64"):
        diffbench.gradient("sphere", X.astype(jnp.float16), method="complex_step")
    with pytest.raises(diffbench.DiffbenchError, match="lr must be"):
        diffbench.optimize.minimize("sphere", "sgd", steps=5, lr="a")
    with pytest.raises(diffbench.DiffbenchError, match="64-bit"):
        diffbench.optimize.minimize("sphere", "sgd", steps=5, seeds=[2**64])
    with pytest.raises(diffbench.DiffbenchError, match="warmup"):
        diffbench.harness.TimingPolicy(warmup=-1)


# -- 7. no recompile per callable or per step value ---------------------------------------------

TRACES = []


def _square_sum(v):
    TRACES.append(1)  # runs once per trace, never when a compiled function is called
    return (v**2).sum()


def test_7_a_new_lambda_of_the_same_code_and_a_new_step_do_not_recompile():
    x = jnp.array([0.5, -1.5, 2.5])
    TRACES.clear()
    for _ in range(5):
        grad = diffbench.gradient(lambda v: _square_sum(v), x, method="central")
    np.testing.assert_allclose(grad, 2 * np.asarray(x), rtol=1e-8)
    assert len(TRACES) == 1
    TRACES.clear()
    for step in (1e-3, 1e-4, 1e-5, 1e-6, 1e-7):
        grad = diffbench.gradient(_square_sum, x, method="central", step=step)
        np.testing.assert_allclose(grad, 2 * np.asarray(x), rtol=1e-6)
    assert len(TRACES) == 1


def test_7_the_step_still_changes_the_result():
    # forward difference of sum(v^3) at 1: (3h + 3h^2 + h^3)/h = 3 + 3h + h^2, exactly known
    x = jnp.array([1.0])
    for step in (0.5, 0.25):
        grad = diffbench.gradient(lambda v: (v**3).sum(), x, method="forward", step=step)
        np.testing.assert_allclose(grad, [3 + 3 * step + step**2], rtol=1e-12)


def test_7_closures_over_different_values_are_not_confused_and_not_kept():
    import gc
    import weakref

    x = jnp.array([1.0, 2.0])
    scale = jnp.array([1.0, 10.0])
    f = lambda v: (scale * v**2).sum()  # noqa: E731 - a closure over an array
    np.testing.assert_allclose(diffbench.gradient(f, x, method="central"), [2.0, 40.0])
    ref = weakref.ref(f)
    del f
    gc.collect()
    assert ref() is None  # the cache does not keep a closure over an array alive
    for c in (1.0, 3.0):
        g = diffbench.gradient(lambda v, c=c: c * (v**2).sum(), x, method="reverse_ad")
        np.testing.assert_allclose(g, [2 * c, 4 * c])

    def scaled(c):
        return lambda v: c * (v**2).sum()  # one code, a closure over a number

    for c in (1.0, 3.0):
        np.testing.assert_allclose(diffbench.gradient(scaled(c), x), [2 * c, 4 * c])


# -- 8. concurrency -------------------------------------------------------------------------------


def test_8_create_survives_a_folder_made_between_check_and_mkdir(tmp_path, monkeypatch):
    monkeypatch.setattr("diffbench.results._store.timestamp_now", lambda: "20260101T000000Z")
    first = store.ResultSet.create(tmp_path, "demo", {"machine": MACHINE})
    monkeypatch.setattr(Path, "exists", lambda self: False)  # the other process was faster
    second = store.ResultSet.create(tmp_path, "demo", {"machine": MACHINE})
    assert first.path != second.path and second.path.name.endswith("-2")


def test_8_processes_creating_sets_in_the_same_second_all_succeed(tmp_path):
    start = time.time() + 4.0  # every process imports, then creates at the same instant
    script = (
        "import sys, time; from diffbench import store; "
        f"time.sleep(max(0.0, {start} - time.time())); "
        f"print(store.ResultSet.create({str(tmp_path)!r}, 'demo', {{'machine': 'race'}}).path)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(8)
    ]  # fmt: skip
    results = [proc.communicate(timeout=120) for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), [err for _, err in results]
    assert len({out.strip() for out, _ in results}) == 8  # eight sets, eight folders


def test_8_a_second_writer_gets_a_one_line_error(tmp_path):
    holder = _set(tmp_path / "runs", rows=0, suite="suite", close=False)
    first = store.ResultSet(holder)
    first.append("gradients", "a", [_row()])  # this one now writes the set
    with pytest.raises(diffbench.DiffbenchError, match="being written") as info:
        store.ResultSet(holder).append("gradients", "b", [_row()])
    assert "\n" not in str(info.value)
    first.close()
    store.ResultSet(holder).append("gradients", "b", [_row()])  # free again once closed


def test_8_a_second_resume_of_a_set_being_written_exits_2(tmp_path, capsys):
    (tmp_path / "suite.toml").write_text(TINY)
    holder = _set(tmp_path / "runs", rows=0, suite="suite", close=False)
    script = (
        f"from diffbench import store; s = store.ResultSet({str(holder)!r}); "
        "s.open_for_writing(); print('locked', flush=True); import time; time.sleep(60)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    other = subprocess.Popen(
        [sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert other.stdout.readline().strip() == "locked"
        args = ["run", tmp_path / "suite.toml", "--out", tmp_path / "runs", "--resume"]
        code, _, err = _main([*args, "--quiet", "--no-report"], capsys)
        assert code == 2 and "being written" in _one_line(err)
        assert not store.load(holder).shape[0]  # nothing was measured into it
    finally:
        other.kill()
        other.wait()


# -- 9. Ctrl-C, atomic reports, escaped markdown, --resume of unfinished sets only ----------------


def test_9_resume_does_not_reopen_a_complete_set(tmp_path, capsys):
    (tmp_path / "suite.toml").write_text(TINY)
    args = ["run", tmp_path / "suite.toml", "--out", tmp_path / "runs", "--quiet", "--no-report"]
    assert _main(args, capsys)[0] == 0
    code, out, _ = _main([*args, "--resume"], capsys)
    assert code == 0 and "already done" not in out
    sets = store.find_result_sets(tmp_path / "runs")
    assert len(sets) == 2
    assert all(store.read_metadata(s)["status"] == "complete" for s in sets)


def test_9_a_report_killed_while_writing_leaves_the_old_files_whole(tmp_path, monkeypatch):
    from diffbench.report import _report

    path = _set(tmp_path / "runs")
    out = tmp_path / "report"
    out.mkdir()
    for name in ("report.md", "report.html"):
        (out / name).write_text(f"old {name}, whole")
    real_bytes, real_text = Path.write_bytes, Path.write_text

    def torn(self, data, *args, **kwargs):  # write half, then the process dies
        blob = data if isinstance(data, bytes) else data.encode()
        real_bytes(self, blob[: len(blob) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(_report, "make_report", lambda results, sweeps: _tiny_report())
    monkeypatch.setattr(Path, "write_bytes", torn)
    monkeypatch.setattr(Path, "write_text", torn)
    with pytest.raises(KeyboardInterrupt):
        _report.build_report([path], out, compute_sweeps=False)
    monkeypatch.setattr(Path, "write_bytes", real_bytes)
    monkeypatch.setattr(Path, "write_text", real_text)
    for name in ("report.md", "report.html"):
        assert (out / name).read_text() == f"old {name}, whole"
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def _tiny_report():
    from diffbench.report._model import Report, Section, Table

    table = Table(["function", "note"], [["sphere", "ok"]])
    return Report("diffbench report", "1 result set", [Section("k", "Title", "text", [table])])


@pytest.mark.slow
def test_9_sigkill_during_the_report_write_leaves_no_half_file(tmp_path):
    path = _set(tmp_path / "runs", rows=3)
    whole = tmp_path / "whole"
    done = _program(["report", path, "--out", whole, "--no-sweeps"], tmp_path)
    assert done.wait(timeout=600) == 0
    out = tmp_path / "report"
    proc = _program(["report", path, "--out", out, "--no-sweeps"], tmp_path)
    deadline = time.monotonic() + 600
    while not (out / "figures").exists() and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)  # the figures folder exists: files are being written
    proc.wait()

    def same(a, b):  # whole files, apart from the minute they were generated
        strip = lambda text: re.sub(r"generated [0-9-]+ [0-9:]+", "", text)  # noqa: E731
        return strip(a.read_text(errors="replace")) == strip(b.read_text(errors="replace"))

    for name in ("report.md", "report.html"):
        assert not (out / name).exists() or same(out / name, whole / name), name
    for figure in (out / "figures").glob("*.png"):
        assert figure.read_bytes() == (whole / "figures" / figure.name).read_bytes()


HOSTILE = "<img src=x onerror=alert(1)> ![pixel](https://evil.example/p.png) [x](javascript:1)"


def test_9_markdown_passes_no_html_or_links_from_result_files(tmp_path, capsys):
    from diffbench.report._markdown import render_markdown
    from diffbench.report._model import Report, Section, Table

    base = _set(tmp_path / "base", rows=1)
    new = _set(tmp_path / "new", rows=1, status="error", error=HOSTILE, function=HOSTILE)
    code, out, _ = _main(["compare", base, new], capsys)
    assert code in (0, 1) and "onerror" in out
    table = Table(["function", "error"], [[HOSTILE, HOSTILE]], note=HOSTILE, title=HOSTILE)
    report = Report("r", HOSTILE, [Section("k", "T", HOSTILE, [table], caption=HOSTILE)])
    for text in (out, render_markdown(report)):
        tags = set(re.findall(r"</?[A-Za-z]+", text))
        assert tags <= {"<details", "</details", "<summary", "</summary"}  # ours only
        assert not re.search(r"(?<!\\)\]\((?!#|figures/)", text)  # no link but our own
        assert "&lt;img src=x onerror=alert(1)&gt;" in text  # shown, as text


def test_9_ctrl_c_exits_130_and_keeps_finished_cases(tmp_path):
    suite = tmp_path / "suite.toml"
    suite.write_text(
        TINY.replace("dims = [2]", "dims = [2, 3, 4, 5, 6, 7, 8, 9]").replace(
            '["reverse_ad"]', '["reverse_ad", "central", "forward"]'
        )
    )
    proc = _program(["run", suite, "--out", tmp_path / "runs", "--quiet", "--no-report"], tmp_path)
    deadline = time.monotonic() + 300
    while not list((tmp_path / "runs").rglob(store.JOURNAL)):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted" in _one_line(err)
    (folder,) = store.find_result_sets(tmp_path / "runs")
    assert store.read_metadata(folder)["status"] == "interrupted"
    assert len(store.load(folder)) >= 1
