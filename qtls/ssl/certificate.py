"""QSslCertificate: an X.509 certificate on cryptography.x509."""

from __future__ import annotations

__all__: list[str] = []
