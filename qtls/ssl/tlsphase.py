"""QSslSocket's TLS phase: the table, the diagram, and every flag the phase depends on.

QSslSocket has two state machines. The TCP one is QAbstractSocket's (Unconnected → HostLookup
→ Connecting → Connected → Closing → Unconnected, :mod:`qtls.network.socketstate`). The TLS
one is here: which phase the connection's :class:`~qtls.ssl.tlslayer.TlsLayer` is in. A socket
without a layer is UNENCRYPTED; a layer starts HANDSHAKING and ends UNENCRYPTED when the
connection ends and the layer is dropped::

                  start*Encryption()              verified, or errors ignored
    UNENCRYPTED ─────────────────────▶ HANDSHAKING ───────────────────────────▶ ENCRYPTED
         ▲                               │     ▲                                  │
         │        sslErrors, with        │     │ resume(): not ignored            │
         │        PauseOnSslErrors       ▼     │ (then it fails)                  │
         │                             PAUSED ─┴──── resume(): ignored ──▶ ENCRYPTED
         │                                                                        │
         │                       close_notify sent or received (also while        ▼
         │                       HANDSHAKING or PAUSED) ─────────────────────▶ CLOSING
         │                                                                        │
         └──────── the connection ends, from any phase: the layer is dropped ◀────┘

Every move goes through ``TlsLayer.set_phase`` (a disallowed one raises :class:`TlsPhaseError`:
a bug in the socket, never the network's doing); the moves are made in ``tlslayer.py`` only:
``__init__`` (→ HANDSHAKING), ``on_handshake_completed`` (→ PAUSED), ``become_encrypted``
(→ ENCRYPTED), ``resume_now`` (PAUSED → HANDSHAKING, then on), ``on_close_notify`` and
``close_tls_and_tcp`` (→ CLOSING), ``drop`` (→ UNENCRYPTED).

Flags the phase and its moves depend on, and what sets them (h11's rule: everything that
moves the state machine is named with it):

On the TlsLayer (one connection; gone with it):

* ``in_transmit`` / ``transmit_again``: transmit() is running / a slot inside it asked for one
  more pass (a write, a resume). Set by ``transmit()`` and ``QSslSocket.writeData``.
* ``transmit_queued`` / ``resume_queued``: a transmit() / resume() waits on the loop (Qt's
  queued calls); a blocking wait runs them itself (``QSslSocket._run_queued``).
* ``close_after_flush``: disconnectFromHost() came with plaintext queued; CLOSING waits for it
  (set by ``QSslSocket.disconnectFromHost``, consumed by ``transmit()``).
* ``tcp_closing``: the TCP close began (Qt's private plain socket in ClosingState): no more
  reading; the queued ciphertext is flushed, then the socket finishes (``close_tcp``,
  ``QSslSocket._on_socket_error``).
* ``held_events``: engine events behind a paused handshake, handed over by ``resume_now``.
* ``reported_early`` / ``continue_interrupted``: a verification error was reported during the
  handshake (handshakeInterruptedOnError) / the application said to go on.
* ``defer_alerts`` / ``deferred_alerts``: alertSent signals held back to where Qt emits them.

On the QSslSocket (they outlive a connection, as in Qt):

* ``_mode`` (Qt's SslMode): set when a handshake starts, reset by the next connection.
* ``_auto_start``: connectToHostEncrypted() was called; the handshake starts once connected.
* ``_pending_close``: disconnectFromHost() while connecting (or, with ``_auto_start``, before
  ``encrypted``); done by ``_on_connected`` or ``TlsLayer.become_encrypted``.
* ``_ignore_all`` / ``_ignore_list`` / ``_handshake_errors``: the verification decisions
  ``on_handshake_completed`` and ``resume_now`` read.
* ``_read_paused``: the read buffer is full (setReadBufferSize): nothing is received.
"""

from __future__ import annotations

import enum

__all__: list[str] = []


class TlsPhase(enum.Enum):
    """Where QSslSocket's encryption layer is."""

    # Members are singletons compared by identity: hash them so too (Enum hashes the name in
    # Python, which showed in per-connection profiles of the transition checks).
    __hash__ = object.__hash__

    UNENCRYPTED = "unencrypted"  # no TLS layer: plain TCP (or not connected)
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
