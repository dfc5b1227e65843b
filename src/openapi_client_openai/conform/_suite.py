"""The suite: a few spec-valid requests per operation family, and what each answer is checked by.

A ``Case`` is one request (operation, body, parameters, whether it streams, the status it
wants) and a ``check`` that turns what came back into findings with the rules of
``_rules``.  Families list their cases in order: the first one tells whether the server
offers the family at all, and later ones may look at what earlier ones got (a stream is
compared with the plain answer; a file is retrieved by the id its upload got).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import _rules as r
from ._rules import Event, Finding

__all__ = ["DEFAULT_MODELS", "FAMILIES", "Answer", "Case", "Context", "families"]

# The model each family asks for unless told otherwise (``--model`` sets the generating ones).
DEFAULT_MODELS = {
    "chat": "gpt-4o-mini",
    "completions": "gpt-3.5-turbo-instruct",
    "embeddings": "text-embedding-3-small",
    "responses": "gpt-4o-mini",
    "moderations": "omni-moderation-latest",
    "models": "gpt-4o-mini",
    "files": "",
    "batches": "",
    "errors": "gpt-4o-mini",
}
UNKNOWN_MODEL = "conform-no-such-model"  # a model no server has
BAD_AUTHORIZATION = "Bearer"  # an Authorization header without a key
_DIMENSIONS = 8


@dataclass
class Answer:
    """What came back for one request: status, headers (lower-case names), the body parsed as
    JSON (``None`` when it is not) and, for a stream, its events in order."""

    status: int
    headers: dict[str, str]
    body: Any = None
    text: str = ""
    events: list[Event] | None = None
    raw: bytes = b""


@dataclass
class Context:
    """What the checks of a run share: the spec's schemas, ``--strict``, and each family's
    answers so far by case name."""

    defs: dict[str, Any]
    ops: dict[str, Any]
    strict: bool = False
    seen: dict[str, Answer] = field(default_factory=dict)

    def schema(self, op: str, ctype: str = "application/json") -> Any:
        """The response schema of an operation's success answer of this content type (or None)."""
        responses = (self.ops.get(op) or {}).get("responses") or {}
        for status in sorted(responses):
            if status.startswith("2") and ctype in responses[status]:
                return responses[status][ctype]
        return None


@dataclass
class Case:
    """One request of the suite and how its answer is checked."""

    family: str
    name: str
    op: str
    body: Any = None
    params: dict[str, str] = field(default_factory=dict)
    stream: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    want: int = 200  # the status the answer must have
    invalid: bool = False  # the request breaks the spec on purpose (replay needs --validate off)
    check: Callable[[Context, Case, Answer], list[Finding]] | None = None
    form: dict[str, str] | None = None  # a multipart body: its text fields...
    upload: tuple[str, bytes] | None = None  # ...and its file (name, bytes), sent as ``file``
    # Parameters taken from earlier answers (an uploaded file's id); None: the case cannot be sent.
    after: Callable[[Context], dict[str, str] | None] | None = None


def _status(case: Case, ans: Answer) -> list[Finding]:
    """The status, when it is not the one wanted (0: no whole answer came)."""
    if ans.status == 0:
        return [Finding("status", "status", str(case.want), ans.text)]
    body = ans.body if ans.body is not None else ans.text
    return [Finding("status", "status", str(case.want), f"{ans.status} {r.show(body)}")]


def _answer(ctx: Context, case: Case, ans: Answer, ratelimit: bool = True) -> list[Finding]:
    """The checks of every JSON answer: status, headers, schema, id prefix, ``--strict``."""
    if ans.status != case.want:
        return _status(case, ans)
    out = r.check_headers(ans.headers, "application/json", ratelimit)
    schema = ctx.schema(case.op)
    if schema is not None:
        out += r.check_schema(ctx.defs, schema, ans.body)
        if ctx.strict:
            out += r.check_strict(ctx.defs, schema, ans.body)
    out += r.check_id(ans.body)
    return out


def _events(ctx: Context, case: Case, ans: Answer, schema: Any) -> list[Finding]:
    """The checks of every stream: status, headers, each event's JSON and schema."""
    if ans.status != case.want:
        return _status(case, ans)
    out = r.check_headers(ans.headers, "text/event-stream", True)
    for i, event in enumerate(ans.events or ()):
        if event.done:
            continue
        if event.data is None:
            out.append(Finding(f"events[{i}]", "schema.event", "JSON", r.show(event.text)))
            continue
        if schema is not None:
            out += r.check_schema(ctx.defs, schema, _as_answer(case, event.data), f"events[{i}]", "schema.event")
            if ctx.strict:
                out += r.check_strict(ctx.defs, schema, event.data, f"events[{i}]")
        if case.op != "createResponse":
            out += [
                Finding(f.path.replace("$", f"events[{i}]", 1), f.rule, f.expected, f.got)
                for f in r.check_id(event.data)
            ]
    return out


