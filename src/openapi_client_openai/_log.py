"""Logging of requests: ``OPENAI_LOG=info|debug``, or ordinary ``logging`` configuration.

Everything goes to the ``openapi_client_openai`` logger.  At INFO: one line per answer (method,
URL, status, request id, attempt, elapsed ms; a failure to talk at all is one line too) and one
per retry (its reason and wait).  At DEBUG also the request's headers and body and the answer's
body (not a stream's events), each cut to ``MAX_BODY`` characters.  Secrets are masked twice:
headers that carry credentials are shown as ``<hidden>`` by name, and every line passes through
the client's ``Secret`` (API key, admin key, Azure tokens, proxy password).

``logging`` itself is imported only once something asks for logging: when nothing has
imported it, no handler exists, so nothing could be written (``logger``).
"""

from __future__ import annotations

import os
import sys

from ._errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ._errors import Secret
    from ._request import PreparedRequest

__all__ = [
    "LOGGER_NAME",
    "LOG_ENV",
    "MAX_BODY",
    "configure_from_env",
    "log_answer",
    "log_body",
    "log_request",
    "log_retry",
    "logger",
]

LOG_ENV = "OPENAI_LOG"
LOGGER_NAME = "openapi_client_openai"
MAX_BODY = 4096
# Headers that carry credentials, by lower-cased name: never logged, whatever their value.
_HIDDEN = frozenset({"authorization", "api-key", "proxy-authorization", "cookie", "x-api-key", "openai-admin-key"})
_LEVELS = {"info": 20, "debug": 10}
_configured: list[str] = []


def configure_from_env(environ: Any = None) -> None:
    """Honour ``OPENAI_LOG`` (``info`` or ``debug``): log to stderr at that level (once per process).

    Any other value is a ``ConfigError`` naming the allowed ones; unset or empty does nothing,
    leaving logging to the application's own configuration.
    """
    value = (environ if environ is not None else os.environ).get(LOG_ENV, "").strip().lower()
    if not value or value in _configured:
        return
    level = _LEVELS.get(value)
    if level is None:
        raise ConfigError(f"{LOG_ENV} must be 'info' or 'debug' (or unset), not {value!r}")
    import logging

    log = logging.getLogger(LOGGER_NAME)
    if not any(getattr(h, "_from_openai_log", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._from_openai_log = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    log.setLevel(level)
    _configured.append(value)


def logger() -> Any:
    """The package's logger if INFO lines would be written, else None (the cheap check per request)."""
    log = _LOGGER[0]
    if log is None:
        logging = sys.modules.get("logging")
        if logging is None:
            return None
        log = _LOGGER[0] = logging.getLogger(LOGGER_NAME)
    return log if log.isEnabledFor(20) else None


_LOGGER: list[Any] = [None]  # the logger, once logging is imported (isEnabledFor caches the level)


def _shown(data: Any, secret: Secret) -> str:
    """A body as text for a log line: decoded, cut to ``MAX_BODY``, secrets masked."""
    if data is None:
        return "(none)"
    if not isinstance(data, (bytes, str)):
        return f"({type(data).__name__}: not shown)"
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    if len(text) > MAX_BODY:
        text = f"{text[:MAX_BODY]}... ({len(text)} characters)"
    return secret.redact(text)


def _headers(headers: Any, secret: Secret) -> str:
    shown = {name: "<hidden>" if name.lower() in _HIDDEN else value for name, value in headers.items()}
    return secret.redact(repr(shown))


def log_request(log: Any, req: PreparedRequest, secret: Secret) -> None:
    """At DEBUG: the request's headers and body, before the first attempt."""
    if not log.isEnabledFor(10):
        return
    body = req.content if isinstance(req.content, bytes) else None
    form = "" if body is not None or req.content is None else f" ({len(req.files or ())} file(s), not shown)"
    log.debug(
        "request %s headers=%s body=%s%s",
        secret.redact(req.description),
        _headers(req.headers, secret),
        _shown(body, secret),
        form,
    )


def log_answer(log: Any, req: PreparedRequest, got: Any, attempt: int, started: float, secret: Secret) -> None:
    """At INFO: the answer's status and request id (or why there is none), the attempt and the time."""
    import time

    elapsed = (time.monotonic() - started) * 1000
    where = secret.redact(req.description)
    headers = getattr(got, "headers", None)
    if headers is None:  # an APIError: no answer came
        what = f"{type(got).__name__}: {secret.redact(str(got))}"
        log.info("HTTP %s -> %s (attempt %d, %.1f ms)", where, what, attempt, elapsed)
        return
    request_id = headers.get("x-request-id") or headers.get("apim-request-id") or "-"
    log.info(
        "HTTP %s -> %d %s (request id %s, attempt %d, %.1f ms)",
        where,
        got.status_code,
        got.reason,
        request_id,
        attempt,
        elapsed,
    )


def log_body(log: Any, req: PreparedRequest, content: Any, secret: Secret) -> None:
    """At DEBUG: the answer's body (read whole: JSON, errors, small text)."""
    if log.isEnabledFor(10):
        log.debug("answer %s body=%s", secret.redact(req.description), _shown(content, secret))


def log_retry(req: PreparedRequest, delay: float, attempt: int, attempts: int, reason: str, secret: Secret) -> None:
    """At INFO: a retry, which request, why, how long the wait, and which attempt comes next."""
    import logging

    logging.getLogger(LOGGER_NAME).info(
        "retrying %s in %.2f s (attempt %d of at most %d): %s",
        secret.redact(req.description),
        delay,
        attempt,
        attempts,
        secret.redact(reason),
    )
