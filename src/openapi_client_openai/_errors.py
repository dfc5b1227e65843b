"""The error tree.

    OpenAPIClientError                  every error this package raises
    ├── ConfigError                     (also ValueError) a client setting that cannot work
    ├── StateError                      (also RuntimeError) e.g. a stream read a second time
    ├── ContentError                    (also ValueError) e.g. json() of an answer that is not JSON
    │   └── WebhookValidationError      a verified webhook that is not JSON or does not fit the spec
    ├── InvalidWebhookSignatureError    (also ValueError) a webhook whose signature does not verify
    ├── SpecError                       a spec that cannot be found, read or understood
    ├── UnknownOperationError           (also AttributeError) no such operation in the spec
    ├── ParameterError                  (also TypeError) a call's arguments do not fit the operation
    ├── MissingAPIKeyError              no key given and OPENAI_API_KEY unset
    ├── RequestValidationError          (also ValueError) the request does not fit the spec
    (UnknownFieldWarning, a UserWarning: fields a typo away from declared ones, sent anyway)
    ├── StrictSchemaError               (also TypeError) a type that cannot become a strict schema
    ├── StructuredOutputError           (also ValueError) a structured answer that cannot be parsed
    │   ├── RefusalError                the model refused (``refusal`` says why)
    │   ├── LengthFinishReasonError     cut at the token limit before the JSON was complete
    │   ├── ContentFilterFinishReasonError  stopped by the content filter
    │   └── OutputValidationError       the JSON does not fit the type (``errors`` lists where)
    ├── ToolError                       a tool function failed, with ``raise_tool_errors=True``
    ├── WaitTimeoutError                (also TimeoutError) ``wait()`` ran out of time
    ├── WaitCancelledError              ``wait()`` was cancelled through its ``cancel`` event
    └── APIError                        talking to the API went wrong
        ├── APIConnectionError          no answer: refused, reset, cut short
        │   └── APITimeoutError         no answer in time
        └── APIStatusError              an answer with status >= 400
            ├── BadRequestError (400), AuthenticationError (401), PermissionDeniedError (403),
            ├── NotFoundError (404), ConflictError (409), UnprocessableEntityError (422),
            └── RateLimitError (429), InternalServerError (>= 500)

The API names match the official ``openai`` SDK's so that code catching them ports
unchanged.  This module is a leaf: it imports nothing from the package.

It also holds the two things every error passes through: ``Secret`` (the API key, hidden
from reprs, and the redaction of it from any message, body or answer an error carries) and
``error_details`` (the one reader of OpenAI's ``{"error": {...}}`` envelope).
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
    "ConfigError",
    "ConflictError",
    "ContentError",
    "ContentFilterFinishReasonError",
    "InternalServerError",
    "InvalidWebhookSignatureError",
    "LengthFinishReasonError",
    "MissingAPIKeyError",
    "NotFoundError",
    "OpenAPIClientError",
    "OutputValidationError",
    "ParameterError",
    "PermissionDeniedError",
    "RateLimitError",
    "RefusalError",
    "Secret",
    "SpecError",
    "StateError",
    "StrictSchemaError",
    "StructuredOutputError",
    "ToolError",
    "UnknownFieldWarning",
    "UnknownOperationError",
    "UnprocessableEntityError",
    "WaitCancelledError",
    "WaitTimeoutError",
    "WebhookValidationError",
    "error_details",
    "status_error_class",
]


class OpenAPIClientError(Exception):
    """Base class of every error raised by openapi-client-openai."""


class ConfigError(OpenAPIClientError, ValueError):
    """A client setting cannot work (a base URL without a scheme, a negative timeout...)."""


class StateError(OpenAPIClientError, RuntimeError):
    """An object was used in a state that does not allow it (a stream read a second time...)."""


class ContentError(OpenAPIClientError, ValueError):
    """An answer's body is not in the form asked for (``json()`` of a body that is not JSON)."""


class InvalidWebhookSignatureError(OpenAPIClientError, ValueError):
    """A webhook did not verify: do not trust it.  ``reason`` names the check that failed:
    ``missing_header``, ``bad_timestamp``, ``too_old``, ``too_new``, ``no_signature`` or
    ``mismatch``.  (A ``ValueError`` like the official SDK's, so code catching it ports.)"""

    def __init__(self, message: str, *, reason: str = "mismatch") -> None:
        super().__init__(message)
        self.reason = reason


class WebhookValidationError(ContentError):
    """A webhook verified, but its body is not a JSON event, or not one the spec describes
    (``event_type`` names it, ``problems`` lists where it differs; ``validate="off"`` takes it
    unchecked).  ``event`` is the parsed body, when it is JSON."""

    def __init__(
        self, message: str, *, event_type: str | None = None, problems: list[Any] | None = None, event: Any = None
    ) -> None:
        super().__init__(message)
        self.event_type = event_type
        self.problems = problems or []
        self.event = event


class UnknownFieldWarning(UserWarning):
    """A request holds fields the spec does not declare, a typo away from ones it does.

    The request is sent; ``validate="strict"`` refuses it instead, and ``extra_body=`` sends a
    field on purpose without this warning.
    """


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


