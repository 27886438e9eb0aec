"""The same scenarios run on qtls.QtCore and on PyQt6.QtCore must give the same results."""

from __future__ import annotations

import types
from typing import Any

import pytest

import qtls.QtCore as qtls_core
from tests.core.helpers import deadline, seq

pytestmark = pytest.mark.pyqt6


@pytest.fixture(scope="module")
def pyqt() -> types.ModuleType:
    core = pytest.importorskip("PyQt6.QtCore")
    if core.QCoreApplication.instance() is None:
        # Kept on the module so that PyQt6's application object lives for the whole session.
        core._qtls_test_app = core.QCoreApplication([])
    return core


def both(pyqt: types.ModuleType) -> list[Any]:
    return [qtls_core, pyqt]


def run_loop(core: Any, ms: int) -> None:
    loop = core.QEventLoop()
    core.QTimer.singleShot(ms, loop.quit)
    loop.exec()


def scenario_fewer_args(core: Any) -> list[Any]:
    class E(core.QObject):
        sig = core.pyqtSignal(int, str)

    class R(core.QObject):
        def __init__(self) -> None:
            super().__init__()
            self.calls: list[Any] = []

        def none(self) -> None:
            self.calls.append("none")

        def one(self, a: Any) -> None:
            self.calls.append(("one", a))

        def default(self, a: Any, b: Any = "dflt", c: Any = "c") -> None:
            self.calls.append(("default", a, b, c))

        @core.pyqtSlot()
        def decorated(self, flag: bool = False) -> None:
            self.calls.append(("decorated", flag))

    e, r = E(), R()
    for slot in (r.none, r.one, r.default, r.decorated):
        e.sig.connect(slot)
    e.sig.connect(lambda: r.calls.append("lambda0"))
    e.sig.connect(lambda a, b: r.calls.append(("lambda2", a, b)))
    e.sig.emit(1, "x")
    return r.calls


def test_fewer_argument_slots_match_pyqt6(pyqt: types.ModuleType) -> None:
    ours, theirs = (scenario_fewer_args(core) for core in both(pyqt))
    assert ours == theirs


def scenario_errors(core: Any) -> list[Any]:
    class E(core.QObject):
        sig = core.pyqtSignal(int)

    e = E()
    results: list[Any] = []
    for action in (
        lambda: e.sig.disconnect(print),
        lambda: e.sig.disconnect(),
        lambda: e.sig.emit(),
        lambda: e.sig.emit(1, 2),
        lambda: e.sig.connect(1),
        lambda: e.disconnect(),
    ):
        try:
            action()
            results.append(None)
        except Exception as exc:  # the exception type is what we compare
            results.append(type(exc).__name__)
    return results


def test_error_types_match_pyqt6(pyqt: types.ModuleType) -> None:
    ours, theirs = (scenario_errors(core) for core in both(pyqt))
    assert ours == theirs


def scenario_ordering(core: Any) -> list[Any]:
    order: list[Any] = []
    core.QTimer.singleShot(0, lambda: order.append(1))
    core.QTimer.singleShot(0, lambda: order.append(2))
    core.QTimer.singleShot(3, lambda: order.append(3))
    obj = core.QObject()
    obj.destroyed.connect(lambda: order.append("deleted"))
    obj.deleteLater()
    core.QTimer.singleShot(0, lambda: order.append(4))
    run_loop(core, 40)
    return order


def test_single_shot_and_delete_later_ordering_matches_pyqt6(pyqt: types.ModuleType) -> None:
    ours, theirs = (scenario_ordering(core) for core in both(pyqt))
    assert ours == theirs == [1, 2, "deleted", 4, 3]


def scenario_destroy_tree(core: Any) -> list[Any]:
    order: list[Any] = []
    p = core.QObject()
    c = core.QObject(p)
    g = core.QObject(c)
    for name, obj in (("p", p), ("c", c), ("g", g)):
        obj.destroyed.connect(lambda *args, n=name: order.append(n))
    p.blockSignals(True)
    p.deleteLater()
    run_loop(core, 10)
    return order


def test_destroyed_order_of_a_tree_matches_pyqt6(pyqt: types.ModuleType) -> None:
    ours, theirs = (scenario_destroy_tree(core) for core in both(pyqt))
    assert ours == theirs


def scenario_nested(core: Any) -> list[Any]:
    order: list[Any] = []
    outer = core.QEventLoop()

    def slot() -> None:
        inner = core.QEventLoop()
        core.QTimer.singleShot(1, seq(lambda: order.append("outer.exit"), lambda: outer.exit(2)))
        core.QTimer.singleShot(10, seq(lambda: order.append("inner.exit"), lambda: inner.exit(5)))
        order.append(("inner", inner.exec()))

    core.QTimer.singleShot(0, slot)
    _guard = deadline(lambda: outer.exit(-1), core=core)
    order.append(("outer", outer.exec()))
    return order


def test_nested_loop_quit_order_and_codes_match_pyqt6(pyqt: types.ModuleType) -> None:
    ours, theirs = (scenario_nested(core) for core in both(pyqt))
    assert ours == theirs


def scenario_timer_state(core: Any) -> list[Any]:
    t = core.QTimer()
    states = [t.isActive(), t.remainingTime(), t.timerId(), t.interval(), t.isSingleShot()]
    t.start(200)
    states += [t.isActive(), t.timerId() > 0, t.remainingTime() > 150]
    t.setInterval(400)
    states += [t.isActive(), t.remainingTime() > 300]
    t.stop()
    states += [t.isActive(), t.remainingTime(), t.timerId()]
    return states


def test_timer_state_matches_pyqt6(pyqt: types.ModuleType) -> None:
    ours, theirs = (scenario_timer_state(core) for core in both(pyqt))
    assert ours == theirs


def scenario_weak_slots(core: Any) -> list[Any]:
    import gc

    class E(core.QObject):
        sig = core.pyqtSignal()

    calls: list[str] = []

    class Plain:
        def slot(self) -> None:
            calls.append("plain")

    class R(core.QObject):
        def slot(self) -> None:
            calls.append("qobject")

    e, p, r = E(), Plain(), R()
    e.sig.connect(p.slot)
    e.sig.connect(r.slot)
    e.sig.emit()
    del p, r
    gc.collect()
    e.sig.emit()
    return calls


def test_bound_method_slots_are_weak_as_in_pyqt6(pyqt: types.ModuleType) -> None:
    ours, theirs = (scenario_weak_slots(core) for core in both(pyqt))
    assert ours == theirs == ["plain", "qobject"]
