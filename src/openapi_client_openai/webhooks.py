"""Webhooks from OpenAI: verify their signature, then parse and check them against the spec.

    from openapi_client_openai import OpenAIClient
    client = OpenAIClient()
    event = client.webhooks.unwrap(body, headers)   # the raw body; secret from OPENAI_WEBHOOK_SECRET
    if event["type"] == "batch.completed":
        batch_id = event["data"]["id"]

or, without a client, ``openapi_client_openai.webhooks.unwrap(body, headers, secret)``.

Signatures follow Standard Webhooks (see ``_signing``) and need no spec, so verifying works
with any spec; ``unwrap`` then checks the event against the schema the spec's ``webhooks:``
section gives its ``type`` (OpenAPI 3.1 specs have one, 3.0 specs do not: there it says so,
and ``validate="off"`` takes verified events unchecked).  The same methods serve the blocking
and the asyncio client: verifying is pure computation, with nothing to await.
"""

from __future__ import annotations

import os

from ._errors import ConfigError, WebhookValidationError

TYPE_CHECKING = False  # avoids importing typing at run time (~5 ms)
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any, TypeAlias

    from ._signing import Key
    from .spec import SpecIndex

    HeadersLike: TypeAlias = Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]]

__all__ = ["WEBHOOK_SECRET_ENV", "Webhooks", "check_event", "sign", "unwrap", "verify_signature"]

WEBHOOK_SECRET_ENV = "OPENAI_WEBHOOK_SECRET"
_MODES = ("error", "warn", "off", "strict")


def _key(secret: str | bytes | None) -> Key:
    """The sealed key of the secret given, else of ``OPENAI_WEBHOOK_SECRET``; refused with what to
    do when neither is set.  Callers drop their own reference to the secret once they hold the key."""
    from ._signing import Key

    if secret is None:
        secret = os.environ.get(WEBHOOK_SECRET_ENV) or None
    if secret is None:
        raise ConfigError(
            f"no webhook secret: pass secret= or set {WEBHOOK_SECRET_ENV} to the endpoint's signing secret "
            "('whsec_...', shown when the webhook endpoint is created in the OpenAI dashboard)"
        )
    return Key.of(secret)


def verify_signature(
    payload: bytes | str,
    headers: HeadersLike,
    secret: str | bytes | None = None,
    tolerance: float = 300,
) -> None:
    """Check that ``payload`` (the raw request body, ``bytes`` or ``str``) was signed with the
    endpoint's secret (``secret=``, else ``OPENAI_WEBHOOK_SECRET``) and sent within ``tolerance``
    seconds of now, either way.  ``headers`` are the request's (any mapping or ``(name, value)``
    pairs; names match case-insensitively).  Returns None; raises ``InvalidWebhookSignatureError``
    saying which check failed, or ``ConfigError`` for a missing or malformed secret."""
    from ._signing import verify

    key, secret = _key(secret), None  # from here on, only the sealed key: tracebacks show locals
    verify(payload, headers, key, tolerance)


def sign(
    payload: bytes | str,
    secret: str | bytes | None = None,
    *,
    webhook_id: str | None = None,
    timestamp: int | None = None,
) -> dict[str, str]:
    """The headers (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``) that make
    ``payload`` a delivery signed with ``secret`` (else ``OPENAI_WEBHOOK_SECRET``), as OpenAI
    sends them: for testing a receiver.  ``webhook_id`` defaults to a new id, ``timestamp`` to now."""
    from ._signing import sign as _sign

    key, secret = _key(secret), None
    return _sign(payload, key, webhook_id, timestamp)


def _parse(payload: bytes | str) -> dict[str, Any]:
    """The body as a JSON object with a string ``type``: what every webhook event is."""
    import orjson

    try:
        event = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise WebhookValidationError(f"the webhook verified, but its body is not JSON ({exc})") from None
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        raise WebhookValidationError(
            "the webhook verified, but its body is not an event (a JSON object with a 'type')", event=event
        )
    return event


