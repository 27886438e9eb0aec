"""The Qt namespace: the enums from it that networking programs use.

PyQt6 exposes ``Qt`` as a namespace class whose enums are Python ``enum.Enum`` types
(``Qt.ConnectionType.QueuedConnection``). We keep the same shape and the same integer values.
"""

from __future__ import annotations

import enum

from qtls.core.qdatetime import DateFormat as _DateFormat
from qtls.core.qdatetime import TimeSpec as _TimeSpec

__all__ = ["Qt"]


class Qt:
    """Qt's global namespace: ConnectionType, TimerType, FindChildOption, TimeSpec and DateFormat."""

    class ConnectionType(enum.Enum):
        """How a signal reaches a slot (``pyqtBoundSignal.connect(slot, type=...)``)."""

        AutoConnection = 0
        DirectConnection = 1
        QueuedConnection = 2
        BlockingQueuedConnection = 3
        UniqueConnection = 128
        SingleShotConnection = 256

    class TimerType(enum.Enum):
        """Timer accuracy. qtls schedules every kind on the asyncio loop with the same precision."""

        PreciseTimer = 0
        CoarseTimer = 1
        VeryCoarseTimer = 2

    class FindChildOption(enum.Flag):
        """Whether ``QObject.findChild(ren)`` searches grandchildren too."""

        FindDirectChildrenOnly = 0
        FindChildrenRecursively = 1

    # Defined beside QDateTime, which is what uses them; Qt scopes them in its namespace.
    TimeSpec = _TimeSpec
    DateFormat = _DateFormat
