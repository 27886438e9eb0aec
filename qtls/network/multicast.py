"""Multicast membership and the outgoing multicast interface of a UDP socket.

Qt's native engine on Unix, in Python: joining or leaving a group is one ``setsockopt``
(IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP with an ``ip_mreq`` naming the interface by its IPv4
address, IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP with an ``ipv6_mreq`` naming it by index); the
outgoing interface is IP_MULTICAST_IF (an IPv4 address) or IPV6_MULTICAST_IF (an index).

Qt's rules, checked against PyQt6: an IPv4 group cannot be joined on a socket bound to an IPv6
address or to ``Any`` (a warning, False); a failure sets the socket layer's error but not the
socket's (``error()`` is unchanged and errorOccurred is not emitted); an interface without an
IPv4 address cannot carry an IPv4 group ("Network unreachable").
"""

from __future__ import annotations

import errno
import logging
import socket
import struct

from qtls.network.datagramio import family_of
from qtls.network.hostaddress import QHostAddress
from qtls.network.networkinterface import QNetworkInterface
from qtls.network.socketenums import NetworkLayerProtocol, SocketError

__all__: list[str] = []

_log = logging.getLogger("qtls")
_IPV4 = NetworkLayerProtocol.IPv4Protocol
_IPV6 = NetworkLayerProtocol.IPv6Protocol

#: What failed, as the socket layer's (error, text); None when it worked.
Failure = tuple[SocketError, str] | None

_UNREACHABLE = (SocketError.NetworkError, "Network unreachable")
_UNSUPPORTED_PROTOCOL = (SocketError.UnsupportedSocketOperationError,
                         "Protocol type not supported")


def socket_protocol(sock: socket.socket) -> NetworkLayerProtocol:
    """IPv4, IPv6, or Any for a dual-stack AF_INET6 socket (Qt's socketProtocol)."""
    if family_of(sock) == socket.AF_INET:
        return _IPV4
    try:
        v6only = sock.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)
    except OSError:
        v6only = 1
    return _IPV6 if v6only else NetworkLayerProtocol.AnyIPProtocol


def _ipv4_of(iface: QNetworkInterface) -> int | None:
    for entry in iface.addressEntries():
        ip = entry.ip()
        if ip.protocol() is _IPV4:
            return ip.toIPv4Address()[0]
    return None


def membership(sock: socket.socket, join: bool, group: QHostAddress,
               iface: QNetworkInterface) -> tuple[bool, Failure]:
    """Join (or leave) ``group`` on ``iface`` (invalid: the system's choice)."""
    protocol = group.protocol()
    if protocol is _IPV4 and socket_protocol(sock) is not _IPV4:
        _log.warning("QAbstractSocket: cannot bind to QHostAddress::Any (or an IPv6 address) "
                     "and join an IPv4 multicast group; bind to QHostAddress::AnyIPv4 instead "
                     "if you want to do this")
        return False, None
    if protocol is _IPV6:
        level = socket.IPPROTO_IPV6
        name = socket.IPV6_JOIN_GROUP if join else socket.IPV6_LEAVE_GROUP
        request = bytes(group.toIPv6Address()) + struct.pack("=I", iface.index())
    elif protocol is _IPV4:
        level = socket.IPPROTO_IP
        name = socket.IP_ADD_MEMBERSHIP if join else socket.IP_DROP_MEMBERSHIP
        local = 0
        if iface.isValid():
            found = _ipv4_of(iface)
            if found is None:
                return False, _UNREACHABLE
            local = found
        request = group.toIPv4Address()[0].to_bytes(4, "big") + local.to_bytes(4, "big")
    else:
        return False, _UNSUPPORTED_PROTOCOL
    try:
        sock.setsockopt(level, name, request)
    except OSError as exc:
        if exc.errno == errno.ENOPROTOOPT:
            return False, (SocketError.UnsupportedSocketOperationError,
                           "Operation on socket is not supported")
        if exc.errno == errno.EADDRNOTAVAIL:
            return False, (SocketError.SocketAddressNotAvailableError,
                           "The address is not available")
        return False, (SocketError.UnknownSocketError, "Unknown error")
    return True, None


def outgoing_interface(sock: socket.socket) -> QNetworkInterface:
    """The interface multicast leaves through (invalid: the routing table's choice)."""
    try:
        if socket_protocol(sock) is not _IPV4:
            index = sock.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF)
            return QNetworkInterface.interfaceFromIndex(index)
        raw = sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, 4)
    except OSError:
        return QNetworkInterface()
    address = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else 0
    if not address:
        return QNetworkInterface()
    for iface in QNetworkInterface.allInterfaces():
        if _ipv4_of(iface) == address:
            return iface
    return QNetworkInterface()


def set_outgoing_interface(sock: socket.socket, iface: QNetworkInterface) -> bool:
    """Send multicast through ``iface`` (invalid: back to the routing table's choice)."""
    try:
        if socket_protocol(sock) is not _IPV4:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, iface.index())
            return True
        if iface.isValid():
            address = _ipv4_of(iface)
            if address is None:
                return False
        else:
            address = 0
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, address.to_bytes(4, "big"))
    except OSError:
        return False
    return True
