"""The mock sends webhooks: every event of the 3.1 spec, signed, retried with back-off and recorded,
verified on arrival by our code and by the official SDK; and the ``webhooks`` commands."""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
import standardwebhooks

from openapi_client_openai import AsyncOpenAIClient, OpenAIClient, WebhookValidationError, webhooks
from openapi_client_openai.cli import main
from openapi_client_openai.mock import MockServer

from conftest import FAKE_KEY, SPEC_30, SPEC_31, RecordingServer, Reply

SECRET = "whsec_" + base64.b64encode(b"mock webhook key, 32 bytes long!").decode()
BATCH_LINE = (
    b'{"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", '
    b'"body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}}\n'
)


@pytest.fixture(scope="module")
def receiver() -> Iterator[RecordingServer]:
    srv = RecordingServer()
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def mock(receiver: RecordingServer) -> Iterator[MockServer]:
    server = MockServer(
        spec=SPEC_31, webhook_url=f"http://127.0.0.1:{receiver.port}/hooks", webhook_secret=SECRET, webhook_backoff_ms=5
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def client(mock: MockServer, receiver: RecordingServer) -> Iterator[OpenAIClient]:
    receiver.reset()
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=mock.base_url) as c:
        yield c


def arrived(receiver: RecordingServer, count: int, timeout: float = 5.0) -> list[Any]:
    """The first ``count`` deliveries to the receiver, waiting for them to arrive."""
    deadline = time.monotonic() + timeout
    while len(receiver.requests) < count and time.monotonic() < deadline:
        time.sleep(0.005)
    assert len(receiver.requests) >= count, f"{len(receiver.requests)} of {count} webhooks arrived"
    return receiver.requests[:count]


def finish(client: OpenAIClient, obj: dict) -> dict:
    return client.wait(obj, poll_interval=0.005, timeout=10)


def control(mock: MockServer, method: str, body: Any = None) -> httpx.Response:
    return httpx.request(method, f"http://127.0.0.1:{mock.port}/_mock/webhooks", json=body)


def every_event(client: OpenAIClient, mock: MockServer) -> dict[str, str]:
    """Make the mock send each of its 16 events, the way each happens; return type -> object id."""
    sent: dict[str, str] = {}
    failing = {"x-mock-outcome": "failed"}
    file_id = client.create_file(body={"file": ("in.jsonl", BATCH_LINE), "purpose": "batch"}).json()["id"]
    batch = {"input_file_id": file_id, "endpoint": "/v1/chat/completions", "completion_window": "24h"}
    for outcome in ("completed", "failed", "expired", "cancelled"):
        headers = {"x-mock-outcome": outcome} if outcome in ("failed", "expired") else None
        made = client.create_batch(**batch, extra_headers=headers).json()
        if outcome == "cancelled":
            client.cancel_batch(batch_id=made["id"])
        assert finish(client, made)["status"] == outcome
        sent[f"batch.{outcome}"] = made["id"]
    ask = {"model": "gpt-4o-mini", "input": "hi", "background": True}
    for outcome, headers in (("completed", None), ("incomplete", {"x-mock-finish": "length"}), ("failed", failing)):
        made = client.create_response(**ask, extra_headers=headers).json()
        assert made["status"] == "queued"
        assert finish(client, made)["status"] == outcome
        sent[f"response.{outcome}"] = made["id"]
    made = client.create_response(**ask).json()
    assert client.cancel_response(response_id=made["id"]).json()["status"] == "cancelled"
    sent["response.cancelled"] = made["id"]
    for outcome, headers in (("succeeded", None), ("failed", failing)):
        made = client.create_fine_tuning_job(model="gpt-4o-mini", training_file=file_id, extra_headers=headers).json()
        assert finish(client, made)["status"] == outcome
        sent[f"fine_tuning.job.{outcome}"] = made["id"]
    made = client.create_fine_tuning_job(model="gpt-4o-mini", training_file=file_id).json()
    assert client.cancel_fine_tuning_job(fine_tuning_job_id=made["id"]).json()["status"] == "cancelled"
    sent["fine_tuning.job.cancelled"] = made["id"]
    ev = client.create_eval(
        data_source_config={"type": "custom", "item_schema": {"type": "object"}}, testing_criteria=[]
    )
    eval_id = ev.json()["id"]
    source = {"type": "jsonl", "source": {"type": "file_id", "id": file_id}}
    for outcome, headers in (("succeeded", None), ("failed", failing)):
        made = client.create_eval_run(eval_id=eval_id, data_source=source, extra_headers=headers).json()
        assert finish(client, made)["status"] in ("completed", "failed")
        sent[f"eval.run.{outcome}"] = made["id"]
    made = client.create_eval_run(eval_id=eval_id, data_source=source).json()
    assert client.cancel_eval_run(eval_id=eval_id, run_id=made["id"]).json()["status"] == "canceled"
    sent["eval.run.canceled"] = made["id"]
    for name in ("realtime.call.incoming", "live.call.incoming"):  # no API call of the mock starts a SIP call
        answer = control(mock, "POST", {"type": name})
        assert answer.status_code == 200, answer.text
        sent[name] = answer.json()["event"]["id"]
    return sent


