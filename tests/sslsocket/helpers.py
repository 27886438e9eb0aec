"""Helpers for the QSslSocket tests: certificates, a classic TLS server, recorders, peers."""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
import warnings
from collections.abc import Callable
from typing import Any

import trustme

from qtls.QtNetwork import (
    QHostAddress,
    QSsl,
    QSslCertificate,
    QSslConfiguration,
    QSslKey,
    QSslSocket,
    QTcpServer,
)
from qtls.ssl.x509.key import NullKeyWarning
from tests.network.helpers import run_until, spin

__all__ = ["Pki", "Recorder", "TlsServer", "run_until", "spin", "client_for", "StdlibServer"]


def q_cert(pem: bytes) -> QSslCertificate:
    return QSslCertificate(pem)


def q_key(pem: bytes) -> QSslKey:
    algorithm = QSsl.KeyAlgorithm.Rsa if b"RSA" in pem or b"BEGIN PRIVATE KEY" in pem else QSsl.KeyAlgorithm.Ec
    key = QSslKey(pem, algorithm)
    if key.isNull():
        key = QSslKey(pem, QSsl.KeyAlgorithm.Ec)
    return key


class Identity:
    """A trustme leaf as qtls values (certificate chain and key) plus its PEM files' bytes."""

    def __init__(self, leaf: trustme.LeafCert) -> None:
        self.leaf = leaf
        self.chain = [q_cert(blob.bytes()) for blob in leaf.cert_chain_pems]
        self.cert = self.chain[0]
        key_pem = leaf.private_key_pem.bytes()
        with warnings.catch_warnings():  # probing RSA first: an EC key warns that it is not
            warnings.simplefilter("ignore", NullKeyWarning)
            self.key = QSslKey(key_pem, QSsl.KeyAlgorithm.Rsa)
        if self.key.isNull():
            self.key = QSslKey(key_pem, QSsl.KeyAlgorithm.Ec)
        assert not self.key.isNull()


class Pki:
    """The test PKI: one CA (``ca``), RSA and ECDSA server identities, a client identity."""

    def __init__(self, ca: trustme.CA) -> None:
        self.ca = ca
        self.ca_cert = q_cert(ca.cert_pem.bytes())
        self.ecdsa = Identity(ca.issue_cert("localhost", "127.0.0.1", "::1", key_type=trustme.KeyType.ECDSA))
        self.rsa = Identity(ca.issue_cert("localhost", "127.0.0.1", "::1", key_type=trustme.KeyType.RSA))
        self.client = Identity(ca.issue_cert("client.example", key_type=trustme.KeyType.ECDSA))
        now = datetime.datetime.now(datetime.timezone.utc)
        self.expired = Identity(ca.issue_cert(
            "localhost", "127.0.0.1", not_before=now - datetime.timedelta(days=30),
            not_after=now - datetime.timedelta(days=1)))
        self.not_yet_valid = Identity(ca.issue_cert(
            "localhost", "127.0.0.1", not_before=now + datetime.timedelta(days=1),
            not_after=now + datetime.timedelta(days=30)))
        self.other_ca = trustme.CA()
        self.foreign = Identity(self.other_ca.issue_cert("localhost", "127.0.0.1"))

    def server_config(self, identity: Identity | None = None) -> QSslConfiguration:
        """A server configuration presenting ``identity`` (ECDSA by default)."""
        identity = identity or self.ecdsa
        conf = QSslConfiguration.defaultConfiguration()
        conf.setLocalCertificateChain(identity.chain)
        conf.setPrivateKey(identity.key)
        return conf

    def client_config(self, trust: bool = True) -> QSslConfiguration:
        """A client configuration trusting the test CA only (or nothing beyond the system)."""
        conf = QSslConfiguration.defaultConfiguration()
        if trust:
            conf.setCaCertificates([self.ca_cert])
        return conf

    def stdlib_server_context(self, identity: Identity | None = None) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        (identity or self.ecdsa).leaf.configure_cert(ctx)
        return ctx


