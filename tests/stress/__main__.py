"""``python -m tests.stress``: the load, fault and soak scenarios at full size, and a table.

Sizes (issue 16 §3): 10,000 idle connections, 1,000 handshakes at once, 500 slow clients beside
100 normal ones, 500 + 500 vanishing peers, descriptor exhaustion, and 100,000 sequential
connections per soak mode within a time budget per mode (``--soak-seconds``). ``--quick`` runs
the sizes of the tests instead. Exit status 1 when a figure is not back at its baseline or a
scenario did not do what it should.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qtls.QtCore import QCoreApplication  # noqa: E402
from tests.stress import scenarios  # noqa: E402
from tests.stress.emfile import as_figures  # noqa: E402
from tests.stress.harness import Figures, raise_nofile  # noqa: E402

FULL = {"idle": 10_000, "burst": 1000, "slow": 500, "normal": 100, "vanish": 500,
        "emfile_headroom": 200, "emfile_extra": 100, "soak": 100_000}
QUICK = {"idle": 200, "burst": 100, "slow": 20, "normal": 20, "vanish": 30,
         "emfile_headroom": 30, "emfile_extra": 20, "soak": 300}


def _table(rows: list[Figures]) -> str:
    head = ("scenario", "conns", "s", "fds", "threads", "objects", "RSS KiB", "KiB/idle", "ok")
    lines = [head]
    for row in rows:
        b, a = row.before, row.after
        lines.append((row.name, str(row.connections), f"{row.seconds:.1f}",
                      f"{b.fds}->{a.fds}", f"{b.threads}->{a.threads}",
                      f"{b.objects}->{a.objects}" if b.objects >= 0 else "-",
                      f"{b.rss_kib}->{a.rss_kib}" if b.rss_kib >= 0 else "-",
                      f"{row.kib_per_idle:.1f}" if row.kib_per_idle is not None else "",
                      "yes" if not row.problems() else "NO"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the test sizes")
    parser.add_argument("--idle", type=int, help="idle connections (default 10,000)")
    parser.add_argument("--soak", type=int, help="connections per soak mode (default 100,000)")
    parser.add_argument("--soak-seconds", type=float, default=90.0,
                        help="time budget per soak mode (default 90 s)")
    parser.add_argument("--only", nargs="*", help="scenarios to run (default all)")
    args = parser.parse_args(argv)
    size = dict(QUICK if args.quick else FULL)
    if args.idle:
        size["idle"] = args.idle
    if args.soak:
        size["soak"] = args.soak
    app = QCoreApplication.instance() or QCoreApplication([])
    limit = raise_nofile(size["idle"] + 1024)
    notes: list[str] = []
    if limit < size["idle"] + 512:
        notes.append(f"idle scaled down from {size['idle']} to {limit - 512}: "
                     f"RLIMIT_NOFILE hard limit {limit}")
        size["idle"] = limit - 512
    wanted = set(args.only or ["idle", "burst", "slow", "vanish", "emfile", "soak-event",
                               "soak-blocking"])
    rows: list[Figures] = []
    started = time.monotonic()
    runs = [
        ("idle", lambda: scenarios.idle(size["idle"])),
        ("burst", lambda: scenarios.burst(size["burst"])),
        ("slow", lambda: scenarios.slow(size["slow"], size["normal"], timeout_ms=3000)),
        ("vanish", lambda: scenarios.vanish(size["vanish"])),
        ("emfile", lambda: as_figures(size["emfile_headroom"], size["emfile_extra"])),
        ("soak-event", lambda: scenarios.soak_event(size["soak"], args.soak_seconds)),
        ("soak-blocking", lambda: scenarios.soak_blocking(size["soak"], args.soak_seconds)),
    ]
    for name, run in runs:
        if name in wanted:
            row = run()
            rows.append(row)
            print(f"{row.name}: {row.connections} connections in {row.seconds:.1f} s; "
                  + "; ".join(row.notes + row.problems()), flush=True)
    print()
    print(_table(rows))
    for note in notes:
        print(note)
    print(f"total {time.monotonic() - started:.0f} s")
    del app
    return 1 if any(row.problems() for row in rows) or any(
        "failed" in row.name for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
