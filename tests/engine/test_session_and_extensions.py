"""Session resumption, OCSP stapling, PSK and key logging."""

from __future__ import annotations

import pytest

from qtls.ssl.engine import (
    EngineState,
    HandshakeCompleted,
    SessionTicketReceived,
    TlsEngine,
    TlsError,
    TlsVersion,
    VerifyMode,
    session_lifetime_hint,
)
from qtls.ssl.engine.settings import Role, TlsSettings

from .conftest import client_settings, server_settings
from .helpers import connect


def _handshake_and_ticket(cache, version, server_kw=None, client_kw=None, session=None):
    server = TlsEngine(
        server_settings(min_version=version, max_version=version, **(server_kw or {})), cache=cache
    )
    client = TlsEngine(
        client_settings(**(client_kw or {})),
        server_hostname="localhost",
        session=session,
        cache=cache,
    )
    c, s = connect(client, server)
    return client, server, c, s


def test_session_ticket_resumes_a_later_connection(cache, version):
    client, _, c, _ = _handshake_and_ticket(cache, version)
    tickets = c.of(SessionTicketReceived)
    assert tickets, "no session ticket arrived"
    assert c.of(HandshakeCompleted)[0].info.session_resumed is False
    ticket = tickets[-1].session
    assert client.session_ticket() == ticket

    client2, server2, c2, s2 = _handshake_and_ticket(cache, version, session=ticket)
    assert client2.state is EngineState.ENCRYPTED
    assert c2.of(HandshakeCompleted)[0].info.session_resumed is True
    assert s2.of(HandshakeCompleted)[0].info.session_resumed is True


def test_session_lifetime_hint_is_reported(cache, version):
    _, _, c, _ = _handshake_and_ticket(cache, version)
    hint = c.of(SessionTicketReceived)[-1].lifetime_hint
    # OpenSSL's servers advertise their session timeout, 7200 s by default.
    assert hint == 7200
    assert session_lifetime_hint(c.of(SessionTicketReceived)[-1].session) == 7200


def test_garbage_session_bytes_fall_back_to_a_full_handshake(cache):
    client, _, c, _ = _handshake_and_ticket(cache, TlsVersion.TLS1_3, session=b"not a session")
    assert client.state is EngineState.ENCRYPTED
    assert c.of(HandshakeCompleted)[0].info.session_resumed is False
    assert session_lifetime_hint(b"garbage") == -1


def test_session_from_another_server_context_is_not_resumed(cache):
    _, _, c, _ = _handshake_and_ticket(cache, TlsVersion.TLS1_3)
    ticket = c.of(SessionTicketReceived)[-1].session
    # A server with different settings has a different ticket key and session id context.
    _, _, c2, _ = _handshake_and_ticket(
        cache, TlsVersion.TLS1_3, server_kw={"alpn_protocols": (b"x",)}, session=ticket
    )
    assert c2.of(HandshakeCompleted)[0].info.session_resumed is False


def test_server_has_no_session_ticket_to_give(cache):
    _, server, _, _ = _handshake_and_ticket(cache, TlsVersion.TLS1_3)
    assert server.session_ticket() == b""


OCSP_BYTES = b"\x30\x03\x0a\x01\x00"  # any bytes: validation is the socket's job


def test_stapled_ocsp_response_reaches_a_client_that_asked(cache, version):
    _, _, c, _ = _handshake_and_ticket(
        cache, version, server_kw={"ocsp_response": OCSP_BYTES}, client_kw={"ocsp_stapling": True}
    )
    assert c.of(HandshakeCompleted)[0].info.ocsp_response == OCSP_BYTES


def test_no_ocsp_response_without_a_request(cache):
    client, _, c, _ = _handshake_and_ticket(
        cache, TlsVersion.TLS1_3, server_kw={"ocsp_response": OCSP_BYTES}
    )
    assert c.of(HandshakeCompleted)[0].info.ocsp_response is None
    assert client.ocsp_response is None


def test_client_asking_a_server_without_staple_gets_none(cache):
    client, _, c, _ = _handshake_and_ticket(
        cache, TlsVersion.TLS1_3, client_kw={"ocsp_stapling": True}
    )
    assert client.state is EngineState.ENCRYPTED
    assert c.of(HandshakeCompleted)[0].info.ocsp_response is None


# --- PSK -------------------------------------------------------------------------------------

KEY = bytes(range(32))


