"""What QSslSocket does with the engine's events: Qt's signals, verification and failures.

The second half of the engine rule ("send data_to_send(), then handle events()"). Functions take
the socket as first argument, like :mod:`qtls.network.socketwaits`; they use the socket's private
state and are called only by :mod:`qtls.ssl.sslsocket`.

Failure paths, pinned against PyQt6:

* unignored sslErrors: errorOccurred(SslHandshakeFailedError) with the first error's text, then
  the plain socket's graceful close (Closing, Unconnected, readChannelFinished); our last
  handshake flight is never sent, so the peer does not see a completed handshake (a Qt server
  reports RemoteHostClosedError, never encrypted); the alertSent(close notify) signal comes
  just before disconnected, where Qt emits it;
* a failed handshake (OpenSSL error, fatal alert either way): errorOccurred, the pending alert
  written and flushed (encryptedBytesWritten), then abort (no ClosingState);
* the peer's close_notify: alertReceived, errorOccurred(RemoteHostClosedError) twice (Qt reports
  the TLS close and the TCP close), our close_notify, then the close.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtls.network.socketenums import PauseMode, SocketError, SocketState
from qtls.ssl import sslsocketclosing as _closing
from qtls.ssl.engine import (
    AlertLevel,
    AlertReceived,
    AlertSent,
    CloseNotifyReceived,
    HandshakeCompleted,
    SessionTicketReceived,
    TlsEngine,
    TlsError,
)
from qtls.ssl.engine.events import ConnectionInfo, Event
from qtls.ssl.qssl import QSsl
from qtls.ssl.tlsphase import TlsPhase
from qtls.ssl.tlssettings import resolve_verify_mode
from qtls.ssl.values.configurationdata import PeerVerifyMode, SslMode
from qtls.ssl.verdict import (
    certificate_from_der,
    check_handshake,
    errors_ignored,
    fill_session,
)
from qtls.ssl.x509.certificate import QSslCertificate

if TYPE_CHECKING:
    from qtls.ssl.sslsocket import QSslSocket

__all__: list[str] = []

_U = SocketState.UnconnectedState
# Enum members as module constants: Python 3.11 resolves ``Enum.X`` through
# EnumType.__getattr__ (~0.1 µs each), and these run for every handshake and close.
_SERVER_MODE = SslMode.SslServerMode
_VERIFY_PEER = PeerVerifyMode.VerifyPeer
_PAUSE_ON_SSL_ERRORS = PauseMode.PauseOnSslErrors
_HANDSHAKE_FAILED = SocketError.SslHandshakeFailedError
_REMOTE_HOST_CLOSED = SocketError.RemoteHostClosedError
_PHASE_HANDSHAKING = TlsPhase.HANDSHAKING
_PHASE_PAUSED = TlsPhase.PAUSED
_PHASE_ENCRYPTED = TlsPhase.ENCRYPTED
_PHASE_CLOSING = TlsPhase.CLOSING
_TLS_CLOSED = "The TLS/SSL connection has been closed"
_REMOTE_CLOSED = "The remote host closed the connection"


def _alert_args(event: AlertSent | AlertReceived) -> tuple[QSsl.AlertLevel, QSsl.AlertType, str]:
    level = QSsl.AlertLevel.Fatal if event.level is AlertLevel.FATAL else QSsl.AlertLevel.Warning
    try:
        kind = QSsl.AlertType(event.description)
    except ValueError:
        kind = QSsl.AlertType.UnknownAlertMessage
    return level, kind, event.text



def handle_events(s: QSslSocket, engine: TlsEngine, events: list[Event]) -> None:
    """Map engine events to Qt signals (the engine rule, second half)."""
    for event in events:
        if s._engine is not engine:
            return
        kind = type(event)
        if kind is AlertSent:
            args = _alert_args(event)  # type: ignore[arg-type]
            if s._defer_alerts:
                s._deferred_alerts.append(args)
            else:
                s._emit_relayed("alertSent", *args)
        elif kind is AlertReceived:
            s._emit_relayed("alertReceived", *_alert_args(event))  # type: ignore[arg-type]
        elif kind is HandshakeCompleted:
            on_handshake_completed(s, engine, event.info)  # type: ignore[attr-defined]
        elif kind is SessionTicketReceived:
            on_session_ticket(s, event)  # type: ignore[arg-type]
        elif kind is CloseNotifyReceived:
            on_close_notify(s, engine)
        elif kind is TlsError:
            on_tls_error(s, engine, event)  # type: ignore[arg-type]


def tickets_first(s: QSslSocket, engine: TlsEngine, events: list[Event]) -> list[Event]:
    """Handle the batch's session tickets now; return the other events, in order.

    Qt stores a ticket (and emits ``newSessionTicketReceived``) from OpenSSL's new-session
    callback, i.e. inside the ``SSL_read`` that met it, so the ``readyRead`` for data of the
    same batch comes after it: a readyRead slot that takes ``sslConfiguration().sessionTicket()``
    already sees the new session (a TLS 1.3 server sends its tickets with the first reply).
    """
    if not any(type(event) is SessionTicketReceived for event in events):
        return events
    rest: list[Event] = []
    for event in events:
        if type(event) is SessionTicketReceived:
            if s._engine is engine:
                on_session_ticket(s, event)  # type: ignore[arg-type]
        else:
            rest.append(event)
    return rest


def on_handshake_completed(s: QSslSocket, engine: TlsEngine, info: ConnectionInfo) -> None:
    cache: dict[bytes, QSslCertificate] = {}
    chain = [certificate_from_der(der, cache) for der in info.peer_chain]
    fill_session(s._config, info, chain)
    s._session_resumed = info.session_resumed
    s._last_info = info
    server = s._mode is _SERVER_MODE
    verify_peer = resolve_verify_mode(s._config.peerVerifyMode(), server) is _VERIFY_PEER
    verdict = check_handshake(
        server=server,
        verify_peer=verify_peer,
        peer_name=s._verification_peer_name or s._peer_name,
        chain=chain,
        verify_errors=engine.verify_errors,
        errors_reported_early=s._reported_early,
        ocsp_wanted=s._config.ocspStaplingEnabled(),
        ocsp_der=info.ocsp_response,
        verified_chain=[certificate_from_der(der, cache) for der in info.verified_chain],
        configuration=s._config,
    )
    s._ocsp = verdict.ocsp_responses
    for error in verdict.peer_verify_errors:
        s._emit_relayed("peerVerifyError", error)
        if not s._alive(engine):
            return
    if verdict.fatal:
        fail_handshake(s, engine, verdict.fatal)
        return
    s._handshake_errors = verdict.ssl_errors
    if verdict.ssl_errors:
        s._emit_relayed("sslErrors", list(verdict.ssl_errors))
        if not s._alive(engine):
            return
        if verify_peer and not errors_ignored(verdict.ssl_errors, s._ignore_all, s._ignore_list):
            if s._pause_mode & _PAUSE_ON_SSL_ERRORS:
                s._set_phase(_PHASE_PAUSED)
                return
            fail_verification(s, engine)
            return
    become_encrypted(s)


def become_encrypted(s: QSslSocket) -> None:
    s._set_phase(_PHASE_ENCRYPTED)
    watcher = s._handshake_watcher
    if watcher is not None and not s._qt_blocked:
        watcher._socket_encrypted(s)  # a QSslServer: before the signal, as if connected first
    s.encrypted.emit()
    if s._ssl_pending_close and s._auto_start and s._state is not _U:
        s._ssl_pending_close = False
        s.disconnectFromHost()
    elif s._write_buffer:
        s._transmit()


def fail_verification(s: QSslSocket, engine: TlsEngine) -> None:
    """Unignored sslErrors: SslHandshakeFailedError, then the TCP connection is closed.

    As Qt: our last handshake flight was held back (see QSslSocket._transmit_once) and is
    dropped, so the peer sees the connection close without the handshake completing; the
    alertSent(close notify) signal comes just before disconnected, where Qt emits it.
    """
    first = s._handshake_errors[0].errorString() if s._handshake_errors else "SSL error"
    s._set_error_and_emit(_HANDSHAKE_FAILED, first)
    if not s._alive(engine):
        return
    shutdown_tls(s, engine, defer_alerts=True, send=False)
    if s._plain is not None:
        s._plain.disconnectFromHost()


def fail_handshake(s: QSslSocket, engine: TlsEngine, text: str) -> None:
    s._set_error_and_emit(_HANDSHAKE_FAILED, text)
    abort_after_failure(s, engine)


def on_tls_error(s: QSslSocket, engine: TlsEngine, event: TlsError) -> None:
    if event.during_handshake or s._phase in (_PHASE_HANDSHAKING, _PHASE_PAUSED):
        error, text = _HANDSHAKE_FAILED, f"Error during SSL handshake: {event.reason}"
    else:
        error, text = SocketError.SslInternalError, f"Error while reading: {event.reason}"
    s._set_error_and_emit(error, text)
    abort_after_failure(s, engine)


def abort_after_failure(s: QSslSocket, engine: TlsEngine) -> None:
    """Qt's trySendFatalAlert + abort(): the alert is written and flushed, then the TCP
    connection is dropped (stateChanged(Unconnected) without ClosingState)."""
    plain = s._plain
    if plain is None or s._engine is not engine:
        return
    s._flush_engine(engine)
    if plain.bytesToWrite():
        plain.flush()
    s._write_buffer.clear()
    s._ssl_pending_close = False
    if plain.state() is not _U:
        _closing.drain_kernel_input(s)
        plain.abort()


def on_close_notify(s: QSslSocket, engine: TlsEngine) -> None:
    """The peer closed TLS cleanly: answer with our close_notify and close (see docstring)."""
    if s._phase in (_PHASE_ENCRYPTED, _PHASE_HANDSHAKING, _PHASE_PAUSED):
        s._set_phase(_PHASE_CLOSING)
    s._set_error_and_emit(_REMOTE_HOST_CLOSED, _TLS_CLOSED)
    if not s._alive(engine):
        return
    shutdown_tls(s, engine, defer_alerts=True)
    # Qt reports the plain socket's end of stream as well (a second errorOccurred).
    s._set_error_and_emit(_REMOTE_HOST_CLOSED, _REMOTE_CLOSED)
    plain = s._plain
    if s._alive(engine) and plain is not None:
        plain.disconnectFromHost()


def on_session_ticket(s: QSslSocket, event: SessionTicketReceived) -> None:
    if s._config.testSslOption(QSsl.SslOption.SslOptionDisableSessionPersistence):
        return
    s._config.setSessionTicket(event.session)
    s._config._set_session_ticket_life_time_hint(event.lifetime_hint)
    s.newSessionTicketReceived.emit()


def shutdown_tls(s: QSslSocket, engine: TlsEngine, *, defer_alerts: bool, send: bool = True) -> None:
    """Close TLS (close_notify when encrypted); ``send`` hands it to the plain socket, otherwise
    whatever the engine still had to send is dropped (the connection is going down without it)."""
    s._defer_alerts = defer_alerts
    try:
        engine.shutdown()
        if send:
            s._flush_engine(engine)
        else:
            engine.data_to_send()
        handle_events(s, engine, engine.events())
    finally:
        s._defer_alerts = False
