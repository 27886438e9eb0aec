"""Bounded loop runs for the core tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qtls.QtCore import QTimer
from tests.loops import run_until, spin  # noqa: F401  (re-exported for this area's tests)


def deadline(action: Callable[[], Any], ms: int = 2000, core: Any = None) -> Any:
    """A started single-shot QTimer that calls ``action`` (ending the loop under test) after
    ``ms``. Keep it in a local variable: when the test returns, the timer is freed and can no
    longer fire into a later test (QTimers nobody references stop, in qtls as in PyQt6)."""
    timer = (core.QTimer if core is not None else QTimer)()
    timer.setSingleShot(True)
    timer.timeout.connect(action)
    timer.start(ms)
    return timer


def seq(*calls: Callable[[], Any]) -> Callable[[], None]:
    """One slot that makes several calls in order (a lambda can hold only one expression)."""

    def run() -> None:
        for call in calls:
            call()

    return run
