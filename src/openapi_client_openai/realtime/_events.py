"""The Realtime API's events as the spec declares them: which exist, and checking one.

The spec holds every WebSocket event as a component schema whose ``type`` field names it.
They come in families, found by reading the spec rather than by a list kept here:

- ``ga``: the members of the ``RealtimeClientEvent``/``RealtimeServerEvent`` unions, when those
  speak the GA protocol (``response.output_text.delta``);
- ``beta``: the ``RealtimeBeta*Event*`` schemas; in a spec from before GA (2025-04) the unions
  themselves speak beta (``response.text.delta``) and are this family, and there is no ``ga``;
- ``translation``: the ``RealtimeTranslation*Event`` unions.

Checking an event reuses the request validator (``OperationValidator``: a compiled check,
the explainer's messages, the "did you mean" near misses), with the event's schema as the
body of a pseudo-operation.  Pure: no I/O beyond the spec's compiled schema cache.
"""

from __future__ import annotations

import re

from .._errors import SpecError
from .._validation import REF_PREFIX, OperationValidator, Problem, _closest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FAMILIES", "EventCatalog", "catalog"]

FAMILIES = ("ga", "beta", "translation")
_SIDES = ("client", "server")
_UNIONS = {"client": "RealtimeClientEvent", "server": "RealtimeServerEvent"}
_TRANSLATION = {"client": "RealtimeTranslationClientEvent", "server": "RealtimeTranslationServerEvent"}
_BETA = re.compile(r"RealtimeBeta(Client|Server)Event\w+")
_CATALOGS: dict[str, EventCatalog] = {}


class _EventOp:
    """What ``OperationValidator`` needs of an operation, for one event type."""

    __slots__ = ("by_kwarg", "id")

    def __init__(self, event_type: str) -> None:
        self.id = event_type
        self.by_kwarg: dict[str, Any] = {}


def event_type_of(schema: Any) -> str | None:
    """The value an event schema fixes for its ``type`` field (an ``enum`` of one, or ``const``)."""
    prop = (schema.get("properties") or {}).get("type") if isinstance(schema, dict) else None
    if not isinstance(prop, dict):
        return None
    if "const" in prop:
        return prop["const"]
    values = prop.get("enum")
    return values[0] if isinstance(values, list) and len(values) == 1 else None


