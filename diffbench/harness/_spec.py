"""Validation of the values inside a suite, and the typed blocks built from them by keyword."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, fields, replace
from typing import Any

from .. import _limits
from .._checks import DTYPES
from .._errors import DiffbenchError, closest, unknown
from .blocks import POINT_KEYS, Block, RunsBlock
from .timing import TimingPolicy

_TIMING = {f.name for f in fields(TimingPolicy)}
_TIMING_SECONDS = {"budget_s", "sample_s"}
_TIMING_MINIMUM = {"min_repeats": 1, "max_repeats": 1, "warmup": 0, "max_batch": 1}
POINT_COPIES = 16
"""Arrays of length n a gradient case holds at once (x, shifted copies, gradient, reference):
the multiplier of the memory check of ``dims``."""


def block(cls: type[Block], raw: Any, where: str, timing: TimingPolicy) -> Block:
    """Validate one ``[[kind]]`` table and build its block by keyword.

    Each key is checked by its own checker (``_FIELDS``) and passed as the keyword of the same
    name; ``functions``, ``tags`` and ``dims`` give ``points``.

    Returns:
        The block (a frozen dataclass of ``diffbench.harness.blocks``).

    Raises:
        DiffbenchError: not a table, an unknown key (named, with the nearest ones), a missing
            required key, or a bad value.
    """
    allowed = cls.keys()
    check_keys(raw, allowed, where)
    for key in cls.required:
        if key not in raw:
            raise DiffbenchError(f"{where} needs `{key}`{_REQUIRED_HINT.get(key, '')}.")
    values: dict[str, Any] = {}
    if "dims" in allowed:
        values["points"] = tuple(points(raw["functions"], raw.get("tags"), raw["dims"], where))
    if "methods" in allowed:
        values["methods"] = tuple(methods(raw.get("methods", ["*"]), where))
    context = _Context(where, timing, values.get("methods", ()))
    for key in raw:
        if key not in POINT_KEYS and key != "methods":
            values[key] = _FIELDS[key](raw[key], context)
    built = cls(**values)
    if isinstance(built, RunsBlock):
        _check_runs_memory(built, where)
    return built


_REQUIRED_HINT = {"names": ' (study names, or "*" for all)'}


@dataclass(frozen=True)
class _Context:
    """What a key's checker may need besides its value."""

    where: str
    timing: TimingPolicy
    methods: tuple[str, ...]


def _check_runs_memory(block: RunsBlock, where: str) -> None:
    """Check each point's runs fit in memory before XLA sees the shapes (an error, no abort)."""
    total = block.starts * len(block.lr)
    for _, n in block.points:
        what = f"{total:,} runs (starts x lr) x n={n:,} in {where}"
        _limits.check_memory(what, POINT_COPIES * total * n, 8)


def points(names: Any, tags: Any, dims: Any, where: str) -> list[tuple[str, int]]:
    """Return the ``(function, n)`` pairs of a block (see the suites module docstring)."""
    from .. import functions

    names = string_list(names, "functions", where)
    wanted_tags = string_list(tags or [], "tags", where)
    for tag in wanted_tags:
        if tag not in functions.all_tags():
            raise unknown("tag", tag, functions.all_tags())
    sizes = [integer(d, "dims", where, minimum=1) for d in list_of(dims, "dims", where)]
    for n in sizes:
        _limits.check_memory(f"dims n={n:,} in {where}", POINT_COPIES * n, 8)
    chosen = functions.names(wanted_tags or None) if "*" in names else names
    pairs = []
    for name in dict.fromkeys(chosen):
        tf = functions.get(name)
        if wanted_tags and not set(wanted_tags) <= tf.tags:
            continue
        own = [tf.dim] if tf.dim is not None else [n for n in sizes if n >= tf.min_dim]
        if not own and "*" not in names:
            raise DiffbenchError(
                f"{where}: {name} supports none of dims {sizes} (it needs n >= {tf.min_dim})."
            )
        pairs += [(name, n) for n in dict.fromkeys(own)]
    return pairs


def methods(raw: Any, where: str) -> list[str]:
    """Return the method names of a block; ``*`` stands for every available method."""
    from .. import methods as registry

    names = string_list(raw, "methods", where)
    out: list[str] = []
    for name in names:
        out += registry.names() if name == "*" else [registry.get(name).name]
    return list(dict.fromkeys(out))


