"""QNetworkDatagram: one UDP datagram and its IP header fields, a value type.

What QUdpSocket.receiveDatagram() fills in (payload, sender, destination, hop limit, interface
index) and what writeDatagram(datagram) sends (the destination; the sender address, interface
and hop limit become IP_PKTINFO / IP_TTL or IPV6_PKTINFO / IPV6_HOPLIMIT ancillary data).

Qt's rules, checked against PyQt6: a datagram is valid when it has a sender or a destination
address (the payload does not count: ``QNetworkDatagram(b"x")`` is null), ``isNull()`` is
``not isValid()``; a port reads -1 while its address is null; the hop limit defaults to -1
(unknown / the system's default) and the interface index to 0 (any). There is no ``==``
(PyQt6 compares datagrams by identity).
"""

from __future__ import annotations

from typing import Any

from qtls.core.bytearray import QByteArray
from qtls.network.hostaddress import QHostAddress

__all__ = ["QNetworkDatagram"]

_BytesLike = (bytes, bytearray, memoryview)


def _payload(data: Any, method: str) -> QByteArray:
    if not isinstance(data, _BytesLike):
        raise TypeError(f"{method}: argument 1 has unexpected type '{type(data).__name__}'")
    return QByteArray._wrap(bytes(data))


def _address(value: Any, method: str, position: int) -> QHostAddress:
    if isinstance(value, QHostAddress):
        return QHostAddress(value)
    if isinstance(value, QHostAddress.SpecialAddress):
        return QHostAddress(value)
    raise TypeError(
        f"{method}: argument {position} has unexpected type '{type(value).__name__}'"
    )


def check_port(port: Any, method: str, position: int) -> int:
    """A quint16 argument as PyQt6 checks it: an int (not bool), in range or OverflowError."""
    if isinstance(port, bool) or not isinstance(port, int):
        raise TypeError(
            f"{method}: argument {position} has unexpected type '{type(port).__name__}'"
        )
    if not 0 <= port <= 0xFFFF:
        raise OverflowError(
            f"argument {position} overflowed: value must be in the range 0 to 65535"
        )
    return port


