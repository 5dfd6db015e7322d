"""richardson and central4 against central at every built-in suite point with n <= 10.

The rules and the ceiling are ``fd_rules.py``'s; that script also measures the points up to
n = 128 (minutes), this file the small ones, in CI (``pytest benchmarks/ --benchmark-disable``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fd_rules  # noqa: E402 - the script next to this file

MAX_N = 10


@pytest.mark.parametrize(("function", "n", "dtype"), fd_rules.suite_points(MAX_N))
def test_richardson_and_central4_hold_against_central(function, n, dtype):
    digits = fd_rules.point_digits(function, n, dtype)
    margins = fd_rules.margins(digits)
    for method, allowed in fd_rules.RULES.items():
        assert margins[method] >= -allowed, (method, digits)


def test_the_points_cover_every_suite_with_these_methods():
    points = fd_rules.suite_points(MAX_N)
    smoke = {(f, n, d) for f, n, d in points if n in (2, 8)}
    assert ("ackley", 2, "float32") in smoke and ("griewank", 8, "float64") in smoke
    assert ("sigmoid", 10, "float32") in points  # full: every function at n = 10
    assert all(n <= MAX_N for _, n, _ in points) and len(points) > 100


def test_the_ceiling_is_central_rounding_floor():
    """sphere at x = (1, 1) in float64: f = 2, g = (2, 2), h = eps^(1/3): the floor is
    eps 2 / (2 h) per coordinate, over |g| = 2 sqrt 2."""
    import numpy as np

    x = np.ones(2, dtype=np.float64)
    eps = float(np.finfo(np.float64).eps)
    expected = -np.log10(np.sqrt(2) * eps * 2 / (2 * eps ** (1 / 3)) / (2 * np.sqrt(2)))
    got = fd_rules.central_ceiling("sphere", x, np.array([2.0, 2.0]))
    assert got == pytest.approx(expected, abs=0.01)  # 10.4 digits
