"""Waiting for objects to reach a final state (issue 13): what is learned from the spec, every
kind of object on the mock, on both clients, the server's poll hint, back-off, timeouts,
cancelling, and ``upload_and_poll``."""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import threading
import time
from typing import Any

import pytest

from openapi_client_openai import (
    AsyncOpenAIClient,
    OpenAIClient,
    ParameterError,
    WaitCancelledError,
    WaitTimeoutError,
)
from openapi_client_openai._wait import IN_PROGRESS_RULE, in_progress, kinds
from openapi_client_openai.mock import MockServer
from openapi_client_openai.mock._lifecycle import LIFECYCLE_RULE
from openapi_client_openai.spec import load_index

from conftest import FAKE_KEY, ROOT, SPEC_30, SPEC_31, Reply

README = " ".join((ROOT / "README.md").read_text().split())


def test_the_kinds_their_retrieve_operations_and_final_states_come_from_the_spec(spec_path) -> None:
    found = kinds(load_index(spec_path))
    run = found["thread.run"]
    assert run.op_id == "getRun" and run.cancel == "cancelRun"
    assert run.changing == ("queued", "in_progress", "cancelling")
    assert set(run.final) == {"requires_action", "cancelled", "failed", "completed", "incomplete", "expired"}
    assert found["fine_tuning.job"].final == ("succeeded", "failed", "cancelled")
    assert found["vector_store.file"].op_id == "getVectorStoreFile"
    assert found["vector_store.files_batch"].op_id == "getVectorStoreFileBatch"
    assert found["batch"].changing == ("validating", "in_progress", "finalizing", "cancelling")
    assert found["response"].op_id == "getResponse"  # not the beta operation on the same path
    assert "upload" not in found  # the spec has no operation that retrieves an upload
    if spec_path == SPEC_31:
        assert found["video"].changing == ("queued", "in_progress")
        assert found["eval.run"].op_id == "getEvalRun" and found["eval.run"].states == ()  # its status is open
        assert set(found["response"].changing) == {"queued", "in_progress"}


def test_the_rule_for_statuses_in_progress() -> None:
    assert [s for s in ("queued", "in_progress", "validating_files", "cancelling", "pending") if in_progress(s)] == [
        "queued",
        "in_progress",
        "validating_files",
        "cancelling",
        "pending",
    ]
    assert not any(in_progress(s) for s in ("completed", "requires_action", "expired", "succeeded", None, 3))
    assert " ".join(IN_PROGRESS_RULE.split()) in README
    assert " ".join(LIFECYCLE_RULE.split()) in README


# -- every kind on the mock, both clients -------------------------------------------------------------


@pytest.fixture(scope="module", params=[SPEC_30, SPEC_31], ids=["spec3.0", "spec3.1"])
def mock(request):
    with MockServer(spec=request.param, seed=9) as url:
        yield request.param, url


async def maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


@pytest.fixture(params=["sync", "async"])
def play(request):
    cls = OpenAIClient if request.param == "sync" else AsyncOpenAIClient

    def run(url: str, scenario: Any, spec: Any = SPEC_31) -> Any:
        async def main() -> Any:
            client = cls(spec=spec, api_key=FAKE_KEY, base_url=url, max_retries=0)
            try:
                return await scenario(client)
            finally:
                await maybe(client.close() if cls is OpenAIClient else client.aclose())

        return asyncio.run(main())

    run.flavour = request.param
    return run


async def _made(client: Any, spec: Any) -> dict[str, Any]:
    """One new object of every kind the issue lists, as the create call answered it."""
    call = lambda op, /, **kw: maybe(getattr(client, op)(**kw))  # noqa: E731
    made: dict[str, Any] = {}
    thread = (await call("create_thread", body={})).json()
    assistant = (await call("create_assistant", model="gpt-4o")).json()
    made["run"] = await call("create_run", thread_id=thread["id"], assistant_id=assistant["id"])
    made["thread and run"] = await call("create_thread_and_run", assistant_id=assistant["id"])
    store = (await call("create_vector_store", name="docs")).json()
    line = {"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o"}}
    lines = json.dumps(line).encode() + b"\n"
    batch_input = (await call("create_file", body={"file": ("in.jsonl", lines), "purpose": "batch"})).json()
    doc = (await call("create_file", body={"file": ("a.txt", b"hello"), "purpose": "assistants"})).json()
    made["vector store file"] = await call("create_vector_store_file", vector_store_id=store["id"], file_id=doc["id"])
    made["file batch"] = await call("create_vector_store_file_batch", vector_store_id=store["id"], file_ids=[doc["id"]])
    made["batch"] = await call(
        "create_batch", input_file_id=batch_input["id"], endpoint="/v1/chat/completions", completion_window="24h"
    )
    made["fine-tuning job"] = await call("create_fine_tuning_job", model="gpt-4o-mini", training_file=doc["id"])
    made["background response"] = await call("create_response", model="gpt-4.1", input="Hi", background=True)
    if spec == SPEC_31:
        made["video"] = await call("create_video", body={"prompt": "A cat", "model": "sora-2"})
        config = {"type": "custom", "item_schema": {"type": "object"}}
        evaluation = (await call("create_eval", data_source_config=config, testing_criteria=[])).json()
        source = {"type": "jsonl", "source": {"type": "file_id", "id": doc["id"]}}
        made["eval run"] = await call("create_eval_run", eval_id=evaluation["id"], data_source=source)
    return made


