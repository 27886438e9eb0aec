"""QSslKey: private and public keys on cryptography's serialization."""

from __future__ import annotations

__all__: list[str] = []
