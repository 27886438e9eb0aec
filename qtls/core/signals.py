"""pyqtSignal, pyqtBoundSignal and pyqtSlot: PyQt6's signal declarations and connections."""

from __future__ import annotations

__all__: list[str] = []
