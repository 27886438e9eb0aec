"""A qtls QSslServer against ``openssl s_client``: protocols, key types, mTLS, ALPN, resumption,
PSK and bad input."""

from __future__ import annotations

import re
from typing import Any

import pytest

from qtls.QtNetwork import QAbstractSocket, QSsl, QSslConfiguration, QSslSocket
from tests.interop.helpers import SClient, needs_openssl, pem_files
from tests.sslserver.helpers import (
    CA,
    EC_CA,
    EC_SERVER_CERT,
    RSA_SERVER_CERT,
    SESSIONS,
    STRANGER_CERT,
    run_until,
    server_config,
    start_server,
)

pytestmark = needs_openssl

SocketError = QAbstractSocket.SocketError
CLIENT_CERT = EC_CA.issue_cert("interop-client@example.org")

_PROTOCOLS = {"tls1_2": ("-tls1_2", QSsl.SslProtocol.TlsV1_2, "TLSv1.2"),
              "tls1_3": ("-tls1_3", QSsl.SslProtocol.TlsV1_3, "TLSv1.3")}
_KEYS = {"rsa": (RSA_SERVER_CERT, CA), "ecdsa": (EC_SERVER_CERT, EC_CA)}


def _session_line(output: str) -> tuple[str, str, str]:
    """('New' or 'Reused', protocol, cipher) from s_client's summary line."""
    match = re.search(r"^(New|Reused), (TLSv1\.[23]), Cipher is (\S+)", output, re.M)
    assert match, output
    return match.group(1), match.group(2), match.group(3)


def _ca_file(tmp_path: Any, ca: Any) -> str:
    return pem_files(tmp_path, ca=ca.cert_pem.bytes())["ca"]


@pytest.mark.parametrize("key_type", list(_KEYS))
@pytest.mark.parametrize("protocol", list(_PROTOCOLS))
def test_s_client_handshakes_and_exchanges_data(qtls_app: Any, s_client: SClient, tmp_path: Any,
                                                protocol: str, key_type: str) -> None:
    flag, qt_protocol, wire_name = _PROTOCOLS[protocol]
    leaf, ca = _KEYS[key_type]
    server, accepted = start_server(server_config(leaf), close_after_reply=True)
    run = s_client(server.serverPort(), "-servername", "localhost", "-CAfile",
                   _ca_file(tmp_path, ca), "-verify_return_error", "-ign_eof", flag)
    assert run.wait(), "s_client did not exit"
    assert not run.timed_out, run.output
    assert "PING" in run.output
    assert "Verify return code: 0 (ok)" in run.output
    assert run.returncode == 0, run.output  # the server closed with close_notify
    kind, version, cipher = _session_line(run.output)
    assert (kind, version) == ("New", wire_name)
    (sock,) = accepted
    assert SESSIONS[sock] == (qt_protocol, cipher)
    assert sock.sessionCipher().isNull()  # the connection is over: Qt frees its session
    # s_client saw the key type the server was given.
    bits = "2048" if key_type == "rsa" else "256"
    assert f"Server public key is {bits} bit" in run.output
    server.close()


def _mtls_server(**kw: Any) -> Any:
    conf = server_config(client_ca=EC_CA)
    conf.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyPeer)
    return start_server(conf, close_after_reply=True, **kw)


@pytest.mark.parametrize("protocol", list(_PROTOCOLS))
def test_mutual_tls_with_s_client_certificate(qtls_app: Any, s_client: SClient, tmp_path: Any,
                                              protocol: str) -> None:
    server, accepted = _mtls_server()
    files = pem_files(tmp_path, ca=EC_CA.cert_pem.bytes(),
                      cert=CLIENT_CERT.cert_chain_pems[0].bytes(),
                      key=CLIENT_CERT.private_key_pem.bytes())
    run = s_client(server.serverPort(), "-servername", "localhost", "-CAfile", files["ca"],
                   "-cert", files["cert"], "-key", files["key"], "-ign_eof",
                   _PROTOCOLS[protocol][0])
    assert run.wait()
    assert "PING" in run.output, run.output
    (sock,) = accepted
    peer = sock.peerCertificate()
    assert not peer.isNull()
    assert bytes(peer.toPem()).strip() == CLIENT_CERT.cert_chain_pems[0].bytes().strip()
    assert sock.sslHandshakeErrors() == []
    server.close()


def test_mutual_tls_refuses_s_client_without_certificate(qtls_app: Any, s_client: SClient,
                                                         tmp_path: Any) -> None:
    server, accepted = _mtls_server()
    errors: list[Any] = []
    server.errorOccurred.connect(lambda sock, error: errors.append(error))
    run = s_client(server.serverPort(), "-servername", "localhost", "-CAfile",
                   _ca_file(tmp_path, EC_CA), "-ign_eof", "-tls1_3")
    assert run.wait()
    assert "PING" not in run.output
    assert run_until(lambda: bool(errors))
    assert errors[0] == SocketError.SslHandshakeFailedError
    assert not accepted
    server.close()


