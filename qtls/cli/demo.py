"""``python -m qtls demo``: a QSslServer and a QSslSocket client talking TLS over 127.0.0.1.

Everything a reader needs to see in half a minute, driven by the event loop exactly as a PyQt6
program would be:

1. a throwaway CA and a server certificate for ``localhost``, made in memory (cryptography);
2. a trusted handshake: every state and signal as it happens, then the negotiated protocol,
   cipher, key exchange, the peer's chain and the ALPN protocol;
3. a verification failure: the same server reached as ``127.0.0.1``, a name its certificate
   does not carry, so the client reports ``HostNameMismatch`` and gives up;
4. how to ignore *one specific* error: ``ignoreSslErrors([QSslError(HostNameMismatch, cert)])``
   before connecting; the same error for another certificate would not be ignored;
5. an encrypted exchange: the server echoes each line in upper case.

It ends by itself within a few seconds and returns 0 when every step behaved as expected.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from qtls.cli.throwaway import ThrowawayCA
from qtls.QtCore import QCoreApplication, QEventLoop, QTimer
from qtls.QtNetwork import (
    QHostAddress,
    QSslCertificate,
    QSslConfiguration,
    QSslError,
    QSslKey,
    QSslServer,
    QSslSocket,
)

__all__ = ["run_demo"]

LINES = [b"hello from qtls\n", b"encrypted, with Qt's API\n", b"bye\n"]
ALPN = [b"qtls-demo/1", b"http/1.1"]
STEP_TIMEOUT_MS = 4000


# ------------------------------------------------------------------ certificates


def make_certificates() -> tuple[QSslCertificate, QSslCertificate, QSslKey]:
    """A throwaway CA and a ``localhost`` server certificate it signed (ECDSA P-256, valid for
    a day). Only ``localhost`` is in the certificate, not 127.0.0.1: the demo uses the address
    to provoke a host-name mismatch."""
    ca = ThrowawayCA("qtls demo CA")
    leaf = ca.issue("localhost", ["localhost"])
    return ca.certificate, leaf.certificate, leaf.key


# ------------------------------------------------------------------ printing


class _Printer:
    """Prints timestamped events, one line each, aligned by side."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.start = time.monotonic()

    def __call__(self, who: str, what: str) -> None:
        elapsed = (time.monotonic() - self.start) * 1000
        print(f"{elapsed:7.1f} ms  {who:<7} {what}", file=self.out, flush=True)

    def title(self, text: str) -> None:
        print(f"\n{text}", file=self.out, flush=True)


def _watch(sock: QSslSocket, who: str, say: _Printer, *, states: bool) -> None:
    """Print the TLS signals of ``sock`` and, with ``states``, every state change too."""
    if states:
        sock.stateChanged.connect(lambda state: say(who, f"stateChanged({state.name})"))
        sock.connected.connect(lambda: say(who, "connected"))
        sock.modeChanged.connect(lambda mode: say(who, f"modeChanged({mode.name})"))
        sock.disconnected.connect(lambda: say(who, "disconnected"))
    sock.encrypted.connect(lambda: say(who, "encrypted"))
    sock.peerVerifyError.connect(
        lambda error: say(who, f"peerVerifyError({error.error().name}): {error.errorString()}"))
    sock.sslErrors.connect(
        lambda errors: say(who, f"sslErrors([{', '.join(e.error().name for e in errors)}])"))
    sock.errorOccurred.connect(
        lambda error: say(who, f"errorOccurred({error.name}): {sock.errorString()}"))
    sock.alertSent.connect(lambda level, kind, text: say(
        who, f"alertSent({level.name}, {kind.name})"))
    sock.alertReceived.connect(lambda level, kind, text: say(
        who, f"alertReceived({level.name}, {kind.name})"))


def _key_exchange(sock: QSslSocket) -> str:
    """The key-exchange group, and what Qt's API tells: the server's ephemeral key."""
    parts = []
    # Qt has no API for the group name: sessionKeyExchangeGroup() is a qtls extension.
    if sock.sessionKeyExchangeGroup():
        parts.append(f"group {sock.sessionKeyExchangeGroup()}")
    key = sock.sslConfiguration().ephemeralServerKey()
    if not key.isNull():
        # Qt reports X25519 and the hybrid post-quantum groups as Opaque keys of length -1.
        size = f", {key.length()} bits" if key.length() > 0 else ""
        parts.append(f"ephemeral {key.algorithm().name} key{size}")
    return ", ".join(parts) or "not reported by this backend"


