"""pyqtSignal / pyqtBoundSignal / pyqtSlot semantics, as PyQt6 users write them."""

from __future__ import annotations

import functools
import sys
from typing import Any

import pytest

from qtls.QtCore import QObject, Qt, Signal, Slot, pyqtBoundSignal, pyqtSignal, pyqtSlot


class Emitter(QObject):
    none = pyqtSignal()
    one = pyqtSignal(int)
    two = pyqtSignal(int, str)
    listed = pyqtSignal(list)
    over = pyqtSignal([int], [str])
    aliased = Signal(int)


class Receiver(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[Any, ...]] = []

    def take_all(self, *args: Any) -> None:
        self.calls.append(args)

    def take_one(self, x: int) -> None:
        self.calls.append((x,))

    def take_none(self) -> None:
        self.calls.append(())

    @pyqtSlot()
    def decorated_none(self, checked: bool = False) -> None:
        self.calls.append(("decorated", checked))


def test_class_attribute_is_the_declaration_and_instance_attribute_is_bound() -> None:
    e = Emitter()
    assert isinstance(Emitter.one, pyqtSignal)
    assert isinstance(e.one, pyqtBoundSignal)
    assert e.one == e.one
    assert Emitter.two.signatures == ("two(int,QString)",)
    assert Signal is pyqtSignal and Slot is pyqtSlot


def test_bound_signals_of_two_instances_are_independent() -> None:
    a, b = Emitter(), Emitter()
    got: list[int] = []
    a.one.connect(got.append)
    b.one.emit(1)
    a.one.emit(2)
    assert got == [2]


def test_connect_accepts_function_lambda_partial_and_bound_method() -> None:
    e, r = Emitter(), Receiver()
    got: list[Any] = []

    def function(x: int, s: str) -> None:
        got.append(("function", x, s))

    e.two.connect(function)
    e.two.connect(lambda x, s: got.append(("lambda", x, s)))
    e.two.connect(functools.partial(lambda tag, x, s: got.append((tag, x, s)), "partial"))
    e.two.connect(r.take_all)
    e.two.emit(3, "z")
    assert got == [("function", 3, "z"), ("lambda", 3, "z"), ("partial", 3, "z")]
    assert r.calls == [(3, "z")]


def test_slot_taking_fewer_arguments_gets_the_first_ones() -> None:
    e, r = Emitter(), Receiver()
    e.two.connect(r.take_one)
    e.two.connect(r.take_none)
    e.two.connect(lambda: r.calls.append(("lambda-none",)))
    e.two.emit(7, "ignored")
    assert r.calls == [(7,), (), ("lambda-none",)]


def test_slot_arity_is_read_once_at_connect_time() -> None:
    e = Emitter()
    got: list[Any] = []

    class Counting:
        calls = 0

        def __call__(self, x: int) -> None:
            got.append(x)

    slot = Counting()
    e.two.connect(slot)
    # Changing the callable's signature after connect does not change what it receives.
    Counting.__call__ = lambda self, *a: got.append(a)  # type: ignore[method-assign]
    e.two.emit(1, "a")
    assert got == [(1,)]


def test_pyqtslot_types_decide_how_many_arguments_are_passed() -> None:
    e, r = Emitter(), Receiver()
    e.one.connect(r.decorated_none)
    e.one.emit(5)
    assert r.calls == [("decorated", False)]
    assert r.decorated_none.__name__ == "decorated_none"  # the decorator keeps the function


def test_signal_to_signal_chaining_forwards_arguments() -> None:
    a, b = Emitter(), Emitter()
    got: list[Any] = []
    a.two.connect(b.two)
    b.two.connect(lambda x, s: got.append((x, s)))
    a.two.emit(1, "chained")
    assert got == [(1, "chained")]


def test_emit_with_wrong_argument_count_raises_type_error() -> None:
    e = Emitter()
    with pytest.raises(TypeError, match="1 argument"):
        e.one.emit()
    with pytest.raises(TypeError, match="2 provided"):
        e.one.emit(1, 2)


def test_disconnect_one_slot_leaves_the_others() -> None:
    e = Emitter()
    got: list[str] = []

    def first(x: int) -> None:
        got.append("first")

    def second(x: int) -> None:
        got.append("second")

    e.one.connect(first)
    e.one.connect(second)
    e.one.disconnect(first)
    e.one.emit(0)
    assert got == ["second"]


def test_disconnect_bound_method_uses_equality_not_identity() -> None:
    e, r = Emitter(), Receiver()
    e.one.connect(r.take_one)
    e.one.disconnect(r.take_one)  # a new bound-method object, equal to the connected one
    e.one.emit(1)
    assert r.calls == []


