"""``python -m qtls COMMAND``: the command-line entry point."""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="qtls", description="Qt's SSL networking in Python.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="a local server and client talking over 127.0.0.1")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from qtls.cli.demo import run_demo

        return run_demo()
    return 2
