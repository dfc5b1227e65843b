"""Realistic values from schemas: what the mock server answers with, and the docs' examples.

``Faker.value(schema)`` returns a value that validates against a normalised schema (see
``spec/_schemas``) and looks like the API's: ids with the prefix of their object kind
(``chatcmpl-``, ``file-``, ``resp_``...), current timestamps, the requested model, plausible
text, token counts that add up.  Everything random comes from one ``random.Random``, so a
seed makes the answers repeatable.
"""

from __future__ import annotations

import random
import string
import time
from typing import Any

from .._validation import FILE
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
        """A value valid for ``schema``; ``field`` is the property name it is for (a hint)."""
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
        if "anyOf" in schema:
            alt = self._pick_alternative(schema["anyOf"], field)
            rest = {k: v for k, v in schema.items() if k not in ("anyOf", "discriminator")}
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
        for part in parts:
            part = self.resolve(part)
            if "allOf" in part:
                part = {**self._merge(part["allOf"]), **{k: v for k, v in part.items() if k != "allOf"}}
            for key, value in part.items():
                if key == "properties":
                    props.update(value)
                elif key == "required":
                    required += [r for r in value if r not in required]
                elif key not in merged:
                    merged[key] = value
        if props:
            merged["properties"] = props
        if required:
            merged["required"] = required
        return merged

    def _choose(self, options: list, field: str) -> Any:
        usable = [o for o in options if o is not None]
        for preferred in _PREFERRED.get(field, ()):
            if preferred in usable:
                return preferred
        return usable[0] if usable else None

    def _pick_alternative(self, alternatives: list, field: str) -> Any:
        scored = []
        for i, alt in enumerate(alternatives):
            resolved = self.resolve(alt)
            kind = resolved.get("type")
            if kind == "null" or resolved == {"type": "null"}:
                continue
            # Prefer plain, common shapes: strings for text fields, objects otherwise.
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
        for name, sub in props.items():
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
        if field == "id":
            return self.new_id(ID_PREFIXES.get(kind or "", "id_"))
        if field in FIELD_PREFIXES:
            return self.context.get(field) or self.new_id(FIELD_PREFIXES[field])
        if field == "model":
            return self.context.get("model") or "gpt-4o-mini"
        if fmt == "date-time":
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.now()))
        if fmt in ("uri", "url") or field.endswith("url"):
            return f"https://files.mock.invalid/{self.token(12)}"
        if field in ("email",):
            return "user@example.com"
        if field == "name":
            text = "mock-" + self.token(6).lower()
        elif field in _WORDS:
            text = _WORDS[field]
        elif field == "object":
            text = kind or "object"
        else:
            text = self.sentence()
        low, high = int(schema.get("minLength") or 0), schema.get("maxLength")
        if len(text) < low:
            text += "x" * (low - len(text))
        if high is not None:
            text = text[: int(high)]
        return text

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
        return int(self._bounded(schema, value))

    def _number(self, schema: dict, field: str, depth: int, kind: str | None) -> float:
        return float(self._bounded(schema, 0.5))

    def _boolean(self, schema: dict, field: str, depth: int, kind: str | None) -> bool:
        return False

    def _null(self, schema: dict, field: str, depth: int, kind: str | None) -> None:
        return None

    @staticmethod
    def _bounded(schema: dict, value: float) -> float:
        if "minimum" in schema:
            value = max(value, schema["minimum"])
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            value = schema["exclusiveMinimum"] + 1
        if "maximum" in schema:
            value = min(value, schema["maximum"])
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            value = schema["exclusiveMaximum"] - 1
        return value


def _add_up(out: dict[str, Any]) -> None:
    """Token counts that add up, as in the API's usage objects."""
    for a, b in (("prompt_tokens", "completion_tokens"), ("input_tokens", "output_tokens")):
        if isinstance(out.get(a), int) and isinstance(out.get(b), int) and isinstance(out.get("total_tokens"), int):
            out["total_tokens"] = out[a] + out[b]
