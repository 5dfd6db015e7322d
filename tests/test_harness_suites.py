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


RUN_KEYS = {
    # suite key -> (TOML value, the RunCase field it sets, the values the cases must carry)
    "functions": ('["sphere", "rosenbrock", "linear_regression"]', "function", None),
    "tags": ('["convex"]', "function", {"sphere", "linear_regression"}),  # not rosenbrock
    "dims": ("[3]", "n", {3, 5}),  # linear_regression has its own n = 5
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
}


def test_every_runs_key_reaches_its_case(tmp_path):
    """Issue 13: each key of a [[runs]] block, set away from its default, is on the cases."""
    from diffbench.harness.suites import _BLOCKS

    assert set(RUN_KEYS) == _BLOCKS["runs"], "a [[runs]] key without a check here"
    body = "\n".join(f"{key} = {value}" for key, (value, _, _) in RUN_KEYS.items())
    cases = _suite(f"[suite]\nseed = 3\n[[runs]]\n{body}\n", tmp_path).cases(["cpu"])
    assert len(cases) == 2
    for key, (_, field, want) in RUN_KEYS.items():
        if want is not None:
            assert {getattr(case, field) for case in cases} == want, key


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
