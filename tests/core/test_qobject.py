"""QObject: ownership tree, names, properties, deleteLater and destroyed."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest

from qtls.QtCore import QObject, Qt, QThread, pyqtSignal
from tests.core.helpers import run_until, spin


class Named(QObject):
    ping = pyqtSignal()


def test_children_are_listed_in_creation_order_and_know_their_parent() -> None:
    p = QObject()
    a, b, c = QObject(p), QObject(p), QObject(p)
    assert p.children() == [a, b, c]
    assert a.parent() is p
    assert p.parent() is None


def test_set_parent_moves_a_child_to_the_end_of_the_new_parent() -> None:
    p1, p2 = QObject(), QObject()
    a, b = QObject(p1), QObject(p2)
    a.setParent(p2)
    assert p1.children() == []
    assert p2.children() == [b, a]
    a.setParent(None)
    assert a.parent() is None and p2.children() == [b]


def test_children_returns_a_copy() -> None:
    p = QObject()
    QObject(p)
    p.children().clear()
    assert len(p.children()) == 1


def test_parent_of_wrong_type_raises_type_error() -> None:
    with pytest.raises(TypeError):
        QObject("not an object")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        QObject().setParent(3)  # type: ignore[arg-type]


def test_object_name_change_emits_object_name_changed_once() -> None:
    o = QObject()
    got: list[str] = []
    o.objectNameChanged.connect(got.append)
    assert o.objectName() == ""
    o.setObjectName("alpha")
    o.setObjectName("alpha")
    o.setObjectName(b"beta")
    assert got == ["alpha", "beta"]
    assert o.objectName() == "beta"


def test_find_children_by_type_name_and_regex_recursively_or_not() -> None:
    root = QObject()
    a = Named(root)
    a.setObjectName("a")
    b = QObject(a)
    b.setObjectName("b")
    c = Named(b)
    c.setObjectName("c")
    assert root.findChildren(Named) == [a, c]
    assert root.findChildren(QObject, "b") == [b]
    assert root.findChildren(Named, re.compile("^[ac]$")) == [a, c]
    assert root.findChildren(QObject, "", Qt.FindChildOption.FindDirectChildrenOnly) == [a]
    assert root.findChild(Named, "c") is c
    assert root.findChild(Named, "zzz") is None


def test_dynamic_properties_round_trip_and_set_property_returns_false() -> None:
    o = QObject()
    assert o.setProperty("level", 3) is False
    assert o.property("level") == 3
    assert o.property("missing") is None
    o.setProperty("level", None)
    assert o.property("level") is None


def test_inherits_checks_class_names_up_the_hierarchy() -> None:
    n = Named()
    assert n.inherits("Named") and n.inherits("QObject")
    assert not n.inherits("QTimer")
    assert not n.isWidgetType()


def test_thread_is_the_creating_thread() -> None:
    made: list[Any] = []
    worker = threading.Thread(target=lambda: made.extend((QObject(), QThread.currentThread())))
    worker.start()
    worker.join(5)
    assert isinstance(made[1], QThread)
    assert made[0].thread() is made[1]  # Qt's adopted thread for a thread qtls did not start
    assert QObject().thread() is QThread.currentThread()


def test_parent_in_another_thread_is_refused_with_a_warning() -> None:
    parent = QObject()
    result: list[Any] = []

    def make() -> None:
        with pytest.warns(RuntimeWarning, match="different thread"):
            result.append(QObject(parent))

    worker = threading.Thread(target=make)
    worker.start()
    worker.join(5)
    assert result and result[0].parent() is None


def test_delete_later_is_deferred_to_the_loop_and_emits_destroyed_with_the_object() -> None:
    o = QObject()
    got: list[Any] = []
    o.destroyed.connect(got.append)
    o.deleteLater()
    assert got == []
    assert run_until(lambda: bool(got), 1000)
    assert got == [o]


def test_destroyed_is_emitted_even_when_signals_are_blocked() -> None:
    o = QObject()
    got: list[Any] = []
    o.destroyed.connect(got.append)
    o.blockSignals(True)
    o.deleteLater()
    assert run_until(lambda: bool(got), 1000)


def test_deleting_a_parent_deletes_children_after_the_parent_emits_destroyed() -> None:
    # PyQt6 6.11 order (checked in test_pyqt6_reference): parent first, then each child.
    p = QObject()
    p.setObjectName("p")
    c = QObject(p)
    c.setObjectName("c")
    g = QObject(c)
    g.setObjectName("g")
    order: list[str] = []
    for obj in (p, c, g):
        obj.destroyed.connect(lambda o: order.append(o.objectName()))
    p.deleteLater()
    assert run_until(lambda: len(order) == 3, 1000)
    assert order == ["p", "c", "g"]
    assert p.children() == [] and c.parent() is None


def test_deleted_object_loses_its_connections_both_ways() -> None:
    sender, receiver = Named(), Named()
    got: list[str] = []

    class Sink(QObject):
        def slot(self) -> None:
            got.append("sink")

    sink = Sink()
    sender.ping.connect(sink.slot)
    receiver.ping.connect(lambda: got.append("receiver"))
    sink.deleteLater()
    receiver.deleteLater()
    spin(20)
    sender.ping.emit()
    receiver.ping.emit()
    assert got == []


def test_delete_later_twice_deletes_once() -> None:
    o = QObject()
    got: list[Any] = []
    o.destroyed.connect(got.append)
    o.deleteLater()
    o.deleteLater()
    spin(20)
    assert got == [o]


def test_subclass_destroy_hook_runs_before_destroyed() -> None:
    order: list[str] = []

    class Resource(QObject):
        def _destroy(self) -> None:
            order.append("released")
            super()._destroy()

    r = Resource()
    r.destroyed.connect(lambda: order.append("destroyed"))
    r.deleteLater()
    assert run_until(lambda: len(order) == 2, 1000)
    assert order == ["released", "destroyed"]


def test_move_to_thread_changes_affinity_of_the_object_and_its_children() -> None:
    o = QObject()
    child = QObject(o)
    worker = threading.Thread(target=lambda: None)
    o.moveToThread(worker)
    assert o.thread() is child.thread()
    assert o.thread() is not QThread.currentThread()
    assert o.thread().isFinished() is False and o.thread().isRunning() is False
    with pytest.warns(RuntimeWarning, match="parent"):
        child.moveToThread(threading.current_thread())


def test_qobject_keyword_arguments_connect_signals_and_set_name() -> None:
    got: list[str] = []
    o = QObject(objectName="kw", objectNameChanged=got.append)
    assert o.objectName() == "kw"
    o.setObjectName("changed")
    assert got == ["changed"]
