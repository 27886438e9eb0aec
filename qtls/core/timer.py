"""QTimer: single-shot and repeating timers on the thread's asyncio loop."""

from __future__ import annotations

__all__: list[str] = []
