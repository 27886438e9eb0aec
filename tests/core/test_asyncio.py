"""qtls objects inside a plain asyncio program, with no QCoreApplication."""

from __future__ import annotations

import asyncio
import os
import threading
import time
import warnings
from typing import Any

import pytest

from qtls.core import dispatch
from qtls.QtCore import QEventLoop, QObject, QTimer, pyqtSignal
from tests.core.helpers import deadline


class Emitter(QObject):
    value = pyqtSignal(int)


def test_thread_loop_is_the_running_loop_inside_asyncio_run() -> None:
    async def main() -> bool:
        return dispatch.thread_loop() is asyncio.get_running_loop()

    assert asyncio.run(main())


def test_thread_loop_follows_the_running_loop_from_one_asyncio_run_to_the_next() -> None:
    # thread_loop() answers from what it registered while that loop runs in this thread; once
    # it stopped, the next running loop is asked for again.
    async def probe() -> bool:
        return dispatch.thread_loop() is asyncio.get_running_loop()

    for _ in range(3):
        assert asyncio.run(probe())
    # A loop this thread registered, now running in another thread: not this thread's
    # running loop, whatever it was before.
    loop = asyncio.new_event_loop()
    started, release = threading.Event(), threading.Event()

    async def hold() -> None:
        started.set()
        await loop.run_in_executor(None, release.wait, 10)

    try:
        loop.run_until_complete(probe())
        worker = threading.Thread(target=lambda: loop.run_until_complete(hold()))
        worker.start()
        try:
            assert started.wait(10)
            assert asyncio.run(probe())
        finally:
            release.set()
            worker.join(10)
    finally:
        loop.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_does_not_take_its_parents_running_loop_for_its_own() -> None:
    async def fork_inside_the_loop() -> int:
        assert dispatch.thread_loop() is asyncio.get_running_loop()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # (fork with threads around)
            pid = os.fork()
        if pid == 0:  # the child, still inside the parent's loop callback
            os._exit(0 if dispatch._registered.loop is None else 3)
        return pid

    pid = asyncio.run(fork_inside_the_loop())
    for _ in range(100):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        raise AssertionError("the child did not exit")
    assert os.waitstatus_to_exitcode(status) == 0


def test_thread_loop_outside_a_running_loop_is_stable_per_thread() -> None:
    here = dispatch.thread_loop()
    assert dispatch.thread_loop() is here
    other: list[asyncio.AbstractEventLoop] = []
    t = threading.Thread(target=lambda: other.append(dispatch.thread_loop()))
    t.start()
    t.join(5)
    assert other[0] is not here
    assert dispatch.loop_of_thread(t) is other[0]


def test_post_runs_the_callback_in_the_target_thread() -> None:
    ran_in: list[int] = []
    stop = threading.Event()

    async def worker_main() -> None:
        dispatch.thread_loop()  # make the running loop known to qtls
        ready.set()
        while not stop.is_set() and not ran_in:
            await asyncio.sleep(0.005)

    ready = threading.Event()
    t = threading.Thread(target=lambda: asyncio.run(asyncio.wait_for(worker_main(), 5)))
    t.start()
    assert ready.wait(5)
    dispatch.post(t, lambda: ran_in.append(threading.get_ident()))
    t.join(5)
    stop.set()
    assert ran_in == [t.ident]


def test_timers_and_signals_work_in_asyncio_run_without_an_application() -> None:
    async def main() -> list[Any]:
        got: list[Any] = []
        done = asyncio.get_running_loop().create_future()
        t = QTimer()
        t.setSingleShot(True)
        t.timeout.connect(lambda: got.append("timeout"))
        t.timeout.connect(lambda: done.set_result(None))
        t.start(5)
        QTimer.singleShot(0, lambda: got.append("zero"))
        await asyncio.wait_for(done, 2)
        return got

    assert asyncio.run(main()) == ["zero", "timeout"]


