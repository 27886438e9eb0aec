"""The documentation builds in strict mode, and every code block in it runs.

Code blocks (README.md and docs/*.md) run in a fresh folder holding a private CA and
certificates (examples/make_certs.py: ca.pem, server.pem/.key, client.pem/.key), with the port
4433 replaced by a free one:

- a Python block runs to completion (exit status 0) while a qtls echo server serves those
  certificates on the port;
- a Python block preceded by ``<!-- run: server -->`` is a server: it runs in the background,
  must echo a line sent by a stdlib TLS client, and is then stopped;
- a ``sh`` block runs line by line: ``qtls serve`` in the background, other ``qtls`` commands
  and ``python examples/...`` to completion (status 0 or 1, never a usage error or a
  traceback); installation and make lines (pip, make, git) are not run.

README's "In an asyncio program" section is left to the tests of qtls.aio.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import signal
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.helpers import Background, Processes, environment, free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
TIMEOUT_S = 30
NOT_RUN = ("pip ", "make ", "git ", "cd ")
SKIPPED_SECTIONS = ("## In an asyncio program",)


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    language: str
    mode: str  # "client", "server" or "sh"
    code: str

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


_FENCE = re.compile(r"(?:<!-- run: (\w+) -->\n)?```(\w+)\n(.*?)\n```", re.S)


def _without_skipped_sections(text: str) -> str:
    for heading in SKIPPED_SECTIONS:
        start = text.find(heading)
        if start >= 0:
            end = text.find("\n## ", start + len(heading))
            end = len(text) if end < 0 else end
            blank = "\n" * text[start:end].count("\n")  # keep line numbers
            text = text[:start] + blank + text[end:]
    return text


def blocks() -> list[Block]:
    found = []
    for path in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        text = _without_skipped_sections(path.read_text())
        for match in _FENCE.finditer(text):
            marker, language, code = match.group(1), match.group(2), match.group(3)
            if language not in ("python", "sh"):
                continue
            line = text.count("\n", 0, match.start()) + 1
            mode = "sh" if language == "sh" else (marker or "client")
            found.append(Block(path, line, language, mode, code))
    return found


BLOCKS = blocks()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "make_certs.py"),
                           str(tmp_path)], capture_output=True, timeout=TIMEOUT_S)
    assert done.returncode == 0, done.stderr
    return tmp_path


@pytest.fixture
def processes() -> Iterator[Processes]:
    running = Processes()
    try:
        yield running
    finally:
        running.cleanup()


def _run_python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT_S, env=environment())


def _echo_through(port: int, ca: Path) -> bytes:
    context = ssl.create_default_context(cafile=str(ca))
    with context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                             server_hostname="localhost") as tls:
        tls.sendall(b"ping\n")
        return tls.recv(100)


def _stop(background: Background) -> None:
    if background.proc.poll() is None:
        background.proc.send_signal(signal.SIGTERM)
        try:
            background.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            background.proc.kill()
            background.proc.wait(timeout=5)


def _command(line: str) -> list[str] | None:
    words = shlex.split(line, comments=True)
    if not words or line.startswith(NOT_RUN):
        return None
    if words[0] == "qtls":
        return [sys.executable, "-m", "qtls", *words[1:]]
    if words[0] == "python" and words[1].startswith("examples/"):
        return [sys.executable, str(ROOT / words[1]), *words[2:]]
    raise AssertionError(f"a documented command the test does not know how to run: {line}")


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_code_block_runs(block: Block, workspace: Path, processes: Processes) -> None:
    port = free_port()
    code = block.code.replace("4433", str(port))
    if block.mode == "client":
        server = processes.start([sys.executable, "-m", "qtls", "serve", "--port", str(port),
                                  "--cert", str(workspace / "server.pem"), "--key",
                                  str(workspace / "server.key")])
        server.wait_for("listening on")
        done = _run_python(code, workspace)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
    elif block.mode == "server":
        server = processes.start_in(workspace, [sys.executable, "-c", code])
        wait_for_port(port, timeout=15)
        assert _echo_through(port, workspace / "ca.pem") == b"ping\n", server.output
        _stop(server)
        assert "Traceback" not in server.output, server.output
    else:
        background: list[Background] = []
        for line in code.splitlines():
            command = _command(line.strip())
            if command is None:
                continue
            if command[3:4] == ["serve"]:
                started = processes.start_in(workspace, command)
                started.wait_for("listening on")
                background.append(started)
                continue
            done = subprocess.run(command, cwd=workspace, capture_output=True, text=True,
                                  timeout=TIMEOUT_S, env=environment())
            assert done.returncode in (0, 1), f"{line}\n{done.stdout}{done.stderr}"
            assert "Traceback" not in done.stderr, done.stderr
        for started in background:
            _stop(started)
            assert "Traceback" not in started.output


def test_there_are_blocks_of_every_kind() -> None:
    assert {b.mode for b in BLOCKS} == {"client", "server", "sh"}


@pytest.mark.timeout(600)
def test_the_docs_build_in_strict_mode(tmp_path: Path) -> None:
    missing = [m for m in ("sphinx", "myst_parser") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"the docs extra is not installed ({', '.join(missing)}): "
                    "pip install -e '.[docs]' (make test does)")
    done = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-E",
                           "-b", "html", str(DOCS), str(tmp_path / "html")],
                          capture_output=True, text=True, timeout=540)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "html" / "api" / "qtnetwork.html").exists()
