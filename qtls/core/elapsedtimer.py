"""QElapsedTimer: how long since ``start()``, on the monotonic clock.

Qt reads ``CLOCK_MONOTONIC`` on Linux; ``time.monotonic_ns()`` reads the same clock, so
``msecsSinceReference()`` agrees with a Qt program in the same machine. Values are 64-bit
nanosecond counts; an invalid timer holds the smallest 64-bit integer, as Qt's does.
"""

from __future__ import annotations

import enum
import time
from typing import Any

__all__ = ["QElapsedTimer"]

_INVALID = -(1 << 63)
_now_ns = time.monotonic_ns


def _wrap64(value: int) -> int:
    """``value`` as a C++ qint64 computes it (two's complement wrap-around)."""
    return ((value + (1 << 63)) & ((1 << 64) - 1)) - (1 << 63)


def _check_timer(other: object, what: str) -> QElapsedTimer:
    if not isinstance(other, QElapsedTimer):
        raise TypeError(
            f"{what}(self, other: QElapsedTimer): argument 1 has unexpected type "
            f"'{type(other).__name__}'"
        )
    return other


class QElapsedTimer:
    """Qt's QElapsedTimer: ``start()``, then ``elapsed()`` milliseconds / ``nsecsElapsed()``.

    ``QElapsedTimer()`` is invalid until ``start()``; ``QElapsedTimer(other)`` copies. As in Qt,
    reading an invalid timer is meaningless (the numbers count from the 64-bit minimum).
    """

    __slots__ = ("_t1",)

    class ClockType(enum.Enum):
        """The clock behind the timer: always ``MonotonicClock`` here, as Qt 6 on Linux."""

        SystemTime = 0
        MonotonicClock = 1
        TickCounter = 2
        MachAbsoluteTime = 3
        PerformanceCounter = 4

    def __init__(self, other: QElapsedTimer | None = None) -> None:
        if other is None:
            self._t1 = _INVALID
        else:
            self._t1 = _check_timer(other, "QElapsedTimer")._t1

    @staticmethod
    def clockType() -> QElapsedTimer.ClockType:
        """``ClockType.MonotonicClock``."""
        return QElapsedTimer.ClockType.MonotonicClock

    @staticmethod
    def isMonotonic() -> bool:
        """True: the clock never goes back."""
        return True

    def start(self) -> None:
        """Start (or restart) counting from now."""
        self._t1 = _now_ns()

    def restart(self) -> int:
        """Restart and return the milliseconds elapsed until now."""
        now = _now_ns()
        elapsed = _wrap64(now - self._t1) // 1_000_000
        self._t1 = now
        return elapsed

    def invalidate(self) -> None:
        """Make the timer invalid, as a new one."""
        self._t1 = _INVALID

    def isValid(self) -> bool:
        """False until ``start()`` and after ``invalidate()``."""
        return self._t1 != _INVALID

    def nsecsElapsed(self) -> int:
        """Nanoseconds since ``start()``."""
        return _wrap64(_now_ns() - self._t1)

    def elapsed(self) -> int:
        """Milliseconds since ``start()``."""
        return self.nsecsElapsed() // 1_000_000

    def hasExpired(self, timeout: int) -> bool:
        """True if more than ``timeout`` ms elapsed; never for a negative ``timeout``.

        Compared as unsigned 64-bit numbers, as Qt does (so -1 means "never")."""
        mask = (1 << 64) - 1
        return (self.elapsed() & mask) > (int(timeout) & mask)

    def msecsSinceReference(self) -> int:
        """The start time in milliseconds of the monotonic clock's reference."""
        return int(self._t1 / 1_000_000)

    def msecsTo(self, other: QElapsedTimer) -> int:
        """Milliseconds from this timer's start to ``other``'s."""
        return int(_wrap64(_check_timer(other, "msecsTo")._t1 - self._t1) / 1_000_000)

    def secsTo(self, other: QElapsedTimer) -> int:
        """Seconds from this timer's start to ``other``'s."""
        return int(self.msecsTo(other) / 1000)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QElapsedTimer):
            return NotImplemented
        return self._t1 == other._t1

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, QElapsedTimer):
            return NotImplemented
        return self._t1 != other._t1

    def __lt__(self, v2: QElapsedTimer) -> bool:
        return self._t1 < _check_timer(v2, "__lt__")._t1

    def __le__(self, rhs: QElapsedTimer) -> bool:
        return self._t1 <= _check_timer(rhs, "__le__")._t1

    def __gt__(self, rhs: QElapsedTimer) -> bool:
        return self._t1 > _check_timer(rhs, "__gt__")._t1

    def __ge__(self, rhs: QElapsedTimer) -> bool:
        return self._t1 >= _check_timer(rhs, "__ge__")._t1

    __hash__: Any = None  # mutable value, unhashable as in PyQt6

    def __repr__(self) -> str:
        state = f"started at {self._t1} ns" if self.isValid() else "invalid"
        return f"<QElapsedTimer {state}>"
