"""Accumulators: the finished object assembled from a stream's events, family by family.

Each accumulator sees every parsed event once, in order (``add``), keeps only what the
final object needs, and can answer ``text()`` (the text deltas so far) and ``final()``.
The family is told by the first event: chat completion chunks, text completions, the
Responses API, assistants runs, transcriptions, or anything else (whose final object is
its last event).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["TERMINAL_EVENTS", "accumulator_for"]

# Event types after which the server sends nothing more (besides, for some, `[DONE]`).
TERMINAL_EVENTS = frozenset(
    {
        "response.completed",
        "response.failed",
        "response.incomplete",
        "transcript.text.done",
        "speech.audio.done",
        "image_generation.completed",
        "image_edit.completed",
    }
)


class Accumulator:
    """Fallback for streams of an unknown family: the final object is the last event."""

    family = "unknown"
    needs_end_marker = False  # unknown families may end with the body; known ones need their marker

    def __init__(self) -> None:
        self.last: Any = None
        self.pieces: list[str] = []

    def add(self, event: str, data: Any) -> None:
        """Take one parsed event."""
        self.last = data

    def text(self) -> str:
        """The concatenated text deltas so far."""
        return "".join(self.pieces)

    def final(self) -> Any:
        """The finished object assembled so far."""
        return self.last


class _ChoicesAccumulator(Accumulator):
    """Chunks that carry ``choices`` by index, a head (id, model...) and, last, ``usage``."""

    needs_end_marker = True
    object = ""

    def __init__(self) -> None:
        super().__init__()
        self.head: dict[str, Any] = {}
        self.choices: dict[int, dict[str, Any]] = {}
        self.usage: Any = None

    def add_head(self, data: Any) -> None:
        if not self.head:
            self.head = {k: data[k] for k in ("id", "created", "model", "system_fingerprint") if k in data}
        if data.get("usage") is not None:
            self.usage = data["usage"]
        if data.get("service_tier") is not None:
            self.head["service_tier"] = data["service_tier"]

    def finish(self, choices: list) -> dict:
        out = {"id": None, "object": self.object, "created": None, "model": None, **self.head, "choices": choices}
        if self.usage is not None:
            out["usage"] = self.usage
        return out


class ChatAccumulator(_ChoicesAccumulator):
    """``chat.completion.chunk`` events -> a ``chat.completion`` object, as the API returns it."""

    family = "chat"
    object = "chat.completion"

    def add(self, event: str, data: Any) -> None:
        self.add_head(data)
        for choice in data.get("choices") or ():
            index = choice.get("index", 0)
            state = self.choices.get(index)
            if state is None:
                state = self.choices[index] = {
                    "content": [],
                    "refusal": [],
                    "tools": {},
                    "role": "assistant",
                    "finish_reason": None,
                    "logprobs": None,
                    "extra": {},
                }
            delta = choice.get("delta") or {}
            content = delta.get("content")
            if content is not None:
                state["content"].append(content)  # even "": the message then has content ""
                if content and index == 0:
                    self.pieces.append(content)
            if len(delta) > 1 or content is None:
                self._delta_rest(state, delta)
            if choice.get("finish_reason") is not None:
                state["finish_reason"] = choice["finish_reason"]
            logprobs = choice.get("logprobs")
            if logprobs:
                acc = state["logprobs"] = state["logprobs"] or {"content": None, "refusal": None}
                for key in ("content", "refusal"):
                    if logprobs.get(key):
                        acc[key] = (acc[key] or []) + list(logprobs[key])

    @staticmethod
    def _delta_rest(state: dict[str, Any], delta: dict[str, Any]) -> None:
        if delta.get("role"):
            state["role"] = delta["role"]
        if delta.get("refusal"):
            state["refusal"].append(delta["refusal"])
        for call in delta.get("tool_calls") or ():
            slot = state["tools"].setdefault(
                call.get("index", 0), {"id": None, "type": "function", "function": {"name": "", "arguments": []}}
            )
            if call.get("id"):
                slot["id"] = call["id"]
            if call.get("type"):
                slot["type"] = call["type"]
            fn = call.get("function") or {}
            if fn.get("name"):
                slot["function"]["name"] += fn["name"]
            if fn.get("arguments"):
                slot["function"]["arguments"].append(fn["arguments"])
        function_call = delta.get("function_call")
        if function_call:
            fc = state["extra"].setdefault("function_call", {"name": "", "arguments": ""})
            fc["name"] += function_call.get("name") or ""
            fc["arguments"] += function_call.get("arguments") or ""
        if delta.get("annotations") is not None:
            state["extra"]["annotations"] = delta["annotations"]
        audio = delta.get("audio")
        if isinstance(audio, dict):
            merged = state["extra"].setdefault("audio", {})
            for key, value in audio.items():
                if key in ("data", "transcript") and isinstance(value, str):
                    merged[key] = merged.get(key, "") + value
                else:
                    merged[key] = value

    def final(self) -> Any:
        choices = []
        for index in sorted(self.choices):
            state = self.choices[index]
            message: dict[str, Any] = {
                "role": state["role"],
                "content": "".join(state["content"]) if state["content"] else None,  # None: never sent
                "refusal": "".join(state["refusal"]) if state["refusal"] else None,
            }
            if state["tools"]:
                message["tool_calls"] = [
                    {
                        "id": t["id"],
                        "type": t["type"],
                        "function": {"name": t["function"]["name"], "arguments": "".join(t["function"]["arguments"])},
                    }
                    for _, t in sorted(state["tools"].items())
                ]
            message.update(state["extra"])
            choices.append(
                {
                    "index": index,
                    "message": message,
                    "logprobs": state["logprobs"],
                    "finish_reason": state["finish_reason"],
                }
            )
        return self.finish(choices)


class CompletionAccumulator(_ChoicesAccumulator):
    """``text_completion`` chunks -> one ``text_completion`` object."""

    family = "completion"
    object = "text_completion"

    def add(self, event: str, data: Any) -> None:
        self.add_head(data)
        for choice in data.get("choices") or ():
            index = choice.get("index", 0)
            state = self.choices.setdefault(index, {"text": [], "finish_reason": None, "logprobs": None})
            text = choice.get("text")
            if text:
                state["text"].append(text)
                if index == 0:
                    self.pieces.append(text)
            if choice.get("finish_reason") is not None:
                state["finish_reason"] = choice["finish_reason"]
            logprobs = choice.get("logprobs")
            if logprobs:
                acc = state["logprobs"] = state["logprobs"] or {}
                for key, value in logprobs.items():
                    if isinstance(value, list):
                        acc[key] = acc.get(key, []) + value
                    else:
                        acc[key] = value

    def final(self) -> Any:
        choices = [
            {"index": i, "text": "".join(s["text"]), "logprobs": s["logprobs"], "finish_reason": s["finish_reason"]}
            for i, s in sorted(self.choices.items())
        ]
        return self.finish(choices)


class ResponsesAccumulator(Accumulator):
    """Responses API events -> the final ``response`` (from its terminal event)."""

    family = "responses"
    needs_end_marker = True

    def __init__(self) -> None:
        super().__init__()
        self.response: Any = None

    def add(self, event: str, data: Any) -> None:
        kind = data.get("type", event)
        if kind == "response.output_text.delta":
            self.pieces.append(data.get("delta") or "")
        elif "response" in data and isinstance(data["response"], dict) and kind.startswith("response."):
            self.response = data["response"]

    def final(self) -> Any:
        return self.response


class AssistantsAccumulator(Accumulator):
    """Assistants run events -> the run's last state, with ``messages`` (the completed messages)."""

    family = "assistants"
    needs_end_marker = True

    def __init__(self) -> None:
        super().__init__()
        self.run: Any = None
        self.messages: dict[str, Any] = {}

    def add(self, event: str, data: Any) -> None:
        if event.startswith("thread.run.step"):
            return
        if event.startswith("thread.run."):
            self.run = data
        elif event == "thread.message.delta":
            for part in (data.get("delta") or {}).get("content") or ():
                text = part.get("text") if isinstance(part, dict) else None
                if isinstance(text, dict) and text.get("value"):
                    self.pieces.append(text["value"])
        elif event.startswith("thread.message.") and isinstance(data, dict) and data.get("id"):
            self.messages[data["id"]] = data

    def final(self) -> Any:
        if self.run is None:
            return None
        return {**self.run, "messages": list(self.messages.values())}


