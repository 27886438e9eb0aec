"""Small pure helpers of the engine: pyOpenSSL values turned into plain Python ones.

An OpenSSL failure's reason text (:func:`_reason`), a certificate's DER (:func:`_der`) and the
SNI name to send for a host (:func:`_sni_name`). None of them touches an engine's state.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from OpenSSL import SSL, crypto

__all__: list[str] = []

_lib: Any = SSL._lib  # type: ignore[attr-defined]
_ffi: Any = SSL._ffi  # type: ignore[attr-defined]


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


def _x509_der(x509: Any) -> bytes:
    """The DER encoding of an OpenSSL ``X509 *`` (what :func:`_der` does for a pyOpenSSL
    certificate, without wrapping the pointer in one first)."""
    bio = _lib.BIO_new(_lib.BIO_s_mem())
    if bio == _ffi.NULL:
        raise MemoryError("BIO_new failed")
    try:
        if _lib.i2d_X509_bio(bio, x509) != 1:
            _lib.ERR_clear_error()
            raise ValueError("a certificate OpenSSL cannot encode")
        data = _ffi.new("char **")
        size = _lib.BIO_get_mem_data(bio, data)
        return bytes(_ffi.buffer(data[0], size))
    finally:
        _lib.BIO_free(bio)


def _stack_der(stack: Any) -> list[bytes]:
    """The DER of every certificate in an OpenSSL ``STACK_OF(X509) *`` (NULL: none)."""
    if stack == _ffi.NULL:
        return []
    return [_x509_der(_lib.sk_X509_value(stack, i)) for i in range(_lib.sk_X509_num(stack))]


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
