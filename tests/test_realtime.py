"""The Realtime API over WebSocket, end to end against the bundled mock on 127.0.0.1.

Every guarantee is checked on the blocking and the asyncio connection: responses assembled
(text, PCM16 and G.711 audio, transcript, function calls, usage), cancel, an invalid event
answered by an ``error`` event, a close with an error code, a stalled server, the key kept out
of errors and logs; every event the mock sends fits the spec's server-event schema (GA and beta,
both fixture specs); the official ``openai`` SDK's ``client.realtime.connect`` runs unchanged.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import struct
import time
import warnings
from typing import Any

import pytest

from openapi_client_openai import AsyncOpenAIClient, OpenAIClient
from openapi_client_openai._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    MissingAPIKeyError,
    RateLimitError,
    RequestValidationError,
    SpecError,
    UnknownFieldWarning,
)
from openapi_client_openai.mock import MockServer
from openapi_client_openai.realtime import RealtimeError, catalog
from openapi_client_openai.spec import load_index

from conftest import FAKE_KEY, SPEC_30, SPEC_31

pytest.importorskip("websockets")

USER = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi there"}]}
TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


@pytest.fixture(scope="module")
def mock31() -> Any:
    with MockServer(spec=SPEC_31, seed=7) as url:
        yield url


@pytest.fixture(scope="module")
def mock30() -> Any:
    with MockServer(spec=SPEC_30, seed=7) as url:
        yield url


@pytest.fixture(scope="module")
def paced31() -> Any:
    with MockServer(spec=SPEC_31, seed=7, stream_delay_ms=20) as url:
        yield url


def sync_client(url: str, spec: Any = SPEC_31, **kw: Any) -> OpenAIClient:
    return OpenAIClient(spec=spec, base_url=url, api_key=FAKE_KEY, **kw)


def async_client(url: str, spec: Any = SPEC_31, **kw: Any) -> AsyncOpenAIClient:
    return AsyncOpenAIClient(spec=spec, base_url=url, api_key=FAKE_KEY, **kw)


def text_session(beta: bool = False) -> dict[str, Any]:
    return {"modalities": ["text"]} if beta else {"type": "realtime", "output_modalities": ["text"]}


def adds_up(usage: dict[str, Any]) -> None:
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    details = usage["output_token_details"]
    assert usage["output_tokens"] == details["text_tokens"] + details["audio_tokens"]


def pcm_samples(audio: bytes) -> tuple[int, ...]:
    assert len(audio) % 2 == 0
    return struct.unpack(f"<{len(audio) // 2}h", audio)


# -- responses assembled ------------------------------------------------------------------


def test_text_response_sync(mock31: str) -> None:
    with sync_client(mock31).realtime.connect(model="gpt-realtime") as conn:
        created = conn.recv()
        assert created["type"] == "session.created" and created["session"]["model"] == "gpt-realtime"
        conn.session.update(session=text_session())
        assert conn.recv()["session"]["output_modalities"] == ["text"]
        conn.conversation.item.create(item=USER)
        conn.response.create()
        final = conn.response_final()
    assert final["text"] == 'Hello! This is the mock\'s realtime answer. You said: "hi there".'
    assert final["audio"] == b"" and final["function_calls"] == []
    assert final["response"]["status"] == "completed" and final["response"]["output"][0]["content"][0]["text"]
    adds_up(final["usage"])


def test_text_response_async(mock31: str) -> None:
    async def main() -> dict[str, Any]:
        async with async_client(mock31).realtime.connect(model="gpt-realtime") as conn:
            assert (await conn.recv())["type"] == "session.created"
            await conn.session.update(session=text_session())
            await conn.conversation.item.create(item=USER)
            await conn.response.create()
            seen = []
            async for event in conn:
                seen.append(event["type"])
                if event["type"] == "response.output_text.delta":
                    break
            final = await conn.response_final()  # the deltas read by the loop count too
            assert "session.updated" in seen
            return final

    final = asyncio.run(main())
    assert final["text"].startswith("Hello! This is the mock's realtime answer.")
    adds_up(final["usage"])


def _audio_checks(final: dict[str, Any]) -> None:
    samples = pcm_samples(final["audio"])
    assert len(samples) >= 2400 and max(samples) > 3000  # at least 100 ms at 24 kHz, not silence
    assert final["transcript"] == final["response"]["output"][0]["content"][0]["transcript"]
    assert final["text"] == "" and final["response"]["output"][0]["content"][0]["type"] == "output_audio"
    adds_up(final["usage"])
    assert final["usage"]["output_token_details"]["audio_tokens"] > 0


def test_audio_response_sync(mock31: str) -> None:
    with sync_client(mock31).realtime.connect(model="gpt-realtime") as conn:
        conn.conversation.item.create(item=USER)
        conn.response.create(response={"output_modalities": ["audio"]})
        final = conn.response_final()
    _audio_checks(final)


def test_audio_response_async(mock31: str) -> None:
    async def main() -> dict[str, Any]:
        async with async_client(mock31).realtime.connect(model="gpt-realtime") as conn:
            await conn.response.create(response={"output_modalities": ["audio"]})
            return await conn.response_final()

    _audio_checks(asyncio.run(main()))


@pytest.mark.parametrize("kind", ["audio/pcmu", "audio/pcma"])
def test_g711_audio_decodes(mock31: str, kind: str) -> None:
    audioop = pytest.importorskip("audioop")
    with sync_client(mock31).realtime.connect(model="gpt-realtime") as conn:
        conn.session.update(session={"type": "realtime", "audio": {"output": {"format": {"type": kind}}}})
        conn.response.create()
        final = conn.response_final()
    decode = audioop.ulaw2lin if kind == "audio/pcmu" else audioop.alaw2lin
    samples = pcm_samples(decode(final["audio"], 2))
    assert len(samples) >= 800 and max(samples) > 3000  # 8 kHz, a tone


def test_function_call_round_trip_sync(mock31: str) -> None:
    with sync_client(mock31).realtime.connect(model="gpt-realtime") as conn:
        conn.session.update(session={"type": "realtime", "output_modalities": ["text"], "tools": [TOOL]})
        conn.response.create(response={"tool_choice": "required"})
        final = conn.response_final()
        (call,) = final["function_calls"]
        assert call["name"] == "get_weather" and call["call_id"].startswith("call")
        assert isinstance(json.loads(call["arguments"])["city"], str)
        output = {"type": "function_call_output", "call_id": call["call_id"], "output": '{"temp": 21}'}
        conn.conversation.item.create(item=output)
        conn.response.create()  # tool_choice back to auto: the model answers in text
        answer = conn.response_final()
    assert answer["text"] and answer["function_calls"] == []


def test_function_call_round_trip_async(mock31: str) -> None:
    async def main() -> tuple[dict[str, Any], dict[str, Any]]:
        async with async_client(mock31).realtime.connect(model="gpt-realtime") as conn:
            choice = {"type": "function", "name": "get_weather"}
            await conn.response.create(response={"output_modalities": ["text"], "tools": [TOOL], "tool_choice": choice})
            final = await conn.response_final()
            call = final["function_calls"][0]
            output = {"type": "function_call_output", "call_id": call["call_id"], "output": "21"}
            await conn.send({"type": "conversation.item.create", "item": output})
            await conn.response.create(response={"output_modalities": ["text"]})
            return final, await conn.response_final()

    final, answer = asyncio.run(main())
    assert final["function_calls"][0]["name"] == "get_weather" and answer["text"]


# -- cancel ---------------------------------------------------------------------------------


def test_cancel_mid_response_sync(paced31: str) -> None:
    with sync_client(paced31).realtime.connect(model="gpt-realtime") as conn:
        conn.session.update(session=text_session())
        conn.response.create()
        for event in conn:
            if event["type"] == "response.output_text.delta":
                break
        conn.response.cancel()
        final = conn.response_final()
    assert final["response"]["status"] == "cancelled"
    assert final["response"]["status_details"]["reason"] == "client_cancelled"
    assert 0 < len(final["text"]) < len("Hello! This is the mock's realtime answer.")


def test_cancel_mid_response_async(paced31: str) -> None:
    async def main() -> dict[str, Any]:
        async with async_client(paced31).realtime.connect(model="gpt-realtime") as conn:
            await conn.response.create(response={"output_modalities": ["audio"]})
            while (await conn.recv())["type"] != "response.output_audio.delta":
                pass
            await conn.response.cancel()
            return await conn.response_final()

    final = asyncio.run(main())
    assert final["response"]["status"] == "cancelled" and final["audio"]


# -- errors ---------------------------------------------------------------------------------


def test_invalid_event_gets_an_error_event_sync(mock31: str) -> None:
    bad = {"type": "session.update", "event_id": "evt_bad1", "session": {"type": "realtime", "output_modalities": 5}}
    with sync_client(mock31, validate="off").realtime.connect(model="gpt-realtime") as conn:
        conn.send(bad)
        with pytest.raises(RealtimeError) as caught:
            while True:
                conn.recv()
    exc = caught.value
    assert isinstance(exc, APIError) and exc.event_id == "evt_bad1" and exc.param == "session.output_modalities"
    assert exc.code == "invalid_value" and "expected array" in str(exc)


def test_invalid_event_yielded_with_raise_errors_false_async(mock31: str) -> None:
    async def main() -> dict[str, Any]:
        client = async_client(mock31, validate="off")
        async with client.realtime.connect(model="gpt-realtime", raise_errors=False) as conn:
            await conn.send({"type": "response.create", "event_id": "evt_2", "response": {"tool_choice": 7}})
            async for event in conn:
                if event["type"] == "error":
                    return event
        raise AssertionError("no error event")

    event = asyncio.run(main())
    assert event["error"]["event_id"] == "evt_2" and event["error"]["param"].startswith("response.tool_choice")


def test_client_side_validation_modes(mock31: str, caplog: pytest.LogCaptureFixture) -> None:
    bad = {"type": "session.update", "session": {"type": "realtime", "output_modalities": 5}}
    with sync_client(mock31).realtime.connect(model="gpt-realtime") as conn:
        with pytest.raises(RequestValidationError, match=r"session\.output_modalities"):
            conn.send(bad)
        with pytest.raises(RequestValidationError, match=r"did you mean 'session\.update'"):
            conn.send({"type": "session.updte"})
        with pytest.warns(UnknownFieldWarning, match="did you mean 'response'"):
            conn.send({"type": "response.create", "respnse": {}})
        with pytest.raises(AttributeError, match="did you mean 'update'"):
            conn.session.updte  # noqa: B018
        assert conn.recv()["type"] == "session.created"
    with sync_client(mock31, validate="warn").realtime.connect(model="gpt-realtime") as conn:
        with caplog.at_level(logging.WARNING, "openapi_client_openai"):
            conn.send(bad)
        assert "sending it anyway" in caplog.text
        with pytest.raises(RealtimeError):  # the server refuses it in turn
            while True:
                conn.recv()


def test_strict_refuses_near_misses_async(mock31: str) -> None:
    async def main() -> None:
        async with async_client(mock31, validate="strict").realtime.connect(model="gpt-realtime") as conn:
            await conn.send({"type": "response.create"})
            with pytest.raises(RequestValidationError, match="respnse"):
                await conn.send({"type": "response.create", "respnse": {}})

    asyncio.run(main())


def test_error_close_sync(mock31: str) -> None:
    client = sync_client(mock31)
    with client.realtime.connect(model="gpt-realtime", extra_headers={"x-mock-fault": "cut"}) as conn:
        conn.response.create()
        with pytest.raises(APIConnectionError, match="code 1011: the mock cut the connection") as caught:
            conn.response_final()
        with pytest.raises(APIConnectionError):  # it stays closed
            conn.send({"type": "response.create"})
    assert FAKE_KEY not in str(caught.value)


def test_error_close_async(mock31: str) -> None:
    async def main() -> None:
        client = async_client(mock31)
        async with client.realtime.connect(model="gpt-realtime", extra_headers={"x-mock-fault": "cut"}) as conn:
            await conn.response.create()
            with pytest.raises(APIConnectionError, match="code 1011"):
                async for _ in conn:
                    pass

    asyncio.run(main())


def test_stall_times_out_sync(mock31: str) -> None:
    client = sync_client(mock31)
    stall = {"x-mock-fault": "stall"}
    with client.realtime.connect(model="gpt-realtime", idle_timeout=0.3, extra_headers=stall) as conn:
        conn.response.create()
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match=r"within 0.3 s: .* idle_timeout="):
            conn.response_final()
    assert time.monotonic() - started < 3


def test_stall_times_out_async(mock31: str) -> None:
    async def main() -> None:
        client = async_client(mock31, stream_idle_timeout=0.3)  # the client's setting is the default
        async with client.realtime.connect(model="gpt-realtime", extra_headers={"x-mock-fault": "stall"}) as conn:
            await conn.response.create()
            with pytest.raises(APITimeoutError):
                await conn.response_final()

    asyncio.run(main())


def test_handshake_refusals(mock31: str, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = sync_client(mock31).realtime.connect(model="m", extra_headers={"x-mock-fault": "429"})
    with pytest.raises(RateLimitError, match="HTTP 429") as caught, refused:
        pass
    assert caught.value.status_code == 429
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError, match="OPENAI_API_KEY"):
        OpenAIClient(spec=SPEC_31, base_url=mock31).realtime.connect(model="m")

    async def main() -> None:
        with pytest.raises(APIConnectionError, match="could not open"):
            async with async_client("http://127.0.0.1:9/v1").realtime.connect(model="m"):
                pass

    asyncio.run(main())


def test_the_key_never_shows(mock31: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        client = sync_client(mock31)
        conn = client.realtime.connect(model="gpt-realtime", extra_headers={"x-mock-fault": "cut"})
        texts = [repr(conn), repr(conn._plan)]
        with conn:
            conn.response.create()
            with pytest.raises(APIConnectionError) as caught:
                conn.response_final()
        texts += [str(caught.value), repr(caught.value)]
        conn = client.realtime.connect(model="m", extra_headers={"x-mock-fault": "429"})
        with pytest.raises(RateLimitError) as refused, conn:
            pass
        texts += [str(refused.value), repr(refused.value.body)]
    assert "Bearer" in caplog.text  # websockets logged the handshake...
    for text in [*texts, caplog.text]:
        assert FAKE_KEY not in text  # ...with the key masked


def test_ephemeral_client_secret_and_headers(mock31: str) -> None:
    client = OpenAIClient(spec=SPEC_31, base_url=mock31, api_key=None, organization="org-1", project="proj-1")
    conn = client.realtime.connect(model="gpt-realtime", client_secret="ek_test_0123456789")
    assert conn._plan.url == mock31.replace("http://", "ws://") + "/realtime?model=gpt-realtime"
    headers = conn._plan.headers
    assert headers["Authorization"] == "Bearer ek_test_0123456789" and "OpenAI-Beta" not in headers
    assert headers["OpenAI-Organization"] == "org-1" and headers["OpenAI-Project"] == "proj-1"
    with conn:
        assert conn.recv()["type"] == "session.created"
    beta = sync_client("https://example.test/v1").realtime.connect(model="m", beta=True, voice="alloy")
    assert beta._plan.url == "wss://example.test/v1/realtime?model=m&voice=alloy"
    assert beta._plan.headers["OpenAI-Beta"] == "realtime=v1"


def test_keepalive_pings_are_answered(mock31: str) -> None:
    with sync_client(mock31).realtime.connect(model="gpt-realtime", keepalive=0.05) as conn:
        time.sleep(0.4)  # several pings go out and their pongs come back; the connection lives
        assert conn.recv()["type"] == "session.created"
        assert conn._ws.latency > 0
        conn.response.create()
        assert conn.response_final()["response"]["status"] == "completed"
    with pytest.raises(APIConnectionError, match="is closed"):
        conn.recv()
    assert list(conn) == []  # closed here: a loop over the events ends


def test_input_audio_committed_and_transcribed(mock31: str) -> None:
    pcm = b"\x01\x00" * 4800  # 200 ms
    with sync_client(mock31).realtime.connect(model="gpt-realtime") as conn:
        conn.session.update(
            session={"type": "realtime", "audio": {"input": {"transcription": {"model": "gpt-4o-transcribe"}}}}
        )
        conn.input_audio_buffer.append(pcm)  # bytes: base64 done here
        conn.input_audio_buffer.append(audio=pcm)
        conn.input_audio_buffer.commit()
        kinds = []
        for event in conn:
            kinds.append(event["type"])
            if event["type"] == "conversation.item.input_audio_transcription.completed":
                break
    assert kinds[kinds.index("input_audio_buffer.committed") :][:3] == [
        "input_audio_buffer.committed",
        "conversation.item.added",
        "conversation.item.done",
    ]


# -- the two specs and the two protocols -------------------------------------------------------


def test_spec_families() -> None:
    new, old = catalog(load_index(SPEC_31)), catalog(load_index(SPEC_30))
    sizes = {f: (len(d["client"]), len(d["server"])) for f, d in new.families.items()}
    assert sizes == {"ga": (11, 46), "beta": (12, 40), "translation": (3, 7)}
    assert {f: (len(d["client"]), len(d["server"])) for f, d in old.families.items()} == {"beta": (11, 31)}
    assert "response.text.delta" in old.events("beta", "server")


def test_old_spec_has_only_beta(mock30: str) -> None:
    client = sync_client(mock30, spec=SPEC_30)
    with pytest.raises(SpecError, match=r"declares no ga realtime events .*beta=True"):
        client.realtime.connect(model="gpt-4o-realtime-preview")
    with client.realtime.connect(model="gpt-4o-realtime-preview", beta=True) as conn:
        conn.session.update(session={"modalities": ["text", "audio"], "output_audio_format": "g711_ulaw"})
        conn.response.create()
        final = conn.response_final()
    assert final["transcript"] and len(final["audio"]) >= 800


def _play_everything(conn: Any, beta: bool) -> list[dict[str, Any]]:
    """A session that makes the mock send every kind of event it has; returns them all."""
    events: list[dict[str, Any]] = []

    def until(kind: str) -> dict[str, Any]:
        while True:
            event = conn.recv()
            events.append(event)
            if event["type"] == kind:
                return event

    until("session.created")
    transcription = (
        {"input_audio_transcription": {"model": "whisper-1"}}
        if beta
        else {"type": "realtime", "audio": {"input": {"transcription": {"model": "whisper-1"}}}}
    )
    modalities = "modalities" if beta else "output_modalities"
    conn.session.update(session={**transcription, modalities: ["text"]})
    until("session.updated")
    conn.conversation.item.create(item=USER)
    added = until("conversation.item.created" if beta else "conversation.item.done")
    item_id = added["item"]["id"]
    conn.conversation.item.retrieve(item_id=item_id)
    until("conversation.item.retrieved")
    conn.conversation.item.truncate(item_id=item_id, content_index=0, audio_end_ms=0)
    until("conversation.item.truncated")
    conn.response.create()
    until("rate_limits.updated")
    conn.response.create(response={modalities: ["text", "audio"] if beta else ["audio"]})
    until("rate_limits.updated")
    conn.response.create(response={"tools": [TOOL], "tool_choice": "required"})
    until("rate_limits.updated")
    conn.input_audio_buffer.append(b"\x00\x01" * 4800)
    conn.input_audio_buffer.commit()
    until("conversation.item.input_audio_transcription.completed")
    conn.input_audio_buffer.clear()
    until("input_audio_buffer.cleared")
    conn.conversation.item.delete(item_id=item_id)
    until("conversation.item.deleted")
    conn.response.create()
    until("response.output_text.delta" if "response.output_text.delta" in kinds_of(conn) else "response.text.delta")
    conn.response.cancel()  # mid-response (the mock is paced): a cancelled response.done
    assert until("response.done")["response"]["status"] == "cancelled"
    until("rate_limits.updated")
    if "output_audio_buffer.cleared" in kinds_of(conn):
        conn.output_audio_buffer.clear()
        until("output_audio_buffer.cleared")
    conn.response.cancel()  # nothing to cancel: an error event
    until("error")
    return events


def kinds_of(conn: Any) -> set[str]:
    """The server events of the connection's protocol in its spec."""
    return set(conn._session.catalog.events(conn.family, "server"))


