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
        try:
            self._conn.do_handshake()
        except SSL.WantReadError:
            return
        except SSL.Error as exc:
            self._fail(exc, during_handshake=True)
            return
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
        try:
            group = conn.get_group_name()
        except Exception:  # older OpenSSL without SSL_get0_group_name
            group = None
        # DER straight from OpenSSL's pointers (i2d): going through cryptography objects would
        # parse every certificate only to serialize it again (the socket parses them once,
        # cached), and pyOpenSSL's chain getters wrap (and reference-count) each one first.
        ssl = self._ssl
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
            raw = conn.get_servername()
            server_name = raw.decode("ascii", "replace") if raw else None
        else:
            server_name = self.server_hostname
        return ConnectionInfo(
            protocol=conn.get_protocol_version_name(),
            cipher_name=conn.get_cipher_name() or "",
            cipher_bits=conn.get_cipher_bits() or 0,
            group=group,
            alpn_protocol=(conn.get_alpn_proto_negotiated() or None)
            if self._settings.alpn_protocols else None,
            alpn_status=self._alpn_status,
            peer_chain=tuple(peer_chain),
            verified_chain=tuple(_stack_der(_lib.SSL_get0_verified_chain(ssl))),
            local_chain=self._settings.local_certificate_chain,
            session_resumed=bool(_lib.SSL_session_reused(conn._ssl)),  # type: ignore[attr-defined]
            server_name=server_name,
            ocsp_response=self._ocsp_response,
        )

    def _emit_session(self) -> None:
        der = self.session_ticket()
        if der:
            self._events.append(SessionTicketReceived(der, session_lifetime_hint(der)))
