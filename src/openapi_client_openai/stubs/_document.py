"""The parts of a spec that stubs are made from, read once and cached like the index.

Making stubs needs the schemas with their descriptions, which neither the index nor the
validation cache keeps (they drop descriptions, and the validation schemas have already made
request-only fields optional).  So the first generation for a spec parses its YAML (most of
the time it takes) and keeps the document without its examples and ``x-oaiMeta`` blocks in
the user cache, keyed by the spec's hash and this module's code; later generations read
that (~25 ms for the 3.1 spec instead of ~0.7 s).
"""

from __future__ import annotations

import os

from ..spec import cache_path, code_tag, parse_spec, read_data, read_spec, write_data

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..spec import SpecIndex

__all__ = ["DOCUMENT_FORMAT", "load_document"]

DOCUMENT_FORMAT = 1
# What no stub shows: examples (large) and the docs' metadata.
_DROP = frozenset({"x-oaiMeta", "example", "examples"})
# Objects whose keys are names (a property called "example" is kept).
_NAMED = frozenset(
    {"properties", "patternProperties", "$defs", "schemas", "paths", "responses", "content", "mapping"}
    | {"requestBodies", "parameters", "headers"}
)


def load_document(index: SpecIndex) -> dict[str, Any]:
    """The spec of ``index`` as parsed data, without examples: from the cache, else parsed and cached."""
    code = code_tag(os.path.abspath(__file__))
    path = cache_path(f"{index.sha256[:40]}-stubdoc-t{DOCUMENT_FORMAT}-{code}.bin")
    doc = read_data(path)
    if isinstance(doc, dict):
        return doc
    from ..spec import _index

    parsed = (_index.KEEP_PARSED or {}).pop(index.sha256, None)
    if parsed is None:
        parsed = parse_spec(read_spec(index.source), index.source)
    doc = _plain(parsed)
    if not isinstance(doc, dict):
        doc = {}
    write_data(path, doc)
    return doc


def _plain(node: Any) -> Any:
    """A copy holding only what ``marshal`` stores (YAML dates become text) and no examples.

    Depth-capped: a YAML alias can make a document that contains itself.
    """
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, int]] = [(node, root, 0, 0)]
    while stack:
        value, parent, key, depth = stack.pop()
        if isinstance(value, dict) and depth < 200:
            drop = () if key in _NAMED else _DROP
            made: Any = {str(k): None for k in value if k not in drop}  # keys keep the spec's order
            for k, v in value.items():
                if k not in drop:
                    stack.append((v, made, str(k), depth + 1))
        elif isinstance(value, list) and depth < 200:
            made = [None] * len(value)
            for i, v in enumerate(value):
                stack.append((v, made, i, depth + 1))
        elif value is None or isinstance(value, (str, int, float, bool)):
            made = value
        else:
            made = str(value)
        parent[key] = made
    return root[0]
