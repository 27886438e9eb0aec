"""Queued delivery between threads: a receiver living in a worker thread with its own loop."""

from __future__ import annotations

import threading
from typing import Any

from qtls.QtCore import QEventLoop, QObject, Qt, QTimer, pyqtSignal
from tests.core.helpers import run_until


class Emitter(QObject):
    value = pyqtSignal(int)
    done = pyqtSignal()


class Worker(QObject):
    """Records the thread each slot call runs in; quits its loop on request."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[int, int, Any]] = []
        self.loop: QEventLoop | None = None

    def on_value(self, v: int) -> None:
        self.calls.append((v, threading.get_ident(), self.sender()))

    def stop(self) -> None:
        assert self.loop is not None
        self.loop.quit()


def start_worker_thread() -> tuple[threading.Thread, Worker, threading.Event]:
    """A thread that creates a Worker, then runs a QEventLoop (at most 5 s) until stopped."""
    holder: list[Worker] = []
    ready = threading.Event()

    def run() -> None:
        worker = Worker()
        worker.loop = QEventLoop()
        holder.append(worker)
        QTimer.singleShot(0, ready.set)  # set once the loop is actually running
        QTimer.singleShot(5000, worker.loop.quit)  # bound: the thread always ends
        worker.loop.exec()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(5)
    return thread, holder[0], ready


def test_auto_connection_to_object_in_another_thread_runs_the_slot_in_that_thread() -> None:
    thread, worker, _ = start_worker_thread()
    e = Emitter()
    e.value.connect(worker.on_value)
    e.value.emit(7)
    e.value.emit(8)
    assert run_until(lambda: len(worker.calls) == 2, 3000)
    assert [c[0] for c in worker.calls] == [7, 8]
    assert {c[1] for c in worker.calls} == {thread.ident}
    assert thread.ident != threading.get_ident()
    assert worker.calls[0][2] is e  # sender() works for queued deliveries
    e.done.connect(worker.stop)
    e.done.emit()
    thread.join(5)
    assert not thread.is_alive()


def test_direct_connection_runs_in_the_emitting_thread_even_across_threads() -> None:
    thread, worker, _ = start_worker_thread()
    e = Emitter()
    e.value.connect(worker.on_value, Qt.ConnectionType.DirectConnection)
    e.value.emit(1)
    assert worker.calls[0][1] == threading.get_ident()
    worker.loop.exit(0)  # type: ignore[union-attr]  # exit() is thread-safe
    thread.join(5)
    assert not thread.is_alive()


def test_queued_connection_in_the_same_thread_runs_later_from_the_loop() -> None:
    e = Emitter()
    got: list[int] = []
    e.value.connect(got.append, Qt.ConnectionType.QueuedConnection)
    e.value.emit(3)
    assert got == []
    assert run_until(lambda: got == [3], 1000)


def test_blocking_queued_connection_waits_for_the_slot_in_the_other_thread() -> None:
    thread, worker, _ = start_worker_thread()
    e = Emitter()
    e.value.connect(worker.on_value, Qt.ConnectionType.BlockingQueuedConnection)
    e.value.emit(11)
    assert worker.calls and worker.calls[0][:2] == (11, thread.ident)
    worker.loop.exit(0)  # type: ignore[union-attr]
    thread.join(5)


def test_emit_from_worker_thread_reaches_main_thread_object_through_main_loop() -> None:
    main_worker = Worker()  # lives in the main thread
    e_holder: list[Emitter] = []

    def run() -> None:
        e = Emitter()
        e_holder.append(e)
        e.value.connect(main_worker.on_value)
        e.value.emit(42)

    t = threading.Thread(target=run)
    t.start()
    t.join(5)
    assert main_worker.calls == []  # queued: nothing ran in the worker thread
    assert run_until(lambda: bool(main_worker.calls), 2000)
    assert main_worker.calls[0][:2] == (42, threading.get_ident())


def test_queued_call_to_a_receiver_deleted_meanwhile_is_dropped() -> None:
    r = Worker()
    e = Emitter()
    e.value.connect(r.on_value, Qt.ConnectionType.QueuedConnection)
    e.value.emit(1)
    r._destroy()  # deleted before the loop delivers
    run_until(lambda: False, 30)
    assert r.calls == []


def test_worker_moved_to_a_thread_before_it_starts_gets_queued_calls_there() -> None:
    worker = Worker()
    holder: list[QEventLoop] = []
    started = threading.Event()

    def run() -> None:
        loop = QEventLoop()
        holder.append(loop)
        QTimer.singleShot(3000, loop.quit)  # bound
        started.set()
        loop.exec()

    thread = threading.Thread(target=run, daemon=True)
    worker.moveToThread(thread)
    e = Emitter()
    e.value.connect(worker.on_value)
    e.value.emit(1)  # posted before the thread even exists: delivered once its loop runs
    thread.start()
    assert started.wait(5)
    e.value.emit(2)
    assert run_until(lambda: len(worker.calls) == 2, 3000)
    assert [c[:2] for c in worker.calls] == [(1, thread.ident), (2, thread.ident)]
    holder[0].exit(0)
    thread.join(5)
    assert not thread.is_alive()


def test_single_shot_with_a_receiver_in_another_thread_runs_there() -> None:
    thread, worker, _ = start_worker_thread()
    ran_in: list[int] = []
    QTimer.singleShot(1, worker, lambda: ran_in.append(threading.get_ident()))
    assert run_until(lambda: bool(ran_in), 3000)
    assert ran_in == [thread.ident]
    worker.loop.exit(0)  # type: ignore[union-attr]
    thread.join(5)
