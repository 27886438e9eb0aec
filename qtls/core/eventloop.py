"""QEventLoop: exec/quit/exit and processEvents, nested loops included.

Theory of operation
-------------------
Each thread has a stack of running QEventLoop "frames" (QCoreApplication.exec() is one too).

* The **outermost** frame of a thread whose asyncio loop is not running yet runs it with
  ``loop.run_forever()``; quitting that frame calls ``loop.stop()``. This works for any asyncio
  loop implementation (uvloop included).
* A frame started while the thread's loop is **already running** (a slot calling
  ``QEventLoop().exec()``, or ``exec()`` inside an ``asyncio.run()`` program) cannot call
  ``run_forever`` again: asyncio loops are not re-entrant. Instead it turns the running loop's
  crank itself, calling the stdlib loop's ``_run_once()`` until the frame quits, as Qt's nested
  ``processEvents`` does. Two pieces of bookkeeping keep the outer iteration correct:

  - the outer ``_run_once`` is in the middle of running a batch of ``ntodo`` ready handles and
    will ``popleft()`` that many more; the nested frame may have consumed them, so on return it
    refills the ready queue with cancelled (skipped) handles up to the length it had on entry;
  - a frame started from inside an asyncio Task would make every other task's step fail with
    "Cannot enter into task ... while another task ... is being executed"; the nested frame
    leaves the current task for its duration and re-enters it on return;
  - a ``loop.stop()`` requested before or during the nested frame is meant for the outer
    ``run_forever``: it is held back until the frame returns, or every nested iteration would
    poll without blocking (a busy loop).

  A loop without ``_run_once`` (uvloop) cannot be nested: ``exec()`` raises RuntimeError.
* ``quit()`` of an outer frame while inner frames run takes effect when control gets back to
  it, as in Qt: the inner frames keep running until they quit themselves.
"""

from __future__ import annotations

import asyncio
import contextvars
import enum
import threading
import time
from asyncio import events as _events
from asyncio import tasks as _tasks
from collections.abc import Callable
from typing import Any

from qtls.core import dispatch
from qtls.core.deadlinetimer import QDeadlineTimer, deadline_msecs
from qtls.core.qobject import QObject

__all__ = ["QEventLoop"]


class _ThreadState(threading.local):
    """Per-thread stack of running frames and Qt's ``quitNow`` flag."""

    def __init__(self) -> None:
        self.frames: list[QEventLoop] = []
        self.quit_now = False


_state = _ThreadState()

# asyncio's bookkeeping of the task being stepped (private, present in CPython 3.10-3.14).
_enter_task = getattr(_tasks, "_enter_task", None)
_leave_task = getattr(_tasks, "_leave_task", None)


# Marks the context of the callback that starts a nested loop (see _renew_running_io).
_NESTING_MARK: contextvars.ContextVar[object | None] = contextvars.ContextVar(
    "qtls_nesting_mark", default=None)


def _renew_running_io(loop: asyncio.AbstractEventLoop) -> None:
    """Let a nested loop run the reader or writer callback it was started from.

    asyncio keeps one Handle, with one contextvars Context, per registered reader or writer
    and runs every call of it in that Context. A nested loop started inside such a callback
    (a readyRead or newConnection slot calling QEventLoop.exec()) could not run it again
    ("cannot enter context ... already entered", logged on every turn) and, the descriptor
    staying readable, spun until the nested loop ended. Registering the running callback
    anew gives it a fresh Handle and Context: as in Qt, the socket keeps reading during the
    nested loop (into its buffer: readyRead is never emitted recursively).
    """
    selector = getattr(loop, "_selector", None)
    if selector is None:
        return
    mark = object()
    token = _NESTING_MARK.set(mark)  # set in the running callback's own Context
    try:
        running = []
        for key in list(selector.get_map().values()):
            handles = key.data
            if not isinstance(handles, tuple) or len(handles) != 2:
                continue
            for handle, writer in ((handles[0], False), (handles[1], True)):
                if (handle is not None and not handle.cancelled()
                        and handle._context.get(_NESTING_MARK) is mark):
                    running.append((key.fd, writer, handle._callback, handle._args))
    finally:
        _NESTING_MARK.reset(token)
    for fd, writer, callback, args in running:  # (removing cancels the old handle)
        if writer:
            loop._remove_writer(fd)  # type: ignore[attr-defined]
            loop._add_writer(fd, callback, *args)  # type: ignore[attr-defined]
        else:
            loop._remove_reader(fd)  # type: ignore[attr-defined]
            loop._add_reader(fd, callback, *args)  # type: ignore[attr-defined]


