"""First load of a spec with a cold cache: read, parse the YAML, compile and store the index.

Budget (issue 2): under 1.5 s for the 3 MB OpenAPI 3.1 spec.  The warm start that follows
is shown beside it, and the SDK's import + construct for scale (it has no spec to load).

    python benchmarks/cold_load.py [RUNS]
"""

from __future__ import annotations

import shutil
import sys
import tempfile

from _common import SPEC_30, SPEC_31, row, run_child

LOAD = """
import time
t = time.perf_counter()
from openapi_client_openai import OpenAIClient
c = OpenAIClient(spec={spec!r}, api_key="sk-bench")
print((time.perf_counter() - t) * 1000)
"""
SDK = """
import time
t = time.perf_counter()
import openai
openai.OpenAI(api_key="sk-bench")
print((time.perf_counter() - t) * 1000)
"""


def main() -> None:
    """Print cold and warm load times for both fixture specs."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    sdk = run_child(SDK, runs)[1]
    print(f"loading a spec, median of {runs} processes")
    print(row("openai SDK import + construct (for scale)", sdk, "ms"))
    for spec in (SPEC_30, SPEC_31):
        colds = []
        for _ in range(runs):
            cache = tempfile.mkdtemp()
            colds.append(run_child(LOAD.format(spec=str(spec)), 1, {"OPENAPI_CLIENT_OPENAI_CACHE_DIR": cache})[1])
            warm = run_child(LOAD.format(spec=str(spec)), runs, {"OPENAPI_CLIENT_OPENAI_CACHE_DIR": cache})[1]
            shutil.rmtree(cache)
        cold = sorted(colds)[len(colds) // 2]
        size = spec.stat().st_size / 1e6
        print(row(f"{spec.name} ({size:.1f} MB) cold cache", cold, "ms", sdk, "SDK   (budget < 1500 ms)"))
        print(row(f"{spec.name} warm cache", warm, "ms", sdk, "SDK"))


if __name__ == "__main__":
    main()
