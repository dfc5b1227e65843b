"""The mock server: every operation of both specs through the project's client, and the rules.

Requests are made from each operation's own schemas (valid by construction, and checked by
the client's validator before sending); every 2xx JSON answer must validate against the
operation's response schema.
"""

from __future__ import annotations

import json

import pytest

from openapi_client_openai import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    OpenAIClient,
    RequestValidationError,
)
from openapi_client_openai._validation import Explainer
from openapi_client_openai.mock import MockServer
from openapi_client_openai.spec import Faker

from conftest import FAKE_KEY, SPEC_30, SPEC_31

WAV = b"RIFF\x00\x00\x00\x00WAVEfmt "


@pytest.fixture(scope="module", params=[SPEC_30, SPEC_31], ids=["spec3.0", "spec3.1"])
def lenient(request):
    with MockServer(spec=request.param, lenient_ids=True, seed=7) as url:
        yield request.param, url


@pytest.fixture(scope="module")
def strict():
    with MockServer(spec=SPEC_31, seed=3) as url:
        yield url


def _request_for(client: OpenAIClient, op_id: str, faker: Faker) -> tuple[dict, object]:
    """Path/query/header parameters and a body for an operation, made from its own schemas."""
    spec = client.spec
    schemas = spec.schemas()["ops"][op_id]
    op = client.operation(op_id)
    params = {}
    for name, location, required, schema in schemas["params"]:
        prm = op.by_kwarg.get(name) or op.by_kwarg.get(name[:-2])
        if location == "path":
            params[prm.kwarg] = f"{name}_1"
        elif required:
            params[prm.kwarg] = faker.value(schema, name)
    body = None
    validator = spec.validator(op_id)
    if "application/json" in schemas["body"]:
        body = faker.value(schemas["body"]["application/json"])
    elif "multipart/form-data" in schemas["body"]:
        form_schema = schemas["body"]["multipart/form-data"]
        required = set(Explainer(spec.schemas()["defs"], "").resolve(form_schema).get("required") or ())
        body = {k: v for k, v in faker.value(form_schema).items() if k in required}
        for name, kind in validator.file_fields(form_schema).items():
            if name in body:
                body[name] = WAV if kind != "many" else [WAV]
    elif schemas["body"]:
        body = "v=0\r\n"
    if isinstance(body, dict):
        body.pop("stream", None)
        body.pop("stream_format", None)
    return params, body


def _body_schema(client: OpenAIClient, op_id: str) -> dict:
    bodies = client.spec.schemas()["ops"][op_id]["body"]
    return bodies.get("application/json") or bodies.get("multipart/form-data") or {}


def test_every_operation_answers_as_the_spec_says(lenient) -> None:
    spec, url = lenient
    client = OpenAIClient(spec=spec, api_key=FAKE_KEY, admin_api_key=FAKE_KEY, base_url=url, max_retries=0)
    faker = Faker(client.spec.schemas()["defs"], seed=11)
    defs = client.spec.schemas()["defs"]
    failures = []
    for op_id in client.spec.operation_ids:
        params, body = _request_for(client, op_id, faker)
        if client.validate(op_id, body, **params) and isinstance(body, dict):
            # The made-up optional fields break a rule the maker does not know (`not`...):
            # the required fields alone must do.
            required = set(Explainer(defs, "").resolve(_body_schema(client, op_id)).get("required") or ())
            body = {k: v for k, v in body.items() if k in required}
        try:
            result = client.call(op_id, body, **params)
        except RequestValidationError as exc:
            failures.append(f"{op_id}: the made-up request is invalid: {exc.problems[:2]}")
            continue
        except Exception as exc:
            failures.append(f"{op_id}: {type(exc).__name__}: {exc}")
            continue
        if not 200 <= result.status_code < 300:
            failures.append(f"{op_id}: status {result.status_code}")
            continue
        answers = client.spec.schemas()["ops"][op_id]["responses"].get(str(result.status_code)) or {}
        if result.content_type.startswith("application/json") and "application/json" in answers:
            problems = Explainer(defs, "").check(answers["application/json"], result.json())
            if problems:
                failures.append(f"{op_id}: answer does not fit the spec: {[str(p) for p in problems[:2]]}")
        elif answers and not result.content_type.startswith("application/json"):
            assert result.content  # binary or text answers are not empty
    assert failures == [], "\n".join(failures)


CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello there"}]}


def _raw(url: str, method: str, path: str, **kw):
    import httpx

    return httpx.request(method, url + path, timeout=10, **kw)


def test_unknown_ids_are_404_in_openai_error_shape(strict) -> None:
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=strict)
    with pytest.raises(NotFoundError) as info:
        client.retrieveFile(file_id="file-nope")
    assert info.value.type == "invalid_request_error" and "file-nope" in info.value.message
    with pytest.raises(NotFoundError):
        client.listVectorStoreFiles(vector_store_id="vs_nope")
    with pytest.raises(NotFoundError):
        client.downloadFile(file_id="file-nope")


