"""The getters of QSslCertificate: names, serial, version, digest, dates, identity, encodings."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from qtls.ssl.qssl import QSsl
from qtls.ssl.x509.certificate import QSslCertificate

from .conftest import UTC, CertFactory, Pki, der, hash_algorithms, pem

Info = QSslCertificate.SubjectInfo
Alt = QSsl.AlternativeNameEntryType


def test_subject_info_by_enum_and_by_name(pki: Pki) -> None:
    cert = QSslCertificate(pki.leaf_pem)
    assert cert.subjectInfo(Info.CommonName) == ["leaf CN"]
    assert cert.subjectInfo(b"CN") == ["leaf CN"]
    assert cert.subjectInfo(Info.Organization) == ["Leaf Org"]
    assert cert.subjectInfo(Info.OrganizationalUnitName) == ["Leaf Unit"]
    assert cert.subjectInfo(b"commonName") == []  # Qt keys by short name only


def test_multi_valued_attributes_are_most_recent_first(odd_cert: x509.Certificate) -> None:
    cert = QSslCertificate(pem(odd_cert))
    assert cert.subjectInfo(Info.OrganizationalUnitName) == ["ou-b", "ou-a"]


def test_unknown_attribute_is_keyed_by_oid(odd_cert: x509.Certificate) -> None:
    cert = QSslCertificate(pem(odd_cert))
    assert cert.subjectInfo(b"1.2.3.4.5") == ["weird"]
    assert cert.subjectInfo(Info.EmailAddress) == ["a@b.c"]
    assert cert.subjectInfo(Info.SerialNumber) == ["SN1"]


def test_info_attributes_are_sorted_short_names(odd_cert: x509.Certificate) -> None:
    cert = QSslCertificate(pem(odd_cert))
    expected = [b"1.2.3.4.5", b"CN", b"DC", b"OU", b"businessCategory", b"emailAddress", b"jurisdictionC", b"serialNumber"]
    assert [bytes(a) for a in cert.subjectInfoAttributes()] == expected
    assert [bytes(a) for a in cert.issuerInfoAttributes()] == expected


def test_info_key_of_wrong_type_raises_type_error(pki: Pki) -> None:
    with pytest.raises(TypeError):
        QSslCertificate(pki.leaf_pem).subjectInfo("CN")


def test_display_name_falls_back_from_cn_to_o_to_ou(make_cert: CertFactory) -> None:
    def display(*attributes: x509.NameAttribute) -> str:
        return QSslCertificate(pem(make_cert(subject=attributes))).subjectDisplayName()

    cn = x509.NameAttribute(NameOID.COMMON_NAME, "the cn")
    org = x509.NameAttribute(NameOID.ORGANIZATION_NAME, "the org")
    unit = x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "the unit")
    country = x509.NameAttribute(NameOID.COUNTRY_NAME, "DE")
    assert display(unit, org, cn) == "the cn"
    assert display(unit, org) == "the org"
    assert display(unit, country) == "the unit"
    assert display(country) == ""


def test_issuer_display_name_names_the_intermediate(pki: Pki) -> None:
    leaf = QSslCertificate(pki.leaf_pem)
    intermediate = QSslCertificate(pki.intermediate_pem)
    assert leaf.issuerDisplayName() == intermediate.subjectDisplayName() != ""


def test_subject_alternative_names_by_type_most_recent_first(pki: Pki) -> None:
    names = QSslCertificate(pki.leaf_pem).subjectAlternativeNames()
    assert names == {
        Alt.EmailEntry: ["admin@example.com"],
        Alt.DnsEntry: ["*.example.org", "example.com"],
        Alt.IpAddressEntry: ["::1", "127.0.0.1"],
    }


def test_subject_alternative_names_skip_uris_and_networks(make_cert: CertFactory) -> None:
    import ipaddress

    san = x509.SubjectAlternativeName(
        [
            x509.UniformResourceIdentifier("http://u"),
            x509.IPAddress(ipaddress.ip_address("::ffff:1.2.3.4")),
            x509.DNSName("only.test"),
        ]
    )
    names = QSslCertificate(pem(make_cert(extensions=[(san, False)]))).subjectAlternativeNames()
    assert names == {Alt.DnsEntry: ["only.test"], Alt.IpAddressEntry: ["::ffff:1.2.3.4"]}


def test_serial_number_is_colon_separated_lowercase_hex(make_cert: CertFactory) -> None:
    assert bytes(QSslCertificate(pem(make_cert(serial=0x0FAB))).serialNumber()) == b"0f:ab"
    assert bytes(QSslCertificate(pem(make_cert(serial=1))).serialNumber()) == b"01"
    # A DER sign-padding byte is not shown; a 20-byte serial prints all 20 bytes.
    assert bytes(QSslCertificate(pem(make_cert(serial=0x80))).serialNumber()) == b"80"
    big = (1 << 159) - 1
    assert bytes(QSslCertificate(pem(make_cert(serial=big))).serialNumber()) == b":".join([b"7f"] + [b"ff"] * 19)


def test_version_is_text(pki: Pki) -> None:
    assert bytes(QSslCertificate(pki.leaf_pem).version()) == b"3"


@pytest.mark.parametrize(
    ("name", "reference"),
    [("Md5", "md5"), ("Sha1", "sha1"), ("Sha256", "sha256"), ("Sha512", "sha512"), ("Sha3_256", "sha3_256")],
)
def test_digest_hashes_the_der(pki: Pki, name: str, reference: str) -> None:
    cert = QSslCertificate(pki.leaf_pem)
    expected = hashlib.new(reference, bytes(cert.toDer())).digest()
    assert bytes(cert.digest(hash_algorithms()[name])) == expected



def test_digest_defaults_to_md5_and_rejects_int(pki: Pki) -> None:
    cert = QSslCertificate(pki.leaf_pem)
    assert bytes(cert.digest()) == hashlib.md5(bytes(cert.toDer())).digest()
    with pytest.raises(TypeError):
        cert.digest(4)


def test_dates_are_utc(make_cert: CertFactory) -> None:
    start = dt.datetime(1950, 6, 1, 12, 30, tzinfo=UTC)
    end = dt.datetime(2080, 1, 2, 3, 4, 5, tzinfo=UTC)  # GeneralizedTime after 2049
    cert = QSslCertificate(pem(make_cert(not_before=start, not_after=end)))
    assert cert.effectiveDate().toPyDateTime().replace(tzinfo=UTC) == start
    assert cert.expiryDate().toPyDateTime().replace(tzinfo=UTC) == end


def test_null_certificate_getters_are_empty() -> None:
    cert = QSslCertificate()
    assert bytes(cert.serialNumber()) == b""
    assert bytes(cert.version()) == b""
    assert cert.subjectInfo(Info.CommonName) == []
    assert cert.subjectInfoAttributes() == []
    assert cert.subjectDisplayName() == ""
    assert cert.subjectAlternativeNames() == {}
    assert cert.extensions() == []
    assert cert.toText() == ""
    assert not cert.isSelfSigned()
    assert not cert.isBlacklisted()
    assert not cert.effectiveDate().isValid()
    assert bytes(cert.digest()) == hashlib.md5(b"").digest()


def test_equality_and_hash_follow_the_der(pki: Pki) -> None:
    a, b = QSslCertificate(pki.leaf_pem), QSslCertificate(pki.leaf_pem)
    other = QSslCertificate(pki.intermediate_pem)
    assert a == b and hash(a) == hash(b)
    assert a != other
    assert QSslCertificate() == QSslCertificate()
    assert len({a, b, other}) == 2


def test_clear_and_swap(pki: Pki) -> None:
    a, b = QSslCertificate(pki.leaf_pem), QSslCertificate(pki.intermediate_pem)
    a.swap(b)
    assert a.subjectDisplayName() == QSslCertificate(pki.intermediate_pem).subjectDisplayName()
    assert b.subjectDisplayName() == "leaf CN"
    a.clear()
    assert a.isNull() and a == QSslCertificate()


def test_self_signed_means_issuer_is_itself(pki: Pki, odd_cert: x509.Certificate) -> None:
    assert QSslCertificate(pki.root_pem).isSelfSigned()
    assert QSslCertificate(pem(odd_cert)).isSelfSigned()
    assert not QSslCertificate(pki.leaf_pem).isSelfSigned()
    assert not QSslCertificate(pki.intermediate_pem).isSelfSigned()


def test_self_named_certificate_without_cert_sign_usage_is_not_self_signed(make_cert: CertFactory) -> None:
    usage = x509.KeyUsage(True, False, False, False, False, False, False, False, False)
    assert not QSslCertificate(pem(make_cert(extensions=[(usage, True)]))).isSelfSigned()


def test_blacklisted_serial_with_matching_cn(make_cert: CertFactory) -> None:
    cn = x509.NameAttribute(NameOID.COMMON_NAME, "mail.google.com")
    serial = 0x047ECBE9FCA55F7BD09EAE36E10CAE1E
    assert QSslCertificate(pem(make_cert(subject=[cn], serial=serial))).isBlacklisted()
    other = x509.NameAttribute(NameOID.COMMON_NAME, "mail.example.com")
    assert not QSslCertificate(pem(make_cert(subject=[other], serial=serial))).isBlacklisted()
    assert not QSslCertificate(pem(make_cert(subject=[cn], serial=serial + 1))).isBlacklisted()


def test_blacklist_matches_issuer_cn(make_cert: CertFactory) -> None:
    issuer = [x509.NameAttribute(NameOID.COMMON_NAME, "DigiNotar Cyber CA")]
    subject = [x509.NameAttribute(NameOID.COMMON_NAME, "victim")]
    assert QSslCertificate(pem(make_cert(subject=subject, issuer=issuer, serial=0x0727100D))).isBlacklisted()


def test_to_pem_and_to_der(odd_cert: x509.Certificate) -> None:
    cert = QSslCertificate(der(odd_cert), QSsl.EncodingFormat.Der)
    assert bytes(cert.toPem()) == pem(odd_cert)
    assert bytes(cert.toDer()) == der(odd_cert)


def test_to_text_is_openssls_dump(odd_cert: x509.Certificate) -> None:
    text = QSslCertificate(pem(odd_cert)).toText()
    lines = text.splitlines()
    assert lines[:3] == ["Certificate:", "    Data:", "        Version: 3 (0x2)"]
    assert "Serial Number: 4011 (0xfab)" in text
    assert "X509v3 Basic Constraints: critical" in text


def test_to_text_is_cut_at_16_kib_like_qt(make_cert: CertFactory) -> None:
    san = x509.SubjectAlternativeName([x509.DNSName(f"host{i}.example") for i in range(2000)])
    text = QSslCertificate(pem(make_cert(extensions=[(san, False)]))).toText()
    assert len(text) == 16384


def test_public_key_is_a_qsslkey(pki: Pki, make_cert: CertFactory) -> None:
    key_module = pytest.importorskip("qtls.ssl.x509.key")
    if not hasattr(key_module, "QSslKey") or not hasattr(key_module.QSslKey, "_from_cryptography"):
        pytest.skip("QSslKey has not landed yet")
    key = QSslCertificate(pki.leaf_pem).publicKey()
    assert not key.isNull()
    assert key.type() == QSsl.KeyType.PublicKey
    assert key.algorithm() == QSsl.KeyAlgorithm.Ec
    from cryptography.hazmat.primitives.asymmetric import rsa

    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_public = QSslCertificate(pem(make_cert(key=rsa_key))).publicKey()
    assert rsa_public.algorithm() == QSsl.KeyAlgorithm.Rsa
    assert rsa_public.length() == 2048
    assert QSslCertificate().publicKey().isNull()
