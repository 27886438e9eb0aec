"""Interoperability with CPython's ``ssl`` module (a different OpenSSL build) through memory BIOs."""

from __future__ import annotations

import ssl

import pytest

from qtls.ssl.engine import EngineState, HandshakeCompleted, TlsEngine, TlsVersion

from .conftest import CA, SERVER_CERT, client_settings, server_settings
from .helpers import Peer


class StdlibPeer:
    """An ``ssl.SSLObject`` on two ``ssl.MemoryBIO``s."""

    def __init__(self, ctx: ssl.SSLContext, server_side: bool, hostname: str | None = None) -> None:
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.obj = ctx.wrap_bio(self.incoming, self.outgoing, server_side, hostname)
        self.handshaken = False

    def step(self) -> None:
        if not self.handshaken:
            try:
                self.obj.do_handshake()
                self.handshaken = True
            except ssl.SSLWantReadError:
                pass


def _pump(ours: Peer, theirs: StdlibPeer, rounds: int = 20) -> None:
    for _ in range(rounds):
        theirs.step()
        out = theirs.outgoing.read()
        if out:
            ours.engine.receive_ciphertext(out)
        ours.collect()
        back = ours.engine.data_to_send()
        if back:
            theirs.incoming.write(back)
        if not out and not back:
            return
    raise AssertionError("never went quiet")


@pytest.mark.parametrize("tls", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_engine_client_talks_to_stdlib_server(cache, tls):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ctx.maximum_version = tls
    SERVER_CERT.configure_cert(ctx)
    theirs = StdlibPeer(ctx, server_side=True)
    ours = Peer(
        TlsEngine(
            client_settings(alpn_protocols=(b"h2",)), server_hostname="localhost", cache=cache
        )
    )
    ctx.set_alpn_protocols(["h2"])
    ours.engine.start_handshake()
    _pump(ours, theirs)
    assert ours.engine.state is EngineState.ENCRYPTED and theirs.handshaken
    info = ours.of(HandshakeCompleted)[0].info
    assert info.protocol == theirs.obj.version()
    assert info.alpn_protocol == b"h2" and theirs.obj.selected_alpn_protocol() == "h2"
    ours.engine.send_plaintext(b"hello stdlib")
    theirs.incoming.write(ours.engine.data_to_send())
    assert theirs.obj.read(100) == b"hello stdlib"
    theirs.obj.write(b"hello engine")
    ours.engine.receive_ciphertext(theirs.outgoing.read())
    assert ours.engine.read_plaintext() == b"hello engine"


@pytest.mark.parametrize("version", [TlsVersion.TLS1_2, TlsVersion.TLS1_3])
def test_stdlib_client_talks_to_engine_server(cache, version):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    CA.configure_trust(ctx)
    theirs = StdlibPeer(ctx, server_side=False, hostname="localhost")
    ours = Peer(TlsEngine(server_settings(min_version=version, max_version=version), cache=cache))
    ours.engine.start_handshake()
    _pump(ours, theirs)
    assert theirs.handshaken and ours.engine.state is EngineState.ENCRYPTED
    assert ours.of(HandshakeCompleted)[0].info.server_name == "localhost"
    theirs.obj.write(b"ping" * 10000)
    ours.engine.receive_ciphertext(theirs.outgoing.read())
    assert ours.engine.read_plaintext() == b"ping" * 10000
    # A clean close from the stdlib side is a close_notify for us.
    try:
        theirs.obj.unwrap()
    except ssl.SSLWantReadError:
        pass
    ours.engine.receive_ciphertext(theirs.outgoing.read())
    assert ours.engine.state is EngineState.CLOSING
