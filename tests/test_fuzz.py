"""Fuzzing the three readers with seeded mutations of real files (issue 16).

The readers: suite TOML (the built-in suites), result sets with journals (rows of the smoke
baseline, written through ``ResultSet``), and pytest-benchmark JSON (written by
pytest-benchmark itself). Each input is a real file with a few random mutations: bytes
flipped, cut, duplicated or made invalid UTF-8; JSON values replaced by values of other types
or hostile strings (path traversal, huge numbers, NaN); journal lines naming tables outside
the set. Inputs go through ``diffbench.cli.main`` in-process (no JAX work runs: a suite that
still validates is expanded into cases, not run; a result set is read in full, resumed and
compacted, and every third one compared by the CLI). The contract, for every input:

- the exit code is 0, 1 or 2; 1 only from ``compare`` (a regression);
- stderr has no traceback and no "internal error";
- no file appears outside the result set, even after the resume writer compacts it.

``DIFFBENCH_FUZZ_CASES`` (default 2,400 in all) scales the run; the seed is fixed, and a
failure names the input's seed so it can be replayed.
"""

import contextlib
import copy
import json
import math
import os
import random
from pathlib import Path

import pandas as pd
import pytest
from _pytest_benchmark import write_benchmark_json

from diffbench import DiffbenchError, cli, store
from diffbench.harness import load_suite
from diffbench.results import load_results

ROOT = Path(__file__).resolve().parents[1]
TOTAL = int(os.environ.get("DIFFBENCH_FUZZ_CASES", "2400"))
SHARE = {"suites": 0.4, "sets": 0.3}  # the rest: pytest-benchmark JSON
COMPARE_EVERY = 3
"""Every mutated result set is read, resumed and compacted; every third is also compared
through the command line (a comparison's statistics cost ~10x a read)."""
SEED = 16
BASELINE = min((ROOT / "results" / "baselines" / "smoke").glob("*/*-smoke"))  # a real set

HOSTILE = [
    None, True, -1, 0, 1e309, -1e309, 10**12, 2**64, 1e-320, "", "x", "nan", "../../../escape",
    "/tmp/pwned", "<img src=x onerror=alert(1)>", "![p](http://e/p.png)", "\u202e", [], {},
    [1, "a", None], {"a": {"b": []}}, "1e6", 3.5,
]  # fmt: skip
TOML_VALUES = [
    "-1", "0", "1e309", "nan", "inf", '"x"', "[]", "{}", "1000000000000", "true", '"../../x"',
    "[1, 2", '"\\u0000"', "18446744073709551616", "[[1]]", '{ central = { step = -1 } }',
]  # fmt: skip


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """One random byte-level change: flip, cut, duplicate, insert junk or invalid UTF-8."""
    if not data:
        return bytes([rng.randrange(256)])
    i = rng.randrange(len(data))
    j = min(len(data), i + rng.randrange(1, 64))
    op = rng.randrange(6)
    if op == 0:
        return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1 :]
    if op == 1:
        return data[:i] + data[j:]
    if op == 2:
        return data[:j] + data[i:j] + data[j:]
    if op == 3:
        return data[:i] + rng.choice([b"\xff\xfe", b"\xc3", b"\x00", b"\n", b'"', b"]"]) + data[i:]
    if op == 4:
        return data[:i]
    return data[:i] + rng.randbytes(rng.randrange(1, 16)) + data[i:]


def _mutate_json(value, rng: random.Random, depth: int = 0):
    """``value`` with one node replaced, deleted or given a new key (recursively chosen)."""
    if isinstance(value, dict) and value and depth < 6 and rng.random() < 0.7:
        key = rng.choice(list(value))
        out = dict(value)
        roll = rng.random()
        if roll < 0.15:
            del out[key]
        elif roll < 0.25:
            out[rng.choice(["table", "more", "status", "format", "x", "machine"])] = rng.choice(
                HOSTILE
            )
        else:
            out[key] = _mutate_json(value[key], rng, depth + 1)
        return out
    if isinstance(value, list) and value and depth < 6 and rng.random() < 0.7:
        out = list(value)
        i = rng.randrange(len(out))
        out[i] = _mutate_json(out[i], rng, depth + 1)
        return out
    return copy.deepcopy(rng.choice(HOSTILE))


def _dumps(value) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


