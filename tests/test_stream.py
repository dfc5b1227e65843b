"""Streaming end to end against a real HTTP server on 127.0.0.1, sync and async.

Every family is streamed both through the lean reader and through httpx (the path taken
when a proxy is configured), and the accumulated result is compared with the object the
events were built from.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from openapi_client_openai import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AsyncOpenAIClient,
    BadRequestError,
    OpenAIClient,
    RateLimitError,
)
from openapi_client_openai._stream import AsyncStream, EventData, Stream
from streams import CHAT_FINAL, FAMILIES, SSE, chat_events, sse

from conftest import FAKE_KEY, SPEC_31, Reply

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}], "stream": True}
WAV = b"RIFF\x00\x00\x00\x00WAVEfmt "


@pytest.fixture(params=["lean", "httpx"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each reader in turn: the lean one, and httpx (as with a proxy configured)."""
    if request.param == "httpx":
        monkeypatch.setattr("openapi_client_openai._transports.lean.lean_allowed", lambda: False)
    return request.param


@pytest.fixture(autouse=True)
def _fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("openapi_client_openai._retry.INITIAL_DELAY", 0.01)


def stream_reply(events: list, **kw) -> Reply:
    return Reply(body=events, headers={"content-type": SSE}, **kw)


BODIES = {
    "chat": CHAT,
    "completion": {"model": "gpt-3.5-turbo-instruct", "prompt": "Once", "stream": True},
    "responses": {"model": "gpt-4.1", "input": "Say it", "stream": True},
    "assistants": {"assistant_id": "asst_1", "stream": True},
    "transcription": {"file": WAV, "model": "gpt-4o-transcribe", "stream": True},
}


def call_family(client, family: str):
    op_id = FAMILIES[family][0]
    if family == "assistants":
        return client.call(op_id, BODIES[family], thread_id="thread_1")
    return client.call(op_id, BODIES[family])


@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_family_sync(client, server, path: str, family: str) -> None:
    _, events, final, text = FAMILIES[family]
    server.script(stream_reply(events()))
    with call_family(client, family) as stream:
        assert isinstance(stream, Stream)
        assert stream.response.status_code == 200 and stream.response.request_id == "req_1"
        items = list(stream)
    assert all(isinstance(i, dict) and isinstance(i, EventData) for i in items)
    assert stream.final() == final
    assert stream.text() == text
    if family == "assistants":
        assert [i.event for i in items][:2] == ["thread.run.created", "thread.run.in_progress"]
    else:
        assert {i.event for i in items} <= {
            "message",
            "response.created",
            "response.in_progress",
            "response.output_text.delta",
            "response.output_text.done",
            "response.completed",
        }
    if family == "transcription":
        assert server.last.headers["content-type"].startswith("multipart/form-data")
        assert b'name="stream"\r\n\r\ntrue' in server.last.body


@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_family_async(server, path: str, family: str) -> None:
    _, events, final, text = FAMILIES[family]
    server.script(stream_reply(events()), stream_reply(events()))

    async def main():
        async with AsyncOpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url, timeout=5) as c:
            stream = await call_family(c, family)
            assert isinstance(stream, AsyncStream)
            async with stream:
                items = [item async for item in stream]
            second = await call_family(c, family)
            pieces = [p async for p in second.iter_text()]
            return items, await stream.final(), await stream.text(), pieces, await second.final()

    items, got_final, got_text, pieces, second_final = asyncio.run(main())
    assert items and got_final == final and got_text == text
    assert "".join(pieces) == text and second_final == final


def test_text_and_final_during_iteration_consume_the_rest(client, server, path: str) -> None:
    server.script(stream_reply(chat_events()))
    with client.createChatCompletion(body=CHAT) as stream:
        iterator = iter(stream)
        first = next(iterator)
        assert first["choices"][0]["delta"]["role"] == "assistant"
        next(iterator)
        assert stream.final() == CHAT_FINAL  # consumes the rest, from where iteration stopped
        assert list(iterator) == []
        assert stream.text() == CHAT_FINAL["choices"][0]["message"]["content"]


def test_final_without_iterating(client, server, path: str) -> None:
    server.script(stream_reply(chat_events()))
    assert client.createChatCompletion(body=CHAT).final() == CHAT_FINAL


def test_iter_text_yields_pieces_as_they_arrive(client, server, path: str) -> None:
    server.script(stream_reply(chat_events()))
    with client.create_chat_completion(**CHAT) as stream:
        pieces = list(stream.iter_text())
    assert len(pieces) > 5 and "".join(pieces) == CHAT_FINAL["choices"][0]["message"]["content"]


