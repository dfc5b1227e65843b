"""Function tools from Python functions, and the loop that runs them for the model.

``function_tool(get_weather)`` reads the function's type hints and docstring into a strict
tool definition (chat's ``{"type": "function", "function": {...}}`` or the Responses API's flat
form); ``FunctionTool.invoke`` checks the model's arguments against the hints and calls the
function.  ``tool_loop`` is ``run_tools`` written once, without I/O: it yields what it needs
done (call the model, run a turn's tool calls together) and the two clients drive it, as
``_client._flow`` is driven.  ``prepare`` makes JSON of the types and functions a call holds
(structured outputs and tools) and returns the ``_parse.Parser`` for its answer.  pydantic is
imported when a tool or type is first used.
"""

from __future__ import annotations

import inspect
import json
import re
from typing import overload

from ._errors import ParameterError, StrictSchemaError, ToolError
from ._parse import CHAT, RESPONSES, Parser, family_of, is_type, output_type

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Generator
    from typing import Any

    from .spec import Operation

__all__ = ["FunctionTool", "ToolRun", "as_tool", "function_tool", "prepare", "tool_loop"]

_SECTION = re.compile(r"^\s*(Args|Arguments|Parameters|Params|Returns?|Raises|Yields|Examples?|Notes?)\s*:?\s*$")
_SPHINX = re.compile(r"^\s*:param\s+(?:\S+\s+)?(\w+)\s*:\s*(.*)$")
_GOOGLE = re.compile(r"^\s*(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def _docstring(fn: Any) -> tuple[str, dict[str, str]]:
    """The description (the text before any section) and each parameter's description, from a
    Google-style (``Args:``) or Sphinx-style (``:param name:``) docstring."""
    doc = inspect.getdoc(fn) or ""
    lines = doc.splitlines()
    summary: list[str] = []
    params: dict[str, str] = {}
    section = None
    current = None
    for line in lines:
        sphinx = _SPHINX.match(line)
        if sphinx:
            current = sphinx.group(1)
            params[current] = sphinx.group(2).strip()
            section = "sphinx"
            continue
        header = _SECTION.match(line)
        if header:
            section = header.group(1).lower()
            current = None
            continue
        if section is None:
            summary.append(line)
        elif section in ("args", "arguments", "parameters", "params"):
            google = _GOOGLE.match(line)
            if google and not line.startswith(" " * 8):
                current = google.group(1)
                params[current] = google.group(2).strip()
            elif current and line.strip() and not set(line.strip()) <= {"-"}:
                params[current] = f"{params[current]} {line.strip()}".strip()
        elif section == "sphinx" and current and line.strip() and not line.lstrip().startswith(":"):
            params[current] = f"{params[current]} {line.strip()}".strip()
    return "\n".join(summary).strip(), params


class FunctionTool:
    """A Python function offered to the model as a strict function tool.

    ``name``, ``description`` and ``parameters`` (the strict JSON schema of its arguments) are
    read from the function; ``definition("chat")``/``definition("responses")`` give the tool as
    each API takes it; ``invoke(arguments)`` checks the model's JSON arguments against the type
    hints and calls the function (its result, awaitable for an ``async def``).  The tool is
    still callable as the function itself.
    """

    __slots__ = ("__wrapped__", "_model", "description", "function", "is_async", "name", "parameters", "strict")

    def __init__(self, function: Callable[..., Any], name: str | None, description: str | None, strict: bool) -> None:
        from ._parse import make_strict, pydantic_module

        if not callable(function):
            raise ParameterError(f"function_tool() takes a function, not {type(function).__name__}")
        pydantic = pydantic_module()
        self.function = self.__wrapped__ = function
        self.name = name or getattr(function, "__name__", "")
        if not _NAME.match(self.name):
            raise ParameterError(
                f"tool name {self.name!r} is not one the API takes (1-64 letters, digits, _ or -): pass name="
            )
        summary, notes = _docstring(function)
        self.description = description if description is not None else summary
        self.is_async = inspect.iscoroutinefunction(function)
        self.strict = strict
        try:
            signature = inspect.signature(function)
        except (TypeError, ValueError):
            raise ParameterError(f"cannot read the parameters of {self.name}: give a plain function") from None
        import typing

        try:
            hints = typing.get_type_hints(function, include_extras=True)
        except Exception as exc:
            raise StrictSchemaError(f"the type hints of {self.name} cannot be resolved: {exc}", self.name) from None
        fields: dict[str, Any] = {}
        for param in signature.parameters.values():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                raise StrictSchemaError(
                    f"{self.name}(*{param.name}) / (**{param.name}): a tool takes named arguments only; "
                    "list each one with a type",
                    f"{self.name}.{param.name}",
                )
            if param.name not in hints:
                raise StrictSchemaError(
                    f"{self.name}: the parameter {param.name!r} has no type hint; annotate it "
                    f"({param.name}: str, int, a model...) so the model knows what to send",
                    f"{self.name}.{param.name}",
                )
            default = ... if param.default is param.empty else param.default
            field = pydantic.Field(default, description=notes.get(param.name) or None)
            fields[param.name] = (hints[param.name], field)
        self._model = pydantic.create_model(f"{self.name}_arguments", __config__={"extra": "forbid"}, **fields)
        schema = self._model.model_json_schema()
        self.parameters = make_strict(schema, self.name) if strict else schema

    def definition(self, family: str) -> dict[str, Any]:
        """The tool as a request lists it: ``family`` is ``"chat"`` or ``"responses"``."""
        fn: dict[str, Any] = {"name": self.name, "parameters": self.parameters, "strict": self.strict}
        if self.description:
            fn["description"] = self.description
        if family == "chat":
            return {"type": "function", "function": fn}
        return {"type": "function", **fn}

    def arguments(self, arguments: str) -> dict[str, Any]:
        """The model's JSON arguments checked against the type hints, as keyword arguments."""
        instance = self._model.model_validate_json(arguments or "{}")
        return {name: getattr(instance, name) for name in type(instance).model_fields}

    def invoke(self, arguments: str) -> Any:
        """Call the function with the model's JSON arguments (an awaitable for an ``async def``)."""
        return self.function(**self.arguments(arguments))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.function(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<FunctionTool {self.name}>"


@overload
def function_tool(
    function: Callable[..., Any], *, name: str | None = None, description: str | None = None, strict: bool = True
) -> FunctionTool: ...


@overload
def function_tool(
    function: None = None, *, name: str | None = None, description: str | None = None, strict: bool = True
) -> Callable[[Callable[..., Any]], FunctionTool]: ...


def function_tool(
    function: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool = True,
) -> FunctionTool | Callable[[Callable[..., Any]], FunctionTool]:
    """Make a function into a strict function tool, from its type hints and docstring.

    ``function_tool(get_weather)``, or ``@function_tool`` (also ``@function_tool(name=...)``) on
    its definition.  Each parameter needs a type hint (a pydantic model works too); the
    docstring's text becomes the tool's description and its ``Args:`` (or ``:param x:``) lines
    the parameters' descriptions.  Pass the result (or the plain function) in ``tools=`` of a
    chat or Responses call, or to ``client.run_tools``.
    """
    if function is None:
        return lambda fn: FunctionTool(fn, name, description, strict)
    return FunctionTool(function, name, description, strict)


def as_tool(value: Any) -> FunctionTool:
    """A ``FunctionTool`` for a ``tools=`` entry that is a function or a tool already."""
    if isinstance(value, FunctionTool):
        return value
    if callable(value):
        return FunctionTool(value, None, None, True)
    raise ParameterError(
        f"tools= holds a {type(value).__name__}: give functions, function_tool(...) or tool definitions (dicts)"
    )


class ToolRun:
    """What ``run_tools`` hands back: ``final`` (the last answer, a ``Result``), ``messages``
    (the whole conversation, tool calls and their results included, ready to continue it),
    ``steps`` (how many times the model was called) and ``finished`` (False when ``max_steps``
    stopped the loop while the model still asked for tools)."""

    __slots__ = ("final", "finished", "messages", "steps")

    def __init__(self, final: Any, messages: list[Any], steps: int, finished: bool) -> None:
        self.final = final
        self.messages = messages
        self.steps = steps
        self.finished = finished

    @property
    def parsed(self) -> Any:
        """The final answer's parsed object (with ``response_format=``/``text_format=`` a type)."""
        return getattr(self.final, "parsed", None)

    def __repr__(self) -> str:
        state = "finished" if self.finished else "stopped at max_steps"
        return f"<ToolRun {state} after {self.steps} steps, {len(self.messages)} messages>"


def _text(value: Any) -> str:
    """A tool's return value as the text sent back to the model."""
    if isinstance(value, str):
        return value
    dump = getattr(value, "model_dump_json", None)
    if callable(dump):
        return dump()
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    return json.dumps(value, default=str, ensure_ascii=False)


class Call:
    """One tool call the model asked for: its id, the tool's name, the JSON arguments."""

    __slots__ = ("arguments", "call_id", "name")

    def __init__(self, call_id: str, name: str, arguments: str) -> None:
        self.call_id = call_id
        self.name = name
        self.arguments = arguments


def bind_call(call: Call, tools: dict[str, FunctionTool], raise_errors: bool) -> tuple[Any, dict[str, Any]] | str:
    """``(tool, keyword arguments)`` for a call the model asked for, or the error text to send
    back when the tool is unknown or the arguments do not fit (a ``ToolError`` with ``raise_errors``)."""
    tool = tools.get(call.name)
    if tool is None:
        return tool_failure(
            call, f"there is no tool named {call.name!r} (tools: {', '.join(tools) or 'none'})", None, raise_errors
        )
    from ._parse import pydantic_module

    try:
        return tool, tool.arguments(call.arguments)
    except pydantic_module().ValidationError as exc:
        shown = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors(include_url=False)[:5]
        )
        return tool_failure(call, f"the arguments do not fit {call.name}: {shown}", exc, raise_errors)


def tool_failure(call: Call, what: str, exc: BaseException | None, raise_errors: bool) -> str:
    """The text a failed call sends back to the model (``Error: ...``), or, with ``raise_errors``,
    a ``ToolError`` raised from ``exc``."""
    if raise_errors:
        raise ToolError(what, tool=call.name, arguments=call.arguments) from exc
    return f"Error: {what}"


def raised(call: Call, exc: Exception, raise_errors: bool) -> str:
    """``tool_failure`` for an exception the tool function raised."""
    return tool_failure(call, f"{call.name} raised {type(exc).__name__}: {exc}", exc, raise_errors)


def run_sync(calls: list[Call], tools: dict[str, FunctionTool], raise_errors: bool) -> list[str]:
    """Run a turn's calls together (threads; an ``async def`` tool runs in its own event loop
    there) and return the texts to send back, in the calls' order."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    def one(call: Call) -> str:
        bound = bind_call(call, tools, raise_errors)
        if isinstance(bound, str):
            return bound
        tool, kwargs = bound
        try:
            value = tool.function(**kwargs)
            if inspect.isawaitable(value):
                value = asyncio.run(_awaited(value))
        except Exception as exc:
            return raised(call, exc, raise_errors)
        return _text(value)

    if len(calls) == 1 and not (calls[0].name in tools and tools[calls[0].name].is_async):
        return [one(calls[0])]
    with ThreadPoolExecutor(max_workers=min(len(calls), 16)) as pool:
        return list(pool.map(one, calls))


async def _awaited(value: Any) -> Any:
    return await value


async def run_async(calls: list[Call], tools: dict[str, FunctionTool], raise_errors: bool) -> list[str]:
    """Run a turn's calls together on the event loop (a plain function in a worker thread) and
    return the texts to send back, in the calls' order."""
    import asyncio

    async def one(call: Call) -> str:
        bound = bind_call(call, tools, raise_errors)
        if isinstance(bound, str):
            return bound
        tool, kwargs = bound
        try:
            if tool.is_async:
                value = await tool.function(**kwargs)
            else:
                value = await asyncio.to_thread(tool.function, **kwargs)
                if inspect.isawaitable(value):
                    value = await value
        except Exception as exc:
            return raised(call, exc, raise_errors)
        return _text(value)

    return list(await asyncio.gather(*(one(call) for call in calls)))


class _Chat:
    """The chat completions side of the loop: messages, assistant tool calls, tool messages."""

    def __init__(self, kwargs: dict[str, Any]) -> None:
        messages = kwargs.get("messages")
        if not isinstance(messages, (list, tuple)):
            raise ParameterError("run_tools on chat completions needs messages=[...] (a list of messages)")
        self.transcript: list[Any] = list(messages)

    def request(self, kwargs: dict[str, Any], result: Any) -> dict[str, Any]:
        return {**kwargs, "messages": list(self.transcript)}

    def read(self, data: dict) -> list[Call]:
        choices = data.get("choices") or [{}]
        message = choices[0].get("message") or {}
        kept = {"role": "assistant", "content": message.get("content")}
        if message.get("refusal"):
            kept["refusal"] = message["refusal"]
        calls = [c for c in message.get("tool_calls") or () if isinstance(c, dict) and c.get("type") == "function"]
        if message.get("tool_calls"):
            kept["tool_calls"] = message["tool_calls"]
        self.transcript.append(kept)
        return [Call(c["id"], c["function"]["name"], c["function"].get("arguments") or "") for c in calls]

    def answer(self, call: Call, text: str) -> None:
        self.transcript.append({"role": "tool", "tool_call_id": call.call_id, "content": text})


class _Responses:
    """The Responses API side of the loop: input items, function calls, function call outputs.

    The whole conversation is sent again each turn, unless the request continues a stored one
    (``previous_response_id`` or ``conversation``): then only the new tool outputs are."""

    def __init__(self, kwargs: dict[str, Any]) -> None:
        given = kwargs.get("input")
        if given is None:
            raise ParameterError("run_tools on the Responses API needs input= (a string or a list of items)")
        self.transcript: list[Any] = [{"role": "user", "content": given}] if isinstance(given, str) else list(given)
        self.chained = "previous_response_id" in kwargs or "conversation" in kwargs
        self.fresh: list[Any] = []

    def request(self, kwargs: dict[str, Any], result: Any) -> dict[str, Any]:
        if result is None:
            return dict(kwargs)
        if not self.chained:
            return {**kwargs, "input": list(self.transcript)}
        request = {**kwargs, "input": self.fresh}
        if "previous_response_id" in kwargs:
            request["previous_response_id"] = result.json().get("id")
        self.fresh = []
        return request

    def read(self, data: dict) -> list[Call]:
        calls = []
        for item in data.get("output") or ():
            if not isinstance(item, dict):
                continue
            self.transcript.append(item)
            if item.get("type") == "function_call":
                calls.append(Call(item.get("call_id") or "", item.get("name") or "", item.get("arguments") or ""))
        return calls

    def answer(self, call: Call, text: str) -> None:
        item = {"type": "function_call_output", "call_id": call.call_id, "output": text}
        self.transcript.append(item)
        self.fresh.append(item)


def tool_loop(family: str, kwargs: dict[str, Any], max_steps: int) -> Generator[tuple[str, Any], Any, ToolRun]:
    """``run_tools`` as a conversation: yields ``("call", request keywords)`` for the driver to
    send (it sends back the ``Result``) and ``("tools", [Call, ...])`` to run a turn's calls
    together (it sends back their texts, in order); returns the ``ToolRun``."""
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
        raise ParameterError(f"max_steps must be a whole number >= 1, not {max_steps!r}")
    if kwargs.get("stream"):
        raise ParameterError("run_tools sends and reads whole answers: leave stream= out")
    side: _Chat | _Responses = _Chat(kwargs) if family == "chat" else _Responses(kwargs)
    result = None
    for step in range(1, max_steps + 1):
        result = yield "call", side.request(kwargs, result)
        calls = side.read(result.json())
        if not calls:
            return ToolRun(result, side.transcript, step, True)
        texts = yield "tools", calls
        for call, text in zip(calls, texts, strict=True):
            side.answer(call, text)
    return ToolRun(result, side.transcript, max_steps, False)


def _setup(client: Any, operation: str, body: Any, kwargs: dict[str, Any], tools: Any) -> tuple:
    """The family of the operation, the request keywords (tools as definitions) and the tools by name."""
    op = client._index.operation(operation)
    family = family_of(client, op)
    if family is None:
        raise ParameterError(f"run_tools works with chat completions and the Responses API, not {op.id}")
    if body is not None:
        if not isinstance(body, dict):
            raise ParameterError(f"run_tools takes body= as a dict of fields, not {type(body).__name__}")
        kwargs = {**body, **kwargs}
    if not isinstance(tools, (list, tuple)) or not tools:
        raise ParameterError("run_tools needs tools=[...]: the functions (or function_tool(...)) the model may call")
    made: dict[str, FunctionTool] = {}
    listed = []
    for entry in tools:
        if isinstance(entry, dict):
            listed.append(entry)  # a tool the API runs (web search...) or one defined by hand
            continue
        tool = as_tool(entry)
        if tool.name in made:
            raise ParameterError(f"two tools are named {tool.name!r}: give one of them name=")
        made[tool.name] = tool
        listed.append(tool.definition(family))
    return family, {**kwargs, "tools": listed}, made


def drive_sync(
    client: Any, operation: str, body: Any, kwargs: dict, tools: Any, max_steps: int, raise_errors: bool
) -> ToolRun:
    """``run_tools`` on the blocking client."""
    family, request, made = _setup(client, operation, body, kwargs, tools)
    loop = tool_loop(family, request, max_steps)
    try:
        kind, value = next(loop)
        while True:
            got = client.call(operation, **value) if kind == "call" else run_sync(value, made, raise_errors)
            kind, value = loop.send(got)
    except StopIteration as done:
        return done.value


async def drive_async(
    client: Any, operation: str, body: Any, kwargs: dict, tools: Any, max_steps: int, raise_errors: bool
) -> ToolRun:
    """``run_tools`` on the asyncio client."""
    family, request, made = _setup(client, operation, body, kwargs, tools)
    loop = tool_loop(family, request, max_steps)
    try:
        kind, value = next(loop)
        while True:
            if kind == "call":
                got = await client.call(operation, **value)
            else:
                got = await run_async(value, made, raise_errors)
            kind, value = loop.send(got)
    except StopIteration as done:
        return done.value


# -- calls holding types and functions -----------------------------------------------------------


def _take(name: str, params: dict, body: dict) -> Any:
    return params[name] if name in params else body.get(name)


def prepare(client: Any, op: Operation, body: Any, params: dict, always: bool) -> tuple[Any, Parser] | None:
    """Put the Python types and functions of a call in its request (``response_format=Booking``,
    ``text_format=Booking``, ``tools=[get_weather]``): returns ``(body, parser)`` with ``params`` changed
    in place, or None when the call holds no type (and ``always`` is false: ``client.parse``
    always parses)."""
    given = body if isinstance(body, dict) else {}
    family = family_of(client, op)
    response_format = _take("response_format", params, given)
    text_format = params.pop("text_format", None)
    tools = _take("tools", params, given)
    has_tools = isinstance(tools, (list, tuple)) and any(not isinstance(t, dict) for t in tools)
    if not (always or is_type(response_format) or text_format is not None or has_tools):
        return None
    if family is None:
        raise ParameterError(
            f"{op.id} does not take structured outputs or function tools from Python types (only chat "
            "completions and the Responses API do): pass the JSON the spec describes"
        )
    output = None
    fields: dict[str, Any] = {}
    if is_type(response_format):
        if family != CHAT:
            raise ParameterError(
                f"{op.id} is the Responses API, which has no response_format: pass the type as text_format="
            )
        output = output_type(response_format)
        fields["response_format"] = output.chat_format()
    given_text = _take("text", params, given)
    if given_text is not None and not isinstance(given_text, dict):
        raise ParameterError(f"text= must be an object ({{'format': ..., 'verbosity': ...}}), not {given_text!r}")
    if text_format is not None:
        if family != RESPONSES:
            raise ParameterError(
                f"{op.id} takes response_format= for structured outputs; text_format= is for createResponse"
            )
        text = dict(given_text or {})
        if is_type(text_format):
            output = output_type(text_format)
            text["format"] = output.responses_format()
        else:
            text["format"] = text_format
        fields["text"] = text
    found: dict[str, Any] = {}
    if has_tools:
        made = []
        for tool in tools:
            if isinstance(tool, dict):
                made.append(tool)
                continue
            function = as_tool(tool)
            found[function.name] = function
            made.append(function.definition(family))
        fields["tools"] = made
    fmt = response_format if family == CHAT else (given_text or {}).get("format")
    if family == RESPONSES and text_format is not None and not is_type(text_format):
        fmt = text_format
    parse_json = isinstance(fmt, dict) and fmt.get("type") in ("json_schema", "json_object")
    for name, value in fields.items():
        if name in params or name not in given:
            params[name] = value
        else:
            given = {**given, name: value}
    return (given if isinstance(body, dict) else body), Parser(family, output, parse_json, found)
