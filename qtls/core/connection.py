"""Signal connections: how one emission reaches one slot (the machinery under signals.py).

A ``_Connection`` is decided once at connect time: which callable, how many arguments it takes,
which object's thread decides Auto delivery, and a small integer ``mode`` that lets
``pyqtBoundSignal.emit()`` run the common cases (plain callable, bound method in the emitting
thread) inline. Bound methods are held as function + weak reference to their object, as PyQt6
holds them; other callables are held strongly.

``sender()`` bookkeeping lives here too: ``_senders`` maps a thread ident to the object whose
signal is being delivered in that thread.
"""

from __future__ import annotations

import functools
import inspect
import sys
import threading
import types
import weakref
from collections.abc import Callable
from typing import Any

__all__: list[str] = []  # internal module: nothing for the QtCore façade

_UNLIMITED = 1 << 30  # "pass every argument": bigger than any signal's argument count
_CO_VARARGS = inspect.CO_VARARGS

# Connection kinds (Qt's connection types, as far as delivery is concerned).
_DIRECT = 0  # always call in emit()
_AUTO = 1  # direct if the receiver lives in the emitting thread, else queued
_QUEUED = 2  # always post to the receiver's (or emitter's) thread
_BLOCKING = 3  # post and wait

# Fast-path modes, decided once at connect time; emit() handles the first three inline.
_M_CALL = 0  # a plain callable, called directly
_M_METHOD = 1  # a weakly held bound method, called directly
_M_METHOD_AUTO = 2  # a weakly held bound method of a QObject: direct in its thread
_M_OTHER = 3  # everything else: _deliver_other()
_M_CALL_HOME = 4  # an Auto callable: direct in the thread that connected it, else queued there

_get_ident = threading.get_ident
_lock = threading.Lock()  # serialises connect/disconnect; emit never takes it


# Thread ident -> the object whose signal is being delivered in that thread (QObject.sender()).
# A plain dict keyed by get_ident() is cheaper than threading.local, and emit() needs the ident
# anyway for Auto connections.
_senders: dict[int, Any] = {}


def _current_sender() -> Any:
    """The QObject whose signal invoked the running slot in this thread, or None."""
    return _senders.get(_get_ident())


def _report_exception() -> None:
    """Report the exception a slot raised the way PyQt6 does: through ``sys.excepthook``."""
    exc_type, exc, tb = sys.exc_info()
    if exc_type is not None and exc is not None:
        sys.excepthook(exc_type, exc, tb)


_QObject: Any = None


def _qobject_class() -> Any:
    """QObject, imported on first use (qobject imports this module), then kept: this runs on
    every connect and bound-signal access, where an import statement per call showed up."""
    global _QObject
    if _QObject is None:
        from qtls.core.qobject import QObject

        _QObject = QObject
    return _QObject


class _Connection:
    """One signal→slot link; what ``connect()`` returns (PyQt6's ``QMetaObject.Connection``).

    A bound method is held as its function plus a weak reference to its object, as PyQt6
    does: connecting does not keep the receiver alive, and the connection drops when it is
    garbage-collected. Any other callable is held strongly.
    """

    __slots__ = (
        "signal",
        "slot",
        "func",
        "ref",
        "nargs",
        "kind",
        "mode",
        "single_shot",
        "home",
        "home_tid",
        "__weakref__",
    )

    def __init__(
        self,
        signal: Any,
        slot: Any,
        nargs: int,
        kind: int,
        signal_owner: weakref.ref[Any] | None = None,
    ) -> None:
        self.signal: Any = signal  # the pyqtBoundSignal, None once disconnected
        self.nargs = nargs
        self.kind = kind
        self.single_shot = False
        # A slot without a QObject receiver (function, lambda, partial, method of another
        # object) belongs, for Auto and Queued delivery, to the thread that connected it:
        # PyQt6 routes it through a proxy QObject created there.
        self.home = threading.current_thread()
        self.home_tid = _get_ident()
        qobject = _qobject_class()
        # ref: the receiver (the object whose thread decides Auto delivery), held weakly.
        self.ref: weakref.ref[Any] | None = None
        self.func: Callable[..., Any] | None = None
        self.slot: Any = slot
        if signal_owner is not None:  # chaining: the slot is another bound signal
            self.ref = signal_owner
        elif isinstance(slot, types.MethodType):
            try:
                self.ref = weakref.ref(slot.__self__)
                self.func = slot.__func__
                self.slot = None
            except TypeError:  # an object without weak references: hold the method strongly
                pass
        receiver = self.ref() if self.ref is not None else None
        if not isinstance(receiver, qobject) and self.func is None:
            self.ref = None  # only QObjects have a thread affinity
        if self.func is not None and kind == _DIRECT:
            self.mode = _M_METHOD
        elif self.func is not None and kind == _AUTO and isinstance(receiver, qobject):
            self.mode = _M_METHOD_AUTO
        elif self.ref is None and kind == _DIRECT:
            self.mode = _M_CALL
        elif self.ref is None and kind == _AUTO:
            self.mode = _M_CALL_HOME
        else:
            self.mode = _M_OTHER

    def matches(self, slot: Any) -> bool:
        """True if ``slot`` is this connection or the callable it was made with."""
        if slot is self:
            return True
        if self.func is not None:
            ref = self.ref
            return (
                getattr(slot, "__func__", None) is self.func
                and ref is not None
                and getattr(slot, "__self__", None) is ref()
            )
        return bool(self.slot == slot)

    def target(self) -> Callable[..., Any] | None:
        """The callable to invoke now, or None when the receiver is gone or deleted."""
        ref = self.ref
        if ref is None:
            return self.slot  # type: ignore[no-any-return]
        receiver = ref()
        if receiver is None or getattr(receiver, "_qt_deleted", False):
            return None
        func = self.func
        if func is None:
            return self.slot  # type: ignore[no-any-return]
        return types.MethodType(func, receiver)

    def __bool__(self) -> bool:
        """True while connected, as ``QMetaObject.Connection``'s validity."""
        return self.signal is not None

    def __repr__(self) -> str:
        state = "connected" if self.signal is not None else "disconnected"
        what = self.slot if self.func is None else self.func
        return f"<qtls Connection {state} to {what!r}>"