def _as_answer(case: Case, data: Any) -> Any:
    # The spec gives text completions no chunk schema: chunks have the answer's shape, with
    # finish_reason null until a choice's last chunk (which the answer's enum leaves out).
    if case.op == "createCompletion" and isinstance(data, Mapping) and isinstance(data.get("choices"), list):
        choices = [
            {**c, "finish_reason": "stop"} if isinstance(c, Mapping) and c.get("finish_reason") is None else c
            for c in data["choices"]
        ]
        return {**data, "choices": choices}
    return data


def _accumulated(ctx: Context, case: Case, ans: Answer, plain: str) -> list[Finding]:
    """The stream, added up as a client does, against the same request's plain answer."""
    from .._accumulate import accumulator_for

    chunks = [e for e in ans.events or () if isinstance(e.data, Mapping)]
    earlier = ctx.seen.get(plain)
    if not chunks or earlier is None or earlier.status != 200 or not isinstance(earlier.body, Mapping):
        return []
    try:
        acc = accumulator_for(chunks[0].name, chunks[0].data)
        for event in chunks:
            acc.add(event.name, event.data)
        final = acc.final()
    except (TypeError, AttributeError, ValueError, KeyError) as exc:  # chunks no client can add up
        return [Finding("accumulated", "prose.stream.accumulated", "chunks a client can add up", repr(exc))]
    if not isinstance(final, Mapping):
        return [Finding("accumulated", "prose.stream.accumulated", "an object like the plain answer", r.show(final))]
    out = r.shape_differences(final, earlier.body)
    streamed, plain_choices = final.get("choices"), earlier.body.get("choices")
    if isinstance(streamed, list) and isinstance(plain_choices, list) and len(streamed) != len(plain_choices):
        out.append(
            Finding(
                "accumulated.choices", "prose.stream.accumulated", f"{len(plain_choices)} choices", f"{len(streamed)}"
            )
        )
    return out


# -- chat -----------------------------------------------------------------------------------------

_USER = [{"role": "user", "content": "Say hello."}]
_WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
            "additionalProperties": False,
        },
    },
}
_FORCED = {"type": "function", "function": {"name": "get_weather"}}
_PERSON = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
    "additionalProperties": False,
}


def _chat_plain(ctx: Context, case: Case, ans: Answer) -> list[Finding]:
    return _answer(ctx, case, ans)


def _chat_stream(usage: bool) -> Callable[[Context, Case, Answer], list[Finding]]:
    def check(ctx: Context, case: Case, ans: Answer) -> list[Finding]:
        out = _events(ctx, case, ans, ctx.schema(case.op, "text/event-stream"))
        if ans.status == case.want and ans.events is not None:
            out += r.check_chat_stream(ans.events, chat=True, include_usage=usage)
            out += _accumulated(ctx, case, ans, "plain")
        return out

    return check


def _choices(body: Any) -> list[Any]:
    choices = body.get("choices") if isinstance(body, Mapping) else None
    return choices if isinstance(choices, list) else []


def _message(body: Any) -> Mapping[str, Any]:
    choices = _choices(body)
    first = choices[0] if choices and isinstance(choices[0], Mapping) else {}
    message = first.get("message")
    return message if isinstance(message, Mapping) else {}


def _chat_forced(ctx: Context, case: Case, ans: Answer) -> list[Finding]:
    out = _answer(ctx, case, ans)
    if ans.status != 200:
        return out
    calls = _message(ans.body).get("tool_calls")
    if not isinstance(calls, list) or not calls or not isinstance(calls[0], Mapping):
        return [
            *out,
            Finding(
                "$.choices[0].message.tool_calls", "prose.chat.forced-tool", "a call of get_weather", r.show(calls)
            ),
        ]
    function = calls[0].get("function") if isinstance(calls[0].get("function"), Mapping) else {}
    if function.get("name") != "get_weather":
        out.append(
            Finding(
                "$.choices[0].message.tool_calls[0].function.name",
                "prose.chat.forced-tool",
                "'get_weather'",
                r.show(function.get("name")),
            )
        )
    try:
        json.loads(function.get("arguments") or "")
    except (TypeError, ValueError):
        out.append(
            Finding(
                "$.choices[0].message.tool_calls[0].function.arguments",
                "prose.chat.forced-tool",
                "a JSON object as text",
                r.show(function.get("arguments")),
            )
        )
    return out


