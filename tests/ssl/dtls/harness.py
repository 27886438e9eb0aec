"""A DTLS echo server and client on real QUdpSockets (127.0.0.1), as Qt's DTLS examples are
built: the server demultiplexes by sender, checks cookies with QDtlsClientVerifier, keeps one
QDtls per verified peer; the client retransmits on handshakeTimeout."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import trustme

from qtls.QtNetwork import (
    QDtls,
    QDtlsClientVerifier,
    QHostAddress,
    QSsl,
    QSslCertificate,
    QSslConfiguration,
    QSslKey,
    QSslSocket,
    QUdpSocket,
)

LOCALHOST = QHostAddress("127.0.0.1")


def server_configuration(cert: trustme.LeafCert) -> QSslConfiguration:
    config = QSslConfiguration.defaultDtlsConfiguration()
    chain = [QSslCertificate(blob.bytes()) for blob in cert.cert_chain_pems]
    config.setLocalCertificateChain(chain)
    config.setPrivateKey(QSslKey(cert.private_key_pem.bytes(), QSsl.KeyAlgorithm.Ec))
    config.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyNone)
    return config


def client_configuration(ca: trustme.CA | None) -> QSslConfiguration:
    config = QSslConfiguration.defaultDtlsConfiguration()
    if ca is not None:
        config.setCaCertificates([QSslCertificate(ca.cert_pem.bytes())])
    return config


class EchoServer:
    """Answers every decrypted datagram with the same bytes, upper-cased (so a test can tell an
    echo from a reflection). ``drop`` may throw incoming datagrams away (loss)."""

    def __init__(self, config: QSslConfiguration, *, cookies: bool = True,
                 on_psk: Callable[[Any], None] | None = None, params: Any = None) -> None:
        self.socket = QUdpSocket()
        assert self.socket.bind(LOCALHOST, 0)
        self.port = self.socket.localPort()
        self.config = QSslConfiguration(config)
        self.config.setDtlsCookieVerificationEnabled(cookies)
        self.cookies = cookies
        self.verifier = QDtlsClientVerifier()
        self.params = params
        if params is not None:
            assert self.verifier.setCookieGeneratorParameters(params)
        self.peers: dict[tuple[str, int], QDtls] = {}
        self.received: list[bytes] = []
        self.errors: list[tuple[Any, str]] = []
        self.failed: list[QDtls] = []  # peers whose handshake failed, kept for inspection
        self.hello_verify_requests = 0
        self.on_psk = on_psk
        self.drop: Callable[[bytes], bool] = lambda data: False
        self.socket.readyRead.connect(self._on_ready_read)

    def _on_ready_read(self) -> None:
        while self.socket.hasPendingDatagrams():
            datagram = self.socket.receiveDatagram()
            data = bytes(datagram.data())
            if self.drop(data):
                continue
            key = (datagram.senderAddress().toString(), datagram.senderPort())
            dtls = self.peers.get(key)
            if dtls is None:
                self._new_peer(datagram.senderAddress(), datagram.senderPort(), data)
            elif dtls.isConnectionEncrypted():
                plain = bytes(dtls.decryptDatagram(self.socket, data))
                if dtls.dtlsError().name != "NoError":
                    self.errors.append((dtls.dtlsError(), dtls.dtlsErrorString()))
                if plain:
                    self.received.append(plain)
                    dtls.writeDatagramEncrypted(self.socket, plain.upper())
                if dtls.handshakeState() is QDtls.HandshakeState.HandshakeNotStarted:
                    del self.peers[key]  # the peer shut down
            elif not dtls.doHandshake(self.socket, data):
                self.errors.append((dtls.dtlsError(), dtls.dtlsErrorString()))
                self.failed.append(self.peers.pop(key))

    def _new_peer(self, address: QHostAddress, port: int, data: bytes) -> None:
        if self.cookies:
            if not self.verifier.verifyClient(self.socket, data, address, port):
                if self.verifier.dtlsError().name != "NoError":
                    self.errors.append((self.verifier.dtlsError(),
                                        self.verifier.dtlsErrorString()))
                else:
                    self.hello_verify_requests += 1
                return
            data = bytes(self.verifier.verifiedHello())
        dtls = QDtls(QSslSocket.SslMode.SslServerMode)
        dtls.setDtlsConfiguration(self.config)
        dtls.setPeer(address, port)
        if self.params is not None:
            dtls.setCookieGeneratorParameters(self.params)  # (returns False, as Qt's)
        if self.on_psk is not None:
            dtls.pskRequired.connect(self.on_psk)
        # (Another QDtls's timer would resend this server's last flight: the client retransmits
        # instead, and the server answers from doHandshake.)
        # (Through a weak reference: a slot holding its QDtls would be a reference cycle.)
        ref = weakref.ref(dtls)
        dtls.handshakeTimeout.connect(lambda: (d := ref()) is not None and d.handleTimeout(self.socket))
        if dtls.doHandshake(self.socket, data):
            self.peers[(address.toString(), port)] = dtls
        else:
            self.errors.append((dtls.dtlsError(), dtls.dtlsErrorString()))

    def encrypted_peers(self) -> int:
        return sum(1 for d in self.peers.values() if d.isConnectionEncrypted())

    def close(self) -> None:
        self.socket.close()


class EchoClient:
    """A client QDtls on its own socket; ``echoes`` collects decrypted replies."""

    def __init__(self, config: QSslConfiguration, port: int, *, name: str = "localhost",
                 mtu: int = 0) -> None:
        self.socket = QUdpSocket()
        assert self.socket.bind(LOCALHOST, 0)
        self.dtls = QDtls(QSslSocket.SslMode.SslClientMode)
        self.dtls.setDtlsConfiguration(config)
        self.dtls.setPeer(LOCALHOST, port, name)
        if mtu:
            self.dtls.setMtuHint(mtu)
        self.echoes: list[bytes] = []
        self.timeouts = 0
        self.failures: list[tuple[Any, str]] = []
        self.drop: Callable[[bytes], bool] = lambda data: False
        self.socket.readyRead.connect(self._on_ready_read)
        self.dtls.handshakeTimeout.connect(self._on_timeout)

    def start(self) -> bool:
        return self.dtls.doHandshake(self.socket)

    def _on_timeout(self) -> None:
        self.timeouts += 1
        self.dtls.handleTimeout(self.socket)

    def _on_ready_read(self) -> None:
        while self.socket.hasPendingDatagrams():
            data = bytes(self.socket.receiveDatagram().data())
            if self.drop(data):
                continue
            state = self.dtls.handshakeState()
            if state is QDtls.HandshakeState.HandshakeInProgress:
                if not self.dtls.doHandshake(self.socket, data):
                    self.failures.append((self.dtls.dtlsError(), self.dtls.dtlsErrorString()))
            elif self.dtls.isConnectionEncrypted():
                plain = bytes(self.dtls.decryptDatagram(self.socket, data))
                if plain:
                    self.echoes.append(plain)

    def encrypted(self) -> bool:
        return self.dtls.isConnectionEncrypted()

    def close(self) -> None:
        self.socket.close()
