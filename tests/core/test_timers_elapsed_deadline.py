"""QElapsedTimer and QDeadlineTimer: Qt 6's values on the monotonic clock."""

from __future__ import annotations

import time
import types
from typing import Any

import pytest

import qtls.QtCore as qtls_core
from qtls.core.deadlinetimer import deadline_msecs
from qtls.QtCore import QDeadlineTimer, QElapsedTimer, Qt

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)


def test_elapsed_timer_counts_on_the_same_clock_as_time_monotonic() -> None:
    timer = QElapsedTimer()
    assert not timer.isValid()
    before = time.monotonic_ns() // 1_000_000
    timer.start()
    after = time.monotonic_ns() // 1_000_000
    assert timer.isValid()
    assert before <= timer.msecsSinceReference() <= after
    time.sleep(0.02)
    assert timer.elapsed() >= 20 and timer.nsecsElapsed() >= 20_000_000
    assert timer.hasExpired(10) and not timer.hasExpired(10**9) and not timer.hasExpired(-1)
    later = QElapsedTimer()
    later.start()
    assert timer < later and later > timer and timer != later
    assert timer.msecsTo(later) >= 20 and later.msecsTo(timer) <= -20
    assert QElapsedTimer(timer) == timer
    assert timer.restart() >= 20 and timer.isValid()
    timer.invalidate()
    assert not timer.isValid() and timer == QElapsedTimer()
    assert QElapsedTimer.clockType() is QElapsedTimer.ClockType.MonotonicClock
    assert QElapsedTimer.isMonotonic()


def test_deadline_values_forever_and_expired() -> None:
    forever = QDeadlineTimer(QDeadlineTimer.ForeverConstant.Forever)
    assert forever.isForever() and not forever.hasExpired()
    assert forever.remainingTime() == -1 and forever.deadline() == INT64_MAX
    assert QDeadlineTimer(-5).isForever()
    expired = QDeadlineTimer(0)
    assert expired.hasExpired() and expired.remainingTime() == 0
    assert expired.deadlineNSecs() == INT64_MIN  # Qt 6: zero time left is the smallest deadline
    default = QDeadlineTimer()
    assert default.hasExpired() and default.deadline() == 0 and not default.isForever()
    assert default.timerType() is Qt.TimerType.CoarseTimer


def test_deadline_arithmetic_saturates_and_forever_stays_forever() -> None:
    soon = QDeadlineTimer(1000, Qt.TimerType.PreciseTimer)
    assert soon.timerType() is Qt.TimerType.PreciseTimer
    assert 0 < soon.remainingTime() <= 1000
    later = soon + 500
    assert later - soon == 500 and later > soon and (soon - 2000).hasExpired()
    assert (soon + -(2**62)).deadlineNSecs() == INT64_MIN
    assert QDeadlineTimer.addNSecs(soon, 10**9).deadlineNSecs() - soon.deadlineNSecs() == 10**9
    forever = QDeadlineTimer(QDeadlineTimer.Forever)
    assert (forever + 5).isForever() and (forever - 5).isForever()
    soon += 10
    assert soon == QDeadlineTimer(soon)
    soon.setDeadline(INT64_MAX)
    assert soon.isForever()
    soon.setPreciseRemainingTime(-1)
    assert soon.isForever()
    a, b = QDeadlineTimer(10), QDeadlineTimer(QDeadlineTimer.Forever)
    a.swap(b)
    assert a.isForever() and not b.isForever()


def test_deadline_msecs_accepts_what_qts_waits_accept() -> None:
    assert deadline_msecs(250) == 250
    assert deadline_msecs(-1) == -1
    assert deadline_msecs(QDeadlineTimer(QDeadlineTimer.Forever)) == -1
    assert deadline_msecs(QDeadlineTimer(0)) == 0
    assert 0 < deadline_msecs(QDeadlineTimer(500)) <= 500
    with pytest.raises(TypeError):
        deadline_msecs(1.5)  # type: ignore[arg-type]


def scenario(core: Any) -> list[Any]:
    dt = core.QDeadlineTimer
    forever = dt(dt.ForeverConstant.Forever)
    zero = dt(0)
    default = dt()
    out: list[Any] = [
        forever.deadline(), forever.deadlineNSecs(), forever.remainingTimeNSecs(),
        zero.deadline(), zero.remainingTimeNSecs(), zero.isForever(),
        default.deadline(), default.remainingTime(), default.hasExpired(),
        (forever + 5).isForever(), dt.addNSecs(forever, -5).isForever(),
        forever == dt(dt.ForeverConstant.Forever), default == dt(), default < forever,
        dt(1000) - dt(500) in (499, 500, 501),
        core.QElapsedTimer().isValid(), core.QElapsedTimer() == core.QElapsedTimer(),
        core.QElapsedTimer().hasExpired(-1), core.QElapsedTimer().msecsSinceReference(),
    ]
    return out


@pytest.mark.pyqt6
def test_values_match_pyqt6() -> None:
    pyqt: types.ModuleType = pytest.importorskip("PyQt6.QtCore")
    assert scenario(qtls_core) == scenario(pyqt)


def test_process_events_takes_a_deadline(app: Any) -> None:
    from qtls.QtCore import QCoreApplication, QEventLoop, QTimer

    fired: list[int] = []
    QTimer.singleShot(0, lambda: fired.append(1))
    flags = QEventLoop.ProcessEventsFlag.AllEvents
    QEventLoop().processEvents(flags, QDeadlineTimer(500))
    QCoreApplication.processEvents(flags, QDeadlineTimer(QDeadlineTimer.Forever))
    assert fired == [1]
    with pytest.raises(TypeError):
        QEventLoop().processEvents(flags, 1.5)  # type: ignore[arg-type]
