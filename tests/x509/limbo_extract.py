"""Rebuild ``tests/x509/data/limbo-server.json.gz`` from an x509-limbo checkout.

x509-limbo (https://github.com/C2SP/x509-limbo, Apache-2.0) is a suite of X.509 path-validation
test cases. Its repository ships a generated ``limbo.json`` (tens of MB, with the BetterTLS
cases); when a checkout lacks it, the repository's own generator builds it offline::

    cd x509-limbo && python -m venv .venv && .venv/bin/pip install -e .
    .venv/bin/python -m limbo compile -o limbo.json

(the generator pins its own cryptography; the BetterTLS cases need ``limbo/_assets/bettertls.json``).
This script keeps the SERVER cases that are not BetterTLS ones, which is what qtls tests, and
writes them gzipped with the commit they came from::

    python tests/x509/limbo_extract.py path/to/limbo.json COMMIT [-o tests/x509/data/limbo-server.json.gz]

It needs only the standard library, so it runs in qtls's environment too.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

DEFAULT_OUTPUT = Path(__file__).parent / "data" / "limbo-server.json.gz"


def extract(limbo: dict[str, object], commit: str) -> dict[str, object]:
    """The SERVER cases of a compiled limbo suite, without BetterTLS, with their origin."""
    cases = [
        case
        for case in limbo["testcases"]  # type: ignore[attr-defined]
        if case["validation_kind"] == "SERVER" and not case["id"].startswith("bettertls::")
    ]
    return {
        "origin": "https://github.com/C2SP/x509-limbo",
        "license": "Apache-2.0",
        "commit": commit,
        "filter": "validation_kind == SERVER, BetterTLS cases left out",
        "version": limbo.get("version", 1),  # type: ignore[attr-defined]
        "testcases": cases,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("limbo_json", type=Path)
    parser.add_argument("commit")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    data = extract(json.loads(args.limbo_json.read_text()), args.commit)
    raw = json.dumps(data, indent=1, sort_keys=True).encode()
    args.output.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    print(f"{len(data['testcases'])} SERVER cases -> {args.output}")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
