"""Source text for the docs' examples: Python literals and calls laid out as ``ruff format``
would leave them, JSON for the command line, and shell words quoted for a POSIX shell.

A value goes on one line when it fits in the width left; otherwise its brackets open one
element a line, each followed by a comma (Python), so that the layout is stable under
``ruff format``/``black`` (they keep a bracket with a trailing comma open).  A string too
long for any line is cut at spaces or slashes into adjacent literals inside parentheses.
Every line stays within ``WIDTH`` columns where that is possible, so that a copy from an
80-column terminal (rich pads a code block by one column on each side) is still a program.
"""

from __future__ import annotations

import json
import keyword
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["WIDTH", "FileRef", "call_source", "json_source", "python_source", "shell_word"]

WIDTH = 78


class FileRef:
    """A file an example uploads, by name: ``Path("audio.mp3")`` in Python, ``field@audio.mp3``
    on the command line.  It is path-like, so that a request holding it validates as one with
    a file."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __fspath__(self) -> str:
        return self.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileRef) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"FileRef({self.name!r})"


def _python_str(text: str, prefix: str = "") -> str:
    # ruff's choice: double quotes unless that would need more escapes than single ones.
    quote = "'" if text.count('"') > text.count("'") else '"'
    out = []
    for ch in text:
        if ch == "\\" or ch == quote:
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])
    return f"{prefix}{quote}{''.join(out)}{quote}"


def _flat(value: Any, python: bool) -> str:
    if isinstance(value, FileRef):
        return f"Path({_python_str(value.name)})" if python else json.dumps(value.name)
    if isinstance(value, str):
        return _python_str(value) if python else json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes):
        return _python_str(value.decode("latin-1"), "b")
    if value is None or isinstance(value, bool):
        return repr(value) if python else json.dumps(value)
    if isinstance(value, (int, float)):
        return repr(value) if python else json.dumps(value)
    if isinstance(value, dict):
        inner = ", ".join(f"{_flat(str(k), python)}: {_flat(v, python)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, tuple) and python:
        inner = ", ".join(_flat(v, python) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flat(v, python) for v in value) + "]"
    raise TypeError(f"no source form for {type(value).__name__}")


def _pieces(text: str, room: int) -> list[str]:
    """Cut a string into pieces whose literals take at most ``room`` columns, each ending at a
    space, slash or newline where one is near enough."""
    pieces: list[str] = []
    while len(_python_str(text)) > room:
        fits = 1
        cut = 0
        for end in range(1, len(text)):
            if len(_python_str(text[:end])) > room:
                break
            fits = end
            if text[end - 1] in " /\n":
                cut = end
        cut = cut or fits
        pieces.append(text[:cut])
        text = text[cut:]
    return [*pieces, text] if text else pieces


def _layout(value: Any, indent: int, room: int, python: bool) -> str:
    """``value`` as source starting at column ``indent`` with ``room`` columns for its first line."""
    flat = _flat(value, python)
    if len(flat) <= room:
        return flat
    pad = " " * (indent + 4)
    if isinstance(value, str) and python:
        # On lines of their own inside parentheses (ruff joins pieces that would fit on one).
        parts = _pieces(value, max(WIDTH - indent - 4, 20))
        return "(\n" + "".join(f"{pad}{_python_str(p)}\n" for p in parts) + " " * indent + ")"
    if isinstance(value, dict) and value:
        lines = []
        for key, item in value.items():
            head = f"{_flat(str(key), python)}: "
            lines.append(pad + head + _layout(item, indent + 4, WIDTH - indent - 4 - len(head) - 1, python))
        return _bracketed("{", "}", lines, indent, python)
    if isinstance(value, (list, tuple)) and value:
        lines = [pad + _layout(item, indent + 4, WIDTH - indent - 4 - 1, python) for item in value]
        if isinstance(value, tuple) and python:
            return _bracketed("(", ")", lines, indent, python)
        return _bracketed("[", "]", lines, indent, python)
    return flat


def _bracketed(opening: str, closing: str, lines: list[str], indent: int, python: bool) -> str:
    # Python: a comma after every element (the "magic trailing comma" keeps it open);
    # JSON allows none after the last one.
    body = ",\n".join(lines) + ("," if python else "")
    return f"{opening}\n{body}\n{' ' * indent}{closing}"


def python_source(value: Any, indent: int = 0, room: int | None = None) -> str:
    """A Python literal for a JSON-like value (``FileRef`` as ``Path(...)``), laid out to fit."""
    return _layout(value, indent, WIDTH - indent if room is None else room, True)


def json_source(value: Any, indent: int = 0, room: int | None = None) -> str:
    """JSON text for a value, on one line if it fits, else opened one element a line."""
    return _layout(value, indent, WIDTH - indent if room is None else room, False)


_KEYWORD_SAFE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def is_keyword_name(name: str) -> bool:
    """Tell whether ``name`` can be written as a keyword argument (``name=...``)."""
    return bool(_KEYWORD_SAFE.match(name)) and not keyword.iskeyword(name)


def call_source(head: str, args: list[tuple[str, Any]], tail: str = "", indent: int = 0) -> str:
    """``head(k=v, ...)tail`` (a ``None`` name is a positional argument), laid out to fit."""
    rendered = [(name, _flat(value, True), value) for name, value in args]
    flat = head + "(" + ", ".join(f"{n}={f}" if n else f for n, f, _ in rendered) + ")" + tail
    if indent + len(flat) <= WIDTH or not args:
        return flat
    pad = " " * (indent + 4)
    lines = []
    for name, _, value in rendered:
        lead = f"{name}=" if name else ""
        lines.append(pad + lead + python_source(value, indent + 4, WIDTH - indent - 4 - len(lead) - 1) + ",")
    return head + "(\n" + "\n".join(lines) + "\n" + " " * indent + ")" + tail


_SAFE_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./-]+\Z")


def shell_word(word: str, room: int = 0, column: int = 0) -> str:
    """Quote one word for a POSIX shell: bare when safe, else in single quotes.

    A single quote inside the word would need ``'"'"'``; JSON text avoids it by writing
    ``\\u0027`` (see ``json_source`` users), plain text by switching to double quotes when
    nothing in the word is special inside them.  With ``room``, a line of a single-quoted word
    longer than that (its first line starts at ``column``) is cut at a space into ``'...'\\``
    and ``'...'`` on the next line: the shell joins them back into one word.
    """
    if word and _SAFE_WORD.match(word):
        return word
    if "'" not in word:
        return _fold(f"'{word}'", room, column) if room else f"'{word}'"
    if not any(ch in word for ch in '"$`\\!'):
        return f'"{word}"'
    return "'" + word.replace("'", "'\"'\"'") + "'"


def _fold(quoted: str, room: int, column: int) -> str:
    out = []
    for i, line in enumerate(quoted.split("\n")):
        start = column if i == 0 else 0
        while start + len(line) > room:
            cut = line.rfind(" ", 1, room - start - 2)
            if cut <= 0:
                break
            out.append(line[: cut + 1] + "'\\")
            line, start = "'" + line[cut + 1 :], 0
        out.append(line)
    return "\n".join(out)
