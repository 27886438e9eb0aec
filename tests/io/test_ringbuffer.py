"""RingBuffer: the chunk buffer under every device, checked against a plain bytearray model."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from qtls.core.ringbuffer import RingBuffer


def test_append_keeps_bytes_object_without_copy() -> None:
    big = b"x" * 100_000
    rb = RingBuffer()
    rb.append(big)
    assert rb.first_chunk().obj is big
    assert rb.read_all() is big


def test_append_copies_mutable_input() -> None:
    data = bytearray(b"hello world" * 1000)
    rb = RingBuffer()
    rb.append(data)
    data[:5] = b"XXXXX"
    assert rb.read(5) == b"hello"


def test_append_rejects_str() -> None:
    with pytest.raises(TypeError):
        RingBuffer().append("text")  # type: ignore[arg-type]


def test_small_appends_are_coalesced_into_few_chunks() -> None:
    rb = RingBuffer()
    for _ in range(10_000):
        rb.append(b"a")
    assert len(rb) == 10_000
    assert rb.chunk_count() <= 10_000 // 4096 + 1
    assert rb.read_all() == b"a" * 10_000


def test_read_from_head_chunk_advances_offset_not_chunk() -> None:
    chunk = bytes(range(256)) * 1024
    rb = RingBuffer()
    rb.append(chunk)
    assert rb.read(10) == chunk[:10]
    # the head chunk is still the original object, viewed from offset 10
    view = rb.first_chunk()
    assert view.obj is chunk and len(view) == len(chunk) - 10


def test_read_across_chunks_returns_exactly_requested_bytes() -> None:
    rb = RingBuffer()
    rb.append(b"a" * 5000)
    rb.append(b"b" * 5000)
    rb.append(b"c" * 5000)
    assert rb.read(7000) == b"a" * 5000 + b"b" * 2000
    assert len(rb) == 8000
    assert rb.peek(4000) == b"b" * 3000 + b"c" * 1000
    assert len(rb) == 8000


def test_index_of_finds_newline_in_later_chunk_and_honours_maxlen() -> None:
    rb = RingBuffer()
    rb.append(b"x" * 5000)
    rb.read(100)
    rb.append(b"y" * 5000 + b"\n")
    assert rb.index_of(b"\n") == 9900
    assert rb.index_of(b"\n", 9900) == -1
    assert rb.index_of(b"\n", 9901) == 9900
    assert rb.can_read_line()


def test_index_of_requires_single_byte() -> None:
    with pytest.raises(ValueError):
        RingBuffer().index_of(b"ab")


def test_read_line_returns_partial_line_when_maxlen_reached() -> None:
    rb = RingBuffer()
    rb.append(b"hello\nworld")
    assert rb.read_line(3) == b"hel"
    assert rb.read_line(100) == b"lo\n"
    assert not rb.can_read_line()
    assert rb.read_line(100) == b"world"
    assert rb.read_line(100) == b""


def test_prepend_puts_bytes_before_unread_data() -> None:
    rb = RingBuffer()
    rb.append(b"abcdef")
    rb.read(3)
    rb.prepend(b"X")
    assert rb.read_all() == b"Xdef"


def test_first_chunk_and_free_support_partial_sends() -> None:
    rb = RingBuffer()
    rb.append(b"a" * 10_000)
    rb.append(b"b" * 10_000)
    sent = bytearray()
    while rb:
        view = rb.first_chunk()
        n = min(len(view), 3333)  # a partial send
        sent += view[:n]
        rb.free(n)
    assert bytes(sent) == b"a" * 10_000 + b"b" * 10_000
    assert len(rb.first_chunk()) == 0


def test_read_all_chunks_is_zero_copy_for_whole_chunks() -> None:
    a, b = b"a" * 10_000, b"b" * 10_000
    rb = RingBuffer()
    rb.append(a)
    rb.append(b)
    rb.read(1)
    pieces = rb.read_all_chunks()
    assert isinstance(pieces[0], memoryview) and pieces[0].obj is a
    assert pieces[1] is b
    assert len(rb) == 0


def test_an_owned_view_is_kept_without_a_copy_and_leaves_as_bytes() -> None:
    # What a TLS engine hands its socket: a view of a block nobody else holds.
    block = bytearray(b"v" * 10_000 + b"\n" + b"w" * 9_999)
    view = memoryview(block)
    rb = RingBuffer()
    rb.append(b"head")
    rb.append_owned(view)
    assert rb.chunk_count() == 2 and len(rb) == 20_004
    rb.free(4)
    assert rb.first_chunk().obj is block  # sent from the block itself, no copy
    assert rb.index_of(b"\n") == 10_000  # searchable, though a view has no find()
    rb.free(1)
    peeked = rb.peek(5)
    assert type(peeked) is bytes and peeked == b"vvvvv"
    line = rb.read_line(20_000)
    assert type(line) is bytes and line == b"v" * 9_999 + b"\n"
    rest = rb.read(20_000)
    assert type(rest) is bytes and rest == b"w" * 9_999 and not rb


def test_an_owned_view_that_is_not_plain_bytes_is_copied() -> None:
    words = memoryview(bytearray(8 * 1024)).cast("I")  # itemsize 4: len() counts items
    rb = RingBuffer()
    rb.append_owned(words)
    assert len(rb) == 8 * 1024
    assert type(rb.first_chunk().obj) is bytes


def test_read_and_skip_with_non_positive_lengths_do_nothing() -> None:
    rb = RingBuffer()
    rb.append(b"abc")
    assert rb.read(0) == b"" and rb.read(-5) == b""
    assert rb.skip(-1) == 0
    assert rb.skip(10) == 3
    assert rb.read(1) == b""


# ----------------------------------------------------------------- model-based check
class RingBufferVsBytearray(RuleBasedStateMachine):
    """Every operation must agree with the same operation on a plain bytearray."""

    def __init__(self) -> None:
        super().__init__()
        self.rb = RingBuffer()
        self.model = bytearray()

    data = st.binary(max_size=6000).map(lambda b: b.replace(b"\x00", b"\n"))

    @rule(data=data, kind=st.sampled_from(["bytes", "bytearray", "memoryview"]))
    def append(self, data: bytes, kind: str) -> None:
        payload: dict[str, bytes | bytearray | memoryview] = {
            "bytes": data, "bytearray": bytearray(data), "memoryview": memoryview(data)}
        self.rb.append(payload[kind])
        self.model += data

    @rule(data=st.binary(max_size=20))
    def prepend(self, data: bytes) -> None:
        self.rb.prepend(data)
        self.model[:0] = data

    @rule(n=st.integers(-2, 9000))
    def read(self, n: int) -> None:
        expected = bytes(self.model[: max(n, 0)])
        del self.model[: max(n, 0)]
        assert self.rb.read(n) == expected

    @rule(n=st.integers(-2, 9000))
    def peek(self, n: int) -> None:
        assert self.rb.peek(n) == bytes(self.model[: max(n, 0)])

    @rule(n=st.integers(-2, 9000))
    def skip(self, n: int) -> None:
        expected = min(max(n, 0), len(self.model))
        del self.model[:expected]
        assert self.rb.skip(n) == expected

    @rule(maxlen=st.one_of(st.none(), st.integers(0, 9000)))
    def index_of(self, maxlen: int | None) -> None:
        window = self.model if maxlen is None else self.model[:maxlen]
        assert self.rb.index_of(b"\n", maxlen) == window.find(b"\n")

    @rule(maxlen=st.integers(1, 9000))
    def read_line(self, maxlen: int) -> None:
        nl = self.model.find(b"\n", 0, maxlen)
        n = nl + 1 if nl >= 0 else maxlen
        expected = bytes(self.model[:n])
        del self.model[:n]
        assert self.rb.read_line(maxlen) == expected

    @rule()
    def first_chunk_free(self) -> None:
        view = self.rb.first_chunk()
        n = len(view) // 2 + (1 if view else 0)
        assert bytes(view[:n]) == bytes(self.model[:n])
        self.rb.free(n)
        del self.model[:n]

    @rule()
    def read_all(self) -> None:
        assert self.rb.read_all() == bytes(self.model)
        self.model.clear()

    @rule()
    def read_all_chunks(self) -> None:
        assert b"".join(self.rb.read_all_chunks()) == bytes(self.model)
        self.model.clear()

    @invariant()
    def same_length(self) -> None:
        assert len(self.rb) == len(self.model)
        assert self.rb.can_read_line() == (b"\n" in self.model)


RingBufferVsBytearray.TestCase.settings = settings(max_examples=150, stateful_step_count=40,
                                                   deadline=None)
TestRingBufferVsBytearray = RingBufferVsBytearray.TestCase


@given(st.lists(st.binary(min_size=1, max_size=300), max_size=30), st.integers(1, 400))
@settings(max_examples=100, deadline=None)
def test_reading_in_steps_reassembles_the_stream(chunks: list[bytes], step: int) -> None:
    rb = RingBuffer()
    for c in chunks:
        rb.append(c)
    out = []
    while rb:
        out.append(rb.read(step))
    assert b"".join(out) == b"".join(chunks)


def test_reading_many_lines_from_big_chunks_is_linear() -> None:
    """100k short lines in 64 KiB chunks: each read_line scans only up to its own newline."""
    import time

    blob = b"".join(b"line %06d\n" % i for i in range(100_000))
    rb = RingBuffer()
    for i in range(0, len(blob), 65536):
        rb.append(blob[i : i + 65536])
    start = time.perf_counter()
    count = 0
    while rb.can_read_line():
        rb.read_line(1 << 20)
        count += 1
    assert count == 100_000
    assert time.perf_counter() - start < 2.0
