"""QByteArray: what readAll/readLine return in PyQt6."""

from __future__ import annotations

__all__: list[str] = []
