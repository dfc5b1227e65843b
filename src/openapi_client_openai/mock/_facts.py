"""What the mock reads from the spec beyond the validation schemas, taken once and cached.

The validation schemas (``spec/_schemas``) drop what only documents: ``default``,
``example``, descriptions, ``x-oaiMeta``.  Two things the mock needs live there:

- **list order defaults**: each list operation's default ``order`` (its ``default``
  keyword, else "Default is `desc`" in its description, else ``desc``, the API's usual);
- **fixed values**: fields of an answer that the schema leaves open (a string with no
  ``enum`` or ``const``) although the API always returns the same value.  One rule
  (``FIXED_RULE``) says which, and where the value comes from.

``facts(index)`` reads them from a small file in the user cache keyed like the index; the
first start with a new spec parses it once more to write that file.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from ..spec import Walker, cache_path, code_tag, parse_spec, read_data, read_spec, write_data

__all__ = ["FACTS_FORMAT", "FIXED_RULE", "apply_fixed", "facts"]

FACTS_FORMAT = 1
FIXED_RULE = (
    "A field of an answer that the schema leaves open (a string without enum or const) is fixed "
    "where the spec says what the API always returns there: a field whose description says "
    '"always `x`" is x, and an `object` field (the kind of thing returned, the same in every '
    "answer of an operation) takes its `example`, else the value the operation's own example "
    "answer (x-oaiMeta) shows. Other examples (ids, names, times) illustrate and are not copied."
)
_ALWAYS = re.compile(r"\b[Aa]lways `([^`\s]+)`")
_DEFAULT_IN_TEXT = re.compile(r"\bDefaults? (?:is|to) `([^`]+)`")
_LOADED: dict[str, dict] = {}
_CONFLICT = object()
_MAX_WALK = 8


def facts(index: Any) -> dict:
    """The mock's facts about a loaded spec: ``{"order": {op_id: "asc"|"desc"|...},
    "fixed": {op_id: [(path, value), ...]}}`` where a path is a tuple of keys (``"*"``: every
    element of a list)."""
    data = _LOADED.get(index.sha256)
    if data is not None:
        return data
    tag = code_tag(__file__, sys.modules[Walker.__module__].__file__ or "")
    path = cache_path(f"{index.sha256[:40]}-mock-m{FACTS_FORMAT}-{tag}.bin")
    data = read_data(path)
    if not isinstance(data, dict) or data.get("format") != FACTS_FORMAT:
        doc = parse_spec(read_spec(index.source), index.source)
        data = _extract(doc, index)
        write_data(path, data)
    data["fixed"] = {op: [(tuple(p), v) for p, v in paths] for op, paths in data["fixed"].items()}
    _LOADED[index.sha256] = data
    return data


def apply_fixed(value: Any, paths: list) -> None:
    """Set the fixed values (from ``facts``) in an answer, where the answer has those fields
    as strings (an answer shaped by another alternative of the schema is left alone)."""
    for path, fixed in paths:
        _set(value, path, fixed)


def _set(node: Any, path: tuple, fixed: str) -> None:
    key, rest = path[0], path[1:]
    if key == "*":
        if isinstance(node, list):
            for item in node:
                _set(item, rest, fixed) if rest else None
        return
    if not isinstance(node, dict) or key not in node:
        return
    if rest:
        _set(node[key], rest, fixed)
    elif isinstance(node[key], str):
        node[key] = fixed


# -- extraction -----------------------------------------------------------------------------------


def _extract(doc: Any, index: Any) -> dict:
    walker = Walker(doc)
    by_route = {(entry[0], entry[1]): op_id for op_id, entry in index.data["ops"].items()}
    order: dict[str, str] = {}
    fixed: dict[str, list] = {}
    for path, method, op, params in walker.operations():
        op_id = by_route.get((method.upper(), path))
        if op_id is None:
            continue
        for prm in params:
            if prm.get("in") == "query" and prm.get("name") == "order":
                order[op_id] = _default(walker, prm)
        schema = _answer_schema(walker, op)
        if schema is None:
            continue
        found: dict[tuple, Any] = {}
        _walk(walker, schema, (), found, 0, frozenset())
        examples = _example_answers(op)
        paths = []
        for where, value in found.items():
            if value is _CONFLICT:
                continue
            if value is None:  # an open `object` field with no example: the operation's example answer
                value = _from_examples(examples, where)
            if isinstance(value, str):
                paths.append((list(where), value))
        if paths:
            fixed[op_id] = sorted(paths)
    return {"format": FACTS_FORMAT, "order": order, "fixed": fixed}


def _default(walker: Walker, prm: dict) -> str:
    schema = walker.resolve(prm.get("schema")) or {}
    if isinstance(schema, dict) and isinstance(schema.get("default"), str):
        return schema["default"]
    for text in (prm.get("description"), schema.get("description") if isinstance(schema, dict) else None):
        match = _DEFAULT_IN_TEXT.search(text) if isinstance(text, str) else None
        if match:
            return match.group(1)
    return "desc"


def _answer_schema(walker: Walker, op: dict) -> Any:
    for status, answer in (op.get("responses") or {}).items():
        if not str(status).startswith("2"):
            continue
        answer = walker.resolve(answer)
        media = ((answer or {}).get("content") or {}).get("application/json") if isinstance(answer, dict) else None
        return media.get("schema") if isinstance(media, dict) else None
    return None


def _walk(walker: Walker, node: Any, where: tuple, found: dict, depth: int, seen: frozenset) -> None:
    """Collect the fixed-value candidates of a schema: path -> value, None (an open `object`
    field that the examples may fix) or _CONFLICT (alternatives disagree)."""
    ref = node.get("$ref") if isinstance(node, dict) else None
    if ref in seen or depth > _MAX_WALK:
        return
    schema = walker.resolve(node)
    if not isinstance(schema, dict):
        return
    seen = seen | {ref} if ref else seen
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key) or ():
            _walk(walker, part, where, found, depth + 1, seen)
    if isinstance(schema.get("items"), dict):
        _walk(walker, schema["items"], (*where, "*"), found, depth + 1, seen)
    for name, sub in (schema.get("properties") or {}).items():
        at = (*where, name)
        resolved = walker.resolve(sub)
        if not isinstance(resolved, dict):
            continue
        if _is_open_string(walker, resolved):
            _note(found, at, _fixed_value(name, resolved))
        elif "enum" in resolved or "const" in resolved:
            _note(found, at, _CONFLICT)
        _walk(walker, sub, at, found, depth + 1, seen)


def _is_open_string(walker: Walker, schema: dict) -> bool:
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return "string" in kinds and "enum" not in schema and "const" not in schema and "format" not in schema


def _fixed_value(name: str, schema: dict) -> Any:
    """What the rule makes of one open string field: a value, None (look at the examples) or
    _CONFLICT (not fixed)."""
    text = schema.get("description")
    match = _ALWAYS.search(text) if isinstance(text, str) else None
    if match:
        return match.group(1)
    if name != "object":
        return _CONFLICT
    example = schema.get("example")
    return example if isinstance(example, str) else None


def _note(found: dict, at: tuple, value: Any) -> None:
    if at in found and found[at] != value:
        found[at] = _CONFLICT
    else:
        found[at] = value


def _example_answers(op: dict) -> list:
    meta = op.get("x-oaiMeta") if isinstance(op.get("x-oaiMeta"), dict) else {}
    examples = meta.get("examples")
    examples = examples if isinstance(examples, list) else [examples] if examples else []
    answers = []
    for example in examples:
        text = example.get("response") if isinstance(example, dict) else None
        if isinstance(text, str):
            value = _lenient_json(text)
            if value is not None:
                answers.append(value)
    return answers


def _lenient_json(text: str) -> Any:
    """The spec's example answers are JSON as people write it: trailing commas, comments."""
    text = re.sub(r"^\s*//.*$", "", text, flags=re.M)
    text = re.sub(r",(\s*[}\]])", r"\1", text)
    try:
        return json.loads(text)
    except ValueError:
        return None


def _from_examples(examples: list, where: tuple) -> Any:
    """The one value the examples show at a path (every list element), or None."""
    values = set()
    for example in examples:
        stack = [(example, where)]
        while stack:
            node, rest = stack.pop()
            if not rest:
                if isinstance(node, str):
                    values.add(node)
                continue
            if rest[0] == "*":
                stack.extend((item, rest[1:]) for item in node) if isinstance(node, list) else None
            elif isinstance(node, dict) and rest[0] in node:
                stack.append((node[rest[0]], rest[1:]))
    return values.pop() if len(values) == 1 else None
