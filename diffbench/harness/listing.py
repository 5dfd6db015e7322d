"""What ``diffbench list`` shows: functions, methods, suites and optimizers, as rows with headers.

Each section is a list of flat dicts (``rows(what)``), printed as an aligned table with a header
line (``render``) or as JSON (``diffbench list --json``). Nothing here imports JAX, SymPy or
pandas. Columns:

- functions: ``name``, ``dims`` (``n=2`` fixed or ``n>=1`` scalable), ``tags``, ``reference``
  (an array-namespace definition: ``mpmath34`` up to n = 64, ``longdouble_reverse_sweep``
  above; ``reverse_ad_f64`` for a jax.numpy-only plugin; see ``diffbench.accuracy``),
  ``plugin``, ``description``;
- methods: ``name``, ``derivative`` (gradient or hessian), ``kind``, ``order``, ``needs``
  (the extra to install, e.g. ``peers``, empty when ready), ``plugin``, ``description``;
- suites: ``name``, ``description``;
- optimizers: ``name``, ``default_lr``, ``plugin``, ``description``.
"""

from __future__ import annotations

import json
from typing import Any

from .._errors import unknown

SECTIONS = ("functions", "methods", "suites", "optimizers")


def rows(what: str, tags: list[str] | None = None) -> list[dict[str, Any]]:
    """Return the rows of one section (``SECTIONS``); ``tags`` filters functions."""
    return {
        "functions": lambda: functions(tags),
        "methods": methods,
        "suites": suites,
        "optimizers": optimizers,
    }[what]()


def functions(tags: list[str] | None = None) -> list[dict[str, Any]]:
    """One row per function carrying every tag in ``tags``."""
    from .. import functions as registry
    from .. import plugins

    for tag in tags or []:
        if tag not in registry.all_tags():
            raise unknown("tag", tag, registry.all_tags())
    out = []
    for name in registry.names(tags or None):
        tf = registry.get(name)
        out.append(
            {
                "name": name,
                "dims": f"n={tf.dim}" if tf.dim is not None else f"n>={tf.min_dim}",
                "tags": ",".join(sorted(tf.tags)),
                "reference": "reverse_ad_f64" if tf.jax_only else "mpmath34/longdouble",
                "plugin": plugins.origin("function", name) or "",
                "description": tf.description,
            }
        )
    return out


def methods() -> list[dict[str, Any]]:
    """One row per gradient and Hessian method, the peers that need an extra included."""
    from .. import methods as registry
    from .. import plugins
    from ..methods import peers

    out = []
    for what in ("gradient", "hessian"):
        for name in registry.names(what):
            m = registry.get(name, what)
            out.append(_method_row(m, what, "", plugins.origin("method", name) or ""))
    ready = set(registry.names())
    for _, m in peers._PEERS:
        if m.name not in ready:
            out.append(_method_row(m, "gradient", "peers", ""))
    return out


def _method_row(m: Any, what: str, needs: str, plugin: str) -> dict[str, Any]:
    return {
        "name": m.name,
        "derivative": what,
        "kind": m.kind,
        "order": m.order,
        "needs": needs,
        "plugin": plugin,
        "description": m.description,
    }


def suites() -> list[dict[str, Any]]:
    """One row per built-in suite."""
    from .suites import load_suite, suite_names

    return [{"name": n, "description": load_suite(n).description} for n in suite_names()]


def optimizers() -> list[dict[str, Any]]:
    """One row per named optimizer."""
    from .. import optimize, plugins
    from ..optimize._optimizers import describe

    return [
        {
            "name": name,
            "default_lr": optimize.optimizer(name).default_lr,
            "plugin": plugins.origin("optimizer", name) or "",
            "description": describe(name),
        }
        for name in optimize.names()
    ]


def render(section: list[dict[str, Any]]) -> list[str]:
    """Return the rows as aligned text lines under an upper-case header.

    Columns that are empty in every row (e.g. ``plugin`` with no plugin loaded) are left out.
    """
    if not section:
        return ["(none)"]
    columns = [c for c in section[0] if any(_text(r[c]) for r in section) or c == "name"]
    table = [[c.upper() for c in columns]] + [[_text(r[c]) for c in columns] for r in section]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns) - 1)]
    return [
        "  ".join([*(c.ljust(w) for c, w in zip(line, widths, strict=False)), line[-1]]).rstrip()
        for line in table
    ]


def to_json(sections: dict[str, list[dict[str, Any]]]) -> str:
    """Return ``{section: rows}`` as indented JSON."""
    return json.dumps(sections, indent=2)


def _text(value: Any) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
