"""The spec: finding it, compiling and caching its operation index, its schemas and its routes.

    from openapi_client_openai.spec import load_index
    index = load_index()                       # argument, environment, downloaded, packaged default
    index.operation("createChatCompletion")    # an Operation: method, path, parameters...
    index.route("GET", "/files/file-abc")      # (Operation retrieveFile, {"file_id": "file-abc"})

Modules, each with one job: ``_load`` (find, read, parse), ``_cache`` (the user cache and
its checked files), ``_walk`` (the one walker over a parsed spec: ``$ref`` resolution and
the parameter-merge rule), ``_index`` (compiling, ``Operation``, ``SpecIndex``, loading),
``_schemas`` (validation schemas), ``_routing`` (method and path to operation), ``_default``
(the packaged default spec), ``_docinfo`` (what the docs say of each operation and schema,
cached like the index), ``_fake`` (values made from schemas, for examples and the mock) and
``_text`` (an operation's Markdown and runnable example: what ``help()`` shows).  Names used
only by the spec's tools load on first use, so that building a client imports just the index.
"""

from __future__ import annotations

from ._cache import CACHE_ENV, cache_dir, cache_path, code_tag, read_data, write_data
from ._index import (
    Operation,
    Param,
    SpecIndex,
    beta_header_for,
    compile_index,
    index_from_bytes,
    load_index,
    snake_case,
)
from ._load import SPEC_ENV, downloaded_spec_path, find_spec, parse_spec, read_spec

TYPE_CHECKING = False  # avoids importing typing at run time (~5 ms)
if TYPE_CHECKING:
    from typing import Any

    from ._default import default_spec_path, default_spec_url
    from ._docinfo import docinfo
    from ._fake import FIELD_PREFIXES, Faker
    from ._routing import Route, Router
    from ._schemas import extract_schemas, normalize
    from ._text import example, markdown, schema_markdown
    from ._walk import Resolver, Walker, merge_parameters

__all__ = [
    "CACHE_ENV",
    "FIELD_PREFIXES",
    "SPEC_ENV",
    "Faker",
    "Operation",
    "Param",
    "Resolver",
    "Route",
    "Router",
    "SpecIndex",
    "Walker",
    "beta_header_for",
    "cache_dir",
    "cache_path",
    "code_tag",
    "compile_index",
    "default_spec_path",
    "default_spec_url",
    "docinfo",
    "downloaded_spec_path",
    "example",
    "extract_schemas",
    "find_spec",
    "index_from_bytes",
    "load_index",
    "markdown",
    "merge_parameters",
    "normalize",
    "parse_spec",
    "read_data",
    "read_spec",
    "schema_markdown",
    "snake_case",
    "write_data",
]

_LAZY = {
    "default_spec_path": "._default",
    "default_spec_url": "._default",
    "extract_schemas": "._schemas",
    "normalize": "._schemas",
    "Route": "._routing",
    "Router": "._routing",
    "Resolver": "._walk",
    "Walker": "._walk",
    "merge_parameters": "._walk",
    "docinfo": "._docinfo",
    "Faker": "._fake",
    "FIELD_PREFIXES": "._fake",
    "example": "._text",
    "markdown": "._text",
    "schema_markdown": "._text",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'openapi_client_openai.spec' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
