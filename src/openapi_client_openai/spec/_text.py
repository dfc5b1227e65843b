"""An operation's documentation as text: Markdown and a runnable example, from the spec.

``markdown(index, name)`` is what ``help(client.createChatCompletion)`` shows, so it lives in
the core (the ``docs`` package, an edge, adds search, the HTML site and the command line's
terminal rendering); ``example(index, name)`` is a Python program that calls the operation
with this library (from the spec's own example body, else one made from the schema).
"""

from __future__ import annotations

import pprint
from typing import Any

from .._validation import Explainer
from ._docinfo import docinfo
from ._fake import FIELD_PREFIXES, Faker
from ._index import snake_case

__all__ = ["example", "markdown", "schema_markdown"]


def _method_name(op_id: str) -> str:
    return op_id if op_id.isidentifier() else snake_case(op_id)


def _placeholder(name: str) -> str:
    return FIELD_PREFIXES.get(name, f"{name}_") + "abc123"


def _example_body(index: Any, op_id: str) -> Any:
    info = docinfo(index)["ops"][op_id]
    validator = index.validator(op_id)
    params = _example_params(index, op_id)
    for body in info["examples"]:
        if isinstance(body, dict) and not validator.check(body, params):
            return body
    schemas = index.schemas()["ops"].get(op_id) or {}
    bodies = schemas.get("body") or {}
    schema = bodies.get("application/json") or bodies.get("multipart/form-data")
    if schema is None:
        return "v=0\r\n..." if bodies else None
    defs = index.schemas()["defs"]
    full = Faker(defs, seed=1).value(schema)
    required = set(Explainer(defs, "").resolve(schema).get("required") or ())
    if not isinstance(full, dict):
        return full
    for made in ({k: v for k, v in full.items() if k in required}, full):  # the smallest body that fits
        for name, kind in validator.file_fields(schema).items():
            if name in made:
                sample = ("example.wav", b"RIFF\x24\x00\x00\x00WAVEfmt ")
                made[name] = [sample] if kind == "many" else sample
        if not validator.check(made, params):
            return made
    return full


def _example_params(index: Any, op_id: str) -> dict[str, Any]:
    op = index.operation(op_id)
    out: dict[str, Any] = {}
    for name, location, required, schema in (index.schemas()["ops"].get(op_id) or {}).get("params") or []:
        prm = op.by_kwarg.get(name) or op.by_kwarg.get(name[:-2])
        if prm is None:
            continue
        if location == "path":
            out[prm.kwarg] = "gpt-4o-mini" if name == "model" else _placeholder(name)
        elif required:
            out[prm.kwarg] = Faker(index.schemas()["defs"], seed=2).value(schema, name)
    return out


def example(index: Any, op_id: str) -> str:
    """A runnable Python program calling the operation with this library."""
    op = index.operation(op_id)
    body = _example_body(index, op_id)
    params = _example_params(index, op_id)
    streams = False
    if op.streaming and isinstance(body, dict):
        if body.get("stream_format") == "sse":
            streams = True
        elif "stream" in _body_fields(index, op_id):
            body, streams = {**body, "stream": True}, True
    call_args = [f"{k}={v!r}" for k, v in params.items()]
    if body is not None:
        text = pprint.pformat(body, indent=4, width=88, sort_dicts=False)
        call_args.insert(0, "body=" + text.replace("\n", "\n    "))
    call = (
        f"client.{_method_name(op_id)}(\n    " + ",\n    ".join(call_args) + ",\n)"
        if call_args
        else f"client.{_method_name(op_id)}()"
    )
    lines = [
        "from openapi_client_openai import OpenAIClient",
        "",
        "client = OpenAIClient()  # the key (and base URL) from OPENAI_API_KEY (and OPENAI_BASE_URL)",
    ]
    if streams:
        lines += [f"with {call} as stream:", "    for event in stream:", "        print(event.event, event)"]
    else:
        lines += [
            f"result = {call}",
            "print(result.status_code, result.request_id)",
            "if result.content_type.startswith('application/json'):",
            "    print(result.json())",
            "else:",
            "    print(len(result.content), 'bytes of', result.content_type or 'content')",
        ]
    return "\n".join(lines) + "\n"


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


def markdown(index: Any, op_id: str, link: Any = None) -> str:
    """The operation's documentation as Markdown (``link(name)`` makes schema names links)."""
    op = index.operation(op_id)
    data = docinfo(index)
    info = data["ops"][op.id]
    known = data.get("schemas", {})
    name = _method_name(op.id)
    out = [
        f"# {op.id}",
        "",
        f"`{op.method} {op.path}{'?' + op.static_query if op.static_query else ''}`"
        f" - `client.{name}(...)`" + (f" (also `client.{snake_case(op.id)}`)" if snake_case(op.id) != name else ""),
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
    out += ["## Example", "", "```python", example(index, op.id).rstrip(), "```", ""]
    out += ["## Answers", ""]
    for status, text, kinds in info["answers"]:
        shown = ", ".join(f"{c}: {_linked(k, link, known)}" for c, k in kinds.items()) or "no body"
        out.append(f"- {status}" + (f" {text}" if text else "") + f" ({shown})")
        if "text/event-stream" in kinds:
            out.append(f'  - streamed with `"stream": true`: each event is a `{kinds["text/event-stream"]}`')
    return "\n".join(out).rstrip() + "\n"
