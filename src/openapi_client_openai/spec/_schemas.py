"""Schemas for validation: OpenAPI 3.0 and 3.1 schemas turned into plain JSON Schema 2020-12.

``extract_schemas`` runs once, when a spec is first compiled, and keeps only what checking
requests needs: every component schema and each operation's body and parameter schemas,
normalised so that a standard validator reads them right:

- 3.0 ``nullable: true`` (also found in 3.1 documents) becomes a ``"null"`` type or branch;
- 3.0 boolean ``exclusiveMinimum``/``exclusiveMaximum`` become the numeric 2020-12 form;
- duplicate entries in ``required`` are dropped;
- 2019-09 ``$recursiveRef`` (inside a 3.1 document) becomes a ``$ref`` to its component;
- ``oneOf`` becomes ``anyOf``: overlapping alternatives (an enum of known values next to any
  string) must not make a valid request invalid, and the API does not enforce exclusivity; but
  alternatives the spec tells apart only by fields each requires and the others do not
  (``vector_store_ids`` or ``vector_stores``) stay exclusive: a ``not`` rules out giving both,
  and ``x-exclusive`` names the groups for the message;
- ``format: binary`` strings are files: they become ``{"x-file": true}``, which accepts
  anything in a JSON body and is checked as a file in multipart bodies;
- a required property that may be null is optional (a generator's ``Optional`` field: the
  API treats a missing value as null), and the few properties that the spec's own examples
  omit although the spec calls them required (``SPEC_ERRATA``) are optional too; answers
  must still carry them all, so ``x-answer-required`` keeps the full list for their checks;
- documentation-only keywords are dropped, which keeps the cache small.

The events of a 3.1 spec's ``webhooks:`` section are kept too, by their ``type`` (what a
delivery's body says it is), so that a received webhook is checked like a request body.

Operations, their merged parameters and every ``$ref`` of the document come from the one
walker (``_walk``), as for the index and the docs.  The normalised form is the dialect
``_validation`` reads; it defines the few names both sides share (``FILE``, ``REF_PREFIX``).
"""

from __future__ import annotations

import re

from .._validation import ANSWER_REQUIRED, EXCLUSIVE, FILE, REF_PREFIX
from ._walk import Walker

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["SCHEMAS_FORMAT", "extract_schemas", "normalize"]

SCHEMAS_FORMAT = 4  # 4: the webhook events (``webhooks``)

# (component, property): required in the spec, but never sent by clients (the spec's own
# example leaves it out). tests/test_validation.py checks the examples against this.
SPEC_ERRATA = frozenset({("RealtimeSessionCreateRequest", "client_secret")})  # "returned by the API"
_DOCUMENTED_DEFAULT = re.compile(r"\bdefaults? (?:to|is)\b|\bdefault:? `", re.I)
_COMPONENT_PREFIX = "#/components/schemas/"
_DROP = frozenset(
    {
        "description",
        "title",
        "example",
        "examples",
        "externalDocs",
        "xml",
        "deprecated",
        "readOnly",
        "writeOnly",
        "default",
        "$comment",
        "$recursiveAnchor",
        "x-oaiMeta",
        "x-oaiTypeLabel",
        "x-oaiExpandable",
        "x-stainless-const",
        "x-stainless-param",
        "x-stainless-naming",
    }
)
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_DICTS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_SCHEMA_ONE = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedProperties",
    "unevaluatedItems",
    "additionalItems",
)


