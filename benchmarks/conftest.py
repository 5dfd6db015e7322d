"""pytest-benchmark configuration: collect ``bench_*.py`` and share the compiled-call fixture.

The project's pytest settings collect ``test_*.py`` under ``tests/``; here files named
``bench_*.py`` are collected too, so ``pytest benchmarks/ --benchmark-only`` finds them.
Float64 is on for every benchmark (``import diffbench`` no longer sets it).
"""

from __future__ import annotations

from pathlib import Path

import jax
import pytest

jax.config.update("jax_enable_x64", True)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Collect ``bench_*.py`` as test modules (pytest already does for files named on the line)."""
    if parent.session.isinitpath(file_path):
        return None
    if file_path.suffix == ".py" and file_path.name.startswith("bench_"):
        return pytest.Module.from_parent(parent, path=file_path)
    return None
