"""Mutating valid encodings: the byte-level operations every fuzz target here uses.

A mutation is a list of ``(operation, position, argument)`` triples applied in order; the
positions are taken modulo the current length, so any triple applies to any input. Hypothesis
draws the triples (:func:`mutations`); the long ``make fuzz`` run derives them from atheris'
bytes (:func:`mutations_from_bytes`). The operations are the ones that break parsers most
often: flip a bit, overwrite a byte with a boundary value (ASN.1 and TLS length bytes),
insert, delete, duplicate or swap a range, truncate.
"""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["OPERATIONS", "apply", "mutations", "mutations_from_bytes"]

OPERATIONS = ("flip", "set", "insert", "delete", "duplicate", "swap", "truncate")
_BOUNDARY = (0x00, 0x01, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x84, 0xFE, 0xFF)

Mutation = tuple[str, int, int]


def apply(data: bytes, steps: list[Mutation]) -> bytes:
    """``data`` after every step of ``steps`` (see the module docstring)."""
    out = bytearray(data)
    for op, pos, arg in steps:
        n = len(out)
        if op == "insert":
            at = pos % (n + 1)
            out[at:at] = bytes([arg & 0xFF]) * (1 + (arg >> 8) % 64)
            continue
        if not n:
            continue
        at = pos % n
        if op == "flip":
            out[at] ^= 1 << (arg % 8)
        elif op == "set":
            out[at] = _BOUNDARY[arg % len(_BOUNDARY)] if arg < 256 else arg & 0xFF
        elif op == "delete":
            del out[at:at + 1 + arg % 32]
        elif op == "duplicate":
            out[at:at] = out[at:at + 1 + arg % 64]
        elif op == "swap":
            other = arg % n
            size = min(1 + arg % 16, n - max(at, other))
            a, b = bytes(out[at:at + size]), bytes(out[other:other + size])
            out[at:at + size], out[other:other + size] = b, a
        elif op == "truncate":
            del out[at:]
    return bytes(out)


def mutations(max_steps: int = 4) -> st.SearchStrategy[list[Mutation]]:
    """Hypothesis: a short list of mutation steps."""
    step = st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 1 << 20), st.integers(0, 1 << 16))
    return st.lists(step, min_size=1, max_size=max_steps)


def mutations_from_bytes(raw: bytes, max_steps: int = 4) -> list[Mutation]:
    """The same kind of list from arbitrary bytes (5 bytes a step), for atheris."""
    steps = []
    for i in range(0, min(len(raw), 5 * max_steps) - 4, 5):
        op = OPERATIONS[raw[i] % len(OPERATIONS)]
        steps.append((op, int.from_bytes(raw[i + 1:i + 3], "big") * 7,
                      int.from_bytes(raw[i + 3:i + 5], "big")))
    return steps
