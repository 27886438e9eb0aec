"""QSslServer end to end: accept, ClientHello check, handshake, pending, failures, timeouts.

The expected behaviour was recorded from PyQt6 6.11's QSslServer (see test_pyqt6_order.py for
the scenarios compared signal by signal).
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from typing import Any

import pytest

from qtls.QtNetwork import QAbstractSocket, QSsl, QSslCipher, QSslKey, QSslServer, QSslSocket
from tests.sslserver.helpers import (
    CA,
    EC_CA,
    EC_SERVER_CERT,
    OTHER_CA,
    RSA_SERVER_CERT,
    STRANGER_CERT,
    client_context,
    raw_client,
    record_server,
    run_until,
    server_config,
    spin,
    ssl_error_names,
    start_server,
    stdlib_client,
)

SocketError = QAbstractSocket.SocketError
_Error = Any  # QAbstractSocket.SocketError, spelled for mypy
# A ClientHello record header and the start of its body, cut short: a peer that stalls or
# vanishes in the middle of its handshake.
PARTIAL_CLIENT_HELLO = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"


def _errors(server: QSslServer) -> list[tuple[Any, _Error, str]]:
    """Record errorOccurred(socket, error) with the socket's errorString at that moment."""
    seen: list[tuple[Any, _Error, str]] = []
    server.errorOccurred.connect(lambda sock, error: seen.append((sock, error, sock.errorString())))
    return seen


def _ssl_sockets(server: QSslServer) -> list[QSslSocket]:
    return server.findChildren(QSslSocket)


def _good_client_still_served(server: QSslServer, accepted: list[Any]) -> None:
    before = len(accepted)
    peer = stdlib_client(server.serverPort(), client_context())
    assert peer.wait(), "a well-behaved client did not finish"
    assert peer.error is None, peer.error
    assert peer.reply == b"PING"
    assert len(accepted) == before + 1


# ------------------------------------------------------------------ the happy path


def test_socket_is_pending_only_once_encrypted(qtls_app: Any) -> None:
    server, accepted = start_server()
    log: list[str] = []
    record_server(server, log)
    states: list[tuple[bool, Any, Any, Any]] = []

    def on_pending() -> None:
        # start_server's own slot has taken the socket by the time this one runs.
        sock = accepted[-1]
        states.append((sock.isEncrypted(), sock.state(), sock.mode(), sock.sessionProtocol()))

    server.pendingConnectionAvailable.connect(on_pending)
    peer = stdlib_client(server.serverPort(), client_context())
    assert peer.wait()
    assert peer.error is None, peer.error
    assert peer.reply == b"PING"
    assert log == ["newConnection", "startedEncryptionHandshake", "pendingConnectionAvailable"]
    assert states == [(True, QAbstractSocket.SocketState.ConnectedState,
                       QSslSocket.SslMode.SslServerMode, QSsl.SslProtocol.TlsV1_3)]
    (sock,) = accepted
    assert isinstance(sock, QSslSocket)
    assert sock.parent() is server
    server.close()


def test_new_connection_is_emitted_at_accept_before_any_handshake(qtls_app: Any) -> None:
    server, _accepted = start_server(timeout_ms=3000)
    log: list[str] = []
    record_server(server, log)
    peer = raw_client(server.serverPort(), b"", linger_s=0.3, read=False)
    assert run_until(lambda: "newConnection" in log)
    assert not server.hasPendingConnections()
    assert server.nextPendingConnection() is None
    assert len(_ssl_sockets(server)) == 1  # accepted, waiting for its ClientHello
    assert peer.wait()
    server.close()


def test_wait_for_new_connection_reports_the_accept_not_the_handshake(qtls_app: Any) -> None:
    server, _accepted = start_server()
    peer = raw_client(server.serverPort(), b"", read=False)
    assert server.waitForNewConnection(3000) == (True, False)  # PyQt6: (True, False)
    assert not server.hasPendingConnections()
    assert len(_ssl_sockets(server)) == 1
    assert server.waitForNewConnection(50) == (False, True)
    assert peer.wait()
    server.close()


