"""QByteArray: what readAll/readLine return in PyQt6.

Representation
--------------
QByteArray subclasses the built-in ``bytearray``:

* Qt's QByteArray is mutable (``append``, ``replace``, ``+=`` and ``clear`` change it in
  place), and code such as ``buf.append(sock.readAll())`` relies on it; a ``bytes`` subclass
  could not do that.
* The buffer protocol comes for free on every Python version (3.10 has no ``__buffer__``), so
  ``bytes(ba)``, ``memoryview(ba)`` (writable, as in PyQt6), ``str(ba, "utf-8")``,
  ``sock.send(ba)`` and ``hashlib.sha256(ba)`` work as with PyQt6.
* ``QIODevice.readAll()`` builds one with :meth:`QByteArray._from_pieces`: the buffer's chunks
  are copied exactly once into a pre-sized array, never joined first and copied again.

Where PyQt6's QByteArray differs from a bytearray, the PyQt6 behaviour wins: indexing and
iteration give 1-byte ``bytes``; slicing, ``+`` and ``*`` give a QByteArray; it compares equal to
``bytes``, ``bytearray`` and (UTF-8) ``str``; it is hashable (by value, like ``bytes``, so a
QByteArray used as a dict key must not be mutated afterwards, as with PyQt6).

Qt leaves some calls undefined (``first(n)`` with n > size, ``at(i)`` out of range); qtls clamps
``first/last/chopped`` to the data and raises IndexError from ``at``, as from ``ba[i]``.
"""

from __future__ import annotations

import base64 as _b64
import binascii
import enum
import re
from collections.abc import Iterable, Iterator
from typing import Any, SupportsIndex, overload

__all__ = ["QByteArray"]

_BytesLike = (bytes, bytearray, memoryview)
_bytearray_new = bytearray.__new__
_bytearray_init = bytearray.__init__
_WHITESPACE = b" \t\n\v\f\r"
_HEX_DIGITS = b"0123456789abcdefABCDEF"
_B64_STD = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_URL = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_ALL_BYTES = bytes(range(256))
_NON_HEX = bytes(c for c in _ALL_BYTES if c not in _HEX_DIGITS)
_NON_B64_STD = bytes(c for c in _ALL_BYTES if c not in _B64_STD)
_NON_B64_URL = bytes(c for c in _ALL_BYTES if c not in _B64_URL)
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
# Sign, then ASCII letters/digits only: no underscores or inner spaces (Python's int() takes them).
_INT_LITERAL = re.compile(rb"[+-]?[0-9A-Za-z]+")
_C_OCTAL = re.compile(r"([+-]?)0([0-7]+)")


def _arg_bytes(value: object, what: str) -> bytes | bytearray | memoryview:
    """Accept a bytes-like argument (QByteArray included) or raise PyQt6's TypeError."""
    if isinstance(value, _BytesLike):
        return value
    raise TypeError(f"{what}: argument has unexpected type '{type(value).__name__}'")


def _arg_char(value: object, what: str) -> bytes:
    """Accept a single byte (``bytes`` or QByteArray of length 1), as PyQt6's ``char``."""
    if isinstance(value, _BytesLike) and len(value) == 1:
        return bytes(value)
    raise TypeError(f"{what}: argument has unexpected type '{type(value).__name__}'")


