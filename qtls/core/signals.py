"""pyqtSignal, pyqtBoundSignal and pyqtSlot: PyQt6's signal declarations and connections.

Theory of operation
-------------------
``pyqtSignal`` is a non-data descriptor declared in a QObject subclass body. The first time it is
read from an instance it makes a ``pyqtBoundSignal`` and stores it in the instance ``__dict__``
under the signal's own name; because the descriptor has no ``__set__``, every later
``obj.readyRead`` is a plain instance-dict hit and never reaches Python code again. The bound
signal keeps its connections in a tuple that is replaced (copy-on-write) by connect/disconnect,
so ``emit()`` iterates without locking and without allocating, and an emit with no connection
is an argument-count check and one truth test.

The bound signal refers to its QObject through a weak reference, so caching it in the
instance does not make a reference cycle and objects are still freed by reference counting.
Connections (``qtls.core.connection``) hold bound-method slots weakly, as PyQt6 does: a
connection never keeps its receiver alive, and it drops when the receiver is collected or
deleted. Lambdas, functions and partials are held strongly.

Beyond PyQt6: ``await obj.sig`` in asyncio code waits for the next emission.

Delivery (Qt's rules):

* Direct: the slot runs in ``emit()``. Used for ``DirectConnection``, and for
  ``AutoConnection`` when the emitting thread is the slot's thread.
* Queued: ``dispatch.post()`` to the slot's thread. Used for ``QueuedConnection`` and for
  ``AutoConnection`` from another thread. ``BlockingQueuedConnection`` also waits for the slot
  to return.

The slot's thread is its receiver's, for a method of a QObject; for any other slot (function,
lambda, partial, method of another object) it is the thread that called ``connect()``, as in
PyQt6 (which routes such slots through a proxy QObject created there).

A slot that accepts fewer positional arguments than the signal sends gets the first N, as in
PyQt6; the count is read once at connect time (``inspect.signature``, or the types given to
``pyqtSlot``). A slot that raises an Exception is reported through ``sys.excepthook`` and the
remaining slots still run; KeyboardInterrupt and SystemExit propagate out of ``emit()``.
PyQt6 6.11 aborts the process (``qFatal``) when the default excepthook is installed; qtls
deliberately does not.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import types
import weakref
from collections.abc import Callable, Generator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from qtls.core.connection import (
    _AUTO,
    _BLOCKING,
    _DIRECT,
    _M_CALL,
    _M_CALL_HOME,
    _M_METHOD_AUTO,
    _M_OTHER,
    _QUEUED,
    _Connection,
    _deliver,
    _deliver_blocking,
    _get_ident,
    _lock,
    _qobject_class,
    _report_exception,
    _senders,
    _slot_arity,
)
from qtls.core.qt import Qt

if TYPE_CHECKING:
    from qtls.core.qobject import QObject

__all__ = ["pyqtSignal", "pyqtBoundSignal", "pyqtSlot", "Signal", "Slot"]

_CT = Qt.ConnectionType
_F = TypeVar("_F", bound=Callable[..., Any])


# --------------------------------------------------------------------------------- pyqtSlot


def pyqtSlot(*types: Any, name: str | None = None, result: Any = None) -> Callable[[_F], _F]:
    """Mark a method as a Qt slot (decorator), as PyQt6's ``pyqtSlot``.

    The declared types are recorded on the function (several decorators add overloads) and decide
    how many signal arguments the slot receives, as in PyQt6 (``@pyqtSlot()`` on a method that
    takes an optional argument gets none). Call behaviour is otherwise unchanged.
    """

    def decorate(func: _F) -> _F:
        overloads = list(getattr(func, "_qtls_slot_types", ()))
        overloads.append(tuple(types))
        try:
            func._qtls_slot_types = overloads  # type: ignore[attr-defined]
            func._qtls_slot_name = name  # type: ignore[attr-defined]
            func._qtls_slot_result = result  # type: ignore[attr-defined]
        except (AttributeError, TypeError):  # builtins cannot take attributes; nothing to record
            pass
        return func

    return decorate


Slot = pyqtSlot


# ------------------------------------------------------------------------------ pyqtSignal


class pyqtSignal:
    """A signal declared in a QObject subclass body: ``finished = pyqtSignal(int, str)``.

    Reading it from an instance gives that instance's ``pyqtBoundSignal``; reading it from the
    class gives the declaration itself (PyQt6's "unbound signal"). Overloads are declared with
    lists (``pyqtSignal([int], [str])``) and chosen with ``obj.sig[str]``; the first is the
    default. ``name`` overrides the Qt name; ``arguments`` names the arguments; ``revision`` is
    accepted and recorded.
    """

    __slots__ = ("types", "overloads", "name", "attr", "revision", "arguments", "notify_connect")

    def __init__(
        self,
        *types: Any,
        name: str | None = None,
        revision: int = 0,
        arguments: Sequence[str] = (),
    ) -> None:
        if types and all(isinstance(t, (list, tuple)) for t in types):
            overloads = [tuple(t) for t in types]
        else:
            overloads = [tuple(types)]
        for overload in overloads:
            for t in overload:
                if not isinstance(t, (type, str)) and t is not None:
                    raise TypeError(
                        f"pyqtSignal() argument types must be types or strings, not "
                        f"'{type(t).__name__}'"
                    )
        self.overloads: list[tuple[Any, ...]] = overloads
        self.types: tuple[Any, ...] = overloads[0]
        self.name: str | None = name
        self.attr: str | None = None
        self.revision = revision
        self.arguments: tuple[str, ...] = tuple(arguments)
        # Internal (Qt's connectNotify, for one class's chosen signals): when True, connect()
        # calls ``owner._signal_connected(attr)`` after each new connection.
        self.notify_connect = False

    def __set_name__(self, owner: type, attr: str) -> None:
        self.attr = attr
        if self.name is None:
            self.name = attr

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        # Slow path: runs once per instance and signal; afterwards the instance dict answers.
        # A server runs it several times per accepted socket, so the bound signal is built here
        # (what pyqtBoundSignal(self, obj, 0) does, without its __init__ frame).
        if not isinstance(obj, _qobject_class()):
            raise TypeError(f"{type(obj).__name__} cannot be converted to PyQt6.QtCore.QObject")
        bound = _new_bound(pyqtBoundSignal)
        bound._signal = self
        bound._ref = _weak(obj)
        bound._conns = ()
        bound._index = 0
        bound._nargs = len(self.types)
        bound._siblings = None
        # setdefault is atomic: two threads racing on the first access share one bound signal.
        return vars(obj).setdefault(self.attr or "", bound)

    @property
    def signatures(self) -> tuple[str, ...]:
        """Qt signatures of the overloads, e.g. ``('finished(int,QString)',)``."""
        return tuple(f"{self.name}({','.join(_type_name(t) for t in o)})" for o in self.overloads)

    def __repr__(self) -> str:
        return f"<unbound PYQT_SIGNAL {self.signatures[0]}>"


def _type_name(t: Any) -> str:
    if isinstance(t, str):
        return t
    if t is str:
        return "QString"
    if t is None:
        return "void"
    return getattr(t, "__qualname__", getattr(t, "__name__", repr(t)))


builtins_type = type  # connect()'s parameter named ``type`` (PyQt6's keyword) shadows it
_new_bound = object.__new__
_weak = weakref.ref
_MethodType = types.MethodType
_FunctionType = types.FunctionType
_partial = functools.partial
_AUTO_CONNECTION = _CT.AutoConnection
_new_connection = object.__new__

# -------------------------------------------------------------------------- pyqtBoundSignal


class pyqtBoundSignal:
    """A signal bound to one QObject: ``obj.sig.connect(slot)``, ``obj.sig.emit(*args)``.

    ``connect`` accepts any callable (function, bound method, lambda, functools.partial) or
    another bound signal (chaining) and returns a connection object; ``disconnect()`` removes
    all, ``disconnect(slot)`` one (``TypeError`` when not connected, as PyQt6).
    """

    __slots__ = ("_signal", "_ref", "_conns", "_nargs", "_index", "_siblings", "__weakref__")

    def __init__(self, signal: pyqtSignal, obj: QObject, index: int) -> None:
        self._signal = signal
        self._ref = weakref.ref(obj)
        self._conns: tuple[_Connection, ...] = ()
        self._index = index
        self._nargs = len(signal.overloads[index])
        self._siblings: dict[int, pyqtBoundSignal] | None = None

    # ---- emission (hot path: keep it lean)
    def emit(self, *args: Any) -> None:
        """Emit the signal: call every connected slot (direct) or post it (queued).

        Nothing happens when the owner has ``blockSignals(True)``. The argument count must
        match the declaration (``TypeError`` otherwise, as PyQt6); values are not converted.
        """
        conns = self._conns
        nargs = len(args)
        if nargs != self._nargs:
            self._bad_arguments(args)
        if not conns:
            return
        owner = self._ref()
        if owner is None or owner._qt_blocked:
            return
        tid = _get_ident()
        senders = _senders
        previous = senders.get(tid)
        senders[tid] = owner
        if len(conns) == 1:
            # Fast path for the usual emission: one plain callable (function, lambda, partial)
            # that takes every argument. Same bookkeeping (sender(), excepthook), no loop and
            # no per-connection dispatch.
            c = conns[0]
            mode = c.mode
            if (mode == _M_CALL or (mode == _M_CALL_HOME and c.home_tid == tid)) and (
                    c.nargs >= nargs):
                try:
                    c.slot(*args)
                except Exception:
                    _report_exception()
                finally:
                    senders[tid] = previous
                return
        try:
            for c in conns:
                mode = c.mode
                try:
                    if mode == _M_CALL or (mode == _M_CALL_HOME and c.home_tid == tid):
                        n = c.nargs
                        if n >= nargs:
                            c.slot(*args)
                        else:
                            c.slot(*args[:n])
                    elif mode == _M_OTHER or mode == _M_CALL_HOME:
                        self._deliver_other(c, owner, args, tid)
                    else:
                        obj = c.ref()  # type: ignore[misc]
                        if obj is None:
                            self._remove(c)  # receiver garbage-collected: PyQt6 drops it
                        elif mode == _M_METHOD_AUTO and obj._qt_tid != tid:
                            self._deliver_other(c, owner, args, tid)
                        else:
                            n = c.nargs
                            if n >= nargs:
                                c.func(obj, *args)  # type: ignore[misc]
                            else:
                                c.func(obj, *args[:n])  # type: ignore[misc]
                except Exception:
                    _report_exception()
        finally:
            senders[tid] = previous

    __call__ = emit

    def _bad_arguments(self, args: tuple[Any, ...]) -> None:
        owner = self._ref()
        cls = type(owner).__name__ if owner is not None else "?"
        sig = self._signal
        types = ",".join(_type_name(t) for t in sig.overloads[self._index])
        raise TypeError(
            f"{cls}.{sig.name}[{types}] signal has {self._nargs} argument(s) but "
            f"{len(args)} provided"
        )

    def _deliver_other(
        self, c: _Connection, owner: QObject, args: tuple[Any, ...], tid: int
    ) -> None:
        """The uncommon deliveries: single-shot, queued, blocking, Auto across threads."""
        if c.single_shot:
            with _lock:
                if c.signal is None:
                    return  # another thread fired it first
                self._remove_locked(c)
        kind = c.kind
        receiver: Any = c.ref() if c.ref is not None else None
        if c.ref is not None and receiver is None:
            self._remove(c)
            return
        qobject = _qobject_class()
        if not isinstance(receiver, qobject):
            # No receiver thread: the slot belongs to the thread that connected it (PyQt6's
            # proxy object lives there).
            if kind == _DIRECT or (kind == _AUTO and c.home_tid == tid):
                _deliver(c, owner, args)
                return
            thread = c.home
        elif kind == _DIRECT or (kind == _AUTO and receiver._qt_tid == tid):
            _deliver(c, owner, args)
            return
        else:
            thread = receiver._qt_thread
        current = threading.current_thread()
        if kind == _AUTO and thread is current and isinstance(receiver, qobject):
            # The receiver was moved to a thread before it started, so its cached ident was
            # stale: refresh it and deliver directly, as Auto means.
            receiver._qt_tid = tid
            _deliver(c, owner, args)
            return
        from qtls.core import dispatch

        if kind == _BLOCKING:
            if thread is current:
                # Qt reports a deadlock here; calling in place is the useful equivalent.
                _deliver(c, owner, args)
                return
            done = threading.Event()
            dispatch.post(thread, _deliver_blocking, c, owner, args, done)
            done.wait()
            return
        dispatch.post(thread, _deliver, c, owner, args)

    # ---- connections
    def connect(
        self,
        slot: Any,
        type: Qt.ConnectionType = _CT.AutoConnection,
        no_receiver_check: bool = False,
    ) -> _Connection:
        """Connect ``slot`` (a callable or a bound signal) and return the connection.

        ``type`` is a ``Qt.ConnectionType``: Auto (direct in the receiver's thread, queued
        otherwise), Direct, Queued, BlockingQueued, Unique (``TypeError`` if ``slot`` is
        already connected, as PyQt6) or SingleShot (disconnected before its first call).
        """
        if type is _AUTO_CONNECTION:
            slot_type = builtins_type(slot)
            if slot_type is _MethodType:
                method_owner = slot.__self__
                if isinstance(method_owner, _qobject_class()):
                    return self._connect_method(slot, method_owner)
            elif slot_type is _FunctionType or slot_type is _partial:
                return self._connect_callable(slot)
        if isinstance(slot, pyqtBoundSignal):
            nargs = slot._nargs
        elif callable(slot):
            nargs = _slot_arity(slot, self._nargs)
        else:
            raise TypeError(f"argument 1 has unexpected type '{_typename(slot)}'")
        if not isinstance(type, _CT):
            raise TypeError(f"connect() type argument has unexpected type '{_typename(type)}'")
        if type is _CT.DirectConnection:
            kind = _DIRECT
        elif type is _CT.QueuedConnection:
            kind = _QUEUED
        elif type is _CT.BlockingQueuedConnection:
            kind = _BLOCKING
        else:
            kind = _AUTO
        owner = slot._ref if isinstance(slot, pyqtBoundSignal) else None
        conn = _Connection(self, slot, nargs, kind, owner)
        if type is _CT.SingleShotConnection:
            conn.single_shot = True
            conn.mode = _M_OTHER  # keeps it off emit()'s fast path
        with _lock:
            if type is _CT.UniqueConnection and any(c.matches(slot) for c in self._conns):
                raise TypeError("connection is not unique")
            self._conns = (*self._conns, conn)
        receiver: Any = conn.ref() if conn.ref is not None else None
        if isinstance(receiver, _qobject_class()):
            self._track_incoming(receiver, conn)
        if self._signal.notify_connect:
            self._notify_connected()
        return conn

    # connect()'s two common cases with AutoConnection build the connection _Connection's
    # __init__ would build, without its general checks (applications connect per socket).

    def _connect_method(self, slot: Any, receiver: Any) -> _Connection:
        """connect() for a QObject's bound method: delivered in the receiver's thread."""
        conn = self._append_connection(None, slot.__func__, weakref.ref(receiver),
                                       _slot_arity(slot, self._nargs), _AUTO, _M_METHOD_AUTO)
        self._track_incoming(receiver, conn)
        if self._signal.notify_connect:
            self._notify_connected()
        return conn

    def _connect_callable(self, slot: Any) -> _Connection:
        """connect() for a function, lambda or functools.partial: no receiver object, so
        called directly when emitted in the connecting thread, queued to it otherwise."""
        conn = self._append_connection(slot, None, None, _slot_arity(slot, self._nargs),
                                       _AUTO, _M_CALL_HOME)
        if self._signal.notify_connect:
            self._notify_connected()
        return conn

    def _append_connection(self, slot: Any, func: Any, ref: Any, nargs: int, kind: int,
                           mode: int) -> _Connection:
        conn = _new_connection(_Connection)
        conn.signal = self
        conn.slot = slot
        conn.func = func
        conn.ref = ref
        conn.nargs = nargs
        conn.kind = kind
        conn.mode = mode
        conn.single_shot = False
        conn.home = threading.current_thread()
        conn.home_tid = _get_ident()
        with _lock:
            self._conns = (*self._conns, conn)
        return conn

    def _notify_connected(self) -> None:
        """Qt's connectNotify, for the signals that ask for it (``notify_connect``)."""
        owner: Any = self._ref()
        if owner is not None:
            owner._signal_connected(self._signal.attr)

    @staticmethod
    def _track_incoming(receiver: Any, conn: _Connection) -> None:
        """Lets the receiver drop ``conn`` when it is deleted, as Qt does."""
        incoming = receiver._qt_incoming
        if incoming is None:
            incoming = receiver._qt_incoming = []
        incoming.append(weakref.ref(conn))
        size = len(incoming)
        if size >= 32 and size & (size - 1) == 0:  # amortised pruning of dead entries
            incoming[:] = [r for r in incoming if (x := r()) is not None and x.signal]

    def disconnect(self, slot: Any = None) -> None:
        """Disconnect ``slot`` (or a connection object), or every slot when called bare.

        As PyQt6: ``TypeError`` when ``slot`` is not connected, or when there is nothing to
        disconnect at all. A slot connected several times loses one connection per call.
        """
        with _lock:
            conns = self._conns
            if slot is None:
                if not conns:
                    raise TypeError(
                        f"disconnect() failed between '{self._signal.name}' and all its connections"
                    )
                for c in conns:
                    c.signal = None
                self._conns = ()
                return
            for c in conns:
                if c.matches(slot):
                    self._remove_locked(c)
                    return
        raise TypeError(f"'{_typename(slot)}' object is not connected")

    def _remove(self, conn: _Connection) -> None:
        with _lock:
            self._remove_locked(conn)

    def _remove_locked(self, conn: _Connection) -> None:
        conn.signal = None
        self._conns = tuple(c for c in self._conns if c is not conn)

    def _receivers(self) -> int:
        return len(self._conns)

    # ---- asyncio (beyond Qt)
    def wait(self, timeout: float | None = None) -> asyncio.Future[Any]:
        """A future for the next emission, subscribed now (not in PyQt6).

        ``await sock.disconnected.wait(5)`` waits at most 5 seconds and raises
        ``asyncio.TimeoutError`` (the builtin ``TimeoutError`` on Python 3.11+) after that. The
        result is None for a signal without arguments, the value for one argument and a tuple
        for more; the emission may come from any thread. Cancelling the future (directly, or by
        cancelling the task that awaits it) disconnects it.

        Race-free on every Python: the connection is made inside this call, so an emission
        that happens after it (even one a callback already scheduled on the loop delivers
        before the awaiting task runs again) is seen. ``asyncio.wait_for(sig, t)`` on Python
        3.10 and 3.11 subscribes only when the task it creates first runs, one loop iteration
        late, and can miss such an emission; ``asyncio.wait_for(sig.wait(), t)`` cannot.

        A signal is an edge, not a level: only emissions after the call count. Create the
        future *before* the action that triggers the signal, or test the state first::

            done = sock.disconnected.wait(5)   # subscribe ...
            sock.disconnectFromHost()          # ... then act
            if sock.state() != QAbstractSocket.SocketState.UnconnectedState:
                await done
            else:
                done.cancel()                  # it had already happened
        """
        return self._subscribe(timeout)[0]

    def _subscribe(
        self, timeout: float | None
    ) -> tuple[asyncio.Future[Any], Callable[[], None]]:
        """The future of :meth:`wait` and a function that drops its connection at once."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        tid = _get_ident()

        def on_emit(*args: Any) -> None:
            value = None if not args else args[0] if len(args) == 1 else args
            if _get_ident() == tid:
                _set_result(future, value)
            else:
                loop.call_soon_threadsafe(_set_result, future, value)

        # Direct and single-shot: on_emit itself hops to the waiting loop's thread (the loop
        # of an asyncio.run() that qtls may never have seen, so not through dispatch.post).
        conn = self.connect(on_emit, _CT.DirectConnection)
        conn.single_shot = True
        conn.mode = _M_OTHER  # keeps it off emit()'s fast path
        timer = None
        if timeout is not None:
            timer = loop.call_later(max(0.0, timeout), _time_out, future, self, timeout)

        def release(_: object = None) -> None:
            if timer is not None:
                timer.cancel()
            if conn.signal is not None:
                conn.signal._remove(conn)

        future.add_done_callback(release)
        return future, release

    def __await__(self) -> Generator[Any, None, Any]:
        """``await obj.sig``: wait in asyncio code for the next emission (not in PyQt6).

        The result is None for a signal without arguments, the value for one argument and a
        tuple for more. The emission may come from any thread. Cancelling the wait disconnects
        it. For a wait with a timeout use ``await obj.sig.wait(timeout)``: on Python 3.10 and
        3.11 ``asyncio.wait_for(obj.sig, timeout)`` subscribes one loop iteration late (see
        :meth:`wait`).
        """
        future, release = self._subscribe(None)
        try:
            return (yield from future.__await__())
        finally:
            release()  # now, not from the future's done callback one iteration later

    # ---- overloads and introspection
    def __getitem__(self, key: Any) -> pyqtBoundSignal:
        """The overload whose argument types are ``key`` (a type or a tuple of types)."""
        wanted = tuple(key) if isinstance(key, tuple) else (key,)
        matches = [i for i, o in enumerate(self._signal.overloads) if o == wanted]
        if not matches:
            raise KeyError(f"there is no matching overloaded signal for {key!r}")
        index = matches[0]
        if index == self._index:
            return self
        owner = self._ref()
        if owner is None:
            raise RuntimeError("the signal's QObject has been deleted")
        base = vars(owner).get(self._signal.attr or "", self)
        if base._siblings is None:
            base._siblings = {base._index: base}
        sibling = base._siblings.get(index)
        if sibling is None:
            sibling = base._siblings[index] = pyqtBoundSignal(self._signal, owner, index)
        return sibling

    @property
    def signal(self) -> str:
        """The Qt signature with the method-code prefix PyQt6 shows, e.g. ``'2finished(int)'``."""
        return "2" + self._signal.signatures[self._index]

    def __repr__(self) -> str:
        owner = self._ref()
        return f"<bound PYQT_SIGNAL {self._signal.name} of {type(owner).__name__} object at {id(owner):#x}>"


def _set_result(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)


def _time_out(future: asyncio.Future[Any], signal: pyqtBoundSignal, timeout: float) -> None:
    if not future.done():
        future.set_exception(asyncio.TimeoutError(
            f"no {signal._signal.name} signal within {timeout:g} s"))


def _typename(obj: Any) -> str:
    return type(obj).__name__


Signal = pyqtSignal


def has_receivers(obj: Any, name: str) -> bool:
    """True when the signal ``name`` of ``obj`` has a connection. Internal, cheap: a signal
    nobody touched has no bound signal in the instance dict yet, and none is created here."""
    bound = vars(obj).get(name)
    return type(bound) is pyqtBoundSignal and bool(bound._conns)


def emit_if_connected(obj: Any, name: str, *args: Any) -> None:
    """``obj.<name>.emit(*args)``, for qtls's own emissions of signals that often have no
    receiver: a signal nobody touched has no bound signal in the instance dict (so nothing to
    call), and reading the attribute would create one just to find it unconnected (a dozen
    per accepted server socket)."""
    bound = obj.__dict__.get(name)
    if bound is not None:
        bound.emit(*args)


_SIGNAL_NAMES: dict[type, tuple[str, ...]] = {}


def _signal_names(cls: type) -> tuple[str, ...]:
    """The attribute names of every pyqtSignal declared on ``cls`` or its bases (cached)."""
    names = _SIGNAL_NAMES.get(cls)
    if names is None:
        found = {attr: None for klass in reversed(cls.__mro__)
                 for attr, value in vars(klass).items() if isinstance(value, pyqtSignal)}
        names = _SIGNAL_NAMES[cls] = tuple(found)
    return names


def _disconnect_all(obj: Any) -> int:
    """Drop every connection of every signal of ``obj`` (deletion, ``QObject.disconnect()``).

    Returns how many connections were removed.
    """
    removed = 0
    # Only the class's signal names can hold a bound signal in the instance dict:
    # looking those up beats walking a socket's ~80 instance attributes.
    instance = vars(obj)
    for name in _signal_names(type(obj)):
        value = instance.get(name)
        if value is None:
            continue
        if isinstance(value, pyqtBoundSignal):
            if not value._conns and not value._siblings:
                continue  # (most signals of a dying socket were emitted, never connected)
            signals = list(value._siblings.values()) if value._siblings else [value]
            for sig in signals:
                with _lock:
                    for c in sig._conns:
                        c.signal = None
                    removed += len(sig._conns)
                    sig._conns = ()
    return removed
