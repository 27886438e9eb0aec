"""QSslKey: private and public keys on cryptography's serialization.

Theory of operation
-------------------
A QSslKey holds one PyCA ``cryptography`` key object (or nothing: the null key), the
``QSsl.KeyAlgorithm`` it was loaded as and its ``QSsl.KeyType``. Loading never raises: anything
that does not decode as the requested algorithm and type gives the null key, as in Qt.

What Qt 6.11 (through PyQt6, on OpenSSL) does, and qtls copies:

* ``Rsa``/``Dsa``/``Ec``/``Dh`` load only a key of that algorithm; PEM may be traditional
  ("BEGIN RSA PRIVATE KEY") or PKCS#8, encrypted or not; public keys must be
  SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"; a PKCS#1 "RSA PUBLIC KEY" is null). Text around
  the PEM block is ignored. A passphrase given for an unencrypted key is ignored.
* ``MlDsa`` (new in Qt 6.11) loads *any* key OpenSSL's generic decoder takes (Qt uses
  ``PEM_read_bio_PrivateKey``/``d2i_PUBKEY``): RSA, EC, Ed25519, X25519 and real ML-DSA keys
  alike, PKCS#8 only in DER. Its ``length()`` is the key's security strength in bits
  (``EVP_PKEY_get_security_bits``), not its size.
* ``Opaque`` cannot be loaded from data (always null); an opaque key wraps a key object handed
  over as a "handle": ``QSslKey(key_object, QSsl.KeyType.PrivateKey)``.
* Ed25519/Ed448/X25519/X448 keys are null for every algorithm except ``MlDsa``; a certificate's
  Ed25519 public key is a null QSslKey (see :meth:`QSslKey._from_cryptography`).
* ``toPem()``/``toDer()`` write RSA, DSA and EC private keys in the traditional format
  (PKCS#1, DSA, SEC1) and DH/ML-DSA private keys as PKCS#8; public keys as SubjectPublicKeyInfo.
  ``toDer(passPhrase)`` of a private key with a non-empty passphrase is empty, as in Qt.

Deliberate difference: ``toPem(passPhrase)`` encrypts with AES-256-CBC (cryptography's best
available encryption) where Qt uses DES-EDE3-CBC; the PEM header is the same and every OpenSSL
or Qt reader reads both.

QSslKey is not hashable, as in PyQt6.

Deliberate addition: a key that comes out null from non-empty or empty data raises a
``NullKeyWarning`` naming the cause, since Qt's silent null key shows up only as failed
handshakes later.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Union

from cryptography.exceptions import InternalError, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import (
    dh,
    dsa,
    ec,
    ed448,
    ed25519,
    mldsa,
    rsa,
    x448,
    x25519,
)
from cryptography.utils import CryptographyDeprecationWarning

from qtls.core.bytearray import QByteArray
from qtls.ssl.qssl import QSsl

__all__ = ["QSslKey"]  # NullKeyWarning is imported from here (PyQt6 has no such name)


@contextmanager
def _quiet_dh() -> Iterator[None]:
    """Silence cryptography's FFDH deprecation warning: Qt supports DH keys, so must we."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        yield


with _quiet_dh():
    _DHPrivateKey: type = dh.DHPrivateKey
    _DHPublicKey: type = dh.DHPublicKey

if TYPE_CHECKING:
    PrivateKey = Union[
        rsa.RSAPrivateKey, dsa.DSAPrivateKey, ec.EllipticCurvePrivateKey, dh.DHPrivateKey,
        ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey, x25519.X25519PrivateKey,
        x448.X448PrivateKey, mldsa.MLDSA44PrivateKey, mldsa.MLDSA65PrivateKey,
        mldsa.MLDSA87PrivateKey,
    ]  # fmt: skip
    PublicKey = Union[
        rsa.RSAPublicKey, dsa.DSAPublicKey, ec.EllipticCurvePublicKey, dh.DHPublicKey,
        ed25519.Ed25519PublicKey, ed448.Ed448PublicKey, x25519.X25519PublicKey,
        x448.X448PublicKey, mldsa.MLDSA44PublicKey, mldsa.MLDSA65PublicKey,
        mldsa.MLDSA87PublicKey,
    ]  # fmt: skip
    KeyObject = Union[PrivateKey, PublicKey]

