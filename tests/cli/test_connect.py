"""qtls connect against openssl s_server and plain sockets: state changes, session, chain,
errors by Qt's names, and an exit status that says whether the peer was verified."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from tests.cli.helpers import Pki, Processes, needs_openssl, qtls

pytestmark = needs_openssl


def _connect(port: int, *args: str, host: str = "localhost", **kw: Any) -> tuple[int, Any]:
    done = qtls("connect", f"{host}:{port}", "--json", "--timeout", "5", *args, **kw)
    return done.returncode, json.loads(done.stdout)


def _server(processes: Processes, pki: Pki, *args: str) -> int:
    _, port = processes.s_server("-cert", pki.path("server.pem"), "-key", pki.path("server.key"),
                                 *args)
    return port


def test_a_trusted_server_is_verified_with_its_session_and_chain(pki: Pki,
                                                                 processes: Processes) -> None:
    port = _server(processes, pki, "-alpn", "h2,http/1.1")
    status, doc = _connect(port, "--cafile", pki.path("ca.pem"), "--alpn", "http/1.1")
    assert status == 0 and doc["verified"] and doc["verification_errors"] == []
    assert doc["session"]["protocol"] == "TlsV1_3"
    assert doc["session"]["alpn"] == "http/1.1"
    assert doc["session"]["group"]
    leaf = x509.load_pem_x509_certificate(pki.server.cert_chain_pems[0].bytes())
    assert doc["peer_chain"][0]["sha256"] == leaf.fingerprint(hashes.SHA256()).hex(":").upper()
    events = [e["event"] for e in doc["events"]]
    assert "connected" in events and "encrypted" in events
    assert events.index("connected") < events.index("encrypted")
    times = [e["ms"] for e in doc["events"]]
    assert times == sorted(times)


def test_text_output_shows_the_fields_aligned(pki: Pki, processes: Processes) -> None:
    port = _server(processes, pki)
    done = qtls("connect", f"localhost:{port}", "--cafile", pki.path("ca.pem"))
    assert done.returncode == 0
    for field in ("protocol  TlsV1_3", "cipher    TLS_", "verified: no error for 'localhost'",
                  "[0]  O=trustme", "names   localhost, 127.0.0.1"):
        assert field in done.stdout, done.stdout


def test_an_untrusted_server_fails_with_qts_error_names(pki: Pki, processes: Processes) -> None:
    port = _server(processes, pki)
    status, doc = _connect(port)  # the system's CAs do not know the test CA
    assert status == 1 and not doc["encrypted"]
    assert "UnableToGetLocalIssuerCertificate" in [e["error"] for e in doc["verification_errors"]]
    assert doc["error"]


def test_a_name_the_certificate_lacks_is_a_host_name_mismatch(pki: Pki,
                                                              processes: Processes) -> None:
    port = _server(processes, pki)
    status, doc = _connect(port, "--cafile", pki.path("ca.pem"), "--servername", "example.org")
    assert status == 1
    assert [e["error"] for e in doc["verification_errors"]] == ["HostNameMismatch"]


def test_ignored_errors_connect_but_do_not_count_as_verified(pki: Pki,
                                                             processes: Processes) -> None:
    port = _server(processes, pki)
    status, doc = _connect(port, "--cafile", pki.path("ca.pem"), "--servername", "example.org",
                           "--ignore", "HostNameMismatch")
    assert status == 1 and doc["encrypted"] and not doc["verified"]
    assert doc["ignored_errors"] == ["HostNameMismatch"]
    # Ignoring a different error leaves this one fatal.
    status, doc = _connect(port, "--cafile", pki.path("ca.pem"), "--servername", "example.org",
                           "--ignore", "CertificateExpired")
    assert not doc["encrypted"]


def test_protocol_range_is_honoured(pki: Pki, processes: Processes) -> None:
    port = _server(processes, pki)
    _, doc = _connect(port, "--cafile", pki.path("ca.pem"), "--protocol", "1.2")
    assert doc["session"]["protocol"] == "TlsV1_2"
    _, doc = _connect(port, "--cafile", pki.path("ca.pem"), "--protocol", "TlsV1_3OrLater")
    assert doc["session"]["protocol"] == "TlsV1_3"


def test_a_client_certificate_reaches_the_server(pki: Pki, processes: Processes) -> None:
    server, port = processes.s_server("-cert", pki.path("server.pem"), "-key",
                                      pki.path("server.key"), "-Verify", "1", "-CAfile",
                                      pki.path("ca.pem"), "-verify_return_error")
    status, doc = _connect(port, "--cafile", pki.path("ca.pem"), "--cert", pki.path("client.pem"),
                           "--key", pki.path("client.key"))
    assert status == 0, doc
    server.wait_for("qtls test client")


def test_a_key_that_does_not_match_the_certificate_is_refused(pki: Pki) -> None:
    done = qtls("connect", "localhost:1", "--cert", pki.path("client.pem"), "--key",
                pki.path("server.key"))
    assert done.returncode == 2 and "does not belong to the certificate" in done.stderr


def test_a_saved_session_resumes(pki: Pki, processes: Processes, tmp_path: Path) -> None:
    port = _server(processes, pki)
    ticket = tmp_path / "session.bin"
    status, first = _connect(port, "--cafile", pki.path("ca.pem"), "--session-out", str(ticket))
    assert status == 0 and first["session"]["resumed"] is False
    assert ticket.stat().st_size > 0
    status, second = _connect(port, "--cafile", pki.path("ca.pem"), "--session-in", str(ticket))
    assert status == 0 and second["session"]["resumed"] is True


def test_lines_from_stdin_reach_the_peer_and_its_answers_come_back(
        pki: Pki, processes: Processes) -> None:
    server, port = processes.s_server("-cert", pki.path("server.pem"), "-key",
                                      pki.path("server.key"), "-rev")
    done = qtls("connect", f"localhost:{port}", "--cafile", pki.path("ca.pem"), "-",
                input=b"hello qtls\n")
    assert done.returncode == 0
    assert "sltq olleh" in done.stdout  # s_server -rev answers each line reversed


def test_ocsp_stapling_requested_from_a_server_without_it(pki: Pki,
                                                          processes: Processes) -> None:
    port = _server(processes, pki)
    _, doc = _connect(port, "--cafile", pki.path("ca.pem"), "--ocsp")
    # Qt's rule: with stapling enabled, a missing response is a verification error.
    assert "OcspNoResponseFound" in [e["error"] for e in doc["verification_errors"]]
    _, doc = _connect(port, "--cafile", pki.path("ca.pem"))
    assert doc["session"]["ocsp"].startswith("not requested")


def test_a_refused_connection_is_one_line_of_reason_and_status_1() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    status, doc = _connect(port, host="127.0.0.1")
    assert status == 1 and not doc["encrypted"]
    assert "refused" in doc["error"].lower()


def test_a_silent_server_is_given_up_after_the_timeout() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        accepted: list[socket.socket] = []
        threading.Thread(target=lambda: accepted.append(listener.accept()[0]),
                         daemon=True).start()
        done = qtls("connect", f"127.0.0.1:{port}", "--timeout", "1", timeout=20)
        for sock in accepted:
            sock.close()
    assert done.returncode == 1
    assert "not connected" in done.stdout


def _ocsp_response(pki: Pki, path: Path, *, revoked: bool) -> None:
    """A stapled OCSP response for the server's certificate, signed by the CA itself."""
    import datetime

    from cryptography.hazmat.primitives import serialization
    from cryptography.x509 import ocsp

    cert = x509.load_pem_x509_certificate(pki.server.cert_chain_pems[0].bytes())
    ca = x509.load_pem_x509_certificate(pki.ca.cert_pem.bytes())
    ca_key = serialization.load_pem_private_key(pki.ca.private_key_pem.bytes(), None)
    now = datetime.datetime.now(datetime.timezone.utc)
    status = ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD
    response = (
        ocsp.OCSPResponseBuilder()
        .add_response(cert=cert, issuer=ca, algorithm=hashes.SHA1(), cert_status=status,
                      this_update=now - datetime.timedelta(minutes=1),
                      next_update=now + datetime.timedelta(hours=1),
                      revocation_time=now - datetime.timedelta(minutes=1) if revoked else None,
                      revocation_reason=x509.ReasonFlags.key_compromise if revoked else None)
        .responder_id(ocsp.OCSPResponderEncoding.HASH, ca)
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    path.write_bytes(response.public_bytes(serialization.Encoding.DER))


def test_a_stapled_good_ocsp_response_is_shown(pki: Pki, processes: Processes,
                                                tmp_path: Path) -> None:
    response = tmp_path / "good.der"
    _ocsp_response(pki, response, revoked=False)
    port = _server(processes, pki, "-status_file", str(response))
    status, doc = _connect(port, "--cafile", pki.path("ca.pem"), "--ocsp")
    assert status == 0, doc
    assert doc["session"]["ocsp"] == "Good"


def test_a_stapled_revocation_fails_the_handshake(pki: Pki, processes: Processes,
                                                  tmp_path: Path) -> None:
    response = tmp_path / "revoked.der"
    _ocsp_response(pki, response, revoked=True)
    port = _server(processes, pki, "-status_file", str(response))
    status, doc = _connect(port, "--cafile", pki.path("ca.pem"), "--ocsp")
    assert status == 1 and not doc["encrypted"]
    assert "CertificateRevoked" in [e["error"] for e in doc["verification_errors"]]
    status, doc = _connect(port, "--cafile", pki.path("ca.pem"), "--ocsp", "--ignore",
                           "CertificateRevoked")
    assert status == 1 and doc["encrypted"]
    assert doc["session"]["ocsp"] == "Revoked (KeyCompromise)"


def test_a_pkcs12_client_identity_with_its_pass_phrase(pki: Pki, processes: Processes,
                                                       tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    key = serialization.load_pem_private_key(pki.client.private_key_pem.bytes(), None)
    cert = x509.load_pem_x509_certificate(pki.client.cert_chain_pems[0].bytes())
    bundle = tmp_path / "client.p12"
    bundle.write_bytes(pkcs12.serialize_key_and_certificates(
        b"client", key, cert, None,  # type: ignore[arg-type]
        serialization.BestAvailableEncryption(b"sesame")))
    server, port = processes.s_server("-cert", pki.path("server.pem"), "-key",
                                      pki.path("server.key"), "-Verify", "1", "-CAfile",
                                      pki.path("ca.pem"), "-verify_return_error")
    status, doc = _connect(port, "--cafile", pki.path("ca.pem"), "--cert", str(bundle),
                           "--passphrase", "sesame")
    assert status == 0, doc
    server.wait_for("qtls test client")
