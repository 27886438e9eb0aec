"""Real QSslSocket and QSslServer (public API only) against peers that tamper with records.

The server is the sans-I/O engine on a blocking socket in a thread on 127.0.0.1: it answers
the handshake, sends :data:`PAYLOAD`, answers close_notify, and one of its records (at every
step in turn) is mutated, truncated, duplicated, dropped, reordered, split or preceded by junk.
Whatever was done, the client socket must end (UnconnectedState) within the bound, every byte
it read is a prefix of what was sent, nothing raises out of the loop, and unless it got
everything it is in Qt's error state (errorOccurred emitted, error() set, errorString given).

The other way round, a tampering client against a QSslServer echoing in upper case: the
server reports a failed handshake (errorOccurred), every accepted socket ends, the echo is
never corrupted, and nothing raises.
"""

from __future__ import annotations

import dataclasses
import socket
import sys
import threading
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qtls.core.dispatch import thread_loop
from qtls.QtNetwork import QAbstractSocket, QSsl, QSslSocket
from qtls.ssl.engine import EngineState, TlsEngine, TlsVersion, VerifyMode
from tests.loops import run_until
from tests.sslserver.helpers import record_server, start_server

from .budget import fuzz_settings
from .engine_target import ACTIONS, Tamperer, engines_settings
from .mutate import Mutation, mutations

PAYLOAD = b"tampered server says " * 1000
_IDLE_S = 0.3  # the server closes after this long without progress (a truncated record)
_BOUND_MS = 5000
_PROTOCOLS = {TlsVersion.TLS1_2: QSsl.SslProtocol.TlsV1_2,
              TlsVersion.TLS1_3: QSsl.SslProtocol.TlsV1_3}


class TamperingServer:
    """One connection served by the engine; outgoing record ``index`` tampered with."""

    def __init__(self, version: TlsVersion, tamperer: Tamperer) -> None:
        self.version, self.tamperer = version, tamperer
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(_BOUND_MS / 1000)
        self.port = int(self.listener.getsockname()[1])
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        finally:
            self.listener.close()
        with conn:
            conn.settimeout(0.02)
            self._talk(conn)

    def _talk(self, conn: socket.socket) -> None:
        _, server_settings, cache = engines_settings(self.version)
        engine = TlsEngine(server_settings, cache=cache)
        engine.start_handshake()
        sent = False
        hard_stop = time.monotonic() + _BOUND_MS / 1000
        idle_since = time.monotonic()
        while time.monotonic() < hard_stop:
            try:
                data: bytes | None = conn.recv(65536)
            except TimeoutError:
                data = None
            except OSError:
                return
            if data is not None:
                engine.receive_ciphertext(data)
                idle_since = time.monotonic()
            if engine.state is EngineState.ENCRYPTED and not sent:
                sent = True
                taken = 0
                while taken < len(PAYLOAD) and engine.state is EngineState.ENCRYPTED:
                    taken += engine.send_plaintext(PAYLOAD[taken:])
            if engine.close_notify_received:
                engine.shutdown()
            engine.events()
            engine.read_plaintext()
            out = bytes(engine.data_to_send())
            try:
                for piece in self.tamperer.feed(out) if out else []:
                    conn.sendall(piece)
            except OSError:
                return
            if data == b"" or (engine.state in (EngineState.FAILED, EngineState.CLOSED)
                               and not out):
                return
            if time.monotonic() - idle_since > _IDLE_S:
                return


def _client(port: int, version: TlsVersion) -> dict[str, Any]:
    sock = QSslSocket()
    config = sock.sslConfiguration()
    config.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyNone)
    config.setProtocol(_PROTOCOLS[version])
    sock.setSslConfiguration(config)
    seen: dict[str, Any] = {"data": bytearray(), "errors": [], "disconnected": False}

    def on_ready_read() -> None:
        seen["data"] += bytes(sock.readAll())
        if len(seen["data"]) >= len(PAYLOAD):
            sock.disconnectFromHost()

    sock.readyRead.connect(on_ready_read)
    sock.errorOccurred.connect(lambda error: seen["errors"].append(error))
    sock.disconnected.connect(lambda: seen.__setitem__("disconnected", True))
    sock.connectToHostEncrypted("127.0.0.1", port)
    run_until(lambda: sock.state() is QAbstractSocket.SocketState.UnconnectedState, _BOUND_MS)
    seen["state"] = sock.state()
    seen["error"] = sock.error()
    seen["errorString"] = sock.errorString()
    sock.abort()
    return seen


