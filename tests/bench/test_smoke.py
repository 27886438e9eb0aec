"""The benchmark's smoke mode runs end to end and prints its table (numbers never asserted)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMOKE_ROWS = (
    "bulk, 2 MiB one way in 64 KiB writes",
    "sequential handshakes, ECDSA P-256",
    "sequential handshakes, RSA-2048, resumed",
    "server capacity, 32 clients, ECDSA P-256, resumed",
    "server capacity, 32 clients, RSA-2048",
    "ping-pong, 64-byte round trips, one connection",
    "server memory per idle TLS connection",
)
# qtls.prefork's rows: the qtls column only (no reference has a worker pool).
WORKER_ROWS = ("cap-workers-1", "cap-workers-2", "cap-workers-2-reuseport", "resume-workers-2")
WORKER_TITLES = (
    "server capacity, 1 worker process (qtls.prefork)",
    "server capacity, 2 worker processes (qtls.prefork)",
    "server capacity, 2 worker processes, a SO_REUSEPORT socket each",
    "tickets resumed by another worker than their issuer",
)


@pytest.mark.timeout(300)
def test_smoke_run_completes_and_prints_every_workload_row(tmp_path: Path) -> None:
    output = tmp_path / "smoke.md"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--output", str(output)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=280,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    report = output.read_text()
    assert report.strip() in proc.stdout  # the table is printed, not only written
    table_rows = [line for line in report.splitlines() if line.startswith("| ")]
    assert table_rows[0].startswith("| workload | unit |")
    for title in SMOKE_ROWS + WORKER_TITLES:
        assert any(row.startswith(f"| {title}") for row in table_rows), title

    # The references measure every workload they run: a failure there is a harness bug.
    # (qtls's cells are not checked here: its failures are findings the table reports.)
    raw = json.loads(output.with_suffix(".json").read_text())
    references = ["asyncio", "PyQt6"] + (
        ["uvloop"] if importlib.util.find_spec("uvloop") else [])
    for name in references:
        if name in raw["unavailable"]:
            continue
        failed = {key: error for key, error in raw["errors"].items()
                  if key.split("|")[1] == name}
        assert not failed, failed
        measured = [key for key in raw["values"] if key.split("|")[1] == name]
        assert len(measured) == len(SMOKE_ROWS)

    # The worker pool measured each of its rows (a failure there is a harness bug too: the
    # pool is small and its client is the benchmark's own), and every ticket offered to
    # another worker than its issuer resumed; the summary says what 2 workers gain.
    for row in WORKER_ROWS:
        assert f"{row}|qtls" in raw["values"], raw["errors"].get(f"{row}|qtls")
    assert raw["values"]["resume-workers-2|qtls"] == [100.0]
    assert "Capacity with 2 workers ÷ 1 worker (wall clock):" in report

    # The floor (a reference server, no Qt API) runs the capacity rows and nothing else, with
    # the group and cipher every pinned column uses.
    floor = {key.split("|")[0]: error for key, error in raw["errors"].items()
             if key.split("|")[1] == "floor"}
    assert not floor, floor
    floor_rows = sorted(key.split("|")[0] for key in raw["values"] if key.endswith("|floor"))
    assert floor_rows == ["cap-ecdsa-resumed", "cap-rsa"]
    assert raw["sessions"]["floor"]["group"] == "X25519"
    assert raw["sessions"]["floor"]["cipher"] == "TLS_AES_256_GCM_SHA384"
