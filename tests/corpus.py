"""A corpus of real request bodies: the spec's own examples, and what the other tests send.

The spec's examples are the curl commands in ``x-oaiMeta`` (their ``-d '{...}'`` JSON bodies)
and the ``example``/``examples`` of request bodies.  Validation must accept every one.
"""

from __future__ import annotations

import json
import pathlib
import re
from functools import cache
from typing import Any

import yaml

_DATA = re.compile(r"-d '(.*?)'\s*(?:\\\s*)?$", re.S)


@cache
def _doc(spec: pathlib.Path) -> dict:
    return yaml.load(spec.read_bytes(), Loader=yaml.CSafeLoader)


def spec_examples(spec: pathlib.Path) -> tuple[list[tuple[str, str, Any]], int]:
    """Return ``([(operationId, title, body)], unreadable)`` for a spec's JSON request examples."""
    out = []
    unreadable = 0
    for item in _doc(spec)["paths"].values():
        for op in item.values():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            op_id = op["operationId"]
            meta = op.get("x-oaiMeta") or {}
            examples = meta.get("examples")
            examples = examples if isinstance(examples, list) else [examples] if examples else []
            for n, example in enumerate(examples):
                request = (example or {}).get("request") or {}
                curl = request.get("curl") if isinstance(request, dict) else None
                if not isinstance(curl, str):
                    continue
                found = _DATA.search(curl)
                if not found:
                    continue
                try:
                    body = json.loads(found.group(1))
                except ValueError:
                    unreadable += 1  # an example with comments or shell variables in its JSON
                    continue
                out.append((op_id, f"{op_id} x-oaiMeta example {n}", body))
            for media in ((op.get("requestBody") or {}).get("content") or {}).values():
                if not isinstance(media, dict):
                    continue
                if "example" in media:
                    out.append((op_id, f"{op_id} media example", media["example"]))
                for name, ex in (media.get("examples") or {}).items():
                    if isinstance(ex, dict) and "value" in ex:
                        out.append((op_id, f"{op_id} media example {name}", ex["value"]))
    return out, unreadable
