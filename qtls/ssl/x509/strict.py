"""Strict verification (a qtls extension): the Web PKI and RFC 5280 rules OpenSSL and Qt skip.

Qt verifies a peer with OpenSSL's ``X509_verify_cert`` plus its own host-name match. That leaves
out much of what RFC 5280 and the CA/Browser Forum Baseline Requirements (BR) ask of a server's
chain: OpenSSL accepts a server certificate that is a CA, one without the serverAuth purpose when
no purpose is set (``QSslCertificate::verify``), weak keys, broken name constraints and
malformed names; Qt matches the host against the common name too. x509-limbo counts these:
Qt (and qtls by default) accepts about one chain in three that a Web-PKI validator must refuse.

With ``QSslConfiguration.setStrictVerification(true)`` (or ``QSslCertificate.verify(...,
strict=True)``) qtls adds, *after* the errors Qt reports:

1. qtls's own checks, one rule each, on the certification path (leaf to trust anchor, built by
   following issuer names and signatures through the presented and trusted certificates);
2. cryptography's Web-PKI path validator (``cryptography.x509.verification``, the validator of
   PyCA, tested against x509-limbo upstream) on the same chain, name and time. It stops at its
   first violation; that one is reported under the rule its message names, unless it restates
   an error already on the list (a date, a missing issuer, the host name).

One change to Qt's own list: OpenSSL builds a single path and does not backtrack, so it can
refuse a chain that has a valid path (cross-signed roots, an alternative issuer, a trusted
certificate that is not self-signed: OpenSSL, as Qt runs it, wants a self-signed root on top,
where Web-PKI validators take any trusted certificate as a trust anchor). When cryptography's
validator, which backtracks, validated a path to a trusted root under its stricter rules,
OpenSSL's "issuer not found" errors, and its other path errors about certificates that are not
on the validated path, are dropped. The host name, the blacklist, revocation and OCSP errors,
and every error about a certificate of the validated path stay.

Each broken rule is one QSslError: Qt's code where one fits (InvalidPurpose, InvalidCaCertificate,
HostNameMismatch, PathLengthExceeded), UnspecifiedError otherwise, and an ``errorString()`` that
names the rule. Its rule is part of its identity, so ``ignoreSslErrors([error])`` ignores that
rule and no other (take the error from ``sslErrors()``, or make it with :func:`strict_error`).
cryptography's validator stops at its first violation: after that error is ignored, a second
violation only its validator would find is not reported.

Left out, on purpose:

* a server certificate without extendedKeyUsage is accepted (RFC 5280 reads it as "any
  purpose"; the BR require one, browsers do not);
* BR 7.1.4.3 (a common name must repeat a subjectAltName entry), which most certificates of
  x509-limbo's valid chains break;
* a CA certificate without keyUsage (RFC 5280 binds the issuing CA, not the relying party);
* where RFC 5280 and the BR disagree, the BR win: a CA certificate as the server's is refused,
  a noncritical nameConstraints accepted;
* wildcards on public suffixes (no Public Suffix List here), CRLs and policy processing
  (neither qtls nor Qt fetches revocation data), the maximum depth in ``verify()`` (Qt's has
  none; a socket's ``peerVerifyDepth`` is OpenSSL's), client certificates (a server verifying
  its clients uses Qt's checks only);
* cryptography counts self-issued intermediates in path lengths (RFC 5280 does not): when
  qtls's walk reached a root, Qt found nothing wrong and cryptography only failed to build a
  path, OpenSSL's path is trusted.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import ipaddress
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from qtls.ssl.x509.error import QSslError, rule_error

if TYPE_CHECKING:
    from qtls.ssl.x509.certificate import QSslCertificate

__all__ = ["StrictRule", "RULES", "strict_error", "StrictVerdict"]

_E = QSslError.SslError
_MAX_PATH = 16


@dataclasses.dataclass(frozen=True)
class StrictRule:
    """One rule strict verification adds: its name, the Qt error it is reported as, and the
    sentence (with its source) that ``errorString()`` gives."""

    name: str
    error: QSslError.SslError
    text: str

    def message(self, detail: str = "") -> str:
        """The errorString of a violation (the rule, and what was found when it helps)."""
        return f"Strict verification: {self.text}" + (f" ({detail})" if detail else "")


def _rules(*rules: StrictRule) -> dict[str, StrictRule]:
    return {rule.name: rule for rule in rules}


#: Every rule, by name.
RULES: dict[str, StrictRule] = _rules(
    StrictRule("server-eku", _E.InvalidPurpose,
               "the server certificate's extendedKeyUsage, when present, must include "
               "serverAuth and not anyExtendedKeyUsage (BR 7.1.2.7.10, RFC 5280 4.2.1.12)"),
    StrictRule("server-not-ca", _E.InvalidPurpose,
               "the server certificate must not be a CA: basicConstraints cA and keyUsage "
               "keyCertSign are forbidden (BR 7.1.2.7.8, 7.1.2.7.11)"),
    StrictRule("ca-basic-constraints", _E.InvalidCaCertificate,
               "an issuing certificate must have a critical basicConstraints with cA set "
               "(RFC 5280 4.2.1.9)"),
    StrictRule("root-eku", _E.UnspecifiedError,
               "a root certificate must not have an extendedKeyUsage (BR 7.1.2.1.2)"),
    StrictRule("name-constraints", _E.UnspecifiedError,
               "the names of the chain must satisfy every issuer's nameConstraints, which must "
               "be well formed (RFC 5280 4.2.1.10, BR 7.1.2.10.8)"),
    StrictRule("san", _E.UnspecifiedError,
               "the server certificate's subjectAltName must be present, well formed, and "
               "critical exactly when the subject is empty (RFC 5280 4.2.1.6, BR 7.1.2.7.12)"),
    StrictRule("host-name-san", _E.HostNameMismatch,
               "the host name must match a subjectAltName entry; the common name and partial "
               "wildcards (w*.example.com) are not used (RFC 6125 6.4, BR 7.1.2.7.12)"),
    StrictRule("host-name-syntax", _E.HostNameMismatch,
               "the host name must be an IP address or a DNS name in preferred name syntax "
               "(RFC 5280 4.2.1.6, RFC 1034 3.5)"),
    StrictRule("key-policy", _E.UnspecifiedError,
               "public keys must be RSA of at least 2048 bits (a multiple of 8) or ECDSA on "
               "P-256, P-384 or P-521 (BR 6.1.5, 7.1.3.1)"),
    StrictRule("signature-policy", _E.UnspecifiedError,
               "signatures must be RSA PKCS#1 v1.5 or PSS, or ECDSA, with SHA-256, SHA-384 or "
               "SHA-512 (BR 7.1.3.2)"),
    StrictRule("serial-number", _E.UnspecifiedError,
               "a serial number must be positive and at most 20 octets long (RFC 5280 4.1.2.2)"),
    StrictRule("key-identifiers", _E.UnspecifiedError,
               "a CA certificate must have a subjectKeyIdentifier, a certificate not issued by "
               "itself an authorityKeyIdentifier with a keyIdentifier, and a root none but its "
               "own keyIdentifier (RFC 5280 4.2.1.1, 4.2.1.2, BR 7.1.2.1.3)"),
    StrictRule("policy-constraints", _E.UnspecifiedError,
               "policyConstraints must be critical (RFC 5280 4.2.1.11)"),
    StrictRule("path-length", _E.PathLengthExceeded,
               "the path must respect basicConstraints pathLenConstraint and the maximum depth "
               "(RFC 5280 4.2.1.9)"),
    StrictRule("certificate-syntax", _E.UnspecifiedError,
               "every certificate must be a well-formed DER X.509 v3 certificate whose "
               "extensions are allowed where they appear (RFC 5280 4.1, 4.2)"),
    StrictRule("web-pki", _E.UnspecifiedError,
               "the chain must pass Web-PKI path validation"),
)


def strict_error(rule: str, certificate: QSslCertificate | None, detail: str = "") -> QSslError:
    """The QSslError strict verification reports when *certificate* breaks *rule* (a name of
    :data:`RULES`); equal to the one in ``sslErrors()``, so usable with ``ignoreSslErrors``."""
    found = RULES[rule]
    return rule_error(found.error, certificate, found.message(detail))


# -- the path -----------------------------------------------------------------------------------


def _issued(child: x509.Certificate, issuer: x509.Certificate) -> bool:
    if child.issuer != issuer.subject:
        return False
    try:
        child.verify_directly_issued_by(issuer)
    except Exception:  # noqa: BLE001 - any refusal (bad signature, unsupported key) means "no"
        return False
    return True


def build_path(
    leaf: x509.Certificate, intermediates: Sequence[x509.Certificate],
    roots: Sequence[x509.Certificate],
) -> tuple[list[x509.Certificate], bool]:
    """Leaf first, up to a trusted root when one is reached (then the flag is True)."""
    path = [leaf]
    root_ders = {root.tbs_certificate_bytes for root in roots}
    current = leaf
    while len(path) < _MAX_PATH:
        if current.tbs_certificate_bytes in root_ders:
            return path, True
        issuer = next((r for r in roots if _issued(current, r)), None)
        if issuer is None:
            issuer = next(
                (c for c in intermediates if c not in path and _issued(current, c)), None
            )
        if issuer is None or issuer in path:
            return path, False
        path.append(issuer)
        current = issuer
    return path, False


# -- qtls's own checks ----------------------------------------------------------------------------


def _extensions(cert: x509.Certificate) -> x509.Extensions | None:
    """The certificate's extensions, or None when cryptography refuses them (a duplicate or
    malformed extension: the certificate-syntax rule reports that)."""
    try:
        return cert.extensions
    except Exception:  # noqa: BLE001 - DuplicateExtension, ValueError: both mean "malformed"
        return None


def _extension(cert: x509.Certificate, kind: type) -> x509.Extension | None:  # type: ignore[type-arg]
    extensions = _extensions(cert)
    if extensions is None:
        return None
    try:
        return extensions.get_extension_for_class(kind)
    except (x509.ExtensionNotFound, ValueError):
        return None


Finding = tuple[str, x509.Certificate, str]  # (rule, certificate, detail)


def _server_rules(leaf: x509.Certificate) -> Iterable[Finding]:
    # No extendedKeyUsage at all means "any purpose" (RFC 5280 4.2.1.12); the BR want one, but
    # browsers, cryptography and x509-limbo's RFC 5280 cases accept its absence.
    eku = _extension(leaf, x509.ExtendedKeyUsage)
    if eku is not None:
        usages = list(eku.value)
        if ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE in usages:
            yield "server-eku", leaf, "anyExtendedKeyUsage"
        elif ExtendedKeyUsageOID.SERVER_AUTH not in usages:
            yield "server-eku", leaf, "no serverAuth"
    constraints = _extension(leaf, x509.BasicConstraints)
    usage = _extension(leaf, x509.KeyUsage)
    if constraints is not None and constraints.value.ca:
        yield "server-not-ca", leaf, "basicConstraints cA"
    elif usage is not None and usage.value.key_cert_sign:
        yield "server-not-ca", leaf, "keyUsage keyCertSign"


def _key_rule(cert: x509.Certificate) -> Iterable[Finding]:
    try:
        key = cert.public_key()
    except Exception:  # noqa: BLE001 - an unreadable key is outside every allowed algorithm
        yield "key-policy", cert, "unreadable public key"
        return
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048 or key.key_size % 8:
            yield "key-policy", cert, f"RSA {key.key_size} bits"
    elif isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.name not in ("secp256r1", "secp384r1", "secp521r1"):
            yield "key-policy", cert, f"curve {key.curve.name}"
    else:
        yield "key-policy", cert, type(key).__name__.lstrip("_")


def _serial_rule(cert: x509.Certificate) -> Iterable[Finding]:
    serial = cert.serial_number
    if serial <= 0 or (serial.bit_length() + 8) // 8 > 20:  # DER adds a sign octet
        yield "serial-number", cert, f"serial {serial}"


def _self_issued(cert: x509.Certificate) -> bool:
    return cert.subject == cert.issuer


def _identifier_rules(cert: x509.Certificate, is_ca: bool, is_root: bool) -> Iterable[Finding]:
    ski = _extension(cert, x509.SubjectKeyIdentifier)
    if is_ca and ski is None:
        yield "key-identifiers", cert, "no subjectKeyIdentifier"
    if is_root and _self_issued(cert):
        # BR 7.1.2.1.3: a root's authorityKeyIdentifier, if any, is its own keyIdentifier only.
        aki = _extension(cert, x509.AuthorityKeyIdentifier)
        if aki is not None and (
            aki.value.authority_cert_issuer is not None
            or aki.value.authority_cert_serial_number is not None
            or aki.value.key_identifier is None
            or (ski is not None and aki.value.key_identifier != ski.value.digest)
        ):
            yield "key-identifiers", cert, "root authorityKeyIdentifier is not its own keyIdentifier"
    elif not _self_issued(cert):
        aki = _extension(cert, x509.AuthorityKeyIdentifier)
        if aki is None or aki.value.key_identifier is None:
            yield "key-identifiers", cert, "no authorityKeyIdentifier keyIdentifier"


def _ca_rules(cert: x509.Certificate, is_root: bool) -> Iterable[Finding]:
    constraints = _extension(cert, x509.BasicConstraints)
    if constraints is None or not constraints.value.ca:
        yield "ca-basic-constraints", cert, "not a CA"
    elif not constraints.critical:
        yield "ca-basic-constraints", cert, "noncritical"
    if is_root and _extension(cert, x509.ExtendedKeyUsage) is not None:
        yield "root-eku", cert, ""


def _policy_rule(cert: x509.Certificate) -> Iterable[Finding]:
    constraints = _extension(cert, x509.PolicyConstraints)
    if constraints is not None and not constraints.critical:
        yield "policy-constraints", cert, ""


def own_findings(path: Sequence[x509.Certificate], rooted: bool) -> list[Finding]:
    """qtls's checks of a path (leaf first; the last one a trusted root when *rooted*)."""
    found: list[Finding] = list(_server_rules(path[0]))
    for depth, cert in enumerate(path):
        if _extensions(cert) is None:
            found.append(("certificate-syntax", cert, "malformed or repeated extension"))
        is_root = rooted and depth == len(path) - 1
        found += _key_rule(cert)
        found += _policy_rule(cert)
        if not is_root:
            found += _serial_rule(cert)
        if depth:
            found += _ca_rules(cert, is_root)
        found += _identifier_rules(cert, is_ca=depth > 0, is_root=is_root)
    return found


