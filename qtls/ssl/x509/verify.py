"""QSslCertificate::verify(): every error Qt would report for a chain, and Qt's host-name rules.

Theory of operation. Qt hands the chain to OpenSSL's ``X509_verify_cert`` with a verify
callback that records each error (code and depth) and returns 1, so verification runs to the
end and reports *all* errors. Neither cryptography nor pyOpenSSL exposes that callback: a
pyOpenSSL ``X509StoreContext`` stops at the first error. qtls gets the same list in three
passes:

1. Chain errors. Run ``X509StoreContext`` with ``X509_V_FLAG_NO_CHECK_TIME``. When it fails,
   record the error, remove its cause and run again: a chain that ends untrusted (self-signed
   leaf, self-signed root in the chain, missing local issuer) goes on with the certificate at
   fault trusted (``PARTIAL_CHAIN``), an unhandled critical extension with
   ``X509_V_FLAG_IGNORE_CRITICAL``. Any other error (bad signature, invalid CA, path length)
   ends the pass, as qtls cannot tell OpenSSL to go past it.
2. Validity dates, checked in Python for each certificate of the chain from the top down, the
   order OpenSSL's ``internal_verify`` reports them: one CertificateNotYetValid or
   CertificateExpired per certificate.
3. Qt's own checks, which Qt lists first: the blacklist (leaf only) and the host name.

The trust store is the default configuration's CA certificates, which are the system's root
certificates (``ssl.get_default_verify_paths()``, loaded once, lazily) unless the application
set its own; roots that have expired are left out, as Qt leaves them out.
Where qtls differs: errors that OpenSSL would report after an error qtls cannot step over
(e.g. an expired certificate whose signature is also wrong) are limited to the date errors.
"""

from __future__ import annotations

import datetime as _dt
import functools
import ipaddress
import os
import ssl
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from cryptography import x509

if TYPE_CHECKING:
    from qtls.ssl.x509.certificate import QSslCertificate

__all__: list[str] = []

_NO_CHECK_TIME = 0x200000  # X509_V_FLAG_NO_CHECK_TIME, not in pyOpenSSL's X509StoreFlags
_IGNORE_CRITICAL = 0x10  # X509_V_FLAG_IGNORE_CRITICAL
_PARTIAL_CHAIN = 0x80000  # X509_V_FLAG_PARTIAL_CHAIN

_UNABLE_TO_GET_ISSUER_CERT = 2
_DEPTH_ZERO_SELF_SIGNED_CERT = 18
_SELF_SIGNED_CERT_IN_CHAIN = 19
_UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20
_UNABLE_TO_VERIFY_LEAF_SIGNATURE = 21
_UNHANDLED_CRITICAL_EXTENSION = 34
_UNTRUSTED_CHAIN = {
    _UNABLE_TO_GET_ISSUER_CERT,
    _DEPTH_ZERO_SELF_SIGNED_CERT,
    _SELF_SIGNED_CERT_IN_CHAIN,
    _UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
    _UNABLE_TO_VERIFY_LEAF_SIGNATURE,
}
_MAX_PASSES = 8

# -- system roots -------------------------------------------------------------------------------

_system_lock = threading.Lock()
_system_cache: list[QSslCertificate] | None = None


def _system_ca_certificates() -> list[QSslCertificate]:
    """The system's trusted root certificates, read once from OpenSSL's default locations.

    ``SSL_CERT_FILE``/``SSL_CERT_DIR`` override the defaults as they do for OpenSSL. The bundle
    file is used when it exists; otherwise every PEM file of the certificate directory.
    Returns a new list each call (the certificates themselves are shared, immutable values).
    """
    global _system_cache
    with _system_lock:
        if _system_cache is None:
            _system_cache = _load_system_roots()
        return list(_system_cache)


def _load_system_roots() -> list[QSslCertificate]:
    from qtls.ssl.qssl import QSsl
    from qtls.ssl.x509.certificate import QSslCertificate

    paths = ssl.get_default_verify_paths()
    cafile = os.environ.get(paths.openssl_cafile_env) or paths.cafile or paths.openssl_cafile
    capath = os.environ.get(paths.openssl_capath_env) or paths.capath or paths.openssl_capath
    if cafile and os.path.isfile(cafile):
        return QSslCertificate.fromPath(cafile, QSsl.EncodingFormat.Pem)
    roots: list[QSslCertificate] = []
    seen: set[bytes] = set()
    if capath and os.path.isdir(capath):
        for name in sorted(os.listdir(capath)):
            for cert in QSslCertificate.fromPath(
                os.path.join(capath, name), QSsl.EncodingFormat.Pem
            ):
                der = cert._der()
                if der not in seen:  # the hash-named links repeat the bundle's files
                    seen.add(der)
                    roots.append(cert)
    return roots


# Which roots QSslCertificate.verify() trusts. Qt uses the default configuration's CA list; that
# list lives a layer up (qtls.ssl.values.configuration), which registers itself here when it is
# imported, so this module never reaches up. Until then no default can have been set, and the
# system's roots are the answer.
_roots_provider: Callable[[], list[QSslCertificate]] = _system_ca_certificates


