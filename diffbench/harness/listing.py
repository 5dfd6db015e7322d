"""The text of ``diffbench list``: functions, methods, suites and optimizers, one per line."""

from __future__ import annotations

from .._errors import unknown


def section(what: str, tags: list[str] | None = None) -> tuple[list[str], bool]:
    """Return the lines listing ``what`` and whether the listing is available.

    Args:
        what: ``functions``, ``methods``, ``suites`` or ``optimizers``.
        tags: only functions carrying every one of these tags.
    """
    return {
        "functions": lambda: (functions(tags), True),
        "methods": lambda: (methods(), True),
        "suites": lambda: (suites(), True),
        "optimizers": optimizers,
    }[what]()


def functions(tags: list[str] | None = None) -> list[str]:
    """One line per function: name, dimension rule, tags and description."""
    from .. import functions as registry

    for tag in tags or []:
        if tag not in registry.all_tags():
            raise unknown("tag", tag, registry.all_tags())
    rows = []
    for name in registry.names(tags or None):
        tf = registry.get(name)
        dims = f"n={tf.dim}" if tf.dim is not None else f"n>={tf.min_dim}"
        rows.append((name, dims, ",".join(sorted(tf.tags)), tf.description))
    return _aligned(rows)


def methods() -> list[str]:
    """One line per gradient method: name, kind, order and description."""
    from .. import methods as registry

    rows = []
    for name in registry.names():
        m = registry.get(name)
        order = f"order {m.order}" if m.order else ""
        rows.append((name, m.kind, order, m.description))
    return _aligned(rows)


def suites() -> list[str]:
    """One line per built-in suite: name and description."""
    from .suites import load_suite, suite_names

    return _aligned([(name, load_suite(name).description) for name in suite_names()])


def optimizers() -> tuple[list[str], bool]:
    """One line per optimizer name, or a line saying the optimize package is missing."""
    from ._spec import optimizer_names

    names = optimizer_names()
    if names is None:
        return ["(diffbench.optimize is not available in this installation)"], False
    return list(names), True


def _aligned(rows: list[tuple[str, ...]]) -> list[str]:
    if not rows:
        return ["(none)"]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join([*(c.ljust(w) for c, w in zip(r, widths, strict=False)), r[-1]]).rstrip()
        for r in rows
    ]