def test_mutual_tls_refuses_certificate_from_unknown_ca(qtls_app: Any, s_client: SClient,
                                                        tmp_path: Any) -> None:
    server, accepted = _mtls_server()
    texts: list[str] = []
    server.errorOccurred.connect(lambda sock, error: texts.append(sock.errorString()))
    files = pem_files(tmp_path, ca=EC_CA.cert_pem.bytes(),
                      cert=STRANGER_CERT.cert_chain_pems[0].bytes(),
                      key=STRANGER_CERT.private_key_pem.bytes())
    run = s_client(server.serverPort(), "-servername", "localhost", "-CAfile", files["ca"],
                   "-cert", files["cert"], "-key", files["key"], "-ign_eof", "-tls1_2")
    assert run.wait()
    assert "PING" not in run.output
    assert run_until(lambda: bool(texts))
    assert "issuer" in texts[0].lower()
    assert not accepted
    server.close()


def test_alpn_selects_the_protocol_both_sides_allow(qtls_app: Any, s_client: SClient,
                                                    tmp_path: Any) -> None:
    conf = server_config()
    conf.setAllowedNextProtocols([b"h2", b"http/1.1"])
    server, accepted = start_server(conf, close_after_reply=True)
    run = s_client(server.serverPort(), "-servername", "localhost", "-CAfile",
                   _ca_file(tmp_path, EC_CA), "-ign_eof", "-alpn", "spdy/3,http/1.1")
    assert run.wait()
    assert "ALPN protocol: http/1.1" in run.output, run.output
    (sock,) = accepted
    negotiated = sock.sslConfiguration()
    assert bytes(negotiated.nextNegotiatedProtocol()) == b"http/1.1"
    assert negotiated.nextProtocolNegotiationStatus() == \
        QSslConfiguration.NextProtocolNegotiationStatus.NextProtocolNegotiationNegotiated
    server.close()


def test_alpn_without_overlap_completes_without_a_protocol(qtls_app: Any, s_client: SClient,
                                                           tmp_path: Any) -> None:
    conf = server_config()
    conf.setAllowedNextProtocols([b"h2"])
    server, accepted = start_server(conf, close_after_reply=True)
    run = s_client(server.serverPort(), "-servername", "localhost", "-CAfile",
                   _ca_file(tmp_path, EC_CA), "-ign_eof", "-alpn", "http/1.1")
    assert run.wait()
    assert "No ALPN negotiated" in run.output, run.output
    assert "PING" in run.output
    (sock,) = accepted
    assert bytes(sock.sslConfiguration().nextNegotiatedProtocol()) == b""
    server.close()


@pytest.mark.parametrize("protocol", list(_PROTOCOLS))
def test_session_resumption_with_s_client(qtls_app: Any, s_client: SClient, tmp_path: Any,
                                          protocol: str) -> None:
    server, accepted = start_server(server_config(), close_after_reply=True)
    session = str(tmp_path / "session.pem")
    common = ["-servername", "localhost", "-CAfile", _ca_file(tmp_path, EC_CA), "-ign_eof",
              _PROTOCOLS[protocol][0]]
    first = s_client(server.serverPort(), *common, "-sess_out", session)
    assert first.wait()
    assert _session_line(first.output)[0] == "New", first.output
    second = s_client(server.serverPort(), *common, "-sess_in", session)
    assert second.wait()
    kind, version, _cipher = _session_line(second.output)
    assert (kind, version) == ("Reused", _PROTOCOLS[protocol][2]), second.output
    assert "PING" in second.output
    assert len(accepted) == 2
    server.close()


def test_psk_server_authenticates_s_client(qtls_app: Any, s_client: SClient) -> None:
    conf = QSslConfiguration.defaultConfiguration()
    conf.setProtocol(QSsl.SslProtocol.TlsV1_2)
    conf.setPreSharedKeyIdentityHint(b"qtls-hint")
    server, accepted = start_server(conf, close_after_reply=True)
    identities: list[bytes] = []

    def provide(sock: Any, authenticator: Any) -> None:
        identities.append(bytes(authenticator.identity()))
        authenticator.setPreSharedKey(bytes.fromhex("00112233445566778899aabbccddeeff"))

    server.preSharedKeyAuthenticationRequired.connect(provide)
    run = s_client(server.serverPort(), "-tls1_2", "-cipher", "PSK-AES128-GCM-SHA256",
                   "-psk", "00112233445566778899aabbccddeeff", "-psk_identity", "client-7",
                   "-ign_eof")
    assert run.wait()
    assert "PING" in run.output, run.output
    assert identities == [b"client-7"]
    (sock,) = accepted
    assert SESSIONS[sock][1] == "PSK-AES128-GCM-SHA256"
    server.close()


def test_s_client_with_disjoint_protocol_is_refused(qtls_app: Any, s_client: SClient,
                                                    tmp_path: Any) -> None:
    conf = server_config()
    conf.setProtocol(QSsl.SslProtocol.TlsV1_3OrLater)
    server, accepted = start_server(conf)
    errors: list[tuple[Any, str]] = []
    server.errorOccurred.connect(lambda sock, error: errors.append((error, sock.errorString())))
    run = s_client(server.serverPort(), "-servername", "localhost", "-CAfile",
                   _ca_file(tmp_path, EC_CA), "-tls1_2")
    assert run.wait()
    assert "protocol version" in run.output.lower(), run.output
    assert run_until(lambda: bool(errors))
    assert errors[0][0] == SocketError.SslHandshakeFailedError
    assert "protocol" in errors[0][1].lower()
    assert not accepted
    server.close()
