"""httpx behind the transport contract: used with a proxy, or with the user's own httpx client.

httpx is imported only when this stack is chosen.  Its exceptions become this package's at
this edge (``map_error``), with the original as ``__cause__``; one it does not know passes
through.  A pooled connection that the server closed as the request arrived is tried once more
on a fresh one: httpcore's trace events tell whether the connection was reused and whether any
of the answer came back.
"""

from __future__ import annotations

import sys
import time
import types

from .._errors import APIConnectionError, APIError, APITimeoutError, StateError
from .base import (
    DRAIN_BYTES,
    DRAIN_SECONDS,
    AsyncExchange,
    AsyncTransport,
    Exchange,
    ExchangeBase,
    Headers,
    Transport,
    stale_retry,
)
from .lean import ssl_verify_errors

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from typing import Any

    from .._config import Timeout
    from .._request import PreparedRequest

__all__ = [
    "AsyncHttpxTransport",
    "HttpxTransport",
    "make_async_client",
    "make_sync_client",
    "map_error",
    "raise_mapped",
]


def _skip_httpx_cli() -> None:
    """httpx imports its command-line client when click, rich and pygments are installed (as
    with this package's mock and test extras): ~40 ms on every first request, for a CLI this
    process rarely runs (benchmarks/first_answer.py).  A stand-in ``httpx._main`` defers that
    import until ``httpx.main`` is actually called, then hands over to the real one."""
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    stand_in = types.ModuleType("httpx._main")

    def main(*args: Any, **kwargs: Any) -> Any:
        import importlib

        if sys.modules.get("httpx._main") is stand_in:
            del sys.modules["httpx._main"]
        return importlib.import_module("httpx._main").main(*args, **kwargs)

    stand_in.main = main  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = stand_in


_skip_httpx_cli()


def _verify(base_url: str, verify: Any, cert: Any) -> Any:
    if verify is True and cert is None and not base_url.startswith("https://"):
        import ssl

        # An http:// base URL needs no CA bundle (loading one costs ~20 ms); a stray https://
        # request then fails closed, never open.
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    from .tls import ssl_context

    return ssl_context(verify, cert)  # the same context the lean stack would make


def _options(base_url: str, verify: Any, cert: Any, proxy: Any, limits: Any) -> dict:
    import httpx

    options = {"timeout": None, "verify": _verify(base_url, verify, cert), "follow_redirects": False}
    if proxy is not None:
        options["proxy"] = proxy
    if limits is not None:
        options["limits"] = httpx.Limits(
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
        )
    return options


def make_sync_client(base_url: str, verify: Any = True, cert: Any = None, proxy: Any = None, limits: Any = None) -> Any:
    """A blocking httpx client for a base URL: TLS, proxy (else the environment's) and pool
    limits as given, no redirects."""
    import httpx

    return httpx.Client(**_options(base_url, verify, cert, proxy, limits))


def make_async_client(
    base_url: str, verify: Any = True, cert: Any = None, proxy: Any = None, limits: Any = None
) -> Any:
    """An asyncio httpx client for a base URL (see ``make_sync_client``)."""
    import httpx

    return httpx.AsyncClient(**_options(base_url, verify, cert, proxy, limits))


def map_error(exc: BaseException, request: str) -> BaseException:
    """This package's error for an httpx error (the cause kept by the caller); others unchanged."""
    import httpx

    if isinstance(exc, httpx.StreamError):  # not an HTTPError: a body read after close, or twice
        return StateError(f"the answer cannot be read any more ({type(exc).__name__}): {request}: {exc}")
    if isinstance(exc, OSError) and not isinstance(exc, APIError):
        # anyio lets a TLS alert on read (a refused client certificate) through unwrapped
        return APIConnectionError(f"Connection error: {request}: {exc}", request=request)
    if not isinstance(exc, httpx.HTTPError) or isinstance(exc, APIError):
        return exc
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"Request timed out: {request} ({type(exc).__name__})", request=request)
    if isinstance(exc, httpx.DecodingError):
        return APIError(f"the answer could not be decoded: {request}: {detail}", request=request)
    if isinstance(exc, (httpx.LocalProtocolError, httpx.UnsupportedProtocol)):
        return APIError(f"the request could not be sent: {request}: {detail}", request=request)
    if isinstance(exc, httpx.ConnectError) and _caused_by(exc, ssl_verify_errors()):
        # not worth a retry: it will fail the same way
        return APIError(f"the server's TLS certificate was refused: {request}: {detail}", request=request)
    if isinstance(exc, httpx.TransportError):
        return APIConnectionError(f"Connection error: {request}: {detail}", request=request)
    return APIError(f"{request}: {detail}", request=request)


