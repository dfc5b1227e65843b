"""Source text for stubs: docstrings, literals and names that are valid Python."""

from __future__ import annotations

import json
import keyword
import re

from ..spec._docinfo import _absolute, shorten

__all__ = ["docstring", "is_name", "literal", "pascal", "python_name"]

_WORDS = re.compile(r"[A-Za-z0-9]+")


def is_name(text: str) -> bool:
    """Whether ``text`` can be written as a Python name (an identifier that is no keyword)."""
    return text.isidentifier() and not keyword.iskeyword(text) and text not in ("True", "False", "None")


def python_name(text: str) -> str:
    """``text`` made into a Python name: other characters become ``_``, a leading digit gets a
    ``T`` in front and a keyword an ``_`` behind (``2024-x`` -> ``T2024_x``)."""
    name = re.sub(r"\W", "_", text, flags=re.ASCII) or "T"
    if name[0].isdigit():
        name = "T" + name
    return name if is_name(name) else name + "_"


def pascal(text: str) -> str:
    """``text`` as the PascalCase part of a type's name: ``output_text`` -> ``OutputText``,
    ``response.created`` -> ``ResponseCreated``; the letters' own case is kept after the first."""
    return "".join(w[0].upper() + w[1:] for w in _WORDS.findall(text))


def literal(value: object) -> str:
    """A value as it is written inside ``Literal[...]``."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON's escapes are Python's too
    return repr(value)


def docstring(text: str, indent: str, limit: int) -> str:
    """A triple-quoted docstring line (and more lines) for ``text``, cut to about ``limit``
    characters between paragraphs or words, with the spec's relative links made absolute.

    Backslashes and quotes are escaped so that the text reads as written."""
    text = _absolute(text.strip()).replace("\r\n", "\n")
    if len(text) > limit:
        paragraphs = text.split("\n\n")
        kept = paragraphs[0]
        for para in paragraphs[1:]:
            if len(kept) + 2 + len(para) > limit:
                break
            kept += "\n\n" + para
        text = kept if len(kept) <= limit else shorten(" ".join(kept.split()), limit)
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if not text.replace("\n", "").isprintable():
        text = "".join(ch if ch.isprintable() or ch == "\n" else repr(ch)[1:-1] for ch in text)
    if text.endswith('"') and (len(text) - len(text[:-1].rstrip("\\")) - 1) % 2 == 0:
        text = text[:-1] + '\\"'  # a quote just before the closing ones, and not escaped yet
    lines = text.split("\n")
    body = "\n".join([lines[0], *((indent + line) if line.strip() else "" for line in lines[1:])])
    return f'{indent}"""{body}"""\n'
