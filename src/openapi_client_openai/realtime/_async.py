"""``AsyncRealtimeConnection``: an asyncio realtime WebSocket (``websockets.asyncio.client``)."""

from __future__ import annotations

from ._base import BaseConnection, websockets_connect

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from typing import Any

__all__ = ["AsyncRealtimeConnection"]


class AsyncRealtimeConnection(BaseConnection):
    """``RealtimeConnection`` on the event loop: ``async with client.realtime.connect(...) as conn``;
    ``await conn.send(...)``, ``await conn.recv()``, ``async for event in conn``,
    ``await conn.response_final()``, ``await conn.session.update(...)``."""

    async def open(self) -> AsyncRealtimeConnection:
        """Open the WebSocket (``async with`` does it for you)."""
        if self._ws is not None:
            return self
        connect = websockets_connect("asyncio")
        try:
            self._ws = await connect(self._plan.url, additional_headers=self._plan.headers, **self._options())
        except Exception as exc:
            raise self._session.handshake_failed(exc) from None
        return self

    async def send(self, event: dict[str, Any]) -> None:
        """Check ``event`` against its client-event schema (the client's ``validate`` mode) and send it."""
        data = self._session.encode(event)
        if self._session.closed is not None:
            raise self._session.after_close()
        if self._ws is None:
            await self.open()
        from websockets.exceptions import ConnectionClosed

        try:
            await self._ws.send(data, text=True)
        except ConnectionClosed as exc:
            raise (self._peer_closed(exc) or self._session.after_close()) from None

    async def recv(self) -> dict[str, Any]:
        """Wait for the next server event (see ``RealtimeConnection.recv``)."""
        import asyncio

        if self._session.closed is not None:
            raise self._session.after_close()
        if self._ws is None:
            await self.open()
        from websockets.exceptions import ConnectionClosed

        try:
            data = await asyncio.wait_for(self._ws.recv(), self._session.idle_timeout)
        except asyncio.TimeoutError:
            await self._abort()
            raise self._session.timed_out() from None
        except ConnectionClosed as exc:
            raise (self._peer_closed(exc) or self._session.after_close()) from None
        return self._session.decode(data)

    async def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        """Server events as they arrive, until the server closes the connection normally."""
        from .._errors import APIConnectionError

        while True:
            try:
                yield await self.recv()
            except APIConnectionError:
                if self._session.ended:
                    return  # a normal close: the events end here
                raise

    async def response_final(self) -> dict[str, Any]:
        """Read on to the current response's ``response.done``; return it assembled (see
        ``RealtimeConnection.response_final``)."""
        while True:
            done = self._session.final()
            if done is not None:
                return done
            await self.recv()

    async def _abort(self) -> None:
        if self._ws is not None:
            await self._ws.close(code=1001, reason="idle timeout")

    async def close(self) -> None:
        """Close the connection (code 1000); later sends and receives raise ``APIConnectionError``."""
        ws = self._ws
        if ws is not None:
            await ws.close()
        self._session.closed = self._session.closed or self._session.after_close()
        self._session.ended = True  # closed here: a loop over the events ends

    async def __aenter__(self) -> AsyncRealtimeConnection:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