class QByteArray(bytearray):
    """A mutable array of bytes with Qt's QByteArray API (see the module docstring)."""

    class Base64Option(enum.Flag):
        """Options for toBase64/fromBase64 (Qt's QByteArray::Base64Option)."""

        Base64Encoding = 0
        KeepTrailingEquals = 0
        IgnoreBase64DecodingErrors = 0
        Base64UrlEncoding = 1
        OmitTrailingEquals = 2
        AbortOnBase64DecodingErrors = 4

    # Qt distinguishes a null array (QByteArray()) from an empty one (QByteArray(b"")).
    # The class default (non-null) spares _sized() an instance dict per array: setting the
    # attribute would cost more than the array itself for a TLS socket's small messages.
    _null: bool = False

    @overload
    def __init__(self) -> None: ...
    @overload
    def __init__(self, size: int, c: bytes, /) -> None: ...
    @overload
    def __init__(self, a: QByteArray | bytes | bytearray | memoryview, /) -> None: ...

    def __init__(self, *args: Any) -> None:
        """QByteArray(), QByteArray(size, c) or QByteArray(bytes-like), as in PyQt6."""
        if not args:
            super().__init__()
            self._null = True
        elif len(args) == 1 and isinstance(args[0], _BytesLike):
            super().__init__(args[0])
            self._null = False
        elif (
            len(args) == 2
            and isinstance(args[0], int)
            and not isinstance(args[0], bool)
            and isinstance(args[1], _BytesLike)
            and len(args[1]) == 1
        ):
            super().__init__(bytes(args[1]) * max(args[0], 0))
            self._null = False
        else:
            raise TypeError(
                "QByteArray(): arguments did not match any overloaded call: "
                "QByteArray(), QByteArray(size: int, c: bytes), "
                "QByteArray(a: QByteArray|bytes|bytearray|memoryview)"
            )

    # ----------------------------------------------------------- construction
    @classmethod
    def _from_pieces(
        cls, pieces: Iterable[bytes | bytearray | memoryview], total: int | None = None
    ) -> QByteArray:
        """Build a QByteArray from buffer pieces with exactly one copy of the data.

        Internal (used by QIODevice.readAll): the array is allocated once at its final size
        (zero-filled, a memset) and each piece is copied into place, instead of joining the
        pieces into a bytes first and copying that again.
        """
        pieces = list(pieces)
        if total is None:
            total = sum(memoryview(p).nbytes for p in pieces)
        result = cls.__new__(cls)
        bytearray.__init__(result, total)
        result._null = False
        offset = 0
        with memoryview(result) as view:
            for piece in pieces:
                n = memoryview(piece).nbytes
                view[offset : offset + n] = piece
                offset += n
        return result

    @classmethod
    def _sized(cls, size: int) -> QByteArray:
        """Internal: a zero-filled, non-null array of ``size`` bytes (a buffer to fill in place).

        A TLS socket's engine decrypts straight into one, so that readAll() can hand the same
        object to the application instead of copying it (see QIODevice.readAll).
        """
        result = _bytearray_new(cls)
        _bytearray_init(result, size)
        return result  # (non-null: the class default of _null)

    @classmethod
    def _wrap(cls, data: bytes | bytearray | memoryview, null: bool = False) -> QByteArray:
        result = cls.__new__(cls)
        bytearray.__init__(result, data)
        result._null = null and not data
        return result

    # ------------------------------------------------------- Python protocols
    def __repr__(self) -> str:
        if self.isNull():
            return "qtls.QtCore.QByteArray()"
        return f"qtls.QtCore.QByteArray({bytes(self)!r})"

    def __str__(self) -> str:
        return str(bytes(self))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(bytes(self))

    @staticmethod
    def _coerce(other: object) -> bytes | bytearray | memoryview | None:
        if isinstance(other, _BytesLike):
            return other
        if isinstance(other, str):
            return other.encode("utf-8")
        return None

    def __eq__(self, other: object) -> bool:
        o = self._coerce(other)
        return bytearray.__eq__(self, o) if o is not None else False

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def _compare(self, other: object, op: str) -> bool:
        o = self._coerce(other)
        if o is None:
            raise TypeError(
                f"'{op}' not supported between instances of 'QByteArray' and "
                f"'{type(other).__name__}'"
            )
        return getattr(
            bytes(self), {"<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}[op]
        )(bytes(o))

    def __lt__(self, other: object) -> bool:  # type: ignore[override]
        return self._compare(other, "<")

    def __le__(self, other: object) -> bool:  # type: ignore[override]
        return self._compare(other, "<=")

    def __gt__(self, other: object) -> bool:  # type: ignore[override]
        return self._compare(other, ">")

    def __ge__(self, other: object) -> bool:  # type: ignore[override]
        return self._compare(other, ">=")

    @overload  # type: ignore[override]
    def __getitem__(self, i: SupportsIndex) -> bytes: ...
    @overload
    def __getitem__(self, i: slice) -> QByteArray: ...

    def __getitem__(self, i: SupportsIndex | slice) -> bytes | QByteArray:
        """``ba[i]`` gives a 1-byte ``bytes`` and ``ba[a:b]`` a QByteArray, as in PyQt6."""
        if isinstance(i, slice):
            return QByteArray._wrap(bytearray.__getitem__(self, i))
        return bytes((bytearray.__getitem__(self, i),))

    def __iter__(self) -> Iterator[bytes]:  # type: ignore[override]
        data = bytes(self)
        return (data[i : i + 1] for i in range(len(data)))

    def __contains__(self, bv: object) -> bool:  # type: ignore[override]
        return bytearray.find(self, _arg_bytes(bv, "QByteArray.__contains__()")) >= 0

    def __add__(self, other: object) -> QByteArray:  # type: ignore[override]
        if not isinstance(other, _BytesLike):
            return NotImplemented
        return QByteArray._from_pieces([self, other])

    def __radd__(self, other: object) -> QByteArray:
        if not isinstance(other, _BytesLike):
            return NotImplemented
        return QByteArray._from_pieces([other, self])

    def __iadd__(self, other: object) -> QByteArray:  # type: ignore[override]
        if not isinstance(other, _BytesLike):
            return NotImplemented
        self.extend(other)
        self._null = False
        return self

    def __mul__(self, n: SupportsIndex) -> QByteArray:  # type: ignore[override]
        return QByteArray._wrap(bytearray.__mul__(self, n))

    __rmul__ = __mul__

    # ------------------------------------------------------------- accessors
    def data(self) -> bytes:
        """The contents as ``bytes`` (a copy)."""
        return bytes(self)

    def size(self) -> int:
        """Number of bytes."""
        return len(self)

    def length(self) -> int:
        """Number of bytes (same as size())."""
        return len(self)

    def count(self, bv: object = None) -> int:  # type: ignore[override]
        """count() is size(); count(bv) counts non-overlapping occurrences of ``bv``."""
        if bv is None:
            return len(self)
        return bytearray.count(self, _arg_bytes(bv, "QByteArray.count()"))

    def isEmpty(self) -> bool:
        """True when the array holds no byte (a null array is also empty)."""
        return not len(self)

    def isNull(self) -> bool:
        """True for QByteArray() and after clear(); False for QByteArray(b"")."""
        return self._null and not len(self)

    def at(self, i: int) -> bytes:
        """The byte at index ``i`` as 1-byte ``bytes``."""
        if not 0 <= i < len(self):
            raise IndexError("QByteArray.at(): index out of range")
        return self[i]

    # ------------------------------------------------------------- searching
    def contains(self, bv: QByteArray | bytes | bytearray | memoryview) -> bool:
        """True when ``bv`` occurs in the array."""
        return bytearray.find(self, _arg_bytes(bv, "QByteArray.contains()")) >= 0

    def startsWith(self, bv: QByteArray | bytes | bytearray | memoryview) -> bool:
        """True when the array begins with ``bv``."""
        return bytearray.startswith(self, bytes(_arg_bytes(bv, "QByteArray.startsWith()")))

    def endsWith(self, bv: QByteArray | bytes | bytearray | memoryview) -> bool:
        """True when the array ends with ``bv``."""
        return bytearray.endswith(self, bytes(_arg_bytes(bv, "QByteArray.endsWith()")))

    def indexOf(self, bv: QByteArray | bytes | bytearray | memoryview, from_: int = 0) -> int:
        """Index of the first ``bv`` at or after ``from_`` (negative counts from the end), or -1."""
        needle = _arg_bytes(bv, "QByteArray.indexOf()")
        if from_ < 0:
            from_ = max(from_ + len(self), 0)
        if from_ > len(self):
            return -1
        return bytearray.find(self, needle, from_)

    def lastIndexOf(self, bv: QByteArray | bytes | bytearray | memoryview, from_: int = -1) -> int:
        """Index of the last ``bv`` starting at or before ``from_``, or -1.

        As Qt 6: for a one-byte ``bv`` a negative ``from_`` counts from the end; for a longer
        (or empty) ``bv`` any negative ``from_`` means "from the end".
        """
        needle = _arg_bytes(bv, "QByteArray.lastIndexOf()")
        size, n = len(self), len(needle)
        if size == 0:
            return 0 if n == 0 and from_ == 0 else -1
        if n == 1:
            if from_ < 0:
                from_ = max(from_ + size, 0)
            elif from_ >= size:
                from_ = size - 1
            return bytearray.rfind(self, needle, 0, from_ + 1)
        if from_ > size:
            return -1
        delta = size - n
        if from_ < 0 or from_ > delta:
            from_ = delta
        if from_ < 0:
            return -1
        return bytearray.rfind(self, needle, 0, from_ + n)

    # ------------------------------------------------------------- sub-arrays
    def left(self, len_: int) -> QByteArray:
        """The first ``len_`` bytes (all of them when ``len_`` exceeds the size; none if < 0)."""
        return QByteArray._wrap(bytearray.__getitem__(self, slice(0, max(len_, 0))))

    def right(self, len_: int) -> QByteArray:
        """The last ``len_`` bytes (all of them when ``len_`` exceeds the size; none if < 0)."""
        if len_ <= 0:
            return QByteArray._wrap(b"")
        return QByteArray._wrap(bytearray.__getitem__(self, slice(max(len(self) - len_, 0), None)))

    def mid(self, index: int, length: int = -1) -> QByteArray:
        """``length`` bytes from ``index`` (negative length: to the end).

        As Qt 6 (QContainerImplHelper::mid): an ``index`` past the end gives a null array, a
        negative ``index`` shortens ``length`` accordingly.
        """
        size = len(self)
        if index > size:
            return QByteArray()
        if index < 0:
            if length < 0 or length + index >= size:
                return QByteArray._wrap(self)
            if length + index <= 0:
                return QByteArray()
            length += index
            index = 0
        elif length < 0 or length > size - index:
            length = size - index
        return QByteArray._wrap(bytearray.__getitem__(self, slice(index, index + length)))

    def first(self, n: int) -> QByteArray:
        """The first ``n`` bytes (qtls clamps n to the size; Qt leaves it undefined)."""
        return self.left(n)

    def last(self, n: int) -> QByteArray:
        """The last ``n`` bytes (qtls clamps n to the size; Qt leaves it undefined)."""
        return self.right(n)

    def chopped(self, len_: int) -> QByteArray:
        """All but the last ``len_`` bytes."""
        return self.left(len(self) - max(len_, 0))

    def sliced(self, pos: int, n: int | None = None) -> QByteArray:
        """The bytes from ``pos`` (``n`` of them, or to the end)."""
        pos = max(pos, 0)
        end = len(self) if n is None else pos + max(n, 0)
        return QByteArray._wrap(bytearray.__getitem__(self, slice(pos, end)))

    def split(self, sep: bytes) -> list[QByteArray]:  # type: ignore[override]
        """Split at every ``sep`` (a single byte), keeping empty parts, as Qt does."""
        char = _arg_char(sep, "QByteArray.split()")
        return [QByteArray._wrap(part) for part in bytes(self).split(char)]

    def trimmed(self) -> QByteArray:
        """A copy without leading and trailing ASCII whitespace."""
        return QByteArray._wrap(bytes(self).strip(_WHITESPACE))

    def simplified(self) -> QByteArray:
        """Whitespace trimmed and every inner run of whitespace replaced by one space."""
        return QByteArray._wrap(b" ".join(bytes(self).split()))

    def toUpper(self) -> QByteArray:
        """An upper-case copy (ASCII letters only, as Qt 6)."""
        return QByteArray._wrap(bytes(self).upper())

    def toLower(self) -> QByteArray:
        """A lower-case copy (ASCII letters only, as Qt 6)."""
        return QByteArray._wrap(bytes(self).lower())

    # -------------------------------------------------------------- mutation
    @overload  # type: ignore[override]
    def append(self, a: QByteArray | bytes | bytearray | memoryview, /) -> QByteArray: ...
    @overload
    def append(self, count: int, c: bytes, /) -> QByteArray: ...

    def append(self, *args: Any) -> QByteArray:
        """Append bytes (or ``count`` copies of the byte ``c``) in place; return self."""
        if len(args) == 1 and isinstance(args[0], _BytesLike):
            self.extend(args[0])
        elif (
            len(args) == 2
            and isinstance(args[0], int)
            and isinstance(args[1], _BytesLike)
            and len(args[1]) == 1
        ):
            self.extend(bytes(args[1]) * max(args[0], 0))
        else:
            raise TypeError(
                "QByteArray.append(): arguments did not match any overloaded call: "
                "append(a: QByteArray|bytes|bytearray|memoryview), "
                "append(count: int, c: bytes)"
            )
        self._null = False
        return self

    def clear(self) -> None:
        """Empty the array and make it null."""
        bytearray.clear(self)
        self._null = True

    @overload  # type: ignore[override]
    def replace(
        self,
        before: QByteArray | bytes | bytearray | memoryview,
        after: QByteArray | bytes | bytearray | memoryview,
        /,
    ) -> QByteArray: ...
    @overload
    def replace(
        self, index: int, len_: int, s: QByteArray | bytes | bytearray | memoryview, /
    ) -> QByteArray: ...

    def replace(self, *args: Any) -> QByteArray:
        """Replace in place (every ``before`` by ``after``, or a range by ``s``); return self."""
        if len(args) == 2:
            before = bytes(_arg_bytes(args[0], "QByteArray.replace()"))
            after = bytes(_arg_bytes(args[1], "QByteArray.replace()"))
            self[:] = bytes(self).replace(before, after)
        elif len(args) == 3 and isinstance(args[0], int) and isinstance(args[1], int):
            s = _arg_bytes(args[2], "QByteArray.replace()")
            index, n = args[0], args[1]
            if 0 <= index <= len(self):
                bytearray.__setitem__(self, slice(index, index + max(n, 0)), s)
        else:
            raise TypeError("QByteArray.replace(): arguments did not match any overloaded call")
        return self

    # -------------------------------------------------------------- encoding
    def toHex(self, separator: bytes = b"\x00") -> QByteArray:
        """Lower-case hex digits, with ``separator`` (one byte) between bytes if given."""
        sep = _arg_char(separator, "QByteArray.toHex()")
        if sep == b"\x00":
            return QByteArray._wrap(bytes(self).hex().encode("ascii"))
        return QByteArray._wrap(bytes(self).hex(sep.decode("latin-1")).encode("ascii"))

    @staticmethod
    def fromHex(hexEncoded: QByteArray | bytes | bytearray | memoryview) -> QByteArray:
        """Decode hex digits, skipping any other byte; an odd digit count pads on the left."""
        digits = bytes(_arg_bytes(hexEncoded, "QByteArray.fromHex()")).translate(None, _NON_HEX)
        if len(digits) % 2:
            digits = b"0" + digits
        return QByteArray._wrap(bytes.fromhex(digits.decode("ascii")))

    def toBase64(
        self, options: QByteArray.Base64Option = Base64Option.Base64Encoding
    ) -> QByteArray:
        """Base64 (or base64url with Base64UrlEncoding), '=' omitted with OmitTrailingEquals."""
        opts = QByteArray.Base64Option(options)
        if opts & QByteArray.Base64Option.Base64UrlEncoding:
            out = _b64.urlsafe_b64encode(bytes(self))
        else:
            out = _b64.b64encode(bytes(self))
        if opts & QByteArray.Base64Option.OmitTrailingEquals:
            out = out.rstrip(b"=")
        return QByteArray._wrap(out)

    @staticmethod
    def fromBase64(
        base64: QByteArray | bytes | bytearray | memoryview,
        options: QByteArray.Base64Option = Base64Option.Base64Encoding,
    ) -> QByteArray:
        """Decode base64 as Qt does.

        By default bytes outside the alphabet are skipped; with AbortOnBase64DecodingErrors any
        of them (or misplaced '=' padding) gives a null QByteArray.
        """
        data = bytes(_arg_bytes(base64, "QByteArray.fromBase64()"))
        opts = QByteArray.Base64Option(options)
        url = bool(opts & QByteArray.Base64Option.Base64UrlEncoding)
        non_alphabet = _NON_B64_URL if url else _NON_B64_STD
        if opts & QByteArray.Base64Option.AbortOnBase64DecodingErrors:
            body = data.rstrip(b"=")
            padding = len(data) - len(body)
            if padding > 2 or (padding and len(data) % 4):
                return QByteArray()
            if body.translate(None, non_alphabet) != body:
                return QByteArray()
            digits = body
        else:
            digits = data.translate(None, non_alphabet)
        if url:
            digits = digits.translate(bytes.maketrans(b"-_", b"+/"))
        # A lone trailing digit carries 6 bits, less than a byte: Qt drops it.
        if len(digits) % 4 == 1:
            digits = digits[:-1]
        digits += b"=" * (-len(digits) % 4)
        try:
            return QByteArray._wrap(binascii.a2b_base64(digits))
        except binascii.Error:  # pragma: no cover - the input was filtered to the alphabet
            return QByteArray()

    def toInt(self, base: int = 10) -> tuple[int, bool]:
        """Parse a 32-bit signed integer: ``(value, True)``, or ``(0, False)`` on failure.

        Surrounding whitespace is allowed; base 0 detects the 0x, 0b and C-style 0 (octal)
        prefixes; base 16 accepts a 0x prefix.
        """
        if not (base == 0 or 2 <= base <= 36):
            return 0, False
        text = bytes(self).strip(_WHITESPACE)
        if not _INT_LITERAL.fullmatch(text):
            return 0, False
        literal = text.decode("ascii")
        if base == 0:
            octal = _C_OCTAL.fullmatch(literal)
            if octal:
                literal = f"{octal.group(1)}0o{octal.group(2)}"
        try:
            value = int(literal, base)
        except ValueError:
            return 0, False
        if not _INT_MIN <= value <= _INT_MAX:
            return 0, False
        return value, True

    @staticmethod
    def number(n: int, base: int = 10) -> QByteArray:
        """The text of ``n`` in ``base`` (2..36), lower-case digits, as QByteArray::number."""
        if not 2 <= base <= 36:
            base = 10
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"
        value, out = abs(n), ""
        while True:
            value, r = divmod(value, base)
            out = digits[r] + out
            if not value:
                break
        return QByteArray._wrap(("-" if n < 0 else "").encode() + out.encode("ascii"))
