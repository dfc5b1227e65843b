"""The mock server's ASGI app: routing by the spec, auth, request validation, answers, state.

``MockApp`` serves every operation of a spec under ``/v1``.  Its routes are a plain list, one
``MockRoute`` per operation, built from the index's router (so the mock, bulk runs and
``SpecIndex.route`` agree on which operation a URL means), each holding the function that
answers it, chosen from registries of operations with behaviour of their own.

A request goes: route (method and path template, the spec's own query such as
``?beta=true``), auth (a ``Bearer`` key), body (JSON, multipart with form text turned into the
schema's types, or raw), validation with the project's validator (as lenient as the API, no
more: ``_lenient``), then the answer: a family handler (``_families``) or, for everything
else, a value made from the response schema, kept in a store so that what is created can be
retrieved, listed (filtered, in each operation's default order), updated and deleted; the
values the API always returns where the schema leaves them open are set last (``_facts``).
Anything refused along the way raises ``_Reject``, answered in one place in OpenAI's error
shape.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import OrderedDict
from typing import Any

from .._validation import Explainer
from .._wait import in_progress
from ..spec import Faker, load_index
from . import _batches
from ._facts import apply_fixed, facts
from ._families import FINISHES, HANDLERS, KEEPS, SHAPED, STREAMS, WITH_HISTORY, stored_item, unfinished
from ._lenient import for_checking, without_nulls
from ._lifecycle import Lifecycles
from ._webhooks import WebhookSender

__all__ = ["FAULTS", "MAX_JSON_DEPTH", "InjectedFault", "MockApp", "MockRoute", "create_app"]

_JSON = "application/json"
FAULTS = ("429", "500", "503", "reset", "cut", "stall")
# Deeper JSON is refused: no request the API takes comes near it, and recursion over it
# (parsing, validation, echoes) would exhaust Python's stack.
MAX_JSON_DEPTH = 512
_ACTIONS = {"cancel": "cancelled", "pause": "paused", "resume": "running"}  # what an action does to status
# How the `x-mock-outcome` header may end what an operation starts (see _webhooks.WEBHOOK_RULE).
OUTCOMES = {
    "createBatch": ("failed", "expired"),
    "createResponse": ("failed",),
    "beta_createResponse": ("failed",),
    "createFineTuningJob": ("failed",),
    "createEvalRun": ("failed",),
}
# Cancel operations that are not a `/cancel` action on their object: the status they set.
_CANCELS = {"cancelEvalRun": "canceled"}


class _Reject(Exception):
    """A request the mock refuses: raised anywhere, answered in ``MockApp.handle`` as the API
    answers (``{"error": {"message", "type", "param", "code"}}``)."""

    def __init__(
        self,
        status: int,
        message: str,
        param: str | None = None,
        kind: str = "invalid_request_error",
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.kind = kind
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict:
        """The error in OpenAI's shape."""
        return {"error": {"message": self.message, "type": self.kind, "param": self.param, "code": self.code}}


class InjectedFault(Exception):
    """Raised inside a response on purpose, so that the server drops the connection."""


class MockRoute:
    """One operation as the mock serves it: its route in the index's router, the operation,
    its first success status and answer schemas, and the function that answers it."""

    __slots__ = ("answer", "kinds", "op", "route", "status")

    def __init__(self, route: Any, op: Any, responses: dict, answer: Any) -> None:
        self.route = route
        self.op = op
        self.status = next((int(s) for s in responses if s.startswith("2")), 200)
        self.kinds: dict[str, Any] = responses.get(str(self.status)) or {}
        self.answer = answer

    def __repr__(self) -> str:
        return f"<MockRoute {self.op.method} {self.route.template} -> {self.op.id}>"


