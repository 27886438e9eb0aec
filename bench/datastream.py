"""QDataStream throughput: qtls against PyQt6, writing and reading N mixed values.

    python -m bench.datastream [--values 1000000] [--reps 5]

One value in ten of each kind: int8, int16, int32, uint32, int64, bool, double, float
(DoublePrecision: 8 bytes), a short QString and a short byte string (writeBytes), written into a
QByteArray through ``QDataStream(array, WriteOnly)`` and read back through
``QDataStream(array)``. Repetitions alternate between the implementations (qtls, PyQt6, qtls,
...); the table shows the median and (min–max) of each, in million values per second, and the
ratio of the medians. Both run in this one process, so keep the machine otherwise quiet.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import types
from collections.abc import Callable
from typing import Any

KINDS = 10


def _writer(core: types.ModuleType, values: int) -> Callable[[], Any]:
    def run() -> Any:
        array = core.QByteArray()
        stream = core.QDataStream(array, core.QIODeviceBase.OpenModeFlag.WriteOnly)
        w8, w16, w32 = stream.writeInt8, stream.writeInt16, stream.writeInt32
        wu32, w64, wb = stream.writeUInt32, stream.writeInt64, stream.writeBool
        wd, wf, ws, wby = stream.writeDouble, stream.writeFloat, stream.writeQString, \
            stream.writeBytes
        for i in range(values // KINDS):
            w8(i & 0x7F)
            w16(i & 0x7FFF)
            w32(i)
            wu32(i)
            w64(i * 1000)
            wb(i & 1)
            wd(i * 0.5)
            wf(1.5)
            ws("hello")
            wby(b"bytes")
        return array

    return run


def _reader(core: types.ModuleType, data: Any, values: int) -> Callable[[], Any]:
    def run() -> Any:
        stream = core.QDataStream(data)
        r8, r16, r32 = stream.readInt8, stream.readInt16, stream.readInt32
        ru32, r64, rb = stream.readUInt32, stream.readInt64, stream.readBool
        rd, rf, rs, rby = stream.readDouble, stream.readFloat, stream.readQString, \
            stream.readBytes
        last = None
        for _ in range(values // KINDS):
            r8()
            r16()
            r32()
            ru32()
            r64()
            rb()
            rd()
            rf()
            rs()
            last = rby()
        assert stream.status() == core.QDataStream.Status.Ok and stream.atEnd(), "read failed"
        return last

    return run


def _time(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def measure(values: int, reps: int) -> dict[str, dict[str, list[float]]]:
    """Seconds per run: {impl: {"write": [...], "read": [...]}}."""
    import qtls.QtCore as qtls_core

    impls: dict[str, types.ModuleType] = {"qtls": qtls_core}
    try:
        import PyQt6.QtCore as pyqt_core

        impls["PyQt6"] = pyqt_core
    except ImportError:
        print("PyQt6 is not installed: measuring qtls alone", file=sys.stderr)
    results: dict[str, dict[str, list[float]]] = {
        name: {"write": [], "read": []} for name in impls}
    blobs: dict[str, bytes] = {}
    for rep in range(reps):
        order = list(impls.items())
        if rep % 2:
            order.reverse()
        for name, core in order:
            seconds, array = _time(_writer(core, values))
            results[name]["write"].append(seconds)
            blobs[name] = bytes(array)
            seconds, _ = _time(_reader(core, core.QByteArray(blobs[name]), values))
            results[name]["read"].append(seconds)
    if len(blobs) == 2:
        assert blobs["qtls"] == blobs["PyQt6"], "qtls and PyQt6 wrote different bytes"
    return results


def report(values: int, results: dict[str, dict[str, list[float]]]) -> str:
    """A markdown table: million values per second, median and (min–max)."""

    def cell(samples: list[float]) -> str:
        rates = sorted(values / s / 1e6 for s in samples)
        return f"{statistics.median(rates):.2f} ({rates[0]:.2f}–{rates[-1]:.2f})"

    names = list(results)
    lines = [
        f"QDataStream, {values:,} mixed values, million values/s",
        "",
        "| operation | " + " | ".join(names) + (" | qtls / PyQt6 |" if len(names) == 2 else " |"),
        "|---" * (len(names) + 1 + (len(names) == 2)) + "|",
    ]
    for op in ("write", "read"):
        row = f"| {op} | " + " | ".join(cell(results[n][op]) for n in names)
        if len(names) == 2:
            ratio = statistics.median(results["PyQt6"][op]) / statistics.median(
                results["qtls"][op])
            row += f" | {ratio:.2f}"
        lines.append(row + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.datastream", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    values = max(KINDS, args.values // KINDS * KINDS)
    print(report(values, measure(values, max(1, args.reps))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
