"""Bounded runs of the calling thread's qtls loop, shared by every test area."""

from __future__ import annotations

from collections.abc import Callable

from qtls.QtCore import QEventLoop, QTimer


def run_until(condition: Callable[[], bool], timeout_ms: int = 3000) -> bool:
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


def spin(ms: int) -> None:
    """Run the calling thread's loop for ``ms`` milliseconds."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