def test_created_objects_live_until_deleted_and_lists_paginate(strict) -> None:
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=strict)
    ids = [client.createVectorStore(body={"name": f"store {i}"}).json()["id"] for i in range(5)]
    assert all(i.startswith("vs_") for i in ids)
    got = client.getVectorStore(vector_store_id=ids[2]).json()
    assert got["id"] == ids[2] and got["name"] == "store 2"
    client.modifyVectorStore(vector_store_id=ids[2], body={"name": "renamed"})
    assert client.getVectorStore(vector_store_id=ids[2]).json()["name"] == "renamed"
    page = client.listVectorStores(limit=2, order="asc").json()
    assert [v["id"] for v in page["data"]] == ids[:2] and page["has_more"] is True
    assert (page["first_id"], page["last_id"]) == (ids[0], ids[1])
    page = client.listVectorStores(limit=2, order="asc", after=page["last_id"]).json()
    assert [v["id"] for v in page["data"]] == ids[2:4]
    deleted = client.deleteVectorStore(vector_store_id=ids[0]).json()
    assert deleted["id"] == ids[0] and deleted["deleted"] is True
    with pytest.raises(NotFoundError):
        client.getVectorStore(vector_store_id=ids[0])
    vs_file = client.createVectorStoreFile(vector_store_id=ids[1], body={"file_id": "file-abc"}).json()
    assert client.getVectorStoreFile(vector_store_id=ids[1], file_id=vs_file["id"]).json()["id"] == vs_file["id"]


def test_files_keep_their_bytes(strict) -> None:
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=strict)
    data = b'{"custom_id": "1", "method": "POST"}\n'
    made = client.createFile(body={"file": ("batch.jsonl", data), "purpose": "batch"}).json()
    assert made["id"].startswith("file-") and made["bytes"] == len(data) and made["filename"] == "batch.jsonl"
    assert client.downloadFile(file_id=made["id"]).content == data
    assert made["id"] in [f["id"] for f in client.listFiles().json()["data"]]


def test_invalid_bodies_are_400_and_missing_keys_401(strict) -> None:
    answer = _raw(strict, "POST", "/chat/completions", json={"model": "m"}, headers={"Authorization": "Bearer k"})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error" and "messages" in error["message"]
    answer = _raw(
        strict,
        "POST",
        "/chat/completions",
        content=b"{not json",
        headers={"Authorization": "Bearer k", "content-type": "application/json"},
    )
    assert answer.status_code == 400
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer"}):
        answer = _raw(strict, "GET", "/models", headers=headers)
        assert answer.status_code == 401 and answer.json()["error"]["type"] == "invalid_request_error"
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=strict, validate="off")
    with pytest.raises(BadRequestError, match="temperature"):
        client.createChatCompletion(body={**CHAT, "temperature": 9})
    with pytest.raises(AuthenticationError):
        _ = OpenAIClient(
            spec=SPEC_31, api_key="sk-x", base_url=strict, default_headers={"Authorization": "Basic x"}
        ).listModels()


def test_realistic_answers(strict) -> None:
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=strict)
    chat = client.createChatCompletion(body={**CHAT, "model": "gpt-4.1-mini", "n": 2}).json()
    assert chat["id"].startswith("chatcmpl-") and chat["model"] == "gpt-4.1-mini" and len(chat["choices"]) == 2
    usage = chat["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    tool = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
                "required": ["city", "days"],
            },
        },
    }
    forced = client.createChatCompletion(
        body={**CHAT, "tools": [tool], "tool_choice": {"type": "function", "function": {"name": "get_weather"}}}
    ).json()
    call = forced["choices"][0]["message"]["tool_calls"][0]
    args = json.loads(call["function"]["arguments"])
    assert call["function"]["name"] == "get_weather" and isinstance(args["city"], str) and args["days"] >= 1
    assert forced["choices"][0]["finish_reason"] == "tool_calls"
    emb = client.createEmbedding(
        body={"model": "text-embedding-3-small", "input": ["a", "b", "c"], "dimensions": 64}
    ).json()
    assert len(emb["data"]) == 3 and all(len(d["embedding"]) == 64 for d in emb["data"])
    image = client.createImage(body={"prompt": "a cat", "n": 1}).json()
    import base64

    assert base64.b64decode(image["data"][0]["b64_json"]).startswith(b"\x89PNG\r\n\x1a\n")
    wav = client.createSpeech(body={"model": "tts-1", "input": "hi", "voice": "alloy", "response_format": "wav"})
    import io
    import wave

    with wave.open(io.BytesIO(wav.content)) as audio:
        assert audio.getnframes() > 0
    mp3 = client.createSpeech(body={"model": "tts-1", "input": "hi", "voice": "alloy"})
    assert mp3.content_type == "audio/mpeg" and mp3.content[:2] == b"\xff\xfb"
    text = client.createTranscription(body={"file": WAV, "model": "whisper-1", "response_format": "text"})
    assert text.text.strip()
    assert client.listModels().json()["data"][0]["object"] == "model"


