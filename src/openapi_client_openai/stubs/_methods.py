"""The clients' methods for ``_client.pyi``: one per operation, typed from the spec.

Each operation is a method under its snake_case name, and an alias under every other name it
answers to (``createChatCompletion = create_chat_completion``), as the client resolves them
(``SpecIndex.names``).  A method with a JSON or multipart object body has two forms, as
overloads: ``op(body, *, params...)`` with ``body`` the request TypedDict, and
``op(*, params..., **fields: Unpack[TypedDict])`` with the body's fields as keywords.  Where the
body has a ``stream`` field (or speech's ``stream_format``), each form comes three times: with
the streaming value (returns ``Stream``), without it (``Result``), and undecided (either).
``paginate``/``pages`` have an overload per list operation, typed by its items.
"""

from __future__ import annotations

from ._text import docstring, is_name, literal
from ._types import ANY, COMPONENTS, REQUEST, RESPONSE, TypeBuilder, escape, split_union, unescape, union

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..spec import Operation, SpecIndex
    from ._types import Unit

__all__ = ["ClientStubs", "OperationShape"]

_JSON, _MULTIPART, _EVENTS = "application/json", "multipart/form-data", "text/event-stream"
# Keywords every operation method takes for itself: a field or parameter so named is body-only.
RESERVED_KEYWORDS = frozenset({"self", "body", "extra_body", "extra_query", "extra_headers", "timeout"})
# The clients' own members, and the builtins their annotations use: an operation so named is
# reached with call() only.
CLIENT_MEMBERS = frozenset(
    {
        "bool",
        "bytes",
        "dict",
        "float",
        "int",
        "list",
        "object",
        "str",
        "tuple",
        "aclose",
        "base_url",
        "call",
        "close",
        "default_headers",
        "max_event_size",
        "max_retries",
        "operation",
        "organization",
        "parse",
        "run_tools",
        "upload_and_poll",
        "wait",
        "pages",
        "paginate",
        "project",
        "realtime",
        "provider",
        "spec",
        "stream_idle_timeout",
        "timeout",
        "upload_file",
        "validate",
        "validate_mode",
        "webhooks",
        "with_options",
    }
)
_RAW_BODY = "bytes | str | _IO[bytes] | _os.PathLike[str]"
_TIMEOUT = "timeout: float | Timeout | None = ..."
_MAX_RETRIES = "max_retries: int = ..."
_TEXT_FORMAT = "text_format: type[_Any] | _Mapping[str, _Any] | None = None"
_EXTRA_BODY = "extra_body: _Mapping[str, _Any] | None = None"
_EXTRA_QUERY = "extra_query: _Mapping[str, _Any] | None = None"
_EXTRA_HEADERS = "extra_headers: _Mapping[str, str] | None = None"
OP_DOC_LIMIT, PARAM_DOC_LIMIT = 1500, 160


def _is_json(ctype: str) -> bool:
    mime = ctype.split(";", 1)[0].strip().lower()
    return mime == _JSON or mime.endswith("+json")


class BodyForm:
    """One content type of a request body: its type, and its TypedDict unit if it is an object."""

    __slots__ = ("ctype", "expr", "stream_key", "unit")

    def __init__(self, ctype: str, expr: str, unit: Unit | None) -> None:
        self.ctype = ctype
        self.expr = expr
        self.unit = unit
        self.stream_key: str | None = None


class OperationShape:
    """What the stubs say of one operation: parameters, body forms, answer and event types."""

    __slots__ = (
        "answer",
        "bodies",
        "body_required",
        "doc",
        "events",
        "family",
        "items",
        "names",
        "op",
        "params",
        "raw_body",
        "streams",
    )

    def __init__(self, op: Operation, names: list[str]) -> None:
        self.op = op
        self.names = names  # the method's names, the first one defining it
        self.params: list[tuple[str, str, bool, str]] = []  # (keyword, type, required, doc)
        self.bodies: list[BodyForm] = []
        self.raw_body = False
        self.body_required = op.body_required
        self.answer = ANY  # the 2xx JSON answer
        self.events: str | None = None  # the event type, when the operation streams
        self.streams = False
        self.items: str | None = None  # the item type, when the operation is a list
        self.family: str | None = None  # "chat" or "responses": takes Python types (see _python_types)
        self.doc = ""


