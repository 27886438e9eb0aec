"""The QIODevice conformance suite, unchanged, over TLS and over STARTTLS-upgraded sockets.

The device is a qtls QSslSocket client; the peer is CPython's ``ssl`` (an ``SSLObject`` on memory
BIOs over a non-blocking socket, pumped from the test thread), so the bytes on the wire are
checked by an independent TLS implementation. Each pair runs loop-driven and blocking (the
device's waitFor* with no loop).
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from qtls.QtNetwork import QSsl
from tests.conformance.iodevice_suite import IODeviceConformance
from tests.sslsocket.helpers import Pki, client_for, spin

pytestmark = pytest.mark.timeout(60)


class SslPeer:
    """A TLS server end made of ``ssl.SSLObject`` + a non-blocking socket, pumped by hand."""

    def __init__(self, sock: socket.socket, context: ssl.SSLContext) -> None:
        self.sock = sock
        sock.setblocking(False)
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.obj = context.wrap_bio(self.incoming, self.outgoing, server_side=True)
        self.handshaken = False
        self.to_encrypt = bytearray()
        self.wire_out = bytearray()
        self.inbox = bytearray()
        self.eof = False

    def pump(self) -> None:
        if self.eof and self.sock.fileno() < 0:
            return  # closed by close()
        while True:
            try:
                data = self.sock.recv(256 * 1024)
            except BlockingIOError:
                break
            except OSError:
                self.eof = True
                break
            if not data:
                self.eof = True
                break
            self.incoming.write(data)
        if not self.handshaken:
            try:
                self.obj.do_handshake()
                self.handshaken = True
            except ssl.SSLWantReadError:
                pass
        if self.handshaken:
            if self.to_encrypt:
                self.obj.write(bytes(self.to_encrypt))
                self.to_encrypt.clear()
            while True:
                try:
                    chunk = self.obj.read(256 * 1024)
                except (ssl.SSLWantReadError, ssl.SSLZeroReturnError):
                    break
                if not chunk:
                    break
                self.inbox += chunk
        self.wire_out += self.outgoing.read()
        while self.wire_out:
            try:
                n = self.sock.send(self.wire_out)
            except BlockingIOError:
                break
            del self.wire_out[:n]

    def close(self) -> None:
        try:
            self.obj.unwrap()
        except ssl.SSLError:
            pass
        self.wire_out += self.outgoing.read()
        self.sock.setblocking(True)
        self.sock.settimeout(5)
        try:
            self.sock.sendall(bytes(self.wire_out))
        except OSError:
            pass
        self.sock.close()
        self.eof = True


class TlsPair:
    """A qtls QSslSocket client connected (``starttls``: upgraded) to an SslPeer."""

    def __init__(self, pki: Pki, blocking: bool, starttls: bool, protocol: Any) -> None:
        self.blocking = blocking
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(5)
        port = self.listener.getsockname()[1]
        self.device: Any = client_for(pki, protocol=protocol)
        if starttls:
            self.device.connectToHost("localhost", port)
        else:
            self.device.connectToHostEncrypted("localhost", port)
        assert self.device.waitForConnected(5000)  # the name lookup needs driving
        raw, _ = self.listener.accept()
        self._peer_closed = False
        if starttls:
            assert self.device.write(b"STARTTLS\r\n") == 10
            assert self.device.waitForBytesWritten(5000)
            raw.settimeout(5)
            assert raw.recv(10) == b"STARTTLS\r\n"
            raw.sendall(b"OK\r\n")
            assert self.device.waitForReadyRead(5000)
            assert bytes(self.device.readLine()) == b"OK\r\n"
            self.device.startClientEncryption()
        self.peer = SslPeer(raw, pki.stdlib_server_context())
        self._drive(lambda: self.device.isEncrypted() and self.peer.handshaken, 5.0, "the handshake")

    def _drive(self, done: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            self.peer.pump()
            if done():
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            if not self.blocking:
                spin(2)
            elif not self.device.isEncrypted():
                self.device.waitForEncrypted(10)
            elif self.device.bytesToWrite() or self.device.encryptedBytesToWrite():
                self.device.waitForBytesWritten(10)
            else:
                self.device.waitForReadyRead(10)

    def send(self, data: bytes) -> None:
        self.peer.to_encrypt += data
        self.peer.pump()

    def close_peer(self) -> None:
        self._drive(lambda: not self.peer.to_encrypt and not self.peer.wire_out, 10.0,
                    "the peer's data to be delivered")
        self.peer.close()
        self._peer_closed = True

    def wait_for_bytes(self, n: int, timeout: float = 5.0) -> None:
        self._drive(lambda: self.device.bytesAvailable() >= n, timeout, f"{n} bytes")

    def receive(self, n: int, timeout: float = 5.0) -> bytes:
        self._drive(lambda: len(self.peer.inbox) >= n, timeout, f"the peer to receive {n} bytes")
        data = bytes(self.peer.inbox[:n])
        del self.peer.inbox[:n]
        return data

    def shutdown(self) -> None:
        self.device.abort()
        if not self._peer_closed:
            self.peer.sock.close()
        self.listener.close()


@pytest.fixture(params=["loop", "blocking"])
def drive_mode(request: Any) -> str:
    return str(request.param)


@pytest.fixture(params=["tls12", "tls13"])
def version(request: Any) -> Any:
    return QSsl.SslProtocol.TlsV1_2 if request.param == "tls12" else QSsl.SslProtocol.TlsV1_3


class TestTlsConformance(IODeviceConformance):
    @pytest.fixture
    def pair(self, pki: Pki, qtls_app: Any, drive_mode: str, version: Any) -> Iterator[TlsPair]:
        pair = TlsPair(pki, blocking=drive_mode == "blocking", starttls=False, protocol=version)
        yield pair
        pair.shutdown()


class TestStartTlsConformance(IODeviceConformance):
    @pytest.fixture
    def pair(self, pki: Pki, qtls_app: Any, drive_mode: str, version: Any) -> Iterator[TlsPair]:
        pair = TlsPair(pki, blocking=drive_mode == "blocking", starttls=True, protocol=version)
        yield pair
        pair.shutdown()

