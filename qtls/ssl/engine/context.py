"""Build one OpenSSL context per distinct :class:`TlsSettings`, and cache it.

Qt builds a new ``SSL_CTX`` for every socket and copies every system root into it: ~1.2 ms of
CPU per handshake before a byte is sent. Here a context is built once per distinct settings
value and shared by every connection using it (:class:`ContextCache`, a bounded LRU), so the CA
store, the session-ticket key and the server session cache are per configuration, not per
connection.

Callbacks are installed on the *context* and find their connection at call time:
``Connection.get_app_data()`` holds a weak reference to the owning engine, so one set of
callbacks serves every connection and a dropped engine is never kept alive by its context.
The engine implements the ``_on_*`` methods the callbacks forward to (in
:mod:`~qtls.ssl.engine.callbacks`).
"""

from __future__ import annotations

import collections
import datetime
import hashlib
import logging
import os
import threading
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.utils import CryptographyDeprecationWarning
from OpenSSL import SSL, crypto

from . import dtlscookie as _dtlscookie
from . import psk as _psk
from .errors import EngineConfigError
from .settings import TlsSettings, TlsVersion, VerifyMode, dtls_order

_log = logging.getLogger("qtls")

if TYPE_CHECKING:  # pragma: no cover
    from .engine import TlsEngine

__all__ = ["ContextCache", "TlsContext", "build_context", "default_context_cache"]

_lib: Any = SSL._lib  # type: ignore[attr-defined]
_ffi: Any = SSL._ffi  # type: ignore[attr-defined]

_VERSION_NAMES = {
    TlsVersion.TLS1_0: "TLSv1",
    TlsVersion.TLS1_1: "TLSv1.1",
    TlsVersion.TLS1_2: "TLSv1.2",
    TlsVersion.TLS1_3: "TLSv1.3",
    TlsVersion.DTLS1_0: "DTLSv1",
    TlsVersion.DTLS1_2: "DTLSv1.2",
}


class TlsContext:
    """An OpenSSL ``SSL.Context`` built from one :class:`TlsSettings`, ready for connections.

    Immutable once built (OpenSSL contexts must not be changed while connections use them).
    """

    __slots__ = ("__weakref__", "_keylog", "_psk_callbacks", "settings", "ssl_context")

    def __init__(self, settings: TlsSettings, ssl_context: SSL.Context) -> None:
        self.settings = settings
        self.ssl_context = ssl_context
        # cffi callbacks must outlive the SSL_CTX that points at them.
        self._psk_callbacks: tuple[Any, ...] = ()
        self._keylog: _KeyLogWriter | None = None

    @property
    def is_server(self) -> bool:
        """True for a server-side context."""
        return self.settings.is_server


def _engine_of(conn: SSL.Connection) -> TlsEngine | None:
    ref = conn.get_app_data()
    return ref() if ref is not None else None


# --- context-wide callbacks, forwarding to the connection's engine ------------------------------


def _verify_callback(
    conn: SSL.Connection, cert: crypto.X509, errnum: int, depth: int, ok: int
) -> bool:
    engine = _engine_of(conn)
    if engine is None:
        return bool(ok)
    return engine._on_verify(cert, errnum, depth, ok)


def _alpn_select_callback(conn: SSL.Connection, offered: list[bytes]) -> Any:
    engine = _engine_of(conn)
    if engine is None:
        return SSL.NO_OVERLAPPING_PROTOCOLS
    return engine._on_alpn_select(offered)


def _ocsp_server_callback(conn: SSL.Connection, data: Any) -> bytes:
    engine = _engine_of(conn)
    return engine._on_ocsp_server() if engine is not None else b""


def _ocsp_client_callback(conn: SSL.Connection, ocsp: bytes, data: Any) -> bool:
    engine = _engine_of(conn)
    if engine is not None:
        engine._on_ocsp_client(ocsp)
    # Validation of the response is the socket's job (QOcspResponse); never fail here.
    return True


