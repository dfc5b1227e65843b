"""The Realtime API: event validation, the mock's time to first delta, 100 concurrent sessions.

Budgets (issue 14), on this 2-core machine:
- checking a client event against the spec: <= 5 µs after first use;
- the mock, unpaced, from ``response.create`` to the first text delta: <= 5 ms;
- 100 concurrent sessions on one mock worker (its own process) without errors.
The official ``openai`` SDK's realtime client runs the same sessions against the same mock, and
the ratios (ours / SDK) are printed beside.  Times are medians.

    python benchmarks/realtime.py
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import statistics
import sys
import time
from typing import Any

# benchmarks/mock.py starts the mock in its own process (imported by name: ruff would read
# `from mock import` as the old mock package and rewrite it to unittest.mock)
_mock_bench = importlib.import_module("mock")
free_port, start_mock = _mock_bench.free_port, _mock_bench.start_mock

from _common import SPEC_31, per_call_us, row  # noqa: E402

KEY = "sk-bench-realtime-0123456789"
USER = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hello there"}]}
EVENTS = {
    "session.update": {
        "type": "session.update",
        "session": {"type": "realtime", "output_modalities": ["text"], "instructions": "Be brief."},
    },
    "item.create": {"type": "conversation.item.create", "item": USER},
    "response.create": {"type": "response.create", "response": {"output_modalities": ["audio"]}},
    "audio append (100 ms)": {
        "type": "input_audio_buffer.append",
        "audio": base64.b64encode(b"\x01\x00" * 2400).decode(),
    },
}


def validation() -> None:
    from openapi_client_openai import OpenAIClient

    client = OpenAIClient(spec=SPEC_31, api_key=KEY, base_url="http://127.0.0.1:9/v1")
    conn = client.realtime.connect(model="gpt-realtime")  # not opened: send's check and encoding alone
    session = conn._session
    print("validation per client event, schema and near misses (after first use; budget <= 5 µs)")
    for name, event in EVENTS.items():
        start = time.perf_counter()
        session.catalog.check("ga", event)
        first = (time.perf_counter() - start) * 1000
        check = per_call_us(lambda e=event: session.catalog.check("ga", e), 20000)
        encode = per_call_us(lambda e=event: session.encode(e), 20000)
        print(row(f"{name}: check", check, "µs") + f"   (first use {first:.1f} ms)")
        print(row(f"{name}: check + JSON (send's work)", encode, "µs"))


def first_delta(url: str, n: int = 200) -> None:
    """The mock's time from response.create to the first text delta, seen by a bare websockets
    client (so the time is the server's and the socket's), by ours and by the openai SDK."""
    from websockets.sync.client import connect

    from openapi_client_openai import OpenAIClient

    ws_url = url.replace("http://", "ws://") + "/realtime?model=gpt-realtime"
    create = '{"type":"response.create","response":{"output_modalities":["text"]}}'
    times = []
    with connect(ws_url, additional_headers={"Authorization": f"Bearer {KEY}"}, max_size=None) as ws:
        ws.recv()
        for _ in range(n):
            start = time.perf_counter()
            ws.send(create)
            first = None
            while True:
                message = ws.recv()
                if first is None and '"response.output_text.delta"' in message:
                    first = time.perf_counter() - start
                if '"rate_limits.updated"' in message:
                    break
            times.append(first * 1000)
    bare = statistics.median(times)
    print("mock: response.create -> first text delta, unpaced (budget <= 5 ms)")
    print(row("bare websockets client", bare, "ms"))

    ours = []
    client = OpenAIClient(spec=SPEC_31, api_key=KEY, base_url=url)
    with client.realtime.connect(model="gpt-realtime") as conn:
        for _ in range(n):
            start = time.perf_counter()
            conn.response.create(response={"output_modalities": ["text"]})
            while conn.recv()["type"] != "response.output_text.delta":
                pass
            ours.append((time.perf_counter() - start) * 1000)
            conn.response_final()
    try:
        import openai
    except ImportError:
        print(row("openapi-client-openai", statistics.median(ours), "ms"))
        return
    sdk = []
    with openai.OpenAI(base_url=url, api_key=KEY).realtime.connect(model="gpt-realtime") as conn:
        for _ in range(n):
            start = time.perf_counter()
            conn.response.create(response={"output_modalities": ["text"]})
            for event in conn:
                if event.type == "response.output_text.delta":
                    sdk.append((time.perf_counter() - start) * 1000)
                if event.type == "rate_limits.updated":
                    break
    base = statistics.median(sdk)
    print(row("openai SDK", base, "ms"))
    print(row("openapi-client-openai", statistics.median(ours), "ms", base, "SDK"))


async def _ours(client: Any) -> int:
    async with client.realtime.connect(model="gpt-realtime") as conn:
        await conn.session.update(session=EVENTS["session.update"]["session"])
        await conn.conversation.item.create(item=USER)
        await conn.response.create()
        final = await conn.response_final()
        return len(final["text"])


async def _sdk(client: Any) -> int:
    async with client.realtime.connect(model="gpt-realtime") as conn:
        await conn.session.update(session=EVENTS["session.update"]["session"])  # type: ignore[arg-type]
        await conn.conversation.item.create(item=USER)  # type: ignore[arg-type]
        await conn.response.create()
        text = ""
        async for event in conn:
            if event.type == "response.output_text.delta":
                text += event.delta
            if event.type == "response.done":
                return len(text)
    return 0


def concurrent(url: str, sessions: int = 100) -> None:
    print(f"{sessions} concurrent sessions on one mock worker (connect, update, item, response, done)")
    from openapi_client_openai import AsyncOpenAIClient

    runs: list[tuple[str, Any, Any]] = []
    try:
        import openai

        runs.append(("openai SDK", _sdk, openai.AsyncOpenAI(base_url=url, api_key=KEY)))
    except ImportError:
        pass
    runs.append(("openapi-client-openai", _ours, AsyncOpenAIClient(spec=SPEC_31, api_key=KEY, base_url=url)))
    base = None
    for name, run, client in runs:  # one client each, its sessions at once

        async def all_of(run=run, client=client, n=sessions) -> list:
            return await asyncio.gather(*(run(client) for _ in range(n)), return_exceptions=True)

        asyncio.run(all_of(n=2))  # warm: imports and first uses are not what is measured
        start = time.perf_counter()
        results = asyncio.run(all_of())
        took = (time.perf_counter() - start) * 1000
        errors = [r for r in results if isinstance(r, BaseException) or not r]
        print(row(f"{name}: wall time", took, "ms", base, "SDK") + f"   errors: {len(errors)}")
        if errors:
            print(f"    first error: {errors[0]!r}")
        base = base or took


def main() -> None:
    validation()
    port = free_port()
    proc, _ = start_mock(port)
    try:
        url = f"http://127.0.0.1:{port}/v1"
        first_delta(url)
        concurrent(url)
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    sys.exit(main())
