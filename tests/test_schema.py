"""The tables' columns come from one place (``diffbench.results.schema``): the writers emit
them, the reader guesses tables by them, and docs/ARCHITECTURE.md shows them as they are."""

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import diffbench
from diffbench.results import schema
from diffbench.results._store import arrow_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "ARCHITECTURE.md"


def test_the_architecture_document_shows_the_schema_as_the_code_defines_it():
    text = DOC.read_text(encoding="utf-8")
    for table in (*schema.TABLES, "study"):
        assert f"<!-- schema:{table} -->\n| column |" in text, table
    assert schema.update_document(text) == text, "run: python docs/update_schema.py"


def test_every_column_has_a_type_a_meaning_and_a_snake_case_name():
    for table, columns in schema.TABLES.items():
        names = [c.name for c in columns]
        assert len(names) == len(set(names)), table
        for column in columns:
            assert column.name == column.name.lower() and " " not in column.name
            assert isinstance(column.type, pa.DataType) and column.meaning
            assert column.unit != "s" or column.name.endswith("_s") or column.name == "samples"


def _assert_fits(frame: pd.DataFrame, columns: tuple) -> None:
    """``frame`` has exactly ``columns``, in order, each of its declared kind (a column that is
    all missing fits any), and Arrow casts it to the declared schema without loss."""
    assert list(frame.columns) == [c.name for c in columns]
    api = pd.api.types
    for column in columns:
        values = frame[column.name]
        if values.isna().all():
            continue
        kind = column.type
        if pa.types.is_integer(kind):
            assert api.is_integer_dtype(values), column.name
        elif pa.types.is_floating(kind):
            assert api.is_float_dtype(values), column.name
        elif pa.types.is_boolean(kind):
            assert api.is_bool_dtype(values), column.name
        elif pa.types.is_string(kind):
            assert values.dropna().map(type).eq(str).all(), column.name
    arrow = pa.schema([(c.name, c.type) for c in columns])
    pa.Table.from_pandas(frame, schema=arrow, preserve_index=False, safe=True)


def _assert_written_as_declared(table: str, rows: list[dict]) -> None:
    """The store writes ``rows`` with exactly the declared columns and types."""
    arrow = arrow_table(table, rows, Path("journal"))
    declared = pa.schema([(c.name, c.type) for c in schema.TABLES[table]])
    assert arrow.schema.remove_metadata() == declared, arrow.schema


def test_the_runs_rows_of_minimize_are_the_runs_schema():
    result = diffbench.optimize.minimize("sphere", "sgd", 4, starts=2, batch=None)
    _assert_fits(result.table(), schema.RUNS)


@pytest.fixture(scope="module")
def run_rows():
    from diffbench.harness.cases import RunCase
    from diffbench.harness.workloads import measure_run

    case = RunCase("sphere", 2, "float64", "cpu", "sgd", 0.1, 4, starts=2, repeats=1)
    return measure_run(case, "box/set")


def test_the_traces_rows_of_a_session_are_the_traces_schema(run_rows):
    runs, traces = run_rows
    _assert_written_as_declared("runs", runs)
    _assert_written_as_declared("traces", traces)


def test_the_sweeps_rows_of_a_session_are_the_sweeps_schema():
    from diffbench.harness.cases import SweepCase
    from diffbench.harness.workloads import measure_sweep, sweep_error_row

    case = SweepCase("sphere", 2, "float64", "cpu", "central")
    rows = measure_sweep(case, "box/set")
    _assert_written_as_declared("sweeps", rows)
    _assert_written_as_declared("sweeps", [*rows, sweep_error_row(case, "box/set", "boom")])


def test_an_empty_gradients_row_has_exactly_the_gradients_columns():
    from diffbench.harness.cases import GradientCase
    from diffbench.harness.measure import empty_row

    case = GradientCase("sphere", 2, "float64", "cpu", "central", "{}")
    assert tuple(empty_row(case, "box/set")) == schema.GRADIENT_COLUMNS
    assert schema.GRADIENT_SCHEMA.names == [c.name for c in schema.GRADIENTS]


@pytest.mark.parametrize("table", list(schema.TABLES))
def test_a_lone_file_of_each_table_is_read_as_that_table(tmp_path, table):
    """A file named otherwise is guessed by its columns. Before one schema, a traces file
    (it has function, n and optimizer too) was read as ``runs`` by both old readers."""
    columns = [c.name for c in schema.TABLES[table]]
    assert schema.guess_table(columns, "x.parquet") == table
    row = {c.name: _value(c.type) for c in schema.TABLES[table]}
    path = tmp_path / "exported.parquet"
    arrow = pa.schema([(c.name, c.type) for c in schema.TABLES[table]])
    pq.write_table(pa.Table.from_pylist([row], schema=arrow), path)
    loaded = diffbench.results.load_results([path])
    assert len(loaded.table(table)) == 1
    assert all(loaded.table(other).empty for other in schema.TABLES if other != table)


def _value(kind: pa.DataType):
    if pa.types.is_list(kind):
        return [1e-6]
    if pa.types.is_string(kind):
        return "x"
    if pa.types.is_boolean(kind):
        return True
    return 1 if pa.types.is_integer(kind) else 1.5


def test_a_file_that_is_no_table_is_a_one_line_error():
    with pytest.raises(diffbench.DiffbenchError, match="is not a diffbench table"):
        schema.guess_table(["a", "b"], "x.parquet")
