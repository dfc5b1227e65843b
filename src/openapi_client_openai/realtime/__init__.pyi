"""Types of the Realtime API over WebSocket (``client.realtime.connect(model=...)``).

Written by hand: the helpers (``conn.session.update(...)``...) are made at run time from the
spec's client-event schemas; these are the GA protocol's, and any other event the spec declares
is reached through ``__getattr__`` (typed ``Any``).
"""

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from typing_extensions import Self, TypedDict

from openapi_client_openai._errors import APIError
from openapi_client_openai._validation import Problem as _Problem

__all__ = [
    "FAMILIES",
    "AsyncRealtime",
    "AsyncRealtimeConnection",
    "EventCatalog",
    "Realtime",
    "RealtimeConnection",
    "RealtimeError",
    "catalog",
]

FAMILIES: tuple[str, ...]

class FunctionCall(TypedDict):
    """A function call of a response: the tool's ``name``, the ``call_id`` to answer with a
    ``function_call_output`` item, and the ``arguments`` (JSON text)."""

    name: str
    call_id: str
    arguments: str

class RealtimeResponse(TypedDict):
    """What ``response_final()`` returns: a response assembled from its events."""

    text: str
    audio: bytes
    transcript: str
    function_calls: list[FunctionCall]
    usage: dict[str, Any] | None
    response: dict[str, Any]

class RealtimeError(APIError):
    """An ``error`` event from the server, raised: its message, ``type``, ``code``, ``param`` and
    ``event_id`` (the client event it is about); ``body`` is the whole event."""

    type: str | None
    code: str | None
    param: str | None
    event_id: str | None

class EventCatalog:
    """The realtime event families of a spec and the checking of one event."""

    defs: dict[str, Any]
    families: dict[str, dict[str, dict[str, str]]]
    def __init__(self, defs: dict[str, Any], source: str = "the spec") -> None: ...
    def events(self, family: str, side: str) -> dict[str, str]: ...
    def schema(self, family: str, side: str, event_type: str) -> dict[str, Any]: ...
    def check(self, family: str, event: Any, side: str = "client") -> tuple[list[_Problem], list[_Problem]]: ...

def catalog(index: Any) -> EventCatalog: ...

# -- the helpers, blocking ------------------------------------------------------------------

class _SessionEvents:
    def update(self, *, session: Mapping[str, Any], event_id: str = ...) -> None:
        """Send ``session.update``: change the session's settings (answered by ``session.updated``)."""

class _ResponseEvents:
    def create(self, *, response: Mapping[str, Any] = ..., event_id: str = ...) -> None:
        """Send ``response.create``: ask the model for a response (its settings override the session's)."""
    def cancel(self, *, response_id: str = ..., event_id: str = ...) -> None:
        """Send ``response.cancel``: stop the response in progress."""

class _InputAudioBufferEvents:
    def append(self, audio: bytes | str, *, event_id: str = ...) -> None:
        """Send ``input_audio_buffer.append``: audio bytes (base64 done for you) or base64 text."""
    def commit(self, *, event_id: str = ...) -> None:
        """Send ``input_audio_buffer.commit``: the appended audio becomes a user item."""
    def clear(self, *, event_id: str = ...) -> None:
        """Send ``input_audio_buffer.clear``."""

class _OutputAudioBufferEvents:
    def clear(self, *, event_id: str = ...) -> None:
        """Send ``output_audio_buffer.clear`` (WebRTC and SIP sessions)."""

class _ConversationItemEvents:
    def create(self, *, item: Mapping[str, Any], previous_item_id: str = ..., event_id: str = ...) -> None:
        """Send ``conversation.item.create``: add a message, function call or its output."""
    def delete(self, *, item_id: str, event_id: str = ...) -> None:
        """Send ``conversation.item.delete``."""
    def retrieve(self, *, item_id: str, event_id: str = ...) -> None:
        """Send ``conversation.item.retrieve``."""
    def truncate(self, *, item_id: str, content_index: int, audio_end_ms: int, event_id: str = ...) -> None:
        """Send ``conversation.item.truncate``."""

