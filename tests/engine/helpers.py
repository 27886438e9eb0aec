"""Moving bytes between two sans-I/O engines (or an engine and another TLS stack) in memory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qtls.ssl.engine import Event, TlsEngine


class Peer:
    """An engine plus the events it has produced so far (kept for assertions)."""

    def __init__(self, engine: TlsEngine) -> None:
        self.engine = engine
        self.events: list[Event] = []
        self.received = bytearray()

    def collect(self) -> None:
        self.events.extend(self.engine.events())
        self.received += self.engine.read_plaintext()

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


def pump(a: Peer, b: Peer, max_rounds: int = 50) -> None:
    """Move ciphertext both ways until neither side has anything to send (bounded)."""
    for _ in range(max_rounds):
        moved = False
        for src, dst in ((a, b), (b, a)):
            data = src.engine.data_to_send()
            src.collect()
            if data:
                moved = True
                dst.engine.receive_ciphertext(data)
                dst.collect()
        if not moved:
            return
    raise AssertionError("engines never went quiet")


def connect(
    client: TlsEngine, server: TlsEngine, tamper: Callable[[bytes], bytes] | None = None
) -> tuple[Peer, Peer]:
    """Start both handshakes and pump until quiet; return the two peers."""
    c, s = Peer(client), Peer(server)
    client.start_handshake()
    server.start_handshake()
    pump(c, s)
    return c, s
