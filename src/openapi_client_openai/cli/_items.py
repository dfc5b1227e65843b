"""HTTPie-style request items: ``key=value``, ``key:=json``, ``field@file``, ``key==query``, ``Header:value``.

The earliest separator in an item wins, and the longest one on a tie (``:=`` over ``:``),
so ``a:=1`` is JSON and ``Header:v=1`` is a header.  A backslash escapes a separator
character that belongs to the key.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SEPARATORS", "ItemError", "RequestItems", "parse_items"]

# Longest first, so that a tie at one position picks the longer separator.
SEPARATORS = (":=", "==", "=", "@", ":")


class ItemError(ValueError):
    """A request item that cannot be understood; the message says which and why."""


@dataclass
class RequestItems:
    """What the items of one ``call`` command add to the request."""

    fields: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    texts: set[str] = field(default_factory=set)  # fields given as key=value (text), not key:=json


def _split(item: str) -> tuple[str, str, str]:
    key_chars: list[str] = []
    i = 0
    while i < len(item):
        ch = item[i]
        if ch == "\\" and i + 1 < len(item):
            key_chars.append(item[i + 1])
            i += 2
            continue
        for sep in SEPARATORS:
            if item.startswith(sep, i):
                return "".join(key_chars), sep, item[i + len(sep) :]
        key_chars.append(ch)
        i += 1
    raise ItemError(
        f"{item!r} is not a request item: use key=value (text), key:=json, field@file, "
        "key==value (query) or Header:value"
    )


def _add(target: dict[str, Any], key: str, value: Any) -> None:
    # Repeating a key collects its values into a list, as HTTPie does for query items.
    if key in target:
        old = target[key]
        target[key] = [*old, value] if isinstance(old, list) else [old, value]
    else:
        target[key] = value


def parse_items(items: list[str]) -> RequestItems:
    """Parse the request items of a ``call`` command; errors name the item at fault."""
    out = RequestItems()
    for item in items:
        key, sep, value = _split(item)
        if not key:
            raise ItemError(f"{item!r} has no name before {sep!r}")
        if sep == "=":
            out.fields[key] = value
            out.texts.add(key)
        elif sep == ":=":
            out.texts.discard(key)
            try:
                out.fields[key] = json.loads(value)
            except ValueError as exc:
                raise ItemError(f"{item!r}: the value after ':=' is not JSON ({exc})") from None
        elif sep == "@":
            path = pathlib.Path(value).expanduser()
            if not path.is_file():
                raise ItemError(f"{item!r}: no such file {value!r}")
            _add(out.fields, key, path)
        elif sep == "==":
            _add(out.query, key, value)
        else:
            out.headers[key] = value
    return out
