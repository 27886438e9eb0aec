"""QDtls and QDtlsClientVerifier over real QUdpSockets on 127.0.0.1: handshakes with
certificates and PSK, cookies, verification errors ignored and resumed, lost datagrams and
handshakeTimeout, bad datagrams and a ClientHello flood while other peers are served."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from qtls.QtNetwork import (
    QDtls,
    QDtlsError,
    QSsl,
    QSslError,
    QSslPreSharedKeyAuthenticator,
    QSslSocket,
    QUdpSocket,
)
from tests.loops import run_until, spin

from .conftest import CA, OTHER_CA, SERVER_CERT
from .harness import LOCALHOST, EchoClient, EchoServer, client_configuration, server_configuration

pytestmark = pytest.mark.usefixtures("qtls_app")


@pytest.fixture
def server() -> Iterator[EchoServer]:
    s = EchoServer(server_configuration(SERVER_CERT))
    yield s
    s.close()


def connect(server: EchoServer, **kw: Any) -> EchoClient:
    client = EchoClient(client_configuration(kw.pop("ca", CA)), server.port, **kw)
    assert client.start(), client.dtls.dtlsErrorString()
    return client


def test_client_and_server_handshake_and_echo(server: EchoServer) -> None:
    client = connect(server)
    assert run_until(lambda: client.encrypted() and server.encrypted_peers() == 1, 5000)
    assert client.dtls.handshakeState() is QDtls.HandshakeState.HandshakeComplete
    assert client.dtls.sessionProtocol() is QSsl.SslProtocol.DtlsV1_2
    assert not client.dtls.sessionCipher().isNull()
    peer_chain = client.dtls.dtlsConfiguration().peerCertificateChain()
    assert peer_chain and peer_chain[0].subjectAlternativeNames()
    assert server.hello_verify_requests == 1  # the cookie exchange took place
    for message in (b"hello", b"x" * 400, b"third"):
        assert client.dtls.writeDatagramEncrypted(client.socket, message) == len(message)
    assert run_until(lambda: len(client.echoes) == 3, 5000)
    assert client.echoes == [b"HELLO", b"X" * 400, b"THIRD"]
    client.close()


def test_an_oversized_datagram_is_a_write_error_and_the_connection_goes_on(
    server: EchoServer,
) -> None:
    client = connect(server)
    assert run_until(lambda: client.encrypted(), 5000)
    assert client.dtls.writeDatagramEncrypted(client.socket, b"x" * 20000) == -1
    assert client.dtls.dtlsError() is QDtlsError.TlsFatalError
    assert client.dtls.dtlsErrorString().startswith("Error while writing: exceeds max fragment")
    assert client.dtls.writeDatagramEncrypted(client.socket, b"small") == 5
    assert client.dtls.dtlsError() is QDtlsError.NoError
    assert run_until(lambda: client.echoes == [b"SMALL"], 5000)
    client.close()


def test_handshake_datagrams_respect_the_mtu_hint(server: EchoServer) -> None:
    sizes: list[int] = []
    original = server.socket.writeDatagram

    def spy(*args: Any) -> int:
        sizes.append(len(bytes(args[0])))
        return original(*args)

    server.socket.writeDatagram = spy  # type: ignore[method-assign]
    client = connect(server, mtu=300)
    assert run_until(lambda: client.encrypted(), 5000)
    # (the server's QDtls has no hint: Qt's 576)
    assert sizes and max(sizes) <= 576
    client.close()


def test_verification_errors_stop_the_handshake_until_ignored_and_resumed(server: EchoServer) -> None:
    client = connect(server, ca=OTHER_CA)
    assert run_until(lambda: bool(client.failures), 5000)
    assert client.failures[0] == (QDtlsError.PeerVerificationError, "Peer verification failed")
    assert client.dtls.handshakeState() is QDtls.HandshakeState.PeerVerificationFailed
    errors = client.dtls.peerVerificationErrors()
    assert errors and all(isinstance(e, QSslError) for e in errors)
    assert errors[0].error() in (QSslError.SslError.UnableToGetLocalIssuerCertificate,
                                 QSslError.SslError.UnableToVerifyFirstCertificate)
    assert not client.dtls.resumeHandshake(client.socket)  # nothing ignored yet
    client.dtls.ignoreVerificationErrors(errors)
    assert client.dtls.resumeHandshake(client.socket)
    assert client.encrypted()
    assert client.dtls.handshakeState() is QDtls.HandshakeState.HandshakeComplete
    client.dtls.writeDatagramEncrypted(client.socket, b"after resume")
    assert run_until(lambda: client.echoes == [b"AFTER RESUME"], 5000)
    client.close()


def test_interrupt_on_error_setting_does_not_stop_a_dtls_handshake(server: EchoServer) -> None:
    config = client_configuration(OTHER_CA)
    config.setHandshakeMustInterruptOnError(True)
    client = EchoClient(config, server.port)
    assert client.start()
    assert run_until(lambda: bool(client.failures), 5000)
    assert client.failures[0][0] is QDtlsError.PeerVerificationError
    client.close()


def test_host_name_mismatch_is_a_verification_error(server: EchoServer) -> None:
    client = connect(server, name="not-the-server.example")
    assert run_until(lambda: bool(client.failures), 5000)
    names = [e.error() for e in client.dtls.peerVerificationErrors()]
    assert names == [QSslError.SslError.HostNameMismatch]


def test_abort_after_failed_verification_sends_close_notify(server: EchoServer) -> None:
    client = connect(server, ca=OTHER_CA)
    assert run_until(lambda: bool(client.failures), 5000)
    assert run_until(lambda: server.encrypted_peers() == 1, 5000)
    assert client.dtls.abortHandshake(client.socket)
    assert client.dtls.handshakeState() is QDtls.HandshakeState.HandshakeNotStarted
    assert run_until(lambda: not server.peers, 5000)
    assert (QDtlsError.RemoteClosedConnectionError,
            "The DTLS connection has been shutdown") in server.errors


def test_shutdown_resets_both_sides(server: EchoServer) -> None:
    client = connect(server)
    assert run_until(lambda: client.encrypted() and server.encrypted_peers() == 1, 5000)
    assert client.dtls.shutdown(client.socket)
    assert client.dtls.handshakeState() is QDtls.HandshakeState.HandshakeNotStarted
    assert not client.dtls.isConnectionEncrypted()
    assert run_until(lambda: not server.peers, 5000)
    client.close()


def test_lost_datagrams_are_retransmitted_after_handshake_timeout(server: EchoServer) -> None:
    dropped: list[bytes] = []

    def lose_first_two(data: bytes) -> bool:
        if len(dropped) < 2:
            dropped.append(data)
            return True
        return False

    client = EchoClient(client_configuration(CA), server.port)
    client.drop = lose_first_two  # the HelloVerifyRequest, then the first server flight
    assert client.start()
    assert run_until(lambda: client.encrypted(), 10000)
    assert client.timeouts >= 2 and len(dropped) == 2
    client.close()


def test_server_keeps_serving_through_garbage_truncated_records_and_a_hello_flood(
    server: EchoServer,
) -> None:
    good = connect(server)
    assert run_until(lambda: good.encrypted(), 5000)
    raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        raw.bind(("127.0.0.1", 0))
        raw.settimeout(0.0)
        target = ("127.0.0.1", server.port)
        # A flood of ClientHellos without cookies from one spoofing-looking sender, and garbage.
        hello_client = EchoClient(client_configuration(CA), server.port)
        hello_client.socket.readyRead.disconnect()
        hello_client.start()  # its ClientHello went to the server; the reply is not read
        # (In bursts the kernel's receive buffer holds: past ~160 queued datagrams Linux drops
        # the rest, which is UDP's right but would make the count below a guess.)
        hellos = 0
        for _ in range(10):
            for _ in range(20):
                raw.sendto(_first_hello(), target)
            hellos += 20
            assert run_until(lambda n=hellos: server.hello_verify_requests >= n, 10000)
        for junk in (b"\x00", b"\x16\xfe\xfd" + b"\xff" * 10, bytes(range(256)) * 4):
            raw.sendto(junk, target)
        # A cookieless hello leaves nothing behind on the server.
        assert len(server.peers) == 1
        # Truncated and tampered records to the established peer's QDtls.
        good.dtls.writeDatagramEncrypted(good.socket, b"probe")
        assert run_until(lambda: good.echoes == [b"PROBE"], 5000)
        good.echoes.clear()
        spin(50)
        good.dtls.writeDatagramEncrypted(good.socket, b"still here")
        assert run_until(lambda: good.echoes == [b"STILL HERE"], 5000)
        assert server.encrypted_peers() == 1
        hello_client.close()
    finally:
        raw.close()
    good.close()


_HELLO: list[bytes] = []


def _first_hello() -> bytes:
    """A real ClientHello without a cookie (made once, by an engine in memory)."""
    if not _HELLO:
        from qtls.ssl.engine import DtlsEngine

        from .conftest import client_settings

        engine = DtlsEngine(client_settings(), server_hostname="localhost")
        engine.start_handshake()
        _HELLO.append(engine.datagrams_to_send()[0])
    return _HELLO[0]


def test_bad_records_to_an_established_peer_are_dropped(server: EchoServer) -> None:
    client = connect(server)
    # (Both sides: the server is done when the client's Finished came, the client only when
    # the server's came back.)
    assert run_until(lambda: client.encrypted() and server.encrypted_peers() == 1, 5000)
    dtls = next(iter(server.peers.values()))
    good = _record_from(client, b"real")
    for bad in (good[:-4], good[:10], b"\x17\xfe\xfd" + bytes(40), _tampered(good)):
        assert bytes(dtls.decryptDatagram(server.socket, bad)) == b""
        assert dtls.isConnectionEncrypted()
    assert bytes(dtls.decryptDatagram(server.socket, good)) == b"real"
    client.close()


def _record_from(client: EchoClient, payload: bytes) -> bytes:
    """The encrypted datagram the client's QDtls writes for ``payload`` (captured)."""
    captured: list[bytes] = []
    sock = client.socket
    original = sock.writeDatagram
    sock.writeDatagram = lambda data, *rest: captured.append(bytes(data)) or len(data)  # type: ignore[method-assign]
    try:
        client.dtls.writeDatagramEncrypted(sock, payload)
    finally:
        sock.writeDatagram = original  # type: ignore[method-assign]
    return captured[0]


