"""The call surface editors and people see at run time: signatures, names, the escape hatch for
fields the spec does not declare yet, and mistakes caught before a request is sent."""

from __future__ import annotations

import inspect
import json
import logging
import warnings

import pytest

from openapi_client_openai import (
    AsyncOpenAIClient,
    OpenAIClient,
    ParameterError,
    RequestValidationError,
    Result,
    Stream,
    UnknownFieldWarning,
)
from streams import CHAT_FINAL, chat_events

from conftest import FAKE_KEY, SPEC_30, SPEC_31, Reply

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}


def client_for(server, **options) -> OpenAIClient:
    return OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url, **options)


def test_operations_have_real_signatures_and_docs(server) -> None:
    with client_for(server) as c:
        sig = inspect.signature(c.create_chat_completion)
        names = list(sig.parameters)
        assert names[0] == "body" and {"model", "messages", "temperature", "stream"} <= set(names)
        assert names[-5:] == ["extra_body", "extra_query", "extra_headers", "timeout", "max_retries"]
        assert sig.parameters["model"].default is inspect.Parameter.empty  # required: editors prompt for it
        assert sig.parameters["temperature"].default is None
        assert sig.parameters["temperature"].kind is inspect.Parameter.KEYWORD_ONLY
        files = inspect.signature(c.list_files).parameters
        assert {"purpose", "limit", "after", "order"} <= set(files)
        assert inspect.signature(c.retrieve_file).parameters["file_id"].default is inspect.Parameter.empty
        assert "createChatCompletion" in c.create_chat_completion.__doc__


def test_extra_fields_are_sent_as_given_and_not_validated(server) -> None:
    with client_for(server) as c:
        c.create_chat_completion(
            **CHAT,
            extra_body={"top_k": 3, "temperature": 9},  # undeclared, and out of the spec's range: as given
            extra_query={"api-version": "x"},
            extra_headers={"X-Route": "eu"},
        )
    sent = server.last
    assert sent.json()["top_k"] == 3 and sent.json()["temperature"] == 9
    assert ("api-version", "x") in sent.query and sent.headers["x-route"] == "eu"


def test_the_old_query_and_headers_still_work_with_a_warning(server) -> None:
    with client_for(server) as c:
        with pytest.warns(DeprecationWarning, match="extra_query="):
            c.list_files(query={"order": "asc"})
        assert ("order", "asc") in server.last.query
        with pytest.warns(DeprecationWarning, match="extra_headers="):
            c.list_files(headers={"X-Old": "1"})
        assert server.last.headers["x-old"] == "1"
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            c.search_vector_store(vector_store_id="vs_1", query="what is up")  # a body field called query
    assert server.last.json() == {"query": "what is up"}


def test_a_positional_argument_where_no_body_goes_says_which_keyword(server) -> None:
    import asyncio

    with client_for(server) as c, pytest.raises(ParameterError, match=r"takes no request body.*file_id="):
        c.retrieve_file("file-abc")

    async def main():
        async with AsyncOpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as c:
            with pytest.raises(ParameterError, match=r"takes no request body.*file_id="):
                await c.retrieve_file("file-abc")

    asyncio.run(main())
    assert server.requests == []


def test_paginating_what_is_not_a_list_is_refused_before_sending(server) -> None:
    import asyncio

    with client_for(server) as c:
        with pytest.raises(ParameterError, match="cannot be paginated"):
            list(c.paginate("createChatCompletion", **CHAT))
        with pytest.raises(ParameterError, match="cannot be paginated"):
            next(c.pages("retrieveFile", file_id="file-1"))

    async def main():
        async with AsyncOpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url) as c:
            with pytest.raises(ParameterError, match="cannot be paginated"):
                async for _ in c.paginate("create_chat_completion", **CHAT):
                    pass

    asyncio.run(main())
    assert server.requests == []


