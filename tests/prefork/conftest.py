"""Fixtures for the WorkerPool tests: certificates, and pools run as real processes in their
own process group, so that teardown kills the workers too, whatever a test left running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import Background, environment, make_pki

ROOT = Path(__file__).resolve().parents[2]


class Pools:
    """Starts ``tests.prefork.poolserver`` processes; kills each one's process group at the
    end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[Background] = []

    def start(self, *args: str) -> tuple[Background, int]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.prefork.poolserver", str(self.folder / "server.pem"),
             str(self.folder / "server.key"), *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env=dict(environment(), QT_QPA_PLATFORM="offscreen"), cwd=ROOT,
            start_new_session=True)
        pool = Background(proc)
        self.started.append(pool)
        port = int(pool.wait_for(r"^port (\d+)").group(1))
        return pool, port

    def cleanup(self) -> None:
        for pool in self.started:
            try:
                os.killpg(pool.proc.pid, signal.SIGKILL)  # the pool and its workers
            except ProcessLookupError:
                pass
            pool.proc.wait(timeout=5)


@pytest.fixture
def pools(tmp_path: Path) -> Iterator[Pools]:
    make_pki(tmp_path)
    running = Pools(tmp_path)
    try:
        yield running
    finally:
        running.cleanup()
