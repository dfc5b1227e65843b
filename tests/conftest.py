"""Shared fixtures: the fixture specs, an isolated cache, and a recording HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import pathlib
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SPECS = ROOT.parent / "shared" / "specs"
SPEC_30 = SPECS / "openai-2025-04-11.yaml"
SPEC_31 = SPECS / "openai-2026-08-21.yaml"
FAKE_KEY = "sk-test-" + "k3y" * 12  # long enough to look real, so leaks would show


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    peer: tuple = ()

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.target).query, keep_blank_values=True)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    """A scripted answer: status, headers, body (bytes or an iterable of chunks), delay."""

    status: int = 200
    body: Any = b'{"object": "ok"}'
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json"})
    delay: float = 0.0
    cut: bool | str = False  # close the connection mid-body ("mid-chunk": inside an HTTP chunk)


class RecordingServer:
    """A threaded HTTP/1.1 server that records every request and answers from a script."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.replies: deque[Reply | Callable[[Recorded], Reply]] = deque()
        self.default: Callable[[Recorded], Reply] = lambda req: Reply()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                if self.headers.get("transfer-encoding", "").lower() == "chunked":
                    body = b""
                    while True:
                        size = int(self.rfile.readline().strip(), 16)
                        if size == 0:
                            self.rfile.readline()
                            break
                        body += self.rfile.read(size)
                        self.rfile.readline()
                else:
                    body = self.rfile.read(length) if length else b""
                rec = Recorded(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body, self.client_address
                )
                server.requests.append(rec)
                reply = server.replies.popleft() if server.replies else server.default
                if callable(reply):
                    reply = reply(rec)
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                headers = {"x-request-id": f"req_{len(server.requests)}", **reply.headers}
                for k, v in headers.items():
                    self.send_header(k, v)
                if isinstance(reply.body, (bytes, str)):
                    data = reply.body.encode() if isinstance(reply.body, str) else reply.body
                    if reply.cut:
                        self.send_header("content-length", str(len(data) * 2))
                        self.end_headers()
                        self.wfile.write(data)
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                else:
                    self.send_header("transfer-encoding", "chunked")
                    self.end_headers()
                    try:
                        for chunk in reply.body:
                            if isinstance(chunk, float):  # a pause inside the stream
                                time.sleep(chunk)
                                continue
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                            self.wfile.flush()
                        if reply.cut == "mid-chunk":
                            self.wfile.write(b"400\r\npartial")
                            self.wfile.flush()
                        if reply.cut:
                            self.close_connection = True
                            self.connection.shutdown(2)
                            return
                        self.wfile.write(b"0\r\n\r\n")
                    except (BrokenPipeError, ConnectionResetError):
                        self.close_connection = True

            do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def script(self, *replies: Reply | Callable[[Recorded], Reply]) -> None:
        self.replies.extend(replies)

    def reset(self) -> None:
        self.requests.clear()
        self.replies.clear()
        self.default = lambda req: Reply()

    @property
    def last(self) -> Recorded:
        return self.requests[-1]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterable[None]:
    """Keep the tests' index cache out of the user's cache, and the user's env out of the tests."""
    cache = tmp_path_factory.mktemp("cache")
    saved = dict(os.environ)
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "OPENAI_ORG_ID",
        "OPENAI_PROJECT_ID",
        "OPENAI_ADMIN_KEY",
        "OPENAI_LOG",
        "OPENAI_API_VERSION",
        "AZURE_OPENAI_ENDPOINT",
        "AZURE_OPENAI_API_KEY",
        "AZURE_OPENAI_AD_TOKEN",
        "GROQ_API_KEY",
        "DEEPSEEK_API_KEY",
        "TOGETHER_API_KEY",
        "XAI_API_KEY",
        "OPENAPI_CLIENT_OPENAI_SPEC",
    ):
        os.environ.pop(name, None)
    os.environ["OPENAPI_CLIENT_OPENAI_CACHE_DIR"] = str(cache)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def _server() -> Iterable[RecordingServer]:
    srv = RecordingServer()
    yield srv
    srv.close()


@pytest.fixture
def server(_server: RecordingServer) -> RecordingServer:
    """The recording server, emptied for this test."""
    _server.reset()
    return _server


@pytest.fixture(params=[SPEC_30, SPEC_31], ids=["spec3.0", "spec3.1"])
def spec_path(request: pytest.FixtureRequest) -> pathlib.Path:
    """Each fixture spec in turn."""
    return request.param


@pytest.fixture
def client(server: RecordingServer) -> Iterable[Any]:
    """A blocking client on the 3.1 spec pointed at the recording server, retrying fast."""
    from openapi_client_openai import OpenAIClient

    with OpenAIClient(spec=SPEC_31, api_key=FAKE_KEY, base_url=server.url, timeout=5) as c:
        yield c


class RawServer:
    """A TCP server on 127.0.0.1 that answers each connection with a scripted function.

    ``handler(conn, request)`` gets the socket and the first request's bytes and writes
    exactly the bytes a test needs (interim heads, stale data, trailers, cuts).
    """

    def __init__(self, handler: Callable[[Any, bytes], None]) -> None:
        import socket

        self.handler = handler
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: Any) -> None:
        try:
            while True:
                request = read_request(conn)
                if request is None:
                    return
                if self.handler(conn, request) is False:
                    return
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.sock.close()


def read_request(conn: Any) -> bytes | None:
    """Read one HTTP request (head and Content-Length body) from a socket; None at EOF."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        data = conn.recv(65536)
        if not data:
            return None
        buf += data
    head, _, body = buf.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    while len(body) < length:
        body += conn.recv(65536)
    return head + b"\r\n\r\n" + body


@pytest.fixture
def raw_server() -> Iterable[Callable[[Callable[[Any, bytes], None]], RawServer]]:
    """Make raw servers for a test; all are closed at its end."""
    made: list[RawServer] = []

    def make(handler: Callable[[Any, bytes], None]) -> RawServer:
        srv = RawServer(handler)
        made.append(srv)
        return srv

    yield make
    for srv in made:
        srv.close()
