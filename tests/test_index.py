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
    assert "createChatCompletion" in info.value.suggestions
    assert "did you mean" in str(info.value)
    assert isinstance(info.value, AttributeError)
