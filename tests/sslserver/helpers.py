"""Shared pieces for the QSslServer and server-side interop tests.

Certificates come from module-level trustme CAs (RSA and ECDSA), made once per test run.
Servers run on the test thread's qtls loop (``run_until``); the peers — stdlib ``ssl`` clients,
raw sockets, ``openssl s_client`` — run in threads or subprocesses, each bounded by a timeout.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import trustme

from qtls.QtNetwork import (
    QHostAddress,
    QSsl,
    QSslCertificate,
    QSslConfiguration,
    QSslError,
    QSslKey,
    QSslServer,
)
from tests.network.helpers import run_until, spin

__all__ = ["CA", "CLIENT_CERT", "EC_CA", "EC_SERVER_CERT", "OTHER_CA", "RSA_SERVER_CERT",
           "PeerResult", "describe", "raw_client", "record_server", "run_until", "server_config",
           "spin", "start_server", "stdlib_client", "write_pem"]

CA = trustme.CA(key_type=trustme.KeyType.RSA)
EC_CA = trustme.CA(key_type=trustme.KeyType.ECDSA)
OTHER_CA = trustme.CA(key_type=trustme.KeyType.ECDSA)  # trusted by nobody

RSA_SERVER_CERT = CA.issue_cert("localhost", "127.0.0.1", "::1", key_type=trustme.KeyType.RSA)
EC_SERVER_CERT = EC_CA.issue_cert("localhost", "127.0.0.1", key_type=trustme.KeyType.ECDSA)
CLIENT_CERT = CA.issue_cert("client@example.org", key_type=trustme.KeyType.ECDSA)
STRANGER_CERT = OTHER_CA.issue_cert("stranger@example.org")

TIMEOUT_S = 5.0


def qt_certificate(pem: bytes) -> QSslCertificate:
    cert = QSslCertificate(pem)
    assert not cert.isNull()
    return cert


def qt_key(leaf: trustme.LeafCert) -> QSslKey:
    pem = leaf.private_key_pem.bytes()
    algorithm = QSsl.KeyAlgorithm.Rsa if _is_rsa(pem) else QSsl.KeyAlgorithm.Ec
    key = QSslKey(pem, algorithm)
    assert not key.isNull()
    return key


def _is_rsa(pem: bytes) -> bool:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return isinstance(load_pem_private_key(pem, None), rsa.RSAPrivateKey)


def server_config(leaf: trustme.LeafCert = EC_SERVER_CERT, *, with_key: bool = True,
                  client_ca: trustme.CA | None = None) -> QSslConfiguration:
    """A server configuration with ``leaf`` as local certificate (and its key)."""
    conf = QSslConfiguration.defaultConfiguration()
    conf.setLocalCertificate(qt_certificate(leaf.cert_chain_pems[0].bytes()))
    if with_key:
        conf.setPrivateKey(qt_key(leaf))
    if client_ca is not None:
        conf.setCaCertificates([qt_certificate(client_ca.cert_pem.bytes())])
    return conf


#: An accepted socket's (sessionProtocol, sessionCipher name) when it was taken: as in Qt,
#: both are gone once the connection ends (close_after_reply).
SESSIONS: weakref.WeakKeyDictionary[Any, tuple[QSsl.SslProtocol, str]] = weakref.WeakKeyDictionary()


def start_server(conf: QSslConfiguration | None = None, *, timeout_ms: int | None = None,
                 echo: bool = True, close_after_reply: bool = False,
                 ) -> tuple[QSslServer, list[Any]]:
    """A listening QSslServer on 127.0.0.1 and the list its encrypted sockets go to.

    With ``echo`` each encrypted socket answers every chunk it reads in upper case (and then
    disconnects, with ``close_after_reply``).
    """
    server = QSslServer()
    server.setSslConfiguration(conf if conf is not None else server_config())
    if timeout_ms is not None:
        server.setHandshakeTimeout(timeout_ms)
    assert server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
    accepted: list[Any] = []

    def take() -> None:
        while (sock := server.nextPendingConnection()) is not None:
            accepted.append(sock)
            SESSIONS[sock] = (sock.sessionProtocol(), sock.sessionCipher().name())
            if echo:
                sock.readyRead.connect(lambda s=sock: _echo(s, close_after_reply))

    server.pendingConnectionAvailable.connect(take)
    return server, accepted


def _echo(sock: Any, close: bool) -> None:
    sock.write(bytes(sock.readAll()).upper())
    if close:
        sock.disconnectFromHost()


def describe(value: Any) -> str:
    """Text for a signal argument, the same for qtls and PyQt6 objects."""
    if isinstance(value, list):
        return "[" + ", ".join(describe(v) for v in value) + "]"
    if hasattr(value, "errorString") and hasattr(value, "certificate"):  # a QSslError
        return str(value.error().name)
    name = getattr(value, "name", None)
    return str(name) if isinstance(name, str) else str(value)


def record_server(server: Any, log: list[str]) -> None:
    """Append every QSslServer signal to ``log`` (socket argument left out)."""
    for name in ("startedEncryptionHandshake", "errorOccurred", "sslErrors", "peerVerifyError",
                 "alertSent", "alertReceived", "handshakeInterruptedOnError", "newConnection",
                 "pendingConnectionAvailable"):
        def slot(*args: Any, name: str = name) -> None:
            shown = [describe(a) for a in args[1:3]] if name.startswith(
                ("alert", "error", "ssl", "peer", "handshake")) else []
            log.append(f"{name}({', '.join(shown)})" if shown else name)
        getattr(server, name).connect(slot)


def write_pem(tmp_path: Any, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


# ------------------------------------------------------------------ peers in threads


@dataclass
class PeerResult:
    """What a peer thread saw; ``done`` is set when it finished, whatever happened."""

    done: threading.Event = field(default_factory=threading.Event)
    connected: threading.Event = field(default_factory=threading.Event)  # handshake + reply done
    version: str | None = None
    cipher: str | None = None
    alpn: str | None = None
    reply: bytes = b""
    error: str | None = None
    resumed: bool = False
    session: Any = None
    peer_cert: bytes | None = None

    def wait(self) -> bool:
        """Run the qtls loop until the peer is done (bounded)."""
        return run_until(self.done.is_set, int(TIMEOUT_S * 1000))


def _in_thread(target: Callable[[PeerResult], None]) -> PeerResult:
    result = PeerResult()

    def run() -> None:
        try:
            target(result)
        except Exception as exc:  # the test reads the error from the result
            result.error = f"{type(exc).__name__}: {exc}"
        finally:
            result.done.set()

    threading.Thread(target=run, daemon=True).start()
    return result


def client_context(ca: trustme.CA | None = EC_CA, *, extra_ca: trustme.CA | None = None,
                   minimum: ssl.TLSVersion | None = None,
                   maximum: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    if ca is not None:
        ca.configure_trust(ctx)
    if extra_ca is not None:
        extra_ca.configure_trust(ctx)
    if minimum is not None:
        ctx.minimum_version = minimum
    if maximum is not None:
        ctx.maximum_version = maximum
    return ctx


def stdlib_client(port: int, ctx: ssl.SSLContext, payload: bytes = b"ping", *,
                  host: str = "localhost", session: Any = None,
                  before_tls: Callable[[socket.socket], None] | None = None,
                  read_until_eof: bool = False,
                  hold: threading.Event | None = None) -> PeerResult:
    """A stdlib ``ssl`` client in a thread: handshake, send ``payload``, read the reply; then
    keep the connection open until ``hold`` is set (bounded), if given."""

    def run(result: PeerResult) -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S) as raw:
            if before_tls is not None:
                before_tls(raw)
            with ctx.wrap_socket(raw, server_hostname=host, session=session) as tls:
                result.version = tls.version()
                cipher = tls.cipher()
                result.cipher = cipher[0] if cipher else None
                result.alpn = tls.selected_alpn_protocol()
                result.resumed = bool(tls.session_reused)
                result.peer_cert = tls.getpeercert(binary_form=True)
                if payload:
                    tls.sendall(payload)
                    while len(result.reply) < len(payload) or read_until_eof:
                        chunk = tls.recv(65536)
                        if not chunk:
                            break
                        result.reply += chunk
                result.session = tls.session
                result.connected.set()
                if hold is not None:
                    hold.wait(TIMEOUT_S)

    return _in_thread(run)


def raw_client(port: int, payload: bytes, *, linger_s: float = 0.0,
               read: bool = True) -> PeerResult:
    """A plain TCP client in a thread: send ``payload``, read until EOF (bounded)."""

    def run(result: PeerResult) -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S) as raw:
            if payload:
                raw.sendall(payload)
            if linger_s:
                time.sleep(linger_s)
            while read:
                try:
                    chunk = raw.recv(65536)
                except ConnectionResetError:
                    result.error = "reset"
                    break
                if not chunk:
                    break
                result.reply += chunk

    return _in_thread(run)


def ssl_error_names(errors: list[QSslError]) -> list[str]:
    return [e.error().name for e in errors]
