"""Event dispatch on asyncio: the loop that serves each thread, queued delivery between threads.

Theory of operation
-------------------
Qt gives every thread at most one event dispatcher; qtls gives every thread at most one asyncio
loop *as far as qtls is concerned*:

* If the calling thread is running an asyncio loop (``asyncio.run()``, uvloop, a loop qtls itself
  is running for ``QCoreApplication.exec()``), that loop serves the thread.
* Otherwise qtls makes one loop for the thread on first use and remembers it. That is the loop
  ``QCoreApplication.exec()`` / ``QEventLoop.exec()`` run later, so sockets, timers and notifiers
  created before ``exec()`` fire once it runs (Qt's behaviour).

``post()`` is Qt's queued connection: it runs a callback soon in another thread's loop through
``call_soon_threadsafe`` (which wakes a loop blocked in ``select``).

Other modules rely on exactly these names: ``thread_loop``, ``loop_of_thread``, ``post``, and
``release_thread_loop`` (QThread, when its run ends).
"""

from __future__ import annotations

import asyncio
import os
import threading
import warnings
import weakref
from collections.abc import Callable
from weakref import WeakKeyDictionary

__all__: list[str] = []  # internal module: nothing for the QtCore façade

# Thread -> the loop that serves it. Weak keys so that finished threads do not pin their loops.
_loops: WeakKeyDictionary[threading.Thread, asyncio.AbstractEventLoop] = WeakKeyDictionary()
# Thread -> the loop qtls made for it. Kept apart from _loops so that an asyncio.run() in the
# thread (which _loops follows while it runs) does not orphan it: it serves again afterwards.
_made: WeakKeyDictionary[threading.Thread, asyncio.AbstractEventLoop] = WeakKeyDictionary()
_lock = threading.Lock()
_get_running_loop = asyncio._get_running_loop  # returns None instead of raising (fast path)
_get_ident = threading.get_ident


class _Registered(threading.local):
    """The loop this thread last stored in ``_loops`` itself: thread_loop() answers a running
    loop that is already registered without a WeakKeyDictionary lookup (a weakref per call,
    several calls per accepted connection)."""

    loop: asyncio.AbstractEventLoop | None = None


_registered = _Registered()


def _forget_after_fork() -> None:
    # A child process must not take its parent's loop for a running one of its own (see
    # thread_loop's first test): its first call asks asyncio, whose fork check says no.
    _registered.loop = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def _close_if_idle(loop: asyncio.AbstractEventLoop) -> None:
    if not loop.is_running() and not loop.is_closed():
        loop.close()


def _new_loop_for(thread: threading.Thread) -> asyncio.AbstractEventLoop:
    """A new loop for ``thread``, closed (its selector and wake-up pipe freed) once the thread
    object is garbage, so that short-lived worker threads do not leak descriptors."""
    loop = asyncio.new_event_loop()
    _made[thread] = loop
    if thread is not threading.main_thread():
        weakref.finalize(thread, _close_if_idle, loop)
    return loop


def _loop_set_for_this_thread() -> asyncio.AbstractEventLoop | None:
    """The loop a program installed with ``asyncio.set_event_loop()``, without creating one.

    ``asyncio.get_event_loop()`` would create (or, on 3.14, refuse) a loop when there is none; we
    only want to reuse one the program set itself, so we look at the policy's thread-local slot.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            policy = asyncio.get_event_loop_policy()
        local = getattr(policy, "_local", None)
        loop = getattr(local, "_loop", None)
    except Exception:  # a third-party policy without the stdlib layout
        return None
    if isinstance(loop, asyncio.AbstractEventLoop) and not loop.is_closed():
        return loop
    return None


def thread_loop() -> asyncio.AbstractEventLoop:
    """The asyncio loop that serves the calling thread.

    The running loop if there is one (an asyncio or uvloop program that never made a
    QCoreApplication), else the loop the program set with ``asyncio.set_event_loop()``, else the
    loop qtls made for this thread on first use (installed as the thread's current asyncio
    loop), which ``QCoreApplication.exec()`` and ``QEventLoop.exec()`` run. Objects registered
    while one loop served the thread stay on that loop.
    """
    registered = _registered.loop
    if registered is not None and getattr(registered, "_thread_id", None) == _get_ident():
        # The loop this thread registered is running (run_forever) in this thread, so it is
        # the running loop: two loops cannot run in one thread. Answered without asking
        # asyncio, whose answer costs a getpid() system call on Python 3.11 (its fork check:
        # ours is _forget_after_fork), several times per accepted connection.
        return registered
    running = _get_running_loop()
    if running is not None:
        if registered is not running:
            # Remember it so that other threads can post() to this one (queued connections).
            _loops[threading.current_thread()] = running
            _registered.loop = running
        return running
    thread = threading.current_thread()
    loop = _loops.get(thread)
    if loop is not None and not loop.is_closed():
        return loop
    with _lock:
        loop = _loop_set_for_this_thread()
        if loop is None:
            loop = _made.get(thread)
            if loop is None or loop.is_closed():
                loop = _new_loop_for(thread)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                asyncio.set_event_loop(loop)
        _loops[thread] = loop
        _registered.loop = loop
    return loop


def loop_of_thread(thread: threading.Thread) -> asyncio.AbstractEventLoop | None:
    """The loop that serves ``thread``, or None when that thread has not used one yet.

    A thread running an asyncio loop that qtls has not seen yet is unknown here until it calls
    ``thread_loop()`` (any qtls object created in it does).
    """
    if thread is threading.current_thread():
        running = _get_running_loop()
        if running is not None:
            return running
    loop = _loops.get(thread)
    if loop is not None and loop.is_closed():
        return None
    return loop


def _remember_running_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Record ``loop`` as the calling thread's loop (called when qtls sees it running)."""
    _loops[threading.current_thread()] = loop
    _registered.loop = loop


def release_thread_loop(thread: threading.Thread) -> None:
    """Forget and close the loop qtls made for ``thread`` (a QThread whose run has ended).

    Frees its selector and wake-up pipe now rather than when the thread object is garbage. A
    later ``post()`` to the thread or ``thread_loop()`` in it makes a new loop (a restarted
    QThread runs that one). A loop the program supplied, or one still running, is left alone.
    """
    with _lock:
        loop = _made.get(thread)
        if loop is None or loop.is_running():
            return
        _made.pop(thread, None)
        if _loops.get(thread) is loop:
            del _loops[thread]
        if _registered.loop is loop:
            _registered.loop = None
        if not loop.is_closed():
            loop.close()


def post(thread: threading.Thread, callback: Callable[..., object], *args: object) -> None:
    """Run ``callback(*args)`` soon in ``thread``'s loop.

    From the same thread this is ``loop.call_soon``; from another thread
    ``loop.call_soon_threadsafe``, which wakes that loop. A thread that has no loop yet gets one
    (made here, run when that thread runs its event loop), so nothing posted is lost.
    """
    if thread is threading.current_thread():
        thread_loop().call_soon(callback, *args)
        return
    loop = _loops.get(thread)
    if loop is None or loop.is_closed():
        with _lock:
            loop = _loops.get(thread)
            if loop is None or loop.is_closed():
                # The thread has not touched a loop yet: make the one it will run. It must not
                # be set as the *current* loop of this thread, only remembered for `thread`.
                loop = _new_loop_for(thread)
                _loops[thread] = loop
    loop.call_soon_threadsafe(callback, *args)
