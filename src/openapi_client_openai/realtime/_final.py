"""Assembling realtime responses from their server events: what ``response_final()`` returns.

``Responses`` sees every server event a connection receives (``feed``) and keeps, per response
id, its text, audio (PCM16 or G.711 bytes, decoded from the base64 deltas and joined),
transcript and function calls, until its ``response.done`` closes it.  Event names of both
protocols are read: GA (``response.output_text.delta``) and beta (``response.text.delta``).
Pure: no I/O.
"""

from __future__ import annotations

import base64

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Responses"]

# event type -> the part of the response its delta adds to
_DELTAS = {
    "response.output_text.delta": "text",
    "response.text.delta": "text",
    "response.output_audio.delta": "audio",
    "response.audio.delta": "audio",
    "response.output_audio_transcript.delta": "transcript",
    "response.audio_transcript.delta": "transcript",
    "response.function_call_arguments.delta": "arguments",
}


class _Building:
    """One response being received."""

    __slots__ = ("audio", "calls", "text", "transcript")

    def __init__(self) -> None:
        self.text: list[str] = []
        self.audio = bytearray()
        self.transcript: list[str] = []
        self.calls: dict[str, dict[str, Any]] = {}  # item id -> the call as it arrives


class Responses:
    """The responses of one connection: those being received, and the last one finished."""

    def __init__(self) -> None:
        self._open: dict[str, _Building] = {}
        self.current: str | None = None  # the id of the response created last
        self.finished: dict[str, Any] | None = None  # the last response.done, assembled
        self.awaiting = False  # a response.create was sent and its response.created not yet seen

    def asked(self) -> None:
        """Note that a ``response.create`` was sent: ``final()`` waits for its response."""
        self.awaiting = True

    def final(self) -> dict[str, Any] | None:
        """The current response, assembled, once its ``response.done`` has arrived (else None)."""
        done = self.finished
        if done is None or self.awaiting or done["response"].get("id") != self.current:
            return None
        return done

    def feed(self, event: dict[str, Any]) -> None:
        """Take one server event into account (any event: those of no response are ignored)."""
        kind = event.get("type")
        if kind == "response.created":
            rid = (event.get("response") or {}).get("id") or ""
            self._open[rid] = _Building()
            self.current, self.awaiting = rid, False
            return
        part = _DELTAS.get(kind)  # type: ignore[arg-type]
        if part is not None:
            building = self._building(event.get("response_id"))
            delta = event.get("delta")
            if not isinstance(delta, str):
                return
            if part == "text":
                building.text.append(delta)
            elif part == "transcript":
                building.transcript.append(delta)
            elif part == "audio":
                building.audio += base64.b64decode(delta)
            else:
                call = building.calls.setdefault(event.get("item_id") or "", {"arguments": []})
                call["arguments"].append(delta)
                call.setdefault("call_id", event.get("call_id"))
            return
        if kind == "response.output_item.done":
            item = event.get("item") or {}
            if item.get("type") == "function_call":
                call = self._building(event.get("response_id")).calls.setdefault(item.get("id") or "", {})
                call.update(name=item.get("name"), call_id=item.get("call_id"), arguments=item.get("arguments"))
        elif kind == "response.function_call_arguments.done":
            call = self._building(event.get("response_id")).calls.setdefault(event.get("item_id") or "", {})
            call.setdefault("name", event.get("name"))
            call["call_id"] = event.get("call_id") or call.get("call_id")
            call["arguments"] = event.get("arguments")
        elif kind == "response.done":
            self._finish(event)

    def _building(self, rid: Any) -> _Building:
        building = self._open.get(rid) if isinstance(rid, str) else None
        if building is None:  # a delta before its response.created: start the response here
            rid = rid if isinstance(rid, str) else ""
            building = self._open[rid] = _Building()
            if self.current is None:
                self.current = rid
        return building

    def _finish(self, event: dict[str, Any]) -> None:
        response = event.get("response") or {}
        rid = response.get("id") or ""
        building = self._open.pop(rid, None) or _Building()
        calls = []
        for item in response.get("output") or ():
            if isinstance(item, dict) and item.get("type") == "function_call":
                calls.append({k: item.get(k) for k in ("name", "call_id", "arguments")})
        if not calls:  # a server that leaves the output out of response.done: the calls as streamed
            for call in building.calls.values():
                arguments = call.get("arguments")
                if isinstance(arguments, list):
                    arguments = "".join(arguments)
                calls.append({"name": call.get("name"), "call_id": call.get("call_id"), "arguments": arguments})
        if self.current is None:
            self.current = rid
        self.finished = {
            "text": "".join(building.text),
            "audio": bytes(building.audio),
            "transcript": "".join(building.transcript),
            "function_calls": calls,
            "usage": response.get("usage"),
            "response": response,
        }
