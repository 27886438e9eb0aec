"""``openssl s_client`` as a peer: a subprocess fed and read by a thread, always bounded.

The qtls server runs on the test thread's loop (``PeerResult.wait`` drives it); the process is
killed if it outlives its timeout, and every process started is killed at the end of the test
by the ``s_client`` fixture (conftest.py) whatever happened.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.sslserver.helpers import run_until

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(
    OPENSSL is None,
    reason="the openssl command-line tool is not installed (install your system's openssl package)")
PROCESS_TIMEOUT_S = 10.0


@dataclass
class SClientRun:
    """One ``openssl s_client`` run: its combined output once it has exited."""

    args: list[str]
    done: threading.Event = field(default_factory=threading.Event)
    output: str = ""
    returncode: int | None = None
    timed_out: bool = False

    def wait(self) -> bool:
        """Run the qtls loop until the process has exited (bounded)."""
        return run_until(self.done.is_set, int(PROCESS_TIMEOUT_S * 1000) + 2000)


class SClient:
    """Starts ``openssl s_client`` processes against a port and cleans them up."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen[bytes]] = []

    def __call__(self, port: int, *args: str, stdin: bytes = b"ping\n",
                 timeout: float = PROCESS_TIMEOUT_S) -> SClientRun:
        assert OPENSSL is not None
        command = [OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}", *args]
        run = SClientRun(command)
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        self.processes.append(proc)

        def communicate() -> None:
            try:
                out, _ = proc.communicate(stdin, timeout=timeout)
            except subprocess.TimeoutExpired:
                run.timed_out = True
                proc.kill()
                out, _ = proc.communicate()
            run.output = out.decode("utf-8", "replace")
            run.returncode = proc.returncode
            run.done.set()

        threading.Thread(target=communicate, daemon=True).start()
        return run

    def cleanup(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=5)


def pem_files(tmp_path: Any, **blobs: bytes) -> dict[str, str]:
    """Write PEM blobs to ``tmp_path`` and return their paths by name."""
    paths = {}
    for name, data in blobs.items():
        path = tmp_path / f"{name}.pem"
        path.write_bytes(data)
        paths[name] = str(path)
    return paths
