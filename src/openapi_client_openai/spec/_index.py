"""The operation index: compiling a spec, viewing its operations, loading it through the cache.

``compile_index`` turns a parsed OpenAPI document (3.0 or 3.1) into a small structure of
dicts, tuples and strings that ``marshal`` can store, so that later starts skip the YAML.
``Operation`` is the frozen view of one entry, built only when an operation is first used.
``load_index`` finds the spec (see ``_load``) and returns its ``SpecIndex``: the first load
of a spec parses it and writes the compiled index to the user cache, keyed by the SHA-256
of the spec's bytes; later loads read only that small file.  A changed spec has a new hash
and so a new entry.
"""

from __future__ import annotations

import os
import sys
import zlib

from .._errors import SpecError, UnknownOperationError
from ._cache import cache_path, code_tag, read_blob, read_data, write_blob, write_data
from ._load import find_spec, is_url, parse_spec, read_spec

TYPE_CHECKING = False  # avoids importing typing at run time (~5 ms)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from ._routing import Router
    from ._walk import Walker

__all__ = [
    "INDEX_FORMAT",
    "Operation",
    "Param",
    "SpecIndex",
    "beta_header_for",
    "compile_index",
    "index_from_bytes",
    "load_index",
    "snake_case",
]

# Bump whenever the shape of the compiled index changes: old cache entries are then ignored.
# 3: each operation's security schemes, and the spec's schemes (admin key, Azure's api-key).
INDEX_FORMAT = 3

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


def _kind(walker: Walker, schema: Any, depth: int = 0) -> str:
    """Classify a parameter schema as 'array', 'object' or 'scalar' for encoding."""
    schema = walker.resolve(schema)
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
            kind = _kind(walker, alt, depth + 1) if depth < 8 else "scalar"  # a schema made of itself
            if kind != "scalar":
                return kind
    return "scalar"


def _scheme_names(security: Any) -> tuple[str, ...]:
    """The scheme names a ``security`` list offers, in order (each requirement is an alternative)."""
    names: list[str] = []
    for requirement in security if isinstance(security, list) else ():
        for name in requirement if isinstance(requirement, dict) else ():
            if str(name) not in names:
                names.append(str(name))
    return tuple(names)


def _schemes(doc: dict) -> dict[str, tuple[str, str, str]]:
    """The spec's security schemes: name -> (type, http scheme or "in", header or query name)."""
    found: dict[str, tuple[str, str, str]] = {}
    components = doc.get("components") if isinstance(doc.get("components"), dict) else {}
    for name, scheme in (components.get("securitySchemes") or {}).items():
        if isinstance(scheme, dict):
            kind = str(scheme.get("type") or "")
            where = str(scheme.get("scheme") or scheme.get("in") or "")
            found[str(name)] = (kind, where.lower() if kind == "http" else where, str(scheme.get("name") or ""))
    return found


def _compile_op(
    walker: Walker, method: str, path: str, op: dict, params: list[dict], secured: bool, default: tuple
) -> tuple:
    body = walker.resolve(op.get("requestBody")) or {}
    content_types = tuple(body.get("content") or ()) if isinstance(body, dict) else ()
    streaming = False
    for resp in (op.get("responses") or {}).values():
        resp = walker.resolve(resp)
        if isinstance(resp, dict) and "text/event-stream" in (resp.get("content") or {}):
            streaming = True
    pages = method.lower() == "get" and _answers_a_page(walker, op)
    summary = op.get("summary") or ""
    if not summary:
        summary = (op.get("description") or "").strip().split("\n", 1)[0]
    return (
        method.upper(),
        path,
        str(summary).strip(),
        tuple(
            (str(p["name"]), p["in"], bool(p.get("required") or p["in"] == "path"), _kind(walker, p.get("schema")))
            for p in params
            if p["in"] != "cookie"  # cookies are the browser's business, not an API client's
        ),
        content_types,
        bool(body.get("required")) if isinstance(body, dict) else False,
        streaming,
        beta_header_for(path),
        tuple(str(t) for t in op.get("tags") or ()),
        bool(op.get("deprecated")),
        bool(op["security"]) if isinstance(op.get("security"), list) else secured,
        pages,
        _scheme_names(op["security"]) if isinstance(op.get("security"), list) else default,
    )


