"""Standard Webhooks signatures, as OpenAI signs its webhooks: pure functions, no I/O, no spec.

A delivery carries three headers: ``webhook-id`` (the message id, the same on every retry),
``webhook-timestamp`` (Unix seconds) and ``webhook-signature``: one or more space-separated
``v1,<base64 HMAC-SHA256>`` entries, each over ``id.timestamp.body`` with the key that the
secret ``whsec_<base64>`` encodes (several entries while a secret is being rotated).  Verifying
checks the headers are there, the timestamp is within the tolerance either way (a replayed or
post-dated delivery is refused) and one entry matches, compared in constant time.

The secret never reaches a message, a repr or a log: errors name the check that failed, never
the values a signature is made from.
"""

from __future__ import annotations

import base64
import hmac
import time

from ._errors import ConfigError, InvalidWebhookSignatureError, ParameterError

TYPE_CHECKING = False  # avoids importing typing at run time (~5 ms)
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

__all__ = [
    "HEADERS",
    "SECRET_PREFIX",
    "Key",
    "body_bytes",
    "header_values",
    "parse_signatures",
    "secret_key",
    "sign",
    "signature",
    "verify",
]

SECRET_PREFIX = "whsec_"
HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
_MAX_ENTRIES = 64  # a rotation has two or three; more is junk, and each costs an HMAC compare


def secret_key(secret: str | bytes) -> bytes:
    """The HMAC key of a webhook secret: ``whsec_<base64>`` as the OpenAI dashboard shows it, or
    the raw key as ``bytes``.

    Raises ``ConfigError`` (never showing the secret) for an empty secret, a string without the
    ``whsec_`` prefix (the official SDK and the ``standardwebhooks`` package read such a string
    differently, so guessing would verify against the wrong key) or one whose rest is not base64.
    """
    if isinstance(secret, (bytes, bytearray)):
        if not secret:
            raise ConfigError("the webhook secret is empty")
        return bytes(secret)
    if not isinstance(secret, str):
        raise ConfigError(
            f"the webhook secret must be a string 'whsec_...' (or the key as bytes), not {type(secret).__name__}"
        )
    text = secret.strip()
    if not text.startswith(SECRET_PREFIX):
        raise ConfigError(
            "the webhook secret must start with 'whsec_' as the OpenAI dashboard shows it "
            "(check OPENAI_WEBHOOK_SECRET or secret=; pass bytes for a raw key)"
        )
    encoded = text[len(SECRET_PREFIX) :]
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except ValueError:
        raise ConfigError(
            "the webhook secret is not valid: after 'whsec_' it must be base64 (copy it again from the dashboard)"
        ) from None
    if not key:
        raise ConfigError("the webhook secret is empty after 'whsec_'")
    return key


class Key:
    """A webhook secret's HMAC key, sealed: its repr is ``<hidden>``, so neither a log of it nor the
    locals a traceback shows (rich, Sentry) reveal it.  ``Key.of(secret)`` reads a secret."""

    __slots__ = ("_raw",)

    def __init__(self, raw: bytes) -> None:
        self._raw = raw

    @classmethod
    def of(cls, secret: str | bytes | Key) -> Key:
        """The key of a secret (see ``secret_key``), or the key itself."""
        return secret if isinstance(secret, Key) else cls(secret_key(secret))

    def __repr__(self) -> str:
        return "<hidden>"

    __str__ = __repr__


def body_bytes(payload: Any) -> bytes:
    """The body as signed: ``bytes`` as received, or ``str`` in UTF-8.

    Anything else (a parsed ``dict``) is refused: re-serialised JSON is not the bytes that were
    signed, so it could never verify.
    """
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, (bytearray, memoryview)):
        return bytes(payload)
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogatepass")
    raise ParameterError(
        f"the webhook payload must be the raw request body (bytes or str), not {type(payload).__name__}: "
        "a parsed body cannot be verified, its bytes differ from those signed"
    )


def header_values(headers: Any) -> dict[str, str]:
    """The three webhook headers, by lower-case name, from a mapping (``dict``, ``httpx.Headers``,
    a framework's headers) or ``(name, value)`` pairs (ASGI's raw headers, in bytes or text).
    Names match case-insensitively; the first value of a name wins; missing ones are absent."""
    if headers is None:
        return {}
    items: Iterable[Any]
    if hasattr(headers, "items"):
        items = headers.items()
    elif isinstance(headers, (str, bytes)):
        raise ParameterError("the webhook headers must be a mapping or (name, value) pairs, not a string")
    else:
        items = headers
    found: dict[str, str] = {}
    for pair in items:
        try:
            name, value = pair
        except (TypeError, ValueError):
            raise ParameterError("the webhook headers must be a mapping or (name, value) pairs") from None
        if isinstance(name, bytes):
            name = name.decode("latin-1")
        if not isinstance(name, str):
            continue
        name = name.lower()
        if name in HEADERS and name not in found:
            found[name] = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return found


