"""The sans-I/O TLS engine on pyOpenSSL: bytes in, bytes and events out."""
