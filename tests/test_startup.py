"""Start-up stays lean: what construction imports and loads (structure, not timing).

Timings live in benchmarks/startup.py; these tests catch the regressions that cause them:
an eager import of the transport, the YAML parser or typing, or loading the CA bundle
for a plain-http base URL.
"""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import SPEC_31

CHECK = f"""
import sys
from openapi_client_openai import OpenAIClient
c = OpenAIClient(spec={str(SPEC_31)!r}, api_key="sk-x")
c.create_chat_completion, c.listFiles
heavy = sorted(m for m in ("httpx", "httpcore", "yaml", "typing", "ssl", "json", "platformdirs", "rich", "anyio",
                            "jsonschema_rs", "orjson")
               if m in sys.modules)
print(",".join(heavy))
"""

TLS = """
import ssl, sys
loads = []
original = ssl.SSLContext.load_verify_locations
def counting(self, *a, **k):
    loads.append(1)
    return original(self, *a, **k)
ssl.SSLContext.load_verify_locations = counting
from openapi_client_openai._transports import open_transport
from openapi_client_openai._transports.httpx import HttpxTransport, make_sync_client
make_sync_client(sys.argv[1])  # the httpx stack, as with a proxy
transport = open_transport(sys.argv[1])  # the lean stack: TLS only once it connects
assert type(transport).__name__ == "LeanTransport"
print(len(loads))
"""


def _run(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=dict(os.environ), timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_construct_and_resolve_import_nothing_heavy() -> None:
    _run(CHECK)  # warm the cache
    assert _run(CHECK) == ""


def test_plain_http_base_url_loads_no_ca_bundle() -> None:
    assert _run(TLS, "http://127.0.0.1:1/v1") == "0"
    assert int(_run(TLS, "https://api.openai.com/v1")) == 1  # httpx's client loads it; lean waits


HTTPX_CLI = """
import sys
from openapi_client_openai._transports.httpx import make_sync_client
make_sync_client("http://127.0.0.1:1/v1").close()
before = "click" in sys.modules or "rich" in sys.modules or "pygments" in sys.modules
import contextlib, io, httpx
with contextlib.redirect_stdout(io.StringIO()) as help_text:
    httpx.main(["--help"], standalone_mode=False)
print(before, "click" in sys.modules, "Usage" in help_text.getvalue())
"""


def test_httpx_command_line_loads_only_when_called() -> None:
    # httpx imports click/rich/pygments eagerly when installed; our stand-in defers that
    # import until httpx.main() runs, and then hands over to the real command line.
    assert _run(HTTPX_CLI) == "False True True"
