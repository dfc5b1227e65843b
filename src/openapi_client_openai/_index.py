"""The operation index: what the client needs to know about each operation, as plain data.

``compile_index`` turns a parsed OpenAPI document (3.0 or 3.1) into a small structure of
dicts, tuples and strings that ``marshal`` can store, so that later starts skip the YAML.
``Operation`` is the frozen view of one entry, built only when an operation is first used.
"""

from __future__ import annotations

TYPE_CHECKING = False  # avoids importing typing at run time (~5 ms)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["INDEX_FORMAT", "Operation", "Param", "beta_header_for", "compile_index", "snake_case"]

# Bump whenever the shape of the compiled index changes: old cache entries are then ignored.
INDEX_FORMAT = 1

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

# The OpenAI-Beta header the official SDK sends, by the first segment of the path.
_BETA_BY_PREFIX = {
    "assistants": "assistants=v2",
    "threads": "assistants=v2",
    "vector_stores": "assistants=v2",
    "chatkit": "chatkit_beta=v1",
}


def snake_case(operation_id: str) -> str:
    """Return the snake_case alias of an operationId.

    Splits at every lower-case letter or digit followed by an upper-case one and at dashes,
    then lower-cases: ``createChatCompletion`` -> ``create_chat_completion``,
    ``create-realtime-call`` -> ``create_realtime_call``.
    """
    out = []
    prev = ""
    for ch in operation_id:
        if ch in "-. ":
            ch = "_"
        elif ch.isupper() and (prev.islower() or prev.isdigit()):
            out.append("_")
        out.append(ch)
        prev = ch
    return "".join(out).lower()


def beta_header_for(path: str) -> str | None:
    """Return the OpenAI-Beta value the official SDK sends for a path, or None."""
    first = path.lstrip("/").split("/", 1)[0].split("?", 1)[0]
    return _BETA_BY_PREFIX.get(first)


def _deref(doc: dict, node: Any, depth: int = 0) -> Any:
    while isinstance(node, dict) and "$ref" in node and depth < 32:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return {}
        target: Any = doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        node = target if target is not None else {}
        depth += 1
    return node


def _kind(doc: dict, schema: Any) -> str:
    """Classify a parameter schema as 'array', 'object' or 'scalar' for encoding."""
    schema = _deref(doc, schema)
    if not isinstance(schema, dict):
        return "scalar"
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    if "array" in types:
        return "array"
    if "object" in types:
        return "object"
    for key in ("anyOf", "oneOf", "allOf"):
        for alt in schema.get(key) or ():
            kind = _kind(doc, alt)
            if kind != "scalar":
                return kind
    return "scalar"


def _compile_op(doc: dict, method: str, path: str, op: dict, shared: list, secured: bool) -> tuple:
    params = []
    seen = set()
    # Operation-level parameters override path-level ones with the same name and location.
    own = op.get("parameters")
    for raw in [*(own if isinstance(own, list) else ()), *(shared if isinstance(shared, list) else ())]:
        prm = _deref(doc, raw)
        if not isinstance(prm, dict) or "name" not in prm or "in" not in prm:
            continue
        key = (prm["name"], prm["in"])
        if key in seen or prm["in"] == "cookie":
            continue
        seen.add(key)
        params.append(
            (
                str(prm["name"]),
                prm["in"],
                bool(prm.get("required") or prm["in"] == "path"),
                _kind(doc, prm.get("schema")),
            )
        )
    body = _deref(doc, op.get("requestBody")) or {}
    content_types = tuple(body.get("content") or ()) if isinstance(body, dict) else ()
    streaming = False
    for resp in (op.get("responses") or {}).values():
        resp = _deref(doc, resp)
        if isinstance(resp, dict) and "text/event-stream" in (resp.get("content") or {}):
            streaming = True
    summary = op.get("summary") or ""
    if not summary:
        summary = (op.get("description") or "").strip().split("\n", 1)[0]
    return (
        method.upper(),
        path,
        str(summary).strip(),
        tuple(params),
        content_types,
        bool(body.get("required")) if isinstance(body, dict) else False,
        streaming,
        beta_header_for(path),
        tuple(str(t) for t in op.get("tags") or ()),
        bool(op.get("deprecated")),
        bool(op["security"]) if isinstance(op.get("security"), list) else secured,
    )


