"""Realistic values from schemas: what the mock server answers with, and the docs' examples.

``Faker.value(schema)`` returns a value that validates against a normalised schema (see
``spec/_schemas``) and looks like the API's: ids with the prefix of their object kind
(``chatcmpl-``, ``file-``, ``resp_``...), current timestamps, the requested model, plausible
text, token counts that add up.  Everything random comes from one ``random.Random``, so a
seed makes the answers repeatable.

The keywords a value honours are those of the spec's schemas and of OpenAI's structured
outputs: ``const``, ``enum``, ``anyOf`` (``null`` only when nothing else fits: deep inside a
recursive schema), ``allOf``, ``$ref``/``$defs`` (recursion bounded), string ``format``
(``uuid``, ``date``, ``time``, ``date-time``, ``duration``, ``email``, ``uri``, ``ipv4``, ``ipv6``,
``hostname``), ``pattern`` (a string made from the regular expression, checked with the
validator's own regex engine), ``minLength``/``maxLength``, numeric bounds (exclusive too) and
``multipleOf``, ``minItems``/``maxItems``.  A schema no value can satisfy (a pattern nothing
short enough matches, bounds that exclude every number) raises ``ValueError``: never a value
that does not fit.
"""

from __future__ import annotations

import math
import random
import string
import time
import uuid
from typing import Any

from .._validation import ANSWER_REQUIRED, FILE
from ._schemas import _may_be_null
from ._walk import Resolver

__all__ = ["FIELD_PREFIXES", "ID_PREFIXES", "SENTENCES", "Faker"]

# The id prefix of each object kind (the schema's `object` constant), as the API uses them.
ID_PREFIXES = {
    "chat.completion": "chatcmpl-",
    "chat.completion.chunk": "chatcmpl-",
    "text_completion": "cmpl-",
    "response": "resp_",
    "file": "file-",
    "batch": "batch_",
    "assistant": "asst_",
    "thread": "thread_",
    "thread.message": "msg_",
    "thread.run": "run_",
    "thread.run.step": "step_",
    "vector_store": "vs_",
    "vector_store.file": "file-",
    "vector_store.files_batch": "vsfb_",
    "fine_tuning.job": "ftjob-",
    "fine_tuning.job.event": "ftevent-",
    "fine_tuning.job.checkpoint": "ftckpt_",
    "upload": "upload_",
    "upload.part": "part_",
    "conversation": "conv_",
    "conversation.item": "msg_",
    "container": "cntr_",
    "container.file": "cfile_",
    "eval": "eval_",
    "eval.run": "evalrun_",
    "organization.project": "proj_",
    "organization.invite": "invite-",
    "organization.user": "user-",
    "organization.project.service_account": "svc_acct_",
    "organization.project.api_key": "key_",
    "organization.admin_api_key": "key_",
    "realtime.session": "sess_",
    "video": "video_",
    "chatkit.session": "cksess_",
    "chatkit.thread": "cthr_",
    "skill": "skill_",
    "message": "msg_",
    "function_call": "fc_",
}
# Prefixes for fields named like `<kind>_id`.
FIELD_PREFIXES = {
    "file_id": "file-",
    "assistant_id": "asst_",
    "thread_id": "thread_",
    "run_id": "run_",
    "message_id": "msg_",
    "vector_store_id": "vs_",
    "batch_id": "batch_",
    "response_id": "resp_",
    "previous_response_id": "resp_",
    "conversation_id": "conv_",
    "input_file_id": "file-",
    "output_file_id": "file-",
    "error_file_id": "file-",
    "fine_tuning_job_id": "ftjob-",
    "project_id": "proj_",
    "user_id": "user-",
    "container_id": "cntr_",
    "call_id": "call_",
    "tool_call_id": "call_",
    "upload_id": "upload_",
    "eval_id": "eval_",
    "item_id": "msg_",
}
SENTENCES = (
    "Hello! How can I help you today?",
    "Here is a short answer from the mock server.",
    "The quick brown fox jumps over the lazy dog.",
    "Streams arrive one small piece at a time.",
    "This reply is generated locally, without a network.",
)
# Plausible values of common free-text fields.
_WORDS = {
    "status": "completed",
    "purpose": "assistants",
    "filename": "data.jsonl",
    "path": "/mnt/data/data.jsonl",
    "owned_by": "openai",
    "role": "owner",
    "language": "english",
    "voice": "alloy",
    "size": "1024x1024",
    "format": "text",
    "description": "A mock object made from the spec.",
    "title": "Mock title",
    "query": "what is a mock server",
}
_PREFERRED = {
    "status": ("completed", "succeeded", "processed", "active", "ready"),
    "finish_reason": ("stop",),
    "role": ("assistant",),
    "type": ("message", "text", "output_text", "function"),
}


