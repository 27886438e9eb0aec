"""Host name lookup that never blocks an event loop, with Qt's 60-second host cache.

Theory of operation
-------------------
``immediate_lookup`` answers at once when it can: a literal address, or a name resolved less
than 60 s ago (a hit in ``host_cache``). Otherwise ``start_lookup`` returns a
``concurrent.futures.Future`` of a ``LookupResult``, resolved by ``socket.getaddrinfo`` in a
daemon thread, so neither the loop nor the caller waits on it. The socket then either asks to
be called back on its loop (``call_soon_threadsafe`` from the future's callback) or, in the
blocking API, waits on the future itself with a timeout. Daemon threads rather than an
executor: a resolver that hangs must not hold up interpreter exit, and nothing here needs a
pool.

Qt's cache (qhostinfo.cpp, ``QHostInfoCache``), which this module reproduces because it is
observable: QAbstractSocket::connectToHost asks the cache first and, on a hit, goes through
HostLookupState, ConnectingState and hostFound *inside* connectToHost, exactly as for a
literal address; on a miss the lookup runs in a thread and the rest happens later from the
event loop. So the signal order of a connect by name depends on whether that name was
resolved recently. The rules, checked against PyQt6 6.11:

* process-wide, keyed by the exact host name string (``"LOCALHOST"`` does not hit an entry
  for ``"localhost"``); at most 128 names, the least recently used goes first (a ``QCache``);
* an entry is good for 60 s after the lookup that stored it; a hit does not refresh it;
* only successful lookups are stored: a failed name is looked up again every time;
* the lookup is protocol-independent (``AF_UNSPEC``, ``AI_ADDRCONFIG`` like Qt) and the
  socket filters the addresses by its requested protocol afterwards, so an IPv4-only
  connect warms the cache for an any-protocol connect and vice versa;
* every completed lookup stores its result, even one whose socket was aborted meanwhile.

Where qtls differs on purpose: Qt's cache belongs to the QCoreApplication (it is emptied when
the application object is destroyed); qtls runs without an application object too, so its
cache belongs to the process. ``host_cache.clear()`` empties it (Qt 6.12's
``QHostInfo::clearCache``); ``host_cache.setEnabled(False)`` turns it off (Qt's internal
``qt_qhostinfo_enable_cache``; Qt reads no environment variable for this).
"""

from __future__ import annotations

import collections
import concurrent.futures
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from qtls.network.hostaddress import QHostAddress
from qtls.network.socketenums import NetworkLayerProtocol

__all__: list[str] = []

_FAMILIES = {
    NetworkLayerProtocol.IPv4Protocol: socket.AF_INET,
    NetworkLayerProtocol.IPv6Protocol: socket.AF_INET6,
}
# Qt's QHostInfoCache: QCache(128) and max_age 60 s.
CACHE_MAX_ENTRIES = 128
CACHE_MAX_AGE = 60.0


@dataclass
class LookupResult:
    """The addresses a name resolved to, in the resolver's order, or why there are none."""

    host: str
    addresses: list[QHostAddress] = field(default_factory=list)
    error: str = ""

    def copy(self) -> LookupResult:
        """A copy whose addresses can be changed without touching this one."""
        return LookupResult(self.host, [QHostAddress(a) for a in self.addresses], self.error)


