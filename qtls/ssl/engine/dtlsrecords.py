"""DTLS records and datagrams over memory BIOs.

OpenSSL's memory BIO is a byte stream: the datagrams OpenSSL writes into it (one ``BIO_write``
each, a flight often being several) come out glued together. DTLS records carry their own
length (RFC 6347 §4.1: a 13-byte header — type, version, epoch, sequence number — ending in a
16-bit length), so the engine splits what it drains back into records and packs whole records
into datagrams no larger than the MTU (several records per datagram are allowed, §4.1.1).
OpenSSL fragments handshake messages to the MTU set on the connection, so no record it writes
is larger than that, except application data the caller asked to be sent whole.

Incoming datagrams go into the other memory BIO one at a time and are processed at once, so
OpenSSL's record layer, which reads "one datagram" with one ``BIO_read`` of everything
available, sees exactly one. Whatever it leaves unread is thrown away (:func:`discard`) so that
it cannot glue onto the next datagram.
"""

from __future__ import annotations

from typing import Any

from OpenSSL import SSL

__all__ = ["RECORD_HEADER", "discard", "drain", "pack_datagrams", "split_records"]

_lib: Any = SSL._lib  # type: ignore[attr-defined]
_ffi: Any = SSL._ffi  # type: ignore[attr-defined]

#: DTLS record header: type(1) version(2) epoch(2) sequence(6) length(2).
RECORD_HEADER = 13


def split_records(data: bytes) -> list[bytes]:
    """Cut a run of DTLS records into single records; a truncated tail stays one piece."""
    records: list[bytes] = []
    view = memoryview(data)
    size = len(data)
    i = 0
    while i < size:
        if size - i < RECORD_HEADER:
            records.append(bytes(view[i:]))
            break
        end = i + RECORD_HEADER + int.from_bytes(view[i + 11 : i + 13], "big")
        records.append(bytes(view[i:end]))
        i = end
    return records


def pack_datagrams(records: list[bytes], mtu: int) -> list[bytes]:
    """Whole records, in order, packed greedily into datagrams of at most ``mtu`` bytes (a
    record larger than that goes alone); ``mtu`` <= 0 means one record per datagram."""
    datagrams: list[bytes] = []
    current: list[bytes] = []
    size = 0
    for record in records:
        if current and (mtu <= 0 or size + len(record) > mtu):
            datagrams.append(b"".join(current))
            current, size = [], 0
        current.append(record)
        size += len(record)
    if current:
        datagrams.append(b"".join(current))
    return datagrams


def drain(bio: Any) -> bytes:
    """Everything a memory BIO holds (b"" when empty)."""
    pending = _lib.BIO_get_mem_data(bio, _ffi.NULL)
    if pending <= 0:
        return b""
    buf = _ffi.new("char[]", pending)
    got = _lib.BIO_read(bio, buf, pending)
    return _ffi.buffer(buf, got)[:] if got > 0 else b""


def discard(bio: Any) -> int:
    """Throw away what a memory BIO still holds; return how many bytes that was."""
    return len(drain(bio))