class Faker:
    """Makes schema-valid, realistic values; ``context`` carries the request (model, ids...)."""

    def __init__(self, defs: dict[str, Any], seed: int | None = None) -> None:
        self.defs = defs
        self.refs = Resolver({"$defs": defs})  # what REF_PREFIX ("#/$defs/") points into
        self.rng = random.Random(seed)
        self.seeded = seed is not None
        self.context: dict[str, Any] = {}

    # -- small realistic pieces ----------------------------------------------------------

    def now(self) -> int:
        """Seconds since the epoch (fixed for a seeded faker, so answers repeat)."""
        return 1_767_225_600 if self.seeded else int(time.time())  # 2026-01-01 when seeded

    def token(self, n: int = 24) -> str:
        """A random string of letters and digits."""
        return "".join(self.rng.choices(string.ascii_letters + string.digits, k=n))

    def new_id(self, prefix: str) -> str:
        """A fresh id with an API-style prefix (``file-``, ``resp_``...)."""
        return prefix + self.token()

    def sentence(self) -> str:
        """A plausible line of text."""
        return self.rng.choice(SENTENCES)

    # -- values from schemas -------------------------------------------------------------

    def resolve(self, schema: Any) -> dict:
        """Follow a schema's ``$ref``s to the component schema they name (``{}`` if none)."""
        schema = self.refs.resolve(schema)
        return schema if isinstance(schema, dict) else {}

    def value(self, schema: Any, field: str = "", depth: int = 0, kind: str | None = None) -> Any:
        """A value valid for ``schema``; ``field`` is the property name it is for (a hint).

        Raises ``ValueError`` for a schema no value satisfies (see the module docstring).
        """
        if depth > _MAX_DEPTH:
            raise ValueError(f"the schema nests deeper than {_MAX_DEPTH} levels with no way to stop (a required cycle)")
        schema = self.resolve(schema)
        if schema.get(FILE):
            return "mock-file-content"
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return self._choose(schema["enum"], field)
        if "allOf" in schema:
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            return self.value(self._merge([rest, *schema["allOf"]]), field, depth, kind)
        alternatives = schema.get("anyOf") or schema.get("oneOf")  # oneOf: in schemas a caller wrote
        if alternatives:
            alt = self._pick_alternative(alternatives, field, depth)
            rest = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf", "discriminator")}
            if rest.get("properties") or rest.get("required") or rest.get("type") == "object":
                # Properties beside the alternatives: the alternative only adds constraints.
                return self.value(self._merge([rest, alt]), field, depth, kind)
            return self.value(alt, field, depth, kind)
        types = schema.get("type")
        types = [types] if isinstance(types, str) else list(types or [])
        kind_of = next((t for t in types if t != "null"), None)
        if kind_of is None:
            if "properties" in schema:
                kind_of = "object"
            elif "items" in schema:
                kind_of = "array"
            elif types == ["null"]:
                return None
            else:
                return self.sentence() if field in ("text", "content") else {}
        return getattr(self, "_" + kind_of, self._string)(schema, field, depth, kind)

    def _merge(self, parts: list) -> dict:
        """One schema that means all of ``parts`` (objects: properties and required united)."""
        merged: dict[str, Any] = {}
        props: dict[str, Any] = {}
        required: list[str] = []
        answer_required: list[str] = []
        for part in parts:
            part = self.resolve(part)
            if "allOf" in part:
                part = {**self._merge(part["allOf"]), **{k: v for k, v in part.items() if k != "allOf"}}
            for key, value in part.items():
                if key == "properties":
                    props.update(value)
                elif key == "required":
                    required += [r for r in value if r not in required]
                elif key == ANSWER_REQUIRED:
                    answer_required += [r for r in value if r not in answer_required]
                elif key not in merged:
                    merged[key] = value
        if props:
            merged["properties"] = props
        if required:
            merged["required"] = required
        if answer_required:
            merged[ANSWER_REQUIRED] = [*required, *(r for r in answer_required if r not in required)]
        return merged

    def _choose(self, options: list, field: str) -> Any:
        usable = [o for o in options if o is not None]
        for preferred in _PREFERRED.get(field, ()):
            if preferred in usable:
                return preferred
        return usable[0] if usable else None

    def _pick_alternative(self, alternatives: list, field: str, depth: int = 0) -> Any:
        scored = []
        deep = depth >= _DEEP
        for i, alt in enumerate(alternatives):
            resolved = self.resolve(alt)
            kind = resolved.get("type")
            if kind == "null" or resolved == {"type": "null"}:
                if deep:  # deep in a recursive schema: null ends the recursion
                    return alt
                continue
            if deep:  # else the alternative least likely to nest further
                score = 2 if kind == "object" or "properties" in resolved else 1 if kind == "array" else 0
            else:  # prefer plain, common shapes: strings for text fields, objects otherwise
                score = 0 if (field in ("content", "text", "input", "instructions") and kind == "string") else 1
            scored.append((score, i, alt))
        if not scored:
            return alternatives[0]
        return min(scored, key=lambda s: s[:2])[2]

    def _object(self, schema: dict, field: str, depth: int, kind: str | None) -> dict:
        props = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        out: dict[str, Any] = {}
        own_kind = None
        obj = props.get("object")
        if obj is not None:
            resolved = self.resolve(obj)
            own_kind = resolved.get("const") or (resolved.get("enum") or [None])[0]
        # Fields an answer must carry although a request may leave them out (they may be null).
        answer_only = set(schema.get(ANSWER_REQUIRED) or ()) - required
        for name, sub in props.items():
            if name in answer_only and depth >= 2:
                out[name] = (
                    None if _may_be_null(self.resolve(sub)) else self.value(sub, name, depth + 1, own_kind or kind)
                )
                continue
            if name not in required and depth >= 2:
                continue
            out[name] = self.value(sub, name, depth + 1, own_kind or kind)
        if "id" in out and isinstance(out["id"], str) and own_kind in ID_PREFIXES:
            out["id"] = self.new_id(ID_PREFIXES[own_kind])
        if isinstance(out.get("data"), list) and out.get("object") == "mock object":
            out["object"] = "list"
        _add_up(out)
        return out

    def _array(self, schema: dict, field: str, depth: int, kind: str | None) -> list:
        count = max(int(schema.get("minItems") or 0), 1 if depth < 4 else 0)
        count = min(count, int(schema.get("maxItems", count)))
        item = schema.get("items") or {}
        return [self.value(item, field, depth + 1, kind) for _ in range(count)]

    def _string(self, schema: dict, field: str, depth: int, kind: str | None) -> str:
        fmt = schema.get("format")
        low, high = int(schema.get("minLength") or 0), schema.get("maxLength")
        high = int(high) if isinstance(high, (int, float)) and not isinstance(high, bool) else None
        made = _FORMATS.get(fmt) if isinstance(fmt, str) else None
        if made is not None:
            text = made(self, field)  # a format's shape wins over lengths: it must parse
        else:
            text = self._plain_string(field, kind, fmt)
            if len(text) < low:
                text += "x" * (low - len(text))
            if high is not None:
                text = text[:high]
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and not _pattern_matches(pattern, text):
            text = self.matching(pattern, low, high)
        return text

    def _plain_string(self, field: str, kind: str | None, fmt: Any) -> str:
        """A realistic text for a field with no known format: by the field's name."""
        if field == "id":
            return self.new_id(ID_PREFIXES.get(kind or "", "id_"))
        if field in FIELD_PREFIXES:
            return self.context.get(field) or self.new_id(FIELD_PREFIXES[field])
        if field == "model":
            return self.context.get("model") or "gpt-4o-mini"
        if fmt == "url" or field.endswith("url"):
            return f"https://files.mock.invalid/{self.token(12)}"
        if field in ("email",):
            return "user@example.com"
        if field == "name":
            return "mock-" + self.token(6).lower()
        if field in _WORDS:
            return _WORDS[field]
        if field == "object":
            return kind or "object"
        return self.sentence()

    def matching(self, pattern: str, min_length: int = 0, max_length: int | None = None) -> str:
        """A string in which the regular expression ``pattern`` finds a match (JSON Schema's
        ``pattern``), of ``min_length`` to ``max_length`` characters.

        Strings are made from the expression itself (literals, classes, groups, alternatives,
        repeats, back-references), varying the choices over a bounded number of tries, then a
        bounded search over short strings; each candidate is checked with the validator's
        regex engine.  Raises ``ValueError`` when no string is found.
        """
        tree = _parse_pattern(pattern)
        if tree is not None:
            for attempt in range(_PATTERN_TRIES):
                text = _PatternMaker(self.rng, attempt).make(tree)
                if len(text) < min_length and not _ends_anchored(tree):
                    text += "x" * (min_length - len(text))  # an unanchored match may sit in a longer text
                if _fits_length(text, min_length, max_length) and _pattern_matches(pattern, text):
                    return text
        for text in _short_strings(min_length, max_length):
            if _pattern_matches(pattern, text):
                return text
        raise ValueError(f"no string of the allowed length matches the pattern {pattern!r}")

    def _integer(self, schema: dict, field: str, depth: int, kind: str | None) -> int:
        if field in (
            "created",
            "created_at",
            "updated_at",
            "completed_at",
            "started_at",
            "in_progress_at",
            "finalizing_at",
            "finished_at",
            "last_active_at",
            "accepted_at",
            "added_at",
        ):
            value = self.now()
        elif field in ("expires_at",):
            value = self.now() + 3600
        elif field.endswith("_tokens") or field.endswith("tokens"):
            value = 10
        elif field in ("bytes", "size", "usage_bytes"):
            value = 1024
        elif field in (
            "index",
            "output_index",
            "content_index",
            "sequence_number",
            "in_progress",
            "failed",
            "cancelled",
            "cancelling",
            "expired",
        ):
            value = 0  # counters of unfinished or failed work: none, so that pollers finish
        else:
            value = 1
        return int(_in_range(schema, value, integer=True))

    def _number(self, schema: dict, field: str, depth: int, kind: str | None) -> float:
        return float(_in_range(schema, 0.5, integer=False))

    def _boolean(self, schema: dict, field: str, depth: int, kind: str | None) -> bool:
        return False

    def _null(self, schema: dict, field: str, depth: int, kind: str | None) -> None:
        return None

    @staticmethod
    def _bounded(schema: dict, value: float) -> float:
        """``value`` moved within the schema's numeric bounds (kept for callers; see ``_in_range``)."""
        return _in_range(schema, value, integer=isinstance(value, int))