def _answers_a_page(walker: Walker, op: dict) -> bool:
    """Whether the 200 answer is a list page: an object whose ``data`` is an array."""
    answer = walker.resolve((op.get("responses") or {}).get("200") or (op.get("responses") or {}).get(200))
    content = answer.get("content") if isinstance(answer, dict) else None
    media = (content or {}).get("application/json") if isinstance(content, dict) else None
    schema = walker.resolve(media.get("schema")) if isinstance(media, dict) else None
    for part in [schema, *((schema or {}).get("allOf") or ())] if isinstance(schema, dict) else ():
        data = (
            (walker.resolve(part).get("properties") or {}).get("data")
            if isinstance(walker.resolve(part), dict)
            else None
        )
        data = walker.resolve(data)
        if isinstance(data, dict) and (data.get("type") == "array" or "items" in data):
            return True
    return False


def compile_index(doc: Any, source: str) -> dict:
    """Compile a parsed OpenAPI document into the marshal-able operation index.

    ``source`` names the file or URL in errors.  Raises ``SpecError`` when the document is not
    an OpenAPI 3 document, or is one whose structure this cannot read.
    """
    try:
        return _compile(doc, source)
    except SpecError:
        raise
    except (TypeError, KeyError, AttributeError, ValueError, IndexError) as exc:
        raise SpecError(f"{source} is not a well-formed OpenAPI document ({type(exc).__name__}: {exc})") from None


def _compile(doc: Any, source: str) -> dict:
    if not isinstance(doc, dict):
        raise SpecError(f"{source} is not an OpenAPI document: its top level is not a mapping")
    version = doc.get("openapi")
    if version is None and "swagger" in doc:
        raise SpecError(f"{source} is a Swagger {doc.get('swagger')} document; an OpenAPI 3.0 or 3.1 spec is needed")
    if not isinstance(version, str) or not version.startswith("3."):
        raise SpecError(f"{source} is not an OpenAPI 3 document (its 'openapi' field is {version!r})")
    if not isinstance(doc.get("paths"), dict):
        raise SpecError(f"{source} has no 'paths': it describes no operations")
    ops: dict[str, tuple] = {}
    # A key is needed unless the spec says no security; specs without the field assume a key.
    secured = bool(doc["security"]) if isinstance(doc.get("security"), list) else True
    default = _scheme_names(doc.get("security"))
    from ._walk import Walker  # only compiling walks the spec: a warm start never loads the walker

    walker = Walker(doc)
    for path, method, op, params in walker.operations():
        op_id = op.get("operationId") or snake_case(f"{method}{path}".replace("/", "_"))
        ops[str(op_id)] = _compile_op(walker, method, path, op, params, secured, default)
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
        "schemes": _schemes(doc),
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
        "pages",
        "params",
        "path",
        "path_params",
        "security",
        "static_query",
        "streaming",
        "summary",
        "tags",
        "validator",
    )

    def __init__(self, op_id: str, entry: tuple) -> None:
        method, path, summary, params, content_types, body_required, streaming, beta = entry[:8]
        tags, dep, key, pages, sec = entry[8:]
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
        self.pages = pages  # answers a list page (`data` array): paginate() may follow it
        self.security = sec  # the security schemes it takes, by name (alternatives), e.g. ("AdminApiKeyAuth",)
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


class _WebhookEvent:
    """What a validator needs of an operation, for a webhook event's body (no parameters)."""

    __slots__ = ("by_kwarg", "id")

    def __init__(self, event_type: str) -> None:
        self.id = f"webhook {event_type}"
        self.by_kwarg: dict[str, Param] = {}


_LOADED: dict[str, dict] = {}  # compiled indexes by spec hash, shared by every client
# Set to a dict by a tool that reads the whole spec after loading its index (the stub
# generator): a spec parsed to compile its index is kept there by hash, so it is parsed once.
KEEP_PARSED: dict[str, Any] | None = None
_SCHEMAS: dict[str, dict] = {}  # validation schemas by spec hash, loaded on first validation
_VALIDATORS: dict[tuple[str, str], Any] = {}  # (spec hash, operationId) -> OperationValidator
_HERE = os.path.dirname(os.path.abspath(__file__))


