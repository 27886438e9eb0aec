"""Multicast on loopback: join and leave groups, the outgoing interface, TTL and loopback.

Datagrams go to 239.255.x.x through ``lo`` (setMulticastInterface), so no packet leaves the
host. Each expectation was checked against PyQt6 on the same calls.
"""

from __future__ import annotations

import socket

import pytest

from qtls.QtNetwork import QAbstractSocket, QHostAddress, QNetworkInterface, QUdpSocket
from tests.network.helpers import run_until

Option = QAbstractSocket.SocketOption
Share = QAbstractSocket.BindFlag.ShareAddress | QAbstractSocket.BindFlag.ReuseAddressHint
ANY4 = QHostAddress(QHostAddress.SpecialAddress.AnyIPv4)
GROUP = QHostAddress("239.255.42.1")


def _lo() -> QNetworkInterface:
    lo = QNetworkInterface.interfaceFromName("lo")
    if not lo.isValid():
        pytest.skip("no loopback interface named lo")
    return lo


def _multicast_on_lo_works() -> bool:
    """Whether this host delivers IPv4 multicast through lo (a sandbox may not)."""
    group = socket.inet_aton("239.255.42.99")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as rx, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
        try:
            rx.bind(("0.0.0.0", 0))
            rx.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                          group + socket.inet_aton("127.0.0.1"))
            tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
            tx.sendto(b"?", ("239.255.42.99", rx.getsockname()[1]))
            rx.settimeout(1.0)
            return rx.recv(10) == b"?"
        except OSError:
            return False


needs_multicast = pytest.mark.skipif(not _multicast_on_lo_works(),
                                     reason="this host does not route IPv4 multicast over lo")


def _receiver() -> QUdpSocket:
    sock = QUdpSocket()
    assert sock.bind(ANY4, 0, Share), sock.errorString()
    return sock


@needs_multicast
def test_a_joined_group_receives_multicast_through_lo() -> None:
    lo = _lo()
    receiver = _receiver()
    assert receiver.joinMulticastGroup(GROUP, lo)
    sender = QUdpSocket()
    assert sender.bind(ANY4, 0)
    sender.setMulticastInterface(lo)
    assert sender.multicastInterface().name() == "lo"
    sender.setSocketOption(Option.MulticastTtlOption, 4)
    sender.setSocketOption(Option.MulticastLoopbackOption, 1)
    assert sender.socketOption(Option.MulticastTtlOption) == 4
    assert sender.writeDatagram(b"mc", GROUP, receiver.localPort()) == 2
    assert run_until(receiver.hasPendingDatagrams)
    datagram = receiver.receiveDatagram()
    assert bytes(datagram.data()) == b"mc"
    assert datagram.destinationAddress() == GROUP  # the group, from IP_PKTINFO
    assert datagram.hopLimit() == 4  # the multicast TTL it was sent with
    assert datagram.interfaceIndex() == lo.index()
    reply = datagram.makeReply(b"back")
    assert reply.senderAddress().isNull()  # a group is never a source
    assert receiver.leaveMulticastGroup(GROUP, lo)


@needs_multicast
def test_two_sockets_sharing_a_port_both_receive_the_group() -> None:
    lo = _lo()
    first = _receiver()
    second = QUdpSocket()
    assert second.bind(ANY4, first.localPort(), Share)
    assert first.joinMulticastGroup(GROUP, lo) and second.joinMulticastGroup(GROUP, lo)
    sender = QUdpSocket()
    sender.bind(ANY4, 0)
    sender.setMulticastInterface(lo)
    sender.writeDatagram(b"both", GROUP, first.localPort())
    assert run_until(lambda: first.hasPendingDatagrams() and second.hasPendingDatagrams())


def test_join_rules_match_qt() -> None:
    lo = _lo()
    unbound = QUdpSocket()
    assert not unbound.joinMulticastGroup(GROUP)  # not bound: a warning and False
    assert not unbound.multicastInterface().isValid()
    receiver = _receiver()
    assert receiver.joinMulticastGroup(GROUP, lo)
    assert not receiver.joinMulticastGroup(GROUP, lo)  # already a member
    assert not receiver.joinMulticastGroup(QHostAddress("127.0.0.1"))  # not a group
    assert not receiver.joinMulticastGroup(QHostAddress())
    assert not receiver.leaveMulticastGroup(QHostAddress("239.255.42.9"))  # never joined
    # Failures touch only the socket layer's error, not the socket's.
    assert receiver.error() is QAbstractSocket.SocketError.UnknownSocketError
    dual = QUdpSocket()
    assert dual.bind(QHostAddress(QHostAddress.SpecialAddress.Any), 0)
    assert not dual.joinMulticastGroup(GROUP)  # IPv4 group on a dual-stack socket: refused


def test_multicast_interface_defaults_to_the_routing_table() -> None:
    lo = _lo()
    sock = _receiver()
    assert not sock.multicastInterface().isValid()
    sock.setMulticastInterface(lo)
    assert sock.multicastInterface().index() == lo.index()
    sock.setMulticastInterface(QNetworkInterface())
    assert not sock.multicastInterface().isValid()
    six = QUdpSocket()
    assert six.bind(QHostAddress(QHostAddress.SpecialAddress.AnyIPv6), 0)
    assert not six.multicastInterface().isValid()
    six.setMulticastInterface(lo)
    assert six.multicastInterface().name() == "lo"


def test_network_interface_lookups() -> None:
    lo = _lo()
    assert lo.index() == socket.if_nametoindex("lo")
    assert lo.flags() & QNetworkInterface.InterfaceFlag.IsLoopBack
    assert lo.type() is QNetworkInterface.InterfaceType.Loopback
    assert "127.0.0.1" in [e.ip().toString() for e in lo.addressEntries()]
    entry = next(e for e in lo.addressEntries() if e.ip().toString() == "127.0.0.1")
    assert (entry.prefixLength(), entry.netmask().toString()) == (8, "255.0.0.0")
    assert QNetworkInterface.interfaceFromIndex(lo.index()).name() == "lo"
    assert QNetworkInterface.interfaceIndexFromName("lo") == lo.index()
    assert QNetworkInterface.interfaceNameFromIndex(lo.index()) == "lo"
    assert not QNetworkInterface.interfaceFromName("no-such-if0").isValid()
    assert QNetworkInterface.interfaceIndexFromName("no-such-if0") == 0
    assert "lo" in [i.name() for i in QNetworkInterface.allInterfaces()]
    assert QHostAddress("127.0.0.1") in QNetworkInterface.allAddresses()
    invalid = QNetworkInterface()
    assert (invalid.isValid(), invalid.index(), invalid.name()) == (False, 0, "")
