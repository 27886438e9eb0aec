"""QSslDiffieHellmanParameters: finite-field DH parameters for servers."""

from __future__ import annotations

__all__: list[str] = []
