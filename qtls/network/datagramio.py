"""Datagram I/O: UDP sockets, one datagram in or out with its IP header fields.

What QUdpSocket does with its non-blocking ``socket.socket``, and nothing else: no signals,
no states, no event loop. It follows Qt's native socket engine on Linux:

* a new UDP socket gets SO_BROADCAST, and asks the kernel for the header fields of what it
  receives: IP_PKTINFO and IP_RECVTTL on an IPv4 socket, IPV6_RECVPKTINFO and
  IPV6_RECVHOPLIMIT on an IPv6 one (a dual-stack socket reports IPv4 packets through
  IPV6_PKTINFO, with no hop limit, as Qt's does);
* a datagram is received with ``recvmsg`` and its ancillary data gives the destination
  address, the interface index and the hop limit (``Received``);
* a datagram is sent with ``sendto``, or ``sendmsg`` when it carries a source address, an
  interface or a hop limit (IP_PKTINFO / IP_TTL, IPV6_PKTINFO / IPV6_HOPLIMIT);
* the size of the next datagram is peeked with MSG_PEEK | MSG_TRUNC.

Failures come back as Qt's SocketError and text (the native engine's wording). Where the
platform has no recvmsg/sendmsg (Windows) or no name for an option, datagrams go without
their header fields, never with a guessed option number.
"""

from __future__ import annotations

import _socket
import errno
import os
import socket
import struct
import sys
from typing import Any

from qtls.network.dialer import sockaddr_of
from qtls.network.hostaddress import QHostAddress
from qtls.network.socketenums import NetworkLayerProtocol, SocketError

__all__: list[str] = []

_LINUX = sys.platform.startswith("linux")


def _option(name: str, linux: int) -> int | None:
    """The socket module's value, else Linux's (the module lacks IP_PKTINFO and IP_RECVTTL
    before Python 3.12), else None: elsewhere an unnamed option is never guessed."""
    value = getattr(socket, name, None)
    return value if value is not None else (linux if _LINUX else None)


IP_PKTINFO = _option("IP_PKTINFO", 8)
IP_RECVTTL = _option("IP_RECVTTL", 12)
IP_TTL = _option("IP_TTL", 2)
IPV6_RECVPKTINFO = _option("IPV6_RECVPKTINFO", 49)
IPV6_PKTINFO = _option("IPV6_PKTINFO", 50)
IPV6_RECVHOPLIMIT = _option("IPV6_RECVHOPLIMIT", 51)
IPV6_HOPLIMIT = _option("IPV6_HOPLIMIT", 52)
#: Where the header fields can be read and written at all (not on Windows).
HAVE_MSG = hasattr(socket.socket, "recvmsg") and hasattr(socket.socket, "sendmsg")

_IN_PKTINFO = struct.Struct("=i4s4s")  # ipi_ifindex, ipi_spec_dst, ipi_addr
_IN6_PKTINFO = struct.Struct("=16sI")  # ipi6_addr, ipi6_ifindex
_INT = struct.Struct("=i")
# Room for the largest set of control messages a receive can carry.
_ANCILLARY_SIZE = (socket.CMSG_SPACE(_IN6_PKTINFO.size) + socket.CMSG_SPACE(_IN_PKTINFO.size)
                   + 2 * socket.CMSG_SPACE(_INT.size))

_IPV4 = NetworkLayerProtocol.IPv4Protocol
_IPV6 = NetworkLayerProtocol.IPv6Protocol
_ANY = NetworkLayerProtocol.AnyIPProtocol

# Qt's texts (QNativeSocketEngine), reused verbatim.
DATAGRAM_TOO_LARGE = "Datagram was too large to send"
SEND_FAILED = "Unable to send a message"
RECEIVE_FAILED = "Unable to receive a message"
NO_DATAGRAM = "No datagram available for reading"
SEND_WOULD_BLOCK = "Unable to send a datagram"
ADDRESS_IN_USE = "The bound address is already in use"
ADDRESS_PROTECTED = "The address is protected"
ADDRESS_NOT_AVAILABLE = "The address is not available"
UNSUPPORTED = "Operation on socket is not supported"
UNSUPPORTED_OPERATION = "Unsupported socket operation"

#: A socket's address family as a plain int (the ``family`` property converts it to an enum,
#: which costs more than the send it is asked for).
family_of = _socket.socket.family.__get__

_SCRATCH = bytearray(1)
#: No UDP payload is longer (65535 minus the UDP header; IPv6 jumbograms aside).
MAX_DATAGRAM = 65527


