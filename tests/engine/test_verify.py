"""Certificate verification: every error recorded, the handshake going on, and interruption."""

from __future__ import annotations

import datetime

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from OpenSSL import SSL

from qtls.ssl.engine import (
    AlertReceived,
    AlertSent,
    EngineState,
    ErrorOrigin,
    HandshakeCompleted,
    Role,
    TlsEngine,
    TlsError,
    TlsSettings,
    VerifyError,
    VerifyErrorRecorded,
    VerifyMode,
)

from .conftest import (
    CA,
    CLIENT_CERT,
    SERVER_CERT,
    chain_der,
    client_settings,
    pem_to_der,
    server_settings,
)
from .helpers import connect

NOW = datetime.datetime.now(datetime.timezone.utc)
EXPIRED = CA.issue_cert(
    "localhost",
    not_before=NOW - datetime.timedelta(days=30),
    not_after=NOW - datetime.timedelta(days=1),
)
NOT_YET_VALID = CA.issue_cert(
    "localhost",
    not_before=NOW + datetime.timedelta(days=1),
    not_after=NOW + datetime.timedelta(days=30),
)
X509_V_ERR_CERT_NOT_YET_VALID = SSL._lib.X509_V_ERR_CERT_NOT_YET_VALID
X509_V_ERR_CERT_HAS_EXPIRED = SSL._lib.X509_V_ERR_CERT_HAS_EXPIRED
X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT = SSL._lib.X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY = SSL._lib.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY


def _self_signed() -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.DER), key_pem


def _codes(errors: list[VerifyErrorRecorded]) -> set[int]:
    return {e.error.code for e in errors}


@pytest.mark.parametrize(
    ("cert", "code"),
    [(EXPIRED, X509_V_ERR_CERT_HAS_EXPIRED), (NOT_YET_VALID, X509_V_ERR_CERT_NOT_YET_VALID)],
    ids=["expired", "not-yet-valid"],
)
def test_validity_errors_are_recorded_and_handshake_goes_on(cache, version, cert, code):
    server = TlsEngine(server_settings(cert, min_version=version, max_version=version), cache=cache)
    client = TlsEngine(client_settings(), server_hostname="localhost", cache=cache)
    c, _ = connect(client, server)
    errors = c.of(VerifyErrorRecorded)
    assert code in _codes(errors)
    [err] = [e.error for e in errors if e.error.code == code]
    assert err.depth == 0
    assert err.certificate == chain_der(cert)[0]
    assert "certificate" in err.message
    assert client.state is EngineState.ENCRYPTED
    assert client.verify_errors == tuple(e.error for e in errors)
    # The errors precede the completion event, as sslErrors precedes encrypted in Qt.
    kinds = [type(e) for e in c.events]
    assert kinds.index(VerifyErrorRecorded) < kinds.index(HandshakeCompleted)


def test_self_signed_leaf_is_reported_at_depth_zero(cache):
    der, key = _self_signed()
    server = TlsEngine(
        server_settings(local_certificate_chain=(der,), private_key=key), cache=cache
    )
    client = TlsEngine(client_settings(), server_hostname="localhost", cache=cache)
    c, _ = connect(client, server)
    errors = [e.error for e in c.of(VerifyErrorRecorded)]
    assert (X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0, der) in {
        (e.code, e.depth, e.certificate) for e in errors
    }
    assert client.state is EngineState.ENCRYPTED


def test_untrusted_root_is_reported_when_the_client_has_no_ca(cache):
    server = TlsEngine(server_settings(), cache=cache)
    client = TlsEngine(
        client_settings(ca_certificates=()), server_hostname="localhost", cache=cache
    )
    c, _ = connect(client, server)
    assert X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY in _codes(c.of(VerifyErrorRecorded))
    # OpenSSL's chain stops where it could not go on: the leaf alone, no root.
    assert c.of(HandshakeCompleted)[0].info.verified_chain == chain_der(SERVER_CERT)[:1]


def test_verify_none_records_nothing(cache):
    server = TlsEngine(server_settings(EXPIRED), cache=cache)
    client = TlsEngine(
        client_settings(ca_certificates=(), verify_mode=VerifyMode.NONE),
        server_hostname="localhost",
        cache=cache,
    )
    c, _ = connect(client, server)
    assert c.of(VerifyErrorRecorded) == []
    assert client.state is EngineState.ENCRYPTED


def _expired_copy_of_ca() -> bytes:
    """The trustme CA re-issued (same name and key) with a validity that ended yesterday."""
    ca_cert = x509.load_pem_x509_certificate(CA.cert_pem.bytes())
    ca_key = serialization.load_pem_private_key(CA.private_key_pem.bytes(), None)
    builder = (
        x509.CertificateBuilder()
        .subject_name(ca_cert.subject)
        .issuer_name(ca_cert.subject)
        .public_key(ca_cert.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=30))
        .not_valid_after(NOW - datetime.timedelta(days=1))
    )
    for ext in ca_cert.extensions:
        builder = builder.add_extension(ext.value, ext.critical)
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def test_expired_ca_is_left_out_of_the_store_like_qt(cache):
    # Were it in the store, OpenSSL would stop at "certificate has expired" at depth 1; Qt (and
    # we) leave it out, so the issuer is simply not found.
    server = TlsEngine(server_settings(), cache=cache)
    client = TlsEngine(
        client_settings(ca_certificates=(_expired_copy_of_ca(),)),
        server_hostname="localhost",
        cache=cache,
    )
    c, _ = connect(client, server)
    codes = _codes(c.of(VerifyErrorRecorded))
    assert X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY in codes
    assert X509_V_ERR_CERT_HAS_EXPIRED not in codes


