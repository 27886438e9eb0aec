"""``qtls inspect FILE...``: certificates, chains, keys and PKCS#12 bundles as Qt sees them,
and with --verify, the verdict of QSslCertificate.verify() as Qt's list of errors."""

from __future__ import annotations

import argparse
from typing import Any

from qtls.cli import describe, files
from qtls.cli.style import CommandError, Out
from qtls.QtNetwork import QSslCertificate, QSslConfiguration

__all__ = ["run_inspect"]


def run_inspect(args: argparse.Namespace) -> int:
    if (args.cafile or args.host) and not args.verify:
        raise CommandError("--cafile and --host go with --verify")
    out = Out(json=args.json)
    passphrase = files.Passphrase(args.passphrase)
    doc: dict[str, Any] = {"files": []}
    chain: list[QSslCertificate] = []
    for path in args.files:
        contents = files.read_file(path, passphrase)
        chain.extend(contents.certificates)
        entry = {"path": path, "format": contents.kind,
                 "certificates": [describe.certificate(c) for c in contents.certificates],
                 "keys": [describe.key(k) for k in contents.keys]}
        doc["files"].append(entry)
        out.line(out.paint(f"{path}", "bold") + f"  ({contents.kind}: "
                 f"{_count(len(contents.certificates), 'certificate')}, "
                 f"{_count(len(contents.keys), 'key')})")
        for index, info in enumerate(entry["certificates"]):
            describe.print_certificate(out, info, f"[{index}]")
        for info in entry["keys"]:
            describe.print_key(out, info, "key")
    status = 0
    if args.verify:
        doc["verification"] = verdict = _verify(chain, args.cafile, args.host)
        out.title(f"Verification of {_count(len(chain), 'certificate')}"
                  + (f" for host {args.host!r}" if args.host else "")
                  + (f", trusting {args.cafile}" if args.cafile else ", trusting the system's CAs"))
        if verdict["verified"]:
            out.line("  " + out.ok("verified") + ": QSslCertificate.verify() returned no error")
        else:
            describe.print_errors(out, verdict["errors"])
            status = 1
    out.document(doc)
    return status


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _verify(chain: list[QSslCertificate], cafile: str | None, host: str | None) -> dict[str, Any]:
    if not chain:
        raise CommandError("--verify: the files hold no certificate")
    if cafile:
        # QSslCertificate.verify() trusts the default configuration's CAs, as in Qt.
        conf = QSslConfiguration.defaultConfiguration()
        conf.setCaCertificates(files.read_certificates(cafile))
        QSslConfiguration.setDefaultConfiguration(conf)
    errors = [describe.error(e) for e in QSslCertificate.verify(chain, host or "")]
    return {"verified": not errors, "errors": errors}
