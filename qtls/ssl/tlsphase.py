"""QSslSocket's TLS phase, all of it, as one table.

QSslSocket has two state machines. The TCP one is QAbstractSocket's (Unconnected → ... →
Connected → Closing → Unconnected), mirrored from the private plain socket. The TLS one is
here: which phase the encryption layer is in, independent of the TCP state::

    UNENCRYPTED ──start*Encryption──▶ HANDSHAKING ──verified──▶ ENCRYPTED ──disconnect──▶ CLOSING
         ▲                               │   ▲                     │                       │
         │                               ▼   │ resume()            │                       │
         │                            PAUSED ┘ (PauseOnSslErrors; resume() decides again)  │                       │
         └──────────────── a new connection (connectToHost, setSocketDescriptor) ◀─────────┘

A failed handshake goes back to UNENCRYPTED when the connection ends (Qt's ``isEncrypted()``
is false and ``mode()`` keeps the side until the next connection). An illegal move raises
:class:`TlsPhaseError` at once: it is a bug in the socket, never the network's doing.
"""

from __future__ import annotations

import enum

__all__: list[str] = []


class TlsPhase(enum.Enum):
    """Where QSslSocket's encryption layer is."""

    # Members are singletons compared by identity: hash them so too (Enum hashes the name in
    # Python, which showed in per-connection profiles of the transition checks).
    __hash__ = object.__hash__

    UNENCRYPTED = "unencrypted"  # plain TCP (or not connected)
    HANDSHAKING = "handshaking"  # engine created, handshake running
    PAUSED = "paused"  # handshake done, sslErrors pending a decision (PauseOnSslErrors)
    ENCRYPTED = "encrypted"  # encrypted() emitted, application data flows
    CLOSING = "closing"  # close_notify sent or received; the TCP connection is going down


_P = TlsPhase

TRANSITIONS: dict[TlsPhase, frozenset[TlsPhase]] = {
    _P.UNENCRYPTED: frozenset({_P.HANDSHAKING}),
    _P.HANDSHAKING: frozenset({_P.ENCRYPTED, _P.PAUSED, _P.CLOSING, _P.UNENCRYPTED}),
    _P.PAUSED: frozenset({_P.HANDSHAKING, _P.ENCRYPTED, _P.CLOSING, _P.UNENCRYPTED}),
    _P.ENCRYPTED: frozenset({_P.CLOSING, _P.UNENCRYPTED}),
    _P.CLOSING: frozenset({_P.UNENCRYPTED}),
}


class TlsPhaseError(RuntimeError):
    """An illegal TLS phase transition (a bug in QSslSocket)."""


def check_phase(old: TlsPhase, new: TlsPhase) -> None:
    """Raise :class:`TlsPhaseError` unless ``old → new`` is allowed (staying put always is)."""
    if old is not new and new not in TRANSITIONS[old]:
        raise TlsPhaseError(f"illegal TLS phase transition {old.name} -> {new.name}")
