"""Valid encodings to mutate: certificates, keys, PKCS#12 bundles, DH parameters, OCSP responses.

Built once per process with ``cryptography`` (small keys, so that building is quick); the
certificates carry many extensions so that mutations reach the lazily parsed parts too.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import warnings

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dh, dsa, ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["Seeds", "seeds"]

PASS_PHRASE = b"fuzz"
_PEM, _DER = serialization.Encoding.PEM, serialization.Encoding.DER
# RFC 3526 group 14 (the default Qt and qtls use): no parameter generation needed.
_MODP_2048 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
    "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
    "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA4836"
    "1C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804"
    "F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6"
    "955817183995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF", 16)


class Seeds:
    """The valid encodings, by kind (each a list of bytes), and the objects behind them."""

    def __init__(self) -> None:
        now = dt.datetime.now(dt.timezone.utc)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        leaf_key = rsa.generate_private_key(65537, 1024)
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Fuzz CA"),
                             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "qtls")])
        leaf_name = x509.Name([
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "a@example.org"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "unit"),
        ])
        self.ca = (
            x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
            .public_key(ca_key.public_key()).serial_number(1)
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=9))
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                         False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key())
        self.leaf = (
            x509.CertificateBuilder().subject_name(leaf_name).issuer_name(ca_name)
            .public_key(leaf_key.public_key()).serial_number(0x1234567890ABCDEF)
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=9))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.DNSName("*.example.org"),
                x509.RFC822Name("a@example.org"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                x509.IPAddress(ipaddress.ip_address("::1")),
                x509.UniformResourceIdentifier("https://example.org/"),
            ]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                  ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(aki, critical=False)
            .add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
                x509.AuthorityInformationAccessOID.OCSP,
                x509.UniformResourceIdentifier("http://ocsp.example.org/"))]), critical=False)
            .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                [x509.UniformResourceIdentifier("http://crl.example.org/")], None, None, None)]),
                critical=False)
            .add_extension(x509.CertificatePolicies([x509.PolicyInformation(
                x509.ObjectIdentifier("2.5.29.32.0"), ["https://example.org/cps"])]),
                critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        self.ca_key, self.leaf_key = ca_key, leaf_key
        self.certificates_pem = [self.leaf.public_bytes(_PEM) + self.ca.public_bytes(_PEM)]
        self.certificates_der = [self.leaf.public_bytes(_DER), self.ca.public_bytes(_DER)]

        keys = [leaf_key, ca_key, ed25519.Ed25519PrivateKey.generate(),
                dsa.generate_private_key(1024)]
        pkcs8, trad = serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL
        none = serialization.NoEncryption()
        locked = serialization.BestAvailableEncryption(PASS_PHRASE)
        spki = serialization.PublicFormat.SubjectPublicKeyInfo
        self.keys_pem = [leaf_key.private_bytes(_PEM, trad, none),
                         leaf_key.private_bytes(_PEM, trad, locked),
                         ca_key.private_bytes(_PEM, pkcs8, locked),
                         *(k.private_bytes(_PEM, pkcs8, none) for k in keys),
                         *(k.public_key().public_bytes(_PEM, spki) for k in keys)]
        self.keys_der = [leaf_key.private_bytes(_DER, trad, none),
                         *(k.private_bytes(_DER, pkcs8, none) for k in keys),
                         *(k.public_key().public_bytes(_DER, spki) for k in keys)]

        self.pkcs12 = [
            pkcs12.serialize_key_and_certificates(b"fuzz", leaf_key, self.leaf, [self.ca], locked),
            pkcs12.serialize_key_and_certificates(b"fuzz", leaf_key, self.leaf, None, none),
        ]

        with warnings.catch_warnings():  # (cryptography deprecates finite-field DH; Qt has it)
            warnings.simplefilter("ignore")
            params = dh.DHParameterNumbers(_MODP_2048, 2).parameters()
        fmt = serialization.ParameterFormat.PKCS3
        self.dh_pem = [params.parameter_bytes(_PEM, fmt)]
        self.dh_der = [params.parameter_bytes(_DER, fmt)]

        single = dict(cert=self.leaf, issuer=self.ca, algorithm=hashes.SHA1(),
                      this_update=now - dt.timedelta(hours=1),
                      next_update=now + dt.timedelta(hours=1))
        good = (ocsp.OCSPResponseBuilder()
                .add_response(cert_status=ocsp.OCSPCertStatus.GOOD, revocation_time=None,
                              revocation_reason=None, **single)
                .responder_id(ocsp.OCSPResponderEncoding.HASH, self.ca)
                .certificates([self.ca]).sign(ca_key, hashes.SHA256()))
        revoked = (ocsp.OCSPResponseBuilder()
                   .add_response(cert_status=ocsp.OCSPCertStatus.REVOKED,
                                 revocation_time=now - dt.timedelta(days=1),
                                 revocation_reason=x509.ReasonFlags.key_compromise, **single)
                   .responder_id(ocsp.OCSPResponderEncoding.NAME, self.ca)
                   .sign(ca_key, hashes.SHA256()))
        self.ocsp = [good.public_bytes(_DER), revoked.public_bytes(_DER),
                     ocsp.OCSPResponseBuilder.build_unsuccessful(
                         ocsp.OCSPResponseStatus.TRY_LATER).public_bytes(_DER)]


@functools.cache
def seeds() -> Seeds:
    """The process-wide :class:`Seeds` (built on first use, ~0.1 s)."""
    return Seeds()
