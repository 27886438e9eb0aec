"""``python -m qtls demo`` runs by itself, shows each TLS step and exits 0 within seconds."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from typing import Any

from cryptography import x509

from qtls.cli.demo import make_certificates, run_demo


def _key_lines_in_order(text: str) -> None:
    expected = [
        "QSslServer listening on 127.0.0.1:",
        "1. A trusted handshake",
        "stateChanged(HostLookupState)",
        "modeChanged(SslClientMode)",
        "startedEncryptionHandshake(socket)",
        "encrypted",
        "protocol TlsV1_3, cipher TLS_",
        "key exchange:",
        "peer chain [0]: localhost",
        "ALPN: qtls-demo/1 (NextProtocolNegotiationNegotiated)",
        "2. A verification failure",
        "peerVerifyError(HostNameMismatch)",
        "sslErrors([HostNameMismatch])",
        "errorOccurred(SslHandshakeFailedError)",
        "handshake refused, as it should be",
        "3. Ignoring that one error",
        "still refused: the certificate did not match",
        "the listed error was ignored: encrypted",
        "4. An encrypted exchange",
        "readyRead: b'HELLO FROM QTLS\\n'",
        "readyRead: b'BYE\\n'",
        "done: every line came back, every step as expected",
    ]
    position = 0
    for line in expected:
        found = text.find(line, position)
        assert found >= 0, f"missing (or out of order): {line!r}\n{text}"
        position = found + len(line)


def test_demo_command_exits_zero_quickly_with_every_step(tmp_path: Any) -> None:
    began = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "qtls", "demo"], capture_output=True,
                            text=True, timeout=30, cwd=tmp_path)
    elapsed = time.monotonic() - began
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    _key_lines_in_order(result.stdout)
    assert elapsed < 15, f"the demo took {elapsed:.1f}s"
    assert len(result.stdout.splitlines()) < 80  # readable in half a minute


def test_run_demo_in_process_returns_zero(qtls_app: Any) -> None:
    out = io.StringIO()
    assert run_demo(out) == 0
    _key_lines_in_order(out.getvalue())


def test_demo_certificates_are_a_fresh_ca_and_a_localhost_leaf() -> None:
    ca, cert, key = make_certificates()
    ca2, _cert2, _key2 = make_certificates()
    assert ca != ca2  # a throwaway CA each run
    assert not key.isNull()
    assert ca.isSelfSigned() and not cert.isSelfSigned()
    leaf = x509.load_pem_x509_certificate(bytes(cert.toPem()))
    issuer = x509.load_pem_x509_certificate(bytes(ca.toPem()))
    leaf.verify_directly_issued_by(issuer)  # raises if the CA did not sign it
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert names.get_values_for_type(x509.IPAddress) == []  # so that 127.0.0.1 mismatches
