"""One TLS connection is one object: no private plain socket, one QObject per socket, a TLS
layer that lives as long as the connection; and a peer's close_notify reported as PyQt6 does."""

from __future__ import annotations

import gc
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from OpenSSL import SSL

from qtls.core.qobject import QObject
from qtls.QtCore import Qt
from qtls.QtNetwork import QAbstractSocket, QSslSocket
from tests.sslsocket.helpers import Pki, Recorder, TlsServer, client_for, run_until

S = QAbstractSocket.SocketState


def _live_qobjects() -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects() if isinstance(obj, QObject))


def _encrypted_pairs(pki: Pki, count: int) -> tuple[TlsServer, list[Any]]:
    server = TlsServer(pki.server_config())
    clients = [client_for(pki) for _ in range(count)]
    for client in clients:
        client.connectToHostEncrypted("localhost", server.port())
    assert run_until(lambda: len(server.sockets) == count and all(
        s.isEncrypted() for s in clients + server.sockets), 10000)
    return server, clients


def test_an_established_connection_is_one_qobject_per_side(pki: Pki, qtls_app: Any) -> None:
    before = _live_qobjects()
    server, clients = _encrypted_pairs(pki, 5)
    # The server, then one QSslSocket per client and one per accepted connection: nothing else
    # (Qt's QSslSocket would also own a private QTcpSocket on each side).
    assert _live_qobjects() - before == 1 + 5 + 5
    for sock in clients + server.sockets:
        assert sock.children() == []
    for client in clients:
        client.abort()
    server.shutdown()


def test_the_tls_layer_is_made_by_the_handshake_and_dropped_with_the_connection(
        pki: Pki, qtls_app: Any) -> None:
    server, (client,) = _encrypted_pairs(pki, 1)
    layer = client._tls
    assert layer is not None and layer.socket is client
    client.disconnectFromHost()
    assert run_until(lambda: client.state() is S.UnconnectedState, 5000)
    assert client._tls is None
    # The layer let go of its engine's hooks (no reference cycle back to it through OpenSSL).
    assert layer.engine.on_verify_error is None and layer.engine.on_psk_required is None
    # A new connection gets a new layer.
    client.connectToHostEncrypted("localhost", server.port())
    assert run_until(client.isEncrypted, 5000)
    assert client._tls is not None and client._tls is not layer
    client.abort()
    server.shutdown()


# -- a peer's close_notify, with and without its FIN -------------------------------------------

def _close_notify_peer(pki: Pki, send_fin: bool, hold: float) -> tuple[int, threading.Thread]:
    """A pyOpenSSL server that says "hi", sends close_notify, then keeps the TCP connection
    open for ``hold`` seconds (sending its FIN first when ``send_fin``) before closing."""
    context = SSL.Context(SSL.TLS_METHOD)
    leaf = pki.ecdsa.leaf
    context.use_certificate_chain_file(_write(leaf.cert_chain_pems[0].bytes()))
    context.use_privatekey_file(_write(leaf.private_key_pem.bytes()))
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)

    def serve() -> None:
        raw, _ = listener.accept()
        with raw:
            conn = SSL.Connection(context, raw)
            conn.set_accept_state()
            conn.do_handshake()
            conn.sendall(b"hi")
            time.sleep(0.2)
            conn.shutdown()  # close_notify; TCP stays open
            if send_fin:
                time.sleep(0.2)
                raw.shutdown(socket.SHUT_WR)
            time.sleep(hold)
        listener.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener.getsockname()[1], thread


_files: list[Any] = []


def _write(data: bytes) -> str:
    import tempfile

    handle = tempfile.NamedTemporaryFile(suffix=".pem")  # noqa: SIM115 - kept for the session
    handle.write(data)
    handle.flush()
    _files.append(handle)
    return handle.name


_SIGNALS = ("stateChanged", "errorOccurred", "readyRead", "alertReceived", "alertSent",
            "readChannelFinished", "disconnected")


def _run_close_notify(net: Any, pki: Pki, send_fin: bool, until: Callable[[Any], bool],
                      spin: Callable[[Callable[[], bool], float], None]) -> list[str]:
    port, thread = _close_notify_peer(pki, send_fin, hold=1.0)
    client = net.QSslSocket()
    conf = client.sslConfiguration()
    conf.addCaCertificate(net.QSslCertificate(pki.ca.cert_pem.bytes()))
    client.setSslConfiguration(conf)
    rec = Recorder(client, signals=_SIGNALS)
    client.readyRead.connect(client.readAll)
    client.connectToHostEncrypted("localhost", port)
    spin(lambda: until(client), 5.0)
    log = [entry for entry in rec.log if not entry.startswith("stateChanged(")
           or "Closing" in entry or "Unconnected" in entry]
    client.abort()
    thread.join(5)
    return log


def _qtls_spin(done: Callable[[], bool], timeout: float) -> None:
    run_until(done, int(timeout * 1000))


def _errors(log: list[str]) -> int:
    return sum(entry.startswith("errorOccurred(RemoteHostClosedError") for entry in log)


def test_close_notify_without_fin_is_reported_once_and_the_socket_stays_connected(
        pki: Pki, qtls_app: Any) -> None:
    import qtls.QtNetwork as net

    # Watched for half a second after the close_notify: the peer holds its side open.
    start = time.monotonic()
    log = _run_close_notify(net, pki, send_fin=False,
                            until=lambda client: time.monotonic() - start > 0.8, spin=_qtls_spin)
    assert log[:3] == ["readyRead", "alertReceived(Warning,CloseNotify,close notify)",
                       "errorOccurred(RemoteHostClosedError)"]
    assert _errors(log) == 1
    assert "disconnected" not in log


