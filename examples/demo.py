"""A tour that needs no key and no network: the spec, its operations, and one real call.

    python examples/demo.py            # offline: calls a throwaway server on 127.0.0.1
    python examples/demo.py --live     # with OPENAI_API_KEY set: calls the real API

Offline, the call goes to a tiny HTTP server started here on 127.0.0.1 that answers like
the chat completions endpoint, so you can see exactly what the client sends and returns.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from openapi_client_openai import OpenAIClient

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello in five words."}]}


class _ChatHandler(BaseHTTPRequestHandler):
    """Answers POST /v1/chat/completions with a completion that echoes the request."""

    protocol_version = "HTTP/1.1"
    seen: list[dict] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        headers = {k: ("Bearer <hidden>" if k.lower() == "authorization" else v) for k, v in self.headers.items()}
        self.seen.append({"method": self.command, "path": self.path, "headers": headers, "body": body})
        words = body["messages"][-1]["content"].split()
        answer = {
            "id": "chatcmpl-demo",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": f"Hello! You sent {len(words)} words."},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": len(words), "completion_tokens": 5, "total_tokens": len(words) + 5},
        }
        data = json.dumps(answer).encode()
        self.send_response(200)
        for key, value in {
            "content-type": "application/json",
            "content-length": str(len(data)),
            "x-request-id": "req_demo_1",
            "x-ratelimit-remaining-requests": "4999",
            "x-ratelimit-reset-requests": "12ms",
        }.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


def main() -> int:
    """Run the tour; return the exit status."""
    live = "--live" in sys.argv
    if live and not os.environ.get("OPENAI_API_KEY"):
        print("--live needs OPENAI_API_KEY set", file=sys.stderr)
        return 2
    server = None
    if not live:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _ChatHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        client = OpenAIClient(base_url=base_url, api_key="sk-demo-not-a-real-key")
    else:
        client = OpenAIClient()

    spec = client.spec
    print(
        f"== spec: {spec.data['title']} {spec.data['version']} (OpenAPI {spec.data['openapi']}), "
        f"{len(spec.operation_ids)} operations, from {spec.origin}"
    )
    print("\n== operations about chat:")
    for name in spec.operation_ids:
        op = client.operation(name)
        if "/chat/" in op.path:
            print(f"  {op.method:<7} {op.path:<45} {name}")
    print("\n== help(client.create_chat_completion):")
    print("  " + client.create_chat_completion.__doc__.replace("\n", "\n  "))

    with client:
        result = client.create_chat_completion(**CHAT)
    print(f"\n== the call ({'live API' if live else 'local server ' + client.base_url}):")
    print(f"  status {result.status_code}, request id {result.request_id}")
    print(f"  rate limits: {result.rate_limits}")
    print(f"  answer: {result.json()['choices'][0]['message']['content']}")
    if server is not None:
        print("\n== what went on the wire:")
        print("  " + json.dumps(_ChatHandler.seen[-1], indent=2).replace("\n", "\n  "))
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
