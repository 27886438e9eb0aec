"""QMetaObject.invokeMethod with Q_ARG / Q_RETURN_ARG: call a slot by name, in its thread.

Qt finds the method in the object's meta-object by name *and* argument types: a Python method
is there only when it is declared with ``@pyqtSlot(types..., result=type)``, a signal when it is
a ``pyqtSignal``, and Qt's own slots (``deleteLater``, ``QTimer.start``, ``QThread.quit``, ...)
are listed below. The argument types of the ``Q_ARG``s must be the declared ones (by their Qt
names: ``int``, ``double`` for float, ``QString`` for str, ``PyQt_PyObject`` for object); a
``Q_RETURN_ARG`` must name the declared result type.

Connection types, as in Qt: Direct calls now; Queued posts the call to the object's thread's
loop (no return value possible); BlockingQueued posts and waits for it (a deadlock, refused, in
the object's own thread); Auto is Direct in the object's thread, Queued otherwise. A failed
lookup or an impossible call logs Qt's warning and raises ``RuntimeError("QMetaObject.
invokeMethod() call failed")``, as PyQt6 does.

Where qtls differs: only ``invokeMethod`` and ``Connection`` of Qt's meta-object API exist; an
exception raised by a directly invoked slot goes to ``sys.excepthook`` (as from a signal) and
the call returns None.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

from qtls.core import dispatch
from qtls.core.connection import _Connection, _report_exception
from qtls.core.qobject import QObject
from qtls.core.qt import Qt
from qtls.core.signals import pyqtSignal

__all__ = [
    "QMetaObject",
    "QGenericArgument",
    "QGenericReturnArgument",
    "Q_ARG",
    "Q_RETURN_ARG",
]

_log = logging.getLogger("qtls")
_CT = Qt.ConnectionType
_VOID = "void"

# Qt's names for the Python types PyQt6 maps to C++ ones.
_QT_NAMES: dict[Any, str] = {
    int: "int",
    float: "double",
    str: "QString",
    bool: "bool",
    object: "PyQt_PyObject",
    bytes: "QByteArray",
    list: "QVariantList",
    dict: "QVariantMap",
    type(None): _VOID,
}

# Slots of Qt's own classes (by class name, in qtls's classes): name -> accepted argument
# type lists. PyQt6 finds these in the C++ meta-objects.
_BUILTIN_SLOTS: dict[str, dict[str, tuple[tuple[str, ...], ...]]] = {
    "QObject": {"deleteLater": ((),)},
    "QTimer": {"start": ((), ("int",)), "stop": ((),)},
    "QThread": {"start": ((), ("QThread::Priority",)), "quit": ((),), "exit": ((), ("int",)),
                "requestInterruption": ((),)},
    "QEventLoop": {"quit": ((),), "exit": ((), ("int",)), "wakeUp": ((),)},
    "QCoreApplication": {"quit": ((),), "exit": ((), ("int",))},
    "QSslSocket": {"startClientEncryption": ((),), "startServerEncryption": ((),),
                   "ignoreSslErrors": ((),)},
}


def _qt_name(t: Any) -> str:
    """The Qt name of a type given to Q_ARG, pyqtSlot or pyqtSignal."""
    if isinstance(t, str):
        return "".join(t.split())
    name = _QT_NAMES.get(t)
    if name is not None:
        return name
    return getattr(t, "__qualname__", getattr(t, "__name__", repr(t))).replace(".", "::")


def _convert(t: Any, value: Any) -> Any:
    """What PyQt6 passes for ``Q_ARG(t, value)``: numbers converted to the named type."""
    if t is int and not isinstance(value, int):
        return int(value)
    if t is float and not isinstance(value, float):
        return float(value)
    if t is bool:
        return bool(value)
    return value


class QGenericArgument:
    """One argument for ``invokeMethod``: a type and a value (made by ``Q_ARG``)."""

    __slots__ = ("_name", "_value")

    def __init__(self, type: Any = None, value: Any = None) -> None:
        self._name = _qt_name(type) if type is not None else ""
        self._value = _convert(type, value) if type is not None else None

    def __repr__(self) -> str:
        return f"Q_ARG({self._name}, {self._value!r})"


class QGenericReturnArgument:
    """Where ``invokeMethod`` returns a value of a type (made by ``Q_RETURN_ARG``)."""

    __slots__ = ("_name",)

    def __init__(self, type: Any = None) -> None:
        self._name = _qt_name(type) if type is not None else ""

    def __repr__(self) -> str:
        return f"Q_RETURN_ARG({self._name})"


def Q_ARG(type: Any, data: Any) -> QGenericArgument:
    """An argument of ``type`` (a Python type or a Qt type name) for ``invokeMethod``."""
    return QGenericArgument(type, data)


def Q_RETURN_ARG(type: Any) -> QGenericReturnArgument:
    """Ask ``invokeMethod`` to return the method's result, of ``type``."""
    return QGenericReturnArgument(type)


class _Failed(Exception):
    """An invokeMethod call that Qt refuses; the message is Qt's warning."""