def _int(value: Any, method: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{method}: argument 1 has unexpected type '{type(value).__name__}'")
    if not low <= value <= high:
        raise OverflowError(
            f"argument 1 overflowed: value must be in the range {low} to {high}"
        )
    return value


_NULL = QHostAddress()
_EMPTY = QByteArray(b"")  # shared, never modified: data() hands out copies


class QNetworkDatagram:
    """A UDP datagram with its addresses, ports, hop limit and interface (Qt: QNetworkDatagram).

    ``QNetworkDatagram()``, ``QNetworkDatagram(data, destinationAddress=QHostAddress(),
    port=0)`` or ``QNetworkDatagram(other)`` (a copy). Received datagrams carry the sender,
    the destination the packet was addressed to (a multicast group, say), the hop limit
    (TTL) it arrived with and the interface index, where the platform tells them.
    """

    __slots__ = ("_data", "_sender", "_sender_port", "_destination", "_destination_port",
                 "_hop_limit", "_ifindex")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._data = _EMPTY
        self._sender = _NULL
        self._sender_port = 0
        self._destination = _NULL
        self._destination_port = 0
        self._hop_limit = -1
        self._ifindex = 0
        if len(args) == 1 and not kwargs and isinstance(args[0], QNetworkDatagram):
            self._copy_from(args[0])
            return
        if not args and not kwargs:
            return
        self._init_data(*args, **kwargs)

    def _init_data(self, data: Any = None, destinationAddress: Any = _NULL,
                   port: Any = 0) -> None:
        method = "QNetworkDatagram()"
        self._data = _payload(data, method)
        self._destination = _address(destinationAddress, method, 2)
        self._destination_port = check_port(port, method, 3)

    def _copy_from(self, other: QNetworkDatagram) -> None:
        # Addresses are never modified in place (setters store copies), so sharing is safe.
        self._data = QByteArray._wrap(bytes(other._data))
        self._sender = other._sender
        self._sender_port = other._sender_port
        self._destination = other._destination
        self._destination_port = other._destination_port
        self._hop_limit = other._hop_limit
        self._ifindex = other._ifindex

    @classmethod
    def _received(cls, data: bytes, sender: QHostAddress, sender_port: int,
                  destination: QHostAddress, destination_port: int, hop_limit: int,
                  ifindex: int) -> QNetworkDatagram:
        """A datagram as QUdpSocket.receiveDatagram() fills it (addresses not copied)."""
        datagram = cls.__new__(cls)
        datagram._data = QByteArray._wrap(data)
        datagram._sender = sender
        datagram._sender_port = sender_port
        datagram._destination = destination
        datagram._destination_port = destination_port
        datagram._hop_limit = hop_limit
        datagram._ifindex = ifindex
        return datagram

    def __copy__(self) -> QNetworkDatagram:
        return QNetworkDatagram(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> QNetworkDatagram:
        return QNetworkDatagram(self)

    def __repr__(self) -> str:
        parts = [f"data={bytes(self._data)!r}"]
        if not self._sender.isNull():
            parts.append(f"sender={self._sender.toString()}:{self._sender_port}")
        if not self._destination.isNull():
            parts.append(f"destination={self._destination.toString()}:{self._destination_port}")
        if self._hop_limit != -1:
            parts.append(f"hopLimit={self._hop_limit}")
        if self._ifindex:
            parts.append(f"interfaceIndex={self._ifindex}")
        return f"QNetworkDatagram({', '.join(parts)})"

    # ----------------------------------------------------------------- validity

    def isValid(self) -> bool:
        """True when the datagram has a sender or a destination address (payload may be empty)."""
        return not (self._sender.isNull() and self._destination.isNull())

    def isNull(self) -> bool:
        """``not isValid()``: a datagram with a payload but no address is null (Qt)."""
        return self._sender.isNull() and self._destination.isNull()

    def clear(self) -> None:
        """Back to a default-constructed datagram: no payload, addresses, hop limit or index."""
        self._data = _EMPTY
        self._sender = self._destination = _NULL
        self._sender_port = self._destination_port = 0
        self._hop_limit = -1
        self._ifindex = 0

    def swap(self, other: QNetworkDatagram) -> None:
        """Exchange the contents of this datagram and ``other``."""
        if not isinstance(other, QNetworkDatagram):
            raise TypeError(f"swap(): argument 1 has unexpected type '{type(other).__name__}'")
        for name in QNetworkDatagram.__slots__:
            mine = getattr(self, name)
            setattr(self, name, getattr(other, name))
            setattr(other, name, mine)

    # ----------------------------------------------------------------- payload

    def data(self) -> QByteArray:
        """The payload (a copy: changing it does not change the datagram; never a null
        QByteArray, as in PyQt6)."""
        return QByteArray._wrap(bytes(self._data))

    def setData(self, data: Any) -> None:
        """Replace the payload."""
        self._data = _payload(data, "setData()")

    # ----------------------------------------------------------------- header

    def senderAddress(self) -> QHostAddress:
        """Who sent a received datagram; for one to send, the source address to use."""
        return QHostAddress(self._sender)

    def senderPort(self) -> int:
        """The sender's port, or -1 while there is no sender address."""
        return -1 if self._sender.isNull() else self._sender_port

    def setSender(self, address: Any, port: Any = 0) -> None:
        """Set the source address (sent as IP_PKTINFO / IPV6_PKTINFO) and port."""
        self._sender = _address(address, "setSender()", 1)
        self._sender_port = check_port(port, "setSender()", 2)

    def destinationAddress(self) -> QHostAddress:
        """Where the datagram goes; for a received one, the address it was sent to."""
        return QHostAddress(self._destination)

    def destinationPort(self) -> int:
        """The destination port, or -1 while there is no destination address."""
        return -1 if self._destination.isNull() else self._destination_port

    def setDestination(self, address: Any, port: Any) -> None:
        """Set the destination address and port."""
        self._destination = _address(address, "setDestination()", 1)
        self._destination_port = check_port(port, "setDestination()", 2)

    def hopLimit(self) -> int:
        """The IPv4 TTL / IPv6 hop limit a received datagram arrived with, or the one to send
        with; -1 when unknown (or: use the socket's default)."""
        return self._hop_limit

    def setHopLimit(self, count: int) -> None:
        """Set the hop limit to send with (-1: the socket's default)."""
        self._hop_limit = _int(count, "setHopLimit()", -(1 << 31), (1 << 31) - 1)

    def interfaceIndex(self) -> int:
        """The interface a received datagram came in on, or the one to send through; 0: any."""
        return self._ifindex

    def setInterfaceIndex(self, index: int) -> None:
        """Set the interface to send through (0: let the routing table choose)."""
        self._ifindex = _int(index, "setInterfaceIndex()", 0, 0xFFFFFFFF)

    def makeReply(self, payload: Any) -> QNetworkDatagram:
        """A datagram carrying ``payload`` back to this one's sender, through the same interface.

        The reply's source is this datagram's destination (so it leaves from the address the
        request came to), unless that was a multicast group, which cannot be a source. The
        hop limit is not carried over.
        """
        reply = QNetworkDatagram()
        reply._data = _payload(payload, "makeReply()")
        reply._destination = self._sender
        reply._destination_port = self._sender_port
        reply._ifindex = self._ifindex
        if not self._destination.isMulticast():
            reply._sender = self._destination
            reply._sender_port = self._destination_port
        return reply