def check_connection(version: TlsVersion, index: int, action: str,
                     steps: list[Mutation]) -> tuple[bool, bool]:
    """Run one tampered connection and check the invariants; (tampered, completed)."""
    # Exceptions would surface through the loop's handler (I/O callbacks) or sys.excepthook
    # (slots, as PyQt6 reports them): collect both.
    loop = thread_loop()
    escaped: list[Any] = []
    previous = loop.get_exception_handler()
    previous_hook = sys.excepthook
    loop.set_exception_handler(lambda _loop, context: escaped.append(context))
    sys.excepthook = lambda *exc_info: escaped.append(exc_info)
    tamperer = Tamperer(index, action, steps)
    server = TamperingServer(version, tamperer)
    try:
        seen = _client(server.port, version)
    finally:
        loop.set_exception_handler(previous)
        sys.excepthook = previous_hook
        server.thread.join(_BOUND_MS / 1000)
    assert not escaped, f"exception in the loop: {escaped[0]}"
    assert seen["state"] is QAbstractSocket.SocketState.UnconnectedState, "socket never ended"
    assert PAYLOAD.startswith(bytes(seen["data"])), "corrupted plaintext delivered"
    completed = bytes(seen["data"]) == PAYLOAD
    if not completed:
        assert seen["errors"], "the connection broke without errorOccurred"
        assert seen["error"] is not QAbstractSocket.SocketError.UnknownSocketError
        assert seen["errorString"]
    return tamperer.tampered, completed


@pytest.mark.parametrize("version", [TlsVersion.TLS1_2, TlsVersion.TLS1_3], ids=["tls12", "tls13"])
@pytest.mark.parametrize("action", ["mutate", "truncate", "drop", "split"])
def test_each_server_record_tampered(qtls_app: Any, version: TlsVersion, action: str) -> None:
    for index in range(12):
        tampered, completed = check_connection(version, index, action, [("flip", index * 13, 3)])
        if not tampered:
            break
        if action == "split":
            assert completed, f"splitting record {index} broke the connection"


@fuzz_settings(25)
@given(version=st.sampled_from([TlsVersion.TLS1_2, TlsVersion.TLS1_3]),
       index=st.integers(0, 10), action=st.sampled_from(ACTIONS), steps=mutations())
def test_tampered_server(qtls_app: Any, version: TlsVersion, index: int, action: str,
                         steps: list[Mutation]) -> None:
    check_connection(version, index, action, steps)


# --- the other way round: QSslServer and its sockets against a tampering client ----------------

CLIENT_PAYLOAD = b"tampered client says " * 200


def _tampering_client(port: int, version: TlsVersion, tamperer: Tamperer,
                      received: bytearray, first: list[int]) -> None:
    """The engine as a client on a blocking socket: handshake, send CLIENT_PAYLOAD, read the
    echo, close_notify; one of its records tampered with."""
    client_settings, _, cache = engines_settings(version)
    settings = dataclasses.replace(client_settings, verify_mode=VerifyMode.NONE,
                                   ca_certificates=())
    engine = TlsEngine(settings, server_hostname="localhost", cache=cache)
    with socket.create_connection(("127.0.0.1", port), timeout=_BOUND_MS / 1000) as conn:
        conn.settimeout(0.02)
        engine.start_handshake()
        sent = shut = False
        hard_stop = time.monotonic() + _BOUND_MS / 1000
        idle_since = time.monotonic()
        while time.monotonic() < hard_stop:
            try:
                data: bytes | None = conn.recv(65536)
            except TimeoutError:
                data = None
            except OSError:
                return
            if data is not None:
                engine.receive_ciphertext(data)
                idle_since = time.monotonic()
            if engine.state is EngineState.ENCRYPTED and not sent:
                sent = True
                engine.send_plaintext(CLIENT_PAYLOAD)
            engine.events()
            received += engine.read_plaintext()
            if len(received) >= len(CLIENT_PAYLOAD) and not shut:
                shut = True
                engine.shutdown()
            out = bytes(engine.data_to_send())
            try:
                for piece in tamperer.feed(out) if out else []:
                    if not received and not sent and piece:
                        first.append(piece[0])
                    conn.sendall(piece)
            except OSError:
                return
            if data == b"" or time.monotonic() - idle_since > _IDLE_S:
                return