def _chat_forced_stream(ctx: Context, case: Case, ans: Answer) -> list[Finding]:
    out = _events(ctx, case, ans, ctx.schema(case.op, "text/event-stream"))
    if ans.status == case.want and ans.events is not None:
        out += r.check_chat_stream(ans.events, chat=True, include_usage=False)
        out += _accumulated(ctx, case, ans, "forced tool call")
    return out


def _chat_structured(ctx: Context, case: Case, ans: Answer) -> list[Finding]:
    out = _answer(ctx, case, ans)
    if ans.status != 200:
        return out
    content = _message(ans.body).get("content")
    where = "$.choices[0].message.content"
    try:
        value = json.loads(content) if isinstance(content, str) else None
    except ValueError:
        value = None
    if value is None:
        return [
            *out,
            Finding(where, "prose.chat.structured-output", "JSON text fitting the json_schema", r.show(content)),
        ]
    for f in r.check_schema({}, _PERSON, value, where, "prose.chat.structured-output"):
        out.append(f)
    return out


def _chat_n(ctx: Context, case: Case, ans: Answer) -> list[Finding]:
    out = _answer(ctx, case, ans)
    if ans.status != 200:
        return out
    indexes = sorted(c.get("index") for c in _choices(ans.body) if isinstance(c, Mapping))
    if indexes != [0, 1]:
        out.append(Finding("$.choices", "prose.chat.n", "2 choices, indexes 0 and 1", f"indexes {indexes}"))
    return out


def _chat_logprobs(ctx: Context, case: Case, ans: Answer) -> list[Finding]:
    out = _answer(ctx, case, ans)
    if ans.status != 200:
        return out
    choices = _choices(ans.body)
    logprobs = choices[0].get("logprobs") if choices and isinstance(choices[0], Mapping) else None
    content = logprobs.get("content") if isinstance(logprobs, Mapping) else None
    if not isinstance(content, list) or not content:
        out.append(
            Finding("$.choices[0].logprobs.content", "prose.chat.logprobs", "a list of token logprobs", r.show(content))
        )
    return out


def _chat(model: str) -> list[Case]:
    base = {"model": model, "messages": _USER}
    return [
        Case("chat", "plain", "createChatCompletion", base, check=_chat_plain),
        Case(
            "chat", "stream", "createChatCompletion", {**base, "stream": True}, stream=True, check=_chat_stream(False)
        ),
        Case(
            "chat",
            "stream with usage",
            "createChatCompletion",
            {**base, "stream": True, "stream_options": {"include_usage": True}},
            stream=True,
            check=_chat_stream(True),
        ),
        Case(
            "chat",
            "tools",
            "createChatCompletion",
            {**base, "tools": [_WEATHER], "tool_choice": "auto"},
            check=_chat_plain,
        ),
        Case(
            "chat",
            "forced tool call",
            "createChatCompletion",
            {**base, "tools": [_WEATHER], "tool_choice": _FORCED},
            check=_chat_forced,
        ),
        Case(
            "chat",
            "forced tool call, streamed",
            "createChatCompletion",
            {**base, "tools": [_WEATHER], "tool_choice": _FORCED, "stream": True},
            stream=True,
            check=_chat_forced_stream,
        ),
        Case(
            "chat",
            "structured output",
            "createChatCompletion",
            {
                **base,
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "person", "schema": _PERSON, "strict": True},
                },
            },
            check=_chat_structured,
        ),
        Case("chat", "n=2", "createChatCompletion", {**base, "n": 2}, check=_chat_n),
        Case(
            "chat",
            "logprobs",
            "createChatCompletion",
            {**base, "logprobs": True, "top_logprobs": 2},
            check=_chat_logprobs,
        ),
    ]


# -- completions, embeddings, moderations, models -----------------------------------------------------


def _completion_stream(ctx: Context, case: Case, ans: Answer) -> list[Finding]:
    out = _events(ctx, case, ans, ctx.schema(case.op))
    if ans.status == case.want and ans.events is not None:
        out += r.check_chat_stream(ans.events, chat=False, include_usage=False)
        out += _accumulated(ctx, case, ans, "plain")
    return out


