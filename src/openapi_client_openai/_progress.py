"""A progress bar on a terminal (rich, on stderr); silent when piped or without rich."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["Bar"]


class Bar:
    """``Bar(label, total, enabled=None, stats=False)``: ``update(completed=.., advance=.., **fields)``,
    ``close()``.  With ``stats`` it shows the ``rate`` and ``errors`` fields and an ETA."""

    def __init__(self, label: str, total: int, enabled: bool | None = None, stats: bool = False) -> None:
        self.bar: Any = None
        if enabled is None:
            enabled = sys.stderr.isatty()
        if not enabled:
            return
        try:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
        except ImportError:
            return
        columns: list[Any] = [TextColumn(label), BarColumn(), TextColumn("{task.completed}/{task.total}")]
        if stats:
            columns += [TextColumn("{task.fields[rate]:.0f}/s, {task.fields[errors]} errors"), TimeRemainingColumn()]
        self.bar = Progress(*columns, console=Console(stderr=True), transient=True)
        self.task = self.bar.add_task(label, total=total, rate=0.0, errors=0)
        self.bar.start()

    def update(self, completed: int | None = None, advance: int = 0, **fields: Any) -> None:
        """Move the bar (to ``completed``, or by ``advance``) and set its fields."""
        if self.bar is not None:
            self.bar.update(self.task, completed=completed, advance=advance or None, **fields)

    def close(self) -> None:
        """Remove the bar from the terminal."""
        if self.bar is not None:
            self.bar.stop()
