"""What QDtls and QDtlsClientVerifier share: the error state, Qt's argument checks, the cookie
key, and writing a datagram to the application's QUdpSocket.

Neither class reads from a socket: the application reads datagrams (and their sender) and hands
them in; the classes write their replies through the socket it passes, with
``writeDatagram(data, address, port)``, or ``write(data)`` on a connected socket (as Qt's
datagram BIO does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qtls.core.bytearray import QByteArray
from qtls.core.cryptographichash import QCryptographicHash, _new_hasher
from qtls.network.hostaddress import QHostAddress
from qtls.ssl.dtlserror import QDtlsError
from qtls.ssl.engine.dtlscookie import CookieKey, peer_bytes

__all__: list[str] = []

MULTICAST_UNSUPPORTED = "Multicast and broadcast addresses are not supported"
NULL_SOCKET = "Invalid (nullptr) socket"


class DtlsErrorState:
    """The last error and its text (Qt's ``QDtlsBasePrivate::setDtlsError``)."""

    _error: QDtlsError = QDtlsError.NoError
    _error_string: str = ""

    def _set_error(self, error: QDtlsError, text: str) -> None:
        self._error = error
        self._error_string = text

    def _clear_error(self) -> None:
        self._error = QDtlsError.NoError
        self._error_string = ""

    def dtlsError(self) -> QDtlsError:
        """The last error, or ``QDtlsError.NoError``."""
        return self._error

    def dtlsErrorString(self) -> str:
        """The last error's text, or an empty string."""
        return self._error_string


def as_bytes(value: object, signature: str) -> bytes:
    """A datagram argument (QByteArray, bytes, bytearray or memoryview) as bytes; TypeError
    for anything else, as PySide6 raises."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, QByteArray):
        return value.data()
    raise TypeError(f"{signature}: unexpected type '{type(value).__name__}' for the datagram")


def as_address(value: object) -> QHostAddress:
    """A QHostAddress argument (or QHostAddress.SpecialAddress) as a QHostAddress."""
    if isinstance(value, QHostAddress):
        return value
    if isinstance(value, QHostAddress.SpecialAddress):
        return QHostAddress(value)
    raise TypeError(f"unexpected type '{type(value).__name__}' for the address")


def address_problem(address: QHostAddress) -> str | None:
    """Qt's refusal of a peer address, or None when it is usable."""
    if address.isNull():
        return "Invalid address"
    if address.isBroadcast() or address.isMulticast():
        return MULTICAST_UNSUPPORTED
    return None


_H = QCryptographicHash.Algorithm
# The algorithms hashlib knows by name: HMAC then runs in one OpenSSL call.
_HASHLIB_NAMES = {
    _H.Md5: "md5", _H.Sha1: "sha1", _H.Sha224: "sha224", _H.Sha256: "sha256",
    _H.Sha384: "sha384", _H.Sha512: "sha512", _H.Sha3_224: "sha3_224",
    _H.Sha3_256: "sha3_256", _H.Sha3_384: "sha3_384", _H.Sha3_512: "sha3_512",
}


def hash_factory(algorithm: QCryptographicHash.Algorithm) -> str | Callable[[], Any] | None:
    """The digest for HMAC with Qt's algorithm (a hashlib name, or a constructor for the
    others); None when it cannot be computed here."""
    name = _HASHLIB_NAMES.get(algorithm)
    if name is not None:
        return name
    if _new_hasher(algorithm) is None:
        return None
    return lambda: _new_hasher(algorithm)


def cookie_key(
    algorithm: QCryptographicHash.Algorithm, secret: bytes, address: QHostAddress, port: int
) -> CookieKey | None:
    """The cookie key for a peer, None when the algorithm is not available."""
    factory = hash_factory(algorithm)
    if factory is None:
        return None
    # (An IPv4-mapped IPv6 address counts as IPv6, as in Qt, which copies its 16 bytes.)
    text = address.toString().split("%")[0]
    return CookieKey(factory, bytes(secret), peer_bytes(text, port))


def write_datagram(socket: Any, data: bytes, address: QHostAddress, port: int) -> int:
    """Send one datagram through the application's socket: ``write`` when it is connected,
    ``writeDatagram(data, address, port)`` otherwise (Qt's datagram BIO). Returns the
    socket's answer (-1 on failure)."""
    state = socket.state()
    if getattr(state, "name", "") == "ConnectedState":
        return int(socket.write(data))
    return int(socket.writeDatagram(data, address, port))
