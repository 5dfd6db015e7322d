"""Results: result sets on disk and the one reader that turns them into tables.

- ``ResultSet``: one result-set folder being written (journal, Parquet tables, metadata);
- ``load_results(paths)`` -> ``Results``: result sets, Parquet files and pytest-benchmark JSON,
  the four tables plus study tables with metadata columns; ``load(paths, table=...)`` one table;
- ``schema``: the tables' columns (name, Arrow type, unit, meaning), used by the writers.

The report and both gates only consume ``Results``; docs/ARCHITECTURE.md describes the layout.
"""

from . import schema as schema
from ._journal import TABLES as TABLES
from ._journal import is_table as is_table
from ._journal import read_journal as read_journal
from ._read import Results as Results
from ._read import calibration_for as calibration_for
from ._read import load as load
from ._read import load_results as load_results
from ._store import DEFAULT_ROOT as DEFAULT_ROOT
from ._store import FORMAT as FORMAT
from ._store import JOURNAL as JOURNAL
from ._store import METADATA as METADATA
from ._store import ResultSet as ResultSet
from ._store import find_result_sets as find_result_sets
from ._store import latest_result_set as latest_result_set
from ._store import read_metadata as read_metadata
from ._store import study_tables as study_tables
from ._store import timestamp_now as timestamp_now
from .schema import GRADIENT_COLUMNS as GRADIENT_COLUMNS
from .schema import GRADIENT_SCHEMA as GRADIENT_SCHEMA
from .schema import META_COLUMNS as META_COLUMNS
from .schema import REQUIRED as REQUIRED
