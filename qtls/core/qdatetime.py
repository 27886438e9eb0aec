"""QDateTime: the subset certificates use, convertible to and from datetime."""

from __future__ import annotations

__all__: list[str] = []
