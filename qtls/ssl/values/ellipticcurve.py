"""QSslEllipticCurve: a named key-exchange group.

Qt identifies a curve by its OpenSSL NID (``OBJ_sn2nid``/``OBJ_ln2nid``), so any object OpenSSL
names is "valid" — X25519 and X448 included, even ED25519 — while the TLS-only hybrid groups such
as X25519MLKEM768 have no NID and are invalid (as in PyQt6). The NIDs come from cryptography's
OpenSSL binding (the library pyOpenSSL runs on): ``OBJ_txt2nid``, ``OBJ_nid2sn``,
``OBJ_nid2ln`` and ``EC_get_builtin_curves``.

``OBJ_txt2nid`` tries short names, then long names, then dotted OIDs; Qt's ``fromShortName``
only takes short names and ``fromLongName`` only long names, so the NID found is kept only when
its short (long) name is the one asked for.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["QSslEllipticCurve"]

# EC_curve_nist2nid's table (crypto/ec/ec_curve.c): Qt's fromShortName falls back on it, so the
# FIPS 186 names work too ("P-256" is prime256v1).
_NIST_NAMES = {
    "B-163": "sect163r2",
    "B-233": "sect233r1",
    "B-283": "sect283r1",
    "B-409": "sect409r1",
    "B-571": "sect571r1",
    "K-163": "sect163k1",
    "K-233": "sect233k1",
    "K-283": "sect283k1",
    "K-409": "sect409k1",
    "K-571": "sect571k1",
    "P-192": "prime192v1",
    "P-224": "secp224r1",
    "P-256": "prime256v1",
    "P-384": "secp384r1",
    "P-521": "secp521r1",
}

# Curves RFC 4492 and RFC 7027 allow in TLS (QTlsBackendOpenSSL's tlsNamedCurveNIDs), by
# OpenSSL short name. X25519/X448 (RFC 8422) are not in Qt's list, so not "TLS named curves".
_TLS_NAMED_CURVES = frozenset(
    {
        "sect163k1", "sect163r1", "sect163r2", "sect193r1", "sect193r2", "sect233k1",
        "sect233r1", "sect239k1", "sect283k1", "sect283r1", "sect409k1", "sect409r1",
        "sect571k1", "sect571r1",
        "secp160k1", "secp160r1", "secp160r2", "secp192k1", "prime192v1", "secp224k1",
        "secp224r1", "secp256k1", "prime256v1", "secp384r1", "secp521r1",
        "brainpoolP256r1", "brainpoolP384r1", "brainpoolP512r1",
    }
)  # fmt: skip


class QSslEllipticCurve:
    """An elliptic curve (key-exchange group) for ECDH, identified by OpenSSL's NID.

    Build one with :meth:`fromShortName` (``"prime256v1"``, ``"secp384r1"``, ``"X25519"``, or
    a NIST name such as ``"P-256"``) or :meth:`fromLongName`; a default-constructed curve is
    invalid. Equal curves have the same NID, and curves are hashable, as in Qt.

    qtls differs from PyQt6 6.11 on purpose in one place: there Qt fails to resolve OpenSSL's
    ``EC_curve_nist2nid`` and ``fromShortName("P-256")`` is invalid; qtls implements Qt's
    documented behaviour (``P-256`` is ``prime256v1``).
    """

    __slots__ = ("_id",)

    def __init__(self, other: QSslEllipticCurve | None = None) -> None:
        if other is not None and not isinstance(other, QSslEllipticCurve):
            raise TypeError(
                "arguments did not match any overloaded call:\n"
                "  QSslEllipticCurve(): too many arguments\n"
                "  QSslEllipticCurve(a0: QSslEllipticCurve): argument 1 has unexpected type "
                f"'{type(other).__name__}'"
            )
        self._id: int = other._id if other is not None else 0

    @classmethod
    def _from_nid(cls, nid: int) -> QSslEllipticCurve:
        curve = cls()
        curve._id = nid
        return curve

    @staticmethod
    def fromShortName(name: str | None) -> QSslEllipticCurve:
        """The curve whose OpenSSL short name (or NIST name) is *name*; invalid if none."""
        _check_name("fromShortName", name)
        if not name:
            return QSslEllipticCurve()
        nid = _nid_for(name, short=True)
        if nid == 0 and name in _NIST_NAMES:
            nid = _nid_for(_NIST_NAMES[name], short=True)
        return QSslEllipticCurve._from_nid(nid)

    @staticmethod
    def fromLongName(name: str | None) -> QSslEllipticCurve:
        """The curve whose OpenSSL long name is *name* (e.g. ``"prime256v1"``); invalid if none."""
        _check_name("fromLongName", name)
        if not name:
            return QSslEllipticCurve()
        return QSslEllipticCurve._from_nid(_nid_for(name, short=False))

    def shortName(self) -> str:
        """OpenSSL's short name for the curve; "" if invalid."""
        return _names_of(self._id)[0]

    def longName(self) -> str:
        """OpenSSL's long name for the curve; "" if invalid."""
        return _names_of(self._id)[1]

    def isValid(self) -> bool:
        """True when the curve names an object OpenSSL knows."""
        return self._id != 0

    def isTlsNamedCurve(self) -> bool:
        """True for the curves RFC 4492/7027 name for TLS (X25519 and X448 are not in Qt's list)."""
        return self._id != 0 and self.shortName() in _TLS_NAMED_CURVES

    def _nid(self) -> int:
        """OpenSSL's NID (0 when invalid), for the TLS engine."""
        return self._id

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QSslEllipticCurve):
            return NotImplemented
        return self._id == other._id

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, QSslEllipticCurve):
            return NotImplemented
        return self._id != other._id

    def __hash__(self) -> int:
        return hash(self._id)

    def __repr__(self) -> str:
        return f"<QSslEllipticCurve {self.shortName()!r}>" if self._id else "<QSslEllipticCurve>"


