"""QSslError: one verification or TLS error, with Qt's error strings."""

from __future__ import annotations

__all__: list[str] = []
