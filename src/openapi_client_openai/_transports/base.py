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
  again once on a fresh connection, whatever ``max_retries`` says (as httpx and urllib3 do);
- the body is decoded (gzip, deflate) and its framing checked: a body cut short raises.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from .._errors import APIError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from typing import Any

    from .._config import Timeout
    from .._request import PreparedRequest

__all__ = ["DRAIN_BYTES", "DRAIN_SECONDS", "AsyncExchange", "AsyncTransport", "Exchange", "Headers", "Transport"]

DRAIN_BYTES = 64 * 1024
DRAIN_SECONDS = 1.0


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


class _ExchangeBase:
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

    def _drain_budget(self, max_seconds: float) -> bool:
        """Start a bounded drain: False when nothing is left to read."""
        if self.complete:
            return False
        self.deadline = time.monotonic() + max_seconds
        return True

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.status_code} {self.url}>"


class Exchange(_ExchangeBase):
    """One answer on its connection, read with blocking I/O (see the module docstring)."""

    def _pieces(self) -> Iterator[bytes]:
        raise NotImplementedError

    def iter_body(self) -> Iterator[bytes]:
        """The body's pieces as they arrive: one iterator, so a later call carries on."""
        if self._body is None:
            self._body = self._pieces()
        return self._body

    def read(self) -> bytes:
        """The rest of the body; the connection is given back (or closed on error)."""
        try:
            data = b"".join(self.iter_body())
        except BaseException:
            self.close()
            raise
        self.release()
        return data

    def drain(self, max_bytes: int = DRAIN_BYTES, max_seconds: float = DRAIN_SECONDS) -> None:
        """Read what is left within a bound, so that the connection can be reused; then release."""
        try:
            seen = 0
            for piece in self.iter_body() if self._drain_budget(max_seconds) else ():
                seen += len(piece)
                if seen > max_bytes:
                    break
        except APIError:
            pass  # a body that will not end in time: release() closes the connection
        except BaseException:
            self.close()
            raise
        self.release()

    def release(self) -> None:
        """Give the connection back if the body was read to its end, else close it."""
        raise NotImplementedError

    def close(self) -> None:
        """Close the connection without reading further."""
        raise NotImplementedError


class AsyncExchange(_ExchangeBase):
    """One answer on its connection, read with asyncio (see the module docstring)."""

    def _pieces(self) -> AsyncIterator[bytes]:
        raise NotImplementedError

    def aiter_body(self) -> AsyncIterator[bytes]:
        """The body's pieces as they arrive: one iterator, so a later call carries on."""
        if self._body is None:
            self._body = self._pieces()
        return self._body

    async def aread(self) -> bytes:
        """The rest of the body; the connection is given back (or closed on error)."""
        try:
            data = b"".join([piece async for piece in self.aiter_body()])
        except BaseException:
            await self.aclose()
            raise
        await self.arelease()
        return data

    async def adrain(self, max_bytes: int = DRAIN_BYTES, max_seconds: float = DRAIN_SECONDS) -> None:
        """Read what is left within a bound, so that the connection can be reused; then release."""
        try:
            seen = 0
            if self._drain_budget(max_seconds):
                async for piece in self.aiter_body():
                    seen += len(piece)
                    if seen > max_bytes:
                        break
        except APIError:
            pass
        except BaseException:  # cancelled while draining: close, and let it propagate now
            await self.aclose()
            raise
        await self.arelease()

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