def _add_up(out: dict[str, Any]) -> None:
    """Token counts that add up, as in the API's usage objects."""
    for a, b in (("prompt_tokens", "completion_tokens"), ("input_tokens", "output_tokens")):
        if isinstance(out.get(a), int) and isinstance(out.get(b), int) and isinstance(out.get("total_tokens"), int):
            out["total_tokens"] = out[a] + out[b]


# -- numbers ----------------------------------------------------------------------------------


def _number_keyword(schema: dict, key: str) -> float | None:
    value = schema.get(key)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _in_range(schema: dict, value: float, integer: bool) -> float:
    """``value`` if the schema's bounds and ``multipleOf`` allow it, else the allowed number
    nearest to it (an integer when ``integer``); ``ValueError`` when there is none."""
    low, high = _number_keyword(schema, "minimum"), _number_keyword(schema, "maximum")
    low_x, high_x = _number_keyword(schema, "exclusiveMinimum"), _number_keyword(schema, "exclusiveMaximum")
    step = _number_keyword(schema, "multipleOf")
    step = step if step and step > 0 else None

    def fits(v: float) -> bool:
        if (low is not None and v < low) or (high is not None and v > high):
            return False
        if (low_x is not None and v <= low_x) or (high_x is not None and v >= high_x):
            return False
        if step is not None:
            ratio = v / step
            return abs(ratio - round(ratio)) < 1e-9
        return True

    if fits(value):
        return value
    floor = max((b for b in (low, low_x) if b is not None), default=None)
    ceiling = min((b for b in (high, high_x) if b is not None), default=None)
    candidates = [value]
    if floor is not None:
        candidates += [floor, floor + 1, floor + 0.5]
    if ceiling is not None:
        candidates += [ceiling, ceiling - 1, ceiling - 0.5]
    if floor is not None and ceiling is not None:
        candidates += [(floor + ceiling) / 2, floor + (ceiling - floor) / 4]
    for candidate in sorted(candidates, key=lambda c: abs(c - value)):
        for near in _near(candidate, step, integer):
            if fits(near):
                return near
    raise ValueError(f"no {'integer' if integer else 'number'} fits the bounds of {schema}")


