"""Documentation of the spec's operations: Markdown text, runnable examples, search, a site.

``markdown(index, name)`` is what ``help(client.createChatCompletion)`` and
``openapi-client-openai docs createChatCompletion`` show; ``example(index, name)`` is a Python
program that calls the operation with this library; both are made in the core (``spec``), as
``help()`` needs them.  This package adds ``search(index, words)``, which finds operations, and
``write_site(index, folder)``, a static HTML site.
"""

from __future__ import annotations

from typing import Any

from ..spec import docinfo, example, markdown, schema_markdown, snake_case
from ..spec._text import examples

__all__ = ["example", "examples", "markdown", "render_terminal", "schema_markdown", "search", "write_site"]


def search(index: Any, words: str) -> list[tuple[str, str]]:
    """Operations whose id, path, summary or description hold every word: (operationId, summary)."""
    wanted = [w.lower() for w in words.split() if w]
    info = docinfo(index)["ops"]
    found = []
    for op_id in index.operation_ids:
        op = index.operation(op_id)
        data = info.get(op_id, {})
        hay = " ".join([op_id, snake_case(op_id), op.path, data.get("summary", ""), data.get("description", "")])
        if all(w in hay.lower() for w in wanted):
            found.append((op_id, " ".join(data.get("summary", "").split())[:100]))
    return found


def render_terminal(text: str, width: int | None = None, color_system: str | None = "auto") -> str:
    """Markdown rendered for a terminal with rich (colours, boxes, highlighted code).

    Code blocks wrap only where a line is wider than the terminal; the examples are laid out
    for 80 columns (see ``spec/_source``), so that a copy from such a terminal still runs.
    """
    import io

    from rich.console import Console
    from rich.markdown import Markdown

    out = io.StringIO()
    Console(file=out, force_terminal=True, width=width, color_system=color_system).print(Markdown(text))
    return out.getvalue()


def write_site(index: Any, folder: str) -> int:
    """Write a static HTML site: an index by tag with an offline search box, a page per
    operation and per schema, linked to each other.  Returns the number of pages."""
    from ._html import write_site as _write

    return _write(index, folder)