# (function, signal argument count, bound?) -> arity, for functions that live as long as their
# module or class: a server connects the same few methods for every connection. Functions
# made at run time (closures, lambdas in a function) are not cached: they come and go.
_ARITIES: dict[tuple[Any, int, bool], int] = {}
_ARITIES_LIMIT = 4096


def _slot_arity(slot: Callable[..., Any], signal_nargs: int) -> int:
    """How many of the signal's arguments ``slot`` takes: read once at connect time."""
    func = getattr(slot, "__func__", slot)
    if type(func) is types.FunctionType:
        if not func.__dict__:
            # A plain function: no @pyqtSlot types, __wrapped__ or __signature__ (all of them
            # live in the function's __dict__), so its code object answers. Cheaper than the
            # cache below, and it covers the lambdas and closures made per connection.
            code = func.__code__
            if code.co_flags & _CO_VARARGS:
                return _UNLIMITED
            return max(0, code.co_argcount - (slot is not func))
        key = (func, signal_nargs, slot is not func)
        cached = _ARITIES.get(key)
        if cached is not None:
            return cached
        arity = _slot_arity_uncached(slot, func, signal_nargs)
        if "<locals>" not in func.__qualname__:
            if len(_ARITIES) >= _ARITIES_LIMIT:
                _ARITIES.clear()
            _ARITIES[key] = arity
        return arity
    return _slot_arity_uncached(slot, func, signal_nargs)


def _slot_arity_uncached(slot: Callable[..., Any], func: Any, signal_nargs: int) -> int:
    overloads = getattr(func, "_qtls_slot_types", None)
    if overloads:
        # PyQt6 picks the decorated overload that matches; we take the longest that fits.
        fitting = [len(o) for o in overloads if len(o) <= signal_nargs]
        return max(fitting) if fitting else len(overloads[0])
    fast = _arity_from_code(slot, func)
    if fast is not None:
        return fast
    if type(slot) is functools.partial and not slot.keywords:
        inner = _slot_arity(slot.func, signal_nargs + len(slot.args))
        return inner if inner == _UNLIMITED else max(0, inner - len(slot.args))
    try:
        sig = inspect.signature(slot)
    except (TypeError, ValueError):  # builtins without a signature: pass everything
        return _UNLIMITED
    count = 0
    for param in sig.parameters.values():
        if param.kind is param.VAR_POSITIONAL:
            return _UNLIMITED
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


def _arity_from_code(slot: Any, func: Any) -> int | None:
    """The positional-parameter count of a plain function or bound method, from its code
    object: what inspect.signature would say, without its ~25 µs per connect. None for
    anything else (decorated functions, callable objects, builtins): those use inspect."""
    if type(func) is not types.FunctionType or hasattr(func, "__wrapped__"):
        return None
    if hasattr(func, "__signature__"):
        return None
    code = func.__code__
    if code.co_flags & inspect.CO_VARARGS:
        return _UNLIMITED
    bound = slot is not func  # a bound method: self is already given
    return max(0, code.co_argcount - (1 if bound else 0))


def _deliver(conn: _Connection, sender: Any, args: tuple[Any, ...]) -> None:
    """Call ``conn``'s slot with ``sender`` as ``sender()`` (queued deliveries, slow paths)."""
    target = conn.target()
    if target is None:
        return  # Qt drops calls to deleted receivers
    tid = _get_ident()
    previous = _senders.get(tid)
    _senders[tid] = sender
    try:
        n = conn.nargs
        if n >= len(args):
            target(*args)
        else:
            target(*args[:n])
    except Exception:
        _report_exception()
    finally:
        _senders[tid] = previous


def _deliver_blocking(
    conn: _Connection, sender: Any, args: tuple[Any, ...], done: threading.Event
) -> None:
    try:
        _deliver(conn, sender, args)
    finally:
        done.set()
