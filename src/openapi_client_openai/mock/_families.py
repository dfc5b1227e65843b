"""Answers of the operations the mock treats specially: chat, completions, the Responses API,
embeddings, images, speech, transcription, models, moderations; and their event streams.

Each answer is built to validate against the spec's response schema (the tests check every
one) while looking like the real API's: the requested model, plausible text, usage that adds
up, tool calls whose arguments fit the tool's parameters (which tool: ``TOOL_RULE``), JSON
that fits a structured output's schema, logprobs for every token when asked, a response's
settings echoed back.
"""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Iterator
from typing import Any

import orjson

from ..spec import Faker
from ..spec._fake import SENTENCES
from ._media import audio, png

__all__ = [
    "FINISHES",
    "HANDLERS",
    "KEEPS",
    "REFUSAL",
    "SHAPED",
    "STREAMS",
    "TOOL_RULE",
    "WITH_HISTORY",
    "sse",
    "stored_item",
    "unfinished",
]


def sse(data: Any, event: str | None = None) -> bytes:
    """One server-sent event (orjson: a streamed answer is mostly JSON encoding)."""
    raw = data.encode() if isinstance(data, str) else orjson.dumps(data)
    head = b"event: %s\n" % event.encode() if event else b""
    return head + b"data: " + raw + b"\n\n"


def _words(value: Any) -> int:
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, list):
        return sum(_words(v) for v in value)
    if isinstance(value, dict):
        return sum(_words(v) for k, v in value.items() if k in ("content", "text", "input", "prompt"))
    return 0


TOOL_RULE = (
    "Which tool an answer calls, when the request gives function tools: a `tool_choice` that names "
    "a function calls it; `required` calls a tool the conversation has not called yet (the first "
    "such in the request's order; when all have been called, the least called), so an agent loop "
    "with a final-result tool reaches it; `auto` (the default) calls a tool in the same way when "
    "the last message is the user's, and answers in text when it is a tool's result; `none` "
    "answers in text. `allowed_tools` narrows the tools and sets the mode. One call per turn, "
    "unless the request sets `parallel_tool_calls: true`: then every tool not called yet is called "
    "in that turn (the least called one when all have been). Arguments are made from the tool's "
    "parameters schema, repeatable with --seed."
)
# How an answer ends when the request asks with the `x-mock-finish` header (the mock's
# families read it from the faker's context): the model refuses, runs out of tokens part way
# through its JSON, or is stopped by the content filter.
FINISHES = ("refusal", "length", "content_filter")
REFUSAL = "I'm sorry, but I can't help with that request."


