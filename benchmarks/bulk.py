"""Bulk runs: throughput against a bare httpx asyncio loop, and memory against input size.

Budgets (issue 7): `bulk run` of 20,000 chat requests against the mock at least 0.8x a bare
httpx asyncio loop at the same concurrency; peak RSS the same for 10,000 and 1,000,000 input
lines (the 1,000,000-line file is generated; its run is cut after a fixed number of answers,
since what is measured is memory while the input streams).

    python benchmarks/bulk.py [REQUESTS]
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time

from _common import SPEC_31

CONCURRENCY = 16
LINE = {
    "method": "POST",
    "url": "/v1/chat/completions",
    "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello!"}]},
}


def write_input(path: str, count: int) -> None:
    with open(path, "w") as f:
        for i in range(count):
            f.write(json.dumps({"custom_id": f"req-{i}", **LINE}) + "\n")


def start_mock() -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    exe = os.path.join(os.path.dirname(sys.executable), "openapi-client-openai")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.Popen(
        [exe, "mock", "--spec", str(SPEC_31), "--port", str(port)], stdout=subprocess.DEVNULL, env=env
    )
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.05).close()
            break
        except OSError:
            time.sleep(0.02)
    return proc, f"http://127.0.0.1:{port}/v1"


BARE = """
import asyncio, json, sys, time, httpx
path, url, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3])
async def main():
    lines = open(path, "rb")
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency), timeout=60) as client:
        async def worker():
            for line in lines:
                request = json.loads(line)
                r = await client.post(url + request["url"][3:], json=request["body"],
                                      headers={"Authorization": "Bearer sk-bench"})
                r.json()
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        print(time.perf_counter() - start)
asyncio.run(main())
"""

OURS = """
import os, resource, sys, time
from openapi_client_openai import AsyncOpenAIClient
from openapi_client_openai._bulk import run
path, out, url, concurrency, spec = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
client = AsyncOpenAIClient(spec=spec, api_key="sk-bench", base_url=url)
start = time.perf_counter()
summary = run(path, out, client, concurrency=concurrency, progress=False)
print(time.perf_counter() - start, summary.done, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def main() -> None:
    """Measure throughput and memory; print ratios."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc, url = start_mock()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "in.jsonl")
            write_input(path, count)
            bare = float(
                subprocess.run(
                    [sys.executable, "-c", BARE, path, url, str(CONCURRENCY)],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                ).stdout
            )
            done = subprocess.run(
                [sys.executable, "-c", OURS, path, os.path.join(tmp, "out.jsonl"), url, str(CONCURRENCY), str(SPEC_31)],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            ).stdout.split()
            ours, sent = float(done[0]), int(done[1])
            assert sent == count, (sent, count)
            rss = {}
            for lines in (10_000, 1_000_000):
                big = os.path.join(tmp, f"in-{lines}.jsonl")
                write_input(big, lines)
                out = os.path.join(tmp, f"out-{lines}.jsonl")
                # Answers for all but the last 5,000 lines are already "written": the run checks and
                # streams the whole input, then sends 5,000 requests - memory is what is measured.
                with open(big, "rb") as src, open(out, "wb") as dst:
                    for i, line in enumerate(src):
                        if i >= lines - 5000:
                            break
                        custom_id = json.loads(line)["custom_id"]
                        dst.write(
                            json.dumps({"id": "x", "custom_id": custom_id, "response": None, "error": None}).encode()
                            + b"\n"
                        )
                result = subprocess.run(
                    [sys.executable, "-c", OURS, big, out, url, str(CONCURRENCY), str(SPEC_31)],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                ).stdout.split()
                rss[lines] = float(result[2])
    finally:
        proc.kill()
        proc.wait()
    print(f"bulk run of {count} chat requests against the mock, concurrency {CONCURRENCY}")
    print(f"  bare httpx asyncio loop          {count / bare:8.0f} req/s")
    print(f"  openapi-client-openai bulk run   {count / ours:8.0f} req/s   {bare / ours:5.2f}x bare   (budget >= 0.8x)")
    print(f"  peak RSS, 10,000-line input      {rss[10_000]:8.1f} MiB")
    print(
        f"  peak RSS, 1,000,000-line input   {rss[1_000_000]:8.1f} MiB   "
        f"{rss[1_000_000] / rss[10_000]:5.2f}x   (ids live in SQLite on disk; budget: the same)"
    )


if __name__ == "__main__":
    main()