# -- cryptography's validator ---------------------------------------------------------------------

# (words in cryptography's message, rule). First match wins; None = restates a Qt error.
_CLASSES: tuple[tuple[tuple[str, ...], str | None], ...] = (
    (("expired", "not yet valid", "validity"), None),
    (("name constraint", "nameConstraints", "2.5.29.30"), "name-constraints"),
    (("EKU", "2.5.29.37"), "server-eku"),
    (("must not be asserted in an EE", "must not assert keyCertSign"), "server-not-ca"),
    (("2.5.29.19", "basicConstraints", "not a CA"), "ca-basic-constraints"),
    (("no matching subjectAltName",), "host-name-san"),
    (("subjectAltName", "2.5.29.17", "malformed SAN"), "san"),
    (("2.5.29.35", "2.5.29.14", "authorityKeyIdentifier", "subjectKeyIdentifier"),
     "key-identifiers"),
    (("serial",), "serial-number"),
    (("public key", "key is too weak", "RSA key"), "key-policy"),
    (("signature algorithm",), "signature-policy"),
    (("max depth", "path length", "pathlen"), "path-length"),
    (("X509v3", "ASN.1", "2.5.29.15", "extension"), "certificate-syntax"),
)


# What _classify answers besides a rule name.
_ACCEPTED = ""  # the validator accepts the chain
_RESTATED = "(restated)"  # a date, or a rule strict mode leaves out
_NO_PATH = "(no path)"  # the validator only says it could not build a path


