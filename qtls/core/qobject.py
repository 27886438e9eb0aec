"""QObject: parent/child ownership, object names, deleteLater, sender() and thread affinity.

Differences from PyQt6, on purpose:

* ``moveToThread`` takes a QThread, as in Qt, and also a ``threading.Thread`` (the thread
  behind any QThread); ``thread()`` returns the QThread of the thread the object lives in (for a
  thread qtls did not start, an adopted QThread, as Qt's QAdoptedThread).
* Deletion is cooperative: ``deleteLater()`` runs ``_destroy()`` in the object's thread loop
  (Qt's destructor: subclasses override ``_destroy`` and call ``super()._destroy()`` last, as
  C++ destructors chain). The Python object stays usable afterwards; PyQt6 would raise
  ``RuntimeError`` on any later call.
* A parent holds strong references to its children and a child to its parent, so a tree stays
  alive while any member is referenced (the garbage collector frees it afterwards).
* ``destroyed`` always carries the object (PyQt6 also allows emitting it without arguments).

Hooks for the other qtls modules: override ``_destroy`` for cleanup on deletion; ``_qt_thread``
(the owning ``threading.Thread``) and ``_qt_deleted`` may be read.
"""

from __future__ import annotations

import asyncio
import re
import threading
import warnings
import weakref
from collections.abc import Iterator
from typing import Any

from qtls.core import dispatch
from qtls.core import signals as _signals
from qtls.core.connection import _current_sender
from qtls.core.event import QEvent, QTimerEvent, next_timer_id
from qtls.core.qt import Qt
from qtls.core.signals import _Connection, pyqtBoundSignal, pyqtSignal

__all__ = ["QObject", "QEvent", "QTimerEvent"]


