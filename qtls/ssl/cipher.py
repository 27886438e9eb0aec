"""QSslCipher: a cipher suite as Qt describes it from OpenSSL's name."""

from __future__ import annotations

__all__: list[str] = []
