"""Multipart bodies: which values are files, how fields flatten, and naming unnamed files.

Arrays become repeated ``name[]`` parts and objects ``name[key]`` parts, as the official SDK
sends them.  A file may be a ``pathlib.Path`` (or any ``os.PathLike``), ``bytes``, an open
binary file, or a ``(filename, content[, content_type])`` tuple; one without a name gets a
filename and type guessed from its first bytes.
"""

from __future__ import annotations

import io
import mimetypes
import os
from collections.abc import Iterator, Mapping
from typing import Any

from ._errors import ParameterError
from ._qs import scalar

__all__ = ["FileSpec", "MultipartBody", "flatten_form", "holds_file", "is_file", "sniff"]

# (magic bytes at offset 0, extension, content type); checked in order.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", ".png", "image/png"),
    (b"\xff\xd8\xff", ".jpg", "image/jpeg"),
    (b"GIF87a", ".gif", "image/gif"),
    (b"GIF89a", ".gif", "image/gif"),
    (b"%PDF-", ".pdf", "application/pdf"),
    (b"ID3", ".mp3", "audio/mpeg"),
    (b"\xff\xfb", ".mp3", "audio/mpeg"),
    (b"\xff\xf3", ".mp3", "audio/mpeg"),
    (b"\xff\xf2", ".mp3", "audio/mpeg"),
    (b"fLaC", ".flac", "audio/flac"),
    (b"OggS", ".ogg", "audio/ogg"),
    (b"\x1aE\xdf\xa3", ".webm", "audio/webm"),
    (b"PK\x03\x04", ".zip", "application/zip"),
)


def sniff(head: bytes) -> tuple[str, str]:
    """Guess ``(extension, content_type)`` of unnamed file content from its first bytes."""
    for magic, ext, ctype in _SIGNATURES:
        if head.startswith(magic):
            return ext, ctype
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return ".wav", "audio/wav"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp", "image/webp"
    if head[4:8] == b"ftyp":
        return (".m4a", "audio/mp4") if head[8:11] in (b"M4A", b"M4B") else (".mp4", "video/mp4")
    stripped = head.lstrip()
    if stripped[:1] in (b"{", b"["):
        return ".jsonl" if b"\n{" in head else ".json", "application/json"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the end of the sample
            return ".bin", "application/octet-stream"
    return ".txt", "text/plain"


