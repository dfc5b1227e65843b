"""Checking requests against the spec before they leave the machine.

A compiled validator (jsonschema-rs, ~1 µs for a chat body) answers "valid?" for every
request.  Only when the answer is no does the explainer below walk the schema in Python to
say where and why, the way a person would: ``messages[2].content: expected string or array,
got integer``.  Under ``anyOf``/``oneOf`` it reports the alternative that fits best (the one
the discriminator or a ``type``-like field names, else the one that matched most), not every
branch's failures.

The explainer is itself a complete validator for the keywords OpenAI's specs use, so an
operation's first calls are checked by it alone (~0.2 ms for a chat body): a process that
makes one call never pays for importing and compiling jsonschema-rs (~25 ms, see
benchmarks/first_answer.py and benchmarks/validation.py).  Validators are built per
operation on first use from the schema cache written when the spec was compiled (see
``spec/_schemas``), never at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "ANSWER_REQUIRED",
    "EXCLUSIVE",
    "FILE",
    "REF_PREFIX",
    "Explainer",
    "OperationValidator",
    "Problem",
    "refs_closure",
]

# The normalised schema dialect (written by spec/_schemas.py, read here): a file field, and
# where references point (every component schema is under `$defs`).
FILE = "x-file"
EXCLUSIVE = "x-exclusive"  # groups of fields of which a value may hold only one (from a oneOf)
ANSWER_REQUIRED = "x-answer-required"  # every field an answer must carry, the nullable ones too
REF_PREFIX = "#/$defs/"

_DRAFT = "https://json-schema.org/draft/2020-12/schema"
INTERPRETED_CALLS = 2  # an operation's first checks are interpreted; later ones compiled
_FILE_HINT = "a pathlib.Path, bytes, an open binary file or a (filename, content) tuple"


class Problem:
    """One thing wrong with a request: where (``location``) and what (``message``)."""

    __slots__ = ("location", "message")

    def __init__(self, location: str, message: str) -> None:
        self.location = location
        self.message = message

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"

    def __repr__(self) -> str:
        return f"Problem({self.location!r}, {self.message!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and (self.location, self.message) == (other.location, other.message)

    def __hash__(self) -> int:
        return hash((self.location, self.message))


def _where(path: tuple, root: str) -> str:
    out = root
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*", part):
            out = f"{out}.{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out or "body"


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__


def _shows(value: Any) -> str:
    kind = _type_of(value)
    if kind in ("object", "array"):
        return kind
    text = repr(value)
    return f"{kind} {text if len(text) <= 40 else text[:37] + '...'}"


def _matches_type(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "object":
        return isinstance(value, Mapping)
    if kind == "array":
        return isinstance(value, (list, tuple))
    if kind == "null":
        return value is None
    return True


def _near_name(word: str, known: Mapping[str, Any]) -> str | None:
    """The declared name ``word`` most likely mistypes: one edit away for short names, two for
    longer ones (an adjacent swap is one edit).  A provider's own field one letter from an
    OpenAI field (``top_k``) is flagged too: such fields belong in ``extra_body=``."""
    if len(word) < 4:
        return None
    best = _closest(word, [k for k in known if abs(len(k) - len(word)) <= 2])
    if best is None or _edits(word, best) > (1 if len(word) < 7 else 2):
        return None
    return best


def _edits(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count once), for short field names."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _closest(word: str, options: list[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, options, n=1, cutoff=0.7)
    return found[0] if found else None


class Explainer:
    """Walks a normalised schema beside a value and lists what does not fit, as a person would.

    ``defs`` are the component schemas that ``$ref``s name; ``root`` is the name the places
    in problems start from (``""`` for a body, ``"query: limit"`` for a parameter).
    ``answers``: check a server's answer, which must carry every field the spec requires,
    those that may be null too (a request may leave those out).
    """

    def __init__(self, defs: dict[str, Any], root: str, answers: bool = False) -> None:
        self.defs = defs
        self.root = root
        self.answers = answers

    def resolve(self, schema: Any) -> dict:
        """Follow a schema's ``$ref``s to the schema they name (keywords beside a ``$ref`` are
        kept, as an ``allOf`` with its target); an unknown reference resolves to ``{}``."""
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 64:
            ref = schema["$ref"]
            target = self.defs.get(ref[len(REF_PREFIX) :]) if ref.startswith(REF_PREFIX) else None
            if target is None:
                return {}
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {"allOf": [target, rest]} if rest else target
            seen += 1
        return schema if isinstance(schema, dict) else {}

    def types(self, schema: Any, depth: int = 0) -> set[str]:
        """The JSON types a schema accepts at its top level (empty: any)."""
        schema = self.resolve(schema)
        kind = schema.get("type")
        if kind:
            return {kind} if isinstance(kind, str) else set(kind)
        if "enum" in schema:
            return {_type_of(v) for v in schema["enum"]}
        if "const" in schema:
            return {_type_of(schema["const"])}
        if depth < 8 and "anyOf" in schema:
            out: set[str] = set()
            for alt in schema["anyOf"]:
                alt_types = self.types(alt, depth + 1)
                if not alt_types:
                    return set()
                out |= alt_types
            return out
        if depth < 8 and "allOf" in schema:
            for part in schema["allOf"]:
                part_types = self.types(part, depth + 1)
                if part_types:
                    return part_types
        if "properties" in schema or "required" in schema:
            return {"object"}
        if "items" in schema:
            return {"array"}
        return set()

    def properties(self, schema: Any) -> dict[str, Any]:
        """The top-level properties of an object schema, including those of its ``allOf`` parts
        (and theirs: a request often builds on shared parts two levels down)."""
        props: dict[str, Any] = {}
        stack, seen = [schema], 0
        while stack and seen < 64:
            part = self.resolve(stack.pop(0))
            seen += 1
            for name, sub in (part.get("properties") or {}).items():
                props.setdefault(name, sub)
            stack.extend(part.get("allOf") or ())
        return props

    def required(self, schema: Any) -> set[str]:
        """The fields an object schema requires, its ``allOf`` parts' included."""
        needed: set[str] = set()
        stack, seen = [schema], 0
        while stack and seen < 64:
            part = self.resolve(stack.pop())
            seen += 1
            needed.update(r for r in part.get("required") or () if isinstance(r, str))
            stack.extend(part.get("allOf") or ())
        return needed

    def describe(self, schema: Any) -> str:
        """The types a schema accepts, for people: ``string or array``, ``any value``."""
        kinds = self.types(schema)
        order = ["string", "integer", "number", "boolean", "array", "object", "null"]
        names = [k for k in order if k in kinds] + sorted(kinds - set(order))
        if "integer" in names and "number" in names:
            names.remove("integer")
        return " or ".join(names) if names else "any value"

    def check(self, schema: Any, value: Any, path: tuple = ()) -> list[Problem]:
        """Every problem of ``value`` against ``schema`` (empty when it fits); ``path`` is where
        the value sits in the request, for the problems' locations."""
        schema = self.resolve(schema)
        if not schema or schema.get(FILE):
            return []
        if "type" in schema:
            kinds = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
            if not any(_matches_type(value, k) for k in kinds):
                return [Problem(_where(path, self.root), f"expected {self.describe(schema)}, got {_shows(value)}")]
        if "const" in schema and value != schema["const"]:
            return [Problem(_where(path, self.root), f"must be {schema['const']!r}, got {_shows(value)}")]
        if "enum" in schema and value not in schema["enum"]:
            allowed = ", ".join(repr(v) for v in schema["enum"][:20])
            more = " ..." if len(schema["enum"]) > 20 else ""
            return [Problem(_where(path, self.root), f"must be one of {allowed}{more}; got {_shows(value)}")]
        problems: list[Problem] = []
        exclusive = schema.get(EXCLUSIVE) if isinstance(value, Mapping) else None
        if exclusive:
            given = [" and ".join(g) for g in exclusive if any(name in value for name in g)]
            if len(given) > 1:
                problems.append(Problem(_where(path, self.root), f"give only one of: {' or '.join(given)}"))
        for part in schema.get("allOf") or ():
            if not (exclusive and "not" in part and len(part) == 1):
                problems += self.check(part, value, path)
        if "anyOf" in schema:
            problems += self._any_of(schema, value, path)
        if "not" in schema and not exclusive and not self.check(schema["not"], value, path):
            problems.append(Problem(_where(path, self.root), "matches a form the spec rules out"))
        if isinstance(value, Mapping):
            problems += self._object(schema, value, path)
        elif isinstance(value, (list, tuple)):
            problems += self._array(schema, value, path)
        elif isinstance(value, str):
            problems += self._string(schema, value, path)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            problems += self._number(schema, value, path)
        return problems

    def _object(self, schema: dict, value: Mapping, path: tuple) -> list[Problem]:
        problems = []
        props = schema.get("properties") or {}
        needed = (schema.get(ANSWER_REQUIRED) if self.answers else None) or schema.get("required") or ()
        for name in needed:
            if name not in value:
                problems.append(Problem(_where(path, self.root), f"missing required field {name!r}"))
        for key, item in value.items():
            if key in props:
                problems += self.check(props[key], item, (*path, key))
                continue
            matched = False
            for pattern, sub in (schema.get("patternProperties") or {}).items():
                if re.search(pattern, str(key)):
                    matched = True
                    problems += self.check(sub, item, (*path, key))
            if matched:
                continue
            extra = schema.get("additionalProperties")
            if extra is False:
                hint = _closest(str(key), list(props))
                known = f"did you mean {hint!r}?" if hint else f"known fields: {', '.join(list(props)[:15])}"
                problems.append(Problem(_where((*path, key), self.root), f"unknown field ({known})"))
            elif isinstance(extra, dict):
                problems += self.check(extra, item, (*path, key))
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            problems.append(Problem(_where(path, self.root), f"needs at least {schema['minProperties']} fields"))
        if "maxProperties" in schema and len(value) > schema["maxProperties"]:
            problems.append(Problem(_where(path, self.root), f"takes at most {schema['maxProperties']} fields"))
        return problems

    def _array(self, schema: dict, value: list | tuple, path: tuple) -> list[Problem]:
        problems = []
        prefix = schema.get("prefixItems") or []
        for i, item in enumerate(value):
            sub = prefix[i] if i < len(prefix) else schema.get("items")
            if sub is False:
                problems.append(Problem(_where((*path, i), self.root), "no more items are allowed here"))
            elif sub is not None:
                problems += self.check(sub, item, (*path, i))
        if "minItems" in schema and len(value) < schema["minItems"]:
            problems.append(
                Problem(_where(path, self.root), f"needs at least {schema['minItems']} items, got {len(value)}")
            )
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            problems.append(
                Problem(_where(path, self.root), f"takes at most {schema['maxItems']} items, got {len(value)}")
            )
        return problems

    def _string(self, schema: dict, value: str, path: tuple) -> list[Problem]:
        where = _where(path, self.root)
        if "minLength" in schema and len(value) < schema["minLength"]:
            return [Problem(where, f"needs at least {schema['minLength']} characters")]
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return [Problem(where, f"takes at most {schema['maxLength']} characters, got {len(value)}")]
        pattern = schema.get("pattern")
        if pattern:
            try:
                if not re.search(pattern, value):
                    return [Problem(where, f"does not match the pattern {pattern!r}")]
            except re.error:
                pass  # an ECMA-only pattern: the compiled validator has the last word
        return []

    def _number(self, schema: dict, value: float, path: tuple) -> list[Problem]:
        where = _where(path, self.root)
        if "minimum" in schema and value < schema["minimum"]:
            return [Problem(where, f"must be at least {schema['minimum']}, got {value}")]
        if "maximum" in schema and value > schema["maximum"]:
            return [Problem(where, f"must be at most {schema['maximum']}, got {value}")]
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return [Problem(where, f"must be more than {schema['exclusiveMinimum']}, got {value}")]
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            return [Problem(where, f"must be less than {schema['exclusiveMaximum']}, got {value}")]
        step = schema.get("multipleOf")
        if step and (value / step) % 1:
            return [Problem(where, f"must be a multiple of {step}, got {value}")]
        return []

    def _any_of(self, schema: dict, value: Any, path: tuple) -> list[Problem]:
        alternatives = schema["anyOf"]
        chosen = self._by_discriminator(schema, value, path)
        if chosen is not None and not chosen:
            return chosen
        # The alternatives that a discriminator or constant-valued fields point at are tried
        # first and are the ones reported on; any alternative that accepts the value wins.
        candidates = self._by_tags(alternatives, value) if isinstance(value, Mapping) else []
        results = []
        for alt in [*candidates, *(a for a in alternatives if not any(a is c for c in candidates))]:
            problems = self.check(alt, value, path)
            if not problems:
                return []
            results.append((alt, problems))
        if chosen:
            return chosen
        if candidates:
            results = [r for r in results if any(r[0] is c for c in candidates)]
        ranked = []
        for alt, problems in results:
            kinds = self.types(alt)
            fits_type = not kinds or any(_matches_type(value, k) for k in kinds)
            depth = max(len(p.location) for p in problems)
            ranked.append((not fits_type, len(problems), -depth, problems))
        if all(r[0] for r in ranked):
            return [Problem(_where(path, self.root), f"expected {self.describe(schema)}, got {_shows(value)}")]
        ranked.sort(key=lambda r: r[:3])
        return ranked[0][3]

    def _by_discriminator(self, schema: dict, value: Any, path: tuple) -> list[Problem] | None:
        disc = schema.get("discriminator")
        if not isinstance(disc, dict) or not isinstance(value, Mapping):
            return None
        prop = disc.get("propertyName")
        mapping = disc.get("mapping") or {}
        tag = value.get(prop)
        if tag is None:
            return None
        if tag in mapping:
            return self.check({"$ref": mapping[tag]}, value, path)
        if self._by_tags(schema["anyOf"], {prop: tag}):
            return None
        tags = sorted(set(mapping) | self._tag_values(schema["anyOf"], prop))
        if tags:
            allowed = ", ".join(repr(t) for t in tags[:20])
            return [Problem(_where((*path, prop), self.root), f"must be one of {allowed}; got {_shows(tag)}")]
        return None

    def _tag_values(self, alternatives: list, prop: str) -> set:
        out: set = set()
        for alt in alternatives:
            sub = (self.resolve(alt).get("properties") or {}).get(prop)
            sub = self.resolve(sub) if sub is not None else {}
            if "const" in sub:
                out.add(sub["const"])
            out.update(v for v in sub.get("enum") or () if isinstance(v, str))
        return out

    def _by_tags(self, alternatives: list, value: Mapping) -> list:
        """The alternatives whose constant-valued fields (``type``, ``role``...) agree with the value."""
        agree, neutral = [], []
        for alt in alternatives:
            props = self.resolve(alt).get("properties") or {}
            verdict = None
            for name, sub in props.items():
                if name not in value:
                    continue
                sub = self.resolve(sub)
                fixed = [sub["const"]] if "const" in sub else sub.get("enum")
                if not fixed or len(fixed) > 3:
                    continue
                agrees = value[name] in fixed
                verdict = agrees and verdict is not False
            if verdict:
                agree.append(alt)
            elif verdict is None:
                neutral.append(alt)
        return agree or neutral


