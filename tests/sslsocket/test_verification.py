"""Verification as Qt does it: sslErrors, ignoreSslErrors, verify modes, pause, early reporting."""

from __future__ import annotations

from typing import Any

import pytest

from qtls.QtCore import QTimer
from qtls.QtNetwork import QAbstractSocket, QHostAddress, QSslError, QSslServer, QSslSocket
from tests.sslsocket.helpers import Identity, Pki, Recorder, TlsServer, client_for, run_until

pytestmark = pytest.mark.timeout(30)

E = QSslError.SslError
SE = QAbstractSocket.SocketError
S = QAbstractSocket.SocketState
PVM = QSslSocket.PeerVerifyMode


def _connect(pki: Pki, identity: Identity | None = None, trust: bool = True,
             host: str = "localhost", peer_name: str | None = None,
             setup: Any = None) -> tuple[TlsServer, QSslSocket, Recorder, list[Recorder]]:
    server_recs: list[Recorder] = []
    server = TlsServer(pki.server_config(identity), on_socket=lambda s: server_recs.append(Recorder(s)))
    client = client_for(pki, trust)
    rec = Recorder(client)
    if setup is not None:
        setup(client)
    if peer_name is None:
        client.connectToHostEncrypted(host, server.port())
    else:
        client.connectToHostEncrypted(host, server.port(), peer_name)
    return server, client, rec, server_recs


def _done(client: QSslSocket) -> bool:
    return client.isEncrypted() or client.state() is S.UnconnectedState


def test_untrusted_server_fails_with_qt_signal_order(pki: Pki, qtls_app: Any) -> None:
    # PyQt6 (scenario "untrusted"): peerVerifyError x2, sslErrors, errorOccurred,
    # Closing, Unconnected, readChannelFinished, alertSent(close notify), disconnected.
    server, client, rec, server_recs = _connect(pki, trust=False)
    assert run_until(lambda: client.state() is S.UnconnectedState, 5000)
    assert rec.without("encryptedBytesWritten")[6:] == [
        "peerVerifyError(UnableToGetLocalIssuerCertificate)",
        "peerVerifyError(UnableToVerifyFirstCertificate)",
        "sslErrors([UnableToGetLocalIssuerCertificate,UnableToVerifyFirstCertificate])",
        "errorOccurred(SslHandshakeFailedError)",
        "stateChanged(ClosingState)", "stateChanged(UnconnectedState)", "readChannelFinished",
        "alertSent(Warning,CloseNotify,close notify)", "disconnected",
    ]
    assert client.error() is SE.SslHandshakeFailedError
    assert client.errorString() == (
        "The issuer certificate of a locally looked up certificate could not be found")
    assert [e.error() for e in client.sslHandshakeErrors()] == [
        E.UnableToGetLocalIssuerCertificate, E.UnableToVerifyFirstCertificate]
    assert not client.isEncrypted()
    # The close_notify really reached the server, which saw a clean remote close.
    assert run_until(lambda: "errorOccurred(RemoteHostClosedError)" in server_recs[0].log, 5000)
    server.shutdown()


def test_ignore_ssl_errors_in_the_slot_continues(pki: Pki, qtls_app: Any) -> None:
    server, client, rec, _ = _connect(
        pki, trust=False, setup=lambda c: c.sslErrors.connect(lambda errors: c.ignoreSslErrors()))
    assert run_until(lambda: _done(client), 5000)
    assert client.isEncrypted()
    assert rec.log.index("encrypted") == rec.log.index(
        "sslErrors([UnableToGetLocalIssuerCertificate,UnableToVerifyFirstCertificate])") + 1
    assert len(client.sslHandshakeErrors()) == 2
    server.shutdown()


def test_ignore_ssl_errors_list_beforehand_must_match_error_and_certificate(
        pki: Pki, qtls_app: Any) -> None:
    leaf = pki.ecdsa.cert
    matching = [QSslError(E.UnableToGetLocalIssuerCertificate, leaf),
                QSslError(E.UnableToVerifyFirstCertificate, leaf)]
    server, client, _, _ = _connect(pki, trust=False)
    client.abort()
    server.shutdown()
    server, client, _, _ = _connect(pki, trust=False,
                                    setup=lambda c: c.ignoreSslErrors(matching))
    assert run_until(lambda: _done(client), 5000)
    assert client.isEncrypted(), client.errorString()
    server.shutdown()
    # Same errors, other certificate: not ignored.
    wrong_cert = [QSslError(e.error(), pki.rsa.cert) for e in matching]
    server, client, _, _ = _connect(pki, trust=False, setup=lambda c: c.ignoreSslErrors(wrong_cert))
    assert run_until(lambda: _done(client), 5000)
    assert client.error() is SE.SslHandshakeFailedError
    server.shutdown()
    # A list missing one of the errors: not ignored either.
    server, client, _, _ = _connect(pki, trust=False,
                                    setup=lambda c: c.ignoreSslErrors(matching[:1]))
    assert run_until(lambda: _done(client), 5000)
    assert not client.isEncrypted()
    server.shutdown()


