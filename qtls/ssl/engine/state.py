"""The engine's state machine, all of it, as one table.

Only the states and the transitions the engine may take live here; what triggers them is in
``engine.py``. An illegal transition raises :class:`LocalProtocolError` at once (h11 style),
so a bug shows up where it happens rather than as a hang later.

::

    IDLE ──start_handshake──▶ HANDSHAKING ──done──▶ ENCRYPTED ──shutdown/close_notify──▶ CLOSING
      │                          │                     │                                 │
      │                          └──────error──────▶ FAILED ◀──────error────────────────┤
      └──────shutdown─────────▶ CLOSED ◀────────both close_notify / EOF──────────────────┘

``CLOSING`` means one close_notify has been exchanged (sent or received), ``CLOSED`` both, or
the transport ended. ``FAILED`` and ``CLOSED`` are final.
"""

from __future__ import annotations

import enum

from .errors import LocalProtocolError

__all__ = ["TRANSITIONS", "EngineState", "check_transition"]


class EngineState(enum.Enum):
    """Where the TLS connection is."""

    # Members are singletons compared by identity: hash them so too (Enum hashes the name in
    # Python, which showed in per-connection profiles of the transition checks).
    __hash__ = object.__hash__

    IDLE = "idle"
    HANDSHAKING = "handshaking"
    ENCRYPTED = "encrypted"
    CLOSING = "closing"
    CLOSED = "closed"
    FAILED = "failed"


S = EngineState

TRANSITIONS: dict[EngineState, frozenset[EngineState]] = {
    S.IDLE: frozenset({S.HANDSHAKING, S.CLOSED, S.FAILED}),
    S.HANDSHAKING: frozenset({S.ENCRYPTED, S.CLOSED, S.FAILED}),
    S.ENCRYPTED: frozenset({S.CLOSING, S.CLOSED, S.FAILED}),
    S.CLOSING: frozenset({S.CLOSED, S.FAILED}),
    S.CLOSED: frozenset(),
    S.FAILED: frozenset(),
}


def check_transition(old: EngineState, new: EngineState) -> None:
    """Raise :class:`LocalProtocolError` unless ``old → new`` is in :data:`TRANSITIONS`."""
    if new not in TRANSITIONS[old]:
        raise LocalProtocolError(f"illegal TLS engine transition {old.name} -> {new.name}")
