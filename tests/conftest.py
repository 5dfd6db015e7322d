"""Test configuration: float64 on, and silent dtype or rank promotions raise (as equinox does)."""

import jax
import pytest

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_dtype_promotion", "strict")
jax.config.update("jax_numpy_rank_promotion", "raise")


@pytest.fixture(scope="session")
def rng():
    """A seeded NumPy generator shared by tests that need random points."""
    import numpy as np

    return np.random.default_rng(20261122)
