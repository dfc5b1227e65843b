"""The wire layer: one contract (``base``), two stacks behind it (``lean`` and ``httpx``).

``open_transport`` picks the stack for a client: the user's own httpx client
when one is given; else our lean HTTP/1.1 stack (measured faster per request and per streamed
event: benchmarks/per_request.py, benchmarks/streaming.py), unless a proxy is configured or the
connections open at once are bounded: those are httpx's job.  Nothing here imports httpx until that stack is chosen.
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
    "open_transport",
    "use_lean",
]


def use_lean() -> bool:
    """Whether our own stack may carry a client's requests (no proxy configured)."""
    from .lean import lean_allowed

    return lean_allowed()


def open_transport(
    base_url: str,
    http_client: Any = None,
    verify: Any = True,
    asynchronous: bool = False,
    cert: Any = None,
    proxy: Any = None,
    limits: Any = None,
) -> Any:
    """The transport for a client: over ``http_client`` (the user's own httpx client) if given;
    else our lean stack, or httpx when a proxy is configured (``proxy=`` or the environment) or
    ``limits`` bound the connections open at once (httpx queues requests for a free one); both
    make their TLS context from ``verify``/``cert`` the same way (``tls``)."""
    bounded = limits is not None and limits.max_connections is not None
    if http_client is None and proxy is None and not bounded and use_lean():
        from . import lean

        return (lean.AsyncLeanTransport if asynchronous else lean.LeanTransport)(verify, cert, limits)
    from . import httpx as stack

    cls = stack.AsyncHttpxTransport if asynchronous else stack.HttpxTransport
    if http_client is None:
        make = stack.make_async_client if asynchronous else stack.make_sync_client
        return cls(make(base_url, verify, cert, proxy, limits))
    return cls(http_client, owned=False)
