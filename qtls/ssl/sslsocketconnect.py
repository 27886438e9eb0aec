"""How a QSslSocket starts: connecting, adopting a descriptor, and starting the handshake.

Functions take the socket as first argument (as :mod:`qtls.network.socketwaits` does); the
public methods of :class:`~qtls.ssl.sslsocket.QSslSocket` forward here.

Qt's rules kept here: ``connectToHostEncrypted`` resets the per-connection state
(QSslSocketPrivate::init(), which also forgets ``ignoreSslErrors()`` but not
``ignoreSslErrors(list)``) and refuses a protocol the backend cannot honour before any
connection is made (SslInvalidUserDataError); the handshake starts when the plain socket is
connected; a configuration OpenSSL refuses (a certificate without its key, ...) reports
SslInvalidUserDataError naming the cause, then SslInternalError "Unable to init SSL Context",
and leaves the TCP connection up, as Qt does. Bytes received in unencrypted mode and not read
are the start of the handshake (QSslServer peeks at the ClientHello's first byte).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from qtls.core.signals import emit_if_connected
from qtls.network.hostaddress import QHostAddress
from qtls.network.socketenums import SocketError, SocketState
from qtls.ssl import backend as _backend
from qtls.ssl import sslsocketevents as _events
from qtls.ssl.engine import EngineConfigError, TlsEngine
from qtls.ssl.qssl import QSsl
from qtls.ssl.tlsphase import TlsPhase
from qtls.ssl.tlssettings import ConfigurationError, tls_settings
from qtls.ssl.values.configurationdata import SslMode

if TYPE_CHECKING:
    from qtls.ssl.sslsocket import QSslSocket

__all__: list[str] = []

_log = logging.getLogger("qtls")
_NO_PERSISTENCE = QSsl.SslOption.SslOptionDisableSessionPersistence

_U = SocketState.UnconnectedState
_OK = SocketState.ConnectedState


def connect_to_host(s: QSslSocket, *args: Any, **kwargs: Any) -> None:
    """QSslSocket.connectToHost: reset (unless connectToHostEncrypted just did) and connect."""
    host, port, mode, protocol = s._connect_arguments(*args, **kwargs)
    plain = s._ensure_plain()
    s._link_dialing(plain)
    if s._state is not _U:
        plain.connectToHost(host, port, mode, protocol)  # reports OperationError, mirrored
        return
    if not s._initialized:
        s._init_connection()
    s._initialized = False
    s._error = SocketError.UnknownSocketError
    s.setErrorString("Unknown error")
    s._read_buffer.clear()
    s._write_buffer.clear()
    s._read_paused = False
    s._peer_name = host.toString() if isinstance(host, QHostAddress) else host
    s._peer_port = port
    s.setOpenMode(mode)
    plain.connectToHost(host, port, mode, protocol)


def connect_to_host_encrypted(s: QSslSocket, *args: Any, **kwargs: Any) -> None:
    """QSslSocket.connectToHostEncrypted: both overloads (with and without sslPeerName)."""
    peer_name: str | None = None
    if len(args) >= 3 and (args[2] is None or isinstance(args[2], str)):
        peer_name = args[2] or ""
        args = args[:2] + args[3:]
    if "sslPeerName" in kwargs:
        peer_name = kwargs.pop("sslPeerName") or ""
    host, port, mode, protocol = s._connect_arguments(*args, **kwargs)
    if s._state is not _U:
        _log.warning(
            "QSslSocket::connectToHostEncrypted() called when already connecting/connected"
        )
        return
    if not protocol_supported(s):
        return
    s._init_connection()
    s._auto_start = True
    s._initialized = True
    if peer_name is not None:
        s._verification_peer_name = peer_name
    s.connectToHost(host, port, mode, protocol)  # virtual, as in Qt


def protocol_supported(s: QSslSocket) -> bool:
    """Qt's verifyProtocolSupported: False (and SslInvalidUserDataError) if it cannot be used."""
    try:
        _backend.protocol_version_range(s._config.protocol())
    except _backend.UnsupportedProtocolError as exc:
        s._set_error_and_emit(
            SocketError.SslInvalidUserDataError,
            f"Attempted to use an unsupported protocol ({exc})",
        )
        return False
    return True


