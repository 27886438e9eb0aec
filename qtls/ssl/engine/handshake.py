"""Driving the handshake and completing it, as a mixin of :class:`~qtls.ssl.engine.TlsEngine`.

One handshake step per call into the engine (``SSL_do_handshake`` on what the BIO holds); once
it completes: state ENCRYPTED, the negotiated parameters collected into a
:class:`~qtls.ssl.engine.events.ConnectionInfo` (HandshakeCompleted), and the session reported
(:class:`~qtls.ssl.engine.events.SessionTicketReceived`) when it is resumable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from OpenSSL import SSL

from .events import ConnectionInfo, Event, HandshakeCompleted, SessionTicketReceived
from .helpers import _stack_der, _x509_der
from .session import session_lifetime_hint
from .settings import AlpnStatus, TlsSettings
from .state import EngineState

__all__ = ["EngineHandshake"]

_lib: Any = SSL._lib  # type: ignore[attr-defined]
_ffi: Any = SSL._ffi  # type: ignore[attr-defined]


_WANT_READ = _lib.SSL_ERROR_WANT_READ


# What a handshake negotiated, read straight from OpenSSL rather than through pyOpenSSL's
# getters (a wrapper, a lookup and a decode each, on every handshake). A cipher is a pointer
# into libssl's static cipher table and a protocol name a string literal there, so both are
# decoded once per process and looked up by address afterwards.
_CIPHERS: dict[int, tuple[str, int]] = {}
_PROTOCOLS: dict[int, str] = {}


def _address(pointer: Any) -> int:
    return int(_ffi.cast("uintptr_t", pointer))


def _cipher_of(ssl: Any) -> tuple[str, int]:
    """(name, secret bits) of the connection's cipher; ("", 0) before one was chosen."""
    cipher = _lib.SSL_get_current_cipher(ssl)
    if cipher == _ffi.NULL:
        return "", 0
    key = _address(cipher)
    known = _CIPHERS.get(key)
    if known is None:
        name = _ffi.string(_lib.SSL_CIPHER_get_name(cipher)).decode("utf-8")
        known = _CIPHERS[key] = (name, int(_lib.SSL_CIPHER_get_bits(cipher, _ffi.NULL)))
    return known


def _protocol_name(ssl: Any) -> str:
    """"TLSv1.3" and the like (pyOpenSSL's get_protocol_version_name)."""
    version = _lib.SSL_get_version(ssl)
    key = _address(version)
    name = _PROTOCOLS.get(key)
    if name is None:
        name = _PROTOCOLS[key] = _ffi.string(version).decode("utf-8")
    return name


def _group_name(ssl: Any) -> str | None:
    """The key-exchange group's name, None when unknown (pyOpenSSL's get_group_name; not
    cached: the name may live in a context's group list, not in a static table)."""
    get0 = getattr(_lib, "SSL_get0_group_name", None)  # (older OpenSSL: absent)
    # SSL_get0_group_name crashes without a session (pyOpenSSL guards it the same way).
    if get0 is None or _lib.SSL_get_session(ssl) == _ffi.NULL:
        return None
    name = get0(ssl)
    return None if name == _ffi.NULL else _ffi.string(name).decode("utf-8")