class _Call:
    """One request as the answering code sees it: route, body (a dict), path parameters."""

    __slots__ = ("body", "params", "request", "route")

    def __init__(self, route: MockRoute, body: dict, params: dict[str, str], request: Any) -> None:
        self.route = route
        self.body = body
        self.params = params
        self.request = request

    @property
    def op(self) -> Any:
        return self.route.op


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
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        webhook_attempts: int = 5,
        webhook_backoff_ms: float = 500.0,
        azure: bool = False,
    ) -> None:
        self.azure = azure  # serve Azure OpenAI's URL scheme (see _azure_target) instead of /v1
        self.index = load_index(spec)
        self.schemas = self.index.schemas()
        self.facts = facts(self.index)
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
        self.lives = Lifecycles(self.index)  # objects working in the background (see _lifecycle)
        self.lives.on_end = self.ended
        self.outcomes: dict[str, str] = {}  # object id -> how x-mock-outcome asked it to end
        self.webhooks: WebhookSender | None = None
        if webhook_url is not None or webhook_secret is not None:
            if not webhook_url or not webhook_secret:
                raise ValueError("webhooks need both a URL and a secret (--webhook-url and --webhook-secret)")
            self.webhooks = WebhookSender(self, webhook_url, webhook_secret, webhook_attempts, webhook_backoff_ms)
        self.routes: list[MockRoute] = [self._route_for(route) for route in self.index.router.routes]
        self._by_op = {r.op.id: r for r in self.routes}
        self._templates = {(r.op.method, r.op.path) for r in self.routes}

    def _route_for(self, route: Any) -> MockRoute:
        op = self.index.operation(route.op_id)
        responses = (self.schemas["ops"].get(op.id) or {}).get("responses") or {}
        made = MockRoute(route, op, responses, None)
        kinds = made.kinds
        if op.id in _OWN_ANSWERS:
            made.answer = _OWN_ANSWERS[op.id]
        elif op.id in HANDLERS:
            made.answer = MockApp._family
        elif op.id in SHAPED:
            made.answer = MockApp._shaped
        elif _JSON not in kinds and kinds and not any(k.startswith("text/") for k in kinds):
            made.answer = MockApp._bytes
        else:
            made.answer = MockApp._generic
        return made

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
        if scope["type"] == "websocket":  # the Realtime API (see _realtime)
            from ._realtime import serve

            await serve(self, scope, receive, send)
            return
        from starlette.requests import Request

        request = Request(scope, receive)
        response = await self.handle(request)
        await response(scope, receive, send)

    async def handle(self, request: Any) -> Any:
        """Answer one request (a Starlette ``Request``) with a Starlette response.

        Whatever goes wrong is answered here, in OpenAI's error shape: a refusal with its
        status, a request too deeply nested to process with a 400, a bug in the mock with a
        500 that says so (never a traceback).
        """
        from starlette.responses import JSONResponse

        try:
            return await self._handle(request)
        except _Reject as exc:
            refused = exc
        except RecursionError:
            refused = _Reject(400, "The request is nested too deeply to be processed.")
        except Exception as exc:
            refused = _Reject(500, f"the mock failed: {type(exc).__name__}: {exc}", kind="server_error")
        return JSONResponse(refused.body(), refused.status, headers={**self._headers(), **refused.headers})

    async def _handle(self, request: Any) -> Any:
        path = request.url.path
        if path == "/_mock/webhooks":
            from ._webhooks import webhooks_endpoint

            return await webhooks_endpoint(self, request)
        query, deployment = request.query_params, None
        if self.azure:
            rest, deployment, query = self._azure_target(request)
        elif not path.startswith("/v1/") and path != "/v1":
            raise _Reject(404, f"Unknown path {path}: the mock serves the API under /v1")
        else:
            rest = path[3:]
        found = self.route(request.method, rest, query)
        if found is None:
            raise _Reject(404, f"Invalid URL ({request.method} {path})")
        route, path_params = found
        op = route.op
        if self.azure:
            self._azure_checks(request, op, deployment)
        elif op.needs_key:
            auth = request.headers.get("authorization", "")
            if not auth.startswith("Bearer ") or not auth[7:].strip():
                raise _Reject(
                    401,
                    "You didn't provide an API key. You need to provide your API key in an "
                    "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                )
        fault = self._fault(request)
        if fault in ("429", "500", "503"):
            raise self._fault_answer(fault, request)
        body = await self.read_body(request, op)
        if isinstance(body, dict):
            body = without_nulls(body)  # see _lenient.LENIENCY
            if deployment is not None:
                body.setdefault("model", deployment)  # Azure answers with the deployment's model
        params = {**dict(query), **path_params}
        for prm in op.params:  # query arrays arrive as name[]=...
            if prm.location == "query" and prm.kind == "array":
                values = query.getlist(prm.wire)
                if values:
                    params[prm.kwarg] = values
        params = {self._kwarg(op, k): v for k, v in params.items()}
        problems = self.index.validator(op.id).check(for_checking(body), params)
        if problems:
            first = problems[0]
            param = first.location.split(": ", 1)[-1] if first.location != "body" else None
            raise _Reject(400, "Invalid request: " + "; ".join(str(p) for p in problems), param)
        answer = await self.answer(route, body, path_params, request)
        if fault is not None:
            answer = _broken(answer, fault, request.headers)
        return answer

    @staticmethod
    def _azure_target(request: Any) -> tuple[str, str | None, Any]:
        """Azure's URL scheme: ``/openai/deployments/{deployment}/...`` and ``/openai/...`` with a
        dated ``api-version``, or the v1 API at ``/openai/v1/...`` without one.  Returns the
        operation's path, the deployment (or None) and the query without ``api-version``."""
        from starlette.datastructures import QueryParams

        path = request.url.path
        if not path.startswith("/openai/"):
            raise _Reject(404, f"Resource not found: {path} (the mock serves Azure OpenAI under /openai)", code="404")
        rest = path[len("/openai") :]
        version = request.query_params.get("api-version")
        query = QueryParams([(k, v) for k, v in request.query_params.multi_items() if k != "api-version"])
        if rest.startswith("/v1/"):
            if version not in (None, "preview", "latest"):
                raise _Reject(400, f"api-version {version!r} is not taken by the v1 API: leave it out", "api-version")
            return rest[3:], None, query
        if not version:
            raise _Reject(
                400,
                "The api-version query parameter (?api-version=) is required for all requests.",
                "api-version",
                code="MissingApiVersionParameter",
            )
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(-preview)?", version):
            raise _Reject(400, f"Unsupported api-version {version!r}: use a date such as 2024-10-21", "api-version")
        if rest.startswith("/deployments/"):
            deployment, _, tail = rest[len("/deployments/") :].partition("/")
            if not deployment:
                raise _Reject(404, "The API deployment for this resource does not exist.", code="DeploymentNotFound")
            return "/" + tail, deployment, query
        return rest, None, query

    @staticmethod
    def _azure_checks(request: Any, op: Any, deployment: str | None) -> None:
        """Azure's own refusals: a credential (``api-key``, or an Entra ID bearer token), and a
        deployment for the operations Azure serves under one (dated API versions)."""
        from .._azure import DEPLOYMENT_PATHS

        key = request.headers.get("api-key", "").strip()
        auth = request.headers.get("authorization", "")
        if op.needs_key and not key and not (auth.startswith("Bearer ") and auth[7:].strip()):
            raise _Reject(
                401,
                "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a "
                "valid key for an active subscription (the api-key header) or an Entra ID token.",
                code="401",
            )
        dated = "api-version" in request.query_params and not request.url.path.startswith("/openai/v1/")
        if dated and deployment is None and op.path in DEPLOYMENT_PATHS:
            raise _Reject(
                404,
                f"{op.path} is served under a deployment: /openai/deployments/{{deployment}}{op.path}",
                code="DeploymentNotFound",
            )

    def _fault(self, request: Any) -> str | None:
        """The fault to inject: asked for by the `x-mock-fault` header, or drawn at the set rates."""
        asked = request.headers.get("x-mock-fault")
        if asked:
            if asked not in FAULTS:
                raise _Reject(400, f"x-mock-fault must be one of {', '.join(FAULTS)}", param="x-mock-fault")
            return asked
        for kind, rate in self.faults.items():
            if self.fault_rng.random() < rate:
                return kind
        return None

    @staticmethod
    def _fault_answer(fault: str, request: Any) -> _Reject:
        if fault == "429":
            wait = request.headers.get("x-mock-retry-after", "0.2")
            return _Reject(
                429,
                "Rate limit reached for requests (a fault the mock was asked for).",
                kind="requests",
                code="rate_limit_exceeded",
                headers={
                    "retry-after": wait,
                    "x-ratelimit-remaining-requests": "0",
                    "x-ratelimit-reset-requests": f"{wait}s",
                },
            )
        return _Reject(
            int(fault),
            "The server had an error while processing your request (a fault the mock was asked for).",
            kind="server_error",
        )

    @staticmethod
    def _kwarg(op: Any, name: str) -> str:
        prm = op.by_kwarg.get(name) or op.by_kwarg.get(name[:-2] if name.endswith("[]") else name)
        return prm.kwarg if prm is not None else name

    def route(self, method: str, path: str, query: Any) -> tuple[MockRoute, dict[str, str]] | None:
        """The route a method and path (after ``/v1``) name, with its path parameters; ``query``
        picks the operations the spec writes with a query (``?beta=true``)."""
        found = self.index.router.match(method, path, query)
        if found is None:
            return None
        return self._by_op[found[0].op_id], found[1]

    async def read_body(self, request: Any, op: Any) -> Any:
        """The request body as the client meant it: JSON, a form with typed fields, or text."""
        raw = await request.body()
        ctype = request.headers.get("content-type", "")
        if not raw and not ctype.startswith("multipart/"):
            return None
        if ctype.startswith(_JSON):
            what = "the JSON body of your request"
            try:
                return _loads(raw, what)
            except ValueError as exc:
                raise _Reject(400, f"We could not parse {what}: {exc}") from None
        if ctype.startswith("multipart/form-data"):
            try:
                form = await request.form()
            except Exception as exc:  # starlette's MultiPartException and friends
                raise _Reject(400, f"We could not parse the multipart body of your request: {exc}") from None
            return await _typed_form(form, self._form_schema(op))
        return raw.decode("utf-8", "replace")

    def _form_schema(self, op: Any) -> dict:
        schema = (self.schemas["ops"].get(op.id) or {}).get("body", {}).get("multipart/form-data") or {}
        explainer = Explainer(self.schemas["defs"], "")
        return {name: explainer.types(sub) for name, sub in explainer.properties(schema).items()}

    # -- answers ------------------------------------------------------------------------

    async def answer(self, route: MockRoute, body: Any, path_params: dict, request: Any) -> Any:
        """The response to a request that passed routing, auth and validation."""
        from starlette.responses import JSONResponse, Response, StreamingResponse

        op = route.op
        fake = self.faker
        call = _Call(route, body if isinstance(body, dict) else {}, path_params, request)
        fake.context = {k: v for k, v in path_params.items() if isinstance(v, str)}
        if isinstance(call.body.get("model"), str):
            fake.context["model"] = call.body["model"]
        finish = request.headers.get("x-mock-finish")
        if finish is not None:
            if finish not in FINISHES:
                raise _Reject(400, f"x-mock-finish must be one of {', '.join(FINISHES)}", param="x-mock-finish")
            fake.context["finish"] = finish  # read by the chat and Responses families
        outcome = request.headers.get("x-mock-outcome")
        self.lives.outcome = None
        if outcome is not None:
            allowed = OUTCOMES.get(op.id, ())
            if outcome not in allowed:
                where = "; ".join(f"{k}: {', '.join(v)}" for k, v in OUTCOMES.items() if not k.startswith("beta_"))
                raise _Reject(400, f"x-mock-outcome {outcome!r} does not apply to {op.id} ({where})", "x-mock-outcome")
            if op.id.endswith("createResponse") and call.body.get("background") is not True:
                raise _Reject(400, "x-mock-outcome applies to a background response (background: true)", "background")
            fake.context["outcome"] = self.lives.outcome = outcome  # read by _batches and _lifecycle
        self._check_parents(route, path_params)  # /threads/{thread_id}/runs: the thread must exist
        prepare = _PREPARE.get(op.id)
        if prepare is not None:
            prepare(self, call)
        wants_stream = call.body.get("stream") in (True, "true") or call.body.get("stream_format") == "sse"
        if wants_stream and op.id in STREAMS:
            kept: list[dict] = []
            args = (fake, call.body, self._shape(route.kinds)) if op.id in SHAPED else (fake, call.body)
            extra: dict[str, Any] = {"keep": kept.append} if op.id in KEEPS else {}
            if op.id in WITH_HISTORY:
                extra["history"] = self._history(call.body)
            # Made now, not as the stream is sent: the request's context is this request's.
            events = list(STREAMS[op.id](*args, **extra))
            for final in kept:
                self._store_final(call, final)
            return StreamingResponse(self._paced(events), media_type="text/event-stream", headers=self._headers())
        result = route.answer(self, call)
        if result is None:
            return Response(b"", route.status, headers=self._headers())
        if isinstance(result, Response):  # a response of its own (audio, text, a file's bytes)
            return result
        fixed = self.facts["fixed"].get(op.id)
        if fixed:
            apply_fixed(result, fixed)
        return JSONResponse(result, route.status, headers={**self._headers(), **self.lives.headers(result)})

    def _family(self, call: _Call) -> Any:
        """Chat, completions, embeddings, images, speech, transcription: see ``_families``."""
        from starlette.responses import PlainTextResponse, Response

        result = HANDLERS[call.op.id](self.faker, call.body)
        if isinstance(result, tuple):  # (bytes, content type): audio
            return Response(result[0], media_type=result[1], headers=self._headers())
        if isinstance(result, str):
            return PlainTextResponse(result, headers=self._headers())
        if call.op.id in _KEEP:
            self._store_final(call, result)
        return result

    def _shaped(self, call: _Call) -> Any:
        """Responses and moderations: a family answer over the value made from the schema."""
        extra = {"history": self._history(call.body)} if call.op.id in WITH_HISTORY else {}
        result = SHAPED[call.op.id](self.faker, call.body, self._shape(call.route.kinds), **extra)
        if call.body.get("background") is True and result.get("object") == "response":
            # Answered at once, finished as it is polled: the whole response arrives at the end.
            done, result = result, unfinished(result)
            self.lives.start(result, lambda obj: obj.update(done), background=True)
        self._store_final(call, result)
        return result

    def _history(self, body: dict) -> list:
        """The items of a Responses conversation before this request: those of the responses
        ``previous_response_id`` chains back to (inputs and outputs, oldest first), or the
        items of the ``conversation`` the request continues."""
        conv_id = _conversation_id(body)
        if conv_id is not None:
            return list(self.store.get(f"/conversations/{conv_id}/items", {}).values())
        chain: list[list] = []
        previous = body.get("previous_response_id")
        responses = self.store.get("/responses", {})
        while isinstance(previous, str) and previous in responses and len(chain) < 1000:
            earlier = responses[previous]
            inputs = list(self.store.get(f"/responses/{previous}/input_items", {}).values())
            chain.append([*inputs, *(earlier.get("output") or ())])
            previous = earlier.get("previous_response_id")
        return [item for turn in reversed(chain) for item in turn]

    def _store_final(self, call: _Call, final: dict) -> None:
        """Keep what a call made, where the API keeps it (see ``_KEEP``), else in its collection."""
        keep = _KEEP.get(call.op.id)
        if keep is not None:
            keep(self, call.body, final)
        elif isinstance(final, dict) and "id" in final:
            self._remember(call.route, call.params, final)

    def _keep_chat(self, body: dict, final: dict) -> None:
        """A chat completion is kept only when asked (``store``), with the messages it was sent
        (``getChatCompletionMessages``), ids as the API gives them: ``<completion id>-<index>``."""
        if not body.get("store"):
            return
        self.store.setdefault("/chat/completions", OrderedDict())[final["id"]] = {
            **final,
            "metadata": body.get("metadata") or {},
        }
        messages = self.store.setdefault(f"/chat/completions/{final['id']}/messages", OrderedDict())
        for index, message in enumerate(body.get("messages") or ()):
            if isinstance(message, dict):
                kept = _stored_message(message, f"{final['id']}-{index}")
                messages[kept["id"]] = kept

    def _keep_response(self, body: dict, final: dict) -> None:
        """A response is kept unless asked not to, with its input items (``listInputItems``);
        in a ``conversation`` its input and output items join the conversation's."""
        items = [stored_item(self.faker, item) for item in _input_items(body.get("input"))]
        conv_id = _conversation_id(body)
        if conv_id is not None:
            kept = self.store.setdefault(f"/conversations/{conv_id}/items", OrderedDict())
            for item in (*items, *(final.get("output") or ())):
                kept[item["id"]] = item
        if body.get("store", True) is False:
            return
        self.store.setdefault("/responses", OrderedDict())[final["id"]] = final
        inputs = self.store.setdefault(f"/responses/{final['id']}/input_items", OrderedDict())
        for item in items:
            inputs[item["id"]] = item

    def _keep_run(self, body: dict, final: dict) -> None:
        self.store.setdefault(f"/threads/{final['thread_id']}/runs", OrderedDict())[final["id"]] = final

    def _new_thread(self, spec: dict) -> dict:
        thread = self.faker.value({"$ref": "#/$defs/ThreadObject"})
        thread.update({"id": self.faker.new_id("thread_"), "created_at": self.faker.now()})
        if isinstance(spec.get("metadata"), dict):
            thread["metadata"] = spec["metadata"]
        self.store.setdefault("/threads", OrderedDict())[thread["id"]] = thread
        return thread

    def _answer_model(self, call: _Call) -> dict:
        from ._families import MODELS

        model = call.params["model"]
        if model not in MODELS and not model.startswith("ft:") and not self.lenient_ids:
            raise _Reject(
                404, f"The model '{model}' does not exist or you do not have access to it.", code="model_not_found"
            )
        return {"id": model, "object": "model", "created": self.faker.now(), "owned_by": "openai"}

    def _thread_for_run(self, call: _Call) -> None:
        """createThreadAndRun: the thread is made first, and the run belongs to it."""
        self.faker.context["thread_id"] = self._new_thread(call.body.get("thread") or {})["id"]

    def _batch_input_exists(self, call: _Call) -> None:
        file_id = call.body.get("input_file_id")
        if file_id not in self.files and not self.lenient_ids:
            raise _Reject(400, f"No such File object: {file_id}", "input_file_id")

    def answer_line(self, request: dict) -> tuple[int, Any]:
        """Answer one Batch API input line (``method``, ``url``, ``body``): (status, body)."""
        try:
            return self._answer_line(request)
        except _Reject as exc:
            return exc.status, exc.body()
        except RecursionError:
            return 400, _Reject(400, "The request is nested too deeply to be processed.").body()

    def _answer_line(self, request: dict) -> tuple[int, Any]:
        method = str(request.get("method", "POST")).upper()
        path = str(request.get("url", "")).split("?", 1)[0]
        path = path[3:] if path.startswith("/v1/") else path
        found = self.route(method, path, {})
        if found is None:
            raise _Reject(404, f"Invalid URL ({method} {request.get('url')})")
        route, path_params = found
        body = request.get("body")
        body = without_nulls(body) if isinstance(body, dict) else body
        problems = self.index.validator(route.op.id).check(for_checking(body), dict(path_params))
        if problems:
            raise _Reject(400, "Invalid request: " + "; ".join(str(p) for p in problems))
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
        value = self._shape(kinds)
        apply_fixed(value, self.facts["fixed"].get(route.op.id) or ())
        return 200, value

    def _upload_part(self, call: _Call) -> dict:
        """The Uploads API: a part keeps its bytes until the upload completes."""
        upload_id = call.params["upload_id"]
        self._lookup("/uploads", upload_id, {})
        value = self._shape(call.route.kinds)
        data = call.body.get("data")
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

    def _complete_upload(self, call: _Call) -> dict:
        """Completing an upload joins its parts, in the given order, into a File (checking the
        md5 when one is given)."""
        import hashlib

        upload_id = call.params["upload_id"]
        upload = self._lookup("/uploads", upload_id, {})
        value = self._shape(call.route.kinds)
        order = call.body.get("part_ids") or []
        unknown = [p for p in order if self.parts.get(p, ("",))[0] != upload_id]
        if unknown and not self.lenient_ids:
            raise _Reject(400, f"Part {unknown[0]} is not a part of upload {upload_id}", "part_ids")
        order = [p for p in order if p not in unknown]
        content = b"".join(self.parts[p][1] for p in order)
        if not unknown and call.body.get("md5") and hashlib.md5(content).hexdigest() != call.body["md5"]:
            raise _Reject(400, "The md5 checksum of the assembled file does not match the one given", "md5")
        if not unknown and upload.get("bytes") not in (None, len(content)):
            raise _Reject(
                400, f"The parts hold {len(content)} bytes, the upload was created for {upload['bytes']}", "part_ids"
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

    def ended(self, obj: Any) -> None:
        """An object reached a final status: its webhook goes out (when the mock sends them)."""
        if self.webhooks is not None:
            self.webhooks.ended(obj)

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
    def _collection(route: MockRoute, path_params: dict) -> tuple[str, str | None]:
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
            raise _Reject(404, f"No such object: '{item_id}' (at {key})")
        made = dict(kind_hint)
        made["id"] = item_id
        self.store.setdefault(key, OrderedDict())[item_id] = made
        return made

    def _remember(self, route: MockRoute, path_params: dict, result: Any) -> None:
        if isinstance(result, dict) and isinstance(result.get("id"), str):
            key, _ = self._collection(route, path_params)
            self.store.setdefault(key, OrderedDict())[result["id"]] = result

    def _check_parents(self, route: MockRoute, path_params: dict) -> None:
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
        for route in self.routes:
            if route.op.method == "GET" and route.op.path == template:
                kinds = (self.schemas["ops"].get(route.op.id) or {}).get("responses", {}).get("200") or {}
                return self._shape(kinds)
        return {}

    def _has_items(self, template: str) -> bool:
        """Whether a path template is a collection: some operation addresses ``template/{id}``."""
        prefix = template + "/{"
        return any(path.startswith(prefix) for _, path in self._templates)

    def _generic(self, call: _Call) -> Any:
        """Any other operation: a value made from its answer's schema, kept in (or taken from)
        the store by its path, so that what is created can be retrieved, updated, deleted."""
        op, route, body, path_params = call.op, call.route, call.body, call.params
        schema = route.kinds.get(_JSON)
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
        if op.path.endswith("}"):
            self._check_parents(route, path_params)
            if method == "GET":
                stored = self._lookup(key, item_id, value)
                if op.id in self.lives.retrieves:
                    self.lives.advance(stored)
                result = {**value, **stored} if isinstance(value, dict) else stored
            elif method == "DELETE":
                self._lookup(key, item_id, value)
                self.store.get(key, {}).pop(item_id, None)
                if isinstance(value, dict):
                    value["id"] = item_id
                    if "deleted" in value:
                        value["deleted"] = True
                result = value
            else:
                stored = self._lookup(key, item_id, value)  # POST/PUT/PATCH: modify
                for field, new in body.items():
                    if field in stored and _echoable(field, stored[field], new):
                        stored[field] = new
                if op.id in _CANCELS and in_progress(stored.get("status")):
                    stored["status"] = _CANCELS[op.id]
                    self.ended(stored)
                result = {**value, **stored} if isinstance(value, dict) else stored
            return self._follow(call, result)
        self._check_parents(route, path_params)
        if method == "GET" and isinstance(value, dict) and isinstance(value.get("data"), list):
            return self._list(call, key, value)
        segments = op.path.split("/")
        if (
            method == "POST"
            and len(segments) > 2
            and segments[-2].startswith("{")
            and isinstance(value, dict)
            and not self._has_items(op.path)
        ):
            # An action on an object (/batches/{batch_id}/cancel), not a nested collection
            # (/vector_stores/{id}/files): it acts on the stored object.
            parent_key = key.rsplit("/", 2)[0]
            item = self._lookup(parent_key, path_params[segments[-2][1:-1]], self._made_up("/".join(segments[:-1])))
            same_kind = item.get("object") is not None and item.get("object") == value.get("object")
            verb = segments[-1]
            if same_kind and verb in _ACTIONS and "status" in item and op.id not in _FOLLOW:
                changed = {**value, **item, "status": _ACTIONS[verb]}
                if self._fits(schema, changed):
                    before, item["status"] = item["status"], _ACTIONS[verb]
                    if in_progress(before):
                        self.ended(item)
            return self._follow(call, {**value, **item} if same_kind else value)
        create = _CREATES.get(op.id)
        if create is not None and isinstance(value, dict):
            return self._follow(call, create(self, call, key, value, schema))
        if method == "POST" and isinstance(value, dict) and "id" in value:
            self._echo(body, value)
            self.lives.start(value)
            self._remember(route, path_params, value)
        return self._follow(call, value)

    def _follow(self, call: _Call, result: Any) -> Any:
        """What an operation with a life of its own does to the object once answered (batches)."""
        step = _FOLLOW.get(call.op.id)
        if step is None or not isinstance(result, dict):
            return result
        return step(self, self.store.get("/batches", {}).get(result.get("id"), result), call.body)

    @staticmethod
    def _echo(body: dict, value: dict) -> None:
        """Copy what was sent into the made-up answer (name, model, metadata...) where it fits."""
        for field, new in body.items():
            if field in value and _echoable(field, value[field], new):
                value[field] = new

    def _create_file(self, call: _Call, key: str, value: dict, schema: Any) -> dict:
        """A File keeps its bytes (for downloads, batches) and says its name and size."""
        if "id" not in value:
            return value
        self._echo(call.body, value)
        upload = call.body.get("file")
        if isinstance(upload, (tuple, bytes)):
            name, content = (upload[0], upload[1]) if isinstance(upload, tuple) else ("file", upload)
            value["bytes"] = len(content)
            value["filename"] = name
            self.files[value["id"]] = content
        self._remember(call.route, call.params, value)
        return value

    def _create_upload(self, call: _Call, key: str, value: dict, schema: Any) -> dict:
        """A new upload waits for its parts: pending until completed (or cancelled)."""
        self._echo(call.body, value)
        value["status"] = "pending"
        value.pop("file", None)
        self._remember(call.route, call.params, value)
        return value

    def _create_thread_and_run(self, call: _Call, key: str, value: dict, schema: Any) -> dict:
        run = {**value, "id": self.faker.new_id("run_"), "thread_id": self.faker.context["thread_id"]}
        self.lives.start(run)
        self._store_final(call, run)
        return run

    def _create_message(self, call: _Call, key: str, value: dict, schema: Any) -> dict:
        value.update(_message_from(call.body, self.faker.new_id("msg_"), call.params["thread_id"]))
        self._remember(call.route, call.params, value)
        return value

    def _create_items(self, call: _Call, key: str, value: dict, schema: Any) -> dict:
        return self._conversation_items(key, call.body, value, schema)

    def _create_vector_store_files(self, call: _Call, key: str, value: dict, schema: Any) -> dict:
        return self._attach_files(call.op.id, call.params["vector_store_id"], call.body, value)

    def _fits(self, schema: Any, value: Any) -> bool:
        """Whether a value made from a request still fits the answer's schema (echoes must)."""
        return not Explainer(self.schemas["defs"], "").check(schema, value)

    def _conversation_items(self, key: str, body: dict, value: dict, schema: Any) -> dict:
        """Items added to a conversation are kept, with ids, and answered as the list the API sends."""
        items = self.store.setdefault(key, OrderedDict())
        made = [stored_item(self.faker, item) for item in body.get("items") or ()]
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
            self.lives.start(files[ids[0]])
            return files[ids[0]]
        for file_id in ids:  # a batch's files are processed with it
            files[file_id]["status"] = "in_progress"
        counts = {"in_progress": len(ids), "completed": 0, "failed": 0, "cancelled": 0, "total": len(ids)}
        batch = {
            **value,
            "id": self.faker.new_id("vsfb_"),
            "vector_store_id": store_id,
            "status": "completed",
            "file_counts": counts,
        }

        def processed(done: dict) -> None:
            for file_id in ids:
                if files.get(file_id, {}).get("status") == "in_progress":
                    files[file_id]["status"] = "completed"
            done["file_counts"] = {**counts, "in_progress": 0, "completed": len(ids)}

        self.lives.start(batch, processed)
        self.store.setdefault(f"/vector_stores/{store_id}/file_batches", OrderedDict())[batch["id"]] = batch
        return batch

    def _list(self, call: _Call, key: str, value: dict) -> dict:
        """A page of a stored collection: filtered by the list's own query parameters
        (``_FILTERS``, ``metadata[key]``), in its ``order`` (the operation's default unless given),
        cut at ``after``/``before`` and ``limit``."""
        items = list(self.store.get(key, {}).values())
        query = call.request.query_params
        items = _filtered(call.op, items, query)
        if query.get("order", self.facts["order"].get(call.op.id, "desc")) in ("desc", "descending"):
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

    def _download_file(self, call: _Call) -> Any:
        """A stored file's bytes (a 404 for a file the mock has not seen, unless lenient)."""
        from starlette.responses import Response

        file_id = call.params.get("file_id")
        if file_id in self.files:
            content = self.files[file_id]
        elif file_id is not None and not self.lenient_ids:
            raise _Reject(404, f"No such File object: {file_id}")
        else:
            content = b'{"mock": "file content"}\n'
        return Response(content, media_type="application/octet-stream", headers=self._headers())

    def _bytes(self, call: _Call) -> Any:
        """An answer that is not JSON (audio, a container file...): a stand-in of its type."""
        from starlette.responses import Response

        ctype = next((k for k in call.route.kinds if k != _JSON), "application/octet-stream")
        return Response(b"mock content\n", media_type=ctype, headers=self._headers())


# Operations with behaviour of their own.  Answers: instead of a value from the schema.
_OWN_ANSWERS = {
    "retrieveModel": MockApp._answer_model,
    "addUploadPart": MockApp._upload_part,
    "completeUpload": MockApp._complete_upload,
    "downloadFile": MockApp._download_file,
}
# Checks and set-up before the answer is made.
_PREPARE = {
    "createThreadAndRun": MockApp._thread_for_run,
    "createBatch": MockApp._batch_input_exists,
}
# Creations (POST to a collection) that do more than store what the schema made.
_CREATES = {
    "createFile": MockApp._create_file,
    "createThreadAndRun": MockApp._create_thread_and_run,
    "createUpload": MockApp._create_upload,
    "createMessage": MockApp._create_message,
    "createConversationItems": MockApp._create_items,
    "createVectorStoreFile": MockApp._create_vector_store_files,
    "createVectorStoreFileBatch": MockApp._create_vector_store_files,
}
# Where finished results are kept (chat completions when `store`, responses unless not, runs).
_KEEP = {
    "createChatCompletion": MockApp._keep_chat,
    "createResponse": MockApp._keep_response,
    "beta_createResponse": MockApp._keep_response,
    "createRun": MockApp._keep_run,
    "createThreadAndRun": MockApp._keep_run,
    "submitToolOuputsToRun": MockApp._keep_run,
}
# Batches move through their statuses on their own (see _batches): the step each call takes.
_FOLLOW = {
    "createBatch": _batches.start,
    "retrieveBatch": lambda app, batch, body: _batches.advance(app, batch),
    "cancelBatch": lambda app, batch, body: _batches.cancel(app, batch),
}


# A list's query parameters that filter its items: parameter -> the item field it matches
# (`filter` on vector store files is their status, as its description says).
_FILTERS = {
    "purpose": "purpose",
    "status": "status",
    "filter": "status",
    "model": "model",
    "run_id": "run_id",
    "name": "name",
    "user": "user",
    "project_id": "project_id",
}


def _filtered(op: Any, items: list, query: Any) -> list:
    """The items a list's filters keep: each filter the operation declares and the request gives
    must equal the item's field; ``metadata[key]=value`` must be in the item's metadata."""
    wanted = [(field, query[name]) for name, field in _FILTERS.items() if name in query and name in op.by_kwarg]
    meta = {}
    if "metadata" in op.by_kwarg:
        meta = {k[9:-1]: v for k, v in query.items() if k.startswith("metadata[") and k.endswith("]")}
    if not wanted and not meta:
        return items
    return [
        item
        for item in items
        if all(str(item.get(field)) == value for field, value in wanted)
        and all(str((item.get("metadata") or {}).get(k)) == v for k, v in meta.items())
    ]


def _loads(raw: bytes | str, what: str) -> Any:
    """Parse JSON sent to the mock (``what`` names it in errors).

    Raises ``ValueError`` for text that is not JSON, and refuses (``_Reject``, a 400) JSON
    nested deeper than ``MAX_JSON_DEPTH``.
    """
    too_deep = f"We could not parse {what}: it is nested deeper than {MAX_JSON_DEPTH} levels"
    try:
        value = json.loads(raw)
    except RecursionError:
        raise _Reject(400, too_deep) from None
    brackets = (b"[", b"{") if isinstance(raw, bytes) else ("[", "{")
    if raw.count(brackets[0]) + raw.count(brackets[1]) > MAX_JSON_DEPTH and _depth(value) > MAX_JSON_DEPTH:
        raise _Reject(400, too_deep)  # (with fewer brackets than that, no need to look)
    return value


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in a parsed JSON value (without recursion)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = node.values()
        elif not isinstance(node, list):
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node if isinstance(child, (dict, list)))
    return deepest


def _broken(answer: Any, fault: str, headers: Any) -> Any:
    """Wrap an answer so that it breaks as asked: `reset` and `cut` drop the connection part way
    (for a stream, after half its events), `stall` stops sending (for `x-mock-stall-ms`, else an hour)."""
    try:
        stall = float(headers.get("x-mock-stall-ms", 3_600_000)) / 1000.0
    except ValueError:
        raise _Reject(400, "x-mock-stall-ms must be a number of milliseconds", param="x-mock-stall-ms") from None
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


def _stored_message(message: dict, message_id: str) -> dict:
    """A chat message as ``getChatCompletionMessages`` lists it: its id, role, text content
    (parts joined; the parts themselves in ``content_parts``), name, and what else it carried
    (tool calls, the id of the call a tool message answers)."""
    content = message.get("content")
    parts = None
    if isinstance(content, list):
        parts = content
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return {**message, "id": message_id, "content": content, "name": message.get("name"), "content_parts": parts}


def _input_items(given: Any) -> list:
    """A Responses ``input`` as items: a string is one user message."""
    if given is None:
        return []
    return list(given) if isinstance(given, list) else [given]


def _conversation_id(body: dict) -> str | None:
    """The conversation a Responses request continues (``"conv_..."`` or ``{"id": ...}``)."""
    conv = body.get("conversation")
    conv_id = conv.get("id") if isinstance(conv, dict) else conv
    return conv_id if isinstance(conv_id, str) else None


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
            out.setdefault(base, []).append(_typed(name, value, set()))
        elif nested is not None:
            out.setdefault(base, {})[nested] = _typed(name, value, {"integer", "number", "boolean"})
        else:
            out[base] = _typed(name, value, types.get(base, set()))
    return out


def _typed(name: str, value: Any, kinds: set) -> Any:
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
            return _loads(value, f"the form field {name!r}")
        except ValueError:
            pass
    return value


def create_app(spec: Any = None, **options: Any) -> MockApp:
    """Build the mock's ASGI app for a spec (path, URL or None for the default)."""
    return MockApp(spec, **options)
