"""The rules an answer or a stream is checked by: pure functions from what came back to findings.

Nothing here does I/O, so each rule is unit-tested on plain values.  A ``Finding`` says where
(a JSON path in the answer, ``events[3].choices[0].delta`` in a stream, ``[DONE]``, or a
header's name), which rule, what the spec wants and what came back.  Rules whose id starts
with ``prose.`` are ones OpenAI states in its documentation rather than in the schema (the
usage chunk's ``choices`` is empty); ``strict.`` ones run only under ``--strict``.
"""

from __future__ import annotations

import base64
import json
import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._validation import Explainer

__all__ = [
    "RULES",
    "Event",
    "Finding",
    "check_chat_stream",
    "check_embeddings",
    "check_error",
    "check_headers",
    "check_id",
    "check_responses_stream",
    "check_schema",
    "check_strict",
    "shape_differences",
    "show",
]

# Every rule: id -> what it asks.  The report, the README and the tests name rules by these ids.
RULES: dict[str, str] = {
    "status": "a spec-valid request is answered with a 2xx status",
    "content-type": "JSON answers are application/json, streams text/event-stream",
    "schema": "the answer fits the operation's response schema, every required field present",
    "schema.event": "each streamed event is JSON that fits the stream's event schema",
    "error.envelope": 'errors come as {"error": {"message", "type", "param", "code"}}',
    "error.status": "a request the spec rules out is answered with 400, naming the field in error.param",
    "auth.401": "a request without a valid API key is answered with 401",
    "model.not-found": "an unknown model is answered with 404 and error.code model_not_found",
    "prose.header.x-request-id": "every answer carries an x-request-id header",
    "prose.header.x-ratelimit": "answers to model requests carry x-ratelimit-* headers",
    "prose.id-prefix": "object ids carry their type's prefix (chatcmpl-, resp_, file-...)",
    "prose.stream.done": "chat and completion streams end with data: [DONE], and nothing follows it",
    "prose.stream.first-role": "the first chunk of each choice has delta.role 'assistant'",
    "prose.stream.same-id": "every chunk of a stream has the same id",
    "prose.stream.finish": "each choice ends with one finish_reason, in its last chunk",
    "prose.stream.usage-chunk": "with include_usage, one last chunk has usage and empty choices; others usage null",
    "prose.stream.tool-call": "a tool call's first delta carries index, id, type and function.name",
    "prose.stream.accumulated": "a stream adds up to the non-streamed answer's shape",
    "prose.responses.event-order": "response.created comes first and response.completed last",
    "prose.responses.sequence": "sequence_number counts up from 0 by one",
    "prose.responses.event-name": "each event's SSE name is its data's type",
    "prose.chat.n": "n asks for n choices, indexed 0 to n-1",
    "prose.chat.forced-tool": "a forced tool_choice answers with a call of that function, arguments as JSON",
    "prose.chat.structured-output": "a json_schema response_format answers with JSON content that fits the schema",
    "prose.chat.logprobs": "logprobs: true answers with choices[].logprobs.content",
    "prose.embeddings.dimensions": "dimensions: N answers with embeddings of N numbers",
    "prose.embeddings.base64": "encoding_format base64 answers with base64 of little-endian float32",
    "prose.files.content": "a file's content is the bytes uploaded",
    "strict.undeclared": "(--strict) no field the spec does not declare",
    "strict.missing-optional": "(--strict) every field the spec declares is present",
}

# What OpenAI's ids start with, by the answer's ``object`` (documented in each object's page).
ID_PREFIXES = {
    "chat.completion": "chatcmpl-",
    "chat.completion.chunk": "chatcmpl-",
    "text_completion": "cmpl-",
    "response": "resp_",
    "file": "file-",
    "batch": "batch_",
}
MODERATION_PREFIX = "modr-"


@dataclass(frozen=True)
class Finding:
    """One thing wrong: where (``path``), which rule, what is wanted and what came back."""

    path: str
    rule: str
    expected: str
    got: str


@dataclass(frozen=True)
class Event:
    """One server-sent event as it came: its SSE name, its data text and that text parsed
    (``None`` when it is not JSON, or is ``[DONE]``)."""

    name: str
    text: str
    data: Any = None

    @property
    def done(self) -> bool:
        """Whether this is the ``[DONE]`` marker."""
        return self.text.strip() == "[DONE]"


