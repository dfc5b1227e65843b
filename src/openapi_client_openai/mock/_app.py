"""The mock server's ASGI app: routing by the spec, auth, request validation, answers, state.

``MockApp`` serves every operation of a spec under ``/v1``.  A request goes: route (method and
path template, the spec's own query such as ``?beta=true``), auth (a ``Bearer`` key), body
(JSON, multipart with form text turned into the schema's types, or raw), validation with the
project's validator (a 400 in OpenAI's error shape), then the answer: a family handler
(``_families``) or, for everything else, a value made from the response schema, kept in a
store so that what is created can be retrieved, listed, updated and deleted.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import OrderedDict
from typing import Any

from .._validation import Explainer
from ..docs._fake import Faker
from ..spec import load_index
from ._families import HANDLERS, KEEPS, SHAPED, STREAMS

__all__ = ["FAULTS", "InjectedFault", "MockApp", "create_app"]

_JSON = "application/json"


def _error(
    status: int, message: str, kind: str = "invalid_request_error", param: str | None = None, code: str | None = None
) -> tuple[int, dict]:
    return status, {"error": {"message": message, "type": kind, "param": param, "code": code}}


class _Route:
    __slots__ = ("literal", "names", "op", "regex", "static")

    def __init__(self, op: Any) -> None:
        self.op = op
        parts = re.split(r"(\{[^}]+\})", op.path)
        pattern = "".join(f"(?P<p{i}>[^/]+)" if p.startswith("{") else re.escape(p) for i, p in enumerate(parts))
        self.regex = re.compile(pattern + "$")
        self.names = {f"p{i}": p[1:-1] for i, p in enumerate(parts) if p.startswith("{")}
        self.static = dict(q.split("=", 1) for q in op.static_query.split("&")) if op.static_query else {}
        self.literal = sum(len(p) for p in parts if not p.startswith("{"))


class MockApp:
    """An ASGI app answering the spec's operations like the API does (see the module docstring)."""

    def __init__(
        self,
        spec: Any = None,
        lenient_ids: bool = False,
        stream_delay_ms: float = 0.0,
        seed: int | None = None,
        first_event_delay_ms: float = 0.0,
        faults: dict[str, float] | None = None,
    ) -> None:
        self.index = load_index(spec)
        self.schemas = self.index.schemas()
        self.faker = Faker(self.schemas["defs"], seed)
        self.lenient_ids = lenient_ids
        self.stream_delay = stream_delay_ms / 1000.0
        self.first_delay = first_event_delay_ms / 1000.0
        unknown = set(faults or {}) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown fault {sorted(unknown)[0]!r}: use one of {', '.join(FAULTS)}")
        self.faults = dict(faults or {})
        import random

        self.fault_rng = random.Random(seed)
        self.store: dict[str, OrderedDict[str, dict]] = {}
        self.files: dict[str, bytes] = {}
        self.parts: dict[str, tuple[str, bytes]] = {}  # upload part id -> (upload id, bytes)
        routes = [_Route(self.index.operation(op_id)) for op_id in self.index.operation_ids]
        self.routes: dict[str, list[_Route]] = {}
        for route in sorted(routes, key=lambda r: (-r.literal, -len(r.static))):
            self.routes.setdefault(route.op.method, []).append(route)

    # -- ASGI ---------------------------------------------------------------------------

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        from starlette.requests import Request

        request = Request(scope, receive)
        response = await self.handle(request)
        await response(scope, receive, send)

    async def handle(self, request: Any) -> Any:
        """Answer one request (a Starlette ``Request``) with a Starlette response."""
        from starlette.responses import JSONResponse

        path = request.url.path
        if not path.startswith("/v1/") and path != "/v1":
            return JSONResponse(
                _error(404, f"Unknown path {path}: the mock serves the API under /v1")[1], 404, headers=self._headers()
            )
        found = self.route(request.method, path[3:], request.query_params)
        if found is None:
            status, body = _error(404, f"Invalid URL ({request.method} {path})")
            return JSONResponse(body, status, headers=self._headers())
        route, path_params = found
        op = route.op
        if op.needs_key:
            auth = request.headers.get("authorization", "")
            if not auth.startswith("Bearer ") or not auth[7:].strip():
                status, body = _error(
                    401,
                    "You didn't provide an API key. You need to provide your API key in an "
                    "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                )
                return JSONResponse(body, status, headers=self._headers())
        fault = self._fault(request)
        if fault == "unknown":
            status, err = _error(400, f"x-mock-fault must be one of {', '.join(FAULTS)}", param="x-mock-fault")
            return JSONResponse(err, status, headers=self._headers())
        if fault in ("429", "500", "503"):
            return self._fault_answer(fault, request)
        try:
            body = await self.read_body(request, op)
        except ValueError as exc:
            status, err = _error(400, str(exc))
            return JSONResponse(err, status, headers=self._headers())
        params = {**dict(request.query_params), **path_params}
        for prm in op.params:  # query arrays arrive as name[]=...
            if prm.location == "query" and prm.kind == "array":
                values = request.query_params.getlist(prm.wire)
                if values:
                    params[prm.kwarg] = values
        params = {self._kwarg(op, k): v for k, v in params.items()}
        problems = self.index.validator(op.id).check(body, params)
        if problems:
            first = problems[0]
            param = first.location.split(": ", 1)[-1] if first.location != "body" else None
            message = "; ".join(str(p) for p in problems)
            status, err = _error(400, f"Invalid request: {message}", param=param)
            return JSONResponse(err, status, headers=self._headers())
        try:
            answer = await self.answer(op, route, body, path_params, request)
        except _NotFound as exc:
            status, err = _error(404, str(exc))
            return JSONResponse(err, status, headers=self._headers())
        except _BadRequest as exc:
            status, err = _error(400, str(exc), param=exc.param)
            return JSONResponse(err, status, headers=self._headers())
        except Exception as exc:
            status, err = _error(500, f"the mock failed: {type(exc).__name__}: {exc}", kind="server_error")
            return JSONResponse(err, status, headers=self._headers())
        if fault is not None:
            answer = await _broken(answer, fault, request.headers)
        return answer

    def _fault(self, request: Any) -> str | None:
        """The fault to inject: asked for by the `x-mock-fault` header, or drawn at the set rates."""
        asked = request.headers.get("x-mock-fault")
        if asked:
            return asked if asked in FAULTS else "unknown"
        for kind, rate in self.faults.items():
            if self.fault_rng.random() < rate:
                return kind
        return None

    def _fault_answer(self, fault: str, request: Any) -> Any:
        from starlette.responses import JSONResponse

        headers = self._headers()
        if fault == "429":
            wait = request.headers.get("x-mock-retry-after", "0.2")
            headers.update(
                {"retry-after": wait, "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": f"{wait}s"}
            )
            status, err = _error(
                429,
                "Rate limit reached for requests (a fault the mock was asked for).",
                kind="requests",
                code="rate_limit_exceeded",
            )
        else:
            status, err = _error(
                int(fault),
                "The server had an error while processing your request (a fault the mock was asked for).",
                kind="server_error",
            )
        return JSONResponse(err, status, headers=headers)

    @staticmethod
    def _kwarg(op: Any, name: str) -> str:
        prm = op.by_kwarg.get(name) or op.by_kwarg.get(name[:-2] if name.endswith("[]") else name)
        return prm.kwarg if prm is not None else name

    def route(self, method: str, path: str, query: Any) -> tuple[_Route, dict[str, str]] | None:
        """The operation a method and path (after ``/v1``) name, with its path parameters."""
        fallback = None
        for route in self.routes.get(method, ()):
            match = route.regex.match(path)
            if match is None:
                continue
            params = {route.names[k]: v for k, v in match.groupdict().items()}
            if route.static:
                if all(query.get(k) == v for k, v in route.static.items()):
                    return route, params
                continue
            if fallback is None:
                fallback = (route, params)
        return fallback

    async def read_body(self, request: Any, op: Any) -> Any:
        """The request body as the client meant it: JSON, a form with typed fields, or text."""
        raw = await request.body()
        ctype = request.headers.get("content-type", "")
        if not raw and not ctype.startswith("multipart/"):
            return None
        if ctype.startswith(_JSON):
            try:
                return json.loads(raw)
            except ValueError as exc:
                raise ValueError(f"We could not parse the JSON body of your request: {exc}") from None
        if ctype.startswith("multipart/form-data"):
            try:
                form = await request.form()
            except Exception as exc:  # starlette's MultiPartException and friends
                raise ValueError(f"We could not parse the multipart body of your request: {exc}") from None
            return await _typed_form(form, self._form_schema(op))
        return raw.decode("utf-8", "replace")

    def _form_schema(self, op: Any) -> dict:
        schema = (self.schemas["ops"].get(op.id) or {}).get("body", {}).get("multipart/form-data") or {}
        explainer = Explainer(self.schemas["defs"], "")
        root = explainer.resolve(schema)
        props: dict[str, Any] = {}
        for part in [root, *(explainer.resolve(p) for p in root.get("allOf") or ())]:
            props.update(part.get("properties") or {})
        return {name: explainer.types(sub) for name, sub in props.items()}

    # -- answers ------------------------------------------------------------------------

    async def answer(self, op: Any, route: _Route, body: Any, path_params: dict, request: Any) -> Any:
        from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse

        fake = self.faker
        body_map = body if isinstance(body, dict) else {}
        fake.context = {k: v for k, v in path_params.items() if isinstance(v, str)}
        if isinstance(body_map.get("model"), str):
            fake.context["model"] = body_map["model"]
        responses = (self.schemas["ops"].get(op.id) or {}).get("responses") or {}
        status = next((int(s) for s in responses if s.startswith("2")), 200)
        kinds = responses.get(str(status)) or {}
        self._check_parents(route, path_params)  # /threads/{thread_id}/runs: the thread must exist
        if op.id == "retrieveModel":
            return JSONResponse(self._model(path_params["model"]), status, headers=self._headers())
        if op.id == "createThreadAndRun":
            fake.context["thread_id"] = self._new_thread(body_map.get("thread") or {})["id"]
        wants_stream = body_map.get("stream") in (True, "true") or body_map.get("stream_format") == "sse"
        if wants_stream and op.id in STREAMS:
            kept: list[dict] = []
            args = (fake, body_map, self._shape(kinds)) if op.id in SHAPED else (fake, body_map)
            keep = {"keep": kept.append} if op.id in KEEPS else {}
            # Made now, not as the stream is sent: the request's context is this request's.
            events = list(STREAMS[op.id](*args, **keep))
            for final in kept:
                self._store_final(op, route, path_params, body_map, final)
            return StreamingResponse(self._paced(events), media_type="text/event-stream", headers=self._headers())
        if op.id in HANDLERS:
            result = HANDLERS[op.id](fake, body_map)
            if isinstance(result, tuple):  # (bytes, content type): audio
                return Response(result[0], media_type=result[1], headers=self._headers())
            if isinstance(result, str):
                return PlainTextResponse(result, headers=self._headers())
            if op.id == "createChatCompletion":
                self._store_final(op, route, path_params, body_map, result)
            return JSONResponse(result, status, headers=self._headers())
        if op.id in ("addUploadPart", "completeUpload"):
            result = self._upload(op.id, route, body_map, path_params, kinds)
            return JSONResponse(result, status, headers=self._headers())
        if op.id in SHAPED:
            result = SHAPED[op.id](fake, body_map, self._shape(kinds))
            self._store_final(op, route, path_params, body_map, result)
            return JSONResponse(result, status, headers=self._headers())
        if op.id == "downloadFile" or (_JSON not in kinds and kinds and not any(k.startswith("text/") for k in kinds)):
            content, ctype = self._download(op, route, path_params, kinds)
            return Response(content, media_type=ctype, headers=self._headers())
        if op.id == "createBatch" and body_map.get("input_file_id") not in self.files and not self.lenient_ids:
            raise _BadRequest(f"No such File object: {body_map.get('input_file_id')}", "input_file_id")
        result = self._generic(op, route, body_map, path_params, kinds, request)
        if op.id in ("createBatch", "retrieveBatch", "cancelBatch") and isinstance(result, dict):
            from . import _batches

            stored = self.store.get("/batches", {}).get(result.get("id"), result)
            step = {
                "createBatch": lambda b: _batches.start(self, b, body_map),
                "retrieveBatch": lambda b: _batches.advance(self, b),
                "cancelBatch": lambda b: _batches.cancel(self, b),
            }[op.id]
            result = step(stored)
        if result is None:
            return Response(b"", status, headers=self._headers())
        return JSONResponse(result, status, headers=self._headers())

    def _store_final(self, op: Any, route: _Route, path_params: dict, body: dict, final: dict) -> None:
        """Keep what a call made, where the API keeps it: stored chat completions, responses
        (unless ``store`` is false), runs under their thread."""
        if op.id == "createChatCompletion":
            if body.get("store"):
                self.store.setdefault("/chat/completions", OrderedDict())[final["id"]] = {
                    **final,
                    "metadata": body.get("metadata") or {},
                }
        elif op.id in ("createResponse", "beta_createResponse"):
            if body.get("store", True) is not False:
                self.store.setdefault("/responses", OrderedDict())[final["id"]] = final
        elif op.id in ("createRun", "createThreadAndRun", "submitToolOuputsToRun"):
            self.store.setdefault(f"/threads/{final['thread_id']}/runs", OrderedDict())[final["id"]] = final
        elif isinstance(final, dict) and "id" in final:
            self._remember(route, path_params, final)

    def _new_thread(self, spec: dict) -> dict:
        thread = self.faker.value({"$ref": "#/$defs/ThreadObject"})
        thread.update({"id": self.faker.new_id("thread_"), "created_at": self.faker.now()})
        if isinstance(spec.get("metadata"), dict):
            thread["metadata"] = spec["metadata"]
        self.store.setdefault("/threads", OrderedDict())[thread["id"]] = thread
        return thread

    def _model(self, model: str) -> dict:
        from ._families import MODELS

        if model not in MODELS and not model.startswith("ft:") and not self.lenient_ids:
            raise _NotFound(f"The model '{model}' does not exist or you do not have access to it.")
        return {"id": model, "object": "model", "created": self.faker.now(), "owned_by": "openai"}

    def answer_line(self, request: dict) -> tuple[int, Any]:
        """Answer one Batch API input line (``method``, ``url``, ``body``): (status, body)."""
        method = str(request.get("method", "POST")).upper()
        path = str(request.get("url", "")).split("?", 1)[0]
        path = path[3:] if path.startswith("/v1/") else path
        found = self.route(method, path, {})
        if found is None:
            return _error(404, f"Invalid URL ({method} {request.get('url')})")
        route, path_params = found
        body = request.get("body")
        problems = self.index.validator(route.op.id).check(body, dict(path_params))
        if problems:
            return _error(400, "Invalid request: " + "; ".join(str(p) for p in problems))
        body_map = body if isinstance(body, dict) else {}
        self.faker.context = {"model": body_map["model"]} if isinstance(body_map.get("model"), str) else {}
        if route.op.id in HANDLERS:
            result = HANDLERS[route.op.id](self.faker, body_map)
            if isinstance(result, (dict, list)):
                return 200, result
        responses = (self.schemas["ops"].get(route.op.id) or {}).get("responses") or {}
        kinds = responses.get("200") or {}
        if route.op.id in SHAPED:
            return 200, SHAPED[route.op.id](self.faker, body_map, self._shape(kinds))
        return 200, self._shape(kinds)

    def _upload(self, op_id: str, route: _Route, body: dict, path_params: dict, kinds: dict) -> dict:
        """The Uploads API: parts keep their bytes; completing joins them, in the given order,
        into a File (checking the md5 when one is given)."""
        upload_id = path_params["upload_id"]
        upload = self._lookup("/uploads", upload_id, {})
        value = self._shape(kinds)
        if op_id == "addUploadPart":
            data = body.get("data")
            content = data[1] if isinstance(data, tuple) else data if isinstance(data, bytes) else b""
            value.update(
                {
                    "id": self.faker.new_id("part_"),
                    "object": "upload.part",
                    "upload_id": upload_id,
                    "created_at": self.faker.now(),
                }
            )
            self.parts[value["id"]] = (upload_id, content)
            return value
        import hashlib

        order = body.get("part_ids") or []
        unknown = [p for p in order if self.parts.get(p, ("",))[0] != upload_id]
        if unknown and not self.lenient_ids:
            raise _BadRequest(f"Part {unknown[0]} is not a part of upload {upload_id}", "part_ids")
        order = [p for p in order if p not in unknown]
        content = b"".join(self.parts[p][1] for p in order)
        if not unknown and body.get("md5") and hashlib.md5(content).hexdigest() != body["md5"]:
            raise _BadRequest("The md5 checksum of the assembled file does not match the one given", "md5")
        if not unknown and upload.get("bytes") not in (None, len(content)):
            raise _BadRequest(
                f"The parts hold {len(content)} bytes, the upload was created for {upload['bytes']}", "part_ids"
            )
        file_id = self.faker.new_id("file-")
        self.files[file_id] = content
        file_obj = {
            "id": file_id,
            "object": "file",
            "bytes": len(content),
            "created_at": self.faker.now(),
            "filename": upload.get("filename", "upload"),
            "purpose": upload.get("purpose", "batch"),
            "status": "processed",
        }
        self.store.setdefault("/files", OrderedDict())[file_id] = file_obj
        upload.update({"status": "completed", "file": file_obj})
        return {**value, **upload}

    def _headers(self) -> dict[str, str]:
        return {
            "x-request-id": "req_" + self.faker.token(20),
            "x-ratelimit-limit-requests": "10000",
            "x-ratelimit-remaining-requests": "9999",
            "x-ratelimit-reset-requests": "6ms",
            "x-ratelimit-limit-tokens": "30000000",
            "x-ratelimit-remaining-tokens": "29999990",
            "x-ratelimit-reset-tokens": "0s",
            "openai-processing-ms": "1",
        }

    async def _paced(self, events: Any) -> Any:
        if self.first_delay:
            await asyncio.sleep(self.first_delay)
        if self.stream_delay:
            for event in events:
                yield event
                await asyncio.sleep(self.stream_delay)
            return
        # Unpaced, events go out in batches: the bytes a client reads are the same, and the
        # server's per-write cost no longer bounds the event rate (benchmarks/mock.py).
        batch: list[bytes] = []
        size = 0
        for event in events:
            batch.append(event)
            size += len(event)
            if size >= 16384:
                yield b"".join(batch)
                batch, size = [], 0
        if batch:
            yield b"".join(batch)

    def _shape(self, kinds: dict) -> dict:
        value = self.faker.value(kinds.get(_JSON) or {})
        return value if isinstance(value, dict) else {}

    # -- state --------------------------------------------------------------------------

    @staticmethod
    def _collection(route: _Route, path_params: dict) -> tuple[str, str | None]:
        """(collection key, item id) of a path: ``/files/{file_id}`` -> ("/files", "file-1")."""
        path = route.op.path
        filled = path
        for name, value in path_params.items():
            filled = filled.replace("{" + name + "}", value)
        if path.endswith("}"):
            last = path.rsplit("/", 1)[1][1:-1]
            return filled.rsplit("/", 1)[0], path_params.get(last)
        return filled, None

    def _lookup(self, key: str, item_id: str, kind_hint: dict) -> dict:
        items = self.store.get(key)
        if items is not None and item_id in items:
            return items[item_id]
        if not self.lenient_ids:
            raise _NotFound(f"No such object: '{item_id}' (at {key})")
        made = dict(kind_hint)
        made["id"] = item_id
        self.store.setdefault(key, OrderedDict())[item_id] = made
        return made

    def _remember(self, route: _Route, path_params: dict, result: Any) -> None:
        if isinstance(result, dict) and isinstance(result.get("id"), str):
            key, _ = self._collection(route, path_params)
            self.store.setdefault(key, OrderedDict())[result["id"]] = result

    def _check_parents(self, route: _Route, path_params: dict) -> None:
        """Every object a path goes through must exist (/vector_stores/{id}/files: the store)."""
        segments = route.op.path.split("/")
        for i, seg in enumerate(segments[:-1]):
            if seg.startswith("{"):
                parent = "/".join(segments[:i])
                for name, value in path_params.items():
                    parent = parent.replace("{" + name + "}", value)
                item = path_params.get(seg[1:-1])
                if item is not None and not (parent in self.store and item in self.store[parent]):
                    self._lookup(parent, item, self._made_up("/".join(segments[: i + 1])))

    def _made_up(self, template: str) -> dict:
        """For --lenient-ids: an object of the kind ``GET template`` answers with."""
        for route in self.routes.get("GET", ()):
            if route.op.path == template:
                kinds = (self.schemas["ops"].get(route.op.id) or {}).get("responses", {}).get("200") or {}
                return self._shape(kinds)
        return {}

    def _has_items(self, template: str) -> bool:
        """Whether a path template is a collection: some operation addresses ``template/{id}``."""
        prefix = template + "/{"
        return any(r.op.path.startswith(prefix) for routes in self.routes.values() for r in routes)

    def _generic(self, op: Any, route: _Route, body: dict, path_params: dict, kinds: dict, request: Any) -> Any:
        schema = kinds.get(_JSON)
        if schema is None:  # an answer without a body (a DELETE): the object must still exist
            key, item_id = self._collection(route, path_params)
            if item_id is not None:
                self._lookup(key, item_id, {})
                if op.method == "DELETE":
                    self.store.get(key, {}).pop(item_id, None)
            return None
        value = self.faker.value(schema)
        key, item_id = self._collection(route, path_params)
        method = op.method
        if route.op.path.endswith("}"):
            self._check_parents(route, path_params)
            if method == "GET":
                stored = self._lookup(key, item_id, value)
                return {**value, **stored} if isinstance(value, dict) else stored
            if method == "DELETE":
                self._lookup(key, item_id, value)
                self.store.get(key, {}).pop(item_id, None)
                if isinstance(value, dict):
                    value["id"] = item_id
                    if "deleted" in value:
                        value["deleted"] = True
                return value
            stored = self._lookup(key, item_id, value)  # POST/PUT/PATCH: modify
            for field, new in body.items():
                if field in stored and _echoable(field, stored[field], new):
                    stored[field] = new
            return {**value, **stored} if isinstance(value, dict) else stored
        self._check_parents(route, path_params)
        if method == "GET" and isinstance(value, dict) and isinstance(value.get("data"), list):
            return self._list(key, value, request)
        segments = route.op.path.split("/")
        if (
            method == "POST"
            and len(segments) > 2
            and segments[-2].startswith("{")
            and isinstance(value, dict)
            and not self._has_items(route.op.path)
        ):
            # An action on an object (/batches/{batch_id}/cancel), not a nested collection
            # (/vector_stores/{id}/files): it acts on the stored object.
            parent_key = key.rsplit("/", 2)[0]
            item = self._lookup(parent_key, path_params[segments[-2][1:-1]], self._made_up("/".join(segments[:-1])))
            same_kind = item.get("object") is not None and item.get("object") == value.get("object")
            verb = segments[-1]
            if same_kind and verb in _ACTIONS and "status" in item and op.id != "cancelBatch":
                changed = {**value, **item, "status": _ACTIONS[verb]}
                if self._fits(schema, changed):
                    item["status"] = _ACTIONS[verb]
            return {**value, **item} if same_kind else value
        if op.id == "createThreadAndRun" and isinstance(value, dict):
            run = {**value, "id": self.faker.new_id("run_"), "thread_id": self.faker.context["thread_id"]}
            self._store_final(op, route, path_params, body, run)
            return run
        if op.id in ("createVectorStoreFile", "createVectorStoreFileBatch") and isinstance(value, dict):
            return self._attach_files(op.id, path_params["vector_store_id"], body, value)
        if op.id == "createConversationItems" and isinstance(value, dict):
            return self._conversation_items(key, body, value, schema)
        if op.id == "createMessage" and isinstance(value, dict):
            value.update(_message_from(body, self.faker.new_id("msg_"), path_params["thread_id"]))
            self._remember(route, path_params, value)
            return value
        if method == "POST" and isinstance(value, dict):
            if "id" in value:
                for field, new in body.items():  # echo what was sent: name, model, metadata...
                    if field in value and _echoable(field, value[field], new):
                        value[field] = new
                upload = body.get("file")
                if op.id == "createFile" and isinstance(upload, (tuple, bytes)):
                    name, content = (upload[0], upload[1]) if isinstance(upload, tuple) else ("file", upload)
                    value["bytes"] = len(content)
                    value["filename"] = name
                    self.files[value["id"]] = content
                self._remember(route, path_params, value)
            return value
        return value

    def _fits(self, schema: Any, value: Any) -> bool:
        """Whether a value made from a request still fits the answer's schema (echoes must)."""
        return not Explainer(self.schemas["defs"], "").check(schema, value)

    def _conversation_items(self, key: str, body: dict, value: dict, schema: Any) -> dict:
        """Items added to a conversation are kept, with ids, and answered as the list the API sends."""
        items = self.store.setdefault(key, OrderedDict())
        made = []
        for item in body.get("items") or ():
            item = {**item, "id": self.faker.new_id("msg_"), "type": item.get("type", "message")}
            if item["type"] == "message":
                item.setdefault("status", "completed")
                content = item.get("content")
                if isinstance(content, str):
                    kind = "output_text" if item.get("role") == "assistant" else "input_text"
                    item["content"] = [{"type": kind, "text": content}]
            made.append(item)
        first, last = (made[0]["id"], made[-1]["id"]) if made else ("", "")
        answer = {**value, "object": "list", "data": made, "first_id": first, "last_id": last, "has_more": False}
        if not self._fits(schema, answer):  # items the answer's schema cannot hold: answer as made up
            answer = value
            made = [i for i in value.get("data") or () if isinstance(i, dict) and "id" in i]
        for item in made:
            items[item["id"]] = item
        return answer

    def _attach_files(self, op_id: str, store_id: str, body: dict, value: dict) -> dict:
        """Files added to a vector store are its files: listed under it, each with its file's id."""
        ids = [body["file_id"]] if op_id == "createVectorStoreFile" else list(body.get("file_ids") or [])
        ids += [f.get("file_id") for f in body.get("files") or () if isinstance(f, dict) and f.get("file_id")]
        files = self.store.setdefault(f"/vector_stores/{store_id}/files", OrderedDict())
        shape = self.faker.value({"$ref": "#/$defs/VectorStoreFileObject"})
        for file_id in ids:
            files[file_id] = {
                **shape,
                "id": file_id,
                "object": "vector_store.file",
                "vector_store_id": store_id,
                "status": "completed",
                "created_at": self.faker.now(),
            }
        if op_id == "createVectorStoreFile":
            return files[ids[0]]
        counts = {"in_progress": 0, "completed": len(ids), "failed": 0, "cancelled": 0, "total": len(ids)}
        batch = {
            **value,
            "id": self.faker.new_id("vsfb_"),
            "vector_store_id": store_id,
            "status": "completed",
            "file_counts": counts,
        }
        self.store.setdefault(f"/vector_stores/{store_id}/file_batches", OrderedDict())[batch["id"]] = batch
        return batch

    def _list(self, key: str, value: dict, request: Any) -> dict:
        items = list(self.store.get(key, {}).values())
        query = request.query_params
        if query.get("order", "desc") in ("desc", "descending"):
            items.reverse()
        ids = [i.get("id") for i in items]
        after, before = query.get("after"), query.get("before")
        limit = int(query.get("limit") or 20) if str(query.get("limit") or "20").isdigit() else 20
        if after in ids:
            items = items[ids.index(after) + 1 :]
        elif before in ids:  # the page just before `before`
            items = items[max(0, ids.index(before) - limit) : ids.index(before)]
        page, more = items[:limit], len(items) > limit
        out = {**value, "data": page}
        if "has_more" in value:
            out["has_more"] = more
        # An empty page has no first or last id; the spec types them as strings, so "".
        if "first_id" in value:
            out["first_id"] = page[0]["id"] if page else ("" if value["first_id"] is not None else None)
        if "last_id" in value:
            out["last_id"] = page[-1]["id"] if page else ("" if value["last_id"] is not None else None)
        return out

    def _download(self, op: Any, route: _Route, path_params: dict, kinds: dict) -> tuple[bytes, str]:
        file_id = path_params.get("file_id")
        if file_id is not None and op.id == "downloadFile":
            if file_id in self.files:
                return self.files[file_id], "application/octet-stream"
            if not self.lenient_ids:
                raise _NotFound(f"No such File object: {file_id}")
        if op.id == "downloadFile":
            return b'{"mock": "file content"}\n', "application/octet-stream"
        ctype = next((k for k in kinds if k != _JSON), "application/octet-stream")
        return b"mock content\n", ctype


class _NotFound(Exception):
    """An id that the mock has not seen (answered as a 404)."""


class _BadRequest(Exception):
    """A request the spec allows but the API would refuse (answered as a 400)."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


FAULTS = ("429", "500", "503", "reset", "cut", "stall")
_ACTIONS = {"cancel": "cancelled", "pause": "paused", "resume": "running"}  # what an action does to status


class InjectedFault(Exception):
    """Raised inside a response on purpose, so that the server drops the connection."""


async def _broken(answer: Any, fault: str, headers: Any) -> Any:
    """Wrap an answer so that it breaks as asked: `reset` and `cut` drop the connection part way
    (for a stream, after half its events), `stall` stops sending (for `x-mock-stall-ms`, else an hour)."""
    stall = float(headers.get("x-mock-stall-ms", 3_600_000)) / 1000.0
    original = answer

    async def app(scope: dict, receive: Any, send: Any) -> None:
        if fault == "stall" and not hasattr(original, "body_iterator"):
            await asyncio.sleep(stall)
            await original(scope, receive, send)
            return
        if hasattr(original, "body_iterator"):  # a stream: half the events, then the fault
            events = [piece async for piece in original.body_iterator]
            joined = b"".join(events)
            cut = joined.find(b"\n\n", len(joined) // 2) + 2 if b"\n\n" in joined else len(joined) // 2
            await send({"type": "http.response.start", "status": original.status_code, "headers": original.raw_headers})
            await send({"type": "http.response.body", "body": joined[:cut], "more_body": True})
            if fault == "stall":
                await asyncio.sleep(stall)
            raise InjectedFault(fault)
        body = original.body
        raw = [(k, v) for k, v in original.raw_headers if k != b"content-length"]
        raw.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": original.status_code, "headers": raw})
        await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
        raise InjectedFault(fault)

    return app


def _message_from(body: dict, message_id: str, thread_id: str) -> dict:
    """The fields of a thread message as the request gave them (text content, role)."""
    content = body.get("content")
    if isinstance(content, str):
        content = [{"type": "text", "text": {"value": content, "annotations": []}}]
    elif isinstance(content, list):
        content = [
            {"type": "text", "text": {"value": part.get("text", ""), "annotations": []}}
            if isinstance(part, dict) and part.get("type") == "text"
            else part
            for part in content
        ]
    out = {"id": message_id, "thread_id": thread_id, "role": body.get("role", "user"), "status": "completed"}
    if content is not None:
        out["content"] = content
    if isinstance(body.get("metadata"), dict):
        out["metadata"] = body["metadata"]
    return out


def _echoable(field: str, old: Any, new: Any) -> bool:
    """Whether a request field can be copied into the answer without breaking its schema:
    scalars of the same type, and the string maps ``metadata`` and ``attributes``."""
    if isinstance(new, dict):
        return (
            field in ("metadata", "attributes")
            and isinstance(old, dict)
            and all(isinstance(v, (str, int, float, bool)) for v in new.values())
        )
    if isinstance(new, (list, tuple, bytes)):
        return False
    return type(old) is type(new) or (
        isinstance(old, (int, float)) and isinstance(new, (int, float)) and not isinstance(new, bool)
    )


async def _typed_form(form: Any, types: dict[str, set]) -> dict:
    """A multipart form as the client sent it: files, and text turned into the schema's types."""
    out: dict[str, Any] = {}
    for name, value in form.multi_items():
        if hasattr(value, "read"):  # an uploaded file: (filename, bytes, content type), as a client sends it
            content = await value.read()
            value = (value.filename, content, value.content_type) if value.filename else content
        base, nested = name, None
        if "[" in name and name.endswith("]"):
            base, nested = name[: name.index("[")], name[name.index("[") + 1 : -1]
        if nested == "":
            out.setdefault(base, []).append(_typed(value, set()))
        elif nested is not None:
            out.setdefault(base, {})[nested] = _typed(value, {"integer", "number", "boolean"})
        else:
            out[base] = _typed(value, types.get(base, set()))
    return out


def _typed(value: Any, kinds: set) -> Any:
    if not isinstance(value, str):
        return value
    if "boolean" in kinds and value in ("true", "false"):
        return value == "true"
    if "integer" in kinds and re.fullmatch(r"-?\d+", value):
        return int(value)
    if "number" in kinds:
        try:
            return float(value)
        except ValueError:
            pass
    if ("object" in kinds or "array" in kinds) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            pass
    return value


def create_app(spec: Any = None, **options: Any) -> MockApp:
    """Build the mock's ASGI app for a spec (path, URL or None for the default)."""
    return MockApp(spec, **options)