def _classify(message: str) -> str:
    """The rule a validator message reports, or _RESTATED / _NO_PATH."""
    if "2.5.29.15: Certificate is missing required extension" in message:
        # A CA without keyUsage: RFC 5280 4.2.1.3 binds the CA that issued it, and x509-limbo
        # expects a relying party to accept it (crl::issuer-no-keyusage-extension).
        return _RESTATED
    for words, rule in _CLASSES:
        if any(word in message for word in words):
            return rule if rule is not None else _RESTATED
    if "candidates exhausted" in message or "signature" in message or "issuer" in message:
        return _NO_PATH
    return "web-pki"


def _peer(name: str, leaf: x509.Certificate) -> x509.DNSName | x509.IPAddress | None | str:
    """The name to validate for: the host name; when none is expected (verify() without a host
    name) the leaf's first subjectAltName, so that every other rule is still checked. A str is
    the reason the name cannot be used."""
    if not name:
        san = _extension(leaf, x509.SubjectAlternativeName)
        for entry in san.value if san is not None else []:
            if isinstance(entry, (x509.DNSName, x509.IPAddress)):
                return entry
        return None
    try:
        return x509.IPAddress(ipaddress.ip_address(name.strip("[]")))
    except ValueError:
        pass
    try:
        return x509.DNSName(name.encode("idna").decode("ascii") if not name.isascii() else name)
    except (UnicodeError, ValueError) as error:
        return str(error)


