"""Uploading large files: one request up to a threshold, the Uploads API above it.

Above ``multipart_threshold`` the file goes in parts of ``part_size`` sent in parallel, then
the upload is completed with the parts in order and the file's md5.  What has been sent is
recorded in a small state file in the user cache (keyed by the file's path, size and mtime),
so that an interrupted upload sent again resumes with the parts still missing.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
from typing import Any

__all__ = ["DEFAULT_PART_SIZE", "upload_file"]

DEFAULT_PART_SIZE = 64 * 1024 * 1024
_WORKERS = 4


def _state_path(path: str, size: int, mtime_ns: int, where: str) -> str:
    from .spec import cache_dir

    key = hashlib.sha256(f"{os.path.realpath(path)}|{size}|{mtime_ns}|{where}".encode()).hexdigest()[:32]
    return os.path.join(cache_dir(), "uploads", f"{key}.json")


def _load(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            state = json.load(f)
        return state if isinstance(state, dict) else {}
    except (OSError, ValueError):
        return {}


def _save(path: str, state: dict) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(state, f)
    os.replace(tmp, path)


def upload_file(
    client: Any,
    path: str | os.PathLike[str],
    purpose: str,
    part_size: int = DEFAULT_PART_SIZE,
    multipart_threshold: int = DEFAULT_PART_SIZE,
    progress: bool | None = None,
) -> dict:
    """Upload a file and return the File object (a dict) - see the module docstring.

    An upload the server no longer knows (expired after an hour, or another account's) is
    started afresh, once.
    """
    try:
        return _upload(client, path, purpose, part_size, multipart_threshold, progress)
    except _Stale:
        return _upload(client, path, purpose, part_size, multipart_threshold, progress)


class _Stale(Exception):
    """The recorded upload is gone on the server: its state file has been removed."""


def _upload(
    client: Any,
    path: str | os.PathLike[str],
    purpose: str,
    part_size: int = DEFAULT_PART_SIZE,
    multipart_threshold: int = DEFAULT_PART_SIZE,
    progress: bool | None = None,
) -> dict:
    """Upload a file and return the File object (a dict) - see the module docstring."""
    import pathlib

    from ._errors import APIStatusError, ParameterError

    file = pathlib.Path(path)
    try:
        stat = file.stat()
    except OSError as exc:
        raise ParameterError(f"cannot upload {file}: {exc.strerror}") from None
    if part_size <= 0:
        raise ParameterError(f"part_size must be a positive number of bytes, not {part_size}")
    if stat.st_size <= multipart_threshold:
        return client.create_file(body={"file": file, "purpose": purpose}).json()
    where = f"{client.base_url}|{client.organization}|{client.project}|{purpose}"
    state_file = _state_path(str(file), stat.st_size, stat.st_mtime_ns, where)
    state = _load(state_file)
    count = -(-stat.st_size // part_size)
    if not state.get("upload_id") or state.get("part_size") != part_size:
        upload = client.create_upload(
            body={
                "filename": file.name,
                "purpose": purpose,
                "bytes": stat.st_size,
                "mime_type": mimetypes.guess_type(file.name)[0] or "application/octet-stream",
            }
        ).json()
        state = {"upload_id": upload["id"], "part_size": part_size, "parts": {}}
        _save(state_file, state)
    parts: dict[str, str] = state["parts"]
    from ._progress import Bar

    bar = Bar(f"uploading {file.name}", stat.st_size, progress)
    bar.update(advance=sum(min(part_size, stat.st_size - int(i) * part_size) for i in parts))

    def send(index: int) -> tuple[int, str, int]:
        with open(file, "rb") as f:
            f.seek(index * part_size)
            data = f.read(part_size)
        part = client.add_upload_part(upload_id=state["upload_id"], body={"data": (f"{file.name}.part{index}", data)})
        return index, part.json()["id"], len(data)

    from concurrent.futures import ThreadPoolExecutor

    missing = [i for i in range(count) if str(i) not in parts]
    try:
        with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
            for index, part_id, sent in pool.map(send, missing):
                parts[str(index)] = part_id
                _save(state_file, state)  # a later run resumes from here
                bar.update(advance=sent)
    except APIStatusError as exc:
        if exc.status_code in (400, 404) and parts:  # the recorded upload expired: start again
            os.unlink(state_file)
            raise _Stale from None
        raise
    finally:
        bar.close()
    digest = hashlib.md5()
    with open(file, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    try:
        done = client.complete_upload(
            upload_id=state["upload_id"],
            body={"part_ids": [parts[str(i)] for i in range(count)], "md5": digest.hexdigest()},
        ).json()
    except APIStatusError as exc:
        if exc.status_code in (400, 404):  # expired or unknown upload: start afresh
            os.unlink(state_file)
            if exc.status_code == 404:
                raise _Stale from None
        raise
    os.unlink(state_file)
    return done.get("file") or done
