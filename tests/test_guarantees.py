"""Every guarantee on every path: both HTTP stacks, the blocking and asyncio clients, plain
calls and streams, against raw socket servers on 127.0.0.1 that misbehave on purpose.

Each scenario is written once as a coroutine and played four ways (``lean``/``httpx`` x
``sync``/``async``): on the blocking client the calls simply do not need awaiting.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import json
import os
import threading
import time

import pytest

from openapi_client_openai import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AsyncOpenAIClient,
    InternalServerError,
    OpenAIClient,
    OpenAPIClientError,
    ParameterError,
    UnknownOperationError,
)
from openapi_client_openai.cli import main
from streams import CHAT_FINAL, chat_events, sse

from conftest import FAKE_KEY, SPEC_31, RecordingServer, Reply

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
STREAM = {**CHAT, "stream": True}
OK_JSON = b'{"object": "list", "data": []}'
SSE_HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def json_answer(body: bytes = OK_JSON, status: str = "200 OK", extra: bytes = b"") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n".encode()
        + extra
        + b"\r\n"
        + body
    )


def stream_answer(events: list[bytes]) -> bytes:
    return SSE_HEAD + b"".join(chunk(e) for e in events) + b"0\r\n\r\n"


async def maybe(value):
    """Await what the asyncio client returns; take what the blocking one returns."""
    return await value if inspect.isawaitable(value) else value


async def drain(stream) -> list:
    """Every item of a stream, whichever client made it."""
    if hasattr(stream, "__aiter__"):
        return [item async for item in stream]
    return list(stream)


async def raw_events(stream) -> list:
    if hasattr(stream, "__aiter__"):
        return [e async for e in stream.sse()]
    return list(stream.sse())


@pytest.fixture(params=["lean-sync", "lean-async", "httpx-sync", "httpx-async"])
def play(request, monkeypatch: pytest.MonkeyPatch):
    """``play(url, scenario, **client_options)`` runs ``scenario(client)`` on one of four paths."""
    stack, flavour = request.param.split("-")
    if stack == "httpx":  # as with a proxy configured
        monkeypatch.setattr("openapi_client_openai._transports.lean.lean_allowed", lambda: False)
    cls = OpenAIClient if flavour == "sync" else AsyncOpenAIClient

    def run(url: str, scenario, **options):
        options = {"spec": SPEC_31, "api_key": FAKE_KEY, "base_url": url, "max_retries": 0, **options}

        async def main_():
            client = cls(**options)
            try:
                return await scenario(client)
            finally:
                await maybe(client.close() if flavour == "sync" else client.aclose())

        return asyncio.run(main_())

    run.path = request.param
    return run


# -- 1, 8: what cannot be sent is refused before any stack sees it --------------------------


@pytest.mark.parametrize(
    ("headers", "match"),
    [
        ({"X-Evil\r\nInjected: 1": "x"}, "header name"),
        ({"X-A": "ok\r\nAuthorization: Bearer stolen"}, "X-A"),
        ({"X B": "x"}, "header name"),
        ({1: "x"}, "header names must be strings"),
        ({b"X-Bytes": "x"}, "header names must be strings"),
        ({"X-Nul": "a\x00b"}, "X-Nul"),
        ({"Content-Length": "5"}, "set by the client"),
        ({"transfer-encoding": "chunked"}, "set by the client"),
    ],
)
@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
def test_a_header_that_cannot_be_sent_never_reaches_the_wire(play, raw_server, headers, match, streamed) -> None:
    seen = []
    srv = raw_server(lambda conn, request: seen.append(request) or conn.sendall(json_answer()))

    async def scenario(c):
        body = STREAM if streamed else CHAT
        with pytest.raises(ParameterError, match=match):
            await maybe(c.createChatCompletion(body=body, extra_headers=headers))

    play(srv.url, scenario)
    assert seen == []  # nothing was written: no second request smuggled onto the connection


def test_default_headers_are_checked_too(raw_server) -> None:
    srv = raw_server(lambda conn, request: conn.sendall(json_answer()))
    c = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=srv.url, default_headers={"A\nB": "x"})
    with c, pytest.raises(ParameterError, match="header name"):
        c.list_models()
    assert srv.connections == 0


def _deep(levels: int) -> list:
    top = node = []
    for _ in range(levels):
        child: list = []
        node.append(child)
        node = child
    return top


@pytest.mark.parametrize("validate", ["error", "off"])
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda c: c.create_chat_completion(**CHAT, metadata={"a": _deep(100_000)}), "nested more than 254"),
        (lambda c: c.create_chat_completion(**CHAT, response_format=_deep(100_000)), "nested more than 254"),
        (lambda c: c.list_files(extra_query={"a": _deep(100_000)}), "nested more than 32"),
        (lambda c: c.create_chat_completion(**CHAT, logit_bias={(1, 2): 3}), r"key \(1, 2\)"),
        (lambda c: c.create_chat_completion(**CHAT, logit_bias={50256: -100}), "keys must be strings"),
        (lambda c: c.list_files(extra_query={(1,): "x"}), "query keys must be strings"),
        (lambda c: c.create_chat_completion(**CHAT, temperature=float("nan")), "temperature"),
        (lambda c: c.create_chat_completion(**CHAT, seed=2**70), "too large"),
        (lambda c: c.create_chat_completion(**CHAT, user=object()), "cannot be sent as JSON"),
    ],
    ids=["deep-body", "deep-free-form", "deep-query", "tuple-key", "int-key", "query-key", "nan", "big-int", "object"],
)
def test_bodies_and_queries_that_cannot_be_sent_are_parameter_errors(raw_server, validate, call, match) -> None:
    srv = raw_server(lambda conn, request: conn.sendall(json_answer()))
    c = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=srv.url, validate=validate)
    with c, pytest.raises(ParameterError, match=match) as info:
        call(c)
    assert len(str(info.value)) < 600  # names the place without printing the whole body
    assert srv.connections == 0


def test_a_body_nested_near_the_limit_still_goes(raw_server) -> None:
    seen = []
    srv = raw_server(lambda conn, request: seen.append(request) or conn.sendall(json_answer()))
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=srv.url) as c:
        c.create_chat_completion(**CHAT, metadata={"a": "b"}, response_format={"type": "text"}, user="u" * 10)
        schema = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"a": _deep(200)}}}
        c.create_chat_completion(**CHAT, response_format=schema)
    assert len(seen) == 2


# -- 2: the key never leaves in an error -----------------------------------------------------


def test_the_key_never_appears_in_stream_errors(play, raw_server) -> None:
    errors = [
        sse({"error": {"message": f"bad key {FAKE_KEY}", "type": "invalid_request_error"}}, "error"),
        sse(f"not json, but the key: {FAKE_KEY}", "error"),
        sse({"type": "error", "error": {"message": f"key {FAKE_KEY}", "code": FAKE_KEY}}),
    ]
    junk = sse(f"junk {FAKE_KEY}")  # not JSON: an error for parsed events; sse() hands it over raw
    cases = [(drain, e) for e in [*errors, junk]] + [(raw_events, e) for e in errors]
    answers = iter([event for _, event in cases])
    srv = raw_server(lambda conn, request: conn.sendall(stream_answer([next(answers)])))

    async def scenario(c):
        caught = []
        for reader, _ in cases:
            stream = await maybe(c.createChatCompletion(body=STREAM))
            with pytest.raises(APIError) as info:
                await reader(stream)
            caught.append(info.value)
        return caught

    for exc in play(srv.url, scenario):
        shown = f"{exc} {exc!r} {exc.message} {json.dumps(exc.body)} {exc.args} {getattr(exc, 'code', '')}"
        assert FAKE_KEY not in shown
        assert "sk-***" in shown


def test_the_key_never_appears_in_status_errors(play, raw_server) -> None:
    body = json.dumps({"error": {"message": f"Incorrect API key provided: {FAKE_KEY}", "code": "invalid_api_key"}})
    srv = raw_server(lambda conn, request: conn.sendall(json_answer(body.encode(), "401 Unauthorized")))

    async def scenario(c):
        with pytest.raises(APIError) as info:
            await maybe(c.list_models())
        return info.value

    exc = play(srv.url, scenario)
    response = exc.response
    for text in (str(exc), exc.message, json.dumps(exc.body), response.text, response.content.decode()):
        assert FAKE_KEY not in text
    assert FAKE_KEY not in json.dumps(response.json())


def test_the_key_never_appears_on_the_command_line(raw_server, monkeypatch: pytest.MonkeyPatch) -> None:
    event = sse({"error": {"message": f"your key {FAKE_KEY} is bad"}}, "error")
    srv = raw_server(lambda conn, request: conn.sendall(stream_answer([event])))
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    for events in ([], ["--events"]):
        out, err = io.StringIO(), io.StringIO()
        argv = ["--spec", str(SPEC_31), "--base-url", srv.url, "call", "createChatCompletion", *events]
        code = main([*argv, "--body", json.dumps(STREAM), "--max-retries", "0"], stdout=out, stderr=err)
        assert code != 0
        assert FAKE_KEY not in err.getvalue()
        assert "sk-***" in err.getvalue()


# -- 3: idle timeouts cover the head and every gap between events ---------------------------


def test_stream_idle_timeout_while_only_comments_arrive(play, raw_server) -> None:
    stop = threading.Event()

    def handler(conn, request):
        conn.sendall(SSE_HEAD + chunk(sse({"choices": [], "object": "chat.completion.chunk", "id": "x"})))
        while not stop.wait(0.05):
            conn.sendall(chunk(b": keep-alive\n\n"))
        return False

    srv = raw_server(handler)

    async def scenario(c):
        stream = await maybe(c.createChatCompletion(body=STREAM))
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="idle"):
            await drain(stream)
        return time.monotonic() - started

    try:
        waited = play(srv.url, scenario, stream_idle_timeout=0.5, timeout=30)
    finally:
        stop.set()
    assert 0.4 < waited < 3


def test_stream_idle_timeout_when_the_server_falls_silent(play, raw_server) -> None:
    release = threading.Event()

    def handler(conn, request):
        conn.sendall(SSE_HEAD + chunk(sse({"choices": [], "object": "chat.completion.chunk", "id": "x"})))
        release.wait(10)  # then nothing at all, not even a comment
        return False

    srv = raw_server(handler)

    async def scenario(c):
        stream = await maybe(c.createChatCompletion(body=STREAM))
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            await drain(stream)
        return time.monotonic() - started

    try:
        waited = play(srv.url, scenario, stream_idle_timeout=0.5, timeout=30)
    finally:
        release.set()
    assert waited < 3


def test_stream_idle_timeout_covers_the_wait_for_the_head(play, raw_server) -> None:
    release = threading.Event()

    def handler(conn, request):
        release.wait(10)  # never answers in time
        return False

    srv = raw_server(handler)

    async def scenario(c):
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            await maybe(c.createChatCompletion(body=STREAM))
        return time.monotonic() - started

    try:
        waited = play(srv.url, scenario, stream_idle_timeout=0.5, timeout=30)
    finally:
        release.set()
    assert waited < 3


def test_per_call_timeout_none_means_no_limit(play, raw_server) -> None:
    def handler(conn, request):
        time.sleep(0.6)
        conn.sendall(json_answer())

    srv = raw_server(handler)

    async def scenario(c):
        with pytest.raises(APITimeoutError):
            await maybe(c.list_models())
        return (await maybe(c.list_models(timeout=None))).json()

    assert play(srv.url, scenario, timeout=0.3) == json.loads(OK_JSON)


# -- 4: a pooled connection closed as the next request arrives is retried once ---------------


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
def test_a_stale_pooled_connection_is_retried_once_whatever_max_retries(play, raw_server, streamed) -> None:
    answered: list[int] = []

    def handler(conn, request):
        if answered and len(answered) == 1 and answered[0] == srv.connections:
            answered.append(-1)
            return False  # the server closes the idle connection as the next request arrives
        answered.append(srv.connections)
        conn.sendall(stream_answer(chat_events()) if streamed else json_answer())

    srv = raw_server(handler)

    async def scenario(c):
        for _ in range(3):
            if streamed:
                stream = await maybe(c.createChatCompletion(body=STREAM))
                assert await maybe(stream.final()) == CHAT_FINAL
            else:
                assert (await maybe(c.list_models())).json() == json.loads(OK_JSON)

    play(srv.url, scenario, max_retries=0)
    assert -1 in answered
    assert srv.connections == 2


def test_a_connection_closed_after_part_of_the_answer_is_not_retried(play, raw_server) -> None:
    def handler(conn, request):
        conn.sendall(b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"par')
        return False

    srv = raw_server(handler)

    async def scenario(c):
        with pytest.raises(APIConnectionError) as info:
            await maybe(c.list_models())
        return info.value

    exc = play(srv.url, scenario, max_retries=0)
    assert srv.connections == 1
    assert "closed" in str(exc)  # cut short: reported, never retried as if nothing had arrived


def test_connection_errors_keep_the_stacks_own_error_as_cause(play) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    async def scenario(c):
        with pytest.raises(APIConnectionError) as info:
            await maybe(c.list_models())
        return info.value

    exc = play(f"http://127.0.0.1:{port}/v1", scenario)
    assert exc.__cause__ is not None  # ConnectionRefusedError, or httpx.ConnectError
    assert "refused" in str(exc).lower() or "connect" in str(exc).lower()


# -- 5: the server's x-should-retry decides ------------------------------------------------


def test_x_should_retry_true_and_false(play) -> None:
    # A server of its own: the session's recording server may still get a late request from an
    # earlier test, which would take the scripted 503 (seen once in a full run on lean-async).
    server = RecordingServer()
    error = '{"error": {"message": "nope"}}'
    headers = {"content-type": "application/json", "retry-after-ms": "1"}

    async def scenario(c):
        server.script(Reply(400, error, {**headers, "x-should-retry": "true"}), Reply())
        assert (await maybe(c.list_models())).status_code == 200
        server.script(Reply(503, error, {**headers, "X-Should-Retry": "False"}), Reply())
        with pytest.raises(InternalServerError):
            await maybe(c.list_models())

    try:
        play(server.url, scenario, max_retries=2)
    finally:
        server.close()
    assert len(server.requests) == 3  # the 503 was not retried


# -- 6: call() resolves operations only ------------------------------------------------------


@pytest.mark.parametrize("name", ["upload_file", "__init__", "close", "aclose", "paginate", "_prepare", "validate"])
def test_call_resolves_operations_only(play, raw_server, name: str) -> None:
    srv = raw_server(lambda conn, request: conn.sendall(json_answer()))

    async def scenario(c):
        with pytest.raises(UnknownOperationError):
            await maybe(c.call(name, "x"))
        assert (await maybe(c.call("list_models"))).status_code == 200

    play(srv.url, scenario)


# -- 7: a file from a pipe ---------------------------------------------------------------------


def test_a_file_from_a_pipe_is_sent_whole_and_resent_on_retry(play, raw_server) -> None:
    audio = b"ID3" + os.urandom(200_000)
    seen: list[bytes] = []

    def handler(conn, request):
        seen.append(request)
        if len(seen) == 1:
            conn.sendall(json_answer(b'{"error": {"message": "busy"}}', "503 Busy", b"retry-after-ms: 1\r\n"))
        else:
            conn.sendall(json_answer(b'{"text": "ok"}'))

    srv = raw_server(handler)

    async def scenario(c):
        read_end, write_end = os.pipe()

        def feed():
            with os.fdopen(write_end, "wb") as w:
                w.write(audio)

        writer = threading.Thread(target=feed)
        writer.start()
        with os.fdopen(read_end, "rb") as pipe:
            result = await maybe(c.createTranscription(body={"file": pipe, "model": "whisper-1"}))
        writer.join()
        return result.json()

    assert play(srv.url, scenario, max_retries=1) == {"text": "ok"}
    assert len(seen) == 2
    for request in seen:
        assert audio in request
        assert b'filename="file.mp3"' in request


class _Exploding(io.RawIOBase):
    """A seekable binary file whose reads fail after the first one, with ``error``."""

    class Broken(Exception):
        pass

    def __init__(self, error: BaseException | None = None) -> None:
        self.reads = 0
        self.error = error or self.Broken("the disk went away")

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return 0

    def seek(self, *args) -> int:
        return 0

    def readinto(self, buffer) -> int:
        self.reads += 1
        if self.reads > 1:
            raise self.error
        buffer[:3] = b"ID3"
        return 3


def test_an_exception_the_stacks_do_not_know_passes_through(play, raw_server) -> None:
    srv = raw_server(lambda conn, request: conn.sendall(json_answer()))

    async def scenario(c):
        with pytest.raises(_Exploding.Broken):
            await maybe(c.createTranscription(body={"file": ("a.mp3", _Exploding()), "model": "whisper-1"}))

    play(srv.url, scenario)


# -- 9: --events fails on an error event --------------------------------------------------------


def test_call_events_exits_non_zero_on_an_error_event(raw_server, monkeypatch: pytest.MonkeyPatch) -> None:
    events = [sse({"choices": [], "object": "chat.completion.chunk", "id": "x"}), sse({"message": "boom"}, "error")]
    srv = raw_server(lambda conn, request: conn.sendall(stream_answer(events)))
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    out, err = io.StringIO(), io.StringIO()
    argv = ["--spec", str(SPEC_31), "--base-url", srv.url, "call", "createChatCompletion", "--events"]
    assert main([*argv, "--body", json.dumps(STREAM)], stdout=out, stderr=err) == 1
    assert "event: error" in out.getvalue()  # shown as it came, then reported
    assert "boom" in err.getvalue()


def test_sse_yields_the_error_event_then_raises(play, raw_server) -> None:
    events = [sse({"choices": [], "object": "chat.completion.chunk", "id": "x"}), sse({"message": "boom"}, "error")]
    srv = raw_server(lambda conn, request: conn.sendall(stream_answer(events)))

    async def scenario(c):
        stream = await maybe(c.createChatCompletion(body=STREAM))
        seen = []
        with pytest.raises(APIError, match="boom"):
            if hasattr(stream, "__aiter__"):
                async for event in stream.sse():
                    seen.append(event.event)
            else:
                for event in stream.sse():
                    seen.append(event.event)
        return seen

    assert play(srv.url, scenario) == ["message", "error"]


# -- settings and the error tree ---------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"max_event_size": -1},
        {"max_event_size": 0},
        {"stream_idle_timeout": -1},
        {"stream_idle_timeout": 0},
        {"timeout": -5},
        {"timeout": "soon"},
        {"max_retries": -1},
        {"max_retries": True},
        {"base_url": "api.openai.com"},
        {"validate": "sometimes"},
        {"http_client": object()},
    ],
)
@pytest.mark.parametrize("cls", [OpenAIClient, AsyncOpenAIClient])
def test_settings_that_cannot_work_are_refused_at_construction(cls, options) -> None:
    with pytest.raises(OpenAPIClientError) as info:
        cls(spec=SPEC_31, api_key=FAKE_KEY, **options)
    assert isinstance(info.value, ValueError)
    name = next(iter(options))
    assert name.replace("http_client", "http_client must be") in str(info.value) or name in str(info.value)


def test_misuse_of_results_and_streams_raises_the_packages_errors(raw_server) -> None:
    from openapi_client_openai import ContentError, StateError

    answers = iter(
        [stream_answer(chat_events()), b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nhello"]
    )
    srv = raw_server(lambda conn, request: conn.sendall(next(answers)))
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=srv.url) as c:
        stream = c.createChatCompletion(body=STREAM)
        stream.final()
        with pytest.raises(StateError):
            list(stream.sse())
        with pytest.raises(ContentError, match="not JSON"):
            c.list_models().json()


# -- found by an adversarial review, kept as regressions ------------------------------------------


def _resource_warnings(action) -> list:
    """Run ``action`` and collect the ResourceWarnings the garbage collector reports."""
    import gc
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        action()
        gc.collect()
    return [w for w in caught if issubclass(w.category, ResourceWarning)]


def test_a_file_whose_bytes_differ_from_its_descriptor_goes_whole(play, server, tmp_path) -> None:
    import gzip

    data = b'{"custom_id": "1"}\n' * 500
    path = tmp_path / "requests.jsonl.gz"
    with gzip.open(path, "wb") as f:
        f.write(data)

    async def scenario(c):
        with gzip.open(path, "rb") as f:  # its fd holds the compressed bytes, read() the others
            await maybe(c.createFile(body={"file": ("requests.jsonl", f), "purpose": "batch"}))

    play(server.url, scenario)
    assert data in server.last.body


def test_a_file_that_changes_size_while_sent_is_refused(tmp_path) -> None:
    from openapi_client_openai.spec import load_index

    op = load_index(SPEC_31).operation("createFile")
    from openapi_client_openai._request import build_request

    path = tmp_path / "grows.jsonl"
    path.write_bytes(b"x" * 1000)
    req = build_request(op, "http://127.0.0.1:9/v1", {}, {"file": path, "purpose": "batch"})
    length = req.body_length()
    path.write_bytes(b"x" * 5000)  # appended to between building and sending
    with pytest.raises(ParameterError, match="changed size"):
        sent = sum(len(p) for p in req.body_pieces())
        assert sent == length


def test_drain_after_done_is_bounded_on_every_path(play, raw_server) -> None:
    release = threading.Event()

    def handler(conn, request):
        conn.sendall(SSE_HEAD + chunk(sse({"choices": [], "object": "chat.completion.chunk", "id": "x"})))
        conn.sendall(chunk(sse("[DONE]")))
        release.wait(10)  # the body never ends
        return False

    srv = raw_server(handler)

    async def scenario(c):
        started = time.monotonic()
        stream = await maybe(c.createChatCompletion(body=STREAM))
        assert len(await drain(stream)) == 1
        return time.monotonic() - started

    try:
        assert play(srv.url, scenario, timeout=8) < 3
    finally:
        release.set()


def test_no_part_of_the_key_survives_a_cut_message(play, raw_server) -> None:
    events = [sse("x" * 190 + FAKE_KEY), sse({"error": "y" * 480 + FAKE_KEY}, "error")]
    answers = iter(events)
    srv = raw_server(lambda conn, request: conn.sendall(stream_answer([next(answers)])))

    async def scenario(c):
        shown = []
        for _ in events:
            with pytest.raises(APIError) as info:
                await drain(await maybe(c.createChatCompletion(body=STREAM)))
            shown.append(str(info.value))
        return shown

    for text in play(srv.url, scenario):
        assert FAKE_KEY[:12] not in text


def test_an_authorization_header_in_any_case_replaces_the_key(play, server) -> None:
    async def scenario(c):
        await maybe(c.list_models(extra_headers={"AUTHORIZATION": "Bearer sk-callers-own-0000000000"}))

    play(server.url, scenario)
    assert server.last.headers["authorization"] == "Bearer sk-callers-own-0000000000"
    assert FAKE_KEY not in repr(server.last.headers)


def test_answers_the_lean_stack_cannot_read_close_their_connection(raw_server) -> None:
    answers = {
        "br": json_answer(extra=b"content-encoding: br\r\n"),
        "gzip, chunked": b"HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "two lengths": b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}",
        "space before colon": b"HTTP/1.1 200 OK\r\ncontent-length : 2\r\n\r\n{}",
        "chunk size 0x1f": b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0x2\r\n{}\r\n0\r\n\r\n",
    }
    for name, answer in answers.items():
        srv = raw_server(lambda conn, request, answer=answer: conn.sendall(answer))

        def call(url=srv.url):
            c = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=url, max_retries=0)
            with c, pytest.raises(APIError):
                c.list_models()

        assert _resource_warnings(call) == [], name


def test_compressed_answers_whole_in_two_members_raw_or_cut(raw_server) -> None:
    import gzip
    import zlib

    body = b'{"object": "list", "data": []}'
    raw = zlib.compressobj(wbits=-15)
    deflated = raw.compress(body) + raw.flush()
    cases = {
        "two gzip members": (gzip.compress(body[:10]) + gzip.compress(body[10:]), b"gzip", True),
        "raw deflate": (deflated, b"deflate", True),
        "gzip cut short": (gzip.compress(body)[:-12], b"gzip", False),
    }
    for name, (data, coding, whole) in cases.items():
        answer = json_answer(data, extra=b"content-encoding: " + coding + b"\r\n")
        srv = raw_server(lambda conn, request, answer=answer: conn.sendall(answer))
        with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=srv.url, max_retries=0) as c:
            if whole:
                assert c.list_models().json() == json.loads(body), name
            else:
                with pytest.raises(APIConnectionError, match="cut short"):
                    c.list_models()


def test_reading_on_after_streaming_part_of_the_body_is_a_state_error(play, raw_server) -> None:
    from openapi_client_openai import StateError

    audio = os.urandom(300_000)
    head = f"HTTP/1.1 200 OK\r\ncontent-type: audio/mpeg\r\ncontent-length: {len(audio)}\r\n\r\n".encode()
    srv = raw_server(lambda conn, request: conn.sendall(head + audio))

    async def scenario(c):
        result = await maybe(c.createSpeech(body={"model": "tts-1", "input": "hi", "voice": "alloy"}))
        pieces = result.aiter_bytes(1000) if hasattr(result, "aiter_bytes") else result.iter_bytes(1000)
        if hasattr(pieces, "__anext__"):
            await pieces.__anext__()
            await pieces.aclose()
            with pytest.raises(StateError, match="piece by piece"):
                await result.aread()
        else:
            next(pieces)
            pieces.close()
            with pytest.raises(StateError, match="piece by piece"):
                result.content  # noqa: B018

    play(srv.url, scenario)


def test_a_file_that_fails_to_read_is_a_parameter_error_at_once(play, server) -> None:
    async def scenario(c):
        started = time.monotonic()
        failing = _Exploding(OSError(5, "Input/output error"))
        with pytest.raises(ParameterError, match="cannot read the file"):
            await maybe(c.createTranscription(body={"file": ("a.mp3", failing), "model": "whisper-1"}))
        return time.monotonic() - started

    assert play(server.url, scenario, timeout=10) < 3


def test_idle_sockets_with_high_descriptors_are_reused() -> None:
    import resource
    import socket

    from openapi_client_openai._transports.lean import _readable

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if max(soft, hard if hard != resource.RLIM_INFINITY else 4096) < 1600:
        pytest.skip("needs at least 1600 file descriptors (ulimit -n)")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1600), hard))
    try:
        a, b = socket.socketpair()
        high = socket.socket(fileno=os.dup2(a.fileno(), 1500))  # select() cannot take fds >= 1024
        a.close()
        assert _readable(high) is False
        b.sendall(b"stale")
        assert _readable(high) is True
        high.close()
        b.close()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_dropped_answers_close_their_connections(play, raw_server) -> None:
    answers = iter([stream_answer(chat_events()), b"HTTP/1.1 200 OK\r\ncontent-type: audio/mpeg\r\n"
                    b"content-length: 100000\r\n\r\n" + b"\0" * 100000])  # fmt: skip
    srv = raw_server(lambda conn, request: conn.sendall(next(answers)))

    async def scenario(c):
        await maybe(c.createChatCompletion(body=STREAM))  # never read
        await maybe(c.createSpeech(body={"model": "tts-1", "input": "hi", "voice": "alloy"}))  # never read

    if play.path.startswith("lean"):  # httpx keeps its own pool; ours must not leak
        assert _resource_warnings(lambda: play(srv.url, scenario)) == []
    else:
        play(srv.url, scenario)


def test_answers_still_unread_when_the_client_closes_end_with_it(play, raw_server) -> None:
    audio = b"\0" * 50_000

    def handler(conn, request):
        conn.sendall(f"HTTP/1.1 200 OK\r\ncontent-type: audio/mpeg\r\ncontent-length: {len(audio)}\r\n\r\n".encode())
        time.sleep(0.3)  # the body comes after the client has closed
        conn.sendall(audio)

    srv = raw_server(handler)

    async def scenario(c):
        result = await maybe(c.createSpeech(body={"model": "tts-1", "input": "hi", "voice": "alloy"}))
        await maybe(c.aclose() if hasattr(c, "aclose") else c.close())
        with pytest.raises(APIError):  # as httpx does: closing a client ends what it still holds
            await maybe(result.aread() if hasattr(result, "aread") else result.content)

    if play.path.startswith("lean"):  # and nothing is left open
        assert _resource_warnings(lambda: play(srv.url, scenario)) == []
    else:
        play(srv.url, scenario)


def test_threads_making_first_calls_at_once_share_one_transport(server, monkeypatch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from openapi_client_openai import _transports

    made = []
    original = _transports.open_transport

    def counting(*args, **kwargs):
        made.append(1)
        time.sleep(0.01)  # widen the window
        return original(*args, **kwargs)

    monkeypatch.setattr(_transports, "open_transport", counting)
    c = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url)
    with c, ThreadPoolExecutor(16) as pool:
        assert set(pool.map(lambda _: c.list_models().status_code, range(16))) == {200}
    assert len(made) == 1


@pytest.mark.parametrize(
    ("base_url", "problem"),
    [
        ("http://user:secret@127.0.0.1:1/v1", "credentials"),
        ("http://127.0.0.1:1/v1#part", "fragment"),
        ("http://[::1/v1", "not a usable URL"),
        ("http://127.0.0.1:port/v1", "not a usable URL"),
    ],
)
def test_base_urls_that_cannot_work(base_url: str, problem: str) -> None:
    from openapi_client_openai import ConfigError

    with pytest.raises(ConfigError, match=problem) as info:
        OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=base_url)
    assert "secret" not in str(info.value)


def test_base_url_query_and_international_hosts(play, server) -> None:
    async def scenario(c):
        await maybe(c.list_files(limit=2))

    play(server.url + "?api-version=2024-10-21", scenario)
    assert server.last.query == [("api-version", "2024-10-21"), ("limit", "2")]
    c = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url="https://b\u00fccher.example/v1")
    assert c.base_url == "https://xn--bcher-kva.example/v1"


def test_a_content_type_that_would_inject_a_header_is_refused(play, server) -> None:
    async def scenario(c):
        with pytest.raises(ParameterError, match="content type"):
            await maybe(
                c.createFile(body={"file": ("x.jsonl", b"{}\n", "text/plain\r\nX-Injected: 1"), "purpose": "batch"})
            )

    play(server.url, scenario)
    assert server.requests == []


def test_header_values_are_trimmed_and_control_characters_refused(play, server) -> None:
    async def scenario(c):
        await maybe(c.list_models(extra_headers={"X-Padded": "  value \t"}))
        with pytest.raises(ParameterError):
            await maybe(c.list_models(extra_headers={"X-Vt": "a\x0bb"}))

    play(server.url, scenario)
    assert server.last.headers["x-padded"] == "value"


# -- retries say what they do ---------------------------------------------------------------------


def test_retries_are_logged_and_the_final_error_counts_the_attempts(play, server, caplog, monkeypatch) -> None:
    import logging

    monkeypatch.setattr("openapi_client_openai._retry.INITIAL_DELAY", 0.01)
    error = '{"error": {"message": "busy"}}'
    headers = {"content-type": "application/json"}
    server.script(Reply(503, error, headers), Reply(429, error, {**headers, "retry-after-ms": "20"}), Reply(500, error))

    async def scenario(c):
        with pytest.raises(InternalServerError) as info:
            await maybe(c.list_models())
        return info.value

    with caplog.at_level(logging.INFO, logger="openapi_client_openai"):
        exc = play(server.url, scenario, max_retries=2)
    assert exc.attempts == 3 and "gave up after 3 attempts" in str(exc)
    assert exc.message == "busy"  # the server's own words stay as they were
    lines = [r.getMessage() for r in caplog.records if r.name == "openapi_client_openai"]
    lines = [x for x in lines if x.startswith("retrying")]  # each answer has its own line too (test_logging)
    assert len(lines) == 2
    assert "(attempt 2 of at most 3): HTTP 503" in lines[0]
    assert "in 0.02 s (attempt 3 of at most 3): HTTP 429" in lines[1]
    assert all(FAKE_KEY not in line for line in lines)


def test_connection_retries_are_logged_with_their_cause(play, caplog, monkeypatch) -> None:
    import logging
    import socket

    monkeypatch.setattr("openapi_client_openai._retry.INITIAL_DELAY", 0.01)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    async def scenario(c):
        with pytest.raises(APIConnectionError) as info:
            await maybe(c.list_models())
        return info.value

    with caplog.at_level(logging.INFO, logger="openapi_client_openai"):
        exc = play(f"http://127.0.0.1:{port}/v1", scenario, max_retries=1)
    assert exc.attempts == 2 and "gave up after 2 attempts" in str(exc)
    logged = [r.getMessage() for r in caplog.records if r.name == "openapi_client_openai"]
    (line,) = [x for x in logged if x.startswith("retrying")]  # each attempt has its own line too
    assert "attempt 2 of at most 2" in line and ("refused" in line.lower() or "connect" in line.lower())


# -- found by a second review ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\ncontent-length: \xb2\r\n\r\n{}",
        b"HTTP/1.1 \xb2\xb2\xb2 OK\r\ncontent-length: 2\r\n\r\n{}",
        b"HTTP/1.1 99999999999999999999 OK\r\ncontent-length: 2\r\n\r\n{}",
    ],
    ids=["superscript-length", "superscript-status", "long-status"],
)
def test_heads_that_are_not_http_are_connection_errors(play, raw_server, answer: bytes) -> None:
    srv = raw_server(lambda conn, request: conn.sendall(answer))

    async def scenario(c):
        with pytest.raises(APIConnectionError):
            await maybe(c.list_models())

    play(srv.url, scenario)


def test_a_post_the_server_took_is_not_sent_again_by_the_stale_retry(play, raw_server) -> None:
    posts = []

    def handler(conn, request):
        if request.startswith(b"POST"):
            posts.append(1)
            time.sleep(0.5)  # the server works on it, then dies without answering
            return False
        conn.sendall(json_answer())

    srv = raw_server(handler)

    async def scenario(c):
        await maybe(c.list_models())  # a pooled connection for the POST to reuse
        with pytest.raises(APIConnectionError):
            await maybe(c.createChatCompletion(body=CHAT))

    play(srv.url, scenario, max_retries=0)
    assert len(posts) == 1


def test_a_streamed_body_is_not_read_twice_nor_written_empty(play, raw_server, tmp_path) -> None:
    from openapi_client_openai import StateError

    audio = os.urandom(200_000)
    head = f"HTTP/1.1 200 OK\r\ncontent-type: audio/mpeg\r\ncontent-length: {len(audio)}\r\n\r\n".encode()
    srv = raw_server(lambda conn, request: conn.sendall(head + audio))
    target = tmp_path / "kept.mp3"
    target.write_bytes(b"what was there before")

    async def scenario(c):
        result = await maybe(c.createSpeech(body={"model": "tts-1", "input": "hi", "voice": "alloy"}))
        if hasattr(result, "aiter_bytes"):
            assert b"".join([p async for p in result.aiter_bytes()]) == audio
            with pytest.raises(StateError):
                await result.aread()
            with pytest.raises(StateError):
                await result.write_to(target)
        else:
            assert b"".join(result.iter_bytes()) == audio
            with pytest.raises(StateError):
                result.content  # noqa: B018
            with pytest.raises(StateError):
                result.write_to(target)
        closed = await maybe(c.createSpeech(body={"model": "tts-1", "input": "hi", "voice": "alloy"}))
        await maybe(closed.aclose() if hasattr(closed, "aclose") else closed.close())
        with pytest.raises(StateError, match="closed before"):
            await maybe(closed.aread() if hasattr(closed, "aread") else closed.content)

    play(srv.url, scenario)
    assert target.read_bytes() == b"what was there before"


def test_two_threads_writing_one_answer_each_to_one_path(server, tmp_path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    audio = os.urandom(300_000)
    server.default = lambda req: Reply(body=[audio[i : i + 30_000] for i in range(0, len(audio), 30_000)],
                                       headers={"content-type": "audio/mpeg"})  # fmt: skip
    target = tmp_path / "out.mp3"
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as c, ThreadPoolExecutor(4) as pool:
        speak = {"model": "tts-1", "input": "hi", "voice": "alloy"}
        done = list(pool.map(lambda _: c.createSpeech(body=speak).write_to(target), range(4)))
    assert done == [str(target)] * 4
    assert target.read_bytes() == audio
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp3"]  # no temporary file left behind


def test_dropped_async_answers_give_their_httpx_pool_slot_back(raw_server) -> None:
    import gc

    import httpx

    audio = b"\0" * 100_000
    head = f"HTTP/1.1 200 OK\r\ncontent-type: audio/mpeg\r\ncontent-length: {len(audio)}\r\n\r\n".encode()
    srv = raw_server(lambda conn, request: conn.sendall(head + audio))

    async def main():
        pool = httpx.AsyncClient(limits=httpx.Limits(max_connections=2))
        async with AsyncOpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=srv.url, http_client=pool) as c:
            for _ in range(4):
                await c.createSpeech(body={"model": "tts-1", "input": "hi", "voice": "alloy"})  # dropped unread
                gc.collect()
                await asyncio.sleep(0.05)
            started = time.monotonic()
            await (await c.createSpeech(body={"model": "tts-1", "input": "hi", "voice": "alloy"}, timeout=5)).aclose()
            return time.monotonic() - started

    assert asyncio.run(main()) < 2


def test_tracebacks_with_locals_never_show_the_key(play, raw_server) -> None:
    import traceback

    srv = raw_server(lambda conn, request: conn.sendall(json_answer(b'{"error": {"message": "no"}}', "500 Oops")))

    def shown(exc: BaseException) -> str:
        return "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())

    for bad in ({"base_url": "ftp://x"}, {"timeout": -1}, {"spec": "/no/such/spec.yaml"}):
        with pytest.raises(OpenAPIClientError) as info:
            OpenAIClient(**{"spec": SPEC_31, "api_key": FAKE_KEY, **bad})
        assert FAKE_KEY not in shown(info.value)

    async def scenario(c):
        with pytest.raises(APIError) as info:
            await maybe(c.list_models())
        return info.value

    assert FAKE_KEY not in shown(play(srv.url, scenario))


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.list_files(purpose="\ud800"),
        lambda c: c.list_files(extra_query={"x": "\ud800"}),
        lambda c: c.retrieve_file(file_id="file-\ud800"),
    ],
    ids=["query-param", "query", "path"],
)
def test_text_utf8_cannot_carry_is_a_parameter_error(raw_server, call) -> None:
    srv = raw_server(lambda conn, request: conn.sendall(json_answer()))
    c = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=srv.url, validate="off")
    with c, pytest.raises(ParameterError, match="UTF-8"):
        call(c)
    assert srv.connections == 0


@pytest.mark.parametrize("seconds", [float("inf"), float("nan"), 1e300, 10**10])
def test_timeouts_beyond_what_sockets_take_are_refused(seconds) -> None:
    from openapi_client_openai import ConfigError, Timeout

    with pytest.raises(ConfigError):
        OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, timeout=seconds)
    with pytest.raises(ConfigError):
        OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, stream_idle_timeout=seconds)
    with pytest.raises(ConfigError):
        Timeout(10, connect=seconds)
    c = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url="http://127.0.0.1:9/v1")
    with pytest.raises(ParameterError, match="timeout"):
        c.list_models(timeout=seconds)


def test_closing_the_client_ends_its_open_streams_on_both_stacks(play, raw_server) -> None:
    def handler(conn, request):
        conn.sendall(SSE_HEAD + chunk(sse({"choices": [], "object": "chat.completion.chunk", "id": "x"})))
        for _ in range(20):
            time.sleep(0.05)
            conn.sendall(chunk(sse({"choices": [], "object": "chat.completion.chunk", "id": "x"})))
        conn.sendall(chunk(sse("[DONE]")) + b"0\r\n\r\n")

    srv = raw_server(handler)

    async def scenario(c):
        stream = await maybe(c.createChatCompletion(body=STREAM))
        await maybe(c.close() if hasattr(c, "close") and not hasattr(c, "aclose") else c.aclose())
        with pytest.raises(OpenAPIClientError):
            await drain(stream)

    play(srv.url, scenario)


def test_a_trickled_head_or_endless_interim_heads_time_out(play, raw_server) -> None:
    if play.path == "httpx-sync":
        pytest.skip("httpx bounds each read of the head, not the whole of it (blocking)")

    def trickle(conn, request):
        for byte in b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}":
            conn.sendall(bytes([byte]))
            time.sleep(0.1)

    def interim(conn, request):
        for _ in range(200):
            conn.sendall(b"HTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\n")
            time.sleep(0.02)

    for handler in (trickle, interim):
        srv = raw_server(handler)

        async def scenario(c):
            started = time.monotonic()
            with pytest.raises(APIConnectionError):  # APITimeoutError is one
                await maybe(c.list_models())
            return time.monotonic() - started

        assert play(srv.url, scenario, timeout=1) < 4  # connect + write + read at most, on httpx