def _run(args, capsys, allowed=(0, 2)):
    try:
        code = cli.main([str(a) for a in args])
    except SystemExit as exc:  # argparse exits, as the program would
        code = exc.code
    _, err = capsys.readouterr()
    assert code in allowed, (code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    return code


# -- suites -----------------------------------------------------------------------------------


def _mutate_toml(text: str, rng: random.Random) -> bytes:
    lines = text.splitlines()
    for _ in range(rng.randrange(1, 4)):
        i = rng.randrange(len(lines))
        roll = rng.random()
        if roll < 0.4 and "=" in lines[i]:
            key = lines[i].split("=")[0]
            lines[i] = f"{key}= {rng.choice(TOML_VALUES)}"
        elif roll < 0.55:
            del lines[i]
        elif roll < 0.7:
            lines.insert(i, lines[rng.randrange(len(lines))])
        else:
            mutated = _mutate_bytes(lines[i].encode("utf-8", "surrogateescape"), rng)
            lines[i] = mutated.decode("utf-8", "surrogateescape")
        if not lines:
            lines = [""]
    return "\n".join(lines).encode("utf-8", "surrogateescape")


def test_fuzz_suites(tmp_path, capsys):
    sources = [(ROOT / "diffbench" / "suites" / n).read_text() for n in ("smoke.toml", "full.toml")]
    rng = random.Random(SEED)
    out = tmp_path / "runs"
    for case in range(int(TOTAL * SHARE["suites"])):
        path = tmp_path / f"s{case % 7}.toml"
        path.write_bytes(_mutate_toml(rng.choice(sources), rng))
        try:
            suite = load_suite(path)
        except DiffbenchError as exc:
            assert "\n" not in str(exc), (case, str(exc))
            _run(["run", path, "--out", out, "--quiet"], capsys, allowed=(2,))
            continue
        with contextlib.suppress(DiffbenchError):  # a valid suite expands without a crash
            suite.cases(["cpu"])
    assert not out.exists() or not any(out.rglob("*"))


# -- result sets with journals ----------------------------------------------------------------


@pytest.fixture(scope="module")
def rows():
    frame = pd.read_parquet(BASELINE / "gradients.parquet")
    frame = frame.groupby("method").head(1).head(6)  # six real rows, six methods
    records = frame.to_dict("records")
    for row in records:  # five samples: enough for the statistics, cheap to bootstrap
        row["samples"] = [float(s) for s in row["samples"][:5]]
        for key, value in row.items():
            if isinstance(value, float) and math.isnan(value):
                row[key] = None
    return records


def _real_set(root: Path, rows, status: str = "complete") -> Path:
    meta = json.loads((BASELINE / store.METADATA).read_text())  # the baseline's fingerprint
    for key in ("format", "status", "timestamp", "run_id", "suite", "finished"):
        meta.pop(key)
    results = store.ResultSet.create(root, "smoke", {**meta, "machine": "fuzz"})
    for i, row in enumerate(rows):
        results.append("gradients", f"case{i}", [row])
    results.close(status)
    return results.path


def _mutate_set(path: Path, rng: random.Random) -> None:
    target = rng.choice(["journal", "journal", "journal", "metadata", "parquet"])
    if target == "metadata":
        meta = path / store.METADATA
        if rng.random() < 0.7:
            meta.write_bytes(_dumps(_mutate_json(json.loads(meta.read_text()), rng)))
        else:
            meta.write_bytes(_mutate_bytes(meta.read_bytes(), rng))
        return
    if target == "parquet":
        table = path / "gradients.parquet"
        table.write_bytes(_mutate_bytes(table.read_bytes(), rng))
        return
    journal = path / store.JOURNAL
    lines = journal.read_bytes().splitlines(keepends=True)
    for _ in range(rng.randrange(1, 4)):
        i = rng.randrange(len(lines))
        roll = rng.random()
        if roll < 0.5:
            try:
                lines[i] = _dumps(_mutate_json(json.loads(lines[i]), rng)) + b"\n"
            except ValueError:  # a line an earlier mutation already broke
                lines[i] = _mutate_bytes(lines[i], rng)
        elif roll < 0.6:
            entry = {"table": rng.choice(HOSTILE[9:14]), "key": "k", "rows": [{"x": 1}]}
            lines.insert(i, _dumps(entry) + b"\n")
        else:
            lines[i] = _mutate_bytes(lines[i], rng)
    journal.write_bytes(b"".join(lines))


def test_fuzz_result_sets(tmp_path, capsys, rows):
    base = _real_set(tmp_path / "base", rows)
    pristine = _real_set(tmp_path / "pristine", rows, status="interrupted")
    rng = random.Random(SEED + 1)
    for case in range(int(TOTAL * SHARE["sets"])):
        work = tmp_path / "work"
        if work.exists():
            for p in sorted(work.rglob("*"), reverse=True):
                p.unlink() if p.is_file() else p.rmdir()
        target = work / "fuzz" / pristine.name
        target.mkdir(parents=True)
        for p in pristine.iterdir():
            if p.is_file():
                (target / p.name).write_bytes(p.read_bytes())
        _mutate_set(target, rng)
        outside = {p for p in tmp_path.rglob("*") if target not in p.parents}
        try:  # the reader of report and compare, in full
            load_results([target])
        except DiffbenchError as exc:
            assert "\n" not in str(exc), (case, str(exc))
        if case % COMPARE_EVERY == 0:  # and the whole command line (slower: statistics)
            _run(["compare", base, target, "--format", "json"], capsys, allowed=(0, 1, 2))
        try:  # the writer of --resume: reopen, set bad lines aside, compact
            results = store.ResultSet(target)
            results.open_for_writing()
            results.close("interrupted")
        except DiffbenchError:
            pass
        now = {p for p in tmp_path.rglob("*") if target not in p.parents}
        assert now == outside, (case, now ^ outside)


# -- pytest-benchmark JSON --------------------------------------------------------------------


@pytest.fixture(scope="module")
def bench_json(tmp_path_factory):
    pytest.importorskip("pytest_benchmark")
    return write_benchmark_json(tmp_path_factory.mktemp("pb"), ["a", "b", "c"], 8, 1e-6, 5)


def test_fuzz_pytest_benchmark_json(tmp_path, capsys, bench_json):
    data = bench_json.read_bytes()
    real = json.loads(data)
    rng = random.Random(SEED + 2)
    path = tmp_path / "new.json"
    for _case in range(TOTAL - sum(int(TOTAL * share) for share in SHARE.values())):
        if rng.random() < 0.75:
            path.write_bytes(_dumps(_mutate_json(real, rng)))
        else:
            path.write_bytes(_mutate_bytes(data, rng))
        _run(["compare", bench_json, path, "--format", "json"], capsys, allowed=(0, 1, 2))
    assert {p.name for p in tmp_path.iterdir()} == {"new.json"}