class SpecIndex:
    """The compiled operations of one spec, plus where that spec came from."""

    __slots__ = ("_ops", "_router", "cache_file", "data", "origin", "sha256", "source")

    def __init__(self, source: str, origin: str, sha256: str, data: dict, cache_file: str) -> None:
        self.source = source
        self.origin = origin
        self.sha256 = sha256
        self.data = data
        self.cache_file = cache_file
        self._ops: dict[str, Operation] = {}
        self._router: Router | None = None

    @property
    def names(self) -> dict[str, str]:
        """Every callable name (operationId and snake_case alias) mapped to its operationId."""
        return self.data["names"]

    @property
    def schemes(self) -> dict[str, tuple[str, str, str]]:
        """The spec's security schemes: name -> (type, http scheme or "in", header or query name)."""
        return self.data.get("schemes") or {}

    @property
    def operation_ids(self) -> list[str]:
        """The operationIds in spec order."""
        return list(self.data["ops"])

    def operation(self, name: str) -> Operation:
        """Return the operation called ``name`` (operationId or snake_case alias).

        Raises ``UnknownOperationError`` with the closest names when there is none.
        """
        op = self._ops.get(name)
        if op is not None:
            return op
        op_id = self.data["names"].get(name, name if name in self.data["ops"] else None)
        if op_id is None:
            raise UnknownOperationError(name, self.suggest(name))
        op = self._ops.get(op_id) or Operation(op_id, self.data["ops"][op_id])
        self._ops[name] = self._ops[op_id] = op
        return op

    def schemas(self) -> dict:
        """The validation schemas (see ``_schemas``): from memory, the cache, or the spec again."""
        data = _SCHEMAS.get(self.sha256)
        if data is None:
            path = _schemas_file(self.sha256)
            data = read_data(path)
            if not isinstance(data, dict) or data.get("format") != _schemas_format():
                data = _extract(parse_spec(read_spec(self.source), self.source), self.data)
                write_data(path, data)
            _SCHEMAS[self.sha256] = data
        return data

    def validator(self, name: str) -> Any:
        """The ``OperationValidator`` of an operation, built on its first use.

        Its schemas come from a small per-operation cache file when there is one, else from
        the spec's schema cache (written then for next time), never from the YAML.
        """
        op = self.operation(name)
        key = (self.sha256, op.id)
        validator = _VALIDATORS.get(key)
        if validator is None:
            from .._validation import OperationValidator

            path = _op_schemas_file(self.sha256, op.id)
            own = read_data(path)
            if isinstance(own, dict) and own.get("op") == op.id:
                validator = OperationValidator(op, own["schemas"], own["defs"], closed=True)
            else:
                schemas = self.schemas()
                validator = OperationValidator(op, schemas["ops"].get(op.id) or {}, schemas["defs"])
                own = {"op": op.id, "schemas": schemas["ops"].get(op.id) or {}, "defs": validator.defs}
                write_data(path, own)
            _VALIDATORS[key] = validator
        return validator

    def webhook_events(self) -> dict[str, str]:
        """The webhook events the spec describes (its 3.1 ``webhooks:`` section): event type
        (``batch.completed``) -> the section's name for it (``batch_completed``); empty when the
        spec has no such section (OpenAPI 3.0 specs)."""
        return {kind: entry["name"] for kind, entry in (self.schemas().get("webhooks") or {}).items()}

    def webhook_validator(self, event_type: str) -> Any:
        """The ``OperationValidator`` of a webhook event's body (its ``check(event, {})`` lists the
        problems), built on first use from the schema cache; None when the spec has no schema for
        that event type."""
        key = (self.sha256, "webhook:" + event_type)
        validator = _VALIDATORS.get(key)
        if validator is None:
            schemas = self.schemas()
            entry = (schemas.get("webhooks") or {}).get(event_type)
            if entry is None:
                return None
            from .._validation import OperationValidator

            event = _WebhookEvent(event_type)
            body = {"body": {"application/json": entry["schema"]}, "body_required": True}
            validator = _VALIDATORS[key] = OperationValidator(event, body, schemas["defs"])
        return validator

    @property
    def router(self) -> Router:
        """The router from method and path to operation (see ``_routing``), built on first use."""
        router = self._router
        if router is None:
            from ._routing import Router

            router = self._router = Router(self.data["ops"])
        return router

    def route(
        self, method: str, path: str, query: Mapping[str, str] | None = None
    ) -> tuple[Operation, dict[str, str]] | None:
        """The operation that answers ``method path`` (a path under the base URL, ids filled in),
        with its path parameters by keyword: ``("POST", "/chat/completions")``.

        ``query``, the request's query parameters, picks an operation the spec writes with a
        query (``/responses?beta=true``); without it the plain path's operation answers.
        """
        found = self.router.match(method, path, query)
        if found is None:
            return None
        route, values = found
        op = self.operation(route.op_id)
        params = {}
        for name, value in values.items():
            prm = op.by_kwarg.get(name)
            params[prm.kwarg if prm is not None else name] = value
        return op, params

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Return up to ``n`` names closest to ``name``, as one can type them (snake_case)."""
        import difflib

        wanted = snake_case(name)
        return difflib.get_close_matches(wanted, [snake_case(op_id) for op_id in self.data["ops"]], n=n, cutoff=0.6)

    def __repr__(self) -> str:
        data = self.data
        return f"<SpecIndex {data['title']} {data['version']}: {len(data['ops'])} operations from {self.source}>"


def _cache_file(sha: str) -> str:
    tag = sys.implementation.cache_tag or "py"
    code = code_tag(__file__, os.path.join(_HERE, "_walk.py"))
    return cache_path(f"{sha[:40]}-f{INDEX_FORMAT}-{code}-{tag}.bin")


def _schemas_format() -> int:
    from ._schemas import SCHEMAS_FORMAT

    return SCHEMAS_FORMAT


def _schemas_tag() -> str:
    return code_tag(os.path.join(_HERE, "_schemas.py"), os.path.join(_HERE, "_walk.py"))


def _schemas_file(sha: str) -> str:
    tag = sys.implementation.cache_tag or "py"
    return cache_path(f"{sha[:40]}-schemas-s{_schemas_format()}-{_schemas_tag()}-{tag}.bin")


def _op_schemas_file(sha: str, op_id: str) -> str:
    tag = sys.implementation.cache_tag or "py"
    return cache_path(f"{sha[:40]}-op-{zlib.crc32(op_id.encode()):08x}-s{_schemas_format()}-{_schemas_tag()}-{tag}.bin")


def _extract(doc: Any, data: dict) -> dict:
    """The validation schemas of a parsed spec; a spec whose schemas cannot be read gets none."""
    from ._schemas import SCHEMAS_FORMAT, extract_schemas

    op_ids = {(entry[0], entry[1]): op_id for op_id, entry in data["ops"].items()}
    try:
        return extract_schemas(doc, op_ids)
    except (TypeError, KeyError, AttributeError, ValueError) as exc:
        return {"format": SCHEMAS_FORMAT, "defs": {}, "ops": {}, "error": f"{type(exc).__name__}: {exc}"}


def _read_index(path: str) -> dict | None:
    data = read_data(path)
    if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT:
        return None
    if not isinstance(data.get("ops"), dict) or not isinstance(data.get("names"), dict):
        return None
    return data


def index_from_bytes(raw: bytes, source: str, origin: str) -> SpecIndex:
    """Return the index for spec bytes, from memory, the disk cache, or by compiling them.

    ``source`` names where the bytes came from (in errors and ``SpecIndex.source``) and
    ``origin`` how that place was chosen (``"argument"``, ``"downloaded (spec update)"``...).
    """
    import hashlib

    return _index_for(hashlib.sha256(raw).hexdigest(), lambda: raw, source, origin)


def _index_for(sha: str, raw: Any, source: str, origin: str) -> SpecIndex:
    path = _cache_file(sha)
    data = _LOADED.get(sha)
    if data is None:
        data = _read_index(path)
        if data is None:
            doc = parse_spec(raw(), source)
            if KEEP_PARSED is not None:
                KEEP_PARSED[sha] = doc
            data = compile_index(doc, source)
            write_data(path, data)
            # The YAML is parsed now anyway: keep the validation schemas too, so that first
            # validation reads a cache file instead of parsing the spec again.
            schemas = _extract(doc, data)
            write_data(_schemas_file(sha), schemas)
            _SCHEMAS[sha] = schemas
        _LOADED[sha] = data
    return SpecIndex(source, origin, sha, data, path)


def _locator(real: str) -> str:
    # Maps a spec file's path, size and mtime to its hash, so that a warm start need not
    # read and hash megabytes of YAML; any change to the file misses and re-hashes it.
    return cache_path(f"where-{zlib.crc32(real.encode()):08x}.txt")


def _index_from_file(location: str, origin: str) -> SpecIndex:
    try:
        real = os.path.realpath(location)
        st = os.stat(real)
    except OSError as exc:
        raise SpecError(f"cannot read the spec {location}: {exc.strerror or exc}") from None
    stamp = f"{st.st_size} {st.st_mtime_ns} {real}"
    locator = _locator(real)
    known = read_blob(locator)
    if known is not None:
        sha, _, known_stamp = known.decode("utf-8", "replace").partition(" ")
        if known_stamp == stamp and len(sha) == 64:
            return _index_for(sha, lambda: read_spec(location), location, origin)
    raw = read_spec(location)
    import hashlib

    sha = hashlib.sha256(raw).hexdigest()
    index = _index_for(sha, lambda: raw, location, origin)
    write_blob(locator, f"{sha} {stamp}".encode())
    return index


def load_index(spec: str | os.PathLike[str] | None = None) -> SpecIndex:
    """Find the spec (argument, environment, downloaded, packaged default: see ``_load``) and
    return its compiled index, from memory or the user cache when it was compiled before."""
    location, origin = find_spec(spec)
    if is_url(location):
        return index_from_bytes(read_spec(location), location, origin)
    if location.startswith("file://"):
        location = location[7:]
    return _index_from_file(location, origin)
