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
                            "jsonschema_rs", "orjson", "pydantic", "pydantic_core", "openapi_client_openai._parse",
                            "openapi_client_openai._tools", "openapi_client_openai._wait",
                            "openapi_client_openai.conform")
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


PLAIN_CALLS = """
import json, sys, threading
from http.server import BaseHTTPRequestHandler, HTTPServer

class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["content-length"]))
        body = json.dumps({"id": "c", "object": "chat.completion", "created": 1, "model": "m", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "{}"}, "finish_reason": "stop"}]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

server = HTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
from openapi_client_openai import OpenAIClient, function_tool, strict_schema, RefusalError
c = OpenAIClient(spec=sys.argv[1], api_key="sk-x", base_url=f"http://127.0.0.1:{server.server_port}/v1")
tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}
fmt = {"type": "json_object"}
c.create_chat_completion(model="m", messages=[{"role": "user", "content": "hi"}], tools=[tool], response_format=fmt)
before = "pydantic" in sys.modules
c.parse("createChatCompletion", model="m", messages=[{"role": "user", "content": "hi"}], response_format=fmt)
again = c.parse("createChatCompletion", model="m", messages=[{"role": "user", "content": "x"}], response_format=fmt)
print(before, "pydantic" in sys.modules, again.parsed)
"""


def test_pydantic_is_imported_only_by_calls_that_use_python_types() -> None:
    # Structured outputs and tools given as JSON (and parse() of a JSON format) never need
    # pydantic; the names function_tool and strict_schema resolve without importing it either.
    assert _run(PLAIN_CALLS, str(SPEC_31)) == "False False {}"
