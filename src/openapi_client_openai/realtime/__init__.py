"""The Realtime API over WebSocket: ``client.realtime.connect(model=...)``.

Imported when ``client.realtime`` is first used, never by ``import openapi_client_openai``;
the WebSocket library (``websockets``, the ``realtime`` extra) only when a connection opens.
Modules: ``_events`` (the spec's event families and checking one event), ``_final`` (responses
assembled from their events), ``_core`` (handshake and session rules, no I/O), ``_helpers``
(``conn.session.update(...)`` and the like from the schemas), ``_base``/``_sync``/``_async``
(the connections).
"""

from __future__ import annotations

from .._config import UNSET
from ._async import AsyncRealtimeConnection
from ._core import RealtimeError
from ._events import FAMILIES, EventCatalog, catalog
from ._sync import RealtimeConnection

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "FAMILIES",
    "AsyncRealtime",
    "AsyncRealtimeConnection",
    "EventCatalog",
    "Realtime",
    "RealtimeConnection",
    "RealtimeError",
    "catalog",
]


class Realtime:
    """``client.realtime`` of the blocking client."""

    _connection: Any = RealtimeConnection

    def __init__(self, client: Any) -> None:
        self._client = client

    def connect(
        self,
        model: str | None = None,
        *,
        beta: bool = False,
        raise_errors: bool = True,
        idle_timeout: Any = UNSET,
        keepalive: float | None = 20.0,
        client_secret: str | None = None,
        extra_headers: dict[str, str] | None = None,
        **query: Any,
    ) -> Any:
        """A realtime session over WebSocket, opened by ``with`` (or ``.open()``).

        ``model`` and other keywords go to the URL's query (``/realtime?model=...``).
        ``beta=True`` speaks the beta protocol (``OpenAI-Beta: realtime=v1``, the beta event
        schemas); ``raise_errors=False`` yields ``error`` events instead of raising them;
        ``idle_timeout`` seconds to wait for a server event (default: the client's
        ``stream_idle_timeout``, else its read timeout); ``keepalive`` seconds between pings
        (``None``: none); ``client_secret`` an ephemeral key used instead of the client's.
        """
        return self._connection(
            self._client,
            model,
            query,
            beta=beta,
            raise_errors=raise_errors,
            idle_timeout=idle_timeout,
            keepalive=keepalive,
            client_secret=client_secret,
            extra_headers=extra_headers,
        )

    def __repr__(self) -> str:
        return "<realtime: connect(model=...)>"


class AsyncRealtime(Realtime):
    """``client.realtime`` of the asyncio client: ``connect`` takes the same arguments and returns
    an ``AsyncRealtimeConnection``, opened by ``async with``."""

    _connection = AsyncRealtimeConnection
