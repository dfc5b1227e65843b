"""Uploading large files: one request up to a threshold, the Uploads API above it.

Above ``multipart_threshold`` the file goes in parts of ``part_size`` sent in parallel, then
the upload is completed with the parts in order and the file's md5.  ``part_size`` is checked
first against the Uploads API's limits (a part holds at most 64 MB, an upload at most 8 GB, and
at most ``MAX_PARTS`` parts are made).  What has been sent is appended, one line per part, to a
small log in the user cache (keyed by the file's path, size and mtime), so recording a part
costs the same whatever the number of parts, and an interrupted upload sent again resumes
with the parts still missing.

The steps are written once, as generators that yield what to do (``Call`` an operation,
``Read`` a part, ``Parallel`` flows, ``Wait`` for an object) and are driven by a blocking
driver (threads) or an asyncio one (tasks; reads in worker threads), as ``_client._flow`` is.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
from collections.abc import Callable, Generator
from typing import Any

__all__ = [
    "DEFAULT_PART_SIZE",
    "MAX_PARTS",
    "MAX_PART_SIZE",
    "MAX_UPLOAD_SIZE",
    "adrive",
    "drive",
    "upload_and_poll_flow",
    "upload_flow",
]

# From the spec's createUpload and addUploadPart: "Each Part can be at most 64 MB, and you can
# add Parts until you hit the Upload maximum of 8 GB".  Taken in binary units, as OpenAI's own
# SDK sends 64 MiB parts.
MAX_PART_SIZE = 64 * 1024 * 1024
MAX_UPLOAD_SIZE = 8 * 1024 * 1024 * 1024
# The API names no limit; this many requests is already ~1 MB parts for a file of 8 GB, and
# tiny parts (part_size=10 on 3 MB: 300,000 requests) are a mistake, not a plan.
MAX_PARTS = 10_000
DEFAULT_PART_SIZE = MAX_PART_SIZE
_WORKERS = 4
_LOG_VERSION = 2


def _state_path(path: str, size: int, mtime_ns: int, where: str) -> str:
    from .spec import cache_dir

    key = hashlib.sha256(f"{os.path.realpath(path)}|{size}|{mtime_ns}|{where}".encode()).hexdigest()[:32]
    return os.path.join(cache_dir(), "uploads", f"{key}.jsonl")


class _Log:
    """The parts sent so far: a header line (upload id, part size), then one line per part.

    Appending a line per part keeps the cost of recording one part constant (the whole state
    used to be rewritten after each part: quadratic, over ten minutes for 300,000 parts).  A
    log that cannot be read - torn, from another version, for another part size - is
    replaced: the upload starts afresh rather than failing.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.upload_id: str | None = None
        self.part_size = 0
        self.parts: dict[int, str] = {}
        self.fd: int | None = None
        self.resumed = False  # an upload made by an earlier call: the server may have dropped it

    def load(self, part_size: int, count: int) -> None:
        try:
            with open(self.path, "rb") as f:
                lines = f.read().split(b"\n")
        except OSError:
            return
        try:
            head = json.loads(lines[0])
        except ValueError:
            return
        if (
            not isinstance(head, dict)
            or head.get("v") != _LOG_VERSION
            or head.get("part_size") != part_size
            or not isinstance(head.get("upload_id"), str)
        ):
            return
        parts: dict[int, str] = {}
        for line in lines[1:]:
            try:
                entry = json.loads(line)
                index, part_id = entry["part"], entry["id"]
            except (ValueError, TypeError, KeyError):
                continue  # a line torn by a kill (only ever the last): that part is sent again
            if isinstance(index, int) and 0 <= index < count and isinstance(part_id, str):
                parts[index] = part_id
        self.upload_id, self.part_size, self.parts = head["upload_id"], part_size, parts
        self.resumed = True

    def start(self, upload_id: str, part_size: int) -> None:
        """Begin a new log for a new upload (replacing whatever was there)."""
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        tmp = f"{self.path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps({"v": _LOG_VERSION, "upload_id": upload_id, "part_size": part_size}) + "\n")
        os.replace(tmp, self.path)
        self.upload_id, self.part_size, self.parts = upload_id, part_size, {}
        self.resumed = False
        try:  # the whole-JSON state of earlier versions, for the same file: superseded
            os.unlink(self.path[: -len(".jsonl")] + ".json")
        except FileNotFoundError:
            pass

    def add(self, index: int, part_id: str) -> None:
        if self.fd is None:
            self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        os.write(self.fd, json.dumps({"part": index, "id": part_id}).encode() + b"\n")
        self.parts[index] = part_id

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def remove(self) -> None:
        self.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def _check_sizes(size: int, part_size: int, name: str) -> int:
    """Refuse what the Uploads API would refuse, before anything is sent; return the part count."""
    from ._errors import ParameterError

    if size > MAX_UPLOAD_SIZE:
        raise ParameterError(
            f"cannot upload {name}: it is {size:,} bytes, and the Uploads API takes at most 8 GB "
            f"({MAX_UPLOAD_SIZE:,} bytes) in one upload; split the file"
        )
    count = -(-size // part_size)
    if count > MAX_PARTS:
        least = -(-size // MAX_PARTS)
        raise ParameterError(
            f"part_size={part_size:,} would cut {name} ({size:,} bytes) into {count:,} parts, and at most "
            f"{MAX_PARTS:,} are allowed: pass a part_size of at least {least:,} bytes (at most 64 MB, "
            f"{MAX_PART_SIZE:,} bytes; the default is {DEFAULT_PART_SIZE:,})"
        )
    return count


class Call:
    """A step: call the client's operation method ``name`` with ``kwargs``; the flow gets the result."""

    __slots__ = ("kwargs", "name")

    def __init__(self, name: str, **kwargs: Any) -> None:
        self.name = name
        self.kwargs = kwargs


class Read:
    """A step: read ``size`` bytes of ``path`` from ``offset`` (off the event loop when async)."""

    __slots__ = ("offset", "path", "size")

    def __init__(self, path: Any, offset: int, size: int) -> None:
        self.path, self.offset, self.size = path, offset, size

    def __call__(self) -> bytes:
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            return f.read(self.size)


class Parallel:
    """A step: run ``flows`` at most ``workers`` at a time; ``done`` is told of each finished one
    (its index and value) as it finishes, in the driver's own thread; the flow gets the values."""

    __slots__ = ("done", "flows", "workers")

    def __init__(self, flows: list[Flow], workers: int, done: Callable[[int, Any], None]) -> None:
        self.flows, self.workers, self.done = flows, workers, done


class Wait:
    """A step: ``client.wait(target, **kwargs)``; the flow gets the final object."""

    __slots__ = ("kwargs", "target")

    def __init__(self, target: Any, **kwargs: Any) -> None:
        self.target, self.kwargs = target, kwargs


Flow = Generator[Any, Any, Any]


def drive(client: Any, flow: Flow) -> Any:
    """Run a flow with a blocking client: calls in this thread, ``Parallel`` flows in threads."""
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = flow.throw(error) if error is not None else flow.send(value)
        except StopIteration as stop:
            return stop.value
        value, error = None, None
        try:
            value = _step(client, step)
        except Exception as exc:  # handed to the flow, which decides (it may resume or start afresh)
            error = exc


def _step(client: Any, step: Any) -> Any:
    if isinstance(step, Call):
        return getattr(client, step.name)(**step.kwargs)
    if isinstance(step, Read):
        return step()
    if isinstance(step, Wait):
        return client.wait(step.target, **step.kwargs)
    from concurrent.futures import ThreadPoolExecutor

    values = []
    with ThreadPoolExecutor(max_workers=max(1, min(step.workers, len(step.flows)))) as pool:
        for index, value in enumerate(pool.map(lambda flow: drive(client, flow), step.flows)):
            step.done(index, value)
            values.append(value)
    return values


async def adrive(client: Any, flow: Flow) -> Any:
    """Run a flow with an asyncio client: calls awaited, reads in worker threads, ``Parallel``
    flows as tasks (the others cancelled when one fails)."""
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = flow.throw(error) if error is not None else flow.send(value)
        except StopIteration as stop:
            return stop.value
        value, error = None, None
        try:
            value = await _astep(client, step)
        except Exception as exc:
            error = exc


async def _astep(client: Any, step: Any) -> Any:
    import asyncio

    if isinstance(step, Call):
        return await getattr(client, step.name)(**step.kwargs)
    if isinstance(step, Read):
        return await asyncio.to_thread(step)
    if isinstance(step, Wait):
        return await client.wait(step.target, **step.kwargs)
    gate = asyncio.Semaphore(max(1, step.workers))
    values: list[Any] = [None] * len(step.flows)

    async def one(index: int, flow: Flow) -> None:
        async with gate:
            values[index] = await adrive(client, flow)
        step.done(index, values[index])

    tasks = [asyncio.ensure_future(one(i, flow)) for i, flow in enumerate(step.flows)]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return values


def upload_flow(
    client: Any,
    path: str | os.PathLike[str],
    purpose: str,
    part_size: int,
    multipart_threshold: int,
    progress: bool | None,
) -> Flow:
    """The steps of ``upload_file``, whose value is the File object (a dict).

    Up to ``multipart_threshold`` bytes it is one request; above, the Uploads API takes it in
    parts of ``part_size`` bytes (at most 64 MB, at most ``MAX_PARTS`` parts, an upload at most
    8 GB: otherwise ``ParameterError`` before anything is sent), and an interrupted upload
    resumes with the parts still missing when called again.  An upload the server no longer
    knows (expired after an hour, or another account's) is started afresh, once.
    """
    try:
        return (yield from _upload(client, path, purpose, part_size, multipart_threshold, progress))
    except _Stale:
        return (yield from _upload(client, path, purpose, part_size, multipart_threshold, progress))


class _Stale(Exception):
    """The recorded upload is gone on the server: its log has been removed."""


def _upload(
    client: Any,
    path: str | os.PathLike[str],
    purpose: str,
    part_size: int,
    multipart_threshold: int,
    progress: bool | None,
) -> Flow:
    import pathlib

    from ._errors import ParameterError

    file = pathlib.Path(path)
    if isinstance(part_size, bool) or not isinstance(part_size, int) or part_size <= 0:
        raise ParameterError(f"part_size must be a positive whole number of bytes, not {part_size!r}")
    if part_size > MAX_PART_SIZE:
        raise ParameterError(
            f"part_size={part_size:,} is more than the Uploads API takes in one part: at most 64 MB "
            f"({MAX_PART_SIZE:,} bytes)"
        )
    try:
        stat = file.stat()
    except OSError as exc:
        raise ParameterError(f"cannot upload {file}: {exc.strerror}") from None
    if stat.st_size <= multipart_threshold:
        return (yield Call("create_file", body={"file": file, "purpose": purpose})).json()
    count = _check_sizes(stat.st_size, part_size, str(file))
    where = f"{client.base_url}|{client.organization}|{client.project}|{purpose}"
    log = _Log(_state_path(str(file), stat.st_size, stat.st_mtime_ns, where))
    log.load(part_size, count)
    try:
        if log.upload_id is None:
            upload = yield Call(
                "create_upload",
                body={
                    "filename": file.name,
                    "purpose": purpose,
                    "bytes": stat.st_size,
                    "mime_type": mimetypes.guess_type(file.name)[0] or "application/octet-stream",
                },
            )
            log.start(upload.json()["id"], part_size)
        return (yield from _send_parts(file, stat.st_size, count, log, progress))
    finally:
        log.close()


def _send_part(file: Any, index: int, part_size: int, upload_id: str) -> Flow:
    data = yield Read(file, index * part_size, part_size)
    part = yield Call("add_upload_part", upload_id=upload_id, body={"data": (f"{file.name}.part{index}", data)})
    return part.json()["id"], len(data)


def _send_parts(file: Any, size: int, count: int, log: _Log, progress: bool | None) -> Flow:
    from ._errors import APIStatusError
    from ._progress import Bar

    part_size = log.part_size
    bar = Bar(f"uploading {file.name}", size, progress)
    bar.update(advance=sum(min(part_size, size - i * part_size) for i in log.parts))
    missing = [i for i in range(count) if i not in log.parts]

    def done(n: int, sent: tuple[str, int]) -> None:
        log.add(missing[n], sent[0])  # a later run resumes from here
        bar.update(advance=sent[1])

    assert log.upload_id is not None
    flows = [_send_part(file, i, part_size, log.upload_id) for i in missing]
    try:
        yield Parallel(flows, _WORKERS, done)
    except APIStatusError as exc:
        if exc.status_code in (400, 404) and log.resumed:  # the recorded upload expired: start again
            log.remove()
            raise _Stale from None
        raise
    finally:
        bar.close()
    digest = hashlib.md5()
    with open(file, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    try:
        done_upload = yield Call(
            "complete_upload",
            upload_id=log.upload_id,
            body={"part_ids": [log.parts[i] for i in range(count)], "md5": digest.hexdigest()},
        )
    except APIStatusError as exc:
        if exc.status_code in (400, 404):  # expired or unknown upload: start afresh
            log.remove()
            if exc.status_code == 404:
                raise _Stale from None
        raise
    log.remove()
    answer = done_upload.json()
    return answer.get("file") or answer


def upload_and_poll_flow(
    client: Any,
    vector_store_id: str,
    files: Any,
    purpose: str,
    attributes: Any,
    chunking_strategy: Any,
    max_concurrency: int,
    progress: bool | None,
    timeout: float | None,
    poll_interval: float,
) -> Flow:
    """The steps of ``upload_and_poll``: upload files (``upload_flow``, in parallel), add them to a
    vector store (one file, or a file batch for a list) and wait until the vector store has
    processed them; the flow's value is that object."""
    from ._errors import ParameterError

    single = isinstance(files, (str, os.PathLike))
    paths = [files] if single else list(files) if isinstance(files, (list, tuple)) else None
    if not paths or not all(isinstance(p, (str, os.PathLike)) for p in paths):
        raise ParameterError("upload_and_poll takes a path, or a non-empty list of paths (str or pathlib.Path)")
    if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int) or max_concurrency < 1:
        raise ParameterError(f"max_concurrency must be a whole number >= 1, not {max_concurrency!r}")
    missing = [str(p) for p in paths if not os.path.isfile(p)]
    if missing:
        raise ParameterError(f"cannot upload {missing[0]}: no such file")  # before anything is sent
    from ._progress import Bar

    bar = Bar(f"uploading {len(paths)} files", len(paths), progress if len(paths) > 1 else False)
    one_progress = progress if single else False
    flows = [upload_flow(client, p, purpose, DEFAULT_PART_SIZE, DEFAULT_PART_SIZE, one_progress) for p in paths]
    try:
        uploaded = yield Parallel(flows, max_concurrency, lambda n, file: bar.update(advance=1))
    finally:
        bar.close()
    file_ids = [file["id"] for file in uploaded]
    fields = {"attributes": attributes, "chunking_strategy": chunking_strategy}
    fields = {k: v for k, v in fields.items() if v is not None}
    if single:
        made = yield Call("create_vector_store_file", vector_store_id=vector_store_id, file_id=file_ids[0], **fields)
    else:
        made = yield Call(
            "create_vector_store_file_batch", vector_store_id=vector_store_id, file_ids=file_ids, **fields
        )
    return (yield Wait(made, timeout=timeout, poll_interval=poll_interval))
