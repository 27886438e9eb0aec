"""QSslDiffieHellmanParameters: finite-field DH parameters for servers.

Parsing is cryptography's (``load_pem_parameters`` / ``load_der_parameters``), and so is most
of the safety check. Qt's ``isSafeDH`` marks a modulus under 1024 bits unsafe, then asks
OpenSSL's ``DH_check``. cryptography exposes no DH_check function, but its loaders run it and
refuse what it flags with ``ValueError("Invalid DH parameters")``; that error becomes
``UnsafeParametersError`` (any other decoding error is ``InvalidInputDataError``). So the
verdict is OpenSSL's own, at C speed:

* the RFC 7919 (ffdhe*), RFC 3526 (modp_*) and RFC 5114 groups pass at once (DH_check returns
  early for the named groups OpenSSL recognises);
* otherwise p must be odd, 1 < g < p - 1, p prime and, for PKCS#3 parameters (no q),
  (p - 1) / 2 prime too — p a *safe* prime; X9.42 parameters (with q) need g^q = 1 (mod p) and
  q prime. OpenSSL runs 64 Miller-Rabin rounds: ~0.1 s for a custom 2048-bit group, as long
  as Qt takes. The tests pin this behaviour of cryptography down.

cryptography 50 deprecates finite-field DH; its deprecation warning is silenced locally: Qt's
API must keep working for as long as cryptography can load the parameters.
"""

from __future__ import annotations

import base64
import contextlib
import enum
import functools
import warnings
from collections.abc import Iterator
from typing import Any

from qtls.ssl.qssl import QSsl

__all__ = ["QSslDiffieHellmanParameters"]

# RFC 3526 group 14 (2048-bit MODP), the group Qt 6 documents as defaultParameters().
_DEFAULT_DER_BASE64 = (
    "MIIBCAKCAQEA///////////JD9qiIWjCNMTGYouA3BzRKQJOCIpnzHQCC76mOxOb"
    "IlFKCHmONATd75UZs806QxswKwpt8l8UN0/hNW1tUcJF5IW1dmJefsb0TELppjft"
    "awv/XLb0Brft7jhr+1qJn6WunyQRfEsf5kkoZlHs5Fs9wgB8uKFjvwWY2kg2HFXT"
    "mmkWP6j9JM9fg2VdI9yjrZYcYvNWIIVSu57VKQdwlpZtZww1Tkq8mATxdGwIyhgh"
    "fDKQXkYuNs474553LBgOhgObJ4Oi7Aeij7XFXfBvTFLJ3ivL9pVYFxg5lUl86pVq"
    "5RXSJhiY+gUQFXKOWoqsqmj//////////wIBAg=="
)

_MIN_BITS = 1024  # Qt: "Mark p < 1024 bits as unsafe."
# cryptography's ValueError when the DH_check it runs while loading parameters fails.
_DH_CHECK_FAILED = "Invalid DH parameters"


