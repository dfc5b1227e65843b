"""Webhooks: Standard Webhooks signatures (verified against independent implementations), and
events parsed and checked against the spec, on the module, the blocking and the asyncio client."""

from __future__ import annotations

import asyncio
import base64
import hmac
import json
import logging
import time
from datetime import datetime, timezone

import httpx
import openai
import pytest
import standardwebhooks
from hypothesis import given, settings
from hypothesis import strategies as st

from openapi_client_openai import (
    AsyncOpenAIClient,
    ConfigError,
    InvalidWebhookSignatureError,
    OpenAIClient,
    OpenAPIClientError,
    ParameterError,
    WebhookValidationError,
    _signing,
    webhooks,
)

from conftest import FAKE_KEY, SPEC_30, SPEC_31

KEY = bytes(range(32))
SECRET = "whsec_" + base64.b64encode(KEY).decode()
OTHER = "whsec_" + base64.b64encode(b"another key of thirty-two bytes!").decode()
EVENT = {
    "id": "evt_685343a1381c819085d44c354e1b330e",
    "object": "event",
    "type": "batch.completed",
    "created_at": 1750287018,
    "data": {"id": "batch_abc123"},
}
BODY = json.dumps(EVENT)


def standard_headers(body: str, secret: str = SECRET, msg_id: str = "msg_1", at: float | None = None) -> dict:
    """Headers made by the `standardwebhooks` package, an implementation independent of ours."""
    moment = datetime.fromtimestamp(time.time() if at is None else at, tz=timezone.utc)
    entry = standardwebhooks.Webhook(secret).sign(msg_id, moment, body)
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(moment.timestamp())), "webhook-signature": entry}


@pytest.fixture(scope="module")
def client() -> OpenAIClient:
    return OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY)


@pytest.fixture(autouse=True)
def _no_env_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_WEBHOOK_SECRET", raising=False)


# -- independent implementations ------------------------------------------------------------


def test_standardwebhooks_signatures_verify_on_every_path(client: OpenAIClient) -> None:
    headers = standard_headers(BODY)
    assert webhooks.unwrap(BODY, headers, SECRET, spec=SPEC_31) == EVENT
    import openapi_client_openai

    assert openapi_client_openai.webhooks.unwrap(BODY, headers, SECRET, spec=SPEC_31) == EVENT
    assert client.webhooks.unwrap(BODY.encode(), headers, SECRET) == EVENT
    assert client.webhooks.verify_signature(BODY, headers, SECRET) is None
    assert webhooks.verify_signature(BODY.encode(), headers, SECRET) is None

    async def on_the_loop() -> dict:
        async with AsyncOpenAIClient(spec=SPEC_31, api_key=FAKE_KEY) as aclient:
            aclient.webhooks.verify_signature(BODY, headers, SECRET)
            return aclient.webhooks.unwrap(BODY, headers, SECRET)

    assert asyncio.run(on_the_loop()) == EVENT


def test_the_official_sdk_signatures_verify(client: OpenAIClient) -> None:
    # The SDK has no signer: its verifier accepting what the package signs, and ours accepting
    # that same pair, pins both to one scheme; the HMAC below is written out from the scheme.
    stamp = str(int(time.time()))
    mac = hmac.new(KEY, f"msg_2.{stamp}.{BODY}".encode(), "sha256").digest()
    headers = {
        "webhook-id": "msg_2",
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(mac).decode(),
    }
    sdk = openai.OpenAI(api_key=FAKE_KEY, webhook_secret=SECRET, base_url="http://127.0.0.1:9")
    sdk.webhooks.verify_signature(BODY, headers)
    assert client.webhooks.unwrap(BODY, headers, SECRET) == EVENT


def test_independent_implementations_verify_ours(client: OpenAIClient) -> None:
    headers = webhooks.sign(BODY, SECRET)
    assert standardwebhooks.Webhook(SECRET).verify(BODY, headers) == EVENT
    sdk = openai.OpenAI(api_key=FAKE_KEY, webhook_secret=SECRET, base_url="http://127.0.0.1:9")
    event = sdk.webhooks.unwrap(BODY, headers)
    assert type(event).__name__ == "BatchCompletedWebhookEvent"
    assert event.data.id == "batch_abc123"
    assert client.webhooks.sign(BODY, SECRET, webhook_id="msg_x", timestamp=1)["webhook-id"] == "msg_x"


