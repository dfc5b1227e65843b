"""Turning an operation call into the exact request that goes on the wire.  Pure: no I/O.

``build_request`` sorts a call's keywords into path, query and header parameters and body
fields, encodes them as the official SDK does, and picks the body's encoding from the
spec's content types.  The result, a ``PreparedRequest``, can be inspected offline.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ._errors import ParameterError
from ._multipart import FileSpec, flatten_form, holds_file, is_file, to_file
from ._qs import encode, flatten, scalar
from .spec import Operation

__all__ = ["PreparedRequest", "build_request", "encode_path_value", "header_value", "merge_body"]

_JSON = "application/json"
_MULTIPART = "multipart/form-data"
_PATH_SAFE = "!$&'()*+,;=:@"


class PreparedRequest:
    """A request ready to send: method, URL, headers and one form of body.

    ``content`` holds bytes or a file for JSON and raw bodies; ``fields`` and ``files``
    hold a multipart body (``files`` as ``FileSpec`` objects, opened per attempt).
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
    return quote(text, safe=_PATH_SAFE)


def _json_bytes(op: Operation, body: Any) -> bytes:
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    except (TypeError, ValueError) as exc:
        hint = ""
        if holds_file(body):
            hint = f" (it holds a file, but {op.id} takes no multipart body)"
        raise ParameterError(f"{op.id}: the body cannot be sent as JSON{hint}: {exc}") from None


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
) -> PreparedRequest:
    """Build the wire request for one call of ``op``.

    ``params`` are the call's keywords: those naming a path, query or header parameter go
    there, the rest become fields of a JSON object body (or, for an operation the spec gives
    no body, extra query fields).  ``None`` values are left out.
    ``headers`` and ``query`` add to (and override) what the call produces.
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
    extra_body: dict[str, Any] | None = None
    if params:
        by_kwarg = op.by_kwarg
        for key, value in params.items():
            if value is None:
                continue
            prm = by_kwarg.get(key)
            if prm is None:
                if extra_body is None:
                    extra_body = {}
                extra_body[key] = value
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
    if extra_body is not None and body is None and not op.content_types:
        # The spec gives this operation no body: unknown keywords are new query fields.
        for key, value in extra_body.items():
            flatten(key, value, pairs)
        extra_body = None
    if extra_body is not None:
        if body is None:
            body = extra_body
        elif isinstance(body, Mapping):
            body = {**body, **extra_body}
        else:
            fields = ", ".join(extra_body)
            raise ParameterError(f"{op.id}: keywords {fields} name no parameter and body= is not a mapping")

    static = op.static_query
    if query:
        # Per-call query fields replace what the call and the spec's path put there.
        names = {str(k) for k in query}
        pairs = [(k, v) for k, v in pairs if _base_name(k) not in names]
        if static:
            static = "&".join(p for p in static.split("&") if p.split("=", 1)[0] not in names)
        for key, value in query.items():
            flatten(str(key), value, pairs)
    url = base_url + path
    qs = encode(pairs)
    if static:
        qs = f"{static}&{qs}" if qs else static
    if qs:
        url = f"{url}?{qs}"

    req = PreparedRequest(op.method, url, out_headers, operation_id=op.id)
    if isinstance(body, Mapping):
        req.stream = body.get("stream") in (True, "true") or body.get("stream_format") == "sse"
    if body is not None:
        types = op.content_types
        if _MULTIPART in types and isinstance(body, Mapping) and (_JSON not in types or holds_file(body)):
            req.fields, req.files = flatten_form(body)
        elif _JSON in types or not types or (isinstance(body, Mapping) and not is_file(body)):
            req.content = _json_bytes(op, body)
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


def header_value(name: str, value: Any) -> str:
    """Check one header value and return its text; raise ``ParameterError`` naming the header."""
    if not isinstance(value, str):
        if isinstance(value, (bool, int, float)):
            value = scalar(value)
        else:
            raise ParameterError(f"the header {name!r} must be a string, not {type(value).__name__}")
    if not value.isascii() or any(ch in value for ch in "\r\n\x00"):
        raise ParameterError(f"the header {name!r} holds a character that cannot be sent (non-ASCII, a newline or NUL)")
    return value


def _set_header(headers: dict[str, str], name: str, value: Any) -> None:
    """Set a header replacing any other spelling of its name; ``None`` removes it."""
    lname = name.lower()
    for old in [k for k in headers if k.lower() == lname]:
        del headers[old]
    if value is not None:
        headers[name] = header_value(name, value)
