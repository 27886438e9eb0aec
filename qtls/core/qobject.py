"""QObject: parent/child ownership, object names, deleteLater, sender() and thread affinity."""

from __future__ import annotations

__all__: list[str] = []
