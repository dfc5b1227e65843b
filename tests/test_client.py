"""The clients against a real HTTP server on 127.0.0.1: results, errors, retries, timeouts, async."""

from __future__ import annotations

import asyncio
import json
import logging
import pathlib
import socket
import time

import pytest

import openapi_client_openai as oco
from openapi_client_openai import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncOpenAIClient,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    MissingAPIKeyError,
    NotFoundError,
    OpenAIClient,
    PermissionDeniedError,
    RateLimitError,
    UnknownOperationError,
    UnprocessableEntityError,
)

from conftest import FAKE_KEY, SPEC_30, SPEC_31, Reply

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello!"}]}


@pytest.fixture(autouse=True)
def _fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("openapi_client_openai._retry.INITIAL_DELAY", 0.01)


def error_reply(status: int, message: str = "nope", **headers: str) -> Reply:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": "model", "code": "bad"}}
    return Reply(status, json.dumps(body), {"content-type": "application/json", **headers})


def test_result_exposes_status_headers_request_id_and_rate_limits(client, server) -> None:
    server.script(
        Reply(
            headers={
                "content-type": "application/json",
                "x-ratelimit-limit-requests": "500",
                "x-ratelimit-remaining-requests": "499",
                "x-ratelimit-reset-requests": "120ms",
                "x-ratelimit-limit-tokens": "30000",
                "x-ratelimit-remaining-tokens": "29000",
                "x-ratelimit-reset-tokens": "6m0s",
            },
            body=json.dumps({"choices": [{"message": {"content": "Hi"}}]}),
        )
    )
    r = client.createChatCompletion(body=CHAT)
    assert r.status_code == 200
    assert r.request_id == "req_1"
    assert r.headers["Content-Type"] == "application/json"
    assert r.json()["choices"][0]["message"]["content"] == "Hi"
    assert r["choices"][0]["message"]["content"] == "Hi"
    assert json.loads(r.text) == json.loads(r.content)
    limits = r.rate_limits
    assert (limits.limit_requests, limits.remaining_requests, limits.reset_requests) == (500, 499, 0.12)
    assert (limits.limit_tokens, limits.remaining_tokens, limits.reset_tokens) == (30000, 29000, 360.0)
    assert "x-ratelimit-limit-requests" in limits.raw
    assert "createChatCompletion 200 req_1" in repr(r)


def test_three_ways_to_call(client, server) -> None:
    client.createChatCompletion(body=CHAT)
    client.create_chat_completion(**CHAT)
    client.call("createChatCompletion", CHAT)
    client.call("create_chat_completion", body=CHAT)
    assert [json.loads(r.body) for r in server.requests] == [CHAT] * 4


def test_dir_lists_operations_and_unknown_names_suggest(client) -> None:
    client.createChatCompletion  # noqa: B018 - looked up once: cached on the client, still listed once
    names = dir(client)
    ops = len(client.spec.operation_ids)
    assert "create_chat_completion" in names and "create_realtime_call" in names
    assert "createChatCompletion" not in names and "CreateAssistant" not in names  # each operation once
    assert len([n for n in names if not n.startswith("_")]) < ops + 30  # plus the client's own methods
    assert callable(client.createChatCompletion) and callable(client.create_chat_completion)  # all spellings
    with pytest.raises(UnknownOperationError, match="create_chat_completion"):  # a name one can type
        client.createChatCompletio  # noqa: B018
    assert not hasattr(client, "noSuchThing")


def test_path_query_and_per_call_options(client, server) -> None:
    client.list_files(
        purpose="batch", limit=10, extra_query={"order": "asc"}, extra_headers={"X-Extra": "1"}, timeout=3
    )
    seen = server.last
    assert seen.method == "GET" and seen.path == "/v1/files"
    assert seen.query == [("purpose", "batch"), ("limit", "10"), ("order", "asc")]
    assert seen.headers["x-extra"] == "1"
    client.retrieveFile(file_id="file-abc")
    assert server.last.path == "/v1/files/file-abc"


def test_body_field_named_query_goes_to_the_body(client, server) -> None:
    client.search_vector_store(vector_store_id="vs_1", query="what is up")
    assert server.last.json() == {"query": "what is up"}


@pytest.mark.parametrize("base", ["{url}", "{url}/"])
def test_base_url_with_or_without_trailing_slash(server, base: str) -> None:
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=base.format(url=server.url)) as c:
        c.list_models()
    assert server.last.path == "/v1/models"


def test_environment_defaults(server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_ORG_ID", "org-env")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-env")
    with OpenAIClient(spec=SPEC_31) as c:
        c.list_models()
    headers = server.last.headers
    assert headers["authorization"] == f"Bearer {FAKE_KEY}"
    assert (headers["openai-organization"], headers["openai-project"]) == ("org-env", "proj-env")