def test_nested_qeventloop_inside_a_coroutine_lets_other_tasks_run() -> None:
    async def other(log: list[str]) -> None:
        await asyncio.sleep(0.005)
        log.append("other task ran")

    async def main() -> tuple[int, list[str]]:
        log: list[str] = []
        task = asyncio.ensure_future(other(log))
        loop = QEventLoop()
        QTimer.singleShot(30, lambda: loop.exit(6))
        code = loop.exec()  # blocking inside a coroutine, like a Qt nested loop
        log.append("exec returned")
        await task
        return code, log

    assert asyncio.run(main()) == (6, ["other task ran", "exec returned"])


def test_queued_signal_into_an_asyncio_thread() -> None:
    class Receiver(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.got: list[tuple[int, int]] = []

        def slot(self, v: int) -> None:
            self.got.append((v, threading.get_ident()))

    holder: list[Receiver] = []
    ready = threading.Event()

    async def worker() -> None:
        holder.append(Receiver())
        dispatch.thread_loop()
        ready.set()
        for _ in range(400):
            if holder[0].got:
                return
            await asyncio.sleep(0.005)

    t = threading.Thread(target=lambda: asyncio.run(worker()))
    t.start()
    assert ready.wait(5)
    e = Emitter()
    e.value.connect(holder[0].slot)
    e.value.emit(5)
    t.join(5)
    assert holder[0].got == [(5, t.ident)]


def test_awaiting_a_signal_returns_its_arguments() -> None:
    class Pair(QObject):
        none = pyqtSignal()
        two = pyqtSignal(int, str)

    async def main() -> list[Any]:
        e, p = Emitter(), Pair()
        results = []
        # Each emission comes after the await has connected (wait_for starts a task).
        QTimer.singleShot(5, lambda: e.value.emit(9))
        results.append(await asyncio.wait_for(e.value, 2))
        QTimer.singleShot(5, lambda: p.two.emit(1, "a"))
        results.append(await asyncio.wait_for(p.two, 2))
        QTimer.singleShot(5, p.none.emit)
        results.append(await p.none)
        return results

    assert asyncio.run(main()) == [9, (1, "a"), None]


def test_cancelled_await_disconnects_from_the_signal() -> None:
    async def main() -> int:
        e = Emitter()
        try:
            await asyncio.wait_for(e.value, 0.01)
        except asyncio.TimeoutError:
            pass
        return e.receivers(e.value)

    assert asyncio.run(main()) == 0


def test_awaited_signal_emitted_from_another_thread_wakes_the_waiter() -> None:
    async def main() -> int:
        e = Emitter()
        t = threading.Thread(target=lambda: e.value.emit(77))
        asyncio.get_running_loop().call_later(0.005, t.start)
        result = await asyncio.wait_for(e.value, 2)
        t.join(5)
        return int(result)

    assert asyncio.run(main()) == 77


def test_loop_made_for_a_finished_thread_is_closed_when_the_thread_is_collected() -> None:
    import gc

    made: list[asyncio.AbstractEventLoop] = []
    t = threading.Thread(target=lambda: made.append(dispatch.thread_loop()))
    t.start()
    t.join(5)
    assert not made[0].is_closed()
    del t
    gc.collect()
    assert made[0].is_closed()


def test_application_exec_inside_asyncio_run_behaves_as_a_nested_loop(app: Any) -> None:
    from qtls.QtCore import QCoreApplication

    async def ticker(log: list[str]) -> None:
        await asyncio.sleep(0.005)
        log.append("asyncio task ran during exec")
        QCoreApplication.exit(4)

    async def main() -> tuple[int, list[str]]:
        log: list[str] = []
        task = asyncio.ensure_future(ticker(log))
        _guard = deadline(lambda: QCoreApplication.exit(-99))
        code = QCoreApplication.exec()
        await task
        return code, log

    assert asyncio.run(main()) == (4, ["asyncio task ran during exec"])
