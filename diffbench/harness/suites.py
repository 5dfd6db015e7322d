"""Suites: TOML files that name what a session measures, validated with clear errors.

A suite is a built-in name (``smoke``, ``standard``, ``full``, ``gpu``; files in
``diffbench/suites/``) or a path to a ``.toml`` file::

    [suite]
    description = "what it is for"
    dtypes = ["float32", "float64"]      # default for every block
    devices = ["cpu"]                    # cpu, gpu or all; --device overrides
    seed = 0
    plugins = ["mybench.bench"]          # modules (or module:attribute) to load first

    [timing]                             # TimingPolicy fields; a block may override them
    budget_s = 0.05

    [[gradients]]                        # functions x dims x methods x dtypes
    functions = ["rosenbrock", "*"]      # names; "*" = every registered function
    tags = ["convex"]                    # optional: keep functions carrying all these tags
    dims = [2, 8]                        # a fixed-dimension function runs at its own n once
    methods = ["*"]                      # names; "*" = every available method
    params = { central = { step = [1e-2, 1e-6] } }   # a list sweeps the parameter

    [[sweeps]]                           # error-vs-step curves (the U-curve)
    functions = ["rosenbrock"]
    dims = [8]
    methods = ["forward", "central"]

    [[runs]]                             # optimizer runs (diffbench.optimize.minimize)
    functions = ["rosenbrock"]
    dims = [2]
    optimizers = ["sgd", "adam"]
    lr = [1e-3, 1e-2]
    steps = 500
    starts = 4                           # sampled in the bounds with the suite's seed
    batch = 32                           # optional: SGD minibatches on finite-sum objectives
    repeats = 3                          # timed calls of the compiled runner
    shards = [1, 2, 4]                   # optional: devices the runs are split over
    scale = "weak"                       # optional: weak = starts per device (default strong)

    [[studies]]                          # diffbench.studies: one table per study
    names = ["saddles", "learning-rate"] # "*" = every study
    size = "small"                       # default (< 2 min each on 2 cores) or small

Scalable functions run at the listed dims they support (``n >= min_dim``); a function named
explicitly that supports none of them is an error. When a plugin fails to load, the names it
would have registered are dropped from the suite (the CLI reports the plugin and exits 2) so
the other cases still run.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from .._checks import DTYPES
from .._errors import DiffbenchError, first_line, unknown
from . import _spec
from .blocks import BLOCKS, Block, Defaults, GradientsBlock, RunsBlock, StudiesBlock, SweepsBlock
from .cases import GradientCase, RunCase, StudyCase, SweepCase
from .timing import TimingPolicy

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 reads TOML with the tomli backport
    import tomli as tomllib

BUILTIN = ("smoke", "standard", "full", "gpu")
DEVICES = ("cpu", "gpu", "all")
_TOP = {"suite", "timing", *BLOCKS}
_SUITE = {"description", "dtypes", "devices", "seed", "plugins"}
_TIMING = {f.name for f in fields(TimingPolicy)}
Case = GradientCase | SweepCase | RunCase | StudyCase


@dataclass(frozen=True)
class Suite:
    """A validated suite: its blocks expand to cases once devices are chosen.

    Attributes:
        name: the suite name (file stem).
        description: one line.
        dtypes: default dtypes of every block.
        devices: requested devices (``cpu``, ``gpu``, ``all``).
        seed: base seed of the session.
        timing: default timing policy.
        gradients, sweeps, runs, studies: the blocks (``diffbench.harness.blocks``).
        source: where the suite was read from.
        plugins: the plugins the suite loads (``[suite] plugins``).
    """

    name: str
    description: str = ""
    dtypes: tuple[str, ...] = DTYPES
    devices: tuple[str, ...] = ("cpu",)
    seed: int = 0
    timing: TimingPolicy = field(default_factory=TimingPolicy)
    gradients: tuple[GradientsBlock, ...] = ()
    sweeps: tuple[SweepsBlock, ...] = ()
    runs: tuple[RunsBlock, ...] = ()
    source: str = ""
    plugins: tuple[str, ...] = ()
    studies: tuple[StudiesBlock, ...] = ()

    def cases(self, devices: list[str], dtypes: list[str] | None = None) -> list[Case]:
        """Expand the suite into cases, grouped so cases sharing a point run together.

        Args:
            devices: resolved JAX platforms (``cpu``, ``gpu``).
            dtypes: keep only these dtypes (None keeps the suite's).
        """
        inherited = Defaults(seed=self.seed, timing=self.timing)
        out: list[Case] = []
        for device in devices:
            for block in (*self.gradients, *self.sweeps, *self.runs, *self.studies):
                out += block.cases(device, self._dtypes(block, dtypes), inherited)
        grads = sorted(
            (c for c in out if isinstance(c, GradientCase)),
            key=lambda c: (c.device, c.dtype, c.function, c.n),
        )
        return [*dict.fromkeys(grads), *(c for c in out if not isinstance(c, GradientCase))]

    def _dtypes(self, block: Block, wanted: list[str] | None) -> list[str]:
        own = list(getattr(block, "dtypes", None) or self.dtypes)
        return [d for d in own if wanted is None or d in wanted]


def suite_names() -> list[str]:
    """Return the built-in suite names."""
    folder = resources.files("diffbench") / "suites"
    found = sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))
    return found or list(BUILTIN)


def load_suite(name_or_path: str | Path) -> Suite:
    """Read and validate a built-in suite by name or a suite file by path.

    Raises:
        DiffbenchError: an unknown suite, unreadable TOML, an unknown key, function, method,
            optimizer or dtype, or a bad value (one line, naming the nearest valid names).
    """
    text, name, source = _read(str(name_or_path))
    try:
        raw = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        first = first_line(exc, "too deeply nested")
        raise DiffbenchError(f"Suite {source} is not valid TOML: {first}.") from None
    return parse_suite(raw, name, source)


def _read(name_or_path: str) -> tuple[str, str, str]:
    path = Path(name_or_path)
    if name_or_path.endswith(".toml") or path.parent != Path():
        if not path.is_file():
            raise DiffbenchError(f"No such suite file: {path}.")
        try:
            return path.read_text(encoding="utf-8"), path.stem, str(path)
        except UnicodeDecodeError as exc:
            raise DiffbenchError(
                f"Suite {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8."
            ) from None
        except OSError as exc:
            raise DiffbenchError(f"Cannot read suite {path}: {exc.strerror or exc}.") from None
    builtin = resources.files("diffbench") / "suites" / f"{name_or_path}.toml"
    if not builtin.is_file():
        raise unknown("suite", name_or_path, suite_names())
    return builtin.read_text(encoding="utf-8"), name_or_path, f"builtin:{name_or_path}"


def parse_suite(raw: dict[str, Any], name: str, source: str = "") -> Suite:
    """Validate a parsed TOML document and return the ``Suite``."""
    where = f"suite {name}"
    _spec.check_keys(raw, _TOP, where)
    head = raw.get("suite", {})
    _spec.check_keys(head, _SUITE, f"[suite] of {name}")
    timing = _timing(raw.get("timing", {}), f"[timing] of {name}")
    plugins = _spec.string_list(head.get("plugins", []), "plugins", f"[suite] of {name}")
    raw = _load_plugins(raw, plugins, name)
    blocks = {kind: _blocks(raw, cls, name, timing) for kind, cls in BLOCKS.items()}
    if not any(blocks.values()):
        raise DiffbenchError(
            f"Suite {name} has no [[gradients]], [[sweeps]], [[runs]] or [[studies]] block."
        )
    return Suite(
        name=name,
        description=str(head.get("description", "")),
        dtypes=tuple(_spec.dtypes(head.get("dtypes", list(DTYPES)), where)),
        devices=tuple(_spec.choices(head.get("devices", ["cpu"]), DEVICES, "device", where)),
        seed=_spec.seed(head.get("seed", 0), where),
        timing=timing,
        source=source,
        plugins=tuple(plugins),
        **{kind: tuple(found) for kind, found in blocks.items()},
    )


def _load_plugins(raw: dict[str, Any], specs: list[str], name: str) -> dict[str, Any]:
    """Load the suite's plugins; if any plugin failed, drop the names nobody registered."""
    from .. import plugins

    plugins.load_all(specs, entry_points=False, source=f"suite {name}")
    if not plugins.failures():
        return raw
    from .. import functions, methods, optimize

    known = {
        "functions": set(functions.names()),
        "methods": set(methods.names()),
        "optimizers": set(optimize.names()),
    }
    out = dict(raw)
    for kind in ("gradients", "sweeps", "runs"):
        blocks = [_known_only(b, known) for b in raw.get(kind, []) if isinstance(b, dict)]
        out[kind] = [
            b
            for b in blocks
            if b.get("functions") and b.get("methods", ["*"]) and b.get("optimizers", ["sgd"])
        ]
    return out


def _known_only(block: dict[str, Any], known: dict[str, set[str]]) -> dict[str, Any]:
    """Return ``block`` with unknown function, method and optimizer names left out."""
    out = dict(block)
    for key, names in known.items():
        if isinstance(block.get(key), list):
            out[key] = [v for v in block[key] if v == "*" or v in names]
    return out


def _blocks(raw: dict[str, Any], cls: type[Block], name: str, timing: TimingPolicy) -> list[Block]:
    kind = cls.kind
    entries = raw.get(kind, [])
    if not isinstance(entries, list):
        raise DiffbenchError(f"`{kind}` in suite {name} must be an array of tables [[{kind}]].")
    return [
        _spec.block(cls, entry, f"[[{kind}]] #{i} of {name}", timing)
        for i, entry in enumerate(entries, start=1)
    ]


def _timing(raw: dict[str, Any], where: str) -> TimingPolicy:
    _spec.check_keys(raw, _TIMING, where)
    return _spec.timing(raw, where, TimingPolicy())
