"""The transport contract, the one place where an HTTP stack meets the client.

    Transport.send(request, timeout) -> Exchange              blocking
    AsyncTransport.send(request, timeout) -> AsyncExchange    asyncio

``request`` is a ``PreparedRequest`` (every header and value already checked) and ``timeout`` a
``Timeout``.  An exchange is one answer on its connection: ``status_code``, ``reason``,
``headers`` (case-insensitive), ``url``, and its body: piece by piece as it arrives
(``iter_body``), whole (``read``), or given up (``drain`` reads what is left within a bound and
gives the connection back; ``close`` drops it).  ``deadline`` (a ``time.monotonic()`` value),
when set, bounds the wait for the next piece: streams use it for their idle timeout.

What every transport guarantees, so that the client and the streams never ask which one ran:
- only this package's ``APIConnectionError`` (refused, reset, cut short), ``APITimeoutError``
  and ``APIError`` (an answer that cannot be decoded) leave it, with the stack's own exception
  as ``__cause__``; an exception it does not know passes through unchanged;
- a pooled connection that the server closed before any byte of the answer came back is tried
  again once on a fresh connection, whatever ``max_retries`` says, when that cannot send the
  request twice (``stale_retry``: the rule is shared by both stacks);
- the body is decoded (gzip, deflate) and its framing checked: a body cut short raises.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from .._errors import APIError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from .._config import Timeout
    from .._request import PreparedRequest

__all__ = [
    "DRAIN_BYTES",
    "DRAIN_SECONDS",
    "IDEMPOTENT",
    "MAX_INTERIM_HEADS",
    "STALE_WINDOW",
    "AsyncExchange",
    "AsyncTransport",
    "Exchange",
    "ExchangeBase",
    "Headers",
    "Transport",
    "head_wait",
    "stale_retry",
]

DRAIN_BYTES = 64 * 1024
DRAIN_SECONDS = 1.0
MAX_INTERIM_HEADS = 16  # 1xx heads before the answer: a server sending them forever is broken
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "PUT", "TRACE"})
# A server closing an idle connection does so before our request arrives; its close reaches us
# within a round trip of the write.  A close that comes later may follow work done on the request.
STALE_WINDOW = 0.25


def stale_retry(method: str, reused: bool, answered: bool, written_at: float | None, reset: bool) -> bool:
    """Whether a failed try may be sent again at once on a fresh connection.

    Only a pooled (``reused``) connection that gave no byte of an answer qualifies, and only when
    the server cannot have acted on the request: it was not all written yet (``written_at`` is
    None), the server reset the connection (it never read it), the method is idempotent, or the
    close came within ``STALE_WINDOW`` of the write (the idle-close race).  Anything else is an
    ordinary connection error, retried only as ``max_retries`` allows.
    """
    if not reused or answered:
        return False
    if written_at is None or reset or method in IDEMPOTENT:
        return True
    return time.monotonic() - written_at < STALE_WINDOW


def head_wait(deadline: float | None) -> float | None:
    """Seconds left to wait for an answer's head, or raise ``TimeoutError`` once none are left."""
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the answer's head did not arrive in time")
    return left


class Headers(Mapping):
    """An answer's headers: a read-only, case-insensitive mapping.

    ``headers["X-Request-Id"]`` and ``headers.get("x-request-id")`` are the same; a header sent
    more than once reads as its values joined by ``", "`` (``get_list`` gives them apart).
    ``multi_items()`` lists ``(name, value)`` as the server sent them.
    """

    __slots__ = ("_items", "_map")

    def __init__(self, items: Any = ()) -> None:
        if isinstance(items, Mapping):
            items = list(items.items())
        self._items: list[tuple[str, str]] = list(items)
        joined: dict[str, str] = {}
        for name, value in self._items:
            key = name.lower()
            joined[key] = f"{joined[key]}, {value}" if key in joined else value
        self._map = joined

    def __getitem__(self, name: str) -> str:
        return self._map[name.lower()]

    def get(self, name: str, default: Any = None) -> Any:
        """The header's value, or ``default`` when the answer has none."""
        return self._map.get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._map

    def __iter__(self) -> Iterator[str]:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)

    def get_list(self, name: str) -> list[str]:
        """Every value of a header sent more than once, in order."""
        key = name.lower()
        return [v for n, v in self._items if n.lower() == key]

    def multi_items(self) -> list[tuple[str, str]]:
        """``(name, value)`` pairs as the server sent them, repeats included."""
        return list(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._map!r})"