_Alg = QSsl.KeyAlgorithm
_Type = QSsl.KeyType
_Enc = QSsl.EncodingFormat
_BYTES_LIKE = (bytes, bytearray, memoryview)
# (InternalError: OpenSSL refusing key material cryptography passed on, e.g. a raw Ed25519 or
# X25519 key of the wrong length inside PKCS#8; found by fuzzing)
_LOAD_ERRORS = (ValueError, TypeError, UnsupportedAlgorithm, InternalError)

# The classic algorithms Qt recognises by key type (anything else only loads as MlDsa).
_CLASSIC: tuple[tuple[tuple[type, ...], QSsl.KeyAlgorithm], ...] = (
    ((rsa.RSAPrivateKey, rsa.RSAPublicKey), _Alg.Rsa),
    ((dsa.DSAPrivateKey, dsa.DSAPublicKey), _Alg.Dsa),
    ((ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey), _Alg.Ec),
    ((_DHPrivateKey, _DHPublicKey), _Alg.Dh),
)
_MLDSA_TYPES: tuple[type, ...] = (
    mldsa.MLDSA44PrivateKey, mldsa.MLDSA44PublicKey, mldsa.MLDSA65PrivateKey,
    mldsa.MLDSA65PublicKey, mldsa.MLDSA87PrivateKey, mldsa.MLDSA87PublicKey,
)  # fmt: skip
_PRIVATE_TYPES: tuple[type, ...] = (
    rsa.RSAPrivateKey, dsa.DSAPrivateKey, ec.EllipticCurvePrivateKey, _DHPrivateKey,
    ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey, x25519.X25519PrivateKey,
    x448.X448PrivateKey, mldsa.MLDSA44PrivateKey, mldsa.MLDSA65PrivateKey,
    mldsa.MLDSA87PrivateKey,
)  # fmt: skip
_PUBLIC_TYPES: tuple[type, ...] = (
    rsa.RSAPublicKey, dsa.DSAPublicKey, ec.EllipticCurvePublicKey, _DHPublicKey,
    ed25519.Ed25519PublicKey, ed448.Ed448PublicKey, x25519.X25519PublicKey,
    x448.X448PublicKey, mldsa.MLDSA44PublicKey, mldsa.MLDSA65PublicKey,
    mldsa.MLDSA87PublicKey,
)  # fmt: skip


def _classic_algorithm(key: object) -> QSsl.KeyAlgorithm | None:
    for types, algorithm in _CLASSIC:
        if isinstance(key, types):
            return algorithm
    if isinstance(key, _MLDSA_TYPES):
        return _Alg.MlDsa
    return None


def _type_error(method: str, position: int, value: object) -> TypeError:
    return TypeError(f"{method}: argument {position} has unexpected type '{type(value).__name__}'")


def _bytes_arg(method: str, position: int, value: object) -> bytes:
    if not isinstance(value, _BYTES_LIKE):
        raise _type_error(method, position, value)
    return bytes(value)


