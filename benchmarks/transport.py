"""The transport choices, measured on what this client does with them.

1. Which stack carries our requests: our lean HTTP/1.1 stack or httpx (the one we keep for
   proxies and users' own clients), per keep-alive chat request through ``OpenAIClient`` and
   ``AsyncOpenAIClient``, over http and over TLS (a throwaway certificate for 127.0.0.1).
2. httpx or httpx2 underneath: import time (what every first answer pays), time per
   keep-alive request, and streamed chunks per second with ``iter_lines`` + ``json.loads``
   (64 events per HTTP chunk, and one per chunk as the real API sends).  The official SDK's
   streaming rate is shown for scale.

    python benchmarks/transport.py [EVENTS]
"""

from __future__ import annotations

import json
import sys
import time

from _common import CHAT, local_server, per_call_us, row, run_child

STREAM_BODY = {**CHAT, "stream": True}


def import_ms(module: str) -> float:
    code = f"import time\nt = time.perf_counter()\nimport {module}\nprint((time.perf_counter() - t) * 1000)"
    return run_child(code, 7)[1]


def stream_rate(client, url: str, events: int) -> float:
    start = time.perf_counter()
    count = 0
    with client.stream("POST", url + "/chat/completions", json=STREAM_BODY) as resp:
        for line in resp.iter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                json.loads(line[6:])
                count += 1
    assert count == events, count
    return count / (time.perf_counter() - start)


def sdk_rate(url: str, events: int) -> float:
    import openai

    c = openai.OpenAI(api_key="sk-bench", base_url=url)
    start = time.perf_counter()
    count = sum(1 for _ in c.chat.completions.create(**CHAT, stream=True))
    assert count == events, count
    return count / (time.perf_counter() - start)


def stacks(n: int = 2000) -> None:
    """Print our client's time per request on each stack, sync and async, http and https."""
    import asyncio
    import os
    import tempfile

    import httpx

    from _common import SPEC_31

    os.environ.setdefault("OPENAPI_CLIENT_OPENAI_CACHE_DIR", tempfile.mkdtemp())
    from openapi_client_openai import AsyncOpenAIClient, OpenAIClient

    def sync_us(url: str, http_client) -> float:
        with OpenAIClient(spec=SPEC_31, api_key="sk-bench", base_url=url, http_client=http_client) as c:
            return per_call_us(lambda: c.createChatCompletion(body=CHAT).json(), n)

    def async_us(url: str, make_client) -> float:
        async def loop() -> float:
            options = {"spec": SPEC_31, "api_key": "sk-bench", "base_url": url, "http_client": make_client()}
            async with AsyncOpenAIClient(**options) as c:
                for _ in range(200):
                    (await c.createChatCompletion(body=CHAT)).json()
                start = time.perf_counter()
                for _ in range(n):
                    (await c.createChatCompletion(body=CHAT)).json()
                return (time.perf_counter() - start) / n * 1e6

        return asyncio.run(loop())

    for tls in (False, True):
        with local_server(tls=tls) as url:
            scheme = "https" if tls else "http"
            print(f"our client per keep-alive chat request over {scheme}: which stack carries it")
            lean = sync_us(url, None)
            over_httpx = sync_us(url, httpx.Client())
            print(row("OpenAIClient on httpx", over_httpx, "us"))
            print(row("OpenAIClient on the lean stack", lean, "us", over_httpx, "httpx"))
            lean_async = async_us(url, lambda: None)
            httpx_async = async_us(url, httpx.AsyncClient)
            print(row("AsyncOpenAIClient on httpx", httpx_async, "us"))
            print(row("AsyncOpenAIClient on the lean stack", lean_async, "us", httpx_async, "httpx"))


def main() -> None:
    """Print the stack choice, then import, per-request and streaming figures for httpx and httpx2."""
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    stacks()
    import httpx
    import httpx2

    libs = {"httpx": httpx, "httpx2": httpx2}
    print("import time, median of 7 processes")
    for name in libs:
        print(row(f"import {name}", import_ms(name), "ms"))
    with local_server(events, 64) as url:
        print("per keep-alive chat request")
        for name, lib in libs.items():
            c = lib.Client()
            print(
                row(
                    f"{name} Client.post + json",
                    per_call_us(lambda c=c: c.post(url + "/chat/completions", json=CHAT).json(), 2000),
                    "us",
                )
            )
        print(f"streaming {events} chat chunks, 64 events per HTTP chunk")
        sdk = sdk_rate(url, events)
        print(row("openai SDK", sdk / 1000, "k chunks/s"))
        for name, lib in libs.items():
            print(
                row(
                    f"{name} iter_lines + json.loads",
                    stream_rate(lib.Client(), url, events) / 1000,
                    "k chunks/s",
                    sdk / 1000,
                    "SDK",
                )
            )
    with local_server(events // 4, 1) as url:
        print(f"streaming {events // 4} chat chunks, 1 event per HTTP chunk")
        sdk = sdk_rate(url, events // 4)
        print(row("openai SDK", sdk / 1000, "k chunks/s"))
        for name, lib in libs.items():
            print(
                row(
                    f"{name} iter_lines + json.loads",
                    stream_rate(lib.Client(), url, events // 4) / 1000,
                    "k chunks/s",
                    sdk / 1000,
                    "SDK",
                )
            )


if __name__ == "__main__":
    main()
