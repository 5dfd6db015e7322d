"""A suite's blocks as typed records: one frozen dataclass per ``[[kind]]`` table.

Each TOML key of a block is a keyword of its dataclass (``functions``, ``tags`` and ``dims``
together make ``points``), so ``_spec.block`` builds a block by keyword from the checked table
and an unknown key is an error naming the key and the block. Each block expands itself into
cases, again by keyword: a key that the parser accepts but the expansion drops fails
``tests/test_harness_suites.py::test_every_key_of_every_block_reaches_its_cases``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from .cases import GradientCase, RunCase, StudyCase, SweepCase, canonical
from .timing import TimingPolicy

POINT_KEYS = ("functions", "tags", "dims")
"""The TOML keys that together give a block's ``points`` (``(function, n)`` pairs)."""

Point = tuple[str, int]


@dataclass(frozen=True)
class Defaults:
    """What a block inherits from its suite: the session seed and the ``[timing]`` policy."""

    seed: int = 0
    timing: TimingPolicy = field(default_factory=TimingPolicy)


class _Block:
    """The keys of a block: its dataclass fields, with ``points`` spelled as ``POINT_KEYS``."""

    kind: ClassVar[str]
    required: ClassVar[tuple[str, ...]] = ("functions", "dims")

    @classmethod
    def keys(cls) -> set[str]:
        """Return the TOML keys this block accepts."""
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return (names - {"points"}) | (set(POINT_KEYS) if "points" in names else set())


@dataclass(frozen=True)
class GradientsBlock(_Block):
    """``[[gradients]]``: functions x dims x methods x dtypes; a list in ``params`` sweeps it.

    Attributes:
        points: the ``(function, n)`` pairs of ``functions``, ``tags`` and ``dims``.
        methods: resolved method names (``*`` expanded).
        params: ``{method: {parameter: value or [values]}}``.
        dtypes: the block's dtypes (None: the suite's).
        timing: the block's timing policy (None: the suite's ``[timing]``).
    """

    points: tuple[Point, ...]
    methods: tuple[str, ...]
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    dtypes: tuple[str, ...] | None = None
    timing: TimingPolicy | None = None

    kind: ClassVar[str] = "gradients"

    def cases(self, device: str, dtypes: list[str], suite: Defaults) -> list[GradientCase]:
        """One case per point x dtype x method x parameter set."""
        from .. import methods as registry

        out = []
        for (function, n), dtype, method in itertools.product(self.points, dtypes, self.methods):
            defaults = dict(registry.get(method).defaults)
            for params in _param_grid(defaults, self.params.get(method, {})):
                out.append(
                    GradientCase(
                        function=function,
                        n=n,
                        dtype=dtype,
                        device=device,
                        method=method,
                        params=params,
                        timing=self.timing or suite.timing,
                    )
                )
        return out


@dataclass(frozen=True)
class SweepsBlock(_Block):
    """``[[sweeps]]``: error-vs-step curves of finite-difference methods.

    Attributes:
        points: the ``(function, n)`` pairs.
        methods: resolved method names.
        dtypes: the block's dtypes (None: the suite's).
    """

    points: tuple[Point, ...]
    methods: tuple[str, ...]
    dtypes: tuple[str, ...] | None = None

    kind: ClassVar[str] = "sweeps"

    def cases(self, device: str, dtypes: list[str], suite: Defaults) -> list[SweepCase]:
        """One case per point x dtype x method."""
        return [
            SweepCase(function=function, n=n, dtype=dtype, device=device, method=method)
            for (function, n), dtype, method in itertools.product(self.points, dtypes, self.methods)
        ]


@dataclass(frozen=True)
class RunsBlock(_Block):
    """``[[runs]]``: optimizer runs (``diffbench.optimize.minimize``).

    Attributes:
        points: the ``(function, n)`` pairs.
        optimizers: optimizer names.
        lr: learning rates (each one a case).
        steps: optimizer steps per run.
        starts: starting points sampled in the function's bounds.
        seed: the seed of the starts and minibatches (None: the suite's).
        batch: minibatch size, in examples (None: full gradients).
        repeats: timed calls of the compiled runner.
        shards: device counts the runs are split over (each one a case; ``minimize(devices=)``).
        scale: ``strong`` (the same starts on every device count) or ``weak`` (``starts`` per
            device: ``starts x shards`` in all).
        dtypes: the block's dtypes (None: the suite's).
    """

    points: tuple[Point, ...]
    optimizers: tuple[str, ...] = ("sgd",)
    lr: tuple[float, ...] = (1e-3,)
    steps: int = 1000
    starts: int = 1
    seed: int | None = None
    batch: int | None = None
    repeats: int = 3
    shards: tuple[int, ...] = (1,)
    scale: str = "strong"
    dtypes: tuple[str, ...] | None = None

    kind: ClassVar[str] = "runs"

    def cases(self, device: str, dtypes: list[str], suite: Defaults) -> list[RunCase]:
        """One case per point x dtype x optimizer x learning rate x device count."""
        return [
            RunCase(
                function=function,
                n=n,
                dtype=dtype,
                device=device,
                optimizer=optimizer,
                lr=lr,
                steps=self.steps,
                starts=self.starts * (shards if self.scale == "weak" else 1),
                seed=suite.seed if self.seed is None else self.seed,
                batch=self.batch,
                repeats=self.repeats,
                shards=shards,
            )
            for (function, n), dtype, optimizer, lr, shards in itertools.product(
                self.points, dtypes, self.optimizers, self.lr, self.shards
            )
        ]


@dataclass(frozen=True)
class StudiesBlock(_Block):
    """``[[studies]]``: studies of ``diffbench.studies``, one table each.

    Attributes:
        names: resolved study names (``*`` expanded).
        size: ``default`` or ``small``.
    """

    names: tuple[str, ...]
    size: str = "default"

    kind: ClassVar[str] = "studies"
    required: ClassVar[tuple[str, ...]] = ("names",)

    def cases(self, device: str, dtypes: list[str], suite: Defaults) -> list[StudyCase]:
        """One case per study (studies choose their own dtypes)."""
        return [StudyCase(study=name, size=self.size, device=device) for name in self.names]


Block = GradientsBlock | SweepsBlock | RunsBlock | StudiesBlock

BLOCKS: dict[str, type[GradientsBlock | SweepsBlock | RunsBlock | StudiesBlock]] = {
    cls.kind: cls for cls in (GradientsBlock, SweepsBlock, RunsBlock, StudiesBlock)
}
"""Block kind (the TOML array name) -> its dataclass."""


def _param_grid(defaults: dict[str, Any], overrides: Mapping[str, Any]) -> list[str]:
    """Return canonical JSON parameter sets: defaults updated by overrides, lists swept.

    ``levels`` takes a list as one value; a list of lists sweeps it.
    """
    names = sorted(overrides)
    values = [_sweep_values(k, overrides[k]) for k in names]
    return [
        canonical({**defaults, **dict(zip(names, combo, strict=True))})
        for combo in itertools.product(*values)
    ]


def _sweep_values(key: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        return [value]
    if key == "levels" and not any(isinstance(v, list) for v in value):
        return [value]
    return value
