"""QTimer: single-shot, repeating, stop from the slot, remainingTime, static singleShot."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from qtls.QtCore import QEventLoop, QObject, Qt, QTimer, pyqtSignal
from tests.core.helpers import run_until, spin


def test_new_timer_is_inactive_with_qt_defaults() -> None:
    t = QTimer()
    assert (t.isActive(), t.interval(), t.isSingleShot(), t.remainingTime(), t.timerId()) == (
        False,
        0,
        False,
        -1,
        -1,
    )
    assert t.timerType() is Qt.TimerType.CoarseTimer


def test_single_shot_timer_fires_once_and_is_inactive_in_its_slot() -> None:
    t = QTimer()
    t.setSingleShot(True)
    seen: list[bool] = []
    t.timeout.connect(lambda: seen.append(t.isActive()))
    t.start(5)
    assert t.isActive() and t.timerId() > 0
    spin(60)
    assert seen == [False]
    assert not t.isActive() and t.remainingTime() == -1


def test_repeating_timer_fires_until_stopped() -> None:
    t = QTimer()
    count = [0]

    def tick() -> None:
        count[0] += 1

    t.timeout.connect(tick)
    t.start(5)
    assert run_until(lambda: count[0] >= 3, 2000)
    t.stop()
    stopped_at = count[0]
    spin(30)
    assert count[0] == stopped_at


def test_timer_stopped_inside_its_own_slot_stays_stopped() -> None:
    t = QTimer()
    count = [0]

    def tick() -> None:
        count[0] += 1
        t.stop()

    t.timeout.connect(tick)
    t.start(2)
    spin(40)
    assert count[0] == 1 and not t.isActive()


def test_repeating_timer_does_not_drift_when_slots_are_slow() -> None:
    t = QTimer()
    stamps: list[float] = []

    def tick() -> None:
        stamps.append(time.monotonic())
        time.sleep(0.004)  # a slow slot: 40% of the interval

    t.timeout.connect(tick)
    start = time.monotonic()
    t.start(10)
    assert run_until(lambda: len(stamps) >= 8, 3000)
    t.stop()
    # Planned from the previous deadline: the 8th timeout is near 80 ms, not 8 * 14 ms = 112.
    assert stamps[7] - start < 0.105


def test_remaining_time_counts_down_and_is_minus_one_when_inactive() -> None:
    t = QTimer()
    t.start(500)
    first = t.remainingTime()
    assert 400 < first <= 500
    time.sleep(0.05)
    assert t.remainingTime() < first
    t.stop()
    assert t.remainingTime() == -1


def test_set_interval_restarts_an_active_timer() -> None:
    t = QTimer()
    t.start(50)
    old_id = t.timerId()
    t.setInterval(300)
    assert t.isActive() and t.interval() == 300
    assert t.remainingTime() > 250
    assert t.timerId() != old_id
    t.stop()


def test_start_with_wrong_type_raises_type_error() -> None:
    with pytest.raises(TypeError):
        QTimer().start("10")  # type: ignore[arg-type]


def test_static_single_shot_with_callable_and_zero_timeouts_keep_their_order() -> None:
    got: list[Any] = []
    QTimer.singleShot(5, lambda: got.append("5ms"))
    QTimer.singleShot(0, lambda: got.append("a"))
    QTimer.singleShot(0, lambda: got.append("b"))
    QTimer.singleShot(0, Qt.TimerType.PreciseTimer, lambda: got.append("c"))
    assert run_until(lambda: len(got) == 4, 1000)
    assert got == ["a", "b", "c", "5ms"]


def test_static_single_shot_with_receiver_and_method() -> None:
    class Receiver(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.hits = 0

        def hit(self) -> None:
            self.hits += 1

    r = Receiver()
    QTimer.singleShot(1, r, r.hit)
    QTimer.singleShot(1, r, "hit")
    assert run_until(lambda: r.hits == 2, 1000)


def test_static_single_shot_to_deleted_receiver_is_dropped() -> None:
    class Receiver(QObject):
        hits = 0

        def hit(self) -> None:
            self.hits += 1

    r = Receiver()
    QTimer.singleShot(10, r, r.hit)
    r.deleteLater()
    spin(40)
    assert r.hits == 0


def test_static_single_shot_emits_a_bound_signal() -> None:
    class E(QObject):
        sig = pyqtSignal()

    e = E()
    got: list[int] = []
    e.sig.connect(lambda: got.append(1))
    QTimer.singleShot(0, e.sig)
    assert run_until(lambda: got == [1], 1000)


def test_timer_created_in_a_thread_fires_when_that_thread_runs_its_loop() -> None:
    fired: list[int] = []

    def run() -> None:
        t = QTimer()
        t.setSingleShot(True)
        t.timeout.connect(lambda: fired.append(threading.get_ident()))
        t.start(5)
        time.sleep(0.03)  # no loop running: the timer must wait
        fired.append(-1)
        loop = QEventLoop()
        QTimer.singleShot(50, loop.quit)
        loop.exec()

    th = threading.Thread(target=run)
    th.start()
    th.join(5)
    assert fired == [-1, th.ident]


def test_unreferenced_timer_stops_like_a_deleted_pyqt6_timer() -> None:
    import gc

    got: list[int] = []
    t = QTimer()
    t.timeout.connect(lambda: got.append(1))
    t.start(1)
    del t
    gc.collect()
    spin(20)
    assert got == []


def test_delete_later_stops_a_running_timer() -> None:
    t = QTimer()
    got: list[int] = []
    t.timeout.connect(lambda: got.append(1))
    t.start(1)
    t.deleteLater()
    spin(20)
    assert got == [] and not t.isActive()
