"""Documentation of the spec's operations: Markdown text, runnable examples, search, a site.

``markdown(index, name)`` is what ``help(client.createChatCompletion)`` and
``openapi-client-openai docs createChatCompletion`` show; ``example(index, name)`` is a Python
program that calls the operation with this library; both are made in the core (``spec``), as
``help()`` needs them.  This package adds ``search(index, words)``, which finds operations, and
``write_site(index, folder)``, a static HTML site, and ``realtime_markdown(index)``, the
Realtime API's events with their fields.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..spec import example, markdown, schema_markdown
    from ..spec._text import examples

__all__ = [
    "example",
    "examples",
    "markdown",
    "realtime_markdown",
    "render_terminal",
    "schema_markdown",
    "search",
    "write_site",
]

# The spec's text functions load on first use: `list` needs only the search below.
_LAZY = {"docinfo": "..spec", "example": "..spec", "markdown": "..spec", "schema_markdown": "..spec"}
_LAZY["examples"] = "..spec._text"


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'openapi_client_openai.docs' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def search(index: Any, words: str) -> list[tuple[str, str]]:
    """Operations whose id, path, summary or description hold every word, best first (an exact
    id or path, then id, path, summary and description matches): (operationId, summary) with
    the summary as one line of plain text."""
    from ._search import find, one_line

    return [(op_id, one_line(index.operation(op_id).summary)) for op_id in find(index, words)]


def realtime_markdown(index: Any, link: Any = None) -> str:
    """The spec's realtime events (GA, beta, translation; client and server) with their fields,
    as Markdown: what ``openapi-client-openai docs --realtime`` shows."""
    from ._realtime import realtime_markdown as _markdown

    return _markdown(index, link)


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
