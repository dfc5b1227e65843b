"""Start-up: import + construct a client + resolve an operation, warm cache, vs the official SDK.

Budget (issue 2): at most 0.1x the SDK's import + construct time and at most half its peak RSS.
Each figure is the median of several fresh processes; the in-process time runs from just
before the first import, so the interpreter's own start (the same for both) is left out,
and the wall time of the whole process is shown beside it.

    python benchmarks/startup.py [RUNS]
"""

from __future__ import annotations

import sys
import tempfile

from _common import SPEC_31, row, run_child

OURS = f"""
import time
t = time.perf_counter()
from openapi_client_openai import OpenAIClient
c = OpenAIClient(spec={str(SPEC_31)!r}, api_key="sk-bench")
m = c.create_chat_completion
print((time.perf_counter() - t) * 1000)
"""
SDK = """
import time
t = time.perf_counter()
import openai
c = openai.OpenAI(api_key="sk-bench")
m = c.chat.completions.create
print((time.perf_counter() - t) * 1000)
"""
HTTPX = """
import time
t = time.perf_counter()
import httpx
c = httpx.Client()
print((time.perf_counter() - t) * 1000)
"""
BARE = """
import time
print(0.0)
"""


def main() -> None:
    """Print start-up times and peak RSS for our client, the SDK and bare httpx, as ratios."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with tempfile.TemporaryDirectory() as cache:
        env = {"OPENAPI_CLIENT_OPENAI_CACHE_DIR": cache}
        run_child(OURS, 1, env)  # fill the cache: the budget is for a warm start
        ours = run_child(OURS, runs, env)
    sdk = run_child(SDK, runs)
    httpx = run_child(HTTPX, runs)
    bare = run_child(BARE, runs)
    print(f"start-up, warm cache, median of {runs} processes (python {sys.version.split()[0]})")
    print("in-process: import + construct + resolve an operation")
    print(row("openai SDK (import openai; OpenAI())", sdk[1], "ms"))
    print(row("httpx (import httpx; Client())", httpx[1], "ms", sdk[1], "SDK"))
    print(row("openapi-client-openai", ours[1], "ms", sdk[1], "SDK   (budget <= 0.05x)"))
    print("whole process (interpreter start included)")
    print(row("python -c pass", bare[0], "ms"))
    print(row("openai SDK", sdk[0], "ms"))
    print(row("openapi-client-openai", ours[0], "ms", sdk[0], "SDK"))
    print("peak RSS")
    print(row("python -c pass", bare[2], "MiB"))
    print(row("openai SDK", sdk[2], "MiB"))
    print(row("openapi-client-openai", ours[2], "MiB", sdk[2], "SDK   (budget <= 0.5x)"))


if __name__ == "__main__":
    main()
