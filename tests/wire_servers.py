"""Servers the transport-settings tests start on 127.0.0.1: a TLS server with a private CA that
may ask for a client certificate, and a small HTTP proxy (absolute-form requests and CONNECT
tunnels, optional Basic auth).  Both record what they saw."""

from __future__ import annotations

import base64
import socket
import ssl
import threading
from typing import Any

from conftest import read_request

CHAT_EVENTS = (
    b'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":'
    b'[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}\n\n'
    b'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":'
    b'[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}\n\n'
    b"data: [DONE]\n\n"
)
LIST_BODY = b'{"object": "list", "data": []}'


def answer(request: bytes) -> bytes:
    """A JSON list, or a chat stream when the request asks for one."""
    if b'"stream": true' in request or b'"stream":true' in request:
        head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
        return head + b"%x\r\n%s\r\n0\r\n\r\n" % (len(CHAT_EVENTS), CHAT_EVENTS)
    head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(LIST_BODY)}\r\n\r\n"
    return head.encode() + LIST_BODY


class _Threaded:
    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(32)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.seen: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._guarded, args=(conn,), daemon=True).start()

    def _guarded(self, conn: Any) -> None:
        try:
            self.one(conn)
        except (OSError, ValueError):
            pass
        finally:
            conn.close()

    def one(self, conn: Any) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.sock.close()


class TLSServer(_Threaded):
    """HTTPS on 127.0.0.1 with a certificate from ``ca`` (a ``trustme.CA``); with
    ``client_ca`` it requires a client certificate that CA issued, and records its subject."""

    def __init__(self, ca: Any, client_ca: Any = None) -> None:
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(self.ctx)
        if client_ca is not None:
            client_ca.configure_trust(self.ctx)
            self.ctx.verify_mode = ssl.CERT_REQUIRED
        self.peers: list[Any] = []
        self.handshake_errors: list[str] = []
        super().__init__()
        self.url = f"https://127.0.0.1:{self.port}/v1"

    def one(self, conn: Any) -> None:
        try:
            tls = self.ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            self.handshake_errors.append(str(exc))
            return
        self.peers.append(tls.getpeercert())
        with tls:
            while True:
                request = read_request(tls)
                if request is None:
                    return
                self.seen.append(request)
                tls.sendall(answer(request))


class Proxy(_Threaded):
    """An HTTP proxy: forwards absolute-form requests and tunnels CONNECT; with ``auth``
    (``"user:password"``) it answers 407 to requests without those Basic credentials."""

    def __init__(self, auth: str | None = None) -> None:
        self.auth = auth
        super().__init__()
        self.url = f"http://127.0.0.1:{self.port}"

    def one(self, conn: Any) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            data = conn.recv(65536)
            if not data:
                return
            head += data
        first, _, rest = head.partition(b"\r\n")
        self.seen.append(first)
        method, target, _ = first.decode().split(" ", 2)
        if self.auth is not None:
            wanted = b"proxy-authorization: basic " + base64.b64encode(self.auth.encode()).lower()
            if wanted not in head.lower():
                conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n")
                return
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)))
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self._pipe(conn, upstream, b"")
            return
        # absolute form: http://host:port/path -> origin form to that host
        authority, _, path = target.split("://", 1)[1].partition("/")
        host, port = authority.rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        self._pipe(conn, upstream, f"{method} /{path} HTTP/1.1\r\n".encode() + rest)

    @staticmethod
    def _pipe(client: Any, upstream: Any, first: bytes) -> None:
        if first:
            upstream.sendall(first)

        def back() -> None:
            try:
                while data := upstream.recv(65536):
                    client.sendall(data)
            except OSError:
                pass
            finally:
                try:
                    client.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        thread = threading.Thread(target=back, daemon=True)
        thread.start()
        try:
            while data := client.recv(65536):
                upstream.sendall(data)
        except OSError:
            pass
        finally:
            upstream.close()
            thread.join(2)