def test_every_event_of_the_31_spec_round_trips(client: OpenAIClient, mock: MockServer, receiver: RecordingServer):
    sent = every_event(client, mock)
    assert set(sent) == set(client.spec.webhook_events()) and len(sent) == 16
    deliveries = arrived(receiver, 16)
    sdk = openai.OpenAI(api_key=FAKE_KEY, webhook_secret=SECRET, base_url=mock.base_url)
    seen = {}
    for delivery in deliveries:
        assert delivery.method == "POST" and delivery.path == "/hooks"
        assert delivery.headers["content-type"] == "application/json"
        event = client.webhooks.unwrap(delivery.body, delivery.headers, SECRET)  # verifies, parses, validates
        problems = client.spec.webhook_validator(event["type"]).check(event, {}, "application/json")
        assert problems == [], (event["type"], problems)
        official = sdk.webhooks.unwrap(delivery.body, delivery.headers)
        assert official.type == event["type"] and official.id == event["id"]
        assert standardwebhooks.Webhook(SECRET).verify(delivery.body, delivery.headers) == event
        seen[event["type"]] = event
    assert set(seen) == set(sent)
    for name, object_id in sent.items():
        if not name.endswith("call.incoming"):
            assert seen[name]["data"]["id"] == object_id, name
    assert seen["realtime.call.incoming"]["data"]["call_id"].startswith("rtc_")
    assert seen["realtime.call.incoming"]["id"] == sent["realtime.call.incoming"]
    records = control(mock, "GET").json()
    assert records["pending"] == 0
    assert sum(1 for r in records["data"] if r["delivered"] and len(r["attempts"]) == 1) >= 16


def test_deliveries_verify_on_the_async_client(client: OpenAIClient, mock: MockServer, receiver: RecordingServer):
    made = client.create_response(model="gpt-4o-mini", input="hi", background=True).json()
    finish(client, made)
    (delivery,) = arrived(receiver, 1)

    async def check() -> dict:
        async with AsyncOpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=mock.base_url) as aclient:
            return aclient.webhooks.unwrap(delivery.body, delivery.headers, SECRET)

    import asyncio

    event = asyncio.run(check())
    assert event["type"] == "response.completed" and event["data"]["id"] == made["id"]


def test_each_final_status_sends_once(client: OpenAIClient, receiver: RecordingServer):
    made = client.create_fine_tuning_job(model="gpt-4o-mini", training_file="file-x").json()
    final = finish(client, made)
    for _ in range(3):  # looking again at a finished job sends nothing more
        client.retrieve_fine_tuning_job(fine_tuning_job_id=final["id"])
    time.sleep(0.05)
    assert len(arrived(receiver, 1)) == len(receiver.requests) == 1


def test_failed_deliveries_are_retried_with_back_off_and_recorded(
    client: OpenAIClient, mock: MockServer, receiver: RecordingServer
):
    receiver.script(Reply(status=500), Reply(status=503), Reply(status=200))
    sent = control(mock, "POST", {"type": "batch.completed", "data": {"id": "batch_retried"}}).json()
    attempts = arrived(receiver, 3)
    ids = {a.headers["webhook-id"] for a in attempts}
    assert ids == {sent["webhook_id"]}  # the same id on every attempt: receivers deduplicate by it
    for attempt in attempts:
        assert webhooks.unwrap(attempt.body, attempt.headers, SECRET, spec=SPEC_31)["data"]["id"] == "batch_retried"
    record = _record(mock, sent["webhook_id"])
    assert [a["status"] for a in record["attempts"]] == [500, 503, 200] and record["delivered"] is True
    first, second, third = (a["at"] for a in record["attempts"])
    assert second - first >= 0.005 and third - second >= 0.01  # 5 ms, then doubled