def _noop() -> None:
    pass


def _running_here(loop: asyncio.AbstractEventLoop) -> bool:
    return _events._get_running_loop() is loop


# Called before every iteration of a nested loop (QEventLoop.exec or processEvents inside a
# slot). The TLS layer registers one: a slot it called runs the nested loop while its
# transmit() waits up the stack, and what the slot wrote must still leave, as it does in Qt.
nested_turn_hooks: list[Callable[[], None]] = []


class _Nested:
    """Context for cranking an already-running stdlib loop from inside one of its callbacks."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        run_once = getattr(loop, "_run_once", None)
        ready = getattr(loop, "_ready", None)
        if run_once is None or ready is None:
            raise RuntimeError(
                f"QEventLoop: cannot run a nested event loop inside a running "
                f"{type(loop).__module__}.{type(loop).__name__}; only asyncio's own loops can "
                f"be nested. Await a future (or use asyncio) instead of exec() here."
            )
        self.loop = loop
        self.run_once = run_once
        self.ready = ready
        self.entry_len = 0
        self.stopping = False
        self.task: asyncio.Task[Any] | None = None

    def __enter__(self) -> _Nested:
        _renew_running_io(self.loop)
        self.entry_len = len(self.ready)
        self.task = None
        if _leave_task is not None:
            self.task = asyncio.current_task(self.loop)
            if self.task is not None:
                _leave_task(self.loop, self.task)
        # A pending loop.stop() is meant for the outer run_forever; while set it would make
        # every nested iteration poll with timeout 0 (a busy loop). Hold it until we return.
        self.stopping = bool(getattr(self.loop, "_stopping", False))
        if self.stopping:
            self.loop._stopping = False  # type: ignore[attr-defined]
        return self

    def crank(self) -> None:
        """One iteration of the running loop; a ``loop.stop()`` it ran is held for the outer."""
        for hook in nested_turn_hooks:
            hook()
        self.run_once()
        if getattr(self.loop, "_stopping", False):
            self.stopping = True
            self.loop._stopping = False  # type: ignore[attr-defined]

    def __exit__(self, *exc: object) -> None:
        if self.stopping:
            self.loop._stopping = True  # type: ignore[attr-defined]
        missing = self.entry_len - len(self.ready)
        for _ in range(missing):
            handle = asyncio.Handle(_noop, (), self.loop)
            handle.cancel()
            self.ready.appendleft(handle)
        if self.task is not None and _enter_task is not None:
            _enter_task(self.loop, self.task)


def _one_pass(loop: asyncio.AbstractEventLoop, block: bool) -> None:
    """Run one iteration of ``loop`` in the calling thread: due timers, ready I/O, callbacks.

    Without ``block`` it never waits; with it, it waits until something is ready.
    """
    if _running_here(loop):
        with _Nested(loop) as nested:
            if not block:
                loop.call_soon(_noop)  # a ready handle makes _run_once poll with timeout 0
            nested.crank()
        return
    if loop.is_running():
        raise RuntimeError("QEventLoop: the thread's event loop is running in another thread")
    if block and hasattr(loop, "_run_once"):
        # One blocking iteration with the running-loop bookkeeping run_forever would do.
        previous = _events._get_running_loop()
        _events._set_running_loop(loop)
        try:
            loop._run_once()  # type: ignore[attr-defined]
        finally:
            _events._set_running_loop(previous)
        return
    loop.call_soon(loop.stop)
    loop.run_forever()


class QEventLoop(QObject):
    """A local event loop: ``exec()`` runs the thread's asyncio loop until ``quit``/``exit``.

    Nested loops work as in Qt (a slot may run ``QEventLoop().exec()``); see the module notes
    for how, and for the one loop type (uvloop) where nesting is impossible. ``exec`` returns
    the code given to ``exit``; -1 if the loop is already running or the application is quitting.
    """

    class ProcessEventsFlag(enum.Flag):
        """What ``processEvents``/``exec`` process. qtls has no user input events, and socket
        notifiers cannot be excluded from an asyncio iteration: those two flags are accepted and
        ignored. ``WaitForMoreEvents`` blocks until something happens."""

        AllEvents = 0
        ExcludeUserInputEvents = 1
        ExcludeSocketNotifiers = 2
        WaitForMoreEvents = 4

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running = False
        self._quit = False
        self._code = 0
        self._toplevel = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def exec(self, flags: QEventLoop.ProcessEventsFlag = ProcessEventsFlag.AllEvents) -> int:
        """Run the event loop until ``exit()``/``quit()``; returns the exit code."""
        if not isinstance(flags, QEventLoop.ProcessEventsFlag):
            raise TypeError(
                f"exec(self, flags: QEventLoop.ProcessEventsFlag = QEventLoop.AllEvents): "
                f"argument 1 has unexpected type '{type(flags).__name__}'"
            )
        if self._running:
            return -1  # Qt: "QEventLoop::exec: instance ... has already called exec()"
        if self._qt_thread is not threading.current_thread():
            return -1  # Qt: "Cannot enter an event loop in a different thread"
        state = _state
        if state.quit_now:
            return -1
        return _run_frame(self, state)

    def exit(self, returnCode: int = 0) -> None:
        """Make ``exec()`` return ``returnCode`` (from any thread); no-op if not running."""
        if not self._running:
            return
        self._code = int(returnCode)
        self._quit = True
        loop = self._loop
        if loop is None:
            return
        if self._qt_thread is threading.current_thread():
            frames = _state.frames
            if self._toplevel and frames and frames[-1] is self:
                loop.stop()
        else:
            # Wake the loop; the stop (or the nested frame's check) happens in its thread.
            loop.call_soon_threadsafe(self._stop_if_innermost)

    def _stop_if_innermost(self) -> None:
        frames = _state.frames
        if self._toplevel and self._running and frames and frames[-1] is self and self._loop:
            self._loop.stop()

    def quit(self) -> None:
        """``exit(0)``."""
        self.exit(0)

    def isRunning(self) -> bool:
        """True between ``exec()`` and its return."""
        return self._running

    def wakeUp(self) -> None:
        """Wake the loop if it is blocked waiting for events (thread-safe)."""
        loop = self._loop or dispatch.loop_of_thread(self._qt_thread)
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(_noop)

    def processEvents(
        self,
        flags: QEventLoop.ProcessEventsFlag = ProcessEventsFlag.AllEvents,
        maximumTime: int | QDeadlineTimer | None = None,
    ) -> bool:
        """Process pending events once (or for up to ``maximumTime`` ms, or until the
        QDeadlineTimer ``maximumTime`` expires; a Forever deadline: until none is pending).

        Returns True (qtls cannot tell whether an I/O callback ran; it did process the loop).
        """
        return _process_events(flags, maximumTime)


def _process_events(flags: Any, maximum_time: int | QDeadlineTimer | None) -> bool:
    """``processEvents`` for the calling thread, shared with QCoreApplication."""
    if flags is None:
        flags = QEventLoop.ProcessEventsFlag.AllEvents
    if not isinstance(flags, QEventLoop.ProcessEventsFlag):
        raise TypeError(f"processEvents(): argument 1 has unexpected type '{type(flags).__name__}'")
    loop = dispatch.thread_loop()
    block = bool(flags & QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    _one_pass(loop, block)
    if maximum_time is not None:
        # Qt: keep processing for up to maximumTime ms or until nothing is pending.
        msecs = deadline_msecs(maximum_time)
        if msecs < 0 and isinstance(maximum_time, QDeadlineTimer):
            deadline = float("inf")
        else:
            deadline = time.monotonic() + max(0, msecs) / 1000
        ready = getattr(loop, "_ready", None)
        while ready and time.monotonic() < deadline:
            _one_pass(loop, False)
    return True


def _run_frame(frame: QEventLoop, state: _ThreadState) -> int:
    loop = dispatch.thread_loop()
    frame._loop = loop
    frame._quit = False
    frame._code = 0
    frame._running = True
    frames = state.frames
    frames.append(frame)
    try:
        if _running_here(loop):
            frame._toplevel = False
            dispatch._remember_running_loop(loop)
            with _Nested(loop) as nested:
                crank = nested.crank
                while not frame._quit:
                    crank()
        elif loop.is_running():
            raise RuntimeError("QEventLoop: the thread's event loop is running in another thread")
        else:
            frame._toplevel = True
            loop.run_forever()
            # run_forever may also end because someone else called loop.stop(): return then,
            # as Qt does when its dispatcher is interrupted.
    finally:
        frames.remove(frame)
        frame._running = False
        frame._toplevel = False
        if frames:
            outer = frames[-1]
            if outer._quit and outer._toplevel:
                loop.stop()  # the outer frame was asked to quit while we ran: let it return now
    return frame._code
