"""The long fuzz run (``make fuzz``): atheris, coverage-guided, on the same targets.

``python -m tests.fuzz.long [--seconds N] [target ...]`` runs each target in its own process
(libFuzzer ends the process when it stops) for N seconds, starting from a corpus of the valid
encodings of :mod:`tests.fuzz.seeds`, and prints how many inputs each one ran. A target that
lets an exception escape makes atheris print the traceback and save the input in
``fuzz-artifacts/`` (``crash-<hash>``); the run then fails.

Targets: the parsers of :mod:`tests.fuzz.parsers` (the input is the encoding itself), and
``engine`` (the input chooses the version, the direction, the record, the action and the
mutation of :func:`tests.fuzz.engine_target.run`).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ENGINE = "engine"


def _engine_input(data: bytes) -> None:
    import atheris

    from qtls.ssl.engine import TlsVersion

    from .engine_target import ACTIONS, run
    from .mutate import mutations_from_bytes

    fdp = atheris.FuzzedDataProvider(data)
    version = TlsVersion.TLS1_3 if fdp.ConsumeBool() else TlsVersion.TLS1_2
    client_to_server = fdp.ConsumeBool()
    index = fdp.ConsumeIntInRange(0, 12)
    action = ACTIONS[fdp.ConsumeIntInRange(0, len(ACTIONS) - 1)]
    chunk = (0, 0, 1, 2, 5, 16, 1000)[fdp.ConsumeIntInRange(0, 6)]
    junk = fdp.ConsumeBytes(fdp.ConsumeIntInRange(1, 40)) or b"\x16"
    steps = mutations_from_bytes(fdp.ConsumeBytes(20)) or [("flip", 0, 0)]
    outcome = run(version, client_to_server, index, action, steps, junk, chunk)
    if action == "split" and outcome.tampered:
        assert outcome.completed, "a split record broke the connection"


def _fuzz_one(target: str, libfuzzer_args: list[str]) -> None:
    import atheris

    warnings.simplefilter("ignore")
    with atheris.instrument_imports(include=["qtls"]):
        from qtls import QtNetwork  # noqa: F401  (instrument the whole package's imports)
        from qtls.ssl.engine import engine  # noqa: F401

        from . import parsers

    test = _engine_input if target == ENGINE else parsers.TARGETS[target]
    atheris.Setup([sys.argv[0], *libfuzzer_args], test)
    atheris.Fuzz()


def _corpus(target: str, folder: Path) -> None:
    from . import parsers

    seeds = [bytes(64), bytes(range(64))] if target == ENGINE else parsers.seed_inputs(target)
    for i, seed in enumerate(seeds):
        (folder / f"seed-{i}").write_bytes(seed)


def main(argv: list[str] | None = None) -> int:
    from . import parsers

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--one"]:  # (a child: the rest is libFuzzer's)
        _fuzz_one(argv[1], argv[2:])
        return 0
    names = [*parsers.TARGETS, ENGINE]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="per target")
    parser.add_argument("targets", nargs="*", help=f"some of {', '.join(names)} (default: all)")
    args = parser.parse_args(argv)
    unknown = set(args.targets) - set(names)
    if unknown:
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
    failed = []
    artifacts = Path("fuzz-artifacts")
    artifacts.mkdir(exist_ok=True)
    for target in args.targets or names:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp)
            _corpus(target, corpus)
            started = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "tests.fuzz.long", "--one", target,
                 f"-max_total_time={args.seconds}", "-rss_limit_mb=2048", "-timeout=20",
                 f"-artifact_prefix={artifacts}/",
                 str(corpus)], capture_output=True, text=True, check=False)
            log = done.stderr
            runs = re.findall(r"Done (\d+) runs", log)
            print(f"{target}: {runs[-1] if runs else '?'} inputs in "
                  f"{time.monotonic() - started:.0f} s, exit {done.returncode}", flush=True)
            if done.returncode != 0:
                failed.append(target)
                print(log[-4000:], flush=True)
    print(f"fuzz targets with a finding: {len(failed)}" + (f" ({', '.join(failed)})" if failed
                                                           else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
