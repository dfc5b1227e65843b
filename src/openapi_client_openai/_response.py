"""Results of calls: status, headers, request id, rate limits, and the body in any form.

JSON answers (and every error) are read at once.  Other answers (speech audio, file and
video content) are left on the connection until asked for, so ``iter_bytes()`` and
``write_to()`` stream them to disk without holding them in memory.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from ._config import UNSET
from ._errors import APIStatusError, ContentError, Secret, StateError, error_details, status_error_class

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._transports.base import Headers

__all__ = ["AsyncResult", "RateLimits", "ResponseHead", "Result", "is_json_type", "status_error"]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def _seconds(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    parts = _DURATION.findall(text)
    if not parts:
        return None
    return sum(float(n) * _UNITS[u] for n, u in parts)


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


class RateLimits:
    """The ``x-ratelimit-*`` headers of an answer, parsed.

    Counts are ints and resets are seconds (``"6m0s"`` -> 360.0); a header the server did not
    send is None.  ``raw`` keeps every ``x-ratelimit-*`` header as sent.
    """

    __slots__ = (
        "limit_requests",
        "limit_tokens",
        "raw",
        "remaining_requests",
        "remaining_tokens",
        "reset_requests",
        "reset_tokens",
    )

    def __init__(self, headers: Any) -> None:
        self.raw = {k.lower(): v for k, v in headers.items() if k.lower().startswith("x-ratelimit-")}
        get = self.raw.get
        self.limit_requests = _int(get("x-ratelimit-limit-requests"))
        self.limit_tokens = _int(get("x-ratelimit-limit-tokens"))
        self.remaining_requests = _int(get("x-ratelimit-remaining-requests"))
        self.remaining_tokens = _int(get("x-ratelimit-remaining-tokens"))
        self.reset_requests = _seconds(get("x-ratelimit-reset-requests"))
        self.reset_tokens = _seconds(get("x-ratelimit-reset-tokens"))

    def __bool__(self) -> bool:
        return bool(self.raw)

    def __repr__(self) -> str:
        names = ("limit_requests", "remaining_requests", "reset_requests", "limit_tokens", "remaining_tokens")
        shown = ", ".join(f"{k}={getattr(self, k)!r}" for k in (*names, "reset_tokens") if getattr(self, k) is not None)
        return f"RateLimits({shown})"


def is_json_type(content_type: str | None) -> bool:
    """Tell whether a Content-Type is JSON (``application/json`` or ``+json``)."""
    if not content_type:
        return False
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime == "application/json" or mime.endswith("+json")


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return "utf-8"


class ResponseHead:
    """Status, headers and what is read from them: request id, rate limits, content type."""

    __slots__ = ("headers", "operation_id", "status_code", "url")

    def __init__(self, operation_id: str, exchange: Any) -> None:
        self.operation_id = operation_id
        self.status_code: int = exchange.status_code
        self.headers: Headers = exchange.headers
        self.url: str = exchange.url

    @property
    def request_id(self) -> str | None:
        """The ``x-request-id`` header: quote it when asking OpenAI about a request."""
        return self.headers.get("x-request-id")

    @property
    def rate_limits(self) -> RateLimits:
        """The parsed ``x-ratelimit-*`` headers."""
        return RateLimits(self.headers)

    @property
    def content_type(self) -> str:
        """The answer's Content-Type header, or an empty string."""
        return self.headers.get("content-type", "")

    def __repr__(self) -> str:
        rid = f" {self.request_id}" if self.request_id else ""
        return f"<{type(self).__name__} {self.operation_id} {self.status_code}{rid}>"


def _subscript(cls: type, item: Any) -> Any:
    """``Result[T]`` in annotations at run time; the stubs give the generic types."""
    import types

    return types.GenericAlias(cls, item)


