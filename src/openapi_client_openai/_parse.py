"""Structured outputs from Python types: strict schemas, the request they go in, parsing answers.

A type (a pydantic model, a dataclass or a ``TypedDict``; anything pydantic's ``TypeAdapter``
takes whose JSON is an object) becomes the strict JSON schema OpenAI requires
(``strict_schema``) and the format a request asks for it with (``OutputType``); the
``Parser`` reads the answer: it raises the documented errors for a refusal, a ``length`` or
``content_filter`` finish and JSON that does not fit, and sets ``parsed`` on the answer.
``partial_json`` reads JSON that is still arriving (for ``Stream.partial()``).
``_tools.prepare`` puts types and functions in a call.

pydantic is imported here, on first use, never by ``import openapi_client_openai``.

How the schema is made strict (the official SDK's ``to_strict_json_schema`` does the first
four, and tests/test_parse.py compares the two on twenty models):

- every object gets ``additionalProperties: false`` and lists all its properties as required
  (an optional field stays nullable: ``X | None`` is ``anyOf [X, null]``);
- ``$defs`` are kept for nesting and recursion; a ``$ref`` with sibling keywords (a field's
  ``description``) is replaced by what it points at, as the API refuses such siblings (inside
  the definition it points at, where that would never end, it becomes ``anyOf: [{$ref}]``);
- a single ``allOf`` is merged into its parent;
- ``default`` is dropped, whatever its value: strict mode asks the model for every field, and
  the API (Azure always, OpenAI at times) refuses the keyword (the SDK drops only ``null``);
- ``oneOf`` (pydantic's discriminated unions) becomes ``anyOf`` and ``discriminator`` goes:
  strict mode has no ``oneOf``, and the variants are disjoint by their tag anyway;
- keywords strict mode does not support (``minLength``, ``maxLength``, ``uniqueItems``,
  ``minProperties``..., a string ``format`` outside its list, a ``pattern`` with look-around)
  move into the field's ``description`` as notes, so the model still reads them; pydantic
  still checks them when the answer is parsed;
- what cannot be strict is refused before sending, naming the field: an object with free keys
  (``dict[str, X]``, ``extra="allow"``), a field of any type (``Any``), a list without an item
  type, a root that is not an object.
"""

from __future__ import annotations

import json
import re