def test_seed_makes_answers_repeatable() -> None:
    answers = []
    for _ in range(2):
        with MockServer(spec=SPEC_31, seed=42) as url:
            client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=url)
            answers.append(client.createChatCompletion(body=CHAT).json())
    assert answers[0] == answers[1]


@pytest.mark.parametrize("op_id", ["createChatCompletion", "createCompletion", "createResponse", "createTranscription"])
def test_streams_are_real_event_sequences_valid_for_the_spec(strict, op_id: str) -> None:
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=strict)
    body = {
        "createChatCompletion": {**CHAT, "stream": True, "stream_options": {"include_usage": True}},
        "createCompletion": {"model": "gpt-3.5-turbo-instruct", "prompt": "Once", "stream": True},
        "createResponse": {"model": "gpt-4.1", "input": "Hi", "stream": True},
        "createTranscription": {"file": WAV, "model": "gpt-4o-transcribe", "stream": True},
    }[op_id]
    defs = client.spec.schemas()["defs"]
    event_schema = client.spec.schemas()["ops"][op_id]["responses"]["200"].get("text/event-stream")
    with client.call(op_id, body) as stream:
        items = list(stream)
        final = stream.final()
        text = stream.text()
    assert len(items) > 3 and text.strip() and final is not None
    if event_schema:
        for item in items:
            assert Explainer(defs, "").check(event_schema, dict(item)) == [], item
    if op_id == "createChatCompletion":
        assert final["usage"]["total_tokens"] > 0 and final["choices"][0]["finish_reason"] == "stop"
    if op_id == "createResponse":
        assert [i.event for i in items][:2] == ["response.created", "response.in_progress"]
        assert items[-1].event == "response.completed" and final["status"] == "completed"


def test_stream_pacing() -> None:
    import time

    with MockServer(spec=SPEC_31, stream_delay_ms=20, first_event_delay_ms=200) as url:
        client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=url)
        start = time.monotonic()
        with client.createChatCompletion(body={**CHAT, "stream": True}) as stream:
            first = next(iter(stream))
            first_at = time.monotonic() - start
            count = 1 + sum(1 for _ in stream)
        total = time.monotonic() - start
    assert first and first_at >= 0.19
    assert total >= 0.2 + 0.02 * (count - 1) * 0.8


def test_the_official_sdk_works_against_the_mock(strict, tmp_path) -> None:
    import openai

    sdk = openai.OpenAI(api_key="sk-test", base_url=strict, max_retries=0)
    chat = sdk.chat.completions.create(**CHAT)
    assert chat.choices[0].message.content
    pieces = [c.choices[0].delta.content or "" for c in sdk.chat.completions.create(**CHAT, stream=True) if c.choices]
    assert "".join(pieces).strip()
    tool = {
        "type": "function",
        "function": {
            "name": "lookup",
            "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
        },
    }
    tooled = sdk.chat.completions.create(
        **CHAT, tools=[tool], tool_choice={"type": "function", "function": {"name": "lookup"}}
    )
    assert json.loads(tooled.choices[0].message.tool_calls[0].function.arguments)["q"]
    response = sdk.responses.create(model="gpt-4.1", input="Hi")
    assert response.output_text
    streamed = [e.type for e in sdk.responses.create(model="gpt-4.1", input="Hi", stream=True)]
    assert streamed[0] == "response.created" and streamed[-1] == "response.completed"
    assert len(sdk.embeddings.create(model="text-embedding-3-small", input="x", dimensions=16).data[0].embedding) == 16
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b'{"custom_id": "a"}\n')
    uploaded = sdk.files.create(file=path, purpose="batch")
    assert sdk.files.retrieve(uploaded.id).id == uploaded.id
    assert uploaded.id in [f.id for f in sdk.files.list()]
    assert sdk.files.content(uploaded.id).content == path.read_bytes()
    assert sdk.files.delete(uploaded.id).deleted
    speech = sdk.audio.speech.create(model="tts-1", voice="alloy", input="hi")
    assert speech.content[:2] == b"\xff\xfb"
    audio_path = tmp_path / "a.wav"
    audio_path.write_bytes(WAV)
    assert sdk.audio.transcriptions.create(model="whisper-1", file=audio_path).text
    assert sdk.images.generate(prompt="a cat", model="gpt-image-1").data[0].b64_json
    assert [m.id for m in sdk.models.list()]
    assert sdk.moderations.create(input="hello").results[0].flagged is False
    with pytest.raises(openai.BadRequestError):
        sdk.chat.completions.create(model="m", messages="not a list")


@pytest.fixture(scope="module")
def faulty():
    with MockServer(spec=SPEC_31, seed=5) as url:
        yield url


