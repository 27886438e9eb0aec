"""Pre-shared keys through cryptography's raw bindings (pyOpenSSL has no PSK API).

``SSL_CTX_set_psk_client_callback`` / ``SSL_CTX_set_psk_server_callback`` take C function
pointers; the two cffi callbacks below are created once per process (they are stateless: each
call finds its ``SSL.Connection`` through pyOpenSSL's ``Connection._reverse_mapping`` and the
engine through the connection's app data) and kept referenced at module level for as long as
any context may call them.

These "legacy" callbacks serve TLS 1.2 PSK ciphers (``PSK-AES128-GCM-SHA256``,
``ECDHE-PSK-...``) and, because OpenSSL falls back on them when no TLS 1.3 session callbacks are
installed, TLS 1.3 external PSKs too (hash SHA-256, so ``TLS_AES_128_GCM_SHA256`` or
``TLS_CHACHA20_POLY1305_SHA256`` must be enabled). See SSL_CTX_set_psk_client_callback(3).

An exception in a hook or a too long identity/key refuses the PSK (the callback returns 0 and
OpenSSL ends the handshake), it never escapes into OpenSSL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from OpenSSL import SSL

if TYPE_CHECKING:  # pragma: no cover
    from .settings import TlsSettings

__all__ = ["install"]

_lib: Any = SSL._lib  # type: ignore[attr-defined]
_ffi: Any = SSL._ffi  # type: ignore[attr-defined]

_CLIENT_T = (
    "unsigned int (*)(SSL *, const char *, char *, unsigned int, unsigned char *, unsigned int)"
)
_SERVER_T = "unsigned int (*)(SSL *, const char *, unsigned char *, unsigned int)"


def _engine_for(ssl: Any) -> Any:
    conn = SSL.Connection._reverse_mapping.get(ssl)  # type: ignore[attr-defined]
    if conn is None:
        return None
    ref = conn.get_app_data()
    return ref() if ref is not None else None


def _client(
    ssl: Any, hint: Any, identity_out: Any, max_identity_len: int, psk_out: Any, max_psk_len: int
) -> int:
    try:
        engine = _engine_for(ssl)
        if engine is None:
            return 0
        hint_bytes = _ffi.string(hint) if hint != _ffi.NULL else b""
        # The identity is written NUL-terminated: one byte of the buffer is the terminator.
        answer = engine._on_psk_client(hint_bytes, max_identity_len - 1, max_psk_len)
        if answer is None:
            return 0
        identity, key = bytes(answer[0]), bytes(answer[1])
        if len(identity) > max_identity_len - 1 or not key or len(key) > max_psk_len:
            return 0
        _ffi.memmove(identity_out, identity + b"\0", len(identity) + 1)
        _ffi.memmove(psk_out, key, len(key))
        return len(key)
    except Exception:
        return 0


def _server(ssl: Any, identity: Any, psk_out: Any, max_psk_len: int) -> int:
    try:
        engine = _engine_for(ssl)
        if engine is None:
            return 0
        identity_bytes = _ffi.string(identity) if identity != _ffi.NULL else b""
        key = engine._on_psk_server(identity_bytes, max_psk_len)
        if not key or len(key) > max_psk_len:
            return 0
        key = bytes(key)
        _ffi.memmove(psk_out, key, len(key))
        return len(key)
    except Exception:
        return 0


# Created once; module globals keep them alive for every SSL_CTX that points at them.
_CLIENT_CALLBACK = _ffi.callback(_CLIENT_T, _client)
_SERVER_CALLBACK = _ffi.callback(_SERVER_T, _server)


def install(ctx: SSL.Context, settings: TlsSettings) -> tuple[Any, ...]:
    """Install the PSK callback for the context's role; return the cffi objects to keep alive."""
    raw = ctx._context  # type: ignore[attr-defined]
    if settings.is_server:
        _lib.SSL_CTX_set_psk_server_callback(raw, _SERVER_CALLBACK)
        if settings.psk_identity_hint:
            _lib.SSL_CTX_use_psk_identity_hint(raw, settings.psk_identity_hint)
        return (_SERVER_CALLBACK,)
    _lib.SSL_CTX_set_psk_client_callback(raw, _CLIENT_CALLBACK)
    return (_CLIENT_CALLBACK,)
