"""python -m bench.startup runs every start-up row and writes its table (numbers never asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_startup_table_has_every_row(tmp_path: Path) -> None:
    output = tmp_path / "startup.md"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "bench.startup", "--reps", "1", "--output",
                           str(output)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env=env)
    assert done.returncode == 0, done.stderr
    table = output.read_text()
    for row in ("interpreter alone", "import QtNetwork", "import QtCore", "first QSslSocket",
                "first QTcpSocket", "qtls --version"):
        assert f"| {row}" in table
    assert table == done.stdout
