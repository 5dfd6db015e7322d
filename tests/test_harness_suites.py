"""Suites: the built-ins load and cover what they promise; bad suites are one-line errors."""

import json

import pytest

import diffbench
from diffbench.harness import load_suite, suite_names
from diffbench.harness.cases import GradientCase, RunCase, SweepCase
from diffbench.harness.suites import parse_suite


def _suite(text, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(text)
    return load_suite(str(path))


@pytest.mark.parametrize("name", ["smoke", "standard", "full", "gpu"])
def test_builtin_suites_load(name):
    assert name in suite_names()
    suite = load_suite(name)
    assert suite.description
    assert suite.cases(["cpu"])


def test_smoke_covers_ten_functions_every_method_two_dims_both_dtypes():
    cases = [c for c in load_suite("smoke").cases(["cpu"]) if isinstance(c, GradientCase)]
    functions = {c.function for c in cases}
    assert len(functions) >= 10
    for function in functions:
        mine = [c for c in cases if c.function == function]
        assert {c.method for c in mine} == set(diffbench.methods.names())
        assert len({c.n for c in mine}) == 2
        assert {c.dtype for c in mine} == {"float32", "float64"}


def test_cases_are_grouped_by_point_and_unique():
    cases = [c for c in load_suite("smoke").cases(["cpu"]) if isinstance(c, GradientCase)]
    groups = [c.group for c in cases]
    changes = sum(a != b for a, b in zip(groups, groups[1:], strict=False))
    assert changes == len(set(groups)) - 1  # each group is contiguous
    assert len({c.key() for c in cases}) == len(cases)


def test_fixed_dimension_functions_run_at_their_own_n(tmp_path):
    suite = _suite(
        '[[gradients]]\nfunctions = ["beale", "sphere"]\ndims = [3, 5]\nmethods = ["central"]\n',
        tmp_path,
    )
    points = {(c.function, c.n) for c in suite.cases(["cpu"])}
    assert points == {("beale", 2), ("sphere", 3), ("sphere", 5)}


def test_wildcards_tags_params_sweeps_and_dtype_filter(tmp_path):
    suite = _suite(
        """
        [suite]
        dtypes = ["float32", "float64"]
        [[gradients]]
        functions = ["*"]
        tags = ["convex", "separable"]
        dims = [4]
        methods = ["central", "reverse_ad"]
        params = { central = { step = [1e-2, 1e-4] } }
        [[sweeps]]
        functions = ["rosenbrock"]
        dims = [3]
        methods = ["forward"]
        """,
        tmp_path,
    )
    cases = suite.cases(["cpu"], dtypes=["float64"])
    grads = [c for c in cases if isinstance(c, GradientCase)]
    assert {c.dtype for c in cases} == {"float64"}
    assert {c.function for c in grads} == set(diffbench.functions.names(["convex", "separable"]))
    steps = {json.loads(c.params)["step"] for c in grads if c.method == "central"}
    assert steps == {1e-2, 1e-4}
    assert [type(c) for c in cases if not isinstance(c, GradientCase)] == [SweepCase]


def test_run_blocks_expand_over_optimizers_and_rates(tmp_path):
    suite = _suite(
        '[[runs]]\nfunctions = ["sphere"]\ndims = [2, 3]\noptimizers = ["sgd", "adam"]\n'
        "lr = [0.1, 0.01]\nsteps = 10\nstarts = 2\n",
        tmp_path,
    )
    runs = suite.cases(["cpu"], ["float64"])
    assert len(runs) == 2 * 2 * 2 and all(isinstance(c, RunCase) for c in runs)
    assert {c.steps for c in runs} == {10}


# Issue 13: every key of every block, set away from its default, must reach the cases it
# configures. kind -> key -> (TOML value, the case field it sets, the values the cases carry;
# None: checked through another key of the same table).
BLOCK_KEYS = {
    "gradients": {
        "functions": ('["sphere", "rosenbrock", "linear_regression"]', "function", None),
        "tags": ('["convex"]', "function", {"sphere", "linear_regression"}),  # not rosenbrock
        "dims": ("[3]", "n", {3, 5}),  # linear_regression has its own n = 5
        "methods": ('["central"]', "method", {"central"}),
        "params": ("{ central = { step = [1e-3, 1e-4] } }", "params", {1e-3, 1e-4}),
        "dtypes": ('["float32"]', "dtype", {"float32"}),
        "timing": ("{ budget_s = 0.125, min_repeats = 7 }", "timing", {(0.125, 7)}),
    },
    "sweeps": {
        "functions": ('["sphere", "rosenbrock", "linear_regression"]', "function", None),
        "tags": ('["convex"]', "function", {"sphere", "linear_regression"}),
        "dims": ("[3]", "n", {3, 5}),
        "methods": ('["central4"]', "method", {"central4"}),
        "dtypes": ('["float32"]', "dtype", {"float32"}),
    },
    "runs": {
        "functions": ('["sphere", "rosenbrock", "linear_regression"]', "function", None),
        "tags": ('["convex"]', "function", {"sphere", "linear_regression"}),
        "dims": ("[3]", "n", {3, 5}),
        "optimizers": ('["adam"]', "optimizer", {"adam"}),
        "lr": ("[0.25]", "lr", {0.25}),
        "steps": ("7", "steps", {7}),
        "starts": ("5", "starts", {10}),  # 5 per device x 2 shards: scale = "weak"
        "seed": ("11", "seed", {11}),  # the suite's own seed is 3
        "dtypes": ('["float32"]', "dtype", {"float32"}),
        "batch": ("16", "batch", {16}),
        "repeats": ("4", "repeats", {4}),
        "shards": ("[2]", "shards", {2}),
        "scale": ('"weak"', "starts", {10}),
    },
    "studies": {
        "names": ('["saddles", "learning-rate"]', "study", {"saddles", "learning-rate"}),
        "size": ('"small"', "size", {"small"}),
    },
}


def _seen(case, field):
    """The value of ``field`` on a case, in the form ``BLOCK_KEYS`` states it."""
    value = getattr(case, field)
    if field == "params":
        return json.loads(value)["step"]
    if field == "timing":
        return (value.budget_s, value.min_repeats)
    return value


@pytest.mark.parametrize("kind", sorted(BLOCK_KEYS))
def test_every_key_of_every_block_reaches_its_cases(kind, tmp_path):
    """Each key of a block, set away from its default, is on every case the block makes."""
    from diffbench.harness.blocks import BLOCKS

    keys = BLOCK_KEYS[kind]
    assert set(keys) == BLOCKS[kind].keys(), f"a [[{kind}]] key without a check here"
    body = "\n".join(f"{key} = {value}" for key, (value, _, _) in keys.items())
    cases = _suite(f"[suite]\nseed = 3\n[[{kind}]]\n{body}\n", tmp_path).cases(["cpu"])
    assert cases
    for key, (_, field, want) in keys.items():
        if want is not None:
            assert {_seen(case, field) for case in cases} == want, key


def test_suite_and_timing_tables_reach_the_cases(tmp_path):
    """[suite] dtypes and seed and every [timing] key are inherited by blocks that set none."""
    from dataclasses import fields

    from diffbench.harness.timing import TimingPolicy

    timing = {"budget_s": 0.375, "sample_s": 0.0625, "min_repeats": 2, "max_repeats": 9}
    timing |= {"warmup": 4, "max_batch": 6}
    assert set(timing) == {f.name for f in fields(TimingPolicy)}, "a [timing] key unchecked"
    text = (
        '[suite]\ndescription = "d"\ndtypes = ["float32"]\ndevices = ["gpu"]\nseed = 9\n'
        "plugins = []\n[timing]\n"
        + "\n".join(f"{k} = {v}" for k, v in timing.items())
        + '\n[[gradients]]\nfunctions = ["sphere"]\ndims = [2]\nmethods = ["forward"]\n'
        '[[runs]]\nfunctions = ["sphere"]\ndims = [2]\n'
    )
    suite = _suite(text, tmp_path)
    assert (suite.description, suite.devices, suite.plugins) == ("d", ("gpu",), ())
    grad, run = suite.cases(["cpu"])
    assert {grad.dtype, run.dtype} == {"float32"} and run.seed == 9
    assert {k: getattr(grad.timing, k) for k in timing} == timing


def test_builtin_suites_pass_batch_and_repeats_on():
    """full.toml's finite-sum block runs minibatches of 16; smoke.toml times one call."""
    full = [c for c in load_suite("full").cases(["cpu"]) if isinstance(c, RunCase)]
    assert {c.batch for c in full if c.function == "logistic_regression"} == {16}
    assert {c.batch for c in full if c.function == "rosenbrock"} == {None}
    smoke = [c for c in load_suite("smoke").cases(["cpu"]) if isinstance(c, RunCase)]
    assert smoke and {c.repeats for c in smoke} == {1}


@pytest.mark.parametrize(
    "text, message",
    [
        ('[[gradients]]\nfunctions = ["rosenbrok"]\ndims = [2]', "Did you mean: rosenbrock"),
        ('[[gradients]]\nfunctions = ["sphere"]\ndims = [2]\nmethods = ["centrl"]', "central"),
        ('[[gradients]]\nfunctions = ["sphere"]\ndim = [2]', "Did you mean: dims"),
        ('[[gradients]]\nfunctions = ["sphere"]\ndims = [0]', "must be >= 1"),
        ('[[gradients]]\nfunctions = ["sphere"]\ndims = [2.5]', "whole numbers"),
        ('[[gradients]]\nfunctions = ["rosenbrock"]\ndims = [1]', "supports none of dims"),
        ('[suite]\ndtypes = ["float16"]\n[[gradients]]\nfunctions="sphere"\ndims=2', "float16"),
        ('[timing]\nbudget = 1\n[[gradients]]\nfunctions="sphere"\ndims=2', "budget_s"),
        ("[suite]\n", "has no [[gradients]]"),
        ("this is = = not toml", "not valid TOML"),
        (
            '[[gradients]]\nfunctions="sphere"\ndims=2\nmethods=["central"]\n'
            "params = { central = { stp = 1 } }",
            "no parameter `stp`",
        ),
        (
            '[[runs]]\nfunctions="sphere"\ndims=2\noptimizers=["adma"]\nsteps=5',
            "Did you mean: adam",
        ),
    ],
)
def test_bad_suites_are_one_line_errors(tmp_path, text, message):
    with pytest.raises(diffbench.DiffbenchError) as info:
        _suite(text, tmp_path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_unknown_suite_names_the_nearest():
    with pytest.raises(diffbench.DiffbenchError, match="Did you mean: smoke"):
        load_suite("smok")


def test_parse_suite_takes_a_parsed_document():
    suite = parse_suite({"gradients": [{"functions": "sphere", "dims": 2}]}, "inline")
    assert suite.name == "inline" and suite.cases(["cpu"])


def test_a_levels_list_is_one_value_and_a_list_of_lists_sweeps_it(tmp_path):
    """The parser checks ``levels = [2, 3]`` as one value; the expansion must not sweep it."""
    head = '[[gradients]]\nfunctions = ["sphere"]\ndims = [2]\nmethods = ["richardson"]\n'
    one = _suite(head + "params = { richardson = { levels = [2, 3] } }\n", tmp_path)
    assert [json.loads(c.params)["levels"] for c in one.cases(["cpu"], ["float64"])] == [[2, 3]]
    two = _suite(head + "params = { richardson = { levels = [[2], [3]] } }\n", tmp_path)
    swept = [json.loads(c.params)["levels"] for c in two.cases(["cpu"], ["float64"])]
    assert sorted(swept) == [[2], [3]]
