"""``python -m bench.startup``: how long a program waits before its first line runs.

Each row is a fresh interpreter running one snippet, repeated many times (interleaved between
rows, so drift hits every row alike); the table shows the median wall time and the median peak
resident memory (``wait4``'s ru_maxrss), beside the same snippet on PyQt6 where there is one.
``make bench`` runs it after the main benchmark; the table also goes to
``bench/results/startup.md``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.procs import ROOT

RESULTS = ROOT / "bench" / "results" / "startup.md"


@dataclass(frozen=True)
class Row:
    """One snippet: its qtls form, its PyQt6 form (or None), or a command line."""

    label: str
    qtls: list[str]
    pyqt6: list[str] | None = None


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def rows() -> list[Row]:
    script = shutil.which("qtls", path=str(Path(sys.executable).parent))
    return [
        Row("interpreter alone (python -c pass)", _python("pass"), _python("pass")),
        Row("import QtNetwork", _python("import qtls.QtNetwork"),
            _python("import PyQt6.QtNetwork")),
        Row("import QtCore", _python("import qtls.QtCore"), _python("import PyQt6.QtCore")),
        Row("first QSslSocket (import, construct)",
            _python("from qtls.QtNetwork import QSslSocket; QSslSocket()"),
            _python("from PyQt6.QtCore import QCoreApplication; "
                    "from PyQt6.QtNetwork import QSslSocket; QSslSocket()")),
        Row("first QTcpSocket (import, construct)",
            _python("from qtls.QtNetwork import QTcpSocket; QTcpSocket()"),
            _python("from PyQt6.QtNetwork import QTcpSocket; QTcpSocket()")),
        Row("qtls --version", [script, "--version"] if script
            else [sys.executable, "-m", "qtls", "--version"]),
    ]


def _measure(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS in KiB of one run of ``command``."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        error = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise RuntimeError(f"{command}: exit {proc.returncode}: {error.strip()[-300:]}")
    if proc.stderr:
        proc.stderr.close()
    return elapsed, usage.ru_maxrss


def _pyqt6_available() -> bool:
    return subprocess.run(_python("import PyQt6.QtNetwork"), capture_output=True,
                          timeout=60).returncode == 0


def measure(reps: int) -> list[tuple[Row, list[tuple[float, int]], list[tuple[float, int]]]]:
    table: list[tuple[Row, list[tuple[float, int]], list[tuple[float, int]]]] = [
        (row, [], []) for row in rows()]
    pyqt6 = _pyqt6_available()
    env_before = os.environ.get("QT_QPA_PLATFORM")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        for _ in range(reps):  # interleaved: one run of every row, then again
            for row, ours, theirs in table:
                ours.append(_measure(row.qtls))
                if pyqt6 and row.pyqt6 is not None:
                    theirs.append(_measure(row.pyqt6))
    finally:
        if env_before is None:
            os.environ.pop("QT_QPA_PLATFORM", None)
    return table


def _cell(samples: list[tuple[float, int]]) -> str:
    if not samples:
        return "n/a"
    ms = statistics.median(s[0] for s in samples) * 1000
    mib = statistics.median(s[1] for s in samples) / 1024
    return f"{ms:.0f} ms, {mib:.0f} MiB"


def report(table: list[tuple[Row, list[tuple[float, int]], list[tuple[float, int]]]],
           reps: int) -> str:
    lines = [f"# Start-up: median of {reps} runs (wall time, peak RSS)", "",
             f"Python {sys.version.split()[0]}; each run a fresh interpreter.", "",
             "| snippet | qtls | PyQt6 |", "|---|---|---|"]
    for row, ours, theirs in table:
        lines.append(f"| {row.label} | {_cell(ours)} | {_cell(theirs)} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=41, help="runs per snippet (default 41)")
    parser.add_argument("--output", type=Path, default=RESULTS,
                        help="where to write the Markdown table (default %(default)s)")
    args = parser.parse_args(argv)
    text = report(measure(args.reps), args.reps)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
