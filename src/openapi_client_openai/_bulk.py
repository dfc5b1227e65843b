"""Bulk runs: a file of Batch API requests sent from this machine, exactly once, resumable.

``run(input, output)`` reads requests in the Batch API's input format (``custom_id``, ``method``,
``url``, ``body``) and appends one line per request to ``output`` in the Batch API's output
format.  The input is streamed, and the request ids (to find duplicates, and to know what an
earlier run finished) live in a temporary SQLite table on disk, so memory stays the same
whether the input has ten thousand lines or ten million.  Each answer is appended with one ``write`` as soon as it
arrives, so a run killed at any moment (SIGKILL included) leaves complete lines and at most one
torn last line, which the next run cuts off before resuming with only the ids not yet written.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any

from ._errors import APIConnectionError, APIStatusError, OpenAPIClientError, RequestValidationError

__all__ = ["BulkError", "Summary", "run", "run_async", "submit"]


class BulkError(OpenAPIClientError, ValueError):
    """The input of a bulk run is not usable (a line that is not a request, a duplicate id)."""


class Summary:
    """What a bulk run did: requests sent now, already done before, and failed."""

    __slots__ = ("done", "errors", "pending", "seconds", "skipped", "total")

    def __init__(self) -> None:
        self.total = self.done = self.skipped = self.errors = self.pending = 0
        self.seconds = 0.0

    def __repr__(self) -> str:
        return (
            f"Summary(total={self.total}, sent={self.done}, already_done={self.skipped}, errors={self.errors}, "
            f"pending={self.pending}, seconds={self.seconds:.1f})"
        )


class _Ids:
    """Request ids on disk (SQLite, stdlib): memory does not grow with the input."""

    def __init__(self) -> None:
        import sqlite3

        # "": SQLite's own temporary database, on disk and removed when closed or killed.
        self.db = sqlite3.connect("")
        for pragma in ("synchronous=OFF", "cache_size=-4000", "temp_store=FILE"):  # journal kept: rollback
            self.db.execute(f"PRAGMA {pragma}")
        self.db.execute("CREATE TABLE input (id TEXT PRIMARY KEY) WITHOUT ROWID")
        self.db.execute("CREATE TABLE done (id TEXT PRIMARY KEY) WITHOUT ROWID")

    def add_input(self, ids: list[str], path: str) -> None:
        import sqlite3

        try:
            self.db.executemany("INSERT INTO input VALUES (?)", ((i,) for i in ids))
            self.db.commit()
        except sqlite3.IntegrityError:
            self.db.rollback()  # this batch only: the earlier ones are committed
            raise BulkError(f"{path}: the custom_id {self._duplicate(ids)!r} appears more than once") from None

    def _duplicate(self, ids: list[str]) -> str:
        seen: set[str] = set()
        for custom_id in ids:
            known = self.db.execute("SELECT 1 FROM input WHERE id = ?", (custom_id,)).fetchone()
            if custom_id in seen or known is not None:
                return custom_id
            seen.add(custom_id)
        return "?"

    def add_done(self, ids: list[str]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO done VALUES (?)", ((i,) for i in ids))

    def is_done(self, custom_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM done WHERE id = ?", (custom_id,)).fetchone() is not None

    def close(self) -> None:
        self.db.close()


def _lines(path: str):
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                yield number, line


def _check_input(path: str, ids: _Ids) -> int:
    """Fail before anything is sent if a line is not a request or an id repeats; return the count."""
    count = 0
    batch: list[str] = []
    for number, line in _lines(path):
        try:
            request = json.loads(line)
        except ValueError:
            raise BulkError(f"{path}:{number}: not JSON") from None
        if not isinstance(request, dict) or not isinstance(request.get("custom_id"), str) or not request["custom_id"]:
            raise BulkError(f"{path}:{number}: every line needs a non-empty string custom_id")
        if not isinstance(request.get("url"), str):
            raise BulkError(f"{path}:{number}: missing url (e.g. /v1/chat/completions)")
        batch.append(request["custom_id"])
        count += 1
        if len(batch) >= 500:
            ids.add_input(batch, path)
            batch = []
    if batch:
        ids.add_input(batch, path)
    return count


def _read_done(path: str, ids: _Ids) -> None:
    """Record the ids already written to the output; a torn last line is cut off first."""
    if not os.path.exists(path):
        return
    good = 0
    batch: list[str] = []
    with open(path, "rb") as f:
        for line in f:
            if not line.endswith(b"\n"):
                break
            try:
                record = json.loads(line)
            except ValueError:
                break
            batch.append(str(record.get("custom_id")))
            good += len(line)
            if len(batch) >= 500:
                ids.add_done(batch)
                batch = []
    ids.add_done(batch)
    if good != os.path.getsize(path):
        with open(path, "r+b") as f:  # a line torn by a kill: only whole lines stay
            f.truncate(good)


class _Pacer:
    """Keeps under --max-rpm/--max-tpm and follows the server's x-ratelimit-* headers."""

    def __init__(self, max_rpm: float | None, max_tpm: float | None) -> None:
        self.max_rpm, self.max_tpm = max_rpm, max_tpm
        self.next_at = 0.0
        self.pause_until = 0.0

    async def wait(self, tokens: int) -> None:
        now = time.monotonic()
        gap = 0.0
        if self.max_rpm:
            gap = max(gap, 60.0 / self.max_rpm)
        if self.max_tpm:
            gap = max(gap, 60.0 * tokens / self.max_tpm)
        start = max(now, self.next_at, self.pause_until)
        self.next_at = start + gap
        while start > time.monotonic():
            await asyncio.sleep(start - time.monotonic())
            start = max(start, self.pause_until)  # a 429 seen meanwhile pushes every worker back

    def back_off(self, seconds: float | None) -> None:
        """A 429 told everyone to wait (Retry-After), not just the request that got it."""
        self.pause_until = max(self.pause_until, time.monotonic() + min(seconds or 1.0, 60.0))

    def observe(self, limits: Any) -> None:
        # Nothing left in the window: wait for it to reset before sending more.
        for remaining, reset in (
            (limits.remaining_requests, limits.reset_requests),
            (limits.remaining_tokens, limits.reset_tokens),
        ):
            if remaining == 0 and reset:
                self.pause_until = max(self.pause_until, time.monotonic() + min(reset, 60.0))


