"""The reference ("truth") a session scores each gradient against, chosen per function.

``reference_for(function, x)`` is the one place a session picks its truth:

- a function with an array-namespace definition ``fn(xp, x)`` (every built-in, and plugins
  that write one) gets ``accuracy.reference_gradient``: the exact SymPy gradient evaluated with
  mpmath (``mpmath34``), or float64 reverse mode above ``REFERENCE_MAX_N``;
- a function written with ``jax.numpy`` only (``register(jax_fn=...)``) has no SymPy form: its
  reference is reverse mode in float64 (``reverse_ad_f64``), the best honest truth available.

A reverse-mode reference never scores ``reverse_ad`` itself (``self_scored``): that row keeps
its timing, its accuracy columns stay empty (NaN) and ``error`` says why.

Where an independent extended-precision reference for NumPy-evaluable functions lands (the
truth issue), it plugs in here, ahead of the reverse-mode fallback.
"""

from __future__ import annotations

from typing import Any

import numpy as np

REVERSE_AD_REFERENCE = "reverse_ad_f64"
"""The name of the float64 reverse-mode reference in the ``reference`` column."""


def reference_for(function: str, x64: Any) -> tuple[np.ndarray, str]:
    """Return ``(truth as float64 NumPy array, reference name)`` for ``function`` at ``x64``."""
    from .. import accuracy

    return accuracy.reference_gradient(function, np.asarray(x64, dtype=np.float64))


def self_scored(method: str, reference: str) -> str | None:
    """Return why ``method`` cannot be scored against ``reference``, or None when it can."""
    if method == "reverse_ad" and reference == REVERSE_AD_REFERENCE:
        return (
            "not scored: the reference is float64 reverse mode itself "
            "(no independent truth for this function at this size)"
        )
    return None
