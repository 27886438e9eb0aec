"""QDataStream: Qt's binary serialisation, byte for byte, over any QIODevice or a QByteArray.

Wire format (what Qt 6.11 writes; tests compare bytes with PyQt6 for every version)
-----------------------------------------------------------------------------------
* Integers: two's complement, 1/2/4/8 bytes, in the stream's byte order (big-endian by default).
  ``bool`` is one byte, 0 or 1. PyQt6's ``writeInt``/``readInt`` are 32-bit.
* Floating point: IEEE 754. From ``Qt_4_6`` on, ``floatingPointPrecision()`` decides the size of
  *both* float and double (Double by default: ``writeFloat`` writes 8 bytes); before, float is
  4 bytes and double 8.
* Sizes (byte arrays, strings, lists): a quint32; 0xFFFFFFFF marks a null value. From ``Qt_6_7``
  on, 0xFFFFFFFE announces a qint64 size that follows (Qt's "extended size").
* QString: its UTF-16 code units in the stream's byte order, preceded by their byte count; a
  null string is 0xFFFFFFFF from ``Qt_3_0`` on. ``Qt_1_0`` writes Latin-1 bytes instead.
* ``writeString(bytes)`` is Qt's ``operator<<(const char *)``: size and bytes including a
  terminating NUL; ``readString()`` returns the bytes up to the first NUL (None for none).

Errors are Qt's ``status()``: a short read gives ReadPastEnd and a zero value (the bytes that
were there are consumed), a write to a failing device WriteFailed; only the first error sticks
(``setStatus``), and writes are refused while the status is not Ok. Inside a transaction a
failed stream stops reading, and ``commitTransaction()`` after ReadPastEnd rolls the device
back: that is how Qt programs read length-prefixed messages from a socket.

Performance: every fixed-size value is one precompiled ``struct.Struct`` call; a stream over a
QByteArray packs into and unpacks from the array at its cursor without going through the
QIODevice API.

Where qtls differs: QVariant and the Qt value types PyQt6 streams with ``<<``/``>>`` (QDate,
QPoint, QUrl, ...) are absent; ``<<`` takes a QByteArray or a one-character str (a QChar), and
``>>`` fills a QByteArray in place. A stream over a QByteArray has a private QBuffer-like
``device()``.
"""

from __future__ import annotations

import codecs
import enum
import logging
import math
import struct
from collections.abc import Iterable
from typing import Any

from qtls.core.bytearray import QByteArray
from qtls.core.bytearraydevice import _ByteArrayDevice
from qtls.core.iodevice import QIODevice, QIODeviceBase

__all__ = ["QDataStream"]

_log = logging.getLogger("qtls")

_NULL_SIZE = 0xFFFFFFFF
_EXTENDED_SIZE = 0xFFFFFFFE
_V_NULL_STRING = 3  # Qt writes a null QString as 0xFFFFFFFF from version 3 (Qt_2_1) on
_V_QT_3_3 = 6
_V_QT_4_6 = 12
_V_QT_6_7 = 22
_DEFAULT_VERSION = 24  # Qt_6_11, PyQt6 6.11's default
_OK = 0
_READ_PAST_END = 1
_READ_CORRUPT = 2
_WRITE_FAILED = 3
_SIZE_LIMIT = 4
_RANGES = {
    "b": (-(1 << 7), (1 << 7) - 1), "B": (0, (1 << 8) - 1),
    "h": (-(1 << 15), (1 << 15) - 1), "H": (0, (1 << 16) - 1),
    "i": (-(1 << 31), (1 << 31) - 1), "I": (0, (1 << 32) - 1),
    "q": (-(1 << 63), (1 << 63) - 1), "Q": (0, (1 << 64) - 1),
}


class _Structs:
    """Precompiled Structs for one byte order."""

    __slots__ = ("b", "B", "h", "H", "i", "I", "q", "Q", "f", "d", "utf16", "encode", "decode")

    def __init__(self, prefix: str) -> None:
        self.b = struct.Struct(prefix + "b")
        self.B = struct.Struct(prefix + "B")
        self.h = struct.Struct(prefix + "h")
        self.H = struct.Struct(prefix + "H")
        self.i = struct.Struct(prefix + "i")
        self.I = struct.Struct(prefix + "I")
        self.q = struct.Struct(prefix + "q")
        self.Q = struct.Struct(prefix + "Q")
        self.f = struct.Struct(prefix + "f")
        self.d = struct.Struct(prefix + "d")
        self.utf16 = "utf-16-be" if prefix == ">" else "utf-16-le"
        # The codec functions themselves: str.encode("utf-16-be") looks the codec up by name
        # on every call (four times slower for the short strings of a message).
        big = prefix == ">"
        self.encode = codecs.utf_16_be_encode if big else codecs.utf_16_le_encode
        self.decode = codecs.utf_16_be_decode if big else codecs.utf_16_le_decode


