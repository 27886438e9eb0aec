"""``qtls connect HOST[:PORT]``: a friendlier ``openssl s_client`` on QSslSocket.

The handshake runs with Qt's blocking calls (waitForConnected, waitForEncrypted), which emit the
socket's signals as they go: each signal becomes a timestamped line. Then the session, the
peer's chain and every verification error are printed by Qt's names; the exit status is 0 only
when the peer was verified (no error, none ignored).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from qtls.cli import describe, starttls, tlsoptions
from qtls.cli.style import CommandError, Out
from qtls.QtCore import QCoreApplication, QEventLoop, QSocketNotifier, QTimer
from qtls.QtNetwork import QSsl, QSslConfiguration, QSslError, QSslSocket

__all__ = ["run_connect", "parse_target"]

State = QSslSocket.SocketState
QUIET_AFTER_INPUT_S = 1.0  # after the end of input, how long the peer may stay silent
# After a TLS 1.3 handshake the server may still refuse the client (a missing or bad client
# certificate is only checked then) or send session tickets: read this long to hear it.
SETTLE_S = 0.2


def parse_target(target: str, default_port: int = 443) -> tuple[str, int]:
    """``host``, ``host:port``, ``[v6]:port`` or a bare IPv6 address."""
    host, port = target, str(default_port)
    if target.startswith("["):
        host, _, rest = target[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                raise CommandError(f"bad target {target!r}: expected [ADDRESS]:PORT")
            port = rest[1:]
    elif target.count(":") == 1:
        host, port = target.split(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"bad target {target!r}: expected HOST[:PORT] with a port 1-65535")
    return host, int(port)


def _ignorable(names: list[str]) -> set[str] | None:
    """The error names of --ignore, checked against QSslError.SslError; None means all."""
    if any(n.lower() == "all" for n in names):
        return None
    known = {e.name for e in QSslError.SslError}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise CommandError(f"--ignore: unknown error {unknown[0]!r}; Qt's names are "
                           f"QSslError.SslError members, e.g. SelfSignedCertificate, "
                           f"HostNameMismatch, CertificateExpired (or 'all')")
    return set(names)


def _session_resumed(sock: QSslSocket) -> bool | None:
    # Qt has no public API for this; qtls keeps it on the socket for diagnostics.
    value = getattr(sock, "_session_resumed", None)
    return value if isinstance(value, bool) else None


class Connection:
    """One run of the command: the socket, what it said, and the document built from it."""

    def __init__(self, args: argparse.Namespace, out: Out) -> None:
        self.args = args
        self.out = out
        self.host, self.port = parse_target(args.target)
        self.peer_name = args.servername or self.host
        self.ignore = _ignorable(args.ignore)
        self.events: list[dict[str, Any]] = []
        self.ignored: list[QSslError] = []
        self.received = bytearray()
        self.fatal_alert: str | None = None
        self.close_notified = False
        self.sock = QSslSocket()
        self.sock.setSslConfiguration(self._configuration())
        self._watch()

    def _configuration(self) -> QSslConfiguration:
        args = self.args
        conf = tlsoptions.configure(self.sock.sslConfiguration(), args)
        if args.ocsp:
            conf.setOcspStaplingEnabled(True)
        if args.session_in or args.session_out:
            # Qt keeps no session unless persistence is switched back on.
            conf.setSslOption(QSsl.SslOption.SslOptionDisableSessionPersistence, False)
        if args.session_in:
            try:
                with open(args.session_in, "rb") as stream:
                    conf.setSessionTicket(stream.read())
            except OSError as error:
                raise CommandError(f"{args.session_in}: {error.strerror or error}") from None
        return conf

    # -- what the socket says, as it says it -------------------------------------------------

    def say(self, text: str) -> None:
        self.events.append({"ms": round(self.out.elapsed_ms(), 1), "event": text})
        self.out.event(text)

    def _watch(self) -> None:
        s, say = self.sock, self.say
        s.stateChanged.connect(lambda state: say(f"stateChanged({state.name})"))
        s.connected.connect(lambda: say("connected"))
        s.modeChanged.connect(lambda mode: say(f"modeChanged({mode.name})"))
        s.encrypted.connect(lambda: say("encrypted"))
        s.disconnected.connect(lambda: say("disconnected"))
        s.peerVerifyError.connect(lambda e: say(f"peerVerifyError({e.error().name})"))
        s.sslErrors.connect(self._on_ssl_errors)
        s.errorOccurred.connect(lambda e: say(f"errorOccurred({e.name}): {s.errorString()}"))
        s.alertSent.connect(lambda level, kind, text: say(f"alertSent({level.name}, {kind.name})"))
        s.alertReceived.connect(self._on_alert)
        s.newSessionTicketReceived.connect(lambda: say("newSessionTicketReceived"))

    def _on_alert(self, level: QSsl.AlertLevel, kind: QSsl.AlertType, text: str) -> None:
        self.say(f"alertReceived({level.name}, {kind.name})")
        if kind is QSsl.AlertType.CloseNotify:
            self.close_notified = True
        elif level is QSsl.AlertLevel.Fatal:
            self.fatal_alert = f"{kind.name}: {text}" if text else kind.name

    def _on_ssl_errors(self, errors: list[QSslError]) -> None:
        names = [e.error().name for e in errors]
        self.say(f"sslErrors([{', '.join(names)}])")
        if self.ignore is None or all(n in self.ignore for n in names):
            self.ignored = list(errors)
            self.sock.ignoreSslErrors()
            self.say("ignoring them (--ignore)")

    # -- the steps ------------------------------------------------------------------------------

    def handshake(self) -> bool:
        args, sock, ms = self.args, self.sock, int(self.args.timeout * 1000)
        target = f"{self.host}:{self.port}"
        if args.starttls:
            self.say(f"connectToHost({target}), then STARTTLS ({args.starttls})")
            sock.connectToHost(self.host, self.port)
            if not sock.waitForConnected(ms):
                return False
            starttls.negotiate(sock, args.starttls, self.peer_name, args.timeout, self.say)
            sock.setPeerVerifyName(self.peer_name)
            sock.startClientEncryption()
        else:
            self.say(f"connectToHostEncrypted({target}, peer name {self.peer_name!r})")
            sock.connectToHostEncrypted(self.host, self.port, self.peer_name)
        return sock.waitForEncrypted(ms)

    def settle(self) -> None:
        """Read for a moment after the handshake: a TLS 1.3 server's verdict on the client's
        certificate (a fatal alert) and its session tickets come after ``encrypted``. With
        --session-out, read until a ticket came (bounded)."""
        wanted = self.args.session_out is not None
        limit = min(self.args.timeout, 2.0) if wanted else SETTLE_S
        deadline = time.monotonic() + limit
        while (self.sock.state() is State.ConnectedState
               and not (wanted and not self.sock.sslConfiguration().sessionTicket().isEmpty())):
            remaining = int((deadline - time.monotonic()) * 1000)
            if remaining <= 0:
                break
            self.sock.waitForReadyRead(min(remaining, 100))
        self.received += bytes(self.sock.readAll())
        if (self.fatal_alert is None and not self.close_notified
                and self.sock.state() is not State.ConnectedState):
            self.fatal_alert = ("the peer closed the connection right after the handshake, "
                                "without close_notify (did it refuse the client certificate?)")

    def save_ticket(self) -> None:
        ticket = bytes(self.sock.sslConfiguration().sessionTicket())
        if not ticket:
            self.say("no session ticket to save (the server sent none)")
            return
        try:
            with open(self.args.session_out, "wb") as stream:
                stream.write(ticket)
        except OSError as error:
            raise CommandError(f"{self.args.session_out}: {error.strerror or error}") from None
        self.say(f"session ticket saved to {self.args.session_out} ({len(ticket)} bytes)")

    def interact(self) -> None:
        """Lines from stdin to the peer, the peer's bytes to stdout, until the end of input and
        a quiet peer, or the peer's close."""
        sock = self.sock
        loop = QEventLoop()
        quiet = QTimer()
        quiet.setSingleShot(True)
        quiet.timeout.connect(sock.disconnectFromHost)
        sock.disconnected.connect(loop.quit)
        stdin = sys.stdin.fileno()
        notifier = QSocketNotifier(stdin, QSocketNotifier.Type.Read)

        def on_input() -> None:
            data = os.read(stdin, 65536)
            if not data:
                notifier.setEnabled(False)
                quiet.start(int(QUIET_AFTER_INPUT_S * 1000))
                return
            sock.write(data)

        def on_ready_read() -> None:
            data = bytes(sock.readAll())
            self.received += data
            if not self.out.json:
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
            if quiet.isActive():
                quiet.start(int(QUIET_AFTER_INPUT_S * 1000))

        notifier.activated.connect(on_input)
        sock.readyRead.connect(on_ready_read)
        if self.received and not self.out.json:
            sys.stdout.buffer.write(bytes(self.received))
        if sock.state() is State.ConnectedState:
            loop.exec()
        notifier.setEnabled(False)

    def close(self) -> None:
        sock = self.sock
        if sock.state() is not State.UnconnectedState:
            sock.disconnectFromHost()
            if sock.state() is not State.UnconnectedState:
                sock.waitForDisconnected(1000)
            sock.abort()

    # -- the report -------------------------------------------------------------------------------

    def session(self) -> dict[str, Any]:
        sock = self.sock
        conf = sock.sslConfiguration()
        cipher = sock.sessionCipher()
        ocsp = sock.ocspResponses()
        if not self.args.ocsp:
            stapling = "not requested (--ocsp)"
        elif not ocsp:
            stapling = "requested, none stapled"
        else:
            stapling = ", ".join(f"{r.certificateStatus().name}"
                                 + (f" ({r.revocationReason().name})"
                                    if r.certificateStatus().name == "Revoked" else "")
                                 for r in ocsp)
        alpn = bytes(conf.nextNegotiatedProtocol()).decode(errors="replace")
        return {
            "protocol": sock.sessionProtocol().name,
            "cipher": cipher.name(),
            "cipher_bits": cipher.usedBits(),
            "group": sock.sessionKeyExchangeGroup() or None,
            "alpn": alpn or None,
            "alpn_status": conf.nextProtocolNegotiationStatus().name,
            "resumed": _session_resumed(sock),
            "ocsp": stapling,
        }