def params(raw: Any, names: list[str], where: str) -> dict[str, dict[str, Any]]:
    """Validate ``params = { method = { name = value or [values] } }`` against the methods."""
    if not isinstance(raw, dict):
        raise DiffbenchError(f"`params` in {where} must be a table of method tables.")
    for method, given in raw.items():
        if method not in names:
            raise DiffbenchError(f"{where}: params for `{method}`, which the block does not run.")
        if not isinstance(given, dict):
            raise DiffbenchError(f"{where}: params.{method} must be a table.")
        allowed = _defaults(method)
        for key, value in given.items():
            if key not in allowed:
                known = ", ".join(sorted(allowed)) or "none"
                raise DiffbenchError(
                    f"{where}: `{method}` has no parameter `{key}`; it takes: {known}."
                )
            _param_values(method, key, value, where)
    return dict(raw)


def _param_values(method: str, key: str, value: Any, where: str) -> None:
    """Check each value of a parameter (a list sweeps it; ``levels`` takes a list itself)."""
    from ..methods._method import check_param

    sweep = isinstance(value, list) and not (key == "levels" and not _nested(value))
    values = value if sweep else [value]
    if not values:
        raise DiffbenchError(f"{where}: params.{method}.{key} is an empty list.")
    for item in values:
        try:
            check_param(method, key, item)
        except DiffbenchError as exc:
            raise DiffbenchError(f"{where}: {exc}") from None


def _nested(value: list[Any]) -> bool:
    return any(isinstance(v, list) for v in value)


def dtypes(raw: Any, where: str) -> list[str]:
    """Validate a dtype list (``DTYPES``: ``float32``, ``float64``)."""
    return choices(raw, DTYPES, "dtype", where)


def choices(raw: Any, allowed: tuple[str, ...], what: str, where: str) -> list[str]:
    """Validate that every entry of a string list is one of ``allowed``."""
    values = string_list(raw, f"{what}s", where)
    for value in values:
        if value not in allowed:
            raise DiffbenchError(f"Unknown {what} `{value}` in {where}; use {', '.join(allowed)}.")
    return values


def string_list(raw: Any, what: str, where: str) -> list[str]:
    """Return ``raw`` as a list of strings (a single string becomes a list of one)."""
    values = [raw] if isinstance(raw, str) else list_of(raw, what, where)
    if not all(isinstance(v, str) for v in values):
        raise DiffbenchError(f"`{what}` in {where} must be strings; got {values!r}.")
    return values


def list_of(raw: Any, what: str, where: str) -> list[Any]:
    """Return ``raw`` as a list (a scalar becomes a list of one)."""
    return list(raw) if isinstance(raw, list | tuple) else [raw]


def integer(
    raw: Any, what: str, where: str, minimum: int = 0, maximum: int = _limits.MAX_ELEMENTS
) -> int:
    """Return ``raw`` as an int in ``[minimum, maximum]``; integral floats (``1e6``) count."""
    whole = isinstance(raw, int) or (isinstance(raw, float) and math.isfinite(raw))
    if isinstance(raw, bool) or not whole or float(raw) != int(raw):
        raise DiffbenchError(f"`{what}` in {where} must be whole numbers; got {raw!r}.")
    if int(raw) < minimum:
        raise DiffbenchError(f"`{what}` in {where} must be >= {minimum}; got {raw!r}.")
    if int(raw) > maximum:
        raise DiffbenchError(f"`{what}` in {where} must be <= {maximum:,}; got {raw!r}.")
    return int(raw)


def timing(raw: Any, where: str, base: TimingPolicy) -> TimingPolicy:
    """Return ``base`` with the fields of a ``[timing]`` table, each checked for type and range.

    Seconds (``budget_s``, ``sample_s``) are finite numbers >= 0; counts are whole numbers
    (``warmup`` >= 0, the others >= 1).
    """
    if not isinstance(raw, dict) or set(raw) - _TIMING:
        bad = sorted(set(raw) - _TIMING) if isinstance(raw, dict) else raw
        raise DiffbenchError(f"{where}: bad timing {bad!r}; keys are {', '.join(sorted(_TIMING))}.")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _TIMING_SECONDS:
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or not (math.isfinite(value) and value >= 0):
                raise DiffbenchError(f"`{key}` in {where} must be seconds >= 0; got {value!r}.")
            values[key] = float(value)
        else:
            values[key] = integer(value, key, where, minimum=_TIMING_MINIMUM[key])
    return replace(base, **values)


