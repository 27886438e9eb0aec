"""Fuzz target for the sans-I/O engine: two engines back to back, one record tampered with.

A client and a server engine run a whole connection in memory: handshake, application data
both ways, close_notify both ways. The ciphertext of one direction is cut into TLS records,
and the record at a chosen index (so: at every step of the handshake and after it) is mutated,
truncated, duplicated, dropped, moved after the next one, split in two, or preceded by junk.

What must hold whatever was done (:func:`run` checks it and raises AssertionError):

* no exception escapes the engine's public API, and every call returns (bounded rounds);
* memory stays bounded: no call hands out more than :data:`MAX_BUFFERED` bytes;
* plaintext is never corrupted: each side received a prefix of what the other one sent;
* once both sides saw the transport's EOF, each engine is FAILED or CLOSED, and a FAILED one
  said why (a TlsError event);
* a split record (legal fragmentation of the stream) changes nothing: the connection completes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from qtls.ssl.engine import (
    ContextCache,
    EngineState,
    Event,
    Role,
    TlsEngine,
    TlsError,
    TlsSettings,
    TlsVersion,
    VerifyMode,
)

from .mutate import Mutation, apply

__all__ = ["ACTIONS", "MAX_BUFFERED", "Outcome", "Tamperer", "engines_settings", "run"]

ACTIONS = ("mutate", "truncate", "duplicate", "drop", "reorder", "split", "junk")
MAX_BUFFERED = 1 << 20
_CLIENT_DATA = b"client says hello " * 40
_SERVER_DATA = b"server answers " * 1500  # (more than one record)
_MAX_ROUNDS = 40
_FINAL = (EngineState.FAILED, EngineState.CLOSED)


@functools.cache
def _settings(version: TlsVersion) -> tuple[TlsSettings, TlsSettings, ContextCache]:
    ca = trustme.CA(key_type=trustme.KeyType.ECDSA)
    leaf = ca.issue_cert("localhost", key_type=trustme.KeyType.ECDSA)
    chain = tuple(x509.load_pem_x509_certificate(b.bytes()).public_bytes(Encoding.DER)
                  for b in leaf.cert_chain_pems)
    ca_der = x509.load_pem_x509_certificate(ca.cert_pem.bytes()).public_bytes(Encoding.DER)
    common = {"min_version": version, "max_version": version}
    server = TlsSettings(role=Role.SERVER, local_certificate_chain=chain,
                         private_key=leaf.private_key_pem.bytes(),
                         verify_mode=VerifyMode.NONE, **common)  # type: ignore[arg-type]
    client = TlsSettings(role=Role.CLIENT, ca_certificates=(ca_der,),
                         verify_mode=VerifyMode.VERIFY, **common)  # type: ignore[arg-type]
    return client, server, ContextCache()


class Tamperer:
    """Cuts one direction's ciphertext into TLS records and tampers with record ``index``."""

    def __init__(self, index: int, action: str, steps: list[Mutation],
                 junk: bytes = b"\x16\x03\x03\x00\x01\x00") -> None:
        self.index, self.action, self.steps, self.junk = index, action, steps, junk
        self.pending = bytearray()  # ciphertext not yet a whole record
        self.records = 0
        self.held: list[bytes] = []
        self.tampered = False  # the chosen record came by

    def feed(self, data: bytes) -> list[bytes]:
        """The pieces to send for ``data`` (whole records, some of them tampered with)."""
        self.pending += data
        out: list[bytes] = []
        while len(self.pending) >= 5:
            size = 5 + int.from_bytes(self.pending[3:5], "big")
            if len(self.pending) < size:
                break
            record = bytes(self.pending[:size])
            del self.pending[:size]
            number, self.records = self.records, self.records + 1
            if self.held and number == self.index + 1:
                out += [record, self.held.pop()]
            elif number != self.index:
                out.append(record)
            else:
                self.tampered = True
                out += self._tamper(record)
        return [piece for piece in out if piece]

    def _tamper(self, record: bytes) -> list[bytes]:
        action, steps = self.action, self.steps
        if action == "mutate":
            return [apply(record, steps)]
        if action == "truncate":
            return [record[: max(1, len(record) * (steps[0][1] % 100) // 100)]]
        if action == "duplicate":
            return [record, record]
        if action == "reorder":
            self.held.append(record)
            return []
        if action == "split":
            cut = 1 + steps[0][1] % (len(record) - 1)
            return [record[:cut], record[cut:]]
        if action == "junk":
            return [self.junk, record]
        return []  # "drop"


@dataclass
class _Side:
    engine: TlsEngine
    sends: bytes
    events: list[Event] = field(default_factory=list)
    received: bytearray = field(default_factory=bytearray)
    sent_data: bool = False
    shut: bool = False

    def collect(self) -> None:
        self.events.extend(self.engine.events())
        data = self.engine.read_plaintext()
        assert len(data) <= MAX_BUFFERED
        self.received += data


@dataclass
class Outcome:
    """What happened, for assertions of the tests that know what they did."""

    client_state: EngineState
    server_state: EngineState
    completed: bool  # both sides received all of the other's data
    tampered: bool  # the chosen record existed


def _step_app(side: _Side, other: _Side) -> None:
    engine = side.engine
    if engine.state is EngineState.ENCRYPTED and not side.sent_data:
        side.sent_data = True
        taken = 0
        while taken < len(side.sends):
            taken += engine.send_plaintext(side.sends[taken:])
            if engine.state is not EngineState.ENCRYPTED:
                break
    if (engine.state is EngineState.ENCRYPTED or engine.state is EngineState.CLOSING) \
            and not side.shut and len(side.received) >= len(other.sends):
        side.shut = True
        engine.shutdown()
    side.collect()


def _deliver(engine: TlsEngine, data: bytes, chunk: int) -> None:
    """Feed ciphertext whole, or (``chunk`` > 0) in pieces of that size, each through the
    engine's one door, as a socket feeds what each recv returned."""
    if chunk <= 0:
        engine.receive_ciphertext(data)
    else:
        for i in range(0, len(data), chunk):
            engine.receive_ciphertext(data[i:i + chunk])


def run(version: TlsVersion, client_to_server: bool, index: int, action: str,
        steps: list[Mutation], junk: bytes = b"\x16\x03\x03\x00\x01\x00",
        chunk: int = 0) -> Outcome:
    """One connection with record ``index`` of one direction tampered with by ``action``;
    ``chunk`` > 0 delivers every batch of ciphertext in pieces of that many bytes."""
    client_settings, server_settings, cache = _settings(version)
    client = _Side(TlsEngine(client_settings, server_hostname="localhost", cache=cache),
                   _CLIENT_DATA)
    server = _Side(TlsEngine(server_settings, cache=cache), _SERVER_DATA)
    attacked = client if client_to_server else server
    tamperer = Tamperer(index, action, steps, junk)
    client.engine.start_handshake()
    server.engine.start_handshake()
    for _ in range(_MAX_ROUNDS):
        moved = False
        for src, dst in ((client, server), (server, client)):
            data = bytes(src.engine.data_to_send())
            assert len(data) <= MAX_BUFFERED
            src.collect()
            if not data:
                continue
            moved = True
            if src is not attacked:
                _deliver(dst.engine, data, chunk)
                dst.collect()
                continue
            for piece in tamperer.feed(data):
                _deliver(dst.engine, piece, chunk)
                dst.collect()
        for side, other in ((client, server), (server, client)):
            _step_app(side, other)
        if not moved and not any(s.engine.data_to_send() for s in (client, server)):
            break
    completed = bytes(client.received) == _SERVER_DATA and bytes(server.received) == _CLIENT_DATA
    for side, other in ((client, server), (server, client)):
        # Never corrupted: whatever arrived is what the peer sent, in order.
        assert other.sends.startswith(bytes(side.received)), "corrupted plaintext delivered"
        side.engine.receive_ciphertext(b"")  # the transport ends
        side.collect()
        state = side.engine.state
        assert state in _FINAL, f"{state} after EOF"
        if state is EngineState.FAILED:
            assert any(isinstance(e, TlsError) for e in side.events), "failed without TlsError"
    return Outcome(client.engine.state, server.engine.state, completed, tamperer.tampered)


def engines_settings(version: TlsVersion) -> tuple[TlsSettings, TlsSettings, ContextCache]:
    """(client settings, server settings, their context cache) for ``version``."""
    return _settings(version)
