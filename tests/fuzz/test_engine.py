"""The sans-I/O engine under tampered records at every step (see :mod:`.engine_target`)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qtls.ssl.engine import EngineState, TlsVersion

from .budget import fuzz_settings
from .engine_target import ACTIONS, run
from .mutate import mutations

VERSIONS = [TlsVersion.TLS1_2, TlsVersion.TLS1_3]
# Records per direction in one connection are fewer than this (handshake flights, data,
# close_notify), so every index from 0 on reaches every step, and the last ones reach none.
MAX_INDEX = 12


@pytest.mark.parametrize("version", VERSIONS, ids=["tls12", "tls13"])
@pytest.mark.parametrize("client_to_server", [True, False], ids=["c2s", "s2c"])
@pytest.mark.parametrize("action", ACTIONS)
def test_every_record_every_action(version: TlsVersion, client_to_server: bool,
                                   action: str) -> None:
    """Each action on each record of one direction, in turn: the invariants of ``run`` hold,
    and a tampered record (other than a legal split) never goes unnoticed mid-handshake."""
    for index in range(MAX_INDEX):
        outcome = run(version, client_to_server, index, action, [("flip", index * 31, 5)])
        if not outcome.tampered:
            break
        if action == "split":
            assert outcome.completed, f"splitting record {index} broke the connection"


def test_untouched_connection_completes() -> None:
    for version in VERSIONS:
        outcome = run(version, True, 1000, "mutate", [("flip", 0, 0)])
        assert not outcome.tampered and outcome.completed
        assert outcome.client_state is outcome.server_state is EngineState.CLOSED


def test_mutated_client_hello_fails_both_sides() -> None:
    outcome = run(TlsVersion.TLS1_3, True, 0, "mutate", [("set", 5, 0xFF)])  # handshake type
    assert outcome.tampered and not outcome.completed
    assert outcome.server_state is EngineState.FAILED


@fuzz_settings(150)
@given(version=st.sampled_from(VERSIONS), client_to_server=st.booleans(),
       index=st.integers(0, MAX_INDEX), action=st.sampled_from(ACTIONS), steps=mutations(),
       junk=st.binary(min_size=1, max_size=40),
       chunk=st.sampled_from([0, 0, 1, 2, 5, 16, 1000]))
def test_tampered_connection(version: TlsVersion, client_to_server: bool, index: int,
                             action: str, steps: list[tuple[str, int, int]], junk: bytes,
                             chunk: int) -> None:
    outcome = run(version, client_to_server, index, action, steps, junk, chunk)
    if action == "split" and outcome.tampered:
        assert outcome.completed
