"""Dialer: a host lookup, then non-blocking connection attempts to each address in turn.

What ``connectToHost`` does between HostLookupState and ConnectedState, without the socket's
states or signals: the socket asks (``lookup``, ``attempt``, ``check``) and reacts to the
answers. A name is looked up through :mod:`qtls.network.hostlookup` (at once for a literal
address or a name resolved in the last 60 s, Qt's host cache; otherwise off the loop, with a
callback into the socket's loop). Each address then gets one non-blocking ``connect``; the
first that completes wins, and the error of the last one that failed is what the socket
reports when none does.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import socket
from collections.abc import Callable
from typing import Any

from qtls.network import socketerrors as _err
from qtls.network.hostaddress import QHostAddress
from qtls.network.hostlookup import LookupResult, immediate_lookup, start_lookup
from qtls.network.socketenums import NetworkLayerProtocol, SocketError, SocketOption
from qtls.network.socketoptions import set_option

__all__: list[str] = []

_IPV6 = NetworkLayerProtocol.IPv6Protocol


def sockaddr_of(address: QHostAddress, port: int) -> tuple[int, tuple[Any, ...]]:
    """(family, sockaddr) for connect()/bind()."""
    if address.protocol() is _IPV6:
        text = address.toString().partition("%")[0]
        scope = address.scopeId()
        scope_id = 0
        if scope:
            try:
                scope_id = int(scope) if scope.isdigit() else socket.if_nametoindex(scope)
            except OSError:
                scope_id = 0
        return socket.AF_INET6, (text, port, 0, scope_id)
    return socket.AF_INET, (address.toString() or "0.0.0.0", port)


class Dialer:
    """One connection attempt of a socket: lookup, then each address in turn (see the module
    docstring). A new ``connectToHost`` makes a new Dialer; an abandoned one is just dropped
    (a lookup that finishes later finds nobody to call)."""

    __slots__ = ("host", "port", "addresses", "last_error", "future", "_cancelled")

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.addresses: list[QHostAddress] = []
        #: (SocketError, text) of the last attempt that failed.
        self.last_error: tuple[SocketError, str] | None = None
        #: The running lookup, while there is one.
        self.future: concurrent.futures.Future[LookupResult] | None = None
        self._cancelled = False

    # -- lookup -----------------------------------------------------------------------------

    def lookup(self, protocol: NetworkLayerProtocol, loop: asyncio.AbstractEventLoop,
               on_done: Callable[[Dialer], None]) -> LookupResult | None:
        """The addresses at once when known (a literal, or a cached name), else None: the
        lookup runs off the loop and ``on_done(self)`` is called from ``loop`` when it ends."""
        known = immediate_lookup(self.host, protocol)
        if known is not None:
            return known
        future = self.future = start_lookup(self.host, protocol)

        def wake(_future: Any) -> None:
            if self._cancelled:
                return
            try:
                loop.call_soon_threadsafe(on_done, self)
            except RuntimeError:  # that loop is closed; a blocking wait may still collect it
                pass

        future.add_done_callback(wake)
        return None

    def wait_for_lookup(self, timeout: float | None) -> LookupResult | None:
        """Block for the running lookup (the blocking waits); None on timeout."""
        future = self.future
        if future is None:
            return None
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            return None

    def lookup_result(self) -> LookupResult | None:
        """The lookup's result once it is done (and only once), else None."""
        future = self.future
        if future is None or not future.done() or self._cancelled:
            return None
        self.future = None
        return future.result()

    def cancel(self) -> None:
        """Forget the lookup (Qt's abortHostLookup: skipped if not started yet)."""
        self._cancelled = True
        if self.future is not None:
            self.future.cancel()
            self.future = None

    # -- connection attempts ------------------------------------------------------------------

    def attempt(self, options: dict[SocketOption, int]) -> tuple[socket.socket, QHostAddress, bool] | None:
        """Start a non-blocking connect to the next address: (socket, address, connected at
        once), or None when no address is left (``last_error`` says why the last one failed)."""
        while self.addresses:
            address = self.addresses.pop(0)
            family, sockaddr = sockaddr_of(address, self.port)
            try:
                sock = socket.socket(family, socket.SOCK_STREAM)
            except OSError as exc:
                self.last_error = _err.from_os_error(exc)
                continue
            sock.setblocking(False)
            for option, value in options.items():
                set_option(sock, option, value)
            code = sock.connect_ex(sockaddr)
            if code not in (0, errno.EINPROGRESS, errno.EAGAIN):
                sock.close()
                self.last_error = _err.from_os_error(code, _err.endpoint(address, self.port))
                continue
            return sock, address, code == 0
        return None

    def check(self, sock: socket.socket, address: QHostAddress) -> bool | None:
        """The pending connect of ``sock`` reported an event: True connected, None still
        connecting (a spurious wake-up), False failed (``last_error`` says why)."""
        code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code == 0:
            try:
                sock.getpeername()
            except OSError:
                return None
            return True
        self.last_error = _err.from_os_error(code, _err.endpoint(address, self.port))
        return False

    def failure(self) -> tuple[SocketError, str]:
        """What the socket reports when no address accepted."""
        return self.last_error or (SocketError.NetworkError, f"Could not connect to {self.host}")
