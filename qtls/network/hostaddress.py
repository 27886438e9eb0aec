"""QHostAddress: IPv4/IPv6 addresses and the special addresses, on the ipaddress module."""

from __future__ import annotations

__all__: list[str] = []
