"""Waiting for an object to reach a final state, learned from the spec.

Every object the spec returns from a ``GET .../{id}`` operation with an ``object`` tag and a
``status`` field is a kind ``wait()`` knows (``kinds``): runs, vector store files and file
batches, batches, fine-tuning jobs, videos, responses, eval runs... and whatever a newer spec
adds.  Its retrieve operation is that ``GET``; its path parameters come from the object (the
last one is its ``id``, the others fields of the same name, such as ``thread_id``).

Which statuses are final is one rule over the status names (``IN_PROGRESS_RULE``), applied to
the values the spec's enum lists (and to any value the API sends, for a status the spec leaves
open, as eval runs do).  ``wait_flow`` is the polling written once without I/O; the blocking
and asyncio clients drive it.
"""

from __future__ import annotations

import time

from ._errors import ParameterError, WaitTimeoutError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Mapping
    from typing import Any

__all__ = ["IN_PROGRESS_RULE", "Kind", "in_progress", "kinds", "wait_flow"]

IN_PROGRESS_RULE = (
    "A status means the object is still changing when it is `queued`, `in_progress`, or names an "
    "action under way (a word ending in -ing: `validating`, `validating_files`, `running`, "
    "`finalizing`, `cancelling`, `pending`); every other status is final, `requires_action` "
    "included (a run then waits for you)."
)
_UNDER_WAY = frozenset({"queued", "in_progress"})


def in_progress(status: Any) -> bool:
    """Whether a status means the object is still changing (see ``IN_PROGRESS_RULE``)."""
    if not isinstance(status, str):
        return False
    return status in _UNDER_WAY or any(word.endswith("ing") for word in status.split("_"))


class Kind:
    """One kind of object with a status: its ``object`` tag, the operation that retrieves it,
    the statuses the spec lists (empty when it leaves them open), and its cancel operation."""

    __slots__ = ("cancel", "object", "op_id", "schema", "states")

    def __init__(self, obj: str, op_id: str, schema: str, states: tuple[str, ...], cancel: str | None) -> None:
        self.object = obj
        self.op_id = op_id
        self.schema = schema
        self.states = states
        self.cancel = cancel

    @property
    def final(self) -> tuple[str, ...]:
        """The statuses of the spec's enum that end a wait."""
        return tuple(s for s in self.states if not in_progress(s))

    @property
    def changing(self) -> tuple[str, ...]:
        """The statuses of the spec's enum that a wait waits through, in the enum's order."""
        return tuple(s for s in self.states if in_progress(s))

    def __repr__(self) -> str:
        return f"<Kind {self.object}: {self.op_id}, final {list(self.final)}>"


_KINDS: dict[str, dict[str, Kind]] = {}


def kinds(index: Any) -> dict[str, Kind]:
    """The kinds of object with a status in a loaded spec, by their ``object`` tag (made once)."""
    found = _KINDS.get(index.sha256)
    if found is not None:
        return found
    schemas = index.schemas()
    defs = schemas["defs"]
    ops = index.data["ops"]
    posts = {entry[1] for entry in ops.values() if entry[0] == "POST"}
    found = {}
    for op_id, entry in ops.items():
        method, path = entry[0], entry[1]
        if method != "GET" or not path.endswith("}") or "?" in path:
            continue
        answer = (((schemas["ops"].get(op_id) or {}).get("responses") or {}).get("200") or {}).get("application/json")
        name, props = _properties(answer, defs)
        tag = _single(props.get("object"), defs)
        if tag is None or "status" not in props or tag in found:
            continue
        states = _enum(props["status"], defs)
        cancel_path = path + "/cancel"
        cancel = next((i for i, e in ops.items() if e[0] == "POST" and e[1] == cancel_path), None)
        found[tag] = Kind(tag, op_id, name, states, cancel if cancel_path in posts else None)
    _KINDS[index.sha256] = found
    return found


def _resolve(node: Any, defs: dict) -> tuple[Any, str]:
    name = ""
    for _ in range(32):
        if not (isinstance(node, dict) and "$ref" in node):
            break
        name = str(node["$ref"]).rsplit("/", 1)[-1]
        node = defs.get(name)
    return node, name


