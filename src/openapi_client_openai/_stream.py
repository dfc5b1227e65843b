"""Streams: ``Stream`` and ``AsyncStream`` turn an event-stream body into parsed events.

Each item is the event's JSON data as a ``dict`` (an ``EventData``, whose ``event``
attribute is the SSE event name).  The stream ends at ``[DONE]`` or its family's terminal
event and then drains the rest of the body so the connection goes back to the pool; a body
that ends before that, a stall, an ``event: error`` or an ``{"error": ...}`` payload raise
this package's errors.  ``text()`` and ``final()`` assemble the result from the deltas.

``_StreamCore`` holds everything that does no I/O; the two stream classes only drive it.
"""

from __future__ import annotations

import time

from ._accumulate import TERMINAL_EVENTS, Accumulator, accumulator_for
from ._errors import APIConnectionError, APIError, Secret, StateError, error_details, status_error_class
from ._sse import DEFAULT_MAX_EVENT_SIZE, ServerSentEvent, SSEDecoder, SSEError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from typing import Any

__all__ = ["AsyncStream", "EventData", "Stream"]

try:  # orjson parses event data straight from bytes, ~2-3x faster than json (benchmarks/streaming.py)
    from orjson import JSONDecodeError as _JSONError
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is a dependency; this keeps odd platforms working
    from json import JSONDecodeError as _JSONError
    from json import loads as _loads


class EventData(dict):
    """One event's parsed JSON data: a plain ``dict`` plus ``event``, the SSE event name."""

    __slots__ = ("event",)

    def __repr__(self) -> str:
        return f"EventData(event={self.event!r}, {dict.__repr__(self)})"


def _stream_error(data: Any, event: str, request_id: str | None, secret: Secret) -> APIError:
    """The error an error event reports; the secret is masked before anything is shortened,
    so that no part of it survives a cut."""
    data = secret.redact(data)
    message, obj = error_details(data)
    if not message:
        message = str(data)[:500]
    where = f" (request id {request_id})" if request_id else ""
    status = None
    for key in ("status_code", "status", "http_status"):
        if isinstance(obj.get(key), int) and obj[key] >= 400:
            status = obj[key]
    text = f"the stream reported an error ({event}): {message}{where}"
    if status is not None:
        exc: APIError = status_error_class(status)(text, status_code=status, request_id=request_id, body=data)
    else:
        exc = APIError(text, body=data)
    exc.message = str(message)
    return exc


class _StreamCore:
    """The I/O-free half of a stream: decoding, parsing, errors, end detection, accumulation."""

    __slots__ = (
        "acc",
        "decoder",
        "description",
        "finished",
        "idle",
        "raw_mode",
        "request_id",
        "secret",
        "seen",
        "source",
        "started",
    )

    def __init__(
        self, request_id: str | None, max_event_size: int, idle: float | None, description: str, secret: Secret
    ) -> None:
        self.secret = secret  # what an error echoed by the server must never show
        self.decoder = SSEDecoder(max_event_size)
        self.acc: Accumulator | None = None
        self.finished = False
        self.request_id = request_id
        self.idle = idle
        self.raw_mode = False
        self.description = description
        self.seen = False  # any event at all
        self.started = False
        self.source: Any = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        try:
            return self.decoder.feed(chunk)
        except SSEError as exc:
            raise APIError(f"{exc}: {self.description}") from None

    def parse(self, sse: ServerSentEvent) -> Any:
        """Return the item for an event, or None for ``[DONE]``; note the end; raise on errors."""
        raw = sse.raw
        self.seen = True
        if raw == b"[DONE]":
            self.finished = True
            return None
        try:
            data = _loads(raw)
        except _JSONError:
            if sse.event == "error":
                raise _stream_error({"message": sse.data}, "error", self.request_id, self.secret) from None
            text = f"the stream sent data that is not JSON: {self.secret.redact(sse.data)[:200]!r}: {self.description}"
            raise self.secret.scrub(APIError(text)) from None
        event = sse.event
        if event == "error" or (type(data) is dict and data.get("error") is not None and "object" not in data):
            raise _stream_error(data, event, self.request_id, self.secret)
        if type(data) is not dict:
            return data
        item = EventData(data)
        item.event = event
        acc = self.acc
        if acc is None:
            acc = self.acc = accumulator_for(event, data)
        acc.add(event, item)
        kind = data.get("type")
        if event in TERMINAL_EVENTS or kind in TERMINAL_EVENTS:
            self.finished = True
        if kind == "error":
            raise _stream_error(data, event, self.request_id, self.secret)
        return item

    def take(self, chunk: bytes, raw: bool) -> Iterator[Any]:
        """Yield what a chunk of the body holds: items, or raw events with ``raw``; stop at the end."""
        for sse in self.feed(chunk):
            if raw:
                error = self.note_raw(sse)
                yield sse
                if error is not None:
                    raise error
            else:
                item = self.parse(sse)
                if item is not None:
                    yield item
            if self.finished:
                return
            self.touch()  # an event, not a keep-alive comment: the idle clock starts again

    def begin(self, source: Any) -> None:
        """Mark the stream as being read (once only) and start the idle clock."""
        if self.started:
            raise StateError("this stream has been read already; a stream can be read once")
        self.started = True
        self.source = source
        self.touch()

    def touch(self) -> None:
        """Give the source until ``idle`` seconds from now for the next event."""
        if self.idle is not None:
            self.source.deadline = time.monotonic() + self.idle

    def note_raw(self, sse: ServerSentEvent) -> APIError | None:
        """For ``sse()``: see the end marker, the family (from the first event's data), and
        an error the event carries (returned, to be raised once the raw event has been seen)."""
        self.seen = True
        raw = sse.raw
        data: Any = None
        if raw[:1] == b"{" and (self.acc is None or b'"type"' in raw or b'"error"' in raw):
            try:
                data = _loads(raw)
            except _JSONError:
                data = None
        if raw == b"[DONE]" or sse.event in TERMINAL_EVENTS:
            self.finished = True
        elif self.acc is None:
            self.acc = accumulator_for(sse.event, data)
        kind = data.get("type") if type(data) is dict else None
        if kind in TERMINAL_EVENTS:
            self.finished = True
        failed = type(data) is dict and data.get("error") is not None and "object" not in data
        if sse.event == "error" or kind == "error" or failed:
            body = data if data is not None else {"message": sse.data}
            return _stream_error(body, sse.event, self.request_id, self.secret)
        return None

    def check_end(self) -> None:
        """At the end of the body: raise unless the stream reached its end."""
        if self.finished:
            return
        if self.decoder.pending:
            raise APIConnectionError(f"the stream was cut in the middle of an event: {self.description}")
        if not self.seen:
            raise APIConnectionError(f"the stream ended without any event: {self.description}")
        acc = self.acc
        if acc is not None and acc.needs_end_marker:
            raise APIConnectionError(
                f"the stream ended before its final event ([DONE] or the {acc.family} stream's end): {self.description}"
            )
        self.finished = True  # a stream of unknown family that ended with its body


