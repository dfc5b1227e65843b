"""Pagination across page boundaries, against the mock and against scripted pages."""

from __future__ import annotations

import asyncio
import json

import pytest

from openapi_client_openai import APIError, AsyncOpenAIClient, OpenAIClient
from openapi_client_openai.mock import MockServer

from conftest import FAKE_KEY, SPEC_31, Reply


@pytest.fixture(scope="module")
def mock_url():
    with MockServer(spec=SPEC_31, seed=4) as url:
        yield url


def test_paginate_several_list_operations_across_pages(mock_url) -> None:
    client = OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=mock_url)
    stores = [client.createVectorStore(body={"name": f"s{i}"}).json()["id"] for i in range(7)]
    assert [v["id"] for v in client.paginate("listVectorStores", limit=3, order="asc")] == stores
    pages = list(client.pages("list_vector_stores", limit=3, order="asc"))
    assert [len(p.json()["data"]) for p in pages] == [3, 3, 1]
    files = [
        client.createFile(body={"file": (f"f{i}.jsonl", b"{}\n"), "purpose": "batch"}).json()["id"] for i in range(5)
    ]
    assert [f["id"] for f in client.paginate("list_files", limit=2, order="asc")] == files
    assistants = [client.createAssistant(body={"model": "gpt-4o"}).json()["id"] for _ in range(4)]
    assert [a["id"] for a in client.paginate("listAssistants", limit=1, order="asc")] == assistants
    assert [m["id"] for m in client.paginate("listModels")][:1] == ["gpt-4o-mini"]  # one page, no cursor


def test_async_paginate(mock_url) -> None:
    async def main():
        async with AsyncOpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=mock_url) as client:
            made = [
                (
                    await client.createEval(
                        body={
                            "data_source_config": {"type": "custom", "item_schema": {"type": "object"}},
                            "testing_criteria": [],
                        }
                    )
                ).json()["id"]
                for _ in range(5)
            ]
            seen = [e["id"] async for e in client.paginate("listEvals", limit=2, order="asc")]
            return made, seen

    made, seen = asyncio.run(main())
    assert seen == made


def test_an_empty_page_with_more_to_come_does_not_end_the_list(client, server) -> None:
    def page(data, has_more, last_id=None):
        body = {"object": "list", "data": data, "has_more": has_more, "first_id": None, "last_id": last_id}
        return Reply(body=json.dumps(body))

    server.script(page([{"id": "a"}], True, "a"), page([], True, "a2"), page([{"id": "b"}], False, "b"))
    assert [f["id"] for f in client.paginate("listFiles", limit=1)] == ["a", "b"]
    assert [q.query for q in server.requests] == [
        [("limit", "1")],
        [("limit", "1"), ("after", "a")],
        [("limit", "1"), ("after", "a2")],
    ]
    server.script(page([{"name": "no id"}], True))
    with pytest.raises(APIError, match="no cursor"):
        list(client.paginate("listFiles"))


def test_a_cursor_that_does_not_move_is_an_error_not_a_loop(client, server) -> None:
    body = {"object": "list", "data": [{"id": "f1"}], "has_more": True, "first_id": "f1", "last_id": "f1"}
    server.default = lambda req: Reply(body=json.dumps(body))
    with pytest.raises(APIError, match="a second time"):
        list(client.paginate("listFiles"))
    assert len(server.requests) == 2


def test_cursors_that_go_round_in_a_circle_are_an_error_not_a_loop(client, server) -> None:
    pages = iter([["a"], ["b"], ["a"], ["b"]] * 3)
    server.default = lambda req: Reply(
        body=json.dumps({"object": "list", "data": [{"id": i} for i in next(pages)], "has_more": True})
    )
    with pytest.raises(APIError, match="a second time"):
        list(client.paginate("listFiles"))
    assert len(server.requests) == 3
