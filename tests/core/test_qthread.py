"""QThread: start/run/exec/exit/wait, the worker-object pattern, adopted threads."""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest

from qtls.QtCore import (
    QCoreApplication,
    QDeadlineTimer,
    QObject,
    Qt,
    QThread,
    QTimer,
    pyqtSignal,
)
from qtls.QtNetwork import QTcpSocket
from tests.core.helpers import deadline, run_until


class EchoOnce:
    """A stdlib echo peer on 127.0.0.1 that serves one connection and stops by itself."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(5)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            peer, _ = self.listener.accept()
        except OSError:
            return
        with peer:
            peer.settimeout(5)
            try:
                data = peer.recv(1024)
                peer.sendall(b"echo:" + data)
                peer.recv(1024)  # until the client closes
            except OSError:
                pass

    def close(self) -> None:
        self.listener.close()
        self.thread.join(5)


class SocketWorker(QObject):
    """Qt's worker object: does its job in run(), reports through signals."""

    finished = pyqtSignal()

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port
        self.socket: QTcpSocket | None = None
        self.record: dict[str, Any] = {}

    def run(self) -> None:
        self.record["run_in"] = QThread.currentThread()
        sock = QTcpSocket(self)  # created in the worker thread: lives there
        self.socket = sock
        self.record["socket_thread"] = sock.thread()
        sock.connected.connect(self.on_connected)
        sock.readyRead.connect(self.on_ready_read)
        sock.connectToHost("127.0.0.1", self.port)

    def on_connected(self) -> None:
        assert self.socket is not None
        self.record["connected_in"] = QThread.currentThread()
        self.socket.write(b"ping")

    def on_ready_read(self) -> None:
        assert self.socket is not None
        self.record["read_in"] = QThread.currentThread()
        self.record["data"] = bytes(self.socket.readAll())
        self.socket.disconnectFromHost()
        self.finished.emit()


def test_worker_object_pattern_runs_a_socket_in_the_worker_thread(app: QCoreApplication) -> None:
    peer = EchoOnce()
    thread = QThread()
    worker = SocketWorker(peer.port)
    worker.moveToThread(thread)
    assert worker.thread() is thread
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit)  # queued to the main thread, where `thread` lives
    thread.finished.connect(app.quit)
    guard = deadline(app.quit, 5000)
    thread.start()
    app.exec()
    assert thread.wait(3000)
    guard.stop()
    peer.close()
    assert worker.record.get("data") == b"echo:ping"
    for key in ("run_in", "socket_thread", "connected_in", "read_in"):
        assert worker.record[key] is thread, key
    assert thread.isFinished() and not thread.isRunning()


def test_default_run_is_the_event_loop_and_exit_code_comes_back_from_exec() -> None:
    codes: list[int] = []

    class Looping(QThread):
        def run(self) -> None:
            codes.append(self.exec())

    thread = Looping()
    started = threading.Event()
    thread.started.connect(started.set, Qt.ConnectionType.DirectConnection)  # (queued to this thread otherwise, as PyQt6)
    thread.start()
    assert started.wait(5)
    assert thread.isRunning()
    assert not thread.wait(50)  # still in its loop
    thread.exit(7)
    assert thread.wait(QDeadlineTimer(5000))
    assert codes == [7]


def test_exit_before_exec_makes_exec_return_at_once() -> None:
    codes: list[int] = []
    gate = threading.Event()

    class Late(QThread):
        def run(self) -> None:
            gate.wait(5)
            codes.append(self.exec())

    thread = Late()
    thread.start()
    thread.exit(3)
    gate.set()
    assert thread.wait(5000)
    assert codes == [3]


def test_overridden_run_started_and_finished_are_emitted_in_the_thread() -> None:
    seen: list[tuple[str, Any, bool, bool]] = []

    class Job(QThread):
        def run(self) -> None:
            seen.append(("run", QThread.currentThread(), self.isRunning(), self.isFinished()))

    job = Job()
    job.started.connect(
        lambda: seen.append(("started", QThread.currentThread(), job.isRunning(), job.isFinished())),
        Qt.ConnectionType.DirectConnection,
    )
    job.finished.connect(
        lambda: seen.append(("finished", QThread.currentThread(), job.isRunning(),
                             job.isFinished())),
        Qt.ConnectionType.DirectConnection,
    )
    assert job.wait(0)  # not started: nothing to wait for
    job.start()
    assert job.wait(5000)
    assert seen == [
        ("started", job, True, False),
        ("run", job, True, False),
        ("finished", job, False, True),
    ]


