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
from collections.abc import Mapping
from typing import Any

from ._errors import ParameterError
from ._qs import scalar

__all__ = ["FileSpec", "encode_form", "flatten_form", "holds_file", "is_file", "sniff"]

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


class FileSpec:
    """One file to upload: a filename, a content type, and where its bytes come from.

    ``open()`` returns something httpx can send and is called once per attempt, so that a
    retried request sends the whole file again.
    """

    __slots__ = ("_start", "content_type", "filename", "source")

    def __init__(self, filename: str, content_type: str, source: Any) -> None:
        self.filename = filename
        self.content_type = content_type
        self.source = source
        self._start = source.tell() if hasattr(source, "seek") and source.seekable() else None

    def open(self) -> tuple[Any, bool]:
        """Return ``(content, needs_close)`` for one attempt of the request."""
        if isinstance(self.source, (bytes, bytearray, memoryview)):
            return bytes(self.source), False
        if isinstance(self.source, os.PathLike):
            try:
                return open(self.source, "rb"), True
            except OSError as exc:
                raise ParameterError(f"cannot open the file {os.fspath(self.source)}: {exc.strerror}") from None
        if self._start is not None:
            self.source.seek(self._start)
        return self.source, False

    def __repr__(self) -> str:
        return f"FileSpec({self.filename!r}, {self.content_type!r})"


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
            spec.content_type = ctype or _guess_type(spec.filename)
        elif ctype:
            spec.content_type = ctype
        return spec
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
        name = getattr(value, "name", None)
        if isinstance(name, str) and name and not name.startswith("<"):
            base = os.path.basename(name)
            return FileSpec(base, _guess_type(base), value)
        head = b""
        if hasattr(value, "seek") and value.seekable():
            pos = value.tell()
            head = value.read(64)
            value.seek(pos)
        if isinstance(head, str):
            raise ParameterError(f"the file for {field!r} is open in text mode: open it with 'rb'")
        ext, ctype = sniff(head)
        return FileSpec(f"{field.rstrip('[]') or 'file'}{ext}", ctype, value)
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


def encode_form(fields: list[tuple[str, str]]) -> tuple[bytes, str]:
    """Encode text-only form fields as a multipart body; return ``(body, content_type)``."""
    boundary = os.urandom(16).hex()
    parts = []
    for name, value in fields:
        safe = name.replace("\\", "\\\\").replace('"', '\\"')
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{safe}"\r\n\r\n'.encode() + value.encode() + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
