"""The report's bandwidth table, on the committed H100 baseline."""

from pathlib import Path

import pytest

from diffbench.report._bandwidth import bandwidth_table, limits_note
from diffbench.results import load_results

H100 = Path(__file__).resolve().parents[1] / "results" / "baselines" / "h100"


@pytest.fixture(scope="module")
def results():
    return load_results([H100])


def test_table_lists_reverse_mode_at_the_two_largest_sizes(results):
    table = bandwidth_table(results)
    assert table is not None and table.header[-2:] == ["GB/s", "of copy"]
    assert {row[4] for row in table.rows} == {"reverse_ad"}
    assert {row[5] for row in table.rows} == {"1e7", "1e8"}
    assert len(table.rows) == 4 * 2 * 2  # functions x dtypes x sizes


def test_fractions_are_gb_per_s_over_the_sessions_copy_bandwidth(results):
    copy = results.metadata[0]["copy_bandwidth_gbs"]["gpu"]
    for row in bandwidth_table(results).rows:
        assert float(row[8]) == pytest.approx(float(row[7]) / copy, abs=0.006)
    assert f"copy {copy:.0f} GB/s" in limits_note(results)
