"""The error tree.

    OpenAPIClientError                  every error this package raises
    ├── SpecError                       a spec that cannot be found, read or understood
    ├── UnknownOperationError           (also AttributeError) no such operation in the spec
    ├── ParameterError                  (also TypeError) a call's arguments do not fit the operation
    ├── MissingAPIKeyError              no key given and OPENAI_API_KEY unset
    ├── RequestValidationError          (also ValueError) the request does not fit the spec
    └── APIError                        talking to the API went wrong
        ├── APIConnectionError          no answer: refused, reset, cut short
        │   └── APITimeoutError         no answer in time
        └── APIStatusError              an answer with status >= 400
            ├── BadRequestError (400), AuthenticationError (401), PermissionDeniedError (403),
            ├── NotFoundError (404), ConflictError (409), UnprocessableEntityError (422),
            └── RateLimitError (429), InternalServerError (>= 500)

The API names match the official ``openai`` SDK's so that code catching them ports
unchanged.  This module is a leaf: it imports nothing from the package.
"""

from __future__ import annotations

TYPE_CHECKING = False  # avoids importing typing at run time (~5 ms)

if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "MissingAPIKeyError",
    "NotFoundError",
    "OpenAPIClientError",
    "ParameterError",
    "PermissionDeniedError",
    "RateLimitError",
    "SpecError",
    "UnknownOperationError",
    "UnprocessableEntityError",
    "status_error_class",
]


class OpenAPIClientError(Exception):
    """Base class of every error raised by openapi-client-openai."""


class SpecError(OpenAPIClientError):
    """The OpenAPI spec could not be found, read, or is not an OpenAPI 3 document."""


class UnknownOperationError(OpenAPIClientError, AttributeError):
    """No operation of that name exists in the loaded spec.

    Also an ``AttributeError`` so that ``hasattr(client, name)`` and ``getattr`` with a
    default behave as Python users expect.
    """

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"the spec has no operation {name!r}{hint} (`openapi-client-openai list` shows them all)")


class ParameterError(OpenAPIClientError, TypeError):
    """The arguments of a call do not fit the operation (e.g. a missing path parameter)."""


class MissingAPIKeyError(OpenAPIClientError):
    """An operation needs an API key and none was given."""


class RequestValidationError(OpenAPIClientError, ValueError):
    """The request does not fit the spec; nothing was sent.

    ``problems`` lists each problem (``location``, ``message``); ``operation_id`` names the call.
    """

    def __init__(self, operation_id: str, problems: list[Any]) -> None:
        self.operation_id = operation_id
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"{operation_id}: the request does not fit the spec, so it was not sent:\n{lines}\n"
            "To send it anyway, pass validate='warn' or validate='off' to the client "
            "(the spec can lag behind the live API)."
        )


class APIError(OpenAPIClientError):
    """Talking to the API failed; ``message`` says how, ``request`` is "METHOD URL"."""

    def __init__(self, message: str, *, request: str | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body


class APIConnectionError(APIError):
    """The server could not be reached, or the connection broke before a full answer."""

    def __init__(self, message: str = "Connection error.", *, request: str | None = None) -> None:
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    """No answer arrived within the timeout."""

    def __init__(self, message: str = "Request timed out.", *, request: str | None = None) -> None:
        super().__init__(message, request=request)


class APIStatusError(APIError):
    """The server answered with a status of 400 or more.

    ``status_code``, ``request_id`` (the ``x-request-id`` header), ``body`` (the parsed JSON
    error, or the text) and, from OpenAI's error object, ``code``, ``type`` and ``param``.
    ``response`` is the result object, with headers and rate limits.
    """

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        request_id: str | None = None,
        body: Any = None,
        request: str | None = None,
        response: Any = None,
    ) -> None:
        super().__init__(message, request=request, body=body)
        self.status_code = status_code
        self.request_id = request_id
        self.response = response
        err = body.get("error") if isinstance(body, dict) else None
        err = err if isinstance(err, dict) else {}
        self.code = err.get("code")
        self.type = err.get("type")
        self.param = err.get("param")


class BadRequestError(APIStatusError):
    """400: the request was malformed or invalid."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, wrong or revoked."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this."""


class NotFoundError(APIStatusError):
    """404: no such resource (check the id and the base URL)."""


class ConflictError(APIStatusError):
    """409: the resource is in a state that conflicts with the request."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well formed but could not be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests or tokens, or quota exhausted."""


class InternalServerError(APIStatusError):
    """500 or above: the server failed."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """Return the exception class for an HTTP error status, as the official SDK maps it."""
    if status_code >= 500:
        return InternalServerError
    return _BY_STATUS.get(status_code, APIStatusError)
