"""Streams, typed: ``Stream[E, F]`` and ``AsyncStream[E, F]``, whose items are ``E`` (the
operation's event type from the spec) and whose ``final()`` is ``F`` (the finished object).

Written by hand (the run-time classes support ``Stream[E, F]`` without being
``typing.Generic``); the generated ``_client.pyi`` gives each streaming operation's types.  A
TypedDict item cannot carry the SSE event name as an attribute: ``named()`` yields
``(name, event)`` pairs, and ``sse()`` the raw events.
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any, Generic, TypeVar

from typing_extensions import Self

from openapi_client_openai._errors import Secret
from openapi_client_openai._response import ResponseHead
from openapi_client_openai._sse import ServerSentEvent

__all__ = ["AsyncStream", "EventData", "Stream"]

_E_co = TypeVar("_E_co", covariant=True)
_F_co = TypeVar("_F_co", covariant=True)

class EventData(dict[str, Any]):
    """One event's parsed JSON data: a plain ``dict`` plus ``event``, the SSE event name."""

    event: str

class _BaseStream(Generic[_E_co, _F_co]):
    operation_id: str
    response: ResponseHead
    """The answer's status, headers and request id."""
    def __init__(
        self,
        operation_id: str,
        response: Any,
        source: Any,
        max_event_size: int | None = None,
        idle_timeout: float | None = None,
        secret: Secret | None = None,
    ) -> None: ...
    @property
    def finished(self) -> bool:
        """Whether the stream reached its end marker."""
        ...

class Stream(_BaseStream[_E_co, _F_co]):
    """A streaming answer on ``OpenAIClient``: ``for event in stream``, ``stream.final()``."""

    def __iter__(self) -> Iterator[_E_co]: ...
    def iter_text(self) -> Iterator[str]:
        """Yield the text deltas as they arrive (the pieces ``text()`` joins)."""
        ...
    def text(self) -> str:
        """The concatenated text deltas (reads the rest of the stream first)."""
        ...
    def final(self) -> _F_co:
        """The finished object assembled from the deltas (reads the rest of the stream first)."""
        ...
    def sse(self) -> Iterator[ServerSentEvent]:
        """Yield the raw events (``event``, ``data``, ``id``, ``retry``), ``[DONE]`` included."""
        ...
    def named(self) -> Iterator[tuple[str, _E_co]]:
        """Yield ``(name, event)``: each event's SSE name with its parsed data."""
        ...
    def partial(self) -> Iterator[Any]:
        """Yield the structured answer's JSON as far as it has arrived (plain values, growing)."""
        ...
    def close(self) -> None:
        """Release the connection: back to the pool if the stream ended, else closed."""
        ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...

class AsyncStream(_BaseStream[_E_co, _F_co]):
    """A streaming answer on ``AsyncOpenAIClient``: ``async for event in stream``."""

    def __aiter__(self) -> AsyncIterator[_E_co]: ...
    def iter_text(self) -> AsyncIterator[str]:
        """Yield the text deltas as they arrive (the pieces ``text()`` joins)."""
        ...
    async def text(self) -> str:
        """The concatenated text deltas (awaitable; reads the rest of the stream first)."""
        ...
    async def final(self) -> _F_co:
        """The finished object assembled from the deltas (awaitable; reads the rest first)."""
        ...
    def sse(self) -> AsyncIterator[ServerSentEvent]:
        """Yield the raw events (``event``, ``data``, ``id``, ``retry``), ``[DONE]`` included."""
        ...
    def named(self) -> AsyncIterator[tuple[str, _E_co]]:
        """Yield ``(name, event)``: each event's SSE name with its parsed data."""
        ...
    def partial(self) -> AsyncIterator[Any]:
        """Yield the structured answer's JSON as far as it has arrived (plain values, growing)."""
        ...
    async def aclose(self) -> None:
        """Release the connection: back to the pool if the stream ended, else closed."""
        ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc: object) -> None: ...
