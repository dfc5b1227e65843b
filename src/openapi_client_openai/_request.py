"""Turning an operation call into the exact request that goes on the wire.  Pure: no I/O.

``build_request`` sorts a call's keywords into path, query and header parameters and body
fields, encodes them as the official SDK does, and picks the body's encoding from the
spec's content types.  The result, a ``PreparedRequest``, can be inspected offline.

Everything that can be checked is checked here, once, before any HTTP stack sees the
request: header names and values, path values, query and body nesting, JSON encodability.
A problem is a ``ParameterError`` naming the place, never a stack's own exception.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from ._errors import ParameterError
from ._multipart import FileSpec, MultipartBody, flatten_form, holds_file, is_file, to_file
from ._qs import encode, flatten, scalar
from .spec import Operation

__all__ = [
    "MAX_DEPTH",
    "PreparedRequest",
    "build_request",
    "check_body",
    "encode_path_value",
    "header_name",
    "header_value",
    "merge_body",
]

MAX_DEPTH = 254  # orjson's nesting limit; far beyond any body the API takes
_FRAMING = frozenset({"content-length", "transfer-encoding"})
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

_JSON = "application/json"
_MULTIPART = "multipart/form-data"
_PATH_SAFE = "!$&'()*+,;=:@"


class PreparedRequest:
    """A request ready to send: method, URL, headers and one form of body.

    ``content`` holds what goes on the wire: bytes (JSON, or a raw body), a ``FileSpec`` (a
    raw body from a file) or a ``MultipartBody``; ``fields`` and ``files`` show a multipart
    body's parts.  ``body_pieces()`` yields the bytes, reading files afresh on each attempt.
    """

    __slots__ = ("content", "fields", "files", "headers", "method", "operation_id", "stream", "url")

    def __init__(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        content: Any = None,
        fields: list[tuple[str, str]] | None = None,
        files: list[tuple[str, FileSpec]] | None = None,
        operation_id: str = "",
    ) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.content = content
        self.fields = fields
        self.files = files
        self.operation_id = operation_id
        self.stream = False  # the body asks for an event stream

    @property
    def description(self) -> str:
        """``METHOD URL``, safe for messages (no headers, so no key)."""
        return f"{self.method} {self.url}"

    def body_length(self) -> int | None:
        """The body's size in bytes (0 without a body), or None if it is only known once sent."""
        content = self.content
        if isinstance(content, bytes):
            return len(content)
        if isinstance(content, FileSpec):
            return content.length()
        if isinstance(content, MultipartBody):
            return content.length
        return 0

    def body_pieces(self) -> Iterator[bytes]:
        """Yield the body's bytes as they go on the wire; each attempt calls it again.

        A body of a known length that turns out longer or shorter (a file that changed while
        it was sent) raises a ``ParameterError``: a wrong length would leave the server reading
        the rest as another request.
        """
        content = self.content
        if isinstance(content, bytes):
            if content:
                yield content
            return
        if content is None:
            return
        expected = self.body_length()
        sent = 0
        for piece in content.pieces():
            sent += len(piece)
            if expected is not None and sent > expected:
                break
            yield piece
        if expected is not None and sent != expected:
            raise ParameterError(
                f"{self.operation_id}: a file changed size while it was sent ({sent} bytes instead of "
                f"{expected}): send it again once it has stopped changing"
            )

    def __repr__(self) -> str:
        return f"<PreparedRequest {self.method} {self.url}>"


def encode_path_value(op: Operation, name: str, value: Any) -> str:
    """Percent-encode one path parameter so that no value can change the path.

    Unreserved characters and ``!$&'()*+,;=:@`` stay as they are (so ``ft:gpt-4o:org:x``
    is sent as is); ``/``, ``?``, ``#``, spaces and the rest are encoded.
    """
    text = scalar(value)
    if text in ("", ".", ".."):
        raise ParameterError(f"{op.id}: the path parameter {name!r} may not be {text!r}")
    try:
        return quote(text, safe=_PATH_SAFE)
    except UnicodeEncodeError:
        raise ParameterError(f"{op.id}: the path parameter {name!r} holds text UTF-8 cannot carry") from None


def _placeholder(value: Any) -> Any:
    if is_file(value):
        return None  # a file in a multipart body: checked as a file, not as JSON
    raise TypeError(type(value).__name__)


def check_body(op: Operation, body: Any, files_allowed: bool = True) -> bytes:
    """Check that ``body`` can go on the wire and return its JSON encoding.

    Refuses, naming the place: object keys that are not strings, nesting deeper than
    ``MAX_DEPTH``, values JSON cannot carry (NaN, infinity, integers beyond 64 bits, other
    types).  Files are allowed in place (as null) when ``files_allowed``, for multipart bodies.
    """
    from orjson import JSONEncodeError, dumps

    try:
        encoded = dumps(body, default=_placeholder if files_allowed else None)
    except (JSONEncodeError, TypeError):
        encoded = None
    if encoded is not None and b"null" not in encoded:
        return encoded  # orjson writes NaN and infinity as null: only then is a closer look needed
    where, problem = _first_problem(body, files_allowed)
    if problem is None and encoded is not None:
        return encoded
    hint = ""
    if not files_allowed and holds_file(body):
        hint = f" (it holds a file, but {op.id} takes no multipart body)"
    raise ParameterError(f"{op.id}: the body cannot be sent as JSON{hint}: {where}: {problem or 'not encodable'}")


