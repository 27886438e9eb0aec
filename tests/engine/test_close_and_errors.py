"""Closing (close_notify vs truncation), configuration errors, the context cache, misbehaving peers."""

from __future__ import annotations

import dataclasses

import pytest
from OpenSSL import SSL

from qtls.ssl.engine import (
    TRANSITIONS,
    AlertReceived,
    AlertSent,
    CloseNotifyReceived,
    ContextCache,
    EngineConfigError,
    EngineState,
    ErrorOrigin,
    HandshakeCompleted,
    LocalProtocolError,
    SessionTicketReceived,
    TlsEngine,
    TlsError,
    TlsVersion,
    TruncatedInput,
    VerifyMode,
    build_context,
)
from qtls.ssl.engine.state import check_transition

from .conftest import EC_SERVER_CERT, SERVER_CERT, client_settings, server_settings
from .helpers import Peer, connect, pump


def _pair(cache, version=None, **server_kw):
    kw = {"min_version": version, "max_version": version} if version else {}
    server = TlsEngine(server_settings(**kw, **server_kw), cache=cache)
    client = TlsEngine(client_settings(), server_hostname="localhost", cache=cache)
    return connect(client, server)


# --- closing ---------------------------------------------------------------------------------


def test_close_notify_both_ways_ends_in_closed(cache, version):
    c, s = _pair(cache, version)
    c.engine.shutdown()
    c.collect()
    assert c.engine.state is EngineState.CLOSING
    assert c.of(AlertSent)[-1].description == 0  # close_notify is alert 0
    pump(c, s)
    assert s.of(CloseNotifyReceived)
    assert s.engine.state is EngineState.CLOSING
    s.engine.shutdown()
    pump(c, s)
    assert c.of(CloseNotifyReceived)
    assert c.engine.state is EngineState.CLOSED and s.engine.state is EngineState.CLOSED
    # EOF after a clean close is not truncation.
    c.engine.receive_ciphertext(b"")
    assert c.engine.events() == [] and c.engine.state is EngineState.CLOSED


def test_data_sent_before_close_notify_is_delivered(cache):
    c, s = _pair(cache)
    c.engine.send_plaintext(b"last words")
    c.engine.shutdown()
    pump(c, s)
    assert bytes(s.received) == b"last words"
    assert s.of(CloseNotifyReceived)


def test_eof_without_close_notify_is_truncation(cache):
    c, s = _pair(cache)
    s.engine.receive_ciphertext(b"")
    s.collect()
    assert s.of(TruncatedInput) == [TruncatedInput(during_handshake=False)]
    assert s.of(CloseNotifyReceived) == []
    assert s.engine.state is EngineState.CLOSED


def test_eof_during_handshake_is_a_failed_handshake(cache):
    client = TlsEngine(client_settings(), server_hostname="localhost", cache=cache)
    client.start_handshake()
    client.data_to_send()
    client.receive_ciphertext(b"")
    events = client.events()
    assert TruncatedInput(during_handshake=True) in events
    [error] = [e for e in events if isinstance(e, TlsError)]
    assert error.during_handshake and error.origin is ErrorOrigin.REMOTE
    assert client.state is EngineState.FAILED


def test_shutdown_before_encryption_just_closes(cache):
    client = TlsEngine(client_settings(), server_hostname="localhost", cache=cache)
    client.shutdown()
    assert client.state is EngineState.CLOSED
    assert client.data_to_send() == b""


def test_state_table_rejects_illegal_transitions():
    with pytest.raises(LocalProtocolError):
        check_transition(EngineState.CLOSED, EngineState.ENCRYPTED)
    assert TRANSITIONS[EngineState.FAILED] == frozenset()
    check_transition(EngineState.IDLE, EngineState.HANDSHAKING)


# --- configuration ---------------------------------------------------------------------------


def test_same_settings_give_the_same_context_object():
    cache = ContextCache(maxsize=2)
    a, b = client_settings(), client_settings()
    assert a == b and hash(a) == hash(b)
    assert cache.get(a) is cache.get(b)
    e1 = TlsEngine(a, cache=cache)
    e2 = TlsEngine(b, cache=cache)
    assert e1._context is e2._context
    other = client_settings(alpn_protocols=(b"h2",))
    assert cache.get(other) is not cache.get(a)