def _cut(text: str) -> str:
    """An answer stopped part way: the first half of its text (JSON left unfinished)."""
    return text[: max(1, len(text) // 2)]


def _function_tools(body: dict) -> list[dict]:
    """The request's function tools, as ``{"name", "parameters", ...}`` (chat nests them under
    ``function``, the Responses API does not)."""
    tools = []
    for tool in body.get("tools") or ():
        if not isinstance(tool, dict) or tool.get("type", "function") != "function":
            continue
        fn = tool["function"] if isinstance(tool.get("function"), dict) else tool
        if isinstance(fn.get("name"), str):
            tools.append(fn)
    return tools


def _choice_name(choice: dict) -> str | None:
    named = choice.get("function") if isinstance(choice.get("function"), dict) else choice
    name = named.get("name")
    return name if isinstance(name, str) else None


def _tools_to_call(body: dict, last: str, called: dict[str, int]) -> list[dict]:
    """The function tools this turn calls (see ``TOOL_RULE``): none for a text answer, one, or
    with ``parallel_tool_calls: true`` every tool not called yet."""
    first = _tool_to_call(body, last, called)
    if first is None or body.get("parallel_tool_calls") is not True or isinstance(body.get("tool_choice"), dict):
        return [first] if first is not None else []
    fresh = [t for t in _function_tools(body) if not called.get(t["name"])]
    return fresh if first in fresh else [first]


def _tool_to_call(body: dict, last: str, called: dict[str, int]) -> dict | None:
    """The function tool this turn calls (see ``TOOL_RULE``), or None for a text answer.

    ``last`` is who spoke last (``"user"``, ``"tool"``, ...); ``called`` counts the calls of
    each tool earlier in the conversation.
    """
    tools = _function_tools(body)
    if not tools:
        return None
    choice = body.get("tool_choice", "auto")
    if isinstance(choice, dict) and choice.get("type") == "allowed_tools":
        allowed = choice.get("allowed_tools") if isinstance(choice.get("allowed_tools"), dict) else choice
        names = {_choice_name(t) for t in allowed.get("tools") or () if isinstance(t, dict)}
        tools = [t for t in tools if t["name"] in names]
        choice = allowed.get("mode", "auto")
    if isinstance(choice, dict):
        name = _choice_name(choice)
        return next((t for t in tools if t["name"] == name), None)
    if not tools or choice == "none" or (choice != "required" and last != "user"):
        return None
    return min(tools, key=lambda t: called.get(t["name"], 0))  # min keeps the first on a tie


def _chat_turns(messages: Any) -> tuple[str, dict[str, int]]:
    """Who spoke last in a chat, and how often each tool was called before."""
    last, called = "", {}
    for message in messages if isinstance(messages, list) else ():
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        last = "tool" if role in ("tool", "function") else str(role)
        for call in message.get("tool_calls") or ():
            name = (call.get("function") or {}).get("name") if isinstance(call, dict) else None
            if isinstance(name, str):
                called[name] = called.get(name, 0) + 1
    return last, called


def _response_turns(items: Any) -> tuple[str, dict[str, int]]:
    """Who spoke last in a Responses conversation (its items, a string being the user's), and
    how often each tool was called before."""
    last, called = "", {}
    for item in items if isinstance(items, list) else [items]:
        if isinstance(item, str):
            last = "user"
            continue
        if not isinstance(item, dict):
            continue
        kind = str(item.get("type", "message"))
        if kind == "message":
            last = str(item.get("role"))
        elif kind.endswith("_output"):
            last = "tool"
        else:
            last = "assistant"
            if kind == "function_call" and isinstance(item.get("name"), str):
                called[item["name"]] = called.get(item["name"], 0) + 1
    return last, called


def user_schema_value(fake: Faker, schema: Any) -> Any:
    """A value for a JSON Schema the caller wrote (tool parameters, structured outputs).

    The schema is read as OpenAI reads it: ``$defs`` (or ``definitions``) and recursive
    references, ``"$ref": "#"`` included; every property it calls required is there (the
    spec's normaliser would make nullable ones optional, which a model class would refuse).
    """
    if not isinstance(schema, dict):
        return {}
    defs = {**(schema.get("definitions") or {}), **(schema.get("$defs") or {})}
    root = {k: v for k, v in schema.items() if k not in ("$defs", "definitions")}
    defs = {name: _user_schema(sub) for name, sub in defs.items()}
    defs[_ROOT] = _user_schema(root)
    local = Faker(defs, seed=fake.rng.randrange(1 << 30))
    local.context = fake.context
    return local.value(defs[_ROOT])


_ROOT = "\x00root"  # the name the schema itself gets among its definitions, for "$ref": "#"


def _user_schema(node: Any) -> Any:
    """A caller's JSON Schema in the dialect ``Faker`` reads: references into ``$defs``, draft-4
    boolean exclusive bounds as numbers, OpenAPI's ``nullable`` as a null type."""
    if isinstance(node, list):
        return [_user_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            if value == "#":
                value = "#/$defs/" + _ROOT
            out[key] = value.replace("#/definitions/", "#/$defs/")
        elif key in ("properties", "$defs", "definitions", "patternProperties") and isinstance(value, dict):
            out[key] = {k: _user_schema(v) for k, v in value.items()}
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            if value and bound in node:
                out[key] = node[bound]
        elif key in ("const", "enum", "default", "examples", "example", "required"):
            out[key] = value  # values, not schemas
        else:
            out[key] = _user_schema(value)
    for key in ("exclusiveMinimum", "exclusiveMaximum"):
        bound = "minimum" if key == "exclusiveMinimum" else "maximum"
        if isinstance(node.get(key), bool) and node[key] and bound in out:
            del out[bound]
    if out.pop("nullable", False) is True and "type" in out:
        kinds = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*kinds, "null"]
    return out


def _arguments(fake: Faker, fn: dict) -> str:
    return json.dumps(user_schema_value(fake, fn.get("parameters") or {"type": "object"}), separators=(",", ":"))


def _structured(fake: Faker, fmt: Any) -> str | None:
    """Content for a ``response_format`` (chat) or ``text.format`` (Responses): JSON when asked."""
    if not isinstance(fmt, dict):
        return None
    if fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema") if isinstance(fmt.get("json_schema"), dict) else fmt
        return json.dumps(user_schema_value(fake, spec.get("schema") or {"type": "object"}))
    if fmt.get("type") == "json_object":
        return json.dumps({"answer": fake.sentence()})
    return None


_ALTERNATIVES = tuple(dict.fromkeys(w.strip(".!?,") + " " for s in SENTENCES for w in s.split()))


def _token_logprobs(fake: Faker, text: str, top: int) -> list[dict]:
    """Log probabilities of each token of ``text`` (the pieces streams send), with ``top``
    alternatives each, the chosen token first and most likely, as chat and the Responses API
    give them."""
    out = []
    for token in _pieces(text):
        chosen = -round(fake.rng.uniform(0.0001, 1.2), 6)
        others = [t for t in fake.rng.sample(_ALTERNATIVES, min(len(_ALTERNATIVES), top + 1)) if t != token]
        ranked = [(token, chosen)]
        for alt in others[: max(0, top - 1)]:
            ranked.append((alt, round(ranked[-1][1] - fake.rng.uniform(0.3, 3.0), 6)))
        tops = [{"token": t, "logprob": p, "bytes": list(t.encode())} for t, p in ranked[:top]]
        out.append({"token": token, "logprob": chosen, "bytes": list(token.encode()), "top_logprobs": tops})
    return out


def chat(fake: Faker, body: dict) -> dict:
    """A chat completion for the request: ``n`` choices of text (JSON for structured outputs,
    with ``logprobs`` when asked), or a call of the tool ``TOOL_RULE`` picks."""
    prompt = max(1, _words(body.get("messages")))
    choices = []
    fns = _tools_to_call(body, *_chat_turns(body.get("messages")))
    logprobs = body.get("logprobs") is True
    top = int(body.get("top_logprobs") or 0)
    ending = fake.context.get("finish")
    for index in range(int(body.get("n") or 1)):
        if fns and ending is None:
            calls = [
                {
                    "id": fake.new_id("call_"),
                    "type": "function",
                    "function": {"name": fn["name"], "arguments": _arguments(fake, fn)},
                }
                for fn in fns
            ]
            message = {"role": "assistant", "content": None, "refusal": None, "tool_calls": calls, "annotations": []}
            finish = "tool_calls"
        elif ending == "refusal":
            message = {"role": "assistant", "content": None, "refusal": REFUSAL, "annotations": []}
            finish = "stop"
        else:
            content = _structured(fake, body.get("response_format")) or _text(fake, body)
            if ending is not None:  # length, content_filter: stopped part way
                content = _cut(content)
            message = {"role": "assistant", "content": content, "refusal": None, "annotations": []}
            finish = ending or "stop"
        choice = {"index": index, "message": message, "logprobs": None, "finish_reason": finish}
        if logprobs:
            content = message["content"]
            choice["logprobs"] = {
                "content": _token_logprobs(fake, content, top) if content is not None else None,
                "refusal": None,
            }
        choices.append(choice)
    completion = sum(_words(c["message"]["content"]) or 8 for c in choices)
    return {
        "id": fake.new_id("chatcmpl-"),
        "object": "chat.completion",
        "created": fake.now(),
        "model": body.get("model") or "gpt-4o-mini",
        "choices": choices,
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "service_tier": "default",
        "system_fingerprint": "fp_mock",
    }


def chat_stream(fake: Faker, body: dict, keep: Any = None) -> Iterator[bytes]:
    """The chunks of a streamed chat completion, as the API sends them: per choice (with its
    index) the role, the content a token at a time (with that token's logprobs when asked),
    tool-call argument deltas, the finish reason; the usage chunk when asked; ``[DONE]``."""
    done = chat(fake, body)
    if keep is not None:
        keep(done)
    head = {
        "id": done["id"],
        "object": "chat.completion.chunk",
        "created": done["created"],
        "model": done["model"],
        "system_fingerprint": "fp_mock",
        "service_tier": "default",
    }

    def chunk(index: int, delta: dict, finish: str | None = None, logprobs: Any = None) -> bytes:
        return sse(
            {**head, "choices": [{"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": finish}]}
        )

    for choice in done["choices"]:
        i, message = choice["index"], choice["message"]
        yield chunk(
            i, {"role": "assistant", "content": "" if message["content"] is not None else None, "refusal": None}
        )
        if message["content"]:
            tokens = (choice["logprobs"] or {}).get("content")
            if tokens:
                for token in tokens:
                    yield chunk(i, {"content": token["token"]}, None, {"content": [token], "refusal": None})
            else:
                for word in _pieces(message["content"]):
                    yield chunk(i, {"content": word})
        for word in _pieces(message["refusal"]) if message.get("refusal") else ():
            yield chunk(i, {"refusal": word})
        for n, call in enumerate(message.get("tool_calls") or ()):
            yield chunk(
                i,
                {
                    "tool_calls": [
                        {
                            "index": n,
                            "id": call["id"],
                            "type": "function",
                            "function": {"name": call["function"]["name"], "arguments": ""},
                        }
                    ]
                },
            )
            for piece in _pieces(call["function"]["arguments"], 8):
                yield chunk(i, {"tool_calls": [{"index": n, "function": {"arguments": piece}}]})
        yield chunk(i, {}, choice["finish_reason"])
    if (body.get("stream_options") or {}).get("include_usage"):
        yield sse({**head, "choices": [], "usage": done["usage"]})
    yield sse("[DONE]")


def _text(fake: Faker, body: dict) -> str:
    """An answer: one sentence, or as many words as ``max_completion_tokens``/``max_tokens`` ask."""
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    if not isinstance(limit, int) or limit <= 12:
        return fake.sentence()
    words = " ".join(fake.sentence() for _ in range(limit // 8 + 1)).split()
    return " ".join(words[: min(limit, 1_000_000)])


def _pieces(text: str, size: int = 0) -> list[str]:
    if size:
        return [text[i : i + size] for i in range(0, len(text), size)]
    words = text.split(" ")
    return [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]


def completion(fake: Faker, body: dict) -> dict:
    """A legacy text completion."""
    prompt = max(1, _words(body.get("prompt")))
    text = " " + fake.sentence()
    return {
        "id": fake.new_id("cmpl-"),
        "object": "text_completion",
        "created": fake.now(),
        "model": body.get("model") or "gpt-3.5-turbo-instruct",
        "choices": [
            {"index": i, "text": text, "logprobs": None, "finish_reason": "stop"}
            for i in range(int(body.get("n") or 1))
        ],
        "usage": {"prompt_tokens": prompt, "completion_tokens": 9, "total_tokens": prompt + 9},
        "system_fingerprint": "fp_mock",
    }


def completion_stream(fake: Faker, body: dict) -> Iterator[bytes]:
    """A streamed legacy completion."""
    done = completion(fake, body)
    head = {k: done[k] for k in ("id", "object", "created", "model", "system_fingerprint")}
    for choice in done["choices"]:
        for word in _pieces(choice["text"]):
            yield sse(
                {**head, "choices": [{"index": choice["index"], "text": word, "logprobs": None, "finish_reason": None}]}
            )
        yield sse(
            {**head, "choices": [{"index": choice["index"], "text": "", "logprobs": None, "finish_reason": "stop"}]}
        )
    yield sse("[DONE]")


_OMIT = object()
# What a response says of each setting when the request leaves it out, as the API answers;
# a setting the request gives is echoed as given.  Libraries read these back (`text.format`
# tells them how to parse the output).  `store` is not in the spec's Response, but the API
# returns it.
_SETTINGS: dict[str, Any] = {
    "instructions": None,
    "previous_response_id": None,
    "temperature": 1.0,
    "top_p": 1.0,
    "metadata": {},
    "tools": [],
    "tool_choice": "auto",
    "parallel_tool_calls": True,
    "store": True,
    "max_output_tokens": None,
    "max_tool_calls": None,
    "text": {"format": {"type": "text"}},
    "truncation": "disabled",
    "user": _OMIT,  # the spec types it a string: left out unless given
    "safety_identifier": _OMIT,  # typed a string as well: left out unless given
    "prompt_cache_key": _OMIT,
    "background": False,
    "top_logprobs": 0,
    "service_tier": "default",
    "prompt": None,
    "reasoning": None,
    "conversation": None,
    "completed_at": None,
}
_LOGPROBS_INCLUDE = "message.output_text.logprobs"


def response(fake: Faker, body: dict, schema_value: dict, history: list | None = None) -> dict:
    """A Responses API response: one assistant message of text (JSON when ``text.format`` asks
    for it; with logprobs when ``include`` asks), or a call of the tool ``TOOL_RULE`` picks
    (``history``: the items of the conversation before this request); the request's settings
    echoed as the API echoes them (``_SETTINGS``)."""
    text = _structured(fake, (body.get("text") or {}).get("format")) or _text(fake, body)
    prompt = max(1, _words(body.get("input")))
    given = body.get("input")
    items = [*(history or ()), *(given if isinstance(given, list) else [given])]
    ending = fake.context.get("finish")
    if ending in ("length", "content_filter"):
        text = _cut(text)
    out = dict(schema_value)
    out.update(
        {
            "id": fake.new_id("resp_"),
            "object": "response",
            "created_at": fake.now(),
            "status": "completed",
            "model": body.get("model") or "gpt-4.1",
            "output": _response_items(fake, body, text, items, ending),
            "usage": _usage(schema_value.get("usage"), prompt, len(text.split())),
            "error": None,
            "incomplete_details": None,
        }
    )
    if ending in ("length", "content_filter"):
        out["status"] = "incomplete"
        out["incomplete_details"] = {"reason": "max_output_tokens" if ending == "length" else "content_filter"}
    for key, default in _SETTINGS.items():
        if key in schema_value or key == "store":  # what this spec's Response has
            value = body.get(key, default)
            if value is _OMIT:
                out.pop(key, None)
            else:
                out[key] = value
    if "completed_at" in schema_value:
        out["completed_at"] = out["created_at"]
    conv = body.get("conversation")
    if isinstance(conv, (str, dict)):
        out["conversation"] = {"id": conv} if isinstance(conv, str) else {"id": conv.get("id")}
    return out


def _response_items(fake: Faker, body: dict, text: str, items: list, ending: str | None) -> list[dict]:
    """The output items: the function calls ``TOOL_RULE`` picks, or one message (a refusal, or
    text cut short, when ``x-mock-finish`` asks)."""
    fns = _tools_to_call(body, *_response_turns(items)) if ending is None else []
    if fns:
        return [
            {
                "type": "function_call",
                "id": fake.new_id("fc_"),
                "call_id": fake.new_id("call_"),
                "name": fn["name"],
                "arguments": _arguments(fake, fn),
                "status": "completed",
            }
            for fn in fns
        ]
    message = {"type": "message", "id": fake.new_id("msg_"), "status": "completed", "role": "assistant"}
    if ending == "refusal":
        return [{**message, "content": [{"type": "refusal", "refusal": REFUSAL}]}]
    include = body.get("include") if isinstance(body.get("include"), list) else ()
    logprobs = _token_logprobs(fake, text, int(body.get("top_logprobs") or 0)) if _LOGPROBS_INCLUDE in include else []
    if ending is not None:
        message["status"] = "incomplete"
    return [{**message, "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": logprobs}]}]


_ITEM_PREFIXES = {
    "message": "msg_",
    "function_call": "fc_",
    "function_call_output": "fco_",
    "reasoning": "rs_",
    "web_search_call": "ws_",
    "file_search_call": "fs_",
    "computer_call": "cu_",
    "computer_call_output": "cuo_",
    "image_generation_call": "ig_",
    "code_interpreter_call": "ci_",
    "mcp_call": "mcp_",
}


def stored_item(fake: Faker, item: Any) -> dict:
    """An input item as the API keeps and lists it (input items, conversation items): with an
    id and a status, a string content as one text part, text parts complete; a string input is
    one user message."""
    if isinstance(item, str):
        item = {"type": "message", "role": "user", "content": item}
    item = dict(item) if isinstance(item, dict) else {"type": "message", "role": "user", "content": str(item)}
    kind = item.setdefault("type", "message")
    item.setdefault("id", fake.new_id(_ITEM_PREFIXES.get(kind, "item_")))
    if kind in ("message", "function_call", "function_call_output"):
        item.setdefault("status", "completed")
    if kind == "message":
        text_kind = "output_text" if item.get("role") == "assistant" else "input_text"
        content = item.get("content")
        if isinstance(content, str):
            content = [{"type": text_kind, "text": content}]
        if isinstance(content, list):
            item["content"] = [
                {"annotations": [], "logprobs": [], **part}
                if isinstance(part, dict) and part.get("type") == "output_text"
                else part
                for part in content
            ]
    return item


def _usage(shape: Any, prompt: int, output: int) -> dict:
    """Responses-style usage in the spec's shape (every detail field it asks for), adding up."""
    usage = dict(shape) if isinstance(shape, dict) else {}
    for key, value in list(usage.items()):
        if isinstance(value, dict):
            usage[key] = {
                k: 0 if isinstance(v, (int, float)) and not isinstance(v, bool) else v for k, v in value.items()
            }
    usage.setdefault("input_tokens_details", {"cached_tokens": 0})
    usage.setdefault("output_tokens_details", {"reasoning_tokens": 0})
    usage.update({"input_tokens": prompt, "output_tokens": output, "total_tokens": prompt + output})
    return usage


def response_stream(
    fake: Faker, body: dict, schema_value: dict, keep: Any = None, history: list | None = None
) -> Iterator[bytes]:
    """The Responses API's event sequence: one text message (each delta with its token's logprobs
    when asked, a refusal's deltas, ``response.incomplete`` at the end of one cut short), or the
    function calls, one output item after another."""
    done = response(fake, body, schema_value, history)
    if keep is not None:
        keep(done)
    started = unfinished(done)
    seq = iter(range(1 << 30))

    def event(kind: str, **fields: Any) -> bytes:
        return sse({"type": kind, "sequence_number": next(seq), **fields}, kind)

    yield event("response.created", response=started)
    yield event("response.in_progress", response=started)
    for index, item in enumerate(done["output"]):
        yield from _item_events(event, index, item)
    yield event("response.incomplete" if done["status"] == "incomplete" else "response.completed", response=done)


def unfinished(done: dict) -> dict:
    """A response as it is before its work is done: in progress, no output, and usage all zeros in
    the spec's shape (it types usage as an object)."""
    return {
        **done,
        "status": "in_progress",
        "output": [],
        "usage": _usage(done["usage"], 0, 0),
        "incomplete_details": None,
    }


def _item_events(event: Any, index: int, item: dict) -> Iterator[bytes]:
    """The events of one output item: a function call's argument deltas, a message's text (or
    refusal) deltas, each with its ``output_index``."""
    where = {"item_id": item["id"], "output_index": index}
    if item["type"] == "function_call":
        yield event(
            "response.output_item.added", output_index=index, item={**item, "arguments": "", "status": "in_progress"}
        )
        for piece in _pieces(item["arguments"], 8):
            yield event("response.function_call_arguments.delta", **where, delta=piece)
        yield event("response.function_call_arguments.done", **where, name=item["name"], arguments=item["arguments"])
        yield event("response.output_item.done", output_index=index, item=item)
        return
    part = item["content"][0]
    yield event("response.output_item.added", output_index=index, item={**item, "status": "in_progress", "content": []})
    if part["type"] == "refusal":
        yield event("response.content_part.added", **where, content_index=0, part={"type": "refusal", "refusal": ""})
        for piece in _pieces(part["refusal"]):
            yield event("response.refusal.delta", **where, content_index=0, delta=piece)
        yield event("response.refusal.done", **where, content_index=0, refusal=part["refusal"])
    else:
        text = part["text"]
        empty = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
        yield event("response.content_part.added", **where, content_index=0, part=empty)
        # Events carry logprobs without bytes (the spec's ResponseLogProb).
        logprobs = [_without_bytes(entry) for entry in part["logprobs"]]
        if logprobs:
            for entry in logprobs:
                yield event(
                    "response.output_text.delta", **where, content_index=0, delta=entry["token"], logprobs=[entry]
                )
        else:
            for piece in _pieces(text):
                yield event("response.output_text.delta", **where, content_index=0, delta=piece, logprobs=[])
        yield event("response.output_text.done", **where, content_index=0, text=text, logprobs=logprobs)
    yield event("response.content_part.done", **where, content_index=0, part=part)
    yield event("response.output_item.done", output_index=index, item=item)


def _without_bytes(entry: dict) -> dict:
    return {
        "token": entry["token"],
        "logprob": entry["logprob"],
        "top_logprobs": [{"token": t["token"], "logprob": t["logprob"]} for t in entry["top_logprobs"]],
    }


def embeddings(fake: Faker, body: dict) -> dict:
    """Embeddings of the requested dimensions (unit vectors), as floats or base64."""
    inputs = body.get("input")
    inputs = inputs if isinstance(inputs, list) and inputs and not isinstance(inputs[0], int) else [inputs]
    dims = int(body.get("dimensions") or (3072 if "large" in str(body.get("model")) else 1536))
    data = []
    for i, _ in enumerate(inputs):
        vector = [fake.rng.uniform(-1, 1) for _ in range(dims)]
        norm = sum(v * v for v in vector) ** 0.5 or 1.0
        vector = [v / norm for v in vector]
        if body.get("encoding_format") == "base64":
            value: Any = base64.b64encode(struct.pack(f"<{dims}f", *vector)).decode()
        else:
            value = vector
        data.append({"object": "embedding", "index": i, "embedding": value})
    tokens = max(1, _words(inputs))
    return {
        "object": "list",
        "data": data,
        "model": body.get("model") or "text-embedding-3-small",
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def images(fake: Faker, body: dict) -> dict:
    """A real small PNG per requested image, base64 or URL as asked."""
    count = int(body.get("n") or 1)
    as_url = body.get("response_format") == "url"
    data = []
    for _ in range(count):
        image = png()
        data.append(
            {"url": f"https://files.mock.invalid/{fake.token(16)}.png"}
            if as_url
            else {"b64_json": base64.b64encode(image).decode()}
        )
    out: dict[str, Any] = {"created": fake.now(), "data": data}
    if body.get("prompt"):
        for item in data:
            item["revised_prompt"] = str(body["prompt"])
    return out


def speech(fake: Faker, body: dict) -> tuple[bytes, str]:
    """Playable audio in the requested format."""
    return audio(str(body.get("response_format") or "mp3"))


def transcription(fake: Faker, body: dict) -> Any:
    """A transcription in the requested format (json, text, srt, vtt or verbose_json)."""
    text = fake.sentence()
    fmt = body.get("response_format") or "json"
    if fmt == "text":
        return text
    if fmt in ("srt", "vtt"):
        head = "WEBVTT\n\n" if fmt == "vtt" else "1\n"
        sep = "." if fmt == "vtt" else ","
        return f"{head}00:00:00{sep}000 --> 00:00:02{sep}000\n{text}\n"
    if fmt == "verbose_json":
        return {
            "task": "transcribe",
            "language": "english",
            "duration": 2.0,
            "text": text,
            "segments": [
                {
                    "id": 0,
                    "seek": 0,
                    "start": 0.0,
                    "end": 2.0,
                    "text": text,
                    "tokens": [1, 2],
                    "temperature": 0.0,
                    "avg_logprob": -0.2,
                    "compression_ratio": 1.1,
                    "no_speech_prob": 0.01,
                }
            ],
            "usage": {"type": "duration", "seconds": 2},
        }
    return {
        "text": text,
        "usage": {
            "type": "tokens",
            "input_tokens": 5,
            "output_tokens": len(text.split()),
            "total_tokens": 5 + len(text.split()),
        },
    }


def transcription_stream(fake: Faker, body: dict) -> Iterator[bytes]:
    """``transcript.text.delta`` events, then ``transcript.text.done``."""
    text = fake.sentence()
    for piece in _pieces(text):
        yield sse({"type": "transcript.text.delta", "delta": piece})
    yield sse(
        {
            "type": "transcript.text.done",
            "text": text,
            "usage": {
                "type": "tokens",
                "input_tokens": 5,
                "output_tokens": len(text.split()),
                "total_tokens": 5 + len(text.split()),
            },
        }
    )


MODELS = (
    "gpt-4o-mini",
    "gpt-4o",
    "gpt-4.1",
    "o3-mini",
    "text-embedding-3-small",
    "whisper-1",
    "tts-1",
    "gpt-image-1",
    "dall-e-3",
    "omni-moderation-latest",
)


def models(fake: Faker, body: dict) -> dict:
    """The model list."""
    return {
        "object": "list",
        "data": [{"id": m, "object": "model", "created": fake.now(), "owned_by": "openai"} for m in MODELS],
    }


def moderation(fake: Faker, body: dict, schema_value: dict) -> dict:
    """Nothing flagged, with the spec's categories all present."""
    inputs = body.get("input")
    count = len(inputs) if isinstance(inputs, list) else 1
    result = schema_value["results"][0]
    result = {
        **result,
        "flagged": False,
        "categories": {k: False for k in result.get("categories", {})},
        "category_scores": {k: 0.001 for k in result.get("category_scores", {})},
    }
    return {
        **schema_value,
        "id": fake.new_id("modr-"),
        "model": body.get("model") or "omni-moderation-latest",
        "results": [result] * count,
    }


def _obj(fake: Faker, name: str, **fields: Any) -> dict:
    value = fake.value({"$ref": "#/$defs/" + name})
    value.update(fields)
    return value


def run_stream(fake: Faker, body: dict, keep: Any = None) -> Iterator[bytes]:
    """An assistants run as it streams: run, step and message events, text deltas, then ``done``."""
    thread_id = fake.context.get("thread_id") or fake.new_id("thread_")
    run_id = fake.context.get("run_id") or fake.new_id("run_")
    assistant_id = body.get("assistant_id") or fake.new_id("asst_")
    text = fake.sentence()
    message_id, step_id = fake.new_id("msg_"), fake.new_id("step_")
    run = _obj(fake, "RunObject", id=run_id, thread_id=thread_id, assistant_id=assistant_id, status="queued")
    if keep is not None:
        keep({**run, "status": "completed"})
    for key in ("required_action", "last_error", "incomplete_details", "usage"):
        run.pop(key, None) if run.get(key) is None else None
    text_part = {"type": "text", "text": {"value": text, "annotations": []}}
    message = _obj(
        fake,
        "MessageObject",
        id=message_id,
        thread_id=thread_id,
        run_id=run_id,
        assistant_id=assistant_id,
        role="assistant",
        status="in_progress",
        content=[],
    )
    step = _obj(
        fake,
        "RunStepObject",
        id=step_id,
        run_id=run_id,
        thread_id=thread_id,
        assistant_id=assistant_id,
        status="in_progress",
        type="message_creation",
        step_details={"type": "message_creation", "message_creation": {"message_id": message_id}},
    )
    yield sse(run, "thread.run.created")
    yield sse(run, "thread.run.queued")
    yield sse({**run, "status": "in_progress"}, "thread.run.in_progress")
    yield sse(step, "thread.run.step.created")
    yield sse(step, "thread.run.step.in_progress")
    yield sse(message, "thread.message.created")
    yield sse(message, "thread.message.in_progress")
    for piece in _pieces(text):
        delta = {
            "id": message_id,
            "object": "thread.message.delta",
            "delta": {"content": [{"index": 0, "type": "text", "text": {"value": piece, "annotations": []}}]},
        }
        yield sse(delta, "thread.message.delta")
    yield sse({**message, "status": "completed", "content": [text_part]}, "thread.message.completed")
    yield sse({**step, "status": "completed"}, "thread.run.step.completed")
    yield sse({**run, "status": "completed"}, "thread.run.completed")
    yield sse("[DONE]", "done")


def speech_stream(fake: Faker, body: dict) -> Iterator[bytes]:
    """Speech as server-sent events: base64 audio in ``speech.audio.delta``, then usage."""
    data, _ = audio("pcm" if body.get("response_format") in (None, "pcm") else str(body["response_format"]))
    for i in range(0, len(data), 4096):
        yield sse({"type": "speech.audio.delta", "audio": base64.b64encode(data[i : i + 4096]).decode()})
    tokens = max(1, _words(body.get("input")))
    yield sse(
        {
            "type": "speech.audio.done",
            "usage": {"input_tokens": tokens, "output_tokens": 20, "total_tokens": tokens + 20},
        }
    )


def _image_events(prefix: str, schema_prefix: str) -> Any:
    def stream(fake: Faker, body: dict) -> Iterator[bytes]:
        """Partial images (as many as ``partial_images`` asks), then the completed image."""
        image = base64.b64encode(png()).decode()
        fields = {"b64_json": image, "created_at": fake.now()}
        for key in ("size", "quality", "background", "output_format"):
            if isinstance(body.get(key), str):
                fields[key] = body[key]
        for index in range(int(body.get("partial_images") or 0)):
            event = _obj(fake, f"{schema_prefix}PartialImageEvent", **fields, partial_image_index=index)
            event["type"] = f"{prefix}.partial_image"
            yield sse(event, f"{prefix}.partial_image")
        done = _obj(fake, f"{schema_prefix}CompletedEvent", **fields)
        done["type"] = f"{prefix}.completed"
        yield sse(done, f"{prefix}.completed")

    return stream


# Operations answered by a function of (faker, body); some also take the schema-made value.
HANDLERS = {
    "createChatCompletion": chat,
    "createCompletion": completion,
    "createEmbedding": embeddings,
    "createImage": images,
    "createImageEdit": images,
    "createImageVariation": images,
    "createSpeech": speech,
    "createTranscription": transcription,
    "createTranslation": transcription,
    "listModels": models,
}
SHAPED = {"createResponse": response, "beta_createResponse": response, "createModeration": moderation}
WITH_HISTORY = frozenset({"createResponse", "beta_createResponse"})  # they also take `history`
KEEPS = frozenset(
    {
        "createChatCompletion",
        "createResponse",
        "beta_createResponse",
        "createRun",
        "createThreadAndRun",
        "submitToolOuputsToRun",
    }
)  # their stream function takes `keep`
STREAMS = {
    "createChatCompletion": chat_stream,
    "createCompletion": completion_stream,
    "createResponse": response_stream,
    "beta_createResponse": response_stream,
    "createTranscription": transcription_stream,
    "createRun": run_stream,
    "createSpeech": speech_stream,
    "createImage": _image_events("image_generation", "ImageGen"),
    "createImageEdit": _image_events("image_edit", "ImageEdit"),
    "createThreadAndRun": run_stream,
    "submitToolOuputsToRun": run_stream,
}
