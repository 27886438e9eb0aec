"""QTimer: single-shot and repeating timers on the thread's asyncio loop.

A timer is one ``loop.call_at`` handle at a time, never polling. A repeating timer plans its next
timeout from the previous *planned* time, not from when the slot ran, so it does not drift; if
the loop fell more than an interval behind, the next timeout is one interval from now (Qt's
``calcNextTimeout``) rather than a burst of catch-up timeouts.

The loop holds the timer only weakly (as PyQt6, a QTimer nobody references is gone and stops);
keep a reference or give it a parent.
"""

from __future__ import annotations

import asyncio
import math
import threading
import warnings
import weakref
from collections.abc import Callable
from typing import Any

from qtls.core import dispatch
from qtls.core.connection import _report_exception
from qtls.core.event import next_timer_id
from qtls.core.qobject import QObject
from qtls.core.qt import Qt
from qtls.core.signals import pyqtBoundSignal, pyqtSignal

__all__ = ["QTimer"]


def _fire_weak(ref: weakref.ref[QTimer]) -> None:
    timer = ref()
    if timer is not None:
        timer._fire()


def _check_msec(msec: Any, where: str) -> int:
    if isinstance(msec, bool) or not isinstance(msec, int):
        raise TypeError(f"{where}: argument 1 has unexpected type '{type(msec).__name__}'")
    return msec


