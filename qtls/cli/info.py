"""``qtls info``: what the TLS backend supports, as QSslSocket and QSslConfiguration say."""

from __future__ import annotations

import argparse
import os
import platform
import ssl
from typing import Any

from qtls import __version__
from qtls.cli.style import Out
from qtls.QtNetwork import QSslConfiguration, QSslSocket

__all__ = ["run_info", "collect"]


def _system_ca_source() -> str:
    """Where OpenSSL's default locations (and SSL_CERT_FILE/SSL_CERT_DIR) point, the way qtls
    reads them: the bundle file when it exists, else the directory."""
    paths = ssl.get_default_verify_paths()
    cafile = os.environ.get(paths.openssl_cafile_env) or paths.cafile or paths.openssl_cafile
    capath = os.environ.get(paths.openssl_capath_env) or paths.capath or paths.openssl_capath
    if cafile and os.path.isfile(cafile):
        return cafile
    if capath and os.path.isdir(capath):
        return capath + os.sep
    return "none found"


def collect() -> dict[str, Any]:
    default = QSslConfiguration.defaultConfiguration()
    return {
        "qtls": __version__,
        "python": platform.python_version(),
        "library": QSslSocket.sslLibraryVersionString(),
        "library_build": QSslSocket.sslLibraryBuildVersionString(),
        "supports_ssl": QSslSocket.supportsSsl(),
        "active_backend": QSslSocket.activeBackend(),
        "backends": QSslSocket.availableBackends(),
        "protocols": [p.name for p in QSslSocket.supportedProtocols()],
        "default_protocol": default.protocol().name,
        "implemented_classes": [c.name for c in QSslSocket.implementedClasses()],
        "features": [f.name for f in QSslSocket.supportedFeatures()],
        "default_ciphers": [c.name() for c in default.ciphers()],
        "supported_ciphers": sorted({c.name() for c in QSslConfiguration.supportedCiphers()}),
        # An empty list in the configuration means the library's own default group list.
        "default_groups": [c.shortName() for c in default.ellipticCurves()] or "library default",
        "supported_groups": [c.shortName() for c in QSslConfiguration.supportedEllipticCurves()],
        "system_ca_source": _system_ca_source(),
        "system_ca_count": len(QSslConfiguration.systemCaCertificates()),
    }


def run_info(args: argparse.Namespace) -> int:
    out = Out(json=args.json)
    info = collect()
    out.line(out.paint(f"qtls {info['qtls']}", "bold") + f" on Python {info['python']}")
    out.fields([
        ("TLS library", info["library"]),
        ("built against", info["library_build"]),
        ("backends", [f"{b} (active)" if b == info["active_backend"] else b
                      for b in info["backends"]]),
        ("protocols", info["protocols"]),
        ("default protocol", info["default_protocol"]),
        ("classes", info["implemented_classes"]),
        ("features", info["features"]),
        ("system CAs", f"{info['system_ca_count']} from {info['system_ca_source']}"),
    ])
    out.title(f"Default ciphers ({len(info['default_ciphers'])})")
    out.words(info["default_ciphers"])
    out.title(f"Supported ciphers ({len(info['supported_ciphers'])})")
    out.words(info["supported_ciphers"])
    groups = info["default_groups"]
    out.title("Default groups")
    out.words([groups] if isinstance(groups, str) else groups)
    out.title(f"Supported groups ({len(info['supported_groups'])})")
    out.words(info["supported_groups"])
    out.document(info)
    return 0