def validator_finding(
    leaf: x509.Certificate, intermediates: Sequence[x509.Certificate],
    roots: Sequence[x509.Certificate], peer_name: str, now: _dt.datetime,
) -> tuple[str, str, x509.Certificate, list[x509.Certificate]]:
    """cryptography's verdict: (rule or a sentinel of :func:`_classify`, its message, the
    certificate it names, the path it built when it accepts: leaf to trust anchor)."""
    from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

    peer = _peer(peer_name, leaf)
    if isinstance(peer, str):
        return "host-name-syntax", peer, leaf, []
    if peer is None:
        return _ACCEPTED, "", leaf, []
    if not roots:
        return _NO_PATH, "no trusted root", leaf, []
    try:
        verifier = PolicyBuilder().store(Store(list(roots))).time(now).build_server_verifier(peer)
        path = verifier.verify(leaf, list(intermediates))
    except ValueError as error:  # e.g. a host name cryptography refuses
        return "host-name-syntax", str(error), leaf, []
    except VerificationError as error:
        message = str(error).removeprefix("validation failed: ")
        named = leaf
        if "(encountered processing " in message:
            message, _, where = message.partition(" (encountered processing ")
            for cert in [leaf, *intermediates, *roots]:
                if repr(cert.subject) in where:
                    named = cert
                    break
        return _classify(message), message, named, []
    return _ACCEPTED, "", leaf, list(path)


