"""Server-sent events: a pure, byte-level decoder following the WHATWG event-stream rules.

``SSEDecoder.feed(chunk)`` takes bytes as they arrive, however they are split, and returns
the events completed so far.  Lines end at CR, LF or CRLF (a CR at the end of one chunk and
an LF at the start of the next are one line end); ``data:`` lines join with ``\\n``; comments
are ignored; a block with only ``id:`` or ``retry:`` dispatches nothing; text is decoded as
UTF-8 only once an event is whole, so a character split across chunks survives.  Work is
linear in the input however it arrives, and one event larger than ``max_event_size`` raises
``SSEError`` instead of growing without bound.
"""

from __future__ import annotations

__all__ = ["DEFAULT_MAX_EVENT_SIZE", "SSEDecoder", "SSEError", "ServerSentEvent"]

DEFAULT_MAX_EVENT_SIZE = 16 * 1024 * 1024


class SSEError(ValueError):
    """The event stream broke a limit (an event larger than the cap)."""


class ServerSentEvent:
    """One event: ``event`` (``"message"`` when the stream names none), ``data``, ``id``, ``retry``.

    ``raw`` holds the data as bytes, so JSON can be parsed without decoding it first.
    """

    __slots__ = ("event", "id", "raw", "retry")

    def __init__(self, event: str = "message", raw: bytes = b"", id: str | None = None, retry: int | None = None):
        self.event = event
        self.raw = raw
        self.id = id
        self.retry = retry

    @property
    def data(self) -> str:
        """The event's data as text."""
        return self.raw.decode("utf-8", "replace")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ServerSentEvent):
            return NotImplemented
        return (self.event, self.raw, self.id, self.retry) == (other.event, other.raw, other.id, other.retry)

    def __repr__(self) -> str:
        return f"ServerSentEvent(event={self.event!r}, data={self.data!r}, id={self.id!r}, retry={self.retry!r})"


class SSEDecoder:
    """Incremental decoder: bytes in, ``ServerSentEvent`` objects out.  No I/O."""

    __slots__ = (
        "_cr",
        "_data",
        "_event",
        "_partial",
        "_partial_size",
        "_retry",
        "_size",
        "_started",
        "last_id",
        "max_event_size",
    )

    def __init__(self, max_event_size: int = DEFAULT_MAX_EVENT_SIZE) -> None:
        self.max_event_size = max_event_size
        self._partial: list[bytes] = []  # pieces of a line not yet ended (a list: no quadratic joins)
        self._partial_size = 0
        self._cr = False  # the last chunk ended in CR: a leading LF in the next one belongs to it
        self._data: list[bytes] = []
        self._size = 0
        self._event: bytes | None = None
        self._retry: int | None = None
        self._started = False
        self.last_id: str | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode a chunk of the stream; return the events it completes (often none or one)."""
        if not chunk:
            return []  # and keep a pending CR for the next chunk's LF
        if not self._started:
            # A byte-order mark may open the stream, possibly split across chunks.
            head = b"".join(self._partial) + chunk
            if len(head) < 3 and b"\xef\xbb\xbf".startswith(head):
                self._partial = [head]
                return []
            self._partial = []
            self._started = True
            chunk = head[3:] if head[:3] == b"\xef\xbb\xbf" else head
        if self._cr:
            self._cr = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if b"\r" in chunk:
            self._cr = chunk[-1:] == b"\r"
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = chunk.split(b"\n")
        tail = lines.pop()  # after the last line end: the start of a line not yet ended
        if lines and self._partial:
            lines[0] = b"".join(self._partial) + lines[0]
            self._partial = []
            self._partial_size = 0
        events: list[ServerSentEvent] = []
        for line in lines:
            if line[:6] == b"data: ":
                self._add_data(line[6:])
            elif line:
                self._field(line)
            elif self._data:
                events.append(self._dispatch())
            else:
                self._event = None  # an empty block: nothing to dispatch (id/retry alone)
                self._retry = None
        if tail:
            self._partial.append(tail)
            self._partial_size += len(tail)
            if self._partial_size + self._size > self.max_event_size:
                raise SSEError(f"an event is larger than the {self.max_event_size}-byte cap")
        return events

    def _add_data(self, value: bytes) -> None:
        self._data.append(value)
        self._size += len(value) + 1
        if self._size > self.max_event_size:
            raise SSEError(f"an event is larger than the {self.max_event_size}-byte cap")

    def _field(self, line: bytes) -> None:
        if line[:1] == b":":
            return  # a comment, e.g. a keep-alive
        name, colon, value = line.partition(b":")
        if colon and value[:1] == b" ":
            value = value[1:]
        if name == b"data":
            self._add_data(value)
        elif name == b"event":
            self._event = value
        elif name == b"id":
            if b"\x00" not in value:
                self.last_id = value.decode("utf-8", "replace")
        elif name == b"retry" and value.isdigit():
            self._retry = int(value)
        # other field names are ignored, as the standard says

    def _dispatch(self) -> ServerSentEvent:
        data = self._data
        raw = data[0] if len(data) == 1 else b"\n".join(data)
        event = self._event.decode("utf-8", "replace") if self._event else "message"
        sse = ServerSentEvent(event, raw, self.last_id, self._retry)
        self._data = []
        self._size = 0
        self._event = None
        self._retry = None
        return sse

    @property
    def pending(self) -> bool:
        """Whether part of an event has arrived that no blank line has ended yet."""
        return bool(self._data or self._partial)