def test_each_connection_gets_a_copy_of_the_server_configuration(qtls_app: Any) -> None:
    conf = server_config()
    conf.setPeerVerifyDepth(4)
    server, accepted = start_server(conf)
    peer = stdlib_client(server.serverPort(), client_context())
    assert peer.wait()
    conf.setPeerVerifyDepth(9)
    server.setSslConfiguration(conf)  # affects later connections only
    (sock,) = accepted
    assert sock.sslConfiguration().peerVerifyDepth() == 4
    assert sock.peerVerifyDepth() == 4
    server.close()


def test_listen_prepares_the_tls_context_of_the_configuration(qtls_app: Any) -> None:
    from qtls.ssl.engine.context import default_context_cache
    from qtls.ssl.tlssettings import tls_settings

    conf = server_config()
    conf.setProtocol(QSsl.SslProtocol.TlsV1_3OrLater)  # settings no other test has built
    default_context_cache.clear()
    server, accepted = start_server(conf)
    assert tls_settings(conf, server=True) in default_context_cache
    # ... and the first client's socket runs on that very context.
    peer = stdlib_client(server.serverPort(), client_context())
    assert peer.wait() and peer.error is None, peer.error
    assert len(default_context_cache) == 1
    server.close()


def test_listen_succeeds_with_a_configuration_openssl_refuses(qtls_app: Any) -> None:
    # No private key: the server listens, and each client's handshake fails as before.
    server, accepted = start_server(server_config(with_key=False))
    errors = _errors(server)
    peer = stdlib_client(server.serverPort(), client_context())
    assert peer.wait()
    assert run_until(lambda: bool(errors))
    assert accepted == []
    server.close()


def test_relays_stop_once_the_socket_is_encrypted(qtls_app: Any) -> None:
    server, accepted = start_server(echo=False)
    errors = _errors(server)
    own: list[_Error] = []
    # Connected in the pending slot: the client's close may be read in the same loop turn.
    server.pendingConnectionAvailable.connect(lambda: accepted[-1].errorOccurred.connect(own.append))
    peer = stdlib_client(server.serverPort(), client_context(), payload=b"")
    assert peer.wait()
    # The client is gone: the socket reports it, the server does not, and nothing deletes it.
    assert run_until(lambda: bool(own))
    spin(50)
    assert len(accepted) == 1
    assert own[0] == SocketError.RemoteHostClosedError
    assert errors == []
    assert accepted[0] in _ssl_sockets(server)
    server.close()


# ------------------------------------------------------------------ not TLS at all


def test_plain_http_client_is_dropped_silently(qtls_app: Any) -> None:
    server, accepted = start_server()
    log: list[str] = []
    record_server(server, log)
    peer = raw_client(server.serverPort(), b"GET / HTTP/1.0\r\n\r\n")
    assert peer.wait()
    assert peer.reply == b""  # closed without a byte: no alert, no HTTP answer
    assert run_until(lambda: not _ssl_sockets(server))  # deleted
    assert log == ["newConnection"]
    _good_client_still_served(server, accepted)
    server.close()


def test_garbage_handshake_record_fails_with_a_message_naming_the_cause(qtls_app: Any) -> None:
    server, accepted = start_server()
    errors = _errors(server)
    started: list[Any] = []
    server.startedEncryptionHandshake.connect(started.append)
    alerts: list[tuple[str, str]] = []
    server.alertSent.connect(lambda sock, level, kind, text: alerts.append((level.name, kind.name)))
    peer = raw_client(server.serverPort(), b"\x16\x03\x01\x00\x05hello")
    assert peer.wait()
    assert run_until(lambda: bool(errors) and not _ssl_sockets(server))
    sock, error, text = errors[0]
    assert error == SocketError.SslHandshakeFailedError
    # The fatal alert reached the peer before the connection closed: an alert record (21),
    # level fatal (2), unexpected_message (10) -- byte for byte what PyQt6's server sends.
    assert alerts == [("Fatal", "UnexpectedMessage")]
    assert peer.reply == b"\x15\x03\x03\x00\x02\x02\x0a"
    assert "unexpected message" in text.lower() or "record" in text.lower(), text
    assert started == [sock]
    assert not accepted
    _good_client_still_served(server, accepted)
    server.close()


