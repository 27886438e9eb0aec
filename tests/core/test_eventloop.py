"""QEventLoop and QCoreApplication: exec/quit/exit, nested loops, processEvents."""

from __future__ import annotations

from typing import Any

import pytest

from qtls.QtCore import QCoreApplication, QEventLoop, QObject, QTimer
from tests.core.helpers import deadline, seq


def test_exec_returns_the_exit_code() -> None:
    loop = QEventLoop()
    QTimer.singleShot(0, lambda: loop.exit(4))
    assert loop.exec() == 4
    assert not loop.isRunning()


def test_quit_before_exec_does_nothing_and_is_running_is_true_inside() -> None:
    loop = QEventLoop()
    loop.quit()
    seen: list[bool] = []
    QTimer.singleShot(0, seq(lambda: seen.append(loop.isRunning()), lambda: loop.exit(1)))
    assert loop.exec() == 1
    assert seen == [True]


def test_nested_loop_inside_a_slot_returns_to_the_outer_loop() -> None:
    outer = QEventLoop()
    order: list[Any] = []

    def slot() -> None:
        inner = QEventLoop()
        QTimer.singleShot(5, lambda: inner.exit(7))
        QTimer.singleShot(0, lambda: order.append("inner ran a zero timer"))
        order.append(("inner", inner.exec()))
        QTimer.singleShot(0, lambda: outer.exit(3))

    QTimer.singleShot(0, slot)
    _guard = deadline(lambda: outer.exit(-99))
    assert outer.exec() == 3
    assert order == ["inner ran a zero timer", ("inner", 7)]


def test_outer_quit_while_inner_runs_takes_effect_after_inner_returns() -> None:
    outer = QEventLoop()
    order: list[str] = []

    def slot() -> None:
        inner = QEventLoop()
        QTimer.singleShot(1, seq(lambda: order.append("outer.exit"), lambda: outer.exit(2)))
        QTimer.singleShot(20, seq(lambda: order.append("inner.quit"), lambda: inner.quit()))
        inner.exec()
        order.append("inner returned")

    QTimer.singleShot(0, slot)
    _guard = deadline(lambda: outer.exit(-99))
    assert outer.exec() == 2
    assert order == ["outer.exit", "inner.quit", "inner returned"]


def test_three_levels_of_nesting_unwind_in_order() -> None:
    top = QEventLoop()
    codes: list[int] = []

    def level(depth: int) -> None:
        loop = QEventLoop()
        if depth < 3:
            QTimer.singleShot(0, lambda: level(depth + 1))
        QTimer.singleShot(depth, lambda: loop.exit(depth))
        codes.append(loop.exec())
        if depth == 1:
            top.exit(10)

    QTimer.singleShot(0, lambda: level(1))
    _guard = deadline(lambda: top.exit(-99))
    assert top.exec() == 10
    assert codes == [3, 2, 1]


def test_exec_of_a_running_loop_returns_minus_one() -> None:
    loop = QEventLoop()
    seen: list[int] = []
    QTimer.singleShot(0, seq(lambda: seen.append(loop.exec()), lambda: loop.quit()))
    loop.exec()
    assert seen == [-1]


def test_process_events_runs_ready_callbacks_without_blocking() -> None:
    got: list[int] = []
    QTimer.singleShot(0, lambda: got.append(1))
    assert QEventLoop().processEvents() is True
    assert got == [1]
    QCoreApplication.processEvents()  # nothing pending: returns at once


def test_process_events_inside_a_slot_runs_the_outer_loop_once() -> None:
    outer = QEventLoop()
    got: list[str] = []

    def slot() -> None:
        QTimer.singleShot(0, lambda: got.append("posted"))
        outer.processEvents()
        got.append("after processEvents")
        outer.quit()

    QTimer.singleShot(0, slot)
    _guard = deadline(lambda: outer.exit(-99))
    outer.exec()
    assert got == ["posted", "after processEvents"]


def test_process_events_wait_for_more_events_blocks_until_a_timer_fires() -> None:
    got: list[int] = []
    QTimer.singleShot(10, lambda: got.append(1))
    flags = QEventLoop.ProcessEventsFlag.WaitForMoreEvents
    for _ in range(100):  # each call blocks until something happens: bounded by the count
        QEventLoop().processEvents(flags)
        if got:
            break
    assert got == [1]


def test_exec_rejects_a_wrong_flags_type() -> None:
    with pytest.raises(TypeError):
        QEventLoop().exec(3)  # type: ignore[arg-type]


def test_process_events_flag_values_match_qt() -> None:
    f = QEventLoop.ProcessEventsFlag
    assert [f.AllEvents.value, f.ExcludeUserInputEvents.value] == [0, 1]
    assert [f.ExcludeSocketNotifiers.value, f.WaitForMoreEvents.value] == [2, 4]


# ------------------------------------------------------------------ QCoreApplication


def test_application_is_a_singleton(app: QCoreApplication) -> None:
    assert QCoreApplication.instance() is app
    with pytest.raises(RuntimeError):
        QCoreApplication([])


