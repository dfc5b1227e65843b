"""Where the mock's request checking is as lenient as the API, and why: one table, one place.

The mock checks every request with the project's validator (the spec's required fields,
types and enums: strict where the API is strict).  The API also accepts a few things a
literal reading of the spec refuses, and client libraries rely on them; ``LENIENCY`` lists
each such rule with the reason, and the README's mock section mirrors it
(``tests/test_lenient.py`` checks that the two agree).  The rules apply to checking only,
except that a null optional field is gone for the answer too ("not given").

The client's own validator (``OpenAIClient(validate=...)``) is separate and unchanged: it
tells a caller what the spec says before anything is sent.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LENIENCY", "for_checking", "without_nulls"]

LENIENCY: tuple[tuple[str, str, str], ...] = (
    (
        "null is not given",
        "A field sent as `null` counts as not sent, at any depth; a required field sent as null is "
        "still missing (a 400).",
        "Libraries send every optional field they model, null when unset (`user`, `tools`, `n`, "
        "`stream_options`...), and the API takes null as the default.",
    ),
    (
        "output items come back",
        "In a Responses `input` or a conversation's `items`, an item the API produced (an assistant "
        "message with `output_text`, a `function_call`, `reasoning`, a tool call) is accepted without "
        "the fields only the API fills in: `id`, `status`, and `annotations`/`logprobs` of its text.",
        "Multi-turn clients (the Agents SDK, LangChain's Responses mode) send earlier output back as "
        "input, rebuilt from their own types, which leave those out; the API accepts them.",
    ),
    (
        "unknown fields are accepted",
        "Body fields and query parameters the spec does not name are ignored.",
        "The spec a mock serves can be older than the library under test: a field the library "
        "learnt later must not fail the test.",
    ),
)

# Output item types, with what the spec requires of them that only the API fills in.
_GIVEN_BACK: dict[str, tuple[str, ...]] = {
    "message": ("id", "status"),
    "file_search_call": ("id", "status"),
    "web_search_call": ("id", "status"),
    "computer_call": ("id", "status"),
    "image_generation_call": ("id", "status"),
    "code_interpreter_call": ("id", "status"),
    "local_shell_call": ("id", "status"),
    "local_shell_call_output": ("id",),
    "reasoning": ("id",),
    "mcp_list_tools": ("id",),
    "mcp_approval_request": ("id",),
    "mcp_call": ("id",),
}
_ITEM_LISTS = ("input", "items")
_OUTPUT_PARTS = ("output_text", "refusal")


def without_nulls(value: Any) -> Any:
    """``value`` without the null fields of its objects, at any depth: the same object when it
    has none, else a copy (made without recursion: bodies may nest hundreds of levels)."""
    if not _has_null_field(value):
        return value
    out = _empty(value)
    stack = [(value, out)]
    while stack:
        source, target = stack.pop()
        pairs = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in pairs:
            if item is None and isinstance(source, dict):
                continue
            new = _empty(item) if isinstance(item, (dict, list)) else item
            if new is not item:
                stack.append((item, new))
            if isinstance(target, dict):
                target[key] = new
            else:
                target.append(new)
    return out


def _empty(value: Any) -> Any:
    return {} if isinstance(value, dict) else [] if isinstance(value, list) else value


def _has_null_field(value: Any) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for item in node.values():
                if item is None:
                    return True
                if isinstance(item, (dict, list)):
                    stack.append(item)
        elif isinstance(node, list):
            stack.extend(item for item in node if isinstance(item, (dict, list)))
    return False


def for_checking(body: Any) -> Any:
    """The body as the validator should see it: output items given back completed with the
    fields only the API fills in (see ``LENIENCY``).  ``body`` itself is not changed."""
    if not isinstance(body, dict):
        return body
    out = body
    for key in _ITEM_LISTS:
        items = body.get(key)
        if not isinstance(items, list):
            continue
        completed = [_completed(item) for item in items]
        if any(a is not b for a, b in zip(completed, items, strict=True)):
            if out is body:
                out = dict(body)
            out[key] = completed
    return out


def _completed(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    kind = item.get("type", "message" if "role" in item else None)
    if kind == "message" and not _is_output_message(item):
        return item
    needs = _GIVEN_BACK.get(kind)
    if needs is None:
        return item
    missing = {f: ("given_back" if f == "id" else "completed") for f in needs if f not in item}
    content = item.get("content")
    parts = None
    if kind == "message" and isinstance(content, list):
        parts = [
            {"annotations": [], "logprobs": [], **part}
            if isinstance(part, dict) and part.get("type") == "output_text"
            else part
            for part in content
        ]
    if not missing and parts is None:
        return item
    out = {**item, **missing, "type": kind}
    if parts is not None:
        out["content"] = parts
    return out


def _is_output_message(item: dict) -> bool:
    content = item.get("content")
    return (
        item.get("role") == "assistant"
        and isinstance(content, list)
        and any(isinstance(part, dict) and part.get("type") in _OUTPUT_PARTS for part in content)
    )
