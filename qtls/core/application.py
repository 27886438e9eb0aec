"""QCoreApplication: the application object that runs the main thread's loop.

qtls needs no application object: sockets work in any thread that runs an asyncio loop. A
QCoreApplication is there for PyQt6 programs: ``app.exec()`` runs the main thread's loop until
``quit()``/``exit(code)``, as Qt's does, and ``exec()`` called inside an already running asyncio
loop behaves like a nested QEventLoop.

As in PyQt6, the application object lives while Python references it: once it is garbage, a new
one may be created (``instance()`` returns None meanwhile). Creating a second one while the first
is alive raises RuntimeError (Qt asserts).
"""

from __future__ import annotations

import os
import sys
import threading
import weakref
from typing import Any

from qtls.core import dispatch
from qtls.core.deadlinetimer import QDeadlineTimer
from qtls.core.event import QEvent
from qtls.core.eventloop import QEventLoop, _process_events, _run_frame, _state
from qtls.core.qobject import (
    QObject,
    flush_deferred_deletes,
    post_event,
    remove_posted_events,
    send_event,
)
from qtls.core.signals import pyqtSignal

__all__ = ["QCoreApplication"]


# The live application object, held weakly as PyQt6 does (see the module notes).
_instance: weakref.ref[QCoreApplication] | None = None


