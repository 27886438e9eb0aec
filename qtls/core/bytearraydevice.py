"""The device under a QDataStream built on a QByteArray: Qt's QBuffer, for that one job.

Qt gives ``QDataStream(&byteArray, mode)`` a private QBuffer, and programs reach it through
``stream.device()`` (Qt's fortune example writes a placeholder size, then
``out.device()->seek(0)`` and writes the real size). This device reads and writes the array in
place at a cursor: ``pos``/``seek``/``size``/``atEnd``/``read``/``write``/``peek``/``skip``,
``readLine``/``readAll``/``getChar``/``putChar`` and read transactions (rollback moves the
cursor back, as on any random-access device). QDataStream reads and writes ``_data`` at
``_cursor`` directly when ``_fast_read``/``_fast_write`` allow it.

Where it differs from Qt's QBuffer: it is not public (qtls has no QBuffer class) and emits no
``readyRead``/``bytesWritten``.
"""

from __future__ import annotations

import logging
from typing import Any

from qtls.core.bytearray import QByteArray
from qtls.core.iodevice import QIODevice, QIODeviceBase

__all__: list[str] = []  # internal module: nothing for the QtCore façade

_log = logging.getLogger("qtls")
_Mode = QIODeviceBase.OpenModeFlag
_READ = _Mode.ReadOnly.value
_WRITE = _Mode.WriteOnly.value


