"""When to retry and how long to wait.  Pure functions; the loops live in the clients.

Retried: connection errors, timeouts, and the statuses 408, 409, 429 and 5xx, unless the
server says otherwise with ``x-should-retry: false`` (or ``true``, which retries any status).
The wait is ``retry-after-ms`` or ``Retry-After`` when the server gives one (honoured up to
60 s), else an exponential back-off from 0.5 s to 8 s with jitter.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

__all__ = ["MAX_RETRY_AFTER", "RETRY_STATUSES", "parse_retry_after", "retry_delay", "should_retry"]

RETRY_STATUSES = frozenset({408, 409, 429})
MAX_RETRY_AFTER = 60.0
INITIAL_DELAY = 0.5
MAX_DELAY = 8.0


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    """A header's value whatever the case of its name (plain dicts included)."""
    if not headers:
        return None
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value


def should_retry(status_code: int, headers: Mapping[str, str]) -> bool:
    """Tell whether an answer with this status and these headers is worth another try.

    The server decides first: ``x-should-retry: true`` retries any status and ``false``
    retries none (names and values in any case).  Otherwise 408, 409, 429 and 5xx are retried.
    """
    verdict = (_header(headers, "x-should-retry") or "").strip().lower()
    if verdict == "true":
        return True
    if verdict == "false":
        return False
    return status_code in RETRY_STATUSES or status_code >= 500


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Return the wait the server asks for in seconds, or None if it asks for none."""
    if not headers:
        return None
    ms = _header(headers, "retry-after-ms")
    if ms is not None:
        try:
            return float(ms) / 1000.0
        except ValueError:
            pass
    value = _header(headers, "retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    import email.utils
    import time

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


def retry_delay(retries_done: int, headers: Mapping[str, str] | None = None) -> float:
    """Return how long to wait before the next try, after ``retries_done`` retries."""
    asked = parse_retry_after(headers)
    if asked is not None and asked >= 0:
        return min(asked, MAX_RETRY_AFTER)
    delay = min(INITIAL_DELAY * (2**retries_done), MAX_DELAY)
    return delay * (1 - 0.25 * random.random())