def _tampered(datagram: bytes) -> bytes:
    out = bytearray(datagram)
    out[-1] ^= 0x55
    return bytes(out)


def test_server_without_cookie_verification_takes_any_client_hello() -> None:
    server = EchoServer(server_configuration(SERVER_CERT), cookies=False)
    try:
        client = connect(server)
        assert run_until(lambda: client.encrypted(), 5000)
        assert server.hello_verify_requests == 0
        client.close()
    finally:
        server.close()


def test_server_with_cookies_refuses_an_unverified_hello() -> None:
    dtls = QDtls(QSslSocket.SslMode.SslServerMode)
    sock = QUdpSocket()
    assert sock.bind(LOCALHOST, 0)
    dtls.setPeer(LOCALHOST, 40000)
    dtls.setDtlsConfiguration(server_configuration(SERVER_CERT))
    assert dtls.doHandshake(sock, _first_hello()) is False
    assert (dtls.dtlsError(), dtls.dtlsErrorString()) == (
        QDtlsError.TlsFatalError, "Cannot start the handshake, verified client hello expected")
    assert dtls.handshakeState() is QDtls.HandshakeState.HandshakeNotStarted
    sock.close()


def test_psk_client_that_verifies_reports_no_peer_certificate() -> None:
    from qtls.QtNetwork import QSslCipher

    config = client_configuration(None)
    config.setCiphers([QSslCipher("PSK-AES128-GCM-SHA256")])
    server = EchoServer(config, on_psk=lambda auth: auth.setPreSharedKey(b"k" * 16))
    try:
        client = EchoClient(config, server.port)
        client.dtls.pskRequired.connect(
            lambda auth: (auth.setIdentity(b"id"), auth.setPreSharedKey(b"k" * 16)))
        assert client.start()
        assert run_until(lambda: bool(client.failures), 5000)
        assert [e.error() for e in client.dtls.peerVerificationErrors()] == [
            QSslError.SslError.NoPeerCertificate]
        client.close()
    finally:
        server.close()