class EngineHandshake:
    """``_do_handshake`` and what happens when the handshake completes."""

    if TYPE_CHECKING:  # set by TlsEngine.__init__ / defined by TlsEngine and its mixins
        _conn: SSL.Connection
        _ssl: Any
        _settings: TlsSettings
        _server: bool
        _events: list[Event]
        _alpn_status: AlpnStatus
        _ocsp_response: bytes | None
        _info: ConnectionInfo | None
        _input_known: int
        server_hostname: str | None

        def _fail(self, exc: BaseException, *, during_handshake: bool) -> None: ...
        def _set_state(self, new: EngineState) -> None: ...
        def _read_records(self) -> None: ...
        def session_ticket(self) -> bytes: ...

    # --- handshake ----------------------------------------------------------------------------

    def _do_handshake(self) -> None:
        self._input_known = -1
        conn = self._conn
        ssl = self._ssl
        # SSL_do_handshake itself: pyOpenSSL's do_handshake() raises WantReadError for every
        # flight that needs an answer (an exception made and caught per step) and checks its
        # callback helpers even after success. Its error mapping still runs on every failure,
        # and that covers an exception one of our Python callbacks raised inside OpenSSL:
        # pyOpenSSL's callback wrappers (verify, ALPN, OCSP) fail the handshake when theirs
        # raises, and its mapping re-raises the kept exception first.
        result = _lib.SSL_do_handshake(ssl)
        if result != 1 and _lib.SSL_get_error(ssl, result) != _WANT_READ:
            try:
                conn._raise_ssl_error(ssl, result)  # type: ignore[attr-defined]
            except SSL.WantReadError:
                return
            except SSL.Error as exc:
                self._fail(exc, during_handshake=True)
                return
        elif result != 1:
            return  # the peer's next flight is needed
        self._on_handshake_complete()
        # Records that followed the peer's Finished in the same chunk (TLS 1.3 tickets,
        # early application data) are already in the BIO.
        self._read_records()

    def _on_handshake_complete(self) -> None:
        self._set_state(EngineState.ENCRYPTED)
        conn = self._conn
        # (Without protocols of ours OpenSSL negotiates none: skip the query, which allocates.)
        if not self._server and self._settings.alpn_protocols and conn.get_alpn_proto_negotiated():
            self._alpn_status = AlpnStatus.NEGOTIATED
        self._info = self._collect_info()
        self._events.append(HandshakeCompleted(self._info))
        # TLS 1.2 sends its ticket inside the handshake; TLS 1.3 sends it afterwards
        # (see _on_session_ticket).
        if not self._server and not self._info.session_resumed and self._info.protocol != "TLSv1.3":
            self._emit_session()

    def _collect_info(self) -> ConnectionInfo:
        conn = self._conn
        ssl = self._ssl
        group = _group_name(ssl)
        cipher_name, cipher_bits = _cipher_of(ssl)
        # DER straight from OpenSSL's pointers (i2d): going through cryptography objects would
        # parse every certificate only to serialize it again (the socket parses them once,
        # cached), and pyOpenSSL's chain getters wrap (and reference-count) each one first.
        peer_chain = _stack_der(_lib.SSL_get_peer_cert_chain(ssl))
        leaf = _lib.SSL_get_peer_certificate(ssl)  # (get1: a reference of our own)
        if leaf != _ffi.NULL:
            try:
                leaf_der = _x509_der(leaf)
            finally:
                _lib.X509_free(leaf)
            if not peer_chain or peer_chain[0] != leaf_der:
                peer_chain.insert(0, leaf_der)
        server_name: str | None
        if self._server:
            raw = _lib.SSL_get_servername(ssl, _lib.TLSEXT_NAMETYPE_host_name)
            server_name = _ffi.string(raw).decode("ascii", "replace") if raw != _ffi.NULL else None
        else:
            server_name = self.server_hostname
        return ConnectionInfo(
            protocol=_protocol_name(ssl),
            cipher_name=cipher_name,
            cipher_bits=cipher_bits,
            group=group,
            alpn_protocol=(conn.get_alpn_proto_negotiated() or None)
            if self._settings.alpn_protocols else None,
            alpn_status=self._alpn_status,
            peer_chain=tuple(peer_chain),
            verified_chain=tuple(_stack_der(_lib.SSL_get0_verified_chain(ssl))),
            local_chain=self._settings.local_certificate_chain,
            session_resumed=bool(_lib.SSL_session_reused(ssl)),
            server_name=server_name,
            ocsp_response=self._ocsp_response,
        )

    def _emit_session(self) -> None:
        der = self.session_ticket()
        if der:
            self._events.append(SessionTicketReceived(der, session_lifetime_hint(der)))
