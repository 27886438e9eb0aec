"""QNetworkInterface and QNetworkAddressEntry: the host's interfaces, as multicast needs them.

QUdpSocket's multicast API takes and returns a QNetworkInterface (join a group on an
interface, send multicast through one), so qtls has the class, read from the kernel with the
standard library only (Linux): the names and indexes from ``if_nameindex()``, the flags, the
IPv4 address, netmask and broadcast address from ``ioctl`` (SIOCGIFFLAGS, SIOCGIFADDR,
SIOCGIFNETMASK), the IPv6 addresses from ``/proc/net/if_inet6``, the type, MTU and hardware
address from ``/sys/class/net``. Values are read when an interface is looked up, never
cached: an interface object is a snapshot, as Qt's is.

Differences from Qt, on purpose: one IPv4 address per interface (the primary one, what
SIOCGIFADDR reports; Qt's netlink reader also lists secondary ones); QNetworkAddressEntry has
the address, netmask, prefix length and broadcast but no DNS eligibility or address
lifetimes. Elsewhere than Linux only the names and indexes are known.
"""

from __future__ import annotations

import enum
import fcntl
import ipaddress
import socket
import struct
from pathlib import Path

from qtls.network.hostaddress import QHostAddress
from qtls.network.socketenums import NetworkLayerProtocol

__all__ = ["QNetworkAddressEntry", "QNetworkInterface"]

_SIOCGIFFLAGS = 0x8913
_SIOCGIFADDR = 0x8915
_SIOCGIFNETMASK = 0x891B
_IFF_UP, _IFF_BROADCAST, _IFF_LOOPBACK, _IFF_POINTOPOINT = 0x1, 0x2, 0x8, 0x10
_IFF_RUNNING, _IFF_MULTICAST = 0x40, 0x1000
_SYS = Path("/sys/class/net")
_IF_INET6 = Path("/proc/net/if_inet6")
# ARPHRD_* values of /sys/class/net/<name>/type that Qt names.
_ARPHRD_ETHER, _ARPHRD_LOOPBACK, _ARPHRD_PPP, _ARPHRD_SLIP = 1, 772, 512, 256
_ARPHRD_IEEE1394, _ARPHRD_FDDI, _ARPHRD_CAN, _ARPHRD_IEEE802154 = 24, 774, 280, 804
_ARPHRD_PHONET, _ARPHRD_NONE = 820, 0xFFFE


def _prefix_mask(protocol: NetworkLayerProtocol, length: int) -> QHostAddress:
    if protocol is NetworkLayerProtocol.IPv4Protocol:
        return QHostAddress(int(ipaddress.IPv4Network(f"0.0.0.0/{length}").netmask))
    return QHostAddress(ipaddress.IPv6Network(f"::/{length}").netmask.packed)