def check_server(version: TlsVersion, index: int, action: str, steps: list[Mutation]) -> bool:
    """One tampered client against a QSslServer echoing in upper case; True if tampered."""
    server, accepted = start_server(timeout_ms=int(_IDLE_S * 2000))
    log: list[str] = []
    record_server(server, log)
    tamperer = Tamperer(index, action, steps)
    received = bytearray()
    first: list[int] = []  # the first bytes the client sent, piece by piece
    thread = threading.Thread(target=_tampering_client, daemon=True,
                              args=(server.serverPort(), version, tamperer, received, first))
    loop = thread_loop()
    escaped: list[Any] = []
    previous, previous_hook = loop.get_exception_handler(), sys.excepthook
    loop.set_exception_handler(lambda _loop, context: escaped.append(context))
    sys.excepthook = lambda *exc_info: escaped.append(exc_info)
    try:
        thread.start()
        run_until(lambda: not thread.is_alive(), _BOUND_MS + 1000)
        ended = run_until(lambda: all(s.state() is QAbstractSocket.SocketState.UnconnectedState
                                      for s in accepted), _BOUND_MS)
        # A handshake the client left half done ends when the server reads the client's
        # close, which may come after the client thread has finished: wait for its report.
        run_until(lambda: bool(accepted) or (bool(first) and first[0] != 0x16)
                  or any(e.startswith("errorOccurred") for e in log), _BOUND_MS)
    finally:
        loop.set_exception_handler(previous)
        sys.excepthook = previous_hook
        server.close()
    assert not thread.is_alive(), "the client never finished"
    assert not escaped, f"exception in the loop: {escaped[0]}"
    assert ended, "an accepted socket never ended"
    assert CLIENT_PAYLOAD.upper().startswith(bytes(received)), "corrupted echo"
    if first and first[0] != 0x16:
        # Not a handshake record: Qt drops the connection without a word.
        assert log == ["newConnection"], log
    elif not accepted:  # the handshake failed: the server said so
        assert [e for e in log if e.startswith("errorOccurred")], log
    elif bytes(received) != CLIENT_PAYLOAD.upper():
        sock = accepted[0]
        assert sock.error() is not QAbstractSocket.SocketError.UnknownSocketError or \
            not tamperer.tampered
    return tamperer.tampered


@pytest.mark.parametrize("version", [TlsVersion.TLS1_2, TlsVersion.TLS1_3], ids=["tls12", "tls13"])
@pytest.mark.parametrize("action", ["mutate", "truncate", "drop"])
def test_each_client_record_tampered(qtls_app: Any, version: TlsVersion, action: str) -> None:
    for index in range(10):
        if not check_server(version, index, action, [("flip", index * 17, 6)]):
            break


@fuzz_settings(20)
@given(version=st.sampled_from([TlsVersion.TLS1_2, TlsVersion.TLS1_3]),
       index=st.integers(0, 8), action=st.sampled_from(ACTIONS), steps=mutations())
def test_tampered_client(qtls_app: Any, version: TlsVersion, index: int, action: str,
                         steps: list[Mutation]) -> None:
    check_server(version, index, action, steps)
