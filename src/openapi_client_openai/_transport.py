"""The HTTP edge: httpx clients built on first use, and httpx errors mapped to ours.

httpx is imported only when the first request needs it, which keeps ``import`` and client
construction fast.  An ``http://`` base URL gets no CA bundle (loading it costs ~20 ms):
its TLS context trusts nothing, so a stray ``https://`` request fails closed, never open.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from ._errors import APIConnectionError, APIError, APITimeoutError
from ._multipart import encode_form
from ._request import PreparedRequest

__all__ = ["async_client", "make_timeout", "map_error", "sync_client", "to_httpx"]

CONNECT_TIMEOUT = 5.0


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


def make_timeout(timeout: Any) -> Any:
    """Turn a number of seconds (or an ``httpx.Timeout``) into an ``httpx.Timeout``."""
    import httpx

    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is None:
        return httpx.Timeout(None)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        from ._errors import ParameterError

        raise ParameterError(f"timeout must be a positive number of seconds or an httpx.Timeout, not {timeout!r}")
    seconds = float(timeout)
    return httpx.Timeout(seconds, connect=min(CONNECT_TIMEOUT, seconds))


def _verify(base_url: str) -> Any:
    if base_url.startswith("https://"):
        return True
    import ssl

    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, with nothing trusted


def sync_client(base_url: str, timeout: Any) -> Any:
    """Build the blocking httpx client for a base URL."""
    import httpx

    return httpx.Client(timeout=make_timeout(timeout), verify=_verify(base_url), follow_redirects=False)


def async_client(base_url: str, timeout: Any) -> Any:
    """Build the asyncio httpx client for a base URL."""
    import httpx

    return httpx.AsyncClient(timeout=make_timeout(timeout), verify=_verify(base_url), follow_redirects=False)


def to_httpx(http: Any, req: PreparedRequest, timeout: Any, opened: list) -> Any:
    """Build the httpx request for one attempt; files opened for it are added to ``opened``."""
    import httpx

    files = None
    if req.files is not None:
        files = []
        for name, spec in req.files:
            content, needs_close = spec.open()
            if needs_close:
                opened.append(content)
            files.append((name, (spec.filename, content, spec.content_type)))
    content = req.content
    if content is not None and not isinstance(content, bytes):
        content, needs_close = content.open()
        if needs_close:
            opened.append(content)
        if isinstance(http, httpx.AsyncClient) and hasattr(content, "read"):
            content = content.read()  # raw bodies (SDP offers) are small; httpx async wants bytes

    data = None
    headers = req.headers
    if req.fields is not None:
        if files:
            data = {}
            for name, value in req.fields:
                data.setdefault(name, []).append(value)
        else:
            # httpx sends a form without files url-encoded; the API wants multipart.
            content, ctype = encode_form(req.fields)
            headers = {**headers, "Content-Type": ctype}
    return http.build_request(
        req.method,
        req.url,
        headers=headers,
        content=content,
        data=data,
        files=files or None,
        timeout=make_timeout(timeout) if timeout is not None else http.timeout,
    )


def is_retryable(exc: BaseException) -> bool:
    """Whether an httpx error is worth another try: timeouts, network errors, a garbled answer."""
    import httpx

    return isinstance(exc, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError))


def map_error(exc: BaseException, request: str, secret: str | None = None) -> APIError:
    """Map an httpx error to this package's error, naming the request (never the key)."""
    import httpx

    from ._response import redact

    if isinstance(exc, APIError):
        return exc
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"Request timed out: {request} ({type(exc).__name__})", request=request)
    detail = redact(str(exc) or type(exc).__name__, secret)
    if isinstance(exc, httpx.DecodingError):
        return APIError(f"the answer could not be decoded: {request}: {detail}", request=request)
    if isinstance(exc, (httpx.LocalProtocolError, httpx.UnsupportedProtocol)):
        return APIError(f"the request could not be sent: {request}: {detail}", request=request)
    return APIConnectionError(f"Connection error: {request}: {detail}", request=request)
