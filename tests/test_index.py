"""The operation index: names, compiled content of both fixture specs."""

from __future__ import annotations

import pytest

from openapi_client_openai.spec import Operation, beta_header_for, load_index, snake_case

from conftest import SPEC_30, SPEC_31


@pytest.mark.parametrize(
    ("op_id", "expected"),
    [
        ("createChatCompletion", "create_chat_completion"),
        ("create-realtime-call", "create_realtime_call"),
        ("submitToolOuputsToRun", "submit_tool_ouputs_to_run"),
        ("beta_createResponse", "beta_create_response"),
        ("Createcontentprovenancecheck", "createcontentprovenancecheck"),
        ("CreateVideoCharacter", "create_video_character"),
        ("admin-api-keys-list", "admin_api_keys_list"),
        ("listFiles", "list_files"),
        ("getV2Thing", "get_v2_thing"),
    ],
)
def test_snake_case(op_id: str, expected: str) -> None:
    assert snake_case(op_id) == expected


@pytest.mark.parametrize(("spec", "count", "openapi"), [(SPEC_30, 126, "3.0.0"), (SPEC_31, 288, "3.1.0")])
def test_fixture_specs_compile_every_operation(spec, count: int, openapi: str) -> None:
    index = load_index(spec)
    assert len(index.operation_ids) == count
    assert index.data["openapi"] == openapi
    # every operation is reachable by its snake_case name, and by its id where that is an identifier
    for op_id in index.operation_ids:
        assert index.operation(snake_case(op_id)).id == op_id
        if op_id.isidentifier():
            assert index.names[op_id] == op_id


def test_operation_view_of_chat_completions() -> None:
    op = load_index(SPEC_31).operation("createChatCompletion")
    assert isinstance(op, Operation)
    assert (op.method, op.path, op.streaming) == ("POST", "/chat/completions", True)
    assert op.content_types == ("application/json",)
    assert op.needs_key


def test_path_with_query_is_split() -> None:
    op = load_index(SPEC_31).operation("beta_createResponse")
    assert op.path == "/responses"
    assert op.static_query == "beta=true"
    header = [p for p in op.params if p.location == "header"]
    assert header and header[0].name == "openai-beta" and header[0].kwarg == "openai_beta"


def test_bracketed_query_names_are_passed_bare() -> None:
    op = load_index(SPEC_31).operation("getResponse")
    include = op.by_kwarg["include"]
    assert include.name == "include" or include.name == "include[]"
    assert include.wire == "include[]"


def test_beta_headers_by_path() -> None:
    assert beta_header_for("/assistants/{id}") == "assistants=v2"
    assert beta_header_for("/threads/{thread_id}/runs") == "assistants=v2"
    assert beta_header_for("/vector_stores") == "assistants=v2"
    assert beta_header_for("/chatkit/sessions") == "chatkit_beta=v1"
    assert beta_header_for("/chat/completions") is None


def test_unknown_operation_suggests_close_names() -> None:
    from openapi_client_openai import UnknownOperationError

    with pytest.raises(UnknownOperationError) as info:
        load_index(SPEC_31).operation("createChatCompletions")
    assert "create_chat_completion" in info.value.suggestions  # names as one types them
    assert "did you mean" in str(info.value)
    assert isinstance(info.value, AttributeError)


WALKED = """
openapi: 3.1.0
info: {title: Walked, version: "1"}
paths:
  /things/{thing_id}:
    parameters:
      - {name: thing_id, in: path, required: true, description: path-level, schema: {type: string}}
      - {name: limit, in: query, description: path-level limit, schema: {type: string}}
      - {$ref: "#/components/parameters/Trace"}
    get:
      operationId: getThing
      parameters:
        - {name: limit, in: query, required: true, description: own limit,
           schema: {type: array, items: {type: integer}}}
        - {name: limit, in: header, schema: {type: string}}
        - {$ref: "#/components/parameters/Missing"}
        - {in: query, schema: {type: string}}
      responses: {"200": {$ref: "#/components/responses/Thing"}}
  /aliased:
    $ref: "#/x-items/~1aliased"
components:
  parameters:
    Trace: {name: trace, in: header, schema: {$ref: "#/components/schemas/Loop"}}
  responses:
    Thing: {description: a thing, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
  schemas:
    Thing: {type: object, properties: {id: {type: string}}}
    Loop: {$ref: "#/components/schemas/Loop"}
x-items:
  /aliased:
    post: {operationId: postAliased, responses: {"204": {description: done}}}
"""


