"""Writing answers: pretty and coloured JSON on a terminal, the body as it came when piped."""

from __future__ import annotations

import json
from typing import Any, TextIO

__all__ = ["is_tty", "print_json", "print_table"]


def print_json(data: Any, raw_text: str | None, out: TextIO, tty: bool) -> None:
    """Print a JSON answer: highlighted on a terminal (with rich when installed), else as sent."""
    if not tty:
        out.write((raw_text if raw_text is not None else json.dumps(data)).rstrip("\n") + "\n")
        return
    text = json.dumps(data, indent=2, ensure_ascii=False)
    try:
        from rich.console import Console
        from rich.syntax import Syntax
    except ImportError:
        out.write(text + "\n")
        return
    Console(file=out, force_terminal=True).print(Syntax(text, "json", theme="ansi_dark", background_color="default"))


def print_table(rows: list[tuple[str, ...]], out: TextIO) -> None:
    """Print rows as aligned columns (the last column is not padded)."""
    if not rows:
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)] + [row[-1]]
        out.write("  ".join(cells).rstrip() + "\n")


def is_tty(stream: TextIO) -> bool:
    """Tell whether a stream is an interactive terminal."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