class _BaseResult(ResponseHead):
    __slots__ = ("_closed", "_content", "_exchange", "_json", "_secret", "parsed")

    __class_getitem__ = classmethod(_subscript)

    def __init__(self, operation_id: str, exchange: Any, content: bytes | None, secret: Secret | None = None) -> None:
        super().__init__(operation_id, exchange)
        self._exchange = exchange
        self._content = content
        self._json: Any = UNSET
        self._secret = secret or Secret(None)  # masked in what an error shows of the body
        self._closed = False
        self.parsed: Any = None  # set when the call asked for a type (structured outputs)

    @property
    def is_read(self) -> bool:
        """Whether the body has been read into memory."""
        return self._content is not None

    def _need_content(self) -> bytes:
        if self._content is None:
            raise StateError(self._not_read_hint())
        return self._content

    def _not_read_hint(self) -> str:
        return "the body has not been read"

    @property
    def text(self) -> str:
        """The body decoded as text (UTF-8 unless the answer names another charset)."""
        content = self._need_content()
        try:
            return content.decode(_charset(self.content_type), errors="replace")
        except LookupError:  # a charset Python does not know
            return content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON (parsed once, then cached)."""
        if self._json is UNSET:
            content = self._need_content()
            try:
                self._json = json.loads(content)
            except ValueError:
                snippet = self._secret.redact(content.decode("utf-8", "replace"))[:80]
                raise ContentError(
                    f"{self.operation_id} answered {self.content_type or 'no content type'}, not JSON: "
                    f"{snippet!r}; use .content, .text or write_to()"
                ) from None
        return self._json

    def __getitem__(self, key: Any) -> Any:
        """Shortcut for ``result.json()[key]``."""
        return self.json()[key]

    def __iter__(self) -> Any:
        # A server that ignores "stream": true answers with a plain body: say so, rather than
        # let Python's old iteration protocol fall back to __getitem__(0).
        raise ContentError(
            f"{self.operation_id} answered {self.content_type or 'a body'}, not an event stream: there are no "
            "events to iterate (the server may not stream this call); read it with .json() or .content"
        )

    __aiter__ = __iter__

    def _check_unread(self) -> None:
        if self._exchange.started:
            raise StateError(
                f"{self.operation_id}: the body was already read piece by piece (iter_bytes or write_to), "
                "and is not kept: read it once, with .content, iter_bytes() or write_to()"
            )
        if self._closed:
            raise StateError(f"{self.operation_id}: the answer was closed before its body was read")

    def redact_body(self, secret: Any) -> None:
        """Mask ``secret`` (a ``Secret``) in the body read so far (for errors that carry it)."""
        if self._content is not None:
            self._content = secret.redact(self._content)
            self._json = UNSET


def _rechunk(pieces: Any, chunk_size: int) -> Any:
    for piece in pieces:
        for i in range(0, len(piece), chunk_size):
            yield piece[i : i + chunk_size] if len(piece) > chunk_size else piece


def _temp_beside(path: str | os.PathLike[str]) -> tuple[str, str, Any]:
    """``(path, temporary path, open file)``: a file of its own beside ``path`` (two writers never
    share one), made before any byte is read so that a bad path fails at once, naming itself."""
    import errno
    import tempfile

    final = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(final))
    if not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, "no such folder to write into", folder)
    if os.path.isdir(final):
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", final)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(final)}.", suffix=".part")
    return final, tmp, os.fdopen(fd, "wb")


class Result(_BaseResult):
    """The answer to a call on ``OpenAIClient``.

    ``status_code``, ``headers``, ``request_id``, ``rate_limits``, ``json()``, ``text`` and
    ``content``; for binary answers ``iter_bytes()`` and ``write_to(path)`` stream the body.
    ``parsed`` is the object a structured call parsed (``response_format=``/``text_format=``
    given a type, or ``client.parse``), else None.
    Use it as a context manager, or read it whole, to give the connection back.
    """

    __slots__ = ()

    @property
    def content(self) -> bytes:
        """The whole body as bytes (read now if it was left on the connection)."""
        if self._content is None:
            self._check_unread()
            self._content = self._exchange.read()
        return self._content

    def _need_content(self) -> bytes:
        return self.content

    def iter_bytes(self, chunk_size: int = 65536) -> Any:
        """Yield the body in pieces of at most ``chunk_size`` bytes without holding it all."""
        if self._content is not None:
            yield from _rechunk((self._content,), chunk_size)
            return
        self._check_unread()
        try:
            yield from _rechunk(self._exchange.iter_body(), chunk_size)
        finally:
            self.close()

    def write_to(self, path: str | os.PathLike[str]) -> str:
        """Stream the body into a file and return its path.

        The bytes go to a temporary file beside ``path`` that replaces it only once the
        whole body has arrived, so a cut connection never leaves a truncated file.
        """
        if self._content is None:
            self._check_unread()
        final, tmp, f = _temp_beside(path)
        try:
            with f:
                for piece in self.iter_bytes():
                    f.write(piece)
            os.replace(tmp, final)
        finally:
            self.close()
            if os.path.exists(tmp):
                os.unlink(tmp)
        return final

    def close(self) -> None:
        """Give the connection back (pooled if the body was read to its end, else closed)."""
        self._closed = self._content is None
        self._exchange.release()

    def __del__(self) -> None:
        # An unread binary answer dropped without close() would hold its pooled connection.
        if self._content is None:
            self._exchange.abandon()

    def __enter__(self) -> Result:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncResult(_BaseResult):
    """The answer to a call on ``AsyncOpenAIClient``: as ``Result``, with async reading.

    JSON answers are already read (``json()``, ``text``, ``content`` work directly); for
    binary answers use ``await aread()``, ``aiter_bytes()`` or ``await write_to(path)``.
    """

    __slots__ = ()

    def _not_read_hint(self) -> str:
        return (
            f"{self.operation_id} answered {self.content_type or 'a body'} that is still on the "
            "connection: use `await result.aread()`, `async for b in result.aiter_bytes()` or "
            "`await result.write_to(path)`"
        )

    @property
    def content(self) -> bytes:
        """The whole body, once read (JSON answers are read already; else ``await aread()``)."""
        return self._need_content()

    async def aread(self) -> bytes:
        """Read the whole body and return it."""
        if self._content is None:
            self._check_unread()
            self._content = await self._exchange.aread()
        return self._content

    async def aiter_bytes(self, chunk_size: int = 65536) -> Any:
        """Yield the body in pieces of at most ``chunk_size`` bytes without holding it all."""
        if self._content is not None:
            for piece in _rechunk((self._content,), chunk_size):
                yield piece
            return
        self._check_unread()
        try:
            async for piece in self._exchange.aiter_body():
                for part in _rechunk((piece,), chunk_size):
                    yield part
        finally:
            await self.aclose()

    async def write_to(self, path: str | os.PathLike[str]) -> str:
        """Stream the body into a file (replaced only when complete) and return its path."""
        if self._content is None:
            self._check_unread()
        final, tmp, f = _temp_beside(path)
        try:
            with f:
                async for piece in self.aiter_bytes():
                    f.write(piece)
            os.replace(tmp, final)
        finally:
            await self.aclose()
            if os.path.exists(tmp):
                os.unlink(tmp)
        return final

    async def aclose(self) -> None:
        """Give the connection back (pooled if the body was read to its end, else closed)."""
        self._closed = self._content is None
        await self._exchange.arelease()

    def __del__(self) -> None:
        if self._content is None:
            self._exchange.abandon()

    async def __aenter__(self) -> AsyncResult:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def status_error(result: _BaseResult, request: str, secret: Secret | None = None) -> APIStatusError:
    """Build the exception for an error answer, with the server's message and request id.

    The key (``secret``) is masked in the message, the body and the answer the error carries.
    """
    if secret is not None:
        result.redact_body(secret)
    text = (result._content or b"").decode("utf-8", "replace")
    try:
        body: Any = json.loads(text) if text else None
    except ValueError:
        body = text
    message = error_details(body)[0]
    if not message:
        text = body if isinstance(body, str) else json.dumps(body) if body is not None else ""
        message = text.strip()[:500] or f"HTTP {result.status_code} with no body"
    rid = result.request_id
    cls = status_error_class(result.status_code)
    detail = f"Error code: {result.status_code} - {message}"
    if rid:
        detail += f" (request id {rid})"
    exc = cls(detail, status_code=result.status_code, request_id=rid, body=body, request=request, response=result)
    exc.message = message
    return exc
