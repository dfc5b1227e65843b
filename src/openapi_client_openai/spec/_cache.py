"""The user cache: where it is, and files in it that are trusted only when whole.

Every cache file is ``magic + CRC-32 of the payload + payload``, written atomically, so a
torn or corrupted entry reads as missing and is rebuilt, never trusted.  The names of cache
files carry a code tag (a checksum of the modules that built them), so that changed code
never reads what older code wrote.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib

TYPE_CHECKING = False  # avoids importing typing at run time (~5 ms)
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CACHE_ENV",
    "cache_dir",
    "cache_path",
    "code_tag",
    "read_blob",
    "read_data",
    "write_blob",
    "write_data",
]

CACHE_ENV = "OPENAPI_CLIENT_OPENAI_CACHE_DIR"
_MAGIC = b"OCOIDX\x00\x01"
_CODE_TAGS: dict[tuple[str, ...], str] = {}


def cache_dir() -> str:
    """Return this package's user cache folder (``OPENAPI_CLIENT_OPENAI_CACHE_DIR`` overrides it)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return override
    if sys.platform.startswith("linux"):
        # What platformdirs.user_cache_dir answers on Linux, without its ~13 ms import.
        base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.expanduser("~/.cache")
        return os.path.join(base, "openapi-client-openai")
    import platformdirs

    return platformdirs.user_cache_dir("openapi-client-openai", appauthor=False)


def cache_path(name: str) -> str:
    """Return the path of the compiled-data file ``name`` in the cache (indexes, schemas, docs)."""
    return os.path.join(cache_dir(), "index", name)


def code_tag(*modules: str) -> str:
    """Return a checksum of the source files that build a cache file (paths of modules).

    Put in the cache file's name, it keeps changed code from reading old output.  A zipped
    install has no source to read: its tag is ``nosrc`` and the declared format numbers,
    also in the names, are what tell versions apart.
    """
    tag = _CODE_TAGS.get(modules)
    if tag is None:
        crc = 0
        try:
            for path in modules:
                with open(path, "rb") as f:
                    crc = zlib.crc32(f.read(), crc)
            tag = f"{crc:08x}"
        except OSError:
            tag = "nosrc"
        _CODE_TAGS[modules] = tag
    return tag


def read_blob(path: str) -> bytes | None:
    """Return the payload of a cache file if it is whole and intact, else None."""
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError:
        return None
    if blob[:8] != _MAGIC or len(blob) < 12 or int.from_bytes(blob[8:12], "big") != zlib.crc32(blob[12:]):
        return None
    return blob[12:]


def write_blob(path: str, payload: bytes) -> None:
    """Write a cache file atomically (readers see the old file or the whole new one).

    A read-only or full cache only costs speed, so failing to write is not an error.
    """
    blob = _MAGIC + zlib.crc32(payload).to_bytes(4, "big") + payload
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(blob)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def read_data(path: str) -> Any:
    """Return the data (dicts, lists, strings...) stored by ``write_data``, or None if there is none.

    None also when the file is damaged or was written by another Python (marshal's format
    follows the interpreter).
    """
    payload = read_blob(path)
    if payload is None:
        return None
    try:
        return marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None


def write_data(path: str, data: Any) -> None:
    """Store plain data (what ``marshal`` can hold) in a cache file, atomically."""
    write_blob(path, marshal.dumps(data))
