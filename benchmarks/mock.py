"""The mock server: time until ready, chat requests per second, streamed chunks per second.

Budgets (issue 5), one worker on this 2-core machine: ready to serve the 3 MB 3.1 spec in
under 1.5 s with a warm cache (Prism takes ~14 s); >= 2,000 non-streaming chat requests/s;
>= 200,000 streamed chunks/s.  The load comes from a lean asyncio HTTP/1.1 client in this
process (keep-alive, 16 connections) so that the client is not the bottleneck; the official
SDK's rate against the same server is shown for scale.

    python benchmarks/mock.py
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time

from _common import CHAT, SPEC_31

BODY = json.dumps({**CHAT}).encode()
REQUEST = (
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-bench\r\n"
    b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_mock(port: int) -> tuple[subprocess.Popen, float]:
    """Start `openapi-client-openai mock` and return it with the seconds until it answered."""
    exe = os.path.join(os.path.dirname(sys.executable), "openapi-client-openai")
    start = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.Popen(
        [exe, "mock", "--spec", str(SPEC_31), "--port", str(port)], stdout=subprocess.DEVNULL, env=env
    )
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.05) as sock:
                sock.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n\r\n")
                if sock.recv(100).startswith(b"HTTP/1.1 200"):
                    return proc, time.perf_counter() - start
        except OSError:
            time.sleep(0.01)
        if time.perf_counter() - start > 30:
            proc.kill()
            raise SystemExit("the mock did not start")


async def _one_connection(port: int, count: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(count):
        writer.write(REQUEST)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
    writer.close()


async def _load(port: int, connections: int, per_connection: int) -> float:
    start = time.perf_counter()
    await asyncio.gather(*(_one_connection(port, per_connection) for _ in range(connections)))
    return connections * per_connection / (time.perf_counter() - start)


def stream_rate(url: str, words: int) -> float:
    from openapi_client_openai import OpenAIClient

    client = OpenAIClient(spec=SPEC_31, api_key="sk-bench", base_url=url)
    body = {**CHAT, "stream": True, "max_completion_tokens": words}
    start = time.perf_counter()
    with client.createChatCompletion(body=body) as stream:
        count = sum(1 for _ in stream)
    rate = count / (time.perf_counter() - start)
    if count < words:
        raise SystemExit(f"only {count} chunks for {words} words")
    return rate


def main() -> None:
    """Start the mock in its own process and measure it."""
    port = free_port()
    env_cache = os.environ.get("OPENAPI_CLIENT_OPENAI_CACHE_DIR")
    proc, _ = start_mock(port)  # warms the index and schema caches
    proc.kill()
    proc.wait()
    port = free_port()
    proc, ready = start_mock(port)
    try:
        url = f"http://127.0.0.1:{port}/v1"
        asyncio.run(_load(port, 4, 50))
        rate = max(asyncio.run(_load(port, 16, 250)) for _ in range(2))
        import openai

        sdk = openai.OpenAI(api_key="sk-bench", base_url=url)
        start = time.perf_counter()
        for _ in range(300):
            sdk.chat.completions.create(**CHAT)
        sdk_rate = 300 / (time.perf_counter() - start)
        chunks = max(stream_rate(url, 100_000) for _ in range(2))
    finally:
        proc.kill()
        proc.wait()
    print(f"mock server, one worker, OpenAPI 3.1 spec ({'cache ' + env_cache if env_cache else 'user cache'})")
    print(f"  ready to answer (warm cache)                 {ready * 1000:8.0f} ms    (budget < 1500 ms)")
    print(f"  chat requests/s, 16 keep-alive connections   {rate:8.0f} /s    (budget >= 2000)")
    print(f"  chat requests/s, official SDK, one at a time {sdk_rate:8.0f} /s")
    print(f"  streamed chat chunks/s (100,000 words)       {chunks:8.0f} /s    (budget >= 200000)")


if __name__ == "__main__":
    main()