def _properties(schema: Any, defs: dict) -> tuple[str, dict]:
    """The component name and the properties of an answer schema (``allOf`` parts merged)."""
    schema, name = _resolve(schema, defs)
    if not isinstance(schema, dict):
        return name, {}
    props = dict(schema.get("properties") or {})
    for part in schema.get("allOf") or ():
        props.update(_properties(part, defs)[1])
    return name, props


def _enum(schema: Any, defs: dict) -> tuple[str, ...]:
    schema, _ = _resolve(schema, defs)
    if not isinstance(schema, dict):
        return ()
    values = [v for v in schema.get("enum") or () if isinstance(v, str)]
    for alt in schema.get("anyOf") or ():
        values += [v for v in _enum(alt, defs) if v not in values]
    return tuple(values)


def _single(schema: Any, defs: dict) -> str | None:
    """The one value an ``object`` field may take (its const, or an enum of one), or None."""
    schema, _ = _resolve(schema, defs)
    if not isinstance(schema, dict):
        return None
    if isinstance(schema.get("const"), str):
        return schema["const"]
    values = _enum(schema, defs)
    return values[0] if len(values) == 1 else None


def _poll_after(result: Any) -> float | None:
    """The wait the server asks for before the next look (``openai-poll-after-ms``), in seconds."""
    headers = getattr(result, "headers", None)
    text = headers.get("openai-poll-after-ms") if headers is not None else None
    try:
        ms = float(text) if text is not None else None
    except ValueError:
        return None
    return ms / 1000.0 if ms is not None and 0 <= ms < 86_400_000 else None


def _number(name: str, value: Any, allow_none: bool) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or value != value:
        extra = " (or None for no limit)" if allow_none else ""
        raise ParameterError(f"{name} must be a number of seconds above 0{extra}, not {value!r}")
    return float(value)


def wait_flow(
    client: Any,
    target: Any,
    timeout: float | None,
    poll_interval: float,
    max_interval: float,
    until: Iterable[str] | None,
    operation: str | None,
    params: Mapping[str, Any],
    clock: Callable[[], float] = time.monotonic,
) -> Generator[tuple[str, Any], Any, dict[str, Any]]:
    """Poll ``target`` (a result or an object with ``status``) until its status is final.

    Yields ``("sleep", (seconds, the object as last seen))`` and ``("get", (operation id, keyword arguments))`` for the
    driver to do (it sends back the ``Result`` of the get); returns the final object.  Waits
    ``openai-poll-after-ms`` when the answer names it, else ``poll_interval`` growing by half
    each time up to ``max_interval``; raises ``WaitTimeoutError`` after ``timeout`` seconds.
    """
    timeout = _number("timeout", timeout, True)
    poll_interval = _number("poll_interval", poll_interval, False) or 1.0
    max_interval = max(_number("max_interval", max_interval, False) or 1.0, poll_interval)
    if isinstance(until, str):
        until = [until]
    done = frozenset(until) if until is not None else None
    result = target if hasattr(target, "json") and hasattr(target, "headers") else None
    data = result.json() if result is not None else target
    if not isinstance(data, dict):
        raise ParameterError(f"wait() takes a result or an object (a dict with a status), not {type(target).__name__}")
    if "status" not in data:
        raise ParameterError(
            f"wait() needs an object with a status; this {data.get('object') or 'object'} has none to wait on"
        )

    def finished(obj: dict) -> bool:
        status = obj.get("status")
        return status in done if done is not None else not in_progress(status)

    if finished(data):
        return data
    op_id, args, kind = _retrieve(client, data, operation, params)
    deadline = clock() + timeout if timeout is not None else None
    looks = 0
    while True:
        delay = _poll_after(result)
        if delay is None:
            delay = min(poll_interval * 1.5**looks, max_interval)
        if deadline is not None:
            left = deadline - clock()
            if left <= 0:
                raise WaitTimeoutError(_late(data, kind, timeout), last=data)
            delay = min(delay, left)
        yield "sleep", (delay, data)
        result = yield "get", (op_id, args)
        data = result.json()
        looks += 1
        if not isinstance(data, dict):
            raise ParameterError(f"{op_id} did not answer an object, so there is no status to wait on")
        if finished(data):
            return data


