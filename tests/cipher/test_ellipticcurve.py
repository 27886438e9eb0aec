"""QSslEllipticCurve: curves by OpenSSL NID, compared with PyQt6."""

from __future__ import annotations

from types import ModuleType

import pytest

from qtls.QtNetwork import QSslEllipticCurve
from qtls.ssl.values.ellipticcurve import _supported_curves

SHORT_NAMES = [
    "prime256v1",
    "secp384r1",
    "secp521r1",
    "X25519",
    "X448",
    "X25519MLKEM768",  # a TLS group without an OpenSSL object: invalid in Qt
    "brainpoolP256r1",
    "secp256k1",
    "ED25519",
    "sha256",  # a long name, not a short one
    "1.2.840.10045.3.1.7",  # an OID is not a name
    "bogus",
    "",
]
LONG_NAMES = [
    "prime256v1",
    "X25519",
    "x25519",
    "sha256WithRSAEncryption",
    "brainpoolP512r1",
    "nope",
]


def described(curve: object) -> tuple[object, ...]:
    return (
        curve.isValid(),  # type: ignore[attr-defined]
        curve.shortName(),  # type: ignore[attr-defined]
        curve.longName(),  # type: ignore[attr-defined]
        curve.isTlsNamedCurve(),  # type: ignore[attr-defined]
    )


@pytest.mark.pyqt6
@pytest.mark.parametrize("name", SHORT_NAMES)
def test_from_short_name_matches_pyqt6(qt: ModuleType, name: str) -> None:
    reference = qt.QSslEllipticCurve.fromShortName(name)
    assert described(QSslEllipticCurve.fromShortName(name)) == described(reference)


@pytest.mark.pyqt6
@pytest.mark.parametrize("name", LONG_NAMES)
def test_from_long_name_matches_pyqt6(qt: ModuleType, name: str) -> None:
    reference = qt.QSslEllipticCurve.fromLongName(name)
    assert described(QSslEllipticCurve.fromLongName(name)) == described(reference)


@pytest.mark.pyqt6
def test_supported_curves_match_pyqt6(qt: ModuleType) -> None:
    reference = [described(c) for c in qt.QSslConfiguration.supportedEllipticCurves()]
    assert [described(c) for c in _supported_curves()] == reference


@pytest.mark.parametrize(
    ("nist", "short"), [("P-256", "prime256v1"), ("P-384", "secp384r1"), ("P-521", "secp521r1")]
)
def test_nist_names_resolve_as_qt_documents(nist: str, short: str) -> None:
    # Qt documents NIST names for fromShortName (EC_curve_nist2nid); PyQt6 6.11 cannot resolve
    # that OpenSSL symbol on this system, so this is checked against the documentation.
    curve = QSslEllipticCurve.fromShortName(nist)
    assert curve.isValid() and curve.shortName() == short
    assert curve == QSslEllipticCurve.fromShortName(short)


def test_x25519_is_valid_but_not_a_tls_named_curve_in_qts_list() -> None:
    curve = QSslEllipticCurve.fromShortName("X25519")
    assert curve.isValid() and not curve.isTlsNamedCurve()
    assert QSslEllipticCurve.fromShortName("prime256v1").isTlsNamedCurve()
    assert curve not in _supported_curves()  # EC_get_builtin_curves lists EC groups only


def test_default_curve_is_invalid_and_empty() -> None:
    assert described(QSslEllipticCurve()) == (False, "", "", False)
    assert QSslEllipticCurve.fromShortName(None) == QSslEllipticCurve()


def test_equality_hash_and_copy_follow_the_curve_identity() -> None:
    p256 = QSslEllipticCurve.fromShortName("prime256v1")
    same = QSslEllipticCurve.fromLongName("prime256v1")
    copy = QSslEllipticCurve(p256)
    assert p256 == same == copy and hash(p256) == hash(same)
    assert p256 != QSslEllipticCurve.fromShortName("secp384r1")
    assert len({p256, same, copy, QSslEllipticCurve.fromShortName("X448")}) == 2
    assert (p256 == "prime256v1") is False


@pytest.mark.parametrize("bad", [5, b"prime256v1"])
def test_wrong_name_type_raises_type_error(bad: object) -> None:
    with pytest.raises(TypeError):
        QSslEllipticCurve.fromShortName(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        QSslEllipticCurve.fromLongName(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        QSslEllipticCurve(bad)  # type: ignore[arg-type]


@pytest.mark.pyqt6
def test_name_is_read_as_a_c_string_up_to_the_first_nul_like_pyqt6(qt: ModuleType) -> None:
    name = "prime256v1\0junk"
    reference = qt.QSslEllipticCurve.fromShortName(name)
    assert described(QSslEllipticCurve.fromShortName(name)) == described(reference)
