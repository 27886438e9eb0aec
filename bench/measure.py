"""Process measurements shared by every implementation: CPU time, resident memory, clocks."""

from __future__ import annotations

import os
import resource
import time


def rss_bytes() -> int:
    """This process's resident set size now (``/proc/self/statm``), in bytes."""
    with open("/proc/self/statm") as handle:
        resident_pages = int(handle.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def cpu_seconds() -> float:
    """User + system CPU time of this process (all threads) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


now = time.perf_counter
