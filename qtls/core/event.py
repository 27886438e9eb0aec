"""QEvent and QTimerEvent: the event objects of QObject's event protocol.

qtls delivers signals and timers through asyncio callbacks, not events; this module exists for
the QObject event API PyQt6 programs use (``startTimer``/``timerEvent``, ``event``,
``installEventFilter``, ``QCoreApplication.sendEvent``/``postEvent``). ``QEvent.Type`` holds the
types a non-GUI program meets, with Qt's values; any integer from ``registerEventType`` or in
User..MaxUser is accepted as a type too.
"""

from __future__ import annotations

import enum
import itertools
import threading

__all__ = ["QEvent", "QTimerEvent"]

_timer_ids = itertools.count(1)  # shared by QTimer and QObject.startTimer, as in Qt
_registered = itertools.count(65535, -1)  # Qt hands out custom types from MaxUser downwards
_registered_lock = threading.Lock()


class QEvent:
    """An event: a type plus an accepted flag (accepted by default, as in Qt)."""

    class Type(enum.IntEnum):
        """Event types (the non-GUI subset of Qt's, with Qt's values)."""

        None_ = 0
        Timer = 1
        Quit = 20
        ThreadChange = 22
        MetaCall = 43
        SockAct = 50
        DeferredDelete = 52
        ChildAdded = 68
        ChildPolished = 69
        ChildRemoved = 71
        DynamicPropertyChange = 170
        User = 1000
        MaxUser = 65535

    __slots__ = ("_type", "_accepted", "_spontaneous")

    def __init__(self, type: QEvent.Type | int) -> None:
        if isinstance(type, bool) or not isinstance(type, int):
            raise TypeError(
                f"QEvent(type: QEvent.Type): argument 1 has unexpected type '{_name(type)}'"
            )
        self._type = int(type)
        self._accepted = True
        self._spontaneous = False

    def type(self) -> QEvent.Type | int:
        """The event type: a ``QEvent.Type`` member, or the int for a custom type."""
        try:
            return QEvent.Type(self._type)
        except ValueError:
            return self._type

    def accept(self) -> None:
        """Set the accepted flag."""
        self._accepted = True

    def ignore(self) -> None:
        """Clear the accepted flag."""
        self._accepted = False

    def isAccepted(self) -> bool:
        """The accepted flag."""
        return self._accepted

    def setAccepted(self, accepted: bool) -> None:
        """Set or clear the accepted flag."""
        self._accepted = bool(accepted)

    def spontaneous(self) -> bool:
        """False: qtls events always come from the program, never the window system."""
        return self._spontaneous

    def isInputEvent(self) -> bool:
        """False: qtls has no input events."""
        return False

    def isPointerEvent(self) -> bool:
        """False: qtls has no pointer events."""
        return False

    def isSinglePointEvent(self) -> bool:
        """False: qtls has no pointer events."""
        return False

    def clone(self) -> QEvent:
        """A copy of the event."""
        copy = object.__new__(type(self))
        for klass in type(self).__mro__:
            for slot in getattr(klass, "__slots__", ()):
                if hasattr(self, slot):
                    setattr(copy, slot, getattr(self, slot))
        return copy

    @staticmethod
    def registerEventType(hint: int = -1) -> int:
        """Reserve a custom event type: ``hint`` if free and in User..MaxUser, else the next
        free one from MaxUser downwards, as Qt does; -1 when none is left."""
        with _registered_lock:
            if QEvent.Type.User <= hint <= QEvent.Type.MaxUser and hint not in _taken:
                _taken.add(hint)
                return hint
            for candidate in _registered:
                if candidate < QEvent.Type.User:
                    return -1
                if candidate not in _taken:
                    _taken.add(candidate)
                    return candidate
        return -1

    def __repr__(self) -> str:
        return f"<{type(self).__name__} type={self.type()!r}>"


_taken: set[int] = set()


class QTimerEvent(QEvent):
    """The event ``QObject.startTimer`` timers deliver to ``timerEvent``."""

    __slots__ = ("_timer_id",)

    def __init__(self, timerId: int) -> None:
        super().__init__(QEvent.Type.Timer)
        self._timer_id = int(timerId)

    def timerId(self) -> int:
        """The id ``startTimer`` returned."""
        return self._timer_id


def next_timer_id() -> int:
    """A new positive timer id, unique in the process."""
    return next(_timer_ids)


def _name(obj: object) -> str:
    return type(obj).__name__
