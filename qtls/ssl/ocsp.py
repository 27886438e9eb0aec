"""QOcspResponse and the OCSP enums."""

from __future__ import annotations

__all__: list[str] = []