def test_one_walker_merges_parameters_and_resolves_refs_the_same_way_everywhere(tmp_path, monkeypatch) -> None:
    from openapi_client_openai.docs import markdown

    monkeypatch.setenv("OPENAPI_CLIENT_OPENAI_CACHE_DIR", str(tmp_path / "cache"))
    spec = tmp_path / "walked.yaml"
    spec.write_text(WALKED)
    index = load_index(spec)
    assert index.operation_ids == ["getThing", "postAliased"]  # a path item reached through a $ref
    op = index.operation("getThing")
    # own parameters first; the operation's `limit` (query) overrides the path's, the header `limit` is another
    # parameter; a reference that leads nowhere and an entry without a name are no parameters
    assert [(p.name, p.location, p.required, p.kind) for p in op.params] == [
        ("limit", "query", True, "array"),
        ("limit", "header", False, "scalar"),
        ("thing_id", "path", True, "scalar"),
        ("trace", "header", False, "scalar"),  # its schema refers to itself: the chain stops, no hang
    ]
    schemas = index.schemas()["ops"]["getThing"]
    assert [(n, loc, req) for n, loc, req, _ in schemas["params"]] == [
        ("limit", "query", True),
        ("limit", "header", False),
        ("thing_id", "path", True),
        ("trace", "header", False),
    ]
    assert schemas["params"][0][3] == {"type": "array", "items": {"type": "integer"}}
    assert schemas["responses"]["200"] == {"application/json": {"$ref": "#/$defs/Thing"}}
    text = markdown(index, "getThing")
    assert "- `limit` (query, array of integer, required): own limit" in text
    assert "- `limit` (header, string, optional)" in text
    assert "path-level limit" not in text  # the overridden parameter is not documented beside its override


def test_resolver_follows_json_pointers_and_stops_on_cycles() -> None:
    from openapi_client_openai.spec import Resolver

    doc = {"a/b": {"~x": {"v": 1}}, "loop": {"$ref": "#/loop"}, "to": {"$ref": "#/a~1b/~0x"}}
    refs = Resolver(doc)
    assert refs.target("#/a~1b/~0x") == {"v": 1}
    assert refs.resolve({"$ref": "#/to"}) == {"v": 1}  # a chain
    assert refs.resolve_named({"$ref": "#/to"}) == ({"v": 1}, "~0x")
    assert refs.resolve({"$ref": "#/loop"}) == {"$ref": "#/loop"}  # a cycle stops after MAX_CHAIN steps
    for broken in ("#/nothing/here", "other.yaml#/a", 5, "#"):
        assert refs.resolve({"$ref": broken}) is None
    assert refs.resolve({"type": "string"}) == {"type": "string"}


def test_routes_most_specific_first_and_by_the_query_the_spec_fixes() -> None:
    index = load_index(SPEC_31)
    op, params = index.route("GET", "/files/file-abc")
    assert (op.id, params) == ("retrieveFile", {"file_id": "file-abc"})
    op, params = index.route("GET", "/files/file-abc/content")
    assert (op.id, params) == ("downloadFile", {"file_id": "file-abc"})
    assert index.route("POST", "/chat/completions")[0].id == "createChatCompletion"
    assert index.route("PATCH", "/chat/completions") is None
    assert index.route("GET", "/no/such/path") is None
    # `/responses?beta=true` is an operation of its own: the query picks it, its absence the plain one
    assert index.route("POST", "/responses")[0].id == "createResponse"
    assert index.route("POST", "/responses", {"beta": "true"})[0].id == "beta_createResponse"
    assert index.route("POST", "/responses", {"beta": "false"})[0].id == "createResponse"
    op, params = index.route("GET", "/responses/resp_1", {"beta": "true"})
    assert (op.id, params) == ("beta_getResponse", {"response_id": "resp_1"})
    route, names = index.router.match("GET", "/responses/resp_1", {})
    assert (route.op_id, route.template, route.static, names) == (
        "getResponse",
        "/responses/{response_id}",
        {},
        {"response_id": "resp_1"},
    )


def test_a_path_only_written_with_a_query_answers_without_it_only_when_no_query_is_given() -> None:
    from openapi_client_openai.spec import Router

    router = Router({"a": ("GET", "/things?v=2"), "b": ("GET", "/things/{id}"), "c": ("GET", "/things/mine")})
    assert router.match("GET", "/things")[0].op_id == "a"
    assert router.match("GET", "/things", {"v": "2"})[0].op_id == "a"
    assert router.match("GET", "/things", {"v": "1"}) is None
    assert router.match("GET", "/things/mine")[0].op_id == "c"  # more literal characters win
    route, params = router.match("GET", "/things/other")
    assert (route.op_id, params) == ("b", {"id": "other"})
    assert [r.op_id for r in router.routes] == ["c", "b", "a"]
