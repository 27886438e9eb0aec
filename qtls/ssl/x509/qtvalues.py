"""Conversions between Python values and the Qt value types the certificate API speaks.

PyQt6 returns ``QByteArray`` and ``QDateTime`` from QSslCertificate's getters and accepts
``QByteArray|bytes|bytearray|memoryview`` wherever Qt takes a ``QByteArray``. These helpers keep
that in one place.
"""

from __future__ import annotations

import datetime as _dt

from qtls.core.bytearray import QByteArray
from qtls.core.qdatetime import QDateTime

__all__: list[str] = []


def as_bytes(data: object, argument: str = "data") -> bytes:
    """The bytes of a ``QByteArray|bytes|bytearray|memoryview`` argument; TypeError otherwise."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    to_data = getattr(data, "data", None)  # QByteArray (PyQt6's and qtls's) has data() -> bytes
    if callable(to_data):
        value = to_data()
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value)
    raise TypeError(
        f"argument '{argument}' has unexpected type '{type(data).__name__}'"
        " (expected QByteArray, bytes, bytearray or memoryview)"
    )


def to_qbytearray(data: bytes) -> QByteArray:
    """*data* as a ``QByteArray``."""
    return QByteArray(data)


def to_qdatetime(moment: _dt.datetime | None) -> QDateTime:
    """An aware UTC datetime as a ``QDateTime``; an invalid QDateTime for None."""
    return QDateTime() if moment is None else QDateTime._from_datetime_utc(moment)