class _Budget:
    """How much a drain may still read; as a context manager it ends a drain that ran out of
    time or broke (an ``APIError``) quietly: the connection is then closed, not reused."""

    __slots__ = ("active", "left")

    def __init__(self, max_bytes: int, active: bool) -> None:
        self.left = max_bytes
        self.active = active

    def __bool__(self) -> bool:
        return self.active

    def spent(self, piece: bytes) -> bool:
        """Count a piece; True once the budget is used up."""
        self.left -= len(piece)
        return self.left < 0

    def __enter__(self) -> _Budget:
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> bool:
        return isinstance(exc, APIError)


class ExchangeBase:
    """What both flavours of exchange hold: the answer's head and the idle deadline."""

    status_code: int
    reason: str
    headers: Headers
    url: str

    def __init__(self, status_code: int, reason: str, headers: Headers, url: str) -> None:
        self.status_code = status_code
        self.reason = reason
        self.headers = headers
        self.url = url
        self.deadline: float | None = None
        self._body: Any = None

    @property
    def complete(self) -> bool:
        """Whether the whole body has been read."""
        raise NotImplementedError

    def _pieces(self) -> Any:
        """The body's pieces as they arrive (a generator, async for ``AsyncExchange``)."""
        raise NotImplementedError

    @property
    def started(self) -> bool:
        """Whether reading the body piece by piece has begun (the pieces are not kept)."""
        return self._body is not None

    def _body_iterator(self) -> Any:
        """The body's pieces as they arrive: one iterator, so a later call carries on."""
        if self._body is None:
            self._body = self._pieces()
        return self._body

    def _drain_budget(self, max_bytes: int, max_seconds: float) -> _Budget:
        """Start a bounded drain (false when nothing is left to read)."""
        if self.complete:
            return _Budget(0, False)
        self.deadline = time.monotonic() + max_seconds  # bounds framing-only bytes too
        return _Budget(max_bytes, True)

    def abandon(self) -> None:
        """Close the connection now, from code that cannot await (a finaliser); never raises."""
        try:
            self._close_now()
        except Exception:
            pass

    def _close_now(self) -> None:
        """Close at once without awaiting, where the stack allows it."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.status_code} {self.url}>"


class Exchange(ExchangeBase):
    """One answer on its connection, read with blocking I/O (see the module docstring)."""

    iter_body = ExchangeBase._body_iterator  # blocking: ``for piece in exchange.iter_body()``

    def read(self) -> bytes:
        """The rest of the body; then the connection is given back (closed if the body broke off)."""
        try:
            return b"".join(self.iter_body())
        finally:
            self.release()

    def drain(self, max_bytes: int = DRAIN_BYTES, max_seconds: float = DRAIN_SECONDS) -> None:
        """Read what is left within a bound, so that the connection can be reused; then release."""
        try:
            budget = self._drain_budget(max_bytes, max_seconds)
            with budget:
                for piece in self.iter_body() if budget else ():
                    if budget.spent(piece):
                        break
        finally:
            self.release()  # pooled only if the body ended, else closed

    def release(self) -> None:
        """Give the connection back if the body was read to its end, else close it."""
        raise NotImplementedError

    def close(self) -> None:
        """Close the connection without reading further."""
        raise NotImplementedError


class AsyncExchange(ExchangeBase):
    """One answer on its connection, read with asyncio (see the module docstring)."""

    aiter_body = ExchangeBase._body_iterator  # asyncio: ``async for piece in exchange.aiter_body()``

    async def aread(self) -> bytes:
        """The rest of the body; then the connection is given back (closed if the body broke off)."""
        try:
            return b"".join([piece async for piece in self.aiter_body()])
        finally:
            await self.arelease()

    async def adrain(self, max_bytes: int = DRAIN_BYTES, max_seconds: float = DRAIN_SECONDS) -> None:
        """Read what is left within a bound, so that the connection can be reused; then release."""
        try:
            budget = self._drain_budget(max_bytes, max_seconds)
            if budget:
                with budget:
                    async for piece in self.aiter_body():
                        if budget.spent(piece):
                            break
        finally:
            await self.arelease()  # pooled only if the body ended, else closed

    async def arelease(self) -> None:
        """Give the connection back if the body was read to its end, else close it."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Close the connection without reading further."""
        raise NotImplementedError


class Transport:
    """Sends requests with blocking I/O; ``close()`` releases its connections."""

    def send(self, request: PreparedRequest, timeout: Timeout) -> Exchange:
        """Send ``request`` and return the answer once its head has arrived."""
        raise NotImplementedError

    def close(self) -> None:
        """Close every pooled connection."""
        raise NotImplementedError


class AsyncTransport:
    """Sends requests with asyncio; ``await aclose()`` releases its connections."""

    async def send(self, request: PreparedRequest, timeout: Timeout) -> AsyncExchange:
        """Send ``request`` and return the answer once its head has arrived."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Close every pooled connection."""
        raise NotImplementedError
