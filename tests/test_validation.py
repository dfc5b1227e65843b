"""Request validation: accurate on real requests, precise on broken ones, both fixture specs.

The corpus is the spec's own request examples plus the bodies the other tests send; every
one must pass.  Deliberately broken variants must be caught at the right place.
"""

from __future__ import annotations

import logging
import pathlib

import pytest

from corpus import spec_examples
from openapi_client_openai import OpenAIClient, RequestValidationError
from openapi_client_openai.spec import normalize

from conftest import FAKE_KEY, SPEC_30, SPEC_31, Reply

# Examples in the 2026-08-21 spec that contradict the spec's own schema.  They are kept here,
# with what is wrong, so that a spec or validator change that affects them is noticed.
STALE_EXAMPLES = {
    "createImageEdit media example multipart_edit": ["image: expected a file"],  # '<binary image file>' text
    "createVectorStoreFileBatch x-oaiMeta example 0": [
        "files[1].chunking_strategy: missing required field 'static'",  # the pre-`static` shape
    ],
    "CreateChatSessionMethod x-oaiMeta example 0": [
        "body: missing required field 'user'",
        "expires_after: expected object, got integer 1800",
    ],
}

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello!"}]}
WAV = b"RIFF\x00\x00\x00\x00WAVEfmt "
OTHER_TESTS = [
    ("createChatCompletion", CHAT),
    ("createChatCompletion", {**CHAT, "stream": True, "stream_options": {"include_usage": True}}),
    ("createCompletion", {"model": "gpt-3.5-turbo-instruct", "prompt": "Once", "stream": True}),
    ("createResponse", {"model": "gpt-4.1", "input": "Say it", "stream": True}),
    ("createSpeech", {"model": "tts-1", "input": "hi", "voice": "alloy"}),
    ("createSpeech", {"model": "gpt-4o-mini-tts", "input": "hi", "voice": "alloy", "stream_format": "sse"}),
    ("createTranscription", {"file": WAV, "model": "gpt-4o-transcribe", "stream": True}),
    (
        "createTranscription",
        {
            "file": pathlib.Path(__file__),
            "model": "whisper-1",
            "timestamp_granularities": ["word"],
            "response_format": "verbose_json",
        },
    ),
    ("createFile", {"file": b'{"custom_id": "1"}\n', "purpose": "batch"}),
    ("createImageEdit", {"image": [b"\x89PNG\r\n\x1a\nA", b"\x89PNG\r\n\x1a\nB"], "prompt": "p"}),
    ("createEmbedding", {"model": "text-embedding-3-small", "input": ["a", "b"], "dimensions": 256}),
    ("createChatCompletion", {"model": "brand-new-model-2027", "messages": [{"role": "developer", "content": "x"}]}),
]


@pytest.fixture(scope="module", params=[SPEC_30, SPEC_31], ids=["spec3.0", "spec3.1"])
def vclient(request):
    return OpenAIClient(spec=request.param, api_key=FAKE_KEY, base_url="http://127.0.0.1:9/v1")


def _path_params(client, op_id: str) -> dict:
    return {p.kwarg: "id_1" for p in client.operation(op_id).params if p.location == "path"}


def test_every_spec_example_is_valid(vclient) -> None:
    spec = pathlib.Path(vclient.spec.source)
    examples, unreadable = spec_examples(spec)
    assert len(examples) > 50 and unreadable <= 5
    seen_stale = set()
    for op_id, title, body in examples:
        ctype = "multipart/form-data" if "media example" in title and "multipart" in title else None
        problems = [str(p) for p in vclient.spec.validator(op_id).check(body, _path_params(vclient, op_id), ctype)]
        if title in STALE_EXAMPLES and spec == SPEC_31:
            seen_stale.add(title)
            for expected in STALE_EXAMPLES[title]:
                assert any(p.startswith(expected) for p in problems), (title, problems)
            continue
        assert problems == [], title
    if spec == SPEC_31:
        assert seen_stale == set(STALE_EXAMPLES)


