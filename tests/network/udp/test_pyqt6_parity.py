"""The UDP scenarios of scenarios.py, run on PyQt6 and on qtls, must record the same things.

Each library runs every scenario in a subprocess of its own (one QCoreApplication each, no
shared state); the records (signal order, return values, states, errors and texts, datagram
header fields) are compared scenario by scenario. Skipped without PyQt6.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).with_name("scenarios.py")
ROOT = Path(__file__).resolve().parents[3]


def _run(prefix: str) -> dict[str, Any]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, str(SCRIPT), prefix], capture_output=True,
                          text=True, timeout=180, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-4000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="module")
def records() -> dict[str, dict[str, Any]]:
    pytest.importorskip("PyQt6.QtNetwork")
    return {"PyQt6": _run("PyQt6"), "qtls": _run("qtls")}


def _names() -> list[str]:
    # The scenario names, read from the script without importing a Qt binding here.
    text = SCRIPT.read_text()
    return [line.split("def ", 1)[1].split("(", 1)[0]
            for previous, line in zip(text.splitlines(), text.splitlines()[1:], strict=False)
            if previous.strip() == "@scenario"]


@pytest.mark.parametrize("name", _names())
def test_same_record_as_pyqt6(records: dict[str, dict[str, Any]], name: str) -> None:
    expected = records["PyQt6"][name]
    got = records["qtls"][name]
    assert not any(entry[:1] == ["exception"] for entry in got), got
    assert got == expected


def test_every_scenario_recorded_something(records: dict[str, dict[str, Any]]) -> None:
    assert set(records["qtls"]) == set(_names())
    assert all(records["qtls"][name] for name in _names())