def test_disconnect_slot_that_is_not_connected_raises_type_error() -> None:
    e = Emitter()
    with pytest.raises(TypeError, match="not connected"):
        e.one.disconnect(print)


def test_disconnect_all_then_again_raises_type_error() -> None:
    e = Emitter()
    got: list[int] = []
    e.one.connect(got.append)
    e.one.connect(got.append)
    e.one.disconnect()
    e.one.emit(1)
    assert got == []
    with pytest.raises(TypeError, match="all its connections"):
        e.one.disconnect()


def test_disconnect_by_connection_object() -> None:
    e = Emitter()
    got: list[int] = []
    conn = e.one.connect(got.append)
    assert conn
    assert QObject.disconnect(conn) is True
    assert not conn
    assert QObject.disconnect(conn) is False
    e.one.emit(1)
    assert got == []


def test_qobject_disconnect_drops_every_signal_connection() -> None:
    e = Emitter()
    got: list[Any] = []
    e.one.connect(got.append)
    e.none.connect(lambda: got.append("none"))
    e.disconnect()
    e.one.emit(1)
    e.none.emit()
    assert got == []
    with pytest.raises(TypeError):
        e.disconnect()


def test_connect_non_callable_raises_type_error() -> None:
    with pytest.raises(TypeError):
        Emitter().one.connect(1)


def test_unique_connection_refuses_a_duplicate() -> None:
    e = Emitter()
    got: list[int] = []
    e.one.connect(got.append, Qt.ConnectionType.UniqueConnection)
    with pytest.raises(TypeError, match="unique"):
        e.one.connect(got.append, Qt.ConnectionType.UniqueConnection)
    e.one.emit(4)
    assert got == [4]


def test_single_shot_connection_fires_once() -> None:
    e = Emitter()
    got: list[int] = []
    e.one.connect(got.append, type=Qt.ConnectionType.SingleShotConnection)
    e.one.emit(1)
    e.one.emit(2)
    assert got == [1]


def test_slot_connected_during_emit_is_not_called_by_that_emit() -> None:
    e = Emitter()
    got: list[str] = []

    def late() -> None:
        got.append("late")

    def first() -> None:
        got.append("first")
        e.none.connect(late)

    e.none.connect(first)
    e.none.emit()
    assert got == ["first"]
    e.none.emit()
    assert got == ["first", "first", "late"]


def test_slot_disconnecting_itself_during_emit_is_safe() -> None:
    e = Emitter()
    got: list[str] = []

    def once() -> None:
        got.append("once")
        e.none.disconnect(once)

    e.none.connect(once)
    e.none.connect(lambda: got.append("other"))
    e.none.emit()
    e.none.emit()
    assert got == ["once", "other", "other"]


def test_block_signals_suppresses_emission_and_returns_previous_state() -> None:
    e = Emitter()
    got: list[int] = []
    e.one.connect(got.append)
    assert e.blockSignals(True) is False
    assert e.signalsBlocked()
    e.one.emit(1)
    assert e.blockSignals(False) is True
    e.one.emit(2)
    assert got == [2]


def test_sender_is_the_emitter_inside_the_slot_and_none_outside() -> None:
    e, r = Emitter(), Receiver()
    seen: list[Any] = []
    e.none.connect(lambda: seen.append(r.sender()))
    e.none.emit()
    assert seen == [e]
    assert r.sender() is None


def test_sender_is_restored_after_a_nested_emit() -> None:
    outer, inner, r = Emitter(), Emitter(), Receiver()
    seen: list[Any] = []
    inner.none.connect(lambda: seen.append(r.sender()))

    def slot() -> None:
        inner.none.emit()
        seen.append(r.sender())

    outer.none.connect(slot)
    outer.none.emit()
    assert seen == [inner, outer]


def test_raising_slot_is_reported_to_excepthook_and_later_slots_still_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    e = Emitter()
    reported: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "excepthook", lambda t, v, tb: reported.append(t))
    got: list[int] = []

    def bad(x: int) -> None:
        raise ValueError("boom")

    e.one.connect(bad)
    e.one.connect(got.append)
    e.one.emit(1)
    assert reported == [ValueError]
    assert got == [1]
    e.one.emit(2)  # the emitter is not left in a broken state
    assert got == [1, 2]


def test_overloaded_signal_selects_by_type_and_defaults_to_the_first() -> None:
    e = Emitter()
    got: list[Any] = []
    e.over.connect(lambda v: got.append(("int", v)))
    e.over[str].connect(lambda v: got.append(("str", v)))
    e.over.emit(1)
    e.over[str].emit("s")
    assert got == [("int", 1), ("str", "s")]
    assert e.over[int] is e.over