@pytest.mark.parametrize(("op_id", "body"), OTHER_TESTS, ids=[f"{o}-{i}" for i, (o, _) in enumerate(OTHER_TESTS)])
def test_bodies_the_other_tests_send_are_valid(vclient, op_id: str, body: dict) -> None:
    if op_id not in vclient.spec.names:
        pytest.skip(f"{op_id} is not in this spec")
    if vclient.spec.data["openapi"].startswith("3.0") and (
        body.get("stream_format") or isinstance(body.get("image"), list)
    ):
        pytest.skip("the 2025 spec has no stream_format, and takes one image to edit")
    assert vclient.validate(op_id, body=body) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"messages": CHAT["messages"]}, "body: missing required field 'model'"),
        ({**CHAT, "messages": [{"role": "user"}]}, "messages[0]: missing required field 'content'"),
        ({**CHAT, "temperature": "hot"}, "temperature: expected number or null, got string 'hot'"),
        ({**CHAT, "temperature": 7}, "temperature: must be at most 2, got 7"),
        ({**CHAT, "n": 1.5}, "n: expected integer or null, got number 1.5"),
        ({**CHAT, "messages": [{"role": "wizard", "content": "x"}]}, "messages[0].role: must be one of"),
        ({**CHAT, "messages": [{"role": "user", "content": 5}]}, "messages[0].content: expected string or array"),
        ({**CHAT, "messages": "Hello"}, "messages: expected array, got string 'Hello'"),
        ({**CHAT, "tool_choice": "sometimes"}, "tool_choice: must be one of 'none', 'auto', 'required'"),
        (
            {**CHAT, "messages": [{"role": "user", "content": [{"type": "text"}]}]},
            "messages[0].content[0]: missing required field 'text'",
        ),
        (
            {**CHAT, "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]},
            "messages[0].content[0].image_url: missing required field 'url'",
        ),
        ({**CHAT, "response_format": {"type": "json_schema"}}, "response_format: missing required field 'json_schema'"),
        (
            {**CHAT, "tools": [{"type": "function", "function": {"description": "d"}}]},
            "tools[0].function: missing required field 'name'",
        ),
    ],
)
def test_broken_chat_bodies_are_caught_at_the_right_place(vclient, body: dict, expected: str) -> None:
    problems = [str(p) for p in vclient.validate("createChatCompletion", body=body)]
    assert any(p.startswith(expected) for p in problems), problems
    assert len(problems) <= 2, problems  # the best-fitting alternative, not a wall of branches


def test_misspelt_field_under_additional_properties_false() -> None:
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY)
    grammar = {"type": "grammar", "grammer": {"definition": "x", "syntax": "lark"}}
    body = {**CHAT, "tools": [{"type": "custom", "custom": {"name": "t", "format": grammar}}]}
    problems = [str(p) for p in client.validate("createChatCompletion", body=body)]
    assert "tools[0].custom.format.grammer: unknown field (did you mean 'grammar'?)" in problems, problems


def test_unknown_fields_pass_where_the_schema_allows_them(vclient) -> None:
    assert vclient.validate("createChatCompletion", body={**CHAT, "brand_new_api_field": {"x": 1}}) == []


def test_parameters(vclient) -> None:
    problems = [str(p) for p in vclient.validate("listFiles", limit="many", order="sideways")]
    assert "query: limit: expected integer, got string 'many'" in problems
    assert any(p.startswith("query: order: must be one of 'asc', 'desc'") for p in problems)
    assert vclient.validate("listFiles", limit="10", order="asc") == []  # text, as the CLI sends it
    assert [str(p) for p in vclient.validate("retrieveFile")] == ["path: file_id: is required"]


def test_multipart_files_and_fields(vclient, tmp_path: pathlib.Path) -> None:
    audio = tmp_path / "a.mp3"
    audio.write_bytes(b"ID3")
    assert vclient.validate("createTranscription", body={"file": audio, "model": "whisper-1"}) == []
    problems = [
        str(p) for p in vclient.validate("createTranscription", body={"file": str(audio), "model": "whisper-1"})
    ]
    assert problems and problems[0].startswith("file: expected a file") and "pathlib.Path" in problems[0]
    problems = [str(p) for p in vclient.validate("createTranscription", body={"model": "whisper-1"})]
    assert "body: missing required field 'file'" in problems
    problems = [
        str(p)
        for p in vclient.validate(
            "createTranscription", body={"file": audio, "model": "whisper-1", "temperature": "warm"}
        )
    ]
    assert any(p.startswith("temperature: expected number") for p in problems)


def test_discriminated_union_reports_the_named_branch(vclient) -> None:
    if "createResponse" not in vclient.spec.names:
        pytest.skip("no Responses API")
    body = {"model": "gpt-4.1", "input": "x", "tools": [{"type": "function", "name": "f", "parameters": 5}]}
    problems = [str(p) for p in vclient.validate("createResponse", body=body)]
    assert problems and all(p.startswith("tools[0]") for p in problems), problems
    body = {"model": "gpt-4.1", "input": "x", "tools": [{"type": "no_such_tool"}]}
    problems = [str(p) for p in vclient.validate("createResponse", body=body)]
    assert len(problems) == 1 and problems[0].startswith("tools[0].type: must be one of"), problems


def test_error_mode_raises_before_sending(server) -> None:
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as c:
        with pytest.raises(RequestValidationError) as info:
            c.createChatCompletion(body={"model": "m", "temperature": 9})
        err = info.value
        assert isinstance(err, ValueError)
        assert {str(p) for p in err.problems} == {
            "body: missing required field 'messages'",
            "temperature: must be at most 2, got 9",
        }
        assert "validate='off'" in str(err) and "temperature" in str(err)
    assert server.requests == []


def test_warn_mode_logs_and_sends(server, caplog: pytest.LogCaptureFixture) -> None:
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url, validate="warn") as c:
        c.createChatCompletion(body={"model": "m", "messages": [], "temperature": 9})
    assert "temperature: must be at most 2" in caplog.text
    assert caplog.records[-1].levelno == logging.WARNING
    assert server.last.json()["temperature"] == 9