class QObject:
    """The base of every qtls object that has signals: Qt's QObject.

    ``QObject(parent=None)``. Children are listed in the order they were parented; an object
    lives in the thread that created it (``thread()``), which decides whether signals reach its
    slots directly or through its thread's event loop. Subclasses must call
    ``super().__init__(parent)``; they may declare ``__slots__`` or not.
    """

    destroyed = pyqtSignal(object)
    objectNameChanged = pyqtSignal(str, arguments=["objectName"])

    # Class-level defaults keep the hot paths (emit checks _qt_blocked) safe even for a subclass
    # that forgot to call QObject.__init__ before emitting.
    _qt_blocked: bool = False
    _qt_deleted: bool = False
    _qt_incoming: list[Any] | None = None
    _qt_filters: list[QObject] | None = None
    _qt_timers: dict[int, _ObjectTimer] | None = None
    _qt_posted: list[list[Any]] | None = None

    def __init__(self, parent: QObject | None = None, **kwargs: Any) -> None:
        if parent is not None and not isinstance(parent, QObject):
            raise TypeError(f"QObject(): argument 1 has unexpected type '{type(parent).__name__}'")
        thread = threading.current_thread()
        self._qt_thread: threading.Thread = thread
        self._qt_tid: int | None = thread.ident
        self._qt_parent: QObject | None = None
        self._qt_children: list[QObject] = []
        self._qt_name = ""
        self._qt_blocked = False
        self._qt_deleted = False
        self._qt_delete_posted = False
        self._qt_props: dict[str, Any] | None = None
        if parent is not None:
            self.setParent(parent)
        # PyQt6 accepts properties and signal connections as keyword arguments.
        for key, value in kwargs.items():
            attr = getattr(self, key, None)
            if isinstance(attr, pyqtBoundSignal):
                attr.connect(value)
            elif key == "objectName":
                self.setObjectName(value)
            else:
                raise AttributeError(f"'{key}' is not a Qt property or a signal")

    # ------------------------------------------------------------------ object tree
    def parent(self) -> QObject | None:
        """The parent object, or None."""
        return self._qt_parent

    def setParent(self, parent: QObject | None) -> None:
        """Make this object a child of ``parent`` (None: no parent), appended to its children.

        As Qt, a parent in another thread is refused with a warning and nothing changes.
        """
        if parent is not None and not isinstance(parent, QObject):
            raise TypeError(
                f"setParent(self, a0: Optional[QObject]): argument 1 has unexpected type "
                f"'{type(parent).__name__}'"
            )
        old = self._qt_parent
        if parent is old:
            return
        if parent is not None and parent._qt_thread is not self._qt_thread:
            warnings.warn(
                "QObject::setParent: Cannot set parent, new parent is in a different thread",
                RuntimeWarning,
                stacklevel=2,
            )
            return
        if old is not None:
            try:
                old._qt_children.remove(self)
            except ValueError:
                pass
        self._qt_parent = parent
        if parent is not None:
            parent._qt_children.append(self)

    def children(self) -> list[QObject]:
        """The direct children, in the order they were added (a new list)."""
        return list(self._qt_children)

    def _iter_children(self, recursive: bool) -> Iterator[QObject]:
        # Qt's findChildren order: breadth of each level before descending (qt_qFindChildren
        # appends direct children, then recurses into each).
        for child in self._qt_children:
            yield child
            if recursive:
                yield from child._iter_children(True)

    def findChildren(
        self,
        type: Any = None,
        name: Any = "",
        options: Qt.FindChildOption = Qt.FindChildOption.FindChildrenRecursively,
    ) -> list[Any]:
        """Children of ``type`` (a class or a tuple of classes) whose objectName is ``name``.

        ``name`` may also be a compiled ``re.Pattern`` (PyQt6 takes a QRegularExpression);
        an empty name matches every object. Searches grandchildren unless ``options`` is
        ``Qt.FindChildOption.FindDirectChildrenOnly``.
        """
        wanted: Any = QObject if type is None else type
        recursive = bool(options & Qt.FindChildOption.FindChildrenRecursively)
        found = []
        for child in self._iter_children(recursive):
            if not isinstance(child, wanted):
                continue
            if isinstance(name, re.Pattern):
                if not name.search(child._qt_name):
                    continue
            elif name and child._qt_name != name:
                continue
            found.append(child)
        return found

    def findChild(
        self,
        type: Any = None,
        name: str | None = "",
        options: Qt.FindChildOption = Qt.FindChildOption.FindChildrenRecursively,
    ) -> Any:
        """The first child that ``findChildren`` would return, or None."""
        found = self.findChildren(type, name or "", options)
        return found[0] if found else None

    # ------------------------------------------------------------------ names, properties
    def objectName(self) -> str:
        """The object's name ('' by default)."""
        return self._qt_name

    def setObjectName(self, name: str | bytes | bytearray | memoryview | None) -> None:
        """Set the object's name; emits ``objectNameChanged`` when it changes."""
        if name is None:
            text = ""
        elif isinstance(name, str):
            text = name
        elif isinstance(name, (bytes, bytearray, memoryview)):
            text = bytes(name).decode("utf-8", "replace")
        elif hasattr(name, "data") and callable(name.data):  # QByteArray
            text = bytes(name.data()).decode("utf-8", "replace")
        else:
            raise TypeError(
                f"setObjectName(self, name: Union[QByteArray, bytes, bytearray, memoryview, "
                f"Optional[str]]): argument 1 has unexpected type '{type(name).__name__}'"
            )
        if text != self._qt_name:
            self._qt_name = text
            self.objectNameChanged.emit(text)

    def setProperty(self, name: str, value: Any) -> bool:
        """Set a dynamic property; returns False as Qt does for dynamic (undeclared) ones.

        Setting None removes the property (Qt: an invalid QVariant).
        """
        if self._qt_props is None:
            self._qt_props = {}
        if value is None:
            self._qt_props.pop(name, None)
        else:
            self._qt_props[name] = value
        return False

    def property(self, name: str) -> Any:
        """A dynamic property set with ``setProperty``, or None."""
        if name == "objectName":
            return self._qt_name
        return self._qt_props.get(name) if self._qt_props else None

    def dynamicPropertyNames(self) -> list[bytes]:
        """Names of the dynamic properties, as bytes (PyQt6 returns QByteArray)."""
        return [n.encode() for n in self._qt_props] if self._qt_props else []

    def inherits(self, classname: str) -> bool:
        """True if this object's class or one of its bases is named ``classname``."""
        return any(klass.__name__ == classname for klass in type(self).__mro__)

    def isWidgetType(self) -> bool:
        """Always False: qtls has no widgets."""
        return False

    def isWindowType(self) -> bool:
        """Always False: qtls has no windows."""
        return False

    def isQuickItemType(self) -> bool:
        """Always False: qtls has no Qt Quick items."""
        return False

    # ------------------------------------------------------------------ signals
    def blockSignals(self, b: bool) -> bool:
        """Block (True) or unblock this object's signals; returns the previous state."""
        previous = self._qt_blocked
        self._qt_blocked = bool(b)
        return previous

    def signalsBlocked(self) -> bool:
        """True while signals are blocked."""
        return self._qt_blocked

    def sender(self) -> QObject | None:
        """Inside a slot invoked by a signal, the object that emitted it; otherwise None.

        Works for direct and queued deliveries. As PyQt6 (and unlike C++ Qt), it answers for any
        slot, including lambdas, because it reads the delivery in progress in this thread.
        """
        sender = _current_sender()
        return sender if isinstance(sender, QObject) else None

    def senderSignalIndex(self) -> int:
        """-1: qtls has no meta-object signal indexes."""
        return -1

    def receivers(self, signal: Any) -> int:
        """How many slots are connected to ``signal`` (a bound signal of this object)."""
        if not isinstance(signal, pyqtBoundSignal):
            raise TypeError(
                f"receivers(self, signal: PYQT_SIGNAL): argument 1 has unexpected type "
                f"'{type(signal).__name__}'"
            )
        return signal._receivers()

    def disconnect(self: Any, *args: Any) -> bool | None:  # type: ignore[misc]
        """``obj.disconnect()``: drop every connection of obj's signals (TypeError if none).

        ``QObject.disconnect(connection)``: drop one connection returned by ``connect()``;
        returns True if it was connected, False otherwise.
        """
        if isinstance(self, _Connection):
            conn = self
            signal = conn.signal
            if signal is None:
                return False
            signal._remove(conn)
            return True
        if args:
            raise TypeError("disconnect() takes no arguments on an instance")
        if _signals._disconnect_all(self) == 0:
            raise TypeError("disconnect() of all signals failed")
        return None

    # ------------------------------------------------------------------ events & timers
    def event(self, e: QEvent) -> bool:
        """Handle an event sent to this object; True if it was recognised.

        As Qt's QObject::event: Timer events go to ``timerEvent``, DeferredDelete deletes the
        object, user-range events go to ``customEvent``; others are not handled (False).
        """
        if not isinstance(e, QEvent):
            raise TypeError(
                f"event(self, a0: Optional[QEvent]): argument 1 has unexpected type "
                f"'{type(e).__name__}'"
            )
        kind = e._type
        if kind == QEvent.Type.Timer:
            self.timerEvent(e)  # type: ignore[arg-type]
        elif kind == QEvent.Type.DeferredDelete:
            self._destroy()
        elif kind >= QEvent.Type.User:
            self.customEvent(e)
        else:
            return False
        return True

    def eventFilter(self, a0: QObject | None, a1: QEvent | None) -> bool:
        """Filter events of objects this one is installed on; True stops the event there.

        The default lets every event through (False).
        """
        return False

    def installEventFilter(self, a0: QObject | None) -> None:
        """Route this object's events through ``a0.eventFilter`` first (last installed runs
        first; installing again moves it to the front). Refused, with a warning, across threads.
        """
        if a0 is None:
            return
        if not isinstance(a0, QObject):
            raise TypeError(
                f"installEventFilter(self, a0: Optional[QObject]): argument 1 has unexpected "
                f"type '{type(a0).__name__}'"
            )
        if a0._qt_thread is not self._qt_thread:
            warnings.warn(
                "QObject::installEventFilter(): Cannot filter events for objects in a different "
                "thread.",
                RuntimeWarning,
                stacklevel=2,
            )
            return
        filters = [f for f in (self._qt_filters or ()) if f is not a0]
        filters.insert(0, a0)
        self._qt_filters = filters

    def removeEventFilter(self, a0: QObject | None) -> None:
        """Stop routing events through ``a0`` (nothing happens if it was not installed)."""
        if self._qt_filters:
            self._qt_filters = [f for f in self._qt_filters if f is not a0]

    def timerEvent(self, a0: QTimerEvent | None) -> None:
        """Called for each timeout of a ``startTimer`` timer; the default does nothing."""

    def customEvent(self, a0: QEvent | None) -> None:
        """Called for user-range events; the default does nothing."""

    def childEvent(self, a0: QEvent | None) -> None:
        """Child added/removed notification; qtls does not send these (the default ignores)."""

    def startTimer(self, interval: int, timerType: Qt.TimerType = Qt.TimerType.CoarseTimer) -> int:
        """Start a repeating timer that sends a QTimerEvent every ``interval`` ms; returns its id.

        0 (with a warning) for a negative interval or from a thread other than the object's.
        The timer runs on the object's thread loop and stops when the object is deleted.
        """
        if isinstance(interval, bool) or not isinstance(interval, int):
            raise TypeError(
                f"startTimer(self, interval: int, timerType: Qt.TimerType = Qt.CoarseTimer): "
                f"argument 1 has unexpected type '{type(interval).__name__}'"
            )
        if interval < 0 or self._qt_thread is not threading.current_thread():
            warnings.warn(
                "QObject::startTimer: Timers cannot have negative intervals or be started "
                "from another thread",
                RuntimeWarning,
                stacklevel=2,
            )
            return 0
        timer = _ObjectTimer(self, interval)
        if self._qt_timers is None:
            self._qt_timers = {}
        self._qt_timers[timer.id] = timer
        return timer.id

    def killTimer(self, id: int) -> None:
        """Stop the ``startTimer`` timer ``id`` (nothing happens for an unknown id)."""
        timer = self._qt_timers.pop(id, None) if self._qt_timers else None
        if timer is not None:
            timer.cancel()

    # ------------------------------------------------------------------ threads
    def thread(self) -> Any:
        """The QThread this object lives in (an adopted QThread for a thread qtls did not
        start: the main thread, a ``threading.Thread``)."""
        return _qthread_of(self._qt_thread)

    def moveToThread(self, thread: Any) -> None:
        """Make the object (and its children) live in ``thread``: a QThread (started or not),
        or a ``threading.Thread``; None does nothing.

        As Qt: only from the object's current thread, and not for an object with a parent
        (both refused with a warning). Timers and notifiers already started stay on the loop
        they were registered with; restart them after moving. Sockets move their
        registrations to the new thread's loop.
        """
        runner = getattr(thread, "_runner", None)
        if runner is not None and isinstance(runner, threading.Thread):
            thread = runner  # a QThread: objects record the threading.Thread behind it
        if thread is not None and not isinstance(thread, threading.Thread):
            raise TypeError(
                f"moveToThread(self, thread: Optional[QThread]): argument 1 has unexpected "
                f"type '{type(thread).__name__}'"
            )
        if self._qt_parent is not None:
            warnings.warn(
                "QObject::moveToThread: Cannot move objects with a parent",
                RuntimeWarning,
                stacklevel=2,
            )
            return
        if self._qt_thread is not threading.current_thread():
            warnings.warn(
                "QObject::moveToThread: Current thread is not the object's thread",
                RuntimeWarning,
                stacklevel=2,
            )
            return
        if thread is None:
            return
        self._set_thread(thread)

    def _set_thread(self, thread: threading.Thread) -> None:
        self._qt_thread = thread
        # A thread that has not started yet has no ident; _thread_ident() fills it in later.
        self._qt_tid = thread.ident
        for child in self._qt_children:
            child._set_thread(thread)

    # ------------------------------------------------------------------ deletion
    def deleteLater(self) -> None:
        """Delete the object when control returns to its thread's event loop.

        Deletion (``_destroy``) emits ``destroyed(obj)`` even when signals are blocked, drops
        every connection to and from the object, deletes the children (each emitting its own
        ``destroyed`` after the parent's, as Qt's ~QObject does) and detaches it from its
        parent. Calling it again before deletion does nothing more. In a thread whose loop is
        not running, deletion waits until the loop runs, as in Qt.
        """
        if self._qt_delete_posted or self._qt_deleted:
            return
        self._qt_delete_posted = True
        _pending_deletes[id(self)] = self
        dispatch.post(self._qt_thread, self._destroy)

    def _destroy(self) -> None:
        """Qt's destructor. Subclasses release their resources, then call ``super()._destroy()``.

        Safe to call more than once: only the first call does anything.
        """
        if self._qt_deleted:
            return
        self._qt_deleted = True
        if self._qt_delete_posted:
            _pending_deletes.pop(id(self), None)
        self._qt_blocked = False  # Qt unblocks so that destroyed() is always emitted
        # A bound signal lives in the instance dict from its first access on: if destroyed was
        # never touched, nothing is connected to it, and building it just to emit it to nobody
        # was a per-object cost (a server's sockets die one per connection).
        bound = vars(self).get("destroyed")
        if bound is not None:
            try:
                bound.emit(self)
            except Exception:
                _signals._report_exception()
        _signals._disconnect_all(self)
        incoming = self._qt_incoming
        if incoming:
            for ref in incoming:
                conn = ref()
                if conn is not None and conn.signal is not None:
                    conn.signal._remove(conn)
            self._qt_incoming = None
        if self._qt_timers:
            for timer in self._qt_timers.values():
                timer.cancel()
            self._qt_timers = None
        self._qt_posted = None
        children, self._qt_children = self._qt_children, []
        for child in children:
            child._qt_parent = None
            child._destroy()
        self.setParent(None)

    def __repr__(self) -> str:
        name = f" objectName={self._qt_name!r}" if getattr(self, "_qt_name", "") else ""
        return f"<{type(self).__module__}.{type(self).__qualname__} object at {id(self):#x}{name}>"


