"""QTcpServer: listening socket, pending connections, accept hook."""

from __future__ import annotations

__all__: list[str] = []
