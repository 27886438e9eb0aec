"""QHostAddress: parsing, formatting, classification, comparison, subnets; pinned to PyQt6."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from qtls.QtNetwork import QAbstractSocket, QHostAddress

S = QHostAddress.SpecialAddress
F = QHostAddress.ConversionModeFlag
P = QAbstractSocket.NetworkLayerProtocol


TEXTS = [
    "127.0.0.1", "::1", "::ffff:127.0.0.1", "::ffff:1.2.3.4", "::1.2.3.4", "1.2.3", "0x7f000001",
    "fe80::1%eth0", "fe80::1%1", "FE80::0001", "2001:DB8::1", "", "abc", "1.2.3.4 ", " 1.2.3.4",
    "[::1]", "01.02.03.04", "256.1.1.1", "0.0.0.0", "::", "255.255.255.255", "224.0.0.1",
    "ff02::1", "10.1.2.3", "fc00::1", "fec0::1", "169.254.1.1", "100.64.0.1", "192.168.1.1",
    "8.8.8.8", "::ffff:0.0.0.0", "1", "1.2", "127.1", "1:2:3:4:5:6:7:8", "1::2:3:4:5:6:7:8",
    "::2", "::ffff:0.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.0.1", "::ffff:224.0.0.1",
    "::ffff:255.255.255.255", "fe00::1", "100::1", "2000::1", "4000::1", "ff00::", "240.0.0.1",
    "239.255.255.255", "0.255.255.255", "127.255.255.255", "192.0.2.1", "198.51.100.1",
    "203.0.113.1", "172.16.0.1", "172.31.255.255", "172.32.0.1", "fd00::1", "fbff::1",
    "feff::1", "fec0::%3", "::%eth0", "1.2.3.4%eth0", "fe80::1%", "::ffff:1.2.3.4%x",
    "010.0.0.1", "0x10.0.0.1", "1.2.3.4.5", "1..2.3", "1.2.3.", ".1.2.3", "1.2.65535",
    "1.16777215", "4294967295", "4294967296", "0377.0.0.1", "08.0.0.1", "1:0:2:3:4:5:6:7",
    "1:0:0:2:0:0:3:4", "1:0:0:2:0:0:0:4", "0:0:1::", "::0.1.0.0", "::0.0.1.0", "::ffff:0:1",
    "::fffe:1.2.3.4", "::ffff:1.2.3", "1:2:3:4:5:6:1.2.3.4", "::ffff:01.2.3.4", "12345::",
    ":1::", ":::", "1:::2", "  ::1  ", "\t1.2.3.4", "1.2.3.-4", "+1.2.3.4", "1.2.3.4/24",
    "fe80::1%eth0%x", "1.2.3.0x4", "0x", "0x.1.2.3", "::1:2:3:4:5:6:7", "1:2:3:4:5:6:7::",
]

SUBNETS = [
    "192.168.1.0/24", "192.168.1.5/24", "10/8", "10.0.0.0/255.0.0.0", "::1/64", "fe80::/10",
    "1.2.3.4", "junk", "1.2.3.4/33", "1.2.3.4/255.0.255.0", "::/129", "10.1/16", "192.168/16",
    "1.2.3.4/-1", "2001:db8::/32", "1.2.3.4/0", " 10.0.0.0/8", "10.0.0.0/ 8", "10.0.0.0/+8",
    "10.0.0.0/08", "::ffff:1.2.3.4/120", "fe80::1%eth0/64", "0x10/8", "10.0.0.0/0.0.0.0",
    "1.2.3.4/", "/8", "::/255.0.0.0", "1.2.3.4/ffff::", "10.", "10.0.", "1.2.3.4.",
    "10.0.0.0/255.255.255.255", "1.2.3.4/8x", "010.1.1.1/8", "1.2.3.256/24", "-1/8", ".", " ",
    "", "2001:db8::1/48",
]


def observe(address: Any) -> tuple[Any, ...]:
    """Everything observable about one address, with enums reduced to their names."""
    return (
        address.toString(), address.protocol().name, address.isNull(), address.scopeId(),
        address.toIPv4Address(), address.toIPv6Address(), address.isLoopback(),
        address.isMulticast(), address.isLinkLocal(), address.isGlobal(),
        address.isPrivateUse(), address.isBroadcast(), address.isSiteLocal(),
        address.isUniqueLocalUnicast(),
    )


@pytest.fixture(scope="module")
def pyqt() -> Any:
    return pytest.importorskip("PyQt6.QtNetwork")


@pytest.mark.pyqt6
def test_every_text_parses_formats_and_classifies_as_pyqt6(pyqt: Any) -> None:
    mismatches = [
        (text, observe(QHostAddress(text)), observe(pyqt.QHostAddress(text)))
        for text in TEXTS
        if observe(QHostAddress(text)) != observe(pyqt.QHostAddress(text))
    ]
    assert mismatches == []


@pytest.mark.pyqt6
def test_special_addresses_convert_as_pyqt6(pyqt: Any) -> None:
    for special in S:
        theirs = pyqt.QHostAddress(getattr(pyqt.QHostAddress.SpecialAddress, special.name))
        assert observe(QHostAddress(special)) == observe(theirs), special


@pytest.mark.pyqt6
def test_parse_subnet_matches_pyqt6(pyqt: Any) -> None:
    for text in SUBNETS:
        mine, bits = QHostAddress.parseSubnet(text)
        theirs, their_bits = pyqt.QHostAddress.parseSubnet(text)
        assert (mine.toString(), mine.protocol().name, bits) == (
            theirs.toString(), theirs.protocol().name, their_bits), text


def _equalities(module: Any, a: str | Any, b: str | Any) -> list[bool]:
    H = module.QHostAddress

    def make(value: Any) -> Any:
        if isinstance(value, str):
            return H(value)
        return H(getattr(H.SpecialAddress, value.name))

    x, y = make(a), make(b)
    flags = H.ConversionModeFlag
    results = [x == y, x != y, x.isEqual(y)]
    for name in ("StrictConversion", "ConvertV4MappedToIPv4", "ConvertV4CompatToIPv4",
                 "ConvertUnspecifiedAddress", "ConvertLocalHost", "TolerantConversion"):
        results.append(x.isEqual(y, getattr(flags, name)))
    return results


EQUALITY_PAIRS: list[tuple[Any, Any]] = [
    ("1.2.3.4", "::ffff:1.2.3.4"), ("::1.2.3.4", "1.2.3.4"), ("::1", "127.0.0.1"),
    ("::", "0.0.0.0"), ("fe80::1%eth0", "fe80::1"), ("::ffff:0.0.0.0", "0.0.0.0"),
    ("", ""), ("", "abc"), ("1.2.3.4", "1.2.3.5"),
    (S.Any, S.AnyIPv4), (S.Any, S.AnyIPv6), (S.AnyIPv4, S.AnyIPv6), (S.Any, S.Any),
    (S.LocalHost, S.LocalHostIPv6), (S.Null, S.Any), ("::", S.Any), ("0.0.0.0", S.Any),
    (S.Any, "::ffff:0.0.0.0"), ("1.2.3.4", S.Null),
]


@pytest.mark.pyqt6
@pytest.mark.parametrize(("a", "b"), EQUALITY_PAIRS)
def test_equality_and_conversion_modes_match_pyqt6(pyqt: Any, a: Any, b: Any) -> None:
    import qtls.QtNetwork as mine

    assert _equalities(mine, a, b) == _equalities(pyqt, a, b)
    assert _equalities(mine, b, a) == _equalities(pyqt, b, a)


@pytest.mark.pyqt6
@pytest.mark.parametrize(("text", "special"), [
    ("1.2.3.4", S.Null), ("", S.Null), ("::", S.AnyIPv6), ("0.0.0.0", S.Any),
    ("0.0.0.0", S.AnyIPv4), ("::1", S.LocalHostIPv6), ("127.0.0.1", S.LocalHost),
    ("::ffff:127.0.0.1", S.LocalHost), ("255.255.255.255", S.Broadcast), ("::1", S.LocalHost),
])
def test_comparison_with_special_address_matches_pyqt6(pyqt: Any, text: str, special: Any) -> None:
    theirs = getattr(pyqt.QHostAddress.SpecialAddress, special.name)
    assert (QHostAddress(text) == special) == (pyqt.QHostAddress(text) == theirs)
    assert (special == QHostAddress(text)) == (theirs == pyqt.QHostAddress(text))
    any_address = QHostAddress(S.Any)
    for other in S:
        assert (any_address == other) == (
            pyqt.QHostAddress(pyqt.QHostAddress.SpecialAddress.Any)
            == getattr(pyqt.QHostAddress.SpecialAddress, other.name))


@pytest.mark.pyqt6
def test_is_in_subnet_matches_pyqt6(pyqt: Any) -> None:
    cases = [
        ("192.168.1.5", "192.168.1.0", 24), ("192.168.1.5", "192.168.0.0", 24),
        ("::ffff:192.168.1.5", "192.168.1.0", 24), ("192.168.1.5", "192.168.1.0", -1),
        ("192.168.1.5", "192.168.1.0", 33), ("192.168.1.5", "::", 0),
        ("192.168.1.5", "0.0.0.0", 0), ("::1", "::", 0), ("fe80::1%eth0", "fe80::", 10),
        ("2001:db8::1", "2001:db8::", 32), ("2001:db9::1", "2001:db8::", 32),
        ("2001:db8::1", "2001:db8::", 129), ("", "", 0),
    ]
    for address, network, bits in cases:
        mine = QHostAddress(address).isInSubnet(QHostAddress(network), bits)
        theirs = pyqt.QHostAddress(address).isInSubnet(pyqt.QHostAddress(network), bits)
        assert mine == theirs, (address, network, bits)
        assert QHostAddress(address).isInSubnet((QHostAddress(network), bits)) == theirs


def test_is_in_subnet_accepts_parse_subnet_result() -> None:
    assert QHostAddress("10.20.30.40").isInSubnet(QHostAddress.parseSubnet("10.20.0.0/16"))
    assert not QHostAddress("10.21.30.40").isInSubnet(QHostAddress.parseSubnet("10.20.0.0/16"))


def test_constructors_accept_int_tuple_bytes_and_copies() -> None:
    assert QHostAddress(0x7F000001).toString() == "127.0.0.1"
    assert QHostAddress(tuple(range(16))).toString() == "1:203:405:607:809:a0b:c0d:e0f"
    assert QHostAddress(bytes(range(16))) == QHostAddress(list(range(16)))
    original = QHostAddress("fe80::1%eth0")
    duplicate = QHostAddress(original)
    duplicate.setScopeId("lo")
    assert (original.toString(), duplicate.toString()) == ("fe80::1%eth0", "fe80::1%lo")
    assert copy.copy(original).toString() == "fe80::1%eth0"
    assert QHostAddress(None).isNull()


@pytest.mark.parametrize("bad", [1.5, b"1.2.3.4", tuple(range(15)), object()])
def test_constructor_rejects_wrong_types_with_type_error(bad: Any) -> None:
    with pytest.raises(TypeError):
        QHostAddress(bad)


@pytest.mark.parametrize("value", [-1, 2**32])
def test_ipv4_integer_out_of_range_overflows_as_pyqt6(value: int) -> None:
    with pytest.raises(OverflowError):
        QHostAddress(value)


def test_is_equal_with_a_string_raises_type_error() -> None:
    with pytest.raises(TypeError):
        QHostAddress("1.2.3.4").isEqual("1.2.3.4")  # type: ignore[arg-type]


def test_comparison_with_other_types_is_false_not_an_error() -> None:
    assert QHostAddress("1.2.3.4") != "1.2.3.4"
    assert not QHostAddress("1.2.3.4") == 5  # noqa: SIM201


def test_set_address_returns_bool_only_for_text() -> None:
    address = QHostAddress("fe80::1%eth0")
    assert address.setAddress("junk") is False
    assert address.isNull() and address.scopeId() == ""
    assert address.setAddress("10.0.0.1") is True
    assert address.setAddress(S.LocalHost) is None
    assert address.toString() == "127.0.0.1"
    assert address.setAddress(5) is None
    assert address.toString() == "0.0.0.5"


def test_swap_and_clear() -> None:
    a, b = QHostAddress("1.1.1.1"), QHostAddress("::1")
    a.swap(b)
    assert (a.toString(), b.toString()) == ("::1", "1.1.1.1")
    a.clear()
    assert a.isNull() and a.protocol() is P.UnknownNetworkLayerProtocol


def test_scope_id_is_ignored_for_ipv4_and_null_addresses() -> None:
    for address in (QHostAddress("1.2.3.4"), QHostAddress(), QHostAddress(S.Any)):
        before = address.toString()
        address.setScopeId("eth0")
        assert address.scopeId() == "" and address.toString() == before


def test_hash_agrees_with_tolerant_equality_and_sets_work() -> None:
    assert hash(QHostAddress("1.2.3.4")) == hash(QHostAddress("::ffff:1.2.3.4"))
    addresses = {QHostAddress("10.0.0.1"), QHostAddress("10.0.0.1"), QHostAddress("::1")}
    assert len(addresses) == 2


@pytest.mark.pyqt6
def test_random_ipv4_and_ipv6_addresses_match_pyqt6(pyqt: Any) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    prefixes = st.sampled_from([b"", bytes(10) + b"\xff\xff", bytes(12), b"\xfe\x80",
                                b"\xfe\xc0", b"\xfc", b"\xff\x02", b"\x20\x01\x0d\xb8"])

    @settings(max_examples=300, deadline=None)
    @given(st.integers(0, 2**32 - 1), prefixes, st.binary(min_size=16, max_size=16))
    def check(ipv4: int, prefix: bytes, tail: bytes) -> None:
        assert observe(QHostAddress(ipv4)) == observe(pyqt.QHostAddress(ipv4))
        ipv6 = (prefix + tail)[:16]
        assert observe(QHostAddress(ipv6)) == observe(pyqt.QHostAddress(tuple(ipv6)))
        text = QHostAddress(ipv6).toString()
        assert observe(QHostAddress(text)) == observe(pyqt.QHostAddress(text))

    check()
