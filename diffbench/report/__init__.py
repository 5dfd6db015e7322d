"""Reports: result sets in, markdown + a self-contained HTML page with figures out.

Public names:

* ``build_report(paths, out)`` -> ``Report``: load, tabulate, draw and write (``_report``);
* ``main_report(argv)``: the ``diffbench report`` command (argv in, exit code out);
* kept for code written before the gate had its own package: ``compare``, ``Comparison``,
  ``to_markdown``, ``to_json`` and ``main_compare`` (``diffbench.gate.compare``), and
  ``Results`` / ``load_results`` (``diffbench.results``).

Every name is imported when first used, so ``diffbench --help`` stays light.

matplotlib is imported only when figures are drawn (Agg backend).
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "main_report": "._cli:main_report",
        "build_report": "._report:build_report",
        "compare": "..gate.compare:compare",
        "Comparison": "..gate.compare:Comparison",
        "to_json": "..gate.compare:to_json",
        "to_markdown": "..gate.compare:to_markdown",
        "main_compare": "..gate.compare:main_compare",
        "Results": "..results:Results",
        "load_results": "..results:load_results",
    },
)

if TYPE_CHECKING:
    from ..gate.compare import Comparison as Comparison
    from ..gate.compare import compare as compare
    from ..gate.compare import main_compare as main_compare
    from ..gate.compare import to_json as to_json
    from ..gate.compare import to_markdown as to_markdown
    from ..results import Results as Results
    from ..results import load_results as load_results
    from ._cli import main_report as main_report
    from ._report import build_report as build_report