def test_psk_handshake_without_certificates() -> None:
    from qtls.QtNetwork import QSslCipher

    psk_cipher = QSslCipher("PSK-AES128-GCM-SHA256")
    seen: list[tuple[str, bytes]] = []

    def server_psk(auth: QSslPreSharedKeyAuthenticator) -> None:
        seen.append(("server", bytes(auth.identity())))
        auth.setPreSharedKey(b"\x11" * 16)

    config = client_configuration(None)
    config.setCiphers([psk_cipher])
    # (No certificate comes with PSK: a verifying client would report NoPeerCertificate.)
    config.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyNone)
    server_config = client_configuration(None)
    server_config.setCiphers([psk_cipher])
    server_config.setPreSharedKeyIdentityHint(b"dtls-hint")
    server = EchoServer(server_config, on_psk=server_psk)
    try:
        client = EchoClient(config, server.port)

        def client_psk(auth: QSslPreSharedKeyAuthenticator) -> None:
            seen.append(("client", bytes(auth.identityHint())))
            auth.setIdentity(b"alice")
            auth.setPreSharedKey(b"\x11" * 16)

        client.dtls.pskRequired.connect(client_psk)
        assert client.start()
        assert run_until(lambda: client.encrypted() or bool(client.failures), 5000)
        assert client.encrypted(), client.failures
        assert ("client", b"dtls-hint") in seen and ("server", b"alice") in seen
        assert client.dtls.sessionCipher().name() == "PSK-AES128-GCM-SHA256"
        client.dtls.writeDatagramEncrypted(client.socket, b"psk")
        assert run_until(lambda: client.echoes == [b"PSK"], 5000)
        client.close()
    finally:
        server.close()


