"""A tiny keep-alive HTTP/1.1 server on 127.0.0.1 for benchmarks.

It answers every request with a fixed chat completion, or, for bodies that ask
for ``"stream": true``, with an event stream whose shape is set on the command
line (total events and events per HTTP chunk).  Kept minimal on purpose so that
the client, not the server, dominates what the benchmarks measure.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys

CHAT = json.dumps(
    {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hello! How can I help you today?"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 9, "completion_tokens": 9, "total_tokens": 18},
    }
).encode()


def _chunk_event(i: int) -> bytes:
    data = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": {"content": f"tok{i % 10} "}, "finish_reason": None}],
    }
    return b"data: " + json.dumps(data, separators=(",", ":")).encode() + b"\n\n"


def _stream_body(events: int, per_chunk: int) -> list[bytes]:
    chunks = []
    batch = []
    for i in range(events):
        batch.append(_chunk_event(i))
        if len(batch) == per_chunk:
            chunks.append(b"".join(batch))
            batch = []
    batch.append(b"data: [DONE]\n\n")
    chunks.append(b"".join(batch))
    return [b"%x\r\n%s\r\n" % (len(c), c) for c in chunks] + [b"0\r\n\r\n"]


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stream_body) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length) if length else b""
            if b'"stream": true' in body or b'"stream":true' in body:
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                    b"transfer-encoding: chunked\r\nx-request-id: req_bench\r\n\r\n"
                )
                for piece in stream_body:
                    writer.write(piece)
                    if writer.transport.get_write_buffer_size() > 1 << 20:
                        await writer.drain()
                await writer.drain()
            else:
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    b"x-request-id: req_bench\r\ncontent-length: %d\r\n\r\n%s" % (len(CHAT), CHAT)
                )
                await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _main(events: int, per_chunk: int) -> None:
    import os

    stream_body = _stream_body(events, per_chunk)
    tls = None
    if os.environ.get("BENCH_TLS_CERT"):  # serve https with this certificate and key
        import ssl

        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(os.environ["BENCH_TLS_CERT"], os.environ["BENCH_TLS_KEY"])
    server = await asyncio.start_server(lambda r, w: _handle(r, w, stream_body), "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    per_chunk = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    asyncio.run(_main(events, per_chunk))
