"""Typed, immutable events the engine hands to its owner (the QSslSocket).

Each event is a frozen dataclass. The socket drains them with ``TlsEngine.events()`` after every
call that can make progress and maps them to Qt signals:

================================  ============================================================
event                             Qt
================================  ============================================================
:class:`HandshakeCompleted`       ``encrypted()`` (after sslErrors handling)
:class:`VerifyErrorRecorded`      one ``QSslError`` in ``sslErrors()``
:class:`AlertSent`                ``alertSent(level, type, description)``
:class:`AlertReceived`            ``alertReceived(level, type, description)``
:class:`CloseNotifyReceived`      remote closed cleanly: ``RemoteHostClosedError``/disconnect
:class:`TruncatedInput`           TCP EOF without close_notify
:class:`SessionTicketReceived`    ``newSessionTicketReceived()``
:class:`TlsError`                 ``errorOccurred(SslHandshakeFailedError / SslInternalError)``
================================  ============================================================

Steady-state data transfer produces no events (plaintext is pulled with ``read_plaintext``).
"""

from __future__ import annotations

import dataclasses
import enum

from .alerts import AlertLevel
from .settings import AlpnStatus

__all__ = [
    "AlertReceived",
    "AlertSent",
    "CloseNotifyReceived",
    "ConnectionInfo",
    "ErrorOrigin",
    "Event",
    "HandshakeCompleted",
    "SessionTicketReceived",
    "TlsError",
    "TruncatedInput",
    "VerifyError",
    "VerifyErrorRecorded",
]


class Event:
    """Base class of every engine event."""

    __slots__ = ()


@dataclasses.dataclass(frozen=True)
class VerifyError:
    """One certificate verification error, as OpenSSL's verify callback reported it.

    ``code`` is the ``X509_V_ERR_*`` number (the socket maps it to ``QSslError.SslError``),
    ``depth`` the position in the chain (0 = leaf), ``certificate`` the DER of the certificate
    the error is about and ``message`` OpenSSL's text (``X509_verify_cert_error_string``).
    """

    code: int
    depth: int
    certificate: bytes
    message: str


@dataclasses.dataclass(frozen=True)
class ConnectionInfo:
    """What was negotiated; available from ``TlsEngine.info`` once the handshake completed.

    Certificate chains are DER, leaf first. ``peer_chain`` is the chain the peer sent (on the
    server side OpenSSL omits the leaf from ``SSL_get_peer_cert_chain``: it is put back here);
    ``verified_chain`` is the chain OpenSSL built (``SSL_get0_verified_chain``): up to a trusted
    root when verification succeeded, as far as it got when errors were recorded and ignored.
    """

    protocol: str
    cipher_name: str
    cipher_bits: int
    group: str | None
    alpn_protocol: bytes | None
    alpn_status: AlpnStatus
    peer_chain: tuple[bytes, ...]
    verified_chain: tuple[bytes, ...]
    local_chain: tuple[bytes, ...]
    session_resumed: bool
    server_name: str | None
    ocsp_response: bytes | None


@dataclasses.dataclass(frozen=True)
class HandshakeCompleted(Event):
    """The handshake finished; ``info`` says what was negotiated."""

    info: ConnectionInfo


@dataclasses.dataclass(frozen=True)
class VerifyErrorRecorded(Event):
    """The verify callback saw an error and recorded it (the handshake went on)."""

    error: VerifyError


@dataclasses.dataclass(frozen=True)
class AlertSent(Event):
    """We sent a TLS alert. ``description`` is the wire code (= ``QSsl.AlertType`` value)."""

    level: AlertLevel
    description: int
    text: str


@dataclasses.dataclass(frozen=True)
class AlertReceived(Event):
    """The peer sent a TLS alert. ``description`` is the wire code (= ``QSsl.AlertType`` value)."""

    level: AlertLevel
    description: int
    text: str


@dataclasses.dataclass(frozen=True)
class CloseNotifyReceived(Event):
    """The peer closed its side cleanly with a close_notify alert: no more data will come."""


@dataclasses.dataclass(frozen=True)
class TruncatedInput(Event):
    """The transport ended (EOF) without a close_notify: the data may have been cut short."""

    during_handshake: bool


@dataclasses.dataclass(frozen=True)
class SessionTicketReceived(Event):
    """A resumable session is available: ``session`` is the ``i2d_SSL_SESSION`` DER (Qt's
    ``sessionTicket()``), ``lifetime_hint`` the ticket lifetime in seconds (-1 if unknown)."""

    session: bytes
    lifetime_hint: int


class ErrorOrigin(enum.Enum):
    """Who ended the connection: our OpenSSL (``LOCAL``) or the peer's fatal alert (``REMOTE``)."""

    LOCAL = "local"
    REMOTE = "remote"


@dataclasses.dataclass(frozen=True)
class TlsError(Event):
    """The TLS connection failed.

    ``reason`` names the cause in OpenSSL's words ("no shared cipher", "wrong version number",
    "certificate verify failed", "tlsv1 alert unknown ca"); ``during_handshake`` tells the socket
    whether it is Qt's ``SslHandshakeFailedError`` or a later ``SslInternalError``;
    ``origin`` is ``REMOTE`` when the peer's fatal alert ended the connection.
    """

    fatal: bool
    reason: str
    origin: ErrorOrigin
    during_handshake: bool
