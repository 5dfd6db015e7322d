"""Optimization runners: the whole loop of many optax runs compiled into one call.

``minimize(f, optimizer, steps, ...)`` runs a grid of starts x learning rates x seeds, vmapped,
in one ``lax.scan`` (or a ``lax.while_loop`` to a tolerance), records how fast each run reaches
COCO-style targets, and returns an ``OptimizeResult`` whose ``table()`` is the ``runs`` table of
docs/ARCHITECTURE.md. ``sweep`` is ``minimize`` over a log-spaced learning-rate grid (``lr_grid``).

Choices where docs/ARCHITECTURE.md is silent:

- Targets are ``f_ref + 10^k``, k = 2 ... -8 (``EXPONENTS``). ``f_ref`` is the registry's
  ``f_opt`` (or ``minimize(f_opt=...)``), and first hits are recorded at every check step in
  the loop (by default every step: the loss of ``x_k`` is the value ``value_and_grad`` returns
  with the gradient that moves ``x_k``, and first hits are resolved once per chunk of checks,
  ``_records``); where no optimum is known, ``f_ref`` is the best finite loss any run of the
  call reached and first hits are read from the trace (rounded up to ``trace_every``).
- A call runs the loop once (``repeats=1``): the result and its step time come from that
  run. Timing repeats and warm-up calls are explicit (``repeats=``, ``warmup=``); sessions ask
  for them. Repeated calls reuse the compiled runner, the resolved objective and the device
  copies of their inputs, so a small call costs little more than its loop.
- ``steps_to_target`` counts optimizer updates (the start is step 0); ``grad_evals_to_target``
  counts gradient evaluations spent to reach that iterate: one per step, one per minibatch for
  SGD (the ``batch`` column gives its size), line-search evaluations included for L-BFGS.
- Time is charged per run: all runs of a call advance together, so a run's step costs the
  batch's median wall time per step divided by the number of runs (``run_step_s``);
  ``steps_per_s`` is its inverse and ``time_to_target_s`` is ``steps_to_target * run_step_s``.
- ``status`` is ``ok``, ``converged`` (stopped early by ``tol``) or ``diverged`` (a non-finite
  loss; ``summary()`` and ``diverged_at`` give the step). ``STATUS`` explains each.
- Learning rates are runtime arguments (vmapped), so a new grid never recompiles; compiled
  runners are cached by function identity, optimizer, shapes and the resolved option objects
  ``Stop``, ``Records`` and ``Plan`` (``cache_info()``; ``_options``).
- Unrolling and donation follow ``PLANS`` per backend (measured: ``benchmarks/bench_optimize.py``).

Example:
    >>> import diffbench
    >>> res = diffbench.optimize.minimize("sphere", "adam", 500, n=3, lr=0.1)
    >>> bool(res.f_final[0] < 1e-6)
    True
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from ._optimizers import Optimizer as Optimizer
from ._optimizers import names as names
from ._optimizers import optimizer as optimizer

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "lr_grid": "._minimize:lr_grid",
        "minimize": "._minimize:minimize",
        "sweep": "._minimize:sweep",
        "COLUMNS": "._result:COLUMNS",
        "STATUS": "._result:STATUS",
        "OptimizeResult": "._result:OptimizeResult",
        "PLANS": "._runner:PLANS",
        "Plan": "._runner:Plan",
        "cache_clear": "._runner:cache_clear",
        "cache_info": "._runner:cache_info",
        "SAMPLING": "._sgd:SAMPLING",
        "Grid": "._options:Grid",
        "Records": "._options:Records",
        "Stop": "._options:Stop",
        "Timing": "._options:Timing",
        "EXPONENTS": "._targets:EXPONENTS",
    },
)

if TYPE_CHECKING:
    from ._minimize import lr_grid as lr_grid
    from ._minimize import minimize as minimize
    from ._minimize import sweep as sweep
    from ._options import Grid as Grid
    from ._options import Records as Records
    from ._options import Stop as Stop
    from ._options import Timing as Timing
    from ._result import COLUMNS as COLUMNS
    from ._result import STATUS as STATUS
    from ._result import OptimizeResult as OptimizeResult
    from ._runner import PLANS as PLANS
    from ._runner import Plan as Plan
    from ._runner import cache_clear as cache_clear
    from ._runner import cache_info as cache_info
    from ._sgd import SAMPLING as SAMPLING
    from ._targets import EXPONENTS as EXPONENTS
