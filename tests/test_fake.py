"""Values made from schemas (``spec/_fake``): every keyword of OpenAI's structured outputs is
honoured, checked with jsonschema-rs (formats on) for hand-picked and random schemas, and over
HTTP through the mock's structured outputs."""

from __future__ import annotations

import json
import re
import string

import httpx
import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openapi_client_openai.mock import MockServer
from openapi_client_openai.mock._families import user_schema_value
from openapi_client_openai.spec import Faker

from conftest import SPEC_30, SPEC_31

FORMATS = ("uuid", "date", "time", "date-time", "duration", "email", "uri", "ipv4", "ipv6", "hostname")


def _check(schema: dict, value: object) -> list[str]:
    validator = jsonschema_rs.validator_for(schema, validate_formats=True)
    return [str(e) for e in validator.iter_errors(value)]


def _made(schema: dict, seed: int = 1) -> object:
    return user_schema_value(Faker({}, seed=seed), schema)


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_string_format_is_honoured(fmt: str) -> None:
    schema = {"type": "object", "properties": {"v": {"type": "string", "format": fmt}}, "required": ["v"]}
    for seed in range(5):
        value = _made(schema, seed)
        assert _check(schema, value) == [], (fmt, value)


def test_formats_win_over_field_names() -> None:
    # `id`, `email`, `url` and `created_at` have realistic values of their own; a format is a promise.
    props = {name: {"type": "string", "format": fmt} for name, fmt in [("id", "uuid"), ("url", "hostname")]}
    props["created_at"] = {"type": "string", "format": "date"}
    schema = {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}
    value = _made(schema)
    assert _check(schema, value) == []
    assert re.fullmatch(r"[0-9a-f-]{36}", value["id"]) and re.fullmatch(r"\d{4}-\d\d-\d\d", value["created_at"])


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[A-Z]{3}-\d{4}$",
        r"^tunnel_[a-z0-9]{32}$",
        r"^(red|green|blue)(-[a-f0-9]{2})?$",
        r"^\+?[1-9]\d{1,14}$",
        r"^([01]\d|2[0-3]):[0-5]\d$",
        r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$",
        r"^(\w)\w*\1$",
        r"^(?<year>\d{4})-(?<month>0[1-9]|1[0-2])$",
        r"^\p{Lu}\p{Ll}+$",
        r"ab+c",
        r"^$",
    ],
)
def test_patterns_make_matching_strings(pattern: str) -> None:
    schema = {"type": "string", "pattern": pattern}
    for seed in range(5):
        value = Faker({}, seed=seed).value(schema)
        assert _check(schema, value) == [], (pattern, value)


def test_pattern_with_lengths_and_the_bounded_search() -> None:
    faker = Faker({}, seed=3)
    text = faker.matching(r"[a-z]+", 10, 12)
    assert 10 <= len(text) <= 12 and re.search(r"[a-z]+", text)
    anchored = faker.matching(r"^x{2,40}$", 30, 31)
    assert re.fullmatch("x{30,31}", anchored)
    with pytest.raises(ValueError, match="no string"):
        faker.matching(r"^ab$", 5)  # nothing of that length matches: no value rather than a wrong one
    with pytest.raises(ValueError):
        Faker({}).value({"type": "string", "pattern": "(unclosed"})


