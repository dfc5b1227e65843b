"""Schemas as Python types: TypedDicts, ``Literal`` enums, unions and aliases, for ``types.pyi``.

``TypeBuilder.expr(schema, variant, pointer)`` gives the type of a schema as a type
expression.  Every component schema it meets, and every object schema written inline, becomes a
*unit*: a named type defined once in ``types.pyi`` and referred to by name.  A unit is named
after its place in the spec, never after the path that first reached it: a component keeps
its name (made a Python name), an inline object is its owner's name followed by the way down
(``CreateChatCompletionResponse`` -> ``properties/choices/items`` ->
``CreateChatCompletionResponseChoicesItem``), and clashes are settled in the order of those
places.

Each unit has a request and an answer *variant*, made on demand:

- a required field that has a default, or that may be null, is optional in a request (the
  rule of ``spec._schemas``, which validation follows too: the API fills such fields in);
- in a request an array is any sequence (a ``str`` is not a sequence of strings here) and an
  object of free keys any mapping; in an answer they are ``list`` and ``dict``;
- a ``format: binary`` string is a file in a request (``FileInput``) and text in an answer.

A unit used both ways whose variants differ gets two names: the answer's (``Name``) and the
request's (``NameParam``).  Other rules: ``allOf`` parts are merged into one TypedDict;
``anyOf``/``oneOf`` become unions (they narrow on their discriminator, whose values are
``Literal``s); ``enum``/``const`` become ``Literal``; OpenAPI 3.0 ``nullable`` and 3.1 type
lists add ``None``; ``$recursiveRef`` names its component; keys that are not Python names make
the functional ``TypedDict("Name", {...})`` form.
"""

from __future__ import annotations

import re

from ..spec._schemas import SPEC_ERRATA, _has_default
from ._text import docstring, is_name, literal, pascal, python_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

__all__ = ["ANY", "REQUEST", "RESPONSE", "TypeBuilder", "Unit", "split_union", "union"]

ANY = "_Any"
REQUEST, RESPONSE = "r", "a"
COMPONENTS = "#/components/schemas/"
MAX_DEPTH = 48  # an inline schema nested deeper than this (a YAML alias loop) is Any

# The names types.pyi defines besides the units, and the builtins its annotations use.
RESERVED = frozenset({"FileInput", "SequenceNotStr", "str", "int", "float", "bool", "list", "dict", "bytes", "tuple"})
_TYPING_WORDS = frozenset({"type", "anyOf", "oneOf", "allOf", "enum", "const", "properties", "items", "$ref"})
_TYPING_WORDS |= {"$recursiveRef", "additionalProperties", "format", "prefixItems", "nullable"}
# A reference to a unit's variant in text not yet named: request, answer, and the streaming,
# non-streaming and common forms of a split body (see split_stream).
_PLACEHOLDER = re.compile(r"\x00(\d+)([rasnc])\x00")
_NAME_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# How a step down from a unit's place shows in the name of a unit found there.
_STEP_WORDS = {"items": "Item", "additionalProperties": "Value", "not": "Not"}
DOC_LIMIT, FIELD_DOC_LIMIT = 1200, 500


def escape(key: str) -> str:
    """One segment of a JSON pointer (``/`` as ``~1``, ``~`` as ``~0``)."""
    return key.replace("~", "~0").replace("/", "~1")


def unescape(segment: str) -> str:
    """The key a JSON pointer segment names."""
    return segment.replace("~1", "/").replace("~0", "~")


def _substantive(schema: Any) -> bool:
    """Whether a schema says anything about type (a ``{"required": [...]}`` alternative does not)."""
    return isinstance(schema, dict) and any(k in schema for k in _TYPING_WORDS)


