"""What the blocking and asyncio realtime connections share: their arguments, the session
(``_core``), the helpers (``_helpers``), and the options handed to ``websockets``."""

from __future__ import annotations

import logging
import re

from .._config import UNSET, check_seconds
from ._core import Session, plan
from ._events import catalog
from ._helpers import Namespace, namespace_names

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = ["BaseConnection", "websockets_connect", "websockets_options"]

_BEARER = re.compile(r"(Bearer\s+)\S+", re.I)
_WS_LOGGER = "openapi_client_openai.realtime.websocket"


class _RedactKeys(logging.Filter):
    """``websockets`` logs the handshake's headers at DEBUG: the bearer key is masked there."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if "bearer" in text.lower():
            record.msg, record.args = _BEARER.sub(r"\1***", text), ()
        return True


def _logger() -> logging.Logger:
    logger = logging.getLogger(_WS_LOGGER)
    if not any(isinstance(f, _RedactKeys) for f in logger.filters):
        logger.addFilter(_RedactKeys())
    return logger


def websockets_connect(flavour: str) -> Any:
    """``websockets``' ``connect`` of ``flavour`` (``sync`` or ``asyncio``), imported now: a
    ``ConfigError`` naming the extra to install when the package is missing."""
    import importlib

    try:
        return importlib.import_module(f"websockets.{flavour}.client").connect
    except ImportError:
        from .._errors import ConfigError

        raise ConfigError(
            "realtime connections need the websockets package: pip install 'openapi-client-openai[realtime]'"
        ) from None


def websockets_options(keepalive: float | None, open_timeout: float | None) -> dict[str, Any]:
    """Keyword arguments for ``websockets``' ``connect``: messages of any size (audio deltas
    are large), pings every ``keepalive`` seconds (a peer that does not answer one within as
    long is gone), no compression (deltas of base64 audio do not compress), a redacting logger,
    and no limit on unread messages: with one, ``websockets`` stops reading the socket when the
    user stops reading events, and then cannot see the server's close frame, so leaving a
    session in the middle of a response would wait ``close_timeout`` (5 s) before closing."""
    return {
        "max_size": None,
        "max_queue": None,
        "compression": None,
        "ping_interval": keepalive,
        "ping_timeout": keepalive,
        "open_timeout": open_timeout,
        "close_timeout": 5,
        "user_agent_header": None,  # the client's own User-Agent is among the headers
        "logger": _logger(),
    }


class BaseConnection:
    """The arguments and the I/O-free state of one realtime connection (see ``_core``)."""

    _ws: Any = None

    def __init__(
        self,
        client: Any,
        model: str | None,
        query: Mapping[str, Any],
        *,
        beta: bool = False,
        raise_errors: bool = True,
        idle_timeout: Any = UNSET,
        keepalive: float | None = 20.0,
        client_secret: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> None:
        from .._errors import ConfigError

        if not isinstance(beta, bool) or not isinstance(raise_errors, bool):
            raise ConfigError("beta= and raise_errors= take True or False")
        if idle_timeout is UNSET:
            idle_timeout = client.stream_idle_timeout
            if idle_timeout is None:
                idle_timeout = client._timeout.read  # the client's timeout (None: no limit)
        try:
            idle_timeout = check_seconds("idle_timeout", idle_timeout)
            keepalive = check_seconds("keepalive", keepalive)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        target = plan(client, model, query, beta, client_secret, extra_headers)
        client_secret = None
        self._session = Session(catalog(client._index), target, client.validate_mode, raise_errors, idle_timeout)
        self._plan = target
        self._keepalive = keepalive
        self._open_timeout = client._timeout.connect

    @property
    def family(self) -> str:
        """The protocol spoken: ``"ga"`` or ``"beta"``."""
        return self._session.family

    def _options(self) -> dict[str, Any]:
        return websockets_options(self._keepalive, self._open_timeout)

    def __getattr__(self, name: str) -> Namespace:
        # conn.session, conn.response, conn.input_audio_buffer...: from the spec's client events
        if name.startswith("_") or "_session" not in self.__dict__:
            raise AttributeError(name)
        events = self._session.client_events
        if name in namespace_names(events):
            return Namespace(self, name)
        raise AttributeError(
            f"{type(self).__name__} has no attribute {name!r} (the client events of this protocol start with: "
            f"{', '.join(sorted(namespace_names(events)))})"
        )

    def __dir__(self) -> list[str]:
        own = set(super().__dir__())
        session = self.__dict__.get("_session")
        return sorted(own | (namespace_names(session.client_events) if session else set()))

    def __repr__(self) -> str:
        state = "open" if self._ws is not None and self._session.closed is None else "not open or closed"
        return f"<{type(self).__name__} {self._session.family} {self._plan.url} ({state})>"

    def _peer_closed(self, exc: Any) -> Exception | None:
        """The error of a close from the server (None: a normal close, the events end)."""
        from websockets.exceptions import ConnectionClosedOK

        frame = exc.rcvd
        code = frame.code if frame is not None else None
        reason = frame.reason if frame is not None else ""
        return self._session.closed_by_peer(code, reason, isinstance(exc, ConnectionClosedOK))