# ------------------------------------------------------------------ stalls and vanishing peers


def test_silent_client_times_out_with_socket_timeout_error(qtls_app: Any) -> None:
    server, accepted = start_server(timeout_ms=200)
    errors = _errors(server)
    began = time.monotonic()
    peer = raw_client(server.serverPort(), b"", read=True)
    assert run_until(lambda: bool(errors), 4000)
    elapsed = time.monotonic() - began
    sock, error, _text = errors[0]
    assert error == SocketError.SocketTimeoutError
    assert 0.18 <= elapsed < 3.0
    # Qt disconnects before it emits, and leaves the socket's own error() alone.
    assert sock.state() == QAbstractSocket.SocketState.UnconnectedState
    assert sock.error() != SocketError.SocketTimeoutError
    assert peer.wait()  # the client saw the connection close
    assert peer.reply == b""
    assert run_until(lambda: not _ssl_sockets(server))
    _good_client_still_served(server, accepted)
    server.close()


def test_each_silent_client_times_out_once_while_good_clients_are_served(
        qtls_app: Any) -> None:
    # Several deadlines fall due together, among those of handshakes that finished.
    server, accepted = start_server(timeout_ms=300)
    errors = _errors(server)
    _good_client_still_served(server, accepted)
    silent = [raw_client(server.serverPort(), b"", read=True) for _ in range(3)]
    _good_client_still_served(server, accepted)
    assert run_until(lambda: len(errors) >= 3, 4000), errors
    spin(400)  # no second timeout for anyone, none for the served clients
    assert [error for _sock, error, _text in errors] == [SocketError.SocketTimeoutError] * 3
    assert len({id(sock) for sock, _error, _text in errors}) == 3
    assert all(peer.wait() for peer in silent)
    assert len(accepted) == 2
    server.close()


def test_first_handshake_byte_restarts_the_timeout(qtls_app: Any) -> None:
    server, _accepted = start_server(timeout_ms=400)
    errors = _errors(server)
    done = threading.Event()

    def stall() -> None:
        # 250 ms of silence, then a partial ClientHello: the timer starts again from there.
        with socket.create_connection(("127.0.0.1", server.serverPort()), timeout=5) as raw:
            time.sleep(0.25)
            raw.sendall(PARTIAL_CLIENT_HELLO)
            raw.settimeout(3)
            try:
                raw.recv(100)
            except OSError:
                pass
        done.set()

    began = time.monotonic()
    threading.Thread(target=stall, daemon=True).start()
    assert run_until(lambda: bool(errors), 4000)
    elapsed = time.monotonic() - began
    assert errors[0][1] == SocketError.SocketTimeoutError
    assert elapsed >= 0.6, f"timed out after {elapsed:.3f}s: the timer was not restarted"
    assert run_until(done.is_set, 4000)
    server.close()


def test_new_handshake_timeout_applies_to_later_connections_only(qtls_app: Any) -> None:
    server, _accepted = start_server(timeout_ms=5000)
    errors = _errors(server)
    first = raw_client(server.serverPort(), b"", linger_s=1.5, read=False)
    assert run_until(lambda: len(_ssl_sockets(server)) == 1)
    server.setHandshakeTimeout(100)
    second = raw_client(server.serverPort(), b"", linger_s=0.6, read=False)
    assert run_until(lambda: bool(errors), 2000)
    spin(300)
    # Only the second client (accepted after the change) timed out.
    assert [e[1] for e in errors] == [SocketError.SocketTimeoutError]
    assert len(_ssl_sockets(server)) == 1
    assert first.wait() and second.wait()
    server.close()


