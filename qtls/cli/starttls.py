"""The plain-text openings of protocols that upgrade to TLS in the middle (STARTTLS), as
``openssl s_client -starttls`` speaks them: just enough to reach the point where the server
expects a TLS ClientHello.

- SMTP (RFC 3207): greeting 220, ``EHLO``, ``STARTTLS`` answered by 220.
- IMAP (RFC 9051 §6.2.1): greeting ``* OK``, ``. STARTTLS`` answered by ``. OK``.
- POP3 (RFC 2595 §4): greeting ``+OK``, ``STLS`` answered by ``+OK``.
- FTP (RFC 4217 §4): greeting 220, ``AUTH TLS`` answered by 234.
- XMPP (RFC 6120 §5): stream header, ``<starttls/>`` answered by ``<proceed/>``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from qtls.cli.style import CommandError
from qtls.QtNetwork import QSslSocket

__all__ = ["PROTOCOLS", "negotiate"]

Say = Callable[[str], None]


class _Dialogue:
    """Line-by-line reading and writing on the still-plain socket, each wait bounded by the
    deadline."""

    def __init__(self, sock: QSslSocket, protocol: str, timeout: float, say: Say) -> None:
        self.sock = sock
        self.protocol = protocol
        self.deadline = time.monotonic() + timeout
        self.say = say

    def _wait(self) -> None:
        remaining = int((self.deadline - time.monotonic()) * 1000)
        if remaining <= 0 or not self.sock.waitForReadyRead(remaining):
            reason = "timed out" if remaining <= 0 or self.sock.isOpen() else "closed"
            raise CommandError(f"{self.protocol} STARTTLS: the server {reason} before "
                               f"answering ({self.sock.errorString() or 'no reply'})", 1)

    def line(self) -> str:
        while not self.sock.canReadLine():
            self._wait()
        text = bytes(self.sock.readLine()).decode("utf-8", errors="replace").rstrip("\r\n")
        self.say(f"S: {text}")
        return text

    def until(self, marker: str) -> str:
        """Read raw text until ``marker`` appears (XMPP has no lines)."""
        seen = ""
        while marker not in seen:
            if not self.sock.bytesAvailable():
                self._wait()
            seen += bytes(self.sock.readAll()).decode("utf-8", errors="replace")
        self.say(f"S: {seen.strip()}")
        return seen

    def send(self, text: str) -> None:
        self.say(f"C: {text.rstrip()}")
        self.sock.write(text.encode())
        self.sock.flush()

    def reply(self, code: str) -> list[str]:
        """A (possibly multi-line: ``250-...``) numeric reply; fails unless it has ``code``."""
        lines = [self.line()]
        while len(lines[-1]) > 3 and lines[-1][3] == "-":
            lines.append(self.line())
        if not lines[-1].startswith(code):
            raise CommandError(f"{self.protocol} STARTTLS refused: {lines[-1]!r}", 1)
        return lines

    def tagged(self, tag: str, expect: str) -> None:
        while not (text := self.line()).startswith(tag + " "):
            pass
        if not text.startswith(f"{tag} {expect}"):
            raise CommandError(f"{self.protocol} STARTTLS refused: {text!r}", 1)


def _smtp(d: _Dialogue, host: str) -> None:
    d.reply("220")
    d.send("EHLO qtls\r\n")
    d.reply("250")
    d.send("STARTTLS\r\n")
    d.reply("220")


def _imap(d: _Dialogue, host: str) -> None:
    d.tagged("*", "OK")
    d.send(". STARTTLS\r\n")
    d.tagged(".", "OK")


def _pop3(d: _Dialogue, host: str) -> None:
    if not d.line().startswith("+OK"):
        raise CommandError("pop3 STARTTLS: no +OK greeting", 1)
    d.send("STLS\r\n")
    if not (answer := d.line()).startswith("+OK"):
        raise CommandError(f"pop3 STARTTLS refused: {answer!r}", 1)


def _ftp(d: _Dialogue, host: str) -> None:
    d.reply("220")
    d.send("AUTH TLS\r\n")
    d.reply("234")


def _xmpp(d: _Dialogue, host: str) -> None:
    d.send(f"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/"
           f"streams' to='{host}' version='1.0'>")
    if "starttls" not in d.until("</stream:features>"):
        raise CommandError("xmpp STARTTLS: the server does not offer it", 1)
    d.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    if "<failure" in d.until("/>"):
        raise CommandError("xmpp STARTTLS refused by the server", 1)


PROTOCOLS: dict[str, Callable[[_Dialogue, str], None]] = {
    "smtp": _smtp, "imap": _imap, "pop3": _pop3, "ftp": _ftp, "xmpp": _xmpp}


def negotiate(sock: QSslSocket, protocol: str, host: str, timeout: float, say: Say) -> None:
    """Speak ``protocol``'s plain-text opening on the connected ``sock`` until the server is
    ready for TLS; CommandError (exit status 1) when it refuses or is silent too long."""
    PROTOCOLS[protocol](_Dialogue(sock, protocol, timeout, say), host)