# -- the verdict ----------------------------------------------------------------------------------

# What Qt already reported that a validator message may restate.
_PATH_ERRORS = {
    _E.UnableToGetIssuerCertificate, _E.UnableToGetLocalIssuerCertificate,
    _E.UnableToVerifyFirstCertificate, _E.SelfSignedCertificate,
    _E.SelfSignedCertificateInChain, _E.CertificateSignatureFailed,
    _E.UnableToDecryptCertificateSignature, _E.UnableToDecodeIssuerPublicKey,
    _E.CertificateExpired, _E.CertificateNotYetValid, _E.InvalidCaCertificate,
    _E.PathLengthExceeded, _E.UnspecifiedError, _E.CertificateUntrusted,
    _E.CertificateRejected, _E.InvalidPurpose,
}

# OpenSSL builds one path and does not backtrack: when it meets a dead end (an issuer it cannot
# find, a cross-signature loop, a certificate it dislikes on a path it need not take), it
# reports that path's errors even though another path is valid. When cryptography's validator
# (which backtracks, under stricter rules) validated a path to a trusted root, these errors of
# OpenSSL's path do not apply: "issuer not found" kinds always, the others when they name a
# certificate that is not on the validated path. Nothing else of Qt's is ever dropped.
_SUPERSEDED_ANYWHERE = {
    _E.UnableToGetIssuerCertificate, _E.UnableToGetLocalIssuerCertificate,
    _E.UnableToVerifyFirstCertificate, _E.SelfSignedCertificateInChain,
    _E.CertificateUntrusted,
}
_SUPERSEDED_OFF_PATH = {
    _E.CertificateExpired, _E.CertificateNotYetValid, _E.UnspecifiedError,
    _E.InvalidCaCertificate, _E.PathLengthExceeded, _E.CertificateSignatureFailed,
    _E.UnableToDecryptCertificateSignature, _E.UnableToDecodeIssuerPublicKey,
    _E.InvalidPurpose, _E.CertificateRejected,
}


