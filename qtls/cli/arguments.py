"""Each command's options, kept apart from the commands so that building the parser imports
nothing heavy."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_info", "add_connect", "add_serve", "add_inspect"]

Commands = Any  # argparse's _SubParsersAction, private in typeshed


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def _credentials(parser: argparse.ArgumentParser, whose: str) -> None:
    parser.add_argument("--cert", metavar="FILE",
                        help=f"{whose} certificate (PEM, DER or a PKCS#12 bundle holding the key "
                             "too), with the chain after it in a PEM file")
    parser.add_argument("--key", metavar="FILE",
                        help="its private key (PEM or DER; RSA, EC or DSA); not needed with "
                             "PKCS#12")
    parser.add_argument("--passphrase", metavar="TEXT",
                        help="pass phrase of an encrypted key or PKCS#12 bundle (asked for on "
                             "the terminal when needed and not given)")


def _tls(parser: argparse.ArgumentParser, protocol_help: str) -> None:
    parser.add_argument("--alpn", metavar="LIST",
                        help="application protocols to offer, by preference, comma separated "
                             "(h2,http/1.1)")
    parser.add_argument("--protocol", metavar="RANGE", help=protocol_help)
    parser.add_argument("--cafile", metavar="FILE",
                        help="trust only the CA certificates in FILE (PEM or DER), not the "
                             "system's")


def add_info(commands: Commands) -> None:
    info = commands.add_parser(
        "info", help="the TLS backend: protocols, ciphers, groups, features, system CAs",
        description="What qtls's TLS backend supports, as QSslSocket and QSslConfiguration "
                    "report it, and where the system CA certificates come from.")
    info.add_argument("--json", action="store_true", help="one JSON document")


def add_connect(commands: Commands, protocol_help: str) -> None:
    connect = commands.add_parser(
        "connect", help="connect to a TLS server and show the handshake, chain and errors",
        description="Connect with QSslSocket, print each state change with its time, the "
                    "session (protocol, cipher, group, ALPN, resumption, OCSP), the peer's "
                    "chain and every verification error by Qt's name. Exit status 0 when the "
                    "peer was verified, 1 when it was not or the connection failed.")
    connect.add_argument("target", metavar="HOST[:PORT]",
                         help="server to reach; port 443 by default; [::1]:4433 for IPv6")
    # "-" may come anywhere after the command: main() turns it into --interactive first, as
    # argparse takes positionals only in one run.
    connect.add_argument("--interactive", "-", dest="interactive", action="store_true",
                         help="(or a lone '-') after the handshake, send what is typed or "
                              "piped on stdin to the peer and print what the peer sends, until "
                              "the end of input and a second of silence, or the peer's close")
    connect.add_argument("--servername", metavar="NAME",
                         help="name to send (SNI) and to verify, instead of HOST")
    _tls(connect, protocol_help)
    _credentials(connect, "client")
    connect.add_argument("--starttls", choices=["smtp", "imap", "pop3", "ftp", "xmpp"],
                         help="talk the protocol in plain text first, then start TLS on the "
                              "same connection")
    connect.add_argument("--ignore", metavar="ERROR", nargs="+", default=[],
                         help="verification errors to accept, by Qt's name "
                              "(SelfSignedCertificate, HostNameMismatch, ...) or 'all'; the "
                              "peer then counts as connected, not verified")
    connect.add_argument("--ocsp", action="store_true",
                         help="ask the server to staple an OCSP response and check it")
    connect.add_argument("--session-out", metavar="FILE",
                         help="save the session ticket to FILE for a later --session-in")
    connect.add_argument("--session-in", metavar="FILE",
                         help="resume the session saved in FILE")
    connect.add_argument("--timeout", type=_seconds, default=10.0, metavar="SECONDS",
                         help="limit for each step (connecting, handshake, reading); default 10")
    connect.add_argument("--json", action="store_true", help="one JSON document")


def add_serve(commands: Commands, protocol_help: str) -> None:
    serve = commands.add_parser(
        "serve", help="a TLS test server (echo or HTTP), with a throwaway CA if you have none",
        description="Listen with QSslServer and print each client's handshake. Without --cert, "
                    "a throwaway CA and a certificate for localhost, 127.0.0.1 and ::1 are made "
                    "on the spot; --write-ca saves the CA so a client can trust it.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=4433,
                       help="port to listen on (4433); 0 picks a free one")
    _credentials(serve, "the server's")
    _tls(serve, protocol_help)
    serve.add_argument("--write-ca", metavar="FILE",
                       help="write the throwaway CA's certificate (PEM) to FILE")
    serve.add_argument("--write-client-cert", metavar="FILE",
                       help="also issue a client certificate from the throwaway CA, to FILE")
    serve.add_argument("--write-client-key", metavar="FILE",
                       help="the client certificate's private key (PEM), to FILE")
    serve.add_argument("--verify-client", action="store_true",
                       help="mutual TLS: require a client certificate signed by --cafile's CAs "
                            "(or by the throwaway CA)")
    serve.add_argument("--http", action="store_true",
                       help="answer each request with a minimal HTTP response, instead of "
                            "echoing")
    serve.add_argument("--max-clients", type=int, metavar="N",
                       help="stop after N clients were served (with --workers: each worker)")
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="N processes accepting on one shared listening socket, to use more "
                            "cores (Linux and other POSIX systems); one that dies is restarted")
    serve.add_argument("--reuse-port", action="store_true",
                       help="with --workers: a listening socket per worker (SO_REUSEPORT), "
                            "connections spread evenly, but those queued on a worker that "
                            "dies are lost")
    serve.add_argument("--duration", type=_seconds, metavar="SECONDS",
                       help="stop after SECONDS")


def add_inspect(commands: Commands) -> None:
    inspect = commands.add_parser(
        "inspect", help="show certificates, chains, keys and PKCS#12 bundles",
        description="Read certificates, chains, keys and PKCS#12 bundles (PEM or DER) and show "
                    "them as QSslCertificate and QSslKey see them. With --verify, verify the "
                    "certificates as one chain (leaf first) and print Qt's list of errors; exit "
                    "status 0 when there is none.")
    inspect.add_argument("files", nargs="+", metavar="FILE")
    inspect.add_argument("--passphrase", metavar="TEXT",
                         help="pass phrase of encrypted keys and PKCS#12 bundles")
    inspect.add_argument("--verify", action="store_true",
                         help="verify the certificates found, as one chain, leaf first")
    inspect.add_argument("--cafile", metavar="FILE",
                         help="with --verify: trust the CAs in FILE instead of the system's")
    inspect.add_argument("--host", metavar="NAME",
                         help="with --verify: the host name the leaf must carry")
    inspect.add_argument("--json", action="store_true", help="one JSON document")
