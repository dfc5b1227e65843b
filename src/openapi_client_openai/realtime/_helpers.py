"""``conn.session.update(...)``, ``conn.response.create(...)``...: thin helpers made from the
client-event schemas of the connection's protocol, so a new event is a helper the day the spec
has it.  ``conn.X.Y(**fields)`` sends ``{"type": "X.Y", **fields}`` through ``conn.send`` (checked
like any event); bytes become base64 (``conn.input_audio_buffer.append(pcm_bytes)``), and a
positional argument fills the event's required field (``audio``).
"""

from __future__ import annotations

import base64

from .._validation import Explainer, _closest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Namespace", "namespace_names"]


def namespace_names(events: dict[str, str]) -> set[str]:
    """The first parts of the client event types (``session``, ``conversation``...)."""
    return {kind.split(".", 1)[0] for kind in events if "." in kind}


class Namespace:
    """One level of the helper tree: ``conn.conversation`` and ``conn.conversation.item``."""

    __slots__ = ("_conn", "_prefix")

    def __init__(self, conn: Any, prefix: str) -> None:
        self._conn = conn
        self._prefix = prefix

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        events = self._conn._session.client_events
        kind = f"{self._prefix}.{name}"
        if kind in events:
            return _Helper(self._conn, kind)
        if any(k.startswith(kind + ".") for k in events):
            return Namespace(self._conn, kind)
        here = sorted({k[len(self._prefix) + 1 :].split(".", 1)[0] for k in events if k.startswith(self._prefix + ".")})
        near = _closest(name, here)
        hint = f"did you mean {near!r}?" if near else f"known here: {', '.join(here)}"
        raise AttributeError(f"no client event {kind!r} in this protocol ({hint})")

    def __dir__(self) -> list[str]:
        events = self._conn._session.client_events
        return sorted({k[len(self._prefix) + 1 :].split(".", 1)[0] for k in events if k.startswith(self._prefix + ".")})

    def __repr__(self) -> str:
        return f"<realtime events {self._prefix}.*>"


class _Helper:
    """Sends one event type; its docstring and positional field come from the schema."""

    __slots__ = ("_conn", "_kind")

    def __init__(self, conn: Any, kind: str) -> None:
        self._conn = conn
        self._kind = kind

    def _positional(self) -> list[str]:
        session = self._conn._session
        schema = session.catalog.schema(session.family, "client", self._kind)
        explainer = Explainer(session.catalog.defs, "")
        required = explainer.required(schema)
        return [n for n in explainer.properties(schema) if n in required and n not in ("type", "event_id")]

    def __call__(self, *args: Any, **fields: Any) -> Any:
        """Send the event with these fields (see the class docstring)."""
        if args:
            names = self._positional()
            if len(args) > len(names):
                from .._errors import ParameterError

                takes = ", ".join(names) or "none"
                raise ParameterError(
                    f"{self._kind} takes {len(names)} positional argument(s) ({takes}), got {len(args)}: "
                    "pass the event's fields as keywords"
                )
            fields = {**dict(zip(names, args, strict=False)), **fields}
        event = {"type": self._kind}
        for name, value in fields.items():
            if isinstance(value, (bytes, bytearray, memoryview)):
                value = base64.b64encode(value).decode("ascii")
            event[name] = value
        return self._conn.send(event)

    def __repr__(self) -> str:
        return f"<realtime event helper {self._kind}>"
