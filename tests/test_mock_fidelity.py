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
from openapi_client_openai.mock._families import TOOL_RULE
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
    spec, url = mock
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
    # `filter` is the status: new files are in progress (see LIFECYCLE_RULE) until retrieved
    assert len(_get(url, f"/vector_stores/{store}/files", filter="in_progress")["data"]) == 3
    _get(url, f"/vector_stores/{store}/files/{made[1]}")
    assert [f["id"] for f in _get(url, f"/vector_stores/{store}/files", filter="completed")["data"]] == [made[1]]
    assert len(_get(url, f"/vector_stores/{store}/files", filter="in_progress")["data"]) == 2
    if spec == SPEC_31:  # evals (not in the 2025 spec): runs filtered by status, oldest first by default
        config = {"type": "custom", "item_schema": {"type": "object"}}
        evaluation = httpx.post(
            url + "/evals", json={"data_source_config": config, "testing_criteria": []}, headers=KEY
        )
        runs_url = f"/evals/{evaluation.json()['id']}/runs"
        source = {"type": "jsonl", "source": {"type": "file_id", "id": made[0]}}
        runs = [httpx.post(url + runs_url, json={"data_source": source}, headers=KEY).json() for _ in range(2)]
        assert {r["status"] for r in runs} == {"queued"}
        assert [r["id"] for r in _get(url, runs_url, status="queued")["data"]] == [r["id"] for r in runs]
        for run in runs:  # queued -> in_progress -> completed, one step a look
            assert [_get(url, f"{runs_url}/{run['id']}")["status"] for _ in range(3)] == [
                "in_progress",
                "completed",
                "completed",
            ]
        assert [r["id"] for r in _get(url, runs_url, status="completed")["data"]] == [r["id"] for r in runs]
        assert _get(url, runs_url, status="queued")["data"] == []


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


def _fits(url_spec: pathlib.Path, op_id: str, value: object, status: str = "200") -> list:
    index = load_index(url_spec)
    schema = index.schemas()["ops"][op_id]["responses"][status]["application/json"]
    return Explainer(index.schemas()["defs"], "").check(schema, value)


def _events(url: str, path: str, body: dict) -> list[dict]:
    import json

    with httpx.stream("POST", url + path, json=body, headers=KEY, timeout=10) as answer:
        text = answer.read().decode()
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: {")]


# -- 3. stored things keep what was sent ---------------------------------------------------------


def test_stored_chat_completions_keep_their_messages(mock) -> None:
    _, url = mock
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "What is "}, {"type": "text", "text": "2+2?"}]},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "add", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "4"},
    ]
    done = _post(url, "/chat/completions", {"model": "gpt-4o", "store": True, "messages": messages})
    listed = _get(url, f"/chat/completions/{done['id']}/messages")
    assert [m["id"] for m in listed["data"]] == [f"{done['id']}-{i}" for i in range(4)]  # asc by default
    assert [m["role"] for m in listed["data"]] == ["system", "user", "assistant", "tool"]
    assert listed["data"][1]["content"] == "What is 2+2?" and len(listed["data"][1]["content_parts"]) == 2
    assert listed["data"][2]["tool_calls"][0]["function"]["name"] == "add" and listed["data"][2]["content"] is None
    assert listed["data"][3]["tool_call_id"] == "call_1"
    page = _get(url, f"/chat/completions/{done['id']}/messages", limit=2, order="desc")
    assert [m["id"] for m in page["data"]] == [f"{done['id']}-3", f"{done['id']}-2"] and page["has_more"]
    unstored = _post(url, "/chat/completions", {"model": "gpt-4o", "messages": messages})
    assert httpx.get(url + f"/chat/completions/{unstored['id']}/messages", headers=KEY).status_code == 404