def _late(data: dict, kind: Kind | None, timeout: Any) -> str:
    what = f"{data.get('object') or 'the object'} {data.get('id') or ''}".strip()
    hint = f", or cancel it with client.{_snake(kind.cancel)}(...)" if kind is not None and kind.cancel else ""
    return f"{what} is still {data.get('status')!r} after {timeout:g} s: wait() again later{hint}"


def _snake(op_id: str) -> str:
    from .spec import snake_case

    return snake_case(op_id)


def _retrieve(client: Any, data: dict, operation: str | None, params: Mapping[str, Any]) -> tuple:
    """The operation that retrieves the object, its keyword arguments, and its ``Kind`` (None
    when ``operation`` was given for an object the spec does not describe)."""
    index = client._index
    known = kinds(index)
    kind = known.get(data.get("object"))
    if operation is not None:
        op = index.operation(operation)
    elif kind is not None:
        op = index.operation(kind.op_id)
    else:
        tag = data.get("object")
        if tag in ("upload",):
            raise ParameterError(
                "an upload cannot be polled: the spec has no operation that retrieves one, and it leaves "
                "'pending' only when you complete or cancel it (client.upload_file() does both)"
            )
        listed = ", ".join(sorted(known)) or "none"
        raise ParameterError(
            f"wait() cannot tell which operation retrieves a {tag or 'object without an object field'!r}: pass "
            f"operation='...' and its path parameters (the spec describes these kinds: {listed})"
        )
    path_params = [p for p in op.params if p.location == "path"]
    if not path_params:
        raise ParameterError(f"{op.id} takes no id, so it cannot retrieve one object: pass another operation=")
    args = {}
    for i, prm in enumerate(path_params):
        value = params.get(prm.kwarg)
        if value is None:
            value = data.get("id") if i == len(path_params) - 1 else data.get(prm.kwarg, data.get(prm.name))
        if not isinstance(value, str) or not value:
            raise ParameterError(
                f"wait() needs {prm.kwarg} to retrieve this {data.get('object') or 'object'} with {op.id}, and the "
                f"object does not say it: pass {prm.kwarg}='...'"
            )
        args[prm.kwarg] = value
    return op.id, args, kind


def drive_sync(client: Any, flow: Generator[tuple[str, Any], Any, dict], cancel: Any) -> dict[str, Any]:
    """Run ``wait_flow`` on the blocking client; ``cancel`` (a ``threading.Event``) stops it."""
    from ._errors import WaitCancelledError

    try:
        kind, value = next(flow)
        while True:
            got = None
            if kind == "sleep":
                delay, last = value
                if cancel is None:
                    time.sleep(delay)
                elif cancel.wait(delay):
                    raise WaitCancelledError("wait() was cancelled (its cancel event is set)", last=last)
            else:
                got = client.call(value[0], **value[1])
            kind, value = flow.send(got)
    except StopIteration as finished:
        return finished.value


async def drive_async(client: Any, flow: Generator[tuple[str, Any], Any, dict], cancel: Any) -> dict[str, Any]:
    """Run ``wait_flow`` on the asyncio client; ``cancel`` (an ``asyncio.Event``) stops it, and so
    does cancelling the task."""
    import asyncio

    from ._errors import WaitCancelledError

    try:
        kind, value = next(flow)
        while True:
            got = None
            if kind == "sleep":
                delay, last = value
                if cancel is None:
                    await asyncio.sleep(delay)
                else:
                    try:
                        await asyncio.wait_for(cancel.wait(), delay)
                    except asyncio.TimeoutError:
                        pass
                    else:
                        raise WaitCancelledError("wait() was cancelled (its cancel event is set)", last=last)
            else:
                got = await client.call(value[0], **value[1])
            kind, value = flow.send(got)
    except StopIteration as finished:
        return finished.value
