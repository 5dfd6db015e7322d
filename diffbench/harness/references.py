"""The reference ("truth") a session scores each gradient against, chosen per function.

``reference_for(function, x)`` is the one place a session picks its truth, through
``accuracy.reference_gradient`` (its module docstring names every reference):

- a function with an array-namespace definition ``fn(xp, x)`` (every built-in, and plugins
  that write one) gets the exact SymPy gradient evaluated with mpmath (``mpmath34``) up to
  ``REFERENCE_MAX_N``, and above it the extended-precision reverse sweep over the NumPy
  definition (``longdouble_reverse_sweep``);
- a function written with ``jax.numpy`` only (``register(jax_fn=...)``) has no NumPy or SymPy
  form: its reference is float64 reverse mode (``reverse_ad_f64``).

A method is never scored against a reference that shares its derivation
(``accuracy.DERIVATION`` and ``Method.derivation``): ``reverse_ad`` on a jax.numpy-only
function is scored against float64 forward mode (``forward_ad_f64``) instead, and ``symbolic``
against the reverse sweep.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def reference_for(function: str, x64: Any) -> tuple[np.ndarray, str]:
    """Return ``(truth as float64 NumPy array, reference name)`` for ``function`` at ``x64``."""
    from .. import accuracy

    return accuracy.reference_gradient(function, np.asarray(x64, dtype=np.float64))
