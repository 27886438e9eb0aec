"""python -m bench.dtls --smoke runs every row for qtls (and openssl s_server when installed)
and writes its table (numbers never asserted)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dtls_bench_smoke_writes_every_row(tmp_path: Path) -> None:
    output = tmp_path / "dtls.md"
    done = subprocess.run([sys.executable, "-m", "bench.dtls", "--smoke", "--output", str(output)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    table = output.read_text()
    assert table == done.stdout
    header = "| row | qtls | openssl |" if shutil.which("openssl") else "| row | qtls |"
    assert header in table
    for row in ("handshakes per server CPU-second", "handshakes per second",
                "datagram round trips per second", "server CPU µs per round trip"):
        assert f"| {row}" in table