@pytest.mark.parametrize(
    ("spec", "beta"), [(SPEC_31, False), (SPEC_31, True), (SPEC_30, True)], ids=["3.1-ga", "3.1-beta", "3.0-beta"]
)
def test_every_mock_event_fits_the_spec(spec: Any, beta: bool) -> None:
    with MockServer(spec=spec, seed=3, stream_delay_ms=2) as url:  # paced: a cancel can come mid-response
        client = sync_client(url, spec=spec)
        model = "gpt-4o-realtime-preview" if spec == SPEC_30 else "gpt-realtime"  # what each spec allows
        with client.realtime.connect(model=model, beta=beta, raise_errors=False) as conn:
            events = _play_everything(conn, beta)
    family = "beta" if beta else "ga"
    events_of = catalog(load_index(spec))
    problems = {}
    for event in events:
        found, _ = events_of.check(family, event, side="server")
        if found:
            problems.setdefault(event["type"], [str(p) for p in found][:3])
    assert problems == {}, json.dumps(problems, indent=1)
    kinds = {e["type"] for e in events}
    text, audio, transcript = (
        ("response.text.delta", "response.audio.delta", "response.audio_transcript.delta")
        if spec == SPEC_30
        else ("response.output_text.delta", "response.output_audio.delta", "response.output_audio_transcript.delta")
    )
    for expected in (
        "session.created",
        "session.updated",
        "conversation.item.retrieved",
        "response.created",
        "response.output_item.added",
        "response.content_part.added",
        text,
        audio,
        transcript,
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.done",
        "rate_limits.updated",
        "input_audio_buffer.committed",
        "conversation.item.input_audio_transcription.completed",
        "error",
    ):
        assert expected in kinds
    assert len(kinds) >= 25


