"""What a failed connection raises: the stdlib's exceptions, and TlsHandshakeError.

One table maps Qt's ``QAbstractSocket.SocketError`` to the exception an asyncio program expects
from ``asyncio.open_connection``: refused → ConnectionRefusedError, unresolvable →
socket.gaierror, timed out → TimeoutError, every TLS failure → :class:`TlsHandshakeError`
(carrying the verification errors, when there were any). The message is the socket's own
``errorString()``, which names the cause ("Connection refused by 127.0.0.1:1").
"""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Callable, Sequence

from qtls.network.socketenums import SocketError
from qtls.ssl.x509.error import QSslError

__all__ = ["TlsHandshakeError", "connection_error"]

_E = SocketError


class TlsHandshakeError(ConnectionError):
    """The TLS handshake failed; raised by ``open_connection`` and ``start_tls``.

    ``errors`` is the list of QSslError that failed verification (each one can be ignored with
    ``ignore_errors``), empty when the handshake failed for another reason (no shared cipher, a
    fatal alert from the peer, the peer leaving); ``error_string`` is the socket's
    ``errorString()`` in both cases, and the message names every error.
    """

    def __init__(self, message: str, errors: Sequence[QSslError] = (),
                 error_string: str = "") -> None:
        super().__init__(message)
        self.errors: list[QSslError] = list(errors)
        self.error_string: str = error_string


def _refused(text: str) -> Exception:
    return ConnectionRefusedError(errno.ECONNREFUSED, text)


def _not_found(text: str) -> Exception:
    return socket.gaierror(socket.EAI_NONAME, text)


def _timed_out(text: str) -> Exception:
    return asyncio.TimeoutError(text)


def _closed(text: str) -> Exception:
    return ConnectionResetError(errno.ECONNRESET, text)


def _access(text: str) -> Exception:
    return PermissionError(errno.EACCES, text)


def _resources(text: str) -> Exception:
    return OSError(errno.EMFILE, text)


def _network(text: str) -> Exception:
    return OSError(errno.ENETUNREACH, text)


def _in_use(text: str) -> Exception:
    return OSError(errno.EADDRINUSE, text)


def _unavailable(text: str) -> Exception:
    return OSError(errno.EADDRNOTAVAIL, text)


def _unsupported(text: str) -> Exception:
    return OSError(errno.EAFNOSUPPORT, text)


def _tls(text: str) -> Exception:
    return TlsHandshakeError(text, (), text)


# The one table: SocketError -> the exception asyncio code expects. Errors not listed
# (UnknownSocketError, proxy errors, ...) raise a plain ConnectionError.
_TABLE: dict[SocketError, Callable[[str], Exception]] = {
    _E.ConnectionRefusedError: _refused,
    _E.HostNotFoundError: _not_found,
    _E.SocketTimeoutError: _timed_out,
    _E.RemoteHostClosedError: _closed,
    _E.SocketAccessError: _access,
    _E.SocketResourceError: _resources,
    _E.NetworkError: _network,
    _E.AddressInUseError: _in_use,
    _E.SocketAddressNotAvailableError: _unavailable,
    _E.UnsupportedSocketOperationError: _unsupported,
    _E.SslHandshakeFailedError: _tls,
    _E.SslInternalError: _tls,
    _E.SslInvalidUserDataError: _tls,
}


def connection_error(error: SocketError, text: str) -> Exception:
    """The exception for a socket that failed with ``error`` and ``errorString()`` ``text``."""
    make = _TABLE.get(error)
    return make(text) if make is not None else ConnectionError(text)


def handshake_error(peer: str, errors: Sequence[QSslError], text: str) -> TlsHandshakeError:
    """A TlsHandshakeError for ``peer`` naming each verification error (or ``text``)."""
    if errors:
        names = "; ".join(f"{e.error().name}: {e.errorString()}" for e in errors)
        message = f"TLS handshake with {peer} failed verification: {names}"
    else:
        message = f"TLS handshake with {peer} failed: {text or 'connection closed'}"
    return TlsHandshakeError(message, errors, text)
