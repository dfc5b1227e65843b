"""``OpenAIClient`` and ``AsyncOpenAIClient``: every operation of the spec as a method.

``_BaseClient`` owns everything that does no I/O: configuration, resolving operation
names, building requests and deciding what an answer means (result, retry or error).  The
blocking and asyncio clients each add only the short send-and-retry loop.
"""

from __future__ import annotations

import os
import sys

from ._errors import MissingAPIKeyError
from ._version import __version__
from .spec import SpecIndex, load_index

TYPE_CHECKING = False  # avoids importing typing at run time (~5 ms)
if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator, Mapping
    from typing import Any

    from ._request import PreparedRequest
    from ._response import AsyncResult, Result
    from ._stream import AsyncStream, Stream
    from ._validation import Problem
    from .spec import Operation

# Request building, results and the transport are imported by the first call, not by
# `import` or construction: start-up is a budget (see benchmarks/startup.py).

__all__ = ["DEFAULT_BASE_URL", "AsyncOpenAIClient", "OpenAIClient", "OperationMethod"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_TIMEOUT = 600.0
DEFAULT_MAX_RETRIES = 2
_VALIDATE_MODES = ("error", "warn", "off")
_USER_AGENT = f"openapi-client-openai/{__version__} Python/{sys.version_info[0]}.{sys.version_info[1]}"


class _Secret:
    """Holds the API key so that no repr, vars() dump or traceback local shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str | None) -> None:
        self._value = value

    def get(self) -> str | None:
        return self._value

    def __repr__(self) -> str:
        return "<hidden>" if self._value else "<not set>"

    __str__ = __repr__


def _clean_key(key: str | None) -> str | None:
    """Strip a key (``.env`` files leave newlines) and refuse one that cannot go in a header.

    The message never shows the key itself.
    """
    if key is None:
        return None
    key = key.strip()
    if not key.isascii() or not key.isprintable():
        raise ValueError(
            "the API key holds a character that cannot be sent in a header (non-ASCII or a control "
            "character): check OPENAI_API_KEY or api_key="
        )
    return key or None


class OperationMethod:
    """One operation of the spec, bound to a client: call it to send the request.

    ``method(body=None, *, headers=None, query=None, timeout=None, **params)``: path, query
    and header parameters by name; other keywords become JSON body fields.
    """

    __slots__ = ("__name__", "_client", "operation")

    def __init__(self, client: _BaseClient, operation: Operation, name: str) -> None:
        self._client = client
        self.operation = operation
        self.__name__ = name

    def __call__(
        self,
        body: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        query: Any = None,
        timeout: Any = None,
        **params: Any,
    ) -> Any:
        """Send the request and return its result (see the class docstring for arguments)."""
        return self._client._call(self.operation, body, params, headers, query, timeout)

    @property
    def __doc__(self) -> str:  # type: ignore[override]
        """The operation's documentation from the spec (built on first use), with an example."""
        try:
            from .docs import markdown

            return markdown(self._client._index, self.operation.id)
        except Exception:
            op = self.operation
            return f"{op.summary or op.id}\n\n{op.method} {op.path}  (operationId {op.id})"

    def __repr__(self) -> str:
        return f"<operation {self.__name__}: {self.operation.method} {self.operation.path}>"


class _BaseClient:
    """Configuration, name resolution and the I/O-free half of every call."""

    def __init__(
        self,
        spec: str | os.PathLike[str] | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        timeout: Any = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        validate: str = "error",
        default_headers: Mapping[str, str] | None = None,
        stream_idle_timeout: float | None = None,
        max_event_size: int = 16 * 1024 * 1024,
    ) -> None:
        if validate not in _VALIDATE_MODES:
            raise ValueError(f"validate must be 'error', 'warn' or 'off', not {validate!r}")
        if not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"max_retries must be a whole number >= 0, not {max_retries!r}")
        if timeout is not None and not isinstance(timeout, (int, float)) and not hasattr(timeout, "read"):
            raise ValueError(f"timeout must be a number of seconds, None or an httpx.Timeout, not {timeout!r}")
        env = os.environ
        self._index: SpecIndex = load_index(spec)
        self._key = _Secret(_clean_key(api_key if api_key is not None else env.get("OPENAI_API_KEY")))
        url = base_url or env.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, not {url!r}")
        self.base_url: str = url.rstrip("/")
        self.organization = organization if organization is not None else env.get("OPENAI_ORG_ID")
        self.project = project if project is not None else env.get("OPENAI_PROJECT_ID")
        self.timeout = timeout
        self.max_retries = max_retries
        self.validate_mode = validate
        self.default_headers = dict(default_headers or {})
        self.stream_idle_timeout = stream_idle_timeout
        self.max_event_size = max_event_size
        self._http: Any = None
        self._lean: Any = None
        self._headers: dict[str, str] | None = None

    # -- operations as attributes -------------------------------------------------------

    def __getattr__(self, name: str) -> OperationMethod:
        if name.startswith("_"):
            raise AttributeError(name)
        op = self._index.operation(name)
        method = OperationMethod(self, op, name)
        self.__dict__[name] = method  # later lookups skip __getattr__
        return method

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._index.names))

    def call(self, operation: str, body: Any = None, **kwargs: Any) -> Any:
        """Call an operation by its operationId (or snake_case alias) given as a string."""
        return getattr(self, operation)(body, **kwargs)

    def validate(self, operation: str, body: Any = None, **params: Any) -> list[Problem]:
        """Check a call against the spec without sending it; return its problems (empty if valid).

        Takes the same arguments as the operation's method (``headers=`` and ``timeout=`` are
        ignored).  Each ``Problem`` names the place (``messages[2].content``, ``query: limit``) and
        what the spec allows there.
        """
        op = self._index.operation(operation)
        params.pop("headers", None)
        params.pop("timeout", None)
        return self._problems(op, body, params, params.pop("query", None))

    def _problems(self, op: Operation, body: Any, params: dict[str, Any], query: Any) -> list[Problem]:
        from ._request import merge_body

        if query is not None and not isinstance(query, dict) and not hasattr(query, "keys"):
            params = {**params, "query": query}  # a parameter or body field called `query`
        validator = op.validator
        if validator is None:
            validator = op.validator = self._index.validator(op.id)
        return validator.check(merge_body(op, body, params) if params else body, params)

    @staticmethod
    def _next_page(op: Operation, page: Any) -> dict[str, Any] | None:
        """The query that fetches the page after ``page`` (its JSON), or None after the last.

        Follows ``has_more`` and the cursor the operation takes: ``after`` with ``last_id`` (or the
        last item's id), or ``page`` with ``next_page``; an empty page alone never ends a list.
        """
        if not isinstance(page, dict):
            return None
        names = {p.name for p in op.params if p.location == "query"}
        if "page" in names and page.get("next_page"):
            return {"page": page["next_page"]}
        if page.get("has_more") is not True:
            return None
        data = page.get("data") if isinstance(page.get("data"), list) else []
        cursor = page.get("last_id") or (data[-1].get("id") if data and isinstance(data[-1], dict) else None)
        if "after" not in names or not cursor:
            from ._errors import APIError

            raise APIError(f"{op.id} says it has more items but gives no cursor to fetch them with")
        return {"after": cursor}

    @staticmethod
    def _advance(op: Operation, params: dict[str, Any], following: dict[str, Any]) -> None:
        """Move the query to the next page; a cursor that does not move would loop forever."""
        if all(params.get(k) == v for k, v in following.items()):
            from ._errors import APIError

            raise APIError(f"{op.id} returned the same cursor {following} again: stopping instead of looping")
        params.pop("before", None)  # following `after` from here on
        params.update(following)

    def _page_items(self, result: Any) -> list:
        data = result.json() if result.content_type.startswith("application/json") else None
        items = data.get("data") if isinstance(data, dict) else None
        return items if isinstance(items, list) else []

    def operation(self, name: str) -> Operation:
        """Return the ``Operation`` (method, path, parameters...) called ``name``."""
        return self._index.operation(name)

    @property
    def spec(self) -> SpecIndex:
        """The loaded spec's index: source, title, version and operations."""
        return self._index

    # -- the I/O-free core --------------------------------------------------------------

    def _base_headers(self) -> dict[str, str]:
        if self._headers is None:
            from ._request import header_value

            headers = {"User-Agent": _USER_AGENT}
            if self.organization:
                headers["OpenAI-Organization"] = self.organization
            if self.project:
                headers["OpenAI-Project"] = self.project
            headers.update({k: v for k, v in self.default_headers.items() if v is not None})
            self._headers = {k: header_value(k, v) for k, v in headers.items()}
        return self._headers

    def _prepare(self, op: Operation, body: Any, params: dict[str, Any], headers: Any, query: Any) -> PreparedRequest:
        from ._request import build_request

        if self.validate_mode != "off":
            problems = self._problems(op, body, params, query)
            if problems:
                from ._errors import RequestValidationError

                error = RequestValidationError(op.id, problems)
                if self.validate_mode == "error":
                    raise error
                import logging

                logging.getLogger("openapi_client_openai").warning("%s", error)
        req = build_request(op, self.base_url, self._base_headers(), body, params, headers, query)
        if op.needs_key and "Authorization" not in req.headers and "authorization" not in req.headers:
            key = self._key.get()
            if not key:
                raise MissingAPIKeyError(
                    f"{op.id} needs an API key: set the OPENAI_API_KEY environment variable "
                    "or pass api_key= to the client"
                )
            req.headers["Authorization"] = f"Bearer {key}"
        return req

    @staticmethod
    def _wants_body(raw: Any, ctype: str) -> bool:
        # Errors, JSON, empty and small text answers are read at once; binary (and large or
        # unsized text) bodies stay on the connection until asked, to stream them to disk.
        from ._response import is_json_type

        if raw.status_code >= 400 or raw.status_code == 204 or not ctype or is_json_type(ctype):
            return True
        length = raw.headers.get("content-length")
        if length == "0":
            return True
        return ctype.startswith("text/") and length is not None and length.isdigit() and int(length) <= 1 << 20

    def _outcome(self, result: Any, req: PreparedRequest, retries: int) -> float | None:
        """Return None to hand back the result, a delay to retry after, or raise the error."""
        if result.status_code < 400:
            return None
        from ._retry import retry_delay, should_retry

        if retries < self.max_retries and should_retry(result.status_code, result.headers):
            return retry_delay(retries, result.headers)
        from ._response import status_error

        raise status_error(result, req.description, self._key.get())

    def _stream_of(self, cls: Any, op: Operation, source: Any, status: int, headers: Any, url: str) -> Any:
        from ._response import ResponseHead

        head = ResponseHead(op.id, status, headers, url)
        return cls(op.id, head, source, self.max_event_size, self.stream_idle_timeout)

    @staticmethod
    def _is_event_stream(ctype: str) -> bool:
        return ctype.startswith("text/event-stream")

    @staticmethod
    def _as_httpx_response(resp: Any, content: bytes, hreq: Any) -> Any:
        import httpx

        # The lean reader has already undone any content encoding.
        headers = [(k, v) for k, v in resp.headers if k.lower() != "content-encoding"]
        return httpx.Response(resp.status_code, headers=headers, content=content, request=hreq)

    def _retry_connection(self, retries: int) -> float | None:
        from ._retry import retry_delay

        return retry_delay(retries) if retries < self.max_retries else None

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} base_url={self.base_url!r} spec={self._index.source!r} "
            f"operations={len(self._index.data['ops'])}>"
        )