def _completions(model: str) -> list[Case]:
    base = {"model": model, "prompt": "Say hello.", "max_tokens": 16}
    return [
        Case("completions", "plain", "createCompletion", base, check=_chat_plain),
        Case(
            "completions", "stream", "createCompletion", {**base, "stream": True}, stream=True, check=_completion_stream
        ),
    ]


def _embeddings_check(base64_encoded: bool) -> Callable[[Context, Case, Answer], list[Finding]]:
    def check(ctx: Context, case: Case, ans: Answer) -> list[Finding]:
        if ans.status != case.want:
            return _answer(ctx, case, ans)
        decoded = Answer(ans.status, ans.headers, r.decode_base64_embeddings(ans.body) if base64_encoded else ans.body)
        return _answer(ctx, case, decoded) + r.check_embeddings(ans.body, _DIMENSIONS, base64_encoded)

    return check


def _embeddings(model: str) -> list[Case]:
    base = {"model": model, "input": ["Say hello.", "Say goodbye."], "dimensions": _DIMENSIONS}
    return [
        Case("embeddings", "dimensions", "createEmbedding", base, check=_embeddings_check(False)),
        Case(
            "embeddings",
            "base64",
            "createEmbedding",
            {**base, "encoding_format": "base64"},
            check=_embeddings_check(True),
        ),
    ]


def _moderation_check(ctx: Context, case: Case, ans: Answer) -> list[Finding]:
    out = _answer(ctx, case, ans)
    if ans.status == 200:
        out += r.check_id(ans.body, prefix=r.MODERATION_PREFIX)
    return out


def _moderations(model: str) -> list[Case]:
    return [
        Case(
            "moderations", "text", "createModeration", {"model": model, "input": "Say hello."}, check=_moderation_check
        )
    ]


def _models_plain(ctx: Context, case: Case, ans: Answer) -> list[Finding]:
    return _answer(ctx, case, ans, ratelimit=False)


def _model_unknown(ctx: Context, case: Case, ans: Answer) -> list[Finding]:
    return r.check_error(ans.status, 404, ans.body, ctx.defs, "model.not-found") + _not_found_code(ans.body)


def _not_found_code(body: Any) -> list[Finding]:
    error = body.get("error") if isinstance(body, Mapping) else None
    if isinstance(error, Mapping) and error.get("code") != "model_not_found":
        return [Finding("$.error.code", "model.not-found", "'model_not_found'", r.show(error.get("code")))]
    return []


def _models(model: str) -> list[Case]:
    return [
        Case("models", "list", "listModels", check=_models_plain),
        Case("models", "retrieve", "retrieveModel", params={"model": model}, check=_models_plain),
        Case(
            "models", "unknown model", "retrieveModel", params={"model": UNKNOWN_MODEL}, want=404, check=_model_unknown
        ),
    ]


# -- responses ----------------------------------------------------------------------------------------


def _responses_stream(ctx: Context, case: Case, ans: Answer) -> list[Finding]:
    out = _events(ctx, case, ans, ctx.schema(case.op, "text/event-stream"))
    if ans.status != case.want or ans.events is None:
        return out
    out += r.check_responses_stream(ans.events)
    final = next(
        (
            e.data.get("response")
            for e in ans.events
            if isinstance(e.data, Mapping) and e.data.get("type") == "response.completed"
        ),
        None,
    )
    earlier = ctx.seen.get("plain")
    if isinstance(final, Mapping) and earlier is not None and isinstance(earlier.body, Mapping):
        out += r.shape_differences(final, earlier.body, "accumulated")
    return out


def _responses(model: str) -> list[Case]:
    base = {"model": model, "input": "Say hello."}
    return [
        Case("responses", "plain", "createResponse", base, check=_chat_plain),
        Case("responses", "stream", "createResponse", {**base, "stream": True}, stream=True, check=_responses_stream),
    ]


# -- files and batches ------------------------------------------------------------------------------

# A one-line Batch API input, usable by both families (a batch needs an uploaded input file).
BATCH_LINE = (
    b'{"custom_id": "conform-1", "method": "POST", "url": "/v1/chat/completions", '
    b'"body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]}}\n'
)
BATCH_FILE = "conform-batch.jsonl"


def _id_of(case: str, param: str) -> Callable[[Context], dict[str, str] | None]:
    """Parameters naming the object an earlier case of the family made (None when it made none)."""

    def params(ctx: Context) -> dict[str, str] | None:
        earlier = ctx.seen.get(case)
        made = earlier.body.get("id") if earlier is not None and isinstance(earlier.body, Mapping) else None
        return {param: made} if isinstance(made, str) and made else None

    return params


