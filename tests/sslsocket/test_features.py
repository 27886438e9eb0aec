"""ALPN, session resumption, PSK, OCSP stapling, SNI."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from qtls.QtNetwork import (
    QAbstractSocket,
    QOcspCertificateStatus,
    QSsl,
    QSslCipher,
    QSslConfiguration,
    QSslError,
    QSslSocket,
)
from tests.sslsocket.helpers import Pki, TlsServer, client_for, run_until

pytestmark = pytest.mark.timeout(30)

S = QAbstractSocket.SocketState
SE = QAbstractSocket.SocketError
NPS = QSslConfiguration.NextProtocolNegotiationStatus


def _done(sock: QSslSocket) -> bool:
    return sock.isEncrypted() or sock.state() is S.UnconnectedState


def test_alpn_negotiates_the_clients_choice(pki: Pki, qtls_app: Any) -> None:
    # Qt's server takes the first protocol the client offered that it allows.
    conf = pki.server_config()
    conf.setAllowedNextProtocols([b"http/1.1", b"h2"])
    server = TlsServer(conf)
    client = client_for(pki)
    cc = client.sslConfiguration()
    cc.setAllowedNextProtocols([b"h2", b"http/1.1"])
    client.setSslConfiguration(cc)
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: client.isEncrypted() and server.sockets[0].isEncrypted(), 5000)
    for sock in (client, server.sockets[0]):
        conf = sock.sslConfiguration()
        assert bytes(conf.nextNegotiatedProtocol()) == b"h2"
        assert conf.nextProtocolNegotiationStatus() is NPS.NextProtocolNegotiationNegotiated
    server.shutdown()


def test_alpn_without_overlap_negotiates_nothing(pki: Pki, qtls_app: Any) -> None:
    conf = pki.server_config()
    conf.setAllowedNextProtocols([b"imap"])
    server = TlsServer(conf)
    client = client_for(pki)
    cc = client.sslConfiguration()
    cc.setAllowedNextProtocols([b"h2"])
    client.setSslConfiguration(cc)
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: _done(client), 5000)
    assert client.isEncrypted()
    assert bytes(client.sslConfiguration().nextNegotiatedProtocol()) == b""
    server.shutdown()


def _persisting_client(pki: Pki, protocol: Any, ticket: bytes = b"") -> QSslSocket:
    client = client_for(pki, protocol=protocol)
    cc = client.sslConfiguration()
    cc.setSslOption(QSsl.SslOption.SslOptionDisableSessionPersistence, False)
    if ticket:
        cc.setSessionTicket(ticket)
    client.setSslConfiguration(cc)
    return client


def test_session_ticket_resumes_the_session(pki: Pki, qtls_app: Any, protocol: Any) -> None:
    server = TlsServer(pki.server_config())
    first = _persisting_client(pki, protocol)
    tickets: list[int] = []
    first.newSessionTicketReceived.connect(lambda: tickets.append(1))
    first.connectToHostEncrypted("localhost", server.port())
    assert run_until(first.isEncrypted, 5000)
    server.sockets[0].write(b"hi")  # TLS 1.3 tickets travel with the first records
    assert run_until(lambda: bool(tickets) and first.bytesAvailable() == 2, 5000)
    ticket = bytes(first.sslConfiguration().sessionTicket())
    assert ticket
    assert first.sslConfiguration().sessionTicketLifeTimeHint() > 0
    assert first._session_resumed is False
    first.disconnectFromHost()
    run_until(lambda: first.state() is S.UnconnectedState, 5000)

    second = _persisting_client(pki, protocol, ticket)
    second.connectToHostEncrypted("localhost", server.port())
    assert run_until(second.isEncrypted, 5000), second.errorString()
    assert second._session_resumed is True
    assert second.peerCertificate() == pki.ecdsa.cert
    server.shutdown()


def test_session_ticket_is_stored_before_ready_read_of_the_reply(pki: Pki, qtls_app: Any) -> None:
    # A TLS 1.3 server sends its tickets with its first reply: as in Qt (whose new-session
    # callback runs inside SSL_read), the readyRead slot for that reply already sees the ticket.
    def echo(sock: QSslSocket) -> None:
        sock.readyRead.connect(lambda: sock.write(sock.readAll()))

    server = TlsServer(pki.server_config(), on_socket=echo)
    client = _persisting_client(pki, QSsl.SslProtocol.TlsV1_3)
    order: list[str] = []
    seen: list[bytes] = []
    client.newSessionTicketReceived.connect(lambda: order.append("ticket"))

    def on_ready_read() -> None:
        order.append("readyRead")
        seen.append(bytes(client.sslConfiguration().sessionTicket()))

    client.readyRead.connect(on_ready_read)
    client.encrypted.connect(lambda: client.write(b"ping"))
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: client.bytesAvailable() == 4, 5000), client.errorString()
    assert order[0] == "ticket"
    assert seen and seen[0] != b""
    server.shutdown()


def test_session_persistence_is_off_by_default(pki: Pki, qtls_app: Any) -> None:
    server = TlsServer(pki.server_config())
    client = client_for(pki)
    tickets: list[int] = []
    client.newSessionTicketReceived.connect(lambda: tickets.append(1))
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(client.isEncrypted, 5000)
    server.sockets[0].write(b"hi")
    assert run_until(lambda: client.bytesAvailable() == 2, 5000)
    assert tickets == []
    assert bytes(client.sslConfiguration().sessionTicket()) == b""
    server.shutdown()


def test_pre_shared_key_handshake(qtls_app: Any) -> None:
    cipher = QSslCipher("PSK-AES128-GCM-SHA256")
    if cipher.isNull():
        pytest.skip("no PSK cipher in this OpenSSL")
    conf = QSslConfiguration.defaultConfiguration()
    conf.setProtocol(QSsl.SslProtocol.TlsV1_2)
    conf.setCiphers([cipher])
    conf.setPreSharedKeyIdentityHint(b"hint")
    seen: dict[str, Any] = {}

    def server_side(sock: QSslSocket) -> None:
        def on_psk(auth: Any) -> None:
            seen["identity"] = bytes(auth.identity())
            auth.setPreSharedKey(b"\x01" * 16)
        sock.preSharedKeyAuthenticationRequired.connect(on_psk)

    server = TlsServer(conf, on_socket=server_side)
    client = QSslSocket()
    cc = QSslConfiguration.defaultConfiguration()
    cc.setProtocol(QSsl.SslProtocol.TlsV1_2)
    cc.setCiphers([cipher])
    cc.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyNone)
    client.setSslConfiguration(cc)

    def on_client_psk(auth: Any) -> None:
        seen["hint"] = bytes(auth.identityHint())
        auth.setIdentity(b"alice")
        auth.setPreSharedKey(b"\x01" * 16)

    client.preSharedKeyAuthenticationRequired.connect(on_client_psk)
    client.connectToHostEncrypted("127.0.0.1", server.port())
    assert run_until(lambda: _done(client) and bool(server.sockets) and _done(server.sockets[0]), 5000)
    assert client.isEncrypted(), client.errorString()
    assert seen == {"hint": b"hint", "identity": b"alice"}
    assert client.sessionCipher().name() == "PSK-AES128-GCM-SHA256"
    server.shutdown()


def _ocsp_response(pki: Pki, status: Any, *, good_until: datetime.timedelta) -> bytes:
    leaf = x509.load_pem_x509_certificate(pki.ecdsa.leaf.cert_chain_pems[0].bytes())
    issuer = x509.load_pem_x509_certificate(pki.ca.cert_pem.bytes())
    key = serialization.load_pem_private_key(pki.ca.private_key_pem.bytes(), None)
    now = datetime.datetime.now(datetime.timezone.utc)
    revoked = status is ocsp.OCSPCertStatus.REVOKED
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=leaf, issuer=issuer, algorithm=hashes.SHA1(), cert_status=status,
        this_update=now - datetime.timedelta(minutes=5), next_update=now + good_until,
        revocation_time=now - datetime.timedelta(days=1) if revoked else None,
        revocation_reason=x509.ReasonFlags.key_compromise if revoked else None,
    ).responder_id(ocsp.OCSPResponderEncoding.HASH, issuer)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)  # type: ignore[arg-type]


def _ocsp_client(pki: Pki, staple: bytes | None) -> tuple[TlsServer, QSslSocket]:
    conf = pki.server_config()
    if staple is not None:
        conf.setBackendConfigurationOption(b"Qt-OCSP-response", staple)
    server = TlsServer(conf)
    client = client_for(pki)
    cc = client.sslConfiguration()
    cc.setOcspStaplingEnabled(True)
    client.setSslConfiguration(cc)
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: _done(client), 5000)
    return server, client


def test_ocsp_good_response_is_validated(pki: Pki, qtls_app: Any) -> None:
    server, client = _ocsp_client(pki, _ocsp_response(pki, ocsp.OCSPCertStatus.GOOD,
                                                      good_until=datetime.timedelta(days=1)))
    assert client.isEncrypted(), client.errorString()
    responses = client.ocspResponses()
    assert len(responses) == 1
    assert responses[0].certificateStatus() is QOcspCertificateStatus.Good
    assert responses[0].subject() == pki.ecdsa.cert
    server.shutdown()


def test_ocsp_revoked_certificate_fails_the_handshake(pki: Pki, qtls_app: Any) -> None:
    server, client = _ocsp_client(pki, _ocsp_response(pki, ocsp.OCSPCertStatus.REVOKED,
                                                      good_until=datetime.timedelta(days=1)))
    assert client.error() is SE.SslHandshakeFailedError
    assert QSslError.SslError.CertificateRevoked in [e.error() for e in client.sslHandshakeErrors()]
    assert client.ocspResponses()[0].certificateStatus() is QOcspCertificateStatus.Revoked
    server.shutdown()


def test_ocsp_missing_response_is_reported(pki: Pki, qtls_app: Any) -> None:
    server, client = _ocsp_client(pki, None)
    assert [e.error() for e in client.sslHandshakeErrors()] == [QSslError.SslError.OcspNoResponseFound]
    assert client.error() is SE.SslHandshakeFailedError
    server.shutdown()


def test_server_sees_the_sni_name(pki: Pki, qtls_app: Any) -> None:
    server = TlsServer(pki.server_config())
    client = client_for(pki)
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: bool(server.sockets) and server.sockets[0].isEncrypted(), 5000)
    info = server.sockets[0]._connection_info()
    assert info is not None and info.server_name == "localhost"
    client_info = client._connection_info()
    assert client_info is not None and client_info.group  # the key-exchange group, for the demo
    server.shutdown()
    client.abort()
    assert client._connection_info() is client_info  # still there after the connection ended


def test_no_sni_is_sent_for_an_ip_address(pki: Pki, qtls_app: Any) -> None:
    server = TlsServer(pki.server_config())
    client = client_for(pki)
    client.connectToHostEncrypted("127.0.0.1", server.port())
    assert run_until(lambda: bool(server.sockets) and server.sockets[0].isEncrypted(), 5000)
    assert client.sslHandshakeErrors() == []  # verified against the certificate's IP address
    info = server.sockets[0]._connection_info()
    assert info is not None and info.server_name is None
    server.shutdown()


def test_local_certificate_and_key_from_files(pki: Pki, qtls_app: Any, tmp_path: Any) -> None:
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    pki.rsa.leaf.cert_chain_pems[0].write_to_path(str(cert_path))
    pki.rsa.leaf.private_key_pem.write_to_path(str(key_path))
    accepted: list[QSslSocket] = []

    def on_socket(sock: QSslSocket) -> None:
        sock.setLocalCertificate(str(cert_path))
        sock.setPrivateKey(str(key_path), QSsl.KeyAlgorithm.Rsa)
        accepted.append(sock)

    server = TlsServer(QSslConfiguration.defaultConfiguration(), on_socket=on_socket)
    client = client_for(pki)
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: _done(client), 5000)
    assert client.isEncrypted(), client.errorString()
    assert client.peerCertificate() == pki.rsa.cert
    assert accepted[0].localCertificate() == pki.rsa.cert
    assert accepted[0].privateKey() == pki.rsa.key
    missing = QSslSocket()
    missing.setLocalCertificate(str(tmp_path / "nope.pem"))
    assert missing.localCertificate().isNull()
    server.shutdown()


def test_session_key_exchange_group_reports_the_configured_group(pki: Pki, qtls_app: Any) -> None:
    # qtls extension: Qt has no API for the group; the default is OpenSSL's hybrid PQ group.
    from qtls.QtNetwork import QSslEllipticCurve

    server = TlsServer(pki.server_config())
    pinned = client_for(pki)
    assert pinned.sessionKeyExchangeGroup() == ""
    cc = pinned.sslConfiguration()
    cc.setEllipticCurves([QSslEllipticCurve.fromShortName("X25519")])
    pinned.setSslConfiguration(cc)
    default = client_for(pki)
    for client in (pinned, default):
        client.connectToHostEncrypted("localhost", server.port())
        assert run_until(lambda client=client: _done(client), 5000)
        assert client.isEncrypted()
    assert pinned.sessionKeyExchangeGroup() == "x25519"  # OpenSSL's spelling
    assert default.sessionKeyExchangeGroup() not in ("", "x25519")
    server.shutdown()