def compile_index(doc: Any, source: str) -> dict:
    """Compile a parsed OpenAPI document into the marshal-able operation index.

    ``source`` names the file or URL in errors.  Raises ``SpecError`` when the document is not
    an OpenAPI 3 document, or is one whose structure this cannot read.
    """
    from ._errors import SpecError

    try:
        return _compile(doc, source)
    except SpecError:
        raise
    except (TypeError, KeyError, AttributeError, ValueError, IndexError) as exc:
        raise SpecError(f"{source} is not a well-formed OpenAPI document ({type(exc).__name__}: {exc})") from None


def _compile(doc: Any, source: str) -> dict:
    from ._errors import SpecError

    if not isinstance(doc, dict):
        raise SpecError(f"{source} is not an OpenAPI document: its top level is not a mapping")
    version = doc.get("openapi")
    if version is None and "swagger" in doc:
        raise SpecError(f"{source} is a Swagger {doc.get('swagger')} document; an OpenAPI 3.0 or 3.1 spec is needed")
    if not isinstance(version, str) or not version.startswith("3."):
        raise SpecError(f"{source} is not an OpenAPI 3 document (its 'openapi' field is {version!r})")
    paths = doc.get("paths")
    if not isinstance(paths, dict):
        raise SpecError(f"{source} has no 'paths': it describes no operations")
    ops: dict[str, tuple] = {}
    # A key is needed unless the spec says no security; specs without the field assume a key.
    secured = bool(doc["security"]) if isinstance(doc.get("security"), list) else True
    for path, item in paths.items():
        item = _deref(doc, item)
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters") or []
        for method in _METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            op_id = op.get("operationId") or snake_case(f"{method}{path}".replace("/", "_"))
            ops[str(op_id)] = _compile_op(doc, method, str(path), op, shared, secured)
    names: dict[str, str] = {}
    for op_id in ops:
        names.setdefault(snake_case(op_id), op_id)
    for op_id in ops:  # the id as written wins over another operation's snake alias
        if op_id.isidentifier():
            names[op_id] = op_id
    info = doc.get("info") if isinstance(doc.get("info"), dict) else {}
    servers = doc.get("servers")
    first = servers[0] if isinstance(servers, list) and servers else None
    server = first.get("url") if isinstance(first, dict) else None
    return {
        "format": INDEX_FORMAT,
        "openapi": version,
        "title": str(info.get("title") or ""),
        "version": str(info.get("version") or ""),
        "server": str(server or ""),
        "ops": ops,
        "names": names,
    }


class Param:
    """One parameter of an operation: its spec name, location, and how it is encoded."""

    __slots__ = ("kind", "kwarg", "location", "name", "required", "wire")

    def __init__(self, name: str, location: str, required: bool, kind: str) -> None:
        self.name = name
        self.location = location
        self.required = required
        self.kind = kind
        # `include[]` is passed as include=...; header names become identifiers too.
        bare = name[:-2] if name.endswith("[]") else name
        self.kwarg = bare.replace("-", "_") if location == "header" else bare
        if location == "query" and kind == "array":
            self.wire = bare + "[]"
        else:
            self.wire = bare if location == "query" else name

    def __repr__(self) -> str:
        return f"Param({self.name!r}, in={self.location!r}, required={self.required})"


class Operation:
    """A frozen view of one operation in the index."""

    __slots__ = (
        "beta",
        "body_required",
        "by_kwarg",
        "content_types",
        "deprecated",
        "id",
        "method",
        "needs_key",
        "params",
        "path",
        "path_params",
        "static_query",
        "streaming",
        "summary",
        "tags",
        "validator",
    )

    def __init__(self, op_id: str, entry: tuple) -> None:
        (method, path, summary, params, content_types, body_required, streaming, beta, tags, dep, key) = entry
        self.id = op_id
        self.method = method
        self.summary = summary
        self.params = tuple(Param(*p) for p in params)
        self.content_types = content_types
        self.body_required = body_required
        self.streaming = streaming
        self.beta = beta
        self.tags = tags
        self.deprecated = dep
        self.needs_key = key
        self.by_kwarg = {}
        for p in self.params:
            self.by_kwarg[p.kwarg] = p
            self.by_kwarg.setdefault(p.name, p)
        # A path written with a query (`/responses?beta=true`) always sends that query.
        self.path, _, self.static_query = path.partition("?")
        self.path_params = tuple(p for p in self.params if p.location == "path")
        self.validator = None  # set on first validation (see SpecIndex.validator)

    def __repr__(self) -> str:
        return f"<Operation {self.id}: {self.method} {self.path}>"