def test_importing_the_package_does_not_import_webhooks() -> None:
    import subprocess
    import sys

    code = (
        "import sys, openapi_client_openai; print(sorted(m for m in sys.modules if 'webhook' in m or 'signing' in m))"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout == "[]\n"


# -- each check -------------------------------------------------------------------------------


def reason(call, *args, **kwargs) -> str:
    with pytest.raises(InvalidWebhookSignatureError) as caught:
        call(*args, **kwargs)
    assert SECRET not in str(caught.value) and SECRET[6:] not in repr(caught.value)
    assert isinstance(caught.value, OpenAPIClientError) and isinstance(caught.value, ValueError)
    return caught.value.reason


def test_tampered_body_and_wrong_secret_are_refused(client: OpenAIClient) -> None:
    headers = standard_headers(BODY)
    assert reason(client.webhooks.unwrap, BODY.replace("abc123", "abc124"), headers, SECRET) == "mismatch"
    assert reason(client.webhooks.unwrap, BODY, headers, OTHER) == "mismatch"
    assert reason(webhooks.verify_signature, BODY + "\n", headers, SECRET) == "mismatch"
    changed_id = {**headers, "webhook-id": "msg_other"}
    assert reason(webhooks.verify_signature, BODY, changed_id, SECRET) == "mismatch"


def test_stale_and_future_timestamps_are_refused_either_way() -> None:
    now = time.time()
    old = standard_headers(BODY, at=now - 301)
    assert reason(webhooks.verify_signature, BODY, old, SECRET) == "too_old"
    new = standard_headers(BODY, at=now + 301)
    assert reason(webhooks.verify_signature, BODY, new, SECRET) == "too_new"
    with pytest.raises(InvalidWebhookSignatureError, match="301 s old, beyond the tolerance of 300 s"):
        webhooks.verify_signature(BODY, standard_headers(BODY, at=now - 301), SECRET)
    # within the tolerance either way it verifies; a tolerance of its own widens the window
    webhooks.verify_signature(BODY, standard_headers(BODY, at=now - 290), SECRET)
    webhooks.verify_signature(BODY, standard_headers(BODY, at=now + 290), SECRET)
    webhooks.verify_signature(BODY, old, SECRET, tolerance=3600)
    assert reason(webhooks.verify_signature, BODY, standard_headers(BODY, at=now - 20), SECRET, tolerance=10) == (
        "too_old"
    )


def test_a_malformed_timestamp_is_refused() -> None:
    headers = standard_headers(BODY)
    for stamp in ("soon", "1.5e9", "-12", "", "1" * 40):
        assert reason(webhooks.verify_signature, BODY, {**headers, "webhook-timestamp": stamp}, SECRET) in (
            "bad_timestamp",
            "missing_header",
        )


@pytest.mark.parametrize("name", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_each_missing_header_is_named(name: str) -> None:
    headers = {k: v for k, v in standard_headers(BODY).items() if k != name}
    with pytest.raises(InvalidWebhookSignatureError, match=name) as caught:
        webhooks.unwrap(BODY, headers, SECRET, validate="off")
    assert caught.value.reason == "missing_header"
    assert reason(webhooks.verify_signature, BODY, {}, SECRET) == "missing_header"


def test_several_signatures_with_one_valid_verify() -> None:
    headers = standard_headers(BODY)
    valid = headers["webhook-signature"]
    other = standard_headers(BODY, secret=OTHER)["webhook-signature"]
    for listed in (f"{other} {valid}", f"{valid} {other}", f"v1a,c2lnbmF0dXJl {other}  {valid} v1,!!notbase64"):
        webhooks.verify_signature(BODY, {**headers, "webhook-signature": listed}, SECRET)
    assert reason(webhooks.verify_signature, BODY, {**headers, "webhook-signature": f"{other} {other}"}, SECRET) == (
        "mismatch"
    )
    only_other_versions = {**headers, "webhook-signature": "v1a,c2lnbmF0dXJl v2," + valid[3:]}
    assert reason(webhooks.verify_signature, BODY, only_other_versions, SECRET) == "no_signature"


def test_every_entry_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared = []
    original = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        compared.append((len(a), len(b)))
        return original(a, b)

    monkeypatch.setattr(_signing.hmac, "compare_digest", recording)
    headers = standard_headers(BODY)
    other = standard_headers(BODY, secret=OTHER)["webhook-signature"]
    webhooks.verify_signature(BODY, {**headers, "webhook-signature": f"{headers['webhook-signature']} {other}"}, SECRET)
    assert compared == [(32, 32), (32, 32)]  # the match did not stop the loop


def test_headers_match_case_insensitively_in_any_container(client: OpenAIClient) -> None:
    headers = standard_headers(BODY)
    shouting = {k.upper(): v for k, v in headers.items()}
    mixed = {k.title(): v for k, v in headers.items()}
    raw = [(k.encode(), v.encode()) for k, v in shouting.items()]
    for form in (shouting, mixed, httpx.Headers(headers), raw, list(headers.items())):
        assert client.webhooks.unwrap(BODY, form, SECRET) == EVENT


def test_payload_is_bytes_or_str_never_a_parsed_body(client: OpenAIClient) -> None:
    headers = standard_headers(BODY)
    assert client.webhooks.unwrap(BODY.encode(), headers, SECRET) == client.webhooks.unwrap(BODY, headers, SECRET)
    with pytest.raises(ParameterError, match="raw request body"):
        client.webhooks.unwrap(EVENT, headers, SECRET)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="mapping or"):
        client.webhooks.verify_signature(BODY, "webhook-id: x", SECRET)  # type: ignore[arg-type]


# -- the secret ----------------------------------------------------------------------------------


def test_the_secret_comes_from_the_environment(client: OpenAIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    headers = standard_headers(BODY)
    with pytest.raises(ConfigError, match="OPENAI_WEBHOOK_SECRET"):
        client.webhooks.unwrap(BODY, headers)
    monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", SECRET)
    assert client.webhooks.unwrap(BODY, headers) == EVENT
    assert webhooks.unwrap(BODY, headers, spec=SPEC_31) == EVENT
    webhooks.verify_signature(BODY, headers)
    assert reason(client.webhooks.unwrap, BODY, headers, OTHER) == "mismatch"  # secret= wins


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        (base64.b64encode(KEY).decode(), "must start with 'whsec_'"),
        ("whsec_not*base64!", "must be base64"),
        ("whsec_", "empty"),
        (b"", "empty"),
        (12345, "must be a string"),
    ],
)
def test_a_malformed_secret_says_what_to_do(secret: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        webhooks.verify_signature(BODY, standard_headers(BODY), secret)  # type: ignore[arg-type]
    if isinstance(secret, str) and len(secret) > 8:
        assert secret not in str(caught.value) and secret[6:] not in str(caught.value)


def test_raw_key_bytes_work_too() -> None:
    webhooks.verify_signature(BODY, standard_headers(BODY), KEY)
    assert webhooks.sign(BODY, KEY) and _signing.secret_key(SECRET) == KEY


def test_the_secret_never_shows(client: OpenAIClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    headers = standard_headers(BODY)
    texts = [repr(client.webhooks), repr(client), str(webhooks.sign(BODY, SECRET))]
    failures = [
        lambda: client.webhooks.unwrap(BODY + " ", headers, SECRET),
        lambda: client.webhooks.unwrap(BODY, headers, OTHER),
        lambda: client.webhooks.unwrap(BODY, {}, SECRET),
        lambda: client.webhooks.unwrap(BODY, standard_headers(BODY, at=0), SECRET),
        lambda: client.webhooks.unwrap("{", webhooks.sign("{", SECRET), SECRET),
        lambda: client.webhooks.unwrap(BODY, headers, SECRET[:-3] + "*=="),
    ]
    for fail in failures:
        with pytest.raises(OpenAPIClientError) as caught:
            fail()
        texts += [str(caught.value), repr(caught.value), repr(vars(caught.value))]
        if isinstance(caught.value, InvalidWebhookSignatureError):
            # what a traceback with locals (rich, Sentry) shows of the package's own frames
            tb = caught.value.__traceback__
            while tb is not None:
                if "openapi_client_openai" in tb.tb_frame.f_code.co_filename:
                    texts.append(repr(tb.tb_frame.f_locals))
                tb = tb.tb_next
    texts.append(caplog.text)
    for text in texts:
        for secret in (SECRET, OTHER):
            assert secret not in text and secret[6:] not in text and secret[6:20] not in text


# -- parsing and checking against the spec --------------------------------------------------------


def test_events_are_checked_against_the_schema_of_their_type(client: OpenAIClient) -> None:
    broken = {**EVENT, "data": {}}
    body = json.dumps(broken)
    with pytest.raises(WebhookValidationError, match="data: missing required field 'id'") as caught:
        client.webhooks.unwrap(body, webhooks.sign(body, SECRET), SECRET)
    assert caught.value.event_type == "batch.completed" and caught.value.event == broken
    assert [str(p) for p in caught.value.problems] == ["data: missing required field 'id'"]
    wrong_type = json.dumps({**EVENT, "created_at": "yesterday"})
    with pytest.raises(WebhookValidationError, match="created_at: expected integer"):
        client.webhooks.unwrap(wrong_type, webhooks.sign(wrong_type, SECRET), SECRET)
    # unknown fields are how APIs grow: they pass
    grown = json.dumps({**EVENT, "new_field": 1, "data": {"id": "batch_1", "more": True}})
    assert client.webhooks.unwrap(grown, webhooks.sign(grown, SECRET), SECRET)["new_field"] == 1


def test_validate_modes(client: OpenAIClient, caplog: pytest.LogCaptureFixture) -> None:
    body = json.dumps({**EVENT, "data": {}})
    headers = webhooks.sign(body, SECRET)
    assert client.webhooks.unwrap(body, headers, SECRET, validate="off")["data"] == {}
    with caplog.at_level(logging.WARNING, logger="openapi_client_openai"):
        assert client.webhooks.unwrap(body, headers, SECRET, validate="warn")["data"] == {}
    assert "missing required field 'id'" in caplog.text and "validate='warn'" in caplog.text
    lenient = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, validate="off")
    assert lenient.webhooks.unwrap(body, headers, SECRET)["data"] == {}  # the client's setting
    with pytest.raises(ConfigError, match="validate must be"):
        client.webhooks.unwrap(BODY, webhooks.sign(BODY, SECRET), SECRET, validate="loose")


def test_an_unknown_event_type_is_named(client: OpenAIClient) -> None:
    body = json.dumps({**EVENT, "type": "batch.teleported"})
    with pytest.raises(WebhookValidationError, match=r"no schema for webhook events of type 'batch.teleported'"):
        client.webhooks.unwrap(body, webhooks.sign(body, SECRET), SECRET)
    assert client.webhooks.unwrap(body, webhooks.sign(body, SECRET), SECRET, validate="off")["type"] == (
        "batch.teleported"
    )


def test_a_body_that_is_not_an_event_is_refused_after_verifying(client: OpenAIClient) -> None:
    for body in ("not json", "[1, 2]", '{"no": "type"}'):
        with pytest.raises(WebhookValidationError, match=r"not JSON|not an event"):
            client.webhooks.unwrap(body, webhooks.sign(body, SECRET), SECRET, validate="off")


def test_the_30_spec_verifies_but_says_it_has_no_event_schemas() -> None:
    old = OpenAIClient(spec=SPEC_30, api_key=FAKE_KEY)
    headers = standard_headers(BODY)
    old.webhooks.verify_signature(BODY, headers, SECRET)
    assert reason(old.webhooks.unwrap, BODY + " ", headers, SECRET) == "mismatch"
    with pytest.raises(WebhookValidationError, match=r"no schema for webhook events \(no 'webhooks:' section") as e:
        old.webhooks.unwrap(BODY, headers, SECRET)
    assert "validate='off'" in str(e.value) and "OpenAPI 3.0" in str(e.value)
    assert old.webhooks.unwrap(BODY, headers, SECRET, validate="off") == EVENT
    assert webhooks.unwrap(BODY, headers, SECRET, spec=SPEC_30, validate="off") == EVENT
    assert old.spec.webhook_events() == {}


def test_the_31_spec_describes_sixteen_events(client: OpenAIClient) -> None:
    events = client.spec.webhook_events()
    assert len(events) == 16
    assert events["fine_tuning.job.succeeded"] == "fine_tuning_job_succeeded"
    assert events["eval.run.canceled"] == "eval_run_canceled"


# -- the parser and signer, as properties ---------------------------------------------------------

ids = st.text(st.characters(codec="ascii", exclude_categories=("Cc", "Zs"), exclude_characters="."), min_size=1)
keys = st.binary(min_size=1, max_size=64)
bodies = st.binary(max_size=512)


@settings(max_examples=150, deadline=None)
@given(key=keys, msg_id=ids, body=bodies, offset=st.integers(-300, 300))
def test_what_we_sign_verifies_and_matches_standardwebhooks(key: bytes, msg_id: str, body: bytes, offset: int) -> None:
    now = 1_800_000_000
    headers = _signing.sign(body, key, msg_id, now + offset)
    assert _signing.verify(body, headers, key, now=now) == (msg_id, now + offset)
    secret = "whsec_" + base64.b64encode(key).decode()
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return
    moment = datetime.fromtimestamp(now + offset, tz=timezone.utc)
    assert standardwebhooks.Webhook(secret).sign(msg_id, moment, text) == headers["webhook-signature"]


@settings(max_examples=150, deadline=None)
@given(key=keys, body=bodies.filter(bool), where=st.integers(0, 10**6), bit=st.integers(0, 7))
def test_any_changed_bit_of_the_body_is_caught(key: bytes, body: bytes, where: int, bit: int) -> None:
    headers = _signing.sign(body, key, "msg_1", 1_800_000_000)
    changed = bytearray(body)
    changed[where % len(body)] ^= 1 << bit
    with pytest.raises(InvalidWebhookSignatureError) as caught:
        _signing.verify(bytes(changed), headers, key, now=1_800_000_000)
    assert caught.value.reason == "mismatch"


junk_entries = st.lists(
    st.one_of(
        st.text(st.characters(codec="ascii", exclude_categories=("Cc", "Zs")), max_size=30),
        st.builds(lambda b: "v1," + base64.b64encode(b).decode(), st.binary(max_size=40)),
        st.builds(lambda b: "v1a," + base64.b64encode(b).decode(), st.binary(max_size=40)),
    ),
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(before=junk_entries, after=junk_entries, spaces=st.sampled_from([" ", "  ", "\t"]))
def test_one_valid_entry_among_any_others_verifies(before: list[str], after: list[str], spaces: str) -> None:
    headers = _signing.sign(BODY, KEY, "msg_1", 1_800_000_000)
    header = spaces.join([*before, headers["webhook-signature"], *after])
    _signing.verify(BODY, {**headers, "webhook-signature": header}, KEY, now=1_800_000_000)
    assert headers["webhook-signature"] != ""
    assert base64.b64decode(headers["webhook-signature"][3:]) in _signing.parse_signatures(header)


@settings(max_examples=300, deadline=None)
@given(
    signature=st.text(max_size=80),
    stamp=st.text(max_size=20),
    msg_id=st.text(max_size=20),
)
def test_any_header_text_gives_a_verdict_never_a_crash(signature: str, stamp: str, msg_id: str) -> None:
    headers = {"webhook-id": msg_id, "webhook-timestamp": stamp, "webhook-signature": signature}
    with pytest.raises(InvalidWebhookSignatureError) as caught:
        _signing.verify(BODY, headers, KEY, now=1_800_000_000)
    assert caught.value.reason in ("missing_header", "bad_timestamp", "too_old", "too_new", "no_signature", "mismatch")


# -- the README ------------------------------------------------------------------------------------


def test_the_readme_webhooks_examples_run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    import re

    from conftest import ROOT

    text = (ROOT / "README.md").read_text()
    start = text.index("## Webhooks")
    blocks = re.findall(r"```python\n(.*?)```", text[start : text.index("\n## ", start + 5)], re.S)
    assert len(blocks) == 2
    monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    monkeypatch.setenv("OPENAPI_CLIENT_OPENAI_SPEC", str(SPEC_31))
    namespace: dict = {"__name__": "readme"}
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"README.md (Webhooks, block {number})", "exec", dont_inherit=True), namespace)
    assert capsys.readouterr().out.splitlines() == ["batch done: batch_1", "refused: mismatch"]
    assert namespace["event"]["data"] == {"id": "batch_1"}
    assert standardwebhooks.Webhook(SECRET).verify(namespace["body"], namespace["headers"]) == namespace["event"]