class ClientStubs:
    """Reads every operation of a spec into an ``OperationShape`` and renders the clients."""

    def __init__(self, index: SpecIndex, doc: dict) -> None:
        from ..spec import Walker

        self.index = index
        self.doc = doc
        self.walker = Walker(doc)
        by_route = {(entry[0], entry[1]): op_id for op_id, entry in index.data["ops"].items()}
        self.ops: dict[str, tuple[str, str, dict, dict]] = {}  # op_id -> (path, method, operation, path item)
        op_names = {}
        for path, item in (doc.get("paths") or {}).items() if isinstance(doc.get("paths"), dict) else ():
            item = self.walker.resolve(item)
            if not isinstance(item, dict):
                continue
            for method, op in item.items():
                op_id = by_route.get((method.upper(), path)) if isinstance(op, dict) else None
                if op_id is not None:
                    self.ops[op_id] = (path, method, op, item)
                    op_names[("#/paths/" + escape(path), method)] = op_id
        self.types = TypeBuilder(doc, op_names)
        method_names: dict[str, list[str]] = {}
        for name, op_id in index.names.items():
            if is_name(name) and not name.startswith("__") and name not in CLIENT_MEMBERS:
                method_names.setdefault(op_id, []).append(name)
        self.shapes: list[OperationShape] = []
        for op_id in index.operation_ids:
            if op_id not in self.ops:
                continue
            names = sorted(method_names.get(op_id, ()), key=lambda n: (n != _snake(op_id), n))
            self.shapes.append(self._shape(index.operation(op_id), names))
        self.types.drain()
        widened: set[int] = set()
        for shape in self.shapes:
            self._stream_keys(shape)
            self._python_types(shape, widened)
        self.types.finish()

    # -- reading operations --------------------------------------------------------------------

    def _shape(self, op: Operation, names: list[str]) -> OperationShape:
        path, method, raw, item = self.ops[op.id]
        here = f"#/paths/{escape(path)}/{method}"
        shape = OperationShape(op, names)
        shape.doc = self._op_doc(op, raw)
        for prm, pointer in self._parameters(raw, item, here):
            param = op.by_kwarg.get(_kwarg(prm))
            if param is None or param.location != prm["in"]:
                continue
            kwarg = param.kwarg
            if not is_name(kwarg) or kwarg in RESERVED_KEYWORDS:
                continue
            schema = prm.get("schema") if isinstance(prm.get("schema"), dict) else {}
            made = self.types.expr(schema, REQUEST, pointer + "/schema")
            shape.params.append((kwarg, made, param.required, str(prm.get("description") or "")))
        body, body_pointer = self._follow(raw.get("requestBody"), here + "/requestBody")
        for ctype, media in (body.get("content") or {}).items() if isinstance(body, dict) else ():
            schema = media.get("schema") if isinstance(media, dict) else None
            where = f"{body_pointer}/content/{escape(ctype)}/schema"
            if _is_json(ctype) or ctype.startswith(_MULTIPART):
                made = self.types.expr(schema, REQUEST, where) if isinstance(schema, dict) else ANY
                shape.bodies.append(BodyForm(ctype, made, self.types.object_unit(made)))
            else:
                shape.raw_body = True
        answers, events = [], []
        for status, answer in (raw.get("responses") or {}).items():
            if not str(status).startswith("2"):
                continue
            answer, where = self._follow(answer, f"{here}/responses/{escape(str(status))}")
            for ctype, media in (answer.get("content") or {}).items() if isinstance(answer, dict) else ():
                schema = media.get("schema") if isinstance(media, dict) else None
                at = f"{where}/content/{escape(ctype)}/schema"
                if _is_json(ctype):
                    answers.append(self.types.expr(schema, RESPONSE, at) if isinstance(schema, dict) else ANY)
                elif ctype.startswith(_EVENTS) and isinstance(schema, dict):
                    events.append(self.types.expr(schema, RESPONSE, at))
        shape.answer = union(answers) if answers else ANY
        shape.events = union(events) if events else None
        shape.streams = bool(events) or op.streaming
        shape.items = self._list_items(raw, here) if op.method == "GET" else None
        return shape

    def _follow(self, node: Any, pointer: str) -> tuple[Any, str]:
        """A node and its place, references followed."""
        for _ in range(32):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                break
            pointer = node["$ref"]
            node = self.walker.target(pointer)
        return node, pointer

    def _parameters(self, op: dict, item: dict, here: str) -> list[tuple[dict, str]]:
        """The operation's parameters with their places, by the merge rule of ``spec._walk``."""
        found, seen = [], set()
        item_pointer = here.rsplit("/", 1)[0]
        for raws, base in ((op.get("parameters"), here), (item.get("parameters"), item_pointer)):
            for i, raw in enumerate(raws if isinstance(raws, list) else ()):
                prm, pointer = self._follow(raw, f"{base}/parameters/{i}")
                if not isinstance(prm, dict) or "name" not in prm or prm.get("in") not in ("path", "query", "header"):
                    continue
                key = (prm["name"], prm["in"])
                if key not in seen:
                    seen.add(key)
                    found.append((prm, pointer))
        return found

    def _list_items(self, raw: dict, here: str) -> str | None:
        """The item type of a list operation: a GET whose 2xx JSON answer is an object with a
        ``data`` array (a POST that answers so, such as an image generation, is no list)."""
        for status, answer in (raw.get("responses") or {}).items():
            if not str(status).startswith("2"):
                continue
            answer, where = self._follow(answer, f"{here}/responses/{escape(str(status))}")
            media = ((answer or {}).get("content") or {}).get(_JSON) if isinstance(answer, dict) else None
            schema = media.get("schema") if isinstance(media, dict) else None
            if not isinstance(schema, dict):
                continue
            schema, at = self._follow(schema, f"{where}/content/{escape(_JSON)}/schema")
            if not isinstance(schema, dict):
                continue
            for part, part_at, home in self.types.parts(schema, at, _home(at)):
                data = (part.get("properties") or {}).get("data") if isinstance(part.get("properties"), dict) else None
                resolved, data_at = self._follow(data, f"{part_at}/properties/data")
                if isinstance(resolved, dict) and (resolved.get("type") == "array" or "items" in resolved):
                    items = resolved.get("items")
                    if isinstance(items, dict):
                        return self.types.expr(items, RESPONSE, f"{data_at}/items", home)
                    return ANY
        return None

    def _stream_keys(self, shape: OperationShape) -> None:
        """Find the body field that asks for a stream (``stream``, a boolean, or speech's
        ``stream_format`` with an ``"sse"`` value), and split the body's TypedDict on it: an
        operation with such a field streams, whatever its answers say."""
        for form in shape.bodies:
            unit = form.unit
            if unit is None:
                continue
            fields = {f.key: f for f in unit.variants.get(REQUEST) or ()}
            if "stream" in fields and "bool" in split_union(fields["stream"].type):
                form.stream_key = "stream"
                self.types.split_stream(unit, "stream", "_Literal[True]", "_Literal[False] | None")
            elif "stream_format" in fields:
                values = self._enum_values(unit, "stream_format")
                if "sse" in values:
                    form.stream_key = "stream_format"
                    others = [literal(v) for v in values if v != "sse"]
                    plain = f"_Literal[{', '.join(others)}] | None" if others else "None"
                    self.types.split_stream(unit, "stream_format", '_Literal["sse"]', plain)
            shape.streams = shape.streams or form.stream_key is not None

    def _python_types(self, shape: OperationShape, widened: set[int]) -> None:
        """Where the client takes Python types for a JSON field (``_tools.prepare``), say so: a
        chat body's ``response_format`` also takes a type, a chat or Responses body's ``tools``
        also takes functions, and a Responses call takes ``text_format=``.  The family is read
        as the client reads it (``_parse.family_of``): from the body's field names."""
        for form in shape.bodies:
            fields = form.unit.variants.get(REQUEST) if form.unit is not None else None
            if not fields:
                continue
            keys = {f.key for f in fields}
            if "messages" in keys and "response_format" in keys:
                shape.family = "chat"
            elif "input" in keys and "text" in keys:
                shape.family = "responses"
            else:
                continue
            if form.unit.uid in widened:
                continue
            widened.add(form.unit.uid)
            for f in fields:
                if f.key == "response_format" and shape.family == "chat":
                    f.type = union([*split_union(f.type), "type[_Any]"])
                elif f.key == "tools":
                    f.type = union([self._with_functions(m) for m in split_union(f.type)])

    def _with_functions(self, expr: str) -> str:
        """An array type (``_Sequence[X]``, ``SequenceNotStr[X]``, or an alias of one) whose
        items may also be functions; any other type unchanged."""
        expr = self.types.alias_target(expr) or expr
        for head in ("_Sequence[", "SequenceNotStr["):
            if expr.startswith(head) and expr.endswith("]"):
                return f"_Sequence[{union([*split_union(expr[len(head) : -1]), '_Callable[..., _Any]'])}]"
        return expr

    def _enum_values(self, unit: Unit, key: str) -> list[Any]:
        for part, _, _ in self.types.parts(unit.node, unit.at, unit.home):
            prop = (part.get("properties") or {}).get(key) if isinstance(part.get("properties"), dict) else None
            prop = self.walker.resolve(prop)
            if isinstance(prop, dict) and isinstance(prop.get("enum"), list):
                return [v for v in prop["enum"] if isinstance(v, str)]
        return []

    def _op_doc(self, op: Operation, raw: dict) -> str:
        summary = str(raw.get("summary") or "").strip()
        description = str(raw.get("description") or "").strip()
        parts = [summary] if summary else []
        if description and description != summary:
            parts.append(description)
        text = "\n\n".join(parts)
        where = f"``{op.method} {op.path}{'?' + op.static_query if op.static_query else ''}`` (operationId ``{op.id}``)"
        if op.deprecated:
            where = "**Deprecated.** " + where
        return f"{text}\n\n{where}" if text else where

    # -- rendering --------------------------------------------------------------------------------

    def render(self, asynchronous: bool) -> str:
        """The body of the ``OpenAIClient`` (or ``AsyncOpenAIClient``) class: the operations."""
        out: list[str] = []
        for shape in self.shapes:
            if not shape.names:
                continue
            out.append(self._methods(shape, asynchronous))
        return self.types.resolve("".join(out), "_t.")

    def _result(self, shape: OperationShape, asynchronous: bool) -> str:
        return f"{'AsyncResult' if asynchronous else 'Result'}[{shape.answer}]"

    def _stream(self, shape: OperationShape, asynchronous: bool) -> str:
        events = shape.events or "EventData"
        final = shape.answer if shape.answer != ANY else events
        return f"{'AsyncStream' if asynchronous else 'Stream'}[{events}, {final}]"

    def _params(self, shape: OperationShape) -> list[str]:
        made = []
        for kwarg, type_, required, _ in shape.params:
            made.append(f"{kwarg}: {type_}" if required else f"{kwarg}: {type_} | None = None")
        return made

    def _tail(self, shape: OperationShape, with_body: bool) -> list[str]:
        extra = [_EXTRA_BODY] if with_body else []
        if shape.family == "responses":
            extra.insert(0, _TEXT_FORMAT)
        return [*extra, _EXTRA_QUERY, _EXTRA_HEADERS, _TIMEOUT, _MAX_RETRIES]

    def _methods(self, shape: OperationShape, asynchronous: bool) -> str:
        name = shape.names[0]
        prefix = "async def" if asynchronous else "def"
        params = self._params(shape)
        has_body = bool(shape.bodies) or shape.raw_body
        tail = self._tail(shape, has_body)
        result = self._result(shape, asynchronous)
        stream = self._stream(shape, asynchronous)
        always_streams = shape.streams and shape.answer == ANY and not any(f.stream_key for f in shape.bodies)
        plain_answer = stream if always_streams and shape.events else result
        signatures: list[tuple[str, str]] = []  # (parameters, return type)
        objects = [f for f in shape.bodies if f.unit is not None]
        body_types = [f.expr for f in shape.bodies]
        if shape.raw_body:
            body_types.append(_RAW_BODY)
        if not has_body:
            signatures.append((_join(["self", "*", *params, *tail]), plain_answer))
        elif not objects:
            body_type = union(body_types)
            if shape.body_required:
                signatures.append((_join(["self", f"body: {body_type}", "*", *params, *tail]), plain_answer))
            else:
                signatures.append(
                    (_join(["self", f"body: {body_type} | None = None", "*", *params, *tail]), plain_answer)
                )
        else:
            split = [f for f in objects if f.stream_key]
            kinds = [("s", stream), ("n", result), (REQUEST, f"{result} | {stream}")] if split else []
            bare_call = not shape.body_required
            for which, returns in kinds or [(REQUEST, plain_answer)]:
                forms = split if which == "s" else shape.bodies
                exprs = [self._form_type(f, which) for f in forms]
                if shape.raw_body and which != "s":
                    exprs.append(_RAW_BODY)
                signatures.append((_join(["self", f"body: {union(exprs)}", "*", *params, *tail]), returns))
                keyword_forms: list[BodyForm] = []
                for form in forms:
                    if form.unit is None or not self._keywords_fit(form, shape):
                        continue
                    wider = [
                        o
                        for o in forms
                        if o is not form
                        and self._covers(o, form)
                        and (not self._covers(form, o) or forms.index(o) < forms.index(form))
                    ]
                    if wider:
                        continue  # another content type's form takes every call this one does
                    if any(self._form_type(f, which) == self._form_type(form, which) for f in keyword_forms):
                        continue  # two content types with one schema: one keyword form
                    keyword_forms.append(form)
                    fields = f"**fields: _Unpack[{self._form_type(form, which)}]"
                    signatures.append((_join(["self", "body: None = None", "*", *params, *tail, fields]), returns))
                    required = self.types.required_keys(form.unit, REQUEST)
                    if which != "s" and not [k for k in required if k != form.stream_key]:
                        bare_call = False  # this form takes a call without any field already
            if bare_call:
                signatures.append((_join(["self", "body: None = None", "*", *params, *tail]), plain_answer))
        lines = []
        doc = docstring(self._full_doc(shape), "        ", OP_DOC_LIMIT + PARAM_DOC_LIMIT * len(shape.params))
        if len(signatures) == 1:
            params_text, returns = signatures[0]
            lines.append(f"    {prefix} {name}({params_text}) -> {returns}:\n{doc}        ...\n")
        else:
            for i, (params_text, returns) in enumerate(signatures):
                body = f"\n{doc}        ...\n" if i == 0 else " ...\n"
                lines.append(f"    @_overload\n    {prefix} {name}({params_text}) -> {returns}:{body}")
        for alias in shape.names[1:]:
            lines.append(f"    {alias} = {name}\n")
        return "".join(lines)

    def _form_type(self, form: BodyForm, which: str) -> str:
        """The body type of one content type for the streaming (``s``), non-streaming (``n``)
        or either (``r``) form."""
        if which == REQUEST or not form.stream_key or form.unit is None:
            return form.expr
        return self.types.variant_ref(form.unit, which)

    def _covers(self, wide: BodyForm, narrow: BodyForm) -> bool:
        """Whether every keyword call that fits ``narrow`` fits ``wide`` too (then an overload for
        ``narrow`` could never be chosen): no more keys, no more required ones, wider types."""
        if wide.unit is None or narrow.unit is None or wide.unit is narrow.unit:
            return False
        skip = {wide.stream_key, narrow.stream_key}
        many = {f.key: f for f in wide.unit.variants.get(REQUEST) or () if f.key not in skip}
        few = {f.key: f for f in narrow.unit.variants.get(REQUEST) or () if f.key not in skip}
        if not set(few) <= set(many):
            return False
        if any(f.required and not (k in few and few[k].required) for k, f in many.items()):
            return False
        return all(set(split_union(f.type)) <= set(split_union(many[k].type)) for k, f in few.items())

    def _keywords_fit(self, form: BodyForm, shape: OperationShape) -> bool:
        """Whether the body's fields can be keywords beside the parameters and the method's own
        keywords: none may share a name with those, and every required one must be a Python
        name (``include[]`` can only go in ``body=``, which is fine while it is optional)."""
        fields = form.unit.variants.get(REQUEST) if form.unit is not None else None
        if not fields:
            return False
        taken = RESERVED_KEYWORDS | {p[0] for p in shape.params}
        return all(f.key not in taken and (is_name(f.key) or not f.required) for f in fields)

    def _full_doc(self, shape: OperationShape) -> str:
        text = shape.doc
        described = [(k, d) for k, _, _, d in shape.params if d]
        if described:
            text += "\n\nArgs:\n" + "\n".join(f"    {k}: {_one_line(d)}" for k, d in described)
        return text

    def paginate(self, asynchronous: bool) -> str:
        """``paginate`` and ``pages``: an overload per list operation, by the names it answers to."""
        lists = [s for s in self.shapes if s.items is not None and s.names]
        out = []
        for method in ("paginate", "pages"):
            signatures = []
            for shape in lists:
                names = sorted({*shape.names, shape.op.id})
                which = f"operation: _Literal[{', '.join(literal(n) for n in names)}]"
                body = "body: None = None"
                if shape.bodies or shape.raw_body:
                    exprs = [f.expr for f in shape.bodies] + ([_RAW_BODY] if shape.raw_body else [])
                    body = f"body: {union(exprs)} | None = None"
                params = self._params(shape)
                args = _join(["self", which, body, "*", *params, _EXTRA_QUERY, _EXTRA_HEADERS, _TIMEOUT])
                item = shape.items if method == "paginate" else self._result(shape, asynchronous)
                iterator = "_AsyncIterator" if asynchronous else "_Iterator"
                signatures.append((args, f"{iterator}[{item}]"))
            doc = (
                "Yield the items of a list operation across all its pages (following ``has_more`` and its cursor)."
                if method == "paginate"
                else "Yield each page (a result) of a list operation, following its cursor to the end."
            )
            if not signatures:
                iterator = "_AsyncIterator" if asynchronous else "_Iterator"
                signatures.append(("self, operation: str, body: _Any = None, **kwargs: _Any", f"{iterator}[_Any]"))
            for i, (args, returns) in enumerate(signatures):
                deco = "    @_overload\n" if len(signatures) > 1 else ""
                text = f'\n        """{doc}"""\n        ...\n' if i == 0 else " ...\n"
                out.append(f"{deco}    def {method}({args}) -> {returns}:{text}")
        return self.types.resolve("".join(out), "_t.")

    def upload_answer(self) -> str:
        """The type ``upload_file`` returns: the File object, the answer of ``createFile``."""
        for shape in self.shapes:
            if shape.op.id == "createFile" and shape.answer != ANY:
                return self.types.resolve(shape.answer, "_t.")
        return "dict[str, _Any]"


def _join(parts: list[str]) -> str:
    """Parameters for a signature; a bare ``*`` with nothing after it is left out."""
    if parts and parts[-1] == "*":
        parts = parts[:-1]
    return ", ".join(parts)


def _one_line(text: str) -> str:
    from ..spec._docinfo import shorten

    return shorten(" ".join(text.split()), PARAM_DOC_LIMIT)


def _kwarg(prm: dict) -> str:
    name = str(prm["name"])
    bare = name[:-2] if name.endswith("[]") else name
    return bare.replace("-", "_") if prm.get("in") == "header" else bare


def _snake(op_id: str) -> str:
    from ..spec import snake_case

    return snake_case(op_id)


def _home(pointer: str) -> str | None:
    if pointer.startswith(COMPONENTS):
        return unescape(pointer[len(COMPONENTS) :].split("/", 1)[0])
    return None