def show(value: Any, limit: int = 80) -> str:
    """A short text of a value for a report: JSON, cut to ``limit`` characters."""
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def join(base: str, loc: str) -> str:
    """A JSON path under ``base``: ``join("$", "choices[0]")`` is ``$.choices[0]``."""
    if not loc or loc == "body":
        return base
    return base + loc if loc.startswith("[") else f"{base}.{loc}"


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


def parse_location(loc: str) -> list[str | int] | None:
    """The keys and indexes of an explainer location (``choices[0].message``, ``['a b']``: the
    form ``_validation`` writes, names bare and other keys as Python literals); None when the
    text is not such a location."""
    import ast

    out: list[str | int] = []
    i = 0
    while i < len(loc):
        if loc[i] == "[":
            close = loc.find("]", i)
            if loc[i + 1 : i + 2] in ("'", '"'):
                quote, j = loc[i + 1], i + 2
                while j < len(loc) and loc[j] != quote:
                    j += 2 if loc[j] == "\\" else 1
                if j + 1 >= len(loc) or loc[j + 1] != "]":
                    return None
                try:
                    out.append(ast.literal_eval(loc[i + 1 : j + 1]))
                except (ValueError, SyntaxError):
                    return None
                i = j + 2
            elif close > i and loc[i + 1 : close].isdigit():
                out.append(int(loc[i + 1 : close]))
                i = close + 1
            else:
                return None
        else:
            if loc[i] == "." and out:
                i += 1
            match = _NAME.match(loc, i)
            if match is None:
                return None
            out.append(match.group())
            i = match.end()
    return out


def value_at(value: Any, loc: str) -> Any:
    """The value at an explainer location (``choices[0].message``) in ``value``; None when absent."""
    if loc in ("", "body"):
        return value
    for key in parse_location(loc) or ():
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return None
    return value


_MISSING = re.compile(r"^missing required field '(.+)'$")


def check_schema(defs: dict[str, Any], schema: Any, value: Any, base: str = "$", rule: str = "schema") -> list[Finding]:
    """Every place ``value`` (an answer or an event) breaks ``schema``, fields that may be null but
    are required included: an answer must carry every field the spec requires."""
    out = []
    for problem in Explainer(defs, "", answers=True).check(schema, value):
        missing = _MISSING.match(problem.message)
        if missing:
            out.append(
                Finding(
                    join(base, join(problem.location, missing.group(1)).lstrip(".")),
                    rule,
                    "present (required)",
                    "absent",
                )
            )
            continue
        expected, _ = _split(problem.message)
        expected = expected[len("expected ") :] if expected.startswith("expected ") else expected
        out.append(Finding(join(base, problem.location), rule, expected, show(value_at(value, problem.location))))
    return out


def _split(message: str) -> tuple[str, str]:
    for sep in ("; got ", ", got "):
        if sep in message:
            head, _, tail = message.rpartition(sep)
            return head, tail
    return message, ""


def check_strict(defs: dict[str, Any], schema: Any, value: Any, base: str = "$") -> list[Finding]:
    """Fields the schema does not declare, and declared ones that are absent (``--strict``).

    Only objects with declared properties are looked at (a map's keys are free); under
    ``anyOf`` the alternative the value fits is followed."""
    explainer = Explainer(defs, "", answers=True)
    out: list[Finding] = []
    _strict(explainer, schema, value, base, out, 0)
    return out


def _strict(explainer: Explainer, schema: Any, value: Any, path: str, out: list[Finding], depth: int) -> None:
    if depth > 32:
        return
    schema = explainer.resolve(schema)
    alternatives = schema.get("anyOf")
    if alternatives:
        fitting = [a for a in alternatives if not explainer.check(a, value)]
        if fitting:
            _strict(explainer, fitting[0], value, path, out, depth + 1)
        return
    if isinstance(value, Mapping):
        props = explainer.properties(schema)
        extra = schema.get("additionalProperties")
        if not props or (isinstance(extra, dict) and extra) or extra is True:
            return
        for key, item in value.items():
            if key in props:
                _strict(explainer, props[key], item, join(path, str(key)), out, depth + 1)
            else:
                out.append(Finding(join(path, str(key)), "strict.undeclared", "no such field in the spec", show(item)))
        for key in props:
            if key not in value:
                out.append(Finding(join(path, key), "strict.missing-optional", "present (declared)", "absent"))
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, dict):
            for i, item in enumerate(value):
                _strict(explainer, items, item, f"{path}[{i}]", out, depth + 1)


