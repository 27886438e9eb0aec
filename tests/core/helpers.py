"""Bounded loop runs for the core tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qtls.QtCore import QEventLoop, QTimer


def run_until(condition: Callable[[], bool], timeout_ms: int = 2000) -> bool:
    """Run the calling thread's loop until ``condition()`` holds or ``timeout_ms`` passes."""
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(1)
    poll.timeout.connect(lambda: loop.quit() if condition() else None)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)
    guard.start(timeout_ms)
    if not condition():
        poll.start()
        loop.exec()
    poll.stop()
    guard.stop()
    return condition()


def deadline(action: Callable[[], Any], ms: int = 2000, core: Any = None) -> Any:
    """A started single-shot QTimer that calls ``action`` (ending the loop under test) after
    ``ms``. Keep it in a local variable: when the test returns, the timer is freed and can no
    longer fire into a later test (QTimers nobody references stop, in qtls as in PyQt6)."""
    timer = (core.QTimer if core is not None else QTimer)()
    timer.setSingleShot(True)
    timer.timeout.connect(action)
    timer.start(ms)
    return timer


def spin(ms: int) -> None:
    """Run the calling thread's loop for ``ms`` milliseconds."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def seq(*calls: Callable[[], Any]) -> Callable[[], None]:
    """One slot that makes several calls in order (a lambda can hold only one expression)."""

    def run() -> None:
        for call in calls:
            call()

    return run
