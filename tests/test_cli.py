"""The command line, in-process through ``main()`` and as a real process."""

from __future__ import annotations

import io
import json
import os
import pathlib
import subprocess
import sys

import pytest

from openapi_client_openai import spec as spec_module
from openapi_client_openai.cli import main
from openapi_client_openai.cli._items import ItemError, parse_items
from openapi_client_openai.spec import _index

from conftest import FAKE_KEY, SPEC_30, SPEC_31, Reply

MINI = (
    "openapi: 3.0.0\ninfo: {title: Mini, version: '7'}\npaths:\n  /x:\n    get: {operationId: getX, summary: Get x}\n"
)


def cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def env(server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv(spec_module.SPEC_ENV, str(SPEC_31))


def test_items_parsing(tmp_path: pathlib.Path) -> None:
    f = tmp_path / "a.mp3"
    f.write_bytes(b"ID3")
    items = parse_items(
        ["model=gpt-4o", "n:=2", 'meta:={"a": [1]}', f"file@{f}", "limit==5", "limit==6", "X-Trace:1=2", r"a\=b=c"]
    )
    assert items.fields == {"model": "gpt-4o", "n": 2, "meta": {"a": [1]}, "file": f, "a=b": "c"}
    assert items.query == {"limit": ["5", "6"]}
    assert items.headers == {"X-Trace": "1=2"}
    for bad, match in [
        ("novalue", "not a request item"),
        ("x:={", "not JSON"),
        ("f@/no/such", "no such file"),
        ("=v", "no name"),
    ]:
        with pytest.raises(ItemError, match=match):
            parse_items([bad])


def test_call_prints_json_and_sends_items(env, server) -> None:
    server.script(Reply(body='{"id": "chatcmpl-1", "choices": []}'))
    code, out, err = cli(
        "call",
        "createChatCompletion",
        "model=gpt-4o-mini",
        'messages:=[{"role":"user","content":"Hi"}]',
        "temperature:=0.5",
    )
    assert code == 0, err
    assert json.loads(out) == {"id": "chatcmpl-1", "choices": []}
    assert server.last.json() == {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "Hi"}],
        "temperature": 0.5,
    }


def test_call_path_query_header_items(env, server) -> None:
    code, _, err = cli("call", "list_files", "purpose=batch", "limit==3", "order==asc", "X-Trace:abc")
    assert code == 0, err
    assert server.last.path == "/v1/files"
    assert server.last.query == [("purpose", "batch"), ("limit", "3"), ("order", "asc")]
    assert server.last.headers["x-trace"] == "abc"
    code, _, _ = cli("call", "retrieveFile", "file_id=file-9")
    assert code == 0 and server.last.path == "/v1/files/file-9"


def test_call_body_from_stdin_and_file_upload(env, server, tmp_path: pathlib.Path) -> None:
    body = '{"model": "m", "n": 1, "messages": [{"role": "user", "content": "Hi"}]}'
    code, _, err = cli("call", "createChatCompletion", "--body", "@-", "model=override", stdin=body)
    assert code == 0, err
    assert server.last.json() == {"model": "override", "n": 1, "messages": [{"role": "user", "content": "Hi"}]}
    data = tmp_path / "in.jsonl"
    data.write_bytes(b'{"custom_id": "a"}\n')
    code, _, err = cli("call", "createFile", f"file@{data}", "purpose=batch")
    assert code == 0, err
    assert b'filename="in.jsonl"' in server.last.body and b"batch" in server.last.body


def test_binary_answer_to_file_or_pipe(env, server, tmp_path: pathlib.Path) -> None:
    server.script(Reply(body=b"ID3audio", headers={"content-type": "audio/mpeg"}))
    target = tmp_path / "out.mp3"
    code, out, _ = cli("call", "createSpeech", "model=tts-1", "input=hi", "voice=alloy", "--output", str(target))
    assert code == 0 and target.read_bytes() == b"ID3audio" and "8 bytes" in out


@pytest.mark.parametrize(("status", "exit_code"), [(404, 4), (500, 5)])
def test_api_errors_are_one_line_and_exit_non_zero(env, server, status: int, exit_code: int) -> None:
    body = json.dumps({"error": {"message": "No such file", "type": "invalid_request_error"}})
    server.default = lambda req: Reply(status, body)
    code, out, err = cli("call", "retrieveFile", "file_id=f", "--max-retries", "0")
    assert code == exit_code
    assert "No such file" in err and "Traceback" not in err and out == ""


