"""Streaming chat chunks from a local server: ours against the official SDK and bare httpx.

Budgets (issue 3):
- 64 events per HTTP chunk: >= 15x the SDK's chunks/s and >= 0.7x bare httpx iter_lines + json.loads;
- 1 event per HTTP chunk (as the real API sends): >= bare httpx iter_lines + json.loads;
- 500 concurrent async streams of 200 chunks: wall time <= 1.2x bare httpx AsyncClient + aiter_lines.
Every run counts its chunks: a short count fails the benchmark.  "ours via httpx" is the
path taken when a proxy is configured (the lean reader off), kept to show what it buys.

    python benchmarks/streaming.py [EVENTS] [CONCURRENT]
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import tempfile
import time

from _common import CHAT, SPEC_31, local_server, row

STREAM = {**CHAT, "stream": True}


def best_rate(fn, events: int, rounds: int = 3) -> float:
    """Best chunks/s of a few rounds (the machine is shared; the best is the least disturbed)."""
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        count = fn()
        elapsed = time.perf_counter() - start
        if count != events:
            raise SystemExit(f"delivered {count} of {events} chunks")
        rates.append(count / elapsed)
    return max(rates)


def sync_case(url: str, events: int) -> dict[str, float]:
    import httpx
    import openai

    from openapi_client_openai import OpenAIClient

    sdk = openai.OpenAI(api_key="sk-bench", base_url=url)
    bare = httpx.Client()

    def run_sdk() -> int:
        return sum(1 for _ in sdk.chat.completions.create(**STREAM))

    def run_bare() -> int:
        count = 0
        with bare.stream("POST", url + "/chat/completions", json=STREAM) as resp:
            for line in resp.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    json.loads(line[6:])
                    count += 1
        return count

    ours = OpenAIClient(spec=SPEC_31, api_key="sk-bench", base_url=url)

    def run_ours() -> int:
        count = 0
        with ours.createChatCompletion(body=STREAM) as stream:
            for _ in stream:
                count += 1
        return count

    ours_httpx = OpenAIClient(spec=SPEC_31, api_key="sk-bench", base_url=url, http_client=httpx.Client())

    def run_ours_httpx() -> int:  # the httpx stack, as with a proxy or the user's own client
        count = 0
        with ours_httpx.createChatCompletion(body=STREAM) as stream:
            for _ in stream:
                count += 1
        return count

    return {
        "sdk": best_rate(run_sdk, events, 1),
        "bare": best_rate(run_bare, events),
        "ours": best_rate(run_ours, events),
        "ours_httpx": best_rate(run_ours_httpx, events),
    }


async def async_case(url: str, streams: int, events: int) -> dict[str, float]:
    import httpx

    from openapi_client_openai import AsyncOpenAIClient

    async def bare_one(client: httpx.AsyncClient) -> int:
        count = 0
        async with client.stream("POST", url + "/chat/completions", json=STREAM) as resp:
            async for line in resp.aiter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    json.loads(line[6:])
                    count += 1
        return count

    async def ours_one(client: AsyncOpenAIClient) -> int:
        count = 0
        async with await client.createChatCompletion(body=STREAM) as stream:
            async for _ in stream:
                count += 1
        return count

    limits = httpx.Limits(max_connections=streams, max_keepalive_connections=streams)
    out = {}
    for name in ("bare", "ours", "bare", "ours"):  # twice each, alternating; keep the best
        start = time.perf_counter()
        if name == "bare":
            async with httpx.AsyncClient(limits=limits, timeout=60) as client:
                counts = await asyncio.gather(*(bare_one(client) for _ in range(streams)))
        else:
            async with AsyncOpenAIClient(spec=SPEC_31, api_key="sk-bench", base_url=url, timeout=60) as client:
                counts = await asyncio.gather(*(ours_one(client) for _ in range(streams)))
        elapsed = time.perf_counter() - start
        if sum(counts) != streams * events:
            raise SystemExit(f"{name}: delivered {sum(counts)} of {streams * events} chunks")
        out[name] = min(out.get(name, elapsed), elapsed)
    return out


def main() -> None:
    """Run the three streaming cases and print rates and ratios."""
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    concurrent = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    os.environ["OPENAPI_CLIENT_OPENAI_CACHE_DIR"] = tempfile.mkdtemp()
    for per_chunk in (64, 1):
        with local_server(events, per_chunk) as url:
            r = sync_case(url, events)
        print(f"{events} chat chunks, {per_chunk} event(s) per HTTP chunk, chunks/s (best of 3)")
        print(row("openai SDK", r["sdk"] / 1000, "k/s"))
        print(row("bare httpx iter_lines + json.loads", r["bare"] / 1000, "k/s", r["sdk"] / 1000, "SDK"))
        print(row("openapi-client-openai", r["ours"] / 1000, "k/s", r["sdk"] / 1000, "SDK"))
        print(row("  ... against bare httpx", r["ours"] / 1000, "k/s", r["bare"] / 1000, "bare httpx"))
        print(
            row(
                "openapi-client-openai via httpx (proxy set)",
                r["ours_httpx"] / 1000,
                "k/s",
                r["bare"] / 1000,
                "bare httpx",
            )
        )
    per_stream = 200
    with local_server(per_stream, 1) as url:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        r = asyncio.run(async_case(url, concurrent, per_stream))
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{concurrent} concurrent async streams x {per_stream} chunks, 1 event per HTTP chunk, wall time (best of 2)")
    print(row("bare httpx AsyncClient + aiter_lines", r["bare"] * 1000, "ms"))
    print(
        row(
            "openapi-client-openai AsyncOpenAIClient",
            r["ours"] * 1000,
            "ms",
            r["bare"] * 1000,
            "bare httpx (budget <= 1.2x)",
        )
    )
    print(row("peak RSS before / after the async case", before, "MiB"))
    print(row("", after, "MiB"))


if __name__ == "__main__":
    main()
