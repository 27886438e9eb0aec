"""OpenSSL's names for object identifiers, and X.509 names as Qt's multi-maps.

Qt's OpenSSL backend names every distinguished-name attribute and every extension by OpenSSL's
*short name* (``OBJ_nid2sn``: ``CN``, ``emailAddress``, ``basicConstraints``) and falls back to
the dotted OID for anything OpenSSL does not know. Extended key usages are shown by OpenSSL's
*long name* (``TLS Web Server Authentication``). qtls reads certificates with PyCA
``cryptography``, which has no such table, so the subset OpenSSL knows and certificates use is
written down here (tests/x509 checks every entry against OpenSSL's own table).
"""

from __future__ import annotations

from cryptography import x509

__all__: list[str] = []

#: OBJ_nid2sn for attribute types found in distinguished names.
NAME_SHORT_NAMES: dict[str, str] = {
    "2.5.4.3": "CN",
    "2.5.4.4": "SN",
    "2.5.4.5": "serialNumber",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.9": "street",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.12": "title",
    "2.5.4.13": "description",
    "2.5.4.15": "businessCategory",
    "2.5.4.16": "postalAddress",
    "2.5.4.17": "postalCode",
    "2.5.4.18": "postOfficeBox",
    "2.5.4.20": "telephoneNumber",
    "2.5.4.41": "name",
    "2.5.4.42": "GN",
    "2.5.4.43": "initials",
    "2.5.4.44": "generationQualifier",
    "2.5.4.45": "x500UniqueIdentifier",
    "2.5.4.46": "dnQualifier",
    "2.5.4.49": "distinguishedName",
    "2.5.4.54": "dmdName",
    "2.5.4.65": "pseudonym",
    "2.5.4.72": "role",
    "2.5.4.97": "organizationIdentifier",
    "0.9.2342.19200300.100.1.1": "UID",
    "0.9.2342.19200300.100.1.3": "mail",
    "0.9.2342.19200300.100.1.25": "DC",
    "1.2.840.113549.1.9.1": "emailAddress",
    "1.2.840.113549.1.9.2": "unstructuredName",
    "1.2.840.113549.1.9.8": "unstructuredAddress",
    "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionL",
    "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionST",
    "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionC",
    "1.2.643.100.1": "OGRN",
    "1.2.643.100.3": "SNILS",
    "1.2.643.3.131.1.1": "INN",
}

#: OBJ_nid2sn for certificate extensions (QSslCertificateExtension.name()).
EXTENSION_SHORT_NAMES: dict[str, str] = {
    "2.5.29.9": "subjectDirectoryAttributes",
    "2.5.29.14": "subjectKeyIdentifier",
    "2.5.29.15": "keyUsage",
    "2.5.29.16": "privateKeyUsagePeriod",
    "2.5.29.17": "subjectAltName",
    "2.5.29.18": "issuerAltName",
    "2.5.29.19": "basicConstraints",
    "2.5.29.30": "nameConstraints",
    "2.5.29.31": "crlDistributionPoints",
    "2.5.29.32": "certificatePolicies",
    "2.5.29.33": "policyMappings",
    "2.5.29.35": "authorityKeyIdentifier",
    "2.5.29.36": "policyConstraints",
    "2.5.29.37": "extendedKeyUsage",
    "2.5.29.46": "freshestCRL",
    "2.5.29.54": "inhibitAnyPolicy",
    "1.3.6.1.5.5.7.1.1": "authorityInfoAccess",
    "1.3.6.1.5.5.7.1.11": "subjectInfoAccess",
    "1.3.6.1.5.5.7.1.24": "tlsfeature",
    "1.3.6.1.5.5.7.48.1.5": "noCheck",
    "1.3.6.1.4.1.11129.2.4.2": "ct_precert_scts",
    "1.3.6.1.4.1.11129.2.4.3": "ct_precert_poison",
    "1.3.6.1.4.1.11129.2.4.5": "ct_cert_scts",
    "1.3.6.1.4.1.311.21.7": "ms-cert-templ",
    "1.3.6.1.4.1.311.21.10": "ms-app-policies",
    "1.3.36.8.3.3": "x509ExtAdmission",
    "2.16.840.1.113730.1.1": "nsCertType",
    "2.16.840.1.113730.1.13": "nsComment",
}

#: OBJ_nid2sn for access methods (keys of the authorityInfoAccess value map).
ACCESS_METHOD_SHORT_NAMES: dict[str, str] = {
    "1.3.6.1.5.5.7.48.1": "OCSP",
    "1.3.6.1.5.5.7.48.2": "caIssuers",
    "1.3.6.1.5.5.7.48.5": "caRepository",
}

#: OBJ_nid2ln for extended key usages (items of the extendedKeyUsage value list).
EXTENDED_KEY_USAGE_LONG_NAMES: dict[str, str] = {
    "1.3.6.1.5.5.7.3.1": "TLS Web Server Authentication",
    "1.3.6.1.5.5.7.3.2": "TLS Web Client Authentication",
    "1.3.6.1.5.5.7.3.3": "Code Signing",
    "1.3.6.1.5.5.7.3.4": "E-mail Protection",
    "1.3.6.1.5.5.7.3.8": "Time Stamping",
    "1.3.6.1.5.5.7.3.9": "OCSP Signing",
    "1.3.6.1.5.5.7.3.17": "ipsec Internet Key Exchange",
    "2.5.29.37.0": "Any Extended Key Usage",
    "1.3.6.1.4.1.11129.2.4.4": "CT Precertificate Signer",
    "1.3.6.1.4.1.311.20.2.2": "Microsoft Smartcard Login",
    "1.3.6.1.5.2.3.5": "Signing KDC Response",
}


def oid_short_name(oid: x509.ObjectIdentifier, table: dict[str, str]) -> str:
    """OpenSSL's short (or long) name of *oid* from *table*, else its dotted form, as Qt shows."""
    dotted = oid.dotted_string
    return table.get(dotted, dotted)


def name_to_multimap(name: x509.Name) -> dict[bytes, list[str]]:
    """A distinguished name as Qt's ``QMultiMap<QByteArray, QString>``.

    Keys are OpenSSL short names; each key's values are in Qt's ``QMultiMap::values()`` order,
    which is most recently inserted first (the reverse of the order in the certificate).
    """
    result: dict[bytes, list[str]] = {}
    for attribute in name:
        key = oid_short_name(attribute.oid, NAME_SHORT_NAMES).encode("ascii")
        value = attribute.value
        # ASN1_STRING_to_UTF8 turns every string type into text; BIT STRING values (the one
        # non-string type cryptography hands back as bytes) come out as their raw octets.
        text = value if isinstance(value, str) else bytes(value).decode("latin-1")
        result.setdefault(key, []).insert(0, text)
    return result
