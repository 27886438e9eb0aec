"""Data transfer, flow control, closing, and the blocking API in a thread without a loop."""

from __future__ import annotations

import hashlib
import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from qtls.QtNetwork import QAbstractSocket, QSslSocket
from tests.sslsocket.helpers import Pki, Recorder, StdlibServer, TlsServer, client_for, run_until

pytestmark = pytest.mark.timeout(60)

S = QAbstractSocket.SocketState
SE = QAbstractSocket.SocketError


def _pair(pki: Pki) -> tuple[TlsServer, QSslSocket, QSslSocket]:
    server = TlsServer(pki.server_config())
    client = client_for(pki)
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: client.isEncrypted() and bool(server.sockets)
                     and server.sockets[0].isEncrypted(), 5000), client.errorString()
    return server, client, server.sockets[0]


def test_bytes_written_counts_plaintext_and_encrypted_bytes_written_ciphertext(
        pki: Pki, qtls_app: Any) -> None:
    server, client, sock = _pair(pki)
    plain: list[int] = []
    cipher: list[int] = []
    client.bytesWritten.connect(plain.append)
    client.encryptedBytesWritten.connect(cipher.append)
    payload = b"x" * 100_000
    client.write(payload)
    assert client.bytesToWrite() == len(payload)
    assert run_until(lambda: sock.bytesAvailable() == len(payload), 5000)
    assert sum(plain) == len(payload)
    # Records add a header and a tag each: more ciphertext than plaintext.
    assert sum(cipher) > len(payload)
    assert client.bytesToWrite() == 0 and client.encryptedBytesToWrite() == 0
    server.shutdown()