def parse_signatures(value: str) -> list[bytes]:
    """The ``v1`` signatures of a ``webhook-signature`` header, decoded; entries of other
    versions (``v1a``, asymmetric) and entries that are not ``version,base64`` are skipped."""
    out = []
    for entry in value.split()[:_MAX_ENTRIES]:
        version, comma, encoded = entry.partition(",")
        if not comma or version != "v1" or not encoded:
            continue
        try:
            out.append(base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True))
        except ValueError:
            continue
    return out


def _mac(key: Key, msg_id: str, timestamp: str, body: bytes) -> bytes:
    # hmac.digest: the one-shot C path, about 3x faster than hmac.new(...).digest() for a webhook
    return hmac.digest(key._raw, f"{msg_id}.{timestamp}.".encode() + body, "sha256")


def signature(key: bytes, msg_id: str, timestamp: int | str, body: bytes) -> str:
    """One ``v1,<base64>`` signature entry of ``body`` sent as message ``msg_id`` at ``timestamp``."""
    return "v1," + base64.b64encode(_mac(Key(key), msg_id, str(timestamp), body)).decode("ascii")


def sign(
    payload: bytes | str,
    secret: str | bytes | Key,
    msg_id: str | None = None,
    timestamp: int | None = None,
) -> dict[str, str]:
    """The three headers that make ``payload`` a signed delivery (``msg_id`` defaults to a new
    ``msg_...`` id, ``timestamp`` to now)."""
    if msg_id is None:
        import secrets

        msg_id = "msg_" + secrets.token_hex(12)
    if timestamp is None:
        timestamp = int(time.time())
    if not msg_id or any(c.isspace() or c == "." for c in msg_id):
        raise ParameterError(f"a webhook id must be non-empty, without spaces or dots: {msg_id!r}")
    entry = "v1," + base64.b64encode(_mac(Key.of(secret), msg_id, str(int(timestamp)), body_bytes(payload))).decode()
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(timestamp)), "webhook-signature": entry}


def _fail(message: str, reason: str) -> InvalidWebhookSignatureError:
    return InvalidWebhookSignatureError(message, reason=reason)


def verify(
    payload: bytes | str,
    headers: Any,
    secret: str | bytes | Key,
    tolerance: float = 300,
    now: float | None = None,
) -> tuple[str, int]:
    """Check a delivery's signature; return its ``(webhook-id, timestamp)``.

    Raises ``InvalidWebhookSignatureError`` whose ``reason`` names the check that failed:
    ``missing_header``, ``bad_timestamp``, ``too_old``, ``too_new``, ``no_signature`` (no ``v1``
    entry) or ``mismatch``.  ``now`` (Unix seconds) is for tests; by default the clock's.
    """
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not tolerance >= 0:
        raise ParameterError(f"tolerance must be a number of seconds >= 0, not {tolerance!r}")
    key = Key.of(secret)
    secret = key  # no local of this frame holds the secret itself: tracebacks show locals
    body = body_bytes(payload)
    found = header_values(headers)
    missing = [name for name in HEADERS if not found.get(name, "").strip()]
    if missing:
        raise _fail(f"the webhook is missing the header(s) {', '.join(missing)}: it was not signed", "missing_header")
    msg_id = found["webhook-id"].strip()
    stamp = found["webhook-timestamp"].strip()
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 15:
        shown = stamp if len(stamp) <= 20 else stamp[:17] + "..."
        raise _fail(f"webhook-timestamp must be whole Unix seconds, not {shown!r}", "bad_timestamp")
    timestamp = int(stamp)
    clock = time.time() if now is None else now
    if clock - timestamp > tolerance:
        raise _fail(
            f"the webhook timestamp is {int(clock - timestamp)} s old, beyond the tolerance of {tolerance:g} s "
            "(a replayed delivery, or a clock out of step)",
            "too_old",
        )
    if timestamp - clock > tolerance:
        raise _fail(
            f"the webhook timestamp is {int(timestamp - clock)} s in the future, beyond the tolerance of "
            f"{tolerance:g} s (a clock out of step)",
            "too_new",
        )
    given = parse_signatures(found["webhook-signature"])
    if not given:
        raise _fail("webhook-signature holds no v1 signature ('v1,<base64>' entries)", "no_signature")
    expected = _mac(key, msg_id, stamp, body)
    # Every entry is compared, whatever the outcome of the others: the time taken says nothing.
    matched = False
    for candidate in given:
        matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise _fail(
            f"no signature matches ({len(given)} checked): the body was changed after signing, or the secret "
            "is not this endpoint's",
            "mismatch",
        )
    return msg_id, timestamp
