"""Event sequences of each streaming family, built from the finished object they add up to.

The accumulators are tested by streaming these and comparing ``final()`` with the object the
sequence was built from, which is what the API returns when the same request is not streamed.
"""

from __future__ import annotations

import json
from typing import Any

SSE = "text/event-stream"


def sse(data: Any, event: str | None = None) -> bytes:
    text = data if isinstance(data, str) else json.dumps(data)
    return (f"event: {event}\n" if event else "").encode() + f"data: {text}\n\n".encode()


def split(text: str, size: int = 3) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


CHAT_FINAL = {
    "id": "chatcmpl-abc",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "gpt-4o-mini",
    "system_fingerprint": "fp_1",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "Hello there, how can I help? \u00e9\U0001f600",
                "refusal": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris", "unit": "c"}'},
                    },
                    {"id": "call_2", "type": "function", "function": {"name": "get_time", "arguments": "{}"}},
                ],
            },
            "logprobs": None,
            "finish_reason": "tool_calls",
        }
    ],
    "usage": {"prompt_tokens": 12, "completion_tokens": 20, "total_tokens": 32},
}


def chat_events(final: dict = CHAT_FINAL, usage: bool = True) -> list[bytes]:
    head = {k: final[k] for k in ("id", "created", "model", "system_fingerprint")}

    def chunk(delta: dict, finish: str | None = None, choices: bool = True, **extra: Any) -> bytes:
        body = {
            **head,
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}] if choices else [],
            **extra,
        }
        return sse(body)

    message = final["choices"][0]["message"]
    out = [chunk({"role": "assistant", "content": ""})]
    out += [chunk({"content": piece}) for piece in split(message["content"])]
    for index, call in enumerate(message.get("tool_calls") or []):
        out.append(
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": call["id"],
                            "type": "function",
                            "function": {"name": call["function"]["name"], "arguments": ""},
                        }
                    ]
                }
            )
        )
        for piece in split(call["function"]["arguments"], 4):
            out.append(chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}))
    out.append(chunk({}, final["choices"][0]["finish_reason"]))
    if usage:
        out.append(chunk({}, choices=False, usage=final["usage"]))
    return [*out, sse("[DONE]")]


COMPLETION_FINAL = {
    "id": "cmpl-1",
    "object": "text_completion",
    "created": 1700000000,
    "model": "gpt-3.5-turbo-instruct",
    "choices": [{"index": 0, "text": "Once upon a time, a stream.", "logprobs": None, "finish_reason": "stop"}],
}


def completion_events(final: dict = COMPLETION_FINAL) -> list[bytes]:
    head = {k: final[k] for k in ("id", "object", "created", "model")}
    out = [
        sse({**head, "choices": [{"index": 0, "text": piece, "logprobs": None, "finish_reason": None}]})
        for piece in split(final["choices"][0]["text"])
    ]
    out.append(sse({**head, "choices": [{"index": 0, "text": "", "logprobs": None, "finish_reason": "stop"}]}))
    return [*out, sse("[DONE]")]


RESPONSE_FINAL = {
    "id": "resp_1",
    "object": "response",
    "created_at": 1700000000,
    "status": "completed",
    "model": "gpt-4.1",
    "output": [
        {
            "type": "message",
            "id": "msg_1",
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "Streams are honest.", "annotations": []}],
        }
    ],
    "usage": {"input_tokens": 5, "output_tokens": 4, "total_tokens": 9},
}


def response_events(final: dict = RESPONSE_FINAL) -> list[bytes]:
    started = {**final, "status": "in_progress", "output": [], "usage": None}
    text = final["output"][0]["content"][0]["text"]
    out = [
        sse({"type": "response.created", "sequence_number": 0, "response": started}, "response.created"),
        sse({"type": "response.in_progress", "sequence_number": 1, "response": started}, "response.in_progress"),
    ]
    for i, piece in enumerate(split(text)):
        out.append(
            sse(
                {
                    "type": "response.output_text.delta",
                    "item_id": "msg_1",
                    "output_index": 0,
                    "content_index": 0,
                    "delta": piece,
                    "sequence_number": 2 + i,
                },
                "response.output_text.delta",
            )
        )
    out.append(
        sse({"type": "response.output_text.done", "text": text, "sequence_number": 90}, "response.output_text.done")
    )
    out.append(sse({"type": "response.completed", "sequence_number": 99, "response": final}, "response.completed"))
    return out


RUN = {
    "id": "run_1",
    "object": "thread.run",
    "thread_id": "thread_1",
    "assistant_id": "asst_1",
    "status": "queued",
    "model": "gpt-4o",
}
MESSAGE = {
    "id": "msg_1",
    "object": "thread.message",
    "thread_id": "thread_1",
    "role": "assistant",
    "status": "completed",
    "content": [{"type": "text", "text": {"value": "Run says hi.", "annotations": []}}],
}


def assistants_events() -> list[bytes]:
    text = MESSAGE["content"][0]["text"]["value"]
    out = [
        sse(RUN, "thread.run.created"),
        sse({**RUN, "status": "in_progress"}, "thread.run.in_progress"),
        sse({**MESSAGE, "status": "in_progress", "content": []}, "thread.message.created"),
    ]
    for piece in split(text):
        out.append(
            sse(
                {
                    "id": "msg_1",
                    "object": "thread.message.delta",
                    "delta": {"content": [{"index": 0, "type": "text", "text": {"value": piece}}]},
                },
                "thread.message.delta",
            )
        )
    out += [
        sse(MESSAGE, "thread.message.completed"),
        sse({**RUN, "status": "completed"}, "thread.run.completed"),
        sse("[DONE]", "done"),
    ]
    return out


ASSISTANTS_FINAL = {**RUN, "status": "completed", "messages": [MESSAGE]}

TRANSCRIPTION_FINAL = {"text": "Hello from the audio.", "usage": {"type": "tokens", "total_tokens": 10}}


def transcription_events() -> list[bytes]:
    out = [sse({"type": "transcript.text.delta", "delta": p}) for p in split(TRANSCRIPTION_FINAL["text"])]
    out.append(sse({"type": "transcript.text.done", **TRANSCRIPTION_FINAL}))
    return out


FAMILIES = {
    "chat": ("createChatCompletion", chat_events, CHAT_FINAL, CHAT_FINAL["choices"][0]["message"]["content"]),
    "completion": ("createCompletion", completion_events, COMPLETION_FINAL, COMPLETION_FINAL["choices"][0]["text"]),
    "responses": ("createResponse", response_events, RESPONSE_FINAL, "Streams are honest."),
    "assistants": ("createRun", assistants_events, ASSISTANTS_FINAL, "Run says hi."),
    "transcription": ("createTranscription", transcription_events, TRANSCRIPTION_FINAL, TRANSCRIPTION_FINAL["text"]),
}
