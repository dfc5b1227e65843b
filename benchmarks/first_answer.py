"""Time to first answer: a whole process imports, constructs, makes one call and exits.

Budget (issue 2): at most 0.25x the official SDK's.  The call goes to a local keep-alive
server (benchmarks/_server.py) so that the network is out of the picture.

    python benchmarks/first_answer.py [RUNS]
"""

from __future__ import annotations

import sys
import tempfile

from _common import CHAT, SPEC_31, local_server, row, run_child

OURS = """
import time
t = time.perf_counter()
from openapi_client_openai import OpenAIClient
c = OpenAIClient(spec={spec!r}, api_key="sk-bench", base_url={url!r})
r = c.createChatCompletion(body={chat!r})
assert r.json()["choices"][0]["message"]["content"]
print((time.perf_counter() - t) * 1000)
"""
SDK = """
import time
t = time.perf_counter()
import openai
c = openai.OpenAI(api_key="sk-bench", base_url={url!r})
r = c.chat.completions.create(**{chat!r})
assert r.choices[0].message.content
print((time.perf_counter() - t) * 1000)
"""
HTTPX = """
import time
t = time.perf_counter()
import httpx
r = httpx.post({url!r} + "/chat/completions", json={chat!r}, headers={{"Authorization": "Bearer sk-bench"}})
assert r.json()["choices"][0]["message"]["content"]
print((time.perf_counter() - t) * 1000)
"""


def main() -> None:
    """Print whole-process times to a first answer for ours, the SDK and bare httpx."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with local_server() as url, tempfile.TemporaryDirectory() as cache:
        env = {"OPENAPI_CLIENT_OPENAI_CACHE_DIR": cache}
        fmt = {"url": url, "chat": CHAT, "spec": str(SPEC_31)}
        run_child(OURS.format(**fmt), 1, env)
        ours = run_child(OURS.format(**fmt), runs, env)
        sdk = run_child(SDK.format(**fmt), runs)
        httpx = run_child(HTTPX.format(**fmt), runs)
    print(f"time to first answer, warm cache, median of {runs} processes")
    print("whole process (interpreter start to exit)")
    print(row("openai SDK", sdk[0], "ms"))
    print(row("bare httpx.post", httpx[0], "ms", sdk[0], "SDK"))
    print(row("openapi-client-openai", ours[0], "ms", sdk[0], "SDK   (budget <= 0.2x)"))
    print("in-process: first import to answer")
    print(row("openai SDK", sdk[1], "ms"))
    print(row("bare httpx.post", httpx[1], "ms", sdk[1], "SDK"))
    print(row("openapi-client-openai", ours[1], "ms", sdk[1], "SDK"))


if __name__ == "__main__":
    main()
