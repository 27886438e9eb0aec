"""The read path of QIODevice (Qt's QIODevicePrivate::read/readLine/peek machinery).

``_DeviceReader`` is a mixin of QIODevice only: it holds the private helpers that move bytes
from the subclass's ``readData`` through ``_read_buffer`` to the caller, and the default
``readLineData``/``skipData`` hooks. It lives apart so that ``iodevice.py`` reads as the public
API; the theory of operation (buffer first, readData until a short read, position and
transaction accounting, text mode) is in ``qtls.core.iodevice``'s docstring.

Every helper accounts for the bytes it consumes as soon as it consumes them (``_account``), so
that ``pos()`` is current whenever ``_call_read_data`` checks that a random-access device's
cursor is where the next byte must come from (Qt's ``pos == devicePos || seek(pos)``).
"""

from __future__ import annotations

import enum

from qtls.core.ringbuffer import RingBuffer

__all__: list[str] = []

# Qt's QIODEVICE_BUFFERSIZE: the size of one buffered readData() call.
_CHUNK = 16384
_BytesLike = (bytes, bytearray, memoryview)


class _Flags(enum.IntFlag):
    """The OpenModeFlag bits the read path tests (same values as QIODeviceBase.OpenModeFlag)."""

    ReadOnly = 1
    Text = 16
    Unbuffered = 32