def _print_session(out: Out, session: dict[str, Any]) -> None:
    resumed = {True: "yes", False: "no", None: "unknown"}[session["resumed"]]
    out.fields([
        ("protocol", session["protocol"]),
        ("cipher", f"{session['cipher']} ({session['cipher_bits']} bits)"),
        ("group", session["group"] or "-"),
        ("ALPN", f"{session['alpn'] or '-'} ({session['alpn_status']})"),
        ("resumed", resumed),
        ("OCSP", session["ocsp"]),
    ])


def run_connect(args: argparse.Namespace) -> int:
    out = Out(json=args.json)
    QCoreApplication.instance() or QCoreApplication([])
    run = Connection(args, out)
    doc: dict[str, Any] = {"target": {"host": run.host, "port": run.port,
                                      "peer_name": run.peer_name}}
    try:
        encrypted = run.handshake()
        if encrypted:
            run.settle()
        session = run.session() if encrypted else None
        chain = [describe.certificate(c) for c in run.sock.peerCertificateChain()]
        errors = [describe.error(e) for e in run.sock.sslHandshakeErrors()]
        error_text = None if encrypted else run.sock.errorString()
        if encrypted and args.session_out:
            run.save_ticket()
        if encrypted:
            out.title("Session")
            _print_session(out, session or {})
        if chain:
            out.title(f"Peer chain ({len(chain)})")
            for depth, info in enumerate(chain):
                describe.print_certificate(out, info, f"[{depth}]")
        refused = run.fatal_alert
        verified = encrypted and not errors and refused is None
        out.title("Verification")
        if verified:
            out.line(f"  {out.ok('verified')}: no error for {run.peer_name!r}")
        else:
            if errors:
                describe.print_errors(out, errors)
            if refused is not None:
                state = f"refused by the peer after the handshake: {refused}"
            elif encrypted:
                state = "connected, NOT verified: errors ignored"
            else:
                state = f"not connected: {error_text}"
            out.line(f"  {out.bad(state)}")
        if encrypted and args.interactive:
            out.title("Data (stdin to the peer, the peer's bytes below)")
            run.interact()
    finally:
        run.close()
    doc.update({"events": run.events, "encrypted": encrypted, "verified": verified,
                "error": error_text, "refused_by_peer": refused, "session": session,
                "peer_chain": chain,
                "verification_errors": errors,
                "ignored_errors": [e.error().name for e in run.ignored]})
    if args.interactive:
        doc["received"] = bytes(run.received).decode("utf-8", errors="replace")
    out.document(doc)
    return 0 if verified else 1