# -- the official SDK, unchanged ---------------------------------------------------------------


def test_the_openai_sdk_runs_against_the_mock(mock31: str) -> None:
    openai = pytest.importorskip("openai")
    client = openai.OpenAI(base_url=mock31, api_key=FAKE_KEY)
    with client.realtime.connect(model="gpt-realtime") as conn:
        conn.session.update(session={"type": "realtime", "output_modalities": ["text"]})
        conn.conversation.item.create(item=USER)
        conn.response.create()
        deltas, done = [], None
        for event in conn:
            if event.type == "response.output_text.delta":
                deltas.append(event.delta)
            elif event.type == "response.done":
                done = event
                break
    assert "".join(deltas) == 'Hello! This is the mock\'s realtime answer. You said: "hi there".'
    assert done is not None and done.response.status == "completed"
    assert done.response.usage is not None and done.response.usage.total_tokens > 0
    assert done.response.output[0].content[0].text == "".join(deltas)


def test_the_async_openai_sdk_runs_against_the_mock(mock31: str) -> None:
    openai = pytest.importorskip("openai")

    async def main() -> list[str]:
        client = openai.AsyncOpenAI(base_url=mock31, api_key=FAKE_KEY)
        async with client.realtime.connect(model="gpt-realtime") as conn:
            await conn.response.create(response={"output_modalities": ["audio"]})
            kinds = []
            async for event in conn:
                kinds.append(event.type)
                if event.type == "response.output_audio.delta":
                    assert base64.b64decode(event.delta)
                if event.type == "response.done":
                    return kinds
        return kinds

    kinds = asyncio.run(main())
    assert kinds[0] == "session.created" and kinds[-1] == "response.done"
    assert "response.output_audio_transcript.delta" in kinds