SIGNALS = (
    "stateChanged", "hostFound", "connected", "disconnected", "errorOccurred", "encrypted",
    "modeChanged", "sslErrors", "peerVerifyError", "readyRead", "bytesWritten",
    "encryptedBytesWritten", "alertSent", "alertReceived", "readChannelFinished",
    "handshakeInterruptedOnError", "newSessionTicketReceived",
)


class Recorder:
    """Records a socket's signals as short strings, e.g. ``stateChanged(ConnectedState)``."""

    def __init__(self, sock: Any, tag: str = "", signals: tuple[str, ...] = SIGNALS) -> None:
        self.log: list[str] = []
        for name in signals:
            getattr(sock, name).connect(self._slot(tag + name))

    def _slot(self, name: str) -> Callable[..., None]:
        def slot(*args: Any) -> None:
            parts = []
            for arg in args:
                if isinstance(arg, list):
                    parts.append("[" + ",".join(e.error().name for e in arg) + "]")
                elif hasattr(arg, "name") and not isinstance(arg, (int, str)):
                    parts.append(arg.name)
                elif hasattr(arg, "error") and callable(arg.error):
                    parts.append(arg.error().name)
                elif isinstance(arg, int):
                    parts.append("n")  # byte counts vary with OpenSSL versions
                else:
                    parts.append(str(arg))
            self.log.append(f"{name}({','.join(parts)})" if parts else name)
        return slot

    def without(self, *names: str) -> list[str]:
        return [e for e in self.log if not any(e.startswith(n) for n in names)]


class TlsServer(QTcpServer):
    """Qt's classic TLS server: incomingConnection -> setSocketDescriptor + startServerEncryption."""

    def __init__(self, config: QSslConfiguration, *, host: str = "127.0.0.1",
                 on_socket: Callable[[QSslSocket], None] | None = None,
                 start: bool = True) -> None:
        super().__init__()
        self.config = config
        self.sockets: list[QSslSocket] = []
        self.on_socket = on_socket
        self.start = start
        assert self.listen(QHostAddress(host), 0)

    def incomingConnection(self, handle: int) -> None:
        sock = QSslSocket(self)
        sock.setSslConfiguration(self.config)
        self.sockets.append(sock)
        if self.on_socket is not None:
            self.on_socket(sock)
        assert sock.setSocketDescriptor(handle)
        if self.start:
            sock.startServerEncryption()

    def port(self) -> int:
        return self.serverPort()

    def shutdown(self) -> None:
        for sock in self.sockets:
            sock.abort()
        self.close()


def client_for(pki: Pki, trust: bool = True, protocol: Any = None) -> QSslSocket:
    """A client QSslSocket configured to trust the test CA."""
    sock = QSslSocket()
    conf = pki.client_config(trust)
    if protocol is not None:
        conf.setProtocol(protocol)
    sock.setSslConfiguration(conf)
    return sock


class StdlibServer:
    """A stdlib ``ssl`` server thread: accepts one client, runs ``handler(ssl_socket)``."""

    def __init__(self, context: ssl.SSLContext | None, handler: Callable[[Any], None],
                 host: str = "127.0.0.1") -> None:
        self.listener = socket.create_server((host, 0))
        self.listener.settimeout(10)
        self.port = self.listener.getsockname()[1]
        self.context = context
        self.handler = handler
        self.error: BaseException | None = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            conn, _ = self.listener.accept()
            conn.settimeout(10)
            with conn:
                if self.context is not None:
                    conn = self.context.wrap_socket(conn, server_side=True)
                self.handler(conn)
        except BaseException as exc:  # reported by join()
            self.error = exc
        finally:
            self.done.set()

    def join(self, timeout: float = 10) -> None:
        self.thread.join(timeout)
        self.listener.close()
        assert not self.thread.is_alive(), "server thread did not finish"
        if self.error is not None:
            raise self.error