from ._errors import (
    ContentFilterFinishReasonError,
    LengthFinishReasonError,
    OutputValidationError,
    ParameterError,
    RefusalError,
    StrictSchemaError,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .spec import Operation

__all__ = [
    "CHAT",
    "RESPONSES",
    "SUPPORTED_FORMATS",
    "OutputType",
    "Parser",
    "family_of",
    "is_type",
    "make_strict",
    "output_type",
    "partial_json",
    "strict_schema",
]

# The string formats strict mode accepts (OpenAI's structured outputs guide).
SUPPORTED_FORMATS = frozenset({"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"})
# Keywords strict mode refuses; kept as notes in the description instead.
_UNSUPPORTED = (
    "minLength",
    "maxLength",
    "patternProperties",
    "unevaluatedProperties",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "unevaluatedItems",
    "contains",
    "minContains",
    "maxContains",
    "uniqueItems",
)
_TYPED = ("type", "$ref", "anyOf", "oneOf", "allOf", "enum", "const")
_LOOKAROUND = re.compile(r"(?<!\\)\(\?<?[=!]")
_NAME = re.compile(r"[^a-zA-Z0-9_-]+")


def pydantic_module() -> Any:
    """pydantic, or a clear error saying how to install it."""
    try:
        import pydantic
    except ImportError:  # pragma: no cover - pydantic is installed wherever the tests run
        raise ParameterError(
            "structured outputs and function tools from Python types need pydantic 2: "
            "pip install 'openapi-client-openai[parse]'"
        ) from None
    return pydantic


# -- strict schemas ---------------------------------------------------------------------------


def _type_name(tp: Any) -> str:
    name = getattr(tp, "__name__", None) or repr(tp)
    return name if isinstance(name, str) else repr(tp)


def _raw_schema(tp: Any) -> dict:
    """pydantic's JSON schema of a type (validation mode, as the official SDK takes it)."""
    pydantic = pydantic_module()
    try:
        if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
            return tp.model_json_schema()
        return pydantic.TypeAdapter(tp).json_schema()
    except pydantic.PydanticUserError as exc:
        raise StrictSchemaError(f"{_type_name(tp)} cannot be used as a schema: {exc}", _type_name(tp)) from None
    except pydantic.errors.PydanticInvalidForJsonSchema as exc:
        raise StrictSchemaError(f"{_type_name(tp)} has no JSON schema: {exc}", _type_name(tp)) from None


def strict_schema(tp: Any) -> dict[str, Any]:
    """The strict JSON schema OpenAI's structured outputs and strict tools need for a type.

    ``tp`` is a pydantic model, a dataclass, a ``TypedDict`` or any type pydantic's
    ``TypeAdapter`` takes whose JSON is an object.  Every property is required (optional ones
    stay nullable), objects are closed, nesting and recursion use ``$defs``; the module
    docstring lists each rule.  A type that cannot be made strict raises ``StrictSchemaError``
    naming the field and what to use instead.
    """
    name = _type_name(tp)
    return make_strict(_raw_schema(tp), name)


def make_strict(schema: dict, name: str = "schema") -> dict[str, Any]:
    """A strict copy of a JSON schema (see the module docstring); ``name`` names it in errors."""
    import copy

    root = copy.deepcopy(schema)
    _Strict(root, name).node(root, name)
    if root.get("type") != "object" or "properties" not in root:
        what = root.get("type") or ("a union" if "anyOf" in root else "not an object")
        raise StrictSchemaError(
            f"{name} cannot be a structured output or tool arguments: OpenAI needs an object at the top "
            f"(a model, dataclass or TypedDict with fields), and this is {what}; wrap it in a model with one field",
            name,
        )
    return root


class _Strict:
    """One pass over a schema, in place; ``root`` resolves references."""

    def __init__(self, root: dict, name: str) -> None:
        self.root = root
        self.name = name
        self.active: list[str] = []  # the definitions being made strict, as references

    def resolve(self, ref: str, where: str) -> dict:
        node: Any = self.root
        if ref.startswith("#"):
            for part in ref[1:].split("/")[1:]:
                node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            raise StrictSchemaError(f"{where}: the reference {ref!r} leads nowhere in the schema", where)
        return node

    def node(self, schema: Any, where: str) -> dict:
        if not isinstance(schema, dict):
            raise StrictSchemaError(f"{where}: expected a schema object, got {schema!r}", where)
        for key in ("$defs", "definitions"):
            defs = schema.get(key)
            if isinstance(defs, dict):
                for def_name, sub in defs.items():
                    self.active.append(f"#/{key}/{def_name}")
                    self.node(sub, def_name)
                    self.active.pop()
        schema.pop("default", None)
        if "oneOf" in schema:
            schema["anyOf"] = [*schema.get("anyOf", ()), *schema.pop("oneOf")]
        schema.pop("discriminator", None)
        self._notes(schema)
        kind = schema.get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        if "object" in kinds:
            self._object(schema, where)
        props = schema.get("properties")
        if isinstance(props, dict):
            schema["required"] = list(props)
            for key, sub in props.items():
                props[key] = self.node(sub, f"{where}.{key}")
        if "array" in kinds:
            items = schema.get("items")
            if not (isinstance(items, dict) and any(k in items for k in _TYPED)) and not schema.get("prefixItems"):
                raise StrictSchemaError(
                    f"{where} is a list without an item type (list or list[Any]): OpenAI's strict mode needs "
                    "to know what the items are; use list[str], list[SomeModel]...",
                    where,
                )
        if isinstance(schema.get("items"), dict):
            schema["items"] = self.node(schema["items"], f"{where}[]")
        if isinstance(schema.get("prefixItems"), list):
            schema["prefixItems"] = [self.node(s, f"{where}[{i}]") for i, s in enumerate(schema["prefixItems"])]
        if isinstance(schema.get("anyOf"), list):
            schema["anyOf"] = [self.node(s, where) for s in schema["anyOf"]]
        all_of = schema.get("allOf")
        if isinstance(all_of, list):
            if len(all_of) == 1:
                schema.update(self.node(all_of[0], where))
                schema.pop("allOf")
            else:
                schema["allOf"] = [self.node(s, where) for s in all_of]
        ref = schema.get("$ref")
        if isinstance(ref, str) and len(schema) > 1:
            # The API refuses keywords beside a $ref: put what it points at in its place, the
            # local keywords (a field's title and description) winning.  A definition cannot
            # hold a copy of itself: there the $ref goes into an anyOf of one, which may have
            # keywords beside it (the official SDK recurses without end on such a model).
            if ref in self.active:
                schema["anyOf"] = [{"$ref": schema.pop("$ref")}]
                return schema
            import copy

            schema.update({**copy.deepcopy(self.resolve(ref, where)), **schema})
            schema.pop("$ref")
            self.active.append(ref)
            try:
                return self.node(schema, where)
            finally:
                self.active.pop()
        if not any(k in schema for k in _TYPED):
            raise StrictSchemaError(
                f"{where} can hold any value (Any, object or a field without a type): OpenAI's strict mode "
                "needs a type for every field; give it one (str, int, a model, a union...)",
                where,
            )
        return schema

    @staticmethod
    def _object(schema: dict, where: str) -> None:
        extra = schema.get("additionalProperties")
        if "properties" not in schema or extra not in (None, False):
            raise StrictSchemaError(
                f"{where} is an object with keys chosen freely (dict[str, ...], a plain dict, or a model with "
                "extra='allow'): OpenAI's strict mode needs every key named in advance; use a model (or "
                "TypedDict) with named fields, or a list of key/value models",
                where,
            )
        schema["additionalProperties"] = False

    @staticmethod
    def _notes(schema: dict) -> None:
        """Move what strict mode refuses into the description, where the model still reads it."""
        moved = {k: schema.pop(k) for k in _UNSUPPORTED if k in schema}
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt not in SUPPORTED_FORMATS:
            moved["format"] = schema.pop("format")
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and _LOOKAROUND.search(pattern):
            moved["pattern"] = schema.pop("pattern")
        if moved:
            notes = ", ".join(f"{k}={json.dumps(v)}" for k, v in moved.items())
            text = schema.get("description")
            schema["description"] = f"{text} ({notes})" if text else notes


# -- output types -----------------------------------------------------------------------------


class OutputType:
    """A type answers are parsed into: its strict schema, its name for the API, its validator."""

    __slots__ = ("adapter", "name", "schema", "type")

    def __init__(self, tp: Any) -> None:
        pydantic = pydantic_module()
        self.type = tp
        self.schema = strict_schema(tp)
        # The API takes names of letters, digits, _ and - (at most 64): Page[Booking] -> Page_Booking_
        self.name = _NAME.sub("_", _type_name(tp))[:64] or "output"
        self.adapter = pydantic.TypeAdapter(tp)

    def validate(self, text: str) -> Any:
        """The answer's text as an instance of the type; ``OutputValidationError`` if it does not fit."""
        pydantic = pydantic_module()
        try:
            return self.adapter.validate_json(text)
        except pydantic.ValidationError as exc:
            errors = exc.errors(include_url=False, include_context=False)
            if errors and errors[0].get("type") == "json_invalid":
                raise OutputValidationError(f"the answer is not JSON: {errors[0].get('msg')}", errors=[]) from None
            shown = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in errors[:3])
            more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
            raise OutputValidationError(
                f"the answer's JSON does not fit {_type_name(self.type)}: {shown}{more}", errors=errors
            ) from None

    def chat_format(self) -> dict:
        """The ``response_format`` of a chat completion asking for this type."""
        return {"type": "json_schema", "json_schema": {"name": self.name, "schema": self.schema, "strict": True}}

    def responses_format(self) -> dict:
        """The ``text.format`` of a Responses API request asking for this type."""
        return {"type": "json_schema", "name": self.name, "schema": self.schema, "strict": True}