def test_default_headers_and_case_insensitive_override(server) -> None:
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url, default_headers={"X-App": "a"}) as c:
        c.list_models(extra_headers={"user-agent": "mine"})
    assert server.last.headers["x-app"] == "a"
    assert server.last.headers["user-agent"] == "mine"


def test_missing_key_is_a_clear_error_at_first_call(server) -> None:
    c = OpenAIClient(spec=SPEC_31, base_url=server.url)  # constructing needs no key
    with pytest.raises(MissingAPIKeyError, match="OPENAI_API_KEY"):
        c.list_models()
    assert server.requests == []


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (503, InternalServerError),
        (418, APIStatusError),
    ],
)
def test_status_errors(client, server, status: int, cls: type) -> None:
    client.max_retries = 0
    server.script(error_reply(status, "The model `x` does not exist"))
    with pytest.raises(cls) as info:
        client.createChatCompletion(body=CHAT)
    err = info.value
    assert isinstance(err, APIStatusError)
    assert err.status_code == status
    assert err.request_id == "req_1"
    assert err.message == "The model `x` does not exist"
    assert err.code == "bad" and err.param == "model" and err.type == "invalid_request_error"
    assert err.body["error"]["code"] == "bad"
    assert "The model `x` does not exist" in str(err) and "req_1" in str(err)
    assert err.response.status_code == status


def test_error_with_a_non_json_body(client, server) -> None:
    client.max_retries = 0
    server.script(Reply(502, "<html>Bad gateway</html>", {"content-type": "text/html"}))
    with pytest.raises(InternalServerError, match="Bad gateway"):
        client.list_models()


def test_retries_honour_retry_after(client, server) -> None:
    server.script(error_reply(429, **{"retry-after-ms": "150"}), error_reply(503, **{"retry-after": "0.1"}), Reply())
    started = time.monotonic()
    r = client.createChatCompletion(body=CHAT)
    elapsed = time.monotonic() - started
    assert r.status_code == 200 and len(server.requests) == 3
    assert 0.25 <= elapsed < 3
    assert server.requests[0].body == server.requests[2].body


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502])
def test_retryable_statuses(client, server, status: int) -> None:
    server.script(error_reply(status), Reply())
    assert client.list_models().status_code == 200
    assert len(server.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_non_retryable_statuses_are_not_retried(client, server, status: int) -> None:
    server.script(error_reply(status), Reply())
    with pytest.raises(APIStatusError):
        client.list_models()
    assert len(server.requests) == 1


def test_retries_give_up_after_max_retries(client, server) -> None:
    server.default = lambda req: error_reply(500, "down")
    with pytest.raises(InternalServerError, match="down"):
        client.list_models()
    assert len(server.requests) == 3  # the first try and max_retries=2


def test_multipart_upload_is_resent_whole_on_retry(client, server, tmp_path: pathlib.Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b'{"custom_id": "1"}\n' * 1000)
    with open(path, "rb") as f:
        server.script(error_reply(500), Reply())
        client.create_file(body={"file": f, "purpose": "batch"})
    first, second = server.requests
    payload = b'{"custom_id": "1"}\n' * 1000
    assert payload in first.body and payload in second.body
    assert len(first.body) == len(second.body)
    assert b'filename="batch.jsonl"' in second.body


def test_timeout_raises_api_timeout_error_after_retries(server) -> None:
    server.default = lambda req: Reply(delay=0.6)
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url, timeout=0.2, max_retries=1) as c:
        with pytest.raises(APITimeoutError, match="timed out"):
            c.list_models()
        assert len(server.requests) == 2
        with pytest.raises(APITimeoutError):
            c.list_models(timeout=0.1)


def test_connection_refused_is_api_connection_error() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    c = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=f"http://127.0.0.1:{port}/v1", max_retries=1)
    with c, pytest.raises(APIConnectionError) as info:
        c.list_models()
    assert not isinstance(info.value, APITimeoutError)
    assert f"127.0.0.1:{port}" in str(info.value)


def test_body_cut_short_is_api_connection_error(client, server) -> None:
    client.max_retries = 0
    server.script(Reply(body=b'{"partial": tr', cut=True))
    with pytest.raises(APIConnectionError):
        client.list_models()


def test_keyboard_interrupt_is_never_retried(client, server) -> None:
    client.list_models()
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(1)
        raise KeyboardInterrupt

    client._transport.send = interrupted
    with pytest.raises(KeyboardInterrupt):
        client.list_models()
    assert calls == [1]