class QSslDiffieHellmanParameters:
    """Diffie-Hellman parameters for a server's DHE cipher suites.

    Build them with :meth:`fromEncoded` (PEM or DER PKCS#3 "DH PARAMETERS") or take Qt's
    :meth:`defaultParameters`. Parameters that cannot be read are invalid with
    ``InvalidInputDataError``; ones that are not a safe group (see the module notes) are invalid
    with ``UnsafeParametersError``. A default-constructed object is *empty*: set on a
    server's configuration, it disables DH key exchange. Equality and hash follow the DER
    encoding, as in Qt (so every invalid object equals every other and the empty one).

    Where qtls differs: DER input may also be X9.42 ("X9.42 DH PARAMETERS") since cryptography
    reads both; Qt's ``d2i_DHparams`` only takes PKCS#3.
    """

    class Error(enum.Enum):
        """Why a QSslDiffieHellmanParameters is invalid."""

        NoError = 0
        InvalidInputDataError = 1
        UnsafeParametersError = 2

    __slots__ = ("_der", "_error")

    def __init__(self, other: QSslDiffieHellmanParameters | None = None) -> None:
        if other is not None and not isinstance(other, QSslDiffieHellmanParameters):
            raise TypeError(
                "arguments did not match any overloaded call:\n"
                "  QSslDiffieHellmanParameters(): too many arguments\n"
                "  QSslDiffieHellmanParameters(other: QSslDiffieHellmanParameters): "
                f"argument 1 has unexpected type '{type(other).__name__}'"
            )
        self._der: bytes | None = other._der if other is not None else None
        self._error: QSslDiffieHellmanParameters.Error = (
            other._error if other is not None else QSslDiffieHellmanParameters.Error.NoError
        )

    @staticmethod
    def defaultParameters() -> QSslDiffieHellmanParameters:
        """Qt's default: the 2048-bit MODP group of RFC 3526 (group 14), generator 2."""
        import base64

        return QSslDiffieHellmanParameters.fromEncoded(
            base64.b64decode(_DEFAULT_DER_BASE64), QSsl.EncodingFormat.Der
        )

    @staticmethod
    def fromEncoded(
        encoded: Any, encoding: QSsl.EncodingFormat = QSsl.EncodingFormat.Pem
    ) -> QSslDiffieHellmanParameters:
        """Parameters from *encoded* bytes, or from everything a QIODevice reads, in PEM or DER.

        ``None`` as the device gives an empty object, as in Qt; a device that cannot be read
        gives no data, hence ``InvalidInputDataError``. Check isValid() on the result.
        """
        if not isinstance(encoding, QSsl.EncodingFormat):
            raise TypeError(
                "fromEncoded(): argument 2 has unexpected type "
                f"'{type(encoding).__name__}', expected QSsl.EncodingFormat"
            )
        result = QSslDiffieHellmanParameters()
        if encoded is None:
            return result
        if isinstance(encoded, (bytes, bytearray, memoryview)):
            data = bytes(encoded)
        elif callable(getattr(encoded, "readAll", None)):
            data = bytes(encoded.readAll())
        else:
            raise TypeError(
                "arguments did not match any overloaded call:\n"
                "  fromEncoded(encoded: QByteArray|bytes|bytearray|memoryview, encoding: "
                f"QSsl.EncodingFormat = QSsl.Pem): argument 1 has unexpected type "
                f"'{type(encoded).__name__}'\n"
                "  fromEncoded(device: QIODevice|None, encoding: QSsl.EncodingFormat = QSsl.Pem): "
                f"argument 1 has unexpected type '{type(encoded).__name__}'"
            )
        result._der, result._error = _decode(data, encoding == QSsl.EncodingFormat.Pem)
        return result

    def isEmpty(self) -> bool:
        """True for a default-constructed (or fromEncoded(None)) object: no parameters, no error."""
        return self._der is None and self._error == self.Error.NoError

    def isValid(self) -> bool:
        """True unless reading or checking the parameters failed (an empty object is valid)."""
        return self._error == self.Error.NoError

    def error(self) -> QSslDiffieHellmanParameters.Error:
        """Why the parameters are invalid, or NoError."""
        return self._error

    def errorString(self) -> str:
        """Qt's text for error()."""
        return {
            self.Error.NoError: "No error",
            self.Error.InvalidInputDataError: "Invalid input data",
            self.Error.UnsafeParametersError: (
                "The given Diffie-Hellman parameters are deemed unsafe"
            ),
        }[self._error]

    def swap(self, other: QSslDiffieHellmanParameters) -> None:
        """Exchange the contents of these parameters and *other*."""
        if not isinstance(other, QSslDiffieHellmanParameters):
            raise TypeError(
                "swap(self, other: QSslDiffieHellmanParameters): argument 1 has unexpected "
                f"type '{type(other).__name__}'"
            )
        self._der, other._der = other._der, self._der
        self._error, other._error = other._error, self._error

    def _pem(self) -> bytes | None:
        """The parameters as PEM for OpenSSL (``PEM_read_bio_DHparams``); None unless valid
        and non-empty. For the TLS engine."""
        if self._der is None:
            return None
        from cryptography.hazmat.primitives import serialization

        with _quiet_ffdh():
            params = serialization.load_der_parameters(self._der)
            return params.parameter_bytes(
                serialization.Encoding.PEM, serialization.ParameterFormat.PKCS3
            )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QSslDiffieHellmanParameters):
            return NotImplemented
        return self._der == other._der

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, QSslDiffieHellmanParameters):
            return NotImplemented
        return self._der != other._der

    def __hash__(self) -> int:
        return hash(self._der) if self._der is not None else 0

    def __repr__(self) -> str:
        if self._der is None:
            state = "empty" if self._error == self.Error.NoError else self._error.name
            return f"<QSslDiffieHellmanParameters {state}>"
        return f"<QSslDiffieHellmanParameters {len(self._der)} bytes DER>"


# ---------------------------------------------------------------------------------------------
# Decoding and checking
# ---------------------------------------------------------------------------------------------

_Error = QSslDiffieHellmanParameters.Error