def normalize(node: Any, home: str | None = None) -> Any:
    """Return a JSON Schema 2020-12 copy of an OpenAPI schema (see the module docstring).

    ``home`` is the component the schema belongs to, the target of ``$recursiveRef: "#"``.
    """
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP or (key.startswith("x-") and key not in (FILE, EXCLUSIVE)):
            continue
        if key == "$ref":
            out["$ref"] = value.replace(_COMPONENT_PREFIX, REF_PREFIX) if isinstance(value, str) else value
        elif key == "$recursiveRef":
            out["$ref"] = REF_PREFIX + home if home else "#"
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out["anyOf" if key == "oneOf" else key] = [normalize(v, home) for v in value]
        elif key in _SCHEMA_DICTS and isinstance(value, dict):
            out[key] = {k: normalize(v, home) for k, v in value.items()}
        elif key in _SCHEMA_ONE:
            out[key] = normalize(value, home)
        elif key == "required" and isinstance(value, list):
            unique = list(dict.fromkeys(v for v in value if isinstance(v, str)))
            if unique:
                out["required"] = unique
        elif key == "discriminator" and isinstance(value, dict):
            mapping = {
                k: v.replace(_COMPONENT_PREFIX, REF_PREFIX)
                for k, v in (value.get("mapping") or {}).items()
                if isinstance(v, str)
            }
            out[key] = {"propertyName": value.get("propertyName"), "mapping": mapping}
        else:
            out[key] = value
    _numeric_exclusive(out)
    if out.get("format") == "binary" and out.get("type") in ("string", None):
        return {FILE: True}
    if isinstance(out.get("required"), list) and isinstance(out.get("properties"), dict):
        props = out["properties"]
        raw_props = node.get("properties") or {}
        keep = [
            n
            for n in out["required"]
            if not _may_be_null(props.get(n)) and not _has_default(raw_props.get(n)) and (home, n) not in SPEC_ERRATA
        ]
        if len(keep) < len(out["required"]):
            # Answers carry every field the spec requires: the leniency above is for requests
            # only, so the full list stays beside it for checks of answers (``conform``).
            out[ANSWER_REQUIRED] = out["required"]
        if keep:
            out["required"] = keep
        else:
            del out["required"]
    groups = _exclusive_groups(node.get("oneOf"))
    if groups:
        pairs = [{"required": [a, b]} for i, g in enumerate(groups) for h in groups[i + 1 :] for a in g for b in h]
        ruled_out = {"anyOf": pairs}
        if "not" in out:
            out["allOf"] = [*out.get("allOf", []), {"not": ruled_out}]
        else:
            out["not"] = ruled_out
        out[EXCLUSIVE] = groups
    if out.pop("nullable", False) is True:
        out = _nullable(out)
    else:
        out.pop("nullable", None)
    return out


def _exclusive_groups(alternatives: Any) -> list[list[str]] | None:
    """For a ``oneOf`` whose inline alternatives differ only by what each requires: the fields
    only each one requires (its group), when every alternative has some; else None."""
    if not isinstance(alternatives, list) or len(alternatives) < 2:
        return None
    required = []
    for alt in alternatives:
        if not isinstance(alt, dict) or "$ref" in alt or not isinstance(alt.get("required"), list):
            return None
        required.append({r for r in alt["required"] if isinstance(r, str)})
    groups = []
    for i, own in enumerate(required):
        others = set().union(*(r for j, r in enumerate(required) if j != i))
        only = sorted(own - others)
        if not only:
            return None  # one alternative's fields are all another's too: they overlap
        groups.append(only)
    return groups


def _has_default(raw: Any) -> bool:
    """Whether a raw property schema gives a default (a keyword, or "Defaults to" in its text):
    the server fills it in, so a client may leave it out even where the spec says required."""
    if not isinstance(raw, dict):
        return False
    if "default" in raw:
        return True
    text = raw.get("description")
    return isinstance(text, str) and _DOCUMENTED_DEFAULT.search(text) is not None


def _may_be_null(schema: Any) -> bool:
    """Whether a (normalised) property schema accepts null at its top level."""
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    return any(isinstance(alt, dict) and alt.get("type") == "null" for alt in schema.get("anyOf") or ())


def _numeric_exclusive(out: dict[str, Any]) -> None:
    for flag, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = out.get(flag)
        if isinstance(value, bool):
            if value and bound in out:
                out[flag] = out.pop(bound)
            else:
                del out[flag]