class QSslKey:
    """A private or public key (Qt's ``QSslKey``), see the module documentation for what loads.

    ``QSslKey()`` is the null key: ``algorithm()`` Opaque, ``type()`` PublicKey, ``length()``
    -1. A key that fails to load from non-empty data is null too, but keeps the algorithm and
    type it was asked for, as in Qt. Two keys are equal when algorithm, type, length and DER
    encoding are equal (opaque keys: when they wrap the same object), as in Qt.

    Where Qt is silent, qtls says why a key loaded from data is null: a
    :class:`NullKeyWarning` (``qtls.ssl.x509.key``) names the cause (wrong passphrase, an EC
    key loaded as RSA, a certificate or public key where a private key was wanted, no data).
    """

    __slots__ = ("_key", "_algorithm", "_type", "_why_null")
    __hash__ = None  # type: ignore[assignment]  # PyQt6's QSslKey is unhashable

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """``QSslKey()``, ``QSslKey(other)``,
        ``QSslKey(encoded | device, algorithm, encoding=QSsl.Pem, type=QSsl.PrivateKey,
        passPhrase=b"")``, ``QSslKey(handle, type=QSsl.PrivateKey)``.

        *device* is any QIODevice (anything with ``readAll()``); None gives the null key.
        *handle* is a ``cryptography`` key object; the key is then ``Opaque``, as Qt's
        ``QSslKey(Qt::HANDLE, type)``.
        """
        self._key: KeyObject | None = None
        self._algorithm = _Alg.Opaque
        self._type = _Type.PublicKey
        self._why_null = ""  # why loading gave the null key (the NullKeyWarning's text)
        if not args and not kwargs:
            return
        first: Any = args[0] if args else kwargs.pop("encoded", kwargs.pop("device", None))
        rest = args[1:]
        if isinstance(first, QSslKey) and not rest and not kwargs:
            self._key, self._algorithm, self._type = first._key, first._algorithm, first._type
            self._why_null = first._why_null
            return
        if isinstance(first, _PRIVATE_TYPES + _PUBLIC_TYPES):
            self._init_from_handle(first, *rest, **kwargs)  # type: ignore[arg-type]
            return
        self._init_from_data(first, *rest, **kwargs)

    def _init_from_handle(self, handle: KeyObject, type: QSsl.KeyType = _Type.PrivateKey) -> None:
        if not isinstance(type, _Type):
            raise _type_error("QSslKey()", 2, type)
        # Like Qt, trust the caller about the type, except that a public key object cannot be
        # a private key.
        self._key, self._algorithm = handle, _Alg.Opaque
        self._type = _Type.PublicKey if isinstance(handle, _PUBLIC_TYPES) else type

    def _init_from_data(
        self,
        source: object,
        algorithm: QSsl.KeyAlgorithm,
        encoding: QSsl.EncodingFormat = _Enc.Pem,
        type: QSsl.KeyType = _Type.PrivateKey,
        passPhrase: bytes | bytearray | memoryview = b"",
    ) -> None:
        if isinstance(source, _BYTES_LIKE):
            data: bytes | None = bytes(source)
        elif source is None:
            data = None
        elif callable(getattr(source, "readAll", None)):
            read = source.readAll()  # type: ignore[attr-defined]
            data = bytes(read) if isinstance(read, _BYTES_LIKE) else None
        else:
            raise _type_error("QSslKey()", 1, source)
        if not isinstance(algorithm, _Alg):
            raise _type_error("QSslKey()", 2, algorithm)
        if not isinstance(encoding, _Enc):
            raise _type_error("QSslKey()", 3, encoding)
        if not isinstance(type, _Type):
            raise _type_error("QSslKey()", 4, type)
        password = _bytes_arg("QSslKey()", 5, passPhrase)
        if not data:
            self._null_because("there is no key data (the input is empty)")
            return
        # Qt records what was asked for even when decoding fails: a null key that says Rsa.
        self._algorithm, self._type = algorithm, type
        if algorithm is _Alg.Opaque:
            self._null_because("an Opaque key cannot be loaded from data")
            return
        with _quiet_dh():
            self._key, reason = _decode(data, algorithm, encoding, type, password)
        if self._key is None:
            self._null_because(reason)

    def _null_because(self, reason: str) -> None:
        self._why_null = reason
        # stacklevel 4: _null_because, _init_from_data, __init__, then the QSslKey(...) call
        warnings.warn(f"QSslKey is null: {reason}", NullKeyWarning, stacklevel=4)

    def _null_reason(self) -> str:
        """Why this key is null when loading it failed; empty for a key that loaded or was
        never loaded (QSslKey(), clear())."""
        return self._why_null if self._key is None else ""

    # -- hooks for the other qtls modules --------------------------------------------------

    @classmethod
    def _from_cryptography(
        cls, key_object: object, key_type: QSsl.KeyType | None = None
    ) -> QSslKey:
        """A QSslKey for a ``cryptography`` key object, as Qt builds one from an ``EVP_PKEY``.

        RSA, DSA, EC, DH and ML-DSA keys get their algorithm; other kinds (Ed25519, Ed448,
        X25519, X448) give the null key, as Qt's ``QSslCertificate.publicKey()`` does for them.
        *key_type* defaults to what the object is; a public object is always PublicKey.
        """
        algorithm = _classic_algorithm(key_object)
        if algorithm is None:
            return cls()
        result = cls()
        result._key = key_object  # type: ignore[assignment]
        result._algorithm = algorithm
        is_public = isinstance(key_object, _PUBLIC_TYPES)
        if is_public or key_type is None:
            result._type = _Type.PublicKey if is_public else _Type.PrivateKey
        else:
            result._type = key_type
        return result

    def _to_cryptography(self) -> KeyObject | None:
        """The ``cryptography`` key object, or None for the null key."""
        return self._key

    # -- Qt API ---------------------------------------------------------------------------------

    def isNull(self) -> bool:
        """True for the null key (default-constructed, cleared, or failed to load)."""
        return self._key is None

    def clear(self) -> None:
        """Make this the null key."""
        self._key, self._algorithm, self._type = None, _Alg.Opaque, _Type.PublicKey
        self._why_null = ""

    def algorithm(self) -> QSsl.KeyAlgorithm:
        """The algorithm the key was loaded as (Opaque for the null key)."""
        return self._algorithm

    def type(self) -> QSsl.KeyType:
        """PrivateKey or PublicKey (PublicKey for the null key, as in Qt)."""
        return self._type

    def length(self) -> int:
        """Key size in bits: modulus (RSA, DSA, DH) or curve size (EC); for MlDsa the security
        strength in bits, as Qt 6.11 reports it; -1 for the null or an opaque key."""
        if self._key is None or self._algorithm is _Alg.Opaque:
            return -1
        with _quiet_dh():
            if self._algorithm is _Alg.MlDsa:
                return _security_bits(self._key)
            return _key_size(self._key)

    def handle(self) -> KeyObject | None:
        """The underlying ``cryptography`` key object (Qt gives the native ``EVP_PKEY*``);
        None for the null key."""
        return self._key

    def toPem(self, passPhrase: bytes | bytearray | memoryview = b"") -> QByteArray:
        """The key as PEM; a private key is encrypted when *passPhrase* is not empty.

        Empty for the null key and for opaque keys, as in Qt.
        """
        password = _bytes_arg("toPem()", 1, passPhrase)
        with _quiet_dh():
            return QByteArray(self._encode(ser.Encoding.PEM, password))

    def toDer(self, passPhrase: bytes | bytearray | memoryview = b"") -> QByteArray:
        """The key as DER. Empty for the null key, for opaque keys and, as in Qt, for a private
        key asked for with a non-empty passphrase (DER carries no encryption header)."""
        password = _bytes_arg("toDer()", 1, passPhrase)
        if password and self._type is _Type.PrivateKey:
            return QByteArray()
        with _quiet_dh():
            return QByteArray(self._encode(ser.Encoding.DER, b""))

    def _encode(self, encoding: ser.Encoding, password: bytes) -> bytes:
        key = self._key
        if key is None or self._algorithm is _Alg.Opaque:
            return b""
        try:
            if isinstance(key, _PUBLIC_TYPES):
                spki = ser.PublicFormat.SubjectPublicKeyInfo
                return key.public_bytes(encoding, spki)  # type: ignore[union-attr]
            if self._algorithm in (_Alg.Rsa, _Alg.Dsa, _Alg.Ec):
                fmt = ser.PrivateFormat.TraditionalOpenSSL
            else:
                fmt = ser.PrivateFormat.PKCS8
            crypt: ser.KeySerializationEncryption = (
                ser.BestAvailableEncryption(password) if password else ser.NoEncryption()
            )
            return key.private_bytes(encoding, fmt, crypt)  # type: ignore[union-attr]
        except _LOAD_ERRORS:  # pragma: no cover - every loadable key serialises
            return b""

    def swap(self, other: QSslKey) -> None:
        """Exchange the contents of this key and *other*."""
        if not isinstance(other, QSslKey):
            raise _type_error("swap()", 1, other)
        self._key, other._key = other._key, self._key
        self._algorithm, other._algorithm = other._algorithm, self._algorithm
        self._type, other._type = other._type, self._type
        self._why_null, other._why_null = other._why_null, self._why_null

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QSslKey):
            return NotImplemented
        if self.isNull() or other.isNull():
            return self.isNull() and other.isNull()
        if (self._algorithm, self._type, self.length()) != (
            other._algorithm,
            other._type,
            other.length(),
        ):
            return False
        if self._algorithm is _Alg.Opaque:
            return self._key is other._key
        return self.toDer() == other.toDer()

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __repr__(self) -> str:
        # PyQt6 shows only the default object repr; say what the key is.
        if self.isNull():
            return "<qtls.QtNetwork.QSslKey null>"
        return (
            f"<qtls.QtNetwork.QSslKey {self._algorithm.name} {self._type.name} "
            f"{self.length()} bits>"
        )


