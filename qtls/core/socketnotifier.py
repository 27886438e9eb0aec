"""QSocketNotifier: read/write readiness of a descriptor as a signal."""

from __future__ import annotations

__all__: list[str] = []
