"""Studies: the seed texts' phenomena measured end to end, each a table and a report section.

``diffbench study NAME`` (or a ``[[studies]]`` block in a suite) runs one; ``run(name, size)``
returns its table (one flat row per measurement, ``study`` and ``part`` columns first), which a
session writes as the result set's ``study_<name>`` table and the report draws.

- ``vanishing-exploding``: gradient norms through sigmoid, tanh and ReLU chains against depth,
  the texts' 0.25^n bound, the digits finite differences keep, clipping exploding gradients;
- ``saddles``: steps to leave the saddles x^2 - y^2 and x^3 - 3xy^2 per optimizer, beside the
  Hessian's eigenvalues (the second-derivative test);
- ``local-minima``: single-start success rates on multimodal functions, and k-start success
  against 1 - (1 - p)^k;
- ``learning-rate``: final loss against the learning rate, and the stability edge 2/L;
- ``expectations``: E[g(X)] by trapezoid, Gauss-Hermite, Monte Carlo and quasi-Monte Carlo,
  and the variance of reparameterisation and score-function gradients.

Example:
    >>> import diffbench
    >>> diffbench.studies.names()[:2]
    ['vanishing-exploding', 'saddles']
"""

from ._registry import SIZES as SIZES
from ._registry import Study as Study
from ._registry import get as get
from ._registry import names as names
from ._registry import register as register
from ._registry import run as run
from ._registry import table_name as table_name

for _study in (
    Study("vanishing-exploding", "vanishing", "gradient norms against depth; 0.25^n; clipping"),
    Study("saddles", "saddles", "steps to leave a saddle per optimizer; Hessian eigenvalues"),
    Study("local-minima", "local_minima", "random-start success rates; 1 - (1 - p)^k"),
    Study("learning-rate", "learning_rate", "final loss against lr; the stability edge 2/L"),
    Study("expectations", "expectations", "E[g(X)] by four rules; gradients of expectations"),
):
    register(_study)