def set_verification_roots_provider(provider: Callable[[], list[QSslCertificate]]) -> None:
    """Let the configuration layer say which roots verify() uses (its default CA list)."""
    global _roots_provider
    _roots_provider = provider


def _verification_roots() -> list[QSslCertificate]:
    """Qt verifies against the default configuration's CA certificates: the system's roots
    until the application sets its own list with QSslConfiguration.setDefaultConfiguration()."""
    return _roots_provider()


# -- clock ---------------------------------------------------------------------------------------

# verify() reads the time here, once per call. Qt has no such hook: its answer depends on the
# system clock only. qtls's tests replay recorded test suites (x509-limbo) at each case's own
# validation time through set_verification_clock(); nothing else in qtls sets it. The TLS
# handshake's verification is OpenSSL's and reads the system clock (tests freeze that one with
# libfaketime).


def _system_now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


_clock: Callable[[], _dt.datetime] = _system_now


def set_verification_clock(clock: Callable[[], _dt.datetime] | None) -> None:
    """For tests: make verify() read the time from *clock* (an aware datetime), or from the
    system clock again when *clock* is None."""
    global _clock
    _clock = clock if clock is not None else _system_now


def verification_time() -> _dt.datetime:
    """The time verification checks validity dates against (the system clock in real use)."""
    return _clock()


# -- issuance -------------------------------------------------------------------------------------


def issued_by_itself(cert: x509.Certificate, extensions: x509.Extensions) -> bool:
    """OpenSSL's X509_check_issued(cert, cert) once subject == issuer is known: the AKID (if
    any) designates the certificate itself and its keyUsage (if any) allows keyCertSign."""
    return _akid_matches(cert, extensions) and _may_sign_certificates(extensions)


def _akid_matches(cert: x509.Certificate, extensions: x509.Extensions) -> bool:
    """X509_check_akid(cert, cert): the AKID, if present, designates the certificate itself."""
    try:
        akid = extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    except x509.ExtensionNotFound:
        return True
    if akid.key_identifier is not None:
        try:
            skid = extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            if skid.digest != akid.key_identifier:
                return False
        except x509.ExtensionNotFound:
            pass
    if (
        akid.authority_cert_serial_number is not None
        and akid.authority_cert_serial_number != cert.serial_number
    ):
        return False
    if akid.authority_cert_issuer:
        names = [n.value for n in akid.authority_cert_issuer if isinstance(n, x509.DirectoryName)]
        if names and cert.issuer not in names:
            return False
    return True


def _may_sign_certificates(extensions: x509.Extensions) -> bool:
    """OpenSSL's ku_reject(issuer, KU_KEY_CERT_SIGN): a keyUsage without keyCertSign refuses."""
    try:
        usage = extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return bool(usage.key_cert_sign)


# -- host names ---------------------------------------------------------------------------------


def _to_ace(name: str) -> str:
    """QUrl::toAce(): lowercase ASCII, IDNA-encoded; empty when the name cannot be encoded."""
    try:
        return name.encode("idna").decode("ascii").lower() if not name.isascii() else name.lower()
    except UnicodeError:
        return ""


@functools.lru_cache(maxsize=256)  # (every client handshake checks its peer's name)
def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _match_name(pattern: str, hostname: str) -> bool:
    """Qt's isMatchingHostname(cn, hostname): *hostname* is already ACE and lowercase.

    A wildcard must be the last character of the leftmost label (``*.example.com`` or
    ``w*.example.com``), only one, in a name of at least three labels, not in an IDN A-label,
    and never matches an IP address.
    """
    star = pattern.find("*")
    if star < 0:
        return _to_ace(pattern) == hostname
    first_dot = pattern.find(".")
    second_dot = pattern.find(".", first_dot + 1)
    if second_dot == -1 or second_dot + 1 >= len(pattern):
        return False
    if star + 1 != first_dot or pattern.rfind("*") != star:
        return False
    if pattern.lower().startswith("xn--"):
        return False
    if star and hostname[:star].lower() != pattern[:star].lower():
        return False
    host_rest = hostname[hostname.find(".") + 1 :]
    if host_rest not in (pattern[first_dot + 1 :], _to_ace(pattern[first_dot + 1 :])):
        return False
    return _parse_ip(hostname) is None


def is_matching_hostname(certificate: QSslCertificate, peer_name: str) -> bool:
    """Qt's TlsCryptograph::isMatchingHostname(certificate, peerName).

    An IP address matches an IP SAN; otherwise every subject CN and then every DNS SAN is tried
    (Qt checks the CN even when DNS SANs exist).
    """
    from qtls.ssl.qssl import QSsl

    names = certificate._alternative_names()
    address = _parse_ip(peer_name)
    if address is not None:
        for entry in names.get(QSsl.AlternativeNameEntryType.IpAddressEntry, []):
            if _parse_ip(entry) == address:
                return True
    host = _to_ace(peer_name)
    candidates = certificate.subjectInfo(b"CN") + names.get(
        QSsl.AlternativeNameEntryType.DnsEntry, []
    )
    return any(_match_name(name, host) for name in candidates)