def _decode(data: bytes, pem: bool) -> tuple[bytes | None, QSslDiffieHellmanParameters.Error]:
    """(canonical DER, error) for *data*; the DER is None unless the parameters are valid.

    As in Qt, DER input is kept as given and PEM input is re-encoded (``i2d_DHparams``).
    """
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    if not data:
        return None, _Error.InvalidInputDataError
    with _quiet_ffdh():
        from cryptography.hazmat.primitives.asymmetric import dh

        try:
            if pem:
                params = serialization.load_pem_parameters(data)
            else:
                params = serialization.load_der_parameters(data)
        except ValueError as exc:
            # The loaders run OpenSSL's DH_check and say so when it fails.
            if _DH_CHECK_FAILED not in str(exc):
                return None, _Error.InvalidInputDataError
            if not pem:
                # Qt reads DER with d2i_DHparams, which knows only PKCS #3 (p, g).
                x942 = _x942_numbers(data) is not None
                return None, _Error.InvalidInputDataError if x942 else _Error.UnsafeParametersError
            forgiven = _qt_forgiven_parameters(data)
            if forgiven is None:
                return None, _Error.UnsafeParametersError
            return _pkcs3_der(*forgiven), _Error.NoError
        except (TypeError, UnsupportedAlgorithm):
            return None, _Error.InvalidInputDataError
        if not isinstance(params, dh.DHParameters):
            return None, _Error.InvalidInputDataError  # e.g. "EC PARAMETERS"
        numbers = params.parameter_numbers()
    if not pem and _x942_numbers(data) is not None:
        # OpenSSL fills q in for the groups it knows, so the encoding itself is what tells.
        return None, _Error.InvalidInputDataError  # X9.42 DER: d2i_DHparams refuses it (Qt)
    if numbers.p.bit_length() < _MIN_BITS:
        return None, _Error.UnsafeParametersError
    return (_pkcs3_der(numbers.p, numbers.g) if pem else data), _Error.NoError


def _x942_der(data: bytes) -> bytes | None:
    """The DER inside an "X9.42 DH PARAMETERS" PEM block (None when there is none)."""
    begin, end = b"-----BEGIN X9.42 DH PARAMETERS-----", b"-----END X9.42 DH PARAMETERS-----"
    start, stop = data.find(begin), data.find(end)
    if start < 0 or stop < start:
        return None
    try:
        return base64.b64decode(b"".join(data[start + len(begin) : stop].split()), validate=True)
    except ValueError:
        return None


def _qt_forgiven_parameters(pem_data: bytes) -> tuple[int, int] | None:
    """Qt's exception to DH_check (``isSafeDH``, after the OpenSSL wiki): when g == 2 and
    p mod 24 is 11 or 23, DH_NOT_SUITABLE_GENERATOR is ignored, so that the RFC 3526/5114
    groups pass. It only matters for X9.42 parameters (with q), where DH_check tests g^q = 1.

    cryptography reports a failed DH_check without its flags, so the parameters are checked
    again with g replaced by a generator of the order-q subgroup: if OpenSSL accepts that,
    the generator was the only complaint and Qt accepts the original: its (p, g) is returned.
    """
    from cryptography.hazmat import asn1
    from cryptography.hazmat.primitives import serialization

    der = _x942_der(pem_data)
    numbers = _x942_numbers(der) if der is not None else None
    if numbers is None:
        return None
    p, g, q = numbers
    if g != 2 or p % 24 not in (11, 23) or q <= 1 or (p - 1) % q:
        return None
    subgroup_generator = pow(2, (p - 1) // q, p)
    if subgroup_generator <= 1:
        return None
    replaced = asn1.encode_der(_x942_type()(p=p, g=subgroup_generator, q=q))
    try:
        with _quiet_ffdh():
            serialization.load_der_parameters(bytes(replaced))
    except ValueError:
        return None
    return p, g


def _x942_numbers(der: bytes) -> tuple[int, int, int] | None:
    """(p, g, q) of X9.42 DomainParameters in DER, or None when *der* is not that."""
    from cryptography.hazmat import asn1

    try:
        record = asn1.decode_der(_x942_type(), der)
    except (ValueError, TypeError):
        return None
    return int(record.p), int(record.g), int(record.q)


@functools.lru_cache(maxsize=1)
def _x942_type() -> Any:
    from cryptography.hazmat import asn1

    @asn1.sequence
    class X942DomainParameters:  # RFC 3279 DomainParameters; j and validationParms unused
        p: int
        g: int
        q: int

    return X942DomainParameters


@contextlib.contextmanager
def _quiet_ffdh() -> Iterator[None]:
    """Silence cryptography's FFDH deprecation warning, which Qt's API must not surface."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*Diffie-Hellman over finite fields")
        yield


def _pkcs3_der(p: int, g: int) -> bytes:
    """DHParameter ::= SEQUENCE { prime INTEGER, base INTEGER } (PKCS #3), DER."""
    try:
        from cryptography.hazmat import asn1
    except ImportError:  # older cryptography: its PKCS3 encoder (may add q for named groups)
        from cryptography.hazmat.primitives import serialization

        with _quiet_ffdh():
            from cryptography.hazmat.primitives.asymmetric import dh

            params = dh.DHParameterNumbers(p, g).parameters()
            return params.parameter_bytes(
                serialization.Encoding.DER, serialization.ParameterFormat.PKCS3
            )
    return bytes(asn1.encode_der(_dh_parameter_type()(prime=p, base=g)))


@functools.lru_cache(maxsize=1)
def _dh_parameter_type() -> Any:
    from cryptography.hazmat import asn1

    @asn1.sequence
    class DHParameter:
        prime: int
        base: int

    return DHParameter