def test_wait_times_out_with_milliseconds_or_a_deadline_and_rejects_negative_values() -> None:
    thread = QThread()
    thread.start()
    try:
        assert not thread.wait(30)
        assert not thread.wait(QDeadlineTimer(30))
        with pytest.raises(OverflowError):
            thread.wait(-1)
    finally:
        thread.quit()
        assert thread.wait(5000)


def test_wait_on_itself_warns_and_returns_false() -> None:
    results: list[bool] = []

    class Selfish(QThread):
        def run(self) -> None:
            with pytest.warns(RuntimeWarning, match="wait on itself"):
                results.append(self.wait(10))

    thread = Selfish()
    thread.start()
    assert thread.wait(5000)
    assert results == [False]


def test_current_thread_is_an_adopted_qthread_for_threads_qtls_did_not_start() -> None:
    main = QThread.currentThread()
    assert main is QThread.currentThread()
    assert main.isRunning() and not main.isFinished()
    assert QObject().thread() is main
    got: list[QThread] = []
    other = threading.Thread(target=lambda: got.append(QThread.currentThread()))
    other.start()
    other.join(5)
    assert got[0] is not main and isinstance(got[0], QThread)
    assert got[0].isFinished() and got[0].wait(100)


class Counter(QObject):
    """Records which thread each call ran in."""

    poke = pyqtSignal(int)

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[int, QThread]] = []
        self.timer: QTimer | None = None

    def on_poke(self, value: int) -> None:
        self.calls.append((value, QThread.currentThread()))

    def start_timer(self) -> None:
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(lambda: self.on_poke(-1))
        self.timer.start(1)


def test_queued_signals_and_timers_run_in_the_receivers_thread() -> None:
    thread = QThread()
    counter = Counter()
    counter.moveToThread(thread)
    emitter = Counter()
    emitter.poke.connect(counter.on_poke)
    emitter.poke.emit(1)  # queued before the thread runs: delivered once its loop runs
    thread.started.connect(counter.start_timer)
    thread.start()
    emitter.poke.emit(2)
    assert run_until(lambda: len(counter.calls) == 3, 3000)
    assert sorted(v for v, _ in counter.calls) == [-1, 1, 2]
    assert all(t is thread for _, t in counter.calls)
    thread.quit()
    assert thread.wait(5000)


def test_request_interruption_is_seen_by_run() -> None:
    class Polite(QThread):
        def run(self) -> None:
            while not self.isInterruptionRequested():
                QThread.msleep(1)

    thread = Polite()
    thread.start()
    assert not thread.isInterruptionRequested()
    thread.requestInterruption()
    assert thread.wait(5000)
    assert not thread.isInterruptionRequested()  # only while it runs
    QThread.currentThread().requestInterruption()  # ignored for the main thread
    assert not QThread.currentThread().isInterruptionRequested()


def test_a_finished_thread_restarts_and_its_objects_still_live_in_it() -> None:
    thread = QThread()
    counter = Counter()
    counter.moveToThread(thread)
    thread.started.connect(lambda: counter.poke.emit(0), Qt.ConnectionType.DirectConnection)
    counter.poke.connect(counter.on_poke)
    for _ in range(2):
        thread.start()
        assert run_until(lambda: len(counter.calls) >= 1, 3000)
        thread.quit()
        assert thread.wait(5000)
    assert len(counter.calls) == 2
    assert counter.thread() is thread
    assert all(t is thread for _, t in counter.calls)


def test_delete_later_on_finished_deletes_the_worker_in_its_thread() -> None:
    thread = QThread()
    worker = Counter()
    worker.moveToThread(thread)
    destroyed: list[QThread] = []
    worker.destroyed.connect(lambda *_: destroyed.append(QThread.currentThread()), Qt.ConnectionType.DirectConnection)
    thread.finished.connect(worker.deleteLater)
    thread.started.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    thread.start()
    assert thread.wait(5000)
    assert destroyed == [thread]


def test_move_to_thread_takes_a_qthread_and_rejects_other_types() -> None:
    obj = QObject()
    with pytest.raises(TypeError):
        obj.moveToThread("main")  # type: ignore[arg-type]
    thread = QThread()
    obj.moveToThread(thread)
    assert obj.thread() is thread


