"""Planted regressions for ``gate_power.py``: throwaway revisions of the code, and their scoring.

A *revision* is a list of textual edits of BASE's source (file, anchor, replacement); a *plant*
is one regression inside a revision, given by the gate-suite cases it slows down. Plants that
do not interact share one revision and hit disjoint cases, so one paired run of BASE against
that revision tests all of them at once:

- ``combined`` (17 of the gate suite's 40 cases):
    - ``central_twice``: ``central`` evaluates its stencil twice (8 cases, ~2x);
    - ``central4_20``: ``central4`` does 20% more work in time on each of its 8 cases: ``m``
      more evaluations of f per call at distinct points, with ``m`` per case set from a
      direct timing (``CENTRAL4_EXTRA``; ``gate_plant_effects.py`` measures what it gives);
    - ``one_case_50``: the single case ackley n=128 float64 ``forward`` is 50% slower the
      same way (``ONE_CASE_EXTRA``);
- ``ackley_more``: ackley's definition gains a ``0 * mean(sin(c x))`` term: its value is
  unchanged, every method's gradient of it does more arithmetic (20 cases);
- ``forward_retraces``: ``forward`` jits a fresh closure on every call (traces and compiles on
  every call). Kept apart: it slows its cases by orders of magnitude.

Scoring (``score``): a flagged unit (case, group, method, function, session) *finds* a plant
when it contains at least one of the plant's cases and no case of another plant of the same
revision (``rosenbrock`` flagged in ``combined`` mixes three plants and finds none of them). A
flagged unit that contains no planted case at all is a false alarm. The extra work is added as
``0.0 * sum(...)``: XLA does not fold ``0 * v`` for floats (``v`` may be NaN), so it is done.
"""

from __future__ import annotations

OPAQUE = "(1 + 0 * {x}[0]) * {x}"
"""``x`` again, in a form XLA cannot prove equal to ``x``, so work on it is not merged."""
AGAIN = OPAQUE.format(x="x")
FD = "diffbench/methods/finite_difference.py"
CLASSIC = "diffbench/functions/classic.py"
STENCIL_LINE = "        return lambda x: stencil_gradient(objective.jax_fn, x, stencil, h)\n"
FD_TAIL = '_DESCRIPTIONS = {\n    "forward":'

CENTRAL4_EXTRA = {
    ("rosenbrock", 64, "float32"): 0.7,
    ("rosenbrock", 64, "float64"): 0.85,
    ("rosenbrock", 128, "float32"): 1.05,
    ("rosenbrock", 128, "float64"): 1.1,
    ("ackley", 64, "float32"): 0.8,
    ("ackley", 64, "float64"): 0.8,
    ("ackley", 128, "float32"): 0.85,
    ("ackley", 128, "float64"): 0.8,
}
"""Extra evaluations of f per call, as a fraction of n, that make ``central4`` (4n evaluations)
20% slower in time. Chosen from a direct side-by-side timing of 0.4n-1.2n extra evaluations on
the 2-core machine (single-threaded XLA, one core): the time does not grow in proportion to
the evaluations (dispatch, and batches that fit the cache or not), so it is set per case."""
ONE_CASE = ("ackley", 128, "float64", "forward")
ONE_CASE_EXTRA = 0.55
"""0.55 n more evaluations made ``forward`` (n + 1 evaluations) of ackley n=128 float64 1.46x
(0.5 n) to 1.55x (0.6 n) slower in the same direct timing."""

PLANTED_WORK = '''
def _planted_work(f, x, fraction):
    """Planted: round(fraction n) more evaluations of f, at x + 1e-3 k e_i (distinct points)."""
    n = x.shape[0]
    k = jnp.arange(max(1, round(fraction * n)))
    rows = jax.nn.one_hot(k % n, n, dtype=x.dtype) * (1 + k // n)[:, None].astype(x.dtype)
    return jax.vmap(f)(x[None, :] + 1e-3 * rows).sum()


'''


def _combined_stencil() -> str:
    extra = {(*key, "central4"): value for key, value in CENTRAL4_EXTRA.items()}
    extra[ONE_CASE] = ONE_CASE_EXTRA
    return (
        '        if name == "central":  # planted: the stencil evaluated twice\n'
        "            return lambda x: 0.5 * (\n"
        "                stencil_gradient(objective.jax_fn, x, stencil, h)\n"
        f"                + stencil_gradient(objective.jax_fn, {AGAIN}, stencil, h)\n"
        "            )\n"
        '        tf = getattr(objective, "definition", None)\n'
        '        key = (getattr(tf, "name", ""), n, np.dtype(dtype).name, name)\n'
        f"        fraction = {extra!r}.get(key)  # planted: more work on these cases\n"
        "        if fraction:\n"
        "            return lambda x: stencil_gradient(\n"
        "                objective.jax_fn, x, stencil, h\n"
        "            ) + 0.0 * _planted_work(objective.jax_fn, x, fraction)\n" + STENCIL_LINE
    )


