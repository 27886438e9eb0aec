"""QCryptographicHash and its Algorithm enum, on hashlib and cryptography."""

from __future__ import annotations

__all__: list[str] = []