def test_warnings_are_not_errors_here() -> None:
    # A near miss is a warning, not an exception: code that turns warnings into errors still sends
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from openapi_client_openai.realtime._events import EventCatalog

        assert EventCatalog({}).families == {}


# -- the command line and the mock's options ---------------------------------------------------


def test_cli_text_session(mock31: str) -> None:
    import io

    from openapi_client_openai.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = ["realtime", "--spec", str(SPEC_31), "--base-url", mock31, "--model", "gpt-realtime", "--api-key", FAKE_KEY]
    status = main(argv, stdin=io.StringIO("hello there\n\nand again\n"), stdout=out, stderr=err)
    assert status == 0, err.getvalue()
    assert out.getvalue().splitlines() == [
        'Hello! This is the mock\'s realtime answer. You said: "hello there".',
        'Hello! This is the mock\'s realtime answer. You said: "and again".',
    ]
    old = ["realtime", "--spec", str(SPEC_30), "--base-url", mock31, "--model", "m", "--api-key", FAKE_KEY]
    assert main(old, stdin=io.StringIO("hi\n"), stdout=out, stderr=err) == 1
    assert "use --beta" in err.getvalue() and "Traceback" not in err.getvalue()
    err = io.StringIO()
    cut = ["realtime", "--spec", str(SPEC_31), "--base-url", "http://127.0.0.1:9/v1", "--model", "m"]
    assert main([*cut, "--api-key", FAKE_KEY], stdin=io.StringIO("hi\n"), stdout=out, stderr=err) == 1
    assert "could not open the realtime connection" in err.getvalue() and FAKE_KEY not in err.getvalue()


