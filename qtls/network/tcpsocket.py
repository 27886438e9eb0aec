"""QTcpSocket: the TCP QAbstractSocket."""

from __future__ import annotations

__all__: list[str] = []