@pytest.mark.parametrize(
    ("schema", "field"),
    [
        ({"type": "integer", "minimum": 5, "maximum": 5}, "n"),
        ({"type": "integer", "exclusiveMinimum": 10, "exclusiveMaximum": 12}, "n"),
        ({"type": "integer", "minimum": 7, "multipleOf": 5}, "n"),
        ({"type": "integer", "maximum": 1_000}, "created_at"),  # a timestamp would exceed it
        ({"type": "number", "exclusiveMinimum": 0.5, "exclusiveMaximum": 0.6}, "x"),
        ({"type": "number", "minimum": 2.05, "multipleOf": 0.1}, "x"),
        ({"type": "number", "maximum": -3, "multipleOf": 7}, "x"),
        ({"type": "string", "minLength": 80}, "name"),
        ({"type": "string", "maxLength": 3}, "text"),
        ({"type": "array", "items": {"type": "string"}, "minItems": 3, "maxItems": 4}, "a"),
        ({"type": "array", "items": {"type": "string"}, "maxItems": 0}, "a"),
        ({"const": "fixed"}, "status"),
        ({"type": "string", "enum": ["b", "c"]}, "status"),
        ({"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]}, "d"),
    ],
)
def test_bounds_lengths_items_const_enum_and_null_unions(schema: dict, field: str) -> None:
    wrapped = {"type": "object", "properties": {field: schema}, "required": [field], "additionalProperties": False}
    for seed in range(3):
        value = _made(wrapped, seed)
        assert _check(wrapped, value) == [], value
    assert value[field] is not None  # null only ends recursion


def test_unsatisfiable_bounds_raise_rather_than_lie() -> None:
    with pytest.raises(ValueError):
        Faker({}).value({"type": "integer", "exclusiveMinimum": 1, "exclusiveMaximum": 2})


def test_nested_and_recursive_definitions_end() -> None:
    tree = {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "label": {"type": "string", "pattern": "^n[0-9]+$"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                    "next": {"anyOf": [{"$ref": "#/$defs/node"}, {"type": "null"}]},
                },
                "required": ["label", "children", "next"],
                "additionalProperties": False,
            }
        },
        "$ref": "#/$defs/node",
    }
    value = _made(tree)
    assert _check(tree, value) == []
    depth, node = 0, value
    while node is not None:
        node, depth = node["next"], depth + 1
    assert 1 < depth < 12  # followed for a while, then ended with null
    root = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "parts": {"type": "array", "items": {"$ref": "#"}}},
        "required": ["name", "parts"],
        "additionalProperties": False,
    }
    assert _check(root, _made(root)) == []  # "$ref": "#" is the schema itself
    legacy = {"definitions": {"x": {"type": "integer", "minimum": 3}}, "type": "object"}
    legacy |= {"properties": {"a": {"$ref": "#/definitions/x"}}, "required": ["a"]}
    assert _made(legacy) == {"a": 3}
    endless = {"$defs": {"a": {"type": "object", "properties": {"b": {"$ref": "#/$defs/a"}}, "required": ["b"]}}}
    with pytest.raises(ValueError, match="nests"):
        _made({**endless, "$ref": "#/$defs/a"})


def test_spec_schemas_are_unchanged_for_existing_callers() -> None:
    # The docs' examples and the mock's answers: ids, models and timestamps as before.
    faker = Faker({}, seed=1)
    obj = {"type": "object", "properties": {"object": {"const": "file"}, "id": {"type": "string"}}}
    assert faker.value(obj)["id"].startswith("file-")
    assert faker.value({"type": "integer"}, "created_at") == faker.now()
    assert Faker._bounded({"minimum": 3}, 1) == 3


# -- random schemas from the structured-outputs subset -----------------------------------------

NAMES = st.sampled_from(["id", "name", "email", "url", "status", "object", "created_at", "model", "text", "a", "b"])
PATTERN_ATOMS = st.sampled_from(
    ["a", "Z", "7", "-", r"\.", r"\d", r"\w", "[a-f]", "[A-Z0-9]", "[^,;]", r"\s", "(ab|cd)", "(x|yz|)"]
)
QUANTIFIERS = st.sampled_from(["", "", "?", "*", "+", "{2}", "{1,3}", "{0,2}"])


@st.composite
def patterns(draw: st.DrawFn) -> str:
    body = "".join(draw(PATTERN_ATOMS) + draw(QUANTIFIERS) for _ in range(draw(st.integers(1, 5))))
    return ("^" if draw(st.booleans()) else "") + body + ("$" if draw(st.booleans()) else "")


@st.composite
def strings(draw: st.DrawFn) -> dict:
    schema: dict = {"type": "string"}
    kind = draw(st.sampled_from(["plain", "format", "pattern", "lengths"]))
    if kind == "format":
        schema["format"] = draw(st.sampled_from(FORMATS))
    elif kind == "pattern":
        schema["pattern"] = draw(patterns())
    elif kind == "lengths":
        low = draw(st.integers(0, 40))
        schema["minLength"] = low
        schema["maxLength"] = low + draw(st.integers(0, 10))
    return schema


@st.composite
def numbers(draw: st.DrawFn) -> dict:
    kind = draw(st.sampled_from(["integer", "number"]))
    schema: dict = {"type": kind}
    low = draw(st.integers(-(10**6), 10**6))
    width = draw(st.integers(12, 1000))
    step = draw(st.sampled_from([None, 1, 3, 5] if kind == "integer" else [None, 0.5, 0.25, 0.1, 2]))
    if draw(st.booleans()):
        schema["exclusiveMinimum" if draw(st.booleans()) else "minimum"] = low
    if draw(st.booleans()):
        schema["exclusiveMaximum" if draw(st.booleans()) else "maximum"] = low + width
    if step is not None:
        schema["multipleOf"] = step
    return schema