def _caused_by(exc: BaseException, kinds: tuple) -> bool:
    seen = 0
    cur: BaseException | None = exc
    while cur is not None and seen < 10:
        if kinds and isinstance(cur, kinds):
            return True
        cur, seen = cur.__cause__ or cur.__context__, seen + 1
    return False


def raise_mapped(exc: BaseException, request: str) -> None:
    """Raise this package's error for ``exc`` with ``exc`` as its cause, or ``exc`` itself if unknown."""
    mapped = map_error(exc, request)
    if mapped is exc:
        raise exc
    raise mapped from exc


class _Trace:
    """One try of a request through httpx, and the edge where httpx's errors become ours.

    httpcore's trace events say whether the connection was reused, when the request was all
    written, and whether the answer's head came back.  As a context manager it maps httpx's
    errors (the original kept as cause, unknown exceptions untouched), except that on the first
    try a failure ``stale_retry`` calls safe to repeat is swallowed, so that the next try opens a
    fresh connection.
    """

    __slots__ = ("answered", "first", "fresh", "request", "written_at")

    def __init__(self, request: PreparedRequest, first: bool) -> None:
        self.request = request
        self.first = first
        self.fresh = False
        self.answered = False
        self.written_at: float | None = None

    @classmethod
    def attempts(cls, request: PreparedRequest) -> tuple[_Trace, _Trace]:
        """The two tries a request gets: the second only after a stale pooled connection."""
        return cls(request, True), cls(request, False)

    def __call__(self, name: str, info: Any) -> None:
        if name.startswith(("connection.connect_tcp", "connection.connect_unix", "http11.start_tls")):
            self.fresh = True
        elif name in ("http11.send_request_body.complete", "http2.send_request_body.complete"):
            self.written_at = time.monotonic()
        elif name in ("http11.receive_response_headers.complete", "http2.receive_response_headers.complete"):
            self.answered = True

    async def aio(self, name: str, info: Any) -> None:
        """The trace callback for ``AsyncClient`` (httpcore awaits it)."""
        self(name, info)

    def __enter__(self) -> _Trace:
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> bool:
        if not isinstance(exc, Exception):
            return False
        import httpx

        network = isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError))
        reset = _caused_by(exc, (ConnectionResetError, BrokenPipeError))
        reused = not self.fresh
        if self.first and network and stale_retry(self.request.method, reused, self.answered, self.written_at, reset):
            return True  # the server closed this pooled connection as the request arrived
        raise_mapped(exc, self.request.description)
        return False  # pragma: no cover - raise_mapped always raises


class _Mapped:
    """Maps httpx's errors while a body is read, and checks the stream's idle deadline."""

    __slots__ = ("exchange",)

    def __init__(self, exchange: Any) -> None:
        self.exchange = exchange

    def __enter__(self) -> _Mapped:
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> bool:
        if isinstance(exc, Exception):
            raise_mapped(exc, self.exchange._description)
        if exc is None:
            self.exchange._ended = True
        return False

    def check(self) -> None:
        """Raise if the idle deadline passed (keep-alive comments do not count as events)."""
        deadline = self.exchange.deadline
        if deadline is not None and time.monotonic() > deadline:
            raise APITimeoutError(f"no event within the stream idle timeout: {self.exchange.url}")


def _httpx_request(client: Any, request: PreparedRequest, timeout: Timeout, trace: _Trace) -> Any:
    import httpx

    asynchronous = isinstance(client, httpx.AsyncClient)
    content: Any = request.content
    headers = dict(request.headers)
    if request.stream:  # as the lean stack does: no decoder in an event stream's hot loop
        headers.setdefault("Accept-Encoding", "identity")
    if content is not None and not isinstance(content, bytes):
        length = request.body_length()
        if length is not None:
            headers["Content-Length"] = str(length)  # else httpx sends it chunked
        content = _async_pieces(request) if asynchronous else request.body_pieces()
    limits = httpx.Timeout(connect=timeout.connect, read=timeout.read, write=timeout.write, pool=timeout.pool)
    built = client.build_request(request.method, request.url, headers=headers, content=content, timeout=limits)
    built.extensions["trace"] = trace.aio if asynchronous else trace
    return built


async def _async_pieces(request: PreparedRequest) -> AsyncIterator[bytes]:
    pieces = request.body_pieces()
    try:
        for piece in pieces:  # file reads block briefly, as they do inside httpx's own multipart
            yield piece
    finally:
        pieces.close()


class _FromHttpx:
    """The head of an answer that came through httpx, and whether its body was read to the end."""

    def __init__(self, response: Any) -> None:
        headers = Headers(response.headers.multi_items())
        ExchangeBase.__init__(self, response.status_code, response.reason_phrase, headers, str(response.url))  # type: ignore[arg-type]
        self._response = response
        self._description = f"{response.request.method} {response.url}"
        self._ended = False

    @property
    def complete(self) -> bool:
        """Whether the whole body has been read."""
        return self._ended