def _guess_type(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


_PIECE = 64 * 1024


class FileSpec:
    """One file to upload: a filename, a content type, and where its bytes come from.

    ``pieces()`` reads it in 64 KiB pieces and is called once per attempt, so that a retried
    request sends the whole file again; a file that cannot seek back (a pipe) is read into
    memory when the request is built, for the same reason.
    """

    __slots__ = ("_start", "content_type", "filename", "source")

    def __init__(self, filename: str, content_type: str, source: Any) -> None:
        if not isinstance(content_type, str) or not content_type.isascii() or not content_type.isprintable():
            raise ParameterError(f"the content type of {filename!r} must be printable ASCII, not {content_type!r}")
        self.filename = filename
        self.content_type = content_type
        self._start = None
        if isinstance(source, (bytearray, memoryview)):
            source = bytes(source)
        elif not isinstance(source, (bytes, os.PathLike)):
            if _seekable(source):
                self._start = source.tell()
            else:  # a pipe or socket: read once, so that a retry can send it again
                data = source.read()
                if isinstance(data, str):
                    raise ParameterError(f"the file {filename!r} is open in text mode: open it with 'rb'")
                source = bytes(data or b"")
        self.source = source

    def length(self) -> int | None:
        """The number of bytes ``pieces()`` will yield, when that is known beforehand.

        Only plain files on disk are sized from the file system: a file object over something
        else (``gzip.open``, a socket) yields other bytes than its descriptor holds.
        """
        source = self.source
        if isinstance(source, bytes):
            return len(source)
        try:
            if isinstance(source, os.PathLike):
                return os.stat(source).st_size
            raw = source.raw if isinstance(source, (io.BufferedReader, io.BufferedRandom)) else source
            if type(raw) is io.FileIO:
                return os.fstat(raw.fileno()).st_size - (self._start or 0)
        except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
            pass
        return None

    def pieces(self) -> Iterator[bytes]:
        """Yield the file's bytes from its start (as it was when the request was built)."""
        source = self.source
        if isinstance(source, bytes):
            if source:
                yield source
            return
        if isinstance(source, os.PathLike):
            with _open(source) as f:
                yield from iter(lambda: _read(f, self.filename), b"")
            return
        source.seek(self._start)
        while True:
            piece = _read(source, self.filename)
            if not piece:
                return
            if isinstance(piece, str):
                raise ParameterError(f"the file {self.filename!r} is open in text mode: open it with 'rb'")
            yield bytes(piece)

    def __repr__(self) -> str:
        return f"FileSpec({self.filename!r}, {self.content_type!r})"


def _read(f: Any, filename: str) -> Any:
    # A failing disk is the caller's file, not the connection: say so, never "connection error".
    try:
        return f.read(_PIECE)
    except OSError as exc:
        raise ParameterError(f"cannot read the file {filename!r} while sending it: {exc}") from exc


def _open(path: os.PathLike) -> Any:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise ParameterError(f"cannot open the file {os.fspath(path)}: {exc.strerror}") from None


def _seekable(source: Any) -> bool:
    try:
        return bool(source.seekable()) and hasattr(source, "tell")
    except (AttributeError, ValueError, OSError):
        return False


def is_file(value: Any) -> bool:
    """Tell whether a body value is meant as a file rather than a form field."""
    if isinstance(value, (bytes, bytearray, memoryview, os.PathLike, io.IOBase, FileSpec)):
        return True
    if isinstance(value, tuple) and 2 <= len(value) <= 3 and isinstance(value[0], (str, type(None))):
        # (name, content) with binary content, or (name, content, content_type); two plain
        # strings are an array of values, not a file.
        content = value[1]
        if isinstance(content, (bytes, bytearray, memoryview, os.PathLike, io.IOBase)) or hasattr(content, "read"):
            return True
        return len(value) == 3 and isinstance(content, str) and isinstance(value[2], str) and "/" in value[2]
    return hasattr(value, "read") and not isinstance(value, (str, Mapping))


def holds_file(body: Any) -> bool:
    """Tell whether a request body (a mapping) holds a file at its top level or in a list."""
    if not isinstance(body, Mapping):
        return False
    for value in body.values():
        if is_file(value):
            return True
        if isinstance(value, list) and any(is_file(v) for v in value):
            return True
    return False


def to_file(field: str, value: Any) -> FileSpec:
    """Turn one of the accepted file forms into a ``FileSpec``; errors name the field."""
    if isinstance(value, FileSpec):
        return value
    if isinstance(value, tuple):
        filename, content = value[0], value[1]
        ctype = value[2] if len(value) > 2 else None
        if isinstance(content, str):
            content = content.encode()
        spec = to_file(field, content)
        if filename:
            spec.filename = os.path.basename(str(filename))
        ctype = ctype or (_guess_type(spec.filename) if filename else spec.content_type)
        return FileSpec(spec.filename, ctype, spec.source) if ctype != spec.content_type else spec
    if isinstance(value, os.PathLike):
        path = os.fspath(value)
        if not os.path.isfile(path):
            raise ParameterError(f"the file for {field!r} does not exist or is not a file: {path}")
        name = os.path.basename(path)
        return FileSpec(name, _guess_type(name), value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        ext, ctype = sniff(bytes(value[:64]))
        return FileSpec(f"{field.rstrip('[]') or 'file'}{ext}", ctype, value)
    if isinstance(value, io.TextIOBase):
        raise ParameterError(f"the file for {field!r} is open in text mode: open it with 'rb'")
    if hasattr(value, "read"):
        source = value
        if _seekable(value):
            pos = value.tell()
            head = value.read(64)
            value.seek(pos)
        else:  # a pipe: read it once now, so that a retry can send it again
            source = head = value.read()
        if isinstance(head, str):
            raise ParameterError(f"the file for {field!r} is open in text mode: open it with 'rb'")
        name = getattr(value, "name", None)
        if isinstance(name, str) and name and not name.startswith("<") and not name.isdigit():
            base = os.path.basename(name)
            return FileSpec(base, _guess_type(base), source)
        ext, ctype = sniff(bytes(head[:64]))
        return FileSpec(f"{field.rstrip('[]') or 'file'}{ext}", ctype, source)
    raise ParameterError(f"{field!r} is not a file: pass a pathlib.Path, bytes, an open binary file or a tuple")


def flatten_form(body: Mapping[str, Any]) -> tuple[list[tuple[str, str]], list[tuple[str, FileSpec]]]:
    """Split a body into form fields and files, flattening arrays and objects SDK-style."""
    fields: list[tuple[str, str]] = []
    files: list[tuple[str, FileSpec]] = []

    def add(name: str, value: Any, nested: bool = False) -> None:
        if value is None:
            return
        if is_file(value):
            files.append((name, to_file(name, value)))
        elif isinstance(value, Mapping):
            for key, item in value.items():
                add(f"{name}[{key}]", item, True)
        elif isinstance(value, (list, tuple)):
            key = name if name.endswith("[]") and not nested else name + "[]"
            for item in value:
                add(key, item, True)
        else:
            fields.append((name, scalar(value)))

    for name, value in body.items():
        add(str(name), value)
    return fields, files


def _quote_param(value: str) -> str:
    # HTML5 form encoding, as browsers and httpx send names: a quote or a line break in a name
    # or filename can never end the header early.
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


class MultipartBody:
    """A ``multipart/form-data`` body: text fields first, then files, in the order given.

    ``content_type`` carries the boundary; ``length`` is exact when every file's size is known
    (else None, and the body goes chunked); ``pieces()`` yields the bytes, reading files in
    64 KiB pieces, and may be called once per attempt.
    """

    __slots__ = ("boundary", "fields", "files", "length")

    def __init__(self, fields: list[tuple[str, str]], files: list[tuple[str, FileSpec]]) -> None:
        self.boundary = os.urandom(16).hex()
        self.fields = fields
        self.files = files
        total: int | None = sum(len(self._field(name, value)) for name, value in fields)
        for name, spec in files:
            size = spec.length()
            total = None if size is None or total is None else total + len(self._file_head(name, spec)) + size + 2
        self.length = None if total is None else total + len(self._end())

    @property
    def content_type(self) -> str:
        """The Content-Type header, with the boundary."""
        return f"multipart/form-data; boundary={self.boundary}"

    def _field(self, name: str, value: str) -> bytes:
        head = f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_quote_param(name)}"\r\n\r\n'
        return head.encode() + value.encode() + b"\r\n"

    def _file_head(self, name: str, spec: FileSpec) -> bytes:
        return (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_quote_param(name)}"; '
            f'filename="{_quote_param(spec.filename)}"\r\nContent-Type: {spec.content_type}\r\n\r\n'
        ).encode()

    def _end(self) -> bytes:
        return f"--{self.boundary}--\r\n".encode()

    def pieces(self) -> Iterator[bytes]:
        """Yield the body's bytes (files read as they go)."""
        head = b"".join(self._field(name, value) for name, value in self.fields)
        for name, spec in self.files:
            yield head + self._file_head(name, spec)
            yield from spec.pieces()
            head = b"\r\n"
        yield head + self._end()
