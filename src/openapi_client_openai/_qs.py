"""Query-string encoding, as the official SDK puts values on the wire.

Arrays repeat with brackets (``include[]=a&include[]=b``), objects nest with brackets
(``metadata[key]=value``), booleans are ``true``/``false`` and ``None`` is left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from ._errors import ParameterError

__all__ = ["MAX_QUERY_DEPTH", "encode", "flatten", "scalar"]

MAX_QUERY_DEPTH = 32  # brackets nest one level per object or array; no API takes more than a few


def scalar(value: Any) -> str:
    """Return the wire text of one scalar value (booleans as ``true``/``false``)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value if isinstance(value, str) else str(value)


def flatten(name: str, value: Any, out: list[tuple[str, str]], nested: bool = False, depth: int = 0) -> None:
    """Append the ``(key, text)`` pairs that encode ``name=value`` to ``out``.

    A top-level name that already ends in ``[]`` (a spec name like ``include[]``) is not
    bracketed twice; nested arrays add a level each (``a[][]``), as the SDK does.  Keys must
    be strings or integers, and nesting stops at ``MAX_QUERY_DEPTH`` (a ``ParameterError``).
    """
    if value is None:
        return
    if isinstance(value, (Mapping, list, tuple, set, frozenset)) and depth >= MAX_QUERY_DEPTH:
        where = name if len(name) <= 60 else name[:60] + "..."
        raise ParameterError(f"the query value {where} is nested more than {MAX_QUERY_DEPTH} levels deep")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise ParameterError(f"the query value {name} has a key {key!r}: keys must be strings")
            flatten(f"{name}[{key}]", item, out, True, depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        key = name if name.endswith("[]") and not nested else name + "[]"
        for item in value:
            if isinstance(item, (Mapping, list, tuple)):
                flatten(key, item, out, True, depth + 1)
            elif item is not None:
                out.append((key, scalar(item)))
    else:
        out.append((name, scalar(value)))


def encode(pairs: Iterable[tuple[str, str]]) -> str:
    """Percent-encode ``(key, text)`` pairs into a query string (no leading ``?``).

    Text UTF-8 cannot carry (a lone surrogate) is a ``ParameterError`` naming the parameter.
    """
    out = []
    for key, value in pairs:
        try:
            out.append(f"{quote(key, safe='')}={quote(value, safe='')}")
        except UnicodeEncodeError:
            problem = f"the query value {key[:60]} holds text UTF-8 cannot carry (a lone surrogate)"
            raise ParameterError(problem) from None
    return "&".join(out)
