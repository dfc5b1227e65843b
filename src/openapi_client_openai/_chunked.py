"""HTTP/1.1 chunked transfer-coding, decoded incrementally.  Pure: bytes in, body bytes out.

Used by the lean HTTP/1.1 stack (``_transports/lean.py``), where per-chunk framing in h11 and
httpcore costs more than parsing the events themselves (see benchmarks/streaming.py).
"""

from __future__ import annotations

__all__ = ["ChunkedDecoder", "ChunkedError"]

_MAX_LINE = 4096
_HEX = frozenset(b"0123456789abcdefABCDEF")
_MAX_TRAILERS = 64 * 1024


class ChunkedError(ValueError):
    """The chunked framing is malformed."""


class ChunkedDecoder:
    """Incremental decoder of a chunked body; ``done`` once the last chunk and trailers are read."""

    __slots__ = ("_buf", "_left", "_state", "_trailers", "done")

    # states: 0 size line, 1 chunk data (_left bytes to go), 2 CRLF after data, 3 trailers
    def __init__(self) -> None:
        self._buf = b""
        self._left = 0
        self._state = 0
        self._trailers = 0
        self.done = False

    def feed(self, data: bytes) -> bytes:
        """Decode more of the body; return the payload bytes it holds (possibly empty)."""
        buf = self._buf + data if self._buf else data
        out: list[bytes] = []
        pos = 0
        end = len(buf)
        state = self._state
        left = self._left
        while pos < end:
            if state == 1:
                take = min(left, end - pos)
                out.append(buf[pos : pos + take])
                pos += take
                left -= take
                if left == 0:
                    state = 2
            elif state == 0:
                nl = buf.find(b"\r\n", pos, pos + _MAX_LINE)
                if nl < 0:
                    if end - pos >= _MAX_LINE:
                        raise ChunkedError("a chunk-size line is too long")
                    break
                size_text = buf[pos:nl].split(b";", 1)[0].strip(b" \t")
                if not size_text or not _HEX.issuperset(size_text) or len(size_text) > 16:
                    raise ChunkedError(f"bad chunk size {size_text[:20]!r}")  # int() would take 0x1f, +1f, 1_f
                left = int(size_text, 16)
                pos = nl + 2
                state = 1 if left else 3
            elif state == 2:
                if end - pos < 2:
                    break
                if buf[pos : pos + 2] != b"\r\n":
                    raise ChunkedError("a chunk does not end in CRLF")
                pos += 2
                state = 0
            else:  # trailers, ended by an empty line
                nl = buf.find(b"\r\n", pos, pos + _MAX_LINE)
                if nl < 0:
                    if end - pos >= _MAX_LINE:
                        raise ChunkedError("a trailer line is too long")
                    break
                if nl == pos:
                    pos += 2
                    self.done = True
                    break
                self._trailers += nl + 2 - pos
                if self._trailers > _MAX_TRAILERS:
                    raise ChunkedError("the trailers are too large")
                pos = nl + 2
        self._buf = buf[pos:] if pos < end else b""
        self._state = state
        self._left = left
        if not out:
            return b""
        return out[0] if len(out) == 1 else b"".join(out)

    @property
    def leftover(self) -> bytes:
        """Bytes received after the end of the body (a pipelined answer; normally empty)."""
        return self._buf if self.done else b""