def test_mock_fault_rates_and_pacing() -> None:
    with MockServer(spec=SPEC_31, faults={"reset": 1.0}) as url:  # what `mock --fault reset=1` passes
        conn = sync_client(url).realtime.connect(model="gpt-realtime")
        with conn, pytest.raises(APIConnectionError, match="code 1011: the mock reset"):
            assert conn.recv()["type"] == "session.created"
            conn.recv()
    with MockServer(spec=SPEC_31, stream_delay_ms=15) as url:
        conn = sync_client(url).realtime.connect(model="gpt-realtime")
        with conn:
            conn.session.update(session=text_session())
            conn.response.create()
            started = time.monotonic()
            final = conn.response_final()
    deltas = len(final["text"].split(" "))
    assert time.monotonic() - started >= 0.015 * (deltas - 1)  # --stream-delay-ms paces the deltas


def test_the_hand_written_stub_declares_what_the_package_exports() -> None:
    import ast
    import importlib

    from openapi_client_openai.stubs import HAND_WRITTEN

    from conftest import ROOT

    assert "realtime/__init__.pyi" in HAND_WRITTEN
    module = importlib.import_module("openapi_client_openai.realtime")
    tree = ast.parse((ROOT / "src" / "openapi_client_openai" / "realtime" / "__init__.pyi").read_text())
    declared = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    declared |= {t.target.id for t in tree.body if isinstance(t, ast.AnnAssign) and isinstance(t.target, ast.Name)}
    (listed,) = [n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "__all__"]  # type: ignore[attr-defined]
    assert set(ast.literal_eval(listed.value)) == set(module.__all__) <= declared
    # the helpers the stub types are the ones the spec's GA client events make
    events = catalog(load_index(SPEC_31)).events("ga", "client")
    typed = {"session.update", "response.create", "response.cancel", "input_audio_buffer.append"}
    typed |= {"input_audio_buffer.commit", "input_audio_buffer.clear", "output_audio_buffer.clear"}
    typed |= {f"conversation.item.{v}" for v in ("create", "delete", "retrieve", "truncate")}
    assert typed == set(events)