def test_faults_on_demand(faulty, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from openapi_client_openai import APIConnectionError, APITimeoutError, InternalServerError, RateLimitError

    monkeypatch.setattr("openapi_client_openai._retry.INITIAL_DELAY", 0.01)
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=faulty, max_retries=0, timeout=1)
    with pytest.raises(RateLimitError) as info:
        client.listModels(extra_headers={"x-mock-fault": "429", "x-mock-retry-after": "2"})
    assert info.value.response.headers["retry-after"] == "2"
    assert info.value.response.rate_limits.remaining_requests == 0
    for status in ("500", "503"):
        with pytest.raises(InternalServerError):
            client.listModels(extra_headers={"x-mock-fault": status})
    with pytest.raises(APIConnectionError):
        client.createChatCompletion(body=CHAT, extra_headers={"x-mock-fault": "reset"})
    with (
        pytest.raises(APIConnectionError),
        client.createChatCompletion(body={**CHAT, "stream": True}, extra_headers={"x-mock-fault": "cut"}) as stream,
    ):
        list(stream)
    start = time.monotonic()
    with (
        pytest.raises(APITimeoutError),
        client.createChatCompletion(
            body={**CHAT, "stream": True}, extra_headers={"x-mock-fault": "stall", "x-mock-stall-ms": "5000"}
        ) as stream,
    ):
        list(stream)
    assert time.monotonic() - start < 3


def test_fault_rates() -> None:
    from openapi_client_openai import RateLimitError

    with MockServer(spec=SPEC_31, seed=1, faults={"429": 0.5}) as url:
        client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=url, max_retries=0)
        outcomes = []
        for _ in range(40):
            try:
                client.listModels()
                outcomes.append("ok")
            except RateLimitError:
                outcomes.append("429")
    assert 8 <= outcomes.count("429") <= 32
    with pytest.raises(ValueError, match="unknown fault"):
        MockServer(spec=SPEC_31, faults={"404": 1})


def test_a_batch_moves_through_its_statuses_and_writes_its_output(strict) -> None:
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=strict)
    lines = [
        {
            "custom_id": f"r{i}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {**CHAT, "messages": [{"role": "user", "content": f"question {i}"}]},
        }
        for i in range(3)
    ]
    lines.append({"custom_id": "broken", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "m"}})
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    upload = client.createFile(body={"file": ("in.jsonl", data), "purpose": "batch"}).json()
    batch = client.createBatch(
        body={"input_file_id": upload["id"], "endpoint": "/v1/chat/completions", "completion_window": "24h"}
    ).json()
    assert batch["id"].startswith("batch_") and batch["status"] == "validating"
    assert batch["request_counts"]["total"] == 4
    seen = [batch["status"]]
    defs = client.spec.schemas()["defs"]
    while batch["status"] != "completed":
        batch = client.retrieveBatch(batch_id=batch["id"]).json()
        seen.append(batch["status"])
        assert Explainer(defs, "").check({"$ref": "#/$defs/Batch"}, batch) == []
    assert seen == ["validating", "in_progress", "finalizing", "completed"]
    assert batch["request_counts"] == {"total": 4, "completed": 3, "failed": 1}
    output = [json.loads(line) for line in client.downloadFile(file_id=batch["output_file_id"]).content.splitlines()]
    assert [o["custom_id"] for o in output] == ["r0", "r1", "r2", "broken"]
    assert [o["response"]["status_code"] for o in output] == [200, 200, 200, 400]
    assert output[0]["response"]["body"]["object"] == "chat.completion" and output[0]["id"].startswith("batch_req_")
    cancelled = client.createBatch(
        body={"input_file_id": upload["id"], "endpoint": "/v1/chat/completions", "completion_window": "24h"}
    ).json()
    assert client.cancelBatch(batch_id=cancelled["id"]).json()["status"] == "cancelling"
    assert client.retrieveBatch(batch_id=cancelled["id"]).json()["status"] == "cancelled"


def test_pytest_fixture(openai_mock) -> None:
    client = OpenAIClient(api_key=FAKE_KEY, base_url=openai_mock)
    assert client.listModels().status_code == 200


@pytest.mark.parametrize("op_id", ["createRun", "createThreadAndRun", "submitToolOuputsToRun"])
def test_assistants_runs_stream(op_id: str) -> None:
    with MockServer(spec=SPEC_31, lenient_ids=True) as url:
        client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=url)
        defs = client.spec.schemas()["defs"]
        params = {
            "createRun": {"thread_id": "thread_1"},
            "createThreadAndRun": {},
            "submitToolOuputsToRun": {"thread_id": "thread_1", "run_id": "run_1"},
        }[op_id]
        body = {
            "createRun": {"assistant_id": "asst_1"},
            "createThreadAndRun": {"assistant_id": "asst_1"},
            "submitToolOuputsToRun": {"tool_outputs": [{"tool_call_id": "call_1", "output": "42"}]},
        }[op_id]
        with client.call(op_id, {**body, "stream": True}, **params) as stream:
            items = list(stream)
            final = stream.final()
            text = stream.text()
    kinds = {
        "thread.run": "RunObject",
        "thread.message": "MessageObject",
        "thread.run.step": "RunStepObject",
        "thread.message.delta": "MessageDeltaObject",
    }
    for item in items:
        problems = Explainer(defs, "").check({"$ref": "#/$defs/" + kinds[item["object"]]}, dict(item))
        assert problems == [], (item.event, problems)
    assert items[0].event == "thread.run.created" and items[-1].event == "thread.run.completed"
    assert final["status"] == "completed" and final["messages"][0]["content"][0]["text"]["value"] == text


