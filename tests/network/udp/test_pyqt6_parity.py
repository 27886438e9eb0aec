"""The UDP scenarios of scenarios.py, run on PyQt6 and on qtls, must record the same things.

Each library runs every scenario in a subprocess of its own (one QCoreApplication each, no
shared state); the records (signal order, return values, states, errors and texts, datagram
header fields) are compared scenario by scenario. Skipped without PyQt6.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.bindings import records_of_both, scenario_names

SCRIPT = Path(__file__).with_name("scenarios.py")


@pytest.fixture(scope="module")
def records() -> dict[str, dict[str, Any]]:
    return records_of_both(SCRIPT, timeout=180)


def _names() -> list[str]:
    return scenario_names(SCRIPT)


@pytest.mark.parametrize("name", _names())
def test_same_record_as_pyqt6(records: dict[str, dict[str, Any]], name: str) -> None:
    expected = records["PyQt6"][name]
    got = records["qtls"][name]
    assert not any(entry[:1] == ["exception"] for entry in got), got
    assert got == expected


def test_every_scenario_recorded_something(records: dict[str, dict[str, Any]]) -> None:
    assert set(records["qtls"]) == set(_names())
    assert all(records["qtls"][name] for name in _names())
