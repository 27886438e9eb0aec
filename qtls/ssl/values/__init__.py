"""The other TLS value types: QSslConfiguration, QSslCipher, QSslEllipticCurve, DH parameters, PSK, OCSP."""