def test_binary_answer_streams_to_disk(client, server, tmp_path: pathlib.Path) -> None:
    audio = bytes(range(256)) * 4096  # 1 MiB
    pieces = [audio[i : i + 65536] for i in range(0, len(audio), 65536)]
    server.script(Reply(body=pieces, headers={"content-type": "audio/mpeg"}))
    with client.createSpeech(body={"model": "tts-1", "input": "hi", "voice": "alloy"}) as r:
        assert not r.is_read
        path = r.write_to(tmp_path / "speech.mp3")
    assert pathlib.Path(path).read_bytes() == audio
    assert not list(tmp_path.glob("*.part-*"))

    server.script(Reply(body=pieces, headers={"content-type": "application/octet-stream"}))
    r = client.downloadFile(file_id="file-1")
    assert b"".join(r.iter_bytes(10000)) == audio
    server.script(Reply(body=pieces, headers={"content-type": "application/octet-stream"}))
    assert client.downloadFile(file_id="file-1").content == audio


def test_cut_download_leaves_no_file(client, server, tmp_path: pathlib.Path) -> None:
    client.max_retries = 0
    server.script(Reply(body=b"x" * 5000, headers={"content-type": "audio/mpeg"}, cut=True))
    target = tmp_path / "speech.mp3"
    with pytest.raises(APIConnectionError):
        client.createSpeech(body={"model": "tts-1", "input": "hi", "voice": "alloy"}).write_to(target)
    assert not target.exists() and not list(tmp_path.iterdir())


def test_key_never_appears_in_repr_logs_or_errors(server, caplog: pytest.LogCaptureFixture, capfd) -> None:
    caplog.set_level(logging.DEBUG)
    server.script(error_reply(401, f"Incorrect API key provided: {FAKE_KEY}"))
    c = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url, max_retries=0)
    with pytest.raises(AuthenticationError) as info:
        c.list_models()
    err = info.value
    texts = [repr(c), str(c), repr(vars(c)), str(err), repr(err), err.message, caplog.text, repr(err.response)]
    out, errout = capfd.readouterr()
    texts += [out, errout]
    for text in texts:
        assert FAKE_KEY not in text
    assert FAKE_KEY[:3] + "***" in err.message
    c.close()


def test_validate_modes() -> None:
    with pytest.raises(ValueError, match="'error', 'warn', 'off' or 'strict'"):
        OpenAIClient(spec=SPEC_31, validate="sometimes")
    assert OpenAIClient(spec=SPEC_31).validate_mode == "error"


def test_package_exports() -> None:
    for name in oco.__all__:
        assert getattr(oco, name) is not None
    assert issubclass(oco.APITimeoutError, oco.APIConnectionError)
    assert issubclass(oco.APIError, oco.OpenAPIClientError)


def test_old_spec_client(server) -> None:
    with OpenAIClient(spec=SPEC_30, api_key=FAKE_KEY, base_url=server.url) as c:
        c.createChatCompletion(body=CHAT)
        c.list_project_users(project_id="proj_1", limit=5)
    assert server.last.path == "/v1/organization/projects/proj_1/users"


# -- asyncio ---------------------------------------------------------------------------------


def run(coro):
    return asyncio.run(coro)


def test_async_client_same_behaviour(server) -> None:
    server.script(error_reply(503, **{"retry-after-ms": "20"}), Reply(body=json.dumps({"id": "chatcmpl-1"})))

    async def main():
        async with AsyncOpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as c:
            r = await c.createChatCompletion(body=CHAT)
            r2 = await c.list_files(purpose="batch")
            return r, r2

    r, r2 = run(main())
    assert r.json() == {"id": "chatcmpl-1"} and r.request_id == "req_2"
    assert r2.status_code == 200
    assert [q.path for q in server.requests] == ["/v1/chat/completions"] * 2 + ["/v1/files"]
    assert server.requests[0].headers["authorization"] == f"Bearer {FAKE_KEY}"


def test_async_errors_and_binary(server, tmp_path: pathlib.Path) -> None:
    audio = b"ID3" + bytes(200_000)
    server.script(
        error_reply(404, "no such file"),
        Reply(body=[audio[:100_000], audio[100_000:]], headers={"content-type": "audio/mpeg"}),
    )

    async def main():
        async with AsyncOpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as c:
            with pytest.raises(NotFoundError, match="no such file"):
                await c.retrieveFile(file_id="file-x")
            r = await c.createSpeech(body={"model": "tts-1", "input": "hi", "voice": "alloy"})
            with pytest.raises(RuntimeError, match="aread"):
                r.content  # noqa: B018
            return await r.write_to(tmp_path / "a.mp3")

    assert pathlib.Path(run(main())).read_bytes() == audio


def test_async_timeout(server) -> None:
    server.default = lambda req: Reply(delay=0.5)

    async def main():
        async with AsyncOpenAIClient(
            spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url, timeout=0.1, max_retries=0
        ) as c:
            await c.list_models()

    with pytest.raises(APITimeoutError):
        run(main())