def _psk_pair(cache, version, client_answer, *, hint=b"hint-1"):
    server_calls: list[bytes] = []
    client_calls: list[tuple[bytes, int, int]] = []

    def on_identity(identity: bytes, max_len: int) -> bytes | None:
        server_calls.append(identity)
        return KEY if identity == b"alice" else None

    def on_required(h: bytes, max_id: int, max_psk: int):
        client_calls.append((h, max_id, max_psk))
        return client_answer

    ciphers = "PSK-AES128-GCM-SHA256:ECDHE-PSK-CHACHA20-POLY1305"
    server = TlsEngine(
        TlsSettings(
            role=Role.SERVER,
            psk=True,
            psk_identity_hint=hint,
            verify_mode=VerifyMode.NONE,
            min_version=version,
            max_version=version,
            cipher_list=ciphers,
            ciphersuites="TLS_AES_128_GCM_SHA256",
        ),
        on_psk_identity=on_identity,
        cache=cache,
    )
    client = TlsEngine(
        TlsSettings(
            role=Role.CLIENT,
            psk=True,
            verify_mode=VerifyMode.NONE,
            cipher_list=ciphers,
            ciphersuites="TLS_AES_128_GCM_SHA256",
        ),
        on_psk_required=on_required,
        cache=cache,
    )
    c, s = connect(client, server)
    return client, server, c, s, client_calls, server_calls


def test_psk_handshake_without_certificates(cache, version):
    client, server, c, s, client_calls, server_calls = _psk_pair(cache, version, (b"alice", KEY))
    assert client.state is EngineState.ENCRYPTED and server.state is EngineState.ENCRYPTED
    assert server_calls == [b"alice"]
    assert client_calls and client_calls[0][1] >= 128 and client_calls[0][2] >= 64
    if version is TlsVersion.TLS1_2:
        # TLS 1.2 carries the server's identity hint (in ServerKeyExchange, so in the last
        # call: OpenSSL first asks for a TLS 1.3 PSK, without hint, when building the hello).
        assert client_calls[-1][0] == b"hint-1"
        assert "PSK" in c.of(HandshakeCompleted)[0].info.cipher_name
    assert c.of(HandshakeCompleted)[0].info.peer_chain == ()
    assert client.send_plaintext(b"secret") == 6


def test_psk_wrong_identity_fails_the_handshake(cache, version):
    client, server, c, s, _, server_calls = _psk_pair(cache, version, (b"mallory", KEY))
    assert server_calls == [b"mallory"]
    assert server.state is EngineState.FAILED or client.state is EngineState.FAILED
    assert c.of(TlsError) or s.of(TlsError)


def test_psk_client_declining_fails_the_handshake(cache):
    client, server, c, _, client_calls, _ = _psk_pair(cache, TlsVersion.TLS1_2, None)
    assert client_calls
    assert client.state is EngineState.FAILED
    assert c.of(TlsError)[0].during_handshake


# --- key log ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["setting", "environment"])
def test_key_log_lines_are_written(cache, tmp_path, monkeypatch, version, source):
    path = tmp_path / "keys.log"
    if source == "setting":
        server_kw = {"keylog_path": str(path)}
    else:
        monkeypatch.setenv("SSLKEYLOGFILE", str(path))
        server_kw = {}
    _handshake_and_ticket(cache, version, server_kw=server_kw)
    lines = path.read_bytes().splitlines()
    labels = {line.split()[0] for line in lines}
    if version is TlsVersion.TLS1_3:
        assert {b"CLIENT_HANDSHAKE_TRAFFIC_SECRET", b"SERVER_TRAFFIC_SECRET_0"} <= labels
    else:
        assert labels == {b"CLIENT_RANDOM"}
    assert all(len(line.split()) == 3 for line in lines)


def test_no_key_log_without_setting_or_environment(cache, tmp_path, monkeypatch):
    monkeypatch.delenv("SSLKEYLOGFILE", raising=False)
    server = TlsEngine(server_settings(), cache=cache)
    assert server._context._keylog is None


def test_without_tickets_a_tls12_session_resumes_by_session_id(cache):
    kw = {"session_tickets": False}
    _, _, c, _ = _handshake_and_ticket(cache, TlsVersion.TLS1_2, server_kw=kw)
    ticket = c.of(SessionTicketReceived)[-1].session
    # No ticket from the server: the lifetime hint field is absent.
    assert c.of(SessionTicketReceived)[-1].lifetime_hint == -1
    _, _, c2, s2 = _handshake_and_ticket(cache, TlsVersion.TLS1_2, server_kw=kw, session=ticket)
    assert s2.of(HandshakeCompleted)[0].info.session_resumed is True


def test_system_trust_store_can_be_enabled(cache):
    client = TlsEngine(
        client_settings(use_system_ca=True), server_hostname="localhost", cache=cache
    )
    client.start_handshake()
    assert client.data_to_send()
