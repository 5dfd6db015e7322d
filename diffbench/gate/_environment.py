"""What differs between two environment fingerprints, in words, one line per difference."""

from __future__ import annotations

from typing import Any

FIELDS = (
    ("cpu_model", "CPU model"),
    ("cpu_count", "CPU cores"),
    ("threads", "usable threads"),
    ("backend", "backend"),
    ("device_kind", "device"),
    ("device_count", "device count"),
    ("xla_flags", "XLA_FLAGS"),
    ("x64", "x64"),
    ("blas_threads", "BLAS threads"),
    ("platform", "platform"),
    ("python_executable", "Python"),
)
SAME_MACHINE = ("cpu_model", "cpu_count", "device_kind", "device_count")
"""Fields that, when they differ, make two sides different machines for timing purposes."""


def differences(base: dict[str, Any], new: dict[str, Any], skip: tuple[str, ...] = ()) -> list[str]:
    """Return ``["CPU model: AMD EPYC -> Intel Xeon", "jax: 0.4.30 -> 0.10.2", ...]``.

    Args:
        base: BASE's fingerprint (result-set metadata or a worker's ``hello``).
        new: NEW's fingerprint.
        skip: version names not to report (``diffbench``: it differs between revisions).

    Example:
        >>> differences({"cpu_model": "A", "versions": {"jax": "1"}},
        ...             {"cpu_model": "B", "versions": {"jax": "1"}})
        ['CPU model: A -> B']
    """
    lines = []
    for key, name in FIELDS:
        b, n = base.get(key), new.get(key)
        if (b is not None or n is not None) and b != n:
            lines.append(f"{name}: {_show(b)} -> {_show(n)}")
    vb, vn = base.get("versions") or {}, new.get("versions") or {}
    for package in sorted(set(vb) | set(vn)):
        if package not in skip and vb.get(package) != vn.get(package):
            lines.append(f"{package}: {_show(vb.get(package))} -> {_show(vn.get(package))}")
    return lines


def same_machine(base: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether the two fingerprints name the same kind of machine (``SAME_MACHINE`` fields)."""
    return all(base.get(k) == new.get(k) for k in SAME_MACHINE)


def _show(value: Any) -> str:
    return "(none)" if value is None else str(value)