LEAVES = (
    strings()
    | numbers()
    | st.just({"type": "boolean"})
    | st.lists(st.text(string.ascii_letters, min_size=1, max_size=6), min_size=1, max_size=4, unique=True).map(
        lambda values: {"type": "string", "enum": values}
    )
    | st.sampled_from([{"const": "x"}, {"const": 3}, {"type": "null"}])
)


def _containers(children: st.SearchStrategy) -> st.SearchStrategy:
    objects = st.dictionaries(NAMES, children, min_size=1, max_size=4).map(
        lambda props: {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}
    )
    arrays = st.tuples(children, st.integers(0, 3), st.integers(0, 3)).map(
        lambda t: {"type": "array", "items": t[0], "minItems": min(t[1], t[2]), "maxItems": max(t[1], t[2])}
    )
    nullable = children.map(lambda s: {"anyOf": [s, {"type": "null"}]})
    unions = st.lists(children, min_size=2, max_size=3).map(lambda alts: {"anyOf": alts})
    return objects | arrays | nullable | unions


@st.composite
def structured_schemas(draw: st.DrawFn) -> dict:
    inner = draw(st.recursive(LEAVES, _containers, max_leaves=12))
    props = draw(st.dictionaries(NAMES, st.just(inner) | LEAVES, min_size=1, max_size=4))
    schema = {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}
    if draw(st.booleans()):  # a recursive definition beside them
        node = {
            "type": "object",
            "properties": {
                "value": draw(LEAVES),
                "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                "next": {"anyOf": [{"$ref": "#/$defs/node"}, {"type": "null"}]},
            },
            "required": ["value", "children", "next"],
            "additionalProperties": False,
        }
        schema["$defs"] = {"node": node}
        schema["properties"]["tree"] = {"$ref": "#/$defs/node"}
        schema["required"].append("tree")
    return schema


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=structured_schemas(), seed=st.integers(0, 2**20))
def test_random_structured_output_schemas_get_valid_values(schema: dict, seed: int) -> None:
    value = _made(schema, seed)
    assert _check(schema, value) == [], json.dumps(value)[:500]


# -- over HTTP: the mock's structured outputs ------------------------------------------------------


@pytest.fixture(scope="module", params=[SPEC_30, SPEC_31], ids=["spec3.0", "spec3.1"])
def mock_url(request):
    with MockServer(spec=request.param, seed=9) as url:
        yield url


EVENT = {
    "type": "object",
    "properties": {
        **{f.replace("-", "_"): {"type": "string", "format": f} for f in FORMATS},
        "code": {"type": "string", "pattern": r"^[A-Z]{3}-\d{4}$"},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 8}, "minItems": 2, "maxItems": 3},
        "score": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "count": {"type": "integer", "minimum": 10, "maximum": 20, "multipleOf": 5},
        "kind": {"type": "string", "enum": ["meeting", "call"]},
        "version": {"const": 2},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "parent": {"anyOf": [{"$ref": "#"}, {"type": "null"}]},
    },
    "additionalProperties": False,
}
EVENT["required"] = list(EVENT["properties"])


def test_structured_outputs_over_http_fit_their_schema(mock_url: str) -> None:
    headers = {"Authorization": "Bearer sk-test"}
    chat = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "an event"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "event", "schema": EVENT, "strict": True}},
    }
    answer = httpx.post(mock_url + "/chat/completions", json=chat, headers=headers, timeout=10).json()
    event = json.loads(answer["choices"][0]["message"]["content"])
    assert _check(EVENT, event) == []
    assert event["version"] == 2 and event["kind"] in ("meeting", "call")
    fmt = {"type": "json_schema", "name": "event", "schema": EVENT, "strict": True}
    body = {"model": "gpt-4.1", "input": "an event", "text": {"format": fmt}}
    answer = httpx.post(mock_url + "/responses", json=body, headers=headers, timeout=10).json()
    event = json.loads(answer["output"][0]["content"][0]["text"])
    assert _check(EVENT, event) == []
    tool = {"type": "function", "function": {"name": "log", "parameters": EVENT, "strict": True}}
    body = {**chat, "tools": [tool], "tool_choice": "required"}
    del body["response_format"]
    answer = httpx.post(mock_url + "/chat/completions", json=body, headers=headers, timeout=10).json()
    arguments = json.loads(answer["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"])
    assert _check(EVENT, arguments) == []
