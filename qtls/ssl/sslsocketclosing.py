"""How a QSslSocket goes down: graceful close, abort, close(), and the end of the connection.

Functions take the socket as first argument (as :mod:`qtls.network.socketwaits` does); the
public methods of :class:`~qtls.ssl.sslsocket.QSslSocket` forward here.

* ``disconnect_from_host``: Qt's pending close while connecting or while plaintext is queued;
  otherwise close_notify, then the plain socket's graceful close (it flushes, then closes).
* ``drain_kernel_input``: never close with unread input (the kernel would send RST and the peer
  would lose what it had not read yet): read it, send FIN, and let :mod:`qtls.ssl.lingerer`
  keep a duplicate descriptor until the peer's FIN. Nothing to do once the peer's
  close_notify came: nothing but its FIN may follow.
* ``on_plain_disconnected``: Qt's ``_q_disconnectedSlot`` + the backend's ``disconnected()``:
  decrypt what is still buffered, emit the alerts Qt emits when it destroys the SSL object,
  then ``disconnected``.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from qtls.core.iodevice import QIODevice
from qtls.network.abstractsocket import NULL_ADDRESS
from qtls.network.socketenums import SocketState
from qtls.ssl import sslsocketevents as _events
from qtls.ssl.engine import EngineState
from qtls.ssl.lingerer import linger
from qtls.ssl.tlsphase import TlsPhase
from qtls.ssl.values.configurationdata import SslMode

if TYPE_CHECKING:
    from qtls.ssl.sslsocket import QSslSocket

__all__: list[str] = []

_U = SocketState.UnconnectedState
_H = SocketState.HostLookupState
_C = SocketState.ConnectingState
_X = SocketState.ClosingState

#: At most this much unread kernel input is drained before a close (then we give up).
_DRAIN_LIMIT = 16 * 1024 * 1024


def on_plain_disconnected(s: QSslSocket) -> None:
    """The plain socket is gone: decrypt what is left, Qt's late alertSent, then disconnected."""
    plain = s._plain
    engine = s._engine
    if plain is not None and plain._read_buffer and engine is not None:
        # Qt's backend disconnected(): decrypt what is left, ignoring the buffer limit.
        limit, s._read_buffer_size = s._read_buffer_size, 0
        try:
            s._transmit()
        finally:
            s._read_buffer_size = limit
    if engine is not None and engine.state is EngineState.ENCRYPTED:
        # Qt's destroySslContext() calls SSL_shutdown on a connection that never closed
        # TLS (abort, a lost connection): the alertSent(close notify) signal comes here,
        # though the socket is gone and nothing reaches the peer.
        _events.shutdown_tls(s, engine, defer_alerts=True, send=False)
    if s._phase is not TlsPhase.UNENCRYPTED:
        s._set_phase(TlsPhase.UNENCRYPTED)
    s._engine = None
    alerts, s._deferred_alerts = s._deferred_alerts, []
    for args in alerts:
        s._emit_relayed("alertSent", *args)
    s.disconnected.emit()
    s._local_port = s._peer_port = 0
    s._local_address = NULL_ADDRESS
    s._peer_address = NULL_ADDRESS


def drain_kernel_input(s: QSslSocket) -> None:
    """Close without RST (see :mod:`qtls.ssl.lingerer`): read what is unread, send FIN, and
    keep a duplicate descriptor reading until the peer's FIN once the plain socket closes."""
    plain = s._plain
    sock = plain._sock if plain is not None else None
    if sock is None:
        return
    engine = s._engine
    if engine is not None and engine.close_notify_received:
        # Everything the peer sent before its close_notify was read, and it may send nothing
        # after it but its FIN, which close() neither needs drained nor answers with a reset
        # (close() sends our FIN itself, as Qt's close does): no recv, no shutdown, no linger.
        # Two system calls less for the usual end of a server's connection.
        return
    drained = 0
    peer_closed = False
    try:
        while drained < _DRAIN_LIMIT:
            data = sock.recv(256 * 1024)
            if not data:
                peer_closed = True
                break
            drained += len(data)
    except OSError:  # EAGAIN: nothing more for now; anything else: closing anyway
        pass
    try:
        sock.shutdown(socket.SHUT_WR)
        if not peer_closed:
            # (A peer whose FIN is already here sends nothing more: closing cannot reset,
            # and the duplicate descriptor would be closed at once.)
            linger(sock.dup())
    except OSError:
        pass


def disconnect_from_host(s: QSslSocket) -> None:
    """Close gracefully: send queued plaintext, then close_notify, then close TCP.

    Emits stateChanged(Closing), alertSent(Warning, CloseNotify), stateChanged(Unconnected),
    readChannelFinished and disconnected. While connecting or before ``encrypted`` with
    data queued, the close waits (Qt's pending close).
    """
    plain = s._plain
    if plain is None or s._state is _U:
        return
    if s._mode is SslMode.UnencryptedMode and not s._auto_start:
        plain.disconnectFromHost()
        return
    if s._state in (_H, _C):
        s._ssl_pending_close = True
        return
    if s._state is not _X:
        s._set_state(_X)
        if s._state is not _X:
            return
    if s._write_buffer:
        s._ssl_pending_close = True
        s._transmit()
        return
    close_tls_and_tcp(s)


def close_tls_and_tcp(s: QSslSocket) -> None:
    """close_notify (when encrypted), then the plain socket's graceful close."""
    engine = s._engine
    plain = s._plain
    if engine is not None and s._phase in (TlsPhase.ENCRYPTED, TlsPhase.CLOSING):
        if s._phase is TlsPhase.ENCRYPTED:
            s._set_phase(TlsPhase.CLOSING)
        _events.shutdown_tls(s, engine, defer_alerts=False)
    if plain is not None and plain.state() is not _U:
        if not plain.bytesToWrite():
            drain_kernel_input(s)
        plain.disconnectFromHost()


def abort(s: QSslSocket) -> None:
    """Drop the connection at once: queued data is discarded, no close_notify (Qt)."""
    s._write_buffer.clear()
    s._ssl_pending_close = False
    plain = s._plain
    if plain is not None and plain.state() is not _U:
        drain_kernel_input(s)
        plain.abort()
    if s.isOpen():
        QIODevice.close(s)


def close(s: QSslSocket) -> None:
    """Close the connection (as disconnectFromHost(): queued data, close_notify) and the
    device (aboutToClose, unread data dropped).

    PyQt6's order on an encrypted socket: stateChanged(Closing), alertSent(close notify),
    stateChanged(Closing), aboutToClose, then Unconnected once flushed. A plain-mode socket
    behaves as QTcpSocket (aboutToClose first).
    """
    tls = s._mode is not SslMode.UnencryptedMode or s._auto_start
    if tls and s._state is not _U:
        disconnect_from_host(s)
    if s.isOpen():
        QIODevice.close(s)
    if s._state is not _U:
        disconnect_from_host(s)
