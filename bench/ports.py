"""Server ports below the kernel's ephemeral range.

A benchmark run opens some 150,000 connections on loopback, leaving thousands of TIME_WAIT
entries behind. When a server listens on an *ephemeral* port P (``bind(0)``), an old TIME_WAIT
entry (local P, remote A) from a connection whose client happened to use source port P can
shadow the listener for a new client that picks source port A: the kernel answers that SYN from
the TIME_WAIT entry instead of the listener, and the client sees "connection refused" now and
then. Listening below the ephemeral range means no client source port is ever a server port.
"""

from __future__ import annotations

import itertools
import random
import threading

BLOCK = 8  # ports offered per measurement: the server takes the first free one
SPAN = 10000  # how far below the ephemeral range we go


def _ephemeral_low() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as handle:
            return int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


class PortBlocks:
    """Hands out blocks of ``BLOCK`` ports, cycling through the range below the ephemeral one
    (an empty block, i.e. any port, when the ephemeral range starts too low to leave room)."""

    def __init__(self) -> None:
        high = _ephemeral_low()
        low = max(1024, high - SPAN)
        bases = range(low, high - BLOCK + 1, BLOCK)
        # Start somewhere random, so that back-to-back runs do not meet the TIME_WAIT entries
        # the previous run left on its first ports.
        start = random.randrange(len(bases)) if bases else 0
        ordered = list(bases[start:]) + list(bases[:start])
        self._bases = itertools.cycle(ordered) if len(ordered) >= 8 else None
        self._lock = threading.Lock()

    def next(self) -> list[int]:
        if self._bases is None:
            return []
        with self._lock:
            base = next(self._bases)
        return list(range(base, base + BLOCK))