@pytest.mark.parametrize("decision", [False, True])
def test_interrupt_hook_decides_whether_the_handshake_continues(cache, version, decision):
    seen: list[VerifyError] = []

    def hook(error: VerifyError) -> bool:
        seen.append(error)
        return decision

    server = TlsEngine(
        server_settings(EXPIRED, min_version=version, max_version=version), cache=cache
    )
    client = TlsEngine(
        client_settings(interrupt_on_verify_error=True),
        server_hostname="localhost",
        on_verify_error=hook,
        cache=cache,
    )
    c, s = connect(client, server)
    assert seen and seen[0].code == X509_V_ERR_CERT_HAS_EXPIRED
    if decision:
        assert client.state is EngineState.ENCRYPTED and server.state is EngineState.ENCRYPTED
        return
    assert client.state is EngineState.FAILED and server.state is EngineState.FAILED
    [sent] = c.of(AlertSent)
    assert sent.description == 45 and sent.text == "certificate expired"
    # The peer really received the fatal alert and reports a remote failure.
    [received] = s.of(AlertReceived)
    assert received.description == 45
    [error] = s.of(TlsError)
    assert error.origin is ErrorOrigin.REMOTE and error.during_handshake
    assert "certificate expired" in error.reason
    [local] = c.of(TlsError)
    assert local.origin is ErrorOrigin.LOCAL and "certificate verify failed" in local.reason


def test_interrupt_without_hook_aborts(cache):
    server = TlsEngine(server_settings(EXPIRED), cache=cache)
    client = TlsEngine(
        client_settings(interrupt_on_verify_error=True), server_hostname="localhost", cache=cache
    )
    connect(client, server)
    assert client.state is EngineState.FAILED


def test_hook_that_raises_aborts_instead_of_escaping(cache):
    def hook(error: VerifyError) -> bool:
        raise RuntimeError("boom")

    server = TlsEngine(server_settings(EXPIRED), cache=cache)
    client = TlsEngine(
        client_settings(interrupt_on_verify_error=True),
        server_hostname="localhost",
        on_verify_error=hook,
        cache=cache,
    )
    connect(client, server)
    assert client.state is EngineState.FAILED


def _client_with_cert(**kw: object) -> TlsSettings:
    return client_settings(
        local_certificate_chain=chain_der(CLIENT_CERT),
        private_key=CLIENT_CERT.private_key_pem.bytes(),
        **kw,
    )


def test_mutual_tls_server_sees_the_client_chain(cache, version):
    ca_der = pem_to_der(CA.cert_pem.bytes())
    server = TlsEngine(
        server_settings(
            verify_mode=VerifyMode.VERIFY,
            ca_certificates=(ca_der,),
            missing_certificate_is_fatal=True,
            min_version=version,
            max_version=version,
        ),
        cache=cache,
    )
    client = TlsEngine(_client_with_cert(), server_hostname="localhost", cache=cache)
    c, s = connect(client, server)
    assert server.state is EngineState.ENCRYPTED
    info = s.of(HandshakeCompleted)[0].info
    assert info.peer_chain[0] == chain_der(CLIENT_CERT)[0]
    assert s.of(VerifyErrorRecorded) == []
    assert c.of(HandshakeCompleted)[0].info.local_chain == chain_der(CLIENT_CERT)


def test_missing_client_certificate_is_fatal_when_configured(cache, version):
    server = TlsEngine(
        server_settings(
            verify_mode=VerifyMode.VERIFY,
            missing_certificate_is_fatal=True,
            min_version=version,
            max_version=version,
        ),
        cache=cache,
    )
    client = TlsEngine(client_settings(), server_hostname="localhost", cache=cache)
    c, s = connect(client, server)
    assert server.state is EngineState.FAILED
    assert s.of(TlsError)[0].during_handshake
    assert c.of(AlertReceived)[0].level == 2


def test_query_mode_accepts_a_client_without_certificate(cache):
    server = TlsEngine(server_settings(verify_mode=VerifyMode.QUERY), cache=cache)
    client = TlsEngine(client_settings(), server_hostname="localhost", cache=cache)
    _, s = connect(client, server)
    assert server.state is EngineState.ENCRYPTED
    assert s.of(HandshakeCompleted)[0].info.peer_chain == ()


