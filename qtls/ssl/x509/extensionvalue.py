"""The value Qt gives each X.509 extension (QSslCertificateExtension::value()).

Qt's OpenSSL backend has custom conversions for four extensions, the ones it calls
*supported*: basicConstraints (map ``ca``/``pathLenConstraint``), authorityInfoAccess (map of
access method short name to URI), subjectKeyIdentifier (``"AB:CD:..."``) and
authorityKeyIdentifier (map ``keyid`` → hex QByteArray, ``serial``). For every other extension
it asks OpenSSL's generic printers: ``i2v`` gives a list of names, or a map when the entries
have values (later entries with the same name overwrite earlier ones); ``i2s`` gives a string;
``i2r`` gives the printed text as a QByteArray; an extension OpenSSL does not know gives its raw
``extnValue`` octets. Those printers are reproduced here for the extensions certificates use.

Where qtls differs: extensions whose OpenSSL printout is not reproduced (CT SCT lists,
Netscape cert type, private key usage period, ...) give their raw DER value, as an unknown
extension would; QVariantMap keys are sorted as QMap sorts them.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from cryptography import x509

from qtls.ssl.x509.names import (
    ACCESS_METHOD_SHORT_NAMES,
    EXTENDED_KEY_USAGE_LONG_NAMES,
    NAME_SHORT_NAMES,
    oid_short_name,
)
from qtls.ssl.x509.qtvalues import to_qbytearray

__all__: list[str] = []

#: OBJ_nid2ln of access methods, as i2v of subjectInfoAccess prints them.
_ACCESS_METHOD_LONG_NAMES = {
    "1.3.6.1.5.5.7.48.1": "OCSP",
    "1.3.6.1.5.5.7.48.2": "CA Issuers",
    "1.3.6.1.5.5.7.48.5": "CA Repository",
}

#: OBJ_nid2ln of policy OIDs OpenSSL knows (i2a_ASN1_OBJECT in certificatePolicies).
_POLICY_LONG_NAMES = {"2.5.29.32.0": "X509v3 Any Policy"}

#: TLS feature numbers OpenSSL names (v3_tlsf.c).
_TLS_FEATURES = {5: "status_request", 17: "status_request_v2"}

_KEY_USAGE_BITS = (
    ("digital_signature", "Digital Signature"),
    ("content_commitment", "Non Repudiation"),
    ("key_encipherment", "Key Encipherment"),
    ("data_encipherment", "Data Encipherment"),
    ("key_agreement", "Key Agreement"),
    ("key_cert_sign", "Certificate Sign"),
    ("crl_sign", "CRL Sign"),
    ("encipher_only", "Encipher Only"),
    ("decipher_only", "Decipher Only"),
)


def extension_value(ext: x509.Extension[x509.ExtensionType]) -> tuple[Any, bool]:
    """``(value, supported)`` for one extension, as Qt's convertExtension() computes them."""
    value = ext.value
    supported = _supported_value(value)
    if supported is not None:
        return supported, True
    return _generic_value(value), False


# -- Qt's own conversions ("supported" extensions) ----------------------------------------------


def _supported_value(value: x509.ExtensionType) -> Any:
    if isinstance(value, x509.BasicConstraints):
        result: dict[str, Any] = {"ca": bool(value.ca)}
        if value.path_length is not None:
            result["pathLenConstraint"] = value.path_length
        return result
    if isinstance(value, x509.AuthorityInformationAccess):
        access: dict[str, Any] = {}
        for description in value:
            location = description.access_location
            if isinstance(location, x509.UniformResourceIdentifier) and len(location.value) < 8192:
                key = oid_short_name(description.access_method, ACCESS_METHOD_SHORT_NAMES)
                access[key] = location.value
        return dict(sorted(access.items()))
    if isinstance(value, x509.SubjectKeyIdentifier):
        return _hex_colon(value.digest)
    if isinstance(value, x509.AuthorityKeyIdentifier):
        akid: dict[str, Any] = {}
        if value.key_identifier is not None:
            akid["keyid"] = to_qbytearray(value.key_identifier.hex().encode("ascii"))
        if value.authority_cert_serial_number is not None:
            akid["serial"] = _asn1_integer_get(value.authority_cert_serial_number)
        return akid
    return None


