"""An operation's documentation as text: Markdown and runnable examples, from the spec.

``markdown(index, name)`` is what ``help(client.createChatCompletion)`` shows, so it lives in
the core (the ``docs`` package, an edge, adds search, the HTML site and the command line's
terminal rendering).  ``examples(index, name)`` gives each example as a Python program and as
the same call on the command line: the plain call first, then (for an operation that
streams) the streamed one.  The request is the spec's own example where it fits the spec,
else one made from the schema; model names come from the spec's model enums.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from .._validation import Explainer
from ._docinfo import docinfo
from ._fake import FIELD_PREFIXES, ID_PREFIXES, SENTENCES, Faker
from ._index import snake_case
from ._source import FileRef, call_source, is_keyword_name, json_source, shell_word

__all__ = ["Example", "example", "examples", "markdown", "schema_markdown"]

COMMAND = "openapi-client-openai"
# Keywords the operation methods take for themselves: a body field so named goes in body=.
_RESERVED = frozenset({"body", "headers", "query", "timeout", "self"})
# Stream families whose events carry text: their example prints the text as it arrives.
_TEXT_STREAMS = ("ChatCompletionStream", "CreateCompletionResponse", "ResponseStreamEvent", "Transcript")
_EXTENSIONS = {
    "audio/mpeg": "mp3",
    "video/mp4": "mp4",
    "image/webp": "webp",
    "image/png": "png",
    "application/zip": "zip",
}


class Example(NamedTuple):
    """One example call: a title, a Python program and the same call on the command line."""

    title: str
    python: str
    command: str


def _method_name(op_id: str) -> str:
    return op_id if op_id.isidentifier() else snake_case(op_id)


def _placeholder(name: str) -> str:
    """An id as the API spells them: ``file-abc123``, ``video_abc123``."""
    kind = name[:-3] if name.endswith("_id") else name
    return (FIELD_PREFIXES.get(name) or ID_PREFIXES.get(kind) or f"{kind}_") + "abc123"


def _from_spec(value: Any, model: str) -> Any:
    """A spec example's value as an example shows it: files as ``FileRef``, model placeholders
    (``VAR_chat_model_id``) as a real model name."""
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "@file":
        return FileRef(value[1])
    if isinstance(value, str) and value.startswith("VAR_") and model:
        return model
    if isinstance(value, dict):
        return {k: _from_spec(v, model) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_spec(v, model) for v in value]
    return value


def _typed(value: Any, schema: Any, explainer: Explainer) -> Any:
    """A form field's text as the type its schema wants (``n=2`` in a curl ``-F`` is a number)."""
    if isinstance(value, list):
        items = explainer.resolve(schema).get("items") or {}
        return [_typed(v, items, explainer) for v in value]
    if isinstance(value, dict):
        props = explainer.properties(schema)
        return {k: _typed(v, props.get(k, {}), explainer) for k, v in value.items()}
    if not isinstance(value, str):
        return value
    kinds = explainer.types(schema)
    if not kinds or "string" in kinds:
        return value
    try:
        parsed = json.loads(value)
    except ValueError:
        return value
    return parsed if not isinstance(parsed, str) else value