def test_close_notify_then_fin_reports_the_close_as_pyqt6_does(pki: Pki, qtls_app: Any) -> None:
    import qtls.QtNetwork as net

    log = _run_close_notify(net, pki, send_fin=True,
                            until=lambda client: client.state() == S.UnconnectedState,
                            spin=_qtls_spin)
    assert log == [
        "readyRead", "alertReceived(Warning,CloseNotify,close notify)",
        "errorOccurred(RemoteHostClosedError)", "errorOccurred(RemoteHostClosedError)",
        "stateChanged(ClosingState)", "stateChanged(UnconnectedState)", "readChannelFinished",
        "alertSent(Warning,CloseNotify,close notify)", "disconnected",
    ]


@pytest.mark.pyqt6
@pytest.mark.parametrize("send_fin", [True, False], ids=["fin", "no_fin"])
def test_close_notify_sequence_matches_pyqt6(pki: Pki, qtls_app: Any, pyqt_network: Any,
                                             send_fin: bool) -> None:
    import PyQt6.QtCore as core

    import qtls.QtNetwork as net

    def pyqt_spin(done: Callable[[], bool], timeout: float) -> None:
        app = core.QCoreApplication.instance()
        deadline = time.monotonic() + timeout
        while not done() and time.monotonic() < deadline:
            app.processEvents(core.QEventLoop.ProcessEventsFlag.AllEvents, 5)
            time.sleep(0.001)

    def settled(start: float) -> Callable[[Any], bool]:
        # With a FIN: until unconnected; without: a while after the close_notify.
        if send_fin:
            return lambda client: client.state() == client.SocketState.UnconnectedState
        return lambda client: time.monotonic() - start > 0.8

    theirs = _run_close_notify(pyqt_network, pki, send_fin, settled(time.monotonic()), pyqt_spin)
    ours = _run_close_notify(net, pki, send_fin, settled(time.monotonic()), _qtls_spin)
    assert ours == theirs


# -- the ciphertext counters ---------------------------------------------------------------------

def test_a_record_not_complete_yet_is_counted_as_ciphertext_at_most(pki: Pki, qtls_app: Any) -> None:
    # Qt counts its plain socket's unread bytes; qtls hands received bytes to the engine at
    # once, where OpenSSL's record layer may take them out of the BIO: at most what came.
    from qtls.QtNetwork import QSsl
    from tests.sslsocket.test_conformance import TlsPair

    pair = TlsPair(pki, blocking=False, starttls=False, protocol=QSsl.SslProtocol.TlsV1_3)
    client = pair.device
    for _ in range(5):  # the peer's session tickets leave and are read
        pair.peer.pump()
        run_until(lambda: False, 20)
    assert not pair.peer.wire_out and not pair.peer.outgoing.pending
    assert client.encryptedBytesAvailable() == 0 and client.encryptedBytesToWrite() == 0
    pair.peer.obj.write(b"hello")
    record = pair.peer.outgoing.read()
    pair.peer.sock.sendall(record[:10])  # the record's header and the start of its body
    run_until(lambda: False, 100)
    assert 0 <= client.encryptedBytesAvailable() <= 10
    assert client.bytesAvailable() == 0
    pair.peer.sock.sendall(record[10:])
    assert run_until(lambda: client.bytesAvailable() == 5, 5000)
    assert client.encryptedBytesAvailable() == 0
    client.abort()


def test_an_unencrypted_socket_has_no_ciphertext_to_count(qtls_app: Any) -> None:
    # PyQt6: 0 in unencrypted mode, whatever plain data waits (the plain queue is bytesToWrite).
    listener = socket.create_server(("127.0.0.1", 0))
    client = QSslSocket()
    client.connectToHost("127.0.0.1", listener.getsockname()[1])
    assert client.waitForConnected(3000)
    client.write(b"plain")
    assert client.bytesToWrite() == 5
    assert client.encryptedBytesToWrite() == 0 and client.encryptedBytesAvailable() == 0
    client.abort()
    listener.close()


def test_an_encrypted_socket_moved_to_a_worker_thread_sends_what_it_queued_from_there(
        pki: Pki, qtls_app: Any) -> None:
    """A write queues its transmit() on the socket's loop (Qt's queued flush); moving the socket
    before that loop turn must carry the work to the new thread's loop, not leave it to run in
    the old thread."""
    server, (client,) = _encrypted_pairs(pki, 1)
    (peer,) = server.sockets
    client.write(b"queued before the move")
    assert client._tls is not None and client._tls.transmit_queued
    sent_from: list[str] = []
    client.encryptedBytesWritten.connect(  # Direct: runs where the transmit() runs
        lambda _n: sent_from.append(threading.current_thread().name),
        Qt.ConnectionType.DirectConnection)
    done = threading.Event()

    def serve() -> None:
        from tests.loops import run_until as run_here

        run_here(lambda: bool(sent_from), 5000)
        done.set()

    worker = threading.Thread(target=serve, name="worker")
    client.moveToThread(worker)
    worker.start()
    got = bytearray()
    peer.readyRead.connect(lambda: got.extend(bytes(peer.readAll())))
    assert run_until(lambda: bytes(got) == b"queued before the move" and done.is_set(), 5000)
    worker.join(5)
    assert sent_from and set(sent_from) == {"worker"}