@dataclasses.dataclass
class StrictVerdict:
    """What strict verification changes in Qt's error list: the errors of OpenSSL's path that a
    validated path supersedes, and the broken rules it adds."""

    superseded: list[QSslError]
    added: list[QSslError]

    def apply(self, errors: Sequence[QSslError]) -> list[QSslError]:
        """Qt's *errors* less the superseded ones, then the added ones."""
        return [e for e in errors if not any(e is s for s in self.superseded)] + self.added


def _superseded(
    reported: Sequence[QSslError], path: Sequence[x509.Certificate]
) -> list[QSslError]:
    on_path = {cert.tbs_certificate_bytes for cert in path}
    dropped: list[QSslError] = []
    for error in reported:
        code = error.error()
        cert = error.certificate()._cryptography()
        if code in _SUPERSEDED_ANYWHERE or (
            code in _SUPERSEDED_OFF_PATH
            and cert is not None
            and cert.tbs_certificate_bytes not in on_path
        ):
            dropped.append(error)
    return dropped


def strict_verdict(
    chain: Sequence[QSslCertificate],
    peer_name: str,
    roots: Sequence[QSslCertificate],
    now: _dt.datetime,
    reported: Sequence[QSslError],
) -> StrictVerdict:
    """What strict verification makes of Qt's *reported* errors for a server chain (leaf
    first) presented as *peer_name*, against *roots*, at *now*."""
    from qtls.ssl.x509.certificate import QSslCertificate

    leaf_q = chain[0] if chain else None
    leaf = leaf_q._cryptography() if leaf_q is not None else None
    if leaf is None:
        return StrictVerdict([], [])
    intermediates = [c for c in (q._cryptography() for q in chain[1:]) if c is not None]
    trusted = [c for c in (q._cryptography() for q in roots) if c is not None]
    known = {cert.tbs_certificate_bytes: q for q in [*chain, *roots]
             if (cert := q._cryptography()) is not None}

    def as_qt(cert: x509.Certificate) -> QSslCertificate:
        return known.get(cert.tbs_certificate_bytes) or QSslCertificate._from_cryptography(cert)

    rule, message, named, validated = validator_finding(
        leaf, intermediates, trusted, peer_name, now
    )
    superseded = _superseded(reported, validated) if validated else []
    if validated:
        path, rooted = validated, True
    else:
        path, rooted = build_path(leaf, intermediates, trusted)
    findings = own_findings(path, rooted)
    reported_codes = {e.error() for e in reported if not any(e is s for s in superseded)}
    if rule in RULES:
        restated = rule == "host-name-san" and _E.HostNameMismatch in reported_codes
        if not restated and not any(name == rule for name, _, _ in findings):
            findings.append((rule, named, message))
    elif rule == _NO_PATH and not rooted and not reported_codes & _PATH_ERRORS:
        # When qtls's walk reached a root and Qt (OpenSSL) found nothing wrong, a failure to
        # build a path is not a reason to refuse: cryptography counts self-issued certificates
        # in path lengths, RFC 5280 does not.
        findings.append(("web-pki", named, message))
    added: list[QSslError] = []
    done: set[tuple[str, bytes]] = set()
    for name, cert, detail in findings:
        key = (name, cert.tbs_certificate_bytes)
        if key not in done:
            done.add(key)
            added.append(strict_error(name, as_qt(cert), detail))
    return StrictVerdict(superseded, added)