def _content(ctx: Context, case: Case, ans: Answer) -> list[Finding]:
    # The spec calls this answer a JSON string; the API sends the file's bytes as they are.
    if ans.status != case.want:
        return _status(case, ans)
    if ans.raw != BATCH_LINE:
        return [
            Finding("$", "prose.files.content", r.show(BATCH_LINE.decode()), r.show(ans.raw.decode("utf-8", "replace")))
        ]
    return []


def _upload(family: str) -> Case:
    return Case(
        family, "upload", "createFile", form={"purpose": "batch"}, upload=(BATCH_FILE, BATCH_LINE), check=_models_plain
    )


def _files(model: str) -> list[Case]:
    return [
        _upload("files"),
        Case("files", "list", "listFiles", check=_models_plain),
        Case("files", "retrieve", "retrieveFile", after=_id_of("upload", "file_id"), check=_models_plain),
        Case("files", "content", "downloadFile", after=_id_of("upload", "file_id"), check=_content),
        Case("files", "delete", "deleteFile", after=_id_of("upload", "file_id"), check=_models_plain),
    ]


def _batch_body(ctx: Context) -> dict[str, str] | None:
    return _id_of("upload", "input_file_id")(ctx)


def _batches(model: str) -> list[Case]:
    create = {"endpoint": "/v1/chat/completions", "completion_window": "24h"}
    return [
        _upload("batches"),
        Case("batches", "create", "createBatch", create, after=_batch_body, check=_models_plain),
        Case("batches", "retrieve", "retrieveBatch", after=_id_of("create", "batch_id"), check=_models_plain),
        Case("batches", "list", "listBatches", check=_models_plain),
    ]


# -- errors -------------------------------------------------------------------------------------------


def _bad_request(ctx: Context, case: Case, ans: Answer) -> list[Finding]:
    out = r.check_error(ans.status, 400, ans.body, ctx.defs, "error.status")
    error = ans.body.get("error") if isinstance(ans.body, Mapping) else None
    if isinstance(error, Mapping) and ans.status == 400 and error.get("param") != "messages":
        out.append(Finding("$.error.param", "error.status", "'messages'", r.show(error.get("param"))))
    return out


def _no_key(ctx: Context, case: Case, ans: Answer) -> list[Finding]:
    return r.check_error(ans.status, 401, ans.body, ctx.defs, "auth.401")


def _unknown_model_chat(ctx: Context, case: Case, ans: Answer) -> list[Finding]:
    # Servers of one model may answer any model name (llama.cpp does): only a refusal is checked.
    if 200 <= ans.status < 300:
        return []
    return r.check_error(ans.status, 404, ans.body, ctx.defs, "model.not-found") + _not_found_code(ans.body)


def _errors(model: str) -> list[Case]:
    return [
        Case(
            "errors",
            "bad request",
            "createChatCompletion",
            {"model": model, "messages": "Say hello."},
            want=400,
            invalid=True,
            check=_bad_request,
        ),
        Case(
            "errors",
            "no API key",
            "createChatCompletion",
            {"model": model, "messages": _USER},
            headers={"Authorization": BAD_AUTHORIZATION},
            want=401,
            check=_no_key,
        ),
        Case(
            "errors",
            "unknown model",
            "createChatCompletion",
            {"model": UNKNOWN_MODEL, "messages": _USER},
            want=404,
            check=_unknown_model_chat,
        ),
    ]


# The families in the order they run, each a function of its model giving its cases.
FAMILIES: dict[str, Callable[[str], list[Case]]] = {
    "models": _models,
    "chat": _chat,
    "completions": _completions,
    "embeddings": _embeddings,
    "responses": _responses,
    "moderations": _moderations,
    "files": _files,
    "batches": _batches,
    "errors": _errors,
}


def families(only: list[str] | None, models: Mapping[str, str]) -> dict[str, list[Case]]:
    """The cases of each family to run (all of them unless ``only`` names some), with the models
    asked for.  Raises ``ValueError`` naming the families there are for an unknown name."""
    names = list(FAMILIES)
    if only:
        unknown = [n for n in only if n not in FAMILIES]
        if unknown:
            word = "families" if len(unknown) > 1 else "family"
            raise ValueError(f"unknown {word} {', '.join(unknown)}: choose from {', '.join(names)}")
        names = [n for n in names if n in only]
    return {name: FAMILIES[name](models.get(name) or DEFAULT_MODELS[name]) for name in names}
