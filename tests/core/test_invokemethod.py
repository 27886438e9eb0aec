"""QMetaObject.invokeMethod: lookup by name and types, connection types, threads."""

from __future__ import annotations

import threading
import types
from typing import Any

import pytest

import qtls.QtCore as qtls_core
from qtls.QtCore import (
    Q_ARG,
    Q_RETURN_ARG,
    QMetaObject,
    QObject,
    Qt,
    QThread,
    QTimer,
    pyqtSignal,
    pyqtSlot,
)
from tests.core.helpers import run_until

CT = Qt.ConnectionType


class Target(QObject):
    """Slots declared the PyQt6 way, recording the thread they ran in."""

    sig = pyqtSignal(int)

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, Any, QThread]] = []

    @pyqtSlot(int, result=int)
    def double(self, x: int) -> int:
        self.calls.append(("double", x, QThread.currentThread()))
        return 2 * x

    @pyqtSlot()
    def hello(self) -> None:
        self.calls.append(("hello", None, QThread.currentThread()))

    def undeclared(self) -> None:
        self.calls.append(("undeclared", None, QThread.currentThread()))


def test_direct_call_returns_the_declared_result() -> None:
    t = Target()
    assert QMetaObject.invokeMethod(t, "double", CT.DirectConnection, Q_RETURN_ARG(int),
                                    Q_ARG(int, 21)) == 42
    assert QMetaObject.invokeMethod(t, "double", Q_RETURN_ARG(int), Q_ARG(int, 2.7)) == 4
    assert QMetaObject.invokeMethod(t, "double", Q_ARG(int, 1)) is None  # no Q_RETURN_ARG
    assert [c[:2] for c in t.calls] == [("double", 21), ("double", 2), ("double", 1)]


@pytest.mark.parametrize("args", [
    ("undeclared",),  # not a slot: not in the meta-object
    ("missing",),
    ("double", Q_ARG(str, "x")),  # wrong argument type
    ("hello", Q_ARG(int, 1)),  # too many arguments
    ("hello", Q_RETURN_ARG(int)),  # void slot asked for a result
    ("double", Q_RETURN_ARG(str), Q_ARG(int, 1)),  # wrong result type
    ("double", CT.QueuedConnection, Q_RETURN_ARG(int), Q_ARG(int, 1)),  # queued with result
    ("hello", CT.BlockingQueuedConnection),  # blocking in its own thread: a deadlock
])
def test_calls_qt_refuses_raise_runtime_error(args: tuple[Any, ...]) -> None:
    t = Target()
    with pytest.raises(RuntimeError, match="call failed"):
        QMetaObject.invokeMethod(t, *args)
    assert t.calls == []


def test_none_object_fails_and_wrong_argument_types_raise_type_error() -> None:
    with pytest.raises(RuntimeError):
        QMetaObject.invokeMethod(None, "x")
    with pytest.raises(TypeError):
        QMetaObject.invokeMethod(Target(), "hello", 5)


def test_signals_and_qts_own_slots_can_be_invoked() -> None:
    t = Target()
    got: list[int] = []
    t.sig.connect(got.append)
    assert QMetaObject.invokeMethod(t, "sig", Q_ARG(int, 7)) is None
    assert got == [7]
    timer = QTimer()
    QMetaObject.invokeMethod(timer, "start", Q_ARG(int, 10000))
    assert timer.isActive()
    QMetaObject.invokeMethod(timer, "stop")
    assert not timer.isActive()


def test_queued_call_runs_later_from_the_loop() -> None:
    t = Target()
    QMetaObject.invokeMethod(t, "hello", CT.QueuedConnection)
    assert t.calls == []
    assert run_until(lambda: bool(t.calls), 2000)


def test_auto_and_blocking_calls_run_in_the_objects_thread() -> None:
    thread = QThread()
    t = Target()
    t.moveToThread(thread)
    thread.start()
    try:
        assert QMetaObject.invokeMethod(t, "double", CT.BlockingQueuedConnection,
                                        Q_RETURN_ARG(int), Q_ARG(int, 5)) == 10
        QMetaObject.invokeMethod(t, "hello")  # Auto across threads: queued
        assert run_until(lambda: len(t.calls) == 2, 3000)
        assert all(c[2] is thread for c in t.calls)
        QMetaObject.invokeMethod(thread, "quit", CT.DirectConnection)
        assert thread.wait(5000)
    finally:
        thread.quit()
        thread.wait(5000)


def test_queued_call_to_an_object_deleted_meanwhile_is_dropped() -> None:
    t = Target()
    QMetaObject.invokeMethod(t, "hello", CT.QueuedConnection)
    t._destroy()
    run_until(lambda: False, 30)
    assert t.calls == []


def test_connect_returns_a_qmetaobject_connection() -> None:
    t = Target()
    connection = t.sig.connect(t.double)
    assert isinstance(connection, QMetaObject.Connection)
    assert QObject.disconnect(connection)


def scenario(core: Any) -> list[Any]:
    class T(core.QObject):
        @core.pyqtSlot(str)
        @core.pyqtSlot(int)
        def over(self, v: Any) -> None:
            seen.append(v)

        @core.pyqtSlot(float)
        def real(self, v: Any) -> None:
            seen.append(v)

    seen: list[Any] = []
    t = T()
    out: list[Any] = []
    for member, arg in [("over", core.Q_ARG(str, "s")), ("over", core.Q_ARG(int, 3)),
                        ("real", core.Q_ARG(float, 1)), ("real", core.Q_ARG(int, 1)),
                        ("over", core.Q_ARG(float, 1.0))]:
        try:
            out.append(core.QMetaObject.invokeMethod(t, member, arg))
        except RuntimeError as e:
            out.append(str(e))
    return out + seen


@pytest.mark.pyqt6
def test_overloads_and_argument_types_are_matched_as_pyqt6_does() -> None:
    pyqt: types.ModuleType = pytest.importorskip("PyQt6.QtCore")
    assert scenario(qtls_core) == scenario(pyqt)


def test_blocking_call_from_a_worker_thread_to_the_main_thread(app: Any) -> None:
    t = Target()
    results: list[Any] = []

    def worker() -> None:
        results.append(QMetaObject.invokeMethod(
            t, "double", CT.BlockingQueuedConnection, Q_RETURN_ARG(int), Q_ARG(int, 8)))

    other = threading.Thread(target=worker)
    other.start()
    assert run_until(lambda: bool(results), 3000)
    other.join(5)
    assert results == [16]
    assert t.calls[0][2] is QThread.currentThread()
