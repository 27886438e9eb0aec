"""QSslConfiguration: the value type that configures a TLS socket."""

from __future__ import annotations

__all__: list[str] = []
