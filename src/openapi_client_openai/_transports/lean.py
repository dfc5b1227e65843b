"""Our own HTTP/1.1 stack: plain sockets (blocking) and an asyncio Protocol, pooled.

Measured in benchmarks/per_request.py and benchmarks/streaming.py: httpx, httpcore and h11
spend most of a keep-alive request, and most of each event of a stream sent one HTTP chunk per
event, in their layers; writing the request in one ``sendall`` and reading large socket buffers
through the pure ``_chunked`` decoder is several times faster.  It is used whenever no proxy is
configured (``lean_allowed``); proxies are httpx's job.  Requests arrive fully checked
(``_request``), so this module only frames them.
"""

from __future__ import annotations

import os
import socket
import sys
import time
import weakref
import zlib
from urllib.parse import quote, urlsplit

from .._chunked import ChunkedDecoder, ChunkedError
from .._config import Limits
from .._errors import APIConnectionError, APIError, APITimeoutError
from .base import (
    MAX_INTERIM_HEADS,
    AsyncExchange,
    AsyncTransport,
    Exchange,
    Headers,
    Transport,
    head_wait,
    stale_retry,
)
from .tls import ssl_context

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from typing import Any

    from .._config import Timeout
    from .._request import PreparedRequest

__all__ = ["AsyncLeanTransport", "LeanTransport", "lean_allowed"]

_RECV = 256 * 1024
_MAX_HEAD = 64 * 1024
_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
_BODY_METHODS = ("POST", "PUT", "PATCH")
_TARGET_SAFE = "/?&=%:@!$'()*+,;~-._[]"


def lean_allowed() -> bool:
    """Whether our own stack may carry requests: not when a proxy is configured (environment or system)."""
    if any(os.environ.get(name) for name in _PROXY_VARS):
        return False
    if os.name == "nt" or sys.platform == "darwin":  # system proxy settings, which httpx honours too
        import urllib.request

        return not any(k in ("http", "https", "all") for k in urllib.request.getproxies())
    return True


class _Target:
    """Where a URL goes: origin (the pool key), the request target, the Host header."""

    __slots__ = ("host", "host_header", "key", "target")

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        scheme = parts.scheme
        host = parts.hostname or ""
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError:
            raise APIError(f"the URL has a port that is not a number: {url}") from None
        if scheme not in ("http", "https") or not host:
            raise APIError(f"cannot send to {url}: only http:// and https:// URLs with a host")
        self.key = (scheme, host, port)
        self.host = host
        name = f"[{host}]" if ":" in host else host
        self.host_header = name if port == (443 if scheme == "https" else 80) else f"{name}:{port}"
        target = parts.path or "/"
        if parts.query:
            target = f"{target}?{parts.query}"
        if not target.isascii() or not target.isprintable() or " " in target:
            target = quote(target, safe=_TARGET_SAFE)
        self.target = target


def _head(request: PreparedRequest, where: _Target, length: int | None) -> bytes:
    lines = [f"{request.method} {where.target} HTTP/1.1"]
    given = set()
    for name, value in request.headers.items():
        given.add(name.lower())
        lines.append(f"{name}: {value}")
    if "host" not in given:  # a Host header of the caller's own wins, as with httpx
        lines.insert(1, f"Host: {where.host_header}")
    if "accept" not in given:
        lines.append("Accept: */*")
    if "accept-encoding" not in given:
        # An event stream is not worth compressing: no decoder in its hot loop.
        lines.append("Accept-Encoding: identity" if request.stream else "Accept-Encoding: gzip, deflate")
    if length is None:
        lines.append("Transfer-Encoding: chunked")
    elif length or request.method in _BODY_METHODS:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _framed(pieces: Iterator[bytes], chunked: bool) -> Iterator[bytes]:
    if not chunked:
        yield from pieces
        return
    for piece in pieces:
        if piece:
            yield b"%x\r\n%s\r\n" % (len(piece), piece)
    yield b"0\r\n\r\n"


