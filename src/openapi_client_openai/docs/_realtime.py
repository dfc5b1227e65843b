"""The Realtime API's events as documentation: every family the spec declares (GA, beta,
translation), its client and server events, each with its fields, all read from the spec."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["realtime_markdown"]

_TITLES = {
    "ga": "GA protocol (the default)",
    "beta": "Beta protocol (`beta=True`, `OpenAI-Beta: realtime=v1`)",
    "translation": "Translation sessions",
}
_SIDES = {"client": "Client events (sent with `conn.send` or the helpers)", "server": "Server events (received)"}


def realtime_markdown(index: Any, link: Any = None) -> str:
    """Markdown listing the spec's realtime events, by family and side, each with its fields
    (``link(name)`` makes schema names links, as in ``schema_markdown``)."""
    from ..realtime import catalog
    from ..spec import docinfo
    from ..spec._text import _field_lines, _linked

    events = catalog(index)
    known = docinfo(index)["schemas"]
    counts = ", ".join(
        f"{family}: {len(d['client'])} client and {len(d['server'])} server" for family, d in events.families.items()
    )
    out = [
        "# Realtime events",
        "",
        "The events of `client.realtime.connect(...)`, as the spec declares them"
        + (f" ({counts})." if counts else ": this spec declares none."),
        "",
    ]
    for family, sides in events.families.items():
        out += [f"## {_TITLES.get(family, family)}", ""]
        for side, by_type in sides.items():
            out += [f"### {_SIDES[side]}", ""]
            for kind in sorted(by_type):
                name = by_type[kind]
                data = known.get(name) or {}
                title = _linked(name, link, known)
                out += [f"#### `{kind}` ({title})", ""]
                description = (data.get("description") or "").strip()
                if description:
                    out += [description.split("\n\n")[0], ""]
                fields = data.get("fields") or []
                if fields:
                    out += [*_field_lines([f for f in fields if f[0] <= 1], link, known), ""]
    return "\n".join(out)