def test_raw_sse(client, server, path: str) -> None:
    server.script(stream_reply([b"id: 5\nretry: 300\nevent: ping\ndata: {}\n\n", sse({"a": 1}), sse("[DONE]")]))
    with client.createChatCompletion(body=CHAT) as stream:
        raw = list(stream.sse())
    assert [(e.event, e.data, e.id, e.retry) for e in raw] == [
        ("ping", "{}", "5", 300),
        ("message", '{"a": 1}', "5", None),
        ("message", "[DONE]", "5", None),
    ]
    with pytest.raises(RuntimeError, match="sse"):
        stream.final()


def test_usage_chunk_and_logprobs_are_kept(client, server, path: str) -> None:
    lp = {"content": [{"token": "Hi", "logprob": -0.1, "bytes": [72, 105], "top_logprobs": []}], "refusal": None}
    head = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    server.script(
        stream_reply(
            [
                sse(
                    {
                        **head,
                        "choices": [
                            {
                                "index": 0,
                                "delta": {"role": "assistant", "content": "Hi"},
                                "logprobs": lp,
                                "finish_reason": None,
                            }
                        ],
                    }
                ),
                sse(
                    {
                        **head,
                        "choices": [{"index": 0, "delta": {"refusal": "no"}, "logprobs": lp, "finish_reason": "stop"}],
                    }
                ),
                sse({**head, "choices": [], "usage": {"total_tokens": 3}}),
                sse("[DONE]"),
            ]
        )
    )
    final = client.createChatCompletion(body=CHAT).final()
    choice = final["choices"][0]
    assert choice["message"] == {"role": "assistant", "content": "Hi", "refusal": "no"}
    assert choice["logprobs"]["content"] == lp["content"] * 2
    assert final["usage"] == {"total_tokens": 3}


@pytest.mark.parametrize("cut", [True, "mid-chunk"])
def test_cut_connection_raises(client, server, path: str, cut) -> None:
    server.script(stream_reply(chat_events()[:5], cut=cut))
    with pytest.raises(APIConnectionError), client.createChatCompletion(body=CHAT) as stream:
        for _ in stream:
            pass


def test_clean_end_without_done_is_not_a_silent_short_answer(client, server, path: str) -> None:
    server.script(stream_reply(chat_events()[:-1]))
    with pytest.raises(APIConnectionError, match="ended before its final event"):
        client.createChatCompletion(body=CHAT).text()
    server.script(stream_reply([b": keep-alive\n\n", b": keep-alive\n\n"]))
    with pytest.raises(APIConnectionError, match="without any event"):
        list(client.createChatCompletion(body=CHAT))
    server.script(stream_reply([b'data: {"partial": ']))
    with pytest.raises(APIConnectionError, match="middle of an event"):
        list(client.createChatCompletion(body=CHAT))


def test_unknown_family_may_end_with_the_body(client, server, path: str) -> None:
    server.script(stream_reply([sse({"type": "custom.thing", "n": 1}), sse({"type": "custom.thing", "n": 2})]))
    with client.createChatCompletion(body=CHAT) as stream:
        assert [i["n"] for i in stream] == [1, 2]
        assert stream.final() == {"type": "custom.thing", "n": 2}


def test_stall_raises_timeout_within_the_read_timeout(server, path: str) -> None:
    server.script(stream_reply([*chat_events()[:3], 3.0, *chat_events()[3:]]))
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url, timeout=0.4, max_retries=0) as c:
        start = time.monotonic()
        with pytest.raises(APITimeoutError), c.createChatCompletion(body=CHAT) as stream:
            for _ in stream:
                pass
        assert 0.3 < time.monotonic() - start < 2.0


def test_idle_timeout_fires_despite_keep_alive_comments(server, path: str) -> None:
    comments = [b": keep-alive\n\n", 0.1] * 30
    server.script(stream_reply([chat_events()[0], *comments, *chat_events()[1:]]))
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url, timeout=5, stream_idle_timeout=0.5)
    with client:
        start = time.monotonic()
        with pytest.raises(APITimeoutError, match="idle"), client.createChatCompletion(body=CHAT) as stream:
            for _ in stream:
                pass
        assert 0.4 < time.monotonic() - start < 2.0


@pytest.mark.parametrize(
    ("events", "cls", "message"),
    [
        ([b'event: error\ndata: {"error": {"message": "boom", "type": "server_error"}}\n\n'], APIError, "boom"),
        ([sse({"error": {"message": "overloaded", "type": "server_error"}})], APIError, "overloaded"),
        ([sse({"error": {"message": "slow down", "status": 429}})], RateLimitError, "slow down"),
        ([sse({"type": "error", "code": "x", "message": "bad input", "sequence_number": 3})], APIError, "bad input"),
        ([b"event: error\ndata: plain text failure\n\n"], APIError, "plain text failure"),
    ],
)
def test_error_events_raise(client, server, path: str, events, cls, message: str) -> None:
    server.script(stream_reply([chat_events()[0], *events, *chat_events()[1:]]))
    with pytest.raises(cls, match=message) as info, client.createChatCompletion(body=CHAT) as stream:
        for _ in stream:
            pass
    assert info.value.message == message