def _parse_head(head: bytes) -> tuple[str, int, str, list[tuple[str, str]]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or parts[0] not in ("HTTP/1.1", "HTTP/1.0") or not _status(parts[1]):
        raise APIConnectionError(f"not an HTTP/1.1 answer: {lines[0][:80]!r}")
    headers = []
    for line in lines[1:]:
        if line:
            name, colon, value = line.partition(":")
            if not colon or not name or name != name.strip():  # "name :" lets two parsers disagree
                raise APIConnectionError(f"the answer has a malformed header line: {line[:80]!r}")
            headers.append((name, value.strip(" \t")))
    return parts[0], int(parts[1]), parts[2] if len(parts) > 2 else "", headers


def _status(text: str) -> bool:
    return len(text) == 3 and text.isascii() and text.isdigit()


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()  # str.isdigit() alone takes "²"


def _take_head(buf: bytes, attempt: _Attempt) -> tuple[tuple | None, bytes]:
    """Find the final answer's head in ``buf``, skipping interim 1xx heads (``103 Early Hints``).

    Returns ``((version, status, reason, headers), rest)`` once a final head is whole, else
    ``(None, buf)`` with the interim heads already dropped (counted on ``attempt``).
    """
    while True:
        end = buf.find(b"\r\n\r\n")
        if end > _MAX_HEAD or (end < 0 and len(buf) > _MAX_HEAD):
            raise APIConnectionError(f"the answer's head is too large: {attempt.request.description}")
        if end < 0:
            return None, buf
        head = _parse_head(buf[:end])
        buf = buf[end + 4 :]
        if 100 <= head[1] < 200 and head[1] != 101:
            attempt.interim += 1
            if attempt.interim > MAX_INTERIM_HEADS:
                raise APIConnectionError(f"the server sent interim heads without end: {attempt.request.description}")
            continue
        return head, buf


class _Plan:
    """A request as this stack sends it: where to, the head's bytes, the body's length."""

    __slots__ = ("head", "length", "request", "where")

    def __init__(self, request: PreparedRequest) -> None:
        self.request = request
        self.where = _Target(request.url)
        self.length = request.body_length()
        self.head = _head(request, self.where, self.length)

    @property
    def small(self) -> bool:
        """Whether the whole request is in memory, to go in one write."""
        content = self.request.content
        return content is None or isinstance(content, bytes)


class _Attempt:
    """One try of a request on one connection, and the edge where socket errors become ours.

    A context manager (usable around awaits too): a timeout becomes ``APITimeoutError`` and an
    ``OSError`` ``APIConnectionError``, each with the original as cause; the connection is
    closed on any error.  A pooled connection that failed before any byte of the answer came
    back was closed by the server while idle: that error is swallowed so that the caller
    tries once more on a fresh connection (when ``stale_retry`` says that is safe).
    """

    __slots__ = ("conn", "deadline", "interim", "received", "request", "reused", "written_at")

    def __init__(self, request: PreparedRequest, conn: Any) -> None:
        self.request = request
        self.conn = conn
        self.reused = conn is not None
        self.received = False
        self.written_at: float | None = None
        self.deadline: float | None = None
        self.interim = 0

    def __enter__(self) -> _Attempt:
        return self

    def written(self, read_timeout: float | None) -> None:
        """The request is on the wire: the answer's whole head must come within the read timeout."""
        self.written_at = time.monotonic()
        self.deadline = None if read_timeout is None else self.written_at + read_timeout

    def wait(self) -> float | None:
        """How long the next read of the head may wait."""
        return head_wait(self.deadline)

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> bool:
        if exc is None:
            return False
        _close(self.conn)
        description = self.request.description
        if isinstance(exc, TimeoutError):
            raise APITimeoutError(f"Request timed out: {description}", request=description) from exc
        if isinstance(exc, ssl_verify_errors()):  # not worth a retry: it will fail the same way
            text = f"the server's TLS certificate was refused: {description}: {exc}"
            raise APIError(text, request=description) from exc
        if isinstance(exc, OSError):
            reset = isinstance(exc, (ConnectionResetError, BrokenPipeError))
            if stale_retry(self.request.method, self.reused, self.received, self.written_at, reset):
                return True  # the server closed it while idle: the caller goes on to a fresh connection
            raise APIConnectionError(f"Connection error: {description}: {exc}", request=description) from exc
        return False


def _candidates(idle: Any) -> tuple:
    """The connections to try: an idle pooled one (if any), then a fresh one (None)."""
    return (idle, None) if idle is not None else (None,)


class _Framing:
    """How the body ends (chunked, a length, or the connection closing), and its decoding."""

    __slots__ = ("chunked", "coding", "decompress", "inflated", "keep_alive", "left")

    def __init__(self, version: str, headers: list[tuple[str, str]], method: str, status: int, where: str) -> None:
        self.chunked: ChunkedDecoder | None = None
        self.left: int | None = None
        self.decompress: Any = None
        self.coding = ""
        self.inflated = False  # any compressed bytes seen: then the stream must reach its end
        self.keep_alive = version != "HTTP/1.0"
        for name, value in headers:
            lname = name.lower()
            if lname == "transfer-encoding":
                if value.strip().lower() != "chunked":  # h11 refuses the rest too (e.g. "gzip, chunked")
                    raise APIConnectionError(f"the answer's transfer-encoding {value!r} is not supported: {where}")
                self.chunked = ChunkedDecoder()
            elif lname == "content-length":
                if not _digits(value) or (self.left is not None and self.left != int(value)):
                    raise APIConnectionError(f"the answer's content-length {value!r} is not usable: {where}")
                self.left = int(value)
            elif lname == "connection":
                self.keep_alive = "close" not in value.lower() and (self.keep_alive or "keep-alive" in value.lower())
            elif lname == "content-encoding":
                coding = value.lower().strip()
                if coding in ("gzip", "deflate", "x-gzip"):
                    self.coding = coding
                    self.decompress = zlib.decompressobj(zlib.MAX_WBITS | 32)
                elif coding not in ("", "identity"):
                    raise APIError(f"the answer is encoded as {value!r}, which this client cannot decode: {where}")
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
                raise APIConnectionError(f"the answer's chunked framing is broken: {exc}") from exc
        elif self.left is not None:
            if len(data) > self.left:
                data = data[: self.left]
                self.keep_alive = False  # bytes past the body: the connection is not clean
            self.left -= len(data)
        if self.decompress is not None and data:
            self.inflated = True
            data = self._inflate(data)
        if self.inflated and self.complete and not self.decompress.eof:
            raise APIConnectionError("the answer's compressed body was cut short")
        return data

    def _inflate(self, data: bytes) -> bytes:
        out = []
        while data:
            try:
                out.append(self.decompress.decompress(data))
            except zlib.error as exc:
                if self.coding == "deflate" and not out and self.decompress.unused_data == b"":
                    self.decompress = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send
                    self.coding = "raw"
                    continue
                raise APIError(f"the answer could not be decoded (broken compression): {exc}") from exc
            data = b""
            if self.decompress.eof and self.decompress.unused_data:  # another gzip member follows
                data = self.decompress.unused_data
                self.decompress = zlib.decompressobj(zlib.MAX_WBITS | 32)
        return b"".join(out)

    @property
    def complete(self) -> bool:
        if self.chunked is not None:
            return self.chunked.done
        return self.left == 0

    @property
    def until_close(self) -> bool:
        return self.chunked is None and self.left is None

    @property
    def clean(self) -> bool:
        """Whether the connection may carry another request."""
        return self.complete and self.keep_alive and not (self.chunked and self.chunked.leftover)


class _LeanBody:
    """What both lean exchanges share: the framing, the first bytes, and the read deadline."""

    def _setup(self, conn: Any, key: tuple, head: tuple, rest: bytes, method: str, read_timeout: Any) -> None:
        self._conn = conn  # a socket (blocking) or a _Reader (asyncio)
        self._key = key
        self._rest = rest
        self._read_timeout = read_timeout
        self._framing = _Framing(head[0], head[3], method, head[1], self.url)

    @property
    def complete(self) -> bool:
        """Whether the whole body has been read."""
        return self._framing.complete

    def _wait(self) -> float | None:
        """How long the next read may wait: the read timeout, or less to meet the deadline."""
        if self._conn is None:
            raise APIConnectionError(
                f"the answer's connection is closed (the answer or its client was closed), so no more of it can be "
                f"read: {self.url}"
            )
        timeout = self._read_timeout
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise APITimeoutError(f"no event within the stream idle timeout: {self.url}")
            timeout = left if timeout is None else min(timeout, left)
        return timeout

    def _timed_out(self, timeout: float | None, cause: BaseException) -> APITimeoutError:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return APITimeoutError(f"no event within the stream idle timeout: {self.url}")
        return APITimeoutError(f"the answer stalled for {timeout:.3g} s: {self.url}")

    def _first(self) -> bytes:
        """The body bytes that came with the head."""
        data, self._rest = self._rest, b""
        return self._framing.decode(data) if data else b""

    def _more(self, data: bytes) -> bytes | None:
        """Body bytes from a read; None at the end of a body that ends with its connection."""
        if data:
            return self._framing.decode(data)
        if self._framing.until_close:
            self._framing.keep_alive = False
            return None
        raise APIConnectionError(f"the connection closed before the answer ended: {self.url}")


class LeanExchange(_LeanBody, Exchange):
    """An answer read from a blocking socket."""

    def __init__(self, pool: LeanTransport, key: tuple, sock: Any, head: tuple, rest: bytes, req: Any, rt: Any) -> None:
        Exchange.__init__(self, head[1], head[2], Headers(head[3]), req.url)
        self._pool = pool
        self._setup(sock, key, head, rest, req.method, rt)

    def _recv(self) -> bytes:
        timeout = self._wait()
        sock = self._conn
        sock.settimeout(timeout)
        try:
            return sock.recv(_RECV)
        except TimeoutError as exc:
            raise self._timed_out(timeout, exc) from exc
        except OSError as exc:
            raise APIConnectionError(f"the connection broke while reading the answer: {self.url}: {exc}") from exc

    def _pieces(self) -> Iterator[bytes]:
        body = self._first()
        if body:
            yield body
        while not self._framing.complete:
            body = self._more(self._recv())
            if body is None:
                return
            if body:
                yield body

    def release(self) -> None:
        """Give the connection back if the body was read to its end, else close it."""
        sock, self._conn = self._conn, None
        if sock is not None:
            if self._framing.clean:
                self._pool._put(self._key, sock)
            else:
                sock.close()

    def close(self) -> None:
        """Close the connection without reading further."""
        sock, self._conn = self._conn, None
        if sock is not None:
            sock.close()

    _close_now = close


class LeanTransport(Transport):
    """Keep-alive HTTP/1.1 over blocking sockets, by origin.  Thread-safe."""

    def __init__(self, verify: Any = True, cert: Any = None, limits: Any = None) -> None:
        import threading

        self._idle: dict[tuple, list] = {}  # origin -> [(socket, time it went idle)]
        self._lock = threading.Lock()
        self._verify = verify
        self._cert = cert
        self._ssl: Any = None
        self._closed = False
        self._open: Any = weakref.WeakSet()  # answers still on their connection: close() ends them
        # Without limits=, idle connections are kept until the server closes them (checked before reuse).
        self._limits = Limits.of(limits) if limits is not None else Limits(None, 20, None)

    def _live(self, exchange: LeanExchange) -> LeanExchange:
        with self._lock:
            self._open.add(exchange)
        return exchange

    def _put(self, key: tuple, sock: Any) -> None:
        with self._lock:
            if _room(self._idle, self._limits) and not self._closed:
                self._idle.setdefault(key, []).append((sock, time.monotonic()))
                return
        sock.close()

    def _get(self, key: tuple) -> Any:
        while True:
            with self._lock:
                idle = self._idle.get(key)
                sock, since = idle.pop() if idle else (None, 0.0)
            if sock is None:
                return None
            # An idle connection must have nothing to read: data there is a stale answer or the
            # server closing it.  Either way it is not reused; nor is one idle for too long.
            if (self._limits.keepalive_expiry is None or not _expired(since, self._limits)) and not _readable(sock):
                return sock
            sock.close()

    def _connect(self, where: _Target, timeout: Timeout) -> Any:
        scheme, host, port = where.key
        sock = socket.create_connection((host, port), timeout=timeout.connect)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl_context(self._verify, self._cert)
            sock.settimeout(timeout.connect)
            sock = self._ssl.wrap_socket(sock, server_hostname=host)
        return sock

    def send(self, request: PreparedRequest, timeout: Timeout) -> LeanExchange:
        """Send ``request`` and read the answer's head; the body is left to read."""
        plan = _Plan(request)
        for conn in _candidates(self._get(plan.where.key)):
            with _Attempt(request, conn) as attempt:
                conn = attempt.conn = conn or self._connect(plan.where, timeout)
                self._write(conn, plan, timeout.write)
                attempt.written(timeout.read)
                head, rest = None, b""
                while head is None:
                    conn.settimeout(attempt.wait())
                    head, rest = _take_head(rest + _received(conn.recv(_RECV), attempt), attempt)
                return self._live(LeanExchange(self, plan.where.key, conn, head, rest, request, timeout.read))
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover

    @staticmethod
    def _write(sock: Any, plan: _Plan, timeout: Any) -> None:
        sock.settimeout(timeout)
        if plan.small:
            sock.sendall(plan.head + (plan.request.content or b""))
            return
        sock.sendall(plan.head)
        pieces = _framed(plan.request.body_pieces(), plan.length is None)
        try:
            for piece in pieces:
                sock.sendall(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may have answered early (413, 401) and closed: read what it said
        finally:
            pieces.close()

    def close(self) -> None:
        """Close every connection: idle ones, those of answers still being read (reading on
        raises ``APIConnectionError``, as with httpx), and each one given back from now on."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
            still_open, self._open = list(self._open), weakref.WeakSet()
        for socks in idle.values():
            for sock, _ in socks:
                sock.close()
        for exchange in still_open:
            exchange.close()


def _room(idle: dict, limits: Limits) -> bool:
    """Whether one more idle connection may be kept (``max_keepalive_connections``, all origins)."""
    return sum(map(len, idle.values())) < limits.keep_idle


def _expired(since: float, limits: Limits) -> bool:
    """Whether a connection idle since ``since`` is past ``keepalive_expiry``."""
    expiry = limits.keepalive_expiry
    return expiry is not None and time.monotonic() - since > expiry


def _readable(sock: Any) -> bool:
    """Whether a socket has bytes (or its end) waiting; poll(), unlike select(), takes any fd."""
    import select

    try:
        if getattr(sock, "pending", int)():
            return True
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN | select.POLLERR | select.POLLHUP)
            return bool(poller.poll(0))
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


def ssl_verify_errors() -> tuple:
    """The exception types of a refused certificate (``ssl`` is imported only if TLS was used)."""
    ssl = sys.modules.get("ssl")
    return (ssl.SSLCertVerificationError,) if ssl is not None else ()


class _Closed(ConnectionError):
    """The server closed the connection (an orderly close, not a reset) before answering."""


def _received(data: bytes, attempt: _Attempt) -> bytes:
    """Note that the answer has started; an empty read before its head is a closed connection."""
    if not data:
        raise _Closed("the server closed the connection before answering")
    attempt.received = True
    return data


def _close(conn: Any) -> None:
    if conn is None:
        return
    transport = getattr(conn, "transport", None)
    if transport is not None:
        transport.close()
    else:
        conn.close()


class _Reader:
    """asyncio protocol that buffers received bytes for one reader, with back-pressure both ways."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.eof = False
        self.error: BaseException | None = None
        self.waiter: Any = None
        self.writable: Any = None  # a future while the peer is not reading what we write
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
        self.resume_writing()

    def pause_writing(self) -> None:
        import asyncio

        if self.writable is None:
            self.writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        writable, self.writable = self.writable, None
        if writable is not None and not writable.done():
            writable.set_result(None)

    async def write(self, data: bytes, timeout: float | None) -> None:
        """Write ``data``, waiting (up to ``timeout``) while the peer does not read."""
        if self.eof:
            raise ConnectionResetError("the server closed the connection")
        self.transport.write(data)
        del data  # the request head holds the key: no frame of a later error may keep it
        if self.writable is not None:
            import asyncio

            try:
                await asyncio.wait_for(asyncio.shield(self.writable), timeout)
            except asyncio.TimeoutError:  # not the builtin TimeoutError before Python 3.11
                raise TimeoutError("the server did not read the request in time") from None

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


class AsyncLeanExchange(_LeanBody, AsyncExchange):
    """An answer read through an asyncio protocol."""

    def __init__(
        self, pool: AsyncLeanTransport, key: tuple, conn: _Reader, head: tuple, rest: bytes, req: Any, rt: Any
    ):
        AsyncExchange.__init__(self, head[1], head[2], Headers(head[3]), req.url)
        self._pool = pool
        self._setup(conn, key, head, rest, req.method, rt)

    async def _recv(self) -> bytes:
        timeout = self._wait()
        try:
            return await self._conn.read(timeout)
        except TimeoutError as exc:
            raise self._timed_out(timeout, exc) from exc
        except OSError as exc:
            raise APIConnectionError(f"the connection broke while reading the answer: {self.url}: {exc}") from exc

    async def _pieces(self) -> AsyncIterator[bytes]:
        body = self._first()
        if body:
            yield body
        while not self._framing.complete:
            body = self._more(await self._recv())
            if body is None:
                return
            if body:
                yield body

    async def arelease(self) -> None:
        """Give the connection back if the body was read to its end, else close it."""
        conn, self._conn = self._conn, None
        if conn is not None:
            if self._framing.clean and not conn.eof and not conn.chunks:
                self._pool._put(self._key, conn)
            else:
                conn.transport.close()

    async def aclose(self) -> None:
        """Close the connection without reading further."""
        self._close_now()

    def _close_now(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.transport.close()


class AsyncLeanTransport(AsyncTransport):
    """Keep-alive HTTP/1.1 over asyncio, by origin; its connections belong to one event loop."""

    def __init__(self, verify: Any = True, cert: Any = None, limits: Any = None) -> None:
        self._idle: dict[tuple, list[tuple[_Reader, float]]] = {}
        self._verify = verify
        self._cert = cert
        self._ssl: Any = None
        self._loop: Any = None
        self._closed = False
        self._open: Any = weakref.WeakSet()  # answers still on their connection: aclose() ends them
        # Without limits=, idle connections are kept until the server closes them (checked before reuse).
        self._limits = Limits.of(limits) if limits is not None else Limits(None, 100, None)

    def _live(self, exchange: AsyncLeanExchange) -> AsyncLeanExchange:
        self._open.add(exchange)
        return exchange

    def _bind_loop(self) -> None:
        # Connections belong to the event loop that opened them: after asyncio.run() ends and
        # another starts, the old ones are dropped, never used from the wrong loop.
        import asyncio

        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._drop_idle()
            self._loop = loop

    def _drop_idle(self) -> None:
        idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn, _ in conns:
                try:
                    conn.transport.close()
                except RuntimeError:  # its loop is closed already
                    pass

    def _put(self, key: tuple, conn: _Reader) -> None:
        if _room(self._idle, self._limits) and not self._closed:
            self._idle.setdefault(key, []).append((conn, time.monotonic()))
        else:
            conn.transport.close()

    def _get(self, key: tuple) -> _Reader | None:
        self._bind_loop()
        idle = self._idle.get(key)
        while idle:
            conn, since = idle.pop()
            if (
                not conn.eof
                and not conn.chunks
                and not conn.transport.is_closing()
                and not _expired(since, self._limits)
            ):
                return conn
            conn.transport.close()  # closed by the server, or holding bytes nobody asked for
        return None

    async def _connect(self, where: _Target, timeout: Timeout) -> _Reader:
        import asyncio

        scheme, host, port = where.key
        ssl_ctx = None
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl_context(self._verify, self._cert)
            ssl_ctx = self._ssl
        loop = asyncio.get_running_loop()
        conn = _Reader()
        connect = loop.create_connection(
            lambda: conn, host, port, ssl=ssl_ctx, server_hostname=host if ssl_ctx else None
        )
        try:
            await asyncio.wait_for(connect, timeout.connect)
        except asyncio.TimeoutError:  # not the builtin TimeoutError before Python 3.11
            raise TimeoutError("connecting took too long") from None
        return conn

    async def send(self, request: PreparedRequest, timeout: Timeout) -> AsyncLeanExchange:
        """Send ``request`` and read the answer's head; the body is left to read."""
        plan = _Plan(request)
        for conn in _candidates(self._get(plan.where.key)):
            with _Attempt(request, conn) as attempt:  # cancellation included: closed on any error
                conn = attempt.conn = conn or await self._connect(plan.where, timeout)
                await self._write(conn, plan, timeout.write)
                attempt.written(timeout.read)
                head, rest = None, b""
                while head is None:
                    data = _received(await conn.read(attempt.wait()), attempt)
                    head, rest = _take_head(rest + data, attempt)
                return self._live(AsyncLeanExchange(self, plan.where.key, conn, head, rest, request, timeout.read))
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover

    @staticmethod
    async def _write(conn: _Reader, plan: _Plan, timeout: Any) -> None:
        if plan.small:
            await conn.write(plan.head + (plan.request.content or b""), timeout)
            return
        await conn.write(plan.head, timeout)
        pieces = _framed(plan.request.body_pieces(), plan.length is None)
        try:
            for piece in pieces:
                await conn.write(piece, timeout)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may have answered early (413, 401) and closed: read what it said
        finally:
            pieces.close()

    async def aclose(self) -> None:
        """Close every connection: idle ones, those of answers still being read (reading on
        raises ``APIConnectionError``, as with httpx), and each one given back from now on."""
        self._closed = True
        self._drop_idle()
        still_open, self._open = list(self._open), weakref.WeakSet()
        for exchange in still_open:
            exchange._close_now()