# -- decoding -----------------------------------------------------------------------------------


def _decode(
    data: bytes,
    algorithm: QSsl.KeyAlgorithm,
    encoding: QSsl.EncodingFormat,
    key_type: QSsl.KeyType,
    password: bytes,
) -> tuple[KeyObject | None, str]:
    """The key in *data* when it is a *key_type* key of *algorithm*, else None and why not."""
    try:
        if key_type is _Type.PrivateKey:
            key: KeyObject | None = _decode_private(data, encoding, password)
        else:
            key = _decode_public(data, encoding, strict=algorithm is not _Alg.MlDsa)
    except _LOAD_ERRORS:
        return None, _why_undecodable(data, encoding, key_type, password)
    if key is None:
        return None, "the data is a PKCS#1 RSA PUBLIC KEY; only BEGIN PUBLIC KEY (SPKI) loads"
    if algorithm is _Alg.MlDsa:
        # Qt 6.11 decodes MlDsa with OpenSSL's generic decoder: any key, but PKCS#8 only in
        # DER (d2i_AutoPrivateKey is not used). Re-encoding tells PKCS#8 input apart exactly.
        if encoding is _Enc.Der and key_type is _Type.PrivateKey:
            pkcs8 = key.private_bytes(  # type: ignore[union-attr]
                ser.Encoding.DER, ser.PrivateFormat.PKCS8, ser.NoEncryption()
            )
            if pkcs8 != data and not _is_encrypted_der(data):
                return None, "an MlDsa private key in DER must be PKCS#8"
        return key, ""
    found = _classic_algorithm(key)
    if found is algorithm:
        return key, ""
    if found is None:  # Ed25519, X448...: only MlDsa's generic decoder takes them
        kind = type(key).__name__.replace("PrivateKey", "").replace("PublicKey", "")
        return None, f"the key is {kind}, not {algorithm.name.upper()} (only MlDsa loads it)"
    return None, f"the key is {found.name.upper()}, not {algorithm.name.upper()}"