def check_headers(headers: Mapping[str, str], want_type: str, ratelimit: bool) -> list[Finding]:
    """The headers OpenAI sends with every answer: ``x-request-id``, the content type, and on
    model requests ``x-ratelimit-*``.  ``headers`` has lower-case names."""
    out = []
    ctype = headers.get("content-type", "")
    if ctype.split(";")[0].strip().lower() != want_type:
        out.append(Finding("content-type", "content-type", want_type, ctype or "absent"))
    if not headers.get("x-request-id"):
        out.append(Finding("x-request-id", "prose.header.x-request-id", "present", "absent"))
    if ratelimit and not any(name.startswith("x-ratelimit-") for name in headers):
        out.append(
            Finding("x-ratelimit-*", "prose.header.x-ratelimit", "x-ratelimit-limit-requests and others", "none")
        )
    return out


def check_id(value: Any, base: str = "$", prefix: str | None = None) -> list[Finding]:
    """The answer's ``id`` has the prefix its ``object`` type has at OpenAI (or ``prefix``, for
    answers without an ``object``: moderations)."""
    if not isinstance(value, Mapping) or not isinstance(value.get("id"), str):
        return []
    prefix = prefix or ID_PREFIXES.get(str(value.get("object")))
    if prefix and not value["id"].startswith(prefix):
        return [Finding(join(base, "id"), "prose.id-prefix", f"an id starting with {prefix!r}", show(value["id"]))]
    return []


def check_error(status: int, want: int, body: Any, defs: dict[str, Any], rule: str) -> list[Finding]:
    """An error answer: the status ``want`` (else a ``rule`` finding) and OpenAI's envelope."""
    out = []
    if status != want:
        out.append(Finding("status", rule, str(want), str(status) if status else "no whole answer"))
    if status < 400:
        return out  # not refused at all: the envelope of an error that never came is moot
    if not isinstance(body, Mapping) or not isinstance(body.get("error"), Mapping):
        out.append(Finding("$.error", "error.envelope", '{"error": {"message", "type", "param", "code"}}', show(body)))
        return out
    schema = defs.get("ErrorResponse") or {"type": "object", "required": ["error"]}
    out += check_schema(defs, schema, body, rule="error.envelope")
    return out


def _chunk_choices(event: Event) -> list[Mapping[str, Any]]:
    choices = event.data.get("choices") if isinstance(event.data, Mapping) else None
    return [c for c in choices if isinstance(c, Mapping)] if isinstance(choices, list) else []


