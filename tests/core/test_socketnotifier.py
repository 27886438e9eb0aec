"""QSocketNotifier on a socketpair."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from qtls.QtCore import QSocketNotifier
from tests.core.helpers import run_until, spin


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    yield a, b
    a.close()
    b.close()


def test_read_notifier_fires_with_the_descriptor_when_data_arrives(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    a, b = pair
    n = QSocketNotifier(a.fileno(), QSocketNotifier.Type.Read)
    got: list[int] = []

    def on_ready(fd: int) -> None:
        got.append(fd)
        a.recv(100)

    n.activated.connect(on_ready)
    assert n.isEnabled() and n.isValid() and n.socket() == a.fileno()
    spin(10)
    assert got == []  # nothing to read yet
    b.send(b"x")
    assert run_until(lambda: bool(got), 1000)
    assert got == [a.fileno()]
    n.setEnabled(False)


def test_disabled_read_notifier_does_not_fire(pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    n = QSocketNotifier(a, QSocketNotifier.Type.Read)  # an object with fileno() works too
    got: list[int] = []
    n.activated.connect(got.append)
    n.setEnabled(False)
    b.send(b"x")
    spin(20)
    assert got == []
    n.setEnabled(True)
    assert run_until(lambda: bool(got), 1000)
    n.setEnabled(False)


def test_write_notifier_fires_on_a_writable_socket(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    a, _ = pair
    n = QSocketNotifier(a.fileno(), QSocketNotifier.Type.Write)
    got: list[int] = []

    def on_writable(fd: int) -> None:
        got.append(fd)
        n.setEnabled(False)  # level-triggered: stop once seen

    n.activated.connect(on_writable)
    assert run_until(lambda: bool(got), 1000)
    spin(10)
    assert got == [a.fileno()]


def test_notifier_without_socket_is_invalid_until_set_socket(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    a, b = pair
    n = QSocketNotifier(QSocketNotifier.Type.Read)
    assert not n.isValid() and n.socket() == -1 and not n.isEnabled()
    n.setSocket(a.fileno())
    assert n.isValid() and not n.isEnabled()
    got: list[int] = []
    n.activated.connect(got.append)
    n.setEnabled(True)
    b.send(b"y")
    assert run_until(lambda: bool(got), 1000)
    assert n.type() is QSocketNotifier.Type.Read
    n.setEnabled(False)


def test_delete_later_unregisters_the_descriptor(pair: tuple[socket.socket, socket.socket]) -> None:
    a, b = pair
    n = QSocketNotifier(a.fileno(), QSocketNotifier.Type.Read)
    got: list[int] = []
    n.activated.connect(got.append)
    n.deleteLater()
    spin(5)
    b.send(b"z")
    spin(20)
    assert got == [] and not n.isEnabled()


def test_wrong_constructor_arguments_raise_type_error() -> None:
    with pytest.raises(TypeError):
        QSocketNotifier("x", QSocketNotifier.Type.Read)
    with pytest.raises(TypeError):
        QSocketNotifier(3)  # type: ignore[call-arg]
