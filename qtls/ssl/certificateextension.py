"""QSslCertificateExtension: one X.509 extension as Qt presents it."""

from __future__ import annotations

__all__: list[str] = []