def test_uploads_assemble_their_parts_into_a_file(strict) -> None:
    import hashlib

    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=strict)
    pieces = [b"a" * 1000, b"b" * 1000, b"c" * 500]
    upload = client.createUpload(
        body={"filename": "big.jsonl", "purpose": "batch", "bytes": 2500, "mime_type": "text/jsonl"}
    ).json()
    parts = [client.addUploadPart(upload_id=upload["id"], body={"data": piece}).json()["id"] for piece in pieces]
    done = client.completeUpload(
        upload_id=upload["id"], body={"part_ids": parts, "md5": hashlib.md5(b"".join(pieces)).hexdigest()}
    ).json()
    assert done["status"] == "completed" and done["file"]["bytes"] == 2500
    assert client.downloadFile(file_id=done["file"]["id"]).content == b"".join(pieces)
    other = client.createUpload(body={"filename": "x", "purpose": "batch", "bytes": 1, "mime_type": "text/plain"})
    part = client.addUploadPart(upload_id=other.json()["id"], body={"data": b"z"}).json()["id"]
    with pytest.raises(BadRequestError, match="md5"):
        client.completeUpload(upload_id=other.json()["id"], body={"part_ids": [part], "md5": "0" * 32})


def test_stored_chat_completions_can_be_retrieved(strict) -> None:
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=strict)
    made = client.createChatCompletion(body={**CHAT, "store": True}).json()
    assert client.getChatCompletion(completion_id=made["id"]).json()["id"] == made["id"]
    assert made["id"] in [c["id"] for c in client.listChatCompletions().json()["data"]]


@pytest.mark.parametrize(("op_id", "kind"), [("createImage", "image_generation"), ("createImageEdit", "image_edit")])
def test_image_streams(strict, op_id: str, kind: str) -> None:
    import base64

    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=strict)
    defs = client.spec.schemas()["defs"]
    body = {"prompt": "a cat", "model": "gpt-image-1", "stream": True, "partial_images": 2}
    if op_id == "createImageEdit":
        body["image"] = b"\x89PNG\r\n\x1a\n" + b"0" * 10  # a file: the body goes as multipart
    with client.call(op_id, body) as stream:
        items = list(stream)
    schema = client.spec.schemas()["ops"][op_id]["responses"]["200"]["text/event-stream"]
    assert [i["type"] for i in items] == [f"{kind}.partial_image"] * 2 + [f"{kind}.completed"]
    for item in items:
        assert Explainer(defs, "").check(schema, dict(item)) == []
    assert base64.b64decode(items[-1]["b64_json"]).startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("fmt", "ctype"),
    [
        ("mp3", "audio/mpeg"),
        ("wav", "audio/wav"),
        ("flac", "audio/flac"),
        ("opus", "audio/ogg"),
        ("aac", "audio/aac"),
        ("pcm", "audio/pcm"),
    ],
)
def test_speech_is_playable_in_the_requested_format(strict, fmt: str, ctype: str) -> None:
    import io

    import soundfile

    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=strict)
    answer = client.createSpeech(body={"model": "tts-1", "input": "hi", "voice": "alloy", "response_format": fmt})
    assert answer.content_type == ctype
    if fmt == "pcm":  # raw 16-bit samples at 24 kHz
        assert len(answer.content) % 2 == 0 and len(answer.content) > 2000
    elif fmt == "aac":  # libsndfile has no AAC decoder; FFmpeg's (through PyAV) decodes it
        import av

        with av.open(io.BytesIO(answer.content), format="aac") as container:
            assert sum(frame.samples for frame in container.decode(audio=0)) > 1000
    else:
        samples, rate = soundfile.read(io.BytesIO(answer.content))
        assert len(samples) > 1000 and rate > 0


def test_speech_as_server_sent_events(strict) -> None:
    import base64

    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=strict)
    defs = client.spec.schemas()["defs"]
    with client.createSpeech(
        body={"model": "gpt-4o-mini-tts", "input": "hi there", "voice": "alloy", "stream_format": "sse"}
    ) as stream:
        items = list(stream)
    schema = {"$ref": "#/$defs/CreateSpeechResponseStreamEvent"}
    assert all(Explainer(defs, "").check(schema, dict(i)) == [] for i in items)
    assert items[-1]["type"] == "speech.audio.done" and items[-1]["usage"]["input_tokens"] == 2
    audio = b"".join(base64.b64decode(i["audio"]) for i in items[:-1])
    assert len(audio) > 1000


@pytest.fixture(scope="module", params=[SPEC_30, SPEC_31], ids=["spec3.0", "spec3.1"])
def strict_any(request):
    with MockServer(spec=request.param, seed=9) as url:
        yield request.param, url


