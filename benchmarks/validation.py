"""Request validation: cost per chat body after first use, and the cost of first use.

Budget (issue 4): a typical chat body in at most 5 µs after first use; first use of the
chat operation's validator at most 50 ms (from the schema cache, never the YAML); start-up
unchanged.  The same normalised schema is given to jsonschema, fastjsonschema and
jsonschema-rs to show why the compiled one was chosen.

    python benchmarks/validation.py
"""

from __future__ import annotations

import os
import sys
import tempfile

from _common import CHAT, SPEC_31, per_call_us, row, run_child

FIRST_USE = f"""
import time
from openapi_client_openai import OpenAIClient
c = OpenAIClient(spec={str(SPEC_31)!r}, api_key="sk-bench")
t = time.perf_counter()
assert c.validate("createChatCompletion", body={CHAT!r}) == []
print((time.perf_counter() - t) * 1000)
"""

BODY = {
    **CHAT,
    "messages": [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Hello!"},
        {"role": "assistant", "content": "Hi."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Describe this"},
                {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
            ],
        },
    ],
    "temperature": 0.2,
    "max_completion_tokens": 200,
    "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
}


def main() -> None:
    """Print per-body validation times for each engine, our client's, and first-use cost."""
    with tempfile.TemporaryDirectory() as cache:
        os.environ["OPENAPI_CLIENT_OPENAI_CACHE_DIR"] = cache
        run_child(FIRST_USE, 1, {"OPENAPI_CLIENT_OPENAI_CACHE_DIR": cache})  # fill the caches
        first = run_child(FIRST_USE, 5, {"OPENAPI_CLIENT_OPENAI_CACHE_DIR": cache})[1]

        from openapi_client_openai import OpenAIClient
        from openapi_client_openai._validation import refs_closure

        client = OpenAIClient(spec=SPEC_31, api_key="sk-bench")
        validator = client.spec.validator("createChatCompletion")
        schemas = client.spec.schemas()
        chat = schemas["ops"]["createChatCompletion"]["body"]["application/json"]
        root = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            **chat,
            "$defs": refs_closure([chat], schemas["defs"]),
        }
        assert validator.check(BODY, {}) == []

        import jsonschema
        import jsonschema_rs

        results = {}
        rs = jsonschema_rs.validator_for(root)
        results["jsonschema-rs is_valid"] = per_call_us(lambda: rs.is_valid(BODY), 20000)
        py = jsonschema.Draft202012Validator(root)
        results["jsonschema (pure Python)"] = per_call_us(lambda: py.is_valid(BODY), 200, warmup=20)
        try:
            import fastjsonschema

            fast = fastjsonschema.compile(root)
            results["fastjsonschema"] = per_call_us(lambda: fast(BODY), 2000)
        except Exception as exc:  # it supports drafts up to 7 only
            print(f"  fastjsonschema: cannot compile this 2020-12 schema ({type(exc).__name__})")
        results["OpenAIClient.validate (body + parameters)"] = per_call_us(
            lambda: client.validate("createChatCompletion", body=BODY), 20000
        )

    print("validating a chat request body (4 messages, an image part, a tool) after first use")
    base = results["jsonschema (pure Python)"]
    for name, value in results.items():
        print(row(name, value, "us", base, "jsonschema"))
    print(row("first use of the chat validator (warm cache)", first, "ms"))
    print("  budgets: <= 5 us per body, <= 50 ms first use")


if __name__ == "__main__":
    sys.exit(main())