@pytest.mark.parametrize(
    ("argv", "match", "exit_code"),
    [
        (("call", "createChatCompletio"), "did you mean create_chat_completion", 1),
        (("call", "createChatCompletion", "oops"), "not a request item", 2),
        (("call",), "the following arguments are required", 2),
        (("frobnicate",), "invalid choice", 2),
        (("call", "listModels", "--spec", "/no/such/spec.yaml"), "cannot read the spec /no/such/spec.yaml", 1),
    ],
)
def test_user_errors_are_one_line(env, argv, match: str, exit_code: int) -> None:
    code, _, err = cli(*argv)
    assert code == exit_code
    assert match in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_missing_key(server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    code, _, err = cli("call", "listModels", "--spec", str(SPEC_31))
    assert code == 1 and "OPENAI_API_KEY" in err


def test_list(env) -> None:
    code, out, _ = cli("list", "transcription")
    assert code == 0
    assert "POST  /audio/transcriptions" in out and "createTranscription" in out
    code, out, _ = cli("list", "--spec", str(SPEC_30))
    assert code == 0 and len(out.strip().splitlines()) == 126
    code, out, _ = cli("list", "no-such-word-anywhere")
    assert code == 1 and "no operation matches" in out


def test_list_matches_words_of_ids_paths_and_summaries(env) -> None:
    def listed(*words: str) -> list[str]:
        code, out, _ = cli("list", *words)
        return [line.split()[2] for line in out.splitlines()] if code == 0 else []

    chat = listed("chat")
    assert "createChatCompletion" in chat and "getChatCompletionMessages" in chat
    # these only mention chat deep inside a long summary: not a match any more
    assert "createFile" not in chat and "createImageEdit" not in chat
    assert "activateOrganizationCertificates" not in listed("call")  # "call" inside other words
    assert listed("files") == listed("file") and "listFiles" in listed("file")
    assert listed("vector", "store", "files")[:4] == [
        "listVectorStoreFiles",
        "createVectorStoreFile",
        "getVectorStoreFile",
        "deleteVectorStoreFile",
    ]
    code, out, _ = cli("list")
    assert code == 0 and "](" not in out and "**" not in out
    assert "Starting a new project? We recommend trying Responses" in out  # was **...** and [Responses](...)


def test_spec_info_and_update(server, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(spec_module.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(_index, "_LOADED", {})
    code, out, _ = cli("spec", "info", "--spec", str(SPEC_30))
    assert code == 0 and "126" in out and "3.0.0" in out and "argument" in out

    server.script(Reply(body=MINI, headers={"content-type": "application/yaml"}))
    code, out, err = cli("spec", "update", server.url + "/openapi.yaml")
    assert code == 0, err
    assert "Mini 7" in out and "1 operations" in out
    assert pathlib.Path(spec_module.downloaded_spec_path()).read_text() == MINI
    code, out, _ = cli("spec", "info")
    assert "downloaded (spec update)" in out and "Mini" in out
    code, out, _ = cli("list")
    assert "getX" in out

    server.script(Reply(body="openapi: 3.0.0\n", headers={"content-type": "application/yaml"}))
    code, _, err = cli("spec", "update", server.url + "/broken.yaml")
    assert code == 1 and "has no 'paths'" in err
    assert pathlib.Path(spec_module.downloaded_spec_path()).read_text() == MINI  # the good one is kept


def test_real_process_entry_points(server) -> None:
    env = {**os.environ, "OPENAI_API_KEY": FAKE_KEY, "OPENAI_BASE_URL": server.url, spec_module.SPEC_ENV: str(SPEC_31)}
    done = subprocess.run(
        [sys.executable, "-m", "openapi_client_openai", "call", "listModels"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"object": "ok"}
    exe = pathlib.Path(sys.executable).with_name("openapi-client-openai")
    done = subprocess.run([str(exe), "list", "chat"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0 and "createChatCompletion" in done.stdout
    done = subprocess.run([str(exe), "call", "nope"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr


def test_terminal_output_is_coloured_and_piped_output_is_plain() -> None:
    from openapi_client_openai.cli._output import print_json

    out = io.StringIO()
    print_json({"a": [1, "x"]}, '{"a":[1,"x"]}', out, tty=True)
    assert "\x1b[" in out.getvalue() and '"a"' in out.getvalue()
    out = io.StringIO()
    print_json({"a": [1, "x"]}, '{"a":[1,"x"]}', out, tty=False)
    assert out.getvalue() == '{"a":[1,"x"]}\n'


def test_output_into_a_missing_folder_is_one_line(env, server, tmp_path: pathlib.Path) -> None:
    server.script(Reply(body=b"ID3", headers={"content-type": "audio/mpeg"}))
    code, _, err = cli(
        "call", "createSpeech", "model=tts-1", "input=x", "voice=alloy", "-o", str(tmp_path / "no" / "such" / "x.mp3")
    )
    assert code == 1 and "no such folder to write into" in err and "no/such" in err and "Traceback" not in err


def test_global_options_before_the_command(server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    code, out, _ = cli("--spec", str(SPEC_30), "list", "chatkit")
    assert code == 1 and "no operation matches" in out  # the 2025 spec has no ChatKit
    code, _, err = cli("--spec", str(SPEC_31), "--base-url", server.url, "call", "listModels")
    assert code == 0, err
    assert server.last.path == "/v1/models"


def test_empty_answer_prints_nothing(env, server) -> None:
    server.script(Reply(200, b"", {}))
    code, out, err = cli("call", "deleteResponse", "response_id=r1")
    assert (code, out, err) == (0, "", "")


def test_call_streams_text_as_it_arrives(env, server) -> None:
    from streams import CHAT_FINAL, SSE, chat_events

    server.script(Reply(body=chat_events(), headers={"content-type": SSE}))
    code, out, err = cli(
        "call", "createChatCompletion", "model=m", 'messages:=[{"role":"user","content":"Hi"}]', "stream:=true"
    )
    assert code == 0, err
    assert out == CHAT_FINAL["choices"][0]["message"]["content"] + "\n"
    assert server.last.json()["stream"] is True


def test_call_streams_raw_events(env, server) -> None:
    from streams import SSE, response_events

    server.script(Reply(body=response_events(), headers={"content-type": SSE}))
    code, out, err = cli("call", "createResponse", "model=m", "input=hi", "stream:=true", "--events")
    assert code == 0, err
    assert out.startswith("event: response.created\ndata: {")
    assert out.count("\n\n") == len(response_events())


def test_stream_cut_in_cli_is_one_line(env, server) -> None:
    from streams import SSE, chat_events

    server.script(Reply(body=chat_events()[:3], headers={"content-type": SSE}, cut=True))
    code, _, err = cli(
        "call",
        "createChatCompletion",
        "model=m",
        "stream:=true",
        "--max-retries",
        "0",
        'messages:=[{"role": "user", "content": "Hi"}]',
    )
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_request_that_does_not_fit_the_spec_is_not_sent(env, server) -> None:
    code, out, err = cli("call", "createChatCompletion", "model=m", "temperature:=5")
    assert code == 2 and out == "" and server.requests == []
    assert "missing required field 'messages'" in err and "temperature: must be at most 2" in err
    assert "--validate off" in err and "Traceback" not in err
    code, _, err = cli("call", "retrieveFile")
    assert code == 2 and "path: file_id: is required" in err
    code, _, _ = cli("call", "createChatCompletion", "model=m", "temperature:=5", "--validate", "off")
    assert code == 0 and server.last.json() == {"model": "m", "temperature": 5}


def _bulk_input(path: pathlib.Path, count: int) -> None:
    with open(path, "w") as f:
        for i in range(count):
            body = {"model": "text-embedding-3-small", "input": f"text {i}"}
            f.write(json.dumps({"custom_id": f"r{i}", "method": "POST", "url": "/v1/embeddings", "body": body}) + "\n")


def test_bulk_run_without_a_key_stops_and_says_why(server, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv(spec_module.SPEC_ENV, str(SPEC_31))
    _bulk_input(tmp_path / "in.jsonl", 5)
    out = tmp_path / "out.jsonl"
    code, _, err = cli("bulk", "run", str(tmp_path / "in.jsonl"), "-o", str(out), "--base-url", server.url)
    assert code == 1 and err == "openapi-client-openai: no API key: set OPENAI_API_KEY or --api-key\n"
    assert server.requests == [] and out.read_bytes() == b""
    code, _, err = cli("bulk", "submit", str(tmp_path / "in.jsonl"), "-o", str(out), "--base-url", server.url)
    assert code == 1 and "no API key: set OPENAI_API_KEY or --api-key" in err and server.requests == []


def test_bulk_run_with_a_refused_key_stops_and_says_why(env, server, tmp_path) -> None:
    echo = {"error": {"message": f"Incorrect API key provided: {FAKE_KEY}.", "code": "invalid_api_key"}}
    server.default = lambda req: Reply(status=401, body=json.dumps(echo))
    _bulk_input(tmp_path / "in.jsonl", 20)
    out = tmp_path / "out.jsonl"
    code, stdout, err = cli("bulk", "run", str(tmp_path / "in.jsonl"), "-o", str(out), "--concurrency", "8")
    assert code == 4 and "the server refused the key (401 invalid_api_key" in err
    assert FAKE_KEY not in err + stdout and err.count("\n") == 1
    assert len(server.requests) == 1 and out.read_bytes() == b""


def test_bulk_run_names_the_cause_of_connection_failures(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    monkeypatch.setenv(spec_module.SPEC_ENV, str(SPEC_31))
    monkeypatch.setattr("openapi_client_openai._retry.INITIAL_DELAY", 0.01)
    _bulk_input(tmp_path / "in.jsonl", 3)
    code, out, err = cli(
        "bulk", "run", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl"), "--base-url", dead
    )
    assert code == 1, err
    assert f"3 requests left for the next run (connection refused at {dead} (3))" in out
    code, _, err = cli("bulk", "run", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "o.jsonl"), "--concurrency", "0")
    assert code == 2 and "--concurrency must be 1 or more" in err


# -- messages: the command line speaks its own options, the library speaks Python ---------------

SOURCE = pathlib.Path(__file__).resolve().parents[1] / "src" / "openapi_client_openai"
# How the library (Python) and the command line spell each option both have.
OPTIONS = {
    "api_key": ("api_key=", "--api-key"),
    "base_url": ("base_url", "--base-url"),
    "max_retries": ("max_retries", "--max-retries"),
    "validate": ("validate=", "--validate"),
    "spec": ("spec=", "--spec"),
    "timeout": ("timeout=", "--timeout"),
    "body": ("body=", "--body"),
    "default_headers": ("default_headers=", "Name:value"),
}


def _raised_messages() -> list[str]:
    """The text of every message the library raises (the string parts of f-strings too), outside
    the command line itself."""
    import ast

    found = []
    for path in SOURCE.rglob("*.py"):
        if path.relative_to(SOURCE).parts[0] == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and node.exc is not None:
                said = node.exc
            elif isinstance(node, ast.Call) and ast.unparse(node.func) == "super().__init__":
                said = node  # an error class making its own message
            else:
                continue
            found += [c.value for c in ast.walk(said) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
    return found


def test_every_library_message_naming_an_option_reads_as_the_command_line() -> None:
    import re

    from openapi_client_openai.cli import cli_words

    def names(python: str, text: str) -> bool:  # as a word: extra_body= is not body=
        return re.search(rf"(?<!\w){re.escape(python)}", text) is not None

    naming = [m for m in _raised_messages() if any(names(python, m) for python, _ in OPTIONS.values())]
    assert len(naming) >= 6  # api_key= (3), validate=, spec=PATH (2), base_url, max_retries, timeout=, body=
    for message in naming:
        said = cli_words(message)
        for python, flag in OPTIONS.values():
            if names(python, message):
                assert not names(python, said) and flag in said, (message, said)


def test_library_messages_speak_python() -> None:
    flags = [flag for _, flag in OPTIONS.values()]
    assert [m for m in _raised_messages() if any(flag in m for flag in flags)] == []


def test_cli_errors_name_cli_options(env, server) -> None:
    code, _, err = cli("call", "createChatCompletion", "model=m", "temperature:=5")
    assert code == 2 and "--validate off" in err and "validate=" not in err
    code, _, err = cli("call", "listModels", "--max-retries", "-1")
    assert code == 1 and "--max-retries must be a whole number >= 0" in err and "max_retries" not in err
    code, _, err = cli("call", "listModels", "--base-url", "ftp://example.com")
    assert code == 1 and "--base-url must start with http:// or https://" in err
    code, _, err = cli("call", "listModels", "--api-key", "sk-\x01")
    assert code == 1 and err.rstrip().endswith("check OPENAI_API_KEY or --api-key") and "api_key=" not in err
    code, _, err = cli("call", "listModels", "--timeout", "-1")
    assert code == 2 and "argument --timeout: must be more than 0, not -1" in err


def test_missing_key_says_the_cli_way(server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    code, _, err = cli("call", "listModels", "--spec", str(SPEC_31))
    assert code == 1
    assert err == (
        "openapi-client-openai: listModels needs an API key: set the OPENAI_API_KEY environment variable "
        "or pass --api-key\n"
    )
    assert server.requests == []


@pytest.mark.parametrize(
    ("item", "said"),
    [
        ("temperature=0.5", "temperature is a number in the spec: write temperature:=0.5"),
        ("n=2", "n is a number in the spec: write n:=2"),
        ("stream=true", "stream is a boolean in the spec: write stream:=true"),
        ("temperature=warm", "temperature is a number in the spec: write temperature:=0.5"),
        ("messages=hi", "messages is an array in the spec: write messages:='[...]'"),
    ],
)
def test_text_item_where_the_spec_wants_json_says_to_use_colon_equals(env, server, item: str, said: str) -> None:
    code, out, err = cli(
        "call", "createChatCompletion", "model=m", 'messages:=[{"role": "user", "content": "Hi"}]', item
    )
    assert (code, out, err) == (2, "", f"openapi-client-openai: {said}\n")
    assert server.requests == []


def test_text_items_that_are_text_or_form_fields_are_sent(env, server, tmp_path: pathlib.Path) -> None:
    code, _, err = cli("call", "createChatCompletion", "model=m", 'messages:=[{"role": "user", "content": "Hi"}]')
    assert code == 0, err
    audio = tmp_path / "a.mp3"
    audio.write_bytes(b"ID3")
    code, _, err = cli("call", "createTranscription", f"file@{audio}", "model=whisper-1", "temperature=0.5")
    assert code == 2 and "temperature is a number in the spec: write temperature:=0.5" in err
    code, _, err = cli("call", "createTranscription", f"file@{audio}", "model=whisper-1", "temperature:=0.5")
    assert code == 0, err
    assert b'name="temperature"\r\n\r\n0.5' in server.last.body  # a form field is text on the wire
    code, _, err = cli("call", "createChatCompletion", "model=m", "temperature=0.5", "--validate", "off")
    assert code == 0 and server.last.json()["temperature"] == "0.5"  # asked for: sent as written


def test_mock_on_a_busy_port_fails_at_once_in_one_line() -> None:
    import socket
    import time

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        code, out, err = cli("mock", "--spec", str(SPEC_31), "--port", str(port))
        assert time.monotonic() - started < 2
    assert code == 2 and out == ""  # no "serving at" line first
    assert err.startswith(f"openapi-client-openai: cannot listen on 127.0.0.1:{port}: Address already in use")
    assert err.count("\n") == 1


# -- every option of --help has an effect, and a test that shows it -----------------------------


def _options(parser, path: str = "") -> set[str]:
    import argparse

    found = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found |= _options(child, f"{path} {name}".strip())
        elif action.option_strings and action.dest != "help":
            found.add(f"{path} {max(action.option_strings, key=len)}".strip())
    return found


# Each option and the tests that show its effect (for the options before any command too).
FLAG_TESTS = {
    "--spec": "test_global_options_before_the_command",
    "--base-url": "test_global_options_before_the_command",
    "--version": "test_version_and_help",
    "call --spec": "test_spec_info_and_update test_missing_key_says_the_cli_way",
    "call --base-url": "test_cli_errors_name_cli_options test_global_options_before_the_command",
    "call --body": "test_call_body_from_stdin_and_file_upload",
    "call --output": "test_binary_answer_to_file_or_pipe",
    "call --events": "test_call_streams_raw_events",
    "call --timeout": "test_call_timeout_max_retries_and_api_key",
    "call --max-retries": "test_call_timeout_max_retries_and_api_key",
    "call --validate": "test_request_that_does_not_fit_the_spec_is_not_sent",
    "call --api-key": "test_call_timeout_max_retries_and_api_key",
    "call --admin-key": "test_admin_key_routing_on_the_command_line",
    "call --proxy": "test_call_proxy_verify_and_cert",
    "call --azure-endpoint": "test_call_on_azure",
    "call --api-version": "test_call_on_azure",
    "call --azure-deployment": "test_call_on_azure",
    "call --provider": "test_spec_providers_and_call_provider_on_the_command_line",
    "call --verify": "test_call_proxy_verify_and_cert",
    "call --cert": "test_call_proxy_verify_and_cert",
    "list --spec": "test_list",
    "docs --spec": "test_docs_options",
    "docs --search": "test_docs_options",
    "docs --example": "test_docs_options",
    "docs --html": "test_docs_options",
    "docs --realtime": "test_docs_options",
    "realtime --spec": "test_realtime_options",
    "realtime --base-url": "test_realtime_options",
    "realtime --model": "test_realtime_options",
    "realtime --beta": "test_realtime_options",
    "realtime --instructions": "test_realtime_options",
    "realtime --idle-timeout": "test_realtime_options",
    "realtime --api-key": "test_realtime_options",
    "bulk run --spec": "test_bulk_run_options",
    "bulk run --base-url": "test_bulk_run_options",
    "bulk run --output": "test_bulk_run_options",
    "bulk run --concurrency": "test_bulk_run_options",
    "bulk run --max-rpm": "test_bulk_run_options",
    "bulk run --max-tpm": "test_bulk_run_options",
    "bulk run --api-key": "test_bulk_run_options",
    "bulk submit --spec": "test_bulk_submit_options",
    "bulk submit --base-url": "test_bulk_submit_options",
    "bulk submit --output": "test_bulk_submit_options",
    "bulk submit --poll-seconds": "test_bulk_submit_options",
    "bulk submit --api-key": "test_bulk_submit_options",
    "mock --spec": "test_mock_options",
    "mock --host": "test_mock_options",
    "mock --port": "test_mock_options test_mock_on_a_busy_port_fails_at_once_in_one_line",
    "mock --lenient-ids": "test_mock_options",
    "mock --stream-delay-ms": "test_mock_options",
    "mock --first-event-delay-ms": "test_mock_options",
    "mock --seed": "test_mock_options",
    "mock --azure": "test_mock_options",
    "mock --fault": "test_mock_options",
    "spec info --spec": "test_spec_info_and_update",
    "spec update --timeout": "test_spec_update_timeout",
    "stubs --spec": "test_stubs_options",
    "stubs --output": "test_stubs_options",
    "stubs --into-env": "test_stubs_options",
    "mock --webhook-url": "test_mock_webhook_options",
    "mock --webhook-secret": "test_mock_webhook_options",
    "mock --webhook-attempts": "test_mock_webhook_options",
    "webhooks listen --spec": "test_webhooks_listen_options",
    "webhooks listen --host": "test_webhooks_listen_options",
    "webhooks listen --port": "test_webhooks_listen_options",
    "webhooks listen --secret": "test_webhooks_listen_options",
    "webhooks listen --json": "test_webhooks_listen_options",
    "webhooks listen --tolerance": "test_webhooks_listen_options",
    "webhooks listen --count": "test_webhooks_listen_options",
    "webhooks sign --secret": "test_webhooks_sign_options",
    "webhooks sign --id": "test_webhooks_sign_options",
    "webhooks sign --timestamp": "test_webhooks_sign_options",
    "webhooks sign --json": "test_webhooks_sign_options",
    "conform --spec": "test_conform_options",
    "conform --model": "test_conform_options",
    "conform --only": "test_conform_options",
    "conform --api-key": "test_conform_options",
    "conform --json": "test_conform_options",
    "conform --html": "test_conform_options",
    "conform --strict": "test_conform_options",
    "conform --timeout": "test_conform_options",
}


def test_realtime_options(monkeypatch: pytest.MonkeyPatch) -> None:
    """The realtime command: a text session against the mock (tests/test_realtime.py plays more)."""
    pytest.importorskip("websockets")
    from openapi_client_openai.mock import MockServer

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with MockServer(spec=SPEC_30) as url:
        base = ("--spec", str(SPEC_30), "--base-url", url, "--api-key", FAKE_KEY)
        # --beta (the 2025 spec has only the beta events), --model, --instructions
        code, out, err = cli("realtime", *base, "--model", "gpt-4o-realtime-preview", "--beta", "--instructions", "Hi",
                             stdin="hello\n")  # fmt: skip
        assert code == 0 and out == 'Hello! This is the mock\'s realtime answer. You said: "hello".\n', err
        code, _, err = cli("realtime", *base, "--model", "m")
        assert code == 1 and "use --beta" in err
    with MockServer(spec=SPEC_31, faults={"stall": 1.0}) as url:
        # --idle-timeout: a server that stalls mid-answer ends the session, naming the option
        base = ("--spec", str(SPEC_31), "--base-url", url, "--api-key", FAKE_KEY)
        code, out, err = cli("realtime", *base, "--model", "gpt-realtime", "--idle-timeout", "0.2", stdin="hi\n")
        assert code == 1 and out == "Hello! " and "within 0.2 s" in err and "with --idle-timeout" in err, err
    code, _, err = cli("realtime", "--spec", str(SPEC_31), "--model", "m", "--base-url", "http://127.0.0.1:9/v1")
    assert code == 1 and "--api-key" in err  # no key: says the command line's way
    code, _, err = cli("realtime", "--spec", str(SPEC_31), "--base-url", "http://x/v1", "--api-key", FAKE_KEY)
    assert code == 2 and "--model" in err


def test_conform_options(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openapi_client_openai.mock import MockServer

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    with MockServer(spec=SPEC_31) as url:
        base = ("conform", url, "--spec", str(SPEC_31))
        # --only, --api-key, --json, --html: the families asked for, all conforming, both files written.
        code, out, err = cli(
            *base, "--only", "models,chat", "--api-key", FAKE_KEY, "--json", "r.json", "--html", "r.htm"
        )
        assert (code, err) == (0, "") and "models: 3/3" in out and "chat: 9/9" in out and "embeddings" not in out
        written = json.loads(pathlib.Path("r.json").read_text())
        assert list(written["families"]) == ["models", "chat"] and "<h2>chat</h2>" in pathlib.Path("r.htm").read_text()
        # Without --api-key (and no $OPENAI_API_KEY) the mock refuses: 401s, reported.
        code, out, _ = cli(*base, "--only", "models")
        assert code == 1 and "401" in out
        # --strict: optional fields the mock leaves out; --model: the model of every request shown.
        code, out, _ = cli(*base, "--only", "chat", "--api-key", FAKE_KEY, "--strict", "--model", "gpt-4.1")
        assert code == 1 and "strict.missing-optional" in out and '"model":"gpt-4.1"' in out
        assert '"model":"gpt-4o-mini"' not in out
    # --timeout: an answer that does not come in time is that request's problem.
    with MockServer(spec=SPEC_31, faults={"stall": 1.0}) as url:
        code, out, _ = cli("conform", url, "--only", "models", "--api-key", FAKE_KEY, "--timeout", "0.2")
        assert (
            code == 1 and out.count("no answer in time") == 2
        )  # list and retrieve (the unknown model: "no whole answer")
    # --spec: the spec the suite is checked against (one that cannot be read stops the run).
    code, _, err = cli("conform", "http://127.0.0.1:1/v1", "--spec", str(tmp_path / "missing.yaml"))
    assert code == 2 and "cannot read the spec" in err


def test_stubs_options(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # --spec: the stubs of that spec, into ./typings by default, with mypy's one line.
    code, out, err = cli("stubs", "--spec", str(SPEC_30))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("wrote the stubs of OpenAI API") and "(126 operations) to typings/" in lines[0]
    assert lines[1].startswith("for mypy: mypy_path = typings ")
    made = tmp_path / "typings" / "openapi_client_openai"
    assert sorted(p.name for p in made.iterdir()) == [
        "__init__.pyi",
        "_azure.pyi",
        "_client.pyi",
        "_response.pyi",
        "_stream.pyi",
        "realtime",  # realtime/__init__.pyi
        "types.pyi",
    ]
    assert "def create_conversation(" not in (made / "_client.pyi").read_text()  # the 2025 spec has none
    # --output: another folder (pyright then needs its stubPath), the spec given before the command.
    code, out, err = cli("--spec", str(SPEC_31), "stubs", "--output", "stubs31")
    assert code == 0, err
    assert '"stubPath": "stubs31"' in out and "mypy_path = stubs31" in out
    assert "def create_conversation(" in (tmp_path / "stubs31" / "openapi_client_openai" / "_client.pyi").read_text()
    # --into-env: a partial stub package in this environment's site-packages.
    site = tmp_path / "site-packages"
    monkeypatch.setattr("openapi_client_openai.cli._site_packages", lambda: str(site))
    code, out, err = cli("stubs", "--spec", str(SPEC_30), "--into-env")
    assert code == 0, err
    package = site / "openapi_client_openai-stubs"
    assert f"in {package}:" in out and (package / "py.typed").read_text() == "partial\n"
    assert (package / "_client.pyi").read_text() == (made / "_client.pyi").read_text()
    assert cli("stubs", "--into-env", "--output", "x") == (
        2,
        "",
        "openapi-client-openai: --into-env installs the stubs into this environment: leave out --output\n",
    )
    code, _, err = cli("stubs", "--spec", str(tmp_path / "missing.yaml"))
    assert code == 1 and err.startswith("openapi-client-openai: cannot read the spec") and err.count("\n") == 1


def test_every_option_in_help_has_a_test_of_its_effect() -> None:
    from openapi_client_openai.cli import _parser

    assert _options(_parser()) == set(FLAG_TESTS)
    for names in FLAG_TESTS.values():
        for name in names.split():
            assert callable(globals().get(name)), name


def test_version_and_help(capsys: pytest.CaptureFixture) -> None:
    from openapi_client_openai._version import __version__

    assert cli("--version") == (0, f"openapi-client-openai {__version__}\n", "")
    code, out, err = cli("call", "--help")
    assert code == 0 and out.startswith("usage: openapi-client-openai call") and err == ""
    assert capsys.readouterr() == ("", "")  # help goes to the run's own stdout, not sys.stdout


def test_options_before_a_command_that_ignores_them_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("--base-url", "http://x/v1", "list") == (
        2,
        "",
        "openapi-client-openai: --base-url has no effect on list\n",
    )
    code, _, err = cli("--spec", str(SPEC_30), "spec", "update", "http://127.0.0.1:9/x.yaml")
    assert code == 2 and "--spec has no effect on spec update" in err
    code, _, err = cli("list", "--base-url", "http://x/v1")
    assert code == 2 and "unrecognized arguments: --base-url" in err


def test_call_timeout_max_retries_and_api_key(server, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv(spec_module.SPEC_ENV, str(SPEC_31))
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setattr("openapi_client_openai._retry.INITIAL_DELAY", 0.01)
    code, _, err = cli("call", "listModels", "--api-key", FAKE_KEY)
    assert code == 0, err
    assert server.last.headers["authorization"] == f"Bearer {FAKE_KEY}"
    server.default = lambda req: Reply(500, '{"error": {"message": "boom"}}')
    for retries in ("0", "2"):
        server.requests.clear()
        code, _, _ = cli("call", "listModels", "--api-key", FAKE_KEY, "--max-retries", retries)
        assert code == 5 and len(server.requests) == 1 + int(retries)
    server.default = lambda req: Reply(delay=2.0)
    started = time.monotonic()
    code, _, err = cli("call", "listModels", "--api-key", FAKE_KEY, "--timeout", "0.3", "--max-retries", "0")
    assert code == 1 and "timed out" in err.lower() and time.monotonic() - started < 1.5


def test_admin_key_routing_on_the_command_line(server, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = "sk-admin-" + "cl1" * 10
    spec = ("--spec", str(SPEC_31), "--base-url", server.url)
    code, _, err = cli("call", *spec, "admin-api-keys-list", "--api-key", FAKE_KEY)
    assert code == 1
    assert "needs an admin key" in err and "OPENAI_ADMIN_KEY" in err and "--admin-key" in err
    assert "admin_api_key=" not in err and server.requests == []
    code, _, err = cli("call", *spec, "admin-api-keys-list", "--api-key", FAKE_KEY, "--admin-key", admin)
    assert code == 0, err
    assert server.last.headers["authorization"] == f"Bearer {admin}"
    monkeypatch.setenv("OPENAI_ADMIN_KEY", admin)
    code, _, err = cli("call", *spec, "list_models", "--api-key", FAKE_KEY)
    assert code == 0 and server.last.headers["authorization"] == f"Bearer {FAKE_KEY}"
    code, _, err = cli("call", *spec, "admin-api-keys-list", "--api-key", FAKE_KEY)
    assert code == 0 and server.last.headers["authorization"] == f"Bearer {admin}"


def test_spec_providers_and_call_provider_on_the_command_line(server, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_providers import KEYS as keys
    from test_providers import overlay_url as _overlay_url

    out, err = io.StringIO(), io.StringIO()
    assert main(["spec", "providers"], stdout=out, stderr=err) == 0, err.getvalue()
    rows = {line.split()[0]: line.split()[1:3] for line in out.getvalue().splitlines()}
    assert {n: rows[n] for n in keys} == {n: [_overlay_url(n), v] for n, v in keys.items()}
    monkeypatch.setenv("XAI_API_KEY", "xai-cli-key-1234567")
    out = io.StringIO()
    argv = ["--spec", str(SPEC_31), "--base-url", server.url, "call", "list_models", "--provider", "xai"]
    assert main(argv, stdout=out, stderr=err) == 0, err.getvalue()
    assert json.loads(out.getvalue()) and server.last.headers["authorization"] == "Bearer xai-cli-key-1234567"
    err = io.StringIO()
    assert main([*argv[:-1], "nope"], stdout=io.StringIO(), stderr=err) == 1
    assert "unknown provider 'nope'" in err.getvalue()


def test_call_on_azure(monkeypatch: pytest.MonkeyPatch) -> None:
    from openapi_client_openai.mock import MockServer

    spec = ("--spec", str(SPEC_31))
    messages = 'messages:=[{"role": "user", "content": "Hi"}]'
    with MockServer(spec=SPEC_31, azure=True) as endpoint:
        code, out, err = cli(
            "call",
            *spec,
            "list_models",
            "--azure-endpoint",
            endpoint,
            "--api-version",
            "2024-10-21",
            "--api-key",
            "k" * 20,
        )
        assert code == 0 and json.loads(out)["object"] == "list", err
        monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", endpoint)
        monkeypatch.setenv("AZURE_OPENAI_API_KEY", "k" * 20)
        monkeypatch.setenv("OPENAI_API_VERSION", "2024-10-21")
        code, out, err = cli(
            "call", *spec, "create_chat_completion", messages, "--azure-endpoint=env", "--azure-deployment", "dep-1"
        )
        assert code == 0 and json.loads(out)["model"] == "dep-1", err
        monkeypatch.delenv("AZURE_OPENAI_API_KEY")
        code, _, err = cli("call", *spec, "list_models", "--azure-endpoint=env")
        assert code == 1 and "AZURE_OPENAI_API_KEY" in err and "--api-key" in err
    code, _, err = cli("call", *spec, "list_models", "--api-version", "2024-10-21")
    assert code == 2 and "add --azure-endpoint" in err


def test_call_proxy_verify_and_cert(raw_server, tmp_path: pathlib.Path) -> None:
    # The TLS half (a private CA, a client certificate, a CONNECT tunnel) is in
    # tests/test_transport_settings.py; here the flags reach the client.
    from wire_servers import Proxy, answer

    origin = raw_server(lambda conn, request: conn.sendall(answer(request)))
    proxy = Proxy()
    spec = ("--spec", str(SPEC_31), "--base-url", origin.url)
    try:
        code, out, err = cli("call", *spec, "listModels", "--api-key", FAKE_KEY, "--proxy", proxy.url, "--verify=off")
    finally:
        proxy.close()
    assert code == 0, err
    assert json.loads(out) == {"object": "list", "data": []}
    assert proxy.seen[0].startswith(b"GET http://127.0.0.1:")
    code, _, err = cli("call", *spec, "listModels", "--api-key", FAKE_KEY, "--cert", str(tmp_path / "none.pem"))
    assert code != 0 and "cert: no such file" in err
    code, _, err = cli("call", *spec, "listModels", "--api-key", FAKE_KEY, "--verify", str(tmp_path / "ca.pem"))
    assert code != 0 and "no such CA bundle" in err


def test_docs_options(tmp_path: pathlib.Path) -> None:
    spec = ("--spec", str(SPEC_30))
    code, out, _ = cli("docs", *spec, "createChatCompletion", "--example")
    assert code == 0 and out.startswith("from openapi_client_openai import OpenAIClient") and "## " not in out
    code, out, _ = cli("docs", *spec, "--search", "vector", "store", "files")
    assert code == 0 and out.split()[0] == "listVectorStoreFiles"
    code, out, _ = cli("docs", *spec, "--html", str(tmp_path / "site"))
    assert code == 0 and "wrote 564 pages" in out  # 126 operations, 436 schemas, the index, realtime events
    code, out, _ = cli("docs", *spec, "--realtime")
    assert code == 0 and "#### `response.text.delta` (RealtimeServerEventResponseTextDelta)" in out
    for argv, said in [
        (("createChatCompletion", "--search", "chat"), "docs takes one of OPERATION, --search, --html or --realtime"),
        (("--search", "chat", "--example"), "--example shows one operation's example"),
        (("--html", str(tmp_path / "x"), "--example"), "--example shows one operation's example"),
    ]:
        code, _, err = cli("docs", *spec, *argv)
        assert code == 2 and said in err, err


def test_spec_update_timeout(server, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv(spec_module.CACHE_ENV, str(tmp_path / "cache"))
    server.default = lambda req: Reply(body=MINI, delay=2.0, headers={"content-type": "application/yaml"})
    started = time.monotonic()
    code, _, err = cli("spec", "update", server.url + "/openapi.yaml", "--timeout", "0.3")
    assert code == 1 and time.monotonic() - started < 1.5 and len(err.strip().splitlines()) == 1


def test_bulk_run_options(server, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from openapi_client_openai._bulk import _tokens

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    _bulk_input(tmp_path / "in.jsonl", 4)
    base = ("bulk", "run", str(tmp_path / "in.jsonl"), "--spec", str(SPEC_31), "--base-url", server.url)

    def run(name: str, *argv: str) -> float:
        started = time.monotonic()
        code, out, err = cli(*base, "--output", str(tmp_path / name), "--api-key", FAKE_KEY, *argv)
        assert code == 0, err + out
        assert len((tmp_path / name).read_text().splitlines()) == 4
        return time.monotonic() - started

    run("plain.jsonl")
    assert server.last.headers["authorization"] == f"Bearer {FAKE_KEY}" and server.last.path == "/v1/embeddings"
    assert run("rpm.jsonl", "--max-rpm", "300") >= 0.55  # 0.2 s between requests
    tokens = _tokens({"model": "text-embedding-3-small", "input": "text 0"})
    assert run("tpm.jsonl", "--max-tpm", str(tokens * 300)) >= 0.55  # the same pace, by tokens
    server.default = lambda req: Reply(delay=0.3)
    assert run("one.jsonl", "--concurrency", "1") >= 1.15  # one at a time: 4 x 0.3 s


def test_bulk_submit_options(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from openapi_client_openai.mock import MockServer

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    _bulk_input(tmp_path / "in.jsonl", 3)
    with MockServer(spec=SPEC_31) as url:
        started = time.monotonic()
        code, out, err = cli(
            "bulk",
            "submit",
            str(tmp_path / "in.jsonl"),
            *("--spec", str(SPEC_31), "--base-url", url, "--api-key", FAKE_KEY),
            *("--output", str(tmp_path / "out.jsonl"), "--poll-seconds", "0.05"),
        )
        # the mock's batches finish at the third look: 0.05 + 0.1 s of waiting, not 5 + 10
        assert code == 0 and time.monotonic() - started < 5, err
    assert "3 answers, 0 errors" in out and len((tmp_path / "out.jsonl").read_text().splitlines()) == 3


def test_mock_options(tmp_path) -> None:
    import time

    from openapi_client_openai import OpenAIClient

    def start(*argv: str) -> tuple[subprocess.Popen, str]:
        command = [sys.executable, "-m", "openapi_client_openai", "mock", "--spec", str(SPEC_31), "--port", "0"]
        proc = subprocess.Popen([*command, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = proc.stdout.readline()
        assert "(288 operations) at http://127.0.0.1:" in line, line or proc.stderr.read()
        return proc, line.split(" at ")[1].split()[0]

    chat = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
    lenient, url = start("--host", "127.0.0.1", "--lenient-ids", "--seed", "7", "--first-event-delay-ms", "400")
    faulty, faulty_url = start("--fault", "503=1", "--stream-delay-ms", "50")
    azure, endpoint = start("--azure")
    try:
        from openapi_client_openai import AzureOpenAIClient

        assert not endpoint.endswith("/v1")  # --azure: the endpoint, what azure_endpoint= takes
        options = {"azure_endpoint": endpoint, "api_version": "2024-10-21", "api_key": FAKE_KEY, "max_retries": 0}
        with AzureOpenAIClient(spec=SPEC_31, **options) as client:
            assert client.create_chat_completion(model="dep", messages=chat["messages"]).status_code == 200
        with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=url, max_retries=0) as client:
            assert client.retrieveFile(file_id="file-never-made").status_code == 200  # --lenient-ids
            first = client.createChatCompletion(body=chat).json()
            started = time.monotonic()
            with client.createChatCompletion(body={**chat, "stream": True}) as stream:
                next(iter(stream))
                assert time.monotonic() - started >= 0.4  # --first-event-delay-ms
        from openapi_client_openai.mock import MockServer

        for seed, same in ((7, True), (8, False)):  # --seed: the same answers as an app with that seed
            with (
                MockServer(spec=SPEC_31, seed=seed, lenient_ids=True) as other,
                OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=other, max_retries=0) as client,
            ):
                client.retrieveFile(file_id="file-never-made")
                assert (client.createChatCompletion(body=chat).json()["id"] == first["id"]) is same
        with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=faulty_url, max_retries=0) as client:
            with pytest.raises(Exception) as caught:
                client.listModels()
            assert getattr(caught.value, "status_code", None) == 503  # --fault 503=1
    finally:
        for proc in (lenient, faulty, azure):
            proc.terminate()
            proc.wait(timeout=10)
            proc.stdout.close()
            proc.stderr.close()


WEBHOOK_SECRET = "whsec_" + "Y2xpIHdlYmhvb2sgc2VjcmV0LCAzMiBieXRlcyEhIQ=="


def test_mock_webhook_options(server) -> None:
    """--webhook-url and --webhook-secret: signed deliveries there; --webhook-attempts: how many tries."""
    import time

    import httpx
    import standardwebhooks

    server.default = lambda req: Reply(status=500)
    command = [sys.executable, "-m", "openapi_client_openai", "mock", "--spec", str(SPEC_31), "--port", "0"]
    command += ["--webhook-url", f"http://127.0.0.1:{server.port}/cli", "--webhook-secret", WEBHOOK_SECRET]
    proc = subprocess.Popen(
        [*command, "--webhook-attempts", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = proc.stdout.readline()
        root = line.split(" at ", 1)[1].split()[0][: -len("/v1")]
        answer = httpx.post(root + "/_mock/webhooks", json={"type": "realtime.call.incoming"})
        assert answer.status_code == 200, answer.text
        deadline = time.monotonic() + 10
        while httpx.get(root + "/_mock/webhooks").json()["pending"] and time.monotonic() < deadline:
            time.sleep(0.05)
        (record,) = httpx.get(root + "/_mock/webhooks").json()["data"]
        assert [a["status"] for a in record["attempts"]] == [500, 500] and record["delivered"] is False
        assert [r.path for r in server.requests] == ["/cli", "/cli"]
        for delivery in server.requests:
            event = standardwebhooks.Webhook(WEBHOOK_SECRET).verify(delivery.body, delivery.headers)
            assert event["type"] == "realtime.call.incoming"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        assert WEBHOOK_SECRET[6:] not in proc.stderr.read()
        proc.stderr.close()


def test_webhooks_listen_options(monkeypatch: pytest.MonkeyPatch) -> None:
    """--host/--port: where; --secret: verifies with it; --tolerance: the window; --json: a JSON line
    per event; --count: stops after that many; --spec: the schemas events are checked with."""
    import threading
    import time

    import httpx

    from openapi_client_openai import webhooks

    monkeypatch.delenv("OPENAI_WEBHOOK_SECRET", raising=False)
    body = '{"id": "evt_1", "object": "event", "type": "batch.completed", "created_at": 1, "data": {"id": "b"}}'

    def listen(*argv: str) -> tuple[str, threading.Thread, io.StringIO, io.StringIO]:
        out, err = io.StringIO(), io.StringIO()
        args = ["webhooks", "listen", "--host", "127.0.0.1", "--port", "0", "--secret", WEBHOOK_SECRET, *argv]
        thread = threading.Thread(target=main, args=(args,), kwargs={"stdout": out, "stderr": err}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while "listening on" not in err.getvalue():
            assert time.monotonic() < deadline and thread.is_alive(), err.getvalue()
            time.sleep(0.005)
        return err.getvalue().split("listening on ")[1].split()[0], thread, out, err

    url, thread, out, err = listen("--json", "--count", "1", "--tolerance", "5", "--spec", str(SPEC_31))
    assert url.startswith("http://127.0.0.1:")
    late = webhooks.sign(body, WEBHOOK_SECRET, timestamp=int(time.time()) - 10)
    assert httpx.post(url, content=body, headers=late).json()["error"]["code"] == "too_old"  # --tolerance 5
    assert httpx.post(url, content=body, headers=webhooks.sign(body, WEBHOOK_SECRET)).status_code == 200
    thread.join(10)
    assert not thread.is_alive()  # --count 1
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [json.loads(body)]  # --json
    assert "note:" not in err.getvalue()
    url, thread, out, err = listen("--count", "1", "--spec", str(SPEC_30))
    assert httpx.post(url, content=body, headers=webhooks.sign(body, WEBHOOK_SECRET)).status_code == 200
    thread.join(10)
    assert out.getvalue() == 'batch.completed evt_1 {"id": "b"}\n'
    assert "has no schema for webhook events" in err.getvalue()  # --spec: the 3.0 fixture has none


def test_webhooks_sign_options(tmp_path: pathlib.Path) -> None:
    """--secret signs with it, --id and --timestamp set those headers, --json prints an object."""
    import standardwebhooks

    payload = tmp_path / "event.json"
    payload.write_bytes(b'{"id": "evt_1", "object": "event", "type": "batch.expired", "created_at": 1, "data": {}}')
    import time

    now = str(int(time.time()))
    argv = ["webhooks", "sign", str(payload), "--secret", WEBHOOK_SECRET, "--id", "msg_cli", "--timestamp", now]
    code, out, err = cli(*argv)
    assert code == 0, err
    headers = dict(line.split(": ", 1) for line in out.splitlines())
    assert headers["webhook-id"] == "msg_cli" and headers["webhook-timestamp"] == now
    assert standardwebhooks.Webhook(WEBHOOK_SECRET).verify(payload.read_bytes(), headers)["type"] == "batch.expired"
    code, out, err = cli(*argv, "--json")
    assert code == 0 and json.loads(out) == headers
    code, out, err = cli("webhooks", "sign", "-", "--secret", WEBHOOK_SECRET, stdin=payload.read_text())
    assert code == 0 and "webhook-signature: v1," in out
    assert WEBHOOK_SECRET[6:] not in out + err
