"""Small pure helpers of the engine: pyOpenSSL values turned into plain Python ones.

An OpenSSL failure's reason text (:func:`_reason`), a certificate's DER (:func:`_der`) and the
SNI name to send for a host (:func:`_sni_name`). None of them touches an engine's state.
"""

from __future__ import annotations

import ipaddress

from OpenSSL import SSL, crypto

__all__: list[str] = []


def _reason(exc: BaseException) -> str:
    """OpenSSL's reason strings from a pyOpenSSL exception ("no shared cipher", ...)."""
    if isinstance(exc, SSL.SysCallError):
        return "unexpected eof while reading"
    if isinstance(exc, SSL.ZeroReturnError):
        return "peer closed the connection (close_notify) during the handshake"
    args = getattr(exc, "args", ())
    if args and isinstance(args[0], list):
        reasons = [t[2] for t in args[0] if isinstance(t, tuple) and len(t) == 3 and t[2]]
        if reasons:
            return "; ".join(dict.fromkeys(reasons))
    return str(exc) or type(exc).__name__


def _der(cert: crypto.X509) -> bytes:
    """The DER encoding of a pyOpenSSL certificate."""
    return crypto.dump_certificate(crypto.FILETYPE_ASN1, cert)


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]").split("%")[0])
    except ValueError:
        return False
    return True


def _sni_name(host: str | None) -> bytes | None:
    """The SNI bytes for ``host``: None for IP literals (RFC 6066 §3) and unencodable names."""
    if not host or _is_ip_address(host):
        return None
    host = host.rstrip(".")
    try:
        return host.encode("idna")
    except UnicodeError:
        # Python's IDNA 2003 codec refuses some valid DNS names (underscores, long labels);
        # plain ASCII names go out as they are, anything else without SNI.
        try:
            return host.encode("ascii") or None
        except UnicodeError:
            return None
