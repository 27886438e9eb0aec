"""QSslPreSharedKeyAuthenticator: identity and key for TLS-PSK."""

from __future__ import annotations

__all__: list[str] = []
