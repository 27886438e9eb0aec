"""The SSL classes: value types, configuration, QSslSocket and QSslServer."""