def test_application_exec_runs_until_quit_and_emits_about_to_quit(
    app: QCoreApplication,
) -> None:
    order: list[str] = []
    conn = app.aboutToQuit.connect(lambda: order.append("aboutToQuit"))
    QTimer.singleShot(0, seq(lambda: order.append("slot"), lambda: QCoreApplication.quit()))
    _guard = deadline(lambda: QCoreApplication.exit(-99))
    try:
        assert QCoreApplication.exec() == 0
    finally:
        QObject.disconnect(conn)
    assert order == ["slot", "aboutToQuit"]


def test_application_exit_code_and_exit_leaves_nested_loops(app: QCoreApplication) -> None:
    results: list[Any] = []

    def slot() -> None:
        inner = QEventLoop()
        QTimer.singleShot(0, lambda: QCoreApplication.exit(5))
        results.append(("inner", inner.exec()))
        # Qt: while the application is quitting, a new loop returns at once.
        results.append(("new", QEventLoop().exec()))

    QTimer.singleShot(0, slot)
    _guard = deadline(lambda: QCoreApplication.exit(-99))
    assert app.exec() == 5
    assert results == [("inner", 5), ("new", -1)]


def test_application_quit_before_exec_is_ignored(app: QCoreApplication) -> None:
    QCoreApplication.quit()
    QTimer.singleShot(5, lambda: QCoreApplication.exit(8))
    _guard = deadline(lambda: QCoreApplication.exit(-99))
    assert QCoreApplication.exec() == 8


def test_application_arguments_and_names(app: QCoreApplication) -> None:
    assert QCoreApplication.arguments() == app._argv
    try:
        QCoreApplication.setOrganizationName("qtls")
        QCoreApplication.setApplicationVersion("1.2")
        QCoreApplication.setApplicationName("demo")
        assert QCoreApplication.organizationName() == "qtls"
        assert QCoreApplication.applicationVersion() == "1.2"
        assert QCoreApplication.applicationName() == "demo"
    finally:  # application-wide state: leave it as found for the rest of the suite
        QCoreApplication.setOrganizationName("")
        QCoreApplication.setApplicationVersion("")
        QCoreApplication.setApplicationName(None)
    assert QCoreApplication.applicationPid() > 0
    assert not QCoreApplication.startingUp()


def test_application_object_can_be_replaced_once_released() -> None:
    # Run in a subprocess: this process's application object is shared by the suite.
    import subprocess
    import sys

    code = (
        "import gc\n"
        "from qtls.QtCore import QCoreApplication\n"
        "a = QCoreApplication(['x'])\n"
        "del a; gc.collect()\n"
        "assert QCoreApplication.instance() is None\n"
        "b = QCoreApplication(['y'])\n"
        "print(QCoreApplication.applicationName())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "y"


def test_objects_deleted_later_in_about_to_quit_are_deleted_before_exec_returns(
    app: QCoreApplication,
) -> None:
    doomed = QObject()
    got: list[Any] = []
    doomed.destroyed.connect(got.append)
    conn = app.aboutToQuit.connect(doomed.deleteLater)
    QTimer.singleShot(0, QCoreApplication.quit)
    _guard = deadline(lambda: QCoreApplication.exit(-99))
    try:
        assert QCoreApplication.exec() == 0
    finally:
        QObject.disconnect(conn)
    assert got == [doomed]


def test_nested_loop_started_mid_batch_leaves_the_outer_batch_consistent() -> None:
    # The outer iteration has three ready callbacks; the first runs a nested loop that consumes
    # the other two. The outer iteration must neither fail nor run them twice.
    outer = QEventLoop()
    order: list[str] = []

    def first() -> None:
        inner = QEventLoop()
        QTimer.singleShot(5, inner.quit)
        inner.exec()
        order.append("first done")

    QTimer.singleShot(0, first)
    QTimer.singleShot(0, lambda: order.append("second"))
    QTimer.singleShot(0, lambda: order.append("third"))
    QTimer.singleShot(20, outer.quit)
    _guard = deadline(lambda: outer.exit(-99))
    assert outer.exec() == 0
    assert order == ["second", "third", "first done"]


def test_nested_loop_inside_process_events_blocks_instead_of_spinning() -> None:
    import time

    result: list[int] = []

    def slot() -> None:
        inner = QEventLoop()
        QTimer.singleShot(50, lambda: inner.exit(3))
        started = time.process_time()
        result.append(inner.exec())
        result.append(int((time.process_time() - started) * 1000))

    QTimer.singleShot(0, slot)
    QEventLoop().processEvents()  # runs slot, whose nested loop waits 50 ms for its timer
    assert result[0] == 3
    assert result[1] < 30  # CPU ms spent while waiting: blocked in select, not polling


def test_process_events_with_maximum_time_runs_callbacks_scheduled_meanwhile() -> None:
    got: list[int] = []

    def chain(n: int) -> None:
        got.append(n)
        if n < 5:
            QTimer.singleShot(0, lambda: chain(n + 1))

    QTimer.singleShot(0, lambda: chain(1))
    QEventLoop().processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 500)
    assert got == [1, 2, 3, 4, 5]