def _run(core: _StreamCore, source: Any, raw: bool) -> Iterator[Any]:
    """Drive a stream over an ``Exchange``: parsed items (or raw events), then drain; release
    or close at the end.

    A module-level generator on purpose: it holds the core and the exchange but not the stream
    object, so dropping an unfinished stream closes its connection at once (no reference cycle
    left for the garbage collector to finalise in an arbitrary order).
    """
    try:
        core.begin(source)
        for chunk in source.iter_body():
            yield from core.take(chunk, raw)
            if core.finished:
                break
        else:
            core.check_end()
        source.drain()
    finally:
        if core.finished:
            source.release()  # e.g. left by `break` right after the final event
        else:
            source.close()


async def _arun(core: _StreamCore, source: Any, raw: bool) -> AsyncIterator[Any]:
    """``_run`` over an ``AsyncExchange``."""
    try:
        core.begin(source)
        async for chunk in source.aiter_body():
            for item in core.take(chunk, raw):
                yield item
            if core.finished:
                break
        else:
            core.check_end()
        await source.adrain()
    finally:
        await (source.arelease() if core.finished else source.aclose())


class _BaseStream:
    def __init__(
        self,
        operation_id: str,
        response: Any,
        source: Any,
        max_event_size: int | None = None,
        idle_timeout: float | None = None,
        secret: Secret | None = None,
    ) -> None:
        self.operation_id = operation_id
        self.response = response
        self._source = source
        self._core = _StreamCore(
            response.request_id,
            max_event_size or DEFAULT_MAX_EVENT_SIZE,
            idle_timeout,
            f"{operation_id} {response.url}",
            secret or Secret(None),
        )
        self._iterator: Any = None
        self._parser: Any = None  # set by a structured call: final() then parses (see _parse)

    @property
    def finished(self) -> bool:
        """Whether the stream reached its end marker."""
        return self._core.finished

    def __del__(self) -> None:
        # A stream dropped before anyone read it still holds its connection; once iterated,
        # the driver's own ``finally`` gives it back.
        if self._iterator is None and not self._core.started:
            self._source.abandon()

    _drive: Any  # _run or _arun: the one thing the two stream classes do differently

    @classmethod
    def __class_getitem__(cls, item: Any) -> Any:
        """``Stream[Event, Final]`` in annotations at run time; the stubs give the generic types."""
        import types

        return types.GenericAlias(cls, item)

    def _items(self) -> Any:
        # One iterator per stream: a second loop, or text()/final(), carries on where it stopped.
        if self._iterator is None:
            self._iterator = type(self)._drive(self._core, self._source, False)
        return self._iterator

    def sse(self) -> Any:
        """Yield the raw events (``event``, ``data``, ``id``, ``retry``), ``[DONE]`` included.

        An error event is yielded as it came, then raised as an ``APIError``.
        """
        self._core.raw_mode = True
        return type(self)._drive(self._core, self._source, True)

    def _new_text(self, seen: int) -> list[str]:
        acc = self._core.acc
        return acc.pieces[seen:] if acc is not None else []

    def _result(self) -> Accumulator:
        if not self._core.finished:
            raise StateError("the stream was closed before its end: text() and final() need all of it")
        return self._core.acc or Accumulator()

    def _final(self, acc: Accumulator) -> Any:
        final = acc.final()
        if self._parser is not None:
            self._parser.apply(final, final)
        return final

    def _partial(self, seen: int, text: list[str], last: Any) -> tuple[int, Any]:
        """Read the text that arrived since ``seen`` pieces into ``text``; return the new count and
        the JSON so far if it changed from ``last`` (else ``last`` itself)."""
        pieces = self._new_text(seen)
        if not pieces:
            return seen, last
        from ._parse import partial_json

        text.append("".join(pieces))
        return seen + len(pieces), partial_json("".join(text))

    def _result_needs_events(self) -> None:
        if self._core.raw_mode:
            raise StateError("text() and final() need the parsed events; they are not kept when reading sse()")

    def __repr__(self) -> str:
        state = "finished" if self._core.finished else "open"
        return f"<{type(self).__name__} {self.operation_id} {self.response.status_code} {state}>"


