"""QHostAddress: IPv4/IPv6 addresses and the special addresses, on the ipaddress module.

An address is stored as Qt stores it: a protocol, the 16 bytes of the IPv6 form (an IPv4
address kept as its v4-mapped form ``::ffff:a.b.c.d``, so hashing is one rule for all) and,
for IPv6, a scope id. Parsing follows Qt, which is looser than ``ipaddress`` for IPv4: it
accepts the ``inet_aton`` forms (``127.1``, ``0x7f.0.0.1``, octal ``010.0.0.1``) and
surrounding whitespace; IPv6 text goes through ``ipaddress.IPv6Address``. Every rule below
was checked against PyQt6 6.11 (see tests/network/test_hostaddress.py, which compares a table
of inputs with PyQt6's answers).
"""

from __future__ import annotations

import enum
import ipaddress
import re
from collections.abc import Sequence
from typing import Any

from qtls.network.socketenums import NetworkLayerProtocol

__all__ = ["QHostAddress"]

_IPV4 = NetworkLayerProtocol.IPv4Protocol
_IPV6 = NetworkLayerProtocol.IPv6Protocol
_ANY = NetworkLayerProtocol.AnyIPProtocol
_UNKNOWN = NetworkLayerProtocol.UnknownNetworkLayerProtocol

_ZERO16 = bytes(16)
_V4_MAPPED_PREFIX = bytes(10) + b"\xff\xff"

# One inet_aton number: hexadecimal, octal (leading 0) or decimal, as strtoul(base 0) reads it.
_IPV4_PART = re.compile(r"\+?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)\Z")
# QString::toUInt in base 10: optional '+', decimal digits (whitespace is stripped before).
_DECIMAL = re.compile(r"\+?[0-9]+\Z")


class _Class(enum.IntFlag):
    """Address classes; every class >= GLOBAL counts as global (Qt's classification)."""

    UNKNOWN = 0
    LOOPBACK = 1
    LOCAL_NET = 2
    LINK_LOCAL = 3
    MULTICAST = 4
    BROADCAST = 5
    GLOBAL = 16
    TEST_NETWORK = 17
    PRIVATE_NETWORK = 18
    UNIQUE_LOCAL = 19
    SITE_LOCAL = 20