def set_socket_descriptor(
    s: QSslSocket, socketDescriptor: Any, state: SocketState, mode: Any
) -> bool:
    """QSslSocket.setSocketDescriptor: adopt the descriptor in the plain socket, unencrypted."""
    plain = s._ensure_plain()
    if state is not _OK:
        s._link_dialing(plain)  # an adopted descriptor that is still connecting
    s._init_connection()
    s._read_buffer.clear()
    s._write_buffer.clear()
    s._read_paused = False
    s._peer_name = ""
    ok = plain.setSocketDescriptor(socketDescriptor, state, mode)  # checks the types
    s.setOpenMode(mode)
    s._set_error(plain.error(), plain.errorString())
    if ok:
        # The stored addresses are shared, never modified (see abstractsocket.NULL_ADDRESS):
        # no copies through the public getters and setters.
        s._local_address, s._local_port = plain._local_address, plain._local_port
        s._peer_address, s._peer_port = plain._peer_address, plain._peer_port
    return ok


def start_encryption_if_possible(s: QSslSocket, *, server: bool) -> None:
    """QSslSocket.startClientEncryption/startServerEncryption: Qt's warnings when the handshake
    cannot start (already encrypting, not connected, unsupported protocol), else start it."""
    name = "startServerEncryption" if server else "startClientEncryption"
    if s._mode is not SslMode.UnencryptedMode:
        _log.warning("QSslSocket::%s: cannot start handshake on non-plain connection", name)
        return
    if s._state is not _OK:
        _log.warning("QSslSocket::%s: cannot start handshake when not connected", name)
        return
    if not protocol_supported(s):
        return
    start_encryption(s, server=server)


def start_encryption(s: QSslSocket, *, server: bool) -> None:
    """modeChanged, then an engine for the configuration (its context cached), then the pump."""
    s._mode = SslMode.SslServerMode if server else SslMode.SslClientMode
    emit_if_connected(s, "modeChanged", s._mode)
    if s._state is not _OK:
        return
    config = s._config
    psk = bool(
        s._heard("preSharedKeyAuthenticationRequired")
        or (server and config._d.psk_identity_hint)
    )
    peer_name = s._verification_peer_name or s._peer_name
    try:
        settings = tls_settings(config, server=server, psk=psk)
        engine = TlsEngine(
            settings,
            server_hostname=None if server else (peer_name or None),
            session=None if server else (bytes(config.sessionTicket()) or None),
            on_verify_error=s._on_verify_error,
            on_psk_required=s._on_psk_required,
            on_psk_identity=s._on_psk_identity,
            # OpenSSL's info callback (every state change) only when someone hears the alerts,
            # or a client stores TLS 1.3 tickets (Qt's session persistence).
            report_alerts=s._heard("alertSent") or s._heard("alertReceived"),
            report_tickets=not server and not config.testSslOption(_NO_PERSISTENCE),
        )
    except (ConfigurationError, EngineConfigError) as exc:
        text = str(exc)
        text = text[:1].upper() + text[1:]
        s._set_error_and_emit(SocketError.SslInvalidUserDataError, text)
        s._set_error_and_emit(SocketError.SslInternalError, f"Unable to init SSL Context: {text}")
        return
    s._engine = engine
    s._set_phase(TlsPhase.HANDSHAKING)
    # Bytes received in unencrypted mode and not read are the start of the handshake.
    leftover = s._read_buffer.read_all() if s._read_buffer else b""
    if not server:
        engine.start_handshake()
    if leftover:
        engine.receive_ciphertext(leftover)
    s._flush_engine(engine)
    _events.handle_events(s, engine, engine.events())
    s._transmit()
