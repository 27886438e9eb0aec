"""QSslServer: a QTcpServer that hands out encrypted QSslSockets."""

from __future__ import annotations

__all__: list[str] = []