_OUTPUTS: dict[Any, OutputType] = {}


def output_type(tp: Any) -> OutputType:
    """The ``OutputType`` of ``tp``, made once per type."""
    try:
        found = _OUTPUTS.get(tp)
    except TypeError:  # an unhashable annotation: made each time
        return OutputType(tp)
    if found is None:
        found = _OUTPUTS[tp] = OutputType(tp)
    return found


def is_type(value: Any) -> bool:
    """Whether a ``response_format``/``text_format`` value is a Python type (not a JSON format)."""
    return value is not None and not isinstance(value, (dict, str, list, bool, int, float))


def partial_json(text: str) -> Any:
    """JSON that may still be arriving, read as far as it goes (an unfinished string is kept)."""
    try:
        from pydantic_core import from_json
    except ImportError:  # pragma: no cover - pydantic brings pydantic_core
        raise ParameterError("partial() reads JSON as it arrives with pydantic: pip install pydantic") from None
    try:
        return from_json(text, allow_partial="trailing-strings")
    except ValueError:
        return None


# -- requests and answers -----------------------------------------------------------------------

CHAT, RESPONSES = "chat", "responses"


def family_of(client: Any, op: Operation) -> str | None:
    """``"chat"`` for an operation that takes ``messages`` and ``response_format`` (chat
    completions), ``"responses"`` for one that takes ``input`` and ``text`` (the Responses API),
    else None: read from the operation's request fields in the spec."""
    fields = client._fields(op)
    if "messages" in fields and "response_format" in fields:
        return CHAT
    if "input" in fields and "text" in fields:
        return RESPONSES
    return None