class QNetworkAddressEntry:
    """One address of an interface: IP, netmask / prefix length, broadcast (Qt:
    QNetworkAddressEntry; without DNS eligibility and lifetimes, see the module docstring)."""

    __slots__ = ("_ip", "_netmask", "_prefix", "_broadcast")

    def __init__(self, other: QNetworkAddressEntry | None = None) -> None:
        self._ip = QHostAddress()
        self._netmask = QHostAddress()
        self._prefix = -1
        self._broadcast = QHostAddress()
        if other is not None:
            if not isinstance(other, QNetworkAddressEntry):
                raise TypeError("QNetworkAddressEntry(): argument 1 has unexpected type "
                                f"'{type(other).__name__}'")
            self._ip, self._netmask = QHostAddress(other._ip), QHostAddress(other._netmask)
            self._prefix, self._broadcast = other._prefix, QHostAddress(other._broadcast)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QNetworkAddressEntry):
            return NotImplemented
        return (self._ip == other._ip and self._netmask == other._netmask
                and self._broadcast == other._broadcast)

    __hash__ = None  # type: ignore[assignment]  # mutable value type, as in PyQt6

    def __repr__(self) -> str:
        return f"<QNetworkAddressEntry {self._ip.toString()}/{self._prefix}>"

    def ip(self) -> QHostAddress:
        """The address."""
        return QHostAddress(self._ip)

    def setIp(self, newIp: QHostAddress) -> None:
        """Set the address."""
        self._ip = QHostAddress(newIp)

    def netmask(self) -> QHostAddress:
        """The netmask (for IPv6 the prefix written as a mask)."""
        return QHostAddress(self._netmask)

    def setNetmask(self, newNetmask: QHostAddress) -> None:
        """Set the netmask; ignored unless it is a contiguous mask of the address's family."""
        mask = QHostAddress(newNetmask)
        if mask.protocol() is not self._ip.protocol():
            return
        bits = (mask.toIPv4Address()[0] if mask.protocol() is NetworkLayerProtocol.IPv4Protocol
                else int.from_bytes(bytes(mask.toIPv6Address()), "big"))
        width = 32 if mask.protocol() is NetworkLayerProtocol.IPv4Protocol else 128
        length = bin(bits).count("1")
        if bits != ((1 << length) - 1) << (width - length):
            return
        self._netmask, self._prefix = mask, length

    def prefixLength(self) -> int:
        """The prefix length (-1 when unknown)."""
        return self._prefix

    def setPrefixLength(self, length: int) -> None:
        """Set the prefix length; ignored when out of range for the address's family."""
        protocol = self._ip.protocol()
        width = {NetworkLayerProtocol.IPv4Protocol: 32,
                 NetworkLayerProtocol.IPv6Protocol: 128}.get(protocol)
        if width is None or not 0 <= length <= width:
            return
        self._prefix = length
        self._netmask = _prefix_mask(protocol, length)

    def broadcast(self) -> QHostAddress:
        """The IPv4 broadcast address (null for IPv6)."""
        return QHostAddress(self._broadcast)

    def setBroadcast(self, newBroadcast: QHostAddress) -> None:
        """Set the broadcast address."""
        self._broadcast = QHostAddress(newBroadcast)

    def swap(self, other: QNetworkAddressEntry) -> None:
        """Exchange the contents of this entry and ``other``."""
        for name in QNetworkAddressEntry.__slots__:
            mine = getattr(self, name)
            setattr(self, name, getattr(other, name))
            setattr(other, name, mine)


