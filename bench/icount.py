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

from bench.plan import MIB

# Workload -> (kind, key, resume, parameter that sets the size, unit, size per unit, sizes).
WORKLOADS: dict[str, tuple[str, str, bool, str, str, int, tuple[int, int]]] = {
    "cap-ecdsa": ("cap", "ecdsa", False, "count", "handshake", 1, (100, 300)),
    "cap-rsa": ("cap", "rsa", False, "count", "handshake", 1, (100, 300)),
    "cap-ecdsa-resumed": ("cap", "ecdsa", True, "count", "handshake", 1, (100, 300)),
    "pingpong": ("pingpong", "ecdsa", False, "round_trips", "round trip", 1, (1000, 5000)),
    "bulk": ("bulk", "ecdsa", False, "total", "MiB", MIB, (32 * MIB, 96 * MIB)),
}

_DEFAULT_PARAMS: dict[str, dict[str, Any]] = {
    "cap": {"concurrency": 32},
    "pingpong": {"count": 1, "size": 64},
    "bulk": {"chunk": 64 * 1024},
}


def _spec(workload: str, size: int, certs: dict[str, dict[str, str]], prefix: str) -> dict[str, Any]:
    kind, key, resume, parameter, _unit, _per, _sizes = WORKLOADS[workload]
    params = dict(_DEFAULT_PARAMS[kind], **{parameter: size})
    return {"family": "qt", "prefix": prefix, "loop": "", "pinned": True, "workload": kind,
            "key": key, "resume": resume, "certs": certs[key], "params": params,
            "timeout": 600.0, "ports": []}


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
    out = tempfile.mktemp(prefix="icount-")
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={out}",
               sys.executable, __file__, "--inner", json.dumps(spec)]
    # This file runs the workload, and ``root``'s qtls and benchmark code is what it imports:
    # a checkout from before this tool existed can be measured too.
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=str(root))
    try:
        done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                              timeout=1800)
    finally:
        if os.path.exists(out):
            os.unlink(out)
    match = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"valgrind run failed ({done.returncode}): {done.stderr[-800:]}")
    return int(match.group(1).replace(",", ""))


def measure(workload: str, root: Path, certs: dict[str, dict[str, str]],
            sizes: tuple[int, int] | None = None) -> float:
    """Instructions per unit of ``workload`` for the checkout at ``root`` (``sizes``: the two
    sizes to run instead of the workload's own)."""
    _kind, _key, _resume, _parameter, _unit, per, default_sizes = WORKLOADS[workload]
    small, large = sizes or default_sizes
    low = _instructions(_spec(workload, small, certs, "qtls"), root)
    high = _instructions(_spec(workload, large, certs, "qtls"), root)
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
            unit = WORKLOADS[name][4]
            for root in roots:
                value = measure(name, root, certs)
                print(f"{name:18} {value:14,.0f} instructions per {unit}  ({root})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