_BIG = _Structs(">")
_LITTLE = _Structs("<")
_F32 = struct.Struct("<f")
_F32_PACK = _F32.pack
# The array methods themselves: QByteArray overrides ``+=`` and slicing in Python (PyQt6's
# semantics), which would cost a Python call per value on the hot paths.
_extend = bytearray.extend
_ba_getitem = bytearray.__getitem__


def _cut(buf: Any, start: int, end: int) -> Any:
    """``buf[start:end]`` as bytes or bytearray, without QByteArray's Python slicing."""
    return buf[start:end] if type(buf) is bytes else _ba_getitem(buf, slice(start, end))

_F32_UNPACK = _F32.unpack


def _as_float32(value: float) -> float:
    """``value`` rounded to a C float, as a C++ cast does (infinity when out of range)."""
    try:
        return float(_F32.unpack(_F32.pack(value))[0])
    except OverflowError:
        return math.copysign(math.inf, value)


def _pack_error(value: object, code: str, what: str) -> Exception:
    if not isinstance(value, int) and not hasattr(value, "__index__"):
        return TypeError(f"{what}: argument 1 has unexpected type '{type(value).__name__}'")
    low, high = _RANGES[code]
    return OverflowError(f"argument 1 overflowed: value must be in the range {low} to {high}")


def _int_writer(code: str, name: str, doc: str) -> Any:
    """A ``writeIntN`` method: pack, then append at the array's cursor in one frame (the hot
    path of a stream over a QByteArray), else go through ``_put``."""
    size = struct.calcsize(code)

    packs = (getattr(_BIG, code).pack, getattr(_LITTLE, code).pack)

    def write(self: QDataStream, i: int) -> None:
        try:
            data = packs[self._little](i)
        except struct.error:
            raise _pack_error(i, code, name) from None
        array = self._array
        if array is not None and array._fast_write and not self._status:
            buf = array._data
            pos = array._cursor
            if pos == len(buf):
                _extend(buf, data)
            else:
                buf[pos:pos + size] = data
            array._cursor = pos + size
        else:
            self._put(data)

    write.__name__ = write.__qualname__ = name
    write.__doc__ = doc
    return write


def _int_reader(code: str, name: str, doc: str) -> Any:
    """A ``readIntN`` method: unpack at the array's cursor in one frame, else ``_unpack``."""
    size = struct.calcsize(code)

    unpacks = (getattr(_BIG, code).unpack_from, getattr(_LITTLE, code).unpack_from)

    def read(self: QDataStream) -> int:
        array = self._array
        if array is not None and array._fast_read and not self._status:
            pos = array._cursor
            buf = array._data
            if pos + size <= len(buf):
                array._cursor = pos + size
                return unpacks[self._little](buf, pos)[0]  # type: ignore[no-any-return]
        v = self._unpack(getattr(self._s, code))
        return 0 if v is None else v  # type: ignore[no-any-return]

    read.__name__ = read.__qualname__ = name
    read.__doc__ = doc
    return read


_write_q = _int_writer("q", "writeInt64", "")
_write_Q = _int_writer("Q", "writeUInt64", "")
_read_q = _int_reader("q", "readInt64", "")
_read_Q = _int_reader("Q", "readUInt64", "")
_read_f = _int_reader("f", "readFloat", "")  # (the same unpacking serves floats)
_read_d = _int_reader("d", "readDouble", "")


