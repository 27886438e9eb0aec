"""QIODeviceBase and QIODevice: the buffered read/write API every socket inherits.

Theory of operation
-------------------
QIODevice is Qt's template method: the public API (``read``, ``readLine``, ``peek``, ``write``
...) does the buffering, mode checks, text-mode translation, positions and transactions; a
subclass only provides the hooks ``readData(maxlen) -> bytes`` and ``writeData(data) -> int``
(and optionally ``readLineData``, ``skipData``, ``isSequential``, ``bytesAvailable``, ``size``,
``seek``, ``atEnd``).

Internal contract with subclasses (the TCP and TLS sockets rely on these names):

* ``self._read_buffer: RingBuffer`` holds bytes read from the device but not yet returned.
  A buffered sequential device (a socket) appends received plaintext there and emits
  ``readyRead``; its ``readData`` returns ``b""`` when it has nothing beyond the buffer. Public
  reads serve from the buffer first and call ``readData`` only for what it lacks, as Qt does.
* ``self._write_buffer: RingBuffer`` is where a socket's ``writeData`` appends outgoing data
  before flushing it; ``bytesToWrite()`` is its length. QIODevice itself never fills it.
* ``readData`` returning fewer bytes than asked means "nothing more for now" (Qt's
  ``deviceAtEof``): a read stops there. Returning ``None`` reports an error (Qt's -1).

Random-access devices (``isSequential()`` False) keep Qt's two positions: ``pos()`` is where
the next read starts, ``_device_pos`` where the subclass's own cursor is; the bytes read ahead
sit in the read buffer. ``seek`` keeps the buffered bytes at and after the new position (Qt's
seekBuffer); a subclass's ``seek`` calls ``super().seek(pos)`` first, then moves its own cursor
to ``pos``. Before each readData() the read path seeks the device back to ``pos()`` if the two
positions disagree (Qt's ``pos == devicePos || seek(pos)``). ``size()`` defaults to 0.

Transactions (Qt 5.7+): on a sequential device every byte returned while a transaction runs is
also kept in a list of chunks; ``rollbackTransaction`` puts them back in front of the buffer as
one chunk, ``commitTransaction`` drops the list. No copy is made while reading. Random-access
devices roll back by moving ``pos()`` back, as Qt does.

The read machinery itself (buffer first, readData until a short read, accounting, text mode)
is in ``qtls.core.devicereader``. Its behaviour is checked against PyQt6's QIODevice by
differential fuzzing (tests/io/test_iodevice.py).

Errors follow PyQt6: a read on a device that is not open (or not readable) logs Qt's warning to
the ``"qtls"`` logger and returns ``None`` (PyQt6 maps Qt's -1 to ``None``; ``readAll`` and
``readLine()`` give an empty QByteArray); ``write`` returns -1; a negative length raises
ValueError, a wrong argument type TypeError. Text mode removes ``\\r`` when reading; like Qt on
Unix, it does not translate ``\\n`` when writing.
"""

from __future__ import annotations

import enum
import logging
from typing import Any

from qtls.core.bytearray import QByteArray
from qtls.core.devicereader import _CHUNK, _DeviceReader
from qtls.core.qobject import QObject
from qtls.core.ringbuffer import RingBuffer
from qtls.core.signals import pyqtSignal

__all__ = ["QIODeviceBase", "QIODevice"]

_log = logging.getLogger("qtls")

_BytesLike = (bytes, bytearray, memoryview)


class QIODeviceBase:
    """Holds the OpenModeFlag enumeration shared by QIODevice and its subclasses."""

    class OpenModeFlag(enum.Flag):
        """How a device is opened (Qt's QIODeviceBase::OpenModeFlag)."""

        NotOpen = 0
        ReadOnly = 1
        WriteOnly = 2
        ReadWrite = 3
        Append = 4
        Truncate = 8
        Text = 16
        Unbuffered = 32
        NewOnly = 64
        ExistingOnly = 128

    def __init__(self, *args: Any) -> None:
        """QIODeviceBase() or QIODeviceBase(other): it has no state of its own."""


