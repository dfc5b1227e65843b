"""Webhooks from the mock: signed deliveries when background work ends, retried and recorded.

Started with a URL and a secret (``mock --webhook-url URL --webhook-secret whsec_...``), the
mock sends OpenAI's events as the API does: ``batch.*`` when a batch completes, fails, expires
or is cancelled; ``response.*`` when a background response ends; ``fine_tuning.job.*`` and
``eval.run.*`` when a job or a run ends (see ``WEBHOOK_RULE``).  Each body is made from the
spec's schema for its event and checked against it before it is sent; each delivery is signed
with Standard Webhooks headers (``_signing``: the client's own signer), retried with back-off
while the receiver answers other than 2xx or cannot be reached (the same ``webhook-id`` on every
attempt, as receivers deduplicate by it), and recorded: ``GET /_mock/webhooks`` lists the
deliveries, ``POST /_mock/webhooks`` with ``{"type": ..., "data": {...}}`` sends any event
(``realtime.call.incoming``: no API call of the mock starts a SIP call).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from .._errors import Secret
from .._signing import secret_key, sign
from .._wait import in_progress

__all__ = ["FALLBACK_EVENTS", "WEBHOOK_RULE", "Delivery", "WebhookSender", "webhooks_endpoint"]

WEBHOOK_RULE = (
    "An object that works in the background sends `<object>.<status>` when it reaches a final "
    "status: `batch.completed`, `batch.failed`, `batch.expired`, `batch.cancelled`; `response.completed`, "
    "`response.failed`, `response.incomplete`, `response.cancelled` (background responses); "
    "`fine_tuning.job.succeeded`, `.failed`, `.cancelled`; `eval.run.succeeded`, `.failed`, `.canceled`. "
    "The `x-mock-outcome` header on the request that creates one picks how it ends (`failed`, with an `error`; "
    "`expired` for a batch); the cancel operations cancel it."
)
# The events of a spec without a `webhooks:` section (3.0): sent with the minimal body.
FALLBACK_EVENTS = frozenset(
    {
        "batch.completed",
        "batch.failed",
        "batch.expired",
        "batch.cancelled",
        "response.completed",
        "response.failed",
        "response.incomplete",
        "response.cancelled",
        "fine_tuning.job.succeeded",
        "fine_tuning.job.failed",
        "fine_tuning.job.cancelled",
        "eval.run.succeeded",
        "eval.run.failed",
        "eval.run.canceled",
    }
)
_KINDS = ("batch", "response", "fine_tuning.job", "eval.run")
# Eval runs say `completed`/`cancelled` in the mock's lifecycle, and their events say otherwise.
_ALIASES = {("eval.run", "completed"): "eval.run.succeeded", ("eval.run", "cancelled"): "eval.run.canceled"}
_SIP_HEADERS = (
    {"name": "From", "value": '"Mock Caller" <sip:+15555550100@sip.example.com>;tag=mock'},
    {"name": "To", "value": "<sip:+15555550199@sip.api.openai.com>"},
    {"name": "Call-ID", "value": "mock-call@sip.example.com"},
)
_RECORDED = 1000  # deliveries kept for GET /_mock/webhooks


class Delivery:
    """One event on its way: the event, its ``webhook-id``, and each attempt's outcome."""

    __slots__ = ("attempts", "delivered", "event", "webhook_id")

    def __init__(self, event: dict, webhook_id: str) -> None:
        self.event = event
        self.webhook_id = webhook_id
        self.attempts: list[dict[str, Any]] = []  # {"at", "status"} or {"at", "error"}
        self.delivered: bool | None = None  # None while attempts remain

    def as_dict(self) -> dict[str, Any]:
        """The record ``GET /_mock/webhooks`` lists."""
        return {
            "webhook_id": self.webhook_id,
            "type": self.event.get("type"),
            "event": self.event,
            "attempts": list(self.attempts),
            "delivered": self.delivered,
        }


