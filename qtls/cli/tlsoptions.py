"""The options connect and serve share, turned into a QSslConfiguration."""

from __future__ import annotations

from typing import Any

from qtls.cli import files
from qtls.cli.style import CommandError
from qtls.QtNetwork import QSsl, QSslConfiguration

__all__ = ["protocol", "alpn", "configure"]

_SHORT = {"1.2": "TlsV1_2", "1.3": "TlsV1_3", "1.2+": "TlsV1_2OrLater", "1.3+": "TlsV1_3OrLater"}


def protocol(text: str) -> QSsl.SslProtocol:
    """A Qt protocol name, or one of the short forms 1.2, 1.3, 1.2+, 1.3+."""
    name = _SHORT.get(text, text)
    try:
        return QSsl.SslProtocol[name]
    except KeyError:
        choices = ", ".join(p.name for p in QSsl.SslProtocol)
        raise CommandError(f"--protocol: unknown protocol {text!r}; one of {choices}, or "
                           "1.2, 1.3, 1.2+, 1.3+") from None


def alpn(text: str) -> list[bytes]:
    names = [part.strip().encode() for part in text.split(",") if part.strip()]
    if not names or any(len(n) > 255 for n in names):
        raise CommandError(f"--alpn: expected comma-separated protocol names, got {text!r}")
    return names


def configure(conf: QSslConfiguration, args: Any) -> QSslConfiguration:
    """Apply --protocol, --alpn, --cafile and --cert/--key to ``conf`` (a copy is returned)."""
    conf = QSslConfiguration(conf)
    if args.protocol:
        conf.setProtocol(protocol(args.protocol))
    if args.alpn:
        conf.setAllowedNextProtocols(alpn(args.alpn))
    if args.cafile:
        conf.setCaCertificates(files.read_certificates(args.cafile))
    identity = files.read_identity(args.cert, args.key, args.passphrase)
    if identity is not None:
        chain, key = identity
        conf.setLocalCertificateChain(chain)
        conf.setPrivateKey(key)
    return conf