def _asn1_integer_get(number: int) -> int:
    # ASN1_INTEGER_get() gives -1 when the value does not fit a C long.
    return number if -(2**63) <= number < 2**63 else -1


# -- OpenSSL's generic printers -----------------------------------------------------------------


def _generic_value(value: x509.ExtensionType) -> Any:
    if isinstance(value, (x509.SubjectAlternativeName, x509.IssuerAlternativeName)):
        return _entries_to_variant([_general_name_entry(name) for name in value])
    if isinstance(value, x509.KeyUsage):
        return [label for attribute, label in _KEY_USAGE_BITS if _key_usage_bit(value, attribute)]
    if isinstance(value, x509.ExtendedKeyUsage):
        return [oid_short_name(oid, EXTENDED_KEY_USAGE_LONG_NAMES) for oid in value]
    if isinstance(value, x509.TLSFeature):
        return [_TLS_FEATURES.get(feature.value, str(feature.value)) for feature in value]
    if isinstance(value, x509.PolicyConstraints):
        entries: list[tuple[str | None, str | None]] = []
        if value.require_explicit_policy is not None:
            entries.append(("Require Explicit Policy", str(value.require_explicit_policy)))
        if value.inhibit_policy_mapping is not None:
            entries.append(("Inhibit Policy Mapping", str(value.inhibit_policy_mapping)))
        return _entries_to_variant(entries)
    if isinstance(value, x509.InhibitAnyPolicy):
        return str(value.skip_certs)
    if isinstance(value, x509.SubjectInformationAccess):
        return _entries_to_variant(
            [
                (
                    f"{_ACCESS_METHOD_LONG_NAMES.get(d.access_method.dotted_string, d.access_method.dotted_string)}"
                    f" - {_general_name_entry(d.access_location)[0]}",
                    _general_name_entry(d.access_location)[1],
                )
                for d in value
            ]
        )
    if isinstance(value, (x509.CRLDistributionPoints, x509.FreshestCRL)):
        return to_qbytearray(_print_distribution_points(value).encode("utf-8"))
    if isinstance(value, x509.CertificatePolicies):
        return to_qbytearray(_print_policies(value).encode("utf-8"))
    if isinstance(value, x509.NameConstraints):
        return to_qbytearray(_print_name_constraints(value).encode("utf-8"))
    return to_qbytearray(_raw_value(value))


def _raw_value(value: x509.ExtensionType) -> bytes:
    if isinstance(value, x509.UnrecognizedExtension):
        return value.value
    try:
        return value.public_bytes()
    except (NotImplementedError, ValueError):
        return b""


def _key_usage_bit(value: x509.KeyUsage, attribute: str) -> bool:
    # cryptography refuses to read encipher_only/decipher_only unless key_agreement is set.
    try:
        return bool(getattr(value, attribute))
    except ValueError:
        return False


def _entries_to_variant(entries: list[tuple[str | None, str | None]]) -> Any:
    """Qt's folding of an i2v CONF_VALUE stack: a map if any entry has name and value."""
    mapping: dict[str, str] = {}
    listing: list[str] = []
    is_map = False
    for name, value in entries:
        if name is not None and value is not None:
            is_map = True
            mapping[name] = value
        elif name is not None:
            listing.append(name)
        elif value is not None:
            listing.append(value)
    return dict(sorted(mapping.items())) if is_map else listing


def _hex_colon(data: bytes) -> str:
    return ":".join(f"{byte:02X}" for byte in data)


