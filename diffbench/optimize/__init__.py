"""Optimization runners: the whole loop of many optax runs compiled into one call.

``minimize(f, optimizer, steps, ...)`` runs a grid of starts x learning rates x seeds, vmapped,
in one ``lax.scan`` (or a ``lax.while_loop`` to a tolerance), records how fast each run reaches
COCO-style targets, and returns an ``OptimizeResult`` whose ``table()`` is the ``runs`` table of
DESIGN.md. ``sweep`` is ``minimize`` over a log-spaced learning-rate grid (``lr_grid``).

Example:
    >>> import diffbench
    >>> res = diffbench.optimize.minimize("sphere", "adam", 500, n=3, lr=0.1, repeats=1)
    >>> bool(res.f_final[0] < 1e-6)
    True
"""

from ._minimize import lr_grid as lr_grid
from ._minimize import minimize as minimize
from ._minimize import sweep as sweep
from ._optimizers import Optimizer as Optimizer
from ._optimizers import names as names
from ._optimizers import optimizer as optimizer
from ._result import COLUMNS as COLUMNS
from ._result import STATUS as STATUS
from ._result import OptimizeResult as OptimizeResult
from ._runner import PLANS as PLANS
from ._runner import Plan as Plan
from ._runner import cache_clear as cache_clear
from ._runner import cache_info as cache_info
from ._sgd import SAMPLING as SAMPLING
from ._targets import EXPONENTS as EXPONENTS
