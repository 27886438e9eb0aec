"""``qtls COMMAND`` and ``python -m qtls COMMAND``: the command-line entry point.

This module stays cheap to import: ``qtls --version`` must answer in a few tens of
milliseconds, so each command's module (and with it pyOpenSSL) is imported only when that
command runs.
"""

from __future__ import annotations

import argparse
import platform
import sys
from collections.abc import Sequence

from qtls import __version__

__all__ = ["main", "version_text"]

PROTOCOL_HELP = ("a Qt protocol name (TlsV1_2, TlsV1_3, TlsV1_2OrLater, TlsV1_3OrLater, "
                 "SecureProtocols) or 1.2, 1.3, 1.2+, 1.3+")


def openssl_version() -> str:
    """The OpenSSL that qtls uses: the one linked into cryptography (and pyOpenSSL)."""
    try:
        from cryptography.hazmat.bindings._rust import openssl as rust_openssl

        return str(rust_openssl.openssl_version_text())
    except Exception:  # an unusual cryptography build: ask the public (slower) API
        from qtls.QtNetwork import QSslSocket

        return QSslSocket.sslLibraryVersionString()


def version_text() -> str:
    return (f"qtls {__version__} ({openssl_version()}, "
            f"Python {platform.python_version()} {platform.python_implementation()})")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qtls",
        description="Qt's SSL networking in Python: connect to a TLS server and see its chain "
                    "and verification errors, run a test server, read certificates and keys.",
        epilog="Exit status: 0 success (for connect and inspect --verify: the peer or chain "
               "was verified), 1 verification or connection failed, 2 bad usage or input.")
    parser.add_argument("--version", action="version", version=version_text())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    from qtls.cli import arguments

    arguments.add_info(commands)
    arguments.add_connect(commands, PROTOCOL_HELP)
    arguments.add_serve(commands, PROTOCOL_HELP)
    arguments.add_inspect(commands)
    commands.add_parser("demo", help="a local server and client talking TLS over 127.0.0.1",
                        description="A QSslServer and a QSslSocket talking over 127.0.0.1: a "
                                    "trusted handshake, a verification failure, ignoring one "
                                    "error, an encrypted exchange.")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit status. Errors are one line on stderr, never a
    traceback."""
    if argv is None:
        argv = sys.argv[1:]
    if list(argv) in (["--version"], ["-V"]):  # the fast path: no parser, no subcommands
        print(version_text())
        return 0
    argv = list(argv)
    if argv[:1] == ["connect"]:  # `qtls connect HOST --cafile X -`: a lone "-" anywhere
        argv = [("--interactive" if a == "-" else a) for a in argv]
    args = _parser().parse_args(argv)
    from qtls.cli.style import CommandError

    try:
        return _run(args)
    except CommandError as error:
        print(f"qtls {args.command}: {error}", file=sys.stderr)
        return error.status
    except BrokenPipeError:  # `qtls info | head`: the reader left; say nothing more
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print(f"qtls {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug: still one line, with what is needed to report it
        print(f"qtls {args.command}: internal error: {type(error).__name__}: {error}",
              file=sys.stderr)
        return 70


def _run(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from qtls.cli.demo import run_demo

        return run_demo()
    if args.command == "info":
        from qtls.cli.info import run_info

        return run_info(args)
    if args.command == "connect":
        from qtls.cli.connect import run_connect

        return run_connect(args)
    if args.command == "serve":
        from qtls.cli.serve import run_serve

        return run_serve(args)
    if args.command == "inspect":
        from qtls.cli.inspect import run_inspect

        return run_inspect(args)
    return 2