def test_every_operation_with_an_id_is_404_for_an_unknown_one(strict_any) -> None:
    spec, url = strict_any
    client = OpenAIClient(spec=spec, api_key=FAKE_KEY, admin_api_key=FAKE_KEY, base_url=url, max_retries=0)
    faker = Faker(client.spec.schemas()["defs"], seed=13)
    wrong = []
    for op_id in client.spec.operation_ids:
        op = client.operation(op_id)
        if not op.path_params:
            continue
        params, body = _request_for(client, op_id, faker)
        params = {k: f"unknown_{k}" if any(p.kwarg == k for p in op.path_params) else v for k, v in params.items()}
        try:
            client.call(op_id, body, **params)
            wrong.append(f"{op_id}: answered for unknown ids {params}")
        except NotFoundError as exc:
            assert exc.type == "invalid_request_error"
        except Exception as exc:
            wrong.append(f"{op_id}: {type(exc).__name__}: {exc}")
    assert wrong == [], "\n".join(wrong)
    assert client.retrieveModel(model="gpt-4o-mini").json()["id"] == "gpt-4o-mini"


def test_multipart_form_text_becomes_the_schema_types(strict) -> None:
    import httpx

    files = {"file": ("a.wav", WAV, "audio/wav")}
    form = [
        ("model", "whisper-1"),
        ("temperature", "0.2"),
        ("response_format", "verbose_json"),
        ("timestamp_granularities[]", "word"),
        ("timestamp_granularities[]", "segment"),
        ("chunking_strategy[type]", "server_vad"),
        ("stream", "false"),
    ]
    answer = httpx.post(
        strict + "/audio/transcriptions",
        data=dict(form[:3])
        | {
            "timestamp_granularities[]": ["word", "segment"],
            "chunking_strategy[type]": "server_vad",
            "stream": "false",
        },
        files=files,
        headers={"Authorization": "Bearer k"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["task"] == "transcribe"
    bad = httpx.post(
        strict + "/audio/transcriptions",
        data={"model": "whisper-1", "temperature": "hot"},
        files=files,
        headers={"Authorization": "Bearer k"},
    )
    assert bad.status_code == 400 and "temperature" in bad.json()["error"]["message"]


@pytest.mark.filterwarnings("ignore:.*[Dd]eprecated:DeprecationWarning")
def test_official_sdk_helpers_structured_outputs_and_pollers(strict) -> None:
    import openai
    import pydantic

    class Person(pydantic.BaseModel):
        name: str
        age: int
        tags: list[str]

    sdk = openai.OpenAI(api_key="sk-test", base_url=strict, max_retries=0)
    parsed = sdk.chat.completions.parse(model="gpt-4o-mini", messages=CHAT["messages"], response_format=Person)
    assert isinstance(parsed.choices[0].message.parsed, Person)
    with sdk.chat.completions.stream(model="gpt-4o-mini", messages=CHAT["messages"], response_format=Person) as s:
        assert isinstance(s.get_final_completion().choices[0].message.parsed, Person)
    as_json = sdk.chat.completions.create(**CHAT, response_format={"type": "json_object"})
    assert isinstance(json.loads(as_json.choices[0].message.content), dict)
    answer = sdk.responses.parse(model="gpt-4.1", input="Hi", text_format=Person)
    assert isinstance(answer.output_parsed, Person)
    store = sdk.vector_stores.create(name="docs")
    upload = sdk.files.create(file=("a.txt", b"hello"), purpose="assistants")
    attached = sdk.vector_stores.files.create_and_poll(vector_store_id=store.id, file_id=upload.id)
    assert attached.id == upload.id and attached.status == "completed"
    batch = sdk.vector_stores.file_batches.create_and_poll(vector_store_id=store.id, file_ids=[upload.id])
    assert batch.file_counts.completed == 1 and batch.status == "completed"
    assert [f.id for f in sdk.vector_stores.files.list(vector_store_id=store.id)] == [upload.id]
    assistant = sdk.beta.assistants.create(model="gpt-4o")
    run = sdk.beta.threads.create_and_run_poll(assistant_id=assistant.id)
    assert run.status == "completed"
    assert sdk.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id).id == run.id


def test_streamed_objects_are_stored_like_plain_ones(strict) -> None:
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=strict)
    with client.createChatCompletion(body={**CHAT, "stream": True, "store": True}) as stream:
        chat_id = stream.final()["id"]
    assert client.getChatCompletion(completion_id=chat_id).json()["id"] == chat_id
    with client.createResponse(body={"model": "gpt-4.1", "input": "Hi", "stream": True}) as stream:
        response_id = stream.final()["id"]
    assert client.getResponse(response_id=response_id).json()["id"] == response_id
    unstored = client.createResponse(body={"model": "gpt-4.1", "input": "Hi", "store": False}).json()
    with pytest.raises(NotFoundError):
        client.getResponse(response_id=unstored["id"])


