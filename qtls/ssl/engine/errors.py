"""Exceptions raised by the TLS engine.

Following h11, the engine separates two kinds of failure:

* :class:`EngineConfigError` -- the settings cannot be turned into an OpenSSL context (a cipher
  string matching nothing, a key that does not match its certificate, an empty protocol range).
  Raised when the context is built, before any byte is exchanged.
* :class:`LocalProtocolError` -- the *caller* used the engine wrongly (wrote plaintext before the
  handshake finished, started a handshake twice). A bug in the socket, never the peer's fault.

Failures caused by the *peer* or by the negotiation (a fatal alert, garbage records, no shared
cipher) are not exceptions: they arrive as :class:`~qtls.ssl.engine.events.TlsError` events, so
the socket can map them to Qt's error signals without try/except around every call.
"""

from __future__ import annotations

__all__ = ["EngineConfigError", "EngineError", "LocalProtocolError"]


class EngineError(Exception):
    """Base class of every exception the engine raises."""


class EngineConfigError(EngineError, ValueError):
    """The settings cannot be applied to an OpenSSL context; the message names the cause."""


class LocalProtocolError(EngineError, RuntimeError):
    """The caller asked for something the engine's current state does not allow."""