FINAL = {
    "run": "completed",
    "thread and run": "completed",
    "vector store file": "completed",
    "file batch": "completed",
    "batch": "completed",
    "fine-tuning job": "succeeded",
    "background response": "completed",
    "video": "completed",
    "eval run": "completed",
}


def test_wait_brings_every_kind_of_object_to_its_final_state(play, mock) -> None:
    spec, url = mock

    async def scenario(client: Any) -> None:
        made = await _made(client, spec)
        assert all(in_progress(result.json()["status"]) for result in made.values())
        assert all(result.headers["openai-poll-after-ms"] == "10" for result in made.values())
        for what, result in made.items():
            given = result if what != "fine-tuning job" else result.json()  # a result, or the object itself
            done = await maybe(client.wait(given, timeout=30))
            assert done["status"] == FINAL[what], what
            assert done["id"] == result.json()["id"] and done["object"] == result.json()["object"]
        assert made["file batch"].json()["file_counts"]["in_progress"] == 1
        finished = await maybe(client.wait(made["file batch"]))
        assert finished["file_counts"]["completed"] == 1 and finished["file_counts"]["in_progress"] == 0
        response = await maybe(client.wait(made["background response"]))
        assert response["output"][0]["type"] == "message"  # the whole response, once finished

    play(url, scenario, spec)


def test_an_upload_is_final_once_completed_and_cannot_be_polled_while_pending(play, mock) -> None:
    spec, url = mock

    async def scenario(client: Any) -> None:
        upload = await maybe(
            client.create_upload(filename="a.txt", purpose="assistants", bytes=5, mime_type="text/plain")
        )
        with pytest.raises(ParameterError, match="an upload cannot be polled"):
            await maybe(client.wait(upload))
        part = await maybe(client.add_upload_part(upload_id=upload.json()["id"], body={"data": ("p", b"hello")}))
        done = await maybe(client.complete_upload(upload_id=upload.json()["id"], part_ids=[part.json()["id"]]))
        assert (await maybe(client.wait(done)))["status"] == "completed"  # final already: no request

    play(url, scenario, spec)


# -- timing, the server's hint, timeouts, cancelling --------------------------------------------------


def _object(status: str) -> dict:
    return {"id": "run_1", "object": "thread.run", "thread_id": "thread_1", "status": status}


def _script(server: Any, statuses: list[str], headers: dict[str, str] | None = None) -> list[float]:
    """Answer each retrieve with the next status (the last one forever); return the times of the
    requests as they arrive."""
    seen: list[float] = []
    left = list(statuses)

    def answer(request: Any) -> Reply:
        seen.append(time.monotonic())
        status = left.pop(0) if len(left) > 1 else left[0]
        return Reply(body=json.dumps(_object(status)), headers={"content-type": "application/json", **(headers or {})})

    server.default = answer
    return seen


def test_wait_honours_openai_poll_after_ms(server) -> None:
    seen = _script(server, ["in_progress", "in_progress", "completed"], {"openai-poll-after-ms": "150"})
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as client:
        start = time.monotonic()
        done = client.wait(_object("queued"), poll_interval=0.01)
    assert done["status"] == "completed" and len(seen) == 3
    assert seen[0] - start < 0.12  # the first look: poll_interval, as the object given has no hint
    assert all(b - a >= 0.14 for a, b in itertools.pairwise(seen))  # then as the server asks
    assert [r.path for r in server.requests] == ["/v1/threads/thread_1/runs/run_1"] * 3
    assert server.requests[0].headers["openai-beta"] == "assistants=v2"


def test_without_a_hint_wait_backs_off_up_to_max_interval(server) -> None:
    seen = _script(server, ["in_progress"] * 5 + ["completed"])
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as client:
        start = time.monotonic()
        client.wait(_object("queued"), poll_interval=0.04, max_interval=0.1)
    gaps = [b - a for a, b in itertools.pairwise([start, *seen])]
    expected = [0.04, 0.06, 0.09, 0.1, 0.1, 0.1]
    assert len(gaps) == 6 and all(g >= e * 0.9 for g, e in zip(gaps, expected, strict=True)), gaps
    assert gaps[2] > gaps[0] * 1.5


def test_wait_stops_at_its_timeout_with_the_object_as_last_seen(play, server) -> None:
    _script(server, ["in_progress"])

    async def scenario(client: Any) -> None:
        start = time.monotonic()
        with pytest.raises(WaitTimeoutError) as caught:
            await maybe(client.wait(_object("queued"), timeout=0.3, poll_interval=0.05))
        took = time.monotonic() - start
        assert 0.29 <= took < 2.0
        assert caught.value.last["status"] == "in_progress" and isinstance(caught.value, TimeoutError)
        assert "still 'in_progress' after 0.3 s" in str(caught.value) and "client.cancel_run(...)" in str(caught.value)

    play(server.url, scenario)


