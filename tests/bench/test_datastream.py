"""bench.datastream: a small real run gives a table of positive rates for each implementation."""

from __future__ import annotations

import pytest

from bench.datastream import measure, report


@pytest.mark.timeout(120)
def test_a_small_run_measures_both_directions_and_reports_medians() -> None:
    results = measure(1000, 2)
    assert "qtls" in results
    for samples in results.values():
        assert len(samples["write"]) == len(samples["read"]) == 2
        assert all(s > 0 for s in samples["write"] + samples["read"])
    table = report(1000, results)
    rows = [line for line in table.splitlines() if line.startswith(("| write", "| read"))]
    assert len(rows) == 2
    assert all(line.count("|") == len(results) + 2 + (len(results) == 2) for line in rows)
