"""Bulk runs against the mock: exactly once across SIGKILLs, faults, resumes, bad input."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from openapi_client_openai import AsyncOpenAIClient
from openapi_client_openai.bulk import BulkError, run
from openapi_client_openai.mock import MockServer

from conftest import FAKE_KEY, SPEC_31


def requests_file(path, count: int, prefix: str = "r") -> list[str]:
    ids = [f"{prefix}{i}" for i in range(count)]
    with open(path, "w") as f:
        for i, custom_id in enumerate(ids):
            if i % 3 == 2:
                body = {"model": "text-embedding-3-small", "input": f"text {i}"}
                url = "/v1/embeddings"
            else:
                body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"question {i}"}]}
                url = "/v1/chat/completions"
            f.write(json.dumps({"custom_id": custom_id, "method": "POST", "url": url, "body": body}) + "\n")
    return ids


def read_output(path) -> list[dict]:
    with open(path, "rb") as f:
        data = f.read()
    assert not data or data.endswith(b"\n"), "a torn last line"
    return [json.loads(line) for line in data.splitlines()]


@pytest.fixture(scope="module")
def mock_url():
    with MockServer(spec=SPEC_31, seed=2) as url:
        yield url


def client(url: str, **kw) -> AsyncOpenAIClient:
    return AsyncOpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=url, **kw)


def test_every_request_answered_once_in_batch_output_format(mock_url, tmp_path) -> None:
    ids = requests_file(tmp_path / "in.jsonl", 60)
    summary = run(str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"), client(mock_url), concurrency=8)
    out = read_output(tmp_path / "out.jsonl")
    assert sorted(r["custom_id"] for r in out) == sorted(ids)
    assert summary.done == 60 and summary.errors == 0
    first = next(r for r in out if r["custom_id"] == "r0")
    assert first["id"].startswith("batch_req_") and first["error"] is None
    assert first["response"]["status_code"] == 200 and first["response"]["body"]["object"] == "chat.completion"
    assert first["response"]["request_id"].startswith("req_")
    again = run(str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"), client(mock_url))
    assert again.done == 0 and again.skipped == 60 and len(read_output(tmp_path / "out.jsonl")) == 60


def test_bad_input_is_refused_before_anything_is_sent(mock_url, tmp_path) -> None:
    path = tmp_path / "dup.jsonl"
    requests_file(path, 3)
    with open(path, "a") as f:
        f.write(json.dumps({"custom_id": "r1", "method": "POST", "url": "/v1/embeddings", "body": {}}) + "\n")
    with pytest.raises(BulkError, match="'r1'"):
        run(str(path), str(tmp_path / "out.jsonl"), client(mock_url))
    assert not (tmp_path / "out.jsonl").exists() or (tmp_path / "out.jsonl").read_bytes() == b""
    path.write_text('{"method": "POST", "url": "/v1/embeddings"}\n')
    with pytest.raises(BulkError, match="custom_id"):
        run(str(path), str(tmp_path / "out2.jsonl"), client(mock_url))


def test_invalid_requests_and_unknown_urls_become_error_lines(mock_url, tmp_path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps({"custom_id": "bad", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "m"}})
        + "\n"
        + json.dumps({"custom_id": "nowhere", "method": "POST", "url": "/v1/no/such", "body": {}})
        + "\n"
    )
    summary = run(str(path), str(tmp_path / "out.jsonl"), client(mock_url))
    out = {r["custom_id"]: r for r in read_output(tmp_path / "out.jsonl")}
    assert out["bad"]["response"]["status_code"] == 400 and "messages" in json.dumps(out["bad"]["response"]["body"])
    assert out["nowhere"]["response"] is None and out["nowhere"]["error"]["code"] == "invalid_url"
    assert summary.errors == 2


def test_injected_429s_and_5xx_are_retried(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("openapi_client_openai._retry.INITIAL_DELAY", 0.01)
    ids = requests_file(tmp_path / "in.jsonl", 40)
    with MockServer(spec=SPEC_31, seed=8, faults={"429": 0.2, "503": 0.1}) as url:
        run(str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"), client(url, max_retries=6), concurrency=4)
    out = read_output(tmp_path / "out.jsonl")
    assert sorted(r["custom_id"] for r in out) == sorted(ids)
    assert all(r["response"]["status_code"] == 200 for r in out)


def test_sigkill_at_random_moments_then_resume_gives_each_id_exactly_once(mock_url, tmp_path) -> None:
    ids = requests_file(tmp_path / "in.jsonl", 400)
    out = tmp_path / "out.jsonl"
    env = {
        **os.environ,
        "OPENAI_API_KEY": FAKE_KEY,
        "OPENAI_BASE_URL": mock_url,
        "OPENAPI_CLIENT_OPENAI_SPEC": str(SPEC_31),
    }
    command = [
        sys.executable,
        "-m",
        "openapi_client_openai",
        "bulk",
        "run",
        str(tmp_path / "in.jsonl"),
        "--output",
        str(out),
        "--concurrency",
        "8",
    ]
    rng = random.Random(1)
    kills = 0
    for _ in range(5):
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.3, 1.2))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    records = read_output(out)
    assert sorted(r["custom_id"] for r in records) == sorted(ids)  # no loss, no duplicate
    assert kills >= 1


def test_bulk_submit_through_the_batch_api_and_resume(mock_url, tmp_path) -> None:
    from openapi_client_openai import OpenAIClient
    from openapi_client_openai.bulk import submit

    ids = requests_file(tmp_path / "in.jsonl", 30)
    out = tmp_path / "out.jsonl"
    sync = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=mock_url)
    waits = []
    summary = submit(str(tmp_path / "in.jsonl"), str(out), sync, max_requests=8, poll_seconds=0.5, sleep=waits.append)
    records = read_output(out)
    assert sorted(r["custom_id"] for r in records) == sorted(ids)
    assert summary.done == 30 and summary.errors == 0
    assert all(r["response"]["status_code"] == 200 for r in records)
    assert waits[:2] == [0.5, 1.0]  # back-off between looks (the mock's batches finish at the third)
    assert not (tmp_path / "out.jsonl.batches.json").exists()

    # Interrupted while polling: a rerun polls the batch it recorded, it does not submit again.
    out2 = tmp_path / "out2.jsonl"
    real_retrieve = sync.retrieve_batch
    calls = []

    def retrieve_then_die(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return real_retrieve(*args, **kwargs)

    sync.retrieve_batch = retrieve_then_die
    before = len(list(sync.paginate("listBatches", limit=100)))
    with pytest.raises(KeyboardInterrupt):
        submit(str(tmp_path / "in.jsonl"), str(out2), sync, max_requests=8, sleep=lambda s: None)
    state = json.loads((tmp_path / "out2.jsonl.batches.json").read_text())
    (first_batch,) = [piece["batch_id"] for piece in state["pieces"].values()]
    submit(str(tmp_path / "in.jsonl"), str(out2), sync, max_requests=8, sleep=lambda s: None)
    after = len(list(sync.paginate("listBatches", limit=100)))
    # 20 chat and 10 embedding requests in pieces of 8 make 5 batches; the first was made once only
    assert after - before == 5 and first_batch
    assert sorted(r["custom_id"] for r in read_output(out2)) == sorted(ids)
    again = submit(str(tmp_path / "in.jsonl"), str(out2), sync, max_requests=8, sleep=lambda s: None)
    assert again.done == 0 and len(list(sync.paginate("listBatches", limit=100))) == after  # nothing resent


def test_bulk_submit_cli(mock_url, tmp_path) -> None:
    ids = requests_file(tmp_path / "in.jsonl", 5)
    env = {
        **os.environ,
        "OPENAI_API_KEY": FAKE_KEY,
        "OPENAI_BASE_URL": mock_url,
        "OPENAPI_CLIENT_OPENAI_SPEC": str(SPEC_31),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_client_openai",
            "bulk",
            "submit",
            str(tmp_path / "in.jsonl"),
            "--output",
            str(tmp_path / "out.jsonl"),
            "--poll-seconds",
            "0.01",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(r["custom_id"] for r in read_output(tmp_path / "out.jsonl")) == sorted(ids)


def test_unreachable_server_leaves_requests_for_the_next_run(mock_url, tmp_path) -> None:
    import socket

    ids = requests_file(tmp_path / "in.jsonl", 10)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    first = run(str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"), client(dead, max_retries=0))
    assert first.pending == 10 and first.done == 0 and read_output(tmp_path / "out.jsonl") == []
    second = run(str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"), client(mock_url))
    assert second.done == 10 and sorted(r["custom_id"] for r in read_output(tmp_path / "out.jsonl")) == sorted(ids)


def test_streaming_lines_are_error_lines_and_a_second_run_on_the_output_is_refused(mock_url, tmp_path) -> None:
    import fcntl

    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps(
            {
                "custom_id": "s",
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": {"model": "m", "messages": [{"role": "user", "content": "x"}], "stream": True},
            }
        )
        + "\n"
    )
    run(str(path), str(tmp_path / "out.jsonl"), client(mock_url))
    (record,) = read_output(tmp_path / "out.jsonl")
    assert record["error"]["code"] == "stream_not_supported"
    with open(str(tmp_path / "busy.jsonl") + ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(BulkError, match="another run"):
            run(str(path), str(tmp_path / "busy.jsonl"), client(mock_url))