class QCoreApplication(QObject):
    """Qt's application object for programs without a GUI: ``QCoreApplication(sys.argv)``.

    Its methods are static, as in Qt: ``QCoreApplication.exec()``, ``QCoreApplication.quit()``.
    """

    aboutToQuit = pyqtSignal()

    _app_name: str | None = None
    _app_version = ""
    _org_name = ""
    _org_domain = ""

    def __init__(self, argv: list[str] | None = None) -> None:
        if argv is None:
            argv = list(sys.argv)
        if not isinstance(argv, (list, tuple)) or not all(isinstance(a, str) for a in argv):
            raise TypeError(
                f"QCoreApplication(argv: list[str]): argument 1 has unexpected type "
                f"'{type(argv).__name__}'"
            )
        global _instance
        if QCoreApplication.instance() is not None:
            raise RuntimeError(
                "QCoreApplication: there should be only one application object "
                "(QCoreApplication.instance() exists)"
            )
        super().__init__(None)
        self._argv = list(argv)
        self._in_exec = False
        self._about_to_quit_emitted = False
        self._main_loop: QEventLoop | None = None
        self._closing_down = False
        _instance = weakref.ref(self)

    # ------------------------------------------------------------------ instance & loop
    @staticmethod
    def instance() -> QCoreApplication | None:
        """The application object, or None when there is none."""
        return _instance() if _instance is not None else None

    @staticmethod
    def exec() -> int:
        """Run the main thread's event loop until ``quit()``/``exit(code)``; returns the code.

        Emits ``aboutToQuit`` before returning (if ``exit`` did not already). -1 without an
        application object, from a thread other than the application's, or when already in
        ``exec()``.
        """
        app = QCoreApplication.instance()
        if app is None or app._in_exec:
            return -1
        if app._qt_thread is not threading.current_thread():
            return -1  # Qt: "Must be called from the main thread"
        state = _state
        state.quit_now = False
        loop = QEventLoop()
        app._main_loop = loop
        app._in_exec = True
        app._about_to_quit_emitted = False
        try:
            code = _run_frame(loop, state)
        finally:
            state.quit_now = False
            app._in_exec = False
            app._main_loop = None
        app._emit_about_to_quit()
        flush_deferred_deletes(app._qt_thread)
        return code

    def _emit_about_to_quit(self) -> None:
        if not self._about_to_quit_emitted:
            self._about_to_quit_emitted = True
            self._closing_down = True
            try:
                self.aboutToQuit.emit()
            finally:
                self._closing_down = False

    @staticmethod
    def exit(returnCode: int = 0) -> None:
        """Leave every event loop of the main thread with ``returnCode`` (Qt's exit).

        Does nothing unless ``exec()`` is running. Emits ``aboutToQuit`` at once, as Qt 6 does.
        New QEventLoops started in the main thread before ``exec()`` returns return -1. Safe to
        call from any thread (it is then posted to the main thread).
        """
        app = QCoreApplication.instance()
        if app is None:
            return
        if app._qt_thread is not threading.current_thread():
            dispatch.post(app._qt_thread, QCoreApplication.exit, int(returnCode))
            return
        if not app._in_exec:
            return
        state = _state
        state.quit_now = True
        for frame in list(state.frames):
            frame.exit(returnCode)
        app._emit_about_to_quit()

    @staticmethod
    def quit() -> None:
        """``exit(0)``."""
        QCoreApplication.exit(0)

    @staticmethod
    def processEvents(
        flags: QEventLoop.ProcessEventsFlag = QEventLoop.ProcessEventsFlag.AllEvents,
        maxtime: int | QDeadlineTimer | None = None,
    ) -> None:
        """Process the calling thread's pending events once (or for up to ``maxtime`` ms, or
        until the QDeadlineTimer ``maxtime`` expires)."""
        _process_events(flags, maxtime)

    @staticmethod
    def sendPostedEvents(receiver: QObject | None = None, eventType: int = 0) -> None:
        """Run the calling thread's pending callbacks (qtls posts callbacks, not events)."""
        _process_events(None, None)

    @staticmethod
    def sendEvent(receiver: QObject | None, event: QEvent | None) -> bool:
        """Deliver ``event`` to ``receiver`` now: its event filters, then ``receiver.event``."""
        if receiver is None or event is None:
            return False
        return send_event(receiver, event)

    @staticmethod
    def postEvent(receiver: QObject | None, event: QEvent | None, priority: int = 0) -> None:
        """Deliver ``event`` to ``receiver`` later, from the receiver's thread loop (any thread
        may post). ``priority`` is accepted; events are delivered in posting order."""
        if receiver is None or event is None:
            return
        post_event(receiver, event)

    @staticmethod
    def removePostedEvents(receiver: QObject | None, eventType: int = 0) -> None:
        """Drop undelivered posted events of ``receiver`` (of ``eventType``, 0 for all)."""
        remove_posted_events(receiver, int(eventType))

    @staticmethod
    def startingUp() -> bool:
        """True until the application object exists."""
        return QCoreApplication.instance() is None

    @staticmethod
    def closingDown() -> bool:
        """True while the application object emits ``aboutToQuit`` on its way out."""
        app = QCoreApplication.instance()
        return bool(app is not None and app._closing_down)

    # ------------------------------------------------------------------ arguments & names
    @staticmethod
    def arguments() -> list[str]:
        """The argv given to the constructor ([] without an application object)."""
        app = QCoreApplication.instance()
        return list(app._argv) if app is not None else []

    @staticmethod
    def applicationFilePath() -> str:
        """The running executable (the Python interpreter, as PyQt6 reports)."""
        return os.path.realpath(sys.executable) if sys.executable else ""

    @staticmethod
    def applicationDirPath() -> str:
        """The directory of ``applicationFilePath()``."""
        path = QCoreApplication.applicationFilePath()
        return os.path.dirname(path) if path else ""

    @staticmethod
    def applicationPid() -> int:
        """This process's id."""
        return os.getpid()

    @staticmethod
    def applicationName() -> str:
        """The name set with ``setApplicationName``, else the file name of ``argv[0]``."""
        if QCoreApplication._app_name is not None:
            return QCoreApplication._app_name
        app = QCoreApplication.instance()
        if app is not None and app._argv:
            return os.path.basename(app._argv[0])
        return ""

    @staticmethod
    def setApplicationName(application: str | None) -> None:
        """Set the application name (None restores the default)."""
        QCoreApplication._app_name = application

    @staticmethod
    def applicationVersion() -> str:
        """The version set with ``setApplicationVersion`` ('' by default)."""
        return QCoreApplication._app_version

    @staticmethod
    def setApplicationVersion(version: str | None) -> None:
        """Set the application version."""
        QCoreApplication._app_version = version or ""

    @staticmethod
    def organizationName() -> str:
        """The organisation name ('' by default)."""
        return QCoreApplication._org_name

    @staticmethod
    def setOrganizationName(orgName: str | None) -> None:
        """Set the organisation name."""
        QCoreApplication._org_name = orgName or ""

    @staticmethod
    def organizationDomain() -> str:
        """The organisation's Internet domain ('' by default)."""
        return QCoreApplication._org_domain

    @staticmethod
    def setOrganizationDomain(orgDomain: str | None) -> None:
        """Set the organisation's Internet domain."""
        QCoreApplication._org_domain = orgDomain or ""

    # ------------------------------------------------------------------ context manager
    def __enter__(self) -> QCoreApplication:
        """PyQt6's ``with QCoreApplication(argv) as app:``."""
        return self

    def __exit__(self, type: Any, value: Any, traceback: Any) -> None:
        """Release the singleton so that a new application object can be created."""
        global _instance
        if _instance is not None and _instance() is self:
            _instance = None
