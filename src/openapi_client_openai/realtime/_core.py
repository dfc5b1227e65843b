"""The I/O-free half of a realtime connection, shared by the blocking and asyncio ones.

``plan()`` turns a client's settings into the WebSocket handshake (URL, headers, protocol
family); ``Session`` checks and encodes what is sent, decodes what arrives (an ``error`` event
becomes an ``APIError``), keeps the responses being assembled (``_final``) and names every way
the connection can end, so that ``_sync`` and ``_async`` only move text to and from a socket.
"""

from __future__ import annotations

from .._errors import APIConnectionError, APIError, APITimeoutError, MissingAPIKeyError, Secret
from .._request import check_body
from ._events import EventCatalog
from ._final import Responses

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = ["BETA_HEADER", "Plan", "RealtimeError", "Session", "plan"]

BETA_HEADER = ("OpenAI-Beta", "realtime=v1")


class Plan:
    """What opening a connection needs: ``url``, ``headers`` (the key among them, hidden from
    ``repr``), ``family`` (``ga`` or ``beta``) and the secret to scrub from errors."""

    __slots__ = ("family", "headers", "secret", "url")

    def __init__(self, url: str, headers: dict[str, str], family: str, secret: Secret) -> None:
        self.url, self.headers, self.family, self.secret = url, headers, family, secret

    def __repr__(self) -> str:
        return f"<realtime plan {self.family} {self.url}>"


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def plan(
    client: Any,
    model: str | None,
    query: Mapping[str, Any],
    beta: bool,
    client_secret: str | None,
    extra_headers: Mapping[str, str] | None,
) -> Plan:
    """The handshake of ``client.realtime.connect(...)``: the base URL turned into ``ws(s)://``
    plus ``/realtime?model=...``, the bearer key (or an ephemeral client secret), organization and
    project, the client's default headers, and ``OpenAI-Beta: realtime=v1`` for a beta session."""
    from urllib.parse import urlencode

    from .._request import header_name, header_value

    params = {"model": model, **query} if model is not None else dict(query)
    pairs = [(k, _query_value(v)) for k, v in params.items() if v is not None]
    base = client.base_url
    scheme, rest = base.split("://", 1)
    url = ("wss" if scheme == "https" else "ws") + "://" + rest + "/realtime"
    if pairs:
        url += ("&" if "?" in url else "?") + urlencode(pairs)
    secret = Secret(client_secret) if client_secret is not None else client._key
    client_secret = None
    headers = dict(client._base_headers())
    for name, value in (extra_headers or {}).items():
        headers[header_name(name)] = header_value(name, value)
    if beta:
        headers[BETA_HEADER[0]] = BETA_HEADER[1]
    if not any(name.lower() == "authorization" for name in headers):
        if not secret:
            raise MissingAPIKeyError(
                "a realtime connection needs an API key: set OPENAI_API_KEY, pass api_key= to the client, "
                "or client_secret= (an ephemeral key from createRealtimeClientSecret) to connect()"
            )
        headers["Authorization"] = f"Bearer {secret.get()}"
    return Plan(url, headers, "beta" if beta else "ga", secret)


