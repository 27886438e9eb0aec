"""Certificates, keys and verification errors as plain dicts, read through Qt's API.

The same dict feeds the aligned text and the JSON document, so both always say the same.
"""

from __future__ import annotations

from typing import Any

from qtls.cli.style import Out
from qtls.QtCore import QCryptographicHash, QDateTime, Qt
from qtls.QtNetwork import QSsl, QSslCertificate, QSslError, QSslKey

__all__ = ["certificate", "key", "error", "print_certificate", "print_key", "print_errors"]


def _text(value: Any) -> str:
    return bytes(value).decode("utf-8", errors="replace")


def _distinguished_name(cert: QSslCertificate, issuer: bool) -> str:
    attributes = cert.issuerInfoAttributes() if issuer else cert.subjectInfoAttributes()
    info = cert.issuerInfo if issuer else cert.subjectInfo
    parts: list[str] = []
    for attribute in attributes:
        name = _text(attribute)
        parts.extend(f"{name}={value}" for value in info(bytes(attribute)))
    return ", ".join(parts)


def _date(value: QDateTime) -> str:
    return value.toUTC().toString(Qt.DateFormat.ISODate)


def key(k: QSslKey) -> dict[str, Any]:
    """A key's algorithm, size and kind (never its secret)."""
    if k.isNull():
        return {"null": True}
    size = k.length()
    return {"algorithm": k.algorithm().name, "bits": size if size > 0 else None,
            "type": k.type().name}


def certificate(cert: QSslCertificate) -> dict[str, Any]:
    """What a person checks in a certificate: names, validity, key, fingerprint."""
    if cert.isNull():
        return {"null": True}
    now = QDateTime.currentDateTimeUtc()
    names = cert.subjectAlternativeNames()
    public = cert.publicKey()
    return {
        "subject": _distinguished_name(cert, issuer=False),
        "issuer": _distinguished_name(cert, issuer=True),
        "serial": _text(cert.serialNumber()),
        "not_before": _date(cert.effectiveDate()),
        "not_after": _date(cert.expiryDate()),
        "expired": cert.expiryDate() < now,
        "not_yet_valid": cert.effectiveDate() > now,
        "self_signed": cert.isSelfSigned(),
        "dns_names": list(names.get(QSsl.AlternativeNameEntryType.DnsEntry, [])),
        "ip_addresses": list(names.get(QSsl.AlternativeNameEntryType.IpAddressEntry, [])),
        "emails": list(names.get(QSsl.AlternativeNameEntryType.EmailEntry, [])),
        "public_key": key(public),
        "sha256": _text(cert.digest(QCryptographicHash.Algorithm.Sha256).toHex(b":")).upper(),
    }


def error(e: QSslError) -> dict[str, Any]:
    """A verification error by Qt's name and text, and the certificate it concerns."""
    cert = e.certificate()
    return {"error": e.error().name, "text": e.errorString(),
            "certificate": None if cert.isNull() else cert.subjectDisplayName()}


def _key_text(info: dict[str, Any]) -> str:
    if info.get("null"):
        return "null (QSslKey could not read it)"
    bits = f" {info['bits']} bits" if info.get("bits") else ""
    return f"{info['algorithm']}{bits}, {info['type']}"


def print_certificate(out: Out, info: dict[str, Any], label: str) -> None:
    out.line(f"  {out.paint(label, 'bold')}  {info.get('subject', 'null certificate')}")
    if info.get("null"):
        return
    validity = f"{info['not_before']} to {info['not_after']}"
    if info["expired"]:
        validity += "  " + out.bad("EXPIRED")
    elif info["not_yet_valid"]:
        validity += "  " + out.bad("NOT YET VALID")
    names = info["dns_names"] + info["ip_addresses"] + info["emails"]
    out.fields([
        ("issuer", info["issuer"] + ("  (self-signed)" if info["self_signed"] else "")),
        ("valid", validity),
        ("names", names or None),
        ("key", _key_text(info["public_key"])),
        ("serial", info["serial"]),
        ("sha256", info["sha256"]),
    ], indent=6)


def print_key(out: Out, info: dict[str, Any], label: str) -> None:
    out.line(f"  {out.paint(label, 'bold')}  {_key_text(info)}")


def print_errors(out: Out, errors: list[dict[str, Any]]) -> None:
    width = max((len(e["error"]) for e in errors), default=0)
    for e in errors:
        about = f"  [{e['certificate']}]" if e["certificate"] else ""
        out.line(f"  {out.bad(e['error'].ljust(width))}  {e['text']}{about}")
