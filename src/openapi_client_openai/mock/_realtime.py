"""The mock's Realtime API: a WebSocket at ``/v1/realtime`` that plays the API's event sequences.

On connect: ``session.created``.  Client events are checked with the client's own event
validator (``realtime._events``): an invalid one is answered with an ``error`` event naming the
``param`` and the ``event_id``, as the API does.  Then ``session.update`` -> ``session.updated``;
conversation items are stored with ids and echoed (``conversation.item.added``/``done``, or
``created`` in beta); ``response.create`` plays the real sequence for the session's modalities
(text deltas; PCM16/G.711 audio deltas that decode, with transcript deltas; a function call when
tools are given and ``tool_choice`` asks for one), ending in ``response.done`` with usage that adds
up; ``response.cancel`` stops it mid-way; appended audio, committed, becomes an item (and a
transcription when one is configured).  Event names and shapes follow the family the client
speaks (GA, or beta with ``OpenAI-Beta: realtime=v1``), as the spec declares it.

Faults, by ``--fault`` rates or the ``x-mock-fault`` handshake header: ``429``/``500``/``503``
refuse the handshake with that status, ``reset`` closes with code 1011 right after
``session.created``, ``cut`` closes with 1011 mid-response, ``stall`` stops sending mid-response.
``--stream-delay-ms`` paces the deltas.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections import OrderedDict

from .._validation import Explainer
from ..realtime._events import catalog
from ._realtime_audio import FORMATS, tone

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["serve"]

# GA event name -> its name in a beta family that lacks it (the 2025-04 spec's beta protocol)
_BETA_NAMES = {
    "response.output_text.delta": "response.text.delta",
    "response.output_text.done": "response.text.done",
    "response.output_audio.delta": "response.audio.delta",
    "response.output_audio.done": "response.audio.done",
    "response.output_audio_transcript.delta": "response.audio_transcript.delta",
    "response.output_audio_transcript.done": "response.audio_transcript.done",
    "conversation.item.added": "conversation.item.created",
}
_GA_FORMATS = {"audio/pcm": "pcm16", "audio/pcmu": "g711_ulaw", "audio/pcma": "g711_alaw"}
_TOKENS = 30_000_000  # the token limit rate_limits.updated reports
_CHUNK_SECONDS = 0.1  # audio per delta, as the API sends it


class _Refused(Exception):
    """A client event the mock answers with an ``error`` event."""

    def __init__(self, message: str, param: str | None = None, code: str = "invalid_value") -> None:
        super().__init__(message)
        self.message, self.param, self.code = message, param, code


class RealtimeSession:
    """One connection's conversation: its session settings, items, audio buffer and response."""

    def __init__(self, app: Any, websocket: Any, family: str, model: str, fault: str | None) -> None:
        self.app = app
        self.ws = websocket
        self.family = family
        self.catalog = catalog(app.index)
        self.server_events = self.catalog.events(family, "server")
        self.ga = family == "ga"
        self.fault = fault
        self.faker = app.faker
        self.items: OrderedDict[str, dict] = OrderedDict()
        self.audio_in = bytearray()
        self.task: asyncio.Task | None = None
        self.lock = asyncio.Lock()
        self._allowed: dict[tuple, bool] = {}
        self.session = self._new_session(model)

    # -- sending ------------------------------------------------------------------------

    def _name(self, ga_name: str) -> str | None:
        """The event's name in this family, or None when the family has no such event."""
        if ga_name in self.server_events:
            return ga_name
        other = _BETA_NAMES.get(ga_name)
        return other if other in self.server_events else None

    def allows(self, ga_name: str, path: tuple[str, ...], value: Any) -> bool:
        """Whether the family's schema of an event takes ``value`` at ``path`` (``"[]"``: an array's
        items).  The older spec is stricter than the API in places (no ``in_progress`` status, no
        null ``previous_item_id``): the mock then sends the nearest value the spec allows."""
        key = (ga_name, path, json.dumps(value))
        found = self._allowed.get(key)
        if found is None:
            explainer = Explainer(self.catalog.defs, "")
            nodes = [self.catalog.schema(self.family, "server", self._name(ga_name) or ga_name)]
            for part in path:
                nodes = [
                    sub
                    for node in _forms(explainer, nodes)
                    for sub in ([node.get("items")] if part == "[]" else [explainer.properties(node).get(part)])
                    if sub is not None
                ]
            found = self._allowed[key] = not nodes or any(not explainer.check(n, value) for n in nodes)
        return found

    def first_allowed(self, ga_name: str, path: tuple[str, ...], *values: Any) -> Any:
        """The first of ``values`` the schema takes at ``path`` (else the first)."""
        return next((v for v in values if self.allows(ga_name, path, v)), values[0])

    async def emit(self, ga_name: str, **fields: Any) -> None:
        name = self._name(ga_name)
        if name is None:
            return
        event = {"event_id": self.faker.new_id("event"), "type": name, **fields}
        async with self.lock:
            await self.ws.send_text(json.dumps(event))

    async def error(self, message: str, param: str | None, code: str, event_id: str | None) -> None:
        error = {"type": "invalid_request_error", "code": code, "message": message, "param": param}
        error["event_id"] = event_id
        await self.emit("error", error=error)

    # -- session ------------------------------------------------------------------------

    def _new_session(self, model: str) -> dict:
        sid = self.faker.new_id("sess")
        turn = {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 200}
        if self.ga:
            fmt = {"type": "audio/pcm", "rate": 24000}
            return {
                "type": "realtime",
                "object": "realtime.session",
                "id": sid,
                "model": model,
                "output_modalities": ["audio"],
                "instructions": "You are a helpful assistant (the mock's).",
                "audio": {
                    "input": {"format": fmt, "turn_detection": {**turn, "create_response": True}},
                    "output": {"format": dict(fmt), "voice": "alloy", "speed": 1.0},
                },
                "tools": [],
                "tool_choice": "auto",
                "max_output_tokens": "inf",
                "expires_at": int(time.time()) + 3600,
            }
        return {
            "id": sid,
            "object": "realtime.session",
            "model": model,
            "modalities": ["text", "audio"],
            "instructions": "You are a helpful assistant (the mock's).",
            "voice": "alloy",
            "input_audio_format": "pcm16",
            "output_audio_format": "pcm16",
            "turn_detection": turn,
            "tools": [],
            "tool_choice": "auto",
            "temperature": 0.8,
            "max_response_output_tokens": "inf",
        }

    def _modalities(self, params: dict) -> list[str]:
        key = "output_modalities" if self.ga else "modalities"
        return list(params.get(key) or self.session.get(key) or ["text"])

    def _audio_format(self, params: dict) -> str:
        if self.ga:
            fmt = (((params.get("audio") or {}).get("output") or {}).get("format")) or (
                ((self.session.get("audio") or {}).get("output") or {}).get("format")
            )
            return _GA_FORMATS.get((fmt or {}).get("type"), "pcm16")
        fmt = params.get("output_audio_format") or self.session.get("output_audio_format") or "pcm16"
        return fmt if fmt in FORMATS else "pcm16"

    def _transcribes(self) -> bool:
        if self.ga:
            return bool(((self.session.get("audio") or {}).get("input") or {}).get("transcription"))
        return bool(self.session.get("input_audio_transcription"))

    # -- client events ------------------------------------------------------------------

    async def handle(self, text: str) -> None:
        try:
            event = json.loads(text)
        except ValueError:
            await self.error("The message is not valid JSON.", None, "invalid_json", None)
            return
        event_id = event.get("event_id") if isinstance(event, dict) else None
        problems, _ = self.catalog.check(self.family, event)
        if problems:
            first = problems[0]
            param = first.location if first.location not in ("event", "body") else None
            message = "Invalid client event: " + "; ".join(str(p) for p in problems)
            await self.error(message, param, "invalid_value", event_id)
            return
        kind = event["type"].replace(".", "_")
        try:
            await getattr(self, "on_" + kind, self.on_other)(event)
        except _Refused as exc:
            await self.error(exc.message, exc.param, exc.code, event_id)

    async def on_other(self, event: dict) -> None:
        raise _Refused(f"The mock does not play {event['type']!r} events.", "type", "unsupported_event")

    async def on_session_update(self, event: dict) -> None:
        changes = {k: v for k, v in (event.get("session") or {}).items() if k not in ("id", "object")}
        _merge(self.session, changes)
        await self.emit("session.updated", session=self.session)

    async def on_transcription_session_update(self, event: dict) -> None:
        raise _Refused("The mock plays conversation sessions only, not transcription sessions.", "type")

    async def on_conversation_item_create(self, event: dict) -> None:
        item = dict(event["item"])
        item.setdefault("id", self.faker.new_id("item"))
        item.setdefault("object", "realtime.item")
        if item.get("type") in ("message", "function_call", "function_call_output"):
            item.setdefault("status", "completed")
        previous = event.get("previous_item_id")
        if previous is not None and previous != "root" and previous not in self.items:
            raise _Refused(f"Item with id '{previous}' not found.", "previous_item_id", "item_not_found")
        await self._add_item(item, previous)

    async def _add_item(self, item: dict, previous: str | None = None) -> None:
        before = self._previous(previous if previous is not None else next(reversed(self.items), None))
        self.items[item["id"]] = item
        await self.emit("conversation.item.added", previous_item_id=before, item=item)
        if self._name("conversation.item.done") and self.ga:
            await self.emit("conversation.item.done", previous_item_id=before, item=item)

    def _previous(self, item_id: str | None) -> str | None:
        """The id before an item: None before the first, or ``root`` where the spec wants a string."""
        if item_id is None and not self.allows("conversation.item.added", ("previous_item_id",), None):
            return "root"
        return item_id

    def _item(self, event: dict) -> dict:
        item = self.items.get(event["item_id"])
        if item is None:
            raise _Refused(f"Item with id '{event['item_id']}' not found.", "item_id", "item_not_found")
        return item

    async def on_conversation_item_delete(self, event: dict) -> None:
        self._item(event)
        del self.items[event["item_id"]]
        await self.emit("conversation.item.deleted", item_id=event["item_id"])

    async def on_conversation_item_retrieve(self, event: dict) -> None:
        await self.emit("conversation.item.retrieved", item=self._item(event))

    async def on_conversation_item_truncate(self, event: dict) -> None:
        self._item(event)
        await self.emit(
            "conversation.item.truncated",
            item_id=event["item_id"],
            content_index=event.get("content_index", 0),
            audio_end_ms=event.get("audio_end_ms", 0),
        )

    async def on_input_audio_buffer_append(self, event: dict) -> None:
        try:
            self.audio_in += base64.b64decode(event["audio"], validate=True)
        except ValueError:
            raise _Refused("The audio is not valid base64.", "audio", "invalid_value") from None

    async def on_input_audio_buffer_clear(self, event: dict) -> None:
        self.audio_in.clear()
        await self.emit("input_audio_buffer.cleared")

    async def on_output_audio_buffer_clear(self, event: dict) -> None:
        await self.emit("output_audio_buffer.cleared", response_id=getattr(self.task, "response_id", None) or "")

    async def on_input_audio_buffer_commit(self, event: dict) -> None:
        if len(self.audio_in) < 2 * 24000 // 10:  # the API wants at least 100 ms
            raise _Refused(
                f"Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, "
                f"but buffer only has {len(self.audio_in) / 48:.2f}ms of audio.",
                None,
                "input_audio_buffer_commit_empty",
            )
        previous = self._previous(next(reversed(self.items), None))
        item_id = self.faker.new_id("item")
        self.audio_in.clear()
        await self.emit("input_audio_buffer.committed", previous_item_id=previous, item_id=item_id)
        content: dict[str, Any] = {"type": "input_audio"}  # its transcript comes with the transcription
        item = {"id": item_id, "object": "realtime.item", "type": "message", "status": "completed", "role": "user"}
        await self._add_item({**item, "content": [content]}, previous)
        if self._transcribes():
            words = "Hello from the mock's transcription."
            await self.emit(
                "conversation.item.input_audio_transcription.delta", item_id=item_id, content_index=0, delta=words
            )
            content["transcript"] = words
            await self.emit(
                "conversation.item.input_audio_transcription.completed",
                item_id=item_id,
                content_index=0,
                transcript=words,
                usage={"type": "duration", "seconds": 1},
            )

    async def on_response_create(self, event: dict) -> None:
        if self.task is not None and not self.task.done():
            raise _Refused(
                "Conversation already has an active response in progress: wait for response.done or send "
                "response.cancel.",
                None,
                "conversation_already_has_active_response",
            )
        params = event.get("response") or {}
        rid = self.faker.new_id("resp")
        self.task = asyncio.ensure_future(self._respond(rid, params))
        self.task.response_id = rid  # type: ignore[attr-defined]

    async def on_response_cancel(self, event: dict) -> None:
        task = self.task
        if task is None or task.done():
            raise _Refused("Cancellation failed: no active response found.", None, "response_cancel_not_active")
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

    # -- a response ---------------------------------------------------------------------

    def _reply_text(self) -> str:
        said = ""
        for item in reversed(self.items.values()):
            if item.get("role") == "user":
                for part in item.get("content") or ():
                    said = part.get("text") or part.get("transcript") or ""
                    if said:
                        break
                break
        quoted = f' You said: "{said[:60]}".' if said else ""
        return f"Hello! This is the mock's realtime answer.{quoted}"

    def _wants_call(self, params: dict) -> dict | None:
        tools = [t for t in (params.get("tools") or self.session.get("tools") or []) if t.get("type") == "function"]
        choice = params.get("tool_choice", self.session.get("tool_choice", "auto"))
        if not tools:
            return None
        if isinstance(choice, dict):
            name = choice.get("name") or (choice.get("function") or {}).get("name")
            return next((t for t in tools if t.get("name") == name), None)
        return tools[0] if choice == "required" else None

    async def _pace(self) -> None:
        if self.app.stream_delay:
            await asyncio.sleep(self.app.stream_delay)

    async def _respond(self, rid: str, params: dict) -> None:
        from starlette.websockets import WebSocketDisconnect

        try:
            await self._play(rid, params)
        except (WebSocketDisconnect, RuntimeError):
            pass  # the client left mid-response (its socket gone, or closed): nobody to tell

    async def _play(self, rid: str, params: dict) -> None:
        modalities = self._modalities(params)
        status = self.first_allowed("response.created", ("response", "status"), "in_progress", "incomplete")
        base = {"id": rid, "object": "realtime.response", "status": status, "output": []}
        if self.ga:
            base.update(output_modalities=modalities, conversation_id=self.faker.new_id("conv"))
        else:
            base.update(modalities=modalities)
        response = base
        state = {"output": [], "text": 0, "audio": 0.0}
        await self.emit("response.created", response=response)
        if self.app.first_delay:
            await asyncio.sleep(self.app.first_delay)
        try:
            tool = self._wants_call(params)
            if tool is not None:
                await self._call_item(rid, tool, state)
            else:
                await self._message_item(rid, modalities, params, state)
        except asyncio.CancelledError:
            await self._done(rid, response, state, "cancelled")
            raise
        await self._done(rid, response, state, "completed")

    def _in_progress(self) -> str:
        return self.first_allowed("response.output_item.added", ("item", "status"), "in_progress", "incomplete")

    def _content_kind(self, *kinds: str) -> str:
        return self.first_allowed("response.output_item.done", ("item", "content", "[]", "type"), *kinds)

    async def _open_item(self, rid: str, item: dict, state: dict) -> tuple[int, str | None]:
        """Start an output item: in the response's output and in the conversation; return its
        index in the output and the id of the item before it in the conversation."""
        index = len(state["output"])
        state["output"].append(item)
        await self.emit("response.output_item.added", response_id=rid, output_index=index, item=item)
        previous = self._previous(next(reversed(self.items), None))
        self.items[item["id"]] = item
        await self.emit("conversation.item.added", previous_item_id=previous, item=item)
        return index, previous

    async def _message_item(self, rid: str, modalities: list[str], params: dict, state: dict) -> None:
        audio = "audio" in modalities
        item_id = self.faker.new_id("item")
        item = {"id": item_id, "object": "realtime.item", "type": "message", "role": "assistant"}
        item.update(status=self._in_progress(), content=[])
        index, previous = await self._open_item(rid, item, state)
        text = self._reply_text()
        where = {"response_id": rid, "item_id": item_id, "output_index": index, "content_index": 0}
        if audio:
            fmt = self._audio_format(params)
            part_kind, content_kind = "audio", self._content_kind("output_audio", "audio", "text")
            await self.emit("response.content_part.added", **where, part={"type": part_kind, "transcript": ""})
            await self._play_audio(where, text, fmt, state)
            content = {"type": content_kind, "transcript": text}
            await self.emit("response.content_part.done", **where, part={"type": part_kind, "transcript": text})
        else:
            await self.emit("response.content_part.added", **where, part={"type": "text", "text": ""})
            await self._play_text(where, text, state)
            await self.emit("response.output_text.done", **where, text=text)
            content = {"type": self._content_kind("output_text", "text"), "text": text}
            await self.emit("response.content_part.done", **where, part={"type": "text", "text": text})
        item.update(status="completed", content=[content])
        await self.emit("response.output_item.done", response_id=rid, output_index=index, item=item)
        if self.ga:
            await self.emit("conversation.item.done", previous_item_id=previous, item=item)

    async def _play_text(self, where: dict, text: str, state: dict) -> None:
        words = text.split(" ")
        for i, word in enumerate(words):
            delta = word if i == len(words) - 1 else word + " "
            await self._delta("response.output_text.delta", where, delta)
            state["text"] += 1

    async def _delta(self, name: str, where: dict, delta: str) -> None:
        await self.emit(name, **where, delta=delta)
        if self.fault == "cut" and not getattr(self, "_cut", False):
            self._cut = True
            await self.ws.close(code=1011, reason="the mock cut the connection mid-response (fault 'cut')")
            raise asyncio.CancelledError
        if self.fault == "stall":
            await asyncio.Event().wait()  # never set: the server stops sending
        await self._pace()

    async def _play_audio(self, where: dict, text: str, fmt: str, state: dict) -> None:
        seconds = round(0.1 * max(1, len(text.split(" "))), 1)
        pcm = tone(fmt, seconds)
        step = int(FORMATS[fmt] * _CHUNK_SECONDS) * (2 if fmt == "pcm16" else 1)
        words = text.split(" ")
        chunks = [pcm[i : i + step] for i in range(0, len(pcm), step)]
        for i, chunk in enumerate(chunks):
            await self._delta("response.output_audio.delta", where, base64.b64encode(chunk).decode("ascii"))
            if i < len(words):
                delta = words[i] if i == len(words) - 1 else words[i] + " "
                await self.emit("response.output_audio_transcript.delta", **where, delta=delta)
            state["audio"] += _CHUNK_SECONDS
        await self.emit("response.output_audio.done", **where)
        await self.emit("response.output_audio_transcript.done", **where, transcript=text)

    async def _call_item(self, rid: str, tool: dict, state: dict) -> None:
        item_id, call_id = self.faker.new_id("item"), self.faker.new_id("call")
        item = {"id": item_id, "object": "realtime.item", "type": "function_call", "status": self._in_progress()}
        item.update(name=tool.get("name"), call_id=call_id, arguments="")
        index, previous = await self._open_item(rid, item, state)
        arguments = json.dumps(self.faker.value(tool.get("parameters") or {"type": "object"}))
        where = {"response_id": rid, "item_id": item_id, "output_index": index, "call_id": call_id}
        half = len(arguments) // 2
        for piece in (arguments[:half], arguments[half:]):
            await self._delta("response.function_call_arguments.delta", where, piece)
            state["text"] += 1
        done = {**where, "arguments": arguments}
        schema = self.catalog.schema(self.family, "server", "response.function_call_arguments.done")
        if "name" in (schema.get("properties") or {}):
            done["name"] = tool.get("name")
        await self.emit("response.function_call_arguments.done", **done)
        item.update(status="completed", arguments=arguments)
        await self.emit("response.output_item.done", response_id=rid, output_index=index, item=item)
        if self.ga:
            await self.emit("conversation.item.done", previous_item_id=previous, item=item)

    async def _done(self, rid: str, response: dict, state: dict, status: str) -> None:
        audio_tokens = int(state["audio"] * 10 * 2)  # the API counts ~20 audio tokens a second
        inputs = {"cached_tokens": 0, "text_tokens": 40, "audio_tokens": 0}
        outputs = {"text_tokens": state["text"], "audio_tokens": audio_tokens}
        usage = {
            "total_tokens": inputs["text_tokens"] + state["text"] + audio_tokens,
            "input_tokens": inputs["text_tokens"],
            "output_tokens": state["text"] + audio_tokens,
            "input_token_details": inputs,
            "output_token_details": outputs,
        }
        final = {**response, "status": status, "output": state["output"], "usage": usage}
        if status == "cancelled":
            final["status_details"] = {"type": "cancelled", "reason": "client_cancelled"}
        await self.emit("response.done", response=final)
        await self.emit(
            "rate_limits.updated",
            rate_limits=[
                {"name": "requests", "limit": 10000, "remaining": 9999, "reset_seconds": 0.006},
                {"name": "tokens", "limit": _TOKENS, "remaining": _TOKENS - usage["total_tokens"], "reset_seconds": 0},
            ],
        )


