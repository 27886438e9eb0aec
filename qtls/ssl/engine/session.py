"""TLS sessions as bytes: Qt's ``sessionTicket()`` is the DER of OpenSSL's ``SSL_SESSION``.

cryptography's bindings expose ``i2d_SSL_SESSION`` / ``d2i_SSL_SESSION``, so a session survives
as plain bytes (in ``QSslConfiguration.setSessionTicket``, a file, another worker process) and is
turned back into an ``SSL_SESSION`` only when a new connection wants to resume it.

``SSL_SESSION_get_ticket_lifetime_hint`` is not exposed; the hint is read from the same DER with
cryptography's declarative ASN.1 decoder (field ``[9] tlsext_tick_lifetime_hint`` of
OpenSSL's ``SSL_SESSION_ASN1``, ssl/ssl_asn1.c). If the layout ever changes the hint is -1, as
Qt reports when it does not know.
"""

from __future__ import annotations

from typing import Annotated, Any

from cryptography import x509
from OpenSSL import SSL

try:
    from cryptography.hazmat import asn1 as _asn1

    _E, _I = _asn1.Explicit, _asn1.Implicit
except ImportError:  # pragma: no cover - cryptography < 47
    _asn1 = None  # type: ignore[assignment]

__all__ = ["session_from_der", "session_lifetime_hint", "session_to_der"]

_lib: Any = SSL._lib  # type: ignore[attr-defined]
_ffi: Any = SSL._ffi  # type: ignore[attr-defined]


def session_to_der(session_ptr: Any) -> bytes:
    """Serialize an ``SSL_SESSION *`` with ``i2d_SSL_SESSION``; b"" if it cannot be."""
    if session_ptr == _ffi.NULL:
        return b""
    size = _lib.i2d_SSL_SESSION(session_ptr, _ffi.NULL)
    if size <= 0:
        return b""
    buf = _ffi.new("unsigned char[]", size)
    pp = _ffi.new("unsigned char **", buf)
    if _lib.i2d_SSL_SESSION(session_ptr, pp) != size:  # pragma: no cover
        return b""
    return _ffi.buffer(buf, size)[:]


def session_from_der(data: bytes) -> Any:
    """Parse ``i2d_SSL_SESSION`` bytes into an ``SSL_SESSION *`` (freed by the GC), or None."""
    if not data:
        return None
    buf = _ffi.new("unsigned char[]", data)
    pp = _ffi.new("const unsigned char **", buf)
    ptr = _lib.d2i_SSL_SESSION(_ffi.NULL, pp, len(data))
    if ptr == _ffi.NULL:
        _lib.ERR_clear_error()
        return None
    return _ffi.gc(ptr, _lib.SSL_SESSION_free)


def _build_decoder() -> Any:
    """The layout of OpenSSL's ``SSL_SESSION_ASN1`` (ssl/ssl_asn1.c), for cryptography's decoder.

    The field annotations are resolved against this module's globals (``from __future__ import
    annotations`` makes them strings), hence the module-level imports they name.
    """
    if _asn1 is None:  # pragma: no cover - cryptography without the declarative decoder
        return None
    try:

        @_asn1.sequence
        class SessionAsn1:
            version: int
            ssl_version: int
            cipher: bytes
            session_id: bytes
            master_key: bytes
            key_arg: Annotated[bytes | None, _I(0)]
            time: Annotated[int | None, _E(1)]
            timeout: Annotated[int | None, _E(2)]
            peer: Annotated[x509.Certificate | None, _E(3)]
            session_id_context: Annotated[bytes | None, _E(4)]
            verify_result: Annotated[int | None, _E(5)]
            hostname: Annotated[bytes | None, _E(6)]
            psk_identity_hint: Annotated[bytes | None, _E(7)]
            psk_identity: Annotated[bytes | None, _E(8)]
            ticket_lifetime_hint: Annotated[int | None, _E(9)]
            ticket: Annotated[bytes | None, _E(10)]
            comp_id: Annotated[bytes | None, _I(11)]
            srp_username: Annotated[bytes | None, _E(12)]
            flags: Annotated[int | None, _E(13)]
            ticket_age_add: Annotated[int | None, _E(14)]
            max_early_data: Annotated[int | None, _E(15)]
            alpn_selected: Annotated[bytes | None, _E(16)]
            max_fragment_len_mode: Annotated[int | None, _E(17)]
            ticket_appdata: Annotated[bytes | None, _E(18)]
            kex_group: Annotated[int | None, _E(19)]
            peer_rpk: Annotated[bytes | None, _E(20)]

    except Exception:  # pragma: no cover - decoder API differences
        return None
    return SessionAsn1


_DECODER = _build_decoder()


def session_lifetime_hint(der: bytes) -> int:
    """The ticket lifetime hint (seconds) stored in a serialized session, or -1 if unknown."""
    if not der or _DECODER is None:
        return -1
    try:
        decoded = _asn1.decode_der(_DECODER, bytes(der))
    except Exception:
        # Not a session, or a layout this decoder does not know: unknown, as Qt says with -1.
        return -1
    hint = decoded.ticket_lifetime_hint
    return int(hint) if hint is not None else -1
