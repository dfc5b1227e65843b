"""What the documentation of each operation says, taken from the spec once and cached.

``docinfo(index)`` returns, per operationId: summary, description, parameters (with their
descriptions), the request body's fields (nested, readable), known model names, the spec's
own example request body, and the answers.  It is built on first use (a help() or a docs
command), never at start-up, and cached beside the index, keyed like it.
"""

from __future__ import annotations

import itertools
import json
import re
import sys

from ._cache import cache_path, code_tag, read_data, write_data
from ._load import parse_spec, read_spec
from ._walk import Walker

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["DOCS_FORMAT", "docinfo", "shorten"]

DOCS_FORMAT = 1
_LOADED: dict[str, dict] = {}
_CURL_DATA = re.compile(r"-d '(.*?)'\s*(?:\\\s*)?$", re.S)


def docinfo(index: Any) -> dict:
    """The documentation data of every operation of a loaded spec (see the module docstring)."""
    data = _LOADED.get(index.sha256)
    if data is not None:
        return data
    code = code_tag(__file__, sys.modules[Walker.__module__].__file__ or "")  # the walker shapes this data too
    path = cache_path(f"{index.sha256[:40]}-docs-d{DOCS_FORMAT}-{code}.bin")
    data = read_data(path)
    if not isinstance(data, dict):
        doc = parse_spec(read_spec(index.source), index.source)
        data = _extract(doc, index)
        write_data(path, data)
    _LOADED[index.sha256] = data
    return data


class _Reader:
    """Reads a spec's schemas for people: short type names, and fields with their descriptions."""

    def __init__(self, walker: Walker) -> None:
        self.walker = walker

    def resolve(self, node: Any) -> tuple[dict, str | None]:
        node, name = self.walker.resolve_named(node)
        return (node if isinstance(node, dict) else {}), name

    def merged(self, schema: Any) -> dict:
        schema, _ = self.resolve(schema)
        if "allOf" not in schema:
            return schema
        out: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        props, required = dict(out.get("properties") or {}), list(out.get("required") or [])
        for part in schema["allOf"]:
            part = self.merged(part)
            props.update(part.get("properties") or {})
            required += [r for r in part.get("required") or [] if r not in required]
            for key, value in part.items():
                out.setdefault(key, value)
        out["properties"], out["required"] = props, required
        return out

    def describe(self, schema: Any, depth: int = 0) -> str:
        """A short type: ``string``, ``array of ChatCompletionRequestMessage``, ``string or array``."""
        schema, name = self.resolve(schema)
        if depth > 3:
            return name or "object"
        if schema.get("format") == "binary":
            return "file"
        for key in ("anyOf", "oneOf"):
            if key in schema:
                kinds = []
                for alt in schema[key]:
                    text = self.describe(alt, depth + 1)
                    if text not in kinds and text != "null":
                        kinds.append(text)
                return " or ".join(kinds[:5]) + (" or ..." if len(kinds) > 5 else "") if kinds else "any"
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = " or ".join(k for k in kind if k != "null")
        if kind == "array":
            return f"array of {self.describe(schema.get('items') or {}, depth + 1)}"
        if kind == "object" or (kind is None and "properties" in schema):
            return name or "object"
        if kind is None and "allOf" in schema:
            return name or "object"
        return kind or name or "any"

    def fields(self, schema: Any, depth: int, out: list, seen: set) -> None:
        schema = self.merged(schema)
        required = set(schema.get("required") or ())
        props = schema.get("properties") or {}
        for prop in sorted(props, key=lambda p: p not in required):  # required fields first
            sub = props[prop]
            resolved, name = self.resolve(sub)
            text = resolved.get("description") or (sub.get("description") if isinstance(sub, dict) else None)
            for alt in resolved.get("anyOf") or resolved.get("oneOf") or ():
                text = text or self.resolve(alt)[0].get("description")
            out.append((depth, prop, self.describe(sub), prop in required, _first(text), _extras(resolved)))
            inner = self.merged(resolved)
            if inner.get("type") == "array":
                inner = self.merged(inner.get("items") or {})
            if depth < 1 and inner.get("properties") and (name or prop) not in seen:
                self.fields(inner, depth + 1, out, seen | {name or prop})


_LINK = re.compile(r"\]\(([^)\s]+)\)")
_SITE = "https://platform.openai.com"


