"""qtls inspect: PEM, DER and PKCS#12 read as QSslCertificate and QSslKey see them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.cli.helpers import OPENSSL, Pki, needs_openssl, needs_terminal, on_terminal, qtls


def _fingerprint(pem: bytes) -> str:
    return x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256()).hex(":").upper()


def test_a_pem_chain_shows_each_certificate_with_its_fingerprint(pki: Pki) -> None:
    chain = pki.folder / "chain.pem"
    chain.write_bytes(pki.server.cert_chain_pems[0].bytes() + pki.ca.cert_pem.bytes())
    doc = json.loads(qtls("inspect", str(chain), "--json").stdout)
    (entry,) = doc["files"]
    assert entry["format"] == "PEM" and entry["keys"] == []
    leaf, root = entry["certificates"]
    assert leaf["dns_names"] == ["localhost"] and leaf["ip_addresses"] == ["127.0.0.1"]
    assert leaf["sha256"] == _fingerprint(pki.server.cert_chain_pems[0].bytes())
    assert root["self_signed"] and not leaf["self_signed"]
    assert leaf["public_key"]["type"] == "PublicKey"


def test_der_certificates_and_keys_of_any_algorithm(pki: Pki, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    cert = x509.load_pem_x509_certificate(pki.server.cert_chain_pems[0].bytes())
    (tmp_path / "cert.der").write_bytes(cert.public_bytes(serialization.Encoding.DER))
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP384R1())
    (tmp_path / "rsa.der").write_bytes(rsa_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (tmp_path / "ec.pem").write_bytes(ec_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.BestAvailableEncryption(b"sesame")))
    done = qtls("inspect", str(tmp_path / "cert.der"), str(tmp_path / "rsa.der"),
                str(tmp_path / "ec.pem"), "--passphrase", "sesame", "--json")
    files = json.loads(done.stdout)["files"]
    assert [f["format"] for f in files] == ["DER", "DER", "PEM"]
    assert files[0]["certificates"][0]["sha256"] == _fingerprint(
        pki.server.cert_chain_pems[0].bytes())
    assert files[1]["keys"] == [{"algorithm": "Rsa", "bits": 2048, "type": "PrivateKey"}]
    assert files[2]["keys"] == [{"algorithm": "Ec", "bits": 384, "type": "PrivateKey"}]


def test_an_encrypted_key_without_its_pass_phrase_says_so(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "secret.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.BestAvailableEncryption(b"sesame")))
    done = qtls("inspect", str(path))  # stdin is not a terminal: no prompt
    assert done.returncode == 2 and "--passphrase" in done.stderr
    done = qtls("inspect", str(path), "--passphrase", "wrong")
    assert done.returncode == 2 and "wrong pass phrase" in done.stderr


def _pkcs12_file(pki: Pki, path: Path, passphrase: bytes) -> None:
    key = serialization.load_pem_private_key(pki.server.private_key_pem.bytes(), None)
    cert = x509.load_pem_x509_certificate(pki.server.cert_chain_pems[0].bytes())
    ca = x509.load_pem_x509_certificate(pki.ca.cert_pem.bytes())
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"server", key, cert, [ca],  # type: ignore[arg-type]
        serialization.BestAvailableEncryption(passphrase)))


def test_a_pkcs12_bundle_holds_the_key_and_the_chain(pki: Pki, tmp_path: Path) -> None:
    bundle = tmp_path / "server.p12"
    _pkcs12_file(pki, bundle, b"sesame")
    doc = json.loads(qtls("inspect", str(bundle), "--passphrase", "sesame", "--json").stdout)
    (entry,) = doc["files"]
    assert entry["format"] == "PKCS#12"
    assert len(entry["certificates"]) == 2 and entry["keys"][0]["type"] == "PrivateKey"
    done = qtls("inspect", str(bundle), "--passphrase", "wrong")
    assert done.returncode == 2 and "pass phrase" in done.stderr


def test_verify_trusting_the_ca_file_for_the_right_host(pki: Pki) -> None:
    done = qtls("inspect", pki.path("server.pem"), "--verify", "--cafile", pki.path("ca.pem"),
                "--host", "localhost")
    assert done.returncode == 0, done.stdout
    assert "verified" in done.stdout


def test_verify_prints_qts_errors_and_fails(pki: Pki) -> None:
    done = qtls("inspect", pki.path("server.pem"), "--verify", "--cafile", pki.path("ca.pem"),
                "--host", "example.org", "--json")
    assert done.returncode == 1
    errors = json.loads(done.stdout)["verification"]["errors"]
    assert [e["error"] for e in errors] == ["HostNameMismatch"]
    untrusted = qtls("inspect", pki.path("server.pem"), "--verify", "--host", "localhost")
    assert untrusted.returncode == 1
    assert "UnableToGetLocalIssuerCertificate" in untrusted.stdout


def test_a_file_that_is_nothing_known_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00not a certificate at all")
    done = qtls("inspect", str(junk), "--passphrase", "x")
    assert done.returncode == 2
    assert "not a certificate, key or PKCS#12 bundle" in done.stderr


@needs_openssl
def test_fingerprint_serial_and_dates_agree_with_openssl_x509(pki: Pki) -> None:
    assert OPENSSL is not None
    done = subprocess.run([OPENSSL, "x509", "-in", pki.path("server.pem"), "-noout",
                           "-fingerprint", "-sha256", "-serial"], capture_output=True,
                          text=True, timeout=30, check=True)
    theirs = dict(line.split("=", 1) for line in done.stdout.splitlines())
    ours = json.loads(qtls("inspect", pki.path("server.pem"), "--json").stdout)
    (cert,) = ours["files"][0]["certificates"]
    assert cert["sha256"] == theirs["sha256 Fingerprint"].strip()
    assert cert["serial"].replace(":", "").upper().lstrip("0") == theirs["serial"].lstrip("0")


@needs_terminal
def test_the_pass_phrase_is_asked_for_on_a_terminal(pki: Pki, tmp_path: Path) -> None:
    bundle = tmp_path / "server.p12"
    _pkcs12_file(pki, bundle, b"sesame")
    status, seen = on_terminal(["inspect", str(bundle)], answer=(b"pass phrase for", b"sesame\n"))
    assert status == 0, seen
    assert "PKCS#12: 2 certificates, 1 key" in seen
    assert "sesame" not in seen.split("pass phrase for", 1)[1]  # not echoed