class QTimer(QObject):
    """Qt's QTimer: emits ``timeout`` after ``interval()`` ms, once or repeatedly.

    The timer runs on the asyncio loop of the thread it lives in; in a thread whose loop is not
    running yet it fires once the loop runs (``QCoreApplication.exec()``, ``QEventLoop.exec()``,
    or an asyncio program). Every ``Qt.TimerType`` has the loop's precision.
    """

    timeout = pyqtSignal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._interval = 0
        self._single_shot = False
        self._timer_type = Qt.TimerType.CoarseTimer
        self._handle: asyncio.TimerHandle | asyncio.Handle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._deadline = 0.0
        self._timer_id = -1

    # ------------------------------------------------------------------ control
    def start(self, msec: int | None = None) -> None:
        """Start (or restart) the timer, with ``msec`` as the new interval if given.

        As Qt, a timer cannot be started from a thread other than its own (warning, no-op), and
        a negative interval is refused with a warning.
        """
        if msec is not None:
            self._interval = _check_msec(msec, "start(self, msec: int)")
        if self._qt_thread is not threading.current_thread():
            warnings.warn(
                "QObject::startTimer: Timers cannot be started from another thread",
                RuntimeWarning,
                stacklevel=2,
            )
            return
        if self._interval < 0:
            warnings.warn(
                "QObject::startTimer: Timers cannot have negative intervals",
                RuntimeWarning,
                stacklevel=2,
            )
            return
        self._cancel()
        loop = dispatch.thread_loop()
        self._loop = loop
        self._timer_id = next_timer_id()
        self._deadline = loop.time() + self._interval / 1000
        self._handle = loop.call_at(self._deadline, _fire_weak, weakref.ref(self))

    def stop(self) -> None:
        """Stop the timer; from inside its own ``timeout`` slot it stays stopped."""
        self._cancel()
        self._timer_id = -1

    def _cancel(self) -> None:
        handle = self._handle
        if handle is not None:
            self._handle = None
            handle.cancel()

    def _fire(self) -> None:
        self._handle = None
        if self._single_shot:
            self._timer_id = -1  # inactive while its slot runs, as Qt
        else:
            loop = self._loop
            assert loop is not None
            deadline = self._deadline + self._interval / 1000
            now = loop.time()
            if deadline < now:
                deadline = now + self._interval / 1000  # late: no burst of catch-up timeouts
            self._deadline = deadline
            self._handle = loop.call_at(deadline, _fire_weak, weakref.ref(self))
        self.timeout.emit()

    # ------------------------------------------------------------------ properties
    def isActive(self) -> bool:
        """True while the timer is running."""
        return self._timer_id != -1

    def interval(self) -> int:
        """The interval in milliseconds (0 by default)."""
        return self._interval

    def setInterval(self, msec: int) -> None:
        """Set the interval; an active timer restarts with it, as Qt's does."""
        self._interval = _check_msec(msec, "setInterval(self, msec: int)")
        if self.isActive() and self._qt_thread is threading.current_thread():
            self.start()

    def isSingleShot(self) -> bool:
        """True when the timer fires once."""
        return self._single_shot

    def setSingleShot(self, asingleShot: bool) -> None:
        """Fire once (True) or repeatedly (False, the default)."""
        self._single_shot = bool(asingleShot)

    def remainingTime(self) -> int:
        """Milliseconds until the next timeout: 0 if overdue, -1 when inactive."""
        if self._timer_id == -1 or self._loop is None:
            return -1
        remaining = (self._deadline - self._loop.time()) * 1000
        return max(0, math.ceil(remaining))

    def timerId(self) -> int:
        """A positive id while active (new on each start), -1 when inactive."""
        return self._timer_id

    def id(self) -> int:
        """Qt 6.8's ``id()``: the same as ``timerId()`` (PyQt6 returns a ``Qt.TimerId``)."""
        return self._timer_id

    def timerType(self) -> Qt.TimerType:
        """The accuracy requested (CoarseTimer by default); qtls treats all alike."""
        return self._timer_type

    def setTimerType(self, atype: Qt.TimerType) -> None:
        """Record the requested accuracy."""
        if not isinstance(atype, Qt.TimerType):
            raise TypeError(
                f"setTimerType(self, atype: Qt.TimerType): argument 1 has unexpected type "
                f"'{type(atype).__name__}'"
            )
        self._timer_type = atype

    def _destroy(self) -> None:
        self.stop()
        super()._destroy()

    # ------------------------------------------------------------------ singleShot
    @staticmethod
    def singleShot(msec: int, *args: Any) -> None:
        """Call a slot once after ``msec`` ms: ``singleShot(msec, slot)``,
        ``singleShot(msec, timerType, slot)`` or ``singleShot(msec, receiver, slot)``.

        ``slot`` is a callable, a bound signal (emitted), or with a receiver a method name.
        With a receiver (or a slot that is a method of a QObject), the call happens in the
        receiver's thread and is dropped if the receiver was deleted first. A 0 ms single shot
        is queued behind the events already posted, as Qt 6 does.
        """
        _check_msec(msec, "singleShot(msec: int, slot: PYQT_SLOT)")
        if len(args) == 1:
            context, slot = None, args[0]
        elif len(args) == 2:
            first, slot = args
            if isinstance(first, Qt.TimerType):
                context = None
            elif isinstance(first, QObject):
                context = first
            else:
                raise TypeError(
                    f"singleShot(): argument 2 has unexpected type '{type(first).__name__}'"
                )
        elif len(args) == 3 and isinstance(args[0], Qt.TimerType):
            context, slot = args[1], args[2]
            if not isinstance(context, QObject):
                raise TypeError(
                    f"singleShot(): argument 3 has unexpected type '{type(context).__name__}'"
                )
        else:
            raise TypeError("singleShot() takes (msec, slot) or (msec, receiver, slot)")
        if isinstance(slot, str) and context is not None:
            slot = getattr(context, slot)
        call: Callable[[], Any]
        if isinstance(slot, pyqtBoundSignal):
            call = slot.emit
            if context is None:
                context = slot._ref()
        elif callable(slot):
            call = slot
            if context is None and isinstance(getattr(slot, "__self__", None), QObject):
                context = slot.__self__
        else:
            raise TypeError(
                f"singleShot(): argument {len(args) + 1} has unexpected type "
                f"'{type(slot).__name__}'"
            )
        if context is None:
            _schedule(msec, call)
            return
        fire = _ContextCall(context, call)
        if context._qt_thread is threading.current_thread():
            _schedule(msec, fire)
        else:
            # Qt moves the single-shot timer to the receiver's thread: time it there.
            dispatch.post(context._qt_thread, _schedule, msec, fire)


class _ContextCall:
    """A single-shot call that is skipped if its receiver was deleted first."""

    __slots__ = ("context", "call")

    def __init__(self, context: QObject, call: Callable[[], Any]) -> None:
        self.context = weakref.ref(context)
        self.call = call

    def __call__(self) -> None:
        context = self.context()
        if context is None or context._qt_deleted:
            return
        _call_slot(self.call)


def _call_slot(call: Callable[[], Any]) -> None:
    try:
        call()
    except Exception:
        _report_exception()


def _schedule(msec: int, call: Callable[[], Any]) -> None:
    loop = dispatch.thread_loop()
    if msec <= 0:
        loop.call_soon(_call_slot, call)
    else:
        loop.call_later(msec / 1000, _call_slot, call)
