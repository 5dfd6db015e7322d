"""``minimize``'s knobs, grouped into small frozen option objects (diffrax's ``SaveAt`` and
``StepSizeController`` are the model): ``Stop`` (when runs end), ``Records`` (what they record),
``Grid`` (which runs), ``Timing`` (how the compiled runner is timed); ``_runner.Plan`` (how the
loop is compiled) is the fifth.

``Stop``, ``Records`` and ``Plan`` shape the compiled loop, so the resolved objects are part of
the runner cache key; values passed to the runner as arguments (``tol``, ``f_opt``, the grid)
are left out of their equality, so a new tolerance, optimum or grid never recompiles.

Every field is also accepted as a flat keyword of ``minimize`` (``minimize(..., tol=1e-8)`` is
``minimize(..., stop=Stop(tol=1e-8))``); a flat keyword replaces that field of the object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .._errors import DiffbenchError, closest


@dataclass(frozen=True)
class Stop:
    """When each run ends.

    Attributes:
        steps: the step budget (optimizer updates); for finite sums ``epochs`` may give it.
        epochs: passes over the data (``steps = epochs * (size // batch)``), with ``batch``.
        tol: stop a run once its gradient 2-norm is <= ``tol`` or it reached the last target
            (a ``lax.while_loop`` that ends when every run stopped, or at ``steps``). Only
            whether it is set shapes the compiled loop (``early``); its value is an argument.
    """

    steps: int | None = None
    epochs: int | None = None
    tol: float | None = field(default=None, compare=False)
    early: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "early", self.tol is not None)


@dataclass(frozen=True)
class Records:
    """What each run records.

    Attributes:
        check_every: record the loss (targets, divergence) every this many steps; between
            checks only gradients are computed. Must divide ``steps`` and ``trace_every``.
        trace_every: stride of the loss trace, in steps (None: at most ~100 intervals).
        f_opt: the optimum the targets sit above (None: the registry's ``f_opt``); an
            argument of the runner, not part of its key.
    """

    check_every: int = 1
    trace_every: int | None = None
    f_opt: float | None = field(default=None, compare=False)


@dataclass(frozen=True, eq=False)
class Grid:
    """Which runs: every start x learning rate x seed, vmapped together.

    Attributes:
        starts: sample this many starts uniformly in the function's bounds from ``key``
            (instead of ``x0``).
        lr: a learning rate or a grid of them (default: the optimizer's).
        seeds: run seeds (e.g. ``range(5)``); each run's minibatches come from ``key(seed)``.
        key: the seed of the starts' sampling, and the one run seed when ``seeds`` is None.
        devices: devices to split the runs over (None: all of the platform's, at most one per run;
            a count; or a list of ``jax.Device``; see ``diffbench.distributed``).

    The grid's values are runner arguments: a new grid of the same size never recompiles.
    """

    starts: int | None = None
    lr: float | Sequence[float] | None = None
    seeds: Sequence[int] | None = None
    key: int = 0
    devices: Any = None


@dataclass(frozen=True)
class Timing:
    """How the compiled runner is called.

    Attributes:
        repeats: timed calls (the median gives ``step_time_s``); each is a full, identical run.
        warmup: untimed calls before them (caches, page faults, thread pools).
    """

    repeats: int = 1
    warmup: int = 0


_FLAT = {f.name: Stop for f in fields(Stop) if f.init}
_FLAT |= {f.name: Records for f in fields(Records)}
_FLAT |= {f.name: Grid for f in fields(Grid)}
_FLAT |= {f.name: Timing for f in fields(Timing)}


def gather(flat: dict[str, Any], given: dict[type, Any]) -> dict[type, Any]:
    """Return ``{option class: object}``: each given object (or its default) with the flat
    keywords of its fields applied.

    Raises:
        DiffbenchError: a keyword that is no field of any option object (nearest ones named).
    """
    for name in flat:
        if name not in _FLAT:
            near = closest(name, [*_FLAT, "unroll", "donate"])
            hint = f" Did you mean: {', '.join(near)}?" if near else ""
            raise DiffbenchError(f"minimize() got an unexpected keyword `{name}`.{hint}")
    out = {}
    for cls in (Stop, Records, Grid, Timing):
        base = given.get(cls)
        if base is not None and not isinstance(base, cls):
            raise DiffbenchError(
                f"{cls.__name__.lower()}= takes a diffbench.optimize.{cls.__name__}; "
                f"got {type(base).__name__}."
            )
        mine = {k: v for k, v in flat.items() if _FLAT[k] is cls}
        out[cls] = replace(base or cls(), **mine)
    return out