def _near(value: float, step: float | None, integer: bool) -> list[float]:
    """Numbers next to ``value``: on the grid of ``step`` when there is one, whole when ``integer``."""
    if step is not None:
        k = value / step
        out = []
        for n in (math.ceil(k), math.floor(k), math.ceil(k) + 1, math.floor(k) - 1):
            v = n * step
            v = round(v) if integer or float(v).is_integer() else round(v, _decimals(step))
            out.append(v)
        return out
    if integer:
        return [math.ceil(value), math.floor(value), math.ceil(value) + 1, math.floor(value) - 1]
    return [value]


def _decimals(step: float) -> int:
    """The decimal places of a step (0.25: 2), so that its multiples print as people write them
    (0.1 * 3 is 0.30000000000000004 in binary floating point)."""
    text = repr(float(step))
    if "e" in text or "E" in text:
        return 15
    return len(text.partition(".")[2])


# -- strings: formats ---------------------------------------------------------------------------


def _uuid(fake: Faker, field: str) -> str:
    return str(uuid.UUID(int=fake.rng.getrandbits(128), version=4))


def _date_time(fake: Faker, field: str) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(fake.now()))


def _date(fake: Faker, field: str) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(fake.now()))


def _time(fake: Faker, field: str) -> str:
    return time.strftime("%H:%M:%SZ", time.gmtime(fake.now()))  # RFC 3339 full-time: with an offset