def test_async_cancellation_propagates(server) -> None:
    server.default = lambda req: Reply(delay=0.5)

    async def main():
        async with AsyncOpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as c:
            task = asyncio.ensure_future(c.list_models())
            await asyncio.sleep(0.1)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    run(main())
    time.sleep(0.5)
    assert len(server.requests) == 1


def test_help_shows_the_operation(client) -> None:
    import pydoc

    text = pydoc.render_doc(client.retrieveFile, renderer=pydoc.plaintext)
    assert "GET /files/{file_id}" in text and "`file_id` (path, string, required)" in text
    assert "POST /chat/completions" in client.create_chat_completion.__doc__


@pytest.mark.parametrize("bad", [FAKE_KEY + "\u2019", "sk-abc\x00def"])
def test_unsendable_key_is_refused_without_showing_it(bad: str) -> None:
    with pytest.raises(ValueError, match="cannot be sent in a header") as info:
        OpenAIClient(spec=SPEC_31, api_key=bad)
    assert bad not in str(info.value) and FAKE_KEY not in str(info.value)


def test_key_with_trailing_newline_is_stripped(server) -> None:
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY + "\n", base_url=server.url) as c:
        c.list_models()
    assert server.last.headers["authorization"] == f"Bearer {FAKE_KEY}"


@pytest.mark.parametrize(
    ("kwargs", "call_kwargs", "match"),
    [
        ({"default_headers": {"X-A": "\u00e9"}}, {}, "X-A"),
        ({"organization": "\u00d6rg"}, {}, "OpenAI-Organization"),
        ({}, {"extra_headers": {"X-B": object()}}, "X-B"),
        ({}, {"extra_headers": {"X-C": "a\r\nInjected: 1"}}, "X-C"),
        ({}, {"timeout": "abc"}, "timeout"),
    ],
)
def test_bad_header_and_timeout_values_are_parameter_errors(server, kwargs, call_kwargs, match: str) -> None:
    from openapi_client_openai import ParameterError

    c = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url, **kwargs)
    with c, pytest.raises(ParameterError, match=match):
        c.list_models(**call_kwargs)
    assert server.requests == []


def test_bad_timeout_at_construction() -> None:
    with pytest.raises(ValueError, match="timeout"):
        OpenAIClient(spec=SPEC_31, timeout="soon")


def test_numbers_in_headers_are_sent_as_text(client, server) -> None:
    client.list_models(extra_headers={"X-Count": 3, "X-Flag": True, "X-Drop": None})
    assert server.last.headers["x-count"] == "3" and server.last.headers["x-flag"] == "true"
    assert "x-drop" not in server.last.headers


def test_empty_or_untyped_answers_release_their_connection(client, server) -> None:
    server.default = lambda req: Reply(200, b"", {})
    for _ in range(120):  # more than the pool's 100 connections
        r = client.deleteResponse(response_id="resp_1")
        assert r.is_read and r.content == b""
    assert len({req.peer for req in server.requests}) == 1


def test_broken_gzip_is_an_api_error_not_an_httpx_error(client, server) -> None:
    from openapi_client_openai import APIError

    client.max_retries = 0
    server.script(Reply(200, b"not gzip at all", {"content-type": "application/json", "content-encoding": "gzip"}))
    with pytest.raises(APIError, match="could not be decoded"):
        client.list_models()


def test_error_body_is_redacted_too(client, server) -> None:
    client.max_retries = 0
    server.script(error_reply(401, f"Incorrect API key provided: {FAKE_KEY}"))
    with pytest.raises(AuthenticationError) as info:
        client.list_models()
    assert FAKE_KEY not in json.dumps(info.value.body)


def test_write_to_a_missing_folder_releases_the_connection(client, server, tmp_path: pathlib.Path) -> None:
    server.default = lambda req: Reply(body=b"ID3data", headers={"content-type": "audio/mpeg"})
    for _ in range(3):
        with pytest.raises(FileNotFoundError):
            client.createSpeech(body={"model": "tts-1", "input": "x", "voice": "alloy"}).write_to(
                tmp_path / "no" / "x.mp3"
            )
    assert client.createSpeech(body={"model": "tts-1", "input": "x", "voice": "alloy"}).content == b"ID3data"


def test_async_raw_body_from_a_file(server, tmp_path: pathlib.Path) -> None:
    offer = tmp_path / "offer.sdp"
    offer.write_text("v=0\r\n")

    async def main():
        async with AsyncOpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as c:
            await c.create_realtime_call(body=offer)

    run(main())
    assert server.last.body == b"v=0\r\n" and server.last.headers["content-type"] == "application/sdp"