def _tidy(value: Any, field: str = "") -> Any:
    """A made-up value as a reader expects it: Faker's sentences become "Hello!", ids get
    their kind's prefix (``file_ids`` -> ``["file-abc123"]``)."""
    if isinstance(value, dict):
        return {k: _tidy(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_tidy(v, field[:-1] if field.endswith("_ids") else field) for v in value]
    if isinstance(value, str):
        if field.endswith("_id"):
            return _placeholder(field)
        if value in SENTENCES:
            return "Hello!"
    return value


def _sample_file(name: str, kind: str, path: str) -> Any:
    """A file value for a made-up example, named for what the field takes."""
    if "/audio/" in path or "audio" in name:
        ext = "mp3"
    elif "/images/" in path or name in ("image", "mask"):
        ext = "png"
    elif "video" in name or "/videos" in path:
        ext = "mp4"
    else:
        ext = "bin"
    ref = FileRef(f"{name}.{ext}")
    return [ref] if kind == "many" else ref


def _example_body(index: Any, op_id: str) -> Any:
    data = docinfo(index)
    info = data["ops"][op_id]
    model = info.get("model") or data.get("default_model") or ""
    validator = index.validator(op_id)
    params = _example_params(index, op_id)
    schemas = index.schemas()["ops"].get(op_id) or {}
    bodies = schemas.get("body") or {}
    defs = index.schemas()["defs"]
    explainer = Explainer(defs, "")
    form = bodies.get("multipart/form-data")
    for raw in info["examples"]:
        if not isinstance(raw, dict):
            continue
        body = _from_spec(raw, model)
        if form is not None and "application/json" not in bodies:
            props = explainer.properties(form)
            body = {k: _typed(v, props.get(k, {}), explainer) for k, v in body.items()}
        if body.get("stream") is True or body.get("stream_format") == "sse":
            continue  # the plain call first; the streamed one is made from it
        if not validator.check(body, params):
            return body
    schema = bodies.get("application/json") or form
    if schema is None:
        return "v=0\r\n..." if bodies else None
    full = Faker(defs, seed=1).value(schema)
    required = set(explainer.resolve(schema).get("required") or ())
    if not isinstance(full, dict):
        return full
    if model and isinstance(full.get("model"), str):
        full["model"] = model
    tidy = _tidy(full)
    if not validator.check(tidy, params):
        full = tidy
    files = validator.file_fields(schema)
    for made in ({k: v for k, v in full.items() if k in required}, full):  # the smallest body that fits
        for name, kind in files.items():
            if name in made:
                made[name] = _sample_file(name, kind, index.operation(op_id).path)
        if not validator.check(made, params):
            return made
    return full


def _example_params(index: Any, op_id: str) -> dict[str, Any]:
    op = index.operation(op_id)
    default_model = docinfo(index).get("default_model") or "gpt-4o-mini"
    out: dict[str, Any] = {}
    for name, location, required, schema in (index.schemas()["ops"].get(op_id) or {}).get("params") or []:
        prm = op.by_kwarg.get(name) or op.by_kwarg.get(name[:-2])
        if prm is None:
            continue
        if location == "path":
            out[prm.kwarg] = default_model if name == "model" else _placeholder(name)
        elif required:
            out[prm.kwarg] = Faker(index.schemas()["defs"], seed=2).value(schema, name)
    return out


def _streamed(index: Any, op_id: str, body: Any) -> Any:
    """The body of the streamed call, or None when the operation does not stream."""
    op = index.operation(op_id)
    if not op.streaming or not isinstance(body, dict):
        return None
    fields = _body_fields(index, op_id)
    if "stream" in fields:
        return {**body, "stream": True}
    if "stream_format" in fields:
        return {**body, "stream_format": "sse"}
    return None


def _answer_kind(index: Any, op_id: str) -> tuple[str, str]:
    """How the example shows the answer: ("json"|"text"|"file"|"none", file name)."""
    op = index.operation(op_id)
    kinds = [c for status, _, types in docinfo(index)["ops"][op_id]["answers"] if status[:1] == "2" for c in types]
    binary = [c for c in kinds if c not in ("application/json", "text/event-stream") and not c.startswith("text/")]
    stem = next((s for s in reversed(op.path.split("/")) if s and not s.startswith("{")), "answer")
    if binary and binary[0] != "application/sdp":
        ext = _EXTENSIONS.get(binary[0]) or ("mp3" if binary[0].startswith("audio/") or "/audio/" in op.path else "bin")
        return "file", f"{stem}.{ext}"
    if "application/json" in kinds:
        return "json", ""
    if kinds:
        return "text", ""
    return "none", ""


def _python_args(
    op: Any, params: dict[str, Any], body: Any, declared: set[str] | frozenset[str] = frozenset()
) -> list[tuple[str, Any]]:
    """The call's arguments: parameters, then the body's fields as keywords where they can be,
    else ``body=``.  Fields the schema does not declare (``declared``, when it declares any; the
    spec's own examples have a few) go in ``extra_body=``, the escape hatch the stubs type."""
    args: list[tuple[str, Any]] = list(params.items())
    if body is None:
        return args
    extra = {k: v for k, v in body.items() if k not in declared} if isinstance(body, dict) and declared else {}
    if extra:
        body = {k: v for k, v in body.items() if k not in extra}
        if not body:
            return [*args, ("extra_body", extra)]
    as_keywords = (
        isinstance(body, dict)
        and bool(body)
        and all(
            is_keyword_name(k) and k not in _RESERVED and k not in op.by_kwarg and v is not None
            for k, v in body.items()
        )
    )
    made = args + (list(body.items()) if as_keywords else [("body", body)])
    return [*made, ("extra_body", extra)] if extra else made


def _uses_files(value: Any) -> bool:
    if isinstance(value, FileRef):
        return True
    if isinstance(value, dict):
        return any(_uses_files(v) for v in value.values())
    if isinstance(value, list):
        return any(_uses_files(v) for v in value)
    return False


def _program(index: Any, op_id: str, params: dict[str, Any], body: Any, streamed: bool) -> str:
    op = index.operation(op_id)
    lines = []
    if _uses_files(body):
        lines += ["from pathlib import Path", ""]
    lines += [
        "from openapi_client_openai import OpenAIClient",
        "",
        # An operation of the admin scheme takes the admin key (the client routes it by scheme).
        "client = OpenAIClient()  # the admin key from OPENAI_ADMIN_KEY"
        if "AdminApiKeyAuth" in getattr(op, "security", ())
        else "client = OpenAIClient()  # the key from OPENAI_API_KEY",
    ]
    name = f"client.{snake_case(op_id)}"
    args = _python_args(op, params, body, _body_fields(index, op_id))
    if streamed:
        lines.append(call_source(f"with {name}", args, " as stream:"))
        stream_kind = " ".join(
            types.get("text/event-stream", "") for status, _, types in docinfo(index)["ops"][op_id]["answers"]
        )
        if any(family in stream_kind for family in _TEXT_STREAMS):
            lines += ["    for text in stream.iter_text():", '        print(text, end="", flush=True)', "    print()"]
        else:
            lines += ["    for event in stream:", "        print(event.event, event)"]
        return "\n".join(lines) + "\n"
    kind, filename = _answer_kind(index, op_id)
    if kind == "none":
        lines.append(call_source(name, args))
        return "\n".join(lines) + "\n"
    lines.append(call_source(f"result = {name}", args))
    if kind == "json":
        lines.append("print(result.json())")
    elif kind == "text":
        lines.append("print(result.text)")
    else:
        lines.append(f'result.write_to("{filename}")')
    return "\n".join(lines) + "\n"


# A line of the command: 78 columns, less the " \\" that continues it.
_ROOM = 76


def _word(text: str, before: str = "") -> str:
    """One item of the command on its own continuation line (indented by 2, after ``before``)."""
    return before + shell_word(text, _ROOM, 2 + len(before))


def _json_word(lead: str, value: Any, before: str = "") -> str:
    """``lead`` then ``value`` as JSON, one shell word on its own continuation line."""
    # An apostrophe inside JSON text is written \u0027, so that the word needs no '"'"' dance.
    room = _ROOM - 2 - len(before) - len(lead) - 2  # the indent and the word's quotes
    return _word(lead + json_source(value, 2, room).replace("'", "\\u0027"), before)


def _command(index: Any, op_id: str, params: dict[str, Any], body: Any) -> str:
    """The call as ``openapi-client-openai call NAME ITEMS...`` for a POSIX shell."""
    op = index.operation(op_id)
    items: list[str] = []
    for kwarg, value in params.items():
        prm = op.by_kwarg[kwarg]
        text = value if isinstance(value, str) else json.dumps(value)
        if prm.location == "path":
            items.append(_word(f"{kwarg}={text}"))
        elif prm.location == "query":
            items.append(_word(f"{kwarg}=={text}"))
        else:
            items.append(_word(f"{prm.name}:{text}"))
    plain_keys = (
        isinstance(body, dict)
        and bool(body)
        and all(k and not any(c in k for c in "=:@\\") and k not in op.by_kwarg for k in body)
    )
    if body is not None and not plain_keys:
        items.append(_json_word("", body, "--body "))
    elif isinstance(body, dict):
        for key, value in body.items():
            if isinstance(value, FileRef):
                items.append(_word(f"{key}@{value.name}"))
            elif isinstance(value, list) and value and all(isinstance(v, FileRef) for v in value):
                items += [_word(f"{key}@{v.name}") for v in value]
            elif isinstance(value, str):
                items.append(_word(f"{key}={value}"))
            else:
                items.append(_json_word(f"{key}:=", value))
    head = f"{COMMAND} call {snake_case(op_id)}"
    flat = " ".join([head, *items])
    if len(flat) <= 78 and "\n" not in flat:
        return flat + "\n"
    return " \\\n  ".join([head, *items]) + "\n"


def examples(index: Any, op_id: str) -> list[Example]:
    """The operation's examples: the plain call, then the streamed one where it streams."""
    op = index.operation(op_id)
    body = _example_body(index, op.id)
    params = _example_params(index, op.id)
    out = [Example("Example", _program(index, op.id, params, body, False), _command(index, op.id, params, body))]
    streamed = _streamed(index, op.id, body)
    if streamed is not None:
        out.append(
            Example(
                "Example: streaming",
                _program(index, op.id, params, streamed, True),
                _command(index, op.id, params, streamed),
            )
        )
    return out


def example(index: Any, op_id: str) -> str:
    """A runnable Python program calling the operation with this library (the plain call)."""
    return examples(index, op_id)[0].python


def _body_fields(index: Any, op_id: str) -> set[str]:
    info = docinfo(index)["ops"][op_id]
    return {f[1] for fields in info["body"].values() for f in fields if f[0] == 0}


def _linked(kind: str, link: Any, known: Any) -> str:
    """A type text with schema names made into links (for the HTML site)."""
    if link is None:
        return kind
    import re

    return re.sub(
        r"[A-Za-z_][A-Za-z0-9_]*",
        lambda m: f"[{m.group(0)}]({link(m.group(0))})" if m.group(0) in known else m.group(0),
        kind,
    )


def _field_lines(fields: list, link: Any = None, known: Any = ()) -> list[str]:
    lines = []
    for depth, fname, kind, required, text, extras in fields:
        need = "required" if required else "optional"
        line = "  " * depth + f"- `{fname}` ({_linked(kind, link, known)}, {need})"
        lines.append(line + (f": {text}" if text else "") + (f" ({extras})" if extras else ""))
    return lines


def schema_markdown(index: Any, name: str, link: Any = None) -> str:
    """A component schema's documentation as Markdown."""
    known = docinfo(index)["schemas"]
    data = known[name]
    out = [f"# {name}", "", f"Type: {_linked(data['type'], link, known)}", ""]
    if data["description"]:
        out += [data["description"], ""]
    if data["fields"]:
        out += ["## Fields", "", *_field_lines(data["fields"], link, known), ""]
    return "\n".join(out)


def answer_example(index: Any, op_id: str) -> tuple[str, str]:
    """The spec's own example answer and its code language ("json", else "text"); empty if none."""
    text = docinfo(index)["ops"][op_id].get("answer") or ""
    if not text:
        return "", ""
    try:
        json.loads(text)
    except ValueError:
        return text, "text"
    return text, "json"


def markdown(index: Any, op_id: str, link: Any = None) -> str:
    """The operation's documentation as Markdown (``link(name)`` makes schema names links)."""
    op = index.operation(op_id)
    data = docinfo(index)
    info = data["ops"][op.id]
    known = data.get("schemas", {})
    names = [f"`client.{n}(...)`" for n in dict.fromkeys([snake_case(op.id), _method_name(op.id)])]
    out = [
        f"# {op.id}",
        "",
        f"`{op.method} {op.path}{'?' + op.static_query if op.static_query else ''}` - " + " or ".join(names),
        "",
    ]
    if info["summary"]:
        out += [info["summary"].strip(), ""]
    if info["description"] and info["description"].strip() != info["summary"].strip():
        out += [info["description"].strip(), ""]
    if op.deprecated:
        out += ["**Deprecated.**", ""]
    if info["params"]:
        out += ["## Parameters", ""]
        for pname, location, required, kind, text, extras in info["params"]:
            prm = op.by_kwarg.get(pname) or op.by_kwarg.get(pname[:-2])
            kwarg = prm.kwarg if prm is not None else pname
            need = "required" if required else "optional"
            line = f"- `{kwarg}` ({location}, {kind}, {need})"
            out.append(line + (f": {text}" if text else "") + (f" ({extras})" if extras else ""))
        out.append("")
    for ctype, fields in info["body"].items():
        need = "required" if info["body_required"] else "optional"
        out += [f"## Request body ({ctype}, {need})", "", *_field_lines(fields, link, known), ""]
    if info["models"]:
        out += [
            "## Known models",
            "",
            ", ".join(f"`{m}`" for m in info["models"]) + " (any other model name is accepted too)",
            "",
        ]
    for item in examples(index, op.id):
        out += [f"## {item.title}", "", "```python", item.python.rstrip(), "```", ""]
        out += ["From the command line:", "", "```sh", item.command.rstrip(), "```", ""]
    answer, lang = answer_example(index, op.id)
    if answer:
        out += ["## Example answer", "", "From the spec:", "", f"```{lang}", answer, "```", ""]
    out += ["## Answers", ""]
    for status, text, kinds in info["answers"]:
        shown = ", ".join(f"{c}: {_linked(k, link, known)}" for c, k in kinds.items()) or "no body"
        out.append(f"- {status}" + (f" {text}" if text else "") + f" ({shown})")
        if "text/event-stream" in kinds:
            out.append(f'  - streamed with `"stream": true`: each event is a `{kinds["text/event-stream"]}`')
    return "\n".join(out).rstrip() + "\n"
