"""QDeadlineTimer: a point in time on the monotonic clock, or "forever".

Qt 6 keeps one 64-bit nanosecond count: the largest value means Forever, the smallest a
deadline that has already passed (``QDeadlineTimer(0)``), and arithmetic saturates at both
ends instead of overflowing. This module does the same, on ``time.monotonic_ns()`` (the clock
Qt reads on Linux).

``deadline_msecs(timeout)`` turns what Qt's blocking waits accept (milliseconds, -1 for
forever, or a QDeadlineTimer) into the milliseconds left (-1 for forever), for the waits of
other modules.
"""

from __future__ import annotations

import enum
import time
from typing import Any

from qtls.core.qt import Qt

__all__ = ["QDeadlineTimer"]

_MAX = (1 << 63) - 1
_MIN = -(1 << 63)
_now_ns = time.monotonic_ns


def _saturate(value: int) -> int:
    return _MAX if value > _MAX else _MIN if value < _MIN else value


def _wrap64(value: int) -> int:
    return ((value + (1 << 63)) & ((1 << 64) - 1)) - (1 << 63)


def _check_type(value: object, what: str) -> Qt.TimerType:
    if not isinstance(value, Qt.TimerType):
        raise TypeError(
            f"{what}: argument 'type' has unexpected type '{type(value).__name__}'"
        )
    return value


def _check_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what}: argument 1 has unexpected type '{type(value).__name__}'")
    return value