class Session:
    """A connection's state and rules, without its socket (see the module docstring)."""

    def __init__(
        self, catalog: EventCatalog, target: Plan, validate: str, raise_errors: bool, idle_timeout: float | None
    ) -> None:
        self.catalog = catalog
        self.family = target.family
        self.url = target.url
        self.secret = target.secret
        self.validate = validate
        self.raise_errors = raise_errors
        self.idle_timeout = idle_timeout
        self.responses = Responses()
        self.client_events = catalog.events(self.family, "client")  # raises if the spec lacks the family
        self.closed: BaseException | None = None
        self.ended = False  # the server closed normally: iteration stops there

    # -- sending ------------------------------------------------------------------------

    def encode(self, event: Any) -> bytes:
        """Check ``event`` against its client-event schema (as the client's ``validate`` mode
        says) and return its JSON (UTF-8, sent as a text frame); a ``response.create`` makes ``final()`` wait for it."""
        if self.validate != "off":
            problems, near = self.catalog.check(self.family, event)
            if self.validate == "strict":
                problems, near = problems + near, []
            if problems:
                from .._errors import RequestValidationError

                name = event.get("type") if isinstance(event, dict) else None
                label = f"realtime event {name}" if isinstance(name, str) else "realtime event"
                if self.validate in ("error", "strict"):
                    raise RequestValidationError(label, problems)
                import logging

                lines = "".join(f"\n  - {p}" for p in problems)
                logging.getLogger("openapi_client_openai").warning(
                    "%s: does not fit the spec; sending it anyway (validate='warn'):%s", label, lines
                )
            if near:
                _warn_near(event, near, self.validate)
        elif not isinstance(event, dict):
            from .._errors import ParameterError

            raise ParameterError(f"a realtime event is a dict (a JSON object), not {type(event).__name__}")
        data = check_body(_Label(event.get("type")), event, files_allowed=False)
        if event.get("type") == "response.create":
            self.responses.asked()
        return data

    # -- receiving ----------------------------------------------------------------------

    def decode(self, data: str | bytes) -> dict[str, Any]:
        """The server event in a message; an ``error`` event raises ``APIError`` unless
        ``raise_errors=False``."""
        import orjson

        try:
            event = orjson.loads(data)
        except orjson.JSONDecodeError:
            raise self.fail(APIConnectionError(f"the server sent a message that is not JSON: {data[:200]!r}")) from None
        if not isinstance(event, dict):
            raise self.fail(APIConnectionError(f"the server sent JSON that is not an event object: {data[:200]!r}"))
        self.responses.feed(event)
        if event.get("type") == "error" and self.raise_errors:
            raise self.secret.scrub(error_from_event(event, self.url))
        return event

    def final(self) -> dict[str, Any] | None:
        """The current response assembled once it is done, else None (read on)."""
        return self.responses.final()

    # -- ending -------------------------------------------------------------------------

    def timed_out(self) -> APITimeoutError:
        """The error of a wait for a server event that lasted longer than ``idle_timeout``."""
        exc = APITimeoutError(
            f"no realtime event from the server within {self.idle_timeout:g} s: the server stalled or the "
            "network dropped; reconnect, or wait longer with idle_timeout=",
            request=f"GET {self.url}",
        )
        return self.fail(exc)

    def closed_by_peer(self, code: int | None, reason: str, clean: bool) -> APIConnectionError | None:
        """What a close from the server means: None for a normal end (code 1000 or 1001, the
        events simply stop), else an ``APIConnectionError`` naming the code and reason."""
        if clean and code in (1000, 1001):
            self.ended = True
            self.closed = self.closed or APIConnectionError(
                f"the realtime connection is closed (code {code}{': ' + reason if reason else ''}): "
                "open a new one with client.realtime.connect(...)",
                request=f"GET {self.url}",
            )
            return None
        shown = "no close frame (the connection dropped)" if code is None or code == 1006 else f"code {code}"
        return self.fail(
            APIConnectionError(
                f"the realtime connection closed with {shown}{': ' + reason if reason else ''}",
                request=f"GET {self.url}",
            )
        )

    def fail(self, exc: Any) -> Any:
        """Remember that the connection ended with ``exc`` (scrubbed of the key) and return it."""
        exc = self.secret.scrub(exc)
        self.closed = self.closed or exc
        return exc

    def after_close(self) -> APIConnectionError:
        """The error of using a connection that has ended."""
        if isinstance(self.closed, APIConnectionError):
            return self.closed
        return APIConnectionError(
            "the realtime connection is closed: open a new one with client.realtime.connect(...)",
            request=f"GET {self.url}",
        )

    def handshake_failed(self, exc: BaseException) -> APIError:
        """The error of a handshake the server refused, or a server that could not be reached."""
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
        if isinstance(status, int):
            from .._errors import error_details, status_error_class

            body: Any = bytes(getattr(response, "body", b"") or b"").decode("utf-8", "replace")
            try:
                import orjson

                body = orjson.loads(body)
            except Exception:
                pass
            message = error_details(body)[0] or (body if isinstance(body, str) and body else "")
            headers = getattr(response, "headers", {}) or {}
            error = status_error_class(status)(
                f"the realtime handshake was refused with HTTP {status}{': ' + message if message else ''}",
                status_code=status,
                request_id=headers.get("x-request-id"),
                body=body,
                request=f"GET {self.url}",
            )
            return self.fail(error)
        if isinstance(exc, TimeoutError):
            return self.fail(APITimeoutError(f"the realtime handshake timed out ({exc})", request=f"GET {self.url}"))
        text = f"could not open the realtime connection to {self.url}: {type(exc).__name__}: {exc}"
        return self.fail(APIConnectionError(text, request=f"GET {self.url}"))


class RealtimeError(APIError):
    """An ``error`` event from the realtime server, raised (an ``APIError``): the server's
    message, and ``type``, ``code``, ``param`` and ``event_id`` (the client event it is about);
    ``body`` is the whole event."""

    def __init__(self, message: str, *, request: str | None = None, body: Any = None) -> None:
        super().__init__(message, request=request, body=body)
        error = body.get("error") if isinstance(body, dict) and isinstance(body.get("error"), dict) else {}
        self.type: str | None = error.get("type")
        self.code: str | None = error.get("code")
        self.param: str | None = error.get("param")
        self.event_id: str | None = error.get("event_id")


def error_from_event(event: dict[str, Any], url: str) -> RealtimeError:
    """An ``APIError`` from a server ``error`` event: the server's message, with its ``type``,
    ``code``, ``param`` and ``event_id`` (the client event it refers to) as attributes."""
    error = event.get("error") if isinstance(event.get("error"), dict) else {}
    message = error.get("message") or "the server sent an error event without a message"
    details = [f"{k}={error[k]!r}" for k in ("type", "code", "param", "event_id") if error.get(k)]
    text = f"realtime error: {message}" + (f" ({', '.join(details)})" if details else "")
    return RealtimeError(text, request=f"GET {url}", body=event)


class _Label:
    """What ``check_body`` names in its messages: the event's type."""

    __slots__ = ("id",)

    def __init__(self, kind: Any) -> None:
        self.id = f"realtime event {kind}" if isinstance(kind, str) else "realtime event"


def _warn_near(event: Any, near: list, mode: str) -> None:
    """Say that fields of a client event look mistyped (sent anyway): the GA schemas allow
    unknown fields, so without this a typo would pass in silence."""
    kind = event.get("type") if isinstance(event, dict) else "?"
    lines = "".join(f"\n  - {p}" for p in near)
    text = f"realtime event {kind}: fields the spec does not declare, sent as given; typos?{lines}"
    if mode == "warn":
        import logging

        logging.getLogger("openapi_client_openai").warning("%s", text)
        return
    import warnings

    from .._errors import UnknownFieldWarning

    warnings.warn(UnknownFieldWarning(text + "\n(validate='strict' refuses them)"), stacklevel=4)
