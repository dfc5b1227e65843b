"""A lean HTTP/1.1 reader for event streams, sync (sockets) and asyncio (a Protocol).

Streaming answers spend most of their time in per-chunk framing when they go through
httpx, httpcore and h11 (the real API sends one HTTP chunk per event); reading large
socket buffers and decoding the chunked framing here is several times faster (measured in
benchmarks/streaming.py).  Requests are still built by httpx, so headers and multipart
bodies are identical; only the sending and the reading of streaming calls happen here.
Connections are kept alive and pooled.  Proxies are httpx's job: with a proxy configured
the client streams through httpx instead (see ``lean_allowed``).
"""

from __future__ import annotations

import os
import socket
import sys
import time
import zlib

from ._chunked import ChunkedDecoder, ChunkedError
from ._errors import APIConnectionError, APITimeoutError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from typing import Any

__all__ = ["AsyncLeanPool", "AsyncLeanResponse", "LeanPool", "LeanResponse", "lean_allowed"]

_RECV = 256 * 1024
_MAX_HEAD = 64 * 1024
_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
_INTERIM = range(100, 200)


def lean_allowed() -> bool:
    """Whether streams may bypass httpx: not when a proxy is configured (environment or system)."""
    if any(os.environ.get(name) for name in _PROXY_VARS):
        return False
    if os.name == "nt" or sys.platform == "darwin":  # system proxy settings, which httpx honours too
        import urllib.request

        return not any(k in ("http", "https", "all") for k in urllib.request.getproxies())
    return True


def _ssl_context() -> Any:
    import ssl

    cafile = os.environ.get("SSL_CERT_FILE")
    capath = os.environ.get("SSL_CERT_DIR")
    if not cafile and not capath:
        try:
            import certifi

            cafile = certifi.where()
        except ImportError:
            pass
    ctx = ssl.create_default_context(cafile=cafile, capath=capath)
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


def _origin(url: Any) -> tuple[str, str, int]:
    scheme = url.scheme
    port = url.port or (443 if scheme == "https" else 80)
    return scheme, url.host, port


