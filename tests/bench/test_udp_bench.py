"""bench/udp.py runs end to end in a tiny size and prints its table (numbers never asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(120)
def test_udp_ping_pong_prints_a_row_per_style() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "bench.udp", "--rounds", "50", "--reps", "1",
                           "--impls", "qtls"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=110)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert rows[0] == "| style | qtls |"
    assert [row.split(" | ")[0] for row in rows[1:]] == ["| loop", "| blocking"]
    assert "fail" not in done.stdout