def open_socket(protocol: NetworkLayerProtocol) -> socket.socket:
    """A non-blocking UDP socket for ``protocol``: IPv6 and Any (dual stack) make an AF_INET6
    socket, anything else an AF_INET one, as Qt's engine does. Raises OSError."""
    family = socket.AF_INET6 if protocol in (_IPV6, _ANY) else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0 if protocol is _ANY else 1)
            wanted: tuple[tuple[int, int | None], ...] = (
                (socket.IPPROTO_IPV6, IPV6_RECVPKTINFO), (socket.IPPROTO_IPV6, IPV6_RECVHOPLIMIT))
        else:
            wanted = ((socket.IPPROTO_IP, IP_PKTINFO), (socket.IPPROTO_IP, IP_RECVTTL))
        # Qt sets these on every UDP socket and accepts failure of the header options.
        for level, name in ((socket.SOL_SOCKET, socket.SO_BROADCAST), *wanted):
            if name is None or (level != socket.SOL_SOCKET and not HAVE_MSG):
                continue
            try:
                sock.setsockopt(level, name, 1)
            except OSError:
                pass
    except OSError:
        sock.close()
        raise
    return sock


def is_dual_stack(sock: socket.socket) -> bool:
    """Whether an AF_INET6 socket also carries IPv4 (IPV6_V6ONLY off)."""
    if family_of(sock) != socket.AF_INET6:
        return False
    try:
        return not sock.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)
    except OSError:
        return False


# sockaddrs by (family, address bytes, protocol, scope, port): a socket usually talks to a
# few peers, and building the text form of an address costs more than the send itself.
_SOCKADDRS: dict[tuple[Any, ...], tuple[Any, ...]] = {}
_SOCKADDRS_LIMIT = 4096


def sockaddr_for(sock: socket.socket, address: QHostAddress, port: int) -> tuple[Any, ...]:
    """The sockaddr to reach ``address``:``port`` through ``sock``'s family: an IPv4 address
    is written v4-mapped for an AF_INET6 socket, a null one is the family's wildcard."""
    family = family_of(sock)
    key = (family, address._a6, address._protocol, address._scope, port)
    sockaddr = _SOCKADDRS.get(key)
    if sockaddr is None:
        sockaddr = _sockaddr(family, address, port)
        if len(_SOCKADDRS) >= _SOCKADDRS_LIMIT:
            _SOCKADDRS.clear()
        _SOCKADDRS[key] = sockaddr
    return sockaddr


def _sockaddr(family: int, address: QHostAddress, port: int) -> tuple[Any, ...]:
    protocol = address.protocol()
    if family == socket.AF_INET6:
        if protocol is _IPV6:
            return sockaddr_of(address, port)[1]  # (the scope resolved as for a connect)
        if protocol is _IPV4:
            return ("::ffff:" + address.toString(), port, 0, 0)
        return ("::", port, 0, 0)
    # An IPv6 address that has no IPv4 form reads as 0.0.0.0 here, as in Qt's engine.
    value = address.toIPv4Address()[0]
    return (socket.inet_ntoa(value.to_bytes(4, "big")), port)


# --------------------------------------------------------------------------- receiving

def pending_size(sock: socket.socket) -> int:
    """The size of the next datagram (0 for an empty one), or -1 when there is none. A
    pending error (an ICMP port unreachable on a connected socket) is consumed, as in Qt."""
    try:
        return sock.recv_into(_SCRATCH, 1, socket.MSG_PEEK | socket.MSG_TRUNC)
    except OSError:
        return -1


def has_pending(sock: socket.socket) -> bool:
    """Whether a datagram waits (Qt peeks one byte: any answer but an error means yes)."""
    try:
        sock.recv_into(_SCRATCH, 1, socket.MSG_PEEK)
    except OSError as exc:
        return exc.errno == errno.EMSGSIZE
    return True


class Received:
    """One datagram as ``receive`` read it: payload, sender sockaddr and header fields."""

    __slots__ = ("data", "sender", "destination", "ifindex", "hop_limit")

    def __init__(self, data: bytes, sender: Any) -> None:
        self.data = data
        self.sender = sender
        self.destination: QHostAddress | None = None
        self.ifindex = 0
        self.hop_limit = -1


# Destination addresses by (packed address, interface index): a socket receives on a few
# addresses only. Shared and never modified (QNetworkDatagram's getters copy).
_DESTINATIONS: dict[tuple[bytes, int], QHostAddress] = {}


def _destination(packed: bytes, ifindex: int) -> QHostAddress:
    key = (packed, ifindex)
    address = _DESTINATIONS.get(key)
    if address is None:
        if len(packed) == 4:
            address = QHostAddress(int.from_bytes(packed, "big"))
        else:
            address = QHostAddress(packed)
            if ifindex:
                address.setScopeId(str(ifindex))  # Qt writes the index, not a name
        if len(_DESTINATIONS) >= _SOCKADDRS_LIMIT:
            _DESTINATIONS.clear()
        _DESTINATIONS[key] = address
    return address