def _is_file_value(value: Any) -> bool:
    from ._multipart import is_file

    return is_file(value)


class OperationValidator:
    """Validates the requests of one operation: body (JSON or multipart) and parameters."""

    def __init__(self, op: Any, schemas: dict[str, Any], defs: dict[str, Any], closed: bool = False) -> None:
        self.op = op
        self.bodies: dict[str, Any] = schemas.get("body") or {}
        self.body_required = bool(schemas.get("body_required"))
        self.params = schemas.get("params") or []
        roots = [*self.bodies.values(), *(p[3] for p in self.params)]
        # ``closed``: ``defs`` is already this operation's closure (read from its own cache file).
        self.defs = defs if closed else refs_closure(roots, defs)
        self._compiled: dict[str, Any] = {}
        self._known_cache: dict[tuple, tuple] = {}
        self._calls = 0
        self._json_only = list(self.bodies) == ["application/json"]

    def _is_valid(self, key: str, schema: Any, value: Any) -> bool:
        if self._calls <= INTERPRETED_CALLS:
            return not Explainer(self.defs, "").check(schema, value)
        try:
            return self._validator(key, schema).is_valid(value)
        except ValueError:
            return False  # a value that is not JSON: the explainer names it

    def _validator(self, key: str, schema: Any) -> Any:
        validator = self._compiled.get(key)
        if validator is None:
            import jsonschema_rs

            validator = self._compiled[key] = jsonschema_rs.validator_for(
                {"$schema": _DRAFT, **schema, "$defs": self.defs}
            )
        return validator

    def check(self, body: Any, params: Mapping[str, Any], content_type: str | None = None) -> list[Problem]:
        """Return every problem with a call's body and parameters (empty when it is valid).

        The body's content type is chosen as the request will be sent, unless given.
        """
        self._calls += 1
        problems = self._check_params(params)
        if body is None:
            if self.body_required:
                problems.append(Problem("body", f"{self.op.id} needs a request body"))
            return problems
        if not isinstance(body, (Mapping, list, tuple, str, int, float, bool)):
            return problems  # a raw body (bytes, a file): nothing to check against a JSON schema
        ctype = content_type or ("application/json" if self._json_only else self._content_type(body))
        schema = self.bodies.get(ctype) if ctype else None
        if schema is None:
            return problems
        if ctype == "multipart/form-data":
            body = self._bracket_names(schema, body)
            problems += self._check_files(schema, body)
            body = self._without_files(body)
        if not self._is_valid(ctype, schema, body):
            found = Explainer(self.defs, "").check(schema, body)
            problems += found or self._fallback(ctype, schema, body)
        return problems

    def near_misses(self, body: Any) -> list[Problem]:
        """Fields the spec does not declare that are a small typo away from one it does
        (``contnet`` -> ``content``), nested ones too.  Valid requests stay valid: these are only
        the names a person most likely mistyped; free-form objects (``metadata``) are left alone."""
        if not isinstance(body, Mapping) or not self.bodies:
            return []
        ctype = "application/json" if self._json_only else self._content_type(body)
        schema = self.bodies.get(ctype) if ctype else None
        if schema is None:
            return []
        found: list[Problem] = []
        self._near((schema,), body, (), found, 0)
        return found

    def _near(self, forms: tuple, value: Any, path: tuple, found: list[Problem], depth: int) -> None:
        # ``forms``: the schemas a value may take, all parts of the validator's own tree (their
        # ids key the caches, so no schema made on the fly ever stands in for them).
        if depth > 24:
            return
        if isinstance(value, Mapping):
            known = self._known(forms)
            if not known:
                return
            for key, item in value.items():
                subs = known.get(key)
                if subs is None:
                    hint = _near_name(key, known) if isinstance(key, str) else None
                    if hint:
                        found.append(Problem(_where((*path, key), ""), f"unknown field (did you mean {hint!r}?)"))
                    continue
                self._near(subs, item, (*path, key), found, depth + 1)
        elif isinstance(value, (list, tuple)):
            items = self._items(forms)
            if items:
                for i, item in enumerate(value):
                    self._near(items, item, (*path, i), found, depth + 1)

    def _known(self, forms: tuple) -> dict[str, tuple]:
        """Field name -> schemas, over every form an object can take (``anyOf``, ``allOf``);
        empty when its keys are free (a map, or a form without declared fields)."""
        key = tuple(map(id, forms))
        cached = self._known_cache.get(key)
        if cached is not None:
            return cached[1]
        known: dict[str, list] = {}
        free = False
        explainer = Explainer(self.defs, "")
        stack, seen = list(forms), 0
        while stack and seen < 64:
            node = explainer.resolve(stack.pop())
            seen += 1
            parts = [*(node.get("allOf") or ()), *(node.get("anyOf") or ())]
            stack.extend(parts)
            props = node.get("properties")
            kinds = explainer.types(node)
            if isinstance(props, dict):
                for name, sub in props.items():
                    known.setdefault(name, []).append(sub)
            elif not parts and (not kinds or "object" in kinds):
                free = True  # any keys: nothing is a typo here
            extra = node.get("additionalProperties")
            if (isinstance(extra, dict) and extra) or node.get("patternProperties"):
                free = True
        result = {} if free else {name: tuple(subs) for name, subs in known.items()}
        self._known_cache[key] = (forms, result)  # the forms kept alive: their ids stay theirs
        return result

    def _items(self, forms: tuple) -> tuple:
        """The schemas an array's items may take, over the forms an array value can take."""
        key = ("items", *map(id, forms))
        cached = self._known_cache.get(key)
        if cached is not None:
            return cached[1]
        explainer = Explainer(self.defs, "")
        items = []
        for form in forms:
            node = explainer.resolve(form)
            if "items" in node:
                items.append(node["items"])
            items += [f["items"] for f in map(explainer.resolve, node.get("anyOf") or ()) if "items" in f]
        self._known_cache[key] = (forms, tuple(items))
        return tuple(items)

    def _content_type(self, body: Any) -> str | None:
        from ._multipart import holds_file

        types = list(self.bodies)
        if (
            "multipart/form-data" in types
            and isinstance(body, Mapping)
            and ("application/json" not in types or holds_file(body))
        ):
            return "multipart/form-data"
        if "application/json" in types:
            return "application/json"
        raw = [t for t in types if t != "multipart/form-data"]
        return (raw or types or [None])[0]

    def _fallback(self, key: str, schema: Any, body: Any) -> list[Problem]:
        try:
            errors = list(self._validator(key, schema).iter_errors(body))[:5]
        except ValueError as exc:
            return [Problem("body", f"cannot be sent as JSON: {exc}")]
        return [Problem(_where(tuple(e.instance_path), ""), e.message) for e in errors]

    def _bracket_names(self, schema: Any, body: Mapping) -> Mapping:
        """Multipart fields the spec names ``x[]`` are passed as ``x`` (the encoder adds ``[]``)."""
        props = Explainer(self.defs, "").properties(schema)
        renames = {k: k + "[]" for k in body if k not in props and k + "[]" in props}
        if not renames:
            return body
        return {renames.get(k, k): v for k, v in body.items()}

    def file_fields(self, schema: Any) -> dict[str, str]:
        """Top-level multipart fields that take files: name -> 'one' or 'many' (or 'either')."""
        explainer = Explainer(self.defs, "")
        props = Explainer(self.defs, "").properties(schema)
        out = {}
        for name, sub in props.items():
            kinds = set()
            stack = [sub]
            while stack:
                node = explainer.resolve(stack.pop())
                if node.get(FILE):
                    kinds.add("one")
                elif isinstance(node.get("items"), dict) and explainer.resolve(node["items"]).get(FILE):
                    kinds.add("many")
                stack.extend(node.get("anyOf") or ())
            if kinds:
                out[name] = "either" if len(kinds) > 1 else kinds.pop()
        return out

    def _check_files(self, schema: Any, body: Mapping) -> list[Problem]:
        problems = []
        for name, kind in self.file_fields(schema).items():
            value = body.get(name)
            if value is None:
                continue
            values = value if isinstance(value, list) and kind != "one" else [value]
            for i, item in enumerate(values):
                if not _is_file_value(item):
                    where = name if values is not value else f"{name}[{i}]"
                    hint = " (a path as a string? wrap it in pathlib.Path)" if isinstance(item, str) else ""
                    problems.append(Problem(where, f"expected a file ({_FILE_HINT}), got {_shows(item)}{hint}"))
        for key, value in body.items():
            if _is_file_value(value) and key not in self.file_fields(schema):
                props = Explainer(self.defs, "").resolve(schema).get("properties") or {}
                if key in props:
                    problems.append(Problem(key, "takes a value, not a file"))
        return problems

    @staticmethod
    def _without_files(body: Mapping) -> dict:
        out = {}
        for key, value in body.items():
            if _is_file_value(value):
                out[key] = "<file>"
            elif isinstance(value, list):
                out[key] = ["<file>" if _is_file_value(v) else v for v in value]
            else:
                out[key] = value
        return out

    def _check_params(self, params: Mapping[str, Any]) -> list[Problem]:
        problems: list[Problem] = []
        if not self.params:
            return problems
        by_kwarg = self.op.by_kwarg
        for name, location, required, schema in self.params:
            prm = by_kwarg.get(name) or by_kwarg.get(name[:-2] if name.endswith("[]") else name)
            value = None
            if prm is not None:
                value = params.get(prm.kwarg, params.get(prm.name))
            shown = f"{location}: {prm.kwarg if prm is not None else name}"
            if value is None:
                if required or location == "path":
                    problems.append(Problem(shown, "is required"))
                continue
            value = _from_wire(value, schema, Explainer(self.defs, ""))
            if not self._is_valid(f"param:{location}:{name}", schema, value):
                found = Explainer(self.defs, shown).check(schema, value)
                problems += found or [Problem(shown, f"does not fit the spec ({_shows(value)})")]
        return problems


def _from_wire(value: Any, schema: Any, explainer: Explainer) -> Any:
    """Read a text parameter value as the type its schema wants (``"10"`` for an integer)."""
    if isinstance(value, (list, tuple)):
        item = explainer.resolve(explainer.resolve(schema).get("items") or {})
        return [_from_wire(v, item, explainer) for v in value]
    if not isinstance(value, str):
        return value
    kinds = explainer.types(schema)
    if "string" in kinds:
        return value
    if "integer" in kinds and re.fullmatch(r"-?\d+", value):
        return int(value)
    if "number" in kinds:
        try:
            return float(value)
        except ValueError:
            return value
    if "boolean" in kinds and value in ("true", "false"):
        return value == "true"
    return value


def refs_closure(roots: list[Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Return the component schemas that ``roots`` refer to, directly or through each other."""
    needed: dict[str, Any] = {}
    stack = list(roots)
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(REF_PREFIX):
                name = ref[len(REF_PREFIX) :]
                if name not in needed and name in defs:
                    needed[name] = defs[name]
                    stack.append(defs[name])
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return needed
