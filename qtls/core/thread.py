"""QThread: a thread with its own event loop, and the QThread of every other thread.

Theory of operation
-------------------
qtls keeps thread affinity as a ``threading.Thread`` (``QObject._qt_thread``): the dispatch
module keys each thread's asyncio loop by it, and signals compare thread idents. A QThread is
the Qt face of one such ``threading.Thread``; the thread object refers back to its QThread
(attribute ``_qtls_qthread``), so ``QObject.thread()`` and ``QThread.currentThread()`` find it
in one attribute read.

* A QThread the program creates owns a ``_Runner`` (a ``threading.Thread``) from the start,
  so ``worker.moveToThread(thread)`` works before ``start()``: calls queued to the worker wait
  in the loop that thread will run. A finished QThread can be started again: the same runner
  object is re-initialised (``threading.Thread.__init__`` again once the old OS thread has
  ended), so objects that live in the QThread keep living in it, as in Qt.
* Every other thread (the main thread, ``threading.Thread``s, threads started outside Python)
  gets an *adopted* QThread on first demand, as Qt's QAdoptedThread: it lives in that thread,
  ``isRunning()`` while the thread is alive, and cannot be started.
* ``exec()`` runs the thread's asyncio loop as an outermost QEventLoop frame (the way
  ``QCoreApplication.exec()`` runs the main thread's); ``exit()`` from any thread posts the
  exit into that loop, so it is never lost between "exec() was called" and "the loop runs".
  ``exit()`` before ``exec()`` makes the next ``exec()`` return at once (Qt 6).
* ``started`` is emitted in the new thread before ``run()``; ``finished`` in the new thread
  after it, while ``isFinished()`` is already true; then pending ``deleteLater()`` calls of
  the thread's objects run (Qt's deferred deletes at thread exit) and ``wait()`` returns.

Where qtls differs: ``terminate()`` and ``setTerminationEnabled()`` are absent (Python cannot
kill a thread), as are ``eventDispatcher()``/``setEventDispatcher()`` (the dispatcher is the
thread's asyncio loop); priorities, service levels and stack sizes are recorded but not
applied; an adopted thread emits neither ``started`` nor ``finished``; ``currentThreadId()``
is ``threading.get_ident()``.
"""

from __future__ import annotations

import enum
import os
import threading
import time
import warnings

from qtls.core import dispatch
from qtls.core.connection import _report_exception
from qtls.core.deadlinetimer import QDeadlineTimer
from qtls.core.eventloop import QEventLoop, _run_frame, _state
from qtls.core.qobject import QObject, flush_deferred_deletes
from qtls.core.signals import pyqtSignal

__all__ = ["QThread"]

_ULONG_MAX = (1 << 64) - 1
_adopt_lock = threading.Lock()


class _Runner(threading.Thread):
    """The ``threading.Thread`` under a QThread the program created."""

    _qtls_qthread: QThread

    def __init__(self, qthread: QThread) -> None:
        super().__init__(name=f"QThread-{id(qthread):#x}", daemon=True)
        self._qtls_qthread = qthread

    def run(self) -> None:
        self._qtls_qthread._bootstrap()


def qthread_of(thread: threading.Thread) -> QThread:
    """The QThread of ``thread``, adopting it (Qt's QAdoptedThread) the first time."""
    found = getattr(thread, "_qtls_qthread", None)
    if found is not None:
        return found  # type: ignore[no-any-return]
    with _adopt_lock:
        found = getattr(thread, "_qtls_qthread", None)
        if found is None:
            found = QThread._adopt(thread)
            thread._qtls_qthread = found  # type: ignore[attr-defined]
    return found  # type: ignore[no-any-return]


def _wait_msecs(value: object) -> int | None:
    """Milliseconds to wait for ``wait()``'s argument: None for forever."""
    if isinstance(value, QDeadlineTimer):
        if value.isForever():
            return None
        return value.remainingTime()
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"wait(self, deadline: QDeadlineTimer = QDeadlineTimer(QDeadlineTimer.Forever)): "
            f"argument 1 has unexpected type '{type(value).__name__}'"
        )
    if value < 0 or value > _ULONG_MAX:
        raise OverflowError(
            f"argument 1 overflowed: value must be in the range 0 to {_ULONG_MAX}"
        )
    return None if value == _ULONG_MAX else value


