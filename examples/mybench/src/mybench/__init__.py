"""mybench: a model loss, a gradient trick and an optax chain, benchmarked with diffbench."""

from .model import loss as loss
from .model import quartic as quartic
