"""bench.icount: its in-process workloads run to completion (the valgrind part needs valgrind,
which CI lacks; the counting is checked when it is installed)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.certs import write_certificates
from bench.icount import WORKLOADS, _spec, main, measure, workload_of

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"cap": 6, "pingpong": 20, "bulk": 2 * 1024 * 1024}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("workload", sorted(WORKLOADS))
def test_each_workload_runs_both_sides_in_one_process(workload: str, tmp_path: Path) -> None:
    certs = {key: write_certificates(tmp_path, key) for key in ("ecdsa", "rsa")}
    # The process-wide QCoreApplication is shared with the other qtls tests: run it in a child.
    spec = _spec(workload, SMALL[workload_of(workload).kind], certs)
    code = ("import json, sys; from bench.icount import run_inner; "
            "run_inner(json.loads(sys.argv[1])); print('ok')")
    done = subprocess.run([sys.executable, "-c", code, json.dumps(spec)], cwd=ROOT,
                          capture_output=True, text=True, timeout=100)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_unknown_workloads_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    if shutil.which("valgrind") is None:
        assert main(["--workloads", "nonsense"]) == 2  # (no valgrind is reported first)
        return
    with pytest.raises(SystemExit):
        main(["--workloads", "nonsense"])
    assert "unknown workloads: nonsense" in capsys.readouterr().err


@pytest.mark.timeout(600)
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_instruction_counts_are_positive_and_repeatable(tmp_path: Path) -> None:
    certs = {key: write_certificates(tmp_path, key) for key in ("ecdsa", "rsa")}
    first = measure("pingpong", ROOT, certs, sizes=(200, 1000))
    second = measure("pingpong", ROOT, certs, sizes=(200, 1000))
    assert first > 10_000  # a TLS round trip through Python is tens of thousands at least
    assert abs(first - second) / first < 0.01