def _forms(explainer: Explainer, nodes: list) -> list[dict]:
    """The schemas ``nodes`` stand for, their ``anyOf``/``allOf`` alternatives spread out."""
    out, stack = [], list(nodes)
    while stack and len(out) < 256:
        node = explainer.resolve(stack.pop())
        parts = [*(node.get("anyOf") or ()), *(node.get("allOf") or ())]
        stack.extend(parts)
        if not parts or node.get("properties") or node.get("items"):
            out.append(node)
    return out


def _merge(into: dict, changes: dict) -> None:
    """Merge a ``session.update`` into the session: nested settings one field at a time."""
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict) and key not in ("format", "turn_detection"):
            _merge(into[key], value)
        else:
            into[key] = value


async def serve(app: Any, scope: dict, receive: Any, send: Any) -> None:
    """Answer one WebSocket connection (an ASGI ``websocket`` scope) as the Realtime API."""
    from starlette.websockets import WebSocket, WebSocketDisconnect

    websocket = WebSocket(scope, receive, send)
    refusal = _refusal(app, websocket)
    if refusal is not None:
        await _deny(websocket, *refusal)
        return
    headers = websocket.headers
    fault = headers.get("x-mock-fault") or _drawn_fault(app)
    if fault in ("429", "500", "503"):
        await _deny(websocket, int(fault), f"A fault the mock was asked for (HTTP {fault}).", "x-mock-fault")
        return
    family = "beta" if "realtime=v1" in headers.get("openai-beta", "") else "ga"
    model = websocket.query_params.get("model") or "gpt-realtime"
    await websocket.accept()
    session = RealtimeSession(app, websocket, family, model, fault)
    await session.emit("session.created", session=session.session)
    if fault == "reset":
        await websocket.close(code=1011, reason="the mock reset the connection (fault 'reset')")
        return
    try:
        while True:
            text = await websocket.receive_text()
            await session.handle(text)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        if session.task is not None and not session.task.done():
            session.task.cancel()