class _ByteArrayDevice(QIODevice):
    """A random-access QIODevice over one bytearray (QByteArray or a private copy)."""

    def __init__(self, data: bytearray | bytes, mode: QIODeviceBase.OpenModeFlag) -> None:
        super().__init__()
        self._data: Any = data
        self._cursor = 0
        self._fast_read = False
        self._fast_write = False
        self._mark = 0
        self.open(mode)

    def _warn(self, function: str, message: str) -> None:
        # Qt's warnings name the device class: QBuffer.
        _log.warning("QIODevice::%s (QBuffer): %s", function, message)

    # ------------------------------------------------------------------ opening
    def open(self, mode: QIODeviceBase.OpenModeFlag) -> bool:
        """Open in ``mode``: Truncate empties the array, Append starts at its end."""
        if mode & (_Mode.Append | _Mode.Truncate):
            mode |= _Mode.WriteOnly
        if not mode & _Mode.ReadWrite:
            self._warn("open", "Buffer opened without a read or write mode")
            return False
        if mode & _Mode.Truncate and isinstance(self._data, bytearray):
            del self._data[:]
        super().open(mode)
        self._cursor = len(self._data) if mode & _Mode.Append else 0
        self._fast_read = bool(mode.value & _READ)
        self._fast_write = bool(mode.value & _WRITE) and isinstance(self._data, bytearray)
        return True

    def close(self) -> None:
        """Close; reads and writes fail afterwards."""
        super().close()
        self._fast_read = self._fast_write = False

    def buffer(self) -> Any:
        """The array this device reads and writes (Qt's QBuffer::buffer)."""
        return self._data

    def data(self) -> QByteArray:
        """A copy of the array's bytes."""
        return QByteArray._wrap(self._data)

    # ------------------------------------------------------------------ positions
    def isSequential(self) -> bool:
        """False: the array is random-access."""
        return False

    def pos(self) -> int:
        """The cursor."""
        return self._cursor

    def size(self) -> int:
        """The array's length."""
        return len(self._data)

    def seek(self, pos: int) -> bool:
        """Move the cursor; past the end of a writable array, the gap is filled with zeros."""
        if not self.isOpen():
            self._warn("seek", "The device is not open")
            return False
        if pos < 0:
            self._warn("seek", f"Invalid pos: {pos}")
            return False
        if pos > len(self._data):
            if not self._fast_write:
                self._warn("seek", f"Invalid pos: {pos}")
                return False
            self._data.extend(bytes(pos - len(self._data)))
        self._cursor = pos
        return True

    def atEnd(self) -> bool:
        """True when the cursor is at the end (or the device is closed)."""
        return not self.isOpen() or self._cursor >= len(self._data)

    def bytesAvailable(self) -> int:
        """Bytes after the cursor."""
        return max(0, len(self._data) - self._cursor)

    # ------------------------------------------------------------------ reading
    def _readable(self, function: str) -> bool:
        if self._fast_read:
            return True
        self._warn(function, "device not open" if not self.isOpen() else "WriteOnly device")
        return False

    def read(self, maxlen: int) -> bytes | None:
        """Up to ``maxlen`` bytes from the cursor (None when not readable)."""
        if maxlen < 0:
            raise ValueError("maximum length of data to be read cannot be negative")
        if not self._readable("read"):
            return None
        start = self._cursor
        chunk = bytes(self._data[start:start + maxlen])
        self._cursor = start + len(chunk)
        return chunk

    def readData(self, maxlen: int) -> bytes | None:
        """QIODevice's hook, the same as read()."""
        return self.read(maxlen)

    def readAll(self) -> QByteArray:
        """Everything after the cursor."""
        if not self._readable("read"):
            return QByteArray()
        start = self._cursor
        self._cursor = len(self._data)
        return QByteArray._wrap(self._data[start:])

    def readLine(self, maxlen: int | None = None) -> Any:
        """Up to and including the next newline (at most ``maxlen`` bytes)."""
        if not self._readable("readLine"):
            return QByteArray() if maxlen is None else None
        data, start = self._data, self._cursor
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end + 1
        if maxlen is not None and maxlen > 0:
            end = min(end, start + maxlen - 1)
        self._cursor = end
        line = bytes(data[start:end])
        return QByteArray._wrap(line) if maxlen is None else line

    def canReadLine(self) -> bool:
        """True when a newline follows the cursor."""
        return self._fast_read and self._data.find(b"\n", self._cursor) >= 0

    def peek(self, maxlen: int) -> bytes | None:
        """Up to ``maxlen`` bytes from the cursor, without moving it."""
        if not self._readable("peek"):
            return None
        return bytes(self._data[self._cursor:self._cursor + maxlen])

    def skip(self, maxSize: int) -> int:
        """Move the cursor forward by up to ``maxSize`` bytes; returns how many."""
        if not self._readable("skip"):
            return -1
        n = max(0, min(maxSize, len(self._data) - self._cursor))
        self._cursor += n
        return n

    def getChar(self) -> tuple[bool, bytes]:
        """One byte: (True, byte), or (False, b"") at the end."""
        c = self.read(1)
        return (True, c) if c else (False, b"")

    def ungetChar(self, c: bytes) -> None:
        """Step the cursor back one byte."""
        if self._cursor > 0:
            self._cursor -= 1

    # ------------------------------------------------------------------ writing
    def write(self, data: Any) -> int:
        """Write at the cursor (overwriting, then extending); -1 when not writable."""
        if not self._fast_write:
            self._warn("write", "device not open" if not self.isOpen() else "ReadOnly device")
            return -1
        buf, pos = self._data, self._cursor
        n = len(data)
        if pos == len(buf):
            bytearray.extend(buf, data)
        else:
            buf[pos:pos + n] = data
        self._cursor = pos + n
        return n

    def writeData(self, data: bytes) -> int:
        """QIODevice's hook, the same as write()."""
        return self.write(data)

    def putChar(self, c: bytes) -> bool:
        """Write one byte."""
        return self.write(c[:1]) == 1

    # ------------------------------------------------------------------ transactions
    def startTransaction(self) -> None:
        """Remember the cursor; rollbackTransaction() returns to it."""
        super().startTransaction()
        self._mark = self._cursor

    def rollbackTransaction(self) -> None:
        """Move the cursor back to where the transaction started."""
        if self._transaction:
            self._cursor = self._mark
        super().rollbackTransaction()