class TlsWorker(QObject):
    """A worker that makes its QSslSocket in its own thread and does one encrypted echo."""

    finished = pyqtSignal()

    def __init__(self, port: int, config: Any) -> None:
        super().__init__()
        self.port = port
        self.config = config
        self.socket: Any = None
        self.record: dict[str, Any] = {}

    def run(self) -> None:
        from qtls.QtNetwork import QSslSocket

        sock = QSslSocket(self)
        self.socket = sock
        sock.setSslConfiguration(self.config)
        sock.encrypted.connect(self.on_encrypted)
        sock.readyRead.connect(self.on_ready_read)
        sock.errorOccurred.connect(lambda *_: self.finish(f"error: {sock.errorString()}"))
        sock.connectToHostEncrypted("127.0.0.1", self.port, "localhost")

    def on_encrypted(self) -> None:
        self.record["encrypted_in"] = QThread.currentThread()
        self.socket.write(b"over tls")

    def on_ready_read(self) -> None:
        self.record["read_in"] = QThread.currentThread()
        self.finish(bytes(self.socket.readAll()))

    def finish(self, result: Any) -> None:
        if "result" not in self.record:
            self.record["result"] = result
            self.socket.disconnectFromHost()
            self.finished.emit()


def test_worker_object_pattern_with_an_ssl_socket(app: QCoreApplication) -> None:
    trustme = pytest.importorskip("trustme")
    from tests.sslsocket.helpers import Pki, StdlibServer

    pki = Pki(trustme.CA())

    def echo(conn: Any) -> None:
        with conn:  # (the wrapped socket: the helper closes only the plain one)
            conn.sendall(b"tls:" + conn.recv(1024))
            try:
                conn.recv(1)
            except OSError:
                pass

    server = StdlibServer(pki.stdlib_server_context(), echo)
    thread = QThread()
    worker = TlsWorker(server.port, pki.client_config())
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit)
    thread.finished.connect(app.quit)
    guard = deadline(app.quit, 8000)
    thread.start()
    app.exec()
    assert thread.wait(5000)
    guard.stop()
    server.join()
    assert worker.record.get("result") == b"tls:over tls"
    assert worker.record["encrypted_in"] is thread and worker.record["read_in"] is thread


def test_an_exception_in_run_is_reported_and_finished_is_still_emitted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    reported: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda t, e, tb: reported.append(e))

    class Broken(QThread):
        def run(self) -> None:
            raise ValueError("boom")

    thread = Broken()
    finished = threading.Event()
    thread.finished.connect(finished.set, Qt.ConnectionType.DirectConnection)
    thread.start()
    assert thread.wait(5000)
    assert finished.is_set()
    assert [str(e) for e in reported] == ["boom"]


def test_exec_from_another_thread_is_refused() -> None:
    thread = QThread()
    with pytest.warns(RuntimeWarning, match="other than the one it manages"):
        assert thread.exec() == -1


def test_quit_also_leaves_an_event_loop_that_run_started_itself() -> None:
    from qtls.QtCore import QEventLoop

    codes: list[int] = []
    running = threading.Event()

    class OwnLoop(QThread):
        def run(self) -> None:
            loop = QEventLoop()
            QTimer.singleShot(0, running.set)
            codes.append(loop.exec())
            codes.append(QEventLoop().exec())  # Qt's quitNow: returns at once

    thread = OwnLoop()
    thread.start()
    assert running.wait(5)
    thread.exit(4)
    assert thread.wait(5000)
    assert codes == [4, -1]


def test_a_connected_socket_moved_to_a_qthread_reads_there() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)
    client = QTcpSocket()
    client.connectToHost("127.0.0.1", listener.getsockname()[1])
    assert client.waitForConnected(3000)
    peer, _ = listener.accept()
    thread = QThread()
    got: list[tuple[bytes, QThread]] = []

    class Reader(QObject):
        def on_ready_read(self) -> None:
            got.append((bytes(client.readAll()), QThread.currentThread()))
            thread.quit()

    reader = Reader()
    client.readyRead.connect(reader.on_ready_read)
    reader.moveToThread(thread)
    client.moveToThread(thread)  # before the thread runs: its loop takes the socket over
    thread.start()
    try:
        peer.sendall(b"to the qthread")
        assert thread.wait(5000)
        assert got == [(b"to the qthread", thread)]
        assert client.thread() is thread
    finally:
        thread.quit()
        thread.wait(5000)
        client.abort()
        peer.close()
        listener.close()