# -- docs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", [SPEC_30, SPEC_31], ids=["spec3.0", "spec3.1"])
def test_docs_list_every_event_with_its_fields(spec: Any) -> None:
    import io

    from openapi_client_openai.cli import main
    from openapi_client_openai.docs import realtime_markdown

    index = load_index(spec)
    text = realtime_markdown(index)
    events = catalog(index)
    for sides in events.families.values():
        for by_type in sides.values():
            for kind, name in by_type.items():
                assert f"#### `{kind}` ({name})" in text
    assert "- `delta` (string, required): The text delta." in text  # fields, with their types and text
    out = io.StringIO()
    assert main(["docs", "--realtime", "--spec", str(spec)], stdout=out) == 0
    assert out.getvalue() == text


def test_the_html_site_has_a_realtime_page() -> None:
    pytest.importorskip("markdown_it")
    from openapi_client_openai.docs._html import _Site

    site = _Site(load_index(SPEC_31))
    page = site.realtime()
    assert "<code>response.output_audio.delta</code>" in page
    assert 'href="schemas/RealtimeServerEventResponseAudioDelta.html"' in page
    assert "realtime.html" in site.home()


def test_leaving_in_the_middle_of_a_response_closes_at_once(paced31: str) -> None:
    with sync_client(paced31).realtime.connect(model="gpt-realtime") as conn:
        conn.response.create(response={"output_modalities": ["audio"]})
        conn.recv()
        started = time.monotonic()
    assert time.monotonic() - started < 1  # not websockets' 5 s close timeout

    async def main() -> float:
        async with async_client(paced31).realtime.connect(model="gpt-realtime") as conn:
            await conn.response.create(response={"output_modalities": ["audio"]})
            await conn.recv()
            started = time.monotonic()
        return time.monotonic() - started

    assert asyncio.run(main()) < 1