class QThread(QObject):
    """Qt's QThread: ``start()`` runs ``run()`` in a new thread; the default ``run()`` is
    ``exec()``, the thread's event loop, until ``quit()``/``exit(code)``.

    The worker-object pattern works as in Qt::

        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.finished.connect(thread.quit)
        thread.start()

    The QThread object itself lives in the thread that created it (its slots, ``quit``
    included, run there when called through a queued connection), not in the thread it manages.
    """

    started = pyqtSignal()
    finished = pyqtSignal()

    class Priority(enum.Enum):
        """Thread priorities (recorded; Python threads have no priority to set)."""

        IdlePriority = 0
        LowestPriority = 1
        LowPriority = 2
        NormalPriority = 3
        HighPriority = 4
        HighestPriority = 5
        TimeCriticalPriority = 6
        InheritPriority = 7

    class QualityOfService(enum.Enum):
        """Scheduling hints (recorded; Python threads have none to set)."""

        Auto = 0
        High = 1
        Eco = 2

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._adopted = False
        self._runner: threading.Thread = _Runner(self)
        self._running = False
        self._finished = False
        self._in_finish = False
        self._exited = False
        self._return_code = 0
        self._exec_depth = 0
        self._exec_generation = 0
        self._interruption = False
        self._done = threading.Event()
        self._done.set()  # not started: wait() returns at once
        self._ran_once = False
        self._priority = QThread.Priority.InheritPriority
        self._stack_size = 0
        self._service_level = QThread.QualityOfService.Auto

    @classmethod
    def _adopt(cls, thread: threading.Thread) -> QThread:
        qthread = cls.__new__(cls)
        QThread.__init__(qthread)
        qthread._adopted = True
        qthread._runner = thread
        qthread._qt_thread = thread  # Qt's QAdoptedThread lives in the thread it stands for
        qthread._qt_tid = thread.ident
        qthread._done.clear()
        return qthread

    # ------------------------------------------------------------------ identity
    @staticmethod
    def currentThread() -> QThread:
        """The QThread of the calling thread (adopted if qtls did not start it)."""
        return qthread_of(threading.current_thread())

    @staticmethod
    def currentThreadId() -> int:
        """The calling thread's identifier (``threading.get_ident()``; PyQt6 gives a voidptr)."""
        return threading.get_ident()

    @staticmethod
    def isMainThread() -> bool:
        """True when called from the main thread."""
        return threading.current_thread() is threading.main_thread()

    def isCurrentThread(self) -> bool:
        """True when called from the thread this QThread manages."""
        return threading.current_thread() is self._runner

    @staticmethod
    def idealThreadCount() -> int:
        """The number of processors this process may run on."""
        try:
            return len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            return os.cpu_count() or 1

    # ------------------------------------------------------------------ sleeping
    @staticmethod
    def sleep(a0: int) -> None:
        """Block the calling thread for ``a0`` seconds."""
        time.sleep(max(0, int(a0)))

    @staticmethod
    def msleep(a0: int) -> None:
        """Block the calling thread for ``a0`` milliseconds."""
        time.sleep(max(0, int(a0)) / 1000)

    @staticmethod
    def usleep(a0: int) -> None:
        """Block the calling thread for ``a0`` microseconds."""
        time.sleep(max(0, int(a0)) / 1_000_000)

    @staticmethod
    def yieldCurrentThread() -> None:
        """Let another thread run."""
        time.sleep(0)

    # ------------------------------------------------------------------ running
    def start(self, priority: QThread.Priority = Priority.InheritPriority) -> None:
        """Start the thread: ``started``, then ``run()``, then ``finished``, in the new thread.

        Does nothing while the thread runs, or for an adopted thread. A finished thread starts
        again in a new OS thread; the objects living in it stay there.
        """
        if not isinstance(priority, QThread.Priority):
            raise TypeError(
                f"start(self, priority: QThread.Priority = QThread.InheritPriority): argument 1 "
                f"has unexpected type '{type(priority).__name__}'"
            )
        if self._adopted:
            return
        with self._lock:
            if self._running:
                return
            runner = self._runner
            if self._ran_once:
                # threading.Thread objects start once; re-initialise the same object (its
                # identity is what objects living in this QThread refer to) once the OS thread
                # of the last run has really ended.
                if runner is not threading.current_thread():
                    runner.join()
                _Runner.__init__(runner, self)  # type: ignore[arg-type]
            self._ran_once = True
            self._running = True
            self._finished = False
            self._in_finish = False
            self._exited = False
            self._return_code = 0
            self._interruption = False
            self._priority = priority
            self._done.clear()
        runner.start()

    def run(self) -> None:
        """What the thread does; the default runs the event loop (``exec()``)."""
        self.exec()

    def _bootstrap(self) -> None:
        runner = self._runner
        # (Objects moved here before the thread existed have no cached ident yet; signals
        # refresh it on their first delivery, see pyqtBoundSignal._deliver_other.)
        try:
            try:
                self.started.emit()
                self.run()
            except Exception:
                _report_exception()
        finally:
            with self._lock:
                self._in_finish = True
            try:
                self.finished.emit()
            except Exception:
                _report_exception()
            finally:
                try:
                    flush_deferred_deletes(runner)
                    dispatch.release_thread_loop(runner)
                finally:
                    with self._lock:
                        self._running = False
                        self._finished = True
                        self._in_finish = False
                        self._exec_depth = 0
                    self._done.set()

    def exec(self) -> int:
        """Run this thread's event loop until ``exit()``/``quit()``; returns the exit code.

        Only from the thread itself (-1 otherwise, with a warning). Returns at once if
        ``exit()`` was called since ``start()``.
        """
        if threading.current_thread() is not self._runner:
            warnings.warn(
                "QThread::exec: called from a thread other than the one it manages",
                RuntimeWarning,
                stacklevel=2,
            )
            return -1
        with self._lock:
            if self._exited:
                self._exited = False
                return self._return_code
            self._exec_depth += 1
            self._exec_generation += 1
        _state.quit_now = False
        try:
            code = _run_frame(QEventLoop(), _state)
        finally:
            with self._lock:
                self._exec_depth -= 1
                self._exited = False
                self._return_code = -1
            _state.quit_now = False
        return code

    def exit(self, returnCode: int = 0) -> None:
        """Make the thread's ``exec()``, and every QEventLoop running in the thread, return
        ``returnCode``.

        Safe from any thread. Before ``exec()`` runs, the next ``exec()`` returns at once.
        """
        code = int(returnCode)
        with self._lock:
            self._exited = True
            self._return_code = code
            generation = self._exec_generation
        if self.isRunning():
            # Into the thread's loop: whichever loop runs there next (exec's or a QEventLoop
            # of run()) leaves, and a later one returns at once, as with Qt's quitNow.
            dispatch.post(self._runner, self._exit_here, generation, code)

    def _exit_here(self, generation: int, code: int) -> None:
        # Runs in the managed thread, inside its loop: leave every running frame.
        with self._lock:
            if generation != self._exec_generation:
                return  # an exec() started since has already seen the exit
        _state.quit_now = True
        for frame in list(_state.frames):
            frame.exit(code)

    def quit(self) -> None:
        """``exit(0)``."""
        self.exit(0)

    def wait(self, deadline: QDeadlineTimer | int = QDeadlineTimer.Forever) -> bool:  # type: ignore[assignment]
        """Block until the thread has finished (True) or the time is up (False).

        ``deadline`` is a QDeadlineTimer or milliseconds (ULONG_MAX: forever; negative values
        raise OverflowError as in PyQt6). True at once for a thread that is not running.
        Waiting on itself warns and returns False.
        """
        if isinstance(deadline, QDeadlineTimer.ForeverConstant):
            msecs: int | None = None
        else:
            msecs = _wait_msecs(deadline)
        if threading.current_thread() is self._runner:
            warnings.warn("QThread::wait: Thread tried to wait on itself", RuntimeWarning,
                          stacklevel=2)
            return False
        timeout = None if msecs is None else msecs / 1000
        if self._adopted:
            runner = self._runner
            if isinstance(runner, threading._DummyThread):  # type: ignore[attr-defined]
                return False  # a thread Python did not start cannot be joined
            runner.join(timeout)
            return not runner.is_alive()
        return self._done.wait(timeout)

    # ------------------------------------------------------------------ state
    def isRunning(self) -> bool:
        """True from ``start()`` until ``finished`` is being emitted."""
        if self._adopted:
            return self._runner.is_alive()
        with self._lock:
            return self._running and not self._in_finish

    def isFinished(self) -> bool:
        """True from the emission of ``finished`` on (until the next ``start()``)."""
        if self._adopted:
            runner = self._runner
            return runner.ident is not None and not runner.is_alive()
        with self._lock:
            return self._finished or self._in_finish

    def loopLevel(self) -> int:
        """How many event loops run in the thread (counted for ``exec()``s of this QThread)."""
        return self._exec_depth

    def requestInterruption(self) -> None:
        """Ask ``run()`` to stop: ``isInterruptionRequested()`` turns True (ignored for the
        main thread, as in Qt)."""
        if self._runner is threading.main_thread():
            return
        self._interruption = True

    def isInterruptionRequested(self) -> bool:
        """True after ``requestInterruption()`` while the thread runs."""
        return self._interruption and self.isRunning()

    def priority(self) -> QThread.Priority:
        """The priority given to ``start()`` or ``setPriority()`` (recorded only)."""
        return self._priority

    def setPriority(self, priority: QThread.Priority) -> None:
        """Record a priority for a running thread (Python cannot apply it)."""
        if not isinstance(priority, QThread.Priority):
            raise TypeError(
                f"setPriority(self, priority: QThread.Priority): argument 1 has unexpected type "
                f"'{type(priority).__name__}'"
            )
        if self.isRunning():
            self._priority = priority

    def serviceLevel(self) -> QThread.QualityOfService:
        """The quality of service set with ``setServiceLevel`` (recorded only)."""
        return self._service_level

    def setServiceLevel(self, serviceLevel: QThread.QualityOfService) -> None:
        """Record a quality of service (Python cannot apply it)."""
        if not isinstance(serviceLevel, QThread.QualityOfService):
            raise TypeError(
                f"setServiceLevel(self, serviceLevel: QThread.QualityOfService): argument 1 has "
                f"unexpected type '{type(serviceLevel).__name__}'"
            )
        self._service_level = serviceLevel

    def stackSize(self) -> int:
        """The stack size set with ``setStackSize`` (0: the default)."""
        return self._stack_size

    def setStackSize(self, stackSize: int) -> None:
        """Record a stack size (qtls does not apply it: ``threading.stack_size`` is global)."""
        self._stack_size = int(stackSize)

    def __repr__(self) -> str:
        kind = "adopted " if getattr(self, "_adopted", False) else ""
        name = getattr(getattr(self, "_runner", None), "name", "?")
        return f"<qtls.QtCore.QThread {kind}{name!r} at {id(self):#x}>"

