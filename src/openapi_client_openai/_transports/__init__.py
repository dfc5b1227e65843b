"""The wire layer: one contract (``base``), two stacks behind it (``lean`` and ``httpx``).

``sync_transport``/``async_transport`` pick the stack for a client: the user's own httpx client
when one is given; else our lean HTTP/1.1 stack (measured faster per request and per streamed
event: benchmarks/per_request.py, benchmarks/streaming.py), unless a proxy is configured, which
is httpx's job.  Nothing here imports httpx until that stack is chosen.
"""

from __future__ import annotations

from .base import AsyncExchange, AsyncTransport, Exchange, Headers, Transport

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "AsyncExchange",
    "AsyncTransport",
    "Exchange",
    "Headers",
    "Transport",
    "async_transport",
    "sync_transport",
    "use_lean",
]


def use_lean() -> bool:
    """Whether our own stack may carry a client's requests (no proxy configured)."""
    from .lean import lean_allowed

    return lean_allowed()


def sync_transport(base_url: str, http_client: Any = None, verify: Any = True) -> Transport:
    """The blocking transport for a client: ``http_client`` (an ``httpx.Client``), else lean or httpx."""
    if http_client is None and use_lean():
        from .lean import LeanTransport

        return LeanTransport(verify)
    from .httpx import HttpxTransport, make_sync_client

    if http_client is None:
        return HttpxTransport(make_sync_client(base_url, verify))
    return HttpxTransport(http_client, owned=False)


def async_transport(base_url: str, http_client: Any = None, verify: Any = True) -> AsyncTransport:
    """The asyncio transport for a client: ``http_client`` (an ``httpx.AsyncClient``), else lean or httpx."""
    if http_client is None and use_lean():
        from .lean import AsyncLeanTransport

        return AsyncLeanTransport(verify)
    from .httpx import AsyncHttpxTransport, make_async_client

    if http_client is None:
        return AsyncHttpxTransport(make_async_client(base_url, verify))
    return AsyncHttpxTransport(http_client, owned=False)
