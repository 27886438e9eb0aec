"""QUdpSocket in other threads (blocking, no event loop) and when nobody references it."""

from __future__ import annotations

import gc
import socket
import threading
import weakref

from qtls.QtNetwork import QAbstractSocket, QHostAddress, QUdpSocket
from tests.network.helpers import run_until, spin

LOCAL = QHostAddress("127.0.0.1")


def test_blocking_echo_in_a_thread_answers_an_event_driven_client() -> None:
    ready = threading.Event()
    port: list[int] = []
    served: list[bytes] = []

    def serve() -> None:  # no event loop in this thread: only the blocking waits
        sock = QUdpSocket()
        assert sock.bind(LOCAL, 0)
        port.append(sock.localPort())
        ready.set()
        while len(served) < 3 and sock.waitForReadyRead(3000):
            while sock.hasPendingDatagrams():
                request = sock.receiveDatagram()
                served.append(bytes(request.data()))
                sock.writeDatagram(request.makeReply(bytes(request.data()).upper()))
        sock.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(5)
    client = QUdpSocket()
    client.bind(LOCAL, 0)
    answers: list[bytes] = []

    def drain() -> None:
        while client.hasPendingDatagrams():
            answers.append(client.readDatagram(100)[0] or b"")

    client.readyRead.connect(drain)
    for word in (b"a", b"b", b"c"):
        client.writeDatagram(word, LOCAL, port[0])
    assert run_until(lambda: len(answers) == 3, 5000)
    assert sorted(answers) == [b"A", b"B", b"C"]
    thread.join(5)
    assert not thread.is_alive()


class _Recorder(QUdpSocket):
    """Its readyRead slot is its own method, so it runs in the thread the socket lives in."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[str] = []
        self.readyRead.connect(self.on_ready)

    def on_ready(self) -> None:
        while self.hasPendingDatagrams():
            self.receiveDatagram()
            self.threads.append(threading.current_thread().name)


def test_a_socket_moved_to_another_thread_reads_there() -> None:
    from qtls.QtCore import QThread

    worker = QThread()
    worker.start()
    try:
        sock = _Recorder()
        assert sock.bind(LOCAL, 0)
        sock.moveToThread(worker)
        sender = QUdpSocket()
        sender.writeDatagram(b"x", LOCAL, sock.localPort())
        assert run_until(lambda: bool(sock.threads), 5000)
        assert sock.threads[0] != threading.current_thread().name
    finally:
        worker.quit()
        worker.wait(5000)


def test_an_unreferenced_bound_socket_releases_its_port() -> None:
    def make() -> tuple[weakref.ref[QUdpSocket], int]:
        sock = QUdpSocket()
        assert sock.bind(LOCAL, 0)
        sock.readyRead.connect(lambda: None)
        spin(10)  # the loop registers the reader
        return weakref.ref(sock), sock.localPort()

    ref, port = make()
    for _ in range(3):
        gc.collect()
    assert ref() is None
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", port))  # free again: the descriptor was closed


def test_close_inside_ready_read_stops_everything() -> None:
    sock = QUdpSocket()
    assert sock.bind(LOCAL, 0)
    log: list[str] = []

    def on_ready() -> None:
        log.append("readyRead")
        sock.close()

    sock.readyRead.connect(on_ready)
    sock.stateChanged.connect(lambda s: log.append(s.name))
    sender = QUdpSocket()
    for _ in range(3):
        sender.writeDatagram(b"x", LOCAL, sock.localPort())
    assert run_until(lambda: "UnconnectedState" in log)
    spin(30)
    assert log == ["readyRead", "ClosingState", "UnconnectedState"]
    assert sock.state() is QAbstractSocket.SocketState.UnconnectedState
    assert not sock.hasPendingDatagrams()


def test_a_read_outside_the_slot_rearms_the_socket_after_a_move() -> None:
    from qtls.QtCore import QThread

    sock = _Recorder()
    sock.readyRead.disconnect(sock.on_ready)
    announced: list[int] = []
    sock.readyRead.connect(lambda: announced.append(1))  # reads nothing: the reader goes off
    assert sock.bind(LOCAL, 0)
    sender = QUdpSocket()
    sender.writeDatagram(b"1", LOCAL, sock.localPort())
    sender.writeDatagram(b"2", LOCAL, sock.localPort())
    assert run_until(lambda: bool(announced))
    assert sock.readDatagram(10)[0] == b"1"  # outside the slot: re-armed on the next loop turn
    sock.readyRead.disconnect()
    sock.readyRead.connect(sock.on_ready)
    worker = QThread()
    worker.start()
    try:
        sock.moveToThread(worker)  # before this thread's loop ran the re-arm
        assert run_until(lambda: bool(sock.threads), 5000)
        assert sock.threads[0] != threading.current_thread().name
    finally:
        worker.quit()
        worker.wait(5000)
