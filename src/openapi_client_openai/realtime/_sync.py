"""``RealtimeConnection``: a blocking realtime WebSocket (``websockets.sync.client``)."""

from __future__ import annotations

from ._base import BaseConnection, websockets_connect

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

__all__ = ["RealtimeConnection"]


class RealtimeConnection(BaseConnection):
    """One realtime session: ``with client.realtime.connect(model=...) as conn:``.

    ``conn.send(event)`` checks a client event against the spec and sends it; ``conn.recv()``
    waits for the next server event (a dict); iterating yields server events until the server
    closes; ``conn.response_final()`` reads on to the current response's ``response.done`` and
    returns it assembled.  ``conn.session.update(...)``, ``conn.response.create(...)``,
    ``conn.input_audio_buffer.append(pcm_bytes)``... send the spec's client events.
    """

    def open(self) -> RealtimeConnection:
        """Open the WebSocket (``with`` does it for you)."""
        if self._ws is not None:
            return self
        connect = websockets_connect("sync")
        try:
            self._ws = connect(self._plan.url, additional_headers=self._plan.headers, **self._options())
        except Exception as exc:
            raise self._session.handshake_failed(exc) from None
        return self

    def send(self, event: dict[str, Any]) -> None:
        """Check ``event`` against its client-event schema (the client's ``validate`` mode) and send it."""
        data = self._session.encode(event)
        if self._session.closed is not None:
            raise self._session.after_close()
        if self._ws is None:
            self.open()
        from websockets.exceptions import ConnectionClosed

        try:
            self._ws.send(data, text=True)
        except ConnectionClosed as exc:
            raise (self._peer_closed(exc) or self._session.after_close()) from None

    def recv(self) -> dict[str, Any]:
        """Wait for the next server event and return it (a dict; ``event["type"]`` names it).

        An ``error`` event raises ``RealtimeError`` (an ``APIError``) unless ``raise_errors=False``;
        a close with an error code raises ``APIConnectionError``; no event within
        ``idle_timeout`` seconds raises ``APITimeoutError``.
        """
        if self._session.closed is not None:
            raise self._session.after_close()
        if self._ws is None:
            self.open()
        from websockets.exceptions import ConnectionClosed

        try:
            data = self._ws.recv(timeout=self._session.idle_timeout)
        except TimeoutError:
            self._abort()
            raise self._session.timed_out() from None
        except ConnectionClosed as exc:
            raise (self._peer_closed(exc) or self._session.after_close()) from None
        return self._session.decode(data)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Server events as they arrive, until the server closes the connection normally."""
        from .._errors import APIConnectionError

        while True:
            try:
                yield self.recv()
            except APIConnectionError:
                if self._session.ended:
                    return  # a normal close: the events end here
                raise

    def response_final(self) -> dict[str, Any]:
        """Read on to the current response's ``response.done``; return it assembled: ``text``,
        ``audio`` (bytes), ``transcript``, ``function_calls`` (``name``, ``call_id``,
        ``arguments``), ``usage`` and ``response`` (the response object of ``response.done``)."""
        while True:
            done = self._session.final()
            if done is not None:
                return done
            self.recv()

    def _abort(self) -> None:
        if self._ws is not None:
            self._ws.close(code=1001, reason="idle timeout")

    def close(self) -> None:
        """Close the connection (code 1000); later sends and receives raise ``APIConnectionError``."""
        ws = self._ws
        if ws is not None:
            ws.close()
        self._session.closed = self._session.closed or self._session.after_close()
        self._session.ended = True  # closed here: a loop over the events ends

    def __enter__(self) -> RealtimeConnection:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()