@_ffi.callback("void (*)(const SSL *, int, int)")
def info_callback(ssl: Any, where: int, ret: int) -> None:
    """The per-connection info callback of the engines that report alerts or (clients) TLS 1.3
    session tickets, straight from cffi (no pyOpenSSL wrapper in between). OpenSSL calls it
    on every handshake state change (~20 times per handshake) and for alerts, never per
    application-data record."""
    try:
        if where & _SSL_CB_ALERT:
            engine = _engine_of_ssl(ssl)
            if engine is not None and engine._alerts_reported:
                engine._on_alert(bool(where & _SSL_CB_WRITE), ret)
        elif where & _SSL_CB_CONNECT_LOOP == _SSL_CB_CONNECT_LOOP:
            # A client's state loop after the handshake: a TLS 1.3 NewSessionTicket?
            engine = _engine_of_ssl(ssl)
            if (engine is not None and engine._tickets_reported and engine._info is not None
                    and _ffi.string(_lib.SSL_state_string_long(ssl)) == _READ_SESSION_TICKET):
                engine._on_session_ticket()
    except Exception:  # pragma: no cover - never let an exception cross into OpenSSL
        _log.exception("qtls: info callback failed")


def _engine_of_ssl(ssl: Any) -> TlsEngine | None:
    conn = SSL.Connection._reverse_mapping.get(ssl)  # type: ignore[attr-defined]
    return _engine_of(conn) if conn is not None else None


_SSL_CB_ALERT = 0x4000
_SSL_CB_WRITE = 0x08
_SSL_CB_CONNECT_LOOP = 0x1001  # SSL_ST_CONNECT | SSL_CB_LOOP
# SSL_state_string_long(TLS_ST_CR_SESSION_TICKET), stable since OpenSSL 1.1.0.
_READ_SESSION_TICKET = b"SSLv3/TLS read server session ticket"


