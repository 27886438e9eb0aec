"""The connect-time arity of a slot: the code-object fast path agrees with inspect.signature."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import pytest

from qtls.core.connection import _UNLIMITED, _slot_arity
from qtls.QtCore import QObject, pyqtSignal


def _by_inspect(slot: Callable[..., Any]) -> int:
    """What the slow path computes: positional parameters, unlimited with *args."""
    count = 0
    for param in inspect.signature(slot).parameters.values():
        if param.kind is param.VAR_POSITIONAL:
            return _UNLIMITED
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


class _Receiver:
    def method(self, a: int, b: int = 0) -> None: ...

    @classmethod
    def klass(cls, a: int) -> None: ...

    @staticmethod
    def static(a: int, b: int) -> None: ...


def _plain(a: int, b: int, c: int = 0) -> None: ...


def _varargs(a: int, *rest: int) -> None: ...


def _positional_only(a: int, /, b: int) -> None: ...


def _keyword_only(a: int, *, k: int = 0) -> None: ...


def _decorated(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def _with_signature(a: int, b: int, c: int) -> None: ...


# A function whose __signature__ says less than its code: inspect (and so PyQt6's reading of
# it) wins over the code object, so the code-object shortcut must not apply.
_with_signature.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [inspect.Parameter("a", inspect.Parameter.POSITIONAL_OR_KEYWORD)])


SLOTS: dict[str, Callable[..., Any]] = {
    "signature attribute": _with_signature,
    "lambda with a bound default": lambda n, s=_Receiver: None,
    "function": _plain,
    "varargs": _varargs,
    "positional-only": _positional_only,
    "keyword-only": _keyword_only,
    "lambda": lambda x, y: None,
    "no-args lambda": lambda: None,
    "bound method": _Receiver().method,
    "classmethod": _Receiver.klass,
    "staticmethod": _Receiver.static,
    "partial": functools.partial(_plain, 1),
    "partial with keywords": functools.partial(_plain, c=3),
    "wrapped": _decorated(_positional_only),
    "builtin": print,
}


@pytest.mark.parametrize("name", sorted(SLOTS))
def test_slot_arity_agrees_with_inspect(name: str) -> None:
    slot = SLOTS[name]
    try:
        expected = _by_inspect(slot)
    except (TypeError, ValueError):
        expected = _UNLIMITED
    assert _slot_arity(slot, 3) == expected


def test_a_slot_with_fewer_parameters_gets_the_first_arguments() -> None:
    class Emitter(QObject):
        fired = pyqtSignal(int, str, int)

    got: list[tuple[Any, ...]] = []
    emitter = Emitter()
    emitter.fired.connect(lambda a: got.append((a,)))
    emitter.fired.connect(functools.partial(lambda tag, a, b: got.append((tag, a, b)), "p"))
    emitter.fired.connect(lambda *all_args: got.append(all_args))
    emitter.fired.emit(1, "two", 3)
    assert got == [(1,), ("p", 1, "two"), (1, "two", 3)]


class _Overloaded(QObject):
    one = pyqtSignal(int)
    two = pyqtSignal(int, str)

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[Any, ...]] = []

    from qtls.QtCore import pyqtSlot as _slot

    @_slot(int)
    @_slot(int, str)
    def overloaded(self, *args: Any) -> None:
        self.calls.append(args)

    def plain(self, value: int) -> None:
        self.calls.append((value,))


def test_cached_arity_depends_on_the_signal_connected_to() -> None:
    # The arity cache is keyed by the signal's argument count: a slot with overloads takes
    # one argument from a one-argument signal and two from a two-argument one, in any order.
    for _ in range(2):  # the second round answers from the cache
        obj = _Overloaded()
        obj.two.connect(obj.overloaded)
        obj.one.connect(obj.overloaded)
        obj.two.emit(1, "a")
        obj.one.emit(2)
        assert obj.calls == [(1, "a"), (2,)]


def test_cached_arity_of_a_method_is_not_the_arity_of_its_function() -> None:
    obj = _Overloaded()
    assert _slot_arity(obj.plain, 2) == 1  # bound: self is given
    assert _slot_arity(_Overloaded.plain, 2) == 2  # the function itself takes self too
    assert _slot_arity(obj.plain, 2) == 1