def _describe_session(sock: QSslSocket, say: _Printer) -> None:
    conf = sock.sslConfiguration()
    cipher = sock.sessionCipher()
    say("client", f"protocol {sock.sessionProtocol().name}, cipher {cipher.name()} "
                  f"({cipher.usedBits()} bits)")
    say("client", f"key exchange: {_key_exchange(sock)}")
    for depth, cert in enumerate(sock.peerCertificateChain()):
        say("client", f"peer chain [{depth}]: {cert.subjectDisplayName()}"
                      f"  (issued by {cert.issuerDisplayName()})")
    say("client", f"ALPN: {bytes(conf.nextNegotiatedProtocol()).decode() or '-'} "
                  f"({conf.nextProtocolNegotiationStatus().name})")


# ------------------------------------------------------------------ the demo


class _Demo:
    """The server, the client configuration and the loop helpers, shared by the steps."""

    def __init__(self, out: TextIO) -> None:
        self.say = _Printer(out)
        self.ca, self.cert, self.key = make_certificates()
        self.server = QSslServer()
        conf = QSslConfiguration.defaultConfiguration()
        conf.setLocalCertificate(self.cert)
        conf.setPrivateKey(self.key)
        conf.setAllowedNextProtocols(ALPN)
        self.server.setSslConfiguration(conf)
        self.server.pendingConnectionAvailable.connect(self._take)
        self.server.errorOccurred.connect(lambda sock, error: self.say(
            "server", f"errorOccurred(socket, {error.name}): {sock.errorString()}"))
        self.server.startedEncryptionHandshake.connect(
            lambda sock: self.say("server", "startedEncryptionHandshake(socket)"))
        self.connections: list[QSslSocket] = []

    def _take(self) -> None:
        while (sock := self.server.nextPendingConnection()) is not None:
            assert isinstance(sock, QSslSocket)
            self.connections.append(sock)
            self.say("server", f"pendingConnectionAvailable: {sock.sessionProtocol().name} "
                               f"from {sock.peerAddress().toString()}:{sock.peerPort()}")

            def echo(sock: QSslSocket = sock) -> None:
                while sock.canReadLine():
                    line = bytes(sock.readLine())
                    self.say("server", f"got {line!r}, echoing")
                    sock.write(line.upper())

            sock.readyRead.connect(echo)

    def client(self, *, states: bool = False) -> QSslSocket:
        """A client socket that trusts the demo CA and offers the demo's ALPN protocols."""
        sock = QSslSocket()
        conf = sock.sslConfiguration()
        conf.addCaCertificate(self.ca)
        conf.setAllowedNextProtocols(ALPN)
        sock.setSslConfiguration(conf)
        _watch(sock, "client", self.say, states=states)
        return sock

    @staticmethod
    def wait(condition: Callable[[], bool], timeout_ms: int = STEP_TIMEOUT_MS) -> bool:
        """Run the event loop until ``condition()`` holds or ``timeout_ms`` passed."""
        loop = QEventLoop()
        poll = QTimer()
        poll.timeout.connect(lambda: loop.quit() if condition() else None)
        guard = QTimer()
        guard.setSingleShot(True)
        guard.timeout.connect(loop.quit)
        if not condition():
            poll.start(2)
            guard.start(timeout_ms)
            loop.exec()
            poll.stop()
            guard.stop()
        return condition()

    @staticmethod
    def finished(sock: QSslSocket) -> Callable[[], bool]:
        """True once ``sock`` is encrypted or back to UnconnectedState."""
        return lambda: sock.isEncrypted() or sock.state() is QSslSocket.SocketState.UnconnectedState

    # ---------------------------------------------------------------- the steps

    def trusted_handshake(self) -> bool:
        say = self.say
        say.title("1. A trusted handshake (the client trusts the demo CA, asks for 'localhost')")
        client = self.client(states=True)
        say("client", f"connectToHostEncrypted('localhost', {self.server.serverPort()})")
        client.connectToHostEncrypted("localhost", self.server.serverPort())
        ok = self.wait(self.finished(client)) and client.isEncrypted()
        if ok:
            _describe_session(client, say)
            ok = self.wait(lambda: len(self.connections) == 1)
        client.disconnectFromHost()
        self.wait(lambda: client.state() is QSslSocket.SocketState.UnconnectedState, 1000)
        return ok

    def verification_failure(self) -> tuple[bool, QSslError | None]:
        say = self.say
        say.title("2. A verification failure (the same server, reached as '127.0.0.1')")
        client = self.client()
        say("client", f"connectToHostEncrypted('127.0.0.1', {self.server.serverPort()})")
        client.connectToHostEncrypted("127.0.0.1", self.server.serverPort())
        self.wait(lambda: client.state() is QSslSocket.SocketState.UnconnectedState)
        errors = client.sslHandshakeErrors()
        failed = (not client.isEncrypted()
                  and client.error() is QSslSocket.SocketError.SslHandshakeFailedError)
        say("client", "handshake refused, as it should be" if failed else "unexpected outcome")
        say("note", "in TLS 1.3 the server finishes its side first, so it may still report the "
                    "socket as pending; the client's close ends it")
        mismatch = next((e for e in errors if e.error() is QSslError.SslError.HostNameMismatch),
                        None)
        return failed and mismatch is not None, mismatch

    def ignore_one_error(self, seen: QSslError) -> tuple[bool, QSslSocket]:
        say = self.say
        say.title("3. Ignoring that one error, for that one certificate")
        # The error must match in kind *and* certificate: the same error for another
        # certificate (here the CA's) is not ignored.
        wrong = QSslError(QSslError.SslError.HostNameMismatch, self.ca)
        refused = self.client()
        refused.ignoreSslErrors([wrong])
        say("client", "ignoreSslErrors([QSslError(HostNameMismatch, <the CA's certificate>)])")
        refused.connectToHostEncrypted("127.0.0.1", self.server.serverPort())
        self.wait(lambda: refused.state() is QSslSocket.SocketState.UnconnectedState)
        still_refused = not refused.isEncrypted()
        say("client", "still refused: the certificate did not match" if still_refused
            else "unexpectedly accepted")

        client = self.client()
        expected = QSslError(QSslError.SslError.HostNameMismatch, self.cert)
        client.ignoreSslErrors([expected])
        say("client", "ignoreSslErrors([QSslError(HostNameMismatch, <the server's certificate>)])"
                      f"  -- Qt's text: {seen.errorString()!r}")
        client.connectToHostEncrypted("127.0.0.1", self.server.serverPort())
        ok = self.wait(self.finished(client)) and client.isEncrypted()
        say("client", "the listed error was ignored: encrypted" if ok else "not encrypted")
        return still_refused and ok, client

    def exchange(self, client: QSslSocket) -> bool:
        say = self.say
        say.title("4. An encrypted exchange (the server echoes each line in upper case)")
        replies: list[bytes] = []

        def on_ready_read() -> None:
            while client.canReadLine():
                reply = bytes(client.readLine())
                replies.append(reply)
                say("client", f"readyRead: {reply!r}")
                if len(replies) < len(LINES):
                    client.write(LINES[len(replies)])

        client.readyRead.connect(on_ready_read)
        client.write(LINES[0])
        self.wait(lambda: len(replies) == len(LINES))
        client.disconnectFromHost()
        self.wait(lambda: client.state() is QSslSocket.SocketState.UnconnectedState, 1000)
        return replies == [line.upper() for line in LINES]

    def close(self) -> None:
        self.server.close()
        for sock in self.connections:
            sock.abort()


