"""The sans-I/O TLS engine on pyOpenSSL: bytes in, bytes and events out.

See :mod:`qtls.ssl.engine.engine` for the theory of operation. Public names:
:class:`TlsEngine` and its datagram sibling :class:`DtlsEngine`, :class:`TlsSettings` and its enums, :class:`ContextCache`/:class:`TlsContext`,
the events, the state enum and the exceptions.
"""

from .alerts import AlertLevel, alert_description_text
from .context import ContextCache, TlsContext, build_context, default_context_cache
from .dtlscookie import CookieKey, CookieVerifier
from .dtlsengine import DEFAULT_MTU, DtlsEngine
from .engine import MAX_WRITE, TlsEngine
from .errors import EngineConfigError, EngineError, LocalProtocolError
from .events import (
    AlertReceived,
    AlertSent,
    CloseNotifyReceived,
    ConnectionInfo,
    ErrorOrigin,
    Event,
    HandshakeCompleted,
    SessionTicketReceived,
    TlsError,
    TruncatedInput,
    VerifyError,
    VerifyErrorRecorded,
)
from .session import session_from_der, session_lifetime_hint, session_to_der
from .settings import AlpnStatus, Role, TlsSettings, TlsVersion, VerifyMode
from .state import TRANSITIONS, EngineState

__all__ = [
    "DEFAULT_MTU",
    "MAX_WRITE",
    "TRANSITIONS",
    "AlertLevel",
    "AlertReceived",
    "AlertSent",
    "AlpnStatus",
    "CloseNotifyReceived",
    "ConnectionInfo",
    "CookieKey",
    "CookieVerifier",
    "ContextCache",
    "DtlsEngine",
    "EngineConfigError",
    "EngineError",
    "EngineState",
    "ErrorOrigin",
    "Event",
    "HandshakeCompleted",
    "LocalProtocolError",
    "Role",
    "SessionTicketReceived",
    "TlsContext",
    "TlsEngine",
    "TlsError",
    "TlsSettings",
    "TlsVersion",
    "TruncatedInput",
    "VerifyError",
    "VerifyErrorRecorded",
    "VerifyMode",
    "alert_description_text",
    "build_context",
    "default_context_cache",
    "session_from_der",
    "session_lifetime_hint",
    "session_to_der",
]