class _ConversationEvents:
    item: _ConversationItemEvents

class RealtimeConnection:
    """One realtime session: ``with client.realtime.connect(model=...) as conn:``."""

    session: _SessionEvents
    response: _ResponseEvents
    input_audio_buffer: _InputAudioBufferEvents
    output_audio_buffer: _OutputAudioBufferEvents
    conversation: _ConversationEvents
    @property
    def family(self) -> str:
        """The protocol spoken: ``"ga"`` or ``"beta"``."""
    def open(self) -> Self:
        """Open the WebSocket (``with`` does it for you)."""
    def send(self, event: Mapping[str, Any]) -> None:
        """Check ``event`` against its client-event schema and send it."""
    def recv(self) -> dict[str, Any]:
        """Wait for the next server event."""
    def __iter__(self) -> Iterator[dict[str, Any]]: ...
    def response_final(self) -> RealtimeResponse:
        """Read on to the current response's ``response.done``; return it assembled."""
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...
    def __getattr__(self, name: str) -> Any: ...

# -- the helpers, asyncio -------------------------------------------------------------------

class _AsyncSessionEvents:
    async def update(self, *, session: Mapping[str, Any], event_id: str = ...) -> None: ...

class _AsyncResponseEvents:
    async def create(self, *, response: Mapping[str, Any] = ..., event_id: str = ...) -> None: ...
    async def cancel(self, *, response_id: str = ..., event_id: str = ...) -> None: ...

class _AsyncInputAudioBufferEvents:
    async def append(self, audio: bytes | str, *, event_id: str = ...) -> None: ...
    async def commit(self, *, event_id: str = ...) -> None: ...
    async def clear(self, *, event_id: str = ...) -> None: ...

class _AsyncOutputAudioBufferEvents:
    async def clear(self, *, event_id: str = ...) -> None: ...

class _AsyncConversationItemEvents:
    async def create(self, *, item: Mapping[str, Any], previous_item_id: str = ..., event_id: str = ...) -> None: ...
    async def delete(self, *, item_id: str, event_id: str = ...) -> None: ...
    async def retrieve(self, *, item_id: str, event_id: str = ...) -> None: ...
    async def truncate(self, *, item_id: str, content_index: int, audio_end_ms: int, event_id: str = ...) -> None: ...

class _AsyncConversationEvents:
    item: _AsyncConversationItemEvents

class AsyncRealtimeConnection:
    """One realtime session on the event loop: ``async with client.realtime.connect(...) as conn:``."""

    session: _AsyncSessionEvents
    response: _AsyncResponseEvents
    input_audio_buffer: _AsyncInputAudioBufferEvents
    output_audio_buffer: _AsyncOutputAudioBufferEvents
    conversation: _AsyncConversationEvents
    @property
    def family(self) -> str: ...
    async def open(self) -> Self: ...
    async def send(self, event: Mapping[str, Any]) -> None: ...
    async def recv(self) -> dict[str, Any]: ...
    def __aiter__(self) -> AsyncIterator[dict[str, Any]]: ...
    async def response_final(self) -> RealtimeResponse: ...
    async def close(self) -> None: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc: object) -> None: ...
    def __getattr__(self, name: str) -> Any: ...

class Realtime:
    """``client.realtime`` of the blocking client."""

    def connect(
        self,
        model: str | None = None,
        *,
        beta: bool = False,
        raise_errors: bool = True,
        idle_timeout: float | None = ...,
        keepalive: float | None = 20.0,
        client_secret: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        **query: Any,
    ) -> RealtimeConnection:
        """A realtime session over WebSocket, opened by ``with``."""

class AsyncRealtime:
    """``client.realtime`` of the asyncio client."""

    def connect(
        self,
        model: str | None = None,
        *,
        beta: bool = False,
        raise_errors: bool = True,
        idle_timeout: float | None = ...,
        keepalive: float | None = 20.0,
        client_secret: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        **query: Any,
    ) -> AsyncRealtimeConnection:
        """A realtime session over WebSocket, opened by ``async with``."""