class HttpxExchange(_FromHttpx, Exchange):
    """An answer read through an ``httpx.Response``."""

    def drain(self, max_bytes: int = DRAIN_BYTES, max_seconds: float = DRAIN_SECONDS) -> None:
        """Read what is left within a bound, then release.  httpx reads with the request's read
        timeout, so a watchdog shuts the socket once the bound has passed."""
        if self.complete:
            return self.release()
        import threading

        self._guard = threading.Lock()
        watchdog = threading.Timer(max_seconds, self._cut)
        watchdog.daemon = True
        watchdog.start()
        try:
            super().drain(max_bytes, max_seconds)
        finally:
            watchdog.cancel()
        return None

    def _cut(self) -> None:
        import socket

        # Under the guard: once release() has given the connection back, another request may
        # be using it, and it must not be shut.
        with self._guard:
            if self._response.is_closed:
                return
            stream = self._response.extensions.get("network_stream")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked read, which then fails
                except OSError:
                    pass

    def _pieces(self) -> Iterator[bytes]:
        with _Mapped(self) as mapped:
            for piece in self._response.iter_bytes():  # decoded: httpx may have asked for gzip
                yield piece
                mapped.check()

    _guard: Any = None

    def release(self) -> None:
        """Give the connection back (httpx pools it when the body was read to its end)."""
        if self._guard is None:
            self._response.close()
            return
        with self._guard:
            self._response.close()

    close = _close_now = release


class AsyncHttpxExchange(_FromHttpx, AsyncExchange):
    """An answer read through an ``httpx.Response`` on an ``AsyncClient``."""

    async def adrain(self, max_bytes: int = DRAIN_BYTES, max_seconds: float = DRAIN_SECONDS) -> None:
        """Read what is left within a bound, then release (httpx's reads are bounded here)."""
        import asyncio

        try:
            await asyncio.wait_for(super().adrain(max_bytes, max_seconds), max_seconds)
        except asyncio.TimeoutError:  # cancelled inside: the connection is closed, not reused
            await self.aclose()

    async def _pieces(self) -> AsyncIterator[bytes]:
        with _Mapped(self) as mapped:
            async for piece in self._response.aiter_bytes():
                yield piece
                mapped.check()

    async def arelease(self) -> None:
        """Give the connection back (httpx pools it when the body was read to its end)."""
        await self._response.aclose()

    aclose = arelease

    def _close_now(self) -> None:
        # Nothing can be awaited here (a finaliser): close on the running loop, keeping the
        # task referenced until it is done, so that the pool slot comes back.
        import asyncio

        task = asyncio.get_running_loop().create_task(self._response.aclose())
        _CLOSING.add(task)
        task.add_done_callback(_CLOSING.discard)


_CLOSING: set = set()


async def _within(sending: Any, timeout: Timeout) -> Any:
    """Await the answer's head within connect + write + read time in all: httpx bounds each read
    only, so a server trickling its head (or sending interim heads forever) would hold on."""
    if timeout.read is None:
        return await sending
    import asyncio

    total = timeout.read + (timeout.connect or 0.0) + (timeout.write or 0.0)
    try:
        return await asyncio.wait_for(sending, total)
    except asyncio.TimeoutError as exc:  # not the builtin TimeoutError before Python 3.11
        raise APITimeoutError(f"Request timed out: the answer's head did not come within {total:.3g} s") from exc


class HttpxTransport(Transport):
    """The contract over a blocking ``httpx.Client`` (ours, or the user's own)."""

    def __init__(self, client: Any, owned: bool = True) -> None:
        self.client = client
        self._owned = owned

    def send(self, request: PreparedRequest, timeout: Timeout) -> HttpxExchange:
        """Send ``request`` through httpx; the answer's body is left to read."""
        for trace in _Trace.attempts(request):
            with trace:
                hreq = _httpx_request(self.client, request, timeout, trace)
                return HttpxExchange(self.client.send(hreq, stream=True))
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover

    def close(self) -> None:
        """Close the httpx client, unless it is the user's own."""
        if self._owned:
            self.client.close()


class AsyncHttpxTransport(AsyncTransport):
    """The contract over an ``httpx.AsyncClient`` (ours, or the user's own)."""

    def __init__(self, client: Any, owned: bool = True) -> None:
        self.client = client
        self._owned = owned

    async def send(self, request: PreparedRequest, timeout: Timeout) -> AsyncHttpxExchange:
        """Send ``request`` through httpx; the answer's body is left to read."""
        for trace in _Trace.attempts(request):
            with trace:
                hreq = _httpx_request(self.client, request, timeout, trace)
                return AsyncHttpxExchange(await _within(self.client.send(hreq, stream=True), timeout))
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover

    async def aclose(self) -> None:
        """Close the httpx client, unless it is the user's own."""
        if self._owned:
            await self.client.aclose()