def _parse_ipv4(text: str) -> int | None:
    """Parse Qt's (inet_aton's) IPv4 forms: 1 to 4 numbers, the last filling the rest."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values = []
    for part in parts:
        if not _IPV4_PART.match(part):
            return None
        digits = part.lstrip("+")
        if digits[:2] in ("0x", "0X"):
            values.append(int(digits[2:], 16))
        elif digits.startswith("0"):
            values.append(int(digits, 8))
        else:
            values.append(int(digits))
    *leading, last = values
    if any(v > 0xFF for v in leading):
        return None
    if last >= 1 << (8 * (4 - len(leading))):
        return None
    address = 0
    for v in leading:
        address = (address << 8) | v
    return (address << (8 * (4 - len(leading)))) | last


def _parse_ipv6(text: str) -> tuple[bytes, str] | None:
    """Parse an IPv6 literal with an optional ``%scope``; None when it is not one."""
    address, percent, scope = text.partition("%")
    if "%" in scope:
        return None
    try:
        packed = ipaddress.IPv6Address(address).packed
    except ValueError:
        return None
    return packed, scope if percent else ""


def _dotted(value: int) -> str:
    return f"{value >> 24}.{(value >> 16) & 0xFF}.{(value >> 8) & 0xFF}.{value & 0xFF}"


def _classify_ipv4(a: int) -> _Class:
    top = a >> 24
    if a == 0 or top == 0:
        return _Class.LOCAL_NET if a else _Class.UNKNOWN
    if top == 127:
        return _Class.LOOPBACK
    if a >> 16 == 0xA9FE:  # 169.254.0.0/16
        return _Class.LINK_LOCAL
    if a >> 28 == 0xE:  # 224.0.0.0/4
        return _Class.MULTICAST
    if a >> 28 == 0xF:  # 240.0.0.0/4: reserved, except the limited broadcast address
        return _Class.BROADCAST if a == 0xFFFFFFFF else _Class.UNKNOWN
    if top == 10 or a >> 20 == 0xAC1 or a >> 16 == 0xC0A8:  # RFC 1918
        return _Class.PRIVATE_NETWORK
    if a >> 8 in (0xC00002, 0xC63364, 0xCB0071):  # RFC 5737 documentation networks
        return _Class.TEST_NETWORK
    return _Class.GLOBAL


def _classify_ipv6(a6: bytes) -> _Class:
    if a6.startswith(_V4_MAPPED_PREFIX):
        return _classify_ipv4(int.from_bytes(a6[12:], "big"))
    if a6[:15] == bytes(15):
        if a6[15] == 0:
            return _Class.UNKNOWN
        if a6[15] == 1:
            return _Class.LOOPBACK
    first, second = a6[0], a6[1]
    if first == 0xFF:
        return _Class.MULTICAST
    if first == 0xFE:
        if second & 0xC0 == 0x80:
            return _Class.LINK_LOCAL
        if second & 0xC0 == 0xC0:
            return _Class.SITE_LOCAL
        return _Class.UNKNOWN
    if first & 0xFE == 0xFC:
        return _Class.UNIQUE_LOCAL
    if a6[:4] == b"\x20\x01\x0d\xb8":  # 2001:db8::/32, RFC 3849
        return _Class.TEST_NETWORK
    return _Class.GLOBAL


def _clear_bits(data: bytes, keep_bits: int) -> bytes:
    """Zero every bit after the first ``keep_bits`` bits of ``data``."""
    total = len(data) * 8
    value = int.from_bytes(data, "big")
    mask = ((1 << total) - 1) ^ ((1 << (total - keep_bits)) - 1)
    return (value & mask).to_bytes(len(data), "big")


def _to_uint(text: str) -> int | None:
    text = text.strip()
    return int(text) if _DECIMAL.match(text) else None


class QHostAddress:
    """An IPv4 or IPv6 address (Qt: QHostAddress), a value type.

    Constructed from a string, an IPv4 integer, 16 IPv6 bytes (tuple, list or bytes, as PyQt6
    accepts), another QHostAddress or a ``SpecialAddress``. Text that is not an address gives
    a null address (``isNull()``), never an exception. ``==`` is Qt's strict comparison;
    ``isEqual`` with the default TolerantConversion also matches v4-mapped IPv6 with IPv4.
    qtls adds a readable ``repr``; otherwise it behaves as PyQt6's.
    """

    class SpecialAddress(enum.Enum):
        """Well-known addresses (Qt: QHostAddress::SpecialAddress)."""

        Null = 0
        Broadcast = 1
        LocalHost = 2
        LocalHostIPv6 = 3
        AnyIPv4 = 6
        AnyIPv6 = 5
        Any = 4

    class ConversionModeFlag(enum.Flag):
        """What isEqual treats as the same address across IPv4 and IPv6."""

        StrictConversion = 0
        ConvertV4MappedToIPv4 = 1
        ConvertV4CompatToIPv4 = 2
        ConvertUnspecifiedAddress = 4
        ConvertLocalHost = 8
        TolerantConversion = 255

    __slots__ = ("_protocol", "_a6", "_scope")

    def __init__(self, *args: Any) -> None:
        self._protocol: NetworkLayerProtocol = _UNKNOWN
        self._a6: bytes = _ZERO16
        self._scope: str = ""
        if len(args) > 1:
            raise TypeError(f"QHostAddress() takes at most 1 argument ({len(args)} given)")
        if not args:
            return
        (value,) = args
        if isinstance(value, QHostAddress):
            self._protocol, self._a6, self._scope = value._protocol, value._a6, value._scope
        elif isinstance(value, (QHostAddress.SpecialAddress, str, int)) or value is None:
            self.setAddress(value)
        elif isinstance(value, (tuple, list, bytes, bytearray)) and len(value) == 16:
            self.setAddress(value)
        else:
            raise TypeError(
                f"QHostAddress(): argument 1 has unexpected type '{type(value).__name__}'"
            )

    # --- setting ---------------------------------------------------------------------------

    def setAddress(self, address: Any) -> bool | None:
        """Set the address from text, an IPv4 integer, 16 IPv6 bytes or a SpecialAddress.

        Only the text overload returns a value (True when the text is an address, as Qt);
        text that is not an address leaves this address null.
        """
        self._scope = ""
        if address is None or isinstance(address, str):
            return self._set_text(address or "")
        if isinstance(address, QHostAddress.SpecialAddress):
            self._set_special(address)
        elif isinstance(address, int):
            if not 0 <= address <= 0xFFFFFFFF:
                raise OverflowError(
                    "argument 1 overflowed: value must be in the range 0 to 4294967295"
                )
            self._set_ipv4(int(address))
        elif isinstance(address, (tuple, list, bytes, bytearray)) and len(address) == 16:
            self._set_ipv6(_ipv6_bytes(address))
        else:
            raise TypeError(
                f"setAddress(): argument 1 has unexpected type '{type(address).__name__}'"
            )
        return None

    def _set_ipv4(self, value: int) -> None:
        self._protocol = _IPV4
        # Qt keeps 0.0.0.0 as all-zero IPv6 bytes (so it hashes like ::), others v4-mapped.
        self._a6 = _V4_MAPPED_PREFIX + value.to_bytes(4, "big") if value else _ZERO16

    def _set_ipv6(self, packed: bytes) -> None:
        self._protocol = _IPV6
        self._a6 = packed

    def _set_text(self, text: str) -> bool:
        text = text.strip()
        if ":" in text:
            parsed = _parse_ipv6(text)
            if parsed is not None:
                self._set_ipv6(parsed[0])
                self._scope = parsed[1]
                return True
        else:
            value = _parse_ipv4(text) if text else None
            if value is not None:
                self._set_ipv4(value)
                return True
        self.clear()
        return False

    def _set_special(self, special: QHostAddress.SpecialAddress) -> None:
        S = QHostAddress.SpecialAddress
        if special is S.Null:
            self.clear()
        elif special is S.Broadcast:
            self._set_ipv4(0xFFFFFFFF)
        elif special is S.LocalHost:
            self._set_ipv4(0x7F000001)
        elif special is S.AnyIPv4:
            self._set_ipv4(0)
        elif special is S.LocalHostIPv6:
            self._set_ipv6(bytes(15) + b"\x01")
        elif special is S.AnyIPv6:
            self._set_ipv6(_ZERO16)
        else:  # Any: the dual-stack wildcard; Qt keeps its IPv6 bytes at zero.
            self._protocol = _ANY
            self._a6 = _ZERO16

    def clear(self) -> None:
        """Make this the null address (protocol UnknownNetworkLayerProtocol)."""
        self._protocol = _UNKNOWN
        self._a6 = _ZERO16
        self._scope = ""

    def swap(self, other: QHostAddress) -> None:
        """Exchange the contents of this address and ``other``."""
        if not isinstance(other, QHostAddress):
            raise TypeError(f"swap(): argument 1 has unexpected type '{type(other).__name__}'")
        mine = (self._protocol, self._a6, self._scope)
        self._protocol, self._a6, self._scope = other._protocol, other._a6, other._scope
        other._protocol, other._a6, other._scope = mine

    def setScopeId(self, id: str | None) -> None:
        """Set the IPv6 scope (interface name or number); ignored for non-IPv6 addresses."""
        if self._protocol is _IPV6:
            self._scope = id or ""

    # --- reading ---------------------------------------------------------------------------

    def protocol(self) -> NetworkLayerProtocol:
        """IPv4Protocol, IPv6Protocol, AnyIPProtocol (SpecialAddress.Any) or Unknown (null)."""
        return self._protocol

    def isNull(self) -> bool:
        """True for the null address (default-constructed, cleared or unparsable text)."""
        return self._protocol is _UNKNOWN

    def scopeId(self) -> str:
        """The IPv6 scope id (``eth0`` in ``fe80::1%eth0``); empty when there is none."""
        return self._scope

    def _ipv4(self) -> int:
        return int.from_bytes(self._a6[12:], "big")

    def toIPv4Address(self) -> tuple[int, bool]:
        """(address, ok): the IPv4 value; IPv6 converts only when v4-mapped or ``::``."""
        if self._protocol in (_IPV4, _ANY):
            return self._ipv4(), True
        if self._protocol is _IPV6:
            converted = _convert_to_ipv4(
                self._a6,
                QHostAddress.ConversionModeFlag.ConvertV4MappedToIPv4
                | QHostAddress.ConversionModeFlag.ConvertUnspecifiedAddress,
            )
            if converted is not None:
                return converted, True
        return 0, False

    def toIPv6Address(self) -> tuple[int, ...]:
        """The 16 bytes of the IPv6 form; IPv4 gives its v4-mapped form, null gives zeros."""
        return tuple(self._a6)

    def toString(self) -> str:
        """Text form: dotted IPv4, RFC 5952 IPv6 (with ``%scope``), empty for null."""
        if self._protocol in (_IPV4, _ANY):
            return _dotted(self._ipv4())
        if self._protocol is not _IPV6:
            return ""
        a6 = self._a6
        if a6.startswith(_V4_MAPPED_PREFIX):
            text = "::ffff:" + _dotted(self._ipv4())
        elif a6[:12] == bytes(12) and (a6[12] or a6[13]):
            text = "::" + _dotted(self._ipv4())  # IPv4-compatible form, written as Qt does
        else:
            text = ipaddress.IPv6Address(a6).compressed
        return f"{text}%{self._scope}" if self._scope else text

    # --- classification --------------------------------------------------------------------

    def _class(self) -> _Class:
        if self._protocol is _IPV4:
            return _classify_ipv4(self._ipv4())
        if self._protocol is _IPV6:
            return _classify_ipv6(self._a6)
        return _Class.UNKNOWN

    def isLoopback(self) -> bool:
        """True for 127.0.0.0/8, ::1 and v4-mapped loopback."""
        return self._class() is _Class.LOOPBACK

    def isMulticast(self) -> bool:
        """True for 224.0.0.0/4 and ff00::/8."""
        return self._class() is _Class.MULTICAST

    def isLinkLocal(self) -> bool:
        """True for 169.254.0.0/16 and fe80::/10."""
        return self._class() is _Class.LINK_LOCAL

    def isBroadcast(self) -> bool:
        """True only for 255.255.255.255 (and its v4-mapped form)."""
        return self._class() is _Class.BROADCAST

    def isGlobal(self) -> bool:
        """True for routable unicast, which in Qt includes private, test and ULA networks."""
        return bool(self._class() & _Class.GLOBAL)

    def isPrivateUse(self) -> bool:
        """True for RFC 1918 IPv4 networks and IPv6 unique local addresses (fc00::/7)."""
        return self._class() in (_Class.PRIVATE_NETWORK, _Class.UNIQUE_LOCAL)

    def isSiteLocal(self) -> bool:
        """True for the deprecated IPv6 site-local range fec0::/10."""
        return self._class() is _Class.SITE_LOCAL

    def isUniqueLocalUnicast(self) -> bool:
        """True for IPv6 unique local addresses (fc00::/7)."""
        return self._class() is _Class.UNIQUE_LOCAL

    # --- comparison ------------------------------------------------------------------------

    def isEqual(
        self,
        address: QHostAddress | QHostAddress.SpecialAddress,
        mode: QHostAddress.ConversionModeFlag = ConversionModeFlag.TolerantConversion,
    ) -> bool:
        """Compare with ``address``; ``mode`` says which IPv4/IPv6 forms count as equal."""
        other = _as_address(address, "isEqual")
        if not isinstance(mode, QHostAddress.ConversionModeFlag):
            raise TypeError(f"isEqual(): argument 2 has unexpected type '{type(mode).__name__}'")
        return _equal(self, other, mode)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, QHostAddress):
            return _equal(self, other, QHostAddress.ConversionModeFlag.StrictConversion)
        if isinstance(other, QHostAddress.SpecialAddress):
            return self._equals_special(other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def _equals_special(self, special: QHostAddress.SpecialAddress) -> bool:
        S = QHostAddress.SpecialAddress
        if special is S.Null:
            return self._protocol is _UNKNOWN
        if special is S.Any:
            return self._protocol is _ANY
        return _equal(self, QHostAddress(special), QHostAddress.ConversionModeFlag.StrictConversion)

    def __hash__(self) -> int:
        # Qt hashes the 16 IPv6 bytes, so addresses equal under any mode hash alike.
        return hash(self._a6)

    # --- subnets ---------------------------------------------------------------------------

    def isInSubnet(self, subnet: Any, netmask: int | None = None) -> bool:
        """True when this address lies in ``subnet``/``netmask`` (or a parseSubnet pair).

        The subnet must have this address's protocol (an IPv4 address is not in an IPv6
        subnet, even v4-mapped), as in Qt.
        """
        if netmask is None:
            if not (isinstance(subnet, tuple) and len(subnet) == 2):
                raise TypeError("isInSubnet(): expected (QHostAddress, int) or two arguments")
            subnet, netmask = subnet
        network = _as_address(subnet, "isInSubnet")
        if not isinstance(netmask, int):
            raise TypeError(
                f"isInSubnet(): argument 2 has unexpected type '{type(netmask).__name__}'"
            )
        if network._protocol is not self._protocol or netmask < 0:
            return False
        if self._protocol is _IPV4:
            width, mine, theirs = 32, self._a6[12:], network._a6[12:]
        elif self._protocol is _IPV6:
            width, mine, theirs = 128, self._a6, network._a6
        else:
            return False
        if netmask > width:
            return False
        return _clear_bits(mine, netmask) == _clear_bits(theirs, netmask)

    @staticmethod
    def parseSubnet(subnet: str | None) -> tuple[QHostAddress, int]:
        """Parse ``address/prefix`` (or an IPv4 mask, or a partial IPv4 like ``10.1``).

        Returns (network, prefix length) with the host bits cleared, or (null, -1) when the
        text is not a subnet.
        """
        if subnet is not None and not isinstance(subnet, str):
            raise TypeError(
                f"parseSubnet(): argument 1 has unexpected type '{type(subnet).__name__}'"
            )
        invalid = (QHostAddress(), -1)
        if not subnet:
            return invalid
        net_text, slash, mask_text = subnet.partition("/")
        is_ipv6 = ":" in net_text
        netmask = -1
        if slash:
            if not is_ipv6 and "." in mask_text:
                mask = QHostAddress()
                if not mask._set_text(mask_text) or mask._protocol is not _IPV4:
                    return invalid
                bits = format(mask._ipv4(), "032b")
                if "01" in bits:  # not a contiguous run of leading ones
                    return invalid
                netmask = bits.count("1")
            else:
                parsed = _to_uint(mask_text)
                if parsed is None:
                    return invalid
                netmask = parsed
        if is_ipv6:
            if netmask > 128:
                return invalid
            netmask = 128 if netmask < 0 else netmask
            network = QHostAddress()
            if not network._set_text(net_text):
                return invalid
            network._a6 = _clear_bits(network._a6, netmask)
            return network, netmask
        if netmask > 32:
            return invalid
        parts = net_text.split(".")
        if len(parts) > 4:
            return invalid
        if parts[-1] == "":
            parts.pop()
        value = 0
        for part in parts:
            byte = _to_uint(part)
            if byte is None or byte > 255:
                return invalid
            value = (value << 8) | byte
        value <<= 8 * (4 - len(parts))
        if netmask < 0:
            netmask = 8 * len(parts)
        value = int.from_bytes(_clear_bits(value.to_bytes(4, "big"), netmask), "big")
        return QHostAddress(value), netmask

    # --- Python protocol -------------------------------------------------------------------

    def __copy__(self) -> QHostAddress:
        return QHostAddress(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> QHostAddress:
        return QHostAddress(self)

    def __repr__(self) -> str:
        text = self.toString() if not self.isNull() else "null"
        if self._protocol is _ANY:
            text = "Any"
        return f"<QHostAddress {text}>"


def _as_address(value: Any, method: str) -> QHostAddress:
    if isinstance(value, QHostAddress):
        return value
    if isinstance(value, QHostAddress.SpecialAddress):
        return QHostAddress(value)
    raise TypeError(f"{method}(): argument 1 has unexpected type '{type(value).__name__}'")


def _ipv6_bytes(value: Sequence[int] | bytes | bytearray) -> bytes:
    try:
        return bytes(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"IPv6 address must be 16 integers in 0..255: {exc}") from None


def _convert_to_ipv4(a6: bytes, mode: QHostAddress.ConversionModeFlag) -> int | None:
    """The IPv4 address an IPv6 one stands for under ``mode``, or None."""
    F = QHostAddress.ConversionModeFlag
    if not mode or a6[:8] != bytes(8):
        return None
    middle = int.from_bytes(a6[8:12], "big")
    low = int.from_bytes(a6[12:], "big")
    if middle == 0xFFFF and mode & F.ConvertV4MappedToIPv4:
        return low
    if middle != 0:
        return None
    if low == 0 and mode & F.ConvertUnspecifiedAddress:
        return 0
    if low == 1 and mode & F.ConvertLocalHost:
        return 0x7F000001
    if low != 1 and mode & F.ConvertV4CompatToIPv4:
        return low
    return None


def _equal(a: QHostAddress, b: QHostAddress, mode: QHostAddress.ConversionModeFlag) -> bool:
    """Qt's isEqual: exact within a protocol, conversions across IPv4/IPv6/Any by ``mode``."""
    F = QHostAddress.ConversionModeFlag
    pa, pb = a._protocol, b._protocol
    if pa in (_IPV4, _IPV6) and pa is pb:
        return a._a6 == b._a6  # the scope id does not take part, as in Qt
    if {pa, pb} == {_IPV4, _IPV6}:
        v4, v6 = (a, b) if pa is _IPV4 else (b, a)
        return _convert_to_ipv4(v6._a6, mode) == v4._ipv4()
    if _ANY in (pa, pb) and pa is not pb:
        other = b if pa is _ANY else a
        if other._protocol in (_IPV4, _IPV6) and mode & F.ConvertUnspecifiedAddress:
            return other._a6 == _ZERO16 or (other._protocol is _IPV4 and other._ipv4() == 0)
        return False
    return pa is pb