def _duration(fake: Faker, field: str) -> str:
    return f"PT{fake.rng.randint(1, 23)}H{fake.rng.randint(1, 59)}M"


def _email(fake: Faker, field: str) -> str:
    return f"user{fake.rng.randint(1, 999)}@example.com"


def _uri(fake: Faker, field: str) -> str:
    return f"https://files.mock.invalid/{fake.token(12)}"


def _ipv4(fake: Faker, field: str) -> str:
    return f"192.0.2.{fake.rng.randint(1, 254)}"  # TEST-NET-1: documentation addresses


def _ipv6(fake: Faker, field: str) -> str:
    return f"2001:db8::{fake.rng.randint(1, 0xFFFF):x}"  # the documentation prefix


def _hostname(fake: Faker, field: str) -> str:
    return f"host-{fake.token(6).lower()}.example.com"


_FORMATS = {
    "uuid": _uuid,
    "date-time": _date_time,
    "date": _date,
    "time": _time,
    "duration": _duration,
    "email": _email,
    "idn-email": _email,
    "uri": _uri,
    "iri": _uri,
    "uri-reference": _uri,
    "iri-reference": _uri,
    "ipv4": _ipv4,
    "ipv6": _ipv6,
    "hostname": _hostname,
    "idn-hostname": _hostname,
}