class _DeviceReader:
    """QIODevice's private read machinery (see the module docstring)."""

    # State owned by QIODevice.__init__; declared here for the type checker.
    _read_buffer: RingBuffer
    _pos: int
    _device_pos: int
    _device_short: bool
    _base_read_line_called: bool
    _transaction: bool
    _transaction_log: list[bytes | memoryview]
    _open_mode: enum.Flag

    def _mode_has(self, flag: _Flags) -> bool:
        return bool(self._open_mode.value & flag)

    # Hooks QIODevice defines; the stubs only document what the mixin relies on.
    def isSequential(self) -> bool:  # pragma: no cover - always overridden by QIODevice
        raise NotImplementedError

    def readData(self, maxlen: int) -> bytes | None:  # pragma: no cover - idem
        raise NotImplementedError

    def seek(self, pos: int) -> bool:  # pragma: no cover - idem
        raise NotImplementedError

    def readLineData(self, maxlen: int) -> bytes | None:
        """Virtual: read up to ``maxlen`` bytes, stopping after ``b"\\n"``.

        The default refills the read buffer in 16 KiB readData() calls and takes the line from
        it (Qt reads one byte at a time through read(); the result is the same). In Unbuffered
        mode it must not read ahead, so it asks readData() for one byte at a time, as Qt does.
        """
        # Like Qt's baseReadLineDataCalled: this default accounts (position, transaction log)
        # for the raw bytes it consumes; an override's result is accounted by readLine().
        self._base_read_line_called = True
        text = self._text()
        buf = self._read_buffer
        parts: list[bytes] = []
        left = maxlen
        if self._mode_has(_Flags.Unbuffered) and not buf:
            while left > 0:
                c = self._call_read_data(1)
                if c is None:
                    return b"".join(parts) if parts else None
                if not c:
                    break
                self._account(c, len(c))
                if text and c == b"\r":
                    continue  # Qt's read() drops it in text mode
                parts.append(c)
                left -= 1
                if c == b"\n":
                    break
            return b"".join(parts)
        while left > 0:
            if not buf:
                got = self._fill_buffer(_CHUNK)
                if got is None and not parts:
                    return None
                if not got:
                    break
                if text and got < _CHUNK and not buf.peek(got).replace(b"\r", b""):
                    # Qt's read(&c, 1) strips these and, the device having come back short
                    # within that same call, returns 0: the line ends here.
                    self._account(buf.read(got), got)
                    break
            raw = buf.read_line(left)
            self._account(raw, len(raw))
            piece = raw.replace(b"\r", b"") if text else raw
            parts.append(piece)
            left -= len(piece)
            if raw.endswith(b"\n"):
                break
        return b"".join(parts)

    def skipData(self, maxSize: int) -> int:
        """Virtual: skip ``maxSize`` bytes by reading and discarding them (Qt's default)."""
        skipped = 0
        while skipped < maxSize:
            want = min(maxSize - skipped, _CHUNK)
            data = self._read_accounted(want)
            if data is None:
                return skipped or -1
            skipped += len(data)
            if len(data) < want:
                break
        return skipped

    def _realign(self) -> bool:
        """Before a read: move a random-access device's cursor back to pos() if it drifted.

        It drifts when open() resets pos() or after a subclass moved its cursor itself; Qt
        checks ``pos == devicePos || seek(pos)`` the same way. Within one read operation the
        buffer and the following readData() calls are contiguous, so no check is needed there.
        """
        if self.isSequential() or self._read_buffer or self._device_pos == self._pos:
            return True
        return self.seek(self._pos)

    def _call_read_data(self, maxlen: int) -> bytes | None:
        # Qt: "pos == devicePos || seek(pos)" before each device read (the buffer being empty,
        # the device cursor must be at pos()).
        if (not self._read_buffer and self._device_pos != self._pos and not self.isSequential()
                and not self.seek(self._pos)):
            return None
        data = self.readData(maxlen)
        if data is not None and not self.isSequential():
            self._device_pos += len(data)
        if data is None or isinstance(data, bytes):
            return data
        if isinstance(data, _BytesLike):
            return bytes(data)
        raise TypeError(
            f"{type(self).__name__}.readData() must return bytes, not '{type(data).__name__}'"
        )

    def _fill_buffer(self, n: int) -> int | None:
        """One readData(n) call into the read buffer: bytes added, or None on error."""
        data = self._call_read_data(n)
        if data is None:
            return None
        self._read_buffer.append(data)
        return len(data)

    def _read_raw(self, maxlen: int) -> bytes | None:
        """Qt's QIODevicePrivate::read: buffer first, then readData until a short read."""
        buf = self._read_buffer
        parts: list[bytes] = []
        remaining = maxlen
        if buf:
            got = buf.read(remaining)
            self._account(got, len(got))
            parts.append(got)
            remaining -= len(got)
        error = False
        self._device_short = False
        while remaining > 0:
            if self._mode_has(_Flags.Unbuffered) or remaining >= _CHUNK:
                # Large reads go straight to the caller, as Qt reads into the destination.
                data = self._call_read_data(remaining)
                if data is None:
                    error = True
                    break
                if len(data) > remaining:  # a subclass returned too much: keep the rest
                    buf.append(data[remaining:])
                    data = data[:remaining]
                self._account(data, len(data))
                parts.append(data)
                short = len(data) < remaining
                remaining -= len(data)
                if short:
                    self._device_short = True
                    break
            else:
                added = self._fill_buffer(_CHUNK)
                if added is None:
                    error = True
                    break
                got = buf.read(remaining)
                self._account(got, len(got))
                parts.append(got)
                remaining -= len(got)
                if added < _CHUNK:
                    self._device_short = True
                    break
        result = parts[0] if len(parts) == 1 else b"".join(parts)
        if error and not result:
            return None
        return result

    def _account(self, raw: bytes | memoryview, n: int) -> None:
        """Bookkeeping after ``n`` bytes were consumed: position and transaction log."""
        if not n:
            return
        if self.isSequential():
            if self._transaction:
                self._transaction_log.append(raw)
        else:
            self._pos += n

    def _read_accounted(self, maxlen: int) -> bytes | None:
        # _read_raw accounts every piece as it consumes it, so that pos() is current when
        # _call_read_data checks the device cursor.
        return self._read_raw(maxlen)

    def _text(self) -> bool:
        return self._mode_has(_Flags.Text)

    def _read_translated(self, maxlen: int) -> bytes | None:
        """One Qt read() call: raw bytes, with text mode's '\\r' removal and refill."""
        data = self._read_accounted(maxlen)
        if data and self._text() and b"\r" in data:
            # Qt refills the room freed by each dropped '\r': from the buffer, and from the
            # device only if no readData() call of this read came back short.
            data = data.replace(b"\r", b"")
            while len(data) < maxlen:
                if self._device_short:
                    more = self._read_buffer.read(maxlen - len(data))
                    self._account(more, len(more))
                else:
                    more = self._read_accounted(maxlen - len(data)) or b""
                if not more:
                    break
                data += more.replace(b"\r", b"")
        return data

    def _read_line(self, limit: int) -> bytes | None:
        if not self._realign():
            return None
        buf = self._read_buffer
        line = buf.read_line(limit) if buf else b""
        if line:
            self._account(line, len(line))
            if line.endswith(b"\n") or len(line) == limit:
                return line
        self._base_read_line_called = False
        more = self.readLineData(limit - len(line))
        if more is None:
            return line or None
        more = bytes(more)
        if not self._base_read_line_called:
            self._account(more, len(more))
        return line + more if line else more

    def _text_line(self, line: bytes) -> bytes:
        if self._text() and line.endswith(b"\r\n"):
            return line[:-2] + b"\n"
        return line

    def _seek_buffer(self, new_pos: int) -> None:
        """Qt's seekBuffer(): keep the buffered bytes at and after ``new_pos``, else clear."""
        offset = new_pos - self._pos
        self._pos = new_pos
        if 0 <= offset < len(self._read_buffer):
            self._read_buffer.skip(offset)
        else:
            self._read_buffer.clear()