def test_function_calls_in_the_responses_api(strict) -> None:
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=strict)
    tool = {
        "type": "function",
        "name": "lookup",
        "parameters": {
            "type": "object",
            "properties": {"q": {"type": "string"}, "n": {"oneOf": [{"type": "integer"}, {"type": "null"}]}},
            "required": ["q", "n"],
            "additionalProperties": False,
        },
        "strict": True,
    }
    body = {"model": "gpt-4.1", "input": "Find", "tools": [tool], "tool_choice": {"type": "function", "name": "lookup"}}
    done = client.createResponse(body=body).json()
    call = done["output"][0]
    assert call["type"] == "function_call" and set(json.loads(call["arguments"])) == {"q", "n"}
    with client.createResponse(body={**body, "stream": True}) as stream:
        kinds = [e.event for e in stream]
    assert "response.function_call_arguments.delta" in kinds and kinds[-1] == "response.completed"


def test_concurrent_streams_keep_their_own_ids() -> None:
    import threading

    with MockServer(spec=SPEC_31, lenient_ids=True, first_event_delay_ms=300) as url:
        client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=url)
        seen = {}

        def run_on(thread_id: str) -> None:
            with client.createRun(thread_id=thread_id, body={"assistant_id": "asst_1", "stream": True}) as s:
                seen[thread_id] = {e.get("thread_id") for e in s if e.get("thread_id")}

        workers = [threading.Thread(target=run_on, args=(t,)) for t in ("thread_A", "thread_B")]
        for worker in workers:
            worker.start()
        client.getThread(thread_id="thread_C")
        for worker in workers:
            worker.join()
    assert seen == {"thread_A": {"thread_A"}, "thread_B": {"thread_B"}}


def test_bad_multipart_unknown_fault_and_lenient_lists(strict) -> None:
    import httpx

    broken = httpx.post(
        strict + "/files",
        content=b"--x\r\nnot a part",
        headers={"Authorization": "Bearer k", "content-type": "multipart/form-data; boundary=x"},
    )
    assert broken.status_code == 400 and broken.json()["error"]["type"] == "invalid_request_error"
    assert "x-ratelimit-remaining-requests" in broken.headers
    odd = httpx.get(strict + "/models", headers={"Authorization": "Bearer k", "x-mock-fault": "418"})
    assert odd.status_code == 400 and "x-mock-fault" in odd.json()["error"]["message"]
    with MockServer(spec=SPEC_31, lenient_ids=True) as url:
        client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=url)
        client.listVectorStoreFiles(vector_store_id="vs_made_up")
        listed = client.listVectorStores().json()
        defs = client.spec.schemas()["defs"]
        assert Explainer(defs, "").check({"$ref": "#/$defs/ListVectorStoresResponse"}, listed) == []
        cancelled = client.cancelBatch(batch_id="batch_made_up").json()
        assert cancelled["id"] == "batch_made_up"


def test_pagination_before(strict) -> None:
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=strict)
    ids = [client.createAssistant(body={"model": "gpt-4o"}).json()["id"] for _ in range(5)]
    page = client.listAssistants(order="asc", before=ids[4], limit=2).json()
    assert [a["id"] for a in page["data"]] == ids[2:4]


def test_stop_does_not_wait_for_a_stalled_stream() -> None:
    import threading
    import time

    server = MockServer(spec=SPEC_31)
    url = server.start()
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=url, max_retries=0, timeout=30)

    def stalled() -> None:
        try:
            stall = {"x-mock-fault": "stall"}
            with client.createChatCompletion(body={**CHAT, "stream": True}, extra_headers=stall) as s:
                list(s)
        except Exception:
            pass

    worker = threading.Thread(target=stalled, daemon=True)
    worker.start()
    time.sleep(0.3)
    start = time.monotonic()
    server.stop()
    assert time.monotonic() - start < 5


def test_conversation_items_messages_and_actions_keep_state(strict) -> None:
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=strict)
    conversation = client.createConversation(body={}).json()
    added = client.createConversationItems(
        conversation_id=conversation["id"], body={"items": [{"type": "message", "role": "user", "content": "hello"}]}
    ).json()
    item_id = added["data"][0]["id"]
    got = client.getConversationItem(conversation_id=conversation["id"], item_id=item_id).json()
    assert got["role"] == "user" and got["content"][0]["text"] == "hello"
    assert [i["id"] for i in client.listConversationItems(conversation_id=conversation["id"]).json()["data"]] == [
        item_id
    ]
    thread = client.createThread(body={}).json()
    message = client.createMessage(thread_id=thread["id"], body={"role": "user", "content": "hi there"}).json()
    assert message["content"][0]["text"]["value"] == "hi there" and message["role"] == "user"
    job = client.createFineTuningJob(body={"model": "gpt-4o-mini", "training_file": "file-abc"}).json()
    assert client.cancelFineTuningJob(fine_tuning_job_id=job["id"]).json()["status"] == "cancelled"
    assert client.retrieveFineTuningJob(fine_tuning_job_id=job["id"]).json()["status"] == "cancelled"
    with pytest.raises(BadRequestError, match="No such File object"):
        client.createBatch(
            body={"input_file_id": "file-nope", "endpoint": "/v1/chat/completions", "completion_window": "24h"}
        )