def test_several_clients_at_once(server: EchoServer) -> None:
    clients = [connect(server) for _ in range(5)]
    assert run_until(lambda: all(c.encrypted() for c in clients), 10000)
    for i, c in enumerate(clients):
        c.dtls.writeDatagramEncrypted(c.socket, f"client {i}".encode())
    assert run_until(lambda: all(c.echoes for c in clients), 5000)
    assert [c.echoes[0] for c in clients] == [f"CLIENT {i}".encode() for i in range(5)]
    for c in clients:
        c.close()


@pytest.mark.parametrize("protocol", ["DtlsV1_2", "DtlsV1_2OrLater", "DtlsV1_0OrLater"])
def test_dtls_protocols_negotiate_dtls12(server: EchoServer, protocol: str) -> None:
    config = client_configuration(CA)
    config.setProtocol(QSsl.SslProtocol[protocol])
    client = EchoClient(config, server.port)
    assert client.start()
    assert run_until(lambda: client.encrypted(), 5000)
    assert client.dtls.sessionProtocol() is QSsl.SslProtocol.DtlsV1_2
    client.close()


def test_exact_dtls10_is_refused_by_this_openssl(server: EchoServer) -> None:
    config = client_configuration(CA)
    config.setProtocol(QSsl.SslProtocol.DtlsV1_0)
    client = EchoClient(config, server.port)
    assert client.start() is False
    assert client.dtls.dtlsError() is QDtlsError.TlsFatalError
    assert client.dtls.dtlsErrorString().startswith("Error during SSL handshake: ")
    assert client.dtls.handshakeState() is QDtls.HandshakeState.HandshakeNotStarted
    client.close()


def _verifying_server() -> EchoServer:
    from qtls.QtNetwork import QSslCertificate

    config = server_configuration(SERVER_CERT)
    config.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyPeer)
    config.setCaCertificates([QSslCertificate(CA.cert_pem.bytes())])
    return EchoServer(config)


