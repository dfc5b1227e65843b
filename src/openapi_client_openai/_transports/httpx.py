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

from .._errors import APIConnectionError, APIError, APITimeoutError
from .base import AsyncExchange, AsyncTransport, Exchange, Headers, Transport

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


def _verify(base_url: str, verify: Any) -> Any:
    if verify is not True or base_url.startswith("https://"):
        return verify
    import ssl

    # An http:// base URL needs no CA bundle (loading one costs ~20 ms); a stray https://
    # request then fails closed, never open.
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def make_sync_client(base_url: str, verify: Any = True) -> Any:
    """A blocking httpx client for a base URL (proxies from the environment, no redirects)."""
    import httpx

    return httpx.Client(timeout=None, verify=_verify(base_url, verify), follow_redirects=False)


def make_async_client(base_url: str, verify: Any = True) -> Any:
    """An asyncio httpx client for a base URL (proxies from the environment, no redirects)."""
    import httpx

    return httpx.AsyncClient(timeout=None, verify=_verify(base_url, verify), follow_redirects=False)


def map_error(exc: BaseException, request: str) -> BaseException:
    """This package's error for an httpx error (the cause kept by the caller); others unchanged."""
    import httpx

    if not isinstance(exc, httpx.HTTPError) or isinstance(exc, APIError):
        return exc
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"Request timed out: {request} ({type(exc).__name__})", request=request)
    if isinstance(exc, httpx.DecodingError):
        return APIError(f"the answer could not be decoded: {request}: {detail}", request=request)
    if isinstance(exc, (httpx.LocalProtocolError, httpx.UnsupportedProtocol)):
        return APIError(f"the request could not be sent: {request}: {detail}", request=request)
    if isinstance(exc, (httpx.TransportError, httpx.StreamError)):
        return APIConnectionError(f"Connection error: {request}: {detail}", request=request)
    return APIError(f"{request}: {detail}", request=request)


def raise_mapped(exc: BaseException, request: str) -> None:
    """Raise this package's error for ``exc`` with ``exc`` as its cause, or ``exc`` itself if unknown."""
    mapped = map_error(exc, request)
    if mapped is exc:
        raise exc
    raise mapped from exc


class _Trace:
    """httpcore's trace events for one attempt: was the connection reused, did an answer start?"""

    __slots__ = ("answered", "fresh")

    def __init__(self) -> None:
        self.fresh = False
        self.answered = False

    def __call__(self, name: str, info: Any) -> None:
        if name.startswith(("connection.connect_tcp", "connection.connect_unix", "http11.start_tls")):
            self.fresh = True
        elif name in ("http11.receive_response_headers.complete", "http2.receive_response_headers.complete"):
            self.answered = True

    async def aio(self, name: str, info: Any) -> None:
        self(name, info)

    def stale(self, exc: BaseException) -> bool:
        """Whether ``exc`` means a reused connection was already closed: worth one fresh try."""
        import httpx

        network = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
        return not self.fresh and not self.answered and isinstance(exc, network)


def _httpx_request(client: Any, request: PreparedRequest, timeout: Timeout, asynchronous: bool) -> Any:
    import httpx

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
    return client.build_request(request.method, request.url, headers=headers, content=content, timeout=limits)


async def _async_pieces(request: PreparedRequest) -> AsyncIterator[bytes]:
    pieces = request.body_pieces()
    try:
        for piece in pieces:  # file reads block briefly, as they do inside httpx's own multipart
            yield piece
    finally:
        pieces.close()


class HttpxExchange(Exchange):
    """An answer read through an ``httpx.Response``."""

    def __init__(self, response: Any, request: PreparedRequest) -> None:
        super().__init__(
            response.status_code, response.reason_phrase, Headers(response.headers.multi_items()), request.url
        )
        self._response = response
        self._description = request.description
        self._ended = False

    @property
    def complete(self) -> bool:
        """Whether the whole body has been read."""
        return self._ended

    def _pieces(self) -> Iterator[bytes]:
        try:
            for piece in self._response.iter_bytes():  # decoded: httpx may have asked for gzip
                if piece:
                    yield piece
                if self.deadline is not None and time.monotonic() > self.deadline:
                    raise APITimeoutError(f"no event within the stream idle timeout: {self.url}")
            self._ended = True
        except Exception as exc:
            raise_mapped(exc, self._description)

    def release(self) -> None:
        """Give the connection back (httpx pools it when the body was read to its end)."""
        self._response.close()

    close = release


class AsyncHttpxExchange(AsyncExchange):
    """An answer read through an ``httpx.Response`` on an ``AsyncClient``."""

    def __init__(self, response: Any, request: PreparedRequest) -> None:
        super().__init__(
            response.status_code, response.reason_phrase, Headers(response.headers.multi_items()), request.url
        )
        self._response = response
        self._description = request.description
        self._ended = False

    @property
    def complete(self) -> bool:
        """Whether the whole body has been read."""
        return self._ended

    async def _pieces(self) -> AsyncIterator[bytes]:
        try:
            async for piece in self._response.aiter_bytes():
                if piece:
                    yield piece
                if self.deadline is not None and time.monotonic() > self.deadline:
                    raise APITimeoutError(f"no event within the stream idle timeout: {self.url}")
            self._ended = True
        except Exception as exc:
            raise_mapped(exc, self._description)

    async def arelease(self) -> None:
        """Give the connection back (httpx pools it when the body was read to its end)."""
        await self._response.aclose()

    aclose = arelease


class HttpxTransport(Transport):
    """The contract over a blocking ``httpx.Client`` (ours, or the user's own)."""

    def __init__(self, client: Any, owned: bool = True) -> None:
        self.client = client
        self._owned = owned

    def send(self, request: PreparedRequest, timeout: Timeout) -> HttpxExchange:
        """Send ``request`` through httpx; the answer's body is left to read."""
        for last in (False, True):
            trace = _Trace()
            hreq = _httpx_request(self.client, request, timeout, False)
            hreq.extensions["trace"] = trace
            try:
                return HttpxExchange(self.client.send(hreq, stream=True), request)
            except Exception as exc:
                if last or not trace.stale(exc):
                    raise_mapped(exc, request.description)
        raise AssertionError("unreachable")  # pragma: no cover

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
        for last in (False, True):
            trace = _Trace()
            hreq = _httpx_request(self.client, request, timeout, True)
            hreq.extensions["trace"] = trace.aio
            try:
                return AsyncHttpxExchange(await self.client.send(hreq, stream=True), request)
            except Exception as exc:
                if last or not trace.stale(exc):
                    raise_mapped(exc, request.description)
        raise AssertionError("unreachable")  # pragma: no cover

    async def aclose(self) -> None:
        """Close the httpx client, unless it is the user's own."""
        if self._owned:
            await self.client.aclose()
