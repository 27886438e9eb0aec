"""RingBuffer: a chunk-list byte buffer (Qt's QRingBuffer idea) for device read/write buffers."""

from __future__ import annotations

__all__: list[str] = []
