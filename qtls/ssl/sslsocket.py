"""QSslSocket: the TLS socket (a QTcpSocket)."""

from __future__ import annotations

__all__: list[str] = []
