"""TLS alert descriptions: the codes of RFC 8446 §6 / RFC 5246 §7.2 and their long texts.

OpenSSL's ``SSL_alert_desc_string_long`` is not exposed by cryptography's bindings, so the same
texts live here as a table. The codes are the wire values, which are also the values of
``QSsl.AlertType``.
"""

from __future__ import annotations

import enum

__all__ = ["AlertLevel", "alert_description_text"]


class AlertLevel(enum.IntEnum):
    """Alert level as sent on the wire (RFC 5246 §7.2): 1 warning, 2 fatal.

    Note: ``QSsl.AlertLevel`` numbers them differently (Warning=0, Fatal=1, Unknown=2); the socket
    maps ``WARNING`` → ``QSsl.AlertLevel.Warning`` and ``FATAL`` → ``QSsl.AlertLevel.Fatal``.
    """

    WARNING = 1
    FATAL = 2


_DESCRIPTIONS: dict[int, str] = {
    0: "close notify",
    10: "unexpected_message",
    20: "bad record mac",
    21: "decryption failed",
    22: "record overflow",
    30: "decompression failure",
    40: "handshake failure",
    41: "no certificate",
    42: "bad certificate",
    43: "unsupported certificate",
    44: "certificate revoked",
    45: "certificate expired",
    46: "certificate unknown",
    47: "illegal parameter",
    48: "unknown CA",
    49: "access denied",
    50: "decode error",
    51: "decrypt error",
    60: "export restriction",
    70: "protocol version",
    71: "insufficient security",
    80: "internal error",
    86: "inappropriate fallback",
    90: "user canceled",
    100: "no renegotiation",
    109: "missing extension",
    110: "unsupported extension",
    111: "certificate unobtainable",
    112: "unrecognized name",
    113: "bad certificate status response",
    114: "bad certificate hash value",
    115: "unknown PSK identity",
    116: "certificate required",
    120: "no application protocol",
}


def alert_description_text(code: int) -> str:
    """Return OpenSSL's long text for an alert description code ("unknown" for others)."""
    return _DESCRIPTIONS.get(code, "unknown")
