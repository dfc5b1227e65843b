"""Query-string encoding, as the official SDK puts values on the wire.

Arrays repeat with brackets (``include[]=a&include[]=b``), objects nest with brackets
(``metadata[key]=value``), booleans are ``true``/``false`` and ``None`` is left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

__all__ = ["encode", "flatten", "scalar"]


def scalar(value: Any) -> str:
    """Return the wire text of one scalar value (booleans as ``true``/``false``)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value if isinstance(value, str) else str(value)


def flatten(name: str, value: Any, out: list[tuple[str, str]], nested: bool = False) -> None:
    """Append the ``(key, text)`` pairs that encode ``name=value`` to ``out``.

    A top-level name that already ends in ``[]`` (a spec name like ``include[]``) is not
    bracketed twice; nested arrays add a level each (``a[][]``), as the SDK does.
    """
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            flatten(f"{name}[{key}]", item, out, True)
    elif isinstance(value, (list, tuple, set, frozenset)):
        key = name if name.endswith("[]") and not nested else name + "[]"
        for item in value:
            if isinstance(item, (Mapping, list, tuple)):
                flatten(key, item, out, True)
            elif item is not None:
                out.append((key, scalar(item)))
    else:
        out.append((name, scalar(value)))


def encode(pairs: Iterable[tuple[str, str]]) -> str:
    """Percent-encode ``(key, text)`` pairs into a query string (no leading ``?``)."""
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