def test_signal_on_a_non_qobject_raises_type_error() -> None:
    class Plain:
        sig = pyqtSignal()

    with pytest.raises(TypeError):
        Plain().sig  # noqa: B018


def test_connections_are_stored_per_instance_and_survive_repeated_access() -> None:
    e = Emitter()
    got: list[int] = []
    sig = e.one
    sig.connect(got.append)
    e.one.emit(1)
    sig.emit(2)
    assert got == [1, 2]
    assert e.receivers(e.one) == 1


def test_subclass_with_slots_can_declare_signals() -> None:
    class Slotted(QObject):
        __slots__ = ("value",)
        changed = pyqtSignal(int)

        def __init__(self) -> None:
            super().__init__()
            self.value = 0

    s = Slotted()
    got: list[int] = []
    s.changed.connect(got.append)
    s.changed.emit(9)
    assert got == [9]


def test_cached_bound_signal_does_not_make_a_reference_cycle() -> None:
    import gc
    import weakref

    e = Emitter()
    e.one.connect(print)
    ref = weakref.ref(e)
    gc.disable()
    try:
        del e
        assert ref() is None  # freed by reference counting alone
    finally:
        gc.enable()


def test_bound_method_slots_do_not_keep_their_objects_alive_as_in_pyqt6() -> None:
    import gc
    import weakref

    class Plain:
        def slot(self, x: int) -> None:
            raise AssertionError("called after its object was collected")

    e, plain, receiver = Emitter(), Plain(), Receiver()
    e.one.connect(plain.slot)
    e.one.connect(receiver.take_one)
    refs: list[weakref.ref[Any]] = [weakref.ref(plain), weakref.ref(receiver)]
    del plain, receiver
    gc.collect()
    assert [r() for r in refs] == [None, None]
    e.one.emit(1)  # the dead connections are dropped, not called
    assert e.receivers(e.one) == 0


def test_lambda_slots_are_held_strongly() -> None:
    import gc

    e = Emitter()
    got: list[int] = []
    e.one.connect(lambda x: got.append(x))
    gc.collect()
    e.one.emit(3)
    assert got == [3]


# -------------------------------------------------------------- internal emission helpers


class _RelaySource(QObject):
    changed = pyqtSignal(int)
    other = pyqtSignal()


def test_has_receivers_answers_without_creating_a_bound_signal() -> None:
    from qtls.core.signals import has_receivers

    source = _RelaySource()
    assert not has_receivers(source, "changed")
    assert "changed" not in vars(source)  # nothing was created to answer
    connection = source.changed.connect(lambda value: None)
    assert has_receivers(source, "changed")
    QObject.disconnect(connection)
    assert not has_receivers(source, "changed")


def test_emit_if_connected_calls_slots_and_creates_nothing_otherwise() -> None:
    from qtls.core.signals import emit_if_connected

    source = _RelaySource()
    emit_if_connected(source, "changed", 1)
    assert "changed" not in vars(source)  # unconnected: no bound signal made to find that out
    seen: list[int] = []
    source.changed.connect(seen.append)
    emit_if_connected(source, "changed", 2)
    assert seen == [2]
    with pytest.raises(TypeError):
        emit_if_connected(source, "changed")  # a connected signal still checks its arguments


def test_bound_signal_made_on_first_access_is_kept_and_bound_to_its_object() -> None:
    source = _RelaySource()
    bound = source.changed
    assert isinstance(bound, pyqtBoundSignal)
    assert source.changed is bound  # the instance dict answers from now on
    seen: list[int] = []
    bound.connect(seen.append)
    source.changed.emit(5)
    assert seen == [5]
    with pytest.raises(TypeError, match="cannot be converted"):
        _RelaySource.changed.__get__(object(), object)


def test_functions_lambdas_and_partials_connected_by_default_are_direct_and_disconnectable() -> None:
    # (connect() builds these connections on a shorter path: the same connection as before.)
    source = _RelaySource()
    seen: list[tuple[str, int]] = []

    def function(value: int) -> None:
        seen.append(("function", value))

    lam = lambda value: seen.append(("lambda", value))  # noqa: E731
    part = functools.partial(lambda tag, value: seen.append((tag, value)), "partial")
    connections = [source.changed.connect(slot) for slot in (function, lam, part)]
    assert all(connections)
    source.changed.emit(1)
    assert seen == [("function", 1), ("lambda", 1), ("partial", 1)]
    source.changed.disconnect(lam)
    assert not connections[1] and connections[0] and connections[2]
    source.changed.emit(2)
    assert seen[3:] == [("function", 2), ("partial", 2)]
    with pytest.raises(TypeError):
        source.changed.connect(lam, Qt.ConnectionType.UniqueConnection)
        source.changed.connect(lam, Qt.ConnectionType.UniqueConnection)
