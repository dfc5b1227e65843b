"""Per request, non-streaming, on a keep-alive connection to a local server.

Budgets: at most 0.5x the official SDK's time per request (issue 2), and at most bare httpx's
time, aiming for half of it (issue 10).  Bare httpx and bare httpx2 (the same call without any
client around it) are measured in the same run.

    python benchmarks/per_request.py [N]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile

from _common import CHAT, SPEC_31, local_server, per_call_us, row


def main() -> None:
    """Print the time per chat request for ours (sync and async), the SDK, httpx and httpx2."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    import os

    import httpx
    import openai

    try:
        import httpx2
    except ImportError:
        httpx2 = None
    with local_server() as url, tempfile.TemporaryDirectory() as cache:
        os.environ["OPENAPI_CLIENT_OPENAI_CACHE_DIR"] = cache
        from openapi_client_openai import AsyncOpenAIClient, OpenAIClient

        headers = {"Authorization": "Bearer sk-bench"}
        h1 = httpx.Client()
        bare = per_call_us(lambda: h1.post(url + "/chat/completions", json=CHAT, headers=headers).json(), n)
        bare2 = None
        if httpx2 is not None:
            h2 = httpx2.Client()
            bare2 = per_call_us(lambda: h2.post(url + "/chat/completions", json=CHAT, headers=headers).json(), n)
        sdk_client = openai.OpenAI(api_key="sk-bench", base_url=url)
        sdk = per_call_us(lambda: sdk_client.chat.completions.create(**CHAT), n // 2)
        ours_client = OpenAIClient(spec=SPEC_31, api_key="sk-bench", base_url=url)
        ours = per_call_us(lambda: ours_client.createChatCompletion(body=CHAT).json(), n)

        async def async_loop(count: int) -> float:
            import time

            async with AsyncOpenAIClient(spec=SPEC_31, api_key="sk-bench", base_url=url) as c:
                for _ in range(200):
                    (await c.createChatCompletion(body=CHAT)).json()
                start = time.perf_counter()
                for _ in range(count):
                    (await c.createChatCompletion(body=CHAT)).json()
                return (time.perf_counter() - start) / count * 1e6

        async def async_sdk(count: int) -> float:
            import time

            c = openai.AsyncOpenAI(api_key="sk-bench", base_url=url)
            for _ in range(100):
                await c.chat.completions.create(**CHAT)
            start = time.perf_counter()
            for _ in range(count):
                await c.chat.completions.create(**CHAT)
            return (time.perf_counter() - start) / count * 1e6

        ours_async = asyncio.run(async_loop(n))
        sdk_async = asyncio.run(async_sdk(n // 2))
    print(f"per non-streaming chat request, keep-alive, local server, {n} requests")
    print(row("openai SDK", sdk, "us"))
    print(row("bare httpx Client.post + json", bare, "us", sdk, "SDK"))
    if bare2 is not None:
        print(row("bare httpx2 Client.post + json", bare2, "us", sdk, "SDK"))
    print(row("openapi-client-openai OpenAIClient", ours, "us", sdk, "SDK   (budget <= 0.5x)"))
    print(row("  ... over bare httpx", ours, "us", bare, "httpx (budget <= 1x, aim 0.5x)"))
    print(row("openai SDK AsyncOpenAI", sdk_async, "us"))
    print(row("openapi-client-openai AsyncOpenAIClient", ours_async, "us", sdk_async, "SDK async"))


if __name__ == "__main__":
    main()
