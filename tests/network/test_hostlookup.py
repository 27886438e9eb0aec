"""Qt's host cache (QHostInfoCache) in qtls: hits, expiry, bound, failures, threads.

The cache itself is tested with its own instances and a fake clock; the process-wide
``host_cache`` only through names no other test uses (spellings of ``localhost``, which the
cache keeps apart and the resolver does not), so these tests never warm a name for another.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

import qtls.QtNetwork as qtls_network
from qtls.network import hostlookup
from qtls.network.hostlookup import HostCache, LookupResult, host_cache
from qtls.network.socketenums import NetworkLayerProtocol
from tests.network.helpers import run_until

Any_ = NetworkLayerProtocol.AnyIPProtocol
IPv4 = NetworkLayerProtocol.IPv4Protocol
IPv6 = NetworkLayerProtocol.IPv6Protocol
QHostAddress = qtls_network.QHostAddress


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def found(host: str, *addresses: str) -> LookupResult:
    return LookupResult(host, [QHostAddress(a) for a in addresses])


def texts(result: LookupResult | None) -> list[str] | None:
    return None if result is None else [a.toString() for a in result.addresses]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cache(clock: FakeClock) -> HostCache:
    return HostCache(clock=clock)


# Spellings of "localhost" that start with "L" (test_signal_order takes those with "l").
_names = ("".join(c.upper() if bits >> i & 1 else c for i, c in enumerate("localhost"))
          for bits in range(1, 2 ** 9, 2))


def unused_name() -> str:
    """A name for 127.0.0.1 this module has not resolved yet (and no other test uses)."""
    name = next(_names)
    assert name not in host_cache
    return name


# ------------------------------------------------------------------ the cache alone

def test_get_returns_the_stored_addresses(cache: HostCache) -> None:
    cache.put("example", found("example", "192.0.2.1", "2001:db8::1"))
    assert texts(cache.get("example")) == ["192.0.2.1", "2001:db8::1"]


def test_get_of_an_unknown_name_is_a_miss(cache: HostCache) -> None:
    cache.put("example", found("example", "192.0.2.1"))
    assert cache.get("other") is None


def test_names_are_compared_exactly_as_qt_does(cache: HostCache) -> None:
    cache.put("example", found("example", "192.0.2.1"))
    assert cache.get("EXAMPLE") is None
    assert cache.get("example.") is None


def test_get_returns_a_copy_that_cannot_change_the_entry(cache: HostCache) -> None:
    cache.put("example", found("example", "fe80::1"))
    first = cache.get("example")
    assert first is not None
    first.addresses[0].setScopeId("eth9")
    first.addresses.append(QHostAddress("192.0.2.9"))
    assert texts(cache.get("example")) == ["fe80::1"]


def test_put_keeps_its_own_copy_of_the_result(cache: HostCache) -> None:
    result = found("example", "192.0.2.1")
    cache.put("example", result)
    result.addresses.clear()
    assert texts(cache.get("example")) == ["192.0.2.1"]


def test_entry_is_fresh_until_sixty_seconds(cache: HostCache, clock: FakeClock) -> None:
    cache.put("example", found("example", "192.0.2.1"))
    clock.now += 59.9
    assert cache.get("example") is not None
    clock.now += 0.1
    assert cache.get("example") is None
    assert "example" not in cache


def test_a_hit_does_not_extend_the_lifetime(cache: HostCache, clock: FakeClock) -> None:
    cache.put("example", found("example", "192.0.2.1"))
    clock.now += 40
    assert cache.get("example") is not None
    clock.now += 20
    assert cache.get("example") is None


def test_storing_again_restarts_the_lifetime(cache: HostCache, clock: FakeClock) -> None:
    cache.put("example", found("example", "192.0.2.1"))
    clock.now += 40
    cache.put("example", found("example", "192.0.2.2"))
    clock.now += 40
    assert texts(cache.get("example")) == ["192.0.2.2"]


def test_max_age_is_configurable(clock: FakeClock) -> None:
    cache = HostCache(max_age=5, clock=clock)
    cache.put("example", found("example", "192.0.2.1"))
    clock.now += 5
    assert cache.get("example") is None


def test_holds_at_most_128_names_dropping_the_oldest(cache: HostCache) -> None:
    for i in range(129):
        cache.put(f"host{i}", found(f"host{i}", f"192.0.2.{i % 250 + 1}"))
    assert len(cache) == 128
    assert cache.get("host0") is None
    assert cache.get("host1") is not None
    assert cache.get("host128") is not None


def test_a_hit_protects_a_name_from_eviction(clock: FakeClock) -> None:
    cache = HostCache(max_entries=3, clock=clock)
    for name in ("a", "b", "c"):
        cache.put(name, found(name, "192.0.2.1"))
    assert cache.get("a") is not None  # now the most recently used (QCache::object)
    cache.put("d", found("d", "192.0.2.4"))
    assert [n for n in ("a", "b", "c", "d") if n in cache] == ["a", "c", "d"]


def test_failed_lookups_are_not_stored(cache: HostCache) -> None:
    cache.put("bad", LookupResult("bad", error="Name or service not known"))
    cache.put("empty", LookupResult("empty"))
    assert len(cache) == 0
    assert cache.get("bad") is None


def test_disabled_cache_neither_answers_nor_stores(cache: HostCache) -> None:
    cache.put("kept", found("kept", "192.0.2.1"))
    cache.setEnabled(False)
    assert not cache.isEnabled()
    cache.put("new", found("new", "192.0.2.2"))
    assert cache.get("kept") is None
    cache.setEnabled(True)
    assert "new" not in cache
    assert cache.get("kept") is not None  # disabling does not forget (Qt)


def test_clear_forgets_every_name(cache: HostCache) -> None:
    cache.put("a", found("a", "192.0.2.1"))
    cache.put("b", found("b", "192.0.2.2"))
    cache.clear()
    assert len(cache) == 0
    assert cache.get("a") is None


def test_concurrent_use_from_threads_keeps_the_bound_and_the_entries_whole() -> None:
    cache = HostCache(max_entries=16)
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker(n: int) -> None:
        try:
            start.wait(5)
            for i in range(400):
                name = f"h{(n * 7 + i) % 40}"
                cache.put(name, found(name, "192.0.2.1", f"2001:db8::{n + 1:x}"))
                hit = cache.get(f"h{i % 40}")
                assert hit is None or len(hit.addresses) == 2
                assert len(cache) <= 16
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert len(cache) == 16


# ------------------------------------------------------------------ lookups and the cache

def test_literal_address_answers_without_a_lookup() -> None:
    assert texts(hostlookup.immediate_lookup("127.0.0.1", Any_)) == ["127.0.0.1"]
    assert "127.0.0.1" not in host_cache


def test_literal_of_the_other_protocol_is_an_immediate_failure() -> None:
    result = hostlookup.immediate_lookup("127.0.0.1", IPv6)
    assert result is not None and result.addresses == [] and result.error


def test_unknown_name_needs_a_lookup() -> None:
    assert hostlookup.immediate_lookup(unused_name(), Any_) is None


def test_resolving_a_name_stores_it_for_the_next_lookup() -> None:
    name = unused_name()
    assert texts(hostlookup.resolve(name, Any_)) == ["127.0.0.1"]
    assert texts(hostlookup.immediate_lookup(name, Any_)) == ["127.0.0.1"]


def test_cached_name_is_filtered_by_the_requested_protocol() -> None:
    name = unused_name()
    hostlookup.resolve(name, IPv4)  # stores every address, whatever the protocol asked
    assert texts(hostlookup.immediate_lookup(name, Any_)) == ["127.0.0.1"]
    assert texts(hostlookup.immediate_lookup(name, IPv4)) == ["127.0.0.1"]
    v6 = hostlookup.immediate_lookup(name, IPv6)
    assert v6 is not None and v6.addresses == [] and "IPv6" in v6.error


def test_failed_name_resolution_is_not_stored() -> None:
    name = f"{unused_name()}.invalid"
    assert hostlookup.resolve(name, Any_).error
    assert name not in host_cache
    assert hostlookup.immediate_lookup(name, Any_) is None


def test_start_lookup_of_a_cached_name_is_already_done() -> None:
    name = unused_name()
    first = hostlookup.start_lookup(name, Any_)
    assert texts(first.result(10)) == ["127.0.0.1"]
    second = hostlookup.start_lookup(name, Any_)
    assert second.done() and texts(second.result(0)) == ["127.0.0.1"]


def test_cancelled_lookup_that_never_ran_stores_nothing(monkeypatch: Any) -> None:
    name = unused_name()
    started: list[threading.Thread] = []
    real_start = threading.Thread.start

    def hold(thread: threading.Thread) -> None:  # start the worker only after the cancel
        started.append(thread)

    monkeypatch.setattr(threading.Thread, "start", hold)
    future = hostlookup.start_lookup(name, Any_)
    monkeypatch.setattr(threading.Thread, "start", real_start)
    assert future.cancel()
    started[0].start()
    started[0].join(10)
    assert name not in host_cache


# ------------------------------------------------------------------ QTcpSocket with the cache

def _connect_log(host: str, port: int) -> tuple[Any, list[str]]:
    client = qtls_network.QTcpSocket()
    log: list[str] = []
    client.stateChanged.connect(lambda state: log.append(state.name))
    client.hostFound.connect(lambda: log.append("hostFound"))
    client.connectToHost(host, port)
    log.append("returned")
    return client, log


def test_second_connect_by_name_skips_the_lookup(qtls_app: Any) -> None:
    server = qtls_network.QTcpServer()
    assert server.listen(QHostAddress("127.0.0.1"), 0)
    name = unused_name()
    first, log1 = _connect_log(name, server.serverPort())
    assert log1 == ["HostLookupState", "returned"]
    assert run_until(lambda: first.state().name == "ConnectedState", 5000)
    second, log2 = _connect_log(name, server.serverPort())
    assert log2 == ["HostLookupState", "ConnectingState", "hostFound", "returned"]
    assert run_until(lambda: second.state().name == "ConnectedState", 5000)
    first.abort()
    second.abort()
    server.close()


def test_disabled_cache_makes_every_connect_look_up(qtls_app: Any) -> None:
    server = qtls_network.QTcpServer()
    assert server.listen(QHostAddress("127.0.0.1"), 0)
    name = unused_name()
    hostlookup.resolve(name, Any_)
    host_cache.setEnabled(False)
    try:
        client, log = _connect_log(name, server.serverPort())
        assert log == ["HostLookupState", "returned"]
        assert client.waitForConnected(5000)
    finally:
        host_cache.setEnabled(True)
    client.abort()
    server.close()
