"""Kept for code written against ``diffbench.store``: the same names, from ``diffbench.results``.

New code imports ``diffbench.results`` (``load``, ``load_results``, ``ResultSet``, ``schema``).
"""

from .results import DEFAULT_ROOT as DEFAULT_ROOT
from .results import FORMAT as FORMAT
from .results import GRADIENT_COLUMNS as GRADIENT_COLUMNS
from .results import GRADIENT_SCHEMA as GRADIENT_SCHEMA
from .results import JOURNAL as JOURNAL
from .results import META_COLUMNS as META_COLUMNS
from .results import METADATA as METADATA
from .results import REQUIRED as REQUIRED
from .results import TABLES as TABLES
from .results import ResultSet as ResultSet
from .results import find_result_sets as find_result_sets
from .results import is_table as is_table
from .results import latest_result_set as latest_result_set
from .results import load as load
from .results import read_journal as read_journal
from .results import read_metadata as read_metadata
from .results import study_tables as study_tables
from .results import timestamp_now as timestamp_now