def _first_problem(body: Any, files_allowed: bool) -> tuple[str, str | None]:
    """Walk ``body`` without recursion and return ``(place, problem)`` for the first problem."""
    import math

    stack: list[tuple[Any, tuple, int]] = [(body, (), 0)]
    while stack:
        value, path, depth = stack.pop()
        where = _place(path)
        if isinstance(value, Mapping):
            if depth >= MAX_DEPTH:
                return where, f"nested more than {MAX_DEPTH} levels deep"
            for key, item in reversed(list(value.items())):
                if not isinstance(key, str):
                    return where, f"the key {key!r} is a {type(key).__name__}: JSON object keys must be strings"
                stack.append((item, (*path, key), depth + 1))
        elif isinstance(value, (list, tuple)):
            if depth >= MAX_DEPTH:
                return where, f"nested more than {MAX_DEPTH} levels deep"
            stack.extend((item, (*path, i), depth + 1) for i, item in reversed(list(enumerate(value))))
        elif isinstance(value, float) and not math.isfinite(value):
            return where, f"{value} is not a number JSON can carry"
        elif isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**64:
            return where, "the integer is too large for JSON (more than 64 bits)"
        elif isinstance(value, str):
            try:
                value.encode()
            except UnicodeEncodeError:
                return where, "the text holds a lone surrogate, which UTF-8 cannot carry"
        elif value is None or isinstance(value, (bool, int, float)) or (files_allowed and is_file(value)):
            continue
        else:
            try:
                from orjson import dumps

                dumps(value)
            except (TypeError, ValueError):
                return where, f"a {type(value).__name__} cannot be sent as JSON"
    return "body", None


def _place(path: tuple) -> str:
    text = "body"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text if len(text) <= 120 else text[:57] + "..." + text[-60:]


def _raw_content(op: Operation, body: Any) -> Any:
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    if is_file(body):
        return to_file("body", body)
    raise ParameterError(f"{op.id}: the body must be bytes, a str or a file, not {type(body).__name__}")


def merge_body(op: Operation, body: Any, params: Mapping[str, Any]) -> Any:
    """The body a call sends: ``body`` plus the keywords that name no parameter (as fields).

    For an operation the spec gives no body those keywords are query fields instead, and a
    body that is not a mapping cannot take fields (``build_request`` says so).
    """
    if not op.content_types:
        return body
    extra = {k: v for k, v in params.items() if v is not None and k not in op.by_kwarg}
    if not extra:
        return body
    if body is None:
        return extra
    return {**body, **extra} if isinstance(body, Mapping) else body