class TranscriptionAccumulator(Accumulator):
    """``transcript.text.*`` events -> ``{"text": ..., "usage": ..., "logprobs": ...}``."""

    family = "transcription"
    needs_end_marker = True

    def __init__(self) -> None:
        super().__init__()
        self.done: Any = None
        self.logprobs: list[Any] = []

    def add(self, event: str, data: Any) -> None:
        kind = data.get("type", event)
        if kind == "transcript.text.delta":
            self.pieces.append(data.get("delta") or "")
            if data.get("logprobs"):
                self.logprobs.extend(data["logprobs"])
        elif kind == "transcript.text.done":
            self.done = data

    def final(self) -> Any:
        if self.done is not None:
            out = {"text": self.done.get("text", self.text())}
            for key in ("usage", "logprobs"):
                if self.done.get(key) is not None:
                    out[key] = self.done[key]
            return out
        out = {"text": self.text()}
        if self.logprobs:
            out["logprobs"] = self.logprobs
        return out


class EventTypeAccumulator(Accumulator):
    """Streams of typed events with a terminal event (speech, images): the last event."""

    family = "typed"
    needs_end_marker = True


def accumulator_for(event: str, data: Any) -> Accumulator:
    """Pick the accumulator for a stream from its first event."""
    if isinstance(data, dict):
        obj = data.get("object")
        kind = data.get("type") if isinstance(data.get("type"), str) else event
        if obj == "chat.completion.chunk":
            return ChatAccumulator()
        if obj == "text_completion":
            return CompletionAccumulator()
        if event.startswith("thread.") or (isinstance(obj, str) and obj.startswith("thread.")):
            return AssistantsAccumulator()
        if kind.startswith("response."):
            return ResponsesAccumulator()
        if kind.startswith("transcript."):
            return TranscriptionAccumulator()
        if kind.startswith(("speech.", "image_generation.", "image_edit.")):
            return EventTypeAccumulator()
    return Accumulator()
