"""Waiting for a QSslSocket to connect and finish its TLS handshake, or to fail: never to hang.

One :class:`HandshakeWaiter` per attempt (``open_connection``, ``start_tls``) listens to the
socket's public signals: ``connected`` or ``encrypted`` end the wait, ``sslErrors`` records the
verification errors (and, with a callable ``ignore_errors``, asks it whether to go on, from
inside the slot, as Qt wants ``ignoreSslErrors()`` called), ``errorOccurred`` and
``disconnected`` turn into the exception :mod:`qtls.aio.errors` names, and the timeout aborts
the socket. A cancelled wait aborts the socket too, so nothing is left half-open.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, Union

from qtls.aio.errors import connection_error, handshake_error
from qtls.aio.transport import disconnect
from qtls.network.socketenums import SocketError
from qtls.ssl.sslsocket import QSslSocket
from qtls.ssl.values.psk import QSslPreSharedKeyAuthenticator
from qtls.ssl.x509.error import QSslError

__all__ = ["IgnoreErrors", "PskCallback", "HandshakeWaiter"]

#: ``ignore_errors``: the QSslErrors to ignore (matched as ``QSslSocket.ignoreSslErrors(list)``
#: matches them: error and certificate), or a callable given the errors that returns True to go
#: on, or None to ignore nothing.
IgnoreErrors = Union[Sequence[QSslError], Callable[[list[QSslError]], bool], None]

#: ``psk``: called with the QSslPreSharedKeyAuthenticator when the peer asks for a pre-shared
#: key (Qt's ``preSharedKeyAuthenticationRequired``); it sets the identity and the key.
PskCallback = Callable[[QSslPreSharedKeyAuthenticator], None]


class HandshakeWaiter:
    """Waits for one socket to be connected (``tls=False``) or encrypted, or raises."""

    def __init__(self, sock: QSslSocket, peer: str, *, tls: bool,
                 ignore_errors: IgnoreErrors = None, psk: PskCallback | None = None,
                 tcp_connected: bool = False) -> None:
        self._sock = sock
        self._peer = peer
        self._tls = tls
        self._tcp_connected = tcp_connected
        self._errors: list[QSslError] = []
        self._callback_error: BaseException | None = None
        self._future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._ignore: Callable[[list[QSslError]], bool] | None = None
        if callable(ignore_errors):
            self._ignore = ignore_errors
        elif ignore_errors is not None:
            errors = list(ignore_errors)
            if not all(isinstance(e, QSslError) for e in errors):
                raise TypeError("ignore_errors must be a list of QSslError or a callable")
            sock.ignoreSslErrors(errors)
        done = sock.encrypted if tls else sock.connected
        self._connections = [
            (done, done.connect(self._on_done)),
            (sock.connected, sock.connected.connect(self._on_connected)),
            (sock.sslErrors, sock.sslErrors.connect(self._on_ssl_errors)),
            (sock.errorOccurred, sock.errorOccurred.connect(self._on_error)),
            (sock.disconnected, sock.disconnected.connect(self._on_disconnected)),
        ]
        if psk is not None:
            signal = sock.preSharedKeyAuthenticationRequired
            self._connections.append((signal, signal.connect(psk)))

    async def wait(self, timeout: float | None) -> None:
        """Until the socket is connected or encrypted; raise (and abort it) otherwise."""
        timer = None
        if timeout is not None:
            timer = asyncio.get_running_loop().call_later(timeout, self._on_timeout, timeout)
        try:
            await self._future
        except BaseException:
            self._abort()
            raise
        finally:
            if timer is not None:
                timer.cancel()
            disconnect(self._connections)
            self._connections = []

    # ------------------------------------------------------------------------- slots

    def _on_done(self) -> None:
        if not self._future.done():
            self._future.set_result(None)

    def _on_connected(self) -> None:
        self._tcp_connected = True

    def _on_ssl_errors(self, errors: list[QSslError]) -> None:
        self._errors = list(errors)
        if self._ignore is None:
            return
        try:
            go_on = self._ignore(list(errors))
        except Exception as exc:  # raised from open_connection, not out of the slot
            self._callback_error = exc
            return
        if go_on:
            self._sock.ignoreSslErrors()

    def _on_error(self, error: SocketError) -> None:
        if self._future.done():
            return
        sock = self._sock
        text = sock.errorString()
        if self._tls and self._tcp_connected:
            exc: BaseException = handshake_error(self._peer, self._errors, text)
            if self._callback_error is not None:
                exc.__cause__ = self._callback_error
        else:
            exc = connection_error(error, text)
        self._future.set_exception(exc)

    def _on_disconnected(self) -> None:
        # errorOccurred normally came first; this covers a close without one.
        self._on_error(SocketError.RemoteHostClosedError)

    def _on_timeout(self, timeout: float) -> None:
        if not self._future.done():
            what = "TLS handshake with" if self._tcp_connected else "connecting to"
            self._future.set_exception(
                asyncio.TimeoutError(f"{what} {self._peer} timed out after {timeout:g} s"))
            self._abort()

    def _abort(self) -> None:
        sock: Any = self._sock
        if sock.state() is not sock.SocketState.UnconnectedState:
            sock.abort()