def test_validate_warn_says_the_request_is_sent(server, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="openapi_client_openai"), client_for(server, validate="warn") as c:
        c.create_chat_completion(model="m", messages=[], temperature=5)
    (line,) = [r.getMessage() for r in caplog.records]
    assert "sending it anyway" in line and "not sent" not in line and "temperature" in line
    assert server.last.json()["temperature"] == 5


def test_a_field_a_typo_away_warns_and_is_sent_or_refused_when_strict(server) -> None:
    mistyped = {"model": "m", "messages": [{"role": "user", "content": "Hi", "nmae": "bob"}], "temprature": 0.5}
    with client_for(server) as c, pytest.warns(UnknownFieldWarning) as caught:
        c.create_chat_completion(body=mistyped)
    text = str(caught[0].message)
    assert "messages[0].nmae: unknown field (did you mean 'name'?)" in text
    assert "temprature: unknown field (did you mean 'temperature'?)" in text
    assert server.last.json() == mistyped  # sent as given
    server.reset()
    with client_for(server, validate="strict") as c:
        with pytest.raises(RequestValidationError, match="did you mean 'name'"):
            c.create_chat_completion(body=mistyped)
        found = [str(p) for p in c.validate("createChatCompletion", body=mistyped)]
        assert next(p for p in found if p.startswith("messages[0].nmae"))
        with warnings.catch_warnings():  # declared fields, free-form maps, provider fields sent as extras: quiet
            warnings.simplefilter("error")
            c.create_chat_completion(**CHAT, metadata={"temprature": "a user's own key"}, extra_body={"top_k": 2})
    assert server.requests and server.last.json()["metadata"] == {"temprature": "a user's own key"}


@pytest.mark.parametrize("spec", [SPEC_30, SPEC_31])
def test_no_example_of_the_spec_looks_mistyped(spec) -> None:
    from openapi_client_openai.spec import docinfo, load_index

    index = load_index(spec)
    info = docinfo(index)["ops"]
    checked = 0
    for op_id in index.operation_ids:
        validator = index.validator(op_id)
        for body in info[op_id]["examples"]:
            if isinstance(body, dict) and not validator.check(body, {}):
                assert validator.near_misses(body) == [], (op_id, body)
                checked += 1
    assert checked > 30


def test_alternatives_the_spec_makes_exclusive_are_refused_together() -> None:
    c = OpenAIClient(spec=SPEC_30, api_key=FAKE_KEY)
    both = {"file_search": {"vector_store_ids": ["vs_1"], "vector_stores": [{"file_ids": ["file-1"]}]}}
    one = {"file_search": {"vector_store_ids": ["vs_1"]}}
    for _ in range(12):  # past the interpreted first checks: the compiled validator agrees
        (problem,) = c.validate("createAssistant", model="gpt-4o", tool_resources=both)
        assert str(problem) == "tool_resources.file_search: give only one of: vector_store_ids or vector_stores"
        assert c.validate("createAssistant", model="gpt-4o", tool_resources=one) == []
    # overlapping alternatives stay accepted: a known model name or any string
    assert c.validate("createChatCompletion", model="my-own-model", messages=[{"role": "user", "content": "x"}]) == []


def test_results_streams_and_types_work_in_annotations_and_name_each_event(server) -> None:
    from openapi_client_openai.types import ChatCompletionRequestMessage, CreateChatCompletionRequest

    assert Result[CreateChatCompletionRequest] is not None and Stream[dict, dict] is not None
    assert ChatCompletionRequestMessage is dict  # TypedDicts are dicts at run time
    with pytest.raises(ImportError):
        from openapi_client_openai.types import not_a_type_name  # noqa: F401
    server.script(Reply(body=chat_events(), headers={"content-type": "text/event-stream"}))
    with client_for(server) as c, c.create_chat_completion(**CHAT, stream=True) as stream:
        pairs = list(stream.named())
        assert stream.final() == CHAT_FINAL
    assert {name for name, _ in pairs} == {"message"} and all(isinstance(data, dict) for _, data in pairs)
    assert json.dumps(pairs[0][1])