_Mode = QIODeviceBase.OpenModeFlag
_READ_ONLY = _Mode.ReadOnly.value
_WRITE_ONLY = _Mode.WriteOnly.value


def _check_mode(mode: object, what: str) -> QIODeviceBase.OpenModeFlag:
    if isinstance(mode, QIODeviceBase.OpenModeFlag):
        return mode
    raise TypeError(
        f"{what}(self, openMode: QIODeviceBase.OpenModeFlag): argument 1 has "
        f"unexpected type '{type(mode).__name__}'"
    )


def _check_len(n: object, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{what}(): argument 1 has unexpected type '{type(n).__name__}'")
    return n


class QIODevice(QObject, QIODeviceBase, _DeviceReader):
    """Qt's QIODevice: buffered reading and writing over a subclass's readData/writeData.

    Subclass it and implement ``readData`` and ``writeData`` (PyQt6's QIODevice is abstract
    too; instantiating QIODevice itself raises TypeError). See the module docstring for the
    buffering contract and where qtls follows PyQt6 rather than C++ Qt.
    """

    readyRead = pyqtSignal()
    bytesWritten = pyqtSignal(int)
    channelReadyRead = pyqtSignal(int)
    channelBytesWritten = pyqtSignal(int, int)
    readChannelFinished = pyqtSignal()
    aboutToClose = pyqtSignal()

    def __new__(cls, *args: Any, **kwargs: Any) -> QIODevice:
        if cls is QIODevice:
            raise TypeError(
                "qtls.QtCore.QIODevice represents a C++ abstract class and cannot be instantiated"
            )
        return super().__new__(cls)

    def __init__(self, parent: QObject | None = None, **kwargs: Any) -> None:
        QObject.__init__(self, parent, **kwargs)
        self._open_mode: QIODeviceBase.OpenModeFlag = _Mode.NotOpen
        self._read_buffer = RingBuffer()
        self._write_buffer = RingBuffer()
        self._pos = 0
        # Where the subclass's own cursor is (random-access devices): _pos plus what is
        # buffered; when they differ with an empty buffer, seek(_pos) realigns it (Qt's devicePos).
        self._device_pos = 0
        # Whether the last readData() call of a read returned less than asked (Qt's deviceAtEof).
        self._device_short = False
        self._base_read_line_called = False
        self._error_string = ""
        self._transaction = False
        self._transaction_pos = 0
        self._transaction_log: list[bytes | memoryview] = []
        self._read_channel = 0
        self._write_channel = 0

    # ------------------------------------------------------------------ warnings
    def _warn(self, function: str, message: str) -> None:
        # Qt's checkWarnMessage(): "QIODevice::read (QTcpSocket): device not open".
        _log.warning("QIODevice::%s (%s): %s", function, type(self).__name__, message)

    def _check_readable(self, function: str) -> bool:
        if self._open_mode._value_ & _READ_ONLY:  # an int test: this runs on every read
            return True
        self._warn(function, "device not open" if not self.isOpen() else "WriteOnly device")
        return False

    # ---------------------------------------------------------------- open/close
    def open(self, mode: QIODeviceBase.OpenModeFlag) -> bool:
        """Open the device in ``mode``; resets position, buffers and errorString. Returns True."""
        mode = _check_mode(mode, "open")
        self._open_mode = mode
        self._pos = 0
        self._read_buffer.clear()
        self._write_buffer.clear()
        self._transaction = False
        self._transaction_log = []
        self._error_string = ""
        if mode & _Mode.Append and not self.isSequential():
            self._pos = self.size()
        return True

    def close(self) -> None:
        """Emit aboutToClose, then set NotOpen and drop unread data.

        As in Qt the write buffer is kept, so a socket can still flush it (delayed close).
        """
        if self._open_mode == _Mode.NotOpen:
            return
        self.aboutToClose.emit()
        self._open_mode = _Mode.NotOpen
        self._pos = 0
        self._transaction = False
        self._transaction_log = []
        self._read_buffer.clear()

    def isOpen(self) -> bool:
        """True unless the mode is NotOpen."""
        return self._open_mode != _Mode.NotOpen

    def openMode(self) -> QIODeviceBase.OpenModeFlag:
        """The mode the device was opened with."""
        return self._open_mode

    def setOpenMode(self, openMode: QIODeviceBase.OpenModeFlag) -> None:
        """Protected: change the mode without open()'s resets (sockets use it on connect)."""
        self._open_mode = _check_mode(openMode, "setOpenMode")
        if not openMode._value_ & _READ_ONLY:  # (an int test: Flag's & builds a member)
            self._read_buffer.clear()

    def isReadable(self) -> bool:
        """True when the mode includes ReadOnly."""
        return bool(self._open_mode & _Mode.ReadOnly)

    def isWritable(self) -> bool:
        """True when the mode includes WriteOnly."""
        return bool(self._open_mode & _Mode.WriteOnly)

    def isSequential(self) -> bool:
        """False: a random-access device. Sockets and pipes override it to return True."""
        return False

    def isTextModeEnabled(self) -> bool:
        """True when the Text flag is set (reads drop ``\\r``)."""
        return bool(self._open_mode & _Mode.Text)

    def setTextModeEnabled(self, enabled: bool) -> None:
        """Set or clear the Text flag; warns and does nothing on a closed device."""
        if not self.isOpen():
            self._warn("setTextModeEnabled", "The device is not open")
            return
        if enabled:
            self._open_mode |= _Mode.Text
        else:
            self._open_mode &= ~_Mode.Text

    # ------------------------------------------------------------ error string
    def errorString(self) -> str:
        """The last error set by the device, or "Unknown error"."""
        return self._error_string or "Unknown error"

    def setErrorString(self, errorString: str | None) -> None:
        """Protected: set the text errorString() returns."""
        self._error_string = errorString or ""

    # ------------------------------------------------------------- hooks (virtual)
    def readData(self, maxlen: int) -> bytes | None:
        """Virtual: return up to ``maxlen`` bytes from the device, ``b""`` if none, None on error."""
        raise NotImplementedError("QIODevice.readData() is abstract and must be overridden")

    def writeData(self, data: bytes) -> int:
        """Virtual: write ``data`` to the device; return the count written or -1."""
        raise NotImplementedError("QIODevice.writeData() is abstract and must be overridden")

    # -------------------------------------------------------------- public reads
    def read(self, maxlen: int) -> bytes | None:
        """Read up to ``maxlen`` bytes: ``b""`` when none are available, None on error.

        PyQt6: a negative ``maxlen`` raises ValueError; on a device not open for reading Qt
        warns and PyQt6 returns None.
        """
        maxlen = _check_len(maxlen, "read")
        if maxlen < 0:
            raise ValueError("maximum length of data to be read cannot be negative")
        if not self._check_readable("read"):
            return None
        if maxlen == 0:
            return b""
        if not self._realign():
            return None
        return self._read_translated(maxlen)

    def readAll(self) -> QByteArray:
        """Everything available: the buffered bytes plus readData() until it returns nothing.

        The buffer's chunks are copied once into the result (no intermediate join).
        """
        if not self._check_readable("read") or not self._realign():
            return QByteArray()
        if not self.isSequential():
            size = self.size()
            if size:
                # Qt reads a random-access device of known size in one read() call.
                data = self._read_translated(size - self._pos) if size > self._pos else b""
                return QByteArray._wrap(data or b"")
        if self._text():
            # Qt's loop of read() calls, which stops at the first call that yields nothing
            # once '\r' are removed.
            parts: list[bytes] = []
            while True:
                chunk = self._read_translated(max(len(self._read_buffer), _CHUNK))
                if not chunk:
                    break
                parts.append(chunk)
            return QByteArray._from_pieces(parts)
        pieces: list[bytes | memoryview] = list(self._read_buffer.read_all_chunks())
        total = 0
        for piece in pieces:
            total += len(piece)
            self._account(piece, len(piece))
        step = _CHUNK
        while True:
            data = self._call_read_data(step)
            if not data:
                break
            pieces.append(data)
            total += len(data)
            self._account(data, len(data))
            step = min(step * 2, 1 << 20)  # grow as Qt does for long streams
        if len(pieces) == 1 and type(pieces[0]) is QByteArray and not self._transaction:
            # The buffer held one block a TLS engine decrypted into (see RingBuffer.append_owned):
            # nothing else references it, so it is the result, without a copy.
            return pieces[0]
        return QByteArray._from_pieces(pieces, total)

    def readLine(self, maxlen: int | None = None) -> Any:
        """Read one line, up to and including ``b"\\n"``.

        ``readLine()`` returns a QByteArray of any length (empty when nothing is available).
        ``readLine(maxlen)`` returns ``bytes`` of at most ``maxlen - 1`` bytes, as PyQt6 (which
        passes maxlen to Qt's C buffer API, one byte being kept for the terminating NUL): a
        ``maxlen`` below 2 warns and returns None, as does the end of a random-access device.
        """
        if maxlen is None:
            if not self._check_readable("readLineInto"):
                return QByteArray()
            line = self._read_line(1 << 62)
            line = self._text_line(line or b"")
            return QByteArray._wrap(line)
        maxlen = _check_len(maxlen, "readLine")
        if maxlen < 0:
            raise ValueError("maximum length of data to be read cannot be negative")
        if not self._check_readable("readLine"):
            return None
        if maxlen < 2:
            self._warn("readLine", "Called with maxSize < 2")
            return None
        line = self._read_line(maxlen - 1)
        if not line:
            return b"" if self.isSequential() and line is not None else None
        return self._text_line(line)

    def readLineInto(self, result: Any, maxSize: int = 0) -> bool:
        """Qt 6.9's readLineInto: read a line; True when something was read.

        Python cannot resize an immutable argument, so the line is appended in place only to a
        mutable ``result`` (QByteArray or bytearray, cleared first); otherwise it is discarded.
        """
        if not self._check_readable("readLineInto"):
            return False
        line = self._read_line(maxSize if maxSize > 0 else 1 << 62)
        if isinstance(result, bytearray):
            del result[:]
            result.extend(self._text_line(line or b""))
        return bool(line)

    def canReadLine(self) -> bool:
        """True when a complete line is buffered (subclasses add what they hold elsewhere)."""
        return self._read_buffer.can_read_line()

    def peek(self, maxlen: int) -> bytes | None:
        """Up to ``maxlen`` bytes without consuming them (readData fills the buffer if needed)."""
        maxlen = _check_len(maxlen, "peek")
        if maxlen < 0:
            raise ValueError("maximum length of data to be read cannot be negative")
        if not self._open_mode & _Mode.ReadOnly:
            self._warn("peek", "device not open" if not self.isOpen() else "WriteOnly device")
            return None
        if maxlen == 0:
            return b""
        if not self._realign():
            return None
        buf = self._read_buffer
        if (buf and len(buf) < maxlen and not self.isSequential()
                and self._device_pos != self._pos + len(buf)):
            # The device cursor is not right after the buffered bytes (a seek inside the
            # buffer, or ungetChar): move it there, keeping the buffer, as Qt's peek does.
            saved = self._pos
            self._pos = saved + len(buf)
            moved = self.seek(self._pos)
            self._pos = saved
            if not moved:
                return buf.peek(maxlen)
        want = maxlen
        short = False  # as in read(): after one short readData() this call reads no more
        while True:
            while len(buf) < want and not short:
                step = want - len(buf) if self._open_mode & _Mode.Unbuffered else _CHUNK
                added = self._fill_buffer(step)
                if added is None:
                    if not buf:
                        return None
                    short = True
                elif added < step:
                    short = True
            data = buf.peek(want)
            if not (self._text() and b"\r" in data):
                return data
            stripped = data.replace(b"\r", b"")
            if len(stripped) >= maxlen or len(data) < want:
                return stripped[:maxlen]
            want += maxlen - len(stripped)

    def getChar(self) -> tuple[bool, bytes]:
        """Read one byte: ``(True, c)``, or ``(False, b"\\x00")`` when none is available."""
        if not self._check_readable("read"):
            return False, b"\x00"
        c = self.read(1)
        if c:
            return True, c
        return False, b"\x00"

    def ungetChar(self, c: bytes) -> None:
        """Put one byte back so the next read returns it (ignored during a transaction)."""
        if not (isinstance(c, _BytesLike) and len(c) == 1):
            raise TypeError(
                f"ungetChar(self, c: bytes): argument 1 has unexpected type '{type(c).__name__}'"
            )
        if not self._check_readable("read"):
            return
        if self._transaction:
            self._warn("ungetChar", "Called while transaction is in progress")
            return
        self._read_buffer.prepend(bytes(c))
        if not self.isSequential():
            self._pos -= 1

    def skip(self, maxSize: int) -> int:
        """Skip up to ``maxSize`` bytes; return how many were skipped, or -1 on error."""
        maxSize = _check_len(maxSize, "skip")
        if maxSize < 0:
            self._warn("skip", "Called with maxSize < 0")
            return -1
        if not self._open_mode & _Mode.ReadOnly:
            self._warn("skip", "device not open" if not self.isOpen() else "WriteOnly device")
            return -1
        sequential = self.isSequential()
        if (sequential and self._transaction) or self._text():
            data = self.read(maxSize)
            return -1 if data is None else len(data)
        skipped = 0
        if self._read_buffer:
            skipped = self._read_buffer.skip(maxSize)
            if not sequential:
                self._pos += skipped
            if skipped == maxSize:
                return skipped
        rest = maxSize - skipped
        if not sequential:
            step = min(self.size() - self._pos, rest)
            if step > 0:
                if not self.seek(self._pos + step):
                    return skipped or -1
                skipped += step
                rest -= step
                if not rest:
                    return skipped
        if rest and not self._realign():
            return skipped or -1
        result = self.skipData(rest)
        if result < 0:
            return skipped or -1
        return skipped + result

    def atEnd(self) -> bool:
        """True when closed, or when nothing is buffered and bytesAvailable() is 0."""
        return not self.isOpen() or (not self._read_buffer and self.bytesAvailable() == 0)

    def bytesAvailable(self) -> int:
        """Bytes readable without blocking: the buffer (sequential) or size() - pos()."""
        if not self.isSequential():
            return max(self.size() - self._pos, 0)
        return self._read_buffer._size  # (len() would call RingBuffer.__len__)

    # ------------------------------------------------------------------- writing
    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Write ``data`` through writeData(); return the bytes written, -1 on error."""
        if type(data) is not bytes and not isinstance(data, _BytesLike):  # (bytes: one test)
            raise TypeError(
                "write(self, a0: bytes|bytearray|memoryview): argument 1 has "
                f"unexpected type '{type(data).__name__}'"
            )
        # The mode's int value: Flag operators cost microseconds on this per-write path.
        mode = self._open_mode._value_
        if not mode:
            self._warn("write", "device not open")
            return -1
        if not mode & _WRITE_ONLY:
            self._warn("write", "ReadOnly device")
            return -1
        sequential = self.isSequential()
        if not sequential and self._pos != self._device_pos and not self.seek(self._pos):
            return -1  # put the device cursor back where the caller thinks it is
        payload = data if type(data) is bytes else bytes(data)
        written = self.writeData(payload)
        if written is None:
            return -1
        if not sequential and written > 0:
            self._pos += written
            self._device_pos += written
            self._read_buffer.skip(written)  # the read-ahead bytes just overwritten
        return written if type(written) is int else int(written)

    def putChar(self, c: bytes) -> bool:
        """Write one byte; True on success."""
        if not (isinstance(c, _BytesLike) and len(c) == 1):
            raise TypeError(
                f"putChar(self, c: bytes): argument 1 has unexpected type '{type(c).__name__}'"
            )
        return self.write(c) == 1

    def bytesToWrite(self) -> int:
        """Bytes waiting in the write buffer (0 for unbuffered devices)."""
        return self._write_buffer._size  # (len() would call RingBuffer.__len__)

    def waitForReadyRead(self, msecs: int) -> bool:
        """False: a plain QIODevice cannot wait. Sockets override it."""
        return False

    def waitForBytesWritten(self, msecs: int) -> bool:
        """False: a plain QIODevice cannot wait. Sockets override it."""
        return False

    # ---------------------------------------------------------- random access
    def pos(self) -> int:
        """The logical read/write position (always 0 for sequential devices)."""
        return self._pos

    def size(self) -> int:
        """bytesAvailable() for sequential devices; 0 for random-access ones unless overridden."""
        return self.bytesAvailable() if self.isSequential() else 0

    def seek(self, pos: int) -> bool:
        """Move to ``pos`` on a random-access device (keeping buffered bytes after ``pos``).

        Fails with a warning on a sequential or closed device and for a negative ``pos``.
        Subclasses call this first, then move their own cursor to ``pos``.
        """
        if self.isSequential():
            self._warn("seek", "Cannot call seek on a sequential device")
            return False
        if not self.isOpen():
            self._warn("seek", "The device is not open")
            return False
        if pos < 0:
            _log.warning("QIODevice::seek: Invalid pos: %d", pos)
            return False
        self._device_pos = pos
        self._seek_buffer(pos)
        return True

    def reset(self) -> bool:
        """seek(0)."""
        return self.seek(0)

    # ------------------------------------------------------------- transactions
    def startTransaction(self) -> None:
        """Start keeping every byte read, so that rollbackTransaction() can restore it."""
        if self._transaction:
            self._warn("startTransaction", "Called while transaction already in progress")
            return
        self._transaction = True
        self._transaction_log = []
        self._transaction_pos = self._pos

    def commitTransaction(self) -> None:
        """End the transaction, keeping what was read consumed."""
        if not self._transaction:
            self._warn("commitTransaction", "Called while no transaction in progress")
            return
        self._transaction = False
        self._transaction_log = []

    def rollbackTransaction(self) -> None:
        """End the transaction and make every byte read since startTransaction() readable again."""
        if not self._transaction:
            self._warn("rollbackTransaction", "Called while no transaction in progress")
            return
        self._transaction = False
        log, self._transaction_log = self._transaction_log, []
        if self.isSequential():
            if log:
                self._read_buffer.prepend(b"".join(log))
        else:
            # Qt's seekBuffer(): reuse what is buffered ahead, else clear it; the next read
            # realigns the device cursor with seek() (see _realign).
            self._seek_buffer(self._transaction_pos)

    def isTransactionStarted(self) -> bool:
        """True between startTransaction() and commit/rollback."""
        return self._transaction

    # ---------------------------------------------------------------- channels
    def readChannelCount(self) -> int:
        """1 while open for reading, else 0 (qtls devices have a single channel)."""
        return 1 if self.isReadable() else 0

    def writeChannelCount(self) -> int:
        """1 while open for writing, else 0 (qtls devices have a single channel)."""
        return 1 if self.isWritable() else 0

    def currentReadChannel(self) -> int:
        """The channel reads come from (0)."""
        return self._read_channel

    def currentWriteChannel(self) -> int:
        """The channel writes go to (0)."""
        return self._write_channel

    def setCurrentReadChannel(self, channel: int) -> None:
        """Select the read channel; refused during a transaction, as in Qt."""
        if self._transaction:
            self._warn("setReadChannel", "Failed due to read transaction being in progress")
            return
        self._read_channel = channel

    def setCurrentWriteChannel(self, channel: int) -> None:
        """Select the write channel."""
        self._write_channel = channel
