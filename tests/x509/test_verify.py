"""QSslCertificate.verify() and Qt's host-name rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from qtls.ssl.x509.certificate import QSslCertificate, _system_ca_certificates
from qtls.ssl.x509.error import QSslError
from qtls.ssl.x509.verify import _match_name

from .conftest import UTC, CertFactory, Pki, pem

E = QSslError.SslError


def errors(chain: list[QSslCertificate], host: str = "") -> list[tuple[E, str]]:
    return [(e.error(), e.certificate().subjectDisplayName()) for e in QSslCertificate.verify(chain, host)]


@pytest.fixture(scope="module")
def chain(pki: Pki) -> list[QSslCertificate]:
    return QSslCertificate.fromData(pki.chain_pem)


@pytest.mark.parametrize(
    ("pattern", "host", "matches"),
    [
        ("example.com", "example.com", True),
        ("Example.COM", "example.com", True),
        ("*.example.com", "www.example.com", True),
        ("*.example.com", "a.b.example.com", False),
        ("*.example.com", "example.com", False),
        ("w*.example.com", "www.example.com", True),
        ("w*.example.com", "mail.example.com", False),
        ("*.com", "example.com", False),  # fewer than three labels
        ("*.*.example.com", "a.b.example.com", False),
        ("www.*.com", "www.example.com", False),  # not in the leftmost label
        ("xn--*.example.com", "xn--bcher-kva.example.com", False),
        ("*.0.0.1", "127.0.0.1", False),  # never for an IP address
        ("bücher.example", "xn--bcher-kva.example", True),
    ],
)
def test_host_name_pattern_rules(pattern: str, host: str, matches: bool) -> None:
    assert _match_name(pattern, host) is matches


def test_verify_of_empty_chain_is_one_unspecified_error() -> None:
    assert [e.error() for e in QSslCertificate.verify([])] == [E.UnspecifiedError]


def test_verify_untrusted_chain_reports_missing_local_issuer(chain: list[QSslCertificate]) -> None:
    assert errors(chain) == [(E.UnableToGetLocalIssuerCertificate, chain[1].subjectDisplayName())]


@pytest.mark.parametrize("host", ["example.com", "foo.example.org", "127.0.0.1", "::1", "EXAMPLE.com"])
def test_verify_accepts_names_in_the_certificate(chain: list[QSslCertificate], host: str) -> None:
    assert (E.HostNameMismatch, "leaf CN") not in errors(chain, host)


@pytest.mark.parametrize("host", ["x.y.example.org", "example.org", "127.0.0.2", "other.test"])
def test_verify_reports_host_name_mismatch_first(chain: list[QSslCertificate], host: str) -> None:
    assert errors(chain, host)[0] == (E.HostNameMismatch, "leaf CN")


def test_verify_checks_the_common_name_even_with_dns_sans(chain: list[QSslCertificate]) -> None:
    assert (E.HostNameMismatch, "leaf CN") not in errors(chain, "leaf CN")


def test_verify_lone_leaf_also_cannot_verify_first_certificate(chain: list[QSslCertificate]) -> None:
    assert errors(chain[:1]) == [
        (E.UnableToGetLocalIssuerCertificate, "leaf CN"),
        (E.UnableToVerifyFirstCertificate, "leaf CN"),
    ]


def test_verify_self_signed_root_in_chain(chain: list[QSslCertificate], pki: Pki) -> None:
    root = QSslCertificate(pki.root_pem)
    assert errors(chain + [root]) == [(E.SelfSignedCertificateInChain, root.subjectDisplayName())]


def test_verify_self_signed_expired_with_unknown_critical_extension(odd_cert: x509.Certificate) -> None:
    cert = QSslCertificate(pem(odd_cert))
    assert errors([cert], "example.com") == [
        (E.HostNameMismatch, "self.test"),
        (E.SelfSignedCertificate, "self.test"),
        (E.UnspecifiedError, "self.test"),  # unhandled critical extension
        (E.CertificateExpired, "self.test"),
    ]


def test_verify_not_yet_valid(make_cert: CertFactory) -> None:
    now = dt.datetime.now(UTC)
    future = make_cert(not_before=now + dt.timedelta(days=10), not_after=now + dt.timedelta(days=20))
    assert errors([QSslCertificate(pem(future))]) == [
        (E.SelfSignedCertificate, "test"),
        (E.CertificateNotYetValid, "test"),
    ]


def test_verify_expired_leaf_under_untrusted_intermediate(make_cert: CertFactory, ec_key: object) -> None:
    ca_name = [x509.NameAttribute(NameOID.COMMON_NAME, "ca")]
    now = dt.datetime.now(UTC)
    ca = make_cert(
        subject=ca_name,
        not_before=now - dt.timedelta(days=1),
        not_after=now + dt.timedelta(days=10),
        extensions=[(x509.BasicConstraints(True, None), True)],
    )
    leaf = make_cert(
        subject=[x509.NameAttribute(NameOID.COMMON_NAME, "leaf")],
        issuer=ca_name,
        not_before=now - dt.timedelta(days=10),
        not_after=now - dt.timedelta(days=1),
    )
    assert errors([QSslCertificate(pem(leaf)), QSslCertificate(pem(ca))]) == [
        (E.SelfSignedCertificateInChain, "ca"),
        (E.CertificateExpired, "leaf"),
    ]


def test_verify_blacklisted_leaf_is_reported_first(make_cert: CertFactory) -> None:
    cn = [x509.NameAttribute(NameOID.COMMON_NAME, "login.live.com")]
    cert = QSslCertificate(pem(make_cert(subject=cn, serial=0xB0B7133ED096F9B56FAE91C874BD3AC0)))
    assert [e for e, _ in errors([cert])][0] == E.CertificateBlacklisted


def test_system_roots_load_once_and_are_trusted() -> None:
    roots = _system_ca_certificates()
    if not roots:
        pytest.skip("no system CA certificates on this machine")
    assert _system_ca_certificates() == roots
    assert _system_ca_certificates() is not _system_ca_certificates()  # a copy each time
    now = dt.datetime.now(UTC)
    valid = [r for r in roots if r.expiryDate().toPyDateTime().replace(tzinfo=UTC) > now]
    assert errors(valid[:1]) == []


def test_verify_rejects_non_certificates() -> None:
    with pytest.raises(TypeError):
        QSslCertificate.verify([b"not a certificate"])  # type: ignore[list-item]


@pytest.fixture
def default_cas(pki: Pki) -> Iterator[Callable[[list[QSslCertificate], bool], None]]:
    """Change the default configuration's CA list for one test, and restore it afterwards."""
    from qtls.ssl.values.configuration import QSslConfiguration

    original = QSslConfiguration.defaultConfiguration()

    def apply(cas: list[QSslCertificate], replace: bool) -> None:
        conf = QSslConfiguration.defaultConfiguration()
        if replace:
            conf.setCaCertificates(cas)
        else:
            conf.addCaCertificates(cas)
        QSslConfiguration.setDefaultConfiguration(conf)

    yield apply
    QSslConfiguration.setDefaultConfiguration(original)


def test_verify_trusts_a_ca_added_to_the_default_configuration(
    chain: list[QSslCertificate], pki: Pki, default_cas: Callable[[list[QSslCertificate], bool], None]
) -> None:
    default_cas([QSslCertificate(pki.root_pem)], False)
    assert errors(chain, "example.com") == []
    assert errors(chain, "wrong.test") == [(E.HostNameMismatch, "leaf CN")]


def test_verify_with_an_explicit_ca_list_no_longer_trusts_system_roots(
    chain: list[QSslCertificate], pki: Pki, default_cas: Callable[[list[QSslCertificate], bool], None]
) -> None:
    roots = _system_ca_certificates()
    default_cas([QSslCertificate(pki.root_pem)], True)
    assert errors(chain) == []
    if roots:
        assert [e for e, _ in errors(roots[:1])] == [E.SelfSignedCertificate]