def test_done_followed_by_junk_and_connection_reuse(client, server, path: str) -> None:
    junk = [b"data: junk that is not JSON\n\n", b"more junk"]
    server.script(stream_reply([*chat_events(), *junk]), stream_reply(chat_events()))
    with client.createChatCompletion(body=CHAT) as stream:
        assert stream.final() == CHAT_FINAL
    with client.createChatCompletion(body=CHAT) as stream:
        assert stream.final() == CHAT_FINAL
    first, second = server.requests
    assert first.peer == second.peer  # the connection went back to the pool and was reused


def test_break_closes_the_connection_and_the_next_call_works(client, server, path: str) -> None:
    server.script(stream_reply(chat_events()), stream_reply(chat_events()))
    with client.createChatCompletion(body=CHAT) as stream:
        for _ in stream:
            break
    assert client.createChatCompletion(body=CHAT).final() == CHAT_FINAL


def test_huge_event_is_an_error(server, path: str) -> None:
    big = sse({"x": "y" * 5000})
    server.script(stream_reply([big[:3000], big[3000:], sse("[DONE]")]))
    c = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url, max_event_size=1000)
    with c, pytest.raises(APIError, match="1000-byte cap"):
        list(c.createChatCompletion(body=CHAT))


def test_error_status_before_the_stream_is_retried_or_raised(client, server, path: str) -> None:
    error = '{"error": {"message": "busy", "type": "server_error"}}'
    server.script(
        Reply(429, error, {"retry-after-ms": "10", "content-type": "application/json"}), stream_reply(chat_events())
    )
    assert client.createChatCompletion(body=CHAT).final() == CHAT_FINAL
    assert len(server.requests) == 2
    server.script(Reply(400, '{"error": {"message": "bad model", "type": "invalid_request_error"}}'))
    with pytest.raises(BadRequestError, match="bad model"):
        client.createChatCompletion(body=CHAT)


def test_json_answer_to_a_stream_request_is_a_result(client, server, path: str) -> None:
    server.script(Reply(body='{"id": "chatcmpl-1"}'))
    result = client.createChatCompletion(body=CHAT)
    assert not isinstance(result, Stream) and result.json() == {"id": "chatcmpl-1"}
    from openapi_client_openai import ContentError

    with pytest.raises(ContentError, match="not an event stream"):  # not Python's obscure KeyError: 0
        list(result)


def test_unasked_event_stream_is_a_stream(client, server) -> None:
    server.script(stream_reply(chat_events()))
    result = client.createChatCompletion(body={**CHAT, "stream": False})
    assert isinstance(result, Stream) and result.final() == CHAT_FINAL


def test_speech_sse_format_streams(client, server, path: str) -> None:
    events = [
        sse({"type": "speech.audio.delta", "audio": "AAAA"}),
        sse({"type": "speech.audio.done", "usage": {"total_tokens": 2}}),
    ]
    server.script(stream_reply(events))
    with client.createSpeech(
        body={"model": "gpt-4o-mini-tts", "input": "hi", "voice": "alloy", "stream_format": "sse"}
    ) as stream:
        items = list(stream)
    assert [i["type"] for i in items] == ["speech.audio.delta", "speech.audio.done"]
    assert stream.finished


def test_async_failures(server, path: str) -> None:
    server.script(
        stream_reply(chat_events()[:4], cut=True),
        stream_reply([*chat_events()[:2], 2.0, *chat_events()[2:]]),
        stream_reply([b'event: error\ndata: {"error": {"message": "nope"}}\n\n']),
    )

    async def main():
        async with AsyncOpenAIClient(
            spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url, timeout=0.4, max_retries=0
        ) as c:
            with pytest.raises(APIConnectionError):
                async with await c.createChatCompletion(body=CHAT) as s:
                    async for _ in s:
                        pass
            start = time.monotonic()
            with pytest.raises(APITimeoutError):
                async with await c.createChatCompletion(body=CHAT) as s:
                    async for _ in s:
                        pass
            assert time.monotonic() - start < 2.0
            with pytest.raises(APIError, match="nope"):
                await (await c.createChatCompletion(body=CHAT)).final()

    asyncio.run(main())


def test_async_connection_reuse_and_break(server, path: str) -> None:
    server.script(*[stream_reply(chat_events()) for _ in range(3)])

    async def main():
        async with AsyncOpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as c:
            s = await c.createChatCompletion(body=CHAT)
            async with s:
                async for _ in s:
                    break
            assert (await (await c.createChatCompletion(body=CHAT)).final()) == CHAT_FINAL
            assert (await (await c.createChatCompletion(body=CHAT)).final()) == CHAT_FINAL

    asyncio.run(main())
    assert server.requests[1].peer == server.requests[2].peer
