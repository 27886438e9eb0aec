"""QCoreApplication: the application object that runs the main thread's loop."""

from __future__ import annotations

__all__: list[str] = []