def may_be_null(prop: Any) -> bool:
    """Whether a property schema accepts null at its top level, as ``spec._schemas`` decides it
    (after normalising: ``nullable``, a type list with null, an ``anyOf``/``oneOf`` null branch;
    a binary string is a file, never null)."""
    if not isinstance(prop, dict):
        return False
    kind = prop.get("type")
    if prop.get("format") == "binary" and kind in ("string", None):
        return False
    if prop.get("nullable") is True or kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    alts = [*(prop.get("anyOf") or ()), *(prop.get("oneOf") or ())]
    return any(isinstance(alt, dict) and alt.get("type") == "null" for alt in alts)


def _only_alternative(node: Any) -> tuple[str, dict] | None:
    """``("anyOf/0", schema)`` when a schema is one alternative or null and says nothing else."""
    if not isinstance(node, dict):
        return None
    for key in ("anyOf", "oneOf"):
        alts = node.get(key)
        if not isinstance(alts, list) or any(k in node for k in _TYPING_WORDS - {key, "nullable"}):
            continue
        real = [(i, a) for i, a in enumerate(alts) if _substantive(a) and a.get("type") != "null"]
        if len(real) == 1 and len(alts) - 1 == sum(1 for a in alts if isinstance(a, dict) and a.get("type") == "null"):
            return f"{key}/{real[0][0]}", real[0][1]
    return None


def union(members: Iterable[str]) -> str:
    """The union of type expressions: duplicates dropped, ``None`` last, ``Any`` absorbing all."""
    seen: list[str] = []
    none = False
    for member in members:
        for part in split_union(member):
            if part == "None":
                none = True
            elif part not in seen:
                seen.append(part)
    if ANY in seen:
        return ANY
    if none:
        seen.append("None")
    return " | ".join(seen) if seen else ANY


def split_union(expr: str) -> list[str]:
    """The top-level members of a union expression (brackets respected)."""
    if "|" not in expr:
        return [expr]
    if "[" not in expr and "(" not in expr:
        return [p.strip() for p in expr.split("|") if p.strip()]
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(expr):
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(expr[start:i].strip())
            start = i + 1
    parts.append(expr[start:].strip())
    return [p for p in parts if p]


class Field:
    """One key of a TypedDict: its type expression, whether it is required, its docstring."""

    __slots__ = ("doc", "key", "required", "type")

    def __init__(self, key: str, type_: str, required: bool, doc: str) -> None:
        self.key = key
        self.type = type_
        self.required = required
        self.doc = doc

    def shape(self) -> tuple[str, str, bool]:
        """What makes two variants of a field differ (the docstring does not)."""
        return self.key, self.type.replace("r\x00", "a\x00"), self.required


class Unit:
    """A named type: a component schema or an inline object, with its variants' definitions."""

    __slots__ = (
        "at",
        "doc",
        "home",
        "kind",
        "name",
        "names",
        "node",
        "nullable",
        "pointer",
        "split",
        "uid",
        "variants",
    )

    def __init__(self, uid: int, pointer: str, node: dict, home: str | None, kind: str) -> None:
        self.uid = uid
        self.pointer = pointer  # where it is defined: what names it
        self.at = pointer  # where its schema is (the object inside a nullable component: see _unit)
        self.node = node
        self.home = home
        self.kind = kind  # "object" (a TypedDict) or "alias"
        self.nullable = False  # an object that may be null: its references add "| None"
        self.doc = ""
        self.name = ""  # the base name, from the place
        self.names: dict[str, str] = {}  # variant -> final name
        # variant -> list of Field (objects) or a type expression (aliases)
        self.variants: dict[str, Any] = {}
        self.split: tuple[str, str, str] | None = None  # (key, streaming type, plain type): see split_stream