# -- verification -------------------------------------------------------------------------------


def _native(cert: QSslCertificate) -> Any:
    """The certificate as OpenSSL reads it (a pyOpenSSL X509); None when OpenSSL refuses what
    cryptography read (their parsers differ at the edges: e.g. a string type a name attribute
    may not have)."""
    from OpenSSL import crypto  # imported by the first verification, not by importing qtls

    try:
        return cert._openssl()
    except crypto.Error:
        return None


def _chain_errors(
    chain: Sequence[QSslCertificate], roots: Sequence[QSslCertificate]
) -> tuple[list[tuple[int, int]], list[tuple[int, _dt.datetime, _dt.datetime]]]:
    """OpenSSL's chain errors as (verify code, depth), in the order OpenSSL reports them, and
    the (depth, notBefore, notAfter) of each certificate whose dates OpenSSL would check, top
    of the chain first."""
    from OpenSSL import crypto  # imported by the first verification, not by importing qtls

    leaf = _native(chain[0])
    if leaf is None:
        return [(-1, 0)], []
    intermediates = [x for cert in chain[1:] if not cert.isNull() and (x := _native(cert))]
    trusted = [x for root in roots if (x := _native(root)) is not None]
    flags = _NO_CHECK_TIME
    errors: list[tuple[int, int]] = []
    top_unchecked = False
    for _ in range(_MAX_PASSES):
        store = crypto.X509Store()
        for cert in trusted:
            store.add_cert(cert)
        store.set_flags(flags)
        context = crypto.X509StoreContext(store, leaf, intermediates)
        try:
            built = context.get_verified_chain()
        except crypto.X509StoreContextError as failure:
            code, depth = int(failure.errors[0]), int(failure.errors[1])
            errors.append((code, depth))
            if code in (_UNABLE_TO_GET_ISSUER_CERT, _UNABLE_TO_GET_ISSUER_CERT_LOCALLY):
                # internal_verify() then finds a top certificate that is not self-issued: a
                # lone leaf also gets UNABLE_TO_VERIFY_LEAF_SIGNATURE, a longer chain skips
                # the top certificate's dates.
                if depth == 0:
                    errors.append((_UNABLE_TO_VERIFY_LEAF_SIGNATURE, 0))
                else:
                    top_unchecked = True
            if code in _UNTRUSTED_CHAIN:
                trusted.append(failure.certificate)
                flags |= _PARTIAL_CHAIN
            elif code == _UNHANDLED_CRITICAL_EXTENSION:
                flags |= _IGNORE_CRITICAL
            else:
                break
        except crypto.Error:
            errors.append((-1, 0))
            return errors, []
        else:
            dated = [
                (depth, c.not_valid_before_utc, c.not_valid_after_utc)
                for depth, c in enumerate(x.to_cryptography() for x in built)
            ]
            if top_unchecked and len(dated) > 1:
                dated.pop()
            return errors, dated[::-1]
    # Stopped on an error qtls cannot step over: check the dates of the chain as given.
    return errors, [
        (depth, not_before, not_after)
        for depth in range(len(chain) - 1, -1, -1)
        if (not_before := chain[depth]._not_before()) is not None
        and (not_after := chain[depth]._not_after()) is not None
    ]


def verify_chain(chain: Sequence[QSslCertificate], host_name: str, strict: bool = False) -> list[Any]:
    """The QSslError list of QSslCertificate.verify(chain, host_name); with *strict*, followed
    by the errors of qtls's strict verification (:mod:`qtls.ssl.x509.strict`)."""
    from qtls.ssl.x509.certificate import QSslCertificate
    from qtls.ssl.x509.error import QSslError, ssl_error_from_verify_code

    if not chain or chain[0].isNull():
        return [QSslError(QSslError.SslError.UnspecifiedError)]
    now = verification_time()
    roots = [root for root in _verification_roots() if (root._not_after() or now) >= now]

    errors: list[Any] = []
    if chain[0].isBlacklisted():
        errors.append(QSslError(QSslError.SslError.CertificateBlacklisted, chain[0]))
    if host_name and not is_matching_hostname(chain[0], host_name):
        errors.append(QSslError(QSslError.SslError.HostNameMismatch, chain[0]))

    def at(depth: int) -> QSslCertificate:
        return chain[depth] if 0 <= depth < len(chain) else QSslCertificate()

    chain_errors, dated = _chain_errors(chain, roots)
    for code, depth in chain_errors:
        errors.append(QSslError(ssl_error_from_verify_code(code), at(depth)))
    for depth, not_before, not_after in dated:
        if now < not_before:
            errors.append(QSslError(QSslError.SslError.CertificateNotYetValid, at(depth)))
        if now > not_after:
            errors.append(QSslError(QSslError.SslError.CertificateExpired, at(depth)))
    if strict:
        from qtls.ssl.x509.strict import strict_verdict

        errors = strict_verdict(chain, host_name, roots, now, errors).apply(errors)
    return errors