def build_request(
    op: Operation,
    base_url: str,
    base_headers: Mapping[str, str],
    body: Any = None,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    query: Mapping[str, Any] | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> PreparedRequest:
    """Build the wire request for one call of ``op``.

    ``params`` are the call's keywords: those naming a path, query or header parameter go
    there, the rest become fields of a JSON object body (or, for an operation the spec gives
    no body, extra query fields).  ``None`` values are left out.
    ``headers`` and ``query`` add to (and override) what the call produces, and ``extra_body``
    adds fields to a mapping body (the caller validates before; these are sent as given).
    """
    if query is not None and not isinstance(query, Mapping):
        params = {**(params or {}), "query": query}  # a body field or parameter named `query`
        query = None
    if headers is not None and not isinstance(headers, Mapping):
        raise ParameterError(f"{op.id}: headers= must be a mapping of header names to values")
    path_values: dict[str, str] = {}
    pairs: list[tuple[str, str]] = []
    out_headers = dict(base_headers)
    if op.beta:
        out_headers["OpenAI-Beta"] = op.beta
    fields_given: dict[str, Any] | None = None
    if params:
        by_kwarg = op.by_kwarg
        for key, value in params.items():
            if value is None:
                continue
            prm = by_kwarg.get(key)
            if prm is None:
                if fields_given is None:
                    fields_given = {}
                fields_given[key] = value
            elif prm.location == "path":
                path_values[prm.name] = encode_path_value(op, prm.name, value)
            elif prm.location == "query":
                flatten(prm.wire, value, pairs)
            elif prm.location == "header":
                text = ",".join(scalar(v) for v in value) if isinstance(value, (list, tuple)) else scalar(value)
                _set_header(out_headers, prm.name, text)
    missing = [p.name for p in op.path_params if p.name not in path_values]
    if missing:
        names = ", ".join(f"{m}=..." for m in missing)
        raise ParameterError(f"{op.id} needs the path parameter(s) {names} ({op.method} {op.path})")
    path = op.path
    for name, text in path_values.items():
        path = path.replace("{" + name + "}", text)
    if fields_given is not None and body is None and not op.content_types:
        # The spec gives this operation no body: unknown keywords are new query fields.
        for key, value in fields_given.items():
            flatten(key, value, pairs)
        fields_given = None
    if fields_given is not None:
        if body is None:
            body = fields_given
        elif isinstance(body, Mapping):
            body = {**body, **fields_given}
        else:
            names = ", ".join(fields_given)
            raise ParameterError(f"{op.id}: keywords {names} name no parameter and body= is not a mapping")

    static = op.static_query
    if query:
        # Per-call query fields replace what the call and the spec's path put there.
        bad = next((k for k in query if not isinstance(k, (str, int)) or isinstance(k, bool)), None)
        if bad is not None:
            raise ParameterError(f"{op.id}: extra_query= has a key {bad!r}: query keys must be strings")
        names = {str(k) for k in query}
        pairs = [(k, v) for k, v in pairs if _base_name(k) not in names]
        if static:
            static = "&".join(p for p in static.split("&") if p.split("=", 1)[0] not in names)
        for key, value in query.items():
            flatten(str(key), value, pairs)
    base, _, base_query = base_url.partition("?")  # a base URL may carry a query (api-version=...)
    url = base + path
    qs = encode(pairs)
    if static:
        qs = f"{static}&{qs}" if qs else static
    if base_query:
        qs = f"{base_query}&{qs}" if qs else base_query
    if qs:
        url = f"{url}?{qs}"

    if extra_body:
        if not isinstance(extra_body, Mapping):
            raise ParameterError(f"{op.id}: extra_body= must be a mapping of field names to values")
        if body is None:
            body = dict(extra_body)
        elif isinstance(body, Mapping):
            body = {**body, **extra_body}
        else:
            raise ParameterError(f"{op.id}: extra_body= adds fields to a JSON or form body, and this body is not one")
    req = PreparedRequest(op.method, url, out_headers, operation_id=op.id)
    if isinstance(body, Mapping):
        req.stream = body.get("stream") in (True, "true") or body.get("stream_format") == "sse"
    if body is not None:
        types = op.content_types
        if _MULTIPART in types and isinstance(body, Mapping) and (_JSON not in types or holds_file(body)):
            check_body(op, body)
            req.fields, req.files = flatten_form(body)
            req.content = MultipartBody(req.fields, req.files)
            out_headers["Content-Type"] = req.content.content_type
        elif _JSON in types or not types or (isinstance(body, Mapping) and not is_file(body)):
            req.content = check_body(op, body, files_allowed=False)
            out_headers["Content-Type"] = _JSON
        else:
            ctype = next((t for t in types if t != _MULTIPART), types[0])
            req.content = _raw_content(op, body)
            out_headers["Content-Type"] = ctype
    if headers:
        for key, value in headers.items():
            _set_header(out_headers, key, value)
    return req


def _base_name(key: str) -> str:
    cut = key.find("[")
    return key if cut < 0 else key[:cut]


def header_name(name: Any) -> str:
    """Check a header name (a string of HTTP token characters) and return it.

    ``Content-Length`` and ``Transfer-Encoding`` are refused: the client sets them from the
    body, and a second, different value would let a server read the body differently.
    """
    if not isinstance(name, str):
        raise ParameterError(f"header names must be strings, not {type(name).__name__} ({name!r})")
    if not name or not _TOKEN.issuperset(name):
        raise ParameterError(
            f"the header name {name!r} holds a character a header name cannot have "
            "(a space, a colon, a newline...): use letters, digits and - only"
        )
    if name.lower() in _FRAMING:
        raise ParameterError(f"the header {name!r} is set by the client from the body: leave it out")
    return name


def header_value(name: str, value: Any) -> str:
    """Check one header value and return its text; raise ``ParameterError`` naming the header."""
    if not isinstance(value, str):
        if isinstance(value, (bool, int, float)):
            value = scalar(value)
        else:
            raise ParameterError(f"the header {name!r} must be a string, not {type(value).__name__}")
    value = value.strip(" \t")  # what a .env file or a copy-paste leaves around it
    if not value.isascii() or not value.isprintable():
        raise ParameterError(
            f"the header {name!r} holds a character that cannot be sent (non-ASCII, or a control character "
            "such as a newline)"
        )
    return value


def _set_header(headers: dict[str, str], name: str, value: Any) -> None:
    """Set a header replacing any other spelling of its name; ``None`` removes it."""
    lname = header_name(name).lower()
    for old in [k for k in headers if k.lower() == lname]:
        del headers[old]
    if value is not None:
        headers[name] = header_value(name, value)