class QNetworkInterface:
    """A network interface of this host (Qt: QNetworkInterface), a snapshot value type.

    ``QNetworkInterface()`` is invalid (index 0, no name); ``interfaceFromName``,
    ``interfaceFromIndex`` and ``allInterfaces`` read the kernel's view (see the module
    docstring for what is read and how it differs from Qt).
    """

    class InterfaceFlag(enum.Flag):
        """Qt: QNetworkInterface::InterfaceFlag."""

        IsUp = 1
        IsRunning = 2
        CanBroadcast = 4
        IsLoopBack = 8
        IsPointToPoint = 16
        CanMulticast = 32

    class InterfaceType(enum.Enum):
        """Qt: QNetworkInterface::InterfaceType."""

        Unknown = 0
        Loopback = 1
        Virtual = 2
        Ethernet = 3
        Slip = 4
        CanBus = 5
        Ppp = 6
        Fddi = 7
        Wifi = 8
        Phonet = 9
        Ieee802154 = 10
        SixLoWPAN = 11
        Ieee80216 = 12
        Ieee1394 = 13
        Ieee80211 = 8

    __slots__ = ("_index", "_name", "_flags", "_type", "_mtu", "_hardware", "_entries")

    def __init__(self, other: QNetworkInterface | None = None) -> None:
        self._index = 0
        self._name = ""
        self._flags = QNetworkInterface.InterfaceFlag(0)
        self._type = QNetworkInterface.InterfaceType.Unknown
        self._mtu = 0
        self._hardware = ""
        self._entries: list[QNetworkAddressEntry] = []
        if other is not None:
            if not isinstance(other, QNetworkInterface):
                raise TypeError("QNetworkInterface(): argument 1 has unexpected type "
                                f"'{type(other).__name__}'")
            for name in QNetworkInterface.__slots__:
                setattr(self, name, getattr(other, name))
            self._entries = [QNetworkAddressEntry(e) for e in other._entries]

    def __repr__(self) -> str:
        if not self.isValid():
            return "<QNetworkInterface invalid>"
        return f"<QNetworkInterface {self._name} index={self._index}>"

    # ----------------------------------------------------------------- the value

    def isValid(self) -> bool:
        """True for an interface that was found (it has a name)."""
        return bool(self._name)

    def index(self) -> int:
        """The kernel's interface index (0 for an invalid interface)."""
        return self._index

    def name(self) -> str:
        """The interface name (``lo``, ``eth0``)."""
        return self._name

    def humanReadableName(self) -> str:
        """The name, as on Unix."""
        return self._name

    def flags(self) -> QNetworkInterface.InterfaceFlag:
        """Up, running, broadcast, loopback, point-to-point, multicast."""
        return self._flags

    def type(self) -> QNetworkInterface.InterfaceType:
        """The link type (Loopback, Ethernet, Wifi, ...)."""
        return self._type

    def maximumTransmissionUnit(self) -> int:
        """The MTU (0 when unknown)."""
        return self._mtu

    def hardwareAddress(self) -> str:
        """The link-layer address as ``AA:BB:..`` (empty when there is none)."""
        return self._hardware

    def addressEntries(self) -> list[QNetworkAddressEntry]:
        """The interface's addresses (copies)."""
        return [QNetworkAddressEntry(e) for e in self._entries]

    def swap(self, other: QNetworkInterface) -> None:
        """Exchange the contents of this interface and ``other``."""
        for name in QNetworkInterface.__slots__:
            mine = getattr(self, name)
            setattr(self, name, getattr(other, name))
            setattr(other, name, mine)

    # ----------------------------------------------------------------- lookups

    @staticmethod
    def interfaceFromName(name: str | None) -> QNetworkInterface:
        """The interface called ``name`` (a number is taken as an index), or an invalid one."""
        name = name or ""
        if name.isdigit():
            return QNetworkInterface.interfaceFromIndex(int(name))
        try:
            index = socket.if_nametoindex(name)
        except OSError:
            return QNetworkInterface()
        return _read(index, name)

    @staticmethod
    def interfaceFromIndex(index: int) -> QNetworkInterface:
        """The interface with kernel index ``index``, or an invalid one."""
        try:
            name = socket.if_indextoname(index) if index > 0 else ""
        except OSError:
            name = ""
        return _read(index, name) if name else QNetworkInterface()

    @staticmethod
    def interfaceIndexFromName(name: str | None) -> int:
        """The index of the interface called ``name``, or 0."""
        try:
            return socket.if_nametoindex(name or "")
        except OSError:
            return 0

    @staticmethod
    def interfaceNameFromIndex(index: int) -> str:
        """The name of the interface with index ``index``, or an empty string."""
        try:
            return socket.if_indextoname(index) if index > 0 else ""
        except OSError:
            return ""

    @staticmethod
    def allInterfaces() -> list[QNetworkInterface]:
        """Every interface of the host, by index."""
        return [_read(index, name) for index, name in sorted(socket.if_nameindex())]

    @staticmethod
    def allAddresses() -> list[QHostAddress]:
        """Every address of every interface that is up."""
        return [entry.ip() for iface in QNetworkInterface.allInterfaces()
                if iface._flags & QNetworkInterface.InterfaceFlag.IsUp
                for entry in iface._entries]


# --------------------------------------------------------------------------- reading

