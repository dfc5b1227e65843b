"""The transport choice: httpx or httpx2, measured on what this client does with it.

Import time (what every first answer pays), time per keep-alive request, and streamed
chunks per second with ``iter_lines`` + ``json.loads`` (64 events per HTTP chunk, and one
per chunk as the real API sends).  The official SDK's streaming rate is shown for scale.

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


def main() -> None:
    """Print import, per-request and streaming figures for httpx and httpx2."""
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
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
