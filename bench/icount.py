"""Instructions per unit of work, counted by valgrind: ``python -m bench.icount``.

Not a row of the table: a tool for judging one change against another. On this kind of machine
the wall-clock rows move by 20-40 % from run to run, so a change worth 1-2 % cannot be seen in
them, however many repetitions are interleaved. The number of instructions executed is the same
from run to run to within ~0.05 %, so it shows such a change at once (``--root`` points at
another checkout, e.g. a ``git worktree`` of the previous commit, to compare the two).

Each workload runs the benchmark's own Qt-style code (:mod:`bench.qtstyle`), server and client in
one process on 127.0.0.1, under ``valgrind --tool=cachegrind`` at two sizes; the difference
divided by the difference in size is the cost of one unit (handshake, round trip, MiB) for
both sides together, free of start-up costs. Instructions are not time: system calls, cache
misses and waiting are not in them, so use it for CPU work done in Python and OpenSSL.
Needs valgrind (``apt install valgrind``); a run takes about a minute per workload.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.plan import IMPLS, MIB, Workload, workloads

# Benchmark workload id -> (the parameter that sets its size, unit, size per unit, the two
# sizes measured). Everything else (key, resumption, other parameters) is the benchmark's own.
WORKLOADS: dict[str, tuple[str, str, int, tuple[int, int]]] = {
    "cap-ecdsa": ("count", "handshake", 1, (100, 300)),
    "cap-rsa": ("count", "handshake", 1, (100, 300)),
    "cap-ecdsa-resumed": ("count", "handshake", 1, (100, 300)),
    "pingpong": ("round_trips", "round trip", 1, (1000, 5000)),
    "bulk": ("total", "MiB", MIB, (32 * MIB, 96 * MIB)),
}


def workload_of(name: str) -> Workload:
    """The benchmark's workload ``name`` (full sizes)."""
    return next(w for w in workloads(False) if w.id == name)


def _spec(workload: str, size: int, certs: dict[str, dict[str, str]]) -> dict[str, Any]:
    """What bench.run hands a qtls worker for ``workload``, at ``size``."""
    w = workload_of(workload)
    qtls = next(impl for impl in IMPLS if impl.name == "qtls")
    params = dict(w.params, **{WORKLOADS[workload][0]: size})
    return dict(qtls.spec(), workload=w.kind, key=w.key, resume=w.resume, certs=certs[w.key],
                params=params, timeout=600.0, ports=[])


def run_inner(spec: dict[str, Any]) -> None:
    """Both sides of ``spec`` in this process, until both have a result."""
    from bench import qtstyle
    from bench.qtcommon import QtModules

    qt = QtModules(spec["prefix"])
    ports: list[int] = []
    server = qtstyle.QtServer(qt, dict(spec, role="server"), ports.append)
    server.start()
    client = qtstyle.QtClient(qt, dict(spec, role="client", port=ports[0]))
    client.start()
    sides = (server, client)
    for _ in range(10):  # each side's finish() quits the loop once
        if any(side.error for side in sides) or all(side.result for side in sides):
            break
        qt.app.exec()
    errors = [side.error for side in sides if side.error]
    if errors or not all(side.result for side in sides):
        raise SystemExit(f"icount: workload failed: {errors or 'no result'}")


def _instructions(spec: dict[str, Any], root: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="icount-") as directory:
        out = os.path.join(directory, "cachegrind.out")
        command = ["valgrind", "--tool=cachegrind", "--cache-sim=no",
                   f"--cachegrind-out-file={out}", sys.executable, __file__, "--inner",
                   json.dumps(spec)]
        # This file runs the workload, and ``root``'s qtls and benchmark code is what it
        # imports: a checkout from before this tool existed can be measured too.
        env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=str(root))
        done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                              timeout=1800)
    match = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"valgrind run failed ({done.returncode}): {done.stderr[-800:]}")
    return int(match.group(1).replace(",", ""))


def measure(workload: str, root: Path, certs: dict[str, dict[str, str]],
            sizes: tuple[int, int] | None = None) -> float:
    """Instructions per unit of ``workload`` for the checkout at ``root`` (``sizes``: the two
    sizes to run instead of the workload's own)."""
    _parameter, _unit, per, default_sizes = WORKLOADS[workload]
    small, large = sizes or default_sizes
    low = _instructions(_spec(workload, small, certs), root)
    high = _instructions(_spec(workload, large, certs), root)
    return (high - low) / ((large - small) / per)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.icount", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--workloads", default="cap-ecdsa,pingpong,bulk",
                        help=f"comma-separated, of: {', '.join(WORKLOADS)}")
    parser.add_argument("--root", action="append", default=[],
                        help="a checkout to measure (repeat to compare; default: this one)")
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        run_inner(json.loads(args.inner))
        return 0
    if shutil.which("valgrind") is None:
        print("icount: valgrind is not installed (apt install valgrind)", file=sys.stderr)
        return 2
    from bench.certs import write_certificates

    roots = [Path(r).resolve() for r in args.root] or [Path(__file__).resolve().parent.parent]
    names = [w for w in args.workloads.split(",") if w]
    unknown = [w for w in names if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workloads: {', '.join(unknown)}")
    with tempfile.TemporaryDirectory(prefix="icount-certs-") as directory:
        certs = {key: write_certificates(Path(directory), key) for key in ("ecdsa", "rsa")}
        for name in names:
            unit = WORKLOADS[name][1]
            for root in roots:
                value = measure(name, root, certs)
                print(f"{name:18} {value:14,.0f} instructions per {unit}  ({root})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