# -- strings: patterns --------------------------------------------------------------------------

_MAX_DEPTH = 64  # nesting beyond which a schema cannot be finished (a required cycle)
_DEEP = 6  # from this nesting on, alternatives that end recursion are preferred
_PATTERN_TRIES = 48
_PATTERN_CHECKS: dict[str, Any] = {}
_PATTERN_TREES: dict[str, Any] = {}
# Characters tried for classes, most readable first.
_POOL = string.ascii_lowercase + string.digits + string.ascii_uppercase + "_-. @:/+=!#$%&*,;?~()[]{}<>|^'\"\t\n"


def _pattern_matches(pattern: str, text: str) -> bool:
    """Whether JSON Schema's ``pattern`` accepts ``text``, by the validator's regex engine (ECMA
    262 semantics, which differ from Python's ``re`` in places)."""
    check = _PATTERN_CHECKS.get(pattern)
    if check is None:
        import jsonschema_rs

        try:
            check = jsonschema_rs.validator_for({"type": "string", "pattern": pattern}).is_valid
        except Exception:  # a pattern the validator cannot compile: Python's reading of it
            import re

            try:
                compiled = re.compile(pattern)
            except re.error:
                raise ValueError(f"the pattern {pattern!r} is not a regular expression") from None
            check = lambda s: compiled.search(s) is not None  # noqa: E731
        if len(_PATTERN_CHECKS) > 512:
            _PATTERN_CHECKS.clear()
        _PATTERN_CHECKS[pattern] = check
    return bool(check(text))


def _parse_pattern(pattern: str) -> Any:
    """The parsed form of a pattern (Python's regex parser), or None when it cannot read it."""
    if pattern in _PATTERN_TREES:
        return _PATTERN_TREES[pattern]
    try:
        from re import _parser as sre_parse  # type: ignore[attr-defined]
    except ImportError:  # Python 3.10
        import sre_parse  # type: ignore[no-redef]
    import re

    try:  # ECMA's named groups, (?<name>...), are written (?P<name>...) in Python
        tree = sre_parse.parse(re.sub(r"\(\?<(?=[A-Za-z_])", "(?P<", pattern))
    except (re.error, OverflowError, RecursionError):
        tree = None
    _PATTERN_TREES[pattern] = tree
    return tree


def _ends_anchored(tree: Any) -> bool:
    items = list(tree)
    return bool(items) and str(items[-1][0]) == "AT" and str(items[-1][1]) in ("AT_END", "AT_END_STRING")


def _fits_length(text: str, low: int, high: int | None) -> bool:
    return len(text) >= low and (high is None or len(text) <= high)


