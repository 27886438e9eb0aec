"""Descriptor I/O: bursts of ``recv_into`` a reusable buffer, ``send`` from a chunk list.

What every socket pump does with its non-blocking ``socket.socket``, and nothing else: no
QIODevice, no signals, no TLS, no event loop. QAbstractSocket's pump copies what a burst
receives into its read buffer; QSslSocket's hands it straight to its TLS engine. Failures come
back as the ``OSError`` that ended the operation; :func:`qtls.network.socketerrors.from_os_error`
turns it into Qt's SocketError and text.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

from qtls.core.ringbuffer import RingBuffer

__all__: list[str] = []

RECV_SIZE = 256 * 1024
# One burst reads at most this much before yielding to the loop, so that one fast peer
# cannot starve the other sockets of the thread.
BURST_LIMIT = 4 * 1024 * 1024


class _ThreadBuffer(threading.local):
    """One receive buffer per thread, shared by every socket of that thread.

    Sockets only run their handlers in their own thread and hand on what they received before
    any signal is emitted, so sharing is safe, and a server with thousands of connections does
    not hold 256 KiB for each of them.
    """

    view: memoryview | None = None


_thread_buffer = _ThreadBuffer()


def receive_view() -> memoryview:
    """This thread's receive buffer (the same view for the thread's lifetime)."""
    view = _thread_buffer.view
    if view is None:
        view = _thread_buffer.view = memoryview(bytearray(RECV_SIZE))
    return view


class Burst:
    """What one :func:`receive_burst` did: bytes received, end of stream seen, the failure."""

    __slots__ = ("total", "eof", "failure")

    def __init__(self) -> None:
        self.total = 0
        self.eof = False
        self.failure: OSError | None = None


def receive_burst(
    sock: socket.socket, take: Callable[[memoryview, int], object], limit: int = 0
) -> Burst:
    """``recv_into`` the thread's buffer until the kernel has nothing more, the peer closed,
    an error, :data:`BURST_LIMIT`, or ``limit`` bytes (0: no limit). Each chunk is handed to
    ``take(view, n)``: the first ``n`` bytes of ``view`` are new, valid until the next call."""
    view = _thread_buffer.view
    if view is None:
        view = receive_view()
    burst = Burst()
    total = 0
    want = RECV_SIZE
    while total < BURST_LIMIT:
        if limit:
            want = min(RECV_SIZE, limit - total)
            if want <= 0:
                break
        try:
            n = sock.recv_into(view, want)
        except (BlockingIOError, InterruptedError):
            break
        except OSError as exc:
            # (Errors leave here without their tracebacks, which would keep this frame and
            # what it refers to alive as long as the error is kept.)
            burst.failure = exc.with_traceback(None)
            break
        if n == 0:
            burst.eof = True
            break
        take(view, n)
        total += n
        if n < want:
            break  # drained: the next readiness event will tell about EOF
    burst.total = total
    return burst


def send_chunks(sock: socket.socket, buffer: RingBuffer) -> tuple[int, OSError | None]:
    """Send from the head of ``buffer`` until it is empty or the kernel takes no more; free
    what went. Returns (bytes sent, the error that stopped it or None)."""
    chunks = buffer._chunks
    total = 0
    while buffer._size:
        # The head chunk itself when none of it was sent yet (the usual case: no view).
        chunk = chunks[0] if not buffer._head else buffer.first_chunk()
        try:
            n = sock.send(chunk)
        except (BlockingIOError, InterruptedError):
            break
        except OSError as exc:
            return total, exc.with_traceback(None)
        total += n
        if n < len(chunk):
            buffer.free(n)
            break
        # All of the head chunk's unread bytes went: drop it (RingBuffer.free, inlined).
        chunks.popleft()
        buffer._head = 0
        buffer._size -= n
    return total, None


def send_now(sock: socket.socket, data: bytes | memoryview) -> tuple[int, OSError | None]:
    """One ``send`` of ``data`` (nothing queued before it); (bytes taken, the error or None)."""
    try:
        return sock.send(data), None
    except (BlockingIOError, InterruptedError):
        return 0, None
    except OSError as exc:
        return 0, exc.with_traceback(None)