def test_off_mode_sends_anything(server) -> None:
    server.script(Reply())
    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url, validate="off") as c:
        c.createChatCompletion(body={"nonsense": True})
    assert server.last.json() == {"nonsense": True}


def test_normalisation_quirks() -> None:
    assert normalize({"type": "string", "nullable": True}) == {"type": ["string", "null"]}
    assert normalize({"type": "string", "enum": ["a"], "nullable": True}) == {
        "type": ["string", "null"],
        "enum": ["a", None],
    }
    assert normalize({"$ref": "#/components/schemas/X", "nullable": True}) == {
        "anyOf": [{"$ref": "#/$defs/X"}, {"type": "null"}]
    }
    assert normalize({"type": "number", "minimum": 0, "exclusiveMinimum": True}) == {
        "type": "number",
        "exclusiveMinimum": 0,
    }
    assert normalize({"type": "number", "maximum": 1, "exclusiveMaximum": False}) == {"type": "number", "maximum": 1}
    assert normalize({"type": "object", "properties": {"a": {}}, "required": ["a", "a"]})["required"] == ["a"]
    assert normalize({"$recursiveRef": "#"}, "Node") == {"$ref": "#/$defs/Node"}
    assert normalize({"oneOf": [{"type": "string"}]}) == {"anyOf": [{"type": "string"}]}
    assert normalize({"type": "string", "format": "binary"}) == {"x-file": True}
    assert normalize({"type": ["string", "null"], "const": "x", "description": "d"}) == {
        "type": ["string", "null"],
        "const": "x",
    }
    schema = normalize(
        {
            "type": "object",
            "properties": {
                "a": {"type": "string", "nullable": True},
                "b": {"type": "string", "description": "Defaults to `x`."},
                "c": {"type": "string"},
            },
            "required": ["a", "b", "c"],
        }
    )
    assert schema["required"] == ["c"]


def test_recursive_schema_in_the_31_spec() -> None:
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY)
    # A compound filter holds filters, recursively: deep nesting validates, and a deep error is found.
    leaf = {"type": "eq", "key": "k", "value": "v"}
    nested = {"type": "and", "filters": [{"type": "or", "filters": [leaf, {"type": "and", "filters": [leaf]}]}]}
    body = {"query": "q", "filters": nested}
    assert client.validate("searchVectorStore", vector_store_id="vs_1", body=body) == []
    broken = {"type": "and", "filters": [{"type": "or", "filters": [{"type": "eq", "key": "k"}]}]}
    problems = [
        str(p)
        for p in client.validate("searchVectorStore", vector_store_id="vs_1", body={"query": "q", "filters": broken})
    ]
    assert any("filters.filters[0].filters[0]" in p and "'value'" in p for p in problems), problems


def test_interpreted_and_compiled_checks_agree(vclient) -> None:
    """The explainer checks an operation's first calls; jsonschema-rs the later ones: same verdicts."""
    import jsonschema_rs

    from openapi_client_openai._validation import Explainer

    spec = pathlib.Path(vclient.spec.source)
    examples, _ = spec_examples(spec)
    broken = [
        ({**CHAT, "temperature": 9}),
        {**CHAT, "messages": [{"role": "user", "content": 5}]},
        {"messages": []},
        {**CHAT, "tool_choice": "x"},
        {**CHAT, "n": "2"},
    ]
    cases = [(op_id, body) for op_id, title, body in examples if "media example" not in title]
    cases += [("createChatCompletion", body) for body in broken]
    for op_id, body in cases:
        validator = vclient.spec.validator(op_id)
        schema = validator.bodies.get("application/json")
        if schema is None:
            continue
        compiled = jsonschema_rs.validator_for(
            {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "$defs": validator.defs}
        )
        interpreted = not Explainer(validator.defs, "").check(schema, body)
        assert interpreted == compiled.is_valid(body), (op_id, body)


def test_quirks_of_the_real_31_spec_are_normalised() -> None:
    import jsonschema_rs
    import yaml

    from conftest import SPEC_31

    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY)
    defs = client.spec.schemas()["defs"]
    container = defs["ContainerResource"]  # the spec lists five fields twice in `required`
    assert len(container["required"]) == len(set(container["required"]))
    jsonschema_rs.validator_for(
        {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": "#/$defs/ContainerResource", "$defs": defs}
    )
    assert "$recursiveAnchor" not in str(defs["CompoundFilter"])
    assert "'$ref': '#/$defs/CompoundFilter'" in str(defs["CompoundFilter"])
    raw = yaml.load(SPEC_31.read_bytes(), Loader=yaml.CSafeLoader)["components"]["schemas"]
    nullable = [
        (name, prop)
        for name, schema in raw.items()
        for prop, sub in (schema.get("properties") or {}).items()
        if isinstance(sub, dict) and sub.get("nullable") is True and isinstance(sub.get("type"), str)
    ]
    assert nullable, "the 3.1 fixture uses 3.0-style nullable"
    for name, prop in nullable[:20]:
        assert "null" in defs[name]["properties"][prop]["type"], (name, prop)
