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
from openapi_client_openai.bulk import MAX_IN_FLIGHT, BulkAuthError, BulkError, Summary, run, submit
from openapi_client_openai.mock import MockServer

from conftest import FAKE_KEY, SPEC_31, Reply


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
    ids = requests_file(tmp_path / "in.jsonl", 4000)  # enough that a kill lands mid-run (~1,000/s here)
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
    with open(tmp_path / "busy.jsonl", "a") as held:  # the lock is on the output itself
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(BulkError, match="another run"):
            run(str(path), str(tmp_path / "busy.jsonl"), client(mock_url))


def test_lines_appended_during_a_run_wait_for_the_next_run(server, tmp_path) -> None:
    path = tmp_path / "in.jsonl"
    ids = requests_file(path, 20)
    late = [f"late{i}" for i in range(10)]

    def append_then_answer(req):
        if len(server.requests) == 1:  # the run has started: a producer adds lines
            with open(path, "a") as f:
                for custom_id in late:
                    body = {"model": "text-embedding-3-small", "input": custom_id}
                    f.write(json.dumps({"custom_id": custom_id, "url": "/v1/embeddings", "body": body}) + "\n")
        return Reply()

    server.default = append_then_answer
    first = run(str(path), str(tmp_path / "out.jsonl"), client(server.url), concurrency=4)
    assert first.total == 20 and first.done == 20 and len(server.requests) == 20
    assert sorted(r["custom_id"] for r in read_output(tmp_path / "out.jsonl")) == sorted(ids)
    second = run(str(path), str(tmp_path / "out.jsonl"), client(server.url), concurrency=4)
    assert second.total == 30 and second.done == 10 and second.skipped == 20 and len(server.requests) == 30
    assert sorted(r["custom_id"] for r in read_output(tmp_path / "out.jsonl")) == sorted(ids + late)


def test_a_second_run_on_the_same_output_by_another_name_is_refused(server, tmp_path) -> None:
    import threading

    path = tmp_path / "in.jsonl"
    ids = requests_file(path, 12)
    out = tmp_path / "out.jsonl"
    (tmp_path / "link.jsonl").symlink_to(out)
    sent = threading.Event()
    release = threading.Event()

    def held_answer(req):
        sent.set()
        release.wait(10)
        return Reply()

    server.default = held_answer
    results: list = []
    first = threading.Thread(target=lambda: results.append(run(str(path), str(out), client(server.url))))
    first.start()
    try:
        assert sent.wait(10)
        for other in ("link.jsonl", "hard.jsonl"):
            if other == "hard.jsonl":
                os.link(out, tmp_path / other)
            with pytest.raises(BulkError, match="another run is writing"):
                run(str(path), str(tmp_path / other), client(server.url))
            with pytest.raises(BulkError, match="another run is writing"):
                submit(str(path), str(tmp_path / other), client(server.url))
    finally:
        release.set()
        first.join(30)
    assert results[0].done == 12 and len(server.requests) == 12
    assert sorted(r["custom_id"] for r in read_output(out)) == sorted(ids)


def test_throughput_does_not_collapse_when_concurrency_exceeds_the_pool(mock_url, tmp_path) -> None:
    path = tmp_path / "in.jsonl"
    requests_file(path, 600)
    seconds = {}
    for concurrency in (16, 1000):
        start = time.perf_counter()
        summary = run(str(path), str(tmp_path / f"out{concurrency}.jsonl"), client(mock_url), concurrency=concurrency)
        seconds[concurrency] = time.perf_counter() - start
        assert summary.done == 600
    # Before the cap, 1,000 workers queued on the 100-connection pool took 4-5x as long as 16.
    assert seconds[1000] < 2 * seconds[16] + 0.5, seconds
    assert MAX_IN_FLIGHT == 100


def test_no_key_stops_the_run_before_anything_is_sent_or_written(server, tmp_path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"custom_id": "nowhere", "url": "/v1/no/such", "body": {}}) + "\n")
    requests_file(tmp_path / "more.jsonl", 30)
    with open(path, "a") as f:
        f.write((tmp_path / "more.jsonl").read_text())
    keyless = AsyncOpenAIClient(spec=SPEC_31, base_url=server.url)  # conftest unsets OPENAI_API_KEY
    with pytest.raises(BulkAuthError, match="no API key: set OPENAI_API_KEY") as caught:
        run(str(path), str(tmp_path / "out.jsonl"), keyless, concurrency=8)
    assert caught.value.status_code is None and caught.value.summary.done == 0
    assert server.requests == [] and read_output(tmp_path / "out.jsonl") == []


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_stops_the_run_after_one_request(server, tmp_path, status: int) -> None:
    path = tmp_path / "in.jsonl"
    requests_file(path, 40)
    echo = {"error": {"message": f"Incorrect API key provided: {FAKE_KEY}.", "code": "invalid_api_key"}}
    server.default = lambda req: Reply(status=status, body=json.dumps(echo))
    with pytest.raises(BulkAuthError) as caught:
        run(str(path), str(tmp_path / "out.jsonl"), client(server.url), concurrency=8)
    message = str(caught.value)
    assert f"the server refused the key ({status} invalid_api_key" in message and FAKE_KEY not in message
    assert caught.value.status_code == status and caught.value.summary.pending == 40
    assert len(server.requests) == 1 and read_output(tmp_path / "out.jsonl") == []

    # A key revoked part way: what was answered stays, the run stops, nothing is written for the rest.
    server.reset()
    answers = iter(range(10_000))
    server.default = lambda req: Reply() if next(answers) < 5 else Reply(status=status, body=json.dumps(echo))
    with pytest.raises(BulkAuthError):
        run(str(path), str(tmp_path / "out2.jsonl"), client(server.url), concurrency=2)
    written = read_output(tmp_path / "out2.jsonl")
    assert 5 <= len(written) <= 6 and all(r["response"]["status_code"] == 200 for r in written)
    assert len(server.requests) < 10


def test_connection_failures_are_summarised_with_their_cause(tmp_path) -> None:
    import socket

    requests_file(tmp_path / "in.jsonl", 10)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    summary = run(str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"), client(dead, max_retries=0))
    assert summary.failures == {f"connection refused at {dead}": 10} and summary.pending == 10
    assert summary.stopped is None

    # A dead server does not get each of many requests tried: the run stops and says why.
    ids = requests_file(tmp_path / "many.jsonl", 500)
    earlier = b"".join(  # the last 100 were answered by an earlier run
        json.dumps({"id": "x", "custom_id": i, "response": None, "error": None}).encode() + b"\n" for i in ids[400:]
    )
    (tmp_path / "out2.jsonl").write_bytes(earlier)
    summary = run(str(tmp_path / "many.jsonl"), str(tmp_path / "out2.jsonl"), client(dead, max_retries=0))
    assert summary.stopped is not None and "connection failures in a row" in summary.stopped
    (cause,) = summary.failures
    assert cause == f"connection refused at {dead}" and summary.failures[cause] < 100
    assert summary.skipped == 100 and summary.pending == 400 and summary.done == 0
    assert (tmp_path / "out2.jsonl").read_bytes() == earlier


def test_concurrency_must_be_a_positive_whole_number(mock_url, tmp_path) -> None:
    requests_file(tmp_path / "in.jsonl", 1)
    for bad in (0, -3, 2.5, True):
        with pytest.raises(BulkError, match="concurrency must be a whole number"):
            run(str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl"), client(mock_url), concurrency=bad)
    assert isinstance(Summary().failures, dict)
