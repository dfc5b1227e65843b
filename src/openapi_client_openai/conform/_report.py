"""The report of a conformance run as data, and its three renderings: JSON, HTML and a terminal table.

The JSON form is a contract (issue 17): ``{"server", "score", "families": {NAME: {"offered",
"sent", "passed", "problems": [{"path", "rule", "expected", "got", "request"}]}}}``.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any, TextIO

__all__ = ["FamilyReport", "Problem", "Report"]

EXIT_CONFORMS, EXIT_PROBLEMS, EXIT_COULD_NOT_RUN = 0, 1, 2


@dataclass(frozen=True)
class Problem:
    """One difference from the spec: where (``path``: a JSON path in the answer, ``events[N]...``
    in a stream, ``[DONE]`` or a header's name), the ``rule`` broken, what the spec wants,
    what came back, and the request that showed it as a ``call`` command line."""

    path: str
    rule: str
    expected: str
    got: str
    request: str

    def to_dict(self) -> dict[str, str]:
        """The problem as the JSON report writes it."""
        return {
            "path": self.path,
            "rule": self.rule,
            "expected": self.expected,
            "got": self.got,
            "request": self.request,
        }


@dataclass
class FamilyReport:
    """One operation family: whether the server offers it, requests sent and passed, problems.

    ``note`` says why a family was not run (not offered, or absent from the spec)."""

    offered: bool
    sent: int = 0
    passed: int = 0
    problems: list[Problem] = field(default_factory=list)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The family as the JSON report writes it."""
        return {
            "offered": self.offered,
            "sent": self.sent,
            "passed": self.passed,
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass
class Report:
    """A whole run: the server's base URL, each family's result, the score and the exit status."""

    server: str
    families: dict[str, FamilyReport] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def score(self) -> float:
        """The share of requests to offered families whose answers broke no rule, in percent
        (one decimal); 0 when nothing was sent."""
        sent = sum(f.sent for f in self.families.values() if f.offered)
        passed = sum(f.passed for f in self.families.values() if f.offered)
        return round(100.0 * passed / sent, 1) if sent else 0.0

    @property
    def problems(self) -> list[Problem]:
        """Every problem of every family, in order."""
        return [p for f in self.families.values() for p in f.problems]

    @property
    def exit_status(self) -> int:
        """0 when every offered family conforms, 1 when there are problems, 2 when no family
        could be run (none offered)."""
        if not any(f.offered for f in self.families.values()):
            return EXIT_COULD_NOT_RUN
        return EXIT_PROBLEMS if self.problems else EXIT_CONFORMS

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON data (the ``--json`` file)."""
        return {
            "server": self.server,
            "score": self.score,
            "families": {name: f.to_dict() for name, f in self.families.items()},
        }

    def to_json(self) -> str:
        """The ``--json`` report's text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_html(self) -> str:
        """A self-contained HTML page: a table per family, the score, each problem's replay."""
        esc = html.escape
        parts = [
            "<!doctype html><html><head><meta charset='utf-8'>",
            f"<title>Conformance of {esc(self.server)}</title>",
            "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}"
            "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
            "code{font-size:90%}.ok{color:#080}.bad{color:#b00}.off{color:#888}</style></head><body>",
            f"<h1>Conformance of <code>{esc(self.server)}</code></h1>",
            f"<p>Score: <b>{self.score}%</b> of requests to offered families passed every rule.</p>",
        ]
        for name, fam in self.families.items():
            if not fam.offered:
                parts.append(f"<h2>{esc(name)}</h2><p class='off'>not run: {esc(fam.note or 'not offered')}</p>")
                continue
            verdict = "ok" if not fam.problems else "bad"
            parts.append(
                f"<h2>{esc(name)}</h2><p class='{verdict}'>{fam.passed} of {fam.sent} requests passed, "
                f"{len(fam.problems)} problem{'s' if len(fam.problems) != 1 else ''}</p>"
            )
            if fam.note:
                parts.append(f"<p class='off'>{esc(fam.note)}</p>")
            if fam.problems:
                parts.append("<table><tr><th>path</th><th>rule</th><th>expected</th><th>got</th><th>request</th></tr>")
                for p in fam.problems:
                    parts.append(
                        f"<tr><td><code>{esc(p.path)}</code></td><td>{esc(p.rule)}</td><td>{esc(p.expected)}</td>"
                        f"<td><code>{esc(p.got)}</code></td><td><code>{esc(p.request)}</code></td></tr>"
                    )
                parts.append("</table>")
        parts.append("</body></html>\n")
        return "".join(parts)

    def print(self, out: TextIO, color: bool = False, width: int | None = None) -> None:
        """Write the terminal report to ``out``: a table per family (with rich), then the score."""
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table
        from rich.text import Text

        console = Console(file=out, force_terminal=color, no_color=not color, width=width or 160, highlight=False)
        for name, fam in self.families.items():
            if not fam.offered:
                console.print(f"[bold]{name}[/bold]: not run ({escape(fam.note or 'not offered')})")
                continue
            verdict = "[green]conforms[/green]" if not fam.problems else f"[red]{len(fam.problems)} problem(s)[/red]"
            console.print(f"[bold]{name}[/bold]: {fam.passed}/{fam.sent} requests passed, {verdict}")
            if fam.note:
                console.print(f"  ({fam.note})", markup=False)
            if fam.problems:
                # Each request once, below the table: problems point at it by number.
                requests = list(dict.fromkeys(p.request for p in fam.problems))
                table = Table(show_lines=False, expand=False)
                for column in ("path", "rule", "expected", "got", "request"):
                    table.add_column(column, overflow="fold")
                for p in fam.problems:
                    # Text cells: what a server sent ("[DONE]", "[/x]") is shown, never read as markup.
                    cells = (p.path, p.rule, p.expected, p.got, f"#{requests.index(p.request) + 1}")
                    table.add_row(*(Text(c) for c in cells))
                console.print(table)
                for n, request in enumerate(requests, 1):
                    console.print(f"  #{n} {request}", soft_wrap=True, markup=False)
        console.print(f"score: {self.score}% ({self.seconds:.1f} s)")