def test_responses_keep_their_input_items(mock) -> None:
    spec, url = mock
    first = _post(url, "/responses", {"model": "gpt-4.1", "input": "Tell me a story."})
    items = _get(url, f"/responses/{first['id']}/input_items")
    assert items["object"] == "list" and len(items["data"]) == 1
    (item,) = items["data"]
    assert item["type"] == "message" and item["role"] == "user" and item["id"].startswith("msg_")
    assert item["content"] == [{"type": "input_text", "text": "Tell me a story."}]
    assert _fits(spec, "listInputItems", items) == []
    given = [
        {"role": "developer", "content": "Be brief."},
        {"role": "user", "content": [{"type": "input_text", "text": "One"}]},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Two"}]},
        {"role": "user", "content": "Three"},
    ]
    second = _post(url, "/responses", {"model": "gpt-4.1", "input": given, "previous_response_id": first["id"]})
    listed = _get(url, f"/responses/{second['id']}/input_items", order="asc")["data"]
    assert [i["role"] for i in listed] == ["developer", "user", "assistant", "user"]
    assert [i["content"][0]["text"] for i in listed] == ["Be brief.", "One", "Two", "Three"]
    default = [i["id"] for i in _get(url, f"/responses/{second['id']}/input_items")["data"]]
    expected = "desc" if spec == SPEC_31 else "asc"  # each spec's own default for listInputItems
    assert default == [i["id"] for i in (listed[::-1] if expected == "desc" else listed)]
    assert _fits(spec, "listInputItems", _get(url, f"/responses/{second['id']}/input_items")) == []


# -- 4. logprobs and n ----------------------------------------------------------------------------


def test_chat_logprobs_for_every_token_and_n_choices(mock) -> None:
    spec, url = mock
    body = {"model": "gpt-4o", "messages": USER, "logprobs": True, "top_logprobs": 3, "n": 3, "max_tokens": 40}
    done = _post(url, "/chat/completions", body)
    assert [c["index"] for c in done["choices"]] == [0, 1, 2]
    for choice in done["choices"]:
        tokens = choice["logprobs"]["content"]
        assert "".join(t["token"] for t in tokens) == choice["message"]["content"]
        for token in tokens:
            assert token["bytes"] == list(token["token"].encode()) and token["logprob"] < 0
            assert len(token["top_logprobs"]) == 3 and token["top_logprobs"][0]["token"] == token["token"]
            assert sorted((t["logprob"] for t in token["top_logprobs"]), reverse=True) == [
                t["logprob"] for t in token["top_logprobs"]
            ]
    assert _fits(spec, "createChatCompletion", done) == []
    plain = _post(url, "/chat/completions", {"model": "gpt-4o", "messages": USER})
    assert plain["choices"][0]["logprobs"] is None

    chunks = _events(url, "/chat/completions", {**body, "stream": True})
    for index in range(3):
        mine = [c["choices"][0] for c in chunks if c["choices"] and c["choices"][0]["index"] == index]
        text = "".join(c["delta"].get("content") or "" for c in mine)
        logged = [t for c in mine if c["logprobs"] for t in c["logprobs"]["content"]]
        assert text and "".join(t["token"] for t in logged) == text
        assert all(c["logprobs"]["content"][0]["token"] == c["delta"]["content"] for c in mine if c["logprobs"])
        assert mine[-1]["finish_reason"] == "stop"


def test_responses_logprobs_when_included(mock) -> None:
    spec, url = mock
    if spec == SPEC_30:
        pytest.skip("the 2025 spec has no message.output_text.logprobs to include")
    body = {"model": "gpt-4.1", "input": "Hi", "include": ["message.output_text.logprobs"], "top_logprobs": 2}
    done = _post(url, "/responses", body)
    part = done["output"][0]["content"][0]
    assert "".join(t["token"] for t in part["logprobs"]) == part["text"] and part["logprobs"]
    assert all(len(t["top_logprobs"]) == 2 and t["top_logprobs"][0]["token"] == t["token"] for t in part["logprobs"])
    assert _fits(spec, "createResponse", done) == []
    events = _events(url, "/responses", {**body, "stream": True})
    deltas = [e for e in events if e["type"] == "response.output_text.delta"]
    assert all(len(e["logprobs"]) == 1 and e["logprobs"][0]["token"] == e["delta"] for e in deltas)
    final = events[-1]["response"]["output"][0]["content"][0]
    assert "".join(e["delta"] for e in deltas) == final["text"] and len(final["logprobs"]) == len(deltas)
    assert _post(url, "/responses", {"model": "gpt-4.1", "input": "Hi"})["output"][0]["content"][0]["logprobs"] == []


# -- 5. Responses echo the request's settings ----------------------------------------------------------