def test_wrong_host_name_puts_mismatch_first_in_ssl_errors(pki: Pki, qtls_app: Any) -> None:
    # PyQt6: peerVerifyError(HostNameMismatch) is emitted after the chain errors, but the
    # sslErrors list starts with it, and errorString() is its text.
    server, client, rec, _ = _connect(pki, trust=False, peer_name="wrong.example")
    assert run_until(lambda: _done(client), 5000)
    verify = [e for e in rec.log if e.startswith(("peerVerifyError", "sslErrors"))]
    assert verify == [
        "peerVerifyError(UnableToGetLocalIssuerCertificate)",
        "peerVerifyError(UnableToVerifyFirstCertificate)",
        "peerVerifyError(HostNameMismatch)",
        "sslErrors([HostNameMismatch,UnableToGetLocalIssuerCertificate,UnableToVerifyFirstCertificate])",
    ]
    assert client.errorString() == "The host name did not match any of the valid hosts for this certificate"
    server.shutdown()


def test_host_name_check_uses_the_connected_name(pki: Pki, qtls_app: Any) -> None:
    # The certificate is for localhost/127.0.0.1/::1; 127.0.0.2 is not on it.
    server, client, _, _ = _connect(pki, identity=pki.client, host="127.0.0.1")
    assert run_until(lambda: _done(client), 5000)
    assert [e.error() for e in client.sslHandshakeErrors()] == [E.HostNameMismatch]
    assert client.error() is SE.SslHandshakeFailedError
    server.shutdown()


@pytest.mark.parametrize("which,error,text", [
    ("expired", E.CertificateExpired, "The certificate has expired"),
    ("not_yet_valid", E.CertificateNotYetValid, "The certificate is not yet valid"),
])
def test_bad_server_certificates_fail_with_the_cause(pki: Pki, qtls_app: Any, which: str,
                                                    error: Any, text: str) -> None:
    server, client, _, _ = _connect(pki, identity=getattr(pki, which))
    assert run_until(lambda: _done(client), 5000)
    assert client.error() is SE.SslHandshakeFailedError
    assert [e.error() for e in client.sslHandshakeErrors()] == [error]
    assert client.errorString() == text
    server.shutdown()


def test_untrusted_root_fails(pki: Pki, qtls_app: Any) -> None:
    server, client, _, _ = _connect(pki, identity=pki.foreign)
    assert run_until(lambda: _done(client), 5000)
    assert client.error() is SE.SslHandshakeFailedError
    assert [e.error() for e in client.sslHandshakeErrors()] == [
        E.UnableToGetLocalIssuerCertificate, E.UnableToVerifyFirstCertificate]
    assert all(e.certificate() == pki.foreign.cert for e in client.sslHandshakeErrors())
    server.shutdown()


def test_incomplete_chain_from_the_server(pki: Pki, qtls_app: Any) -> None:
    import trustme
    root = trustme.CA()
    leaf = root.create_child_ca().issue_cert("localhost")
    ident = Identity(leaf)
    ident.chain = ident.chain[:1]  # the server forgets its intermediate
    server = TlsServer(pki.server_config(ident))
    client = QSslSocket()
    conf = client.sslConfiguration()
    conf.setCaCertificates([type(pki.ca_cert)(root.cert_pem.bytes())])
    client.setSslConfiguration(conf)
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: _done(client), 5000)
    assert client.error() is SE.SslHandshakeFailedError
    assert E.UnableToGetLocalIssuerCertificate in [e.error() for e in client.sslHandshakeErrors()]
    assert len(client.peerCertificateChain()) == 1
    server.shutdown()


