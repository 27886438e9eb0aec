"""qtls's QDtls against Qt's own (PySide6's QDtls, in another process), both directions:
Qt's cookie exchange, handshake, one echoed datagram and shutdown. Skipped without PySide6
(an optional, test-only reference: pip install PySide6-Essentials)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.loops import run_until

from .conftest import CA, SERVER_CERT
from .harness import EchoClient, EchoServer, client_configuration, server_configuration

pytestmark = [
    pytest.mark.usefixtures("qtls_app"),
    pytest.mark.skipif(importlib.util.find_spec("PySide6") is None,
                       reason="PySide6 is not installed (optional reference: "
                       "pip install PySide6-Essentials)"),
]
PEER = Path(__file__).with_name("pyside_peer.py")
ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen")


def test_qtls_client_with_a_qt_dtls_server(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_bytes(b"".join(b.bytes() for b in SERVER_CERT.cert_chain_pems))
    key.write_bytes(SERVER_CERT.private_key_pem.bytes())
    proc = subprocess.Popen([sys.executable, str(PEER), "server", str(cert), str(key)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        match = re.match(r"listening on (\d+)", first)
        assert match, first
        lines: list[str] = []
        threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True).start()
        client = EchoClient(client_configuration(CA), int(match.group(1)))
        assert client.start()
        assert run_until(lambda: client.encrypted() or bool(client.failures), 10000), lines
        assert client.encrypted(), client.failures
        client.dtls.writeDatagramEncrypted(client.socket, b"from qtls")
        assert run_until(lambda: client.echoes == [b"FROM QTLS"], 5000), lines
        assert client.dtls.shutdown(client.socket)
        assert proc.wait(timeout=10) == 0
        assert any("peer shut down" in line for line in lines), lines
        client.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)


def test_qt_dtls_client_with_a_qtls_server(tmp_path: Path) -> None:
    cafile = tmp_path / "ca.pem"
    cafile.write_bytes(CA.cert_pem.bytes())
    server = EchoServer(server_configuration(SERVER_CERT))
    try:
        proc = subprocess.Popen([sys.executable, str(PEER), "client", str(server.port),
                                 str(cafile), "from qt"], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, env=ENV)
        assert run_until(lambda: proc.poll() is not None, 20000)
        output = proc.stdout.read() if proc.stdout else ""
        assert proc.returncode == 0, (output, server.errors)
        assert "echo: FROM QT" in output
        assert server.hello_verify_requests >= 1
        assert run_until(lambda: not server.peers, 5000)  # Qt's close_notify arrived
    finally:
        if proc.poll() is None:
            proc.kill()
        server.close()



def test_error_values_and_texts_match_pyside6(qtls_app: object) -> None:
    # (PySide6 runs in its own process: its Qt must not meet PyQt6's in this one.)
    import json

    import qtls.QtNetwork

    from .error_script import error_script

    done = subprocess.run([sys.executable, str(PEER), "errors"], capture_output=True, text=True,
                          timeout=60, env=ENV)
    assert done.returncode == 0, done.stderr
    theirs = [tuple(row) for row in json.loads(done.stdout)]
    assert error_script(qtls.QtNetwork) == theirs
