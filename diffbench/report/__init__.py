"""Reports and the regression gate: tables, figures, markdown + HTML, and ``compare``.

Public names:

* ``main_report(argv)`` / ``main_compare(argv)``: the ``diffbench report`` and ``diffbench
  compare`` commands (argv in, exit code out);
* ``compare(base, new, ...)`` -> ``Comparison``, with ``to_markdown`` / ``to_json``;
* ``load_results(paths)`` -> ``Results``: result sets, Parquet files, pytest-benchmark JSON;

matplotlib is imported only when figures are drawn, with the Agg backend.
"""

from ..results import Results as Results
from ..results import load_results as load_results
from ._cli import main_compare as main_compare
from ._cli import main_report as main_report
from ._compare import Comparison as Comparison
from ._compare import compare as compare
from ._compare_render import to_json as to_json
from ._compare_render import to_markdown as to_markdown
from ._report import build_report as build_report
