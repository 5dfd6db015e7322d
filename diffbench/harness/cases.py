"""The cases a session measures: one gradient measurement, one step sweep, one optimizer run.

Each case has a ``key`` (a canonical JSON string of what identifies it, used by ``--resume``
and by the result-set journal) and a ``label`` (the short identity that prefixes its progress
line and its error message).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .timing import TimingPolicy


def canonical(value: Any) -> str:
    """Return ``value`` as compact JSON with sorted keys (the form of keys and ``params``)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class GradientCase:
    """One gradient method on one function, size, dtype and device.

    Attributes:
        function: registry name.
        n: dimension.
        dtype: ``float32`` or ``float64``.
        device: JAX platform, ``cpu`` or ``gpu``.
        method: gradient method name.
        params: the method's parameters (its defaults updated by the suite) as JSON.
        timing: how long to time it.
    """

    function: str
    n: int
    dtype: str
    device: str
    method: str
    params: str = "{}"
    timing: TimingPolicy = field(default_factory=TimingPolicy, compare=False)

    table = "gradients"

    @property
    def group(self) -> tuple[str, int, str, str]:
        """Cases sharing a group share one point and one timing of f."""
        return (self.function, self.n, self.dtype, self.device)

    def key(self) -> str:
        """The identity used by ``--resume`` and by ``compare``."""
        return canonical([self.function, self.n, self.dtype, self.device, self.method, self.params])

    def label(self) -> str:
        """``rosenbrock n=8 float32 cpu central`` (plus parameters that differ from defaults)."""
        from .. import methods

        try:
            defaults = methods.get(self.method).defaults
        except (KeyError, ValueError):
            defaults = {}
        extra = {k: v for k, v in json.loads(self.params).items() if defaults.get(k, v) != v}
        tail = " " + " ".join(f"{k}={v}" for k, v in extra.items()) if extra else ""
        return f"{self.function} n={self.n} {self.dtype} {self.device} {self.method}{tail}"


@dataclass(frozen=True)
class SweepCase:
    """The error-vs-step curve of one finite-difference method (one vmapped call over steps)."""

    function: str
    n: int
    dtype: str
    device: str
    method: str

    table = "sweeps"

    def key(self) -> str:
        """The identity used by ``--resume``."""
        return canonical(["sweep", self.function, self.n, self.dtype, self.device, self.method])

    def label(self) -> str:
        """``sweep rosenbrock n=8 float64 cpu central``."""
        return f"sweep {self.function} n={self.n} {self.dtype} {self.device} {self.method}"


@dataclass(frozen=True)
class RunCase:
    """One optimizer on one function, size, dtype and device, from ``starts`` starting points.

    Attributes:
        function: registry name.
        n: dimension.
        dtype: ``float32`` or ``float64``.
        device: JAX platform.
        optimizer: optax optimizer name.
        lr: learning rate.
        steps: optimizer steps.
        starts: number of starting points sampled in the function's bounds.
        seed: the PRNG seed of the starts (and minibatches).
        batch: minibatch size for SGD on finite-sum objectives (None: full gradients).
        repeats: timed calls of the compiled runner.
        shards: the devices its runs are split over (``minimize(devices=)``; 1: one device).
    """

    function: str
    n: int
    dtype: str
    device: str
    optimizer: str
    lr: float
    steps: int
    starts: int = 1
    seed: int = 0
    batch: int | None = None
    repeats: int = field(default=3, compare=False)
    shards: int = 1

    table = "runs"

    def key(self) -> str:
        """The identity used by ``--resume`` (``shards`` only when not 1: older keys hold)."""
        return canonical(
            ["run", self.function, self.n, self.dtype, self.device, self.optimizer, self.lr]
            + [self.steps, self.starts, self.seed, self.batch]
            + ([self.shards] if self.shards != 1 else [])
        )

    def label(self) -> str:
        """``run rosenbrock n=2 float64 cpu adam lr=0.01``."""
        shards = f" on {self.shards} devices" if self.shards != 1 else ""
        return (
            f"run {self.function} n={self.n} {self.dtype} {self.device} "
            f"{self.optimizer} lr={self.lr:g}{shards}"
        )


@dataclass(frozen=True)
class StudyCase:
    """One study of ``diffbench.studies`` at one size, on one device: a table of its own.

    Attributes:
        study: the study name (``local-minima``).
        size: ``default`` or ``small``.
        device: JAX platform the study runs on.
    """

    study: str
    size: str
    device: str

    @property
    def table(self) -> str:
        """``study_<name>``: the result-set table its rows go to."""
        return "study_" + self.study.replace("-", "_")

    def key(self) -> str:
        """The identity used by ``--resume``."""
        return canonical(["study", self.study, self.size, self.device])

    def label(self) -> str:
        """``study local-minima default cpu``."""
        return f"study {self.study} {self.size} {self.device}"