class HostCache:
    """Qt's QHostInfoCache: recent successful lookups by exact name, bounded and expiring.

    Thread-safe: lookup threads store results while sockets on any thread read them.
    ``clock`` returns seconds from a monotonic origin (injectable for tests).
    """

    def __init__(self, max_entries: int = CACHE_MAX_ENTRIES, max_age: float = CACHE_MAX_AGE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._max_entries = max_entries
        self._max_age = max_age
        self._clock = clock
        self._enabled = True
        self._lock = threading.Lock()
        # name -> (time stored, result); the end of the dict is the most recently used.
        self._entries: collections.OrderedDict[str, tuple[float, LookupResult]] = \
            collections.OrderedDict()

    def isEnabled(self) -> bool:
        """Whether lookups consult and fill the cache (True by default, as in Qt)."""
        return self._enabled

    def setEnabled(self, enabled: bool) -> None:
        """Turn the cache on or off; turning it off does not forget the entries (Qt)."""
        self._enabled = bool(enabled)

    def get(self, name: str) -> LookupResult | None:
        """A copy of the fresh entry for ``name``, or None (absent, expired or disabled)."""
        if not self._enabled:
            return None
        with self._lock:
            entry = self._entries.get(name)
            if entry is None:
                return None
            stored, result = entry
            if self._clock() - stored >= self._max_age:
                # Qt keeps a stale entry until it is evicted; dropping it now frees the slot
                # and changes nothing a caller can see.
                del self._entries[name]
                return None
            self._entries.move_to_end(name)  # QCache::object() makes it most recent
            return result.copy()

    def put(self, name: str, result: LookupResult) -> None:
        """Store a successful lookup of ``name`` (failures are not cached, as in Qt)."""
        if not self._enabled or result.error or not result.addresses:
            return
        entry = (self._clock(), result.copy())
        with self._lock:
            self._entries.pop(name, None)
            self._entries[name] = entry
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every entry (Qt 6.12: QHostInfo::clearCache)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __contains__(self, name: object) -> bool:
        """True when ``name`` has an entry, fresh or not (for tests and diagnostics)."""
        with self._lock:
            return name in self._entries


host_cache = HostCache()


# Host text -> its parsed address, or None when it is not a literal: a client connects to the
# same few hosts again and again, and parsing one costs more than the copy handed out.
_LITERALS: dict[str, QHostAddress | None] = {}
_LITERALS_LIMIT = 1024


def _literal(host: str) -> QHostAddress | None:
    """``host`` as an address (a new object each call), or None when it is a name."""
    try:
        known = _LITERALS[host]
    except KeyError:
        parsed = QHostAddress()
        known = parsed if parsed.setAddress(host) else None
        if len(_LITERALS) >= _LITERALS_LIMIT:
            _LITERALS.clear()
        _LITERALS[host] = known
    except TypeError:  # not hashable: QHostAddress.setAddress reports the type
        address = QHostAddress()
        return address if address.setAddress(host) else None
    return None if known is None else QHostAddress(known)


def _matching(address: QHostAddress, protocol: NetworkLayerProtocol) -> bool:
    return protocol not in _FAMILIES or address.protocol() is protocol


def _filtered(result: LookupResult, protocol: NetworkLayerProtocol) -> LookupResult:
    """Qt's _q_startConnecting: keep the addresses of the requested protocol only."""
    if result.error or protocol not in _FAMILIES:
        return result
    kept = [a for a in result.addresses if _matching(a, protocol)]
    if not kept:
        return LookupResult(result.host, error=f"no {protocol.name} address")
    return LookupResult(result.host, kept)


def is_literal(host: str, protocol: NetworkLayerProtocol) -> bool:
    """True when ``host`` is an address of ``protocol`` (no lookup needed)."""
    address = _literal(host)
    return address is not None and _matching(address, protocol)


def _resolve_name(host: str) -> LookupResult:
    """getaddrinfo for every family, as Qt's QHostInfoAgent::lookup (no cache)."""
    if not host:
        return LookupResult(host, error="empty host name")
    try:
        try:
            infos = socket.getaddrinfo(host, None, socket.AF_UNSPEC, socket.SOCK_STREAM, 0,
                                       socket.AI_ADDRCONFIG)
        except socket.gaierror as exc:
            if exc.errno != socket.EAI_BADFLAGS:
                raise
            # Qt retries without AI_ADDRCONFIG where the resolver rejects the flag.
            infos = socket.getaddrinfo(host, None, socket.AF_UNSPEC, socket.SOCK_STREAM)
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


def immediate_lookup(host: str, protocol: NetworkLayerProtocol) -> LookupResult | None:
    """The answer available without resolving, or None (a lookup must run).

    A literal address answers itself (filtered by ``protocol``: ``"127.0.0.1"`` asked for
    IPv6 gives an error result at once, as in Qt); a name answers from ``host_cache``.
    """
    literal = _literal(host)
    if literal is not None:
        return _filtered(LookupResult(host, [literal]), protocol)
    cached = host_cache.get(host)
    if cached is None:
        return None
    return _filtered(cached, protocol)


def resolve(host: str, protocol: NetworkLayerProtocol) -> LookupResult:
    """Resolve ``host`` now (blocking): the worker thread's job, also usable directly.

    Like Qt's lookup runnable it asks the cache first (another lookup may have stored the
    name meanwhile) and stores a successful result for the next 60 s.
    """
    known = immediate_lookup(host, protocol)
    if known is not None:
        return known
    result = _resolve_name(host)
    host_cache.put(host, result)
    return _filtered(result, protocol)


def start_lookup(
    host: str, protocol: NetworkLayerProtocol
) -> concurrent.futures.Future[LookupResult]:
    """Begin resolving ``host``; the future is already done when no lookup is needed."""
    future: concurrent.futures.Future[LookupResult] = concurrent.futures.Future()
    known = immediate_lookup(host, protocol)
    if known is not None:
        future.set_result(known)
        return future

    def work() -> None:
        # A lookup cancelled before its thread ran is skipped, as Qt skips an aborted lookup
        # that has not started; once running it completes and fills the cache.
        if future.set_running_or_notify_cancel():
            future.set_result(resolve(host, protocol))

    threading.Thread(target=work, name=f"qtls-lookup-{host}", daemon=True).start()
    return future