def _raw_post(base_url: str, path: str, body: bytes, content_type: str) -> tuple[int, dict, dict]:
    """POST bytes as they are (no client checks them first), over a real connection."""
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        headers = {"Authorization": "Bearer k", "Content-Type": content_type}
        conn.request("POST", url.path + path, body=body, headers=headers)
        answer = conn.getresponse()
        return answer.status, dict(answer.getheaders()), json.loads(answer.read())
    finally:
        conn.close()


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # deeper than Python's recursion limit: the parser itself gives up
        b'{"model": "gpt-4o", "messages": ' + b"[" * 600 + b"]" * 600 + b"}",  # parses, but too deep to take
        b'{"a": ' * 513 + b"1" + b"}" * 513,
    ],
    ids=["100000-deep-array", "600-deep-field", "513-deep-object"],
)
def test_deeply_nested_json_is_a_400_in_openai_shape_never_a_500(strict, body: bytes) -> None:
    status, headers, answer = _raw_post(strict, "/chat/completions", body, "application/json")
    assert status == 400, answer
    error = answer["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"] == "We could not parse the JSON body of your request: it is nested deeper than 512 levels"
    assert "x-request-id" in headers


def test_json_just_within_the_depth_limit_is_read(strict) -> None:
    body = b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], "metadata": ' + b"[" * 510
    body += b"]" * 510 + b"}"
    status, _, answer = _raw_post(strict, "/chat/completions", body, "application/json")
    assert status == 400  # read, then refused by validation: metadata is a map of strings
    assert answer["error"]["message"] == "Invalid request: metadata: expected object or null, got array"


def test_deep_json_in_a_form_field_or_a_batch_line_is_refused_too(strict) -> None:
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=strict)
    deep = "[" * 100_000 + "]" * 100_000
    boundary = "b0undary"
    form = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jsonl"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n{deep}\n\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="expires_after"\r\n\r\n{deep}\r\n--{boundary}--\r\n'
    )
    status, _, answer = _raw_post(strict, "/files", form.encode(), f"multipart/form-data; boundary={boundary}")
    assert status == 400 and "nested deeper than 512 levels" in answer["error"]["message"], answer
    # the same line as a file of batch input: its output says so, line by line
    lines = deep.encode() + b"\n" + b"[5]\n"
    file_id = client.createFile(body={"file": ("in.jsonl", lines), "purpose": "batch"}).json()["id"]
    batch = client.createBatch(
        body={"input_file_id": file_id, "endpoint": "/v1/chat/completions", "completion_window": "24h"}
    ).json()
    while batch["status"] not in ("completed", "failed"):
        batch = client.retrieveBatch(batch_id=batch["id"]).json()
    assert batch["status"] == "completed" and batch["request_counts"]["failed"] == 2
    errors = [
        json.loads(line)["error"] for line in client.downloadFile(file_id=batch["error_file_id"]).content.splitlines()
    ]
    assert errors == [
        {"code": "invalid_json_line", "message": "This line is nested too deeply to be read."},
        {"code": "invalid_json_line", "message": "This line is not a JSON object."},
    ]


def test_every_refusal_and_failure_is_answered_in_one_shape() -> None:
    server = MockServer(spec=SPEC_31)

    def broken(app, call):
        raise KeyError("no such thing")

    server.app.route("GET", "/models", {})[0].answer = broken
    with server as url:
        import httpx

        failed = httpx.get(url + "/models", headers={"Authorization": "Bearer k"})
        assert failed.status_code == 500
        assert failed.json()["error"] == {
            "message": "the mock failed: KeyError: 'no such thing'",
            "type": "server_error",
            "param": None,
            "code": None,
        }
        stalled = httpx.get(
            url + "/files", headers={"Authorization": "Bearer k", "x-mock-fault": "stall", "x-mock-stall-ms": "soon"}
        )
        assert stalled.status_code == 400 and stalled.json()["error"]["param"] == "x-mock-stall-ms"
        limited = httpx.get(url + "/files", headers={"Authorization": "Bearer k", "x-mock-fault": "429"})
        assert limited.status_code == 429 and limited.headers["retry-after"] == "0.2"
        assert limited.json()["error"]["code"] == "rate_limit_exceeded"
        assert "x-request-id" in limited.headers


def test_routes_are_a_list_made_from_the_index_router(strict) -> None:
    from openapi_client_openai.mock import create_app

    app = create_app(SPEC_31)
    assert [r.op.id for r in app.routes] == [r.op_id for r in app.index.router.routes]
    route, params = app.route("GET", "/responses/resp_1", {"beta": "true"})
    assert (route.op.id, params) == ("beta_getResponse", {"response_id": "resp_1"})
    assert app.route("GET", "/responses/resp_1", {})[0].op.id == "getResponse"
