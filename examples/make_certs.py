"""Write a private CA and certificates it signed, for trying the other examples locally.

    python examples/make_certs.py certs/

writes certs/ca.pem (the CA to trust), certs/server.pem and certs/server.key (for localhost,
127.0.0.1 and ::1), certs/client.pem and certs/client.key (for mutual TLS). ECDSA P-256, valid
for 30 days. Pass --rsa for RSA-2048 keys instead. Uses cryptography, which qtls depends on.
"""

from __future__ import annotations

import argparse
import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def new_key(use_rsa: bool) -> PrivateKey:
    if use_rsa:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def certificate(subject: str, key: PrivateKey, issuer: x509.Name, issuer_key: PrivateKey,
                extensions: list[tuple[x509.ExtensionType, bool]]) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(issuer)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=30)))
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(issuer_key, hashes.SHA256())


def write(folder: Path, stem: str, cert: x509.Certificate, key: PrivateKey | None) -> None:
    (folder / f"{stem}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    if key is not None:
        (folder / f"{stem}.key").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rsa", action="store_true", help="RSA-2048 keys instead of ECDSA")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)

    ca_key = new_key(args.rsa)
    ca = certificate("Example private CA", ca_key, name("Example private CA"), ca_key, [
        (x509.BasicConstraints(ca=True, path_length=0), True),
        (x509.KeyUsage(False, False, False, False, False, True, True, False, False), True),
    ])
    server_key = new_key(args.rsa)
    server = certificate("localhost", server_key, ca.subject, ca_key, [
        (x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                      x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                      x509.IPAddress(ipaddress.ip_address("::1"))]), False),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
    ])
    client_key = new_key(args.rsa)
    client = certificate("Example client", client_key, ca.subject, ca_key, [
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False),
    ])
    write(args.folder, "ca", ca, None)
    write(args.folder, "server", server, server_key)
    write(args.folder, "client", client, client_key)
    print(f"wrote ca.pem, server.pem/.key and client.pem/.key to {args.folder}")


if __name__ == "__main__":
    main()
