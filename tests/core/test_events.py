"""QObject's event protocol: startTimer/timerEvent, event filters, sendEvent/postEvent."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from qtls.QtCore import QCoreApplication, QEvent, QObject, QTimerEvent
from tests.core.helpers import run_until, spin


class Recorder(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.timer_ids: list[int] = []
        self.custom: list[Any] = []

    def timerEvent(self, a0: QTimerEvent | None) -> None:
        assert a0 is not None
        self.timer_ids.append(a0.timerId())

    def customEvent(self, a0: QEvent | None) -> None:
        self.custom.append((a0.type() if a0 else None, threading.get_ident()))


class Blocker(QObject):
    def __init__(self, blocked_type: int) -> None:
        super().__init__()
        self.blocked_type = blocked_type
        self.seen: list[Any] = []

    def eventFilter(self, a0: QObject | None, a1: QEvent | None) -> bool:
        assert a1 is not None
        self.seen.append((a0, a1.type()))
        return a1.type() == self.blocked_type


def test_start_timer_delivers_timer_events_until_killed() -> None:
    r = Recorder()
    tid = r.startTimer(2)
    assert tid > 0
    assert run_until(lambda: len(r.timer_ids) >= 3, 2000)
    r.killTimer(tid)
    count = len(r.timer_ids)
    spin(20)
    assert len(r.timer_ids) == count
    assert set(r.timer_ids) == {tid}


def test_start_timer_with_negative_interval_returns_zero() -> None:
    with pytest.warns(RuntimeWarning):
        assert Recorder().startTimer(-1) == 0


def test_deleting_the_object_stops_its_timers() -> None:
    r = Recorder()
    r.startTimer(1)
    r.deleteLater()
    spin(20)
    assert r.timer_ids == []


def test_user_events_reach_custom_event_and_unknown_events_are_not_handled() -> None:
    r = Recorder()
    user = QEvent.registerEventType()
    assert QEvent.Type.User <= user <= QEvent.Type.MaxUser
    assert QCoreApplication.sendEvent(r, QEvent(user)) is True
    assert r.custom == [(user, threading.get_ident())]
    assert r.event(QEvent(QEvent.Type.ChildAdded)) is False


def test_event_filter_sees_events_first_and_can_stop_them() -> None:
    r = Recorder()
    blocker = Blocker(QEvent.Type.User)
    r.installEventFilter(blocker)
    assert QCoreApplication.sendEvent(r, QEvent(QEvent.Type.User)) is True
    assert r.custom == []  # stopped by the filter
    QCoreApplication.sendEvent(r, QEvent(QEvent.Type.User + 1))
    assert len(r.custom) == 1
    assert [s[0] for s in blocker.seen] == [r, r]
    r.removeEventFilter(blocker)
    QCoreApplication.sendEvent(r, QEvent(QEvent.Type.User))
    assert len(r.custom) == 2


def test_post_event_is_delivered_later_and_can_be_removed() -> None:
    r = Recorder()
    QCoreApplication.postEvent(r, QEvent(QEvent.Type.User))
    QCoreApplication.postEvent(r, QEvent(QEvent.Type.User + 5))
    assert r.custom == []
    QCoreApplication.removePostedEvents(r, QEvent.Type.User + 5)
    assert run_until(lambda: bool(r.custom), 1000)
    spin(5)
    assert [c[0] for c in r.custom] == [QEvent.Type.User]


def test_deferred_delete_event_deletes_the_object() -> None:
    r = Recorder()
    got: list[Any] = []
    r.destroyed.connect(got.append)
    QCoreApplication.sendEvent(r, QEvent(QEvent.Type.DeferredDelete))
    assert got == [r]


def test_event_objects_are_accepted_by_default() -> None:
    e = QEvent(QEvent.Type.User)
    assert e.isAccepted() and not e.spontaneous()
    e.ignore()
    assert not e.isAccepted()
    assert e.clone().isAccepted() is False
    assert QTimerEvent(4).timerId() == 4 and QTimerEvent(4).type() is QEvent.Type.Timer
    with pytest.raises(TypeError):
        QEvent("x")  # type: ignore[arg-type]
