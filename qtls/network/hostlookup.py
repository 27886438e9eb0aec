"""Host name lookup that never blocks an event loop.

``start_lookup`` returns a ``concurrent.futures.Future`` of a ``LookupResult``. A literal address
resolves at once (no thread); a name is resolved by ``socket.getaddrinfo`` in a daemon thread,
so neither the loop nor the caller waits on it. The socket then either asks to be called back
on its loop (``call_soon_threadsafe`` from the future's callback) or, in the blocking API,
waits on the future itself with a timeout. Daemon threads rather than an executor: a resolver
that hangs must not hold up interpreter exit, and nothing here needs a pool.
"""

from __future__ import annotations

import concurrent.futures
import socket
import threading
from dataclasses import dataclass, field

from qtls.network.hostaddress import QHostAddress
from qtls.network.socketenums import NetworkLayerProtocol

__all__: list[str] = []

_FAMILIES = {
    NetworkLayerProtocol.IPv4Protocol: socket.AF_INET,
    NetworkLayerProtocol.IPv6Protocol: socket.AF_INET6,
}


@dataclass
class LookupResult:
    """The addresses a name resolved to, in the resolver's order, or why there are none."""

    host: str
    addresses: list[QHostAddress] = field(default_factory=list)
    error: str = ""


def _literal(host: str, protocol: NetworkLayerProtocol) -> QHostAddress | None:
    address = QHostAddress()
    if not address.setAddress(host):
        return None
    family = address.protocol()
    if protocol in (NetworkLayerProtocol.IPv4Protocol, NetworkLayerProtocol.IPv6Protocol) \
            and family is not protocol:
        return None
    return address


def is_literal(host: str, protocol: NetworkLayerProtocol) -> bool:
    """True when ``host`` is an address of ``protocol`` (no lookup needed)."""
    return _literal(host, protocol) is not None


def resolve(host: str, protocol: NetworkLayerProtocol) -> LookupResult:
    """Resolve ``host`` now (blocking): the worker thread's job, also usable directly."""
    literal = _literal(host, protocol)
    if literal is not None:
        return LookupResult(host, [literal])
    if not host:
        return LookupResult(host, error="empty host name")
    family = _FAMILIES.get(protocol, socket.AF_UNSPEC)
    try:
        infos = socket.getaddrinfo(host, None, family, socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        return LookupResult(host, error=str(exc))
    addresses: list[QHostAddress] = []
    for info_family, _type, _proto, _name, sockaddr in infos:
        address = QHostAddress(str(sockaddr[0]))
        if info_family == socket.AF_INET6 and len(sockaddr) >= 4 and sockaddr[3]:
            address.setScopeId(str(sockaddr[3]))
        if not address.isNull() and address not in addresses:
            addresses.append(address)
    if not addresses:
        return LookupResult(host, error="no address")
    return LookupResult(host, addresses)


def start_lookup(
    host: str, protocol: NetworkLayerProtocol
) -> concurrent.futures.Future[LookupResult]:
    """Begin resolving ``host``; the future is already done for a literal address."""
    future: concurrent.futures.Future[LookupResult] = concurrent.futures.Future()
    if _literal(host, protocol) is not None:
        future.set_result(resolve(host, protocol))
        return future

    def work() -> None:
        result = resolve(host, protocol)
        if future.set_running_or_notify_cancel():
            future.set_result(result)

    threading.Thread(target=work, name=f"qtls-lookup-{host}", daemon=True).start()
    return future