def test_responses_echo_the_settings_as_the_api_does(mock) -> None:
    spec, url = mock
    first = _post(url, "/responses", {"model": "gpt-4.1", "input": "Hi"})
    for key, default in [("temperature", 1.0), ("top_p", 1.0), ("tool_choice", "auto"), ("tools", [])]:
        assert first[key] == default, key
    assert first["text"] == {"format": {"type": "text"}} and first["instructions"] is None
    assert first["previous_response_id"] is None and first["metadata"] == {} and first["parallel_tool_calls"] is True
    schema = {
        "type": "object",
        "properties": {"n": {"type": "integer"}},
        "required": ["n"],
        "additionalProperties": False,
    }
    settings = {
        "text": {"format": {"type": "json_schema", "name": "count", "schema": schema, "strict": True}},
        "tools": [{"type": "function", "name": "f", "parameters": schema, "strict": True}],
        "tool_choice": "none",
        "temperature": 0.2,
        "top_p": 0.9,
        "instructions": "Count.",
        "metadata": {"run": "7"},
        "previous_response_id": first["id"],
        "parallel_tool_calls": False,
        "max_output_tokens": 99,
        "truncation": "auto",
    }
    answer = _post(url, "/responses", {"model": "gpt-4.1", "input": "Count", **settings})
    for key, value in settings.items():
        assert answer[key] == value, key
    assert _fits(spec, "createResponse", answer) == []
    streamed = _events(url, "/responses", {"model": "gpt-4.1", "input": "Count", **settings, "stream": True})
    assert all(streamed[-1]["response"][key] == value for key, value in settings.items())


# -- 6. which tool is called ---------------------------------------------------------------------------

LOOKUP = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"], "additionalProperties": False}
FINAL = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}


def _chat_tools() -> list[dict]:
    return [
        {"type": "function", "function": {"name": "lookup", "parameters": LOOKUP}},
        {"type": "function", "function": {"name": "final_result", "parameters": FINAL}},
    ]


def _chat_turn(url: str, messages: list, choice: object = None) -> dict:
    body = {"model": "gpt-4o", "messages": messages, "tools": _chat_tools()}
    if choice is not None:
        body["tool_choice"] = choice
    return _post(url, "/chat/completions", body)["choices"][0]["message"]


def test_required_calls_a_tool_not_yet_called_so_agent_loops_finish(mock) -> None:
    _, url = mock
    messages = list(USER)
    called = []
    for _ in range(4):  # an agent loop that stops when its final-result tool is called
        message = _chat_turn(url, messages, "required")
        call = message["tool_calls"][0]
        called.append(call["function"]["name"])
        if call["function"]["name"] == "final_result":
            break
        messages += [message, {"role": "tool", "tool_call_id": call["id"], "content": "found"}]
    assert called == ["lookup", "final_result"]
    messages += [message, {"role": "tool", "tool_call_id": call["id"], "content": "done"}]
    again = _chat_turn(url, messages, "required")  # both called once: the least called, first on a tie
    assert again["tool_calls"][0]["function"]["name"] == "lookup"


def test_auto_calls_a_tool_for_the_user_and_answers_tool_results_in_text(mock) -> None:
    spec, url = mock
    first = _chat_turn(url, USER)  # tool_choice absent: auto
    assert first["content"] is None and first["tool_calls"][0]["function"]["name"] == "lookup"
    result = {"role": "tool", "tool_call_id": first["tool_calls"][0]["id"], "content": "found"}
    second = _chat_turn(url, [*USER, first, result], "auto")
    assert second["content"] and "tool_calls" not in second
    assert _chat_turn(url, USER, "none")["content"]
    named = _chat_turn(url, USER, {"type": "function", "function": {"name": "final_result"}})
    assert named["tool_calls"][0]["function"]["name"] == "final_result"
    if spec == SPEC_31:  # allowed_tools narrows the tools (the 2025 spec has no allowed_tools)
        only = [{"type": "function", "function": {"name": "final_result"}}]
        allowed = {"type": "allowed_tools", "allowed_tools": {"mode": "required", "tools": only}}
        assert _chat_turn(url, USER, allowed)["tool_calls"][0]["function"]["name"] == "final_result"
    # The Responses API, following previous_response_id for the conversation so far:
    tools = [{"type": "function", "name": "lookup", "parameters": LOOKUP, "strict": True}]
    turn = _post(url, "/responses", {"model": "gpt-4.1", "input": "Find x", "tools": tools})
    call = turn["output"][0]
    assert call["type"] == "function_call" and call["name"] == "lookup"
    output = {"type": "function_call_output", "call_id": call["call_id"], "output": "x is 1"}
    body = {"model": "gpt-4.1", "input": [output], "tools": tools, "previous_response_id": turn["id"]}
    assert _post(url, "/responses", body)["output"][0]["type"] == "message"
    required = _post(url, "/responses", {**body, "tool_choice": "required"})["output"][0]
    assert required["type"] == "function_call" and required["name"] == "lookup"  # the only tool, called again


