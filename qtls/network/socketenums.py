"""QAbstractSocket's enums, in a module of their own.

QHostAddress.protocol() returns ``QAbstractSocket.NetworkLayerProtocol``, and QAbstractSocket
takes QHostAddress arguments; keeping the enums here lets both modules import them without a
cycle. QAbstractSocket re-exposes each one as a class attribute, so user code spells them the
PyQt6 way (``QAbstractSocket.SocketState.ConnectedState``). Values are the manifest's.
"""

from __future__ import annotations

import enum

__all__: list[str] = []


class NetworkLayerProtocol(enum.Enum):
    """The IP version of an address or a socket (Qt: QAbstractSocket::NetworkLayerProtocol)."""

    IPv4Protocol = 0
    IPv6Protocol = 1
    AnyIPProtocol = 2
    UnknownNetworkLayerProtocol = -1


class SocketType(enum.Enum):
    """The transport of a socket (Qt: QAbstractSocket::SocketType)."""

    TcpSocket = 0
    UdpSocket = 1
    SctpSocket = 2
    UnknownSocketType = -1


class SocketState(enum.Enum):
    """A socket's connection state (Qt: QAbstractSocket::SocketState)."""

    UnconnectedState = 0
    HostLookupState = 1
    ConnectingState = 2
    ConnectedState = 3
    BoundState = 4
    ListeningState = 5
    ClosingState = 6

    # Members are singletons compared by identity (Enum's own __eq__): hashing by identity
    # keeps the contract and spares the state table's lookups Enum.__hash__'s Python call.
    __hash__ = object.__hash__


class SocketError(enum.Enum):
    """The last error a socket or server met (Qt: QAbstractSocket::SocketError)."""

    ConnectionRefusedError = 0
    RemoteHostClosedError = 1
    HostNotFoundError = 2
    SocketAccessError = 3
    SocketResourceError = 4
    SocketTimeoutError = 5
    DatagramTooLargeError = 6
    NetworkError = 7
    AddressInUseError = 8
    SocketAddressNotAvailableError = 9
    UnsupportedSocketOperationError = 10
    UnfinishedSocketOperationError = 11
    ProxyAuthenticationRequiredError = 12
    SslHandshakeFailedError = 13
    ProxyConnectionRefusedError = 14
    ProxyConnectionClosedError = 15
    ProxyConnectionTimeoutError = 16
    ProxyNotFoundError = 17
    ProxyProtocolError = 18
    OperationError = 19
    SslInternalError = 20
    SslInvalidUserDataError = 21
    TemporaryError = 22
    UnknownSocketError = -1


class SocketOption(enum.Enum):
    """Options of setSocketOption/socketOption (Qt: QAbstractSocket::SocketOption)."""

    LowDelayOption = 0
    KeepAliveOption = 1
    MulticastTtlOption = 2
    MulticastLoopbackOption = 3
    TypeOfServiceOption = 4
    SendBufferSizeSocketOption = 5
    ReceiveBufferSizeSocketOption = 6
    PathMtuSocketOption = 7
    KeepAliveIdleOption = 8
    KeepAliveIntervalOption = 9
    KeepAliveCountOption = 10


class PauseMode(enum.Flag):
    """When a socket pauses data transfer (Qt: QAbstractSocket::PauseMode)."""

    PauseNever = 0
    PauseOnSslErrors = 1


class BindFlag(enum.Flag):
    """Address-sharing hints for bind() (Qt: QAbstractSocket::BindFlag)."""

    DefaultForPlatform = 0
    ShareAddress = 1
    DontShareAddress = 2
    ReuseAddressHint = 4