class QDataStream(QIODeviceBase):
    """Qt's QDataStream: typed binary reads and writes in Qt's wire format.

    ``QDataStream()`` (no device), ``QDataStream(device)``, ``QDataStream(byteArray, mode)``
    (reads and writes the QByteArray in place) or ``QDataStream(bytes-like)`` (reads a copy).
    """

    class ByteOrder(enum.Enum):
        """Byte order of multi-byte values (big-endian by default)."""

        BigEndian = 0
        LittleEndian = 1

    class FloatingPointPrecision(enum.Enum):
        """Size of floats and doubles from Qt_4_6 on."""

        SinglePrecision = 0
        DoublePrecision = 1

    class Status(enum.Enum):
        """The stream's error state."""

        Ok = 0
        ReadPastEnd = 1
        ReadCorruptData = 2
        WriteFailed = 3
        SizeLimitExceeded = 4

    class Version(enum.IntEnum):
        """Wire-format versions (Qt releases that changed the format share a number)."""

        Qt_1_0 = 1
        Qt_2_0 = 2
        Qt_2_1 = 3
        Qt_3_0 = 4
        Qt_3_1 = 5
        Qt_3_3 = 6
        Qt_4_0 = 7
        Qt_4_1 = 7
        Qt_4_2 = 8
        Qt_4_3 = 9
        Qt_4_4 = 10
        Qt_4_5 = 11
        Qt_4_6 = 12
        Qt_4_7 = 12
        Qt_4_8 = 12
        Qt_4_9 = 12
        Qt_5_0 = 13
        Qt_5_1 = 14
        Qt_5_2 = 15
        Qt_5_3 = 15
        Qt_5_4 = 16
        Qt_5_5 = 16
        Qt_5_6 = 17
        Qt_5_7 = 17
        Qt_5_8 = 17
        Qt_5_9 = 17
        Qt_5_10 = 17
        Qt_5_11 = 17
        Qt_5_12 = 18
        Qt_5_13 = 19
        Qt_5_14 = 19
        Qt_5_15 = 19
        Qt_6_0 = 20
        Qt_6_1 = 20
        Qt_6_2 = 20
        Qt_6_3 = 20
        Qt_6_4 = 20
        Qt_6_5 = 20
        Qt_6_6 = 21
        Qt_6_7 = 22
        Qt_6_8 = 22
        Qt_6_9 = 22
        Qt_6_10 = 23
        Qt_6_11 = 24

    def __init__(self, *args: Any) -> None:
        self._dev: QIODevice | None = None
        self._array: _ByteArrayDevice | None = None
        self._status = _OK
        self._version = _DEFAULT_VERSION
        self._s = _BIG
        self._little = 0  # index into the (big, little) pairs of the hot paths
        self._order = QDataStream.ByteOrder.BigEndian
        self._double = True
        self._transaction_depth = 0
        if not args:
            return
        if len(args) == 1:
            target = args[0]
            if target is None or isinstance(target, QIODevice):
                self.setDevice(target)
                return
            if isinstance(target, (bytes, bytearray, memoryview)):
                # Qt reads a (shared) copy of a const QByteArray.
                data = target if type(target) is bytes else bytes(target)
                self._attach(_ByteArrayDevice(data, _Mode.ReadOnly | _Mode.Unbuffered))
                return
        elif len(args) == 2:
            target, mode = args
            if isinstance(target, bytearray) and isinstance(mode, _Mode):
                self._attach(_ByteArrayDevice(target, mode | _Mode.Unbuffered))
                return
        raise TypeError(
            "QDataStream(): arguments did not match any overloaded call: QDataStream(), "
            "QDataStream(a0: QIODevice|None), QDataStream(a0: QByteArray|None, flags: "
            "QIODeviceBase.OpenModeFlag), QDataStream(a0: QByteArray|bytes|bytearray|memoryview)"
        )

    # ------------------------------------------------------------------ device
    def _attach(self, device: QIODevice | None) -> None:
        self._dev = device
        self._array = device if type(device) is _ByteArrayDevice else None

    def device(self) -> QIODevice | None:
        """The device read and written (a private buffer device for a QByteArray)."""
        return self._dev

    def setDevice(self, a0: QIODevice | None) -> None:
        """Read and write ``a0`` from now on (None: no device)."""
        if a0 is not None and not isinstance(a0, QIODevice):
            raise TypeError(
                f"setDevice(self, a0: Optional[QIODevice]): argument 1 has unexpected type "
                f"'{type(a0).__name__}'"
            )
        self._attach(a0)

    def atEnd(self) -> bool:
        """True when nothing is left to read (or there is no device)."""
        dev = self._dev
        return True if dev is None else dev.atEnd()

    # ------------------------------------------------------------------ settings
    def status(self) -> QDataStream.Status:
        """The stream's error state."""
        return QDataStream.Status(self._status)

    def setStatus(self, status: QDataStream.Status) -> None:
        """Record an error; ignored while another one is recorded (only the first sticks)."""
        if not isinstance(status, QDataStream.Status):
            raise TypeError(
                f"setStatus(self, status: QDataStream.Status): argument 1 has unexpected type "
                f"'{type(status).__name__}'"
            )
        if self._status == _OK:
            self._status = status.value

    def resetStatus(self) -> None:
        """Back to ``Status.Ok``."""
        self._status = _OK

    def byteOrder(self) -> QDataStream.ByteOrder:
        """The byte order of multi-byte values."""
        return self._order

    def setByteOrder(self, a0: QDataStream.ByteOrder) -> None:
        """Set the byte order (it applies to strings' UTF-16 too)."""
        if not isinstance(a0, QDataStream.ByteOrder):
            raise TypeError(
                f"setByteOrder(self, a0: QDataStream.ByteOrder): argument 1 has unexpected "
                f"type '{type(a0).__name__}'"
            )
        self._order = a0
        self._s = _BIG if a0 is QDataStream.ByteOrder.BigEndian else _LITTLE
        self._little = 0 if a0 is QDataStream.ByteOrder.BigEndian else 1

    def floatingPointPrecision(self) -> QDataStream.FloatingPointPrecision:
        """The size of floats and doubles (from Qt_4_6 on)."""
        if self._double:
            return QDataStream.FloatingPointPrecision.DoublePrecision
        return QDataStream.FloatingPointPrecision.SinglePrecision

    def setFloatingPointPrecision(self, precision: QDataStream.FloatingPointPrecision) -> None:
        """Write and read every float and double with this precision (from Qt_4_6 on)."""
        if not isinstance(precision, QDataStream.FloatingPointPrecision):
            raise TypeError(
                f"setFloatingPointPrecision(self, precision: "
                f"QDataStream.FloatingPointPrecision): argument 1 has unexpected type "
                f"'{type(precision).__name__}'"
            )
        self._double = precision is QDataStream.FloatingPointPrecision.DoublePrecision

    def version(self) -> int:
        """The wire-format version (``Version.Qt_6_11`` = 24 by default)."""
        return self._version

    def setVersion(self, a0: int) -> None:
        """Set the wire-format version (a ``Version`` or any int, as in Qt)."""
        if isinstance(a0, bool) or not isinstance(a0, int):
            raise TypeError(
                f"setVersion(self, a0: int): argument 1 has unexpected type '{type(a0).__name__}'"
            )
        self._version = int(a0)

    # ------------------------------------------------------------------ raw I/O
    def _put(self, data: bytes) -> bool:
        """Write ``data``; False (and WriteFailed) when the device takes less."""
        if self._status:
            return False  # Qt 6: nothing is written while the stream is in error
        array = self._array
        if array is not None and array._fast_write:
            buf = array._data
            pos = array._cursor
            if pos == len(buf):
                _extend(buf, data)
            else:
                buf[pos:pos + len(data)] = data
            array._cursor = pos + len(data)
            return True
        dev = self._dev
        if dev is None:
            return False
        if dev.write(data) != len(data):
            self._status = _WRITE_FAILED
            return False
        return True

    def _get(self, n: int) -> bytes | None:
        """Read exactly ``n`` bytes, or None (ReadPastEnd: what was there is consumed)."""
        dev = self._dev
        if dev is None:
            return None
        if self._status and dev.isTransactionStarted():
            return None  # Qt 6: a failed stream stops reading inside a transaction
        array = self._array
        if array is not None and array._fast_read:
            buf = array._data
            pos = array._cursor
            end = pos + n
            if end <= len(buf):
                array._cursor = end
                return _cut(buf, pos, end)
            array._cursor = len(buf)
            self.setStatus(QDataStream.Status.ReadPastEnd)
            return None
        data = dev.read(n)
        if data is None or len(data) != n:
            self.setStatus(QDataStream.Status.ReadPastEnd)
            return None
        return data

    def _unpack(self, s: struct.Struct) -> Any:
        """One fixed-size value, or None after a short read."""
        array = self._array
        if array is not None and array._fast_read and not (
            self._status and array._transaction
        ):
            pos = array._cursor
            end = pos + s.size
            buf = array._data
            if end <= len(buf):
                array._cursor = end
                return s.unpack_from(buf, pos)[0]
        data = self._get(s.size)
        return None if data is None else s.unpack(data)[0]

    def _pack(self, code: str, value: Any, what: str) -> None:
        s: struct.Struct = getattr(self._s, code)
        try:
            data = s.pack(value)
        except struct.error:
            raise _pack_error(value, code, what) from None
        self._put(data)

    def writeRawData(self, a0: Any) -> int:
        """Write the bytes as they are; returns the count, or -1 on failure."""
        data = bytes(a0)
        if self._dev is None or self._status:
            return -1
        return len(data) if self._put(data) else -1

    def readRawData(self, len: int) -> bytes | None:
        """Up to ``len`` raw bytes (fewer, with ReadPastEnd, at the end); None where Qt returns
        -1 (no device, a failed transaction, a device error), as PyQt6 does."""
        dev = self._dev
        if dev is None:
            return None
        if self._status and dev.isTransactionStarted():
            return None
        data = dev.read(len)
        if data is None:
            self.setStatus(QDataStream.Status.ReadPastEnd)
            return None
        if builtin_len(data) != len:
            self.setStatus(QDataStream.Status.ReadPastEnd)
        return bytes(data)

    def skipRawData(self, len: int) -> int:
        """Skip ``len`` bytes; returns how many were skipped (-1 without a device)."""
        dev = self._dev
        if dev is None:
            return -1
        if self._status and dev.isTransactionStarted():
            return -1
        skipped = dev.skip(len)
        if skipped != len:
            self.setStatus(QDataStream.Status.ReadPastEnd)
        return skipped

    # ------------------------------------------------------------------ integers
    writeInt8 = _int_writer("b", "writeInt8", """A signed byte.""")

    writeUInt8 = _int_writer("B", "writeUInt8", """An unsigned byte.""")

    writeInt16 = _int_writer("h", "writeInt16", """A signed 16-bit integer.""")

    writeUInt16 = _int_writer("H", "writeUInt16", """An unsigned 16-bit integer.""")

    writeInt32 = _int_writer("i", "writeInt32", """A signed 32-bit integer.""")

    writeInt = writeInt32

    writeUInt32 = _int_writer("I", "writeUInt32", """An unsigned 32-bit integer.""")

    def writeInt64(self, i: int) -> None:
        """A signed 64-bit integer (before Qt_3_3: two 32-bit words, high first)."""
        if self._version < _V_QT_3_3:
            self._write_words(i, "q", "writeInt64")
        else:
            _write_q(self, i)

    def writeUInt64(self, i: int) -> None:
        """An unsigned 64-bit integer (before Qt_3_3: two 32-bit words, high first)."""
        if self._version < _V_QT_3_3:
            self._write_words(i, "Q", "writeUInt64")
        else:
            _write_Q(self, i)

    def _write_words(self, i: int, code: str, what: str) -> None:
        low, high = _RANGES[code]
        if not isinstance(i, int) or not low <= i <= high:
            raise _pack_error(i, code, what)
        u = i & 0xFFFFFFFFFFFFFFFF
        self._put(self._s.I.pack(u >> 32) + self._s.I.pack(u & 0xFFFFFFFF))

    def _read_words(self) -> int:
        # Qt reads the two words back in swapped roles ((second << 32) + first), so a value
        # written before Qt_3_3 does not come back the same: kept for wire compatibility.
        first = self._unpack(self._s.I)
        second = self._unpack(self._s.I)
        return ((second or 0) << 32) + (first or 0)  # a word that was not there is 0

    def writeBool(self, i: bool) -> None:
        """One byte: 1 for a true value, 0 otherwise."""
        data = b"\x01" if i else b"\x00"
        array = self._array
        if array is not None and array._fast_write and not self._status:
            buf = array._data
            pos = array._cursor
            if pos == len(buf):
                _extend(buf, data)
            else:
                buf[pos:pos + len(data)] = data
            array._cursor = pos + len(data)
        else:
            self._put(data)

    readInt8 = _int_reader("b", "readInt8", """A signed byte (0 after a short read).""")

    readUInt8 = _int_reader("B", "readUInt8", """An unsigned byte.""")

    readInt16 = _int_reader("h", "readInt16", """A signed 16-bit integer.""")

    readUInt16 = _int_reader("H", "readUInt16", """An unsigned 16-bit integer.""")

    readInt32 = _int_reader("i", "readInt32", """A signed 32-bit integer.""")

    readInt = readInt32

    readUInt32 = _int_reader("I", "readUInt32", """An unsigned 32-bit integer.""")

    def readInt64(self) -> int:
        """A signed 64-bit integer."""
        if self._version < _V_QT_3_3:
            v = self._read_words()
            return v - (1 << 64) if v >= 1 << 63 else v
        return _read_q(self)  # type: ignore[no-any-return]

    def readUInt64(self) -> int:
        """An unsigned 64-bit integer."""
        if self._version < _V_QT_3_3:
            return self._read_words()
        return _read_Q(self)  # type: ignore[no-any-return]

    def readBool(self) -> bool:
        """One byte; any non-zero value is True."""
        array = self._array
        if array is not None and array._fast_read and not self._status:
            pos = array._cursor
            buf = array._data
            if pos < len(buf):
                array._cursor = pos + 1
                return _BIG.B.unpack_from(buf, pos)[0] != 0  # type: ignore[no-any-return]
        return bool(self._unpack(self._s.b))

    # ------------------------------------------------------------------ floating point
    def writeFloat(self, f: float) -> None:
        """A C float: 4 bytes, or widened to 8 under DoublePrecision (from Qt_4_6)."""
        value = _to_float(f, "writeFloat") if type(f) is not float else f
        try:
            value = _F32_UNPACK(_F32_PACK(value))[0]
        except OverflowError:
            value = math.copysign(math.inf, value)
        if self._double and self._version >= _V_QT_4_6:
            data = self._s.d.pack(value)
        else:
            data = self._s.f.pack(value)
        array = self._array
        if array is not None and array._fast_write and not self._status:
            buf = array._data
            pos = array._cursor
            if pos == len(buf):
                _extend(buf, data)
            else:
                buf[pos:pos + len(data)] = data
            array._cursor = pos + len(data)
        else:
            self._put(data)

    def writeDouble(self, f: float) -> None:
        """A C double: 8 bytes, or narrowed to 4 under SinglePrecision (from Qt_4_6)."""
        value = _to_float(f, "writeDouble") if type(f) is not float else f
        if not self._double and self._version >= _V_QT_4_6:
            data = self._s.f.pack(_as_float32(value))
        else:
            data = self._s.d.pack(value)
        array = self._array
        if array is not None and array._fast_write and not self._status:
            buf = array._data
            pos = array._cursor
            if pos == len(buf):
                _extend(buf, data)
            else:
                buf[pos:pos + len(data)] = data
            array._cursor = pos + len(data)
        else:
            self._put(data)

    def readFloat(self) -> float:
        """A C float (read as 8 bytes and narrowed under DoublePrecision, from Qt_4_6)."""
        if self._double and self._version >= _V_QT_4_6:
            v = _read_d(self)
            try:
                return float(_F32_UNPACK(_F32_PACK(v))[0])
            except OverflowError:
                return math.copysign(math.inf, v)
        return float(_read_f(self))

    def readDouble(self) -> float:
        """A C double (read as 4 bytes under SinglePrecision, from Qt_4_6)."""
        if not self._double and self._version >= _V_QT_4_6:
            return float(_read_f(self))
        return float(_read_d(self))

    # ------------------------------------------------------------------ sizes
    def _write_size(self, n: int) -> bool:
        """Qt's writeQSizeType: a quint32, or the extended qint64 form from Qt_6_7."""
        if n < _EXTENDED_SIZE:
            return self._put(self._s.I.pack(n))
        if self._version >= _V_QT_6_7:
            return self._put(self._s.I.pack(_EXTENDED_SIZE) + self._s.q.pack(n))
        if n == _EXTENDED_SIZE:
            return self._put(self._s.I.pack(n))
        self.setStatus(QDataStream.Status.SizeLimitExceeded)
        return False

    def _read_size(self) -> int:
        """Qt's readQSizeType: -1 for the null marker, 0 after a short read."""
        first = self._unpack(self._s.I)
        if first is None:
            return 0
        if first == _NULL_SIZE:
            return -1
        if first < _EXTENDED_SIZE or self._version < _V_QT_6_7:
            return first  # type: ignore[no-any-return]
        extended = self._unpack(self._s.q)
        return 0 if extended is None else extended  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ byte strings
    def writeBytes(self, a0: Any) -> QDataStream:
        """A size, then the bytes (Qt's writeBytes); returns the stream."""
        data = bytes(a0)
        n = len(data)
        if n >= _EXTENDED_SIZE:
            if self._write_size(n):
                self._put(data)
            return self
        data = self._s.I.pack(n) + data
        array = self._array
        if array is not None and array._fast_write and not self._status:
            buf = array._data
            pos = array._cursor
            if pos == len(buf):
                _extend(buf, data)
            else:
                buf[pos:pos + len(data)] = data
            array._cursor = pos + len(data)
        else:
            self._put(data)
        return self

    def readBytes(self) -> bytes:
        """What ``writeBytes`` wrote (b"" for none; a null marker is SizeLimitExceeded)."""
        data = self._read_bytes()
        return b"" if data is None else data

    def _read_bytes(self) -> bytes | None:
        array = self._array
        if array is not None and array._fast_read and not self._status:
            pos = array._cursor
            buf = array._data
            if pos + 4 <= len(buf):
                n = self._s.I.unpack_from(buf, pos)[0]
                end = pos + 4 + n
                if 0 < n < _EXTENDED_SIZE and end <= len(buf):
                    array._cursor = end
                    return bytes(_cut(buf, pos + 4, end))
        length = self._read_size()
        if length == 0:
            return None
        if length < 0:
            self.setStatus(QDataStream.Status.SizeLimitExceeded)
            return None
        data = self._get(length)
        return None if data is None else bytes(data)

    def writeString(self, str: bytes | None) -> None:
        """Qt's ``operator<<(const char *)``: size and bytes with a terminating NUL (size 0
        for None). The bytes end at the first NUL, as a C string does."""
        if str is None:
            self._write_size(0)
            return
        data = bytes(str)
        end = data.find(b"\x00")
        self.writeBytes((data if end < 0 else data[:end]) + b"\x00")

    def readString(self) -> bytes | None:
        """What ``writeString`` wrote, up to its first NUL; None for nothing or an error."""
        data = self._read_bytes()
        if data is None:
            return None
        end = data.find(b"\x00")
        return data if end < 0 else data[:end]

    def _write_byte_array(self, data: QByteArray | bytes) -> None:
        """Qt's ``operator<<(QByteArray)``: a null array is 0xFFFFFFFF from Qt_3_3 on."""
        if isinstance(data, QByteArray) and data.isNull() and self._version >= _V_QT_3_3:
            self._put(self._s.I.pack(_NULL_SIZE))
            return
        self.writeBytes(data)

    def _read_byte_array(self) -> QByteArray:
        """Qt's ``operator>>(QByteArray &)``: a null array for the null marker."""
        length = self._read_size()
        if length < 0:
            return QByteArray()
        if length == 0:
            return QByteArray(b"") if self._status == _OK else QByteArray()
        data = self._get(length)
        return QByteArray() if data is None else QByteArray._wrap(data)

    # ------------------------------------------------------------------ strings
    def writeQString(self, qstr: str | None) -> None:
        """A QString: UTF-16 in the stream's byte order; None is Qt's null string."""
        if type(qstr) is str and self._version > 1:
            data = self._s.encode(qstr, "surrogatepass")[0]
            n = len(data)
            if n < _EXTENDED_SIZE:
                data = self._s.I.pack(n) + data
                array = self._array
                if array is not None and array._fast_write and not self._status:
                    buf = array._data
                    pos = array._cursor
                    if pos == len(buf):
                        _extend(buf, data)
                    else:
                        buf[pos:pos + len(data)] = data
                    array._cursor = pos + len(data)
                else:
                    self._put(data)
                return
        if qstr is not None and not isinstance(qstr, str):
            raise TypeError(
                f"writeQString(self, qstr: Optional[str]): argument 1 has unexpected type "
                f"'{type(qstr).__name__}'"
            )
        if self._version == 1:
            if qstr is None:
                self._write_byte_array(QByteArray())
            else:
                self._write_byte_array(QByteArray._wrap(_latin1(qstr)))
            return
        if qstr is None:
            self._put(self._s.I.pack(_NULL_SIZE if self._version >= _V_NULL_STRING else 0))
            return
        data = qstr.encode(self._s.utf16, "surrogatepass")
        if self._write_size(len(data)) and data:
            self._put(data)

    def readQString(self) -> str:
        """A QString ('' for a null or empty one, and after an error)."""
        array = self._array
        if array is not None and array._fast_read and not self._status and self._version > 1:
            pos = array._cursor
            buf = array._data
            if pos + 4 <= len(buf):
                n = self._s.I.unpack_from(buf, pos)[0]
                end = pos + 4 + n
                if n < _EXTENDED_SIZE and not n & 1 and end <= len(buf):
                    array._cursor = end
                    return self._s.decode(_cut(buf, pos + 4, end), "surrogatepass", True)[0]  # type: ignore[no-any-return]
        if self._version == 1:
            return bytes(self._read_byte_array()).decode("latin-1")
        length = self._read_size()
        if length <= 0:
            return ""
        if length & 1:
            self.setStatus(QDataStream.Status.ReadCorruptData)
            return ""
        data = self._get(length)
        if data is None:
            return ""
        return bytes(data).decode(self._s.utf16, "surrogatepass")

    def writeQStringList(self, qstrlst: Iterable[str | None]) -> None:
        """A count, then each string."""
        items = list(qstrlst)
        if self._write_size(len(items)):
            for item in items:
                self.writeQString(item)

    def readQStringList(self) -> list[str]:
        """What ``writeQStringList`` wrote ([] after an error)."""
        # Qt's StreamStateSaver: start from Ok (unless a transaction has failed: it stays
        # failed), and put back an earlier error afterwards.
        saved = self._status
        dev = self._dev
        if dev is None or not dev.isTransactionStarted():
            self._status = _OK
        result: list[str] = []
        count = self._read_size()
        if count < 0:
            self.setStatus(QDataStream.Status.SizeLimitExceeded)
        else:
            for _ in range(count):
                item = self.readQString()
                if self._status != _OK:
                    result = []
                    break
                result.append(item)
        if saved != _OK:
            self._status = saved
        return result

    # ------------------------------------------------------------------ operators
    def __lshift__(self, a0: Any) -> QDataStream:
        """``stream << QByteArray(...)`` or ``stream << "c"`` (one QChar); returns the stream."""
        if isinstance(a0, QByteArray):
            self._write_byte_array(a0)
        elif isinstance(a0, str):
            if len(a0) != 1:
                raise ValueError("string of length 1 expected")
            self._pack("H", ord(a0) if ord(a0) <= 0xFFFF else 0xFFFD, "__lshift__")
        else:
            return NotImplemented
        return self

    def __rshift__(self, a0: Any) -> QDataStream:
        """``stream >> byte_array`` replaces the QByteArray's contents (never null afterwards,
        as with PyQt6); returns the stream."""
        if not isinstance(a0, QByteArray):
            return NotImplemented
        a0[:] = self._read_byte_array()
        a0._null = False  # PyQt6 leaves the target non-null, even for the null marker
        return self

    # ------------------------------------------------------------------ transactions
    def startTransaction(self) -> None:
        """Start a read transaction (nested calls count); resets the status at depth 1."""
        dev = self._dev
        if dev is None:
            return
        self._transaction_depth += 1
        if self._transaction_depth == 1:
            dev.startTransaction()
            self._status = _OK

    def commitTransaction(self) -> bool:
        """End a transaction: True if everything read was there; after ReadPastEnd the device
        is rolled back so that the same bytes are read again once more arrived."""
        if not self._transaction_depth:
            _log.warning("QDataStream: No transaction in progress")
            return False
        self._transaction_depth -= 1
        if self._transaction_depth == 0:
            dev = self._dev
            if dev is None:
                return False
            if self._status == _READ_PAST_END:
                dev.rollbackTransaction()
                return False
            dev.commitTransaction()
        return self._status == _OK

    def rollbackTransaction(self) -> None:
        """Give up a transaction for lack of data: ReadPastEnd, and the device rolled back."""
        self.setStatus(QDataStream.Status.ReadPastEnd)
        if not self._transaction_depth:
            _log.warning("QDataStream: No transaction in progress")
            return
        self._transaction_depth -= 1
        if self._transaction_depth:
            return
        dev = self._dev
        if dev is None:
            return
        if self._status == _READ_PAST_END:
            dev.rollbackTransaction()
        else:
            dev.commitTransaction()

    def abortTransaction(self) -> None:
        """Give up a transaction for bad data: ReadCorruptData, and what was read consumed."""
        self._status = _READ_CORRUPT
        if not self._transaction_depth:
            _log.warning("QDataStream: No transaction in progress")
            return
        self._transaction_depth -= 1
        if self._transaction_depth:
            return
        dev = self._dev
        if dev is not None:
            dev.commitTransaction()


builtin_len = len
_Mode = QIODeviceBase.OpenModeFlag


def _to_float(value: object, what: str) -> float:
    if isinstance(value, float):
        return value
    if isinstance(value, int):
        return float(value)
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(
            f"{what}(self, f: float): argument 1 has unexpected type '{type(value).__name__}'"
        ) from None


def _latin1(text: str) -> bytes:
    """Qt's QString::toLatin1: one '?' per UTF-16 code unit that Latin-1 lacks."""
    return "".join(
        c if ord(c) < 256 else "??" if ord(c) > 0xFFFF else "?" for c in text
    ).encode("latin-1")