def run_demo(out: TextIO | None = None) -> int:
    """Run the demo; 0 when every step behaved as expected, 1 otherwise."""
    return _run(out or sys.stdout)


def _run(out: TextIO) -> int:
    QCoreApplication.instance() or QCoreApplication([])
    demo = _Demo(out)
    say = demo.say
    print(f"qtls demo: TLS on 127.0.0.1 with Qt's API ({QSslSocket.sslLibraryVersionString()})",
          file=out, flush=True)
    print(f"certificates made in memory: CA {demo.ca.subjectDisplayName()!r}, "
          f"server {demo.cert.subjectDisplayName()!r} (ECDSA P-256, SAN localhost only)",
          file=out, flush=True)
    if not demo.server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0):
        say("server", f"listen failed: {demo.server.errorString()}")
        return 1
    say("server", f"QSslServer listening on 127.0.0.1:{demo.server.serverPort()}")
    results: dict[str, bool] = {}
    try:
        results["handshake"] = demo.trusted_handshake()
        results["verification failure"], seen = demo.verification_failure()
        client: Any = None
        if seen is not None:
            results["ignoring one error"], client = demo.ignore_one_error(seen)
        else:
            results["ignoring one error"] = False
        results["encrypted exchange"] = client is not None and demo.exchange(client)
    finally:
        demo.close()
    failed = [step for step, ok in results.items() if not ok]
    print(file=out)
    say("demo", "done: every line came back, every step as expected" if not failed
        else f"failed: {', '.join(failed)}")
    return 0 if not failed else 1
