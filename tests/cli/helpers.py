"""Running ``qtls`` and ``openssl`` as real processes on 127.0.0.1, every one bounded in time
and killed at the end of its test."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(
    OPENSSL is None,
    reason="the openssl command-line tool is not installed (install your system's openssl "
           "package)")
RUN_TIMEOUT_S = 30.0


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def qtls(*args: str, input: bytes | None = None, timeout: float = RUN_TIMEOUT_S,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m qtls ARGS`` to completion; never a traceback, whatever the outcome."""
    done = subprocess.run([sys.executable, "-m", "qtls", *args], input=input,
                          capture_output=True, timeout=timeout, env=env or environment())
    result = subprocess.CompletedProcess(done.args, done.returncode,
                                         done.stdout.decode("utf-8", "replace"),
                                         done.stderr.decode("utf-8", "replace"))
    assert "Traceback" not in result.stderr, result.stderr
    return result


needs_terminal = pytest.mark.skipif(not hasattr(os, "login_tty"),
                                    reason="running under a pseudo-terminal needs Python 3.11")


def on_terminal(args: Sequence[str], *, answer: tuple[bytes, bytes] | None = None,
                env: dict[str, str] | None = None) -> tuple[int, str]:
    """``python -m qtls ARGS`` with a pseudo-terminal as its controlling terminal, stdin and
    stdout; ``answer`` = (prompt, reply) types the reply once the prompt appeared. Returns the
    exit status and everything the terminal showed."""
    import select

    login_tty = getattr(os, "login_tty")  # noqa: B009  (Python 3.11; mypy targets 3.10)
    master, slave = os.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "qtls", *args],
                            preexec_fn=lambda: login_tty(slave), env=env or environment())
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            if answer is not None and answer[0] in seen:
                os.write(master, answer[1])
                answer = None
            if select.select([master], [], [], 0.2)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the terminal closed with the process
                    break
                if not chunk:
                    break
                seen += chunk
            elif proc.poll() is not None:
                break
        status = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        os.close(master)
    return status, seen.decode("utf-8", "replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@dataclass
class Background:
    """A process running beside the test; its output collected by a thread."""

    proc: subprocess.Popen[bytes]
    lines: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            with self.changed:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    @property
    def output(self) -> str:
        with self.changed:
            return "\n".join(self.lines)

    def wait_for(self, pattern: str, timeout: float = 15.0) -> re.Match[str]:
        """The first output line matching ``pattern``, waiting for it (bounded)."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        with self.changed:
            while True:
                for line in self.lines:
                    if match := regex.search(line):
                        return match
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.proc.poll() is not None and not self._reading()):
                    raise AssertionError(f"no line matching {pattern!r} in:\n" + self.output)
                self.changed.wait(min(remaining, 0.2))

    def _reading(self) -> bool:
        return self.proc.stdout is not None and not self.proc.stdout.closed

    def finish(self, timeout: float = 15.0) -> int:
        """Wait for the process to end by itself (bounded); its exit status."""
        return self.proc.wait(timeout=timeout)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)


class Processes:
    """Starts background processes and kills whatever is left at teardown."""

    def __init__(self) -> None:
        self.started: list[Background] = []

    def start(self, command: Sequence[str], *, stdin: Any = subprocess.DEVNULL,
              cwd: Path | None = None) -> Background:
        proc = subprocess.Popen(list(command), stdin=stdin, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, env=environment(), cwd=cwd)
        background = Background(proc)
        self.started.append(background)
        return background

    def start_in(self, folder: Path, command: Sequence[str]) -> Background:
        """``command`` started in ``folder``."""
        return self.start(command, cwd=folder)

    def qtls_serve(self, *args: str) -> tuple[Background, int]:
        """``qtls serve --port 0 ARGS``; returns it and the port it listens on."""
        server = self.start([sys.executable, "-m", "qtls", "serve", "--port", "0", *args])
        port = int(server.wait_for(r"listening on .*:(\d+)").group(1))
        return server, port

    def s_server(self, *args: str) -> tuple[Background, int]:
        """``openssl s_server`` on a free port (stdin kept open so it never quits early)."""
        assert OPENSSL is not None
        port = free_port()
        server = self.start([OPENSSL, "s_server", "-accept", f"127.0.0.1:{port}", *args],
                            stdin=subprocess.PIPE)
        wait_for_port(port)
        return server, port

    def cleanup(self) -> None:
        for background in self.started:
            background.stop()


@dataclass
class Pki:
    """A CA (trustme) and files for a server and a client it issued, in a temporary folder."""

    folder: Path
    ca: Any
    server: Any
    client: Any

    def path(self, name: str) -> str:
        return str(self.folder / name)


def make_pki(folder: Path, key_type: Any = None) -> Pki:
    import trustme

    kind = {} if key_type is None else {"key_type": key_type}
    ca = trustme.CA(**kind)
    server = ca.issue_cert("localhost", "127.0.0.1", **kind)
    client = ca.issue_cert("client@example.org", common_name="qtls test client")
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    server.cert_chain_pems[0].write_to_path(str(folder / "server.pem"))
    server.private_key_pem.write_to_path(str(folder / "server.key"))
    client.cert_chain_pems[0].write_to_path(str(folder / "client.pem"))
    client.private_key_pem.write_to_path(str(folder / "client.key"))
    return Pki(folder, ca, server, client)