def test_cache_is_bounded_lru():
    cache = ContextCache(maxsize=2)
    s1, s2, s3 = (client_settings(verify_depth=d) for d in (1, 2, 3))
    c1 = cache.get(s1)
    cache.get(s2)
    assert cache.get(s1) is c1  # s1 is now the most recent
    cache.get(s3)  # evicts s2
    assert len(cache) == 2 and s1 in cache and s2 not in cache


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cipher_list": "NO-SUCH-CIPHER"}, "cipher list"),
        ({"ciphersuites": "TLS_NOPE"}, "ciphersuites"),
        ({"groups": "nosuchgroup"}, "groups"),
        (
            {"min_version": TlsVersion.TLS1_3, "max_version": TlsVersion.TLS1_2},
            "empty protocol range",
        ),
        ({"private_key": EC_SERVER_CERT.private_key_pem.bytes()}, "does not match"),
        ({"private_key": b"not a key"}, "private key"),
        ({"private_key": None}, "no key"),
        ({"local_certificate_chain": (b"junk",)}, "not a valid DER certificate"),
        ({"dh_parameters": b"junk"}, "Diffie-Hellman"),
        ({"alpn_protocols": (b"",)}, "ALPN"),
    ],
)
def test_bad_settings_raise_a_config_error_naming_the_cause(changes, message):
    settings = dataclasses.replace(server_settings(), **changes)
    with pytest.raises(EngineConfigError, match=message):
        build_context(settings)
    with pytest.raises(EngineConfigError):
        TlsEngine(settings, cache=ContextCache())


def test_encrypted_private_key_needs_its_passphrase():
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(SERVER_CERT.private_key_pem.bytes(), None)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    with pytest.raises(EngineConfigError, match="private key"):
        build_context(server_settings(private_key=pem))
    assert build_context(server_settings(private_key=pem, private_key_passphrase=b"secret"))


def test_no_shared_cipher_is_a_handshake_error_with_that_reason(cache):
    server = TlsEngine(
        server_settings(max_version=TlsVersion.TLS1_2, cipher_list="ECDHE-RSA-AES128-GCM-SHA256"),
        cache=cache,
    )
    client = TlsEngine(
        client_settings(max_version=TlsVersion.TLS1_2, cipher_list="ECDHE-RSA-CHACHA20-POLY1305"),
        server_hostname="localhost",
        cache=cache,
    )
    c, s = connect(client, server)
    [serr] = s.of(TlsError)
    assert serr.reason == "no shared cipher" and serr.origin is ErrorOrigin.LOCAL
    [cerr] = c.of(TlsError)
    assert cerr.origin is ErrorOrigin.REMOTE and "handshake failure" in cerr.reason
    assert c.of(AlertReceived)[0].description == 40


def test_disjoint_versions_fail_with_protocol_version_alert(cache):
    server = TlsEngine(server_settings(min_version=TlsVersion.TLS1_3), cache=cache)
    client = TlsEngine(
        client_settings(max_version=TlsVersion.TLS1_2), server_hostname="localhost", cache=cache
    )
    c, s = connect(client, server)
    assert "unsupported protocol" in s.of(TlsError)[0].reason
    assert c.of(AlertReceived)[0].description == 70  # protocol_version
    assert c.engine.state is EngineState.FAILED


# --- misbehaving peers ---------------------------------------------------------------------