def _absolute(text: str) -> str:
    """The spec links OpenAI's own pages relatively: make them absolute, so they work anywhere."""

    def fix(match: re.Match) -> str:
        target = match.group(1)
        if target.startswith(("http://", "https://", "mailto:", "#")):
            return match.group(0)
        if target.startswith("/"):
            return f"]({_SITE}{target})"
        return f"]({_SITE}/docs/api-reference/{target.lstrip('./')})"

    return _LINK.sub(fix, text)


# Spans a cut must not fall inside: links, code, bold and emphasis.
_SPANS = re.compile(r"!?\[[^\]]*\]\([^)]*\)|`[^`]*`|\*\*.+?\*\*|\*[^*\s][^*]*\*|(?<!\w)_[^_\s][^_]*_(?!\w)")


def shorten(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters between words, never inside a Markdown span.

    A cut inside ``[text](url)``, a code span or emphasis would show raw Markdown; the cut
    moves back to the last space before such a span (or after it, when it starts the text).
    """
    if len(text) <= limit:
        return text
    inside = [(m.start(), m.end()) for m in _SPANS.finditer(text)]

    def safe(pos: int) -> bool:
        return not any(start < pos < end for start, end in inside)

    cut = text.rfind(" ", 0, limit + 1)
    while cut > 0 and not safe(cut):
        cut = text.rfind(" ", 0, cut)
    if cut <= 0:  # one long span at the start: keep it whole
        cut = next((end for start, end in inside if start == 0), limit)
    return text[:cut].rstrip(" ,;:") + "\u2026"


def _first(text: Any, limit: int = 300) -> str:
    if not isinstance(text, str):
        return ""
    para = " ".join(_absolute(text).strip().split("\n\n", 1)[0].split())
    return shorten(para, limit)


def _extras(schema: dict) -> str:
    bits = []
    if isinstance(schema.get("enum"), list) and len(schema["enum"]) <= 12:
        bits.append("one of " + ", ".join(json.dumps(v) for v in schema["enum"] if v is not None))
    if "default" in schema and not isinstance(schema["default"], (dict, list)):
        bits.append(f"default {json.dumps(schema['default'])}")
    for key, word in (
        ("minimum", "at least"),
        ("maximum", "at most"),
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minItems", "min items"),
        ("maxItems", "max items"),
    ):
        if key in schema:
            bits.append(f"{word} {schema[key]}")
    return "; ".join(bits)


def _models(reader: _Reader, schema: Any) -> list[str]:
    """Known model names: the string enum under the body's ``model`` field."""
    body = reader.merged(schema)
    model = (body.get("properties") or {}).get("model")
    found: list[str] = []
    stack = [model]
    while stack:
        node, _ = reader.resolve(stack.pop())
        for value in node.get("enum") or ():
            if isinstance(value, str) and value not in found:
                found.append(value)
        stack.extend(node.get("anyOf") or [])
        stack.extend(node.get("oneOf") or [])
        stack.extend(node.get("allOf") or [])
    return found


def _extract(doc: dict, index: Any) -> dict:
    walker = Walker(doc)
    reader = _Reader(walker)
    by_route = {(e[0], e[1]): op_id for op_id, e in index.data["ops"].items()}
    counts = _model_counts(doc)
    known: list[str] = []
    out: dict[str, Any] = {}
    raw_ops: dict[str, tuple[str, dict]] = {}
    for path, method, op, merged in walker.operations():
        op_id = by_route.get((method.upper(), path))
        if op_id is None:
            continue
        raw_ops[op_id] = (path, op)
        meta = op.get("x-oaiMeta") if isinstance(op.get("x-oaiMeta"), dict) else {}
        params = []
        for prm in merged:
            if prm["in"] not in ("path", "query", "header"):
                continue
            schema, _ = reader.resolve(prm.get("schema") or {})
            params.append(
                (
                    str(prm["name"]),
                    prm["in"],
                    bool(prm.get("required") or prm["in"] == "path"),
                    reader.describe(prm.get("schema") or {}),
                    _first(prm.get("description")),
                    _extras(schema),
                )
            )
        body, _ = reader.resolve(op.get("requestBody") or {})
        bodies = {}
        models: list[str] = []
        for ctype, media in (body.get("content") or {}).items():
            fields: list = []
            schema = media.get("schema") if isinstance(media, dict) else None
            if isinstance(schema, dict):
                reader.fields(schema, 0, fields, set())
                models = models or _models(reader, schema)
            bodies[ctype] = fields
        known += [m for m in models if m not in known]
        answers = []
        for status, answer in (op.get("responses") or {}).items():
            answer, _ = reader.resolve(answer)
            kinds = {
                c: reader.describe((m or {}).get("schema") or {}) for c, m in (answer.get("content") or {}).items()
            }
            answers.append((str(status), _first(answer.get("description")), kinds))
        out[op_id] = {
            "name": str(meta.get("name") or ""),
            "summary": _absolute(str(op.get("summary") or "")),
            "description": _absolute(str(op.get("description") or "")),
            "tags": [str(t) for t in op.get("tags") or ()],
            "params": params,
            "body": bodies,
            "body_required": bool(body.get("required")),
            "models": models[:60],
            "model": _pick_model(models[:60], counts),
            "examples": _examples(op),
            "answer": _answer(op),
            "answers": answers,
        }
    schemas = {}
    for name, schema in ((doc.get("components") or {}).get("schemas") or {}).items():
        if not isinstance(schema, dict):
            continue
        fields: list = []
        reader.fields(schema, 0, fields, {name})
        schemas[str(name)] = {
            "description": _first(schema.get("description"), 2000),
            "type": reader.describe(schema),
            "fields": fields,
        }
    return {
        "format": DOCS_FORMAT,
        "ops": out,
        "schemas": schemas,
        "title": index.data["title"],
        "default_model": _pick_model(known, counts),
        "navigation": _navigation(doc, raw_ops),
        "version": index.data["version"],
        "tags": [
            (str(t.get("name")), _first(t.get("description"))) for t in doc.get("tags") or () if isinstance(t, dict)
        ],
    }


def _meta_examples(op: dict) -> list[dict]:
    meta = op.get("x-oaiMeta") if isinstance(op.get("x-oaiMeta"), dict) else {}
    examples = meta.get("examples")
    examples = examples if isinstance(examples, list) else [examples] if examples else []
    return [e for e in examples if isinstance(e, dict)]


def _examples(op: dict) -> list:
    """The spec's own example request bodies: JSON from the curl examples' ``-d``, and form
    fields from their ``-F`` (files as ``("@file", name)``)."""
    found = []
    for example in _meta_examples(op):
        request = example.get("request")
        curl = request.get("curl") if isinstance(request, dict) else None
        if not isinstance(curl, str):
            continue
        match = _CURL_DATA.search(curl)
        if match:
            try:
                found.append(json.loads(match.group(1)))
            except ValueError:
                pass
        elif " -F " in curl or "--form " in curl:
            form = _form(curl)
            if form:
                found.append(form)
    return found


_FORM_TYPE = re.compile(r";type=[\w.+/-]+$")


def _form(curl: str) -> dict | None:
    """The fields of a curl command's ``-F`` options, or None when one cannot be shown."""
    import shlex

    try:
        words = shlex.split(curl.replace("\\\n", " "))
    except ValueError:
        return None
    out: dict[str, Any] = {}
    for flag, item in itertools.pairwise(words):
        if flag not in ("-F", "--form"):
            continue
        key, sep, value = item.partition("=")
        if not sep or value.startswith("<"):  # "<file" sends a file's text: nothing to show
            return None
        value = _FORM_TYPE.sub("", value)
        made: Any = ("@file", value[1:].rsplit("/", 1)[-1]) if value.startswith("@") else value
        name, _, rest = key.partition("[")
        if rest == "]":
            out.setdefault(name, []).append(made)
        elif rest.endswith("]"):
            out.setdefault(name, {})[rest[:-1]] = made
        else:
            out[key] = made
    return out


def _answer(op: dict) -> str:
    """The spec's example answer: the first one that is not an event stream, else the first."""
    answers = [e["response"] for e in _meta_examples(op) if isinstance(e.get("response"), str) and e["response"]]
    plain = [a for a in answers if not a.lstrip().startswith(("event:", "data:"))]
    return (plain or answers or [""])[0].strip("\n")


_MODEL_WORD = re.compile(r"[\"'=]((?:gpt|o\d|dall-e|tts|whisper|text-|omni|sora|chatgpt|computer|codex)[\w.:-]*)")


def _model_counts(doc: dict) -> dict[str, int]:
    """How often the spec's examples (in every language) name each model."""
    counts: dict[str, int] = {}
    for item in (doc.get("paths") or {}).values():
        for op in (item or {}).values() if isinstance(item, dict) else ():
            if not isinstance(op, dict):
                continue
            for example in _meta_examples(op):
                request = example.get("request")
                for code in request.values() if isinstance(request, dict) else ():
                    for name in _MODEL_WORD.findall(code) if isinstance(code, str) else ():
                        counts[name] = counts.get(name, 0) + 1
    return counts


def _pick_model(models: list[str], counts: dict[str, int]) -> str:
    """The known model the spec's examples use most (the first listed on a tie)."""
    if not models:
        return ""
    return max(models, key=lambda m: (counts.get(m, 0), -models.index(m)))


def _words(text: str) -> str:
    return text.replace("_", " ").replace("-", " ").strip().capitalize()


def _navigation(doc: dict, ops: dict[str, tuple[str, dict]]) -> list:
    """The operations as an API reference's sidebar orders them: ``[(title, badge, [(section,
    [operationId...])...])...]``.

    The spec's ``x-oaiMeta.navigationGroups`` give the top level and its order; its ``groups``
    list the operations of each section where they have ``endpoint`` sections (the 2025
    spec).  An operation no section lists goes, by the first rule that answers, to the
    navigation group named by its own ``x-oaiMeta.group``, by the group of that name, by the
    group's first word, or by its tag; else where most operations under the same first path
    segment went; else to "endpoints" (the spec's catch-all).  Its section is its tag, else its
    group.  Without navigation groups, the tags are the sections of one untitled group.
    """
    meta = doc.get("x-oaiMeta") if isinstance(doc.get("x-oaiMeta"), dict) else {}
    navs = [n for n in meta.get("navigationGroups") or () if isinstance(n, dict) and n.get("id")]
    groups = [g for g in meta.get("groups") or () if isinstance(g, dict) and g.get("id")]
    nav_ids = [str(n["id"]) for n in navs]
    group_nav = {str(g["id"]): str(g.get("navigationGroup") or "") for g in groups}
    placed: dict[str, tuple[str, str]] = {}
    for group in groups:
        for section in group.get("sections") or ():
            key = section.get("key") if isinstance(section, dict) else None
            if section.get("type") == "endpoint" and key in ops and key not in placed:
                placed[key] = (group_nav.get(str(group["id"])) or "", str(group.get("title") or group["id"]))

    def own_rules(op: dict) -> str:
        op_meta = op.get("x-oaiMeta") if isinstance(op.get("x-oaiMeta"), dict) else {}
        group = str(op_meta.get("group") or "")
        tags = [str(t) for t in op.get("tags") or ()]
        for candidate in (
            group,
            group_nav.get(group, ""),
            group.split("-")[0],
            *(t.lower().replace(" ", "_") for t in tags),
        ):
            if candidate in nav_ids:
                return candidate
        return ""

    def section_of(op: dict) -> str:
        op_meta = op.get("x-oaiMeta") if isinstance(op.get("x-oaiMeta"), dict) else {}
        tags = [str(t) for t in op.get("tags") or ()]
        return tags[0] if tags else _words(str(op_meta.get("group") or "")) or "Other"

    rest = [op_id for op_id in ops if op_id not in placed]
    for op_id in rest:
        nav = own_rules(ops[op_id][1])
        if nav:
            placed[op_id] = (nav, section_of(ops[op_id][1]))
    by_segment: dict[str, dict[str, int]] = {}
    for op_id, (nav, _) in placed.items():
        votes = by_segment.setdefault(ops[op_id][0].strip("/").split("/")[0], {})
        votes[nav] = votes.get(nav, 0) + 1
    for op_id in rest:
        if op_id in placed:
            continue
        votes = by_segment.get(ops[op_id][0].strip("/").split("/")[0]) or {}
        nav = max(votes, key=votes.__getitem__) if votes else ("endpoints" if "endpoints" in nav_ids else "")
        placed[op_id] = (nav, section_of(ops[op_id][1]))
    titles = {str(n["id"]): str(n.get("title") or n["id"]) for n in navs}
    badges = {str(n["id"]): "beta" if n.get("beta") else "deprecated" if n.get("deprecated") else "" for n in navs}
    out: dict[str, dict[str, list[str]]] = {nav: {} for nav in nav_ids}
    for op_id, (nav, section) in placed.items():  # placed in section order, then spec order
        out.setdefault(nav if nav in titles else "", {}).setdefault(section, []).append(op_id)
    return [
        (titles.get(nav, ""), badges.get(nav, ""), list(sections.items())) for nav, sections in out.items() if sections
    ]