class OpenAIClient(_BaseClient):
    """The blocking client: ``client.createChatCompletion(body={...})`` returns a ``Result``.

    Every operation of the spec is a method under its operationId and its snake_case alias
    (``client.create_chat_completion``), and ``client.call("createChatCompletion", ...)``.
    Use it as a context manager, or call ``close()``, to release its connections.
    """

    def _call(self, op: Operation, body: Any, params: dict, headers: Any, query: Any, timeout: Any) -> Result | Stream:
        req = self._prepare(op, body, params, headers, query)
        http = self._http
        if http is None:
            from ._transport import sync_client

            http = self._http = sync_client(self.base_url, self.timeout)
        if req.stream:
            from ._streamio import lean_allowed

            if lean_allowed():
                return self._call_lean(op, req, http, timeout)
        import time

        import httpx

        from ._response import Result
        from ._stream import HttpxSource, Stream
        from ._transport import is_retryable, map_error, to_httpx

        retries = 0
        while True:
            opened: list = []
            try:
                raw = http.send(to_httpx(http, req, timeout, opened), stream=True)
                ctype = raw.headers.get("content-type", "")  # one lookup: httpx header access is slow
                if raw.status_code < 400 and self._is_event_stream(ctype):
                    return self._stream_of(
                        Stream, op, HttpxSource(raw, req.description), raw.status_code, raw.headers, str(raw.url)
                    )
                content = raw.read() if self._wants_body(raw, ctype) else None
            except httpx.RequestError as exc:
                delay = self._retry_connection(retries) if is_retryable(exc) else None
                if delay is None:
                    raise map_error(exc, req.description, self._key.get()) from None
                time.sleep(delay)
                retries += 1
                continue
            finally:
                for f in opened:
                    f.close()
            if content is not None:
                raw.close()
            result = Result(op.id, raw, content)
            delay = self._outcome(result, req, retries)
            if delay is None:
                return result
            time.sleep(delay)
            retries += 1

    def _call_lean(self, op: Operation, req: PreparedRequest, http: Any, timeout: Any) -> Result | Stream:
        """A streaming call through the lean reader, with the same retries as any call."""
        import time

        from ._errors import APIConnectionError
        from ._response import Result
        from ._stream import Stream
        from ._streamio import LeanPool
        from ._transport import make_timeout, to_httpx

        pool = self._lean
        if pool is None:
            pool = self._lean = LeanPool()
        limits = make_timeout(timeout if timeout is not None else self.timeout)
        retries = 0
        while True:
            opened: list = []
            try:
                hreq = to_httpx(http, req, timeout, opened)
                resp = pool.send(hreq, limits, req.description)
            except APIConnectionError:
                delay = self._retry_connection(retries)
                if delay is None:
                    raise
                time.sleep(delay)
                retries += 1
                continue
            finally:
                for f in opened:
                    f.close()
            import httpx

            headers = httpx.Headers(resp.headers)
            if resp.status_code < 400 and self._is_event_stream(headers.get("content-type", "")):
                return self._stream_of(Stream, op, resp, resp.status_code, headers, str(hreq.url))
            try:
                content = resp.read()
            except APIConnectionError:
                delay = self._retry_connection(retries)
                if delay is None:
                    raise
                time.sleep(delay)
                retries += 1
                continue
            result = Result(op.id, self._as_httpx_response(resp, content, hreq), content)
            delay = self._outcome(result, req, retries)
            if delay is None:
                return result
            time.sleep(delay)
            retries += 1

    def pages(self, operation: str, body: Any = None, **kwargs: Any) -> Iterator[Result]:
        """Yield each page (a ``Result``) of a list operation, following its cursor to the end."""
        op = self._index.operation(operation)
        params = dict(kwargs)
        while True:
            page = getattr(self, operation)(body, **params)
            yield page
            following = self._next_page(op, page.json())
            if following is None:
                return
            self._advance(op, params, following)

    def upload_file(
        self,
        path: str | os.PathLike[str],
        purpose: str,
        part_size: int = 64 * 1024 * 1024,
        multipart_threshold: int = 64 * 1024 * 1024,
        progress: bool | None = None,
    ) -> dict:
        """Upload a file of any size and return the File object (a dict).

        Up to ``multipart_threshold`` bytes it is one request; above, the Uploads API takes it in
        parts of ``part_size`` sent in parallel, checked by md5 at the end, and an interrupted
        upload resumes where it stopped when called again.  A progress bar shows on a terminal.
        """
        from ._upload import upload_file

        return upload_file(self, path, purpose, part_size, multipart_threshold, progress)

    def paginate(self, operation: str, body: Any = None, **kwargs: Any) -> Iterator[Any]:
        """Yield the items (dicts, as the API returns them) of a list operation across all pages.

        ``client.paginate("listFiles", purpose="batch", limit=100)``; the snake_case name works too.
        """
        for page in self.pages(operation, body, **kwargs):
            yield from self._page_items(page)

    def close(self) -> None:
        """Close the connection pools."""
        if self._http is not None:
            self._http.close()
            self._http = None
        if self._lean is not None:
            self._lean.close()
            self._lean = None

    def __enter__(self) -> OpenAIClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncOpenAIClient(_BaseClient):
    """The asyncio client: ``await client.createChatCompletion(body={...})``.

    The same surface and behaviour as ``OpenAIClient``; results are ``AsyncResult``.
    Use ``async with`` or ``await aclose()`` to release its connections.
    """

    async def _call(
        self, op: Operation, body: Any, params: dict, headers: Any, query: Any, timeout: Any
    ) -> AsyncResult | AsyncStream:
        req = self._prepare(op, body, params, headers, query)
        http = self._http
        if http is None:
            from ._transport import async_client

            http = self._http = async_client(self.base_url, self.timeout)
        if req.stream:
            from ._streamio import lean_allowed

            if lean_allowed():
                return await self._call_lean(op, req, http, timeout)
        import asyncio

        import httpx

        from ._response import AsyncResult
        from ._stream import AsyncHttpxSource, AsyncStream
        from ._transport import is_retryable, map_error, to_httpx

        retries = 0
        while True:
            opened: list = []
            try:
                raw = await http.send(to_httpx(http, req, timeout, opened), stream=True)
                ctype = raw.headers.get("content-type", "")
                if raw.status_code < 400 and self._is_event_stream(ctype):
                    return self._stream_of(
                        AsyncStream,
                        op,
                        AsyncHttpxSource(raw, req.description),
                        raw.status_code,
                        raw.headers,
                        str(raw.url),
                    )
                content = await raw.aread() if self._wants_body(raw, ctype) else None
            except httpx.RequestError as exc:
                delay = self._retry_connection(retries) if is_retryable(exc) else None
                if delay is None:
                    raise map_error(exc, req.description, self._key.get()) from None
                await asyncio.sleep(delay)
                retries += 1
                continue
            finally:
                for f in opened:
                    f.close()
            if content is not None:
                await raw.aclose()
            result = AsyncResult(op.id, raw, content)
            delay = self._outcome(result, req, retries)
            if delay is None:
                return result
            await asyncio.sleep(delay)
            retries += 1

    async def _call_lean(
        self, op: Operation, req: PreparedRequest, http: Any, timeout: Any
    ) -> AsyncResult | AsyncStream:
        """A streaming call through the lean reader, with the same retries as any call."""
        import asyncio

        import httpx

        from ._errors import APIConnectionError
        from ._response import AsyncResult
        from ._stream import AsyncStream
        from ._streamio import AsyncLeanPool
        from ._transport import make_timeout, to_httpx

        pool = self._lean
        if pool is None:
            pool = self._lean = AsyncLeanPool()
        limits = make_timeout(timeout if timeout is not None else self.timeout)
        retries = 0
        while True:
            opened: list = []
            try:
                hreq = to_httpx(http, req, timeout, opened)
                resp = await pool.send(hreq, limits, req.description)
            except APIConnectionError:
                delay = self._retry_connection(retries)
                if delay is None:
                    raise
                await asyncio.sleep(delay)
                retries += 1
                continue
            finally:
                for f in opened:
                    f.close()
            headers = httpx.Headers(resp.headers)
            if resp.status_code < 400 and self._is_event_stream(headers.get("content-type", "")):
                return self._stream_of(AsyncStream, op, resp, resp.status_code, headers, str(hreq.url))
            try:
                content = await resp.read()
            except APIConnectionError:
                delay = self._retry_connection(retries)
                if delay is None:
                    raise
                await asyncio.sleep(delay)
                retries += 1
                continue
            result = AsyncResult(op.id, self._as_httpx_response(resp, content, hreq), content)
            delay = self._outcome(result, req, retries)
            if delay is None:
                return result
            await asyncio.sleep(delay)
            retries += 1

    async def pages(self, operation: str, body: Any = None, **kwargs: Any) -> AsyncIterator[AsyncResult]:
        """Yield each page (an ``AsyncResult``) of a list operation, following its cursor."""
        op = self._index.operation(operation)
        params = dict(kwargs)
        while True:
            page = await getattr(self, operation)(body, **params)
            yield page
            following = self._next_page(op, page.json())
            if following is None:
                return
            self._advance(op, params, following)

    async def paginate(self, operation: str, body: Any = None, **kwargs: Any) -> AsyncIterator[Any]:
        """Yield the items of a list operation across all pages: ``async for item in ...``."""
        async for page in self.pages(operation, body, **kwargs):
            for item in self._page_items(page):
                yield item

    async def aclose(self) -> None:
        """Close the connection pools."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        if self._lean is not None:
            await self._lean.aclose()
            self._lean = None

    async def __aenter__(self) -> AsyncOpenAIClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