def _defaults(method: str) -> dict[str, Any]:
    from .. import methods as registry

    return dict(registry.get(method).defaults)


def _study_names(raw: Any, where: str) -> tuple[str, ...]:
    from .. import studies

    names = string_list(raw, "names", where)
    chosen = studies.names() if "*" in names else [studies.get(n).name for n in names]
    return tuple(dict.fromkeys(chosen))


def _study_size(raw: Any, where: str) -> str:
    from .. import studies

    if raw not in studies.SIZES:
        raise DiffbenchError(f"Unknown study size `{raw}` in {where}; use default or small.")
    return str(raw)


def seed(raw: Any, where: str) -> int:
    """Return a seed: a whole number in ``[0, 2**63)`` (seeds are 64-bit)."""
    if isinstance(raw, int) and not isinstance(raw, bool) and raw > _limits.MAX_SEED:
        raise DiffbenchError(f"`seed` in {where} must be a 64-bit seed, < 2**63; got {raw}.")
    return integer(raw, "seed", where, maximum=_limits.MAX_SEED)


def optimizers(raw: Any, where: str) -> list[str]:
    """Validate optimizer names against ``diffbench.optimize.names()``."""
    names = string_list(raw, "optimizers", where)
    known = optimizer_names()
    if known is None:
        raise DiffbenchError(
            f"{where} has optimizer runs, but diffbench.optimize is not available."
        )
    for name in names:
        if name not in known:
            raise unknown("optimizer", name, known)
    return names


def optimizer_names() -> list[str] | None:
    """Return ``diffbench.optimize.names()``, or None when the optimize package is missing."""
    try:
        from .. import optimize
    except ImportError:
        return None
    names = getattr(optimize, "names", None)
    return list(names()) if callable(names) else None


def _positive(raw: Any, what: str, where: str) -> float:
    number = isinstance(raw, int | float) and not isinstance(raw, bool)
    if not number or not (math.isfinite(raw) and raw > 0):
        raise DiffbenchError(f"`{what}` in {where} must be finite numbers > 0; got {raw!r}.")
    return float(raw)


def _scale(raw: Any, where: str) -> str:
    if raw not in ("strong", "weak"):
        raise DiffbenchError(f"`scale` in {where} must be strong or weak; got {raw!r}.")
    return str(raw)


def _rates(raw: Any, where: str) -> tuple[float, ...]:
    return tuple(_positive(v, "lr", where) for v in list_of(raw, "lr", where))


_FIELDS: dict[str, Callable[[Any, _Context], Any]] = {
    # a block's TOML key (besides functions, tags, dims, methods) -> its checker
    "params": lambda raw, c: params(raw, list(c.methods), c.where),
    "dtypes": lambda raw, c: tuple(dtypes(raw, c.where)),
    "timing": lambda raw, c: timing(raw, c.where, c.timing),
    "optimizers": lambda raw, c: tuple(optimizers(raw, c.where)),
    "lr": lambda raw, c: _rates(raw, c.where),
    "steps": lambda raw, c: integer(raw, "steps", c.where, minimum=1),
    "starts": lambda raw, c: integer(raw, "starts", c.where, minimum=1),
    "seed": lambda raw, c: seed(raw, c.where),
    "batch": lambda raw, c: integer(raw, "batch", c.where, minimum=1),
    "repeats": lambda raw, c: integer(raw, "repeats", c.where, minimum=1, maximum=10_000),
    "shards": lambda raw, c: tuple(
        integer(v, "shards", c.where, minimum=1, maximum=4096)
        for v in list_of(raw, "shards", c.where)
    ),
    "scale": lambda raw, c: _scale(raw, c.where),
    "names": lambda raw, c: _study_names(raw, c.where),
    "size": lambda raw, c: _study_size(raw, c.where),
}


def check_keys(table: Any, allowed: Collection[str], where: str) -> None:
    """Check that ``table`` is a TOML table whose keys are all in ``allowed``.

    Raises:
        DiffbenchError: not a table, or an unknown key (named, with the nearest allowed ones).
    """
    if not isinstance(table, dict):
        raise DiffbenchError(f"{where} must be a table; got {type(table).__name__}.")
    for key in table:
        if key not in allowed:
            near = closest(key, allowed)
            hint = f" Did you mean: {', '.join(near)}?" if near else ""
            raise DiffbenchError(
                f"Unknown key `{key}` in {where}.{hint} Allowed: {', '.join(sorted(allowed))}."
            )