def _request_bytes(request: Any) -> bytes:
    url = request.url
    target = url.raw_path.decode("ascii")
    lines = [f"{request.method} {target} HTTP/1.1"]
    for name, value in request.headers.multi_items():
        if name.lower() == "accept-encoding":
            value = "identity"  # event streams are not worth compressing; no decoder in the hot loop
        lines.append(f"{name}: {value}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + request.read()


def _parse_head(head: bytes) -> tuple[int, str, list[tuple[str, str]]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise APIConnectionError(f"not an HTTP/1.1 answer: {lines[0][:80]!r}")
    headers = []
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    return int(parts[1]), parts[2] if len(parts) > 2 else "", headers


def _take_head(buf: bytes, description: str) -> tuple[tuple | None, bytes]:
    """Find the final answer's head in ``buf``, skipping interim 1xx heads (``103 Early Hints``).

    Returns ``((status, reason, headers), rest)`` once a final head is whole, else ``(None, buf)``
    with the interim heads already dropped.
    """
    while True:
        end = buf.find(b"\r\n\r\n")
        if end > _MAX_HEAD or (end < 0 and len(buf) > _MAX_HEAD):
            raise APIConnectionError(f"the answer's head is too large: {description}")
        if end < 0:
            return None, buf
        status, reason, headers = _parse_head(buf[:end])
        buf = buf[end + 4 :]
        if status in _INTERIM and status != 101:
            continue
        return (status, reason, headers), buf


class _Framing:
    """How the body ends: chunked, a length, or the connection closing; plus content decoding."""

    __slots__ = ("chunked", "decompress", "keep_alive", "left")

    def __init__(self, headers: list[tuple[str, str]], method: str, status: int) -> None:
        self.chunked: ChunkedDecoder | None = None
        self.left: int | None = None
        self.decompress: Any = None
        self.keep_alive = True
        for name, value in headers:
            lname = name.lower()
            if lname == "transfer-encoding" and "chunked" in value.lower():
                self.chunked = ChunkedDecoder()
            elif lname == "content-length" and value.isdigit():
                self.left = int(value)
            elif lname == "connection" and "close" in value.lower():
                self.keep_alive = False
            elif lname == "content-encoding" and value.lower() in ("gzip", "deflate", "x-gzip"):
                self.decompress = zlib.decompressobj(zlib.MAX_WBITS | 32)
        if self.chunked is not None:
            self.left = None
        elif method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            self.left = 0
        elif self.left is None:
            self.keep_alive = False  # the body ends when the connection closes

    def decode(self, data: bytes) -> bytes:
        """Turn received bytes into body bytes, tracking where the body ends."""
        if self.chunked is not None:
            try:
                data = self.chunked.feed(data)
            except ChunkedError as exc:
                raise APIConnectionError(f"the answer's chunked framing is broken: {exc}") from None
        elif self.left is not None:
            if len(data) > self.left:
                data = data[: self.left]
                self.keep_alive = False  # bytes past the body: the connection is not clean
            self.left -= len(data)
        if self.decompress is not None and data:
            try:
                data = self.decompress.decompress(data)
            except zlib.error as exc:
                raise APIConnectionError(f"the answer's compressed body is broken: {exc}") from None
        return data

    @property
    def complete(self) -> bool:
        if self.chunked is not None:
            return self.chunked.done
        return self.left == 0

    @property
    def until_close(self) -> bool:
        return self.chunked is None and self.left is None


class _LeanBase:
    """What the sync and asyncio responses share: the head, framing, and the read deadline."""

    def __init__(
        self,
        pool: Any,
        key: Any,
        conn: Any,
        status: int,
        reason: str,
        headers: list,
        rest: bytes,
        framing: _Framing,
        read_timeout: float | None,
        description: str,
    ) -> None:
        self._pool = pool
        self._key = key
        self._conn = conn  # a socket (sync) or a _Reader (asyncio)
        self.status_code = status
        self.reason = reason
        self.headers = headers
        self._rest = rest
        self._framing = framing
        self.read_timeout = read_timeout
        self.description = description
        self.deadline: float | None = None  # set by the stream to bound the time between events

    def _wait(self) -> float | None:
        """How long the next read may wait: the read timeout, or less to meet the deadline."""
        timeout = self.read_timeout
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise APITimeoutError(f"no event within the stream idle timeout: {self.description}")
            timeout = left if timeout is None else min(timeout, left)
        return timeout

    def _timed_out(self, timeout: float | None) -> APITimeoutError:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return APITimeoutError(f"no event within the stream idle timeout: {self.description}")
        return APITimeoutError(f"the stream stalled for {timeout:.3g} s: {self.description}")

    def _first(self) -> bytes:
        """The body bytes that came with the head."""
        data, self._rest = self._rest, b""
        return self._framing.decode(data) if data else b""

    def _ended(self, data: bytes) -> bool:
        """For an empty read: True if that ends the body, else raise (the body was cut)."""
        if data:
            return False
        if self._framing.until_close:
            self._framing.keep_alive = False
            return True
        raise APIConnectionError(f"the connection closed before the answer ended: {self.description}")

    @property
    def _clean(self) -> bool:
        framing = self._framing
        return framing.complete and framing.keep_alive and not (framing.chunked and framing.chunked.leftover)


class LeanResponse(_LeanBase):
    """The head of an answer read by ``LeanPool``, and its body as an iterator of bytes."""

    def _recv(self) -> bytes:
        timeout = self._wait()
        sock = self._conn
        sock.settimeout(timeout)
        try:
            return sock.recv(_RECV)
        except TimeoutError:
            raise self._timed_out(timeout) from None
        except OSError as exc:
            raise APIConnectionError(f"the stream broke: {self.description}: {exc}") from None

    def iter_body(self) -> Iterator[bytes]:
        """Yield the body as it arrives; raise ``APIConnectionError`` if it is cut short."""
        framing = self._framing
        body = self._first()
        if body:
            yield body
        while not framing.complete:
            data = self._recv()
            if self._ended(data):
                return
            body = framing.decode(data)
            if body:
                yield body

    def read(self) -> bytes:
        """Read the whole body (used for error answers)."""
        try:
            data = b"".join(self.iter_body())
        except BaseException:
            self.close()
            raise
        self.release()
        return data

    def drain(self, max_bytes: int = 64 * 1024, max_seconds: float = 1.0) -> None:
        """Read what is left of the body within a bound, then give the connection back."""
        if self._conn is None:
            return
        if not self._framing.complete and not self._framing.until_close:
            self.deadline = time.monotonic() + max_seconds  # bounds framing-only bytes too
            seen = 0
            try:
                for piece in self.iter_body():
                    seen += len(piece)
                    if seen > max_bytes:
                        break
            except (APIConnectionError, APITimeoutError):
                pass
            except BaseException:
                self.close()
                raise
        self.release()

    def release(self) -> None:
        """Return the connection to the pool if the body ended cleanly, else close it."""
        sock, self._conn = self._conn, None
        if sock is None:
            return
        if self._clean:
            self._pool._put(self._key, sock)
        else:
            sock.close()

    def close(self) -> None:
        """Close the connection without reading further."""
        sock, self._conn = self._conn, None
        if sock is not None:
            sock.close()


class LeanPool:
    """Keep-alive HTTP/1.1 connections for streaming calls, by origin.  Thread-safe."""

    def __init__(self, max_idle: int = 20) -> None:
        import threading

        self._idle: dict[tuple, list] = {}
        self._lock = threading.Lock()
        self._ssl: Any = None
        self.max_idle = max_idle

    def _put(self, key: tuple, sock: Any) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self.max_idle:
                idle.append(sock)
                return
        sock.close()

    def _get(self, key: tuple) -> Any:
        import select

        while True:
            with self._lock:
                idle = self._idle.get(key)
                sock = idle.pop() if idle else None
            if sock is None:
                return None
            try:
                # An idle connection must have nothing to read: data there is a stale answer
                # or the server closing it.  Either way it is not reused.
                readable = bool(select.select([sock], [], [], 0)[0]) or bool(getattr(sock, "pending", int)())
            except (OSError, ValueError):
                readable = True
            if not readable:
                return sock
            sock.close()

    def _connect(self, key: tuple, connect_timeout: float | None) -> Any:
        scheme, host, port = key
        sock = socket.create_connection((host, port), timeout=connect_timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if scheme == "https":
            if self._ssl is None:
                self._ssl = _ssl_context()
            sock = self._ssl.wrap_socket(sock, server_hostname=host)
        return sock

    def send(self, request: Any, timeout: Any, description: str) -> LeanResponse:
        """Send an httpx request and read the answer's head; the body is left to iterate."""
        key = _origin(request.url)
        payload = _request_bytes(request)
        read_timeout = timeout.read
        for attempt in (0, 1):
            reused = self._get(key) if attempt == 0 else None
            sock = reused
            received = False
            try:
                if sock is None:
                    sock = self._connect(key, timeout.connect)
                sock.settimeout(timeout.write)
                sock.sendall(payload)
                sock.settimeout(read_timeout)
                head, buf = None, b""
                while head is None:
                    data = sock.recv(_RECV)
                    if not data:
                        raise ConnectionResetError("closed before the answer's head")
                    received = True
                    head, buf = _take_head(buf + data, description)
            except TimeoutError:
                if sock is not None:
                    sock.close()
                raise APITimeoutError(f"Request timed out: {description}") from None
            except OSError as exc:
                if sock is not None:
                    sock.close()
                if reused is not None and not received:
                    continue  # a pooled connection the server had closed: try a fresh one
                raise APIConnectionError(f"Connection error: {description}: {exc}") from None
            except BaseException:
                if sock is not None:
                    sock.close()
                raise
            status, reason, headers = head
            framing = _Framing(headers, request.method, status)
            return LeanResponse(self, key, sock, status, reason, headers, buf, framing, read_timeout, description)
        raise APIConnectionError(f"Connection error: {description}")  # pragma: no cover - loop always returns

    def close(self) -> None:
        """Close every idle connection."""
        with self._lock:
            idle, self._idle = self._idle, {}
        for socks in idle.values():
            for sock in socks:
                sock.close()


class _Reader:
    """asyncio protocol that buffers received bytes for one reader, with back-pressure."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.eof = False
        self.error: BaseException | None = None
        self.waiter: Any = None
        self.transport: Any = None
        self.paused = False

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)
        self.size += len(data)
        if self.size > _RECV * 4 and not self.paused:
            self.paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False

    def connection_lost(self, exc: BaseException | None) -> None:
        self.eof = True
        self.error = exc
        self._wake()

    def pause_writing(self) -> None:
        pass

    def resume_writing(self) -> None:
        pass

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def read(self, timeout: float | None) -> bytes:
        """Return the bytes received so far, waiting up to ``timeout`` for some; b"" at EOF."""
        if not self.chunks and not self.eof:
            import asyncio

            loop = asyncio.get_running_loop()
            waiter = self.waiter = loop.create_future()
            handle = loop.call_later(timeout, _expire, waiter) if timeout is not None else None
            try:
                await waiter
            finally:
                self.waiter = None
                if handle is not None:
                    handle.cancel()
        chunks = self.chunks
        if not chunks:
            if self.error is not None:
                raise OSError(str(self.error))
            return b""
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        self.chunks = []
        self.size = 0
        if self.paused:
            self.paused = False
            self.transport.resume_reading()
        return data


def _expire(waiter: Any) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class AsyncLeanResponse(_LeanBase):
    """The asyncio twin of ``LeanResponse``."""

    async def _recv(self) -> bytes:
        timeout = self._wait()
        assert self._conn is not None
        try:
            return await self._conn.read(timeout)
        except TimeoutError:
            raise self._timed_out(timeout) from None
        except OSError as exc:
            raise APIConnectionError(f"the stream broke: {self.description}: {exc}") from None

    async def iter_body(self) -> AsyncIterator[bytes]:
        """Yield the body as it arrives; raise ``APIConnectionError`` if it is cut short."""
        framing = self._framing
        body = self._first()
        if body:
            yield body
        while not framing.complete:
            data = await self._recv()
            if self._ended(data):
                return
            body = framing.decode(data)
            if body:
                yield body

    async def read(self) -> bytes:
        """Read the whole body (used for error answers)."""
        try:
            data = b"".join([piece async for piece in self.iter_body()])
        except BaseException:
            self.close()
            raise
        self.release()
        return data

    async def drain(self, max_bytes: int = 64 * 1024, max_seconds: float = 1.0) -> None:
        """Read what is left of the body within a bound, then give the connection back."""
        if self._conn is None:
            return
        if not self._framing.complete and not self._framing.until_close:
            self.deadline = time.monotonic() + max_seconds  # bounds framing-only bytes too
            seen = 0
            try:
                async for piece in self.iter_body():
                    seen += len(piece)
                    if seen > max_bytes:
                        break
            except (APIConnectionError, APITimeoutError):
                pass
            except BaseException:  # cancelled while draining: close, and let it propagate now
                self.close()
                raise
        self.release()

    def release(self) -> None:
        """Return the connection to the pool if the body ended cleanly, else close it."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._clean and not conn.eof and not conn.chunks:
            self._pool._put(self._key, conn)
        else:
            conn.transport.close()

    def close(self) -> None:
        """Close the connection without reading further."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.transport.close()

    async def aclose(self) -> None:
        """Close the connection without reading further."""
        self.close()

    async def arelease(self) -> None:
        """Give the connection back if its body ended cleanly, else close it."""
        self.release()


class AsyncLeanPool:
    """Keep-alive HTTP/1.1 connections for asyncio streaming calls, by origin."""

    def __init__(self, max_idle: int = 100) -> None:
        self._idle: dict[tuple, list[_Reader]] = {}
        self._ssl: Any = None
        self._loop: Any = None
        self.max_idle = max_idle

    def _bind_loop(self) -> None:
        # Connections belong to the event loop that opened them: after asyncio.run() ends and
        # another starts, the old ones are dropped, never used from the wrong loop.
        import asyncio

        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            for conns in self._idle.values():
                for conn in conns:
                    try:
                        conn.transport.close()
                    except RuntimeError:  # its loop is closed already
                        pass
            self._idle = {}
            self._loop = loop

    def _put(self, key: tuple, conn: _Reader) -> None:
        idle = self._idle.setdefault(key, [])
        if len(idle) < self.max_idle:
            idle.append(conn)
        else:
            conn.transport.close()

    def _get(self, key: tuple) -> _Reader | None:
        self._bind_loop()
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if not conn.eof and not conn.chunks and not conn.transport.is_closing():
                return conn
            conn.transport.close()  # closed by the server, or holding bytes nobody asked for
        return None

    async def _connect(self, key: tuple, connect_timeout: float | None) -> _Reader:
        import asyncio

        scheme, host, port = key
        ssl_ctx = None
        if scheme == "https":
            if self._ssl is None:
                self._ssl = _ssl_context()
            ssl_ctx = self._ssl
        loop = asyncio.get_running_loop()
        conn = _Reader()
        connect = loop.create_connection(
            lambda: conn, host, port, ssl=ssl_ctx, server_hostname=host if ssl_ctx else None
        )
        try:
            await asyncio.wait_for(connect, connect_timeout)
        except asyncio.TimeoutError:  # not the builtin TimeoutError before Python 3.11
            raise TimeoutError from None
        return conn

    async def send(self, request: Any, timeout: Any, description: str) -> AsyncLeanResponse:
        """Send an httpx request and read the answer's head; the body is left to iterate."""
        key = _origin(request.url)
        payload = _request_bytes(request)
        read_timeout = timeout.read
        for attempt in (0, 1):
            conn = self._get(key) if attempt == 0 else None
            reused = conn is not None
            received = False
            try:
                if conn is None:
                    conn = await self._connect(key, timeout.connect)
                conn.transport.write(payload)
                head, buf = None, b""
                while head is None:
                    data = await conn.read(read_timeout)
                    if not data:
                        raise ConnectionResetError("closed before the answer's head")
                    received = True
                    head, buf = _take_head(buf + data, description)
            except TimeoutError:
                if conn is not None:
                    conn.transport.close()
                raise APITimeoutError(f"Request timed out: {description}") from None
            except OSError as exc:
                if conn is not None:
                    conn.transport.close()
                if reused and not received:
                    continue
                raise APIConnectionError(f"Connection error: {description}: {exc}") from None
            except BaseException:  # cancellation included: never leave the transport open
                if conn is not None:
                    conn.transport.close()
                raise
            status, reason, headers = head
            framing = _Framing(headers, request.method, status)
            return AsyncLeanResponse(self, key, conn, status, reason, headers, buf, framing, read_timeout, description)
        raise APIConnectionError(f"Connection error: {description}")  # pragma: no cover

    async def aclose(self) -> None:
        """Close every idle connection."""
        idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                try:
                    conn.transport.close()
                except RuntimeError:  # its loop is closed already
                    pass
