"""QIODeviceBase and QIODevice: the buffered read/write API every socket inherits."""

from __future__ import annotations

__all__: list[str] = []
