"""The loop's run-soon queue (qtls.core.soon): one loop callback for many objects, in order,
each object held weakly, so that a loop that never runs does not grow with every write."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest

from qtls.core.soon import SoonQueue, soon_queue


class Writer:
    """Stands for a socket that queued a flush."""

    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log = name, log


def _run(writer: Writer) -> None:
    writer.log.append(writer.name)


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def _one_turn(loop: asyncio.AbstractEventLoop) -> None:
    loop.call_soon(loop.stop)
    loop.run_forever()


def test_many_objects_share_one_loop_callback_and_run_in_order(
        loop: asyncio.AbstractEventLoop) -> None:
    queue = SoonQueue()
    log: list[str] = []
    writers = [Writer(name, log) for name in "abc"]
    refs = [queue.watch(w) for w in writers]
    for ref in refs:
        assert queue.add(loop, ref, _run)
    assert queue.add(loop, refs[0], _run)  # again before the turn: still once, in its place
    assert len(loop._ready) == 1  # type: ignore[attr-defined]
    _one_turn(loop)
    assert log == ["a", "b", "c"]
    assert len(queue) == 0


def test_what_a_run_adds_waits_for_the_next_turn(loop: asyncio.AbstractEventLoop) -> None:
    queue = SoonQueue()
    log: list[str] = []
    first, second = Writer("first", log), Writer("second", log)
    second_ref = queue.watch(second)

    def run_first(writer: Writer) -> None:
        _run(writer)
        queue.add(loop, second_ref, _run)

    queue.add(loop, queue.watch(first), run_first)
    loop.call_soon(lambda: log.append("turn ends"))
    _one_turn(loop)
    assert log == ["first", "turn ends"]
    _one_turn(loop)
    assert log == ["first", "turn ends", "second"]


def test_a_loop_that_never_runs_keeps_one_callback_and_no_dead_entries(
        loop: asyncio.AbstractEventLoop) -> None:
    queue = soon_queue(loop)
    assert soon_queue(loop) is queue
    log: list[str] = []
    alive = Writer("alive", log)
    queue.add(loop, queue.watch(alive), _run)
    for n in range(1000):  # objects that wrote, were served elsewhere, and were dropped
        writer = Writer(str(n), log)
        queue.add(loop, queue.watch(writer), _run)
        del writer
    gc.collect()
    assert len(loop._ready) == 1  # type: ignore[attr-defined]
    assert len(queue) == 1
    _one_turn(loop)  # the loop starts at last: the live one's work is done
    assert log == ["alive"]


def test_a_discarded_entry_does_not_run(loop: asyncio.AbstractEventLoop) -> None:
    queue = SoonQueue()
    log: list[str] = []
    writer = Writer("moved away", log)
    ref = queue.watch(writer)
    queue.add(loop, ref, _run)
    queue.discard(ref)
    _one_turn(loop)
    assert log == []


def test_a_closed_loop_refuses_the_work() -> None:
    loop = asyncio.new_event_loop()
    loop.close()
    queue = SoonQueue()
    writer = Writer("late", [])
    assert not queue.add(loop, queue.watch(writer), _run)
    assert len(queue) == 0


def test_an_error_in_one_entry_is_reported_and_the_others_still_run(
        loop: asyncio.AbstractEventLoop) -> None:
    queue = SoonQueue()
    log: list[str] = []
    reported: list[BaseException] = []
    loop.set_exception_handler(lambda _loop, context: reported.append(context["exception"]))

    def fail(writer: Writer) -> None:
        raise ValueError(writer.name)

    writers = [Writer(name, log) for name in ("a", "broken", "c")]
    for writer in writers:
        queue.add(loop, queue.watch(writer), fail if writer.name == "broken" else _run)
    _one_turn(loop)
    _one_turn(loop)
    assert log == ["a", "c"]
    assert [str(error) for error in reported] == ["broken"]