def test_self_signed_server_certificate(pki: Pki, qtls_app: Any) -> None:
    import trustme
    lone = trustme.CA()
    # A CA certificate used as the server's own certificate: self-signed.
    ident = Identity.__new__(Identity)
    from qtls.QtNetwork import QSsl, QSslKey
    from tests.sslsocket.helpers import q_cert
    ident.cert = q_cert(lone.cert_pem.bytes())
    ident.chain = [ident.cert]
    ident.key = QSslKey(lone.private_key_pem.bytes(), QSsl.KeyAlgorithm.Ec)
    server, client, _, _ = _connect(pki, identity=ident)
    assert run_until(lambda: _done(client), 5000)
    codes = [e.error() for e in client.sslHandshakeErrors()]
    assert E.SelfSignedCertificate in codes
    assert client.error() is SE.SslHandshakeFailedError
    server.shutdown()


def test_verify_none_reports_host_mismatch_but_connects(pki: Pki, qtls_app: Any) -> None:
    # PyQt6 (scenario "verifynone_wronghost"): sslErrors([HostNameMismatch]) then encrypted.
    def setup(c: QSslSocket) -> None:
        c.setPeerVerifyMode(PVM.VerifyNone)
    server, client, rec, _ = _connect(pki, trust=False, peer_name="wrong.example", setup=setup)
    assert run_until(lambda: _done(client), 5000)
    assert client.isEncrypted()
    assert "sslErrors([HostNameMismatch])" in rec.log
    assert rec.log.index("encrypted") > rec.log.index("sslErrors([HostNameMismatch])")
    server.shutdown()


def test_query_peer_reports_but_does_not_fail(pki: Pki, qtls_app: Any) -> None:
    def setup(c: QSslSocket) -> None:
        c.setPeerVerifyMode(PVM.QueryPeer)
    server, client, rec, _ = _connect(pki, trust=False, setup=setup)
    assert run_until(lambda: _done(client), 5000)
    assert client.isEncrypted()
    assert len(client.sslHandshakeErrors()) == 2
    server.shutdown()


def test_pause_on_ssl_errors_then_resume_after_ignoring(pki: Pki, qtls_app: Any) -> None:
    # PyQt6 (scenario "pause"): sslErrors, (pause), resume() -> encrypted.
    def setup(c: QSslSocket) -> None:
        c.setPauseMode(QAbstractSocket.PauseMode.PauseOnSslErrors)
        def later() -> None:
            c.ignoreSslErrors()
            c.resume()
        c.sslErrors.connect(lambda errors: QTimer.singleShot(50, later))
    server, client, rec, _ = _connect(pki, trust=False, setup=setup)
    assert run_until(lambda: "sslErrors([UnableToGetLocalIssuerCertificate,UnableToVerifyFirstCertificate])" in rec.log, 5000)
    assert not client.isEncrypted() and client.state() is S.ConnectedState
    assert run_until(client.isEncrypted, 5000)
    client.write(b"after pause")
    assert run_until(lambda: server.sockets[0].bytesAvailable() == 11, 5000)
    server.shutdown()


def test_pause_then_resume_without_ignoring_fails(pki: Pki, qtls_app: Any) -> None:
    def setup(c: QSslSocket) -> None:
        c.setPauseMode(QAbstractSocket.PauseMode.PauseOnSslErrors)
        c.sslErrors.connect(lambda errors: QTimer.singleShot(20, c.resume))
    server, client, _, _ = _connect(pki, trust=False, setup=setup)
    assert run_until(lambda: client.state() is S.UnconnectedState, 5000)
    assert client.error() is SE.SslHandshakeFailedError
    server.shutdown()


def test_handshake_interrupted_on_error_aborts_with_a_fatal_alert(pki: Pki, qtls_app: Any) -> None:
    # PyQt6 (scenario "interrupt"): handshakeInterruptedOnError, alertSent(Fatal, UnknownCa),
    # errorOccurred(SslHandshakeFailedError), Unconnected; the server receives the alert.
    def setup(c: QSslSocket) -> None:
        conf = c.sslConfiguration()
        conf.setHandshakeMustInterruptOnError(True)
        c.setSslConfiguration(conf)
    server, client, rec, server_recs = _connect(pki, trust=False, setup=setup)
    assert run_until(lambda: client.state() is S.UnconnectedState, 5000)
    assert rec.without("encryptedBytesWritten")[6:] == [
        "handshakeInterruptedOnError(UnableToGetLocalIssuerCertificate)",
        "alertSent(Fatal,UnknownCa,unknown CA)",
        "errorOccurred(SslHandshakeFailedError)",
        "stateChanged(UnconnectedState)", "readChannelFinished", "disconnected",
    ]
    assert run_until(lambda: "alertReceived(Fatal,UnknownCa,unknown CA)" in server_recs[0].log, 5000)
    assert "errorOccurred(SslHandshakeFailedError)" in server_recs[0].log
    server.shutdown()


