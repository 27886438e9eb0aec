"""QAbstractSocket.SocketOption on a real socket: setsockopt/getsockopt, per address family."""

from __future__ import annotations

import socket

from qtls.network.socketenums import SocketOption

__all__: list[str] = []

# Linux values where the socket module has no name for them.
_IP_MTU = getattr(socket, "IP_MTU", 14)
_IPV6_MTU = getattr(socket, "IPV6_MTU", 24)


def _level_and_name(sock: socket.socket, option: SocketOption) -> tuple[int, int] | None:
    """The (level, optname) pair for ``option`` on ``sock``'s family, or None."""
    v6 = sock.family == socket.AF_INET6
    O = SocketOption  # noqa: E741
    table: dict[SocketOption, tuple[int, int] | None] = {
        O.LowDelayOption: (socket.IPPROTO_TCP, socket.TCP_NODELAY),
        O.KeepAliveOption: (socket.SOL_SOCKET, socket.SO_KEEPALIVE),
        O.SendBufferSizeSocketOption: (socket.SOL_SOCKET, socket.SO_SNDBUF),
        O.ReceiveBufferSizeSocketOption: (socket.SOL_SOCKET, socket.SO_RCVBUF),
        O.MulticastTtlOption: (socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS) if v6
        else (socket.IPPROTO_IP, socket.IP_MULTICAST_TTL),
        O.MulticastLoopbackOption: (socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP) if v6
        else (socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP),
        O.TypeOfServiceOption: (socket.IPPROTO_IPV6, socket.IPV6_TCLASS) if v6
        else (socket.IPPROTO_IP, socket.IP_TOS),
        O.PathMtuSocketOption: (socket.IPPROTO_IPV6, _IPV6_MTU) if v6
        else (socket.IPPROTO_IP, _IP_MTU),
        O.KeepAliveIdleOption: (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPIDLE", 4)),
        O.KeepAliveIntervalOption: (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPINTVL", 5)),
        O.KeepAliveCountOption: (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPCNT", 6)),
    }
    return table.get(option)


def set_option(sock: socket.socket, option: SocketOption, value: int) -> bool:
    """setsockopt for ``option``; False when the platform or socket refuses it."""
    pair = _level_and_name(sock, option)
    if pair is None:
        return False
    if option in (SocketOption.LowDelayOption, SocketOption.KeepAliveOption):
        value = 1 if value else 0
    try:
        sock.setsockopt(pair[0], pair[1], value)
    except OSError:
        return False
    return True


def get_option(sock: socket.socket, option: SocketOption) -> int | None:
    """getsockopt for ``option``; None when it cannot be read (Qt: an invalid QVariant)."""
    pair = _level_and_name(sock, option)
    if pair is None:
        return None
    try:
        return sock.getsockopt(pair[0], pair[1])
    except OSError:
        return None
