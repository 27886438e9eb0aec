"""The Qt namespace: the enums from it that networking programs use (Qt.ConnectionType)."""

from __future__ import annotations

__all__: list[str] = []