class _KeyLogWriter:
    """Appends NSS key-log lines to a file (SSLKEYLOGFILE format), thread-safely."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()

    def __call__(self, conn: SSL.Connection, line: bytes) -> None:
        try:
            with self._lock, open(self.path, "ab") as f:
                f.write(line + b"\n")
        except OSError:
            # Key logging is a debugging aid: an unwritable file must not break the connection.
            pass


# --- building ---------------------------------------------------------------------------------


def _fail(what: str, exc: BaseException | None = None) -> EngineConfigError:
    detail = _openssl_reason(exc) if exc is not None else ""
    return EngineConfigError(f"{what} ({detail})" if detail else what)


def _openssl_reason(exc: BaseException) -> str:
    args = getattr(exc, "args", ())
    if args and isinstance(args[0], list):
        reasons = [t[2] for t in args[0] if isinstance(t, tuple) and len(t) == 3 and t[2]]
        if reasons:
            return "; ".join(reasons)
    return str(exc)


def _load_certificate(der: bytes, what: str) -> x509.Certificate:
    try:
        with warnings.catch_warnings():
            # Some system trust stores still ship old roots with a non-positive serial;
            # cryptography warns on parsing them, OpenSSL (and Qt) accept them silently.
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            return x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise EngineConfigError(f"{what} is not a valid DER certificate ({exc})") from None


def _load_private_key(data: bytes, passphrase: bytes | None) -> Any:
    """Load a PEM or DER private key (PKCS#8 or traditional) with cryptography."""
    is_pem = data.lstrip().startswith(b"-----")
    loader = serialization.load_pem_private_key if is_pem else serialization.load_der_private_key
    try:
        return loader(data, password=passphrase)
    except (TypeError, ValueError) as exc:
        # TypeError: a passphrase is missing, or was given for an unencrypted key.
        raise EngineConfigError(f"private key could not be loaded ({exc})") from None


def _options(settings: TlsSettings) -> int:
    opts = SSL.OP_ALL | SSL.OP_NO_RENEGOTIATION
    if settings.disable_empty_fragments:
        opts |= SSL.OP_DONT_INSERT_EMPTY_FRAGMENTS
    else:
        opts &= ~SSL.OP_DONT_INSERT_EMPTY_FRAGMENTS
    if not settings.session_tickets:
        opts |= SSL.OP_NO_TICKET
    if settings.disable_compression:
        opts |= SSL.OP_NO_COMPRESSION
    if settings.server_cipher_preference:
        opts |= SSL.OP_CIPHER_SERVER_PREFERENCE
    return opts


def build_context(settings: TlsSettings) -> TlsContext:
    """Build a :class:`TlsContext` from ``settings``.

    Raises :class:`EngineConfigError` naming the cause when OpenSSL refuses a setting.
    """
    if not isinstance(settings, TlsSettings):
        raise TypeError(f"settings must be TlsSettings, not {type(settings).__name__}")
    if settings.dtls:
        method = SSL.DTLS_SERVER_METHOD if settings.is_server else SSL.DTLS_CLIENT_METHOD
    else:
        method = SSL.TLS_SERVER_METHOD if settings.is_server else SSL.TLS_CLIENT_METHOD
    ctx = SSL.Context(method)
    result = TlsContext(settings, ctx)

    lo, hi = settings.min_version, settings.max_version
    rank = dtls_order if settings.dtls else int
    if lo is not None and hi is not None and rank(lo) > rank(hi):
        raise EngineConfigError(
            f"empty protocol range: minimum {_VERSION_NAMES[lo]} is above maximum "
            f"{_VERSION_NAMES[hi]}"
        )
    try:
        if lo is not None:
            ctx.set_min_proto_version(int(lo))
        if hi is not None:
            ctx.set_max_proto_version(int(hi))
    except SSL.Error as exc:
        raise _fail("unsupported protocol version", exc) from None

    ctx.set_options(_options(settings))
    ctx.set_mode(SSL.MODE_RELEASE_BUFFERS)
    # pyOpenSSL turns partial writes on; with a memory BIO (which never blocks) that only makes
    # SSL_write stop after one 16 KiB record. Off, one SSL_write encrypts the whole batch.
    ctx.clear_mode(_lib.SSL_MODE_ENABLE_PARTIAL_WRITE)

    if settings.cipher_list is not None:
        try:
            ctx.set_cipher_list(settings.cipher_list.encode("ascii"))
        except (SSL.Error, UnicodeEncodeError) as exc:
            raise _fail(f"invalid or empty cipher list {settings.cipher_list!r}", exc) from None
    if settings.ciphersuites is not None:
        try:
            ctx.set_tls13_ciphersuites(settings.ciphersuites.encode("ascii"))
        except (SSL.Error, UnicodeEncodeError) as exc:
            raise _fail(f"invalid TLS 1.3 ciphersuites {settings.ciphersuites!r}", exc) from None
    if settings.groups is not None:
        if _lib.SSL_CTX_set1_curves_list(ctx._context, settings.groups.encode("ascii")) != 1:  # type: ignore[attr-defined]
            _lib.ERR_clear_error()
            raise EngineConfigError(f"unsupported key exchange groups {settings.groups!r}")

    _setup_trust(ctx, settings)
    _setup_identity(ctx, settings)
    _setup_verify(ctx, settings)

    if settings.dh_parameters:
        _setup_dh(ctx, settings.dh_parameters)

    if settings.alpn_protocols:
        if any(not p or len(p) > 255 for p in settings.alpn_protocols):
            raise EngineConfigError("ALPN protocol names must be 1 to 255 bytes long")
        if settings.is_server:
            ctx.set_alpn_select_callback(_alpn_select_callback)
        else:
            ctx.set_alpn_protos(list(settings.alpn_protocols))

    if settings.is_server:
        # Session resumption with client certificates needs a session id context; derive it
        # from the settings so that only an identically configured context resumes.
        ctx.set_session_id(hashlib.sha256(repr(settings).encode()).digest()[:32])
        if settings.ocsp_response is not None:
            ctx.set_ocsp_server_callback(_ocsp_server_callback)
    elif settings.ocsp_stapling:
        ctx.set_ocsp_client_callback(_ocsp_client_callback)

    if settings.psk:
        result._psk_callbacks = _psk.install(ctx, settings)
    if settings.dtls and settings.is_server:
        # Per context, as every callback here: the cookie's key (secret, hash, peer) is the
        # connection's, found through its app data (dtlscookie.py).
        _dtlscookie.install(ctx)

    keylog_path = settings.keylog_path or os.environ.get("SSLKEYLOGFILE")
    if keylog_path:
        result._keylog = _KeyLogWriter(keylog_path)
        ctx.set_keylog_callback(result._keylog)
    return result


def _setup_trust(ctx: SSL.Context, settings: TlsSettings) -> None:
    if settings.use_system_ca:
        ctx.set_default_verify_paths()
    if not settings.ca_certificates:
        return
    store = ctx.get_cert_store()
    assert store is not None
    now = datetime.datetime.now(datetime.timezone.utc)
    for i, der in enumerate(settings.ca_certificates):
        cert = _load_certificate(der, f"CA certificate #{i}")
        # As Qt: an expired CA in the store would make OpenSSL stop at "certificate expired"
        # even when a valid copy of the same CA is present, so expired ones are left out.
        if cert.not_valid_after_utc < now:
            continue
        try:
            native = crypto.X509.from_cryptography(cert)
        except crypto.Error:
            # cryptography read it but OpenSSL refuses it (their parsers differ at the
            # edges): Qt, which reads certificates with OpenSSL, would never have had it.
            continue
        store.add_cert(native)


def _setup_identity(ctx: SSL.Context, settings: TlsSettings) -> None:
    chain = settings.local_certificate_chain
    if not chain:
        if settings.private_key is not None and settings.is_server and not settings.psk:
            raise EngineConfigError("a private key was given without a certificate")
        return
    if settings.private_key is None:
        raise EngineConfigError("cannot provide a certificate with no key")
    leaf = _load_certificate(chain[0], "local certificate")
    key = _load_private_key(settings.private_key, settings.private_key_passphrase)
    try:
        ctx.use_certificate(leaf)
    except (SSL.Error, crypto.Error) as exc:  # (crypto.Error: OpenSSL cannot read it)
        raise _fail("error loading local certificate", exc) from None
    try:
        ctx.use_privatekey(key)
    except (SSL.Error, TypeError) as exc:
        raise _fail("error loading private key", exc) from None
    try:
        ctx.check_privatekey()
    except SSL.Error as exc:
        raise _fail("private key does not match the local certificate", exc) from None
    for i, der in enumerate(chain[1:], start=1):
        try:
            ctx.add_extra_chain_cert(_load_certificate(der, f"local chain certificate #{i}"))
        except (SSL.Error, crypto.Error) as exc:
            raise _fail(f"error loading local chain certificate #{i}", exc) from None
    if len(chain) == 1:
        _freeze_auto_chain(ctx, crypto.X509.from_cryptography(leaf))


# SSL_MODE_NO_AUTO_CHAIN (ssl.h, stable since OpenSSL 1.0.2; not among the bindings' constants).
_MODE_NO_AUTO_CHAIN = 0x00000008


def _freeze_auto_chain(ctx: SSL.Context, leaf: crypto.X509) -> None:
    """Build the certificate chain we send once, instead of once per handshake.

    Given only a leaf certificate, OpenSSL completes the chain it sends from the context's
    CA store on every handshake (as in Qt, whose configuration's CA certificates can supply a
    server's intermediates). The store never changes once the context is built, so neither does
    that chain: build it here the way OpenSSL does (``X509_verify_cert`` and whatever chain it
    got to, trusted or not), make it the context's extra chain, and turn the per-handshake
    building off. That saves ~40 µs of server CPU per handshake.
    """
    store = _lib.SSL_CTX_get_cert_store(ctx._context)  # type: ignore[attr-defined]
    if store == _ffi.NULL:  # pragma: no cover - every context has one
        return
    store_ctx = _lib.X509_STORE_CTX_new()  # type: ignore[attr-defined]
    if store_ctx == _ffi.NULL:  # pragma: no cover - out of memory: leave OpenSSL's default
        return
    try:
        if _lib.X509_STORE_CTX_init(store_ctx, store, leaf._x509, _ffi.NULL) != 1:  # type: ignore[attr-defined]
            return  # pragma: no cover
        _lib.X509_verify_cert(store_ctx)  # the chain as far as it goes: failures do not matter
        chain = _lib.X509_STORE_CTX_get1_chain(store_ctx)  # type: ignore[attr-defined]
    finally:
        _lib.X509_STORE_CTX_free(store_ctx)  # type: ignore[attr-defined]
        _lib.ERR_clear_error()
    if chain == _ffi.NULL:  # pragma: no cover
        return
    try:
        for i in range(1, _lib.sk_X509_num(chain)):  # type: ignore[attr-defined]
            cert = _lib.sk_X509_value(chain, i)  # type: ignore[attr-defined]
            _lib.X509_up_ref(cert)  # type: ignore[attr-defined]
            # The context takes ownership of the reference on success.
            if _lib.SSL_CTX_add_extra_chain_cert(ctx._context, cert) != 1:  # type: ignore[attr-defined]
                _lib.X509_free(cert)  # type: ignore[attr-defined]  # pragma: no cover
                _lib.ERR_clear_error()
                return
    finally:
        # get1_chain returned new references to every certificate in a new stack.
        for i in range(_lib.sk_X509_num(chain)):  # type: ignore[attr-defined]
            _lib.X509_free(_lib.sk_X509_value(chain, i))  # type: ignore[attr-defined]
        _lib.sk_X509_free(chain)  # type: ignore[attr-defined]
    ctx.set_mode(_MODE_NO_AUTO_CHAIN)


def _setup_verify(ctx: SSL.Context, settings: TlsSettings) -> None:
    if settings.verify_mode is VerifyMode.NONE:
        # As Qt: no callback, so nothing is recorded and (server side) no certificate requested.
        ctx.set_verify(SSL.VERIFY_NONE)
    else:
        mode = SSL.VERIFY_PEER
        if settings.missing_certificate_is_fatal:
            mode |= SSL.VERIFY_FAIL_IF_NO_PEER_CERT
        ctx.set_verify(mode, _verify_callback)
    if settings.verify_depth > 0:
        ctx.set_verify_depth(settings.verify_depth)


def _setup_dh(ctx: SSL.Context, pem: bytes) -> None:
    bio = _lib.BIO_new_mem_buf(pem, len(pem))
    if bio == _ffi.NULL:  # pragma: no cover
        raise EngineConfigError("out of memory loading Diffie-Hellman parameters")
    bio = _ffi.gc(bio, _lib.BIO_free)
    dh = _lib.PEM_read_bio_DHparams(bio, _ffi.NULL, _ffi.NULL, _ffi.NULL)
    if dh == _ffi.NULL:
        _lib.ERR_clear_error()
        raise EngineConfigError("Diffie-Hellman parameters are not valid")
    dh = _ffi.gc(dh, _lib.DH_free)
    if _lib.SSL_CTX_set_tmp_dh(ctx._context, dh) != 1:  # type: ignore[attr-defined]
        _lib.ERR_clear_error()
        raise EngineConfigError("Diffie-Hellman parameters were refused (too small?)")


# --- cache ------------------------------------------------------------------------------------


class ContextCache:
    """A bounded LRU map :class:`TlsSettings` → :class:`TlsContext`.

    ``get(settings)`` returns the same context object for equal settings (until it is evicted),
    so connections share CA store, ticket keys and the server session cache. Thread-safe.
    Building errors are not cached: they raise :class:`EngineConfigError` every time.
    """

    def __init__(
        self, maxsize: int = 64, builder: Callable[[TlsSettings], TlsContext] = build_context
    ) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._builder = builder
        self._entries: collections.OrderedDict[TlsSettings, TlsContext] = collections.OrderedDict()
        self._lock = threading.Lock()
        # The most recently used entry. The socket layer hands in the very same settings
        # object for every connection of a configuration, and hashing a TlsSettings (every
        # field, certificates included) twice per connection showed up in server profiles.
        # It is always the LRU's newest entry, so answering from it needs no reordering.
        self._last: tuple[TlsSettings, TlsContext] | None = None

    def get(self, settings: TlsSettings) -> TlsContext:
        """Return the context for ``settings``, building it on first use."""
        last = self._last
        if last is not None and last[0] is settings:
            return last[1]
        with self._lock:
            ctx = self._entries.get(settings)
            if ctx is not None:
                self._entries.move_to_end(settings)
                self._last = (settings, ctx)
                return ctx
        built = self._builder(settings)  # outside the lock: building can take milliseconds
        with self._lock:
            ctx = self._entries.setdefault(settings, built)
            self._entries.move_to_end(settings)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
            self._last = (settings, ctx)
            return ctx

    def clear(self) -> None:
        """Forget every cached context (connections using them keep working)."""
        with self._lock:
            self._entries.clear()
            self._last = None

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, settings: object) -> bool:
        return settings in self._entries


#: The process-wide cache engines use when given settings instead of a context.
default_context_cache = ContextCache()
