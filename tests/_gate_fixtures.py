"""What the ``diffbench continuous`` tests share: the checkout, a two-case suite, a git mark."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
"""The repository's checkout (the revisions ``continuous`` checks out come from here)."""

TINY = """
[suite]
description = "two cases"
dtypes = ["float64"]
devices = ["cpu"]

[[gradients]]
functions = ["rosenbrock"]
dims = [4]
methods = ["central", "reverse_ad"]
"""
"""A suite of two gradient cases: a paired run of it takes seconds."""


def in_git_checkout() -> bool:
    """Whether ``ROOT`` is a git checkout (a source tarball is not)."""
    done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True)
    return done.returncode == 0


needs_git = pytest.mark.skipif(not in_git_checkout(), reason="needs a git checkout")
