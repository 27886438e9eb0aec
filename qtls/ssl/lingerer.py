"""Close TCP connections without a reset: keep reading until the peer's FIN, then close.

Why: closing a socket whose receive queue holds unread bytes makes the kernel send RST instead
of FIN (RFC 1122 §4.2.2.13), and a peer that gets RST throws away whatever it had received but
not yet read, e.g. the last bytes we sent it. TLS makes this common: a TLS 1.3 server sends its
session tickets right after the handshake, so a short-lived client nearly always has unread
input when it closes.

How: the socket that is going away first sends FIN (``shutdown(SHUT_WR)``) after its last
bytes; then a *duplicate* of its descriptor is handed to :func:`linger`, so the socket can
close its own descriptor as usual while the connection stays open. One daemon thread reads
and discards from every lingering socket until EOF (the peer closed too), an error, or a
deadline (:data:`LINGER_SECONDS`), then closes it. It needs no event loop, so it works for
blocking sockets in threads as well.

Cost per connection matters (a server closes one per handshake): a socket whose peer has
already closed (the common case for a server: the client closes first) is closed at once
without involving the thread, and so is one whose peer sent its close_notify (only the
peer's FIN can follow that; see ``TlsLayer.drain_kernel_input``). The thread stays
up for :data:`_IDLE_SECONDS` after its last socket, so a busy server does not start a
thread (and wait for it to start) per connection.
"""

from __future__ import annotations

import selectors
import socket
import threading
import time

__all__: list[str] = []

#: The longest a closed connection is kept open waiting for the peer's FIN.
LINGER_SECONDS = 5.0
_MAX_LINGERING = 1024
#: How long the thread waits for more sockets before it exits.
_IDLE_SECONDS = 10.0


class _Lingerer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._deadlines: dict[socket.socket, float] = {}
        self._thread: threading.Thread | None = None

    def add(self, sock: socket.socket) -> None:
        try:
            sock.setblocking(False)
            if not sock.recv(65536):
                sock.close()  # the peer's FIN is already here: nothing to wait for
                return
        except BlockingIOError:
            pass  # the peer has not closed yet: linger
        except OSError:
            sock.close()  # reset or otherwise broken: nothing to protect any more
            return
        with self._lock:
            if len(self._deadlines) >= _MAX_LINGERING:
                sock.close()  # too many: fall back to an ordinary close
                return
            self._deadlines[sock] = time.monotonic() + LINGER_SECONDS
            self._selector.register(sock, selectors.EVENT_READ, sock)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="qtls-linger", daemon=True)
                self._thread.start()
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass

    def _drop(self, sock: socket.socket) -> None:
        with self._lock:
            self._deadlines.pop(sock, None)
            try:
                self._selector.unregister(sock)
            except (KeyError, ValueError):
                pass
        try:
            sock.close()
        except OSError:
            pass

    def _run(self) -> None:
        idle_since: float | None = None
        while True:
            with self._lock:
                if self._deadlines:
                    idle_since = None
                    timeout = max(0.0, min(self._deadlines.values()) - time.monotonic())
                else:
                    now = time.monotonic()
                    if idle_since is None:
                        idle_since = now
                    elif now - idle_since >= _IDLE_SECONDS:
                        self._thread = None
                        return
                    timeout = max(0.0, idle_since + _IDLE_SECONDS - now)
            for key, _ in self._selector.select(timeout):
                sock = key.data
                if sock is None:
                    try:
                        self._wake_r.recv(4096)
                    except OSError:
                        pass
                    continue
                try:
                    while True:
                        if not sock.recv(65536):
                            self._drop(sock)  # the peer's FIN: a clean close now
                            break
                except BlockingIOError:
                    pass
                except OSError:
                    self._drop(sock)
            now = time.monotonic()
            with self._lock:
                expired = [s for s, deadline in self._deadlines.items() if deadline <= now]
            for sock in expired:
                self._drop(sock)


_lingerer = _Lingerer()


def linger(sock: socket.socket) -> None:
    """Take over ``sock`` (a duplicate descriptor): read until the peer closes, then close."""
    _lingerer.add(sock)


#: At most this much unread kernel input is drained before a close (then we give up).
_DRAIN_LIMIT = 16 * 1024 * 1024


def drain_and_linger(sock: socket.socket) -> None:
    """Before ``sock`` is closed: read what is unread, send FIN, and keep a duplicate
    descriptor reading until the peer's FIN (see the module docstring)."""
    drained = 0
    peer_closed = False
    try:
        while drained < _DRAIN_LIMIT:
            data = sock.recv(256 * 1024)
            if not data:
                peer_closed = True
                break
            drained += len(data)
    except OSError:  # EAGAIN: nothing more for now; anything else: closing anyway
        pass
    try:
        sock.shutdown(socket.SHUT_WR)
        if not peer_closed:
            # (A peer whose FIN is already here sends nothing more: closing cannot reset,
            # and the duplicate descriptor would be closed at once.)
            linger(sock.dup())
    except OSError:
        pass