_qthread_of_cached: Any = None


def _qthread_of(thread: threading.Thread) -> Any:
    """``qtls.core.thread.qthread_of``, imported on first use (QThread is a QObject)."""
    global _qthread_of_cached
    if _qthread_of_cached is None:
        from qtls.core.thread import qthread_of

        _qthread_of_cached = qthread_of
    return _qthread_of_cached(thread)


# id -> object whose deleteLater() has not run yet (the posted callback holds it alive anyway).
_pending_deletes: dict[int, QObject] = {}


def flush_deferred_deletes(thread: threading.Thread) -> None:
    """Delete now the objects of ``thread`` whose ``deleteLater`` is still pending.

    ``QCoreApplication.exec()`` calls it after ``aboutToQuit``, as Qt sends the posted
    DeferredDelete events on its way out.
    """
    for obj in [o for o in _pending_deletes.values() if o._qt_thread is thread]:
        obj._destroy()


class _ObjectTimer:
    """A ``QObject.startTimer`` timer: drift-free repeating ``call_at`` sending QTimerEvents."""

    __slots__ = ("id", "interval", "deadline", "handle", "loop", "target")

    def __init__(self, target: QObject, interval: int) -> None:
        self.id = next_timer_id()
        self.interval = interval / 1000
        self.loop = dispatch.thread_loop()
        self.target = weakref.ref(target)
        self.deadline = self.loop.time() + self.interval
        self.handle: asyncio.TimerHandle | None = self.loop.call_at(self.deadline, self.fire)

    def fire(self) -> None:
        target = self.target()
        if target is None or target._qt_deleted:
            self.handle = None
            return
        deadline = self.deadline + self.interval
        now = self.loop.time()
        self.deadline = deadline if deadline >= now else now + self.interval
        self.handle = self.loop.call_at(self.deadline, self.fire)
        try:
            send_event(target, QTimerEvent(self.id))
        except Exception:
            _signals._report_exception()

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None


