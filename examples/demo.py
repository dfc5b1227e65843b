"""A short session that needs no key and no network: the spec, then real calls to the mock.

    python examples/demo.py            # with no OPENAI_API_KEY: against the bundled mock server
    python examples/demo.py --live     # with OPENAI_API_KEY set: against the real API

The mock (``openapi_client_openai.mock``) serves the same spec on 127.0.0.1, answers like the
API (streams included), and stops when the session ends.
"""

from __future__ import annotations

import contextlib
import os
import sys

from openapi_client_openai import OpenAIClient

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello in five words."}]}


def main() -> int:
    """Run the session; return the exit status."""
    live = "--live" in sys.argv
    if live and not os.environ.get("OPENAI_API_KEY"):
        print("--live needs OPENAI_API_KEY set", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        if live:
            client = OpenAIClient()
            where = "the OpenAI API"
        else:
            from openapi_client_openai.mock import MockServer

            url = stack.enter_context(MockServer())
            client = OpenAIClient(base_url=url, api_key="sk-demo-not-a-real-key")
            where = f"the mock server at {url}"
        stack.enter_context(client)
        spec = client.spec
        print(
            f"== {spec.data['title']} {spec.data['version']} (OpenAPI {spec.data['openapi']}): "
            f"{len(spec.operation_ids)} operations, from {spec.origin}"
        )
        print("== chat operations:")
        for name in spec.operation_ids:
            op = client.operation(name)
            if "/chat/" in op.path:
                print(f"   {op.method:<7} {op.path:<45} {name}")
        print(f"== calling {where}")
        result = client.create_chat_completion(**CHAT)
        answer = result.json()["choices"][0]["message"]["content"]
        print(f"   {result.status_code} {result.request_id}: {answer}")
        print(f"   rate limits: {result.rate_limits}")
        print("== the same, streamed as it arrives:")
        print("   ", end="")
        with client.create_chat_completion(**CHAT, stream=True) as stream:
            for piece in stream.iter_text():
                print(piece, end="", flush=True)
        print()
        problems = client.validate("createChatCompletion", body={"model": "gpt-4o-mini", "temperature": 5})
        print("== a request the spec refuses is stopped before it is sent:")
        for problem in problems:
            print(f"   {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