def test_continue_interrupted_handshake_then_ssl_errors_decide(pki: Pki, qtls_app: Any) -> None:
    # PyQt6 (scenario "interrupt_continue"): each error is reported early, not as
    # peerVerifyError; sslErrors follows and still fails unless ignored.
    def setup(c: QSslSocket) -> None:
        conf = c.sslConfiguration()
        conf.setHandshakeMustInterruptOnError(True)
        c.setSslConfiguration(conf)
        c.handshakeInterruptedOnError.connect(lambda error: c.continueInterruptedHandshake())
    server, client, rec, _ = _connect(pki, trust=False, setup=setup)
    assert run_until(lambda: _done(client), 5000)
    verify = [e for e in rec.log if e.startswith(("handshakeInterrupted", "peerVerify", "sslErrors"))]
    assert verify == [
        "handshakeInterruptedOnError(UnableToGetLocalIssuerCertificate)",
        "handshakeInterruptedOnError(UnableToVerifyFirstCertificate)",
        "sslErrors([UnableToGetLocalIssuerCertificate,UnableToVerifyFirstCertificate])",
    ]
    assert client.error() is SE.SslHandshakeFailedError
    server.shutdown()


def _mutual(pki: Pki, mode: Any, client_identity: Identity | None, fatal_missing: bool = False
            ) -> tuple[TlsServer, QSslSocket, list[Recorder]]:
    conf = pki.server_config()
    conf.setCaCertificates([pki.ca_cert])
    conf.setPeerVerifyMode(mode)
    conf.setMissingCertificateIsFatal(fatal_missing)
    recs: list[Recorder] = []
    server = TlsServer(conf, on_socket=lambda s: recs.append(Recorder(s)))
    client = client_for(pki)
    if client_identity is not None:
        client.setLocalCertificateChain(client_identity.chain)
        client.setPrivateKey(client_identity.key)
    client.connectToHostEncrypted("localhost", server.port())
    return server, client, recs


def test_mutual_tls_server_verifies_the_client(pki: Pki, qtls_app: Any) -> None:
    server, client, recs = _mutual(pki, PVM.VerifyPeer, pki.client)
    assert run_until(lambda: bool(server.sockets) and server.sockets[0].isEncrypted(), 5000)
    assert server.sockets[0].sslHandshakeErrors() == []
    server.shutdown()


def test_server_verify_peer_rejects_a_client_from_an_unknown_ca(pki: Pki, qtls_app: Any) -> None:
    server, client, recs = _mutual(pki, PVM.VerifyPeer, pki.foreign)
    assert run_until(lambda: bool(server.sockets) and server.sockets[0].state() is S.UnconnectedState, 5000)
    sock = server.sockets[0]
    assert sock.error() is SE.SslHandshakeFailedError
    assert E.UnableToGetLocalIssuerCertificate in [e.error() for e in sock.sslHandshakeErrors()]
    server.shutdown()


def test_server_verify_peer_without_client_certificate_reports_no_peer_certificate(
        pki: Pki, qtls_app: Any) -> None:
    server, client, recs = _mutual(pki, PVM.VerifyPeer, None)
    assert run_until(lambda: bool(server.sockets) and server.sockets[0].state() is S.UnconnectedState, 5000)
    assert [e.error() for e in server.sockets[0].sslHandshakeErrors()] == [E.NoPeerCertificate]
    server.shutdown()


def test_server_auto_verify_is_query_peer(pki: Pki, qtls_app: Any) -> None:
    server, client, recs = _mutual(pki, PVM.AutoVerifyPeer, pki.foreign)
    assert run_until(lambda: bool(server.sockets) and server.sockets[0].isEncrypted(), 5000)
    sock = server.sockets[0]
    assert sock.peerCertificate() == pki.foreign.cert
    assert sock.sslHandshakeErrors()  # reported, not fatal
    server.shutdown()