def test_plain_http_instead_of_client_hello_is_wrong_version_number(cache):
    server = TlsEngine(server_settings(), cache=cache)
    server.start_handshake()
    server.receive_ciphertext(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    [error] = [e for e in server.events() if isinstance(e, TlsError)]
    assert "wrong version number" in error.reason or "http request" in error.reason
    assert error.during_handshake and server.state is EngineState.FAILED
    server.receive_ciphertext(b"more")  # ignored once failed
    assert server.events() == []


def test_garbage_record_after_handshake_fails_with_an_alert(cache):
    c, s = _pair(cache)
    s.engine.receive_ciphertext(b"\x17\x03\x03\x00\x20" + b"\x00" * 32)
    s.collect()
    [error] = s.of(TlsError)
    assert not error.during_handshake and error.origin is ErrorOrigin.LOCAL
    assert s.of(AlertSent)[-1].level == 2
    assert s.engine.state is EngineState.FAILED
    assert s.engine.data_to_send()  # the fatal alert, ready to reach the peer


def test_truncated_record_waits_for_the_rest(cache):
    c, s = _pair(cache)
    c.engine.send_plaintext(b"x" * 1000)
    record = c.engine.data_to_send()
    s.engine.receive_ciphertext(record[:500])
    assert s.engine.read_plaintext() == b"" and s.engine.state is EngineState.ENCRYPTED
    s.engine.receive_ciphertext(record[500:])
    assert s.engine.read_plaintext() == b"x" * 1000
    s.engine.receive_ciphertext(b"")
    assert TruncatedInput(during_handshake=False) in s.engine.events()


def test_truncated_record_then_eof_is_truncation(cache):
    c, s = _pair(cache)
    c.engine.send_plaintext(b"y" * 100)
    s.engine.receive_ciphertext(c.engine.data_to_send()[:50])
    s.engine.receive_ciphertext(b"")
    assert TruncatedInput(during_handshake=False) in s.engine.events()


def _raw_tls12_client() -> SSL.Connection:
    ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
    ctx.set_max_proto_version(SSL.TLS1_2_VERSION)
    ctx.set_verify(SSL.VERIFY_NONE)
    conn = SSL.Connection(ctx, None)
    conn.set_connect_state()
    return conn


def _bio_read_all(raw: SSL.Connection) -> bytes:
    try:
        return raw.bio_read(1 << 20)
    except SSL.WantReadError:
        return b""


def test_renegotiation_request_is_refused_and_connection_goes_on(cache):
    server = Peer(TlsEngine(server_settings(), cache=cache))
    server.engine.start_handshake()
    raw = _raw_tls12_client()
    for _ in range(10):
        try:
            raw.do_handshake()
            done = True
        except SSL.WantReadError:
            done = False
        out = _bio_read_all(raw)
        if out:
            server.engine.receive_ciphertext(out)
            server.collect()
        back = server.engine.data_to_send()
        if back:
            raw.bio_write(back)
        if done and not out and not back:
            break
    assert server.engine.state is EngineState.ENCRYPTED
    assert server.of(HandshakeCompleted)[0].info.protocol == "TLSv1.2"

    assert raw.renegotiate()
    with pytest.raises(SSL.WantReadError):
        raw.do_handshake()
    server.engine.receive_ciphertext(_bio_read_all(raw))
    server.collect()
    refusal = [a for a in server.of(AlertSent) if a.description == 100]
    assert refusal and refusal[0].level == 1 and refusal[0].text == "no renegotiation"
    assert server.engine.state is EngineState.ENCRYPTED
    # The peer really gets the refusal.
    raw.bio_write(server.engine.data_to_send())
    with pytest.raises(SSL.Error, match="no renegotiation"):
        raw.do_handshake()


def test_client_ignores_hello_request_style_renegotiation_from_a_server(cache):
    # A raw TLS 1.2 server asks our client to renegotiate: the client answers no_renegotiation.
    ctx = SSL.Context(SSL.TLS_SERVER_METHOD)
    ctx.set_max_proto_version(SSL.TLS1_2_VERSION)
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    ctx.use_certificate(x509.load_pem_x509_certificate(SERVER_CERT.cert_chain_pems[0].bytes()))
    ctx.use_privatekey(
        serialization.load_pem_private_key(SERVER_CERT.private_key_pem.bytes(), None)
    )
    raw = SSL.Connection(ctx, None)
    raw.set_accept_state()
    client = Peer(TlsEngine(client_settings(), server_hostname="localhost", cache=cache))
    client.engine.start_handshake()
    for _ in range(10):
        data = client.engine.data_to_send()
        client.collect()
        if data:
            raw.bio_write(data)
        try:
            raw.do_handshake()
        except SSL.WantReadError:
            pass
        back = _bio_read_all(raw)
        if back:
            client.engine.receive_ciphertext(back)
            client.collect()
        if not data and not back:
            break
    assert client.engine.state is EngineState.ENCRYPTED
    assert raw.renegotiate()
    try:
        raw.do_handshake()  # writes the HelloRequest
    except SSL.WantReadError:
        pass
    client.engine.receive_ciphertext(_bio_read_all(raw))
    client.collect()
    assert any(a.description == 100 for a in client.of(AlertSent))
    assert client.engine.state is EngineState.ENCRYPTED


def test_settings_accept_lists_and_stay_hashable():
    settings = client_settings(alpn_protocols=[b"h2", bytearray(b"http/1.1")])
    assert settings.alpn_protocols == (b"h2", b"http/1.1")
    assert hash(settings) == hash(client_settings(alpn_protocols=(b"h2", b"http/1.1")))


@pytest.mark.parametrize(
    "changes",
    [{"alpn_protocols": "h2"}, {"alpn_protocols": ("h2",)}, {"verify_mode": 2}, {"role": "server"}],
)
def test_settings_of_the_wrong_type_raise_type_error(changes):
    with pytest.raises(TypeError):
        dataclasses.replace(client_settings(), **changes)


@pytest.mark.parametrize("host", ["my_host.example", "a" * 70 + ".example"])
def test_host_names_the_idna_codec_refuses_still_get_sni(cache, host):
    server = TlsEngine(server_settings(), cache=cache)
    client = TlsEngine(
        client_settings(verify_mode=VerifyMode.NONE), server_hostname=host, cache=cache
    )
    _, s = connect(client, server)
    assert s.of(HandshakeCompleted)[0].info.server_name == host


def test_server_engine_without_alert_reporting_makes_no_alert_events(cache):
    server = TlsEngine(server_settings(min_version=TlsVersion.TLS1_3), cache=cache,
                       report_alerts=False)
    client = TlsEngine(
        client_settings(max_version=TlsVersion.TLS1_2), server_hostname="localhost", cache=cache
    )
    c, s = connect(client, server)
    assert "unsupported protocol" in s.of(TlsError)[0].reason
    assert s.of(AlertSent) == [] and s.of(AlertReceived) == []
    assert c.of(AlertReceived)[0].description == 70  # the alert still went out


def test_server_engine_reports_alerts_once_asked(cache):
    server = TlsEngine(server_settings(), cache=cache, report_alerts=False)
    server.report_alerts()
    client = TlsEngine(client_settings(), server_hostname="localhost", cache=cache)
    c, s = connect(client, server)
    client.shutdown()
    pump(c, s)
    assert [a.description for a in s.of(AlertReceived)] == [0]  # the client's close_notify


def test_client_engine_without_alert_or_ticket_reporting_makes_neither_event(cache):
    server = TlsEngine(server_settings(), cache=cache)
    client = TlsEngine(client_settings(), server_hostname="localhost", cache=cache,
                       report_alerts=False, report_tickets=False)
    c, s = connect(client, server)
    server.shutdown()
    pump(c, s)
    assert c.of(HandshakeCompleted)
    assert c.of(AlertSent) == [] and c.of(AlertReceived) == []
    assert c.of(SessionTicketReceived) == []
    assert [a.description for a in s.of(AlertSent)] == [0]  # the close_notify still went


def test_client_engine_reporting_tickets_only_gets_tickets_and_no_alerts(cache):
    server = TlsEngine(server_settings(min_version=TlsVersion.TLS1_3), cache=cache)
    client = TlsEngine(client_settings(), server_hostname="localhost", cache=cache,
                       report_alerts=False)
    c, s = connect(client, server)
    server.shutdown()
    pump(c, s)
    assert c.of(SessionTicketReceived), "the TLS 1.3 tickets were not noticed"
    assert c.of(AlertReceived) == []
    client.report_alerts()  # asked later: from now on
    client.shutdown()
    pump(c, s)
    assert [a.description for a in c.of(AlertSent)] == [0]