class WebhookSender:
    """Builds, signs, sends and records the mock's webhook deliveries (see the module docstring).

    ``attempts`` is how many times a delivery is tried; the waits between them start at
    ``backoff_ms`` and double.  The secret is kept as a ``Secret``: hidden from reprs.
    """

    def __init__(
        self,
        app: Any,
        url: str,
        secret: str,
        attempts: int = 5,
        backoff_ms: float = 500.0,
        timeout: float = 10.0,
    ) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"the webhook URL must start with http:// or https://, not {url!r}")
        secret_key(secret)  # a malformed secret fails now, not at the first delivery
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            raise ValueError(f"webhook attempts must be a whole number >= 1, not {attempts!r}")
        if backoff_ms < 0:
            raise ValueError(f"the webhook back-off must be >= 0 ms, not {backoff_ms!r}")
        self.app = app
        self.url = url
        self._secret = Secret(secret)
        self.attempts = attempts
        self.backoff = backoff_ms / 1000.0
        self.timeout = timeout
        self.deliveries: list[Delivery] = []
        self._tasks: set[Any] = set()
        described = app.index.webhook_events()
        self.events = frozenset(described) or FALLBACK_EVENTS
        self._schemas = bool(described)

    def __repr__(self) -> str:
        return f"<WebhookSender to {self.url}, secret {self._secret!r}, {len(self.deliveries)} deliveries>"

    # -- what to send --------------------------------------------------------------------

    def event_type(self, obj: Any) -> str | None:
        """The event an object's status calls for (``batch`` ``completed`` -> ``batch.completed``),
        or None (still in progress, or no event for it)."""
        if not isinstance(obj, dict) or obj.get("object") not in _KINDS:
            return None
        kind, status = obj["object"], obj.get("status")
        if not isinstance(status, str) or in_progress(status):
            return None
        name = _ALIASES.get((kind, status), f"{kind}.{status}")
        return name if name in self.events else None

    def ended(self, obj: Any) -> None:
        """Send the event for an object that just reached a final status, if there is one."""
        name = self.event_type(obj)
        if name is not None:
            self.send(name, {"id": obj["id"]})

    def event(self, name: str, data: dict | None = None) -> dict:
        """The body of event ``name``: made from the spec's schema for it, with ``data`` over its
        ``data``, and checked against that schema (a ``ValueError`` says where it does not fit)."""
        if name not in self.events:
            raise ValueError(f"no webhook event {name!r}: the spec describes {', '.join(sorted(self.events))}")
        faker = self.app.faker
        made: Any = {}
        entry = (self.app.schemas.get("webhooks") or {}).get(name) if self._schemas else None
        if entry is not None:
            saved, faker.context = faker.context, {}  # the event's own ids, not the request's
            try:
                made = faker.value(entry["schema"])
            finally:
                faker.context = saved
        made = made if isinstance(made, dict) else {}
        body = made.get("data") if isinstance(made.get("data"), dict) else {}
        for field in ("call_id", "session_id"):  # a SIP call's id, in the form the API gives it
            if field in body:
                body[field] = faker.new_id("rtc_")
        if "sip_headers" in body:
            body["sip_headers"] = [dict(h) for h in _SIP_HEADERS]
        event = {
            **made,
            "id": faker.new_id("evt_"),
            "object": "event",
            "type": name,
            "created_at": int(time.time()),
            "data": {**body, **(data or {})},
        }
        if entry is not None:
            problems = self.app.index.webhook_validator(name).check(event, {}, "application/json")
            if problems:
                raise ValueError(f"the {name} event does not fit the spec: " + "; ".join(map(str, problems)))
        return event

    def send(self, name: str, data: dict | None = None) -> Delivery:
        """Make event ``name`` and deliver it in the background (on the server's event loop)."""
        import json

        delivery = Delivery(self.event(name, data), self.app.faker.new_id("wh_"))
        self.deliveries.append(delivery)
        del self.deliveries[:-_RECORDED]
        payload = json.dumps(delivery.event, separators=(",", ":")).encode()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called outside the server (a test driving the app directly)
            import threading

            threading.Thread(target=asyncio.run, args=(self._deliver(delivery, payload),), daemon=True).start()
            return delivery
        task = loop.create_task(self._deliver(delivery, payload))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return delivery

    # -- delivering ----------------------------------------------------------------------

    async def _deliver(self, delivery: Delivery, payload: bytes) -> None:
        import httpx

        wait = self.backoff
        async with httpx.AsyncClient(timeout=self.timeout, trust_env=False) as http:
            for attempt in range(1, self.attempts + 1):
                # Signed anew for each attempt: the timestamp is the attempt's, the id the event's.
                headers = sign(payload, self._secret.get() or "", delivery.webhook_id)
                headers["content-type"] = "application/json"
                headers["user-agent"] = "OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)"
                record: dict[str, Any] = {"attempt": attempt, "at": time.time()}
                try:
                    answer = await http.post(self.url, content=payload, headers=headers)
                    record["status"] = answer.status_code
                    ok = 200 <= answer.status_code < 300
                except httpx.HTTPError as exc:
                    record["error"] = f"{type(exc).__name__}: {exc}"
                    ok = False
                delivery.attempts.append(record)
                if ok:
                    delivery.delivered = True
                    return
                if attempt < self.attempts:
                    await asyncio.sleep(wait)
                    wait *= 2
        delivery.delivered = False

    def pending(self) -> int:
        """How many deliveries are still being tried."""
        return sum(1 for d in self.deliveries if d.delivered is None)

    def records(self) -> list[dict[str, Any]]:
        """Every recorded delivery, oldest first (``GET /_mock/webhooks``)."""
        return [d.as_dict() for d in self.deliveries]


async def webhooks_endpoint(app: Any, request: Any) -> Any:
    """``/_mock/webhooks``: ``GET`` lists the deliveries (and how many are still being tried);
    ``POST {"type": ..., "data": {...}}`` sends an event now and answers it with its ``webhook_id``."""
    from starlette.responses import JSONResponse

    from ._app import _Reject

    sender: WebhookSender | None = app.webhooks
    if sender is None:
        raise _Reject(409, "the mock sends no webhooks: start it with --webhook-url URL --webhook-secret whsec_...")
    if request.method == "GET":
        return JSONResponse({"object": "list", "data": sender.records(), "pending": sender.pending()})
    if request.method != "POST":
        raise _Reject(405, "use GET to list the deliveries, POST to send an event")
    import json

    try:
        asked = json.loads(await request.body() or b"{}")
    except ValueError:
        raise _Reject(400, 'the body must be JSON: {"type": "realtime.call.incoming", "data": {...}}') from None
    name = asked.get("type") if isinstance(asked, dict) else None
    data = asked.get("data") if isinstance(asked, dict) else None
    if not isinstance(name, str) or (data is not None and not isinstance(data, dict)):
        raise _Reject(400, 'the body must be {"type": "<event type>", "data": {...}} ("data" optional)', "type")
    try:
        delivery = sender.send(name, data)
    except ValueError as exc:
        raise _Reject(400, str(exc), "type") from None
    return JSONResponse({"webhook_id": delivery.webhook_id, "event": delivery.event})
