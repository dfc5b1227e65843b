"""Programs for the type checkers: each operation's valid call, and the same call with one
planted mistake of each kind, every mistake confirmed a mistake by the spec itself.

The valid call is the one the docs show (``spec._text``: the spec's own example request where
it fits the spec, else one made from the schema).  The kinds of mistake:

- ``misspelled``: a keyword or body field renamed by a typo to a name the operation does not have;
- ``enum``: a field or parameter whose spec allows only some strings given another one (the
  validator must refuse it, and accept the same call with an allowed value);
- ``type``: a value of the call replaced by one of another JSON type (the validator must refuse it);
- ``missing``: a required keyword or body field left out (the validator, or the path, must miss it);
- ``result_key``: a key the 2xx JSON answer does not declare read from ``result.json()``.

Each program is a function in a file of its kind, so that a checker's errors map to plants by line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openapi_client_openai._errors import OpenAPIClientError
from openapi_client_openai.spec._source import FileRef, call_source
from openapi_client_openai.spec._text import (
    _answer_kind,
    _body_fields,
    _example_body,
    _example_params,
    _python_args,
    examples,
)

KINDS = ("misspelled", "enum", "type", "missing", "result_key")
HEAD = "from pathlib import Path\n\nfrom openapi_client_openai import OpenAIClient\n\nclient = OpenAIClient()\n"
NOT_A_VALUE = "zz-not-a-value"


@dataclass
class Plant:
    """One program: the operation, the kind of mistake (``valid`` for none), its source."""

    op_id: str
    kind: str
    source: str
    lines: tuple[int, int] = (0, 0)  # where it sits in its file, 1-based, inclusive


@dataclass
class PlantFile:
    """A file of programs, each a function, and where each one is."""

    name: str
    plants: list[Plant] = field(default_factory=list)

    def text(self) -> str:
        out = HEAD
        line = out.count("\n") + 1
        for n, plant in enumerate(self.plants):
            body = "".join(f"    {row}\n" if row else "\n" for row in plant.source.rstrip("\n").split("\n"))
            block = f"\n\ndef plant_{n}() -> None:\n{body}"
            start = line + 2
            out += block
            line += block.count("\n")
            plant.lines = (start, line - 1)
        return out


def _typo(name: str, taken: set[str]) -> str | None:
    """A typo of ``name`` (two letters swapped, else one dropped) that names nothing in ``taken``."""
    letters = [i for i in range(1, len(name) - 1) if name[i].isalpha() and name[i + 1].isalpha()]
    for i in letters:
        if name[i] != name[i + 1]:
            made = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
            if made not in taken:
                return made
    for i in range(1, len(name)):
        made = name[:i] + name[i + 1 :]
        if made and made.isidentifier() and made not in taken:
            return made
    return None


def _wrong(value: Any) -> Any:
    """A value of another JSON type than ``value``."""
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, (int, float)):
        return "many"
    if isinstance(value, (str, FileRef)):
        return 12345
    return 12345


class Planter:
    """Makes the programs for one spec, checking each mistake against the spec's validator."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.index = client.spec

    def _problems(self, op_id: str, params: dict[str, Any], body: Any) -> bool:
        """Whether the validator (or the request builder) refuses a call."""
        try:
            return bool(self.client.validate(op_id, body, **params))
        except (OpenAPIClientError, TypeError, ValueError):
            return True

    def _call(self, op_id: str, params: dict[str, Any], body: Any, tail: str = "", typo: str = "") -> str:
        """The call as the docs write it; a ``typo`` stays where the user wrote it (the docs put
        fields the spec does not declare in ``extra_body=``)."""
        from openapi_client_openai.spec import snake_case

        op = self.index.operation(op_id)
        kind, _ = _answer_kind(self.index, op_id)
        head = f"result = client.{snake_case(op_id)}" if kind != "none" or tail else f"client.{snake_case(op_id)}"
        declared = _body_fields(self.index, op_id) | {typo}
        source = call_source(head, _python_args(op, params, body, declared)) + "\n"
        return source + (tail or ("print(result.json())\n" if kind == "json" else ""))

    def _fields(self, op_id: str) -> dict[str, Any]:
        """The body's top-level field schemas (JSON or multipart), resolved."""
        from openapi_client_openai._validation import Explainer

        schemas = self.index.schemas()
        bodies = (schemas["ops"].get(op_id) or {}).get("body") or {}
        explainer = Explainer(schemas["defs"], "")
        out: dict[str, Any] = {}
        for schema in bodies.values():
            out.update(explainer.properties(schema))
        return out

    def _enums(self, op_id: str) -> list[tuple[str, str, str]]:
        """``(place, name, allowed value)`` for the string-enum parameters and body fields."""
        from openapi_client_openai._validation import Explainer

        schemas = self.index.schemas()
        explainer = Explainer(schemas["defs"], "")
        op = self.index.operation(op_id)
        found = []
        for name, _, _, schema in (schemas["ops"].get(op_id) or {}).get("params") or ():
            prm = op.by_kwarg.get(name) or op.by_kwarg.get(name[:-2])
            values = _strings(explainer, schema)
            if prm is not None and values:
                found.append(("param", prm.kwarg, values[0]))
        for name, schema in self._fields(op_id).items():
            values = _strings(explainer, schema)
            if values:
                found.append(("body", name, values[0]))
        return found

    def plants(self, op_id: str) -> list[Plant]:
        """The valid call of an operation and one plant of each kind that applies to it."""
        try:
            params, body = _example_params(self.index, op_id), _example_body(self.index, op_id)
        except Exception:  # an operation the docs cannot make an example for: none here
            return []
        if examples(self.index, op_id)[0].python.count("client.") != 1:
            return []
        out = [Plant(op_id, "valid", self._call(op_id, params, body))]
        op = self.index.operation(op_id)
        fields = self._fields(op_id)
        taken = set(op.by_kwarg) | set(fields) | {"body", "timeout", "extra_body", "extra_query", "extra_headers"}
        in_body = isinstance(body, dict)
        # misspelled: the first keyword (a parameter) or body field
        names = [("param", k) for k in params] + ([("body", k) for k in body] if in_body else [])
        for place, name in names:
            typo = _typo(name, taken)
            if typo is None:
                continue
            if place == "param":
                changed = {(typo if k == name else k): v for k, v in params.items()}
                out.append(Plant(op_id, "misspelled", self._call(op_id, changed, body, typo=typo)))
            else:
                changed_body = {(typo if k == name else k): v for k, v in body.items()}
                out.append(Plant(op_id, "misspelled", self._call(op_id, params, changed_body, typo=typo)))
            break
        # enum: a value the spec does not allow, where the same call with an allowed one is valid
        for place, name, allowed in self._enums(op_id):
            if place == "body" and not (in_body or body is None):
                continue
            good_params, good_body = dict(params), dict(body or {}) if place == "body" else body
            bad_params, bad_body = dict(params), dict(body or {}) if place == "body" else body
            if place == "param":
                good_params[name], bad_params[name] = allowed, NOT_A_VALUE
            else:
                good_body[name], bad_body[name] = allowed, NOT_A_VALUE
            if self._problems(op_id, good_params, good_body) or not self._problems(op_id, bad_params, bad_body):
                continue
            out.append(Plant(op_id, "valid", self._call(op_id, good_params, good_body)))
            out.append(Plant(op_id, "enum", self._call(op_id, bad_params, bad_body)))
            break
        # type: a value of another JSON type, refused by the validator
        candidates = [("param", k, v) for k, v in params.items()]
        candidates += [("body", k, v) for k, v in body.items()] if in_body else []
        for place, name, value in candidates:
            if place == "param":
                changed = {**params, name: _wrong(value)}
                if self._problems(op_id, changed, body):
                    out.append(Plant(op_id, "type", self._call(op_id, changed, body)))
                    break
            else:
                changed_body = {**body, name: _wrong(value)}
                if self._problems(op_id, params, changed_body):
                    out.append(Plant(op_id, "type", self._call(op_id, params, changed_body)))
                    break
        # missing: a required keyword or field left out, refused
        for place, name, _ in candidates:
            if place == "param":
                changed = {k: v for k, v in params.items() if k != name}
                if self._problems(op_id, changed, body):
                    out.append(Plant(op_id, "missing", self._call(op_id, changed, body)))
                    break
            else:
                changed_body = {k: v for k, v in body.items() if k != name}
                if changed_body and self._problems(op_id, params, changed_body):
                    out.append(Plant(op_id, "missing", self._call(op_id, params, changed_body)))
                    break
        # result_key: a key the answer does not declare, beside one it always has
        keys = self._answer_keys(op_id)
        if keys is not None:
            declared, always = keys
            wrong = _typo(always[0], declared) if always else None
            if always and wrong:
                read = f'print(result.json()["{always[0]}"])\n'
                out.append(Plant(op_id, "valid", self._call(op_id, params, body, read)))
                read = f'print(result.json()["{wrong}"])\n'
                out.append(Plant(op_id, "result_key", self._call(op_id, params, body, read)))
        return out

    def _answer_keys(self, op_id: str) -> tuple[set[str], list[str]] | None:
        """The keys the 2xx JSON answer declares (in any alternative), and those every
        alternative requires; None where the answer is no object with declared keys."""
        from openapi_client_openai._validation import Explainer

        schemas = self.index.schemas()
        explainer = Explainer(schemas["defs"], "")
        answers = [
            kinds["application/json"]
            for status, kinds in ((schemas["ops"].get(op_id) or {}).get("responses") or {}).items()
            if status.startswith("2") and "application/json" in kinds
        ]
        if len(answers) != 1 or _answer_kind(self.index, op_id)[0] != "json":
            return None
        schema = explainer.resolve(answers[0])
        alternatives = [explainer.resolve(a) for a in schema.get("anyOf") or [schema]]
        declared: set[str] = set()
        always: list[str] | None = None
        for alt in alternatives:
            props = explainer.properties(alt)
            if not props or alt.get("additionalProperties") not in (None, False):
                return None
            declared |= set(props)
            required = [k for k in _raw_required(explainer, alt) if k in props]
            always = required if always is None else [k for k in always if k in required]
        return declared, always or []


def _raw_required(explainer: Any, schema: Any) -> list[str]:
    node = explainer.resolve(schema)
    found = list(node.get("required") or ())
    for part in node.get("allOf") or ():
        found += [k for k in _raw_required(explainer, part) if k not in found]
    return found


def _strings(explainer: Any, schema: Any) -> list[str]:
    """The allowed strings of a schema that allows only some strings (and maybe null), else []."""
    node = explainer.resolve(schema)
    alts = node.get("anyOf") or [node]
    values: list[str] = []
    for alt in alts:
        alt = explainer.resolve(alt)
        if alt.get("type") == "null":
            continue
        enum = alt.get("enum") if "enum" in alt else [alt["const"]] if "const" in alt else None
        if not isinstance(enum, list) or not all(isinstance(v, str) or v is None for v in enum):
            return []
        values += [v for v in enum if isinstance(v, str)]
    return values


def plant_files(client: Any) -> dict[str, PlantFile]:
    """Every plant for a spec, by file: ``valid.py`` and one file per kind."""
    planter = Planter(client)
    files = {name: PlantFile(name) for name in ("valid", *KINDS)}
    for op_id in client.spec.operation_ids:
        for plant in planter.plants(op_id):
            files[plant.kind].plants.append(plant)
    return files
