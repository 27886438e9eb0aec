"""Argument checks that reproduce PyQt6's TypeErrors for wrong argument types.

sip rejects a wrong type before the C++ method runs, with messages such as
``setProtocol(self, protocol: QSsl.SslProtocol): argument 1 has unexpected type 'int'`` or, for a
list element, ``index 0 has type 'str' but 'QByteArray' is expected``. These helpers raise the same
TypeError (qtls code never lets a wrong type reach a setter's logic) and convert what sip converts:
any int to a C++ bool, any bytes-like object to a QByteArray.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from qtls.core.bytearray import QByteArray

__all__: list[str] = []  # internal module


def arg_error(signature: str, position: int, value: object) -> str:
    """sip's message for an argument of the wrong type."""
    return f"{signature}: argument {position} has unexpected type '{type(value).__name__}'"


def index_error(index: int, value: object, expected: str) -> str:
    """sip's message for a list element of the wrong type."""
    return f"index {index} has type '{type(value).__name__}' but '{expected}' is expected"


def expect(value: object, expected: type, signature: str, position: int = 1) -> None:
    """Raise PyQt6's TypeError unless ``value`` is an ``expected`` (a bool is not an enum)."""
    if not isinstance(value, expected):
        raise TypeError(arg_error(signature, position, value))


def as_bool(value: object, signature: str, position: int = 1) -> bool:
    """``value`` as a bool: PyQt6 converts any int to a C++ bool but refuses other types."""
    if not isinstance(value, int):
        raise TypeError(arg_error(signature, position, value))
    return bool(value)


_BYTES_LIKE = (bytes, bytearray, memoryview, QByteArray)


def is_bytes_like(value: object) -> bool:
    """What sip converts to a QByteArray: bytes, bytearray, memoryview, QByteArray (not str)."""
    return isinstance(value, _BYTES_LIKE)


def as_bytes(value: object, signature: str, position: int = 1) -> bytes:
    """``value`` as bytes, or PyQt6's TypeError when it is not bytes-like."""
    if not isinstance(value, _BYTES_LIKE):
        raise TypeError(arg_error(signature, position, value))
    return bytes(value)


def iterable_arg(values: object, signature: str) -> list[Any]:
    """The items of an iterable argument (str and bytes are not lists of values)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(arg_error(signature, 1, values))
    return list(values)


def value_tuple(values: object, cls: type, signature: str) -> tuple[Any, ...]:
    """Private copies of a list of Qt values, PyQt6's TypeError for a wrong element."""
    items = iterable_arg(values, signature)
    for index, item in enumerate(items):
        if not isinstance(item, cls):
            raise TypeError(index_error(index, item, cls.__name__))
    return tuple(cls(item) for item in items)
