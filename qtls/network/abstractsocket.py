"""QAbstractSocket: Qt's socket state machine, errors and blocking waits over a plain TCP socket."""

from __future__ import annotations

__all__: list[str] = []