def check_chat_stream(events: Sequence[Event], *, chat: bool, include_usage: bool) -> list[Finding]:
    """The order rules of a chat (``chat``) or text completion stream: ``[DONE]`` last, one id,
    a role in each choice's first chunk, one finish_reason per choice and nothing after it, the
    usage chunk, and the start of each tool call."""
    out: list[Finding] = []
    done = [i for i, e in enumerate(events) if e.done]
    if not done:
        last = f"event {len(events) - 1}" if events else "no event"
        out.append(
            Finding("[DONE]", "prose.stream.done", "data: [DONE] as the last event", f"the stream ended after {last}")
        )
    elif done[0] != len(events) - 1:
        out.append(
            Finding("[DONE]", "prose.stream.done", "nothing after [DONE]", f"{len(events) - 1 - done[0]} more events")
        )
    chunks = [(i, e) for i, e in enumerate(events[: done[0]] if done else events) if isinstance(e.data, Mapping)]
    first_id = chunks[0][1].data.get("id") if chunks else None
    for i, event in chunks:
        if event.data.get("id") != first_id:
            out.append(Finding(f"events[{i}].id", "prose.stream.same-id", show(first_id), show(event.data.get("id"))))
            break
    seen: set[int] = set()
    finished: dict[int, int] = {}
    tools_seen: set[tuple[int, int]] = set()
    for i, event in chunks:
        for j, choice in enumerate(_chunk_choices(event)):
            index = choice.get("index", 0)
            where = f"events[{i}].choices[{j}]"
            delta = choice.get("delta") if isinstance(choice.get("delta"), Mapping) else {}
            if chat and index not in seen and delta.get("role") != "assistant":
                out.append(
                    Finding(f"{where}.delta.role", "prose.stream.first-role", "'assistant'", show(delta.get("role")))
                )
            seen.add(index)
            # Choices in the usage chunk are that chunk's own rule's business, not reported twice.
            usage_chunk = include_usage and i == chunks[-1][0] and event.data.get("usage") is not None
            if index in finished and not usage_chunk:
                out.append(
                    Finding(where, "prose.stream.finish", f"nothing after choice {index}'s finish_reason", show(choice))
                )
            elif choice.get("finish_reason") is not None:
                finished[index] = i
            for k, call in enumerate(delta.get("tool_calls") or () if chat else ()):
                if not isinstance(call, Mapping):
                    continue
                key = (index, call.get("index", -1))
                if key not in tools_seen:
                    tools_seen.add(key)
                    function = call.get("function") if isinstance(call.get("function"), Mapping) else {}
                    for name, present in (
                        ("id", call.get("id")),
                        ("type", call.get("type")),
                        ("function.name", function.get("name")),
                    ):
                        if not present:
                            out.append(
                                Finding(
                                    f"{where}.delta.tool_calls[{k}].{name}",
                                    "prose.stream.tool-call",
                                    "present in the call's first delta",
                                    "absent",
                                )
                            )
    for index in sorted(seen - set(finished)):
        out.append(Finding("events", "prose.stream.finish", f"a finish_reason for choice {index}", "none"))
    if include_usage:
        out += _usage_chunk(chunks)
    return out


def _usage_chunk(chunks: Sequence[tuple[int, Event]]) -> list[Finding]:
    if not chunks:
        return []
    out = []
    last_i, last = chunks[-1]
    if last.data.get("usage") is None:
        out.append(
            Finding(
                f"events[{last_i}].usage",
                "prose.stream.usage-chunk",
                "usage in the last chunk before [DONE]",
                show(last.data.get("usage")),
            )
        )
    elif last.data.get("choices") != []:
        out.append(
            Finding(
                f"events[{last_i}].choices",
                "prose.stream.usage-chunk",
                "[] in the usage chunk",
                show(last.data.get("choices")),
            )
        )
    for i, event in chunks[:-1]:
        if event.data.get("usage") is not None:
            out.append(
                Finding(
                    f"events[{i}].usage",
                    "prose.stream.usage-chunk",
                    "null before the usage chunk",
                    show(event.data["usage"]),
                )
            )
            break
    return out


_TERMINAL = ("response.completed", "response.failed", "response.incomplete")


def check_responses_stream(events: Sequence[Event]) -> list[Finding]:
    """The order rules of a Responses stream: ``response.created`` first, ``response.completed``
    last with nothing after it, each SSE name its data's ``type``, and ``sequence_number``
    counting from 0 by one (where the server sends it)."""
    out: list[Finding] = []
    typed = [(i, e) for i, e in enumerate(events) if isinstance(e.data, Mapping)]
    if not typed:
        return [
            Finding("events", "prose.responses.event-order", "response.created ... response.completed", "no events")
        ]
    first_i, first = typed[0]
    if first.data.get("type") != "response.created":
        out.append(
            Finding(
                f"events[{first_i}].type",
                "prose.responses.event-order",
                "'response.created'",
                show(first.data.get("type")),
            )
        )
    ends = [i for i, e in typed if e.data.get("type") in _TERMINAL]
    if not ends:
        out.append(Finding("events", "prose.responses.event-order", "a response.completed event", "none"))
    else:
        end = ends[0]
        if events[end].data.get("type") != "response.completed":
            out.append(
                Finding(
                    f"events[{end}].type",
                    "prose.responses.event-order",
                    "'response.completed'",
                    show(events[end].data.get("type")),
                )
            )
        after = [i for i, e in enumerate(events) if i > end and not e.done]
        if after:
            out.append(
                Finding(
                    f"events[{after[0]}]",
                    "prose.responses.event-order",
                    "nothing after response.completed",
                    show(events[after[0]].data),
                )
            )
    for i, event in typed:
        if event.name not in ("message", "") and event.name != event.data.get("type"):
            out.append(
                Finding(
                    f"events[{i}]",
                    "prose.responses.event-name",
                    f"event: {event.data.get('type')}",
                    f"event: {event.name}",
                )
            )
            break
    numbered = [(i, e.data.get("sequence_number")) for i, e in typed if "sequence_number" in e.data]
    for n, (i, number) in enumerate(numbered):
        if number != n:
            out.append(Finding(f"events[{i}].sequence_number", "prose.responses.sequence", str(n), show(number)))
            break
    return out