def test_negative_handshake_timeout_means_no_timer(qtls_app: Any) -> None:
    server, _accepted = start_server(timeout_ms=-1)
    errors = _errors(server)
    peer = raw_client(server.serverPort(), b"", linger_s=0.5, read=False)
    assert peer.wait()
    timeouts = [e for e in errors if e[1] == SocketError.SocketTimeoutError]
    assert timeouts == []
    server.close()


def test_peer_vanishing_mid_handshake_is_remote_host_closed(qtls_app: Any) -> None:
    server, accepted = start_server()
    errors = _errors(server)
    peer = raw_client(server.serverPort(), PARTIAL_CLIENT_HELLO, linger_s=0.1, read=False)
    assert peer.wait()
    assert run_until(lambda: bool(errors) and not _ssl_sockets(server))
    _sock, error, text = errors[0]
    assert error == SocketError.RemoteHostClosedError
    assert "closed" in text.lower()
    _good_client_still_served(server, accepted)
    server.close()


def _real_client_hello() -> bytes:
    """A genuine ClientHello from the stdlib's TLS client, taken from a memory BIO."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = client_context().wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def test_peer_vanishing_after_a_complete_client_hello(qtls_app: Any) -> None:
    server, accepted = start_server()
    errors = _errors(server)
    hello = _real_client_hello()
    assert hello[:1] == b"\x16" and len(hello) > 100
    # The server answers with its whole first flight; the client reads some and hangs up.
    peer = raw_client(server.serverPort(), hello, linger_s=0.1, read=False)
    assert peer.wait()
    assert run_until(lambda: bool(errors) and not _ssl_sockets(server))
    _sock, error, text = errors[0]
    assert error == SocketError.RemoteHostClosedError
    assert "closed" in text.lower()
    _good_client_still_served(server, accepted)
    server.close()


def test_stalled_handshake_does_not_hold_up_other_clients(qtls_app: Any) -> None:
    server, accepted = start_server()  # default 5 s timeout: the staller stays for the test
    errors = _errors(server)
    # The staller's thread ends by itself after 3 s; the test does not wait for it.
    raw_client(server.serverPort(), PARTIAL_CLIENT_HELLO, linger_s=3.0, read=False)
    assert run_until(lambda: len(_ssl_sockets(server)) == 1)
    staller = _ssl_sockets(server)[0]
    for _ in range(3):
        _good_client_still_served(server, accepted)
    assert errors == []  # the staller is still waiting, not failed
    assert staller.state() == QAbstractSocket.SocketState.ConnectedState
    assert not staller.isEncrypted()
    staller.abort()
    server.close()


def test_handshaking_sockets_count_against_max_handshakes_in_progress(qtls_app: Any) -> None:
    # (Qt counts them against maxPendingConnections; qtls against their own limit.)
    server, accepted = start_server(timeout_ms=400)
    server.setMaxHandshakesInProgress(1)
    errors = _errors(server)
    stalled = raw_client(server.serverPort(), b"", read=True)
    assert run_until(lambda: len(_ssl_sockets(server)) == 1)
    began = time.monotonic()
    peer = stdlib_client(server.serverPort(), client_context())
    assert peer.wait()
    assert peer.error is None, peer.error
    # The second client was only accepted once the silent one had timed out.
    assert errors and errors[0][1] == SocketError.SocketTimeoutError
    assert time.monotonic() - began >= 0.25
    assert len(accepted) == 1
    assert stalled.wait()
    server.close()


# ------------------------------------------------------------------ verification and settings


def _mtls_config(**kw: Any) -> Any:
    conf = server_config(client_ca=EC_CA, **kw)
    conf.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyPeer)
    return conf


def _client_with(cert: Any) -> ssl.SSLContext:
    ctx = client_context()
    cert.configure_cert(ctx)
    return ctx


def test_client_certificate_from_unknown_ca_fails_with_ssl_errors(qtls_app: Any) -> None:
    server, accepted = start_server(_mtls_config())
    errors = _errors(server)
    verify: list[str] = []
    lists: list[list[str]] = []
    server.peerVerifyError.connect(lambda sock, e: verify.append(e.error().name))
    server.sslErrors.connect(lambda sock, errs: lists.append(ssl_error_names(errs)))
    peer = stdlib_client(server.serverPort(), _client_with(STRANGER_CERT))
    assert peer.wait()
    assert run_until(lambda: bool(errors) and not _ssl_sockets(server))
    sock, error, text = errors[0]
    assert error == SocketError.SslHandshakeFailedError
    assert "UnableToGetLocalIssuerCertificate" in verify
    assert lists == [verify]
    assert "issuer" in text.lower()
    assert [e.error().name for e in sock.sslHandshakeErrors()] == verify
    assert not accepted
    _good_client_still_served_mtls(server, accepted)
    server.close()


def _good_client_still_served_mtls(server: QSslServer, accepted: list[Any]) -> None:
    peer = stdlib_client(server.serverPort(), _client_with(CLIENT_CERT_EC))
    assert peer.wait()
    assert peer.error is None, peer.error
    assert accepted and accepted[-1].peerCertificate().subjectDisplayName()


# trustme's client certificate from the CA the server trusts (EC_CA).
CLIENT_CERT_EC = EC_CA.issue_cert("client@example.org")


def test_client_certificate_from_trusted_ca_is_accepted(qtls_app: Any) -> None:
    server, accepted = start_server(_mtls_config())
    peer = stdlib_client(server.serverPort(), _client_with(CLIENT_CERT_EC))
    assert peer.wait()
    assert peer.error is None, peer.error
    (sock,) = accepted
    names = sock.peerCertificate().subjectAlternativeNames()
    assert "client@example.org" in str(names) or sock.peerCertificate().subjectDisplayName()
    assert len(sock.peerCertificateChain()) >= 1
    server.close()


def test_ignoring_ssl_errors_in_the_server_slot_lets_the_handshake_finish(
        qtls_app: Any) -> None:
    server, accepted = start_server(_mtls_config())
    server.sslErrors.connect(lambda sock, errs: sock.ignoreSslErrors())
    peer = stdlib_client(server.serverPort(), _client_with(STRANGER_CERT))
    assert peer.wait()
    assert peer.error is None, peer.error
    assert peer.reply == b"PING"
    assert len(accepted) == 1
    assert accepted[0].sslHandshakeErrors()
    server.close()


def test_missing_client_certificate_with_verify_peer_fails(qtls_app: Any) -> None:
    server, accepted = start_server(_mtls_config())
    errors = _errors(server)
    lists: list[list[str]] = []
    server.sslErrors.connect(lambda sock, errs: lists.append(ssl_error_names(errs)))
    peer = stdlib_client(server.serverPort(), client_context())
    assert peer.wait()
    assert run_until(lambda: bool(errors))
    assert errors[0][1] == SocketError.SslHandshakeFailedError
    assert lists == [["NoPeerCertificate"]]
    assert "certificate" in errors[0][2].lower()
    assert not accepted
    server.close()


@pytest.mark.parametrize("server_protocol, client_version", [
    ("TlsV1_3", ssl.TLSVersion.TLSv1_2), ("TlsV1_2", ssl.TLSVersion.TLSv1_3)],
    ids=["server13-client12", "server12-client13"])
def test_disjoint_protocol_ranges_fail_with_protocol_version_alert(
        qtls_app: Any, server_protocol: str, client_version: ssl.TLSVersion) -> None:
    conf = server_config()
    conf.setProtocol(QSsl.SslProtocol[server_protocol])
    server, accepted = start_server(conf)
    errors = _errors(server)
    alerts: list[tuple[str, str]] = []
    server.alertSent.connect(lambda sock, level, kind, text: alerts.append((level.name, kind.name)))
    peer = stdlib_client(server.serverPort(),
                         client_context(minimum=client_version, maximum=client_version))
    assert peer.wait()
    assert peer.error is not None and "PROTOCOL_VERSION" in peer.error.upper()
    assert run_until(lambda: bool(errors))
    assert errors[0][1] == SocketError.SslHandshakeFailedError
    assert "protocol" in errors[0][2].lower()
    assert ("Fatal", "ProtocolVersion") in alerts
    _good_client_still_served(server, accepted)
    server.close()


def test_no_shared_cipher_fails_with_handshake_failure_alert(qtls_app: Any) -> None:
    conf = server_config()
    conf.setProtocol(QSsl.SslProtocol.TlsV1_2)
    conf.setCiphers([QSslCipher("ECDHE-ECDSA-CHACHA20-POLY1305")])
    server, _accepted = start_server(conf)
    errors = _errors(server)
    alerts: list[tuple[str, str]] = []
    server.alertSent.connect(lambda sock, level, kind, text: alerts.append((level.name, kind.name)))
    ctx = client_context(maximum=ssl.TLSVersion.TLSv1_2)
    ctx.set_ciphers("ECDHE-ECDSA-AES128-GCM-SHA256")
    peer = stdlib_client(server.serverPort(), ctx)
    assert peer.wait()
    assert peer.error is not None and "HANDSHAKE_FAILURE" in peer.error  # the alert arrived
    assert run_until(lambda: bool(errors))
    assert errors[0][1] == SocketError.SslHandshakeFailedError
    assert "cipher" in errors[0][2].lower()
    assert ("Fatal", "HandshakeFailure") in alerts
    server.close()


def test_certificate_without_its_key_is_invalid_user_data(qtls_app: Any) -> None:
    server, accepted = start_server(server_config(with_key=False))
    errors = _errors(server)
    peer = stdlib_client(server.serverPort(), client_context())
    assert peer.wait()
    assert peer.error is not None
    assert run_until(lambda: bool(errors) and not _ssl_sockets(server))
    assert errors[0][1] == SocketError.SslInvalidUserDataError
    assert "key" in errors[0][2].lower()
    assert not accepted
    # The same server with a key again serves the next client.
    server.setSslConfiguration(server_config())
    _good_client_still_served(server, accepted)
    server.close()


def test_server_key_that_does_not_match_the_certificate_is_reported(qtls_app: Any) -> None:
    conf = server_config()
    other_key = QSslKey(OTHER_CA.issue_cert("x").private_key_pem.bytes(), QSsl.KeyAlgorithm.Ec)
    conf.setPrivateKey(other_key)
    server, accepted = start_server(conf)
    errors = _errors(server)
    peer = stdlib_client(server.serverPort(), client_context())
    assert peer.wait()
    assert peer.error is not None
    assert run_until(lambda: bool(errors))
    assert errors[0][1] in (SocketError.SslInvalidUserDataError, SocketError.SslInternalError)
    assert errors[0][2]
    assert not accepted
    server.close()


def test_client_alert_is_relayed_with_the_socket(qtls_app: Any) -> None:
    server, accepted = start_server()
    received: list[tuple[Any, str, str]] = []
    server.alertReceived.connect(
        lambda sock, level, kind, text: received.append((sock, level.name, kind.name)))
    errors = _errors(server)
    # The client does not trust the server's CA: it aborts with a fatal unknown_ca alert.
    peer = stdlib_client(server.serverPort(), client_context(OTHER_CA))
    assert peer.wait()
    assert peer.error is not None and "CERTIFICATE_VERIFY_FAILED" in peer.error
    assert run_until(lambda: bool(errors))
    assert received and received[0][1:] == ("Fatal", "UnknownCa")
    assert received[0][0] is errors[0][0]
    assert not accepted
    server.close()


def test_handshake_interrupted_on_error_is_relayed(qtls_app: Any) -> None:
    conf = _mtls_config()
    conf.setHandshakeMustInterruptOnError(True)
    server, _accepted = start_server(conf)
    interrupted: list[tuple[Any, str]] = []

    def on_interrupted(sock: Any, error: Any) -> None:
        interrupted.append((sock, error.error().name))
        sock.abort()

    server.handshakeInterruptedOnError.connect(on_interrupted)
    peer = stdlib_client(server.serverPort(), _client_with(STRANGER_CERT))
    assert run_until(lambda: bool(interrupted))
    assert isinstance(interrupted[0][0], QSslSocket)
    assert interrupted[0][1] == "UnableToGetLocalIssuerCertificate"
    assert peer.wait()
    server.close()


def test_closing_the_server_keeps_already_taken_sockets(qtls_app: Any) -> None:
    server, accepted = start_server()
    hold = threading.Event()
    peer = stdlib_client(server.serverPort(), client_context(), hold=hold)
    try:
        assert run_until(peer.connected.is_set)
        assert len(accepted) == 1
        server.close()
        spin(50)
        assert not server.isListening()
        assert accepted[0].isEncrypted()
        assert accepted[0].state() == QAbstractSocket.SocketState.ConnectedState
    finally:
        hold.set()
    assert peer.wait()


@pytest.mark.parametrize("leaf, ca", [(RSA_SERVER_CERT, CA), (EC_SERVER_CERT, EC_CA)],
                         ids=["rsa", "ecdsa"])
def test_rsa_and_ecdsa_certificates_both_serve(qtls_app: Any, leaf: Any, ca: Any) -> None:
    server, accepted = start_server(server_config(leaf))
    peer = stdlib_client(server.serverPort(), client_context(ca))
    assert peer.wait()
    assert peer.error is None, peer.error
    (sock,) = accepted
    assert sock.localCertificate() == server.sslConfiguration().localCertificate()
    assert peer.peer_cert == bytes(sock.localCertificate().toDer())
    server.close()


@pytest.mark.parametrize("ending", ["close", "reset"])
def test_a_deleted_connection_is_freed_without_the_garbage_collector(
        qtls_app: Any, ending: str) -> None:
    # A busy server deletes a socket per connection: reference cycles left behind would make
    # the collector run (and walk every live object) all the time. A peer that resets the
    # connection (ECONNRESET on a read) left one: the exception kept, with its traceback, the
    # frame that read, and so the socket (1 run in ~4 under load, when the close became a
    # reset because the session tickets were still unread).
    import gc
    import socket
    import struct
    import threading
    import weakref

    server, accepted = start_server(echo=False)
    gone: list[Any] = []

    def take() -> None:
        while (sock := server.nextPendingConnection()) is not None:
            gone.append(weakref.ref(sock))
            sock.disconnected.connect(sock.deleteLater)

    server.pendingConnectionAvailable.disconnect()
    server.pendingConnectionAvailable.connect(take)
    gc.collect()
    gc.disable()
    try:
        if ending == "close":
            peer = stdlib_client(server.serverPort(), client_context(), payload=b"")
            assert peer.wait()
        else:
            raw = socket.create_connection(("127.0.0.1", server.serverPort()), timeout=10)
            box: dict[str, Any] = {}
            handshake = threading.Thread(target=lambda: box.setdefault(
                "tls", client_context().wrap_socket(raw, server_hostname="localhost")))
            handshake.start()
            assert run_until(lambda: len(gone) == 1 and "tls" in box, 10000), "no handshake"
            handshake.join(5)
            tls = box.pop("tls")
            tls.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            tls.close()  # a reset: the server's next read fails with ECONNRESET
        assert run_until(lambda: len(gone) == 1, 10000), "the connection was never accepted"
        assert run_until(lambda: gone[0]() is None, 10000), "the deleted socket is still alive"
    finally:
        gc.enable()
    server.close()