class TypeBuilder:
    """Turns schemas into type expressions and collects the units they name (see the module docstring).

    ``op_names`` maps a path item's pointer and method (``("#/paths/~1files", "get")``) to the
    operationId, which names the inline schemas of that operation.
    """

    def __init__(self, doc: dict, op_names: dict[tuple[str, str], str]) -> None:
        from ..spec import Walker

        self.doc = doc
        self.walker = Walker(doc)
        self.op_names = op_names
        self.units: list[Unit] = []
        self.by_pointer: dict[str, Unit] = {}
        self._queue: list[tuple[Unit, str]] = []
        self._finished = False

    # -- type expressions ------------------------------------------------------------------

    def expr(self, node: Any, variant: str, pointer: str, home: str | None = None, depth: int = 0) -> str:
        """The type of the schema ``node`` found at ``pointer``, in a request or an answer."""
        if depth > MAX_DEPTH or not isinstance(node, dict):
            return ANY
        if "$ref" in node:
            made = self.ref(node["$ref"], variant)
            return union([made, "None"]) if node.get("nullable") is True else made
        if "$recursiveRef" in node:
            return self.ref(COMPONENTS + escape(home), variant) if home else ANY
        if self._is_object(node, depth):
            made = self._unit_ref(self._unit(pointer, node, home), variant)
            return union([made, "None"]) if may_be_null(node) else made
        return self._plain(node, variant, pointer, home, depth)

    def ref(self, ref: Any, variant: str) -> str:
        """The type a ``$ref`` names (its target becomes a unit); Any when it leads nowhere."""
        pointer = ref
        for _ in range(32):
            if not isinstance(pointer, str) or not pointer.startswith("#/"):
                return ANY
            target = self.lookup(pointer)
            if isinstance(target, dict) and "$ref" in target and len(target) == 1:
                pointer = target["$ref"]  # a bare reference to a reference: name its end
                continue
            if not isinstance(target, dict):
                return ANY
            home = unescape(pointer[len(COMPONENTS) :].split("/", 1)[0]) if pointer.startswith(COMPONENTS) else None
            unit = self._unit(pointer, target, home)
            return self._unit_ref(unit, variant)
        return ANY

    def _unit_ref(self, unit: Unit, variant: str) -> str:
        if variant not in unit.variants:
            unit.variants[variant] = None
            self._queue.append((unit, variant))
        made = f"\x00{unit.uid}{variant}\x00"
        return f"{made} | None" if unit.nullable else made

    def _unit(self, pointer: str, node: dict, home: str | None) -> Unit:
        unit = self.by_pointer.get(pointer)
        if unit is None:
            at, body, nullable = pointer, node, False
            only = _only_alternative(node)
            if only is not None and "$ref" not in only[1] and self._is_object(only[1], 0):
                # `anyOf: [{object}, {type: null}]` (3.1's nullable object): the TypedDict takes
                # the schema's name, and references to it add None.
                at, body, nullable = f"{pointer}/{only[0]}", only[1], True
            kind = "object" if self._is_object(body, 0) else "alias"
            unit = Unit(len(self.units), pointer, body, home, kind)
            unit.at = at
            unit.nullable = kind == "object" and (nullable or may_be_null(body))
            self.units.append(unit)
            self.by_pointer[pointer] = unit
        return unit

    def _is_object(self, node: dict, depth: int) -> bool:
        """Whether a schema is a TypedDict: it has properties, or ``allOf`` parts that all do."""
        props = node.get("properties")
        if isinstance(props, dict) and props:
            return True
        parts = node.get("allOf")
        if not isinstance(parts, list) or depth > MAX_DEPTH:
            return False
        found = False
        for part in parts:
            part = self.walker.resolve(part)
            if not _substantive(part):
                continue
            if not isinstance(part, dict):
                return False
            if self._is_object(part, depth + 1):
                found = True
            elif part.get("type") != "object" or any(k in part for k in ("anyOf", "oneOf", "enum", "items")):
                return False
        return found

    def _plain(self, node: dict, variant: str, pointer: str, home: str | None, depth: int) -> str:
        """A schema that is no object of its own: a union, a literal, a primitive, an array..."""
        members: list[str] = []
        alts = [(key, i, alt) for key in ("anyOf", "oneOf") for i, alt in enumerate(node.get(key) or ())]
        alts = [(key, i, alt) for key, i, alt in alts if _substantive(alt)]
        if alts:
            for key, i, alt in alts:
                members.append(self.expr(alt, variant, f"{pointer}/{key}/{i}", home, depth + 1))
        elif isinstance(node.get("allOf"), list) and any(_substantive(p) for p in node["allOf"]):
            # Parts that cannot merge into one TypedDict: the first part that says something.
            i, part = next((i, p) for i, p in enumerate(node["allOf"]) if _substantive(p))
            members.append(self.expr(part, variant, f"{pointer}/allOf/{i}", home, depth + 1))
        else:
            values = [node["const"]] if "const" in node else node.get("enum")
            if isinstance(values, list) and values and all(v is None or isinstance(v, (str, int)) for v in values):
                shown = [literal(v) for v in values if v is not None]
                if shown:
                    members.append(f"_Literal[{', '.join(dict.fromkeys(shown))}]")
                if None in values:
                    members.append("None")
            else:
                kinds = node.get("type")
                kinds = kinds if isinstance(kinds, list) else [kinds] if isinstance(kinds, str) else []
                if not kinds:
                    kinds = ["array"] if "items" in node else ["object"] if "additionalProperties" in node else []
                for kind in kinds:
                    members.append(self._primitive(kind, node, variant, pointer, home, depth))
                if not kinds:
                    members.append(ANY)
        if may_be_null(node) or (isinstance(node.get("enum"), list) and None in node["enum"]):
            members.append("None")
        return union(members)

    def _primitive(self, kind: str, node: dict, variant: str, pointer: str, home: str | None, depth: int) -> str:
        if kind == "string":
            return "FileInput" if node.get("format") == "binary" and variant == REQUEST else "str"
        if kind == "integer":
            return "int"
        if kind == "number":
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "null":
            return "None"
        if kind == "array":
            items = node.get("items")
            item = self.expr(items, variant, f"{pointer}/items", home, depth + 1) if items else ANY
            if variant == RESPONSE:
                return f"list[{item}]"
            return self._sequence(items, item) if items else f"_Sequence[{item}]"
        if kind == "object":
            extra = node.get("additionalProperties")
            value = ANY
            if isinstance(extra, dict) and _substantive(extra):
                value = self.expr(extra, variant, f"{pointer}/additionalProperties", home, depth + 1)
            return f"dict[str, {value}]" if variant == RESPONSE else f"_Mapping[str, {value}]"
        return ANY

    def _sequence(self, items: Any, item: str) -> str:
        """A request's array: any sequence, but one that is no ``str`` where a ``str`` would
        fit its items (``SequenceNotStr``).  Where items may also be objects, a ``Sequence``:
        checkers infer a list of dict literals as TypedDicts only against it."""
        text, objects = self._kinds(items, 0)
        return f"SequenceNotStr[{item}]" if text and not objects else f"_Sequence[{item}]"

    def _kinds(self, node: Any, depth: int) -> tuple[bool, bool]:
        """Whether a schema admits any ``str`` (not only an enum's), and whether it admits an object."""
        node = self.walker.resolve(node)
        if not isinstance(node, dict) or depth > 16:
            return True, True
        text = objects = False
        alts = [a for a in (*(node.get("anyOf") or ()), *(node.get("oneOf") or ())) if _substantive(a)]
        for alt in alts or [p for p in node.get("allOf") or () if _substantive(p)][:1]:
            t, o = self._kinds(alt, depth + 1)
            text, objects = text or t, objects or o
        if alts:
            return text, objects
        if "const" in node or "enum" in node:
            return text, objects
        kinds = node.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds] if isinstance(kinds, str) else []
        if not kinds and not node.get("properties") and not node.get("allOf"):
            return True, True  # Any
        return text or "string" in kinds, objects or "object" in kinds or bool(node.get("properties"))

    # -- units' definitions ----------------------------------------------------------------

    def drain(self) -> None:
        """Define every variant of every unit asked for so far (which may ask for more)."""
        while self._queue:
            unit, variant = self._queue.pop()
            if unit.kind == "object":
                unit.variants[variant] = self._fields(unit, variant)
            else:
                unit.variants[variant] = self._plain_root(unit, variant)
            if not unit.doc:
                unit.doc = self._doc(unit.node)

    def _plain_root(self, unit: Unit, variant: str) -> str:
        node = unit.node
        if "$ref" in node:
            return self.expr(node, variant, unit.at, unit.home)
        return self._plain(node, variant, unit.at, unit.home, 0)

    def _doc(self, node: dict) -> str:
        text = node.get("description") or node.get("title")
        if not text and isinstance(node.get("allOf"), list):
            for part in node["allOf"]:
                part = self.walker.resolve(part)
                if isinstance(part, dict) and part.get("description"):
                    return str(part["description"])
        return str(text or "")

    def parts(self, node: dict, pointer: str, home: str | None, depth: int = 0) -> list[tuple[dict, str, str | None]]:
        """The schemas an object is made of: itself and its ``allOf`` parts (references
        followed, nested parts flattened), each with its place and its component."""
        found = [(node, pointer, home)]
        for i, part in enumerate(node.get("allOf") or () if depth < MAX_DEPTH else ()):
            where, part_home = f"{pointer}/allOf/{i}", home
            if isinstance(part, dict) and "$ref" in part:
                ref = part["$ref"]
                for _ in range(32):
                    target = self.walker.target(ref)
                    if not (isinstance(target, dict) and "$ref" in target):
                        break
                    ref = target["$ref"]
                where, part = ref, target
                if isinstance(ref, str) and ref.startswith(COMPONENTS):
                    part_home = unescape(ref[len(COMPONENTS) :].split("/", 1)[0])
            if isinstance(part, dict):
                found += self.parts(part, where, part_home, depth + 1)
        return found

    def _fields(self, unit: Unit, variant: str) -> list[Field]:
        props: dict[str, tuple[Any, str, str | None]] = {}
        required: set[str] = set()
        for part, where, home in self.parts(unit.node, unit.at, unit.home):
            own = part.get("properties") if isinstance(part.get("properties"), dict) else None
            for key, prop in (own or {}).items():
                props[key] = (prop, f"{where}/properties/{escape(key)}", home)
            for key in part.get("required") or ():
                if not isinstance(key, str):
                    continue
                if variant == REQUEST and own is not None and key in own:
                    raw = own[key]
                    if may_be_null(raw) or _has_default(raw) or (home, key) in SPEC_ERRATA:
                        continue
                required.add(key)
        fields = []
        for key, (prop, where, home) in props.items():
            made = self.expr(prop, variant, where, home)
            fields.append(Field(key, made, key in required, self._field_doc(prop)))
        return fields

    def _field_doc(self, prop: Any) -> str:
        if not isinstance(prop, dict):
            return ""
        text = prop.get("description") or prop.get("title")
        if not text and "$ref" in prop:
            target = self.walker.resolve(prop)
            if isinstance(target, dict):
                text = target.get("description") or target.get("title")
                text = str(text).split("\n\n", 1)[0] if text else ""
        if not text:
            for alt in (*(prop.get("anyOf") or ()), *(prop.get("oneOf") or ())):
                if isinstance(alt, dict) and alt.get("description"):
                    text = alt["description"]
                    break
        return str(text or "")

    def split_stream(self, unit: Unit, key: str, streaming: str, plain: str) -> None:
        """Give the request variant of a body's TypedDict two siblings: ``NameStreaming``, where
        ``key`` has the type ``streaming`` and is required, and ``NameNonStreaming``, where it
        has the type ``plain`` (both are made from a shared base, ``_NameCommon``).  Refer to
        them with ``variant_ref(unit, "s")`` and ``variant_ref(unit, "n")``."""
        unit.split = (key, streaming, plain)

    @staticmethod
    def variant_ref(unit: Unit, which: str) -> str:
        """A reference to a unit's variant (``r``, ``a``, or a split body's ``s``/``n``), named later."""
        return f"\x00{unit.uid}{which}\x00"

    def object_unit(self, expr: str) -> Unit | None:
        """The TypedDict unit that a type expression is, if it is exactly one."""
        match = _PLACEHOLDER.fullmatch(expr)
        if match is None:
            return None
        unit = self.units[int(match.group(1))]
        return unit if unit.kind == "object" else None

    def alias_target(self, expr: str) -> str | None:
        """The request type an alias stands for, where ``expr`` is exactly a request alias."""
        match = _PLACEHOLDER.fullmatch(expr)
        if match is None or match.group(2) != REQUEST:
            return None
        unit = self.units[int(match.group(1))]
        target = unit.variants.get(REQUEST) if unit.kind == "alias" else None
        return target if isinstance(target, str) else None

    def required_keys(self, unit: Unit, variant: str) -> list[str]:
        """The required keys of an object unit's variant."""
        body = unit.variants.get(variant)
        return [f.key for f in body if f.required] if isinstance(body, list) else []

    # -- names -----------------------------------------------------------------------------

    def finish(self) -> None:
        """Define what is still asked for, then name every variant of every unit."""
        self.drain()
        taken = set(RESERVED)
        top = [u for u in self.units if u.pointer.startswith(COMPONENTS) and "/" not in u.pointer[len(COMPONENTS) :]]
        top_ids = {u.uid for u in top}
        inline = sorted((u for u in self.units if u.uid not in top_ids), key=lambda u: u.pointer)
        # Components in the spec's order (not the order they were reached in), then the rest by place.
        order = {name: i for i, name in enumerate((self.doc.get("components") or {}).get("schemas") or {})}
        components = sorted(
            top, key=lambda u: (order.get(unescape(u.pointer[len(COMPONENTS) :]), len(order)), u.pointer)
        )
        for unit in [*components, *inline]:
            unit.name = _claim(self._base_name(unit), taken)
        differs = self._differing()
        for unit in [*components, *inline]:
            for variant in sorted(unit.variants):
                unit.names[variant] = unit.name
            if REQUEST in unit.variants and RESPONSE in unit.variants and unit.uid in differs:
                unit.names[REQUEST] = _claim(unit.name + "Param", taken)
        for unit in [*components, *inline]:
            if unit.split is not None and REQUEST in unit.names:
                base = unit.names[REQUEST]
                unit.names["c"] = _claim(f"_{base}Common", taken)
                unit.names["s"] = _claim(f"{base}Streaming", taken)
                unit.names["n"] = _claim(f"{base}NonStreaming", taken)
        self._finished = True

    def _differing(self) -> set[int]:
        """The units used both ways whose request variant differs from their answer variant,
        themselves or through a unit they refer to."""
        both = [u for u in self.units if REQUEST in u.variants and RESPONSE in u.variants]
        differs: set[int] = set()
        needs: dict[int, set[int]] = {}
        for unit in both:
            req, ans = unit.variants[REQUEST], unit.variants[RESPONSE]
            if unit.kind == "object":
                if [f.shape() for f in req] != [f.shape() for f in ans]:
                    differs.add(unit.uid)
                text = " ".join(f.type for f in req)
            else:
                if req.replace("r\x00", "a\x00") != ans:
                    differs.add(unit.uid)
                text = req
            needs[unit.uid] = {int(m.group(1)) for m in _PLACEHOLDER.finditer(text) if m.group(2) == REQUEST}
        changed = True
        while changed:
            changed = False
            for uid, deps in needs.items():
                if uid not in differs and deps & differs:
                    differs.add(uid)
                    changed = True
        return differs

    def _base_name(self, unit: Unit) -> str:
        segments = [unescape(s) for s in unit.pointer[2:].split("/")]
        if segments[:2] == ["components", "schemas"]:
            name, rest = python_name(segments[2]), segments[3:]
        elif segments[0] == "paths" and len(segments) > 2:
            name, rest = self._operation_name(segments)
        elif segments[0] == "components" and len(segments) > 2:
            name, rest = python_name(segments[2]), segments[3:]
        else:
            name, rest = "Schema", segments
        walked = segments[: len(segments) - len(rest)]
        i = 0
        while i < len(rest):
            step = rest[i]
            walked.append(step)
            if step in ("properties", "$defs", "patternProperties") and i + 1 < len(rest):
                name += pascal(rest[i + 1]) or "Field"
                walked.append(rest[i + 1])
                i += 2
            elif step in ("anyOf", "oneOf", "prefixItems") and i + 1 < len(rest):
                parent = self.lookup("#/" + "/".join(escape(s) for s in walked[:-1]))
                walked.append(rest[i + 1])
                if step == "prefixItems" or _only_alternative(parent) is None:  # the only one needs no label
                    name += self._variant_label(walked, int(rest[i + 1]) if rest[i + 1].isdigit() else 0)
                i += 2
            elif step == "allOf" and i + 1 < len(rest):
                walked.append(rest[i + 1])
                i += 2
            else:
                name += _STEP_WORDS.get(step, "")
                i += 1
        return name

    def _operation_name(self, segments: list[str]) -> tuple[str, list[str]]:
        """The name of an operation's inline schema: ``CreateFooRequest``, ``ListFoosResponse``..."""
        path_pointer = "#/paths/" + escape(segments[1])
        method = segments[2]
        op_id = self.op_names.get((path_pointer, method))
        rest = segments[3:]
        if op_id is None:  # path-level parameters
            return pascal(segments[1]) or "Path", segments[2:]
        base = python_name(pascal(op_id) or op_id)
        if rest[:2] == ["requestBody", "content"] and len(rest) > 3:
            op = self.walker.resolve(self.walker.target(f"{path_pointer}/{method}")) or {}
            body = self.walker.resolve(op.get("requestBody")) or {}
            several = len(body.get("content") or ()) > 1
            suffix = ("Form" if "multipart" in rest[2] else pascal(rest[2].split("/")[-1])) if several else ""
            return base + "Request" + suffix, rest[4:]
        if rest[:1] == ["responses"] and len(rest) > 4:
            kind = "Event" if rest[3] == "text/event-stream" else "Response"
            status = "" if rest[1].startswith("2") else pascal(rest[1])
            return base + kind + status, rest[5:]
        if rest[:1] == ["parameters"] and len(rest) > 2:
            op = self.walker.resolve(self.walker.target(f"{path_pointer}/{method}")) or {}
            prm = self.walker.resolve((op.get("parameters") or [None] * (int(rest[1]) + 1))[int(rest[1])])
            label = pascal(str(prm.get("name"))) if isinstance(prm, dict) else rest[1]
            return base + label, rest[3:]
        return base, rest

    def _variant_label(self, walked: list[str], index: int) -> str:
        node = self.walker.resolve(self.lookup("#/" + "/".join(escape(s) for s in walked)))
        if isinstance(node, dict):
            if isinstance(node.get("title"), str) and pascal(node["title"]):
                return pascal(node["title"])
            tag = (node.get("properties") or {}).get("type")
            tag = self.walker.resolve(tag)
            if isinstance(tag, dict):
                values = [tag["const"]] if "const" in tag else tag.get("enum") or ()
                if len(values) == 1 and isinstance(values[0], str) and pascal(values[0]):
                    return pascal(values[0])
        return f"Variant{index + 1}"

    def lookup(self, pointer: str) -> Any:
        """The node at a JSON pointer of the document, through lists too (``.../oneOf/0``)."""
        node: Any = self.doc
        for segment in pointer[2:].split("/") if pointer.startswith("#/") else ():
            if isinstance(node, dict):
                node = node.get(unescape(segment))
            elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
                node = node[int(segment)]
            else:
                return None
        return node

    # -- text ------------------------------------------------------------------------------

    def resolve(self, text: str, prefix: str = "") -> str:
        """``text`` with every unit reference replaced by its final name (after ``prefix``)."""
        units = self.units

        def name(match: re.Match) -> str:
            return prefix + units[int(match.group(1))].names[match.group(2)]

        return _PLACEHOLDER.sub(name, text)

    def render(self) -> str:
        """The definitions of ``types.pyi``: every unit's variants, sorted by name."""
        out = []
        for unit in self.units:
            for variant, body in unit.variants.items():
                name = unit.names[variant]
                if variant == RESPONSE and unit.names.get(REQUEST) == name:
                    continue  # one definition serves both
                if unit.kind == "alias":
                    text = f"{name}: _TypeAlias = {self.resolve(body)}\n"
                    if unit.doc:
                        text += docstring(unit.doc, "", DOC_LIMIT)
                    out.append((name, text))
                elif variant == REQUEST and unit.split is not None:
                    out += self._split_classes(unit, body)
                else:
                    out.append((name, self._typeddict(name, "_TypedDict", body, unit.doc)))
        out.sort()
        return "\n\n".join(text for _, text in out)

    def _typeddict(self, name: str, base: str, fields: list[Field], doc: str) -> str:
        types = {f.key: self.resolve(f.type) for f in fields}
        words = {w for t in types.values() for w in _NAME_TOKEN.findall(t)}
        if base == "_TypedDict" and (not fields or not all(is_name(f.key) and f.key not in words for f in fields)):
            # Keys that are no Python names, or that would hide a type the annotations use.
            items = ", ".join(f"{literal(f.key)}: {_wrap(types[f.key], f.required)}" for f in fields)
            text = f'{name} = _TypedDict("{name}", {{{items}}})\n'
            return text + (docstring(doc, "", DOC_LIMIT) if doc else "")
        majority = sum(f.required for f in fields) * 2 > len(fields)
        head = f"class {name}({base}):" if majority else f"class {name}({base}, total=False):"
        lines = [head + "\n"]
        if doc:
            lines.append(docstring(doc, "    ", DOC_LIMIT))
        for f in fields:
            shown = types[f.key]
            if majority and not f.required:
                shown = f"_NotRequired[{shown}]"
            elif not majority and f.required:
                shown = f"_Required[{shown}]"
            lines.append(f"    {f.key}: {shown}\n")
            if f.doc:
                lines.append(docstring(f.doc, "    ", FIELD_DOC_LIMIT))
        return "".join(lines)

    def _split_classes(self, unit: Unit, fields: list[Field]) -> list[tuple[str, str]]:
        key, streaming, plain = unit.split or ("", "", "")
        common = [f for f in fields if f.key != key]
        own = [f for f in fields if f.key == key]
        names = unit.names
        made = [(names["c"], self._typeddict(names["c"], "_TypedDict", common, unit.doc))]
        made.append((names[REQUEST], self._typeddict(names[REQUEST], names["c"], own, unit.doc)))
        doc = own[0].doc if own else ""
        for which, type_, required in (("s", streaming, True), ("n", plain, False)):
            field = Field(key, type_, required, doc)
            made.append((names[which], self._typeddict(names[which], names["c"], [field], unit.doc)))
        return made

    def field_keys(self, unit: Unit, variant: str) -> list[str]:
        """The keys of an object unit's variant."""
        body = unit.variants.get(variant)
        return [f.key for f in body] if isinstance(body, list) else []


def _wrap(shown: str, required: bool) -> str:
    return f"_Required[{shown}]" if required else f"_NotRequired[{shown}]"


def _claim(name: str, taken: set[str]) -> str:
    """``name``, or ``name2``, ``name3``... whichever is free first; then it is taken."""
    made, n = name, 1
    while made in taken:
        n += 1
        made = f"{name}{n}"
    taken.add(made)
    return made