def test_a_sender_fed_from_encrypted_bytes_written_delivers_every_byte(
        pki: Pki, qtls_app: Any) -> None:
    # The benchmark's bulk sender: each encryptedBytesWritten slot writes more while little is
    # queued. Its writes are taken by the pump that follows the signal, with no queued pump
    # of their own; none may be left behind when the ciphertext queue runs dry.
    server, client, sock = _pair(pki)
    chunk = bytes(range(256)) * 256  # 64 KiB
    total = 8 * 1024 * 1024
    sent = 0

    def feed(_n: int = 0) -> None:
        nonlocal sent
        while sent < total and client.bytesToWrite() + client.encryptedBytesToWrite() < 4 * len(chunk):
            assert client.write(chunk) == len(chunk)
            sent += len(chunk)

    client.encryptedBytesWritten.connect(feed)
    feed()
    digest = hashlib.sha256()
    received = 0

    def drain() -> bool:
        nonlocal received
        data = sock.readAll()
        digest.update(bytes(data))
        received += len(data)
        return received >= total

    assert run_until(drain, 20000), (sent, received)
    assert received == total
    assert digest.digest() == hashlib.sha256(chunk * (total // len(chunk))).digest()
    assert client.bytesToWrite() == 0
    server.shutdown()


def test_a_readyread_slot_that_answers_and_closes_delivers_the_answer_then_closes(
        pki: Pki, qtls_app: Any) -> None:
    # An HTTP/1.0-style server: each request is answered and the connection closed from the
    # same readyRead slot. The answer is encrypted by the running pump; the close that waits
    # for it must still happen (close_notify, then FIN), in that order.
    server, client, sock = _pair(pki)

    def answer() -> None:
        sock.write(b"reply:" + bytes(sock.readAll()))
        sock.disconnectFromHost()

    sock.readyRead.connect(answer)
    got = bytearray()
    client.readyRead.connect(lambda: got.extend(bytes(client.readAll())))
    client.write(b"request")
    assert run_until(lambda: client.state() == S.UnconnectedState, 5000), (
        bytes(got), sock.state(), client.state())
    assert bytes(got) == b"reply:request"
    assert sock.state() == S.UnconnectedState
    server.shutdown()


def test_a_socket_closing_after_the_peers_close_notify_does_not_linger(
        pki: Pki, qtls_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # The peer's close_notify means only its FIN can follow: the socket closes its descriptor
    # without handing a duplicate to the lingerer (whose job is a peer that may still send).
    # The peer still gets our close_notify and then a clean EOF, never a reset.
    from qtls.ssl import lingerer

    lingered: list[Any] = []
    real_linger = lingerer.linger
    monkeypatch.setattr(lingerer, "linger",
                        lambda sock: (lingered.append(sock), real_linger(sock)))
    server = TlsServer(pki.server_config())
    context = ssl.create_default_context(cadata=pki.ca.cert_pem.bytes().decode())
    outcome: dict[str, Any] = {}

    def peer() -> None:
        with socket.create_connection(("127.0.0.1", server.port()), timeout=10) as raw:
            tls = context.wrap_socket(raw, server_hostname="localhost")
            tls.sendall(b"bye")
            plain = tls.unwrap()  # our close_notify, then theirs; TCP stays open
            outcome["after"] = plain.recv(100)  # b"": their FIN, not a reset

    thread = threading.Thread(target=peer, daemon=True)
    thread.start()
    assert run_until(lambda: bool(server.sockets), 5000)
    sock = server.sockets[0]
    assert run_until(lambda: sock.state() == S.UnconnectedState, 5000), sock.state()
    thread.join(10)
    assert outcome.get("after") == b""
    assert lingered == []
    server.shutdown()


def test_read_buffer_size_applies_back_pressure(pki: Pki, qtls_app: Any) -> None:
    server, client, sock = _pair(pki)
    sock.setReadBufferSize(64 * 1024)
    total = 8 * 1024 * 1024
    client.write(b"y" * total)
    assert run_until(lambda: sock.bytesAvailable() >= 60 * 1024, 5000)
    run_until(lambda: False, 200)  # let the writer run into the window
    # The buffer stays near its limit (at most one TLS record more) while the sender waits.
    assert sock.bytesAvailable() <= 64 * 1024 + 16 * 1024
    assert client.bytesToWrite() + client.encryptedBytesToWrite() > 0
    received = 0
    def drain() -> bool:
        nonlocal received
        received += len(sock.read(1 << 20) or b"")
        return received >= total
    assert run_until(drain, 20000)
    assert received == total
    server.shutdown()


def test_disconnect_from_host_flushes_then_sends_close_notify(pki: Pki, qtls_app: Any) -> None:
    got = bytearray()
    clean = threading.Event()

    def handler(conn: Any) -> None:
        while True:
            try:
                data = conn.recv(65536)
            except ssl.SSLZeroReturnError:
                clean.set()
                return
            if not data:
                clean.set()  # close_notify makes recv return b"" in the stdlib
                return
            got.extend(data)

    srv = StdlibServer(pki.stdlib_server_context(), handler)
    client = client_for(pki)
    rec = Recorder(client)
    client.connectToHostEncrypted("localhost", srv.port)
    payload = b"z" * 300_000
    client.write(payload)
    client.disconnectFromHost()  # before encryption: waits for the handshake and the data
    assert run_until(lambda: client.state() is S.UnconnectedState, 10000), client.errorString()
    srv.join()
    assert len(got) == len(payload), ' '.join(rec.log)
    assert bytes(got) == payload
    assert clean.is_set()
    assert "alertSent(Warning,CloseNotify,close notify)" in rec.log
    tail = rec.without("encryptedBytesWritten", "bytesWritten")
    assert tail[-4:] == ["stateChanged(UnconnectedState)", "readChannelFinished", "disconnected"][-3:] or \
        tail[-3:] == ["stateChanged(UnconnectedState)", "readChannelFinished", "disconnected"]


def test_app_disconnect_signal_order(pki: Pki, qtls_app: Any) -> None:
    server, client, sock = _pair(pki)
    rec = Recorder(client)
    client.disconnectFromHost()
    assert run_until(lambda: client.state() is S.UnconnectedState, 5000)
    # PyQt6 emits ClosingState twice: once for the QSslSocket, once mirrored from its plain socket.
    assert rec.without("encryptedBytesWritten") == [
        "stateChanged(ClosingState)", "alertSent(Warning,CloseNotify,close notify)",
        "stateChanged(ClosingState)", "stateChanged(UnconnectedState)", "readChannelFinished",
        "disconnected"]
    # The server saw a clean TLS close.
    assert run_until(lambda: sock.state() is S.UnconnectedState, 5000)
    assert sock.error() is SE.RemoteHostClosedError
    server.shutdown()


def test_peer_close_notify_signal_order_matches_pyqt6(pki: Pki, qtls_app: Any) -> None:
    # PyQt6 ("trusted"): readyRead(data), alertReceived(close notify), errorOccurred x2,
    # Closing, Unconnected, readChannelFinished, alertSent(close notify), disconnected.
    server, client, sock = _pair(pki)
    rec = Recorder(client)
    data = bytearray()
    client.readyRead.connect(lambda: data.extend(bytes(client.readAll())))
    sock.write(b"pong")
    sock.disconnectFromHost()
    assert run_until(lambda: client.state() is S.UnconnectedState, 5000)
    assert bytes(data) == b"pong"
    assert rec.without("encryptedBytesWritten") == [
        "readyRead", "alertReceived(Warning,CloseNotify,close notify)",
        "errorOccurred(RemoteHostClosedError)", "errorOccurred(RemoteHostClosedError)",
        "stateChanged(ClosingState)", "stateChanged(UnconnectedState)", "readChannelFinished",
        "alertSent(Warning,CloseNotify,close notify)", "disconnected"]
    assert client.errorString() == "The remote host closed the connection"
    server.shutdown()


def test_closing_with_unread_input_does_not_reset_the_peer(pki: Pki, qtls_app: Any) -> None:
    """The client replies and closes while the server's data is still unread: no RST, so the
    server gets the whole reply."""
    reply = b"R" * 200_000
    result: dict[str, Any] = {}
    sent = threading.Event()

    def handler(conn: Any) -> None:
        conn.sendall(b"A" * 64_000)  # the client never reads this
        sent.set()
        time.sleep(0.3)  # let the client close first: an RST would discard the reply
        got = bytearray()
        try:
            while len(got) < len(reply):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                got.extend(chunk)
        except OSError as exc:
            result["error"] = exc
        result["got"] = len(got)

    srv = StdlibServer(pki.stdlib_server_context(), handler)
    client = client_for(pki)
    client.setReadBufferSize(16 * 1024)
    client.connectToHostEncrypted("localhost", srv.port)
    assert client.waitForEncrypted(5000)
    assert run_until(sent.is_set, 5000)
    run_until(lambda: False, 100)  # the server's bytes reach the client's kernel, unread
    client.write(reply)
    client.disconnectFromHost()
    assert client.waitForDisconnected(10000) or client.state() is S.UnconnectedState
    srv.join()
    assert "error" not in result, result
    assert result["got"] == len(reply)


def test_abort_drops_queued_data_and_sends_nothing(pki: Pki, qtls_app: Any) -> None:
    server, client, sock = _pair(pki)
    server_rec = Recorder(sock)
    rec = Recorder(client)
    client.write(b"never sent")
    client.abort()
    assert client.state() is S.UnconnectedState
    assert client.bytesToWrite() == 0
    # PyQt6's order, alertSent included (Qt's SSL_shutdown when the context is destroyed),
    # but nothing is written: no encryptedBytesWritten, and the server gets no close_notify.
    assert rec.log == ["stateChanged(UnconnectedState)", "readChannelFinished",
                       "alertSent(Warning,CloseNotify,close notify)", "disconnected"]
    assert run_until(lambda: sock.state() is S.UnconnectedState, 5000)
    assert sock.bytesAvailable() == 0
    assert not any(e.startswith("alertReceived") for e in server_rec.log)
    assert "errorOccurred(RemoteHostClosedError)" in server_rec.log
    server.shutdown()


def test_close_sends_close_notify_and_drops_unread_data(pki: Pki, qtls_app: Any) -> None:
    server, client, sock = _pair(pki)
    sock.write(b"unread")
    assert run_until(lambda: client.bytesAvailable() == 6, 5000)
    about: list[int] = []
    client.aboutToClose.connect(lambda: about.append(1))
    client.close()
    assert about == [1]
    assert client.bytesAvailable() == 0 and not client.isOpen()
    assert run_until(lambda: sock.state() is S.UnconnectedState, 5000)
    assert sock.error() is SE.RemoteHostClosedError
    server.shutdown()


def test_blocking_client_in_a_thread_without_a_loop(pki: Pki) -> None:
    """The whole client runs in a thread that never has an event loop."""
    def handler(conn: Any) -> None:
        line = b""
        while not line.endswith(b"\n"):
            line += conn.recv(100)
        conn.sendall(b"echo " + line)
        conn.recv(100)  # wait for close_notify

    srv = StdlibServer(pki.stdlib_server_context(), handler)
    outcome: dict[str, Any] = {}

    def run() -> None:
        client = client_for(pki)
        client.connectToHostEncrypted("localhost", srv.port)
        client.write(b"hello\n")
        outcome["encrypted"] = client.waitForEncrypted(5000)
        outcome["written"] = client.waitForBytesWritten(5000)
        reply = b""
        while len(reply) < 11 and client.waitForReadyRead(5000):
            reply += bytes(client.readAll())
        outcome["reply"] = reply
        client.disconnectFromHost()
        outcome["disconnected"] = client.state() is S.UnconnectedState or client.waitForDisconnected(5000)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(20)
    srv.join()
    assert outcome == {"encrypted": True, "written": True, "reply": b"echo hello\n",
                       "disconnected": True}


def test_wait_for_ready_read_with_blocked_signals_ends_when_data_arrives(
        pki: Pki, qtls_app: Any) -> None:
    # Qt flags the readyRead emission itself, not a slot: a socket whose signals are blocked
    # still ends its wait with True when data was decrypted (checked against PyQt6), and no
    # slot hears it.
    def handler(conn: Any) -> None:
        assert conn.recv(2) == b"go"  # the data comes only once the client waits
        conn.sendall(b"hello")
        conn.recv(100)  # until the client's close_notify

    srv = StdlibServer(pki.stdlib_server_context(), handler)
    client = client_for(pki)
    client.connectToHostEncrypted("localhost", srv.port)
    assert client.waitForEncrypted(5000), client.errorString()
    heard: list[int] = []
    client.readyRead.connect(lambda: heard.append(1))
    client.blockSignals(True)
    client.write(b"go")
    assert client.waitForReadyRead(5000) is True
    assert bytes(client.readAll()) == b"hello"
    assert heard == []
    client.blockSignals(False)
    client.disconnectFromHost()
    assert client.state() is S.UnconnectedState or client.waitForDisconnected(5000)
    srv.join()


def test_wait_for_ready_read_times_out_with_socket_timeout_error(pki: Pki, qtls_app: Any) -> None:
    server, client, sock = _pair(pki)
    errors: list[Any] = []
    client.errorOccurred.connect(errors.append)
    assert client.waitForReadyRead(50) is False
    assert errors == [SE.SocketTimeoutError]
    assert client.state() is S.ConnectedState  # a timeout does not end the connection
    server.shutdown()


def test_echo_through_qtls_on_both_sides_with_checksums(pki: Pki, qtls_app: Any) -> None:
    server, client, sock = _pair(pki)
    blob = hashlib.sha256(b"seed").digest() * 40_000  # 1.28 MB
    sock.readyRead.connect(lambda: sock.write(bytes(sock.readAll())))
    got = bytearray()
    client.readyRead.connect(lambda: got.extend(bytes(client.readAll())))
    client.write(blob)
    assert run_until(lambda: len(got) >= len(blob), 10000)
    assert hashlib.sha256(got).digest() == hashlib.sha256(blob).digest()
    server.shutdown()


def test_ipv6_loopback(pki: Pki, qtls_app: Any) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        server = TlsServer(pki.server_config(), host="::1")
    except AssertionError:
        pytest.skip("::1 not available")
    client = client_for(pki)
    client.connectToHostEncrypted("::1", server.port())
    assert run_until(client.isEncrypted, 5000), client.errorString()
    server.shutdown()


def test_blocking_server_and_client_in_two_threads_without_loops(pki: Pki) -> None:
    """Qt's blocking pattern on both sides: waitForNewConnection / waitForEncrypted / waitFor*."""
    from qtls.QtNetwork import QHostAddress, QTcpServer

    ready = threading.Event()
    port: list[int] = []
    outcome: dict[str, Any] = {}

    def serve() -> None:
        listener = QTcpServer()
        assert listener.listen(QHostAddress("127.0.0.1"), 0)
        port.append(listener.serverPort())
        ready.set()
        descriptors: list[int] = []
        listener.incomingConnection = descriptors.append  # type: ignore[method-assign, assignment]
        listener.waitForNewConnection(5000)
        sock = QSslSocket()
        sock.setSslConfiguration(pki.server_config())
        outcome["adopted"] = sock.setSocketDescriptor(descriptors[0])
        sock.startServerEncryption()
        outcome["server encrypted"] = sock.waitForEncrypted(5000)
        while sock.bytesAvailable() < 5 and sock.waitForReadyRead(5000):
            pass
        sock.write(bytes(sock.read(5) or b"")[::-1])
        outcome["server written"] = sock.waitForBytesWritten(5000)
        outcome["server disconnected"] = sock.waitForDisconnected(5000)
        listener.close()

    def connect() -> None:
        ready.wait(5)
        client = client_for(pki)
        client.connectToHostEncrypted("localhost", port[0])
        outcome["client encrypted"] = client.waitForEncrypted(5000)
        client.write(b"hello")
        reply = b""
        while len(reply) < 5 and client.waitForReadyRead(5000):
            reply += bytes(client.readAll())
        outcome["reply"] = reply
        client.disconnectFromHost()
        if client.state() is not S.UnconnectedState:
            client.waitForDisconnected(5000)

    threads = [threading.Thread(target=serve), threading.Thread(target=connect)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert outcome == {"adopted": True, "server encrypted": True, "client encrypted": True,
                       "server written": True, "reply": b"olleh", "server disconnected": True}


def _echo_twice(conn: Any) -> None:
    for _ in range(2):
        conn.sendall(conn.recv(64))
    conn.recv(64)  # until the client closes


def test_nested_event_loop_in_a_ready_read_slot_keeps_reading(
        pki: Pki, qtls_app: Any, caplog: pytest.LogCaptureFixture) -> None:
    # A readyRead slot that writes and then runs a nested QEventLoop: the loop runs until its
    # timer, nothing is logged, and the answer that arrived meanwhile comes with a readyRead
    # after the slot returned, never a recursive one (PyQt6, same scenario: rr(5), after
    # nested (0 available), rr(6)).
    from qtls.QtCore import QEventLoop, QTimer

    server = StdlibServer(pki.stdlib_server_context(), _echo_twice)
    client = client_for(pki)
    events: list[tuple[str, int]] = []

    def on_ready_read() -> None:
        events.append(("readyRead", len(client.readAll())))
        if len(events) == 1:
            loop = QEventLoop()
            QTimer.singleShot(300, loop.quit)
            client.write(b"second")
            loop.exec()
            events.append(("nested loop done", client.bytesAvailable()))

    client.readyRead.connect(on_ready_read)
    client.encrypted.connect(lambda: client.write(b"first"))
    client.connectToHostEncrypted("localhost", server.port)
    assert run_until(lambda: len(events) == 3, 5000), events
    assert events == [("readyRead", 5), ("nested loop done", 0), ("readyRead", 6)]
    assert not [r for r in caplog.records if "cannot enter context" in r.getMessage()]
    client.disconnectFromHost()
    assert run_until(lambda: client.state() is QAbstractSocket.SocketState.UnconnectedState, 5000)
    server.join()


def test_wait_for_bytes_written_inside_a_ready_read_slot_sends_at_once(
        pki: Pki, qtls_app: Any) -> None:
    # PyQt6 (same scenario): a readyRead slot that writes and then blocks in
    # waitForBytesWritten() gets True at once (Qt's wait runs transmit() first), although the
    # socket's pump is still running the slot.
    server = StdlibServer(pki.stdlib_server_context(), _echo_twice)
    client = client_for(pki)
    log: list[Any] = []

    def on_ready_read() -> None:
        data = bytes(client.readAll())
        log.append(data)
        if data == b"first":
            client.write(b"second")
            log.append(client.waitForBytesWritten(3000))
            log.append(client.bytesToWrite())

    client.readyRead.connect(on_ready_read)
    client.encrypted.connect(lambda: client.write(b"first"))
    client.connectToHostEncrypted("localhost", server.port)
    assert run_until(lambda: b"second" in log, 5000), log
    assert log == [b"first", True, 0, b"second"]
    client.disconnectFromHost()
    assert run_until(lambda: client.state() is QAbstractSocket.SocketState.UnconnectedState, 5000)
    server.join()


def _two_parts_then_close_notify(context: ssl.SSLContext) -> Callable[[socket.socket], None]:
    """A TLS server on memory BIOs: part1, then part2 and its close_notify in one segment, so
    that the client reads them together (two sends could arrive in two reads, or one)."""

    def handler(raw: socket.socket) -> None:
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = context.wrap_bio(incoming, outgoing, server_side=True)
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                raw.sendall(outgoing.read())
                incoming.write(raw.recv(65536) or b"")
        tls.write(b"part1")
        raw.sendall(outgoing.read())  # (with the session tickets)
        time.sleep(0.3)
        tls.write(b"part2")
        try:
            tls.unwrap()
        except ssl.SSLWantReadError:
            pass  # (the client's close_notify is not awaited)
        raw.sendall(outgoing.read())
        raw.settimeout(5)
        try:
            while raw.recv(65536):  # until the client closes
                pass
        except OSError:
            pass

    return handler


def test_wait_for_ready_read_inside_an_encrypted_slot_returns_the_answer(
        pki: Pki, qtls_app: Any) -> None:
    # PyQt6 (same scenario): an encrypted slot that writes a request and blocks in
    # waitForReadyRead() gets True with the answer readable (readyRead came from inside the
    # wait), although the socket's pump is still running the slot.
    def echo(conn: Any) -> None:
        conn.sendall(conn.recv(64))
        conn.recv(64)  # until the client closes

    server = StdlibServer(pki.stdlib_server_context(), echo)
    client = client_for(pki)
    log: list[Any] = []
    client.readyRead.connect(lambda: log.append(("readyRead", client.bytesAvailable())))

    def on_encrypted() -> None:
        client.write(b"hello")
        log.append(("wait", client.waitForReadyRead(3000), bytes(client.readAll())))

    client.encrypted.connect(on_encrypted)
    client.connectToHostEncrypted("localhost", server.port)
    assert run_until(lambda: any(entry[0] == "wait" for entry in log), 5000), log
    assert log == [("readyRead", 5), ("wait", True, b"hello")]
    client.disconnectFromHost()
    assert run_until(lambda: client.state() is S.UnconnectedState, 5000)
    server.join()


def test_wait_for_ready_read_inside_a_ready_read_slot_emits_ready_read_again(
        pki: Pki, qtls_app: Any) -> None:
    # PyQt6 (same scenario): the data that arrives during the wait is announced by a second
    # readyRead, emitted from inside the wait (the slot runs nested), and the wait is True.
    server = StdlibServer(None, _two_parts_then_close_notify(pki.stdlib_server_context()))
    client = client_for(pki)
    log: list[Any] = []
    depth = [0]

    def on_ready_read() -> None:
        depth[0] += 1
        log.append(("readyRead", depth[0], bytes(client.readAll())))
        if len(log) == 1:
            log.append(("wait", client.waitForReadyRead(3000)))
        depth[0] -= 1

    client.readyRead.connect(on_ready_read)
    client.errorOccurred.connect(lambda error: log.append(("error", error, depth[0])))
    client.connectToHostEncrypted("localhost", server.port)
    assert run_until(lambda: client.state() is S.UnconnectedState, 5000), log
    # The close_notify that came behind part2 is handled in the wait too, after the data (as
    # in PyQt6, whose wait then goes on to its timeout; qtls's returns at once). The peer's
    # FIN is reported by its own RemoteHostClosedError when it comes (PyQt6 reports it inside
    # its wait, which is still running then; qtls's has returned).
    assert log == [
        ("readyRead", 1, b"part1"),
        ("readyRead", 2, b"part2"),
        ("error", SE.RemoteHostClosedError, 1),
        ("wait", True),
        ("error", SE.RemoteHostClosedError, 0),
    ]
    server.join()


def test_wait_for_ready_read_inside_a_ready_read_slot_of_an_unencrypted_socket(
        qtls_app: Any) -> None:
    # PyQt6 (same scenario, a QSslSocket that never starts TLS): the wait is True and the
    # new bytes are readable, without a second readyRead (as for a QTcpSocket).
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"part1")
            time.sleep(0.3)
            conn.sendall(b"part2")
            conn.settimeout(5)
            try:
                conn.recv(64)  # until the client closes
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    client = QSslSocket()
    log: list[Any] = []

    def on_ready_read() -> None:
        log.append(("readyRead", client.bytesAvailable()))
        if len(log) == 1:
            log.append(("wait", client.waitForReadyRead(3000), bytes(client.readAll())))

    client.readyRead.connect(on_ready_read)
    client.connectToHost("127.0.0.1", port)
    assert run_until(lambda: len(log) >= 2, 5000), log
    assert log == [("readyRead", 5), ("wait", True, b"part1part2")]
    client.abort()
    thread.join(5)
    listener.close()


@pytest.mark.parametrize("slot_signal", ["readyRead", "encrypted"])
def test_what_a_slot_writes_leaves_while_a_nested_event_loop_runs_in_it(
        pki: Pki, qtls_app: Any, slot_signal: str) -> None:
    """A slot writes a request and runs a nested QEventLoop: the request leaves while the
    nested loop runs (it waited for the slot to return), and the answer is handed over after
    the slot returns, not recursively (PyQt6, same scenario: the peer gets the request at
    once, the answer's readyRead comes after the nested loop, in both slots)."""
    from qtls.QtCore import QEventLoop, QTimer

    request_arrived = threading.Event()

    def handler(conn: Any) -> None:
        if slot_signal == "readyRead":
            conn.sendall(b"hello")
        request = conn.recv(100)
        request_arrived.set()
        conn.sendall(b"answer to " + request)
        conn.recv(100)  # until the client closes

    srv = StdlibServer(pki.stdlib_server_context(), handler)
    client = client_for(pki)
    log: list[Any] = []

    def slot() -> None:
        data = bytes(client.readAll())
        log.append(data)
        if log != [b""] and log != [b"hello"]:
            return
        client.write(b"request")
        loop = QEventLoop()
        poll = QTimer()
        poll.timeout.connect(lambda: request_arrived.is_set() and loop.quit())
        poll.start(10)
        QTimer.singleShot(5000, lambda: (log.append("timed out"), loop.quit()))
        loop.exec()
        poll.stop()
        log.append(("nested loop done", client.bytesAvailable()))

    getattr(client, slot_signal).connect(slot)
    if slot_signal == "encrypted":
        client.readyRead.connect(lambda: log.append(bytes(client.readAll())))
    client.connectToHostEncrypted("localhost", srv.port)
    assert run_until(lambda: b"answer to request" in log or "timed out" in log, 8000)
    first = b"hello" if slot_signal == "readyRead" else b""
    assert log == [first, ("nested loop done", 0), b"answer to request"]
    client.disconnectFromHost()
    assert run_until(lambda: client.state() is S.UnconnectedState, 5000)
    srv.join()
