"""Strict verification (qtls extension): each rule on a real chain Qt accepts, in verify() and in
a real handshake, where its error can be ignored on its own; the option as a configuration field;
the modern TLS 1.2 cipher profile.

The chains are x509-limbo's (tests/x509/data), each breaking one rule, with the server's key, so
a pyOpenSSL server on 127.0.0.1 presents them for real. Only cases validated at the current time
are used here (no clock to freeze).
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import trustme

from qtls.QtNetwork import (
    QSsl,
    QSslCertificate,
    QSslConfiguration,
    QSslError,
    QSslSocket,
)
from qtls.ssl.x509.strict import RULES, strict_error
from tests.x509.limbo_cases import Case, by_id, default_cas
from tests.x509.limbo_faketime import ChainServer

pytestmark = pytest.mark.timeout(60)

E = QSslError.SslError
Strict = QSslConfiguration.StrictMode

# rule -> (x509-limbo case breaking it, Qt's code for it)
RULE_CASES: dict[str, tuple[str, QSslError.SslError]] = {
    "server-eku": ("webpki::eku::ee-anyeku", E.InvalidPurpose),
    "server-not-ca": ("webpki::ee-basicconstraints-ca", E.InvalidPurpose),
    "ca-basic-constraints": ("rfc5280::root-non-critical-basic-constraints", E.InvalidCaCertificate),
    "root-eku": ("webpki::eku::root-has-eku", E.UnspecifiedError),
    "name-constraints": ("rfc5280::nc::nc-forbids-dnsname-wildcard-san", E.UnspecifiedError),
    "san": ("webpki::san::san-critical-with-nonempty-subject", E.UnspecifiedError),
    "host-name-san": ("webpki::san::wildcard-embedded-leftmost-san", E.HostNameMismatch),
    "host-name-syntax": ("rfc5280::san::underscore-dns", E.HostNameMismatch),
    "key-policy": ("webpki::forbidden-rsa-key-not-divisible-by-8-in-leaf", E.UnspecifiedError),
    "serial-number": ("rfc5280::serial::too-long", E.UnspecifiedError),
    "key-identifiers": ("rfc5280::aki::leaf-missing-aki", E.UnspecifiedError),
    "policy-constraints": ("rfc5280::pc::ica-noncritical-pc", E.UnspecifiedError),
}


def _chain(case: Case) -> list[QSslCertificate]:
    return [QSslCertificate(p.encode()) for p in (case.peer, *case.intermediates)]


@pytest.fixture(scope="module")
def chain_server() -> Iterator[ChainServer]:
    server = ChainServer()
    yield server
    server.close()


def _handshake(server: ChainServer, case: Case, strict: bool,
               ignore: list[QSslError] | None = None) -> tuple[bool, list[QSslError]]:
    """A qtls client against *case*'s chain: (encrypted?, the handshake's errors)."""
    assert case.peer_key is not None and case.validation_time is None
    server.serve(case.peer, case.intermediates, case.peer_key)
    client = QSslSocket()
    config = client.sslConfiguration()
    config.setCaCertificates([QSslCertificate(p.encode()) for p in case.trusted])
    config.setStrictVerification(strict)
    client.setSslConfiguration(config)
    client.setPeerVerifyName(case.peer_name)
    if ignore is not None:
        client.ignoreSslErrors(ignore)
    client.connectToHostEncrypted("127.0.0.1", server.port)
    encrypted = client.waitForEncrypted(10000)
    errors = client.sslHandshakeErrors()
    client.abort()
    return encrypted, errors


@pytest.mark.parametrize("rule", sorted(RULE_CASES))
def test_strict_verify_reports_the_rule_qt_accepts(rule: str) -> None:
    case = by_id(RULE_CASES[rule][0])
    with default_cas(case.trusted):
        assert QSslCertificate.verify(_chain(case), case.peer_name) == []
        errors = QSslCertificate.verify(_chain(case), case.peer_name, strict=True)
    ours = [e for e in errors if e.errorString().startswith("Strict verification: " + RULES[rule].text)]
    assert len(ours) == 1, [e.errorString() for e in errors]
    assert ours[0].error() is RULE_CASES[rule][1]


@pytest.mark.parametrize("rule", sorted(RULE_CASES))
def test_strict_handshake_error_is_individually_ignorable(
        rule: str, chain_server: ChainServer, qtls_app: Any) -> None:
    case = by_id(RULE_CASES[rule][0])
    assert _handshake(chain_server, case, strict=False) == (True, [])
    encrypted, errors = _handshake(chain_server, case, strict=True)
    assert not encrypted
    assert errors and all(e.errorString().startswith("Strict verification: ") for e in errors)
    assert any(e.errorString().startswith("Strict verification: " + RULES[rule].text) for e in errors)
    # Ignoring every error but one still fails; ignoring exactly the reported ones succeeds.
    if len(errors) > 1:
        assert _handshake(chain_server, case, strict=True, ignore=errors[1:])[0] is False
    assert _handshake(chain_server, case, strict=True, ignore=list(errors)) == (True, errors)


def test_strict_error_equals_only_the_same_rule_and_certificate() -> None:
    case = by_id(RULE_CASES["server-eku"][0])
    leaf = _chain(case)[0]
    eku = strict_error("server-eku", leaf, "anyExtendedKeyUsage")
    assert eku == QSslError(eku)
    assert hash(eku) == hash(QSslError(eku))
    assert eku != QSslError(E.InvalidPurpose, leaf)  # Qt's own InvalidPurpose is not this rule
    assert eku != strict_error("server-not-ca", leaf)
    assert eku != strict_error("server-eku", QSslCertificate(case.trusted[0].encode()), "anyExtendedKeyUsage")
    assert "BR 7.1.2.7.10" in eku.errorString()
    other = QSslError(E.NoError)
    other.swap(eku)
    assert other.errorString().startswith("Strict verification") and eku.error() is E.NoError


def test_strict_verify_adds_nothing_to_a_good_chain(qtls_app: Any) -> None:
    case = by_id("webpki::san::exact-dns-san")
    with default_cas(case.trusted):
        assert QSslCertificate.verify(_chain(case), case.peer_name, strict=True) == []


def test_strict_mode_is_a_configuration_field() -> None:
    config = QSslConfiguration.defaultConfiguration()
    assert config.strictMode() is Strict.NoStrictMode and not config.strictVerification()
    copy = QSslConfiguration(config)
    config.setStrictVerification(True)
    assert config.strictVerification() and not copy.strictVerification()
    assert config != copy
    copy.setStrictMode(Strict.StrictVerification)
    assert config == copy
    config.setStrictMode(Strict.FullStrictMode)
    config.setStrictVerification(False)
    assert config.strictMode() is Strict.ModernCiphers
    with pytest.raises(TypeError):
        config.setStrictMode(1)  # type: ignore[arg-type]
    socket = QSslSocket()
    socket.setSslConfiguration(copy)
    assert socket.sslConfiguration().strictVerification()


# -- the modern TLS 1.2 cipher profile -----------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _tls12_server(ca: trustme.CA, cipher: str) -> tuple[ssl.SSLContext, Any]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(cipher)
    ca.issue_cert("localhost", key_type=trustme.KeyType.RSA).configure_cert(context)  # static RSA needs one
    listener = __import__("socket").create_server(("127.0.0.1", 0))
    listener.settimeout(10)
    return context, listener


def _serve_once(context: ssl.SSLContext, listener: Any, result: dict[str, Any]) -> None:
    try:
        raw, _ = listener.accept()
        raw.settimeout(10)
        with context.wrap_socket(raw, server_side=True) as tls:
            result["cipher"] = tls.cipher()[0]
            tls.recv(1)
    except (OSError, ssl.SSLError) as error:
        result["error"] = error
    finally:
        listener.close()


@pytest.mark.parametrize(
    ("server_cipher", "modern", "negotiated"),
    [
        ("AES128-SHA256", False, True),  # Qt's default still offers static RSA with CBC
        ("AES128-SHA256", True, False),
        ("ECDHE-RSA-AES128-SHA256", True, False),  # forward secret, but CBC
        ("ECDHE-RSA-AES128-GCM-SHA256", True, True),
    ],
)
def test_modern_ciphers_offer_only_forward_secret_aead_suites_in_tls12(
        ca: trustme.CA, server_cipher: str, modern: bool, negotiated: bool, qtls_app: Any) -> None:
    context, listener = _tls12_server(ca, server_cipher)
    result: dict[str, Any] = {}
    thread = threading.Thread(target=_serve_once, args=(context, listener, result), daemon=True)
    thread.start()
    client = QSslSocket()
    config = client.sslConfiguration()
    config.setCaCertificates([QSslCertificate(ca.cert_pem.bytes())])
    if modern:
        config.setStrictMode(Strict.ModernCiphers)
    client.setSslConfiguration(config)
    client.connectToHostEncrypted("localhost", listener.getsockname()[1])
    assert client.waitForEncrypted(10000) is negotiated
    if negotiated:
        assert client.sessionCipher().name() == server_cipher
        assert client.sessionProtocol() is QSsl.SslProtocol.TlsV1_2
    client.abort()
    thread.join(10)
    assert not thread.is_alive()


def test_qt_default_cipher_list_still_has_static_rsa_and_cbc_suites() -> None:
    from qtls.ssl.tlssettings import is_modern_tls12_cipher

    names = [c.name() for c in QSslConfiguration.defaultConfiguration().ciphers()]
    certificate_suites = [n for n in names if not n.startswith("TLS_") and "PSK" not in n
                          and "SRP" not in n]
    static_rsa = [n for n in certificate_suites if "DHE" not in n]
    cbc = [n for n in certificate_suites if not any(a in n for a in ("GCM", "CHACHA20", "CCM"))]
    assert static_rsa and cbc  # what the docs say ModernCiphers removes
    assert not any(is_modern_tls12_cipher(n) for n in static_rsa + cbc)
    assert [n for n in certificate_suites if is_modern_tls12_cipher(n)]


# OpenSSL does not backtrack: these valid chains have a path it does not find (an intermediate
# trusted directly, an alternative issuer, a name-constrained dead end). Strict mode's validator
# finds it, so Qt's errors about OpenSSL's path go; nothing else changes.
DEAD_ENDS = [
    "rfc5280::root-and-intermediate-swapped",
    "rfc5280::nc::nc-forbids-same-chain-ica",
    "rfc5280::nc::nc-forbids-alternate-chain-ica",
]


@pytest.mark.parametrize("case_id", DEAD_ENDS)
def test_strict_mode_finds_the_valid_path_openssl_misses(
        case_id: str, chain_server: ChainServer, qtls_app: Any) -> None:
    case = by_id(case_id)
    with default_cas(case.trusted):
        assert QSslCertificate.verify(_chain(case), case.peer_name) != []
        assert QSslCertificate.verify(_chain(case), case.peer_name, strict=True) == []
    encrypted, errors = _handshake(chain_server, case, strict=False)
    assert not encrypted and errors
    assert _handshake(chain_server, case, strict=True) == (True, [])


def _sha224_chain() -> tuple[Case, QSslCertificate]:
    """A root and a leaf it signs with ECDSA-SHA-224: OpenSSL and Qt accept it, the BR do not."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.timezone.utc)
    root_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "strict test root")])
    root = (
        x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
        .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                       critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()),
                       critical=False)
        .sign(root_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(root_name).public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                       critical=False)
        .sign(root_key, hashes.SHA224())
    )
    pem = serialization.Encoding.PEM
    key_pem = leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()).decode()
    case = Case("sha224", "", (), (root.public_bytes(pem).decode(),), (),
                leaf.public_bytes(pem).decode(), key_pem, None, "localhost", False, None, True)
    return case, QSslCertificate(leaf.public_bytes(pem))


def test_signature_policy_rule_on_a_sha224_signature(
        chain_server: ChainServer, qtls_app: Any) -> None:
    case, leaf = _sha224_chain()
    with default_cas(case.trusted):
        assert QSslCertificate.verify([leaf], "localhost") == []
        errors = QSslCertificate.verify([leaf], "localhost", strict=True)
    assert [e.error() for e in errors] == [E.UnspecifiedError]
    assert errors[0].errorString().startswith("Strict verification: " + RULES["signature-policy"].text)
    assert _handshake(chain_server, case, strict=False) == (True, [])
    assert _handshake(chain_server, case, strict=True) == (False, errors)
    assert _handshake(chain_server, case, strict=True, ignore=errors) == (True, errors)
