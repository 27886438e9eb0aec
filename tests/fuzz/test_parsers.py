"""Parsers fed mutated valid encodings and random bytes: null objects or Qt's errors, never an
exception (the targets are in :mod:`tests.fuzz.parsers`)."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

from . import parsers
from .budget import fuzz_settings
from .mutate import apply, mutations

# Examples per target in `make test`: the slow ones (DH parameters are checked for primality,
# keys are tried in 16 combinations) get fewer.
_EXAMPLES = {"certificate": 150, "certificate_verify": 100, "key": 60, "pkcs12": 150,
             "dh_parameters": 30, "ocsp": 300}


def _run(target: str, data: bytes) -> None:
    with warnings.catch_warnings():
        # cryptography warns about (and still reads) non-positive serials and BER bundles.
        warnings.simplefilter("ignore")
        parsers.TARGETS[target](data)


@pytest.mark.parametrize("target", sorted(parsers.TARGETS))
def test_valid_seeds_parse(target: str) -> None:
    """The starting points are valid: the targets exercise more than the error path."""
    _run(target, parsers.seed_inputs(target)[0])


def _mutated_test(target: str):  # type: ignore[no-untyped-def]
    @fuzz_settings(_EXAMPLES[target])
    @given(seed=st.integers(0, 1000), steps=mutations())
    def test(seed: int, steps: list[tuple[str, int, int]]) -> None:
        inputs = parsers.seed_inputs(target)
        _run(target, apply(inputs[seed % len(inputs)], steps))

    test.__name__ = f"test_mutated_{target}"
    return test


for _target in parsers.TARGETS:
    globals()[f"test_mutated_{_target}"] = _mutated_test(_target)


@fuzz_settings(100)
@given(data=st.binary(max_size=512), target=st.sampled_from(sorted(parsers.TARGETS)))
def test_random_bytes(data: bytes, target: str) -> None:
    _run(target, data)


@fuzz_settings(100)
@given(body=st.binary(max_size=300), label=st.sampled_from(
    [b"CERTIFICATE", b"PRIVATE KEY", b"RSA PRIVATE KEY", b"ENCRYPTED PRIVATE KEY",
     b"PUBLIC KEY", b"DH PARAMETERS", b"EC PRIVATE KEY", b"X509 CRL"]))
def test_pem_armour_around_random_bytes(body: bytes, label: str) -> None:
    """PEM parsers past the armour: a valid header and footer around base64 of anything."""
    import base64

    pem = b"-----BEGIN " + label + b"-----\n" + base64.encodebytes(body) + \
        b"-----END " + label + b"-----\n"
    for target in ("certificate", "key", "dh_parameters"):
        _run(target, pem)