def test_tool_calls_repeat_with_the_seed() -> None:
    answers = []
    for _ in range(2):
        with MockServer(spec=SPEC_31, seed=5) as url:
            answers.append([_chat_turn(url, USER, "required")["tool_calls"][0]["function"] for _ in range(3)])
    assert answers[0] == answers[1] and answers[0][0]["name"] == "lookup"
    assert " ".join(TOOL_RULE.split()) in " ".join(README.split())


# -- 9. endings on demand, parallel tool calls, objects working in the background ------------------


def _stream_items(url: str, op_id: str, body: dict, headers: dict) -> tuple[list, dict]:
    from openapi_client_openai import OpenAIClient

    with (
        OpenAIClient(spec=SPEC_31, api_key="sk-test", base_url=url) as client,
        client.call(op_id, body, stream=True, extra_headers=headers) as stream,
    ):
        return list(stream), stream.final()


@pytest.mark.parametrize("finish", ["refusal", "length", "content_filter"])
def test_x_mock_finish_asks_for_a_refusal_or_an_answer_cut_short(mock, finish: str) -> None:
    spec, url = mock
    asked = {**KEY, "x-mock-finish": finish}
    fmt = {"type": "json_schema", "json_schema": {"name": "t", "schema": LOOKUP, "strict": True}}
    chat = httpx.post(
        url + "/chat/completions", json={"model": "gpt-4o", "messages": USER, "response_format": fmt}, headers=asked
    ).json()
    assert _fits(spec, "createChatCompletion", chat) == []
    choice = chat["choices"][0]
    if finish == "refusal":
        assert choice["message"]["content"] is None and "can't help" in choice["message"]["refusal"]
        assert choice["finish_reason"] == "stop"
    else:
        assert choice["finish_reason"] == finish and choice["message"]["refusal"] is None
        with pytest.raises(ValueError):  # JSON stopped part way
            __import__("json").loads(choice["message"]["content"])
    text = {"format": {"type": "json_schema", "name": "t", "schema": LOOKUP, "strict": True}}
    response = httpx.post(
        url + "/responses", json={"model": "gpt-4.1", "input": "x", "text": text}, headers=asked
    ).json()
    assert _fits(spec, "createResponse", response) == []
    part = response["output"][0]["content"][0]
    if finish == "refusal":
        assert response["status"] == "completed" and part == {
            "type": "refusal",
            "refusal": choice["message"]["refusal"],
        }
    else:
        reason = "max_output_tokens" if finish == "length" else "content_filter"
        assert response["status"] == "incomplete" and response["incomplete_details"] == {"reason": reason}
        assert response["output"][0]["status"] == "incomplete" and part["type"] == "output_text"
    if spec == SPEC_31:  # streamed: the same endings, each event valid for the spec
        index = load_index(spec)
        defs = index.schemas()["defs"]
        for op_id, body in (
            ("createChatCompletion", {"model": "gpt-4o", "messages": USER, "response_format": fmt}),
            ("createResponse", {"model": "gpt-4.1", "input": "x", "text": text}),
        ):
            items, final = _stream_items(url, op_id, body, {"x-mock-finish": finish})
            event_schema = index.schemas()["ops"][op_id]["responses"]["200"]["text/event-stream"]
            assert all(Explainer(defs, "").check(event_schema, dict(item)) == [] for item in items)
            if op_id == "createChatCompletion":
                message = final["choices"][0]["message"]
                assert (message["refusal"] if finish == "refusal" else final["choices"][0]["finish_reason"]) in (
                    choice["message"]["refusal"],
                    finish,
                )
            else:
                ending = "response.incomplete" if finish != "refusal" else "response.completed"
                assert items[-1].event == ending and final["status"] == response["status"]
    bad = httpx.post(
        url + "/chat/completions", json={"model": "gpt-4o", "messages": USER}, headers={**KEY, "x-mock-finish": "bored"}
    )
    assert bad.status_code == 400 and "x-mock-finish must be one of refusal, length, content_filter" in bad.text