class StrictSchemaError(OpenAPIClientError, TypeError):
    """A type given for structured outputs or a tool cannot be made into the strict JSON schema
    OpenAI requires (a free-form ``dict``, an ``Any``, a root that is not an object...); nothing
    was sent.  ``path`` names the place (``Booking.extras``)."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path


class StructuredOutputError(OpenAPIClientError, ValueError):
    """A structured answer could not be turned into the type asked for.

    ``result`` is the answer as received (the ``Result``, or the finished object of a stream),
    ``content`` the raw text of the output (None when there was none) and ``choice`` the index
    of the choice (chat) or output item (Responses) concerned.
    """

    def __init__(self, message: str, *, result: Any = None, content: str | None = None, choice: int = 0) -> None:
        super().__init__(message)
        self.result = result
        self.content = content
        self.choice = choice


class RefusalError(StructuredOutputError):
    """The model refused to answer in the requested format; ``refusal`` is its explanation."""

    def __init__(self, message: str, *, refusal: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.refusal = refusal


class LengthFinishReasonError(StructuredOutputError):
    """The answer stopped at the token limit (``finish_reason: "length"``, or an incomplete response
    for ``max_output_tokens``) before its JSON was complete: raise the limit or ask for less."""


class ContentFilterFinishReasonError(StructuredOutputError):
    """The answer was stopped by OpenAI's content filter (``finish_reason: "content_filter"``)."""


class OutputValidationError(StructuredOutputError):
    """The answer's text is not JSON, or JSON that does not fit the type; ``errors`` lists each
    problem as pydantic reports it (empty when the text is not JSON at all)."""

    def __init__(self, message: str, *, errors: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.errors = errors or []


class ToolError(OpenAPIClientError):
    """A tool function raised, or could not be called with the model's arguments, in ``run_tools``
    with ``raise_tool_errors=True``.  ``tool`` names it, ``arguments`` is the JSON the model sent,
    and ``__cause__`` is the original exception (None for a tool the model named but was not given)."""

    def __init__(self, message: str, *, tool: str, arguments: str) -> None:
        super().__init__(message)
        self.tool = tool
        self.arguments = arguments


class WaitTimeoutError(OpenAPIClientError, TimeoutError):
    """``wait()`` reached its ``timeout`` before the object reached a final state; ``last`` is the
    object as last seen (still in progress, so waiting again later may succeed)."""

    def __init__(self, message: str, *, last: Any = None) -> None:
        super().__init__(message)
        self.last = last


class WaitCancelledError(OpenAPIClientError):
    """``wait()`` stopped because its ``cancel`` event was set; ``last`` is the object as last seen.
    (On the asyncio client, cancelling the task raises ``asyncio.CancelledError`` as usual.)"""

    def __init__(self, message: str, *, last: Any = None) -> None:
        super().__init__(message)
        self.last = last


class APIError(OpenAPIClientError):
    """Talking to the API failed; ``message`` says how, ``request`` is "METHOD URL".

    ``attempts`` is how many times the request was sent before the client gave up.
    """

    def __init__(self, message: str, *, request: str | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body
        self.attempts = 1


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
        err = error_details(body)[1]
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


def error_details(body: Any) -> tuple[str | None, dict]:
    """Read OpenAI's error envelope: return ``(message, fields)`` from ``{"error": {...}}``.

    ``fields`` is the error object (``code``, ``type``, ``param``...) or ``{}``.  Also takes
    ``{"error": "text"}``, a bare ``{"message": ...}`` and the error object itself, as servers
    that claim compatibility send them.
    """
    if not isinstance(body, dict):
        return None, {}
    err = body.get("error")
    if isinstance(err, dict):
        message = err.get("message")
        return (str(message) if message else None), err
    if isinstance(err, str) and err:
        return err, {}
    message = body.get("message")
    return (str(message) if message else None), body if message else {}


_MIN_SECRET = 8  # shorter strings would mask ordinary words


class Secret:
    """A secret (the API key): hidden from ``repr`` and ``str``, and redacted from errors.

    ``redact(text)`` masks it in text; ``scrub(exc)`` masks it everywhere an error carries
    text: its message and args, ``body`` (nested), and the body of the answer it holds.  The
    client's other secrets (admin key, Azure AD tokens, proxy password) are registered with
    ``also(value)``: they are masked alike, while ``get()`` still gives the API key.
    """

    __slots__ = ("_also", "_value")

    def __init__(self, value: str | None) -> None:
        self._value = value
        self._also: tuple[str, ...] = ()

    def get(self) -> str | None:
        """The secret itself, for the one place that sends it."""
        return self._value

    def also(self, value: str | None) -> None:
        """Mask ``value`` too wherever this secret is masked (a token, a password)."""
        if value and len(value) >= _MIN_SECRET and value not in self._also and value != self._value:
            self._also = (*self._also[-15:], value)  # rotated tokens: the last few are enough

    def __repr__(self) -> str:
        return "<hidden>" if self._value else "<not set>"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def redact(self, value: Any) -> Any:
        """``value`` (text, bytes, or dicts and lists of them) with the secret masked."""
        secret = self._value
        if secret and len(secret) >= _MIN_SECRET:
            value = _mask(value, secret)
        for other in self._also:
            value = _mask(value, other)
        return value

    def scrub(self, exc: BaseException) -> BaseException:
        """Mask the secret in everything ``exc`` says or carries; return ``exc``."""
        if not self._value and not self._also:
            return exc
        exc.args = tuple(self.redact(a) for a in exc.args)
        for name in ("message", "body", "code", "param", "type"):
            if isinstance(getattr(exc, name, None), (str, dict, list)):
                setattr(exc, name, self.redact(getattr(exc, name)))
        response = getattr(exc, "response", None)
        if response is not None and hasattr(response, "redact_body"):
            response.redact_body(self)
        return exc


def _mask(value: Any, secret: str) -> Any:
    """``value`` (text, bytes, or dicts and lists of them) with ``secret`` masked."""
    if isinstance(value, str):
        return value.replace(secret, secret[:3] + "***") if secret in value else value
    if isinstance(value, bytes):
        raw = secret.encode()
        return value.replace(raw, raw[:3] + b"***") if raw in value else value
    if isinstance(value, dict):
        return {_mask(k, secret): _mask(v, secret) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, secret) for v in value]
    return value
