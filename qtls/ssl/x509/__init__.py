"""Certificates and keys: QSslCertificate, QSslKey, QSslError and chain verification (no sockets, no configuration)."""