def test_parallel_tool_calls_true_calls_every_tool_not_called_yet(mock) -> None:
    spec, url = mock
    tools = [
        {"type": "function", "function": {"name": name, "parameters": LOOKUP, "strict": True}}
        for name in ("lookup", "final_result")
    ]
    body = {"model": "gpt-4o", "messages": USER, "tools": tools, "parallel_tool_calls": True}
    message = _post(url, "/chat/completions", body)["choices"][0]["message"]
    assert [c["function"]["name"] for c in message["tool_calls"]] == ["lookup", "final_result"]
    answers = [{"role": "tool", "tool_call_id": c["id"], "content": "ok"} for c in message["tool_calls"]]
    assert _post(url, "/chat/completions", {**body, "messages": [*USER, message, *answers]})["choices"][0]["message"][
        "content"
    ]
    again = _post(url, "/chat/completions", {**body, "messages": [*USER, message, *answers], "tool_choice": "required"})
    assert [c["function"]["name"] for c in again["choices"][0]["message"]["tool_calls"]] == ["lookup"]  # least called
    flat = [{"type": "function", "name": t["function"]["name"], "parameters": LOOKUP, "strict": True} for t in tools]
    turn = _post(url, "/responses", {"model": "gpt-4.1", "input": "x", "tools": flat, "parallel_tool_calls": True})
    assert [i["name"] for i in turn["output"]] == ["lookup", "final_result"] and _fits(
        spec, "createResponse", turn
    ) == []
    one = _post(url, "/responses", {"model": "gpt-4.1", "input": "x", "tools": flat})
    assert [i["name"] for i in one["output"]] == ["lookup"]  # without it: one call per turn


def test_objects_working_in_the_background_move_on_as_they_are_polled(mock) -> None:
    from openapi_client_openai.mock._lifecycle import LIFECYCLE_RULE

    spec, url = mock
    job = httpx.post(url + "/fine_tuning/jobs", json={"model": "gpt-4o-mini", "training_file": "file-1"}, headers=KEY)
    assert job.json()["status"] == "validating_files" and job.headers["openai-poll-after-ms"] == "10"
    seen = [_get(url, f"/fine_tuning/jobs/{job.json()['id']}")["status"] for _ in range(4)]
    assert seen == ["queued", "running", "succeeded", "succeeded"]
    done = httpx.get(url + f"/fine_tuning/jobs/{job.json()['id']}", headers=KEY)
    assert "openai-poll-after-ms" not in done.headers and _fits(spec, "retrieveFineTuningJob", done.json()) == []
    cancelled = _post(url, "/fine_tuning/jobs", {"model": "gpt-4o-mini", "training_file": "file-1"})
    assert _post(url, f"/fine_tuning/jobs/{cancelled['id']}/cancel")["status"] == "cancelled"
    assert _get(url, f"/fine_tuning/jobs/{cancelled['id']}")["status"] == "cancelled"  # stays cancelled
    background = _post(url, "/responses", {"model": "gpt-4.1", "input": "Hi", "background": True})
    first = "queued" if spec == SPEC_31 else "in_progress"  # the 2025 spec's responses are never queued
    assert (
        background["status"] == first and background["output"] == [] and _fits(spec, "createResponse", background) == []
    )
    later = [_get(url, f"/responses/{background['id']}") for _ in range(2)]
    assert later[-1]["status"] == "completed" and later[-1]["output"][0]["type"] == "message"
    assert all(_fits(spec, "getResponse", r) == [] for r in later)
    plain = _post(url, "/responses", {"model": "gpt-4.1", "input": "Hi"})
    assert plain["status"] == "completed"  # without background, answered finished
    assert " ".join(LIFECYCLE_RULE.split()) in " ".join(README.split())
