"""QSslDiffieHellmanParameters: decoding and Qt's safety check, compared with PyQt6."""

from __future__ import annotations

import base64
import textwrap
from types import ModuleType
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import dsa, rsa

from qtls.QtNetwork import QSsl, QSslDiffieHellmanParameters

# Builds parameters that cryptography's own DH API would refuse to create.
asn1: Any = pytest.importorskip("cryptography.hazmat.asn1")

Error = QSslDiffieHellmanParameters.Error
PEM, DER = QSsl.EncodingFormat.Pem, QSsl.EncodingFormat.Der

# RFC 2409's Second Oakley Group: a 1024-bit safe prime OpenSSL does not know by name, so it
# goes through the whole primality check.
OAKLEY2_P = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
    16,
)


@asn1.sequence
class PKCS3DHParameter:
    """PKCS #3 DHParameter (p, g), encoded by cryptography's declarative ASN.1."""

    prime: int
    base: int


@asn1.sequence
class X942DomainParameters:
    """X9.42 DomainParameters (p, g, q), as OpenSSL writes "X9.42 DH PARAMETERS"."""

    p: int
    g: int
    q: int


def make(record: Any, **fields: int) -> Any:
    """An instance of an ``asn1.sequence`` class (mypy cannot see the generated __init__)."""
    return record(**fields)


def encode(p: int, g: int, fmt: str = "pem", q: int | None = None) -> bytes:
    """DH parameters as PEM or DER, even ones cryptography itself would refuse to build."""
    if q is None:
        der, label = asn1.encode_der(make(PKCS3DHParameter, prime=p, base=g)), "DH PARAMETERS"
    else:
        der, label = (
            asn1.encode_der(make(X942DomainParameters, p=p, g=g, q=q)),
            "X9.42 DH PARAMETERS",
        )
    if fmt == "der":
        return bytes(der)
    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode("ascii"), 64))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n".encode("ascii")


def _dsa_group(accept: Any) -> dsa.DSAParameterNumbers:
    """A 1024-bit DSA (X9.42) group whose p satisfies ``accept`` (a few tries at most)."""
    for _ in range(64):
        numbers = dsa.generate_parameters(1024).parameter_numbers()
        if accept(numbers.p) and pow(2, numbers.q, numbers.p) != 1:
            return numbers
    raise AssertionError("no DSA group with the wanted p mod 24 in 64 tries")


@pytest.fixture(scope="module")
def rsa_numbers() -> rsa.RSAPrivateNumbers:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_numbers()


@pytest.fixture(scope="module")
def cases(rsa_numbers: rsa.RSAPrivateNumbers) -> dict[str, tuple[bytes, QSsl.EncodingFormat]]:
    """Encoded parameters, each with the format to read it in."""
    n = rsa_numbers.public_numbers.n
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024).private_numbers().p
    dsa_numbers = dsa.generate_parameters(1024).parameter_numbers()
    # Qt forgives g = 2 when p mod 24 is 11 or 23 (isSafeDH): one group of each kind.
    strict = _dsa_group(lambda p: p % 24 not in (11, 23))
    forgiving = _dsa_group(lambda p: p % 24 in (11, 23))
    return {
        "oakley2-pem": (encode(OAKLEY2_P, 2), PEM),
        "oakley2-der": (encode(OAKLEY2_P, 2, "der"), DER),
        "oakley2-g5": (encode(OAKLEY2_P, 5), PEM),
        "prime-not-safe": (encode(rsa_numbers.p, 2), PEM),
        "composite": (encode(n, 2), PEM),
        "too-small": (encode(small, 2), PEM),
        "x942-dsa-group": (encode(dsa_numbers.p, dsa_numbers.g, q=dsa_numbers.q), PEM),
        "x942-dsa-group-der": (encode(dsa_numbers.p, dsa_numbers.g, "der", q=dsa_numbers.q), DER),
        "x942-bad-generator": (encode(strict.p, 2, q=strict.q), PEM),
        "x942-bad-generator-der": (encode(strict.p, 2, "der", q=strict.q), DER),
        "x942-generator-2-forgiven": (encode(forgiving.p, 2, q=forgiving.q), PEM),
        "x942-generator-2-forgiven-der": (encode(forgiving.p, 2, "der", q=forgiving.q), DER),
        "even-modulus": (encode(OAKLEY2_P + 1, 2), PEM),
        "generator-one": (encode(OAKLEY2_P, 1, "der"), DER),
        "garbage": (b"not parameters at all", PEM),
        "garbage-der": (b"\x30\x03\x02\x01\x05", DER),
        "empty": (b"", PEM),
        "pem-as-der": (encode(OAKLEY2_P, 2), DER),
    }