def _ip_text(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    # ossl_ipaddr_to_asc: dotted quad, or eight %X groups with no '::' compression.
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    packed = address.packed
    return ":".join(f"{int.from_bytes(packed[i : i + 2], 'big'):X}" for i in range(0, 16, 2))


def _name_oneline(name: x509.Name) -> str:
    """X509_NAME_oneline(): ``/C=US/O=Example/CN=host``."""
    return "".join(
        f"/{oid_short_name(a.oid, NAME_SHORT_NAMES)}={a.value if isinstance(a.value, str) else ''}"
        for a in name
    )


def _name_xn_oneline(name: x509.Name) -> str:
    """X509_NAME_print_ex(..., XN_FLAG_ONELINE): ``C = US, O = Example, CN = host``."""
    return ", ".join(
        f"{oid_short_name(a.oid, NAME_SHORT_NAMES)} = {a.value if isinstance(a.value, str) else ''}"
        for a in name
    )


def _general_name_entry(name: x509.GeneralName) -> tuple[str, str]:
    """i2v_GENERAL_NAME(): one (name, value) pair."""
    if isinstance(name, x509.DNSName):
        return "DNS", name.value
    if isinstance(name, x509.RFC822Name):
        return "email", name.value
    if isinstance(name, x509.UniformResourceIdentifier):
        return "URI", name.value
    if isinstance(name, x509.IPAddress):
        address = name.value
        if isinstance(address, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
            return "IP Address", _ip_text(address)
        return "IP Address", "<invalid>"
    if isinstance(name, x509.DirectoryName):
        return "DirName", _name_oneline(name.value)
    if isinstance(name, x509.RegisteredID):
        return "Registered ID", name.value.dotted_string
    return "othername", "<unsupported>"


def _general_name_print(name: x509.GeneralName) -> str:
    """GENERAL_NAME_print(): ``DNS:host``, ``IP Address:1.2.3.4``, ``DirName:C = US, ...``."""
    if isinstance(name, x509.DirectoryName):
        return "DirName:" + _name_xn_oneline(name.value)
    if isinstance(name, x509.OtherName):
        return "othername:<unsupported>"
    key, value = _general_name_entry(name)
    return f"{key}:{value}"


def _print_general_names(names: list[x509.GeneralName], indent: int) -> str:
    return "\n".join(" " * (indent + 2) + _general_name_print(name) for name in names)


def _print_distribution_points(value: x509.CRLDistributionPoints | x509.FreshestCRL) -> str:
    """i2r_crldp() with indent 0."""
    points: list[str] = []
    for point in value:
        parts: list[str] = []
        if point.full_name is not None:
            parts.append("Full Name:\n" + _print_general_names(list(point.full_name), 0))
        elif point.relative_name is not None:
            relative = ", ".join(
                f"{oid_short_name(a.oid, NAME_SHORT_NAMES)} = {a.value}"
                for a in point.relative_name
            )
            parts.append("Relative Name:\n  " + relative)
        if point.reasons:
            parts.append("Reasons:\n  " + ", ".join(sorted(r.name for r in point.reasons)))
        if point.crl_issuer:
            parts.append("CRL Issuer:\n" + _print_general_names(list(point.crl_issuer), 0))
        points.append("\n".join(parts))
    return "\n".join(points)


def _print_policies(value: x509.CertificatePolicies) -> str:
    """i2r_certpol() with indent 0."""
    policies: list[str] = []
    for info in value:
        oid = info.policy_identifier.dotted_string
        text = "Policy: " + _POLICY_LONG_NAMES.get(oid, oid)
        qualifiers: list[str] = []
        for qualifier in info.policy_qualifiers or ():
            if isinstance(qualifier, str):
                qualifiers.append(f"  CPS: {qualifier}")
            else:
                notice = ["  User Notice:"]
                if qualifier.notice_reference is not None:
                    notice.append(f"    Organization: {qualifier.notice_reference.organization}")
                    numbers = qualifier.notice_reference.notice_numbers
                    plural = "s" if len(numbers) > 1 else ""
                    notice.append(f"    Number{plural}: " + ", ".join(str(n) for n in numbers))
                if qualifier.explicit_text is not None:
                    notice.append(f"    Explicit Text: {qualifier.explicit_text}")
                qualifiers.append("\n".join(notice))
        if qualifiers:
            text += "\n" + "\n".join(qualifiers)
        policies.append(text)
    return "\n".join(policies)


def _print_subtree(name: x509.GeneralName) -> str:
    if isinstance(name, x509.IPAddress) and isinstance(
        name.value, (ipaddress.IPv4Network, ipaddress.IPv6Network)
    ):
        network = name.value
        return f"IP:{_ip_text(network.network_address)}/{_ip_text(network.netmask)}"
    return _general_name_print(name)


def _print_name_constraints(value: x509.NameConstraints) -> str:
    """i2r_NAME_CONSTRAINTS() with indent 0."""
    blocks: list[str] = []
    for label, subtrees in (
        ("Permitted", value.permitted_subtrees),
        ("Excluded", value.excluded_subtrees),
    ):
        if subtrees:
            blocks.append(f"{label}:\n" + "\n".join("  " + _print_subtree(n) for n in subtrees))
    return "\n".join(blocks)
