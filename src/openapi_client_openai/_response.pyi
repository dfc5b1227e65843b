"""Results of calls, typed: ``Result[T]`` and ``AsyncResult[T]``, where ``json()`` is a ``T``.

Written by hand (the run-time classes support ``Result[T]`` without being ``typing.Generic``,
which keeps ``typing`` out of start-up); the generated ``_client.pyi`` gives each operation's
``T``, the TypedDict of its 2xx JSON answer.  Imports are absolute, so that this file also
works from a ``typings`` folder.
"""

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any, Generic, TypeVar

from typing_extensions import Self

from openapi_client_openai._errors import APIStatusError, Secret
from openapi_client_openai._transports.base import Headers

__all__ = ["AsyncResult", "RateLimits", "ResponseHead", "Result", "is_json_type", "status_error"]

_T_co = TypeVar("_T_co", covariant=True)

class RateLimits:
    """The ``x-ratelimit-*`` headers of an answer, parsed (None where not sent)."""

    raw: dict[str, str]
    limit_requests: int | None
    limit_tokens: int | None
    remaining_requests: int | None
    remaining_tokens: int | None
    reset_requests: float | None
    """Seconds until the request limit resets (``"6m0s"`` -> 360.0)."""
    reset_tokens: float | None
    """Seconds until the token limit resets."""
    def __init__(self, headers: Any) -> None: ...
    def __bool__(self) -> bool: ...

def is_json_type(content_type: str | None) -> bool:
    """Tell whether a Content-Type is JSON (``application/json`` or ``+json``)."""
    ...

class ResponseHead:
    """Status, headers and what is read from them: request id, rate limits, content type."""

    operation_id: str
    status_code: int
    headers: Headers
    url: str
    def __init__(self, operation_id: str, exchange: Any) -> None: ...
    @property
    def request_id(self) -> str | None:
        """The ``x-request-id`` header: quote it when asking OpenAI about a request."""
        ...
    @property
    def rate_limits(self) -> RateLimits:
        """The parsed ``x-ratelimit-*`` headers."""
        ...
    @property
    def content_type(self) -> str:
        """The answer's Content-Type header, or an empty string."""
        ...

class _BaseResult(ResponseHead, Generic[_T_co]):
    parsed: Any
    """The object a structured call parsed (``response_format=``/``text_format=`` a type, or
    ``client.parse``): a model instance, dataclass or dict; None for other calls."""
    def __init__(
        self, operation_id: str, exchange: Any, content: bytes | None, secret: Secret | None = None
    ) -> None: ...
    @property
    def is_read(self) -> bool:
        """Whether the body has been read into memory."""
        ...
    @property
    def text(self) -> str:
        """The body decoded as text (UTF-8 unless the answer names another charset)."""
        ...
    def json(self) -> _T_co:
        """The body parsed as JSON: the operation's answer, typed from the spec."""
        ...
    def __getitem__(self, key: str | int) -> Any:
        """Shortcut for ``result.json()[key]`` (untyped: use ``json()`` for the typed answer)."""
        ...
    def redact_body(self, secret: Any) -> None: ...

class Result(_BaseResult[_T_co]):
    """The answer to a call on ``OpenAIClient``: ``json()`` is the answer the spec describes."""

    @property
    def content(self) -> bytes:
        """The whole body as bytes (read now if it was left on the connection)."""
        ...
    def iter_bytes(self, chunk_size: int = 65536) -> Iterator[bytes]:
        """Yield the body in pieces of at most ``chunk_size`` bytes without holding it all."""
        ...
    def write_to(self, path: str | os.PathLike[str]) -> str:
        """Stream the body into a file (replaced only when complete) and return its path."""
        ...
    def close(self) -> None:
        """Give the connection back (pooled if the body was read to its end, else closed)."""
        ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...

class AsyncResult(_BaseResult[_T_co]):
    """The answer to a call on ``AsyncOpenAIClient``: as ``Result``, with async reading."""

    @property
    def content(self) -> bytes:
        """The whole body, once read (JSON answers are read already; else ``await aread()``)."""
        ...
    async def aread(self) -> bytes:
        """Read the whole body and return it."""
        ...
    def aiter_bytes(self, chunk_size: int = 65536) -> AsyncIterator[bytes]:
        """Yield the body in pieces of at most ``chunk_size`` bytes without holding it all."""
        ...
    async def write_to(self, path: str | os.PathLike[str]) -> str:
        """Stream the body into a file (replaced only when complete) and return its path."""
        ...
    async def aclose(self) -> None:
        """Give the connection back (pooled if the body was read to its end, else closed)."""
        ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc: object) -> None: ...

def status_error(result: _BaseResult[Any], request: str, secret: Secret | None = None) -> APIStatusError: ...
