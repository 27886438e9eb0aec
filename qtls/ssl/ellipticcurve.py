"""QSslEllipticCurve: a named key-exchange group."""

from __future__ import annotations

__all__: list[str] = []
