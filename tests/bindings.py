"""Running one scenario script under PyQt6 and under qtls, for the parity tests.

The script takes the binding's package name ("PyQt6" or "qtls") as its argument, runs every
function marked ``@scenario`` in a QCoreApplication of its own, and prints its records as one
JSON document; each binding runs in its own subprocess, so nothing is shared between them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_scenarios(script: Path, prefix: str, timeout: float = 120) -> dict[str, Any]:
    """The records ``script`` prints when run under the binding ``prefix``."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, str(script), prefix], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-4000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def records_of_both(script: Path, timeout: float = 120) -> dict[str, dict[str, Any]]:
    """``{"PyQt6": ..., "qtls": ...}``; skips the calling test without PyQt6."""
    pytest.importorskip("PyQt6.QtNetwork")
    return {prefix: run_scenarios(script, prefix, timeout) for prefix in ("PyQt6", "qtls")}


def scenario_names(script: Path) -> list[str]:
    """The scenarios' names, read from the script without importing a Qt binding here."""
    lines = script.read_text().splitlines()
    return [line.split("def ", 1)[1].split("(", 1)[0]
            for previous, line in zip(lines, lines[1:], strict=False)
            if previous.strip() == "@scenario"]