class Parser:
    """Reads the answer of one structured call: raises for refusals and cut answers, sets ``parsed``."""

    __slots__ = ("family", "json", "output", "tools")

    def __init__(self, family: str, output: OutputType | None, parse_json: bool, tools: dict[str, Any]) -> None:
        self.family = family
        self.output = output
        self.json = parse_json  # a JSON format given as a dict: parsed is the JSON value
        self.tools = tools  # name -> FunctionTool, for run_tools

    def attach(self, answer: Any) -> Any:
        """Parse a result now, or a stream when it finishes (its ``final()``); return ``answer``."""
        if hasattr(answer, "_parser"):  # a Stream or AsyncStream
            answer._parser = self
            return answer
        answer.parsed = self.apply(answer.json(), answer)
        return answer

    def apply(self, data: Any, result: Any) -> Any:
        """Check and parse the answer's JSON ``data`` in place; return the first parsed object.

        ``result`` is what errors carry (the ``Result``, or the finished object of a stream).
        """
        if not isinstance(data, dict):
            return None
        if self.family == CHAT:
            return self._chat(data, result)
        return self._responses(data, result)

    def _value(self, text: str, result: Any, index: int) -> Any:
        try:
            if self.output is not None:
                return self.output.validate(text)
            if self.json:
                try:
                    return json.loads(text)
                except ValueError as exc:
                    raise OutputValidationError(f"the answer is not JSON: {exc}") from None
            return None
        except OutputValidationError as exc:
            exc.result, exc.content, exc.choice = result, text, index
            raise

    def _chat(self, data: dict, result: Any) -> Any:
        first = None
        for index, choice in enumerate(data.get("choices") or ()):
            message = choice.get("message") if isinstance(choice, dict) else None
            if not isinstance(message, dict):
                continue
            content = message.get("content")
            finish = choice.get("finish_reason")
            where = f" (choice {index})" if index else ""
            if finish == "length":
                raise LengthFinishReasonError(
                    f"the answer{where} stopped at the token limit (finish_reason 'length') before it was complete: "
                    "raise max_completion_tokens or ask for less",
                    result=result,
                    content=content,
                    choice=index,
                )
            if finish == "content_filter":
                raise ContentFilterFinishReasonError(
                    f"the answer{where} was stopped by the content filter (finish_reason 'content_filter')",
                    result=result,
                    content=content,
                    choice=index,
                )
            if message.get("refusal"):
                raise RefusalError(
                    f"the model refused{where}: {message['refusal']}",
                    refusal=message["refusal"],
                    result=result,
                    content=content,
                    choice=index,
                )
            parsed = self._value(content, result, index) if isinstance(content, str) else None
            message["parsed"] = parsed
            if index == 0:
                first = parsed
        return first

    def _responses(self, data: dict, result: Any) -> Any:
        if data.get("status") == "incomplete":
            reason = (data.get("incomplete_details") or {}).get("reason")
            text = _output_text(data)
            if reason == "content_filter":
                raise ContentFilterFinishReasonError(
                    "the response was stopped by the content filter (incomplete: content_filter)",
                    result=result,
                    content=text,
                )
            raise LengthFinishReasonError(
                f"the response stopped before it was complete (incomplete: {reason}): raise max_output_tokens "
                "or ask for less",
                result=result,
                content=text,
            )
        first: Any = None
        found = False
        for index, item in enumerate(data.get("output") or ()):
            if not isinstance(item, dict) or item.get("type") != "message":
                continue
            for part in item.get("content") or ():
                if not isinstance(part, dict):
                    continue
                if part.get("type") == "refusal":
                    raise RefusalError(
                        f"the model refused: {part.get('refusal')}",
                        refusal=str(part.get("refusal")),
                        result=result,
                        choice=index,
                    )
                if part.get("type") == "output_text" and isinstance(part.get("text"), str):
                    part["parsed"] = self._value(part["text"], result, index)
                    if not found:
                        first, found = part["parsed"], True
        data["output_parsed"] = first
        return first


def _output_text(data: dict) -> str | None:
    texts = [
        part.get("text")
        for item in data.get("output") or ()
        if isinstance(item, dict) and item.get("type") == "message"
        for part in item.get("content") or ()
        if isinstance(part, dict) and isinstance(part.get("text"), str)
    ]
    return "".join(texts) if texts else None