class QDeadlineTimer:
    """Qt's QDeadlineTimer: ``QDeadlineTimer(msecs)`` expires ``msecs`` from now.

    ``QDeadlineTimer()`` has already expired; ``QDeadlineTimer(QDeadlineTimer.ForeverConstant.
    Forever)`` or a negative ``msecs`` never expires; ``QDeadlineTimer(other)`` copies. The timer
    type is recorded; every type has the monotonic clock's nanosecond precision here.
    """

    __slots__ = ("_t1", "_type")

    class ForeverConstant(enum.Enum):
        """``QDeadlineTimer.ForeverConstant.Forever``: a deadline that never expires."""

        Forever = 0

    Forever = ForeverConstant.Forever

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kind = kwargs.pop("type", Qt.TimerType.CoarseTimer)
        if kwargs:
            raise TypeError(f"QDeadlineTimer(): unexpected keyword '{next(iter(kwargs))}'")
        if len(args) > 2:
            raise TypeError("QDeadlineTimer(): too many arguments")
        first = args[0] if args else None
        if len(args) == 2:
            kind = args[1]
        if isinstance(first, Qt.TimerType) and len(args) == 1:
            kind, first = first, None
        self._type = _check_type(kind, "QDeadlineTimer()")
        if first is None:
            self._t1 = 0
        elif isinstance(first, QDeadlineTimer):
            if len(args) > 1:
                raise TypeError("QDeadlineTimer(other): too many arguments")
            self._t1, self._type = first._t1, first._type
        elif isinstance(first, QDeadlineTimer.ForeverConstant):
            self._t1 = _MAX
        else:
            self._t1 = 0
            self.setRemainingTime(_check_int(first, "QDeadlineTimer()"), self._type)

    # ------------------------------------------------------------------ building
    @staticmethod
    def current(type: Qt.TimerType = Qt.TimerType.CoarseTimer) -> QDeadlineTimer:
        """A deadline at the current time (so already expired)."""
        timer = QDeadlineTimer(type)
        timer._t1 = _now_ns()
        return timer

    @staticmethod
    def addNSecs(dt: QDeadlineTimer, nsecs: int) -> QDeadlineTimer:
        """``dt`` moved by ``nsecs`` nanoseconds (Forever stays Forever; saturates)."""
        if not isinstance(dt, QDeadlineTimer):
            raise TypeError(
                f"addNSecs(dt: QDeadlineTimer, nsecs: int): argument 1 has unexpected type "
                f"'{type(dt).__name__}'"
            )
        result = QDeadlineTimer(dt)
        if not dt.isForever():
            result._t1 = _saturate(dt._t1 + _check_int(nsecs, "addNSecs()"))
        return result

    def setRemainingTime(self, msecs: int, type: Qt.TimerType = Qt.TimerType.CoarseTimer) -> None:
        """Expire ``msecs`` ms from now; a negative value means Forever, 0 already expired."""
        msecs = _check_int(msecs, "setRemainingTime()")
        self._type = _check_type(type, "setRemainingTime()")
        if msecs < 0:
            self._t1 = _MAX
        elif msecs == 0:
            self._t1 = _MIN  # Qt 6: zero remaining time is "expired", the smallest deadline
        else:
            self._t1 = _saturate(_now_ns() + msecs * 1_000_000)

    def setPreciseRemainingTime(
        self, secs: int, nsecs: int = 0, type: Qt.TimerType = Qt.TimerType.CoarseTimer
    ) -> None:
        """Expire ``secs`` s + ``nsecs`` ns from now; negative ``secs`` means Forever."""
        secs = _check_int(secs, "setPreciseRemainingTime()")
        nsecs = _check_int(nsecs, "setPreciseRemainingTime()")
        self._type = _check_type(type, "setPreciseRemainingTime()")
        if secs < 0:
            self._t1 = _MAX
        elif secs == 0 and nsecs == 0:
            self._t1 = _MIN
        else:
            self._t1 = _saturate(_now_ns() + secs * 1_000_000_000 + nsecs)

    def setDeadline(self, msecs: int, type: Qt.TimerType = Qt.TimerType.CoarseTimer) -> None:
        """Expire at ``msecs`` ms of the monotonic clock; the largest 64-bit value is Forever."""
        msecs = _check_int(msecs, "setDeadline()")
        self._type = _check_type(type, "setDeadline()")
        self._t1 = _MAX if msecs == _MAX else _saturate(msecs * 1_000_000)

    def setPreciseDeadline(
        self, secs: int, nsecs: int = 0, type: Qt.TimerType = Qt.TimerType.CoarseTimer
    ) -> None:
        """Expire at ``secs`` s + ``nsecs`` ns of the monotonic clock."""
        secs = _check_int(secs, "setPreciseDeadline()")
        nsecs = _check_int(nsecs, "setPreciseDeadline()")
        self._type = _check_type(type, "setPreciseDeadline()")
        self._t1 = _MAX if secs == _MAX else _saturate(secs * 1_000_000_000 + nsecs)

    def setTimerType(self, type: Qt.TimerType) -> None:
        """Record the timer type (precision is the same for every type in qtls)."""
        self._type = _check_type(type, "setTimerType()")

    def timerType(self) -> Qt.TimerType:
        """The timer type given at construction (``CoarseTimer`` by default)."""
        return self._type

    def swap(self, other: QDeadlineTimer) -> None:
        """Exchange the values of this timer and ``other``."""
        if not isinstance(other, QDeadlineTimer):
            raise TypeError(
                f"swap(self, other: QDeadlineTimer): argument 1 has unexpected type "
                f"'{type(other).__name__}'"
            )
        self._t1, other._t1 = other._t1, self._t1
        self._type, other._type = other._type, self._type

    # ------------------------------------------------------------------ reading
    def isForever(self) -> bool:
        """True for a deadline that never expires."""
        return self._t1 == _MAX

    def hasExpired(self) -> bool:
        """True once the deadline has passed (never for Forever)."""
        if self._t1 == _MAX:
            return False
        return self._t1 == _MIN or _now_ns() >= self._t1

    def remainingTimeNSecs(self) -> int:
        """Nanoseconds left: 0 once expired, -1 for Forever."""
        if self._t1 == _MAX:
            return -1
        left = self._t1 - _now_ns()
        return left if left > 0 else 0

    def remainingTime(self) -> int:
        """Milliseconds left, rounded up: 0 once expired, -1 for Forever."""
        left = self.remainingTimeNSecs()
        if left <= 0:
            return left
        return (left + 999_999) // 1_000_000

    def deadlineNSecs(self) -> int:
        """The deadline in nanoseconds of the monotonic clock (the largest 64-bit value for
        Forever)."""
        return self._t1

    def deadline(self) -> int:
        """The deadline in milliseconds of the monotonic clock."""
        t1 = self._t1
        if t1 == _MAX or t1 == _MIN:
            return t1
        return int(t1 / 1_000_000)

    # ------------------------------------------------------------------ operators
    def __add__(self, msecs: int) -> QDeadlineTimer:
        if isinstance(msecs, bool) or not isinstance(msecs, int):
            return NotImplemented
        return QDeadlineTimer.addNSecs(self, msecs * 1_000_000)

    __radd__ = __add__

    def __iadd__(self, msecs: int) -> QDeadlineTimer:
        if isinstance(msecs, bool) or not isinstance(msecs, int):
            return NotImplemented
        if not self.isForever():
            self._t1 = _saturate(self._t1 + msecs * 1_000_000)
        return self

    def __sub__(self, other: Any) -> Any:
        if isinstance(other, QDeadlineTimer):
            # Qt subtracts the nanosecond counts as qint64 (wrapping) and divides.
            return int(_wrap64(self._t1 - other._t1) / 1_000_000)
        if isinstance(other, bool) or not isinstance(other, int):
            return NotImplemented
        return QDeadlineTimer.addNSecs(self, -other * 1_000_000)

    def __isub__(self, msecs: int) -> QDeadlineTimer:  # type: ignore[misc]
        if isinstance(msecs, bool) or not isinstance(msecs, int):
            return NotImplemented
        return self.__iadd__(-msecs)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QDeadlineTimer):
            return NotImplemented
        return self._t1 == other._t1

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, QDeadlineTimer):
            return NotImplemented
        return self._t1 != other._t1

    def __lt__(self, rhs: QDeadlineTimer) -> bool:
        return self._t1 < _other(rhs)._t1

    def __le__(self, rhs: QDeadlineTimer) -> bool:
        return self._t1 <= _other(rhs)._t1

    def __gt__(self, rhs: QDeadlineTimer) -> bool:
        return self._t1 > _other(rhs)._t1

    def __ge__(self, rhs: QDeadlineTimer) -> bool:
        return self._t1 >= _other(rhs)._t1

    __hash__: Any = None  # mutable value

    def __repr__(self) -> str:
        if self.isForever():
            return "<QDeadlineTimer forever>"
        return f"<QDeadlineTimer {self.remainingTime()} ms left>"


def _other(value: object) -> QDeadlineTimer:
    if not isinstance(value, QDeadlineTimer):
        raise TypeError(f"argument 1 has unexpected type '{type(value).__name__}'")
    return value


def deadline_msecs(timeout: int | QDeadlineTimer) -> int:
    """Milliseconds left for a wait given ``timeout`` as Qt's waits take it.

    An int is returned as is (-1, or any negative value, means forever to Qt's waits); a
    QDeadlineTimer gives its ``remainingTime()``: -1 for Forever, 0 once expired. Raises
    TypeError for anything else, as PyQt6 does for a wrong argument.
    """
    if isinstance(timeout, QDeadlineTimer):
        return timeout.remainingTime()
    if isinstance(timeout, bool) or not isinstance(timeout, int):
        raise TypeError(
            f"timeout: expected int or QDeadlineTimer, not '{type(timeout).__name__}'"
        )
    return timeout