REVISIONS = {
    "combined": [(FD, STENCIL_LINE, _combined_stencil()), (FD, FD_TAIL, PLANTED_WORK + FD_TAIL)],
    "ackley_more": [
        (
            CLASSIC,
            "xp.exp(xp.mean(xp.cos(c * x))) + a + xp.e\n",
            "xp.exp(xp.mean(xp.cos(c * x))) + a + xp.e + 0.0 * xp.mean(xp.sin(c * x))\n",
        )
    ],
    "forward_retraces": [
        (
            FD,
            STENCIL_LINE,
            '        if name == "forward":  # planted: a fresh jit (trace + compile) per call\n'
            "            return lambda x: jax.jit(\n"
            "                lambda y: stencil_gradient(objective.jax_fn, y, stencil, h)\n"
            "            )(x)\n" + STENCIL_LINE,
        ),
        (
            FD,
            '        defaults={"step": None},\n        description=_DESCRIPTIONS[name],',
            '        defaults={"step": None},\n        jittable=name != "forward",\n'
            "        description=_DESCRIPTIONS[name],",
        ),
    ],
}
"""Revision -> [(file, anchor text found exactly once, replacement)]."""

PLANTS = {
    "central_twice": ("combined", lambda c: c["method"] == "central"),
    "central4_20": ("combined", lambda c: c["method"] == "central4"),
    "one_case_50": (
        "combined",
        lambda c: (c["function"], c["n"], c["dtype"], c["method"]) == ONE_CASE,
    ),
    "ackley_more": ("ackley_more", lambda c: c["function"] == "ackley"),
    "forward_retraces": ("forward_retraces", lambda c: c["method"] == "forward"),
}
"""Plant -> (its revision, which gate-suite cases it slows: a test on the parsed case label)."""


def suite_labels(suite: str = "gate") -> list[str]:
    """The labels of the suite's gradient cases (``ackley n=128 float64 cpu forward``)."""
    from diffbench.harness.suites import load_suite

    spec = load_suite(suite)
    return [c.label() for c in spec.cases(["cpu"]) if c.table == "gradients"]


def parse_label(label: str) -> dict:
    """``'ackley n=128 float64 cpu forward'`` -> function, n, dtype, device, method."""
    function, n, dtype, device, method = label.split(" ", 4)
    return {"function": function, "n": int(n[2:]), "dtype": dtype, "device": device,
            "method": method}  # fmt: skip


def members(unit: dict, labels: list[str]) -> set[str]:
    """The case labels a verdict unit of ``comparison.json`` pools."""
    from diffbench.gate._stats import n_range

    level, name = unit["level"], unit["unit"]
    if level == "case":
        return {name}
    if level == "session":
        return set(labels)
    out = set()
    for label in labels:
        c = parse_label(label)
        key = {
            "group": f"{c['function']} {n_range(c['n'])} {c['dtype']} {c['method']}",
            "method": c["method"],
            "function": c["function"],
        }[level]
        if key == name:
            out.add(label)
    return out


def planted_cases(revision: str, labels: list[str]) -> dict[str, set[str]]:
    """Plant -> the labels it slows, for the plants of ``revision`` (empty for A/A)."""
    return {
        plant: {label for label in labels if hit(parse_label(label))}
        for plant, (rev, hit) in PLANTS.items()
        if rev == revision
    }


def score(revision: str, result: dict) -> dict:
    """Score one run's ``comparison.json``.

    Returns:
        ``{"timing": {plant: found}, "cost": {plant: found}, "false": [units],
        "flagged": [units]}``: timing findings by the rule of the module docstring; cost
        findings on a case of the plant; flagged units with no planted case (false alarms).
    """
    labels = suite_labels()
    plants = planted_cases(revision, labels)
    planted = set().union(*plants.values()) if plants else set()
    flagged = [u for u in result.get("timing", []) if u["verdict"] == "regressed"]
    timing = dict.fromkeys(plants, False)
    false = []
    for unit in flagged:
        inside = members(unit, labels)
        hits = [p for p, cases in plants.items() if inside & cases]
        if len(hits) == 1:
            timing[hits[0]] = True
        if not inside & planted:
            false.append(unit["unit"])
    cost = {
        plant: any(f["case"] in cases for f in result.get("cost", []))
        for plant, cases in plants.items()
    }
    return {"timing": timing, "cost": cost, "false": false,
            "flagged": [f"{u['level']}:{u['unit']}" for u in flagged]}  # fmt: skip