def _why_undecodable(
    data: bytes, encoding: QSsl.EncodingFormat, key_type: QSsl.KeyType, password: bytes
) -> str:
    """Why cryptography could not decode *data* as a *key_type* key: the warning's text."""
    pem = encoding is _Enc.Pem
    if key_type is _Type.PrivateKey:
        load = ser.load_pem_private_key if pem else ser.load_der_private_key
        try:
            load(data, None)
        except TypeError:  # encrypted
            if password:
                return "wrong passphrase"
            return "the key is encrypted and no passphrase was given"
        except _LOAD_ERRORS:
            pass
    if pem and b"-----BEGIN CERTIFICATE-----" in data:
        return "the data is a certificate, not a key"
    if key_type is _Type.PrivateKey and _is_public_key(data, pem):
        return "the data is a public key, not a private key"
    if key_type is _Type.PublicKey and _is_private_key(data, pem):
        return "the data is a private key, not a public key"
    wanted = "private" if key_type is _Type.PrivateKey else "public"
    return f"the data is not a {'PEM' if pem else 'DER'} {wanted} key of a known algorithm"


def _is_public_key(data: bytes, pem: bool) -> bool:
    try:
        (ser.load_pem_public_key if pem else ser.load_der_public_key)(data)
    except _LOAD_ERRORS:
        return False
    return True


def _is_private_key(data: bytes, pem: bool) -> bool:
    try:
        (ser.load_pem_private_key if pem else ser.load_der_private_key)(data, None)
    except TypeError:
        return True  # an encrypted private key
    except _LOAD_ERRORS:
        return False
    return True


class NullKeyWarning(UserWarning):
    """A QSslKey loaded from data came out null; the message says why.

    Qt gives the null key silently, and a server then fails every handshake; qtls keeps the
    null key and says why at load time. Silence it with ``warnings.simplefilter("ignore",
    NullKeyWarning)``.
    """


def _decode_private(data: bytes, encoding: QSsl.EncodingFormat, password: bytes) -> PrivateKey:
    load = ser.load_pem_private_key if encoding is _Enc.Pem else ser.load_der_private_key
    try:
        return load(data, password or None)  # type: ignore[return-value]
    except TypeError:
        if not password:
            raise  # encrypted, and no passphrase: Qt gives the null key
        # Qt ignores a passphrase given for an unencrypted key; cryptography refuses it.
        return load(data, None)  # type: ignore[return-value]