def shape_differences(streamed: Any, plain: Any, path: str = "accumulated") -> list[Finding]:
    """Where the object a stream adds up to differs in shape from the non-streamed answer:
    a field one has and the other lacks, or a different JSON type (values may differ)."""
    out: list[Finding] = []
    _shape(streamed, plain, path, out, 0)
    return out


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


def _shape(streamed: Any, plain: Any, path: str, out: list[Finding], depth: int) -> None:
    if depth > 16 or streamed is None or plain is None:
        return  # null on one side is a value, not a shape (content is null when a tool is called)
    if _kind(streamed) != _kind(plain):
        out.append(Finding(path, "prose.stream.accumulated", f"{_kind(plain)}, as when not streamed", _kind(streamed)))
    elif isinstance(plain, dict):
        for key in plain:
            if key not in streamed and key not in _STREAM_ONLY_ABSENT and not _empty(plain[key]):
                out.append(
                    Finding(join(path, key), "prose.stream.accumulated", "present, as when not streamed", "absent")
                )
            elif key in streamed:
                _shape(streamed[key], plain[key], join(path, key), out, depth + 1)
    elif isinstance(plain, list) and plain and streamed:
        _shape(streamed[0], plain[0], f"{path}[0]", out, depth + 1)


def _empty(value: Any) -> bool:
    # An empty value (annotations: []) has no delta to come in: a stream need not carry it.
    return value is None or value == [] or value == {} or value == ""


# Fields a streamed answer lacks by design: usage comes only with include_usage.
_STREAM_ONLY_ABSENT = frozenset({"usage"})


def check_embeddings(body: Any, dimensions: int, base64_encoded: bool) -> list[Finding]:
    """The embeddings asked for: ``dimensions`` numbers each, or their base64 float32 form."""
    out: list[Finding] = []
    data = body.get("data") if isinstance(body, Mapping) else None
    for i, item in enumerate(data if isinstance(data, list) else ()):
        vector = item.get("embedding") if isinstance(item, Mapping) else None
        where = f"$.data[{i}].embedding"
        if base64_encoded:
            if not isinstance(vector, str):
                out.append(Finding(where, "prose.embeddings.base64", "a base64 string", show(vector, 40)))
                continue
            try:
                raw = base64.b64decode(vector, validate=True)
            except ValueError:
                out.append(Finding(where, "prose.embeddings.base64", "base64", show(vector, 40)))
                continue
            if len(raw) != 4 * dimensions:
                out.append(
                    Finding(
                        where,
                        "prose.embeddings.base64",
                        f"{4 * dimensions} bytes ({dimensions} float32)",
                        f"{len(raw)} bytes",
                    )
                )
            continue
        if isinstance(vector, list) and len(vector) != dimensions:
            out.append(Finding(where, "prose.embeddings.dimensions", f"{dimensions} numbers", f"{len(vector)} numbers"))
    return out


def decode_base64_embeddings(body: Any) -> Any:
    """A copy of an embeddings answer with base64 vectors decoded to numbers (so that the
    schema, which describes numbers, can check the rest); undecodable ones are left as they are."""
    if not isinstance(body, Mapping) or not isinstance(body.get("data"), list):
        return body
    data = []
    for item in body["data"]:
        if isinstance(item, Mapping) and isinstance(item.get("embedding"), str):
            try:
                raw = base64.b64decode(item["embedding"], validate=True)
                item = {**item, "embedding": list(struct.unpack(f"<{len(raw) // 4}f", raw[: len(raw) // 4 * 4]))}
            except ValueError:
                pass
        data.append(item)
    return {**body, "data": data}
