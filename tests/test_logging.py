"""Logging: one INFO line per answer and per retry, bodies only at DEBUG, secrets never; on every
path (lean/httpx x sync/async, plain and streamed), through ``logging`` and ``OPENAI_LOG``, in
Python and on the command line."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys

import pytest

from openapi_client_openai import ConfigError, InternalServerError, OpenAIClient
from openapi_client_openai._log import configure_from_env
from test_transport_settings import CHAT, collect, maybe, play  # noqa: F401 - play is a fixture
from wire_servers import Proxy, answer

from conftest import FAKE_KEY, ROOT, SPEC_31

ADMIN = "sk-admin-" + "s3cr3t" * 8
PROXY_PASSWORD = "l0gged-pr0xy-passw0rd"


def failing_then_ok():
    tries = [0]

    def handler(conn, request):
        tries[0] += 1
        if tries[0] == 1:
            body = b'{"error": {"message": "try again", "type": "server_error"}}'
            head = "HTTP/1.1 503 Busy\r\ncontent-type: application/json\r\nretry-after-ms: 5\r\n"
            head += f"x-request-id: req_bad\r\ncontent-length: {len(body)}\r\n\r\n"
            conn.sendall(head.encode() + body)
            return
        reply = answer(request)
        conn.sendall(reply.replace(b"HTTP/1.1 200 OK\r\n", b"HTTP/1.1 200 OK\r\nx-request-id: req_good\r\n", 1))

    return handler


@pytest.mark.parametrize("streamed", [False, True], ids=["plain", "streamed"])
def test_info_lines_for_each_answer_and_retry(play, raw_server, caplog, streamed) -> None:  # noqa: F811
    srv = raw_server(failing_then_ok())
    caplog.set_level(logging.INFO, logger="openapi_client_openai")

    async def scenario(c):
        if streamed:
            return await collect(await maybe(c.create_chat_completion(**CHAT)))
        return (await maybe(c.list_models())).status_code

    play(scenario, base_url=srv.url, max_retries=1)
    lines = [r.getMessage() for r in caplog.records if r.name == "openapi_client_openai"]
    method, path = ("POST", "/v1/chat/completions") if streamed else ("GET", "/v1/models")
    url = f"http://127.0.0.1:{srv.port}{path}"
    assert re.fullmatch(rf"HTTP {method} {url} -> 503 Busy \(request id req_bad, attempt 1, \d+\.\d ms\)", lines[0]), (
        lines
    )
    assert lines[1].startswith(f"retrying {method} {url} in 0.01 s (attempt 2 of at most 2): HTTP 503"), lines
    assert re.fullmatch(rf"HTTP {method} {url} -> 200 OK \(request id req_good, attempt 2, \d+\.\d ms\)", lines[2])
    assert len(lines) == 3  # no body at INFO
    assert all(FAKE_KEY not in line for line in lines)


def test_debug_shows_bodies_and_headers_but_never_a_secret(play, raw_server, caplog) -> None:  # noqa: F811
    echo = b'{"object": "list", "data": [], "said": "' + FAKE_KEY.encode() + b'"}'
    head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(echo)}\r\n\r\n".encode()
    srv = raw_server(lambda conn, request: conn.sendall(head + echo))
    caplog.set_level(logging.DEBUG, logger="openapi_client_openai")

    async def scenario(c):
        await maybe(c.list_models(extra_headers={"X-Note": f"mine {ADMIN}"}))
        await maybe(c.create_chat_completion(model="m", messages=[{"role": "user", "content": f"key {FAKE_KEY}"}]))

    play(scenario, base_url=srv.url, default_headers={"X-Api-Key": "hidden-by-name-123"})
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "request GET" in text and "answer GET" in text and '"said"' in text
    assert '"content": "key sk-***' in text or '"content":"key sk-***' in text  # the request body, masked
    assert "'Authorization': '<hidden>'" in text and "'X-Api-Key': '<hidden>'" in text
    assert FAKE_KEY not in text and "hidden-by-name-123" not in text


def test_a_connection_failure_is_one_line_too(play, caplog) -> None:  # noqa: F811
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there
    caplog.set_level(logging.INFO, logger="openapi_client_openai")

    async def scenario(c):
        with pytest.raises(Exception):  # noqa: B017 - APIConnectionError, whichever stack
            await maybe(c.list_models())

    play(scenario, base_url=f"http://127.0.0.1:{port}/v1")
    lines = [r.getMessage() for r in caplog.records]
    assert any(re.match(rf"HTTP GET http://127.0.0.1:{port}/v1/models -> APIConnectionError: ", x) for x in lines)


def test_the_proxy_password_is_masked_in_log_lines(raw_server, caplog) -> None:
    srv = raw_server(lambda conn, request: conn.sendall(answer(request)))
    proxy = Proxy(auth=f"u:{PROXY_PASSWORD}")
    caplog.set_level(logging.DEBUG)
    url = f"http://u:{PROXY_PASSWORD}@127.0.0.1:{proxy.port}"
    try:
        with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=srv.url, proxy=url, max_retries=0) as c:
            c.list_models()
    finally:
        proxy.close()
    text = "\n".join(r.getMessage() for r in caplog.records)  # httpx's and httpcore's lines too
    assert "HTTP GET" in text and PROXY_PASSWORD not in text


def test_openai_log_values() -> None:
    with pytest.raises(ConfigError, match="OPENAI_LOG must be 'info' or 'debug'"):
        configure_from_env({"OPENAI_LOG": "verbose"})
    configure_from_env({"OPENAI_LOG": ""})  # unset or empty: nothing


def _run(code: str, log: str, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OPENAI_LOG": log, "OPENAI_API_KEY": FAKE_KEY, "OPENAI_BASE_URL": url}
    env["PYTHONPATH"] = str(ROOT / "src")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("log", ["info", "debug"])
def test_openai_log_in_python_and_on_the_command_line(raw_server, log) -> None:
    srv = raw_server(failing_then_ok())
    python = f"from openapi_client_openai import OpenAIClient\nOpenAIClient(spec={str(SPEC_31)!r}).list_models()\n"
    done = _run(python, log, srv.url)
    assert done.returncode == 0, done.stderr
    assert "INFO openapi_client_openai: HTTP GET" in done.stderr and "-> 503 Busy" in done.stderr
    assert "retrying GET" in done.stderr and "-> 200 OK (request id req_good, attempt 2" in done.stderr
    assert ("DEBUG openapi_client_openai: answer GET" in done.stderr) == (log == "debug")
    assert FAKE_KEY not in done.stderr
    argv = ["x", "--spec", str(SPEC_31), "call", "list_models"]
    cli = f"from openapi_client_openai.cli import run; import sys; sys.argv = {argv!r}; run()"
    done = _run(cli, log, srv.url)
    assert done.returncode == 0, done.stderr
    assert "-> 200 OK (request id req_good" in done.stderr and FAKE_KEY not in done.stderr


def test_retries_given_up_are_logged_once_each(raw_server, caplog) -> None:
    srv = raw_server(
        lambda conn, request: conn.sendall(b"HTTP/1.1 500 No\r\ncontent-length: 2\r\nretry-after-ms: 1\r\n\r\n{}")
    )
    caplog.set_level(logging.INFO, logger="openapi_client_openai")
    with (
        OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=srv.url, max_retries=2) as c,
        pytest.raises(InternalServerError),
    ):
        c.list_models()
    lines = [r.getMessage() for r in caplog.records]
    assert [x.split(" -> ")[1].split(" (")[0] for x in lines if x.startswith("HTTP ")] == ["500 No"] * 3
    assert len([x for x in lines if x.startswith("retrying")]) == 2
