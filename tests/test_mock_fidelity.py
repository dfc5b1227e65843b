"""The mock as real as the API where libraries notice (issue 11): fixed values, stored requests,
logprobs and n, echoed settings, the tool-choice rule, leniency, list filters and order.

Every test talks to a mock over HTTP on 127.0.0.1, through httpx or the official SDK.
"""

from __future__ import annotations

import pathlib

import httpx
import pytest

from openapi_client_openai._validation import Explainer
from openapi_client_openai.mock import MockServer
from openapi_client_openai.mock._facts import FIXED_RULE, apply_fixed, facts
from openapi_client_openai.spec import Faker, load_index

from conftest import ROOT, SPEC_30, SPEC_31

KEY = {"Authorization": "Bearer sk-test"}
USER = [{"role": "user", "content": "Hello there"}]
README = (ROOT / "README.md").read_text()


@pytest.fixture(scope="module", params=[SPEC_30, SPEC_31], ids=["spec3.0", "spec3.1"])
def mock(request) -> tuple[pathlib.Path, str]:
    with MockServer(spec=request.param, seed=21) as url:
        yield request.param, url


def _get(url: str, path: str, **params: object) -> dict:
    answer = httpx.get(url + path, params=params, headers=KEY, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _post(url: str, path: str, body: dict | None = None, **kw: object) -> dict:
    answer = httpx.post(url + path, json=body, headers=KEY, timeout=10, **kw)
    assert answer.status_code == 200, answer.text
    return answer.json()


# -- 2. values the API always returns -------------------------------------------------------------


def test_fixed_values_the_spec_leaves_open_follow_one_rule(mock) -> None:
    spec, url = mock
    assert _get(url, "/files")["object"] == "list"  # the schema: a string, example "list"
    assert _get(url, "/assistants")["object"] == "list"
    store = _post(url, "/vector_stores", {"name": "docs"})
    assert _get(url, f"/vector_stores/{store['id']}/files")["object"] == "list"
    answer = httpx.post(
        url + "/audio/translations",
        data={"model": "whisper-1", "response_format": "verbose_json"},
        files={"file": ("a.wav", b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav")},
        headers=KEY,
        timeout=10,
    ).json()
    assert answer["language"] == "english"  # "always `english`", says its description
    if spec == SPEC_31:
        container = _post(url, "/containers", {"name": "box"})
        assert container["object"] == "container"  # from the operation's example answer
        assert _get(url, "/containers")["data"][0]["object"] == "container"


def test_every_fixed_value_fits_its_answer_schema(spec_path) -> None:
    index = load_index(spec_path)
    defs = index.schemas()["defs"]
    fixed = facts(index)["fixed"]
    assert ("listFiles", [(("object",), "list")]) in fixed.items()
    assert ("deleteModel", [(("object",), "model")]) in fixed.items()
    for op_id, paths in fixed.items():
        schema = index.schemas()["ops"][op_id]["responses"]["200"]["application/json"]
        value = Faker(defs, seed=1).value(schema)
        apply_fixed(value, paths)
        assert Explainer(defs, "").check(schema, value) == [], op_id
    assert " ".join(FIXED_RULE.split()) in " ".join(README.split())


# -- 8. list filters and order ---------------------------------------------------------------------


def test_list_filters_and_each_operations_default_order(mock) -> None:
    _, url = mock
    made = []
    for name, purpose in [("a.jsonl", "batch"), ("b.txt", "assistants"), ("c.jsonl", "batch")]:
        files = {"file": (name, b"{}\n")}
        answer = httpx.post(url + "/files", data={"purpose": purpose}, files=files, headers=KEY, timeout=10)
        made.append(answer.json()["id"])
    listed = [f["id"] for f in _get(url, "/files")["data"] if f["id"] in made]
    assert listed == made[::-1]  # listFiles: order defaults to desc
    assert [f["id"] for f in _get(url, "/files", order="asc")["data"] if f["id"] in made] == made
    batch = [f["id"] for f in _get(url, "/files", purpose="batch")["data"] if f["id"] in made]
    assert batch == [made[2], made[0]]

    chats = []
    for team, model in [("red", "gpt-4o"), ("blue", "gpt-4o-mini"), ("red", "gpt-4o-mini")]:
        body = {"model": model, "store": True, "metadata": {"team": team}, "messages": USER}
        chats.append(_post(url, "/chat/completions", body)["id"])
    listed = [c["id"] for c in _get(url, "/chat/completions")["data"] if c["id"] in chats]
    assert listed == chats  # listChatCompletions: order defaults to asc
    assert [c["id"] for c in _get(url, "/chat/completions", **{"metadata[team]": "red"})["data"]] == [
        chats[0],
        chats[2],
    ]
    assert [c["id"] for c in _get(url, "/chat/completions", model="gpt-4o-mini")["data"] if c["id"] in chats] == [
        chats[1],
        chats[2],
    ]

    store = _post(url, "/vector_stores", {"name": "docs"})["id"]
    for file_id in made:
        _post(url, f"/vector_stores/{store}/files", {"file_id": file_id})
    assert [f["id"] for f in _get(url, f"/vector_stores/{store}/files")["data"]] == made[::-1]
    assert _get(url, f"/vector_stores/{store}/files", filter="in_progress")["data"] == []  # `filter` is the status
    assert len(_get(url, f"/vector_stores/{store}/files", filter="completed")["data"]) == 3


# -- 7. as lenient as the API, as strict as the API -------------------------------------------------


def test_leniency_rules_and_strictness(mock) -> None:
    _, url = mock
    nulls = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "Hello", "name": None}],
        "user": None,
        "tools": None,
        "n": None,
        "stream_options": None,
        "not_in_any_spec": {"x": 1},
    }
    answer = _post(url, "/chat/completions", nulls, params={"unknown_query": "1"})
    assert len(answer["choices"]) == 1  # n: null is n's default
    given_back = {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": "Earlier answer."}],  # no id, status, annotations
    }
    call = {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"}
    body = {
        "model": "gpt-4.1",
        "input": [
            {"role": "user", "content": "Hi"},
            given_back,
            call,
            {"type": "function_call_output", "call_id": "call_1", "output": "ok"},
        ],
    }
    assert _post(url, "/responses", body)["status"] == "completed"

    def refused(path: str, body: dict, word: str) -> None:
        answer = httpx.post(url + path, json=body, headers=KEY, timeout=10)
        assert answer.status_code == 400 and word in answer.json()["error"]["message"], answer.text

    refused("/chat/completions", {**nulls, "model": None}, "model")  # required: null is missing
    refused("/chat/completions", {"model": "gpt-4o", "messages": "Hello"}, "messages")  # types
    refused("/chat/completions", {"model": "gpt-4o", "messages": [{"role": "robot", "content": "x"}]}, "messages")
    refused("/responses", {"model": "gpt-4.1", "input": [{**given_back, "status": "finished"}]}, "input")  # enums


def test_output_items_come_back_into_a_conversation(mock) -> None:
    spec, url = mock
    if spec == SPEC_30:
        pytest.skip("the 2025 spec has no Conversations API")
    conv = _post(url, "/conversations", {"items": []})["id"]
    given_back = {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Answer."}]}
    added = _post(url, f"/conversations/{conv}/items", {"items": [{"role": "user", "content": "Hi"}, given_back]})
    assert [i["role"] for i in added["data"]] == ["user", "assistant"]
    assert all(i["id"] and i["status"] == "completed" for i in added["data"])
    assert added["data"][1]["content"][0] == {
        "type": "output_text",
        "text": "Answer.",
        "annotations": [],
        "logprobs": [],
    }


def test_the_leniency_table_is_mirrored_in_the_readme() -> None:
    from openapi_client_openai.mock._lenient import LENIENCY

    for rule, what, why in LENIENCY:
        assert f"| {rule} | {what} | {why} |" in README, rule