def receive(sock: socket.socket, maxsize: int, header: bool) -> Received:
    """Read one datagram (the part past ``maxsize`` is dropped, as recvmsg does); with
    ``header`` also its destination, interface and hop limit. Raises OSError."""
    maxsize = min(maxsize, MAX_DATAGRAM)  # (a larger buffer would only be allocated)
    if not header or not HAVE_MSG:
        data, sender = sock.recvfrom(maxsize)
        return Received(data, sender)
    data, ancillary, _flags, sender = sock.recvmsg(maxsize, _ANCILLARY_SIZE)
    result = Received(data, sender)
    for level, kind, value in ancillary:
        if level == socket.IPPROTO_IP:
            if kind == IP_PKTINFO and len(value) >= _IN_PKTINFO.size:
                ifindex, _spec_dst, addr = _IN_PKTINFO.unpack_from(value)
                result.destination = _destination(addr, 0)
                result.ifindex = ifindex
            elif kind == IP_TTL and len(value) >= _INT.size:
                result.hop_limit = _INT.unpack_from(value)[0]
        elif level == socket.IPPROTO_IPV6:
            if kind == IPV6_PKTINFO and len(value) >= _IN6_PKTINFO.size:
                addr6, ifindex = _IN6_PKTINFO.unpack_from(value)
                result.destination = _destination(addr6, ifindex)
                result.ifindex = ifindex
            elif kind == IPV6_HOPLIMIT and len(value) >= _INT.size:
                result.hop_limit = _INT.unpack_from(value)[0]
    return result


def receive_error(exc: OSError) -> tuple[SocketError, str]:
    """Qt's error for a failed datagram receive."""
    if exc.errno == errno.ECONNREFUSED:
        return SocketError.ConnectionRefusedError, "Connection refused"
    return SocketError.NetworkError, RECEIVE_FAILED


# --------------------------------------------------------------------------- sending

def send(sock: socket.socket, data: Any, sockaddr: tuple[Any, ...] | None,
         sender: QHostAddress | None = None, ifindex: int = 0, hop_limit: int = -1) -> int:
    """Send one datagram to ``sockaddr`` (None: the connected peer); ``sender``, ``ifindex``
    and ``hop_limit`` go as ancillary data when set. Returns the bytes sent; raises OSError
    (BlockingIOError when the send buffer is full)."""
    if ((sender is None or sender.isNull()) and not ifindex and hop_limit == -1) or not HAVE_MSG:
        if sockaddr is None:
            return sock.send(data)
        return sock.sendto(data, sockaddr)
    ancillary: list[tuple[int, int, bytes]] = []
    source = sender if sender is not None else QHostAddress()
    if family_of(sock) == socket.AF_INET6:
        if hop_limit != -1 and IPV6_HOPLIMIT is not None:
            ancillary.append((socket.IPPROTO_IPV6, IPV6_HOPLIMIT, _INT.pack(hop_limit)))
        if (ifindex or not source.isNull()) and IPV6_PKTINFO is not None:
            packed = bytes(source.toIPv6Address()) if not source.isNull() else bytes(16)
            ancillary.append((socket.IPPROTO_IPV6, IPV6_PKTINFO,
                              _IN6_PKTINFO.pack(packed, ifindex)))
    else:
        if hop_limit != -1 and IP_TTL is not None:
            ancillary.append((socket.IPPROTO_IP, IP_TTL, _INT.pack(hop_limit)))
        if (ifindex or not source.isNull()) and IP_PKTINFO is not None:
            # Qt writes the sender into ipi_addr, which Linux ignores when sending (only
            # ipi_spec_dst picks the source): so an IPv4 sender address has no effect, as
            # with PyQt6 on Linux. The interface index does.
            value = source.toIPv4Address()[0]
            ancillary.append((socket.IPPROTO_IP, IP_PKTINFO,
                              _IN_PKTINFO.pack(ifindex, bytes(4), value.to_bytes(4, "big"))))
    if sockaddr is None:
        return sock.sendmsg([data], ancillary)
    return sock.sendmsg([data], ancillary, 0, sockaddr)


def send_error(exc: OSError) -> tuple[SocketError, str]:
    """Qt's error for a failed datagram send."""
    if exc.errno == errno.EMSGSIZE:
        return SocketError.DatagramTooLargeError, DATAGRAM_TOO_LARGE
    if exc.errno == errno.ECONNRESET:
        return SocketError.RemoteHostClosedError, "The remote host closed the connection"
    return SocketError.NetworkError, SEND_FAILED


def bind_error(exc: OSError) -> tuple[SocketError, str]:
    """Qt's error for a failed bind."""
    code = exc.errno
    if code == errno.EADDRINUSE:
        return SocketError.AddressInUseError, ADDRESS_IN_USE
    if code in (errno.EACCES, errno.EPERM):
        return SocketError.SocketAccessError, ADDRESS_PROTECTED
    if code == errno.EINVAL:
        return SocketError.UnsupportedSocketOperationError, UNSUPPORTED
    if code == errno.EADDRNOTAVAIL:
        return SocketError.SocketAddressNotAvailableError, ADDRESS_NOT_AVAILABLE
    return SocketError.UnknownSocketError, os.strerror(code) if code else str(exc)