def test_missing_certificate_is_fatal_fails_the_handshake(pki: Pki, qtls_app: Any) -> None:
    server, client, recs = _mutual(pki, PVM.VerifyPeer, None, fatal_missing=True)
    assert run_until(lambda: bool(server.sockets) and server.sockets[0].state() is S.UnconnectedState, 5000)
    sock = server.sockets[0]
    assert sock.error() is SE.SslHandshakeFailedError
    assert "certificate" in sock.errorString()
    assert run_until(lambda: client.state() is S.UnconnectedState, 5000)
    server.shutdown()


def test_peer_verify_depth_limits_the_chain(pki: Pki, qtls_app: Any) -> None:
    import trustme
    root = trustme.CA()
    inter = root.create_child_ca().create_child_ca()  # levels: leaf 0, CA 1, CA 2, root 3
    leaf = inter.issue_cert("localhost")
    from tests.sslsocket.helpers import Identity as Ident
    ident = Ident(leaf)
    conf = pki.server_config(ident)
    server = TlsServer(conf)
    client = QSslSocket()
    cc = client.sslConfiguration()
    cc.setCaCertificates([pki.ca_cert.__class__(root.cert_pem.bytes())])
    cc.setPeerVerifyDepth(1)
    client.setSslConfiguration(cc)
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: _done(client), 5000)
    assert client.error() is SE.SslHandshakeFailedError, client.errorString()
    server.shutdown()
    # Without the limit the same chain verifies.
    server = TlsServer(conf)
    cc.setPeerVerifyDepth(0)
    client = QSslSocket()
    client.setSslConfiguration(cc)
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: _done(client), 5000)
    assert client.isEncrypted(), client.errorString()
    server.shutdown()


@pytest.mark.parametrize("when,encrypted", [("before", False), ("after", True)])
def test_ignore_all_errors_counts_only_after_connect_to_host_encrypted(
        pki: Pki, qtls_app: Any, when: str, encrypted: bool) -> None:
    # PyQt6: connectToHostEncrypted() resets ignoreSslErrors() (QSslSocketPrivate::init), but
    # not ignoreSslErrors(list).
    server = TlsServer(pki.server_config())
    client = client_for(pki, trust=False)
    if when == "before":
        client.ignoreSslErrors()
    client.connectToHostEncrypted("localhost", server.port())
    if when == "after":
        client.ignoreSslErrors()
    assert run_until(lambda: _done(client), 5000)
    assert client.isEncrypted() is encrypted
    server.shutdown()


def test_client_alert_slot_connected_once_encrypted_hears_the_close_notify(
        pki: Pki, qtls_app: Any) -> None:
    # PyQt6 (same scenario): the client hears the server's close_notify. A qtls client, too,
    # starts without OpenSSL's info callback when nothing listens to its alerts (and it
    # stores no TLS 1.3 tickets); the slot connected once encrypted switches it on.
    server = QSslServer()
    server.setSslConfiguration(pki.server_config())
    assert server.listen(QHostAddress("127.0.0.1"), 0)
    accepted: list[Any] = []
    server.pendingConnectionAvailable.connect(
        lambda: accepted.append(server.nextPendingConnection()))
    client = client_for(pki)
    heard: list[str] = []
    client.encrypted.connect(lambda: client.alertReceived.connect(
        lambda level, kind, text: heard.append(kind.name)))
    client.connectToHostEncrypted("localhost", server.serverPort())
    assert run_until(lambda: client.isEncrypted() and bool(accepted), 5000)
    accepted[0].disconnectFromHost()  # its close_notify reaches the client
    assert run_until(lambda: "CloseNotify" in heard, 5000), heard
    server.close()


def test_server_alert_slot_connected_after_the_handshake_started_still_hears(
        pki: Pki, qtls_app: Any) -> None:
    # A server socket starts its handshake with no alert receivers (the engine then skips
    # OpenSSL's info callback); connecting alertReceived afterwards must switch reporting on.
    heard: list[str] = []

    class LateServer(TlsServer):
        def incomingConnection(self, handle: int) -> None:
            super().incomingConnection(handle)
            sock = self.sockets[-1]
            assert sock.mode() is QSslSocket.SslMode.SslServerMode
            sock.alertReceived.connect(lambda level, kind, text: heard.append(kind.name))

    server = LateServer(pki.server_config())
    client = client_for(pki, trust=False)
    conf = client.sslConfiguration()
    conf.setHandshakeMustInterruptOnError(True)  # the client rejects with a fatal alert
    client.setSslConfiguration(conf)
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: client.state() is S.UnconnectedState, 5000)
    assert run_until(lambda: "UnknownCa" in heard, 5000), heard
    server.shutdown()
