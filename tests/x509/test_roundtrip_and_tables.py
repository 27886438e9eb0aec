"""Property tests (certificate → PEM → DER → certificate) and the OpenSSL name tables."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.x509 import oid as oids
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qtls.ssl.qssl import QSsl
from qtls.ssl.x509.certificate import QSslCertificate
from qtls.ssl.x509.names import (
    ACCESS_METHOD_SHORT_NAMES,
    EXTENDED_KEY_USAGE_LONG_NAMES,
    EXTENSION_SHORT_NAMES,
    NAME_SHORT_NAMES,
)

from .conftest import UTC, CertFactory, der, pem

text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
# cryptography limits a commonName to 64 bytes of UTF-8 (RFC 5280's ub-common-name counts
# characters; it counts the encoding), so 30 characters of 4-byte UTF-8 can be refused.
common_names = text.filter(lambda name: len(name.encode("utf-8")) <= 64)
labels = st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cn=common_names,
    units=st.lists(text, max_size=3),
    serial=st.integers(min_value=1, max_value=(1 << 159) - 1),
    start=st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    days=st.integers(min_value=1, max_value=40000),
    hosts=st.lists(st.tuples(labels, labels), max_size=5),
)
def test_pem_der_round_trip_loses_nothing(
    make_cert: CertFactory,
    cn: str,
    units: list[str],
    serial: int,
    start: dt.datetime,
    days: int,
    hosts: list[tuple[str, str]],
) -> None:
    subject = [x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, u) for u in units]
    subject.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    dns = [f"{a}.{b}.test" for a, b in hosts]
    extensions = [(x509.SubjectAlternativeName([x509.DNSName(d) for d in dns]), False)] if dns else []
    not_before = start.replace(microsecond=0, tzinfo=UTC)
    built = make_cert(
        subject=subject,
        serial=serial,
        not_before=not_before,
        not_after=not_before + dt.timedelta(days=days),
        extensions=extensions,
    )
    original = QSslCertificate(pem(built))
    via_der = QSslCertificate(bytes(QSslCertificate(bytes(original.toPem())).toDer()), QSsl.EncodingFormat.Der)
    assert via_der == original
    assert bytes(via_der.toDer()) == der(built)
    assert via_der.subjectInfo(b"CN") == [cn]
    assert via_der.subjectInfo(b"OU") == list(reversed(units))
    assert int(bytes(via_der.serialNumber()).replace(b":", b""), 16) == serial
    assert via_der.effectiveDate().toPyDateTime().replace(tzinfo=UTC) == not_before
    assert via_der.subjectAlternativeNames().get(QSsl.AlternativeNameEntryType.DnsEntry, []) == list(reversed(dns))
    assert [e.name() for e in via_der.extensions()] == (["subjectAltName"] if dns else [])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    for fmt in QSsl.EncodingFormat:
        cert = QSslCertificate(data, fmt)
        assert cert.isNull() or bytes(cert.toDer())
        assert isinstance(QSslCertificate.fromData(b"-----BEGIN CERTIFICATE-----\n" + data, fmt), list)


def _openssl_names() -> tuple[object, object]:
    util = pytest.importorskip("OpenSSL._util")
    return util.lib, util.ffi


@pytest.mark.parametrize(
    ("table", "long"),
    [
        (NAME_SHORT_NAMES, False),
        (EXTENSION_SHORT_NAMES, False),
        (ACCESS_METHOD_SHORT_NAMES, False),
        (EXTENDED_KEY_USAGE_LONG_NAMES, True),
    ],
)
def test_name_tables_agree_with_openssl(table: dict[str, str], long: bool) -> None:
    lib, ffi = _openssl_names()
    for dotted, expected in table.items():
        nid = lib.OBJ_txt2nid(dotted.encode())  # type: ignore[attr-defined]
        assert nid, dotted
        lookup = lib.OBJ_nid2ln if long else lib.OBJ_nid2sn  # type: ignore[attr-defined]
        assert ffi.string(lookup(nid)).decode() == expected, dotted  # type: ignore[attr-defined]


def test_name_table_covers_cryptographys_name_oids_known_to_openssl() -> None:
    lib, ffi = _openssl_names()
    for value in vars(oids.NameOID).values():
        if isinstance(value, x509.ObjectIdentifier) and lib.OBJ_txt2nid(value.dotted_string.encode()):  # type: ignore[attr-defined]
            assert value.dotted_string in NAME_SHORT_NAMES
