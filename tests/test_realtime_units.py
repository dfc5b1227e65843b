"""The I/O-free parts of realtime connections: assembling responses, the handshake, the helpers."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openapi_client_openai import OpenAIClient
from openapi_client_openai._errors import ConfigError, ParameterError, SpecError
from openapi_client_openai.realtime._events import EventCatalog
from openapi_client_openai.realtime._final import Responses

from conftest import FAKE_KEY, SPEC_31


def _split(text: Any, cuts: list[int]) -> list[Any]:
    points = sorted({c % (len(text) + 1) for c in cuts})
    pieces, start = [], 0
    for point in [*points, len(text)]:
        pieces.append(text[start:point])
        start = point
    return pieces


def _events(rid: str, text: str, audio: bytes, transcript: str, cuts: list[int], beta: bool) -> list[dict]:
    names = ("response.text.delta", "response.audio.delta", "response.audio_transcript.delta")
    if not beta:
        names = ("response.output_text.delta", "response.output_audio.delta", "response.output_audio_transcript.delta")
    where = {"response_id": rid, "item_id": "item_1", "output_index": 0, "content_index": 0}
    out: list[dict] = [{"type": "response.created", "response": {"id": rid, "status": "in_progress"}}]
    out += [{"type": names[0], **where, "delta": piece} for piece in _split(text, cuts)]
    out += [{"type": names[1], **where, "delta": base64.b64encode(p).decode()} for p in _split(audio, cuts)]
    out += [{"type": names[2], **where, "delta": piece} for piece in _split(transcript, cuts)]
    out.append({"type": "response.done", "response": {"id": rid, "status": "completed", "output": [], "usage": {}}})
    return out


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(max_size=40),
    audio=st.binary(max_size=64),
    transcript=st.text(max_size=40),
    cuts=st.lists(st.integers(0, 80), max_size=8),
    beta=st.booleans(),
    other=st.booleans(),
)
def test_deltas_split_anywhere_reassemble(text, audio, transcript, cuts, beta, other) -> None:
    responses = Responses()
    responses.asked()
    assert responses.final() is None
    events = _events("resp_1", text, audio, transcript, cuts, beta)
    if other:  # a response of another conversation (out of band) interleaved: kept apart
        foreign = _events("resp_2", "zz", b"\x01", "yy", [1], beta)[1:-1]
        events = events[:2] + foreign + events[2:]
    for event in events[:-1]:
        responses.feed(event)
        assert responses.final() is None
    responses.feed(events[-1])
    final = responses.final()
    assert final is not None
    assert (final["text"], final["audio"], final["transcript"]) == (text, audio, transcript)
    assert final["response"]["id"] == "resp_1"


def test_function_calls_from_the_output_or_as_streamed() -> None:
    responses = Responses()
    where = {"response_id": "r", "item_id": "i", "output_index": 0, "call_id": "call_1"}
    item = {"id": "i", "type": "function_call", "name": "f", "call_id": "call_1", "arguments": '{"a": 1}'}
    for event in [
        {"type": "response.created", "response": {"id": "r"}},
        {"type": "response.function_call_arguments.delta", **where, "delta": '{"a"'},
        {"type": "response.function_call_arguments.delta", **where, "delta": ": 1}"},
        {"type": "response.output_item.done", "response_id": "r", "output_index": 0, "item": item},
        {"type": "response.done", "response": {"id": "r", "output": []}},  # a server that leaves output out
    ]:
        responses.feed(event)
    assert responses.final()["function_calls"] == [{"name": "f", "call_id": "call_1", "arguments": '{"a": 1}'}]
    responses.asked()  # the next response.create: the finished one is no longer current
    assert responses.final() is None


def test_the_handshake_from_the_client_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url="https://proxy.test/openai/v1/")
    conn = client.realtime.connect(model="gpt-realtime", extra_headers={"X-Trace": "1"}, temperature=0.5, debug=True)
    assert conn._plan.url == "wss://proxy.test/openai/v1/realtime?model=gpt-realtime&temperature=0.5&debug=true"
    headers = conn._plan.headers
    assert headers["X-Trace"] == "1" and headers["User-Agent"].startswith("openapi-client-openai/")
    assert FAKE_KEY not in repr(conn) and FAKE_KEY not in repr(conn._plan)
    assert conn.family == "ga" and "session" in dir(conn) and "input_audio_buffer" in dir(conn)
    assert conn._session.idle_timeout == 600  # the client's timeout, by default
    no_limit = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, timeout=None).realtime.connect(model="m")
    assert no_limit._session.idle_timeout is None
    with pytest.raises(ConfigError, match="idle_timeout"):
        client.realtime.connect(model="m", idle_timeout=-1)
    with pytest.raises(ConfigError, match="beta= and raise_errors="):
        client.realtime.connect(model="m", beta="yes")  # type: ignore[arg-type]
    with pytest.raises(AttributeError, match="client events of this protocol start with"):
        conn.sesion  # noqa: B018


def test_helpers_fill_the_event_from_the_schema() -> None:
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url="http://127.0.0.1:9/v1")
    conn = client.realtime.connect(model="gpt-realtime")
    sent: list[dict] = []
    conn.send = sent.append  # type: ignore[method-assign]
    conn.input_audio_buffer.append(b"\x01\x02", event_id="evt_1")
    conn.conversation.item.truncate(item_id="item_1", content_index=0, audio_end_ms=100)
    assert sent == [
        {"type": "input_audio_buffer.append", "audio": "AQI=", "event_id": "evt_1"},
        {"type": "conversation.item.truncate", "item_id": "item_1", "content_index": 0, "audio_end_ms": 100},
    ]
    with pytest.raises(ParameterError, match="takes 1 positional argument"):
        conn.input_audio_buffer.append(b"", b"")
    with pytest.raises(AttributeError, match="did you mean 'item'"):
        conn.conversation.iten  # noqa: B018
    assert dir(conn.conversation.item) == ["create", "delete", "retrieve", "truncate"]


def test_a_spec_without_events_says_so() -> None:
    empty = EventCatalog({}, "my.yaml")
    with pytest.raises(SpecError, match=r"my\.yaml declares no ga realtime events \(it has: none\)"):
        empty.events("ga", "client")
    with pytest.raises(SpecError, match="unknown realtime protocol 'v2'"):
        empty.events("v2", "client")


def test_without_websockets_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "websockets.sync.client", None)  # as if not installed
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url="http://127.0.0.1:9/v1")
    with pytest.raises(ConfigError, match=r"pip install 'openapi-client-openai\[realtime\]'"):
        client.realtime.connect(model="m").open()