def check_event(event: Mapping[str, Any], index: SpecIndex, validate: str = "error") -> None:
    """Check a parsed event against the spec's schema for its ``type``.

    With ``validate="error"`` (or ``"strict"``) a mismatch, or an event the spec has no schema for,
    raises ``WebhookValidationError``; ``"warn"`` logs it instead; ``"off"`` checks nothing.
    """
    if validate not in _MODES:
        raise ConfigError(f"validate must be 'error', 'warn', 'off' or 'strict', not {validate!r}")
    if validate == "off":
        return
    kind = event.get("type")
    kind = kind if isinstance(kind, str) else ""
    problem = None
    problems: list[Any] = []
    validator = index.webhook_validator(kind)
    if validator is None:
        known = index.webhook_events()
        if not known:
            problem = (
                f"the spec ({index.source}, OpenAPI {index.data.get('openapi')}) has no schema for webhook events "
                f"(no 'webhooks:' section; OpenAPI 3.0 specs have none), so the verified {kind!r} event cannot be "
                "checked: use an OpenAPI 3.1 spec, or pass validate='off' to take verified events unchecked"
            )
        else:
            problem = (
                f"the spec has no schema for webhook events of type {kind!r} "
                f"(it describes {', '.join(sorted(known))}); a newer spec may "
                "(`openapi-client-openai spec update`), or pass validate='off' to take it unchecked"
            )
    else:
        problems = validator.check(event, {}, "application/json")
        if problems:
            lines = "".join(f"\n  - {p}" for p in problems)
            problem = f"the verified webhook {kind!r} does not fit the spec's schema for it:{lines}"
    if problem is None:
        return
    if validate == "warn":
        import logging

        logging.getLogger("openapi_client_openai").warning("%s (validate='warn': taken anyway)", problem)
        return
    raise WebhookValidationError(problem, event_type=kind or None, problems=problems, event=dict(event))


def unwrap(
    payload: bytes | str,
    headers: HeadersLike,
    secret: str | bytes | None = None,
    *,
    tolerance: float = 300,
    spec: str | os.PathLike[str] | None = None,
    validate: str = "error",
) -> dict[str, Any]:
    """Verify a webhook (see ``verify_signature``), then return its event as a dict, checked
    against the schema that ``spec`` (path or URL; the default spec when None) gives its ``type``.

    Raises ``InvalidWebhookSignatureError`` for a webhook that does not verify (nothing of its
    body is read then), ``WebhookValidationError`` for a verified body that is not a JSON event or
    does not fit the spec (``validate="warn"`` logs instead, ``"off"`` checks nothing).
    """
    from ._signing import verify

    key, secret = _key(secret), None  # from here on, only the sealed key: tracebacks show locals
    verify(payload, headers, key, tolerance)
    event = _parse(payload)
    if validate != "off":
        from .spec import load_index

        check_event(event, load_index(spec), validate)
    return event


class Webhooks:
    """``client.webhooks``: verify and unwrap webhooks, checked against the client's spec and
    under its ``validate`` setting.  The same object on the blocking and the asyncio client."""

    __slots__ = ("_index", "_validate")

    def __init__(self, index: SpecIndex, validate: str = "error") -> None:
        self._index = index
        self._validate = validate

    def unwrap(
        self,
        payload: bytes | str,
        headers: HeadersLike,
        secret: str | bytes | None = None,
        *,
        tolerance: float = 300,
        validate: str | None = None,
    ) -> dict[str, Any]:
        """Verify a webhook and return its event as a dict, checked against the client's spec
        (``validate`` defaults to the client's: ``"error"`` raises ``WebhookValidationError``,
        ``"warn"`` logs, ``"off"`` checks nothing).  The secret is ``secret=``, else
        ``OPENAI_WEBHOOK_SECRET``; a webhook that does not verify raises
        ``InvalidWebhookSignatureError``."""
        from ._signing import verify

        key, secret = _key(secret), None  # from here on, only the sealed key: tracebacks show locals
        verify(payload, headers, key, tolerance)
        event = _parse(payload)
        check_event(event, self._index, self._validate if validate is None else validate)
        return event

    def verify_signature(
        self,
        payload: bytes | str,
        headers: HeadersLike,
        secret: str | bytes | None = None,
        tolerance: float = 300,
    ) -> None:
        """Only verify a webhook's signature (see the module's ``verify_signature``): returns None
        or raises ``InvalidWebhookSignatureError``."""
        from ._signing import verify

        key, secret = _key(secret), None  # from here on, only the sealed key: tracebacks show locals
        verify(payload, headers, key, tolerance)

    def sign(
        self,
        payload: bytes | str,
        secret: str | bytes | None = None,
        *,
        webhook_id: str | None = None,
        timestamp: int | None = None,
    ) -> dict[str, str]:
        """The headers that make ``payload`` a signed delivery (see the module's ``sign``)."""
        return sign(payload, secret, webhook_id=webhook_id, timestamp=timestamp)

    def __repr__(self) -> str:
        return f"<Webhooks checked against {self._index.source}>"
