"""Accumulators, as pure logic: what the official SDK's stream helpers would assemble."""

from __future__ import annotations

from openapi_client_openai._accumulate import ChatAccumulator, accumulator_for

HEAD = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m"}


def feed(*deltas: dict, finish: str | None = "stop") -> dict:
    acc = ChatAccumulator()
    for delta in deltas:
        acc.add("message", {**HEAD, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
    acc.add("message", {**HEAD, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
    return acc.final()


def test_audio_deltas_are_merged() -> None:
    final = feed(
        {"role": "assistant", "audio": {"id": "a1", "data": "AAA", "transcript": "Hel", "expires_at": 5}},
        {"audio": {"data": "BBB", "transcript": "lo"}},
    )
    assert final["choices"][0]["message"]["audio"] == {
        "id": "a1",
        "data": "AAABBB",
        "transcript": "Hello",
        "expires_at": 5,
    }


def test_empty_content_is_an_empty_string_and_absent_content_is_none() -> None:
    assert feed({"role": "assistant", "content": ""})["choices"][0]["message"]["content"] == ""
    no_content = feed(
        {"role": "assistant", "tool_calls": [{"index": 0, "id": "t", "function": {"name": "f"}}]}, finish="tool_calls"
    )
    message = no_content["choices"][0]["message"]
    assert message["content"] is None
    assert message["tool_calls"] == [{"id": "t", "type": "function", "function": {"name": "f", "arguments": ""}}]


def test_several_choices_and_tool_calls_by_index() -> None:
    acc = ChatAccumulator()
    acc.add(
        "message",
        {
            **HEAD,
            "choices": [
                {"index": 1, "delta": {"role": "assistant", "content": "B"}},
                {
                    "index": 0,
                    "delta": {
                        "role": "assistant",
                        "tool_calls": [
                            {"index": 1, "id": "t2", "function": {"name": "g", "arguments": '{"b"'}},
                            {"index": 0, "id": "t1", "function": {"name": "f", "arguments": "{"}},
                        ],
                    },
                },
            ],
        },
    )
    acc.add(
        "message",
        {
            **HEAD,
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {"index": 0, "function": {"arguments": "}"}},
                            {"index": 1, "function": {"arguments": ": 1}"}},
                        ]
                    },
                },
            ],
        },
    )
    final = acc.final()
    assert [c["index"] for c in final["choices"]] == [0, 1]
    calls = final["choices"][0]["message"]["tool_calls"]
    assert [(c["id"], c["function"]["arguments"]) for c in calls] == [("t1", "{}"), ("t2", '{"b": 1}')]
    assert final["choices"][1]["message"]["content"] == "B"
    assert acc.text() == ""  # text() follows choice 0


def test_family_detection() -> None:
    assert accumulator_for("message", {"object": "chat.completion.chunk"}).family == "chat"
    assert accumulator_for("message", {"object": "text_completion"}).family == "completion"
    assert accumulator_for("response.created", {"type": "response.created"}).family == "responses"
    assert accumulator_for("thread.run.created", {"object": "thread.run"}).family == "assistants"
    assert accumulator_for("message", {"type": "transcript.text.delta"}).family == "transcription"
    assert accumulator_for("message", {"type": "speech.audio.delta"}).family == "typed"
    assert accumulator_for("message", {"anything": 1}).family == "unknown"
