"""QEventLoop: exec/quit/exit and processEvents, nested loops included."""

from __future__ import annotations

__all__: list[str] = []
