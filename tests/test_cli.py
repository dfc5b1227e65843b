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
        (("call", "createChatCompletio"), "did you mean createChatCompletion", 1),
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
    assert code == 1 and "No such file or directory" in err and "Traceback" not in err


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