def _lock(output_path: str) -> int:
    """Hold a lock beside the output for the run: two runs on one output would send twice."""
    fd = os.open(output_path + ".lock", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:  # no fcntl (Windows): no lock
        pass
    except OSError:
        os.close(fd)
        raise BulkError(f"another run is writing {output_path}: wait for it, or use another output") from None
    return fd


def _error_record(request: dict, code: str, message: str) -> dict:
    return {
        "id": "batch_req_" + os.urandom(12).hex(),
        "custom_id": request["custom_id"],
        "response": None,
        "error": {"code": code, "message": message},
    }


_RETRY_LATER = frozenset({408, 409, 429}) | frozenset(range(500, 600))


def _retry_later(record: dict) -> bool:
    """Failures worth another try (connection errors, 408/409/429/5xx after the client's retries):
    not written, so that the next run sends them again instead of keeping the failure."""
    if record["error"] is not None:
        return record["error"].get("code") == "connection_error"
    return (record["response"] or {}).get("status_code") in _RETRY_LATER


def _tokens(body: Any) -> int:
    text = json.dumps(body) if body is not None else ""
    limit = body.get("max_completion_tokens") or body.get("max_tokens") or 0 if isinstance(body, dict) else 0
    return len(text) // 4 + int(limit or 0)


async def _one(client: Any, request: dict, pacer: _Pacer) -> dict:
    method = str(request.get("method", "POST")).upper()
    url, _, query_text = request["url"].partition("?")
    path = url[3:] if url.startswith("/v1/") else url
    record: dict[str, Any] = {
        "id": "batch_req_" + os.urandom(12).hex(),
        "custom_id": request["custom_id"],
        "response": None,
        "error": None,
    }
    if isinstance(request.get("body"), dict) and request["body"].get("stream") is True:
        return _error_record(request, "stream_not_supported", 'bulk requests cannot stream: remove "stream"')
    found = client.spec.route(method, path)
    if found is None:
        record["error"] = {"code": "invalid_url", "message": f"no operation of the spec answers {method} {url}"}
        return record
    op, params = found
    await pacer.wait(_tokens(request.get("body")))
    try:
        from urllib.parse import parse_qsl

        query = dict(parse_qsl(query_text)) or None
        result = await client.call(op.id, request.get("body"), query=query, **params)
        pacer.observe(result.rate_limits)
        body = result.json() if result.content_type.startswith("application/json") else result.text
        record["response"] = {"status_code": result.status_code, "request_id": result.request_id, "body": body}
    except RequestValidationError as exc:
        record["response"] = {
            "status_code": 400,
            "request_id": None,
            "body": {"error": {"message": str(exc), "type": "invalid_request_error", "param": None, "code": None}},
        }
    except APIStatusError as exc:
        if exc.response is not None:
            pacer.observe(exc.response.rate_limits)
            if exc.status_code == 429:
                from ._retry import parse_retry_after

                pacer.back_off(parse_retry_after(exc.response.headers))
        record["response"] = {"status_code": exc.status_code, "request_id": exc.request_id, "body": exc.body}
    except APIConnectionError as exc:
        record["error"] = {"code": "connection_error", "message": str(exc)}
    return record


async def run_async(
    input_path: str,
    output_path: str,
    client: Any = None,
    concurrency: int = 16,
    max_rpm: float | None = None,
    max_tpm: float | None = None,
    progress: bool | None = None,
) -> Summary:
    """The asyncio form of ``run``."""
    from ._client import AsyncOpenAIClient

    summary = Summary()
    ids = _Ids()
    lock = _lock(output_path)
    try:
        summary.total = _check_input(input_path, ids)
        _read_done(output_path, ids)
    except BaseException:
        ids.close()
        os.close(lock)
        raise
    own = client is None
    client = client if client is not None else AsyncOpenAIClient()
    pacer = _Pacer(max_rpm, max_tpm)
    started = time.monotonic()
    fd = os.open(output_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    lines = _lines(input_path)
    bar = _Bar(summary, progress)

    async def worker() -> None:
        for _, line in lines:  # one shared iterator: each line goes to one worker
            request = json.loads(line)
            if ids.is_done(request["custom_id"]):
                summary.skipped += 1
                continue
            try:
                record = await _one(client, request, pacer)
            except Exception as exc:
                record = _error_record(request, "request_failed", f"{type(exc).__name__}: {exc}")
            if _retry_later(record):
                summary.pending += 1  # left out of the output: the next run sends it again
                continue
            os.write(fd, json.dumps(record, separators=(",", ":")).encode() + b"\n")  # whole lines only
            summary.done += 1
            if record["error"] is not None or (record["response"] or {}).get("status_code", 200) >= 400:
                summary.errors += 1
            bar.update()

    tasks = [asyncio.ensure_future(worker()) for _ in range(max(1, concurrency))]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:  # stop every worker before the output and the ids go
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        os.close(fd)
        os.close(lock)
        ids.close()
        bar.close()
        if own:
            await client.aclose()
    summary.seconds = time.monotonic() - started
    return summary


def run(
    input_path: str,
    output_path: str,
    client: Any = None,
    concurrency: int = 16,
    max_rpm: float | None = None,
    max_tpm: float | None = None,
    progress: bool | None = None,
) -> Summary:
    """Send every request of ``input_path`` (Batch API input format) and append each answer to
    ``output_path`` (Batch API output format), exactly once across interrupted runs.

    ``client`` is an ``AsyncOpenAIClient`` (default: one from the environment).  Returns a
    ``Summary``; input that is not usable raises ``BulkError`` before anything is sent.
    """
    return asyncio.run(run_async(input_path, output_path, client, concurrency, max_rpm, max_tpm, progress))


class _Bar:
    """Progress of a bulk run on a terminal: done, rate, errors, ETA."""

    def __init__(self, summary: Summary, enabled: bool | None) -> None:
        from ._progress import Bar

        self.summary = summary
        self.started = time.monotonic()
        self.bar = Bar("bulk run", summary.total, enabled, stats=True)

    def update(self) -> None:
        s = self.summary
        rate = s.done / max(time.monotonic() - self.started, 1e-6)
        self.bar.update(completed=s.done + s.skipped, rate=rate, errors=s.errors)

    def close(self) -> None:
        self.bar.close()


# -- the Batch API path ------------------------------------------------------------------

BATCH_MAX_REQUESTS = 50_000
BATCH_MAX_BYTES = 190 * 1024 * 1024  # the API's limit is 200 MB a file: keep a margin
_FINAL = {"completed", "failed", "expired", "cancelled"}


def _chunks(path: str, max_requests: int, max_bytes: int, ids: _Ids):
    """Split the requests not yet answered into pieces the Batch API accepts - one endpoint each,
    within its limits - as (key, bytes of JSONL, endpoint).  The key is the piece's content hash,
    so a rerun finds the batch it already made for the same piece.  One pass per endpoint."""
    import hashlib

    endpoints: list[str] = []
    for _, line in _lines(path):
        url = json.loads(line)["url"].split("?", 1)[0]
        if url not in endpoints:
            endpoints.append(url)
    for endpoint in endpoints:
        piece: list[bytes] = []
        size = 0
        for _, line in _lines(path):
            request = json.loads(line)
            if request["url"].split("?", 1)[0] != endpoint or ids.is_done(request["custom_id"]):
                continue
            line = line if line.endswith(b"\n") else line + b"\n"
            if piece and (len(piece) >= max_requests or size + len(line) > max_bytes):
                data = b"".join(piece)
                yield hashlib.sha256(data).hexdigest()[:32], data, endpoint
                piece, size = [], 0
            piece.append(line)
            size += len(line)
        if piece:
            data = b"".join(piece)
            yield hashlib.sha256(data).hexdigest()[:32], data, endpoint


def submit(
    input_path: str,
    output_path: str,
    client: Any = None,
    poll_seconds: float = 5.0,
    max_poll_seconds: float = 300.0,
    max_requests: int = BATCH_MAX_REQUESTS,
    max_bytes: int = BATCH_MAX_BYTES,
    sleep: Any = time.sleep,
) -> Summary:
    """Run the input through the Batch API: split what is not yet answered within the API's
    limits, upload the pieces, create a batch for each, poll with back-off, and append the output
    and error files' lines to ``output_path`` (the format of ``run``), each ``custom_id`` once.

    Interrupted and run again, it polls the batches recorded in ``output_path + ".batches.json"``
    instead of submitting them again, and a finished job sends nothing.  A batch that ends
    failed, expired or cancelled gives what it answered; its other requests go in a new batch on
    the next run.
    """
    from ._client import OpenAIClient

    summary = Summary()
    ids = _Ids()
    lock = _lock(output_path)
    own = client is None
    state_path = output_path + ".batches.json"
    try:
        summary.total = _check_input(input_path, ids)
        _read_done(output_path, ids)
        client = client if client is not None else OpenAIClient()
        state: dict[str, Any] = {"pieces": {}}
        if os.path.exists(state_path):
            with open(state_path, encoding="utf-8") as f:
                state = json.load(f)

        def save() -> None:
            tmp = state_path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(state, f)
            os.replace(tmp, state_path)

        started = time.monotonic()
        unfinished = []
        fd = os.open(output_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            for key, data, endpoint in _chunks(input_path, max_requests, max_bytes, ids):
                piece = state["pieces"].setdefault(key, {})
                if "batch_id" not in piece:
                    upload = client.create_file(body={"file": ("bulk.jsonl", data), "purpose": "batch"}).json()
                    batch = client.create_batch(
                        body={"input_file_id": upload["id"], "endpoint": endpoint, "completion_window": "24h"}
                    ).json()
                    piece["batch_id"] = batch["id"]
                    save()  # from here on a rerun polls this batch instead of submitting again
                batch = _poll(client, piece["batch_id"], poll_seconds, max_poll_seconds, sleep)
                for name in ("output_file_id", "error_file_id"):
                    if batch.get(name):
                        _merge(client.download_file(file_id=batch[name]).content, fd, ids, summary)
                if batch["status"] != "completed":
                    unfinished.append(f"{batch['id']} {batch['status']}")
                del state["pieces"][key]  # answered or given up: the next run starts what is left
                save()
        finally:
            os.close(fd)
    finally:
        ids.close()
        os.close(lock)
        if own and client is not None:
            client.close()
    if os.path.exists(state_path) and not state["pieces"]:
        os.unlink(state_path)
    summary.seconds = time.monotonic() - started
    if unfinished:
        raise BulkError(
            f"{len(unfinished)} batch(es) did not complete ({', '.join(unfinished)}); what they "
            "answered is in the output: run the same command again to send the rest"
        )
    return summary


def _merge(content: bytes, fd: int, ids: _Ids, summary: Summary) -> None:
    """Append a batch result file's lines, each custom_id once, whole lines only."""
    for line in content.splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        custom_id = str(record.get("custom_id"))
        if ids.is_done(custom_id):
            continue
        os.write(fd, line + b"\n")
        ids.add_done([custom_id])
        summary.done += 1
        status = (record.get("response") or {}).get("status_code", 200)
        if record.get("error") is not None or status >= 400:
            summary.errors += 1


def _poll(client: Any, batch_id: str, first: float, longest: float, sleep: Any) -> dict:
    """Wait for a batch to end, looking again after 5 s, 10 s, 20 s... up to ``longest`` apart."""
    wait = first
    while True:
        batch = client.retrieve_batch(batch_id=batch_id).json()
        if batch.get("status") in _FINAL:
            return batch
        sleep(wait)
        wait = min(wait * 2, longest)
