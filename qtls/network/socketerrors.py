"""From an OS error to Qt's SocketError and an errorString that names the cause.

Messages start with Qt's own wording (so code that matches Qt's text keeps working) and add
the peer where it helps: ``"Connection refused by 127.0.0.1:4433"``, ``"Host not found:
nonexistent.invalid"``. PyQt6 says only "Connection refused" / "Host not found".
"""

from __future__ import annotations

import errno
import os

from qtls.network.hostaddress import QHostAddress
from qtls.network.socketenums import NetworkLayerProtocol, SocketError

__all__: list[str] = []

# Qt's texts (QAbstractSocket / QNativeSocketEngine), reused verbatim.
REMOTE_CLOSED = "The remote host closed the connection"
CONNECT_TIMEOUT = "Socket operation timed out"
NETWORK_TIMEOUT = "Network operation timed out"
NOT_CONNECTED = "Socket is not connected"
HOST_NOT_FOUND = "Host not found"
INVALID_DESCRIPTOR = "Invalid socket descriptor"
CONNECT_IN_PROGRESS = "Trying to connect while connection is in progress"
UNKNOWN = "Unknown error"

_BY_ERRNO: dict[int, tuple[SocketError, str]] = {
    errno.ECONNREFUSED: (SocketError.ConnectionRefusedError, "Connection refused"),
    errno.ECONNRESET: (SocketError.RemoteHostClosedError, REMOTE_CLOSED),
    errno.EPIPE: (SocketError.RemoteHostClosedError, REMOTE_CLOSED),
    errno.ETIMEDOUT: (SocketError.SocketTimeoutError, "Connection timed out"),
    errno.ENETUNREACH: (SocketError.NetworkError, "Network unreachable"),
    errno.EHOSTUNREACH: (SocketError.NetworkError, "Host unreachable"),
    errno.EADDRINUSE: (SocketError.AddressInUseError, "The bound address is already in use"),
    errno.EADDRNOTAVAIL: (SocketError.SocketAddressNotAvailableError,
                          "The address is not available"),
    errno.EACCES: (SocketError.SocketAccessError, "Permission denied"),
    errno.EPERM: (SocketError.SocketAccessError, "Permission denied"),
    errno.EMFILE: (SocketError.SocketResourceError, "Out of resources"),
    errno.ENFILE: (SocketError.SocketResourceError, "Out of resources"),
    errno.ENOBUFS: (SocketError.SocketResourceError, "Out of resources"),
    errno.ENOMEM: (SocketError.SocketResourceError, "Out of resources"),
    errno.EAFNOSUPPORT: (SocketError.UnsupportedSocketOperationError,
                         "The address family is not supported"),
    errno.EPROTONOSUPPORT: (SocketError.UnsupportedSocketOperationError,
                            "Protocol type not supported"),
}


def endpoint(address: QHostAddress, port: int) -> str:
    """``127.0.0.1:4433`` or ``[::1]:4433``."""
    text = address.toString()
    if address.protocol() is NetworkLayerProtocol.IPv6Protocol:
        return f"[{text}]:{port}"
    return f"{text}:{port}"


def from_os_error(exc: OSError | int, peer: str = "") -> tuple[SocketError, str]:
    """Qt's SocketError and a message for ``exc`` (an OSError or an errno value)."""
    code = exc if isinstance(exc, int) else (exc.errno or 0)
    error, text = _BY_ERRNO.get(code, (SocketError.NetworkError, ""))
    if not text:
        text = os.strerror(code) if code else (str(exc) or UNKNOWN)
    if peer and error is SocketError.ConnectionRefusedError:
        text = f"{text} by {peer}"
    elif peer and error in (SocketError.NetworkError, SocketError.SocketTimeoutError):
        text = f"{text} ({peer})"
    return error, text