def test_wait_is_cancellable(server) -> None:
    _script(server, ["in_progress"])
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as client:
        start = time.monotonic()
        with pytest.raises(WaitCancelledError) as caught:
            client.wait(_object("queued"), poll_interval=0.05, max_interval=5, cancel=cancel)
    assert time.monotonic() - start < 1.5 and caught.value.last["status"] in ("queued", "in_progress")

    async def by_task() -> None:
        async with AsyncOpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as client:
            task = asyncio.create_task(client.wait(_object("queued"), poll_interval=0.05))
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            event = asyncio.Event()
            asyncio.get_running_loop().call_later(0.2, event.set)
            with pytest.raises(WaitCancelledError):
                await client.wait(_object("queued"), poll_interval=0.05, max_interval=5, cancel=event)

    asyncio.run(by_task())


def test_until_names_the_statuses_to_stop_at(server) -> None:
    _script(server, ["in_progress", "requires_action", "completed"])
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as client:
        assert client.wait(_object("queued"), poll_interval=0.01)["status"] == "requires_action"  # final: act now
        assert client.wait(_object("queued"), poll_interval=0.01, until=["completed"])["status"] == "completed"


def test_what_wait_cannot_do_is_refused_before_polling(server) -> None:
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as client:
        with pytest.raises(ParameterError, match="timeout must be a number of seconds above 0"):
            client.wait(_object("queued"), timeout=0)
        with pytest.raises(ParameterError, match="poll_interval must be"):
            client.wait(_object("queued"), poll_interval=-1)
        with pytest.raises(ParameterError, match="has none to wait on"):
            client.wait({"id": "x", "object": "thread.run"})
        with pytest.raises(ParameterError, match="cannot tell which operation retrieves a 'gizmo'"):
            client.wait({"id": "g_1", "object": "gizmo", "status": "queued"})
        with pytest.raises(ParameterError, match="needs thread_id"):
            client.wait({"id": "run_1", "object": "thread.run", "status": "queued"})
        with pytest.raises(ParameterError, match="takes a result or an object"):
            client.wait(["queued"])
    assert server.requests == []
    _script(server, ["completed"])
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as client:  # told how to retrieve it
        done = client.wait(
            {"id": "run_1", "status": "queued"}, operation="getRun", thread_id="thread_1", poll_interval=0.01
        )
    assert done["status"] == "completed" and server.last.path == "/v1/threads/thread_1/runs/run_1"


# -- upload_and_poll ---------------------------------------------------------------------------------


def test_upload_and_poll_one_file_and_a_batch(tmp_path, mock) -> None:
    spec, url = mock
    paths = []
    for i in range(3):
        path = tmp_path / f"doc{i}.txt"
        path.write_bytes(b"text %d" % i)
        paths.append(path)
    with OpenAIClient(spec=spec, api_key=FAKE_KEY, base_url=url) as client:
        store = client.create_vector_store(name="docs").json()
        one = client.upload_and_poll(store["id"], paths[0], poll_interval=0.01)
        assert one["object"] == "vector_store.file" and one["status"] == "completed"
        batch = client.upload_and_poll(store["id"], [str(p) for p in paths[1:]], progress=False, max_concurrency=2)
        assert batch["object"] == "vector_store.files_batch" and batch["status"] == "completed"
        assert batch["file_counts"]["completed"] == 2
        listed = {f["id"]: f["status"] for f in client.paginate("listVectorStoreFiles", vector_store_id=store["id"])}
        assert len(listed) == 3 and set(listed.values()) == {"completed"}
        uploaded = {f["filename"] for f in client.paginate("listFiles") if f["id"] in listed}
        assert uploaded == {"doc0.txt", "doc1.txt", "doc2.txt"}
        with pytest.raises(ParameterError, match="no such file"):
            client.upload_and_poll(store["id"], [paths[0], tmp_path / "missing.txt"])
        with pytest.raises(ParameterError, match="a path, or a non-empty list of paths"):
            client.upload_and_poll(store["id"], [])


def test_upload_and_poll_on_the_async_client(tmp_path, mock) -> None:
    spec, url = mock
    paths = []
    for i in range(3):
        path = tmp_path / f"adoc{i}.txt"
        path.write_bytes(b"async text %d" % i)
        paths.append(path)

    async def main() -> None:
        async with AsyncOpenAIClient(spec=spec, api_key=FAKE_KEY, base_url=url) as client:
            store = (await client.create_vector_store(name="docs")).json()
            one = await client.upload_and_poll(store["id"], paths[0], poll_interval=0.01)
            assert one["object"] == "vector_store.file" and one["status"] == "completed"
            batch = await client.upload_and_poll(store["id"], paths[1:], progress=False, max_concurrency=2)
            assert batch["object"] == "vector_store.files_batch" and batch["status"] == "completed"
            assert batch["file_counts"]["completed"] == 2
            with pytest.raises(ParameterError, match="no such file"):
                await client.upload_and_poll(store["id"], [paths[0], tmp_path / "missing.txt"])

    asyncio.run(main())