def _decode_public(data: bytes, encoding: QSsl.EncodingFormat, strict: bool) -> PublicKey | None:
    """Decode a public key; *strict* (every algorithm but MlDsa) wants SubjectPublicKeyInfo."""
    if encoding is _Enc.Pem:
        # Qt reads SubjectPublicKeyInfo only, except through MlDsa's generic decoder;
        # cryptography would also take PKCS#1.
        pkcs1 = b"-----BEGIN RSA PUBLIC KEY-----" in data
        if strict and pkcs1 and b"-----BEGIN PUBLIC KEY-----" not in data:
            return None
        return ser.load_pem_public_key(data)  # type: ignore[return-value]
    key = ser.load_der_public_key(data)
    if isinstance(key, rsa.RSAPublicKey):
        if key.public_bytes(ser.Encoding.DER, ser.PublicFormat.PKCS1) == data:
            return None  # PKCS#1 DER, not SubjectPublicKeyInfo
    return key  # type: ignore[return-value]


def _is_encrypted_der(data: bytes) -> bool:
    """True when *data* is an encrypted PKCS#8 DER key (which needs a password to load)."""
    try:
        ser.load_der_private_key(data, None)
    except TypeError:
        return True
    except _LOAD_ERRORS:
        return False
    return False


# -- sizes ----------------------------------------------------------------------------------------


def _key_size(key: KeyObject) -> int:
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return key.curve.key_size
    size = getattr(key, "key_size", None)
    return size if isinstance(size, int) else -1


# OpenSSL's ossl_ifc_ffc_compute_security_bits() for the standard modulus sizes.
_IFC_BITS = {1024: 80, 2048: 112, 3072: 128, 4096: 152, 6144: 176, 7680: 192, 8192: 200,
             15360: 256}  # fmt: skip


def _bn_security_bits(size: int, subgroup: int) -> int:
    """OpenSSL's BN_security_bits(L, N) (SP 800-57 table) for DSA and DH groups."""
    if size >= 15360:
        bits = 256
    elif size >= 7680:
        bits = 192
    elif size >= 3072:
        bits = 128
    elif size >= 2048:
        bits = 112
    elif size >= 1024:
        bits = 80
    else:
        return 0
    if subgroup == -1:
        return bits
    half = subgroup // 2
    return 0 if half < 80 else min(half, bits)


def _security_bits(key: KeyObject) -> int:
    """``EVP_PKEY_get_security_bits``: what Qt 6.11 reports as the length of an MlDsa key."""
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        size = key.key_size
        if size in _IFC_BITS:
            return _IFC_BITS[size]
        return _bn_security_bits(size, -1)  # non-standard sizes: SP 800-57 steps
    if isinstance(key, (dsa.DSAPrivateKey, dsa.DSAPublicKey)):
        q = key.parameters().parameter_numbers().q
        return _bn_security_bits(key.key_size, q.bit_length())
    if isinstance(key, (_DHPrivateKey, _DHPublicKey)):
        dh_key: Any = key  # mypy cannot narrow through the aliased DH classes
        subgroup = dh_key.parameters().parameter_numbers().q
        return _bn_security_bits(dh_key.key_size, subgroup.bit_length() if subgroup else -1)
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        order_bits = key.curve.key_size  # the group order's size, for every named curve
        for floor, bits in ((512, 256), (384, 192), (256, 128), (224, 112), (160, 80)):
            if order_bits >= floor:
                return bits
        return order_bits // 2
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey,
                        x25519.X25519PrivateKey, x25519.X25519PublicKey)):  # fmt: skip
        return 128
    if isinstance(key, (ed448.Ed448PrivateKey, ed448.Ed448PublicKey,
                        x448.X448PrivateKey, x448.X448PublicKey)):  # fmt: skip
        return 224
    if isinstance(key, (mldsa.MLDSA44PrivateKey, mldsa.MLDSA44PublicKey)):
        return 128
    if isinstance(key, (mldsa.MLDSA65PrivateKey, mldsa.MLDSA65PublicKey)):
        return 192
    if isinstance(key, (mldsa.MLDSA87PrivateKey, mldsa.MLDSA87PublicKey)):
        return 256
    return -1