def _nullable(out: dict[str, Any]) -> dict[str, Any]:
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
    elif isinstance(kind, list):
        if "null" not in kind:
            out["type"] = [*kind, "null"]
    else:
        return {"anyOf": [out, {"type": "null"}]}
    if isinstance(out.get("enum"), list) and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    return out


def extract_schemas(doc: dict, op_ids: dict[tuple[str, str], str]) -> dict:
    """Collect the normalised schemas of a parsed spec: components, and per operation its body
    schema by content type, its parameters ``(name, location, required, schema)`` and its
    answers (status -> content type -> schema; the mock server and response checks use them).

    ``op_ids`` maps ``(method, path)`` to the operationId the index uses.
    """
    components = ((doc.get("components") or {}).get("schemas") or {}) if isinstance(doc, dict) else {}
    defs = {name: normalize(schema, name) for name, schema in components.items() if isinstance(schema, dict)}
    ops: dict[str, Any] = {}
    walker = Walker(doc)
    for path, method, op, merged in walker.operations():
        op_id = op_ids.get((method.upper(), path))
        if op_id is None:
            continue
        body = walker.resolve(op.get("requestBody")) or {}
        bodies = {}
        for ctype, media in (body.get("content") or {}).items() if isinstance(body, dict) else ():
            if isinstance(media, dict) and isinstance(media.get("schema"), dict):
                bodies[ctype] = normalize(media["schema"])
        params = [
            (str(prm["name"]), prm["in"], bool(prm.get("required")), normalize(prm.get("schema") or {}))
            for prm in merged
            if prm["in"] in ("path", "query", "header")
        ]
        responses: dict[str, dict[str, Any]] = {}
        for status, answer in (op.get("responses") or {}).items():
            answer = walker.resolve(answer)
            if not isinstance(answer, dict):
                continue
            kinds = {}
            for ctype, media in (answer.get("content") or {}).items():
                schema = media.get("schema") if isinstance(media, dict) else None
                kinds[ctype] = normalize(schema) if isinstance(schema, dict) else {}
            responses[str(status)] = kinds
        ops[op_id] = {
            "responses": responses,
            "body": bodies,
            "body_required": bool(body.get("required")) if body else False,
            "params": params,
        }
    return {"format": SCHEMAS_FORMAT, "defs": defs, "ops": ops, "webhooks": _webhooks(doc, walker)}


def _webhooks(doc: dict, walker: Walker) -> dict[str, dict[str, Any]]:
    """The events of the ``webhooks:`` section: event type -> ``{"name": the section's key,
    "schema": the body's normalised schema}``.  The type is the one its schema fixes for the
    ``type`` field (``batch.completed`` for ``batch_completed``), else the key itself."""
    section = doc.get("webhooks") if isinstance(doc, dict) else None
    events: dict[str, dict[str, Any]] = {}
    for name, item in (section or {}).items() if isinstance(section, dict) else ():
        item = walker.resolve(item)
        post = walker.resolve(item.get("post")) if isinstance(item, dict) else None
        body = walker.resolve(post.get("requestBody")) if isinstance(post, dict) else None
        media = ((body.get("content") or {}).get("application/json") or {}) if isinstance(body, dict) else {}
        schema = media.get("schema") if isinstance(media, dict) else None
        if not isinstance(schema, dict):
            continue
        events[_event_type(walker, schema) or str(name)] = {"name": str(name), "schema": normalize(schema)}
    return events


def _event_type(walker: Walker, schema: Any) -> str | None:
    """The value a schema fixes for its ``type`` field (an ``enum`` of one, or a ``const``)."""
    schema = walker.resolve(schema)
    field = walker.resolve((schema.get("properties") or {}).get("type")) if isinstance(schema, dict) else None
    if not isinstance(field, dict):
        return None
    if isinstance(field.get("const"), str):
        return field["const"]
    values = field.get("enum")
    return values[0] if isinstance(values, list) and len(values) == 1 and isinstance(values[0], str) else None
