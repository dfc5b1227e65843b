"""The lean event-stream reader against exact byte sequences from a raw socket server.

Interim 1xx heads, stale bytes on pooled connections, trailers, compression, cancellation,
event loops: the cases a well-behaved test server never produces.
"""

from __future__ import annotations

import asyncio
import gzip
import time
import warnings

import pytest

from openapi_client_openai import APIConnectionError, AsyncOpenAIClient, OpenAIClient
from streams import CHAT_FINAL, chat_events

from conftest import FAKE_KEY, SPEC_31

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}], "stream": True}
SSE_HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n"


def chunked(*pieces: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces)


def stream_bytes(events=None, trailer: bytes = b"\r\n") -> bytes:
    return SSE_HEAD + b"\r\n" + chunked(*(events or chat_events())) + b"0\r\n" + trailer


def client_for(url: str, **kw) -> OpenAIClient:
    return OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=url, max_retries=0, **kw)


@pytest.fixture(autouse=True)
def _no_resource_leaks():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        yield


def test_interim_1xx_heads_are_skipped(raw_server) -> None:
    def handler(conn, request):
        conn.sendall(b"HTTP/1.1 103 Early Hints\r\nlink: </x>; rel=preload\r\n\r\n")
        time.sleep(0.05)
        conn.sendall(stream_bytes())

    srv = raw_server(handler)
    with client_for(srv.url) as c:
        assert c.createChatCompletion(body=CHAT).final() == CHAT_FINAL
        assert c.createChatCompletion(body=CHAT).final() == CHAT_FINAL
    assert srv.connections == 1


def test_stale_bytes_on_an_idle_connection_are_never_read_as_an_answer(raw_server) -> None:
    def handler(conn, request):
        conn.sendall(stream_bytes())
        time.sleep(0.1)
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nSTALE-JUNK")

    srv = raw_server(handler)
    with client_for(srv.url) as c:
        assert c.createChatCompletion(body=CHAT).final() == CHAT_FINAL
        time.sleep(0.3)
        assert c.createChatCompletion(body=CHAT).final() == CHAT_FINAL
    assert srv.connections == 2


def test_stale_bytes_async(raw_server) -> None:
    def handler(conn, request):
        conn.sendall(stream_bytes())
        time.sleep(0.1)
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nSTALE-JUNK")

    srv = raw_server(handler)

    async def main():
        async with AsyncOpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=srv.url, max_retries=0) as c:
            assert await (await c.createChatCompletion(body=CHAT)).final() == CHAT_FINAL
            await asyncio.sleep(0.3)
            assert await (await c.createChatCompletion(body=CHAT)).final() == CHAT_FINAL

    asyncio.run(main())
    assert srv.connections == 2


def test_trickling_trailers_do_not_hold_the_drain(raw_server) -> None:
    def handler(conn, request):
        conn.sendall(SSE_HEAD + b"\r\n" + chunked(*chat_events()) + b"0\r\n")
        for _ in range(30):
            conn.sendall(b"x-trailer: 1\r\n")
            time.sleep(0.1)
        conn.sendall(b"\r\n")
        return False

    srv = raw_server(handler)
    with client_for(srv.url) as c:
        start = time.monotonic()
        assert c.createChatCompletion(body=CHAT).final() == CHAT_FINAL
        assert time.monotonic() - start < 2.0


def test_gzip_event_stream_through_httpx_and_lean(raw_server, monkeypatch: pytest.MonkeyPatch) -> None:
    body = gzip.compress(b"".join(chat_events()))

    def handler(conn, request):
        conn.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-encoding: gzip\r\n"
            b"content-length: %d\r\n\r\n%s" % (len(body), body)
        )

    srv = raw_server(handler)
    with client_for(srv.url) as c:
        assert c.createChatCompletion(body=CHAT).final() == CHAT_FINAL
    monkeypatch.setattr("openapi_client_openai._transports.lean.lean_allowed", lambda: False)
    with client_for(srv.url) as c:
        assert c.createChatCompletion(body=CHAT).final() == CHAT_FINAL


@pytest.mark.parametrize(
    "answer",
    [b"SSH-2.0-OpenSSH\r\n\r\n", b"HTTP/1.1 200 OK\r\n" + b"x-big: " + b"y" * 70000 + b"\r\n\r\n"],
    ids=["garbage", "huge-head"],
)
def test_bad_heads_are_connection_errors_without_leaks(raw_server, answer: bytes) -> None:
    srv = raw_server(lambda conn, request: conn.sendall(answer))
    with client_for(srv.url) as c, pytest.raises(APIConnectionError):
        c.createChatCompletion(body=CHAT)


def test_sse_raises_on_a_clean_end_before_done(raw_server) -> None:
    srv = raw_server(lambda conn, request: conn.sendall(stream_bytes(chat_events()[:3])))
    with client_for(srv.url) as c, pytest.raises(APIConnectionError, match="final event"):
        list(c.createChatCompletion(body=CHAT).sse())


def test_break_after_the_final_event_without_with(raw_server) -> None:
    srv = raw_server(lambda conn, request: conn.sendall(stream_bytes()))
    c = client_for(srv.url)
    for _ in range(3):
        stream = c.createChatCompletion(body=CHAT)
        for item in stream:
            if item.get("usage"):
                break
        del stream, item
    c.close()


def test_cancel_while_waiting_for_the_head(raw_server) -> None:
    srv = raw_server(lambda conn, request: time.sleep(1.0))

    async def main():
        async with AsyncOpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=srv.url) as c:
            task = asyncio.ensure_future(c.createChatCompletion(body=CHAT))
            await asyncio.sleep(0.1)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(main())


def test_one_async_client_across_two_event_loops(raw_server) -> None:
    srv = raw_server(lambda conn, request: conn.sendall(stream_bytes()))
    client = AsyncOpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=srv.url, timeout=3)

    async def once():
        return await (await client.createChatCompletion(body=CHAT)).final()

    assert asyncio.run(once()) == CHAT_FINAL
    start = time.monotonic()
    assert asyncio.run(once()) == CHAT_FINAL
    assert time.monotonic() - start < 1.0