class EventCatalog:
    """The realtime event families of one spec: ``events(family, side)`` maps each event type
    to its schema's name; ``check(family, event)`` lists what is wrong with a client event."""

    def __init__(self, defs: dict[str, Any], source: str = "the spec") -> None:
        self.defs = defs
        self.source = source
        self.families: dict[str, dict[str, dict[str, str]]] = {}
        unions = {side: self._members(_UNIONS[side]) for side in _SIDES}
        if unions["server"]:
            speaks_ga = "response.output_text.delta" in unions["server"]
            self.families["ga" if speaks_ga else "beta"] = unions
        beta: dict[str, dict[str, str]] = {"client": {}, "server": {}}
        for name, schema in defs.items():
            found = _BETA.fullmatch(name)
            kind = event_type_of(schema) if found else None
            if kind:
                beta[found.group(1).lower()].setdefault(kind, name)
        if beta["server"]:
            self.families["beta"] = beta
        translation = {side: self._members(_TRANSLATION[side]) for side in _SIDES}
        if translation["server"]:
            self.families["translation"] = translation
        self._validators: dict[tuple[str, str, str], OperationValidator] = {}
        # (family, side) -> event type -> (validator, every property name its schemas declare)
        self._checks: dict[tuple[str, str], dict[str, tuple[OperationValidator, frozenset[str]]]] = {}

    def _members(self, union: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for alt in (self.defs.get(union) or {}).get("anyOf") or ():
            ref = alt.get("$ref", "") if isinstance(alt, dict) else ""
            name = ref[len(REF_PREFIX) :] if ref.startswith(REF_PREFIX) else ""
            kind = event_type_of(self.defs.get(name))
            if kind:
                out.setdefault(kind, name)
        return out

    def require(self, family: str) -> dict[str, dict[str, str]]:
        """The family's events, or a ``SpecError`` saying which families this spec has."""
        found = self.families.get(family)
        if found is not None:
            return found
        if family not in FAMILIES:
            raise SpecError(f"unknown realtime protocol {family!r}: use one of {', '.join(FAMILIES)}")
        have = ", ".join(self.families) or "none"
        hint = {
            "ga": "connect with beta=True to speak the beta protocol it has, or use a newer spec",
            "beta": "connect without beta=True (the GA protocol), or use a spec that has the beta events",
        }.get(family, "use a spec that declares them")
        raise SpecError(f"{self.source} declares no {family} realtime events (it has: {have}): {hint}")

    def events(self, family: str, side: str) -> dict[str, str]:
        """Event type -> schema name, for ``side`` (``client`` or ``server``) of a family."""
        return self.require(family)[side]

    def schema(self, family: str, side: str, event_type: str) -> dict[str, Any]:
        """The (normalised) schema of one event."""
        return self.defs[self.events(family, side)[event_type]]

    def validator(self, family: str, side: str, event_type: str) -> OperationValidator:
        """The validator of one event type, built on first use and kept."""
        key = (family, side, event_type)
        found = self._validators.get(key)
        if found is None:
            name = self.events(family, side)[event_type]
            schemas = {"body": {"application/json": {"$ref": REF_PREFIX + name}}, "body_required": True}
            found = self._validators[key] = OperationValidator(_EventOp(event_type), schemas, self.defs)
        return found

    def check(self, family: str, event: Any, side: str = "client") -> tuple[list[Problem], list[Problem]]:
        """What is wrong with ``event`` (problems) and the fields that look mistyped (near
        misses), against the schema its ``type`` names in ``family``."""
        table = self._checks.get((family, side))
        if table is None:
            self.events(family, side)  # raises for a family the spec lacks
            table = self._checks[(family, side)] = {}
        entry = table.get(event.get("type")) if type(event) is dict else None
        if entry is None:
            problem = self._misfit(family, side, event)
            if problem is not None:
                return [problem], []
            validator = self.validator(family, side, event["type"])
            entry = table[event["type"]] = (validator, _declared_names(validator))
        validator, names = entry
        # The near-miss walk (~5 µs) only when some key is declared nowhere in the event's schemas:
        # a key declared somewhere is taken as meant, which keeps the usual check near 2 µs.
        near = [] if _keys_within(event, names) else validator.near_misses(event)
        return validator.check(event, {}), near

    def _misfit(self, family: str, side: str, event: Any) -> Problem | None:
        """The problem of a value that is no event of the family at all (None if it is one)."""
        events = self.events(family, side)
        if not isinstance(event, dict):
            return Problem("event", f"must be a dict (a JSON object), not {type(event).__name__}")
        kind = event.get("type")
        if not isinstance(kind, str):
            return Problem("event", "needs a 'type' naming the event, e.g. 'session.update'")
        if kind not in events:
            near = _closest(kind, list(events))
            hint = f"did you mean {near!r}?" if near else f"known: {', '.join(sorted(events))}"
            return Problem("type", f"{kind!r} is not a {family} {side} event ({hint})")
        return None


def _declared_names(validator: OperationValidator) -> frozenset[str]:
    """Every property name declared in an event's schema and the schemas it refers to."""
    names: set[str] = set()
    stack: list[Any] = [*validator.bodies.values(), *validator.defs.values()]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict):
                names.update(props)
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return frozenset(names)


def _keys_within(event: Any, names: frozenset[str]) -> bool:
    """Whether every key of ``event``, at any depth, is one of ``names``."""
    stack = [event]
    while stack:
        value = stack.pop()
        if type(value) is dict:
            for key, item in value.items():
                if key not in names:
                    return False
                if type(item) is dict or type(item) is list:
                    stack.append(item)
        elif type(value) is list:
            stack.extend(item for item in value if type(item) is dict or type(item) is list)
    return True


def catalog(index: Any) -> EventCatalog:
    """The event catalog of a loaded spec (``SpecIndex``), built once per spec."""
    found = _CATALOGS.get(index.sha256)
    if found is None:
        found = _CATALOGS[index.sha256] = EventCatalog(index.schemas()["defs"], str(index.source))
    return found