EXPECTED = {
    "oakley2-pem": Error.NoError,
    "oakley2-der": Error.NoError,
    "oakley2-g5": Error.NoError,
    "prime-not-safe": Error.UnsafeParametersError,
    "composite": Error.UnsafeParametersError,
    "too-small": Error.UnsafeParametersError,
    "x942-dsa-group": Error.NoError,
    "x942-dsa-group-der": Error.InvalidInputDataError,
    "x942-bad-generator": Error.UnsafeParametersError,
    "x942-bad-generator-der": Error.InvalidInputDataError,  # Qt's DER reader: PKCS #3 only
    "x942-generator-2-forgiven": Error.NoError,
    "x942-generator-2-forgiven-der": Error.InvalidInputDataError,
    "even-modulus": Error.UnsafeParametersError,
    "generator-one": Error.UnsafeParametersError,
    "garbage": Error.InvalidInputDataError,
    "garbage-der": Error.InvalidInputDataError,
    "empty": Error.InvalidInputDataError,
    "pem-as-der": Error.InvalidInputDataError,
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_from_encoded_reports_the_error_qt_reports(
    cases: dict[str, tuple[bytes, QSsl.EncodingFormat]], case: str
) -> None:
    data, fmt = cases[case]
    params = QSslDiffieHellmanParameters.fromEncoded(data, fmt)
    assert params.error() == EXPECTED[case]
    assert params.isValid() == (EXPECTED[case] == Error.NoError)
    assert not params.isEmpty()


@pytest.mark.pyqt6
@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_from_encoded_agrees_with_pyqt6(
    qt: ModuleType, cases: dict[str, tuple[bytes, QSsl.EncodingFormat]], case: str
) -> None:
    data, fmt = cases[case]
    ours = QSslDiffieHellmanParameters.fromEncoded(data, fmt)
    reference = qt.QSslDiffieHellmanParameters.fromEncoded(
        data, getattr(qt.QSsl.EncodingFormat, fmt.name)
    )
    assert ours.error().value == reference.error().value
    assert (ours.isValid(), ours.isEmpty(), ours.errorString()) == (
        reference.isValid(),
        reference.isEmpty(),
        reference.errorString(),
    )


@pytest.mark.pyqt6
def test_default_parameters_are_the_same_group_as_pyqt6(qt: ModuleType) -> None:
    ours = QSslDiffieHellmanParameters.defaultParameters()
    assert ours.isValid() and not ours.isEmpty()
    pem = ours._pem()
    assert pem is not None
    assert (
        qt.QSslDiffieHellmanParameters.fromEncoded(pem)
        == qt.QSslDiffieHellmanParameters.defaultParameters()
    )


def test_default_parameters_equal_the_same_group_read_back_from_pem() -> None:
    default = QSslDiffieHellmanParameters.defaultParameters()
    pem = default._pem()
    assert pem is not None
    again = QSslDiffieHellmanParameters.fromEncoded(pem)
    assert again.isValid() and again == default and hash(again) == hash(default)


def test_pem_and_canonical_der_of_the_same_parameters_are_equal() -> None:
    from_pem = QSslDiffieHellmanParameters.fromEncoded(encode(OAKLEY2_P, 2))
    from_der = QSslDiffieHellmanParameters.fromEncoded(encode(OAKLEY2_P, 2, "der"), DER)
    assert from_pem == from_der
    assert from_pem != QSslDiffieHellmanParameters.fromEncoded(encode(OAKLEY2_P, 5))


def test_empty_parameters_are_valid_and_equal_to_every_invalid_one_as_in_qt() -> None:
    empty = QSslDiffieHellmanParameters()
    assert empty.isEmpty() and empty.isValid() and empty.error() == Error.NoError
    assert empty.errorString() == "No error"
    broken = QSslDiffieHellmanParameters.fromEncoded(b"junk")
    assert broken.errorString() == "Invalid input data"
    assert broken == empty and hash(broken) == hash(empty)  # Qt compares the (null) DER


def test_none_device_gives_empty_parameters() -> None:
    assert QSslDiffieHellmanParameters.fromEncoded(None).isEmpty()


def test_device_contents_are_read_with_read_all() -> None:
    class Device:
        def __init__(self, data: bytes) -> None:
            self.data = data

        def readAll(self) -> bytes:
            data, self.data = self.data, b""
            return data

    params = QSslDiffieHellmanParameters.fromEncoded(Device(encode(OAKLEY2_P, 2)))
    assert params.isValid() and not params.isEmpty()


def test_bytes_like_inputs_are_accepted() -> None:
    from qtls.QtCore import QByteArray

    data = encode(OAKLEY2_P, 2)
    for wrapped in (bytearray(data), memoryview(data), QByteArray(data)):
        assert QSslDiffieHellmanParameters.fromEncoded(wrapped).isValid()


@pytest.mark.parametrize("args", [(5,), ("text",), (b"x", "Pem")])
def test_wrong_argument_types_raise_type_error(args: tuple[object, ...]) -> None:
    with pytest.raises(TypeError):
        QSslDiffieHellmanParameters.fromEncoded(*args)  # type: ignore[arg-type]


def test_copy_and_swap() -> None:
    default = QSslDiffieHellmanParameters.defaultParameters()
    copy = QSslDiffieHellmanParameters(default)
    other = QSslDiffieHellmanParameters.fromEncoded(b"junk")
    assert copy == default
    copy.swap(other)
    assert copy.error() == Error.InvalidInputDataError and other == default
    with pytest.raises(TypeError):
        copy.swap(default._pem())  # type: ignore[arg-type]


def test_error_enum_has_qts_values() -> None:
    assert [(e.name, e.value) for e in Error] == [
        ("NoError", 0),
        ("InvalidInputDataError", 1),
        ("UnsafeParametersError", 2),
    ]