def _short_strings(low: int, high: int | None) -> Any:
    """The bounded search: short strings of a few characters, then of common repeated ones."""
    alphabet = "a0A_-. "
    top = min(high if high is not None else 4, 4)
    count = 0
    for size in range(low, max(low, top) + 1):
        if size > 4:
            break
        for n in range(len(alphabet) ** size):
            text = "".join(alphabet[(n // len(alphabet) ** i) % len(alphabet)] for i in range(size))
            count += 1
            if count > 3000:
                return
            yield text
    for ch in "a0A_-x":
        for size in (low, low + 1, 8, 16, 32, 64):
            if _fits_length(ch * size, low, high):
                yield ch * size


class _PatternMaker:
    """Makes one string from a parsed regular expression; ``attempt`` varies the choices
    (how many repeats, which alternative, which character) from try to try."""

    def __init__(self, rng: random.Random, attempt: int) -> None:
        self.rng = rng
        self.attempt = attempt
        self.groups: dict[int, str] = {}

    def make(self, tree: Any) -> str:
        return "".join(self._node(op, arg) for op, arg in tree)

    def _node(self, op: Any, arg: Any) -> str:
        name = str(op)
        if name == "LITERAL":
            return chr(arg)
        if name == "NOT_LITERAL":
            return next(c for c in _POOL if ord(c) != arg)
        if name == "ANY":
            return self.rng.choice(string.ascii_lowercase)
        if name == "IN":
            return self._in(arg)
        if name == "BRANCH":
            branches = arg[1]
            return self.make(branches[self.rng.randrange(len(branches))])
        if name == "SUBPATTERN":
            group, body = arg[0], arg[-1]
            text = self.make(body)
            if group is not None:
                self.groups[group] = text
            return text
        if name == "ATOMIC_GROUP":
            return self.make(arg)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, body = arg
            return "".join(self.make(body) for _ in range(self._count(low, high)))
        if name == "GROUPREF":
            return self.groups.get(arg, "")
        if name == "GROUPREF_EXISTS":
            group, yes, no = arg
            return self.make(yes) if group in self.groups else (self.make(no) if no else "")
        return ""  # anchors and look-arounds add no characters (the check catches the rest)

    def _count(self, low: int, high: int) -> int:
        spread = 1 + self.attempt // 4 * 4  # later tries make longer repeats
        top = low + spread if high >= 1 << 16 else min(high, low + spread)  # MAXREPEAT: open-ended
        return low if self.attempt == 0 else self.rng.randint(low, max(low, top))

    def _in(self, items: list) -> str:
        negate = any(str(op) == "NEGATE" for op, _ in items)
        if not negate:
            choices: list[str] = []
            for op, arg in items:
                kind = str(op)
                if kind == "LITERAL":
                    choices.append(chr(arg))
                elif kind == "RANGE":
                    first, last = arg
                    choices.extend(chr(c) for c in range(first, min(last, first + 63) + 1))
                elif kind == "CATEGORY":
                    choices.extend(c for c in _POOL if _in_category(str(arg), c))
            if choices:
                return self.rng.choice(choices)
        allowed = [c for c in _POOL[:62] if _class_accepts(items, c)] or [c for c in _POOL if _class_accepts(items, c)]
        return self.rng.choice(allowed) if allowed else ""


def _in_category(category: str, ch: str) -> bool:
    base = category.replace("CATEGORY_UNI_", "CATEGORY_").replace("CATEGORY_LOC_", "CATEGORY_")
    tests = {
        "CATEGORY_DIGIT": ch.isdigit(),
        "CATEGORY_NOT_DIGIT": not ch.isdigit(),
        "CATEGORY_SPACE": ch.isspace(),
        "CATEGORY_NOT_SPACE": not ch.isspace(),
        "CATEGORY_WORD": ch.isalnum() or ch == "_",
        "CATEGORY_NOT_WORD": not (ch.isalnum() or ch == "_"),
        "CATEGORY_LINEBREAK": ch == "\n",
        "CATEGORY_NOT_LINEBREAK": ch != "\n",
    }
    return tests.get(base, False)


def _class_accepts(items: list, ch: str) -> bool:
    """Whether a parsed character class (``[...]``, ``[^...]``, ``\\d``...) accepts ``ch``."""
    hit = False
    negate = False
    for op, arg in items:
        kind = str(op)
        if kind == "NEGATE":
            negate = True
        elif kind == "LITERAL":
            hit = hit or ord(ch) == arg
        elif kind == "RANGE":
            hit = hit or arg[0] <= ord(ch) <= arg[1]
        elif kind == "CATEGORY":
            hit = hit or _in_category(str(arg), ch)
    return hit != negate
