"""Unwrapping webhooks: verify the signature, parse the body and check it, per payload.

Ours (``client.webhooks.unwrap``: verify + parse + validate against the spec's schema for the
event's type) against the official SDK's ``client.webhooks.unwrap`` (verify + ``json.loads`` +
its pydantic models, built without validation) and the ``standardwebhooks`` package's
``Webhook.verify`` (verify + ``json.loads``), in the same run.  The payloads are the 16 events of
the 3.1 spec as the mock makes them, each signed once; each figure is the mean per payload over
all 16 (and, for reference, for ``batch.completed`` alone).

    python benchmarks/webhooks.py
"""

from __future__ import annotations

import base64
import json
import sys

from _common import SPEC_31, per_call_us, row

SECRET = "whsec_" + base64.b64encode(b"benchmark webhook key: 32 bytes!").decode()


def payloads() -> list[tuple[bytes, dict[str, str]]]:
    """Every event type of the 3.1 spec, made by the mock and signed now."""
    from openapi_client_openai import webhooks
    from openapi_client_openai.mock import create_app

    app = create_app(SPEC_31, seed=1, webhook_url="http://127.0.0.1:9/", webhook_secret=SECRET)
    assert app.webhooks is not None
    made = []
    for name in sorted(app.index.webhook_events()):
        body = json.dumps(app.webhooks.event(name, {"id": "obj_1"} if "call" not in name else None)).encode()
        made.append((body, webhooks.sign(body, SECRET)))
    return made


def main() -> None:
    """Print the time per payload of each library's unwrap, with ratios to the official SDK's."""
    import openai
    import standardwebhooks

    from openapi_client_openai import OpenAIClient

    events = payloads()
    ours = OpenAIClient(spec=SPEC_31, api_key="sk-bench")
    sdk = openai.OpenAI(api_key="sk-bench", webhook_secret=SECRET, base_url="http://127.0.0.1:9/v1")
    standard = standardwebhooks.Webhook(SECRET)
    for body, headers in events:  # every library accepts every payload before anything is timed
        assert ours.webhooks.unwrap(body, headers, SECRET) == json.loads(body)
        assert sdk.webhooks.unwrap(body, headers).type == json.loads(body)["type"]
        assert standard.verify(body, headers) == json.loads(body)

    def each(fn) -> float:
        def run() -> None:
            for body, headers in events:
                fn(body, headers)

        return per_call_us(run, 300, warmup=20) / len(events)

    unwrap = ours.webhooks.unwrap
    results = {
        "official SDK webhooks.unwrap": each(lambda b, h: sdk.webhooks.unwrap(b, h)),
        "standardwebhooks verify (+ json.loads)": each(standard.verify),
        "ours: unwrap (verify+parse+validate)": each(lambda b, h: unwrap(b, h, SECRET)),
        "ours: verify_signature only": each(lambda b, h: ours.webhooks.verify_signature(b, h, SECRET)),
    }
    batch = next((b, h) for b, h in events if b'"batch.completed"' in b)
    single = {
        "official SDK webhooks.unwrap": per_call_us(lambda: sdk.webhooks.unwrap(*batch), 5000),
        "standardwebhooks verify (+ json.loads)": per_call_us(lambda: standard.verify(*batch), 5000),
        "ours: unwrap (verify+parse+validate)": per_call_us(lambda: unwrap(*batch, SECRET), 5000),
    }
    base = results["official SDK webhooks.unwrap"]
    print(f"unwrapping a webhook: mean per payload over the {len(events)} event types of the 3.1 spec")
    for name, value in results.items():
        print(row(name, value, "us", base, "SDK"))
    print("batch.completed alone")
    for name, value in single.items():
        print(row(name, value, "us", single["official SDK webhooks.unwrap"], "SDK"))


if __name__ == "__main__":
    sys.exit(main())
