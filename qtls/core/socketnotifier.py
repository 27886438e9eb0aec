"""QSocketNotifier: read/write readiness of a descriptor as a signal.

Built on ``loop.add_reader``/``add_writer`` of the loop of the notifier's thread. Readiness is
level-triggered, as Qt's: while the descriptor stays readable and the notifier enabled,
``activated`` fires again on every loop iteration.

Differences from PyQt6, on purpose: asyncio has no "exceptional condition" watch, so an
``Exception`` notifier never fires; and asyncio allows one reader and one writer callback per
descriptor and loop, so a second Read notifier on the same descriptor replaces the first (Qt warns
about multiple notifiers of one type on one socket too).
"""

from __future__ import annotations

import asyncio
import enum
import threading
import warnings
import weakref
from typing import Any

from qtls.core import dispatch
from qtls.core.qobject import QObject
from qtls.core.signals import pyqtSignal

__all__ = ["QSocketNotifier"]


def _activate_weak(
    ref: weakref.ref[QSocketNotifier], loop: asyncio.AbstractEventLoop, fd: int, kind: int
) -> None:
    notifier = ref()
    if notifier is None:
        # The notifier was garbage-collected while enabled: stop watching, or the loop would
        # spin on a readable descriptor nobody reads.
        (loop.remove_reader if kind == 0 else loop.remove_writer)(fd)
        return
    notifier._activate()


def _fileno(socket: Any) -> int:
    if isinstance(socket, bool):
        raise TypeError("QSocketNotifier: socket must be an int descriptor, not 'bool'")
    if isinstance(socket, int):
        return socket
    fileno = getattr(socket, "fileno", None)
    if callable(fileno):
        fd = fileno()
        if isinstance(fd, int):
            return fd
    raise TypeError(
        f"QSocketNotifier: socket must be an int descriptor, not '{type(socket).__name__}'"
    )


class QSocketNotifier(QObject):
    """Watches a descriptor: ``QSocketNotifier(fd, QSocketNotifier.Type.Read, parent)``.

    Emits ``activated(fd)`` when the descriptor is ready for the watched operation. Enabled on
    construction when given a descriptor; ``QSocketNotifier(type, parent)`` makes an invalid
    notifier to be given one with ``setSocket``. An object with ``fileno()`` is accepted where Qt
    takes a native handle.
    """

    class Type(enum.Enum):
        """The readiness a notifier watches."""

        Read = 0
        Write = 1
        Exception = 2

    activated = pyqtSignal(int)

    def __init__(self, *args: Any, parent: QObject | None = None) -> None:
        fd = -1
        if args and isinstance(args[0], QSocketNotifier.Type):
            kind = args[0]
            rest = args[1:]
        elif len(args) >= 2 and isinstance(args[1], QSocketNotifier.Type):
            fd = _fileno(args[0])
            kind = args[1]
            rest = args[2:]
        else:
            raise TypeError(
                "QSocketNotifier(socket: int, type: QSocketNotifier.Type, parent: QObject = None)"
                " or QSocketNotifier(type: QSocketNotifier.Type, parent: QObject = None)"
            )
        if len(rest) > 1:
            raise TypeError("QSocketNotifier(): too many arguments")
        if rest:
            parent = rest[0]
        super().__init__(parent)
        self._type = kind
        self._fd = fd
        self._enabled = False
        self._loop: asyncio.AbstractEventLoop | None = None
        if fd >= 0:
            self.setEnabled(True)

    def socket(self) -> int:
        """The descriptor watched, or -1."""
        return self._fd

    def type(self) -> QSocketNotifier.Type:
        """The readiness watched."""
        return self._type

    def isValid(self) -> bool:
        """True when the notifier has a descriptor."""
        return self._fd >= 0

    def isEnabled(self) -> bool:
        """True while the notifier watches its descriptor."""
        return self._enabled

    def setSocket(self, socket: Any) -> None:
        """Watch another descriptor; the notifier is disabled (as Qt), enable it afterwards."""
        fd = _fileno(socket)
        self.setEnabled(False)
        self._fd = fd

    def setEnabled(self, enable: bool) -> None:
        """Start (True) or stop (False) watching. Only from the notifier's own thread."""
        enable = bool(enable)
        if self._fd < 0 or enable == self._enabled:
            return
        if self._qt_thread is not threading.current_thread():
            warnings.warn(
                "QSocketNotifier: Socket notifiers cannot be enabled or disabled from another "
                "thread",
                RuntimeWarning,
                stacklevel=2,
            )
            return
        self._enabled = enable
        if self._type is QSocketNotifier.Type.Exception:
            return  # asyncio has no exceptional-condition watch (see the module notes)
        if enable:
            loop = self._loop = dispatch.thread_loop()
            kind = self._type.value
            add = loop.add_reader if kind == 0 else loop.add_writer
            add(self._fd, _activate_weak, weakref.ref(self), loop, self._fd, kind)
        else:
            self._unregister()

    def _unregister(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        self._loop = None
        if self._type is QSocketNotifier.Type.Read:
            loop.remove_reader(self._fd)
        elif self._type is QSocketNotifier.Type.Write:
            loop.remove_writer(self._fd)

    def _activate(self) -> None:
        if self._enabled:
            self.activated.emit(self._fd)

    def _destroy(self) -> None:
        self.setEnabled(False)
        super()._destroy()