def test_a_receiver_that_never_accepts_gets_every_attempt(
    client: OpenAIClient, mock: MockServer, receiver: RecordingServer
):
    receiver.default = lambda req: Reply(status=400)
    sent = control(mock, "POST", {"type": "eval.run.failed", "data": {"id": "evalrun_x"}}).json()
    arrived(receiver, 5)
    record = _wait_record(mock, sent["webhook_id"])
    assert [a["status"] for a in record["attempts"]] == [400] * 5 and record["delivered"] is False


def test_an_unreachable_receiver_is_recorded(receiver: RecordingServer):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with MockServer(
        spec=SPEC_31,
        webhook_url=f"http://127.0.0.1:{port}/",
        webhook_secret=SECRET,
        webhook_attempts=2,
        webhook_backoff_ms=1,
    ) as url:
        mock_port = int(url.rsplit(":", 1)[1].split("/")[0])
        sent = httpx.post(f"http://127.0.0.1:{mock_port}/_mock/webhooks", json={"type": "batch.failed"}).json()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            records = httpx.get(f"http://127.0.0.1:{mock_port}/_mock/webhooks").json()
            if records["pending"] == 0:
                break
            time.sleep(0.01)
    (record,) = [r for r in records["data"] if r["webhook_id"] == sent["webhook_id"]]
    assert record["delivered"] is False and len(record["attempts"]) == 2
    assert all("ConnectError" in a["error"] for a in record["attempts"])


def _record(mock: MockServer, webhook_id: str) -> dict:
    (record,) = [r for r in control(mock, "GET").json()["data"] if r["webhook_id"] == webhook_id]
    return record


def _wait_record(mock: MockServer, webhook_id: str) -> dict:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        record = _record(mock, webhook_id)
        if record["delivered"] is not None:
            return record
        time.sleep(0.01)
    raise AssertionError("the delivery was still being tried")


def test_the_readme_states_the_rule() -> None:
    from openapi_client_openai.mock._webhooks import WEBHOOK_RULE

    from conftest import ROOT

    assert " ".join(WEBHOOK_RULE.split()) in " ".join((ROOT / "README.md").read_text().split())


def test_the_control_endpoint_refuses_clearly(mock: MockServer):
    unknown = control(mock, "POST", {"type": "batch.teleported"})
    assert unknown.status_code == 400 and "no webhook event 'batch.teleported'" in unknown.json()["error"]["message"]
    assert control(mock, "POST", {"data": 1}).status_code == 400
    assert control(mock, "DELETE").status_code == 405
    with MockServer(spec=SPEC_31) as url:
        plain = httpx.get(url[:-3] + "/_mock/webhooks")
        assert plain.status_code == 409 and "--webhook-url" in plain.json()["error"]["message"]


def test_an_outcome_the_operation_cannot_have_is_refused(client: OpenAIClient):
    from openapi_client_openai import BadRequestError

    with pytest.raises(BadRequestError, match="x-mock-outcome 'expired' does not apply to createFineTuningJob"):
        client.create_fine_tuning_job(
            model="gpt-4o-mini", training_file="f", extra_headers={"x-mock-outcome": "expired"}
        )
    with pytest.raises(BadRequestError, match="applies to a background response"):
        client.create_response(model="gpt-4o-mini", input="hi", extra_headers={"x-mock-outcome": "failed"})


def test_mock_settings_are_checked():
    with pytest.raises(ValueError, match="both a URL and a secret"):
        MockServer(spec=SPEC_31, webhook_url="http://127.0.0.1:9/")
    with pytest.raises(ValueError, match="http:// or https://"):
        MockServer(spec=SPEC_31, webhook_url="ftp://x", webhook_secret=SECRET)
    from openapi_client_openai import ConfigError

    with pytest.raises(ConfigError, match="whsec_"):
        MockServer(spec=SPEC_31, webhook_url="http://127.0.0.1:9/", webhook_secret="plain")
    sender = MockServer(spec=SPEC_31, webhook_url="http://127.0.0.1:9/", webhook_secret=SECRET).app.webhooks
    assert SECRET not in repr(sender) and SECRET[6:] not in repr(sender) and "<hidden>" in repr(sender)


def test_the_30_spec_mock_sends_verifiable_webhooks(receiver: RecordingServer):
    receiver.reset()
    with (
        MockServer(
            spec=SPEC_30, webhook_url=f"http://127.0.0.1:{receiver.port}/", webhook_secret=SECRET, webhook_backoff_ms=1
        ) as url,
        OpenAIClient(spec=SPEC_30, api_key=FAKE_KEY, base_url=url) as old,
    ):
        job = old.create_fine_tuning_job(model="gpt-4o-mini", training_file="file-x").json()
        finish(old, job)
        (delivery,) = arrived(receiver, 1)
        old.webhooks.verify_signature(delivery.body, delivery.headers, SECRET)
        with pytest.raises(WebhookValidationError, match="has no schema for webhook events"):
            old.webhooks.unwrap(delivery.body, delivery.headers, SECRET)
        event = old.webhooks.unwrap(delivery.body, delivery.headers, SECRET, validate="off")
        assert event["type"] == "fine_tuning.job.succeeded" and event["data"] == {"id": job["id"]}