def _find(obj: QObject, member: str, names: tuple[str, ...]) -> tuple[Any, str]:
    """The callable to invoke and its result type name, or _Failed."""
    cls = type(obj)
    attr = getattr(cls, member, None)
    if isinstance(attr, pyqtSignal):
        for overload in attr.overloads:
            if tuple(_qt_name(t) for t in overload) == names:
                bound = getattr(obj, member)
                if overload != attr.overloads[0]:
                    bound = bound[overload]
                return bound.emit, _VOID
    elif callable(attr):
        declared = getattr(attr, "_qtls_slot_types", None)
        if declared:
            for overload in declared:
                if tuple(_qt_name(t) for t in overload) == names:
                    result = getattr(attr, "_qtls_slot_result", None)
                    return getattr(obj, member), _VOID if result is None else _qt_name(result)
        else:
            for klass in cls.__mro__:
                signatures = _BUILTIN_SLOTS.get(klass.__name__, {}).get(member)
                if signatures is not None and names in signatures:
                    return getattr(obj, member), _VOID
    candidates = _candidates(obj, member)
    text = f"QMetaObject::invokeMethod: No such method {cls.__name__}::{member}({','.join(names)})"
    if candidates:
        text += "\nCandidates are:\n" + "\n".join(f"    {c}" for c in candidates)
    raise _Failed(text)


def _candidates(obj: QObject, member: str) -> list[str]:
    attr = getattr(type(obj), member, None)
    if isinstance(attr, pyqtSignal):
        overloads = attr.overloads
    else:
        overloads = [tuple(o) for o in getattr(attr, "_qtls_slot_types", None) or ()]
    return [f"{member}({','.join(_qt_name(t) for t in o)})" for o in overloads]


def _queued_call(ref: Any, func: Any, args: tuple[Any, ...]) -> None:
    obj = ref()
    if obj is None or obj._qt_deleted:
        return  # Qt drops calls to deleted receivers
    try:
        func(*args)
    except Exception:
        _report_exception()


def _blocking_call(func: Any, args: tuple[Any, ...], box: list[Any],
                   done: threading.Event) -> None:
    try:
        box.append(func(*args))
    except Exception:
        _report_exception()
    finally:
        done.set()


class QMetaObject:
    """Qt's meta-object, for ``QMetaObject.invokeMethod`` and ``QMetaObject.Connection`` (the
    object ``connect()`` returns)."""

    Connection = _Connection

    def __init__(self, other: QMetaObject | None = None) -> None:
        """QMetaObject() or a copy: it holds nothing in qtls."""

    @staticmethod
    def invokeMethod(obj: QObject | None, member: str, *args: Any) -> Any:
        """Call ``obj``'s slot (or emit its signal) ``member``; see the module notes.

        ``invokeMethod(obj, member[, type: Qt.ConnectionType][, ret: Q_RETURN_ARG(t)],
        Q_ARG(t, v), ...)`` (at most ten arguments). Returns the slot's result when
        ``Q_RETURN_ARG`` is given, else None.
        """
        kind, ret, values = _parse(obj, member, args)
        if obj is None:
            raise RuntimeError("QMetaObject.invokeMethod() call failed")
        try:
            return _invoke(obj, member, kind, ret, values)
        except _Failed as failure:
            _log.warning("%s", failure)
            raise RuntimeError("QMetaObject.invokeMethod() call failed") from None


def _parse(obj: Any, member: Any, args: tuple[Any, ...]) -> tuple[
        Qt.ConnectionType, QGenericReturnArgument | None, list[QGenericArgument]]:
    if obj is not None and not isinstance(obj, QObject):
        raise TypeError(
            f"invokeMethod(): argument 1 has unexpected type '{type(obj).__name__}'")
    if not isinstance(member, str):
        raise TypeError(
            f"invokeMethod(): argument 2 has unexpected type '{type(member).__name__}'")
    rest = list(args)
    kind = _CT.AutoConnection
    if rest and isinstance(rest[0], _CT):
        kind = rest.pop(0)
    ret = None
    if rest and isinstance(rest[0], QGenericReturnArgument):
        ret = rest.pop(0)
    for position, value in enumerate(rest):
        if not isinstance(value, QGenericArgument):
            raise TypeError(
                f"invokeMethod(): argument {len(args) - len(rest) + position + 3} has "
                f"unexpected type '{type(value).__name__}'")
    if len(rest) > 10:
        raise TypeError("invokeMethod(): too many arguments (at most 10 Q_ARG values)")
    return kind, ret, rest


def _invoke(obj: QObject, member: str, kind: Qt.ConnectionType,
            ret: QGenericReturnArgument | None, values: list[QGenericArgument]) -> Any:
    names = tuple(v._name for v in values)
    func, result = _find(obj, member, names)
    signature = f"{type(obj).__name__}::{member}({','.join(names)})"
    if ret is not None and ret._name != result:
        raise _Failed(
            f"QMetaMethod::invokeMethod: return type mismatch for method {signature}: "
            f"cannot convert from {result} to {ret._name} during invocation")
    call_args = tuple(v._value for v in values)
    here = obj._qt_thread is threading.current_thread()
    if kind is _CT.AutoConnection:
        kind = _CT.DirectConnection if here else _CT.QueuedConnection
    if kind is _CT.DirectConnection:
        try:
            value = func(*call_args)
        except Exception:
            _report_exception()
            return None
        return value if ret is not None else None
    if kind is _CT.QueuedConnection:
        if ret is not None:
            raise _Failed("QMetaMethod::invoke: Unable to invoke methods with return values "
                          "in queued connections")
        dispatch.post(obj._qt_thread, _queued_call, weakref.ref(obj), func, call_args)
        return None
    if kind is _CT.BlockingQueuedConnection:
        if here:
            raise _Failed(f"QMetaMethod::invoke: Dead lock detected in "
                          f"BlockingQueuedConnection: Receiver is {type(obj).__name__}")
        box: list[Any] = []
        done = threading.Event()
        dispatch.post(obj._qt_thread, _blocking_call, func, call_args, box, done)
        done.wait()
        return box[0] if ret is not None and box else None
    raise _Failed(f"QMetaObject::invokeMethod: unsupported connection type {kind.name}")