def send_event(receiver: QObject, event: QEvent) -> bool:
    """Qt's ``sendEvent``: the receiver's event filters (last installed first), then ``event``."""
    for watcher in list(receiver._qt_filters or ()):
        if watcher.eventFilter(receiver, event):
            return True
    return bool(receiver.event(event))


def post_event(receiver: QObject, event: QEvent) -> None:
    """Qt's ``postEvent``: ``send_event`` later, in the receiver's thread, unless the receiver
    is deleted or ``remove_posted_events`` drops it first."""
    entry = [event, True]
    if receiver._qt_posted is None:
        receiver._qt_posted = []
    receiver._qt_posted.append(entry)
    dispatch.post(receiver._qt_thread, _deliver_posted, receiver, entry)


def _deliver_posted(receiver: QObject, entry: list[Any]) -> None:
    posted = receiver._qt_posted
    if posted is not None:
        try:
            posted.remove(entry)
        except ValueError:
            pass
    if not entry[1] or receiver._qt_deleted:
        return
    try:
        send_event(receiver, entry[0])
    except Exception:
        _signals._report_exception()


def remove_posted_events(receiver: QObject | None, event_type: int = 0) -> None:
    """Drop events posted to ``receiver`` not yet delivered (all types when ``event_type`` is
    0). qtls tracks posted events per receiver, so ``receiver=None`` drops nothing."""
    if receiver is None or not receiver._qt_posted:
        return
    for entry in receiver._qt_posted:
        if event_type == 0 or entry[0]._type == event_type:
            entry[1] = False