def test_query_mode_records_errors_of_an_untrusted_client_certificate(cache):
    server = TlsEngine(server_settings(verify_mode=VerifyMode.QUERY), cache=cache)  # no CA
    client = TlsEngine(_client_with_cert(), server_hostname="localhost", cache=cache)
    _, s = connect(client, server)
    assert server.state is EngineState.ENCRYPTED
    # The client sends its root too (trustme's chain), which the server does not trust.
    errors = {(e.error.code, e.error.depth) for e in s.of(VerifyErrorRecorded)}
    assert (SSL._lib.X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 1) in errors
    assert s.of(HandshakeCompleted)[0].info.peer_chain[0] == chain_der(CLIENT_CERT)[0]


def test_server_in_none_mode_does_not_request_a_certificate(cache):
    server = TlsEngine(server_settings(verify_mode=VerifyMode.NONE), cache=cache)
    client = TlsEngine(_client_with_cert(), server_hostname="localhost", cache=cache)
    _, s = connect(client, server)
    assert s.of(HandshakeCompleted)[0].info.peer_chain == ()


def test_settings_role_server_is_honoured():
    assert TlsSettings(role=Role.SERVER).is_server


INTERMEDIATE = CA.create_child_ca(key_type=trustme.KeyType.RSA)
CHAINED = INTERMEDIATE.issue_cert("localhost", key_type=trustme.KeyType.RSA)


def test_intermediate_chain_is_sent_and_verified(cache, version):
    server = TlsEngine(
        server_settings(CHAINED, min_version=version, max_version=version), cache=cache
    )
    client = TlsEngine(client_settings(), server_hostname="localhost", cache=cache)
    c, _ = connect(client, server)
    assert c.of(VerifyErrorRecorded) == []
    info = c.of(HandshakeCompleted)[0].info
    assert info.peer_chain[:2] == chain_der(CHAINED)[:2]  # leaf, intermediate
    assert len(info.verified_chain) == 3  # leaf, intermediate, root


def test_leaf_only_server_completes_its_chain_from_its_ca_store(cache, version):
    # Only the leaf is configured; the intermediate (and root) are in the server's CA store.
    # OpenSSL completes the chain it sends from that store, as Qt relies on; qtls builds that
    # chain once per context instead of once per handshake, with the same result.
    server = TlsEngine(
        server_settings(
            CHAINED, local_certificate_chain=chain_der(CHAINED)[:1],
            ca_certificates=tuple(chain_der(CHAINED)[1:]),
            min_version=version, max_version=version,
        ),
        cache=cache,
    )
    for _ in range(2):  # the second handshake runs on the cached context
        client = TlsEngine(client_settings(), server_hostname="localhost", cache=cache)
        fresh = TlsEngine(server.settings, cache=cache)
        c, _ = connect(client, fresh)
        assert c.of(VerifyErrorRecorded) == []
        info = c.of(HandshakeCompleted)[0].info
        assert info.peer_chain[:2] == chain_der(CHAINED)[:2]


def test_leaf_only_server_without_its_issuer_sends_the_leaf_alone(cache):
    server = TlsEngine(
        server_settings(CHAINED, local_certificate_chain=chain_der(CHAINED)[:1]), cache=cache
    )
    client = TlsEngine(client_settings(), server_hostname="localhost", cache=cache)
    c, _ = connect(client, server)
    info = c.of(HandshakeCompleted)[0].info
    assert info.peer_chain == chain_der(CHAINED)[:1]
    assert c.of(VerifyErrorRecorded)  # the client cannot build a path to its root


def test_verify_depth_limit_records_chain_too_long(cache):
    # OpenSSL's depth counts intermediates: leaf + two intermediates exceed a depth of 1.
    deep = INTERMEDIATE.create_child_ca(key_type=trustme.KeyType.RSA)
    leaf = deep.issue_cert("localhost", key_type=trustme.KeyType.RSA)
    server = TlsEngine(server_settings(leaf), cache=cache)
    client = TlsEngine(client_settings(verify_depth=1), server_hostname="localhost", cache=cache)
    c, _ = connect(client, server)
    assert SSL._lib.X509_V_ERR_CERT_CHAIN_TOO_LONG in _codes(c.of(VerifyErrorRecorded))
    # Without the limit (0, as Qt's default) the same chain verifies cleanly.
    server = TlsEngine(server_settings(leaf), cache=cache)
    client = TlsEngine(client_settings(verify_depth=0), server_hostname="localhost", cache=cache)
    c, _ = connect(client, server)
    assert c.of(VerifyErrorRecorded) == []


def test_a_root_with_a_non_positive_serial_loads_without_a_warning(cache):
    # Old roots in system stores carry negative serials; OpenSSL and Qt accept them quietly,
    # while cryptography warns on parsing: the engine must not leak that warning.
    import warnings

    ca_der = pem_to_der(CA.cert_pem.bytes())
    serial = x509.load_der_x509_certificate(ca_der).serial_number
    encoded = serial.to_bytes((serial.bit_length() + 8) // 8, "big")
    tag = bytes([0x02, len(encoded)]) + encoded
    assert ca_der.count(tag) == 1
    negative = ca_der.replace(tag, bytes([0x02, len(encoded), encoded[0] | 0x80]) + encoded[1:])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cache.get(client_settings(ca_certificates=(negative,)))