def _check_name(method: str, name: object) -> None:
    if name is not None and not isinstance(name, str):
        raise TypeError(
            f"{method}(name: str|None): argument 1 has unexpected type '{type(name).__name__}'"
        )


def _binding() -> tuple[Any, Any]:
    from cryptography.hazmat.bindings.openssl.binding import Binding

    return Binding.lib, Binding.ffi


@functools.lru_cache(maxsize=256)
def _nid_for(name: str, *, short: bool) -> int:
    """OBJ_sn2nid / OBJ_ln2nid, through OBJ_txt2nid plus a check of which name matched."""
    # Qt passes name.toLatin1().data(): a C string, cut at the first NUL.
    raw = name.encode("latin-1", "replace").split(b"\0", 1)[0]
    if not raw:
        return 0
    lib, _ = _binding()
    nid = int(lib.OBJ_txt2nid(raw))
    lib.ERR_clear_error()
    if nid == 0:
        return 0
    short_name, long_name = _names_of(nid)
    wanted = raw.decode("latin-1")
    return nid if (short_name if short else long_name) == wanted else 0


@functools.lru_cache(maxsize=256)
def _names_of(nid: int) -> tuple[str, str]:
    if nid == 0:
        return "", ""
    lib, ffi = _binding()
    sn, ln = lib.OBJ_nid2sn(nid), lib.OBJ_nid2ln(nid)
    return (
        ffi.string(sn).decode("latin-1") if sn != ffi.NULL else "",
        ffi.string(ln).decode("latin-1") if ln != ffi.NULL else "",
    )


@functools.lru_cache(maxsize=1)
def _builtin_curve_nids() -> tuple[int, ...]:
    lib, ffi = _binding()
    count = int(lib.EC_get_builtin_curves(ffi.NULL, 0))
    curves = ffi.new("EC_builtin_curve[]", count)
    if lib.EC_get_builtin_curves(curves, count) != count:
        return ()
    return tuple(int(curves[i].nid) for i in range(count))


def _supported_curves() -> list[QSslEllipticCurve]:
    """QSslConfiguration.supportedEllipticCurves(): OpenSSL's builtin EC curves, in its order.

    As in Qt this is ``EC_get_builtin_curves``: X25519/X448 and the hybrid post-quantum groups
    are usable in handshakes but are not listed (they are not EC_GROUPs).
    """
    return [QSslEllipticCurve._from_nid(nid) for nid in _builtin_curve_nids()]
