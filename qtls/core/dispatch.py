"""Event dispatch on asyncio: the loop that serves each thread, queued delivery between threads."""

from __future__ import annotations

__all__: list[str] = []
