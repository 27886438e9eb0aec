"""The backend statics (what QSslSocket's static methods report) and protocol resolution."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from OpenSSL import SSL

from qtls.ssl import backend
from qtls.ssl.backend import UnsupportedProtocolError, protocol_version_range
from qtls.ssl.qssl import QSsl

P = QSsl.SslProtocol
DTLS = [P.DtlsV1_0, P.DtlsV1_0OrLater, P.DtlsV1_2, P.DtlsV1_2OrLater]


def _names(values: list[Any]) -> list[str]:
    return [v.name for v in values]


def test_supports_ssl() -> None:
    assert backend.supportsSsl() is True


def test_library_version_is_the_openssl_pyopenssl_runs_on() -> None:
    text = backend.sslLibraryVersionString()
    assert text == SSL.OpenSSL_version(SSL.OPENSSL_VERSION).decode()
    match = re.match(r"OpenSSL (\d+)\.(\d+)\.(\d+)", text)
    assert match, text
    major, minor, patch = (int(g) for g in match.groups())
    # OPENSSL_VERSION_NUMBER layout since 3.0: 0xMNN00PP0.
    number = backend.sslLibraryVersionNumber()
    assert (number >> 28, (number >> 20) & 0xFF, (number >> 4) & 0xFF) == (major, minor, patch)


def test_build_version_matches_the_headers() -> None:
    assert backend.sslLibraryBuildVersionNumber() == SSL.OPENSSL_VERSION_NUMBER
    assert backend.sslLibraryBuildVersionString().startswith("OpenSSL ")


def test_backends() -> None:
    assert backend.availableBackends() == ["openssl"]
    assert backend.activeBackend() == "openssl"


def test_set_active_backend_accepts_only_openssl(caplog: pytest.LogCaptureFixture) -> None:
    assert backend.setActiveBackend("openssl") is True
    with caplog.at_level(logging.WARNING, logger="qtls.ssl"):
        assert backend.setActiveBackend("cert-only") is False
        assert backend.setActiveBackend("") is False
    assert "cert-only" in caplog.text
    assert backend.activeBackend() == "openssl"
    with pytest.raises(TypeError):
        backend.setActiveBackend(3)  # type: ignore[arg-type]


@pytest.mark.pyqt6
def test_set_active_backend_answers_like_pyqt6(pyqt: Any) -> None:
    theirs = pyqt.QSslSocket
    # Qt lets a program switch backends until one is first used; ours is always in use, so put
    # PyQt6 in the same state first (defaultConfiguration() loads its backend).
    pyqt.QSslConfiguration.defaultConfiguration()
    for name in ["openssl", "cert-only", "", "bogus"]:
        assert backend.setActiveBackend(name) == theirs.setActiveBackend(name), name


def test_implemented_classes_are_all_of_them_dtls_included() -> None:
    classes = backend.implementedClasses()
    assert set(classes) == set(QSsl.ImplementedClass)
    assert backend.implementedClasses("openssl") == classes
    assert backend.isClassImplemented(QSsl.ImplementedClass.Socket)
    assert backend.isClassImplemented(QSsl.ImplementedClass.Dtls)
    assert backend.isClassImplemented(QSsl.ImplementedClass.DtlsCookie)


@pytest.mark.pyqt6
def test_implemented_classes_are_pyqt6s(pyqt: Any) -> None:
    theirs = set(_names(pyqt.QSslSocket.implementedClasses()))
    assert set(_names(backend.implementedClasses())) == theirs


@pytest.mark.pyqt6
def test_supported_features_match_pyqt6(pyqt: Any) -> None:
    assert _names(backend.supportedFeatures()) == _names(pyqt.QSslSocket.supportedFeatures())
    assert all(backend.isFeatureSupported(f) for f in QSsl.SupportedFeature)


@pytest.mark.parametrize("name", ["cert-only", "schannel", "bogus"])
def test_unknown_backend_name_supports_nothing(name: str) -> None:
    assert backend.implementedClasses(name) == []
    assert backend.supportedFeatures(name) == []
    assert backend.supportedProtocols(name) == []
    assert not backend.isProtocolSupported(P.TlsV1_2, name)
    assert not backend.isClassImplemented(QSsl.ImplementedClass.Key, name)
    assert not backend.isFeatureSupported(QSsl.SupportedFeature.Psk, name)


def test_enum_arguments_reject_ints() -> None:
    with pytest.raises(TypeError):
        backend.isProtocolSupported(2)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        backend.isClassImplemented(0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        backend.isFeatureSupported(0)  # type: ignore[arg-type]


def test_supported_protocols_are_the_ones_that_resolve() -> None:
    supported = backend.supportedProtocols()
    assert {P.SecureProtocols, P.TlsV1_2, P.TlsV1_3, P.TlsV1_2OrLater, P.AnyProtocol} <= set(
        supported
    )
    for protocol in P:
        resolves = True
        try:
            protocol_version_range(protocol)
        except UnsupportedProtocolError:
            resolves = False
        assert (protocol in supported) is resolves, protocol
        assert backend.isProtocolSupported(protocol) is resolves


@pytest.mark.pyqt6
def test_supported_protocols_are_pyqt6s_minus_what_cannot_be_negotiated(pyqt: Any) -> None:
    theirs = _names(pyqt.QSslSocket.supportedProtocols())
    ours = _names(backend.supportedProtocols())
    # Same order; qtls leaves out DTLS and whatever this OpenSSL refuses at its security level.
    assert ours == [name for name in theirs if name in ours]
    assert set(theirs) - set(ours) <= {"TlsV1_0", "TlsV1_1", *(p.name for p in DTLS)}


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [
        (P.SecureProtocols, (SSL.TLS1_2_VERSION, SSL.TLS1_3_VERSION)),
        (P.TlsV1_2OrLater, (SSL.TLS1_2_VERSION, SSL.TLS1_3_VERSION)),
        (P.TlsV1_2, (SSL.TLS1_2_VERSION, SSL.TLS1_2_VERSION)),
        (P.TlsV1_3, (SSL.TLS1_3_VERSION, SSL.TLS1_3_VERSION)),
        (P.TlsV1_3OrLater, (SSL.TLS1_3_VERSION, SSL.TLS1_3_VERSION)),
        (P.TlsV1_0OrLater, (SSL.TLS1_VERSION, SSL.TLS1_3_VERSION)),
        (P.AnyProtocol, (SSL.TLS1_VERSION, SSL.TLS1_3_VERSION)),
    ],
)
def test_protocol_version_range(protocol: QSsl.SslProtocol, expected: tuple[int, int]) -> None:
    assert protocol_version_range(protocol) == expected


@pytest.mark.parametrize("protocol", DTLS)
def test_dtls_protocols_cannot_be_used_on_tls_sockets(protocol: QSsl.SslProtocol) -> None:
    with pytest.raises(UnsupportedProtocolError, match="DTLS"):
        protocol_version_range(protocol)


def test_unknown_protocol_is_refused() -> None:
    with pytest.raises(UnsupportedProtocolError, match="UnknownProtocol"):
        protocol_version_range(P.UnknownProtocol)


def test_protocol_version_range_rejects_ints() -> None:
    with pytest.raises(TypeError):
        protocol_version_range(2)  # type: ignore[arg-type]


def _handshake(
    client_range: tuple[int, int], server_range: tuple[int, int], seclevel: int | None
) -> str:
    """A real in-memory handshake between two pyOpenSSL peers; returns the version negotiated."""
    import trustme
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    ca = trustme.CA()
    leaf = ca.issue_cert("localhost")
    cert = x509.load_pem_x509_certificate(leaf.cert_chain_pems[0].bytes())
    key = load_pem_private_key(leaf.private_key_pem.bytes(), password=None)

    def context(rng: tuple[int, int], server: bool) -> SSL.Context:
        ctx = SSL.Context(SSL.TLS_METHOD)
        ctx.set_min_proto_version(rng[0])
        ctx.set_max_proto_version(rng[1])
        if seclevel is not None:
            ctx.set_cipher_list(f"DEFAULT:@SECLEVEL={seclevel}".encode())
        if server:
            ctx.use_certificate(cert)
            ctx.use_privatekey(key)  # type: ignore[arg-type]
        return ctx

    server = SSL.Connection(context(server_range, True), None)
    server.set_accept_state()
    client = SSL.Connection(context(client_range, False), None)
    client.set_connect_state()
    for _ in range(10):  # bounded: a TLS handshake needs at most a few flights
        for a, b in ((client, server), (server, client)):
            try:
                a.do_handshake()
            except SSL.WantReadError:
                pass
            try:
                b.bio_write(a.bio_read(65536))
            except SSL.WantReadError:
                pass
    return client.get_protocol_version_name()


@pytest.mark.parametrize(
    ("protocol", "version"),
    [
        (P.TlsV1_2, "TLSv1.2"),
        (P.TlsV1_3, "TLSv1.3"),
        (P.SecureProtocols, "TLSv1.3"),
        (P.TlsV1_0OrLater, "TLSv1.3"),
    ],
)
def test_resolved_range_really_negotiates(protocol: QSsl.SslProtocol, version: str) -> None:
    rng = protocol_version_range(protocol)
    assert _handshake(rng, (SSL.TLS1_VERSION, SSL.TLS1_3_VERSION), None) == version


@pytest.mark.parametrize("protocol", [P.TlsV1_0, P.TlsV1_1])
def test_legacy_versions_follow_the_security_level(protocol: QSsl.SslProtocol) -> None:
    """Exact TLS 1.0/1.1: refused with a clear message when OpenSSL refuses them, and when the
    resolver accepts them a real handshake at that level works."""
    try:
        rng = protocol_version_range(protocol)
    except UnsupportedProtocolError as exc:
        assert "security level" in str(exc)
        assert protocol not in backend.supportedProtocols()
        with pytest.raises(SSL.Error):
            _handshake((rng := backend._RANGES[protocol]), rng, None)
    else:
        assert _handshake(rng, rng, None).startswith("TLSv1")
    rng0 = protocol_version_range(protocol, security_level=0)
    expected = "TLSv1" if protocol is P.TlsV1_0 else "TLSv1.1"
    assert _handshake(rng0, rng0, 0) == expected
