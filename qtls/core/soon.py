"""Work that objects queue for their loop's next turn: one loop callback, objects held weakly.

Qt posts a socket's write flush as an event (``_q_flushWriteBuffer``), run on the event loop's
next turn. The direct translation, one ``loop.call_soon()`` per write, is right while the loop
runs, but a thread that only uses the blocking waits never runs its loop: every write's
callback then waits in the loop's ready queue until the thread ends (a program making 100,000
sequential blocking connections in one thread kept 100,000 handles). The waits have already done
the work by then; the callbacks are only dead weight, and asyncio has no way to take one back.

So a loop gets at most one callback from qtls at a time, this queue's, and the queue holds the
objects that asked, in order, through weak references that remove themselves when their object
dies. A loop that never runs then keeps one callback and the entries of the objects still
alive; a program that writes before it starts its loop finds its writes sent on the first turn,
as before.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

__all__: list[str] = []  # internal module

RunSoon = Callable[[Any], None]


class SoonQueue:
    """The run-soon entries of one loop (see the module docstring)."""

    __slots__ = ("_pending", "_queued", "__weakref__")

    def __init__(self) -> None:
        # weak reference -> what to call with its object; a dict keeps the order of arrival.
        self._pending: dict[weakref.ref[Any], RunSoon] = {}
        self._queued = False  # our callback waits in the loop

    def __len__(self) -> int:
        """How many entries wait (the objects still alive that asked)."""
        return len(self._pending)

    def watch(self, obj: object) -> weakref.ref[Any]:
        """A weak reference to ``obj`` for :meth:`add`, which takes its entry out of this queue
        when ``obj`` dies. (Two such references to one live object are equal: one entry each.)"""
        return weakref.ref(obj, self._forget)

    def _forget(self, ref: weakref.ref[Any]) -> None:
        # May run in any thread (a garbage collection there); dict operations are atomic.
        self._pending.pop(ref, None)

    def add(self, loop: asyncio.AbstractEventLoop, ref: weakref.ref[Any], run: RunSoon) -> bool:
        """Call ``run(object)`` on ``loop``'s next turn (once, however often added before it).

        ``loop`` must be the one this queue was made for. False when that loop is closed."""
        pending = self._pending
        pending[ref] = run
        if not self._queued:
            try:
                loop.call_soon(self._run)
            except RuntimeError:  # closed: the caller falls back (the blocking waits, a writer)
                pending.pop(ref, None)
                return False
            self._queued = True
        return True

    def discard(self, ref: weakref.ref[Any]) -> None:
        """Take an entry back (its object moves to another loop)."""
        self._pending.pop(ref, None)

    def _run(self) -> None:
        self._queued = False
        pending = self._pending
        self._pending = {}  # what the calls below add runs on the next turn, as with call_soon
        entries = iter(pending.items())
        try:
            for ref, run in entries:
                obj = ref()
                if obj is not None:
                    run(obj)
        except BaseException:
            # As separate callbacks would: the loop reports this one's error and the others
            # still run (on the next turn, before what was added since).
            rest = dict(entries)
            if rest:
                rest.update(self._pending)
                self._pending = rest
                if not self._queued:
                    asyncio.get_running_loop().call_soon(self._run)
                    self._queued = True
            raise


_queues: WeakKeyDictionary[asyncio.AbstractEventLoop, SoonQueue] = WeakKeyDictionary()


def soon_queue(loop: asyncio.AbstractEventLoop) -> SoonQueue:
    """The queue of ``loop`` (made on first use; it lives as long as the loop)."""
    queue = _queues.get(loop)
    if queue is None:
        queue = _queues.setdefault(loop, SoonQueue())
    return queue
