"""Which thread runs a slot that is not a QObject's method: the thread that connected it."""

from __future__ import annotations

import threading
import types
from typing import Any

import pytest

import qtls.QtCore as qtls_core


def scenario(core: Any) -> list[tuple[str, str]]:
    class E(core.QObject):
        sig = core.pyqtSignal()

    ran: list[tuple[str, str]] = []

    def note(what: str) -> None:
        ran.append((what, threading.current_thread().name))

    def function() -> None:
        note("function connected in main")

    class Plain:  # not a QObject
        def method(self) -> None:
            note("plain method connected in main")

    plain = Plain()
    e = E()
    e.sig.connect(lambda: note("lambda connected in main"))
    e.sig.connect(function)
    e.sig.connect(plain.method)
    e.sig.connect(lambda: note("direct lambda"), core.Qt.ConnectionType.DirectConnection)
    e.sig.connect(lambda: note("queued lambda"), core.Qt.ConnectionType.QueuedConnection)

    def worker() -> None:
        e.sig.emit()
        local = E()
        local.sig.connect(lambda: note("lambda connected in worker"))
        local.sig.emit()

    thread = threading.Thread(target=worker, name="worker")
    thread.start()
    thread.join(5)
    loop = core.QEventLoop()
    core.QTimer.singleShot(50, loop.quit)
    loop.exec()
    e.sig.emit()  # from main: Auto is direct here, Queued waits for the loop
    loop = core.QEventLoop()
    core.QTimer.singleShot(50, loop.quit)
    loop.exec()
    return sorted(ran)


@pytest.mark.pyqt6
def test_slots_without_a_receiver_run_in_the_connecting_thread_as_in_pyqt6(app: Any) -> None:
    pyqt: types.ModuleType = pytest.importorskip("PyQt6.QtCore")
    if pyqt.QCoreApplication.instance() is None:
        pyqt._qtls_test_app = pyqt.QCoreApplication([])  # kept for the session
    ours = scenario(qtls_core)
    assert ours == scenario(pyqt)
    assert ("lambda connected in main", "MainThread") in ours
    assert ("direct lambda", "worker") in ours


def test_await_a_signal_emitted_in_another_thread_is_still_woken() -> None:
    import asyncio

    class E(qtls_core.QObject):
        sig = qtls_core.pyqtSignal(int)

    async def main() -> int:
        e = E()
        thread = threading.Thread(target=lambda: e.sig.emit(5))
        asyncio.get_running_loop().call_later(0.005, thread.start)
        value = await asyncio.wait_for(e.sig, 2)
        thread.join(5)
        return int(value)

    assert asyncio.run(main()) == 5
