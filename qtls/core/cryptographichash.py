"""QCryptographicHash and its Algorithm enum, on hashlib and cryptography.

Every algorithm maps to a ``hashlib`` constructor (OpenSSL underneath). Two families have none:

* ``Md4``: OpenSSL 3 moved MD4 to the legacy provider, which Python's ``hashlib`` does not load
  here; ``hashlib.new("md4")`` is used when it works, and otherwise Md4 is unsupported.
* ``Keccak_224`` .. ``Keccak_512`` (the pre-standard SHA-3 padding): neither ``hashlib`` nor
  ``cryptography`` exposes Keccak, so they are unsupported.

Qt builds both in; qtls reports them with ``supportsAlgorithm() == False`` and, as Qt does for
an algorithm it does not support, ``result()`` is empty. ``hashLength()`` still gives the
algorithm's digest size, which is a property of the algorithm, not of the implementation.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable
from typing import Any

from qtls.core.bytearray import QByteArray

__all__ = ["QCryptographicHash"]

_BYTES_LIKE = (bytes, bytearray, memoryview)


class QCryptographicHash:
    """Incremental hashing (Qt's ``QCryptographicHash``).

    ``result()`` does not end the computation: more ``addData()`` calls continue from where the
    data stopped, as in Qt. Hashing an unsupported algorithm (see the module documentation)
    gives an empty result.
    """

    class Algorithm(enum.Enum):
        """The hash algorithms, with Qt's values (``RealSha3_*`` are aliases of ``Sha3_*``)."""

        Md4 = 0
        Md5 = 1
        Sha1 = 2
        Sha224 = 3
        Sha256 = 4
        Sha384 = 5
        Sha512 = 6
        Keccak_224 = 7
        Keccak_256 = 8
        Keccak_384 = 9
        Keccak_512 = 10
        Sha3_224 = 11
        Sha3_256 = 12
        Sha3_384 = 13
        Sha3_512 = 14
        Blake2b_160 = 15
        Blake2b_256 = 16
        Blake2b_384 = 17
        Blake2b_512 = 18
        Blake2s_128 = 19
        Blake2s_160 = 20
        Blake2s_224 = 21
        Blake2s_256 = 22
        RealSha3_224 = 11
        RealSha3_256 = 12
        RealSha3_384 = 13
        RealSha3_512 = 14

    __slots__ = ("_algorithm", "_hasher")

    def __init__(self, method: QCryptographicHash.Algorithm) -> None:
        if not isinstance(method, QCryptographicHash.Algorithm):
            raise _type_error("QCryptographicHash()", 1, method)
        self._algorithm = method
        self._hasher = _new_hasher(method)

    def algorithm(self) -> QCryptographicHash.Algorithm:
        """The algorithm this object hashes with."""
        return self._algorithm

    def addData(self, data: Any) -> bool | None:
        """Add bytes (``bytes``, ``bytearray``, ``memoryview``, ``QByteArray``), or everything
        readable from an open QIODevice (anything with ``readAll()``); for a device, returns
        whether it could be read, as Qt does."""
        if isinstance(data, _BYTES_LIKE):
            if self._hasher is not None:
                self._hasher.update(data)
            return None
        read_all = getattr(data, "readAll", None)
        if data is None or not callable(read_all):
            raise _type_error("addData()", 1, data)
        is_open = getattr(data, "isOpen", None)
        if callable(is_open) and not is_open():
            return False
        chunk = read_all()
        if self._hasher is not None and isinstance(chunk, _BYTES_LIKE):
            self._hasher.update(chunk)
        return True

    def reset(self) -> None:
        """Forget all data added so far."""
        self._hasher = _new_hasher(self._algorithm)

    def result(self) -> QByteArray:
        """The digest of the data added so far (empty for an unsupported algorithm)."""
        if self._hasher is None:
            return QByteArray()
        return QByteArray(self._hasher.copy().digest())

    def resultView(self) -> QByteArray:
        """Same as :meth:`result` (PyQt6 cannot return Qt's QByteArrayView at all)."""
        return self.result()

    def swap(self, other: QCryptographicHash) -> None:
        """Exchange the state of this object and *other*."""
        if not isinstance(other, QCryptographicHash):
            raise _type_error("swap()", 1, other)
        self._algorithm, other._algorithm = other._algorithm, self._algorithm
        self._hasher, other._hasher = other._hasher, self._hasher

    @staticmethod
    def hash(data: Any, method: QCryptographicHash.Algorithm) -> QByteArray:
        """The digest of *data* with *method* (empty for an unsupported algorithm)."""
        if not isinstance(data, _BYTES_LIKE):
            raise _type_error("hash()", 1, data)
        if not isinstance(method, QCryptographicHash.Algorithm):
            raise _type_error("hash()", 2, method)
        hasher = _new_hasher(method)
        if hasher is None:
            return QByteArray()
        hasher.update(data)
        return QByteArray(hasher.digest())

    @staticmethod
    def hashLength(method: QCryptographicHash.Algorithm) -> int:
        """The digest size of *method* in bytes."""
        if not isinstance(method, QCryptographicHash.Algorithm):
            raise _type_error("hashLength()", 1, method)
        return _LENGTHS[method.value]

    @staticmethod
    def supportsAlgorithm(method: QCryptographicHash.Algorithm) -> bool:
        """Whether this build can compute *method* (False for Keccak, and for Md4 when OpenSSL's
        legacy provider is not available)."""
        if not isinstance(method, QCryptographicHash.Algorithm):
            raise _type_error("supportsAlgorithm()", 1, method)
        return _new_hasher(method) is not None


def _type_error(method: str, position: int, value: object) -> TypeError:
    return TypeError(f"{method}: argument {position} has unexpected type '{type(value).__name__}'")


_H = QCryptographicHash.Algorithm
_LENGTHS = {
    _H.Md4.value: 16, _H.Md5.value: 16, _H.Sha1.value: 20, _H.Sha224.value: 28,
    _H.Sha256.value: 32, _H.Sha384.value: 48, _H.Sha512.value: 64,
    _H.Keccak_224.value: 28, _H.Keccak_256.value: 32, _H.Keccak_384.value: 48,
    _H.Keccak_512.value: 64, _H.Sha3_224.value: 28, _H.Sha3_256.value: 32,
    _H.Sha3_384.value: 48, _H.Sha3_512.value: 64, _H.Blake2b_160.value: 20,
    _H.Blake2b_256.value: 32, _H.Blake2b_384.value: 48, _H.Blake2b_512.value: 64,
    _H.Blake2s_128.value: 16, _H.Blake2s_160.value: 20, _H.Blake2s_224.value: 28,
    _H.Blake2s_256.value: 32,
}  # fmt: skip


def _md4() -> Any:
    return hashlib.new("md4")


_FACTORIES: dict[int, Callable[[], Any]] = {
    _H.Md4.value: _md4,
    _H.Md5.value: hashlib.md5,
    _H.Sha1.value: hashlib.sha1,
    _H.Sha224.value: hashlib.sha224,
    _H.Sha256.value: hashlib.sha256,
    _H.Sha384.value: hashlib.sha384,
    _H.Sha512.value: hashlib.sha512,
    _H.Sha3_224.value: hashlib.sha3_224,
    _H.Sha3_256.value: hashlib.sha3_256,
    _H.Sha3_384.value: hashlib.sha3_384,
    _H.Sha3_512.value: hashlib.sha3_512,
    # Qt's BLAKE2 variants are the unkeyed functions with a shorter digest size.
    _H.Blake2b_160.value: lambda: hashlib.blake2b(digest_size=20),
    _H.Blake2b_256.value: lambda: hashlib.blake2b(digest_size=32),
    _H.Blake2b_384.value: lambda: hashlib.blake2b(digest_size=48),
    _H.Blake2b_512.value: lambda: hashlib.blake2b(digest_size=64),
    _H.Blake2s_128.value: lambda: hashlib.blake2s(digest_size=16),
    _H.Blake2s_160.value: lambda: hashlib.blake2s(digest_size=20),
    _H.Blake2s_224.value: lambda: hashlib.blake2s(digest_size=28),
    _H.Blake2s_256.value: lambda: hashlib.blake2s(digest_size=32),
}


def _new_hasher(method: QCryptographicHash.Algorithm) -> Any:
    """A fresh hashlib object for *method*, or None when it cannot be computed here."""
    factory = _FACTORIES.get(method.value)
    if factory is None:
        return None
    try:
        return factory()
    except ValueError:  # "unsupported hash type": MD4 without OpenSSL's legacy provider
        return None
