"""RingBuffer: a chunk-list byte buffer (Qt's QRingBuffer idea) for device read/write buffers.

Theory of operation
-------------------
The buffer is a deque of immutable ``bytes`` chunks plus an offset into the head chunk:

* ``append`` keeps a ``bytes`` object as it is (no copy) and copies mutable input once, so a
  caller may reuse its receive buffer. Small chunks are coalesced with a small tail so that a
  stream of 1-byte writes does not become a deque of a million objects.
* Consuming from the head moves ``_head`` forward; the head chunk is dropped only when fully
  consumed. Removing 10 bytes from a 256 KiB chunk therefore costs nothing.
* Reading N bytes that span several chunks builds the result with one ``bytes.join`` over
  memoryview slices: one copy of exactly N bytes, never a copy of the whole buffer.
* Searching (``index_of``) runs ``bytes.find`` (memchr) chunk by chunk with start/end indexes,
  so no chunk is sliced to be searched. There is no per-byte Python loop anywhere.

``append_owned`` also keeps a ``bytearray`` or a byte ``memoryview`` whose owner gives it up (a
TLS engine decrypts straight into a bytearray, and hands out its ciphertext as a view of a block
of its own): such chunks are never mutated either, and whatever leaves the buffer as a whole
object (``peek``/``read``) is converted to ``bytes`` then, so readers only see ``bytes``.

Invariants: every chunk in ``_chunks`` is a non-empty ``bytes`` (or an owned ``bytearray`` or
``memoryview``, never mutated); ``0 <= _head < len(_chunks[0])``
when the buffer is not empty and ``_head == 0`` when it is; ``_size`` is the number of unread
bytes (the sum of the chunk lengths minus ``_head``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

__all__: list[str] = []

# Appends smaller than this are merged into a small tail chunk (one small copy) instead of
# becoming a chunk of their own; larger ones are kept as they are, without a copy.
_COALESCE_LIMIT = 4096

BytesLike = bytes | bytearray | memoryview


def _as_bytes(data: BytesLike) -> bytes:
    """Return ``data`` as an immutable ``bytes``, copying only when it is mutable or a view."""
    if type(data) is bytes:
        return data
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"a bytes-like object is required, not {type(data).__name__!r}")


class RingBuffer:
    """A FIFO byte buffer made of immutable chunks (see the module docstring)."""

    __slots__ = ("_chunks", "_head", "_size")

    def __init__(self) -> None:
        self._chunks: deque[bytes] = deque()
        self._head = 0
        self._size = 0

    # ------------------------------------------------------------------ size
    def __len__(self) -> int:
        return self._size

    def __bool__(self) -> bool:
        return self._size > 0

    def __repr__(self) -> str:
        return f"<RingBuffer {self._size} bytes in {len(self._chunks)} chunks>"

    def chunk_count(self) -> int:
        """Number of chunks held (for tests and diagnostics)."""
        return len(self._chunks)

    # --------------------------------------------------------------- writing
    def append(self, data: BytesLike) -> None:
        """Append ``data`` at the tail; ``bytes`` are kept as they are, mutable input is copied."""
        chunk = data if type(data) is bytes else _as_bytes(data)  # (no call for bytes)
        n = len(chunk)
        if not n:
            return
        chunks = self._chunks
        if chunks and n < _COALESCE_LIMIT:
            tail = chunks[-1]
            if len(tail) + n <= _COALESCE_LIMIT:
                # Merge small writes: one small copy instead of one more deque entry.
                # (A view handed out by first_chunk() keeps the old tail object alive, and
                # the new tail starts with the same bytes, so its offsets stay valid.)
                chunks[-1] = tail + chunk
                self._size += n
                return
        chunks.append(chunk)
        self._size += n

    def append_prefix(self, view: memoryview, n: int) -> None:
        """Append (a copy of) the first ``n`` bytes of ``view``: a reused receive buffer."""
        self.append(view[:n])

    def append_owned(self, data: bytes | bytearray | memoryview) -> None:
        """Append ``data`` without copying it, even a ``bytearray`` or a ``memoryview`` of
        bytes: the caller gives it up and never touches it again (saves one copy of every byte
        a TLS engine decrypts or encrypts)."""
        if type(data) is memoryview and (data.itemsize != 1 or not data.c_contiguous):
            self.append(data)  # (not a plain run of bytes: copied, as append does)
            return
        n = len(data)
        if (n < _COALESCE_LIMIT and self._chunks) or not isinstance(
                data, (bytes, bytearray, memoryview)):
            self.append(data)  # small ones behind others are coalesced; others the usual way
            return
        if not n:
            return
        self._chunks.append(data)  # type: ignore[arg-type]
        self._size += n

    def prepend(self, data: BytesLike) -> None:
        """Put ``data`` back in front of the unread bytes (for ungetChar and transaction rollback)."""
        chunk = _as_bytes(data)
        if not chunk:
            return
        if self._head:
            # Keep the invariant "offset only in the head chunk": materialise the unread part.
            self._chunks[0] = self._chunks[0][self._head :]
            self._head = 0
        self._chunks.appendleft(chunk)
        self._size += len(chunk)

    def clear(self) -> None:
        """Drop every byte."""
        self._chunks.clear()
        self._head = 0
        self._size = 0

    # --------------------------------------------------------------- reading
    def _views(self, maxlen: int) -> Iterator[memoryview | bytes]:
        """Yield the pieces holding the first ``maxlen`` unread bytes, without copying."""
        remaining = maxlen
        head = self._head
        for chunk in self._chunks:
            if remaining <= 0:
                break
            avail = len(chunk) - head
            if head == 0 and avail <= remaining:
                yield chunk
            else:
                yield memoryview(chunk)[head : head + min(avail, remaining)]
            remaining -= avail
            head = 0

    def peek(self, maxlen: int) -> bytes:
        """Return up to ``maxlen`` bytes from the head without consuming them."""
        n = min(maxlen, self._size)
        if n <= 0:
            return b""
        head_chunk = self._chunks[0]
        if len(head_chunk) - self._head >= n:
            if type(head_chunk) is not bytes:  # an owned bytearray: hand out bytes
                return bytes(memoryview(head_chunk)[self._head : self._head + n])
            if self._head == 0 and n == len(head_chunk):
                return head_chunk
            return head_chunk[self._head : self._head + n]
        return b"".join(self._views(n))

    def skip(self, maxlen: int) -> int:
        """Consume up to ``maxlen`` bytes from the head; return how many were dropped."""
        n = min(maxlen, self._size)
        if n <= 0:
            return 0
        self._size -= n
        chunks = self._chunks
        remaining = n
        while remaining:
            avail = len(chunks[0]) - self._head
            if avail > remaining:
                self._head += remaining
                break
            chunks.popleft()
            self._head = 0
            remaining -= avail
        return n

    def free(self, n: int) -> None:
        """Drop ``n`` bytes from the head, e.g. after a partial ``send(first_chunk())``."""
        self.skip(n)

    def read(self, maxlen: int) -> bytes:
        """Consume and return up to ``maxlen`` bytes from the head."""
        chunks = self._chunks
        if chunks and not self._head:
            head = chunks[0]
            n = len(head)
            if maxlen == n or (maxlen > n and len(chunks) == 1):
                # Exactly the head chunk (a message read whole): no peek() and skip().
                chunks.popleft()
                self._size -= n
                return head if type(head) is bytes else bytes(head)
        data = self.peek(maxlen)
        self.skip(len(data))
        return data

    def read_all(self) -> bytes:
        """Consume and return every byte (one join; no copy when a single whole chunk is held)."""
        data = self.peek(self._size)
        self.clear()
        return data

    def read_all_chunks(self) -> list[bytes | memoryview]:
        """Consume everything and return it as pieces, without copying (for QByteArray)."""
        pieces = list(self._views(self._size))
        self.clear()
        return pieces

    def first_chunk(self) -> memoryview:
        """A zero-copy view of the unread part of the head chunk (empty when the buffer is)."""
        if not self._size:
            return memoryview(b"")
        return memoryview(self._chunks[0])[self._head :]

    # ------------------------------------------------------------- searching
    def index_of(self, byte: bytes, maxlen: int | None = None) -> int:
        """Offset of the first ``byte`` within the first ``maxlen`` unread bytes, or -1.

        ``byte`` is a single byte (a separator such as ``b"\\n"``); each chunk is searched with
        ``bytes.find`` between indexes, so nothing is copied.
        """
        if len(byte) != 1:
            raise ValueError("index_of searches for a single byte")
        limit = self._size if maxlen is None else min(maxlen, self._size)
        offset = 0  # bytes of the buffer before the current chunk's unread part
        head = self._head
        for chunk in self._chunks:
            if offset >= limit:
                break
            end = min(len(chunk), head + (limit - offset))
            if type(chunk) is memoryview:  # (an owned view: no find() of its own)
                found = bytes(chunk[head:end]).find(byte)
                found = found + head if found >= 0 else -1
            else:
                found = chunk.find(byte, head, end)
            if found >= 0:
                return offset + found - head
            offset += end - head
            head = 0
        return -1

    def can_read_line(self) -> bool:
        """True when a complete line (ending in ``b"\\n"``) is buffered."""
        return self.index_of(b"\n") >= 0

    def read_line(self, maxlen: int) -> bytes:
        """Consume one line up to and including ``b"\\n"``, at most ``maxlen`` bytes.

        Without a newline in the first ``maxlen`` bytes this returns up to ``maxlen`` bytes
        (a partial line), as Qt's QRingBuffer::readLine does.
        """
        if maxlen <= 0:
            return b""
        nl = self.index_of(b"\n", maxlen)
        return self.read(nl + 1 if nl >= 0 else maxlen)