def _ioctl(sock: socket.socket, request: int, name: str) -> bytes | None:
    try:
        return fcntl.ioctl(sock.fileno(), request, struct.pack("256s", name.encode()[:15]))
    except OSError:
        return None


def _sys_text(name: str, leaf: str) -> str:
    try:
        return (_SYS / name / leaf).read_text().strip()
    except OSError:
        return ""


def _type_of(name: str, arphrd: str) -> QNetworkInterface.InterfaceType:
    T = QNetworkInterface.InterfaceType
    if (_SYS / name / "wireless").exists() or (_SYS / name / "phy80211").exists():
        return T.Wifi
    table = {_ARPHRD_ETHER: T.Ethernet, _ARPHRD_LOOPBACK: T.Loopback, _ARPHRD_PPP: T.Ppp,
             _ARPHRD_SLIP: T.Slip, _ARPHRD_IEEE1394: T.Ieee1394, _ARPHRD_FDDI: T.Fddi,
             _ARPHRD_CAN: T.CanBus, _ARPHRD_IEEE802154: T.Ieee802154,
             _ARPHRD_PHONET: T.Phonet, _ARPHRD_NONE: T.Virtual}
    return table.get(int(arphrd), T.Unknown) if arphrd.isdigit() else T.Unknown


def _ipv6_entries(name: str) -> list[QNetworkAddressEntry]:
    try:
        lines = _IF_INET6.read_text().splitlines()
    except OSError:
        return []
    entries = []
    # Global addresses before link-local ones, the order Qt's netlink reader gives.
    rows = sorted((line.split() for line in lines), key=lambda f: int(f[3], 16) if len(f) > 3 else 0)
    for fields in rows:
        if len(fields) < 6 or fields[5] != name:
            continue
        address = QHostAddress(bytes.fromhex(fields[0]))
        if int(fields[3], 16) == 0x20:  # link-local scope: the interface is part of the address
            address.setScopeId(name)
        entry = QNetworkAddressEntry()
        entry.setIp(address)
        entry.setPrefixLength(int(fields[2], 16))
        entries.append(entry)
    return entries


def _read(index: int, name: str) -> QNetworkInterface:
    F = QNetworkInterface.InterfaceFlag
    iface = QNetworkInterface()
    iface._index, iface._name = index, name
    entries: list[QNetworkAddressEntry] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        raw = _ioctl(probe, _SIOCGIFFLAGS, name)
        kernel_flags = struct.unpack_from("H", raw, 16)[0] if raw else 0
        address = _ioctl(probe, _SIOCGIFADDR, name)
        if address is not None:
            mask = _ioctl(probe, _SIOCGIFNETMASK, name)
            entry = QNetworkAddressEntry()
            entry.setIp(QHostAddress(int.from_bytes(address[20:24], "big")))
            if mask is not None:
                entry.setNetmask(QHostAddress(int.from_bytes(mask[20:24], "big")))
                if 0 <= entry.prefixLength() < 32:
                    ip = entry.ip().toIPv4Address()[0]
                    host_bits = (1 << (32 - entry.prefixLength())) - 1
                    entry.setBroadcast(QHostAddress(ip | host_bits))
            entries.append(entry)
    flags = F(0)
    for bit, flag in ((_IFF_UP, F.IsUp), (_IFF_RUNNING, F.IsRunning),
                      (_IFF_BROADCAST, F.CanBroadcast), (_IFF_LOOPBACK, F.IsLoopBack),
                      (_IFF_POINTOPOINT, F.IsPointToPoint), (_IFF_MULTICAST, F.CanMulticast)):
        if kernel_flags & bit:
            flags |= flag
    iface._flags = flags
    iface._entries = entries + _ipv6_entries(name)
    iface._type = _type_of(name, _sys_text(name, "type"))
    mtu = _sys_text(name, "mtu")
    iface._mtu = int(mtu) if mtu.isdigit() else 0
    iface._hardware = _sys_text(name, "address").upper()
    return iface
