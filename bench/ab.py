"""Wall-clock A/B of two checkouts on one workload: ``python -m bench.ab``.

Not a row of the table: a tool for judging a change by time, next to ``bench.icount`` (which
counts instructions and so cannot see system calls, cache misses or waiting). On a noisy
machine the table's medians of three move by 20-40 % from run to run; what this tool does
against that is pairing. It measures the two checkouts alternately, in ABBA order (A B, B A,
A B, ...), so that drift of the machine hits both alike, and reports, besides each side's
median, the median of the per-pair ratios B ÷ A: a pair's two measurements ran seconds apart,
under nearly the same conditions.

Each measurement is exactly what ``python -m bench`` runs for that workload and implementation
(fresh pinned server and client processes), started from inside the checkout, so that its qtls
and its benchmark code are the ones imported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.certs import write_certificates
from bench.plan import IMPLS, workloads
from bench.procs import pinning_available, run_measurement

#: A single measurement's own deadline comes from its workload; this bounds a checkout whose
#: runner hangs before it even starts one.
_MEASUREMENT_LIMIT = 900.0


def measure_once(workload_id: str, impl_name: str, smoke: bool) -> dict[str, Any]:
    """One measurement in this checkout: {"value": metric} or {"error": why}."""
    # (Imported here: the checkout measured may predate bench.run's current layout.)
    from bench.run import OPENSSL_PINNED_CONF, Runner

    workload = next((w for w in workloads(smoke) if w.id == workload_id), None)
    impl = next((i for i in IMPLS if i.name == impl_name), None)
    if workload is None or impl is None:
        return {"error": f"unknown workload {workload_id!r} or implementation {impl_name!r}"}
    with tempfile.TemporaryDirectory(prefix="qtls-ab-") as scratch:
        directory = Path(scratch)
        certs = {workload.key: write_certificates(directory, workload.key)}
        conf = directory / "openssl-pinned.cnf"
        conf.write_text(OPENSSL_PINNED_CONF)
        runner = Runner([impl], certs, conf, pinning_available())
        outcome = run_measurement(runner.measurement(impl, workload), env=runner._env(impl),
                                  pin=runner.pin)
    if outcome.error is not None or outcome.server is None or outcome.client is None:
        return {"error": outcome.error or "no result"}
    return {"value": workload.metric(outcome.server, outcome.client)}


def _measure_in(root: Path, workload_id: str, impl_name: str, smoke: bool) -> float | str:
    """One measurement run from ``root``: its value, or why it failed."""
    # This file runs the measurement, and ``root``'s benchmark and qtls are what it imports
    # (as bench.icount does): a checkout from before this tool existed can be measured too.
    command = [sys.executable, __file__, "--one", "--workload", workload_id,
               "--impl", impl_name] + (["--smoke"] if smoke else [])
    env = dict(os.environ, PYTHONPATH=str(root), QT_QPA_PLATFORM="offscreen")
    try:
        done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                              timeout=_MEASUREMENT_LIMIT)
    except subprocess.TimeoutExpired:
        return f"no answer within {_MEASUREMENT_LIMIT:.0f} s"
    lines = done.stdout.strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        answer = {}
    if "value" in answer:
        return float(answer["value"])
    return str(answer.get("error") or f"exit {done.returncode}: {done.stderr.strip()[-300:]}")


def compare(roots: tuple[Path, Path], workload_id: str, pairs: int, impl_name: str = "qtls",
            smoke: bool = False, echo: Any = print) -> dict[str, Any]:
    """Measure ``pairs`` ABBA pairs of the two checkouts; the values and their summary.

    Returns {"a": [...], "b": [...], "ratios": [...], "errors": [...]} and, when every pair
    has both values, "median_a", "median_b" and "median_ratio" (B ÷ A).
    """
    values: tuple[list[float], list[float]] = ([], [])
    ratios: list[float] = []
    errors: list[str] = []
    for pair in range(pairs):
        order = (0, 1) if pair % 2 == 0 else (1, 0)
        got: dict[int, float] = {}
        for side in order:
            result = _measure_in(roots[side], workload_id, impl_name, smoke)
            if isinstance(result, str):
                errors.append(f"pair {pair + 1}, {'AB'[side]}: {result}")
            else:
                got[side] = result
                values[side].append(result)
        if len(got) == 2:
            ratios.append(got[1] / got[0])
        echo(f"pair {pair + 1:2}: A {got.get(0, float('nan')):10.1f}   "
             f"B {got.get(1, float('nan')):10.1f}   "
             + (f"B/A {ratios[-1]:.3f}" if len(got) == 2 else "failed"), flush=True)
    summary: dict[str, Any] = {"a": values[0], "b": values[1], "ratios": ratios,
                               "errors": errors}
    if ratios and not errors:
        summary.update(median_a=statistics.median(values[0]),
                       median_b=statistics.median(values[1]),
                       median_ratio=statistics.median(ratios))
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ab",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", required=True, help="a workload id of python -m bench")
    parser.add_argument("--root", action="append", default=[], type=Path,
                        help="a checkout (give two: A, then B)")
    parser.add_argument("--pairs", type=int, default=8, help="ABBA pairs (default 8)")
    parser.add_argument("--impl", default="qtls", help="the implementation (default qtls)")
    parser.add_argument("--smoke", action="store_true", help="the workload's tiny sizes")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure_once(args.workload, args.impl, args.smoke)), flush=True)
        return 0
    if len(args.root) != 2 or args.pairs < 1:
        parser.error("give exactly two --root checkouts and --pairs >= 1")
    roots = (args.root[0].resolve(), args.root[1].resolve())
    summary = compare(roots, args.workload, args.pairs, args.impl, args.smoke)
    for error in summary["errors"]:
        print(f"failed: {error}", file=sys.stderr)
    if "median_ratio" not in summary:
        return 1
    print(f"A {roots[0]}: median {summary['median_a']:.1f}")
    print(f"B {roots[1]}: median {summary['median_b']:.1f}")
    print(f"B/A: median of the {len(summary['ratios'])} pair ratios "
          f"{summary['median_ratio']:.3f} ({min(summary['ratios']):.3f}-"
          f"{max(summary['ratios']):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
