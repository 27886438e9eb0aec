"""qtls.QtCore: the part of PyQt6.QtCore that networking programs use.

A thin façade that imports a class's module when the class is first used (PEP 562), as
:mod:`qtls.QtNetwork` does. ``from qtls.QtCore import *`` and ``dir()`` still see every name;
type checkers read the real imports in the ``TYPE_CHECKING`` block.
"""

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from qtls.core.signals import pyqtSignal as pyqtSignal, pyqtBoundSignal as pyqtBoundSignal, pyqtSlot as pyqtSlot, Signal as Signal, Slot as Slot
    from qtls.core.qobject import QObject as QObject, QEvent as QEvent, QTimerEvent as QTimerEvent
    from qtls.core.qt import Qt as Qt
    from qtls.core.application import QCoreApplication as QCoreApplication
    from qtls.core.eventloop import QEventLoop as QEventLoop
    from qtls.core.timer import QTimer as QTimer
    from qtls.core.socketnotifier import QSocketNotifier as QSocketNotifier
    from qtls.core.iodevice import QIODeviceBase as QIODeviceBase, QIODevice as QIODevice
    from qtls.core.bytearray import QByteArray as QByteArray
    from qtls.core.qdatetime import QDateTime as QDateTime
    from qtls.core.cryptographichash import QCryptographicHash as QCryptographicHash
    from qtls.core.elapsedtimer import QElapsedTimer as QElapsedTimer
    from qtls.core.deadlinetimer import QDeadlineTimer as QDeadlineTimer
    from qtls.core.thread import QThread as QThread
    from qtls.core.datastream import QDataStream as QDataStream
    from qtls.core.metaobject import QMetaObject as QMetaObject, QGenericArgument as QGenericArgument, QGenericReturnArgument as QGenericReturnArgument, Q_ARG as Q_ARG, Q_RETURN_ARG as Q_RETURN_ARG

# Each public name and the module that defines it (tests check this against the modules' __all__).
_MODULES: dict[str, str] = {
    "pyqtSignal": "qtls.core.signals",
    "pyqtBoundSignal": "qtls.core.signals",
    "pyqtSlot": "qtls.core.signals",
    "Signal": "qtls.core.signals",
    "Slot": "qtls.core.signals",
    "QObject": "qtls.core.qobject",
    "QEvent": "qtls.core.qobject",
    "QTimerEvent": "qtls.core.qobject",
    "Qt": "qtls.core.qt",
    "QCoreApplication": "qtls.core.application",
    "QEventLoop": "qtls.core.eventloop",
    "QTimer": "qtls.core.timer",
    "QSocketNotifier": "qtls.core.socketnotifier",
    "QIODeviceBase": "qtls.core.iodevice",
    "QIODevice": "qtls.core.iodevice",
    "QByteArray": "qtls.core.bytearray",
    "QDateTime": "qtls.core.qdatetime",
    "QCryptographicHash": "qtls.core.cryptographichash",
    "QElapsedTimer": "qtls.core.elapsedtimer",
    "QDeadlineTimer": "qtls.core.deadlinetimer",
    "QThread": "qtls.core.thread",
    "QDataStream": "qtls.core.datastream",
    "QMetaObject": "qtls.core.metaobject",
    "QGenericArgument": "qtls.core.metaobject",
    "QGenericReturnArgument": "qtls.core.metaobject",
    "Q_ARG": "qtls.core.metaobject",
    "Q_RETURN_ARG": "qtls.core.metaobject",
}

__all__ = list(_MODULES)


def __getattr__(name: str) -> _typing.Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'qtls.QtCore' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value  # the next lookup is an ordinary global
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