def _refusal(app: Any, websocket: Any) -> tuple[int, str, str | None] | None:
    """Why the handshake is refused (status, message, param), or None."""
    from .._errors import SpecError

    if websocket.url.path.rstrip("/") != "/v1/realtime":
        return 404, f"Invalid URL (WebSocket {websocket.url.path}): the mock serves realtime at /v1/realtime", None
    auth = websocket.headers.get("authorization", "")
    if not auth.startswith("Bearer ") or not auth[7:].strip():
        return 401, "You didn't provide an API key (Authorization: Bearer YOUR_KEY).", None
    from ._app import FAULTS

    asked = websocket.headers.get("x-mock-fault")
    if asked and asked not in FAULTS:
        return 400, f"x-mock-fault must be one of {', '.join(FAULTS)}", "x-mock-fault"
    family = "beta" if "realtime=v1" in websocket.headers.get("openai-beta", "") else "ga"
    try:
        catalog(app.index).require(family)
    except SpecError as exc:
        return 400, str(exc), "OpenAI-Beta"
    return None


def _drawn_fault(app: Any) -> str | None:
    for kind, rate in app.faults.items():
        if app.fault_rng.random() < rate:
            return kind
    return None


async def _deny(websocket: Any, status: int, message: str, param: str | None) -> None:
    """Refuse the handshake with an HTTP answer in OpenAI's error shape (close, if the server
    cannot send one)."""
    from starlette.responses import JSONResponse

    kind = "invalid_request_error" if status < 500 else "server_error"
    body = {"error": {"message": message, "type": kind, "param": param, "code": None}}
    try:
        await websocket.send_denial_response(JSONResponse(body, status))
    except RuntimeError:
        await websocket.close(code=1008, reason=message[:120])