def test_a_verifying_server_takes_a_client_certificate() -> None:
    from qtls.QtNetwork import QSslCertificate, QSslKey

    from .conftest import CLIENT_CERT

    server = _verifying_server()
    try:
        config = client_configuration(CA)
        config.setLocalCertificateChain(
            [QSslCertificate(b.bytes()) for b in CLIENT_CERT.cert_chain_pems])
        config.setPrivateKey(QSslKey(CLIENT_CERT.private_key_pem.bytes(), QSsl.KeyAlgorithm.Ec))
        client = EchoClient(config, server.port)
        assert client.start()
        assert run_until(lambda: client.encrypted() and server.encrypted_peers() == 1, 5000)
        (dtls,) = server.peers.values()
        peer = dtls.dtlsConfiguration().peerCertificate()
        assert peer.subjectAlternativeNames()  # the client's certificate, as Qt stores it
        assert dtls.peerVerificationErrors() == []
        client.close()
    finally:
        server.close()


def test_a_verifying_server_without_a_client_certificate_reports_no_peer_certificate() -> None:
    server = _verifying_server()
    try:
        client = connect(server)
        assert run_until(lambda: bool(server.errors), 5000)
        assert server.errors[0] == (QDtlsError.PeerVerificationError, "Peer verification failed")
        (failed,) = server.failed
        assert [e.error() for e in failed.peerVerificationErrors()] == [
            QSslError.SslError.NoPeerCertificate]
        assert failed.handshakeState() is QDtls.HandshakeState.PeerVerificationFailed
        client.close()
    finally:
        server.close()



@pytest.mark.parametrize("algorithm", ["Sha1", "Sha3_256", "Blake2s_128"])
def test_cookies_with_other_generator_parameters(algorithm: str) -> None:
    from qtls.QtCore import QCryptographicHash
    from qtls.QtNetwork import QDtlsClientVerifier

    params = QDtlsClientVerifier.GeneratorParameters(
        QCryptographicHash.Algorithm[algorithm], b"another secret")
    server = EchoServer(server_configuration(SERVER_CERT), params=params)
    try:
        client = connect(server)
        assert run_until(lambda: client.encrypted(), 5000), server.errors
        assert server.hello_verify_requests == 1
        client.close()
    finally:
        server.close()


def test_a_server_qdtls_with_other_parameters_than_its_verifier_refuses_the_hello() -> None:
    from qtls.QtCore import QCryptographicHash
    from qtls.QtNetwork import QDtlsClientVerifier

    server = EchoServer(server_configuration(SERVER_CERT))
    try:
        assert server.verifier.setCookieGeneratorParameters(
            QDtlsClientVerifier.GeneratorParameters(QCryptographicHash.Algorithm.Sha1, b"s"))
        client = connect(server)
        assert run_until(lambda: bool(server.errors), 5000)
        assert server.errors[0] == (QDtlsError.TlsFatalError,
                                    "Cannot start the handshake, verified client hello expected")
        assert not server.peers
        client.close()
    finally:
        server.close()


def test_dropped_qdtls_objects_are_freed_without_the_garbage_collector(server: EchoServer) -> None:
    # A server makes a QDtls per client: reference cycles would make the collector run (and
    # walk every live object) all the time.
    import gc
    import weakref

    client = connect(server)
    assert run_until(lambda: client.encrypted() and server.encrypted_peers() == 1, 5000)
    gc.collect()
    gc.disable()
    try:
        (key,) = server.peers
        server_side = weakref.ref(server.peers.pop(key))
        client_side = weakref.ref(client.dtls)
        engine = weakref.ref(client.dtls._engine)  # type: ignore[arg-type]
        del client.dtls
        assert client_side() is None and engine() is None
        assert server_side() is None
    finally:
        gc.enable()
    client.close()


def test_several_clients_complete_through_random_loss_both_ways(server: EchoServer) -> None:
    import random

    rng = random.Random(7)

    def lossy(data: bytes) -> bool:
        return rng.random() < 0.1

    server.drop = lossy
    clients = [EchoClient(client_configuration(CA), server.port) for _ in range(3)]
    for c in clients:
        c.drop = lossy
        assert c.start()
    # Every lost flight is sent again on the next handshakeTimeout (1 s, then 2 s, ...).
    assert run_until(lambda: all(c.encrypted() for c in clients), 30000), [
        (c.dtls.handshakeState(), c.timeouts) for c in clients]
    assert sum(c.timeouts for c in clients) >= 1
    for c in clients:
        c.close()