class Stream(_BaseStream):
    """A streaming answer on ``OpenAIClient``: iterate it for events (``dict``), or ask for the result.

    ``for event in stream`` yields each event's data; ``stream.iter_text()`` the text deltas as
    they arrive and ``stream.text()`` all of them joined; ``stream.final()`` the finished
    object; ``stream.sse()`` the raw events; ``stream.response`` the status, headers and
    request id.  Use ``with`` so the connection is released even on ``break`` or error.
    """

    _drive = staticmethod(_run)
    __iter__ = _BaseStream._items

    def named(self) -> Iterator[tuple[str, Any]]:
        """Yield ``(event name, data)`` pairs: the SSE name beside each event's data, typed."""
        for item in self:
            yield getattr(item, "event", "message"), item

    def iter_text(self) -> Iterator[str]:
        """Yield the text deltas as they arrive (the pieces ``text()`` joins)."""
        seen = 0
        for _ in self:
            pieces = self._new_text(seen)
            seen += len(pieces)
            yield from pieces

    def _consume(self) -> Accumulator:
        self._result_needs_events()
        for _ in self:  # the rest of the stream, from wherever iteration stopped
            pass
        return self._result()

    def text(self) -> str:
        """The concatenated text deltas (reads the rest of the stream first)."""
        return self._consume().text()

    def final(self) -> Any:
        """The finished object assembled from the deltas (reads the rest of the stream first).

        For a structured call it is parsed: ``choices[i].message.parsed`` or ``output_parsed``.
        """
        return self._final(self._consume())

    def partial(self) -> Iterator[Any]:
        """Yield the answer's JSON as far as it has arrived, each time more arrives.

        For structured outputs (chat content, Responses output text): plain JSON values (dicts)
        read with pydantic's partial JSON parser, an unfinished string kept as far as it goes;
        the whole, checked object is ``final()``'s.
        """
        seen, text, last = 0, [], None
        for _ in self:
            seen, now = self._partial(seen, text, last)
            if now is not last and now is not None and now != last:
                last = now
                yield now

    def close(self) -> None:
        """Release the connection: back to the pool if the stream ended, else closed."""
        if self._core.finished:
            self._source.drain()
        else:
            self._source.close()

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncStream(_BaseStream):
    """A streaming answer on ``AsyncOpenAIClient``: ``async for event in stream``, as ``Stream``.

    ``await stream.text()``, ``await stream.final()``, ``stream.sse()`` (async), ``stream.response``;
    use ``async with`` so the connection is released even on ``break`` or error.
    """

    _drive = staticmethod(_arun)
    __aiter__ = _BaseStream._items

    async def named(self) -> AsyncIterator[tuple[str, Any]]:
        """Yield ``(event name, data)`` pairs: the SSE name beside each event's data, typed."""
        async for item in self:
            yield getattr(item, "event", "message"), item

    async def iter_text(self) -> AsyncIterator[str]:
        """Yield the text deltas as they arrive (the pieces ``text()`` joins)."""
        seen = 0
        async for _ in self:
            for piece in self._new_text(seen):
                seen += 1
                yield piece

    async def _consume(self) -> Accumulator:
        self._result_needs_events()
        async for _ in self:
            pass
        return self._result()

    async def text(self) -> str:
        """The concatenated text deltas (reads the rest of the stream first)."""
        return (await self._consume()).text()

    async def final(self) -> Any:
        """The finished object assembled from the deltas (reads the rest of the stream first);
        parsed for a structured call, as ``Stream.final()``."""
        return self._final(await self._consume())

    async def partial(self) -> AsyncIterator[Any]:
        """Yield the answer's JSON as far as it has arrived, as ``Stream.partial()``."""
        seen, text, last = 0, [], None
        async for _ in self:
            seen, now = self._partial(seen, text, last)
            if now is not last and now is not None and now != last:
                last = now
                yield now

    async def aclose(self) -> None:
        """Release the connection: back to the pool if the stream ended, else closed."""
        if self._core.finished:
            await self._source.adrain()
        else:
            await self._source.aclose()

    async def __aenter__(self) -> AsyncStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