# -- the command line -------------------------------------------------------------------------------


class Listener:
    """``webhooks listen`` run by ``main`` in a thread, its output captured."""

    def __init__(self, *argv: str, env: dict[str, str] | None = None) -> None:
        self.out, self.err = io.StringIO(), io.StringIO()
        self.status: int | None = None
        args = ["webhooks", "listen", "--spec", str(SPEC_31), "--port", "0", *argv]

        def run() -> None:
            self.status = main(args, env=env, stdout=self.out, stderr=self.err)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while "listening on" not in self.err.getvalue():
            assert time.monotonic() < deadline and self.thread.is_alive(), self.err.getvalue()
            time.sleep(0.005)
        self.url = self.err.getvalue().split("listening on ", 1)[1].split()[0]

    def join(self) -> int | None:
        self.thread.join(10)
        return self.status


def test_listen_prints_verified_events_and_refuses_the_rest(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("OPENAI_WEBHOOK_SECRET", raising=False)
    listener = Listener("--secret", SECRET, "--count", "2")
    body = json.dumps(
        {"id": "evt_1", "object": "event", "type": "batch.completed", "created_at": 1, "data": {"id": "b"}}
    )
    headers = webhooks.sign(body, SECRET)
    forged = httpx.post(listener.url + "anything", content=body, headers=webhooks.sign(body, "whsec_" + "A" * 44))
    assert forged.status_code == 400 and forged.json()["error"]["code"] == "mismatch"
    stale = httpx.post(listener.url, content=body, headers=webhooks.sign(body, SECRET, timestamp=1))
    assert stale.status_code == 400 and stale.json()["error"]["code"] == "too_old"
    assert httpx.post(listener.url + "a/b", content=body, headers=headers).status_code == 200
    assert httpx.get(listener.url).status_code == 405
    odd = json.dumps({"id": "evt_2", "object": "event", "type": "batch.failed", "created_at": 1, "data": {}})
    assert httpx.post(listener.url, content=odd, headers=webhooks.sign(odd, SECRET)).status_code == 200
    assert listener.join() == 0
    assert listener.out.getvalue().splitlines() == [
        'batch.completed evt_1 {"id": "b"}',
        "batch.failed evt_2 {}",
    ]
    err = listener.err.getvalue()
    assert "refused a webhook to /anything: no signature matches" in err and "s old, beyond the tolerance" in err
    assert "data: missing required field 'id'" in err  # verified, printed, and the misfit noted
    assert SECRET not in err and SECRET[6:] not in listener.out.getvalue() + err


def test_the_mock_delivers_to_listen_as_json():
    listener = Listener("--json", "--count", "1", env={"OPENAI_WEBHOOK_SECRET": SECRET})
    mock = MockServer(spec=SPEC_31, webhook_url=listener.url + "hook", webhook_secret=SECRET)
    with mock as url, OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=url) as c:
        made = c.create_response(model="gpt-4o-mini", input="hi", background=True).json()
        finish(c, made)
        assert listener.join() == 0
    (line,) = listener.out.getvalue().splitlines()
    event = json.loads(line)
    assert event["type"] == "response.completed" and event["data"]["id"] == made["id"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["webhooks", "sign", "missing.json", "--secret", SECRET], "missing.json"),
        (["webhooks", "sign", "-"], "no webhook secret: pass --secret"),
        (["webhooks", "listen", "--port", "0", "--secret", "nope"], "must start with 'whsec_'"),
        (["mock", "--webhook-url", "http://127.0.0.1:9/"], "--webhook-url needs --webhook-secret"),
        (["mock", "--webhook-secret", SECRET], "--webhook-secret needs --webhook-url"),
        (["mock", "--webhook-url", "x", "--webhook-secret", SECRET], "must start with http://"),
    ],
)
def test_command_line_mistakes_get_one_line(argv: list[str], message: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("OPENAI_WEBHOOK_SECRET", raising=False)
    out, err = io.StringIO(), io.StringIO()
    assert main(argv, stdin=io.StringIO(""), stdout=out, stderr=err) in (1, 2)
    assert message in err.getvalue() and "Traceback" not in err.getvalue()
    assert SECRET[6:] not in err.getvalue()
