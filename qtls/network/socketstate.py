"""QAbstractSocket's state machine, written down as one table.

What belongs here: the states a socket may move to from each state, and the check that
``QAbstractSocket.setSocketState`` runs. What does not: signals (the socket emits
``stateChanged`` itself, after the check) and I/O.

The ordinary life of a client socket::

    Unconnected -> HostLookup -> Connecting -> Connected -> Closing -> Unconnected

with shortcuts Qt takes: ``setSocketDescriptor`` adopts a descriptor straight into any state
it is given (Connected, Connecting, Bound, Listening); a failed lookup or connection, ``abort()``
and a peer reset go to Unconnected from anywhere; Bound leads to Connecting or Listening, and
for a UDP socket to HostLookup (connectToHost keeps the bound socket) or Closing (it closes as
a connected one does).
Staying in the same state is always allowed (Qt sets states idempotently in places). Any other
move is a bug in qtls or in a subclass, so it raises at once instead of being ignored, as
asyncio's sslproto does.
"""

from __future__ import annotations

from qtls.network.socketenums import SocketState

__all__: list[str] = []

_U = SocketState.UnconnectedState
_H = SocketState.HostLookupState
_C = SocketState.ConnectingState
_OK = SocketState.ConnectedState
_B = SocketState.BoundState
_L = SocketState.ListeningState
_X = SocketState.ClosingState

#: state -> the states it may move to (besides itself).
TRANSITIONS: dict[SocketState, frozenset[SocketState]] = {
    _U: frozenset({_H, _C, _OK, _B, _L, _X}),
    _H: frozenset({_C, _U}),
    _C: frozenset({_OK, _U, _X}),
    _OK: frozenset({_X, _U}),
    _B: frozenset({_H, _C, _L, _X, _U}),
    _L: frozenset({_U}),
    _X: frozenset({_U}),
}


class SocketStateError(RuntimeError):
    """An illegal QAbstractSocket state transition: a programming error, never a network one."""


def check_transition(old: SocketState, new: SocketState) -> None:
    """Raise SocketStateError unless ``old -> new`` is in the table (or ``old is new``)."""
    if not isinstance(new, SocketState):
        raise TypeError(f"setSocketState(): argument 1 has unexpected type '{type(new).__name__}'")
    if old is not new and new not in TRANSITIONS[old]:
        raise SocketStateError(f"illegal socket state transition {old.name} -> {new.name}")
