"""The SSE and chunked decoders: pure, fed whole, byte by byte and at arbitrary splits (h11 style)."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openapi_client_openai._chunked import ChunkedDecoder, ChunkedError
from openapi_client_openai._sse import ServerSentEvent, SSEDecoder, SSEError


def decode(*chunks: bytes, cap: int = 1 << 24) -> list[ServerSentEvent]:
    decoder = SSEDecoder(cap)
    events = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    return events


def ev(data: str, event: str = "message", id: str | None = None, retry: int | None = None) -> ServerSentEvent:
    return ServerSentEvent(event, data.encode(), id, retry)


SPEC_EXAMPLE = (
    b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n"
    b"event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\ndata\ndata\n\ndata:\n\n"
)


def test_whatwg_examples() -> None:
    assert decode(SPEC_EXAMPLE) == [
        ev("first event", id="1"),
        ev("second event", id=""),
        ev(" third event", id=""),
        ev("73857293", "add", id=""),
        ev("2153", "remove", id=""),
        ev("\n", id=""),
        ev("", id=""),
    ]


def test_multiline_data_and_line_endings() -> None:
    expected = [ev("YHOO\n+2\n10")]
    assert decode(b"data: YHOO\ndata: +2\ndata: 10\n\n") == expected
    assert decode(b"data: YHOO\r\ndata: +2\r\ndata: 10\r\n\r\n") == expected
    assert decode(b"data: YHOO\rdata: +2\rdata: 10\r\r") == expected
    assert decode(b"data: YHOO\r", b"\ndata: +2\r", b"\ndata: 10\r", b"\n\r", b"\n") == expected


def test_id_or_retry_alone_dispatch_nothing() -> None:
    assert decode(b"id: 7\n\nretry: 1000\n\n: keep-alive\n\n") == []
    decoder = SSEDecoder()
    decoder.feed(b"id: 7\n\n")
    assert decoder.last_id == "7"
    assert decoder.feed(b"data: x\n\n") == [ev("x", id="7")]


def test_retry_event_field_and_unknown_fields() -> None:
    assert decode(b"retry: 250\nevent: ping\nfoo: bar\ndata: {}\n\n") == [ev("{}", "ping", retry=250)]
    assert decode(b"retry: 2x\ndata: a\n\n") == [ev("a")]


def test_utf8_split_across_chunks_survives() -> None:
    payload = "data: caf\u00e9 \U0001f600\n\n".encode()
    for cut in range(1, len(payload)):
        assert decode(payload[:cut], payload[cut:]) == [ev("caf\u00e9 \U0001f600")]


def test_empty_chunk_between_cr_and_lf_keeps_them_one_line_end() -> None:
    payload = b"event: a\r\ndata: 1\r\n\r\nevent: b\r\ndata: 2\r\n\r\n"
    cut = payload.index(b"\r\n") + 1
    assert decode(payload[:cut], b"", payload[cut:]) == [ev("1", "a"), ev("2", "b")]


def test_bom_at_start_is_dropped() -> None:
    assert decode(b"\xef\xbb\xbfdata: a\n\n") == [ev("a")]


def test_incomplete_event_is_pending_not_dispatched() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: half") == []
    assert decoder.pending
    assert decoder.feed(b" way\n") == [] and decoder.pending
    assert decoder.feed(b"\n") == [ev("half way")] and not decoder.pending


def test_event_larger_than_cap_is_an_error() -> None:
    with pytest.raises(SSEError, match="1000-byte cap"):
        decode(b"data: " + b"x" * 2000 + b"\n\n", cap=1000)
    with pytest.raises(SSEError):
        decode(*[b"data: " + b"x" * 100 + b"\n"] * 20, cap=1000)
    with pytest.raises(SSEError):  # one endless line, arriving in pieces
        decode(*[b"y" * 100] * 20, cap=1000)


def test_linear_time_however_the_bytes_arrive() -> None:
    def feed_bytewise(size: int) -> float:
        payload = b"data: " + b"x" * size + b"\n\n"
        decoder = SSEDecoder()
        start = time.perf_counter()
        for i in range(len(payload)):
            decoder.feed(payload[i : i + 1])
        return time.perf_counter() - start

    small, large = feed_bytewise(20_000), feed_bytewise(80_000)
    assert large < small * 10  # linear gives ~4x; quadratic joins would give ~16x


events_strategy = st.lists(
    st.tuples(
        st.sampled_from([None, "message", "thread.run.created", "response.output_text.delta"]),
        st.text(alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=30),
    ),
    max_size=8,
)


def encode_events(events: list, newline: bytes) -> bytes:
    out = b""
    for name, data in events:
        if name:
            out += b"event: " + name.encode() + newline
        out += b"data: " + data.encode() + newline + b": comment" + newline + newline
    return out


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=200)
@given(events_strategy, st.sampled_from([b"\n", b"\r\n", b"\r"]), st.data())
def test_any_split_gives_the_same_events(events: list, newline: bytes, data: st.DataObject) -> None:
    payload = encode_events(events, newline)
    whole = decode(payload)
    assert [(e.event, e.data) for e in whole] == [(n or "message", d) for n, d in events]
    cuts = sorted(data.draw(st.lists(st.integers(0, len(payload)), max_size=10)))
    pieces = [payload[a:b] for a, b in zip([0, *cuts], [*cuts, len(payload)], strict=True)]
    assert decode(*pieces) == whole
    assert decode(*[payload[i : i + 1] for i in range(len(payload))]) == whole


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=200)
@given(st.lists(st.binary(max_size=64), max_size=20))
def test_random_bytes_never_crash_or_hang(chunks: list[bytes]) -> None:
    decoder = SSEDecoder(max_event_size=512)
    for chunk in chunks:
        try:
            for event in decoder.feed(chunk):
                assert isinstance(event.data, str)
        except SSEError:
            return


def chunked(*pieces: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


def test_chunked_decoder_whole_and_bytewise() -> None:
    body = chunked(b"hello ", b"world", b"x" * 300)
    decoder = ChunkedDecoder()
    assert decoder.feed(body) == b"hello world" + b"x" * 300 and decoder.done
    decoder = ChunkedDecoder()
    assert b"".join(decoder.feed(body[i : i + 1]) for i in range(len(body))) == b"hello world" + b"x" * 300
    assert decoder.done


def test_chunked_extensions_trailers_and_leftover() -> None:
    decoder = ChunkedDecoder()
    out = decoder.feed(b"5;ext=1\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT")
    assert out == b"hello" and decoder.done and decoder.leftover == b"NEXT"


@pytest.mark.parametrize("bad", [b"zz\r\nhello\r\n", b"5\r\nhelloXX", b"1" * 5000])
def test_chunked_malformed(bad: bytes) -> None:
    with pytest.raises(ChunkedError):
        ChunkedDecoder().feed(bad)


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=200)
@given(st.lists(st.binary(min_size=1, max_size=50), max_size=10), st.data())
def test_chunked_any_split(pieces: list[bytes], data: st.DataObject) -> None:
    body = chunked(*pieces)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(body)), max_size=10)))
    decoder = ChunkedDecoder()
    out = b"".join(decoder.feed(body[a:b]) for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True))
    assert out == b"".join(pieces) and decoder.done


def test_bom_split_across_chunks() -> None:
    assert decode(b"\xef", b"\xbb\xbfdata: x\n\n") == [ev("x")]
    assert decode(b"\xef\xbb", b"\xbf", b"data: y\n\n") == [ev("y")]
